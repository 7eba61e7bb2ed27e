"""Reciprocal rank fusion: weight / (k + rank) summed over the rankings a document is in."""

from __future__ import annotations

import math

import pytest

from learnhub.search.fusion import reciprocal_rank_fusion


def test_each_ranking_adds_its_weight_over_k_plus_the_rank() -> None:
    k, wa, wb = 10, 1.0, 0.5
    scores = reciprocal_rank_fusion([["x", "y", "z"], ["z", "x"]], weights=[wa, wb], k=k)
    assert scores.keys() == {"x", "y", "z"}
    assert math.isclose(scores["x"], wa / (k + 1) + wb / (k + 2))
    assert math.isclose(scores["y"], wa / (k + 2))
    assert math.isclose(scores["z"], wa / (k + 3) + wb / (k + 1))


def test_a_document_absent_from_a_ranking_gets_nothing_from_it() -> None:
    k = 60
    scores = reciprocal_rank_fusion([["only-left"], ["only-right"]], weights=[1.0, 1.0], k=k)
    assert scores == {"only-left": 1.0 / (k + 1), "only-right": 1.0 / (k + 1)}


def test_the_default_k_is_sixty() -> None:
    assert reciprocal_rank_fusion([["a"]], weights=[1.0]) == reciprocal_rank_fusion([["a"]], weights=[1.0], k=60)
    assert reciprocal_rank_fusion([["a"]], weights=[1.0], k=60) != reciprocal_rank_fusion([["a"]], weights=[1.0], k=1)


def test_weights_change_the_order() -> None:
    rankings = [["keyword-first", "semantic-first"], ["semantic-first", "keyword-first"]]

    def best(weights: list[float]) -> str:
        scores = reciprocal_rank_fusion(rankings, weights=weights, k=1)
        return max(scores, key=scores.__getitem__)

    assert best([2.0, 1.0]) == "keyword-first"
    assert best([1.0, 2.0]) == "semantic-first"


def test_a_document_in_both_rankings_beats_one_ranked_first_in_only_one() -> None:
    scores = reciprocal_rank_fusion([["solo", "both"], ["both"]], weights=[1.0, 1.0], k=60)
    assert scores["both"] > scores["solo"]


def test_no_rankings_give_no_scores() -> None:
    assert reciprocal_rank_fusion([], weights=[]) == {}
    assert reciprocal_rank_fusion([[], []], weights=[1.0, 1.0]) == {}


@pytest.mark.parametrize("weights", [[], [1.0], [1.0, 1.0, 1.0]])
def test_one_weight_per_ranking_or_a_value_error(weights: list[float]) -> None:
    with pytest.raises(ValueError, match="one weight per ranking"):
        reciprocal_rank_fusion([["a"], ["b"]], weights=weights)
