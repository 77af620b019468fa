"""Helpers shared by every scorer in bench/: where the eval data is, how figures are printed,
and the word-4-gram metric of the Scrapinghub article-extraction benchmark.

Contract of a scorer: the last line it prints is one compact JSON object of its figures,
baselines included (see `emit`).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import statistics
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

REPO = Path(__file__).resolve().parent.parent
SRC = REPO / "src"

_TOKEN_RE = re.compile(r"\w+", re.UNICODE)


# --------------------------------------------------------------------------- environment


def eval_dir() -> Path:
    """The shared evaluation folder: env STORYLINE_EVAL, else `<repo>/../shared/eval`."""
    env = os.environ.get("STORYLINE_EVAL")
    return Path(env) if env else REPO.parent / "shared" / "eval"


def in_ci() -> bool:
    """True when env CI is set to something other than empty, 0 or false."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_eval(sub: str, exit_on_missing: bool = True) -> Path | None:
    """Return `eval_dir() / sub` if it exists.

    If it is absent, print why; under CI exit 1, otherwise print `{"skipped": reason}`
    as the last line and exit 0. With `exit_on_missing=False`, return None instead.
    """
    path = eval_dir() / sub
    if path.exists():
        return path
    reason = f"evaluation data not found at {path} (set STORYLINE_EVAL to the eval folder)"
    if not exit_on_missing:
        return None
    print(reason, file=sys.stderr)
    if in_ci():
        print(f"error: {reason}; required under CI", file=sys.stderr)
        sys.exit(1)
    emit({"skipped": reason})
    sys.exit(0)


def emit(figures: dict[str, Any]) -> None:
    """Print the figures as one compact JSON line (must be the scorer's last output)."""
    print(json.dumps(figures, separators=(",", ":"), ensure_ascii=False), flush=True)


def ensure_storyline_importable() -> None:
    """Put `<repo>/src` on sys.path when the package is not installed in the venv."""
    if importlib.util.find_spec("storyline") is None and str(SRC) not in sys.path:
        sys.path.insert(0, str(SRC))


def split_ids(ids: Iterable[str], split: str) -> list[str]:
    """Items at even or odd positions of the sorted ids (0-based), or all of them."""
    ordered = sorted(ids)
    if split == "all":
        return ordered
    if split == "even":
        return ordered[0::2]
    if split == "odd":
        return ordered[1::2]
    raise ValueError(f"unknown split {split!r}: use even, odd or all")


# --------------------------------------------------------------------------- metric


class ShingleMatch(NamedTuple):
    """One item's word-n-gram match: (tp, fp, fn) normalised to sum 1 (or all 0).

    precision is None when tp+fp == 0 and recall None when tp+fn == 0: such items are left
    out of the macro mean, as upstream does. `exact` is True when the token sequences match.
    """

    tp: float
    fp: float
    fn: float
    precision: float | None
    recall: float | None
    f1: float | None
    exact: bool


def tokenize(text: str | None) -> list[str]:
    """Unicode `\\w+` tokens, case kept."""
    return _TOKEN_RE.findall(text or "")


def shingles(tokens: Sequence[str], n: int = 4) -> Counter[tuple[str, ...]]:
    """Multiset of word n-grams; a text of 1..n-1 tokens is one shingle of all its tokens."""
    if not tokens:
        return Counter()
    count = max(1, len(tokens) - n + 1)
    return Counter(tuple(tokens[i : i + n]) for i in range(count))


def _item_precision(tp: float, fp: float, fn: float) -> float | None:
    if tp + fp == 0:
        return None
    return 1.0 if fp == fn == 0 else tp / (tp + fp)


def _item_recall(tp: float, fp: float, fn: float) -> float | None:
    if tp + fn == 0:
        return None
    return 1.0 if fp == fn == 0 else tp / (tp + fn)


def word_ngram_prf(truth: str | None, pred: str | None, n: int = 4) -> ShingleMatch:
    """Score one prediction against its truth with word n-gram shingles."""
    true_tokens, pred_tokens = tokenize(truth), tokenize(pred)
    true_sh, pred_sh = shingles(true_tokens, n), shingles(pred_tokens, n)
    tp = float(sum((true_sh & pred_sh).values()))
    fp = float(sum((pred_sh - true_sh).values()))
    fn = float(sum((true_sh - pred_sh).values()))
    total = tp + fp + fn
    if total > 0:
        tp, fp, fn = tp / total, fp / total, fn / total
    p, r = _item_precision(tp, fp, fn), _item_recall(tp, fp, fn)
    f1 = None if p is None or r is None else (2 * p * r / (p + r) if p + r > 0 else 0.0)
    return ShingleMatch(tp, fp, fn, p, r, f1, true_tokens == pred_tokens)


def _mean_or_default(values: list[float], default: float) -> float:
    return statistics.fmean(values) if values else default


def macro_from_items(items: Sequence[ShingleMatch]) -> dict[str, float | int]:
    """Macro P and R over items, F1 of those two, accuracy and n."""
    if not items:
        return {"p": 0.0, "r": 0.0, "f1": 0.0, "accuracy": 0.0, "n": 0}
    all_empty = 1.0 if all(m.tp == m.fp == m.fn == 0 for m in items) else 0.0
    p = _mean_or_default([m.precision for m in items if m.precision is not None], all_empty)
    r = _mean_or_default([m.recall for m in items if m.recall is not None], all_empty)
    f1 = 2 * p * r / (p + r) if p + r > 0 else 0.0
    accuracy = sum(m.exact for m in items) / len(items)
    return {"p": p, "r": r, "f1": f1, "accuracy": accuracy, "n": len(items)}


def macro_f1(pairs: Iterable[tuple[str | None, str | None]], n: int = 4) -> dict[str, float | int]:
    """Benchmark figures for (truth, prediction) pairs: p, r, f1, accuracy, n."""
    return macro_from_items([word_ngram_prf(t, p, n) for t, p in pairs])


def bootstrap_ci(
    items: Sequence[ShingleMatch],
    other: Sequence[ShingleMatch] | None = None,
    rounds: int = 1000,
    seed: int = 0,
) -> float:
    """1.96 x bootstrap std of F1 over resampled items (of the F1 difference with `other`)."""
    import random

    if len(items) < 2 or rounds < 2:
        return 0.0
    rng = random.Random(seed)
    size = len(items)
    values: list[float] = []
    for _ in range(rounds):
        idx = [rng.randrange(size) for _ in range(size)]
        f1 = float(macro_from_items([items[i] for i in idx])["f1"])
        if other is not None:
            f1 -= float(macro_from_items([other[i] for i in idx])["f1"])
        values.append(f1)
    return 1.96 * statistics.stdev(values)


def rounded(figures: dict[str, Any], digits: int = 4) -> dict[str, Any]:
    """Copy of a flat dict with floats rounded for printing."""
    return {k: round(v, digits) if isinstance(v, float) else v for k, v in figures.items()}
