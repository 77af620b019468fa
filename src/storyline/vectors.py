"""Sparse term vectors as dicts, shared by event and storyline clustering."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

Vector = dict[str, float]


def unit(vector: Mapping[str, float]) -> Vector:
    norm = math.sqrt(sum(w * w for w in vector.values()))
    return {t: w / norm for t, w in vector.items()} if norm > 0 else {}


def top(vector: Mapping[str, float], size: int) -> Vector:
    """The `size` heaviest terms; ties go to the smaller term so the cut is deterministic."""
    if len(vector) <= size:
        return dict(vector)
    return dict(sorted(vector.items(), key=lambda item: (-item[1], item[0]))[:size])


def heaviest(terms: Sequence[str], weights: Sequence[float], size: int) -> list[str]:
    order = sorted(range(len(terms)), key=lambda i: (-weights[i], terms[i]))
    return [terms[i] for i in order[:size]]
