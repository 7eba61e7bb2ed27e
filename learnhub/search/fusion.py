"""Reciprocal rank fusion (Cormack, Clarke and Büttcher, SIGIR 2009).

score(d) = sum over rankings r of weight_r / (k + rank_r(d)); a document absent from a
ranking gets nothing from it. Ranks start at 1. It needs no score calibration between
Typesense's text match and cosine similarity, which live on unrelated scales.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[K]], *, weights: Sequence[float], k: int = 60, depth: int | None = None
) -> dict[K, float]:
    """Fused scores; with `depth`, only each ranking's first `depth` documents score (the rest
    get 0 from it), so a long tail of weak matches cannot outvote a strong match on one side."""
    if len(weights) != len(rankings):
        raise ValueError("one weight per ranking")
    scores: dict[K, float] = defaultdict(float)
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, key in enumerate(ranking, start=1):
            scores[key] += weight / (k + rank) if depth is None or rank <= depth else 0.0
    return dict(scores)
