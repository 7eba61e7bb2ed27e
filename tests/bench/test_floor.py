"""The search floor's pure parts agree with the gateway's: fusion, snippets, record types.

The floor re-does by hand what learnhub/search/query.py and graphql/resolvers/search.py do; these
in-process checks catch a drift between the two before a benchmark run's equivalence check does.
"""

from __future__ import annotations

from typing import Any

from bench.floor import Floor, _excerpt, _Hit, _marked, _typename
from bench.search_lag import Lags, percentile, table
from learnhub.core.settings import Settings
from learnhub.graphql.types.enums import QuestionType
from learnhub.graphql.types.quizzes import question_from_doc
from learnhub.search import query as gateway


def _gateway_hits(ids: list[tuple[str, str]], side: str) -> list[gateway.Hit]:
    hits = []
    for rank, (kind, content_id) in enumerate(ids, start=1):
        snippets = {"body": f"chunk of {content_id}"} if side == "semantic" else {}
        hit = gateway.Hit(kind=kind, content_id=content_id, course_id="course:c", snippets=snippets)  # type: ignore[arg-type]
        setattr(hit, f"{side}_rank", rank)
        hits.append(hit)
    return hits


def _floor_hits(ids: list[tuple[str, str]], side: str) -> list[_Hit]:
    return [
        _Hit(kind, cid, ["course:c"], "", {"body": f"chunk of {cid}"} if side == "semantic" else {})  # type: ignore[arg-type]
        for kind, cid in ids
    ]


def test_fusion_orders_and_scores_as_the_gateway_does() -> None:
    keyword_ids = [("lesson", "lesson:a"), ("course", "course:b"), ("lesson", "lesson:c"), ("question", "question:d")]
    keyword_ids += [("lesson", f"lesson:k{i}") for i in range(6)]
    semantic_ids = [("lesson", cid) for cid in ("lesson:c", "lesson:e", "lesson:a", "lesson:f", "lesson:k5")]
    semantic_ids += [("lesson", f"lesson:s{i}") for i in range(6)]
    # The default weights, and a shallow depth with uneven weights: scores of 0 tie, ranks decide.
    for settings in (Settings(), Settings(search_rrf_k=10, search_semantic_weight=1.5, search_rrf_depth=4)):
        expected = gateway._fuse(
            _gateway_hits(keyword_ids, "keyword"), _gateway_hits(semantic_ids, "semantic"), settings
        )
        fused = Floor(settings)._fuse(_floor_hits(keyword_ids, "keyword"), _floor_hits(semantic_ids, "semantic"))
        assert [(h.content_id, h.score) for h in fused] == [(h.content_id, h.score) for h in expected]
        assert [h.snippets for h in fused] == [h.snippets for h in expected]


def test_snippet_text_is_escaped_and_marked_alike() -> None:
    raw = "a <b> \ue000match\ue001 & more"
    assert _marked(raw) == gateway.marked(raw) == "a &lt;b&gt; <mark>match</mark> &amp; more"
    long = "word " * 100 + "<end>"
    assert _excerpt(long) == gateway._excerpt(long)


def test_question_typenames_are_the_schemas() -> None:
    for question_type in QuestionType:
        doc: dict[str, Any] = {"_id": "question:x", "type": question_type.value, "prompt": "?", "options": []}
        assert _typename(question_type.value) == type(question_from_doc(doc)).__name__


def test_lag_percentiles_and_table() -> None:
    assert percentile([3.0, 1.0, 2.0], 0.5) == 2.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.95) == 4.0
    lags = Lags({"KEYWORD": [0.1, 0.3, None], "SEMANTIC": [None, None, None]})
    rendered = table(lags, 3)
    assert "| KEYWORD | `search(mode: KEYWORD)` finds the new word | 3 | 1 | 100 | 300 | 300 |" in rendered
    assert "| SEMANTIC | chunks of the new version | 3 | 3 | - | - | - |" in rendered
