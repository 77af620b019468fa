"""Story-so-far summary scorer on background-summaries (Pratapa, Small & Dreyer, EMNLP 2023).

Set up as the data's README computes its baselines: for each annotator and each dated
step with a background summary, the input is that annotator's own earlier updates
(published up to the day before the step), the output is cut to the length of the
reference in words (oracle length), and ROUGE-1/2/L F1 (rouge-score, Porter stemming,
x100) against that annotator's background is averaged over all (annotator, step)
pairs. The newest-updates-first baseline (earlier updates, newest first, cut the same
way) is computed in the same run on the same steps.

Settings are tuned on the dev stories; the README names the test stories for reporting.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from common import emit, ensure_storyline_importable, require_eval

ensure_storyline_importable()

from rouge_score import rouge_scorer  # noqa: E402

from storyline.annotate import sentence_spans  # noqa: E402
from storyline.summarize import DEFAULT, Source, summarize  # noqa: E402

PUBLISHED_NEWEST_FIRST = {"rouge1": 46.28, "rouge2": 21.94, "rougeL": 23.22}  # README, test
MEASURES = ("rouge1", "rouge2", "rougeL")


def _steps(path: Path) -> list[tuple[str, str, str]]:
    """(ISO day, update, background) rows of one annotator's file, in date order."""
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    out = []
    for row in rows:
        day = (row.get("Date") or "").strip().strip("[]")
        out.append((day, (row.get("Update") or "").strip(), (row.get("Background") or "").strip()))
    return sorted(out, key=lambda r: r[0])


def _cut(text: str, words: int) -> str:
    return " ".join(text.split()[:words])


def _day_before(day: str) -> str:
    return (datetime.date.fromisoformat(day) - datetime.timedelta(days=1)).isoformat()


def score_story(
    folder: Path, settings: Any, scorer: rouge_scorer.RougeScorer
) -> tuple[list[dict[str, float]], list[dict[str, float]]]:
    """ROUGE rows of storyline and of the newest-first baseline for one story."""
    ours: list[dict[str, float]] = []
    base: list[dict[str, float]] = []
    for path in sorted(folder.glob("annotator*.tsv")):
        steps = _steps(path)
        sources = [
            Source(
                article_id=f"{folder.name}/{path.stem}/{day}",
                text=update,
                body_spans=((0, len(update)),),
                published=day,
                sentences=tuple(sentence_spans(update)),
                times=(),
            )
            for day, update, _ in steps
            if update
        ]
        for i, (day, _, background) in enumerate(steps):
            earlier = [u for d, u, _ in steps[:i] if u]
            if not background or not earlier:
                continue
            length = len(background.split())
            summary = summarize(
                f"{folder.name}/{day}",
                sources,
                max_sentences=10_000,
                up_to=_day_before(day),
                max_words=length,
                settings=settings,
            )
            ours_text = _cut(" ".join(s.text for s in summary.sentences), length)
            base_text = _cut(" ".join(reversed(earlier)), length)
            for rows, text in ((ours, ours_text), (base, base_text)):
                scores = scorer.score(background, text)
                rows.append({m: 100 * scores[m].fmeasure for m in MEASURES})
    return ours, base


def _mean(rows: list[dict[str, float]]) -> dict[str, float]:
    return {m: round(sum(r[m] for r in rows) / len(rows), 2) for m in MEASURES} if rows else {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=("train", "dev", "test", "all"), default="test")
    parser.add_argument("--limit", type=int, default=0, help="score only the first N stories")
    parser.add_argument("--settings", default="", help="JSON overrides of SummarySettings")
    args = parser.parse_args()
    root = require_eval("summaries/background-summaries")
    assert root is not None
    settings = replace(DEFAULT, **json.loads(args.settings)) if args.settings else DEFAULT
    if args.split == "all":
        stories = sorted(p.name for p in (root / "events").iterdir() if p.is_dir())
    else:
        stories = (root / "splits" / f"{args.split}.txt").read_text().split()
    if args.limit:
        stories = stories[: args.limit]
    scorer = rouge_scorer.RougeScorer(list(MEASURES), use_stemmer=True)
    started = time.perf_counter()
    ours: list[dict[str, float]] = []
    base: list[dict[str, float]] = []
    for story in stories:
        o, b = score_story(root / "events" / story, settings, scorer)
        ours += o
        base += b
        print(
            f"{story:22s} n={len(o):4d} storyline {_mean(o)} newest-first {_mean(b)}",
            file=sys.stderr,
        )
    figures = {
        "split": args.split,
        "stories": len(stories),
        "steps": len(ours),
        "storyline": _mean(ours),
        "newest_first": _mean(base),
        "published_newest_first_test": PUBLISHED_NEWEST_FIRST,
        "seconds": round(time.perf_counter() - started),
    }
    for name in ("storyline", "newest_first"):
        f = figures[name]
        assert isinstance(f, dict)
        print(
            f"{name:14s} R-1 {f['rouge1']:6.2f} R-2 {f['rouge2']:6.2f} R-L {f['rougeL']:6.2f}",
            file=sys.stderr,
        )
    emit(figures)


if __name__ == "__main__":
    main()
