"""Score article-body extraction on the Scrapinghub benchmark (181 news and blog pages).

    python bench/extraction.py [--split even|odd|all]

The set has no split: tune on the items at even sorted positions and report on the odd
ones (the default). Systems scored in one run:

- trafilatura_bare: `trafilatura.extract(html)`, default arguments (our reference)
- storyline_html:   `storyline.clean.clean_html(html, url).cleaned.body` (left out if missing)
- storyline_text:   `storyline.clean.clean_text(page_text).body` on the html-text page text
- no_cleaning:      the html-text page text as is (baseline)

Beside them: the reference outputs shipped with the set, scored on the same split, and the
published full-set F1 figures. The last printed line is one JSON object of all figures.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    ShingleMatch,
    bootstrap_ci,
    emit,
    ensure_storyline_importable,
    eval_dir,
    macro_from_items,
    require_eval,
    rounded,
    split_ids,
    word_ngram_prf,
)

DATA_SUB = "extraction/scrapinghub"
DEFAULT_SYSTEMS = ["trafilatura_bare", "storyline_html", "storyline_text", "no_cleaning"]
TIMED = ("trafilatura_bare", "trafilatura_upstream", "storyline_html")
STORYLINE_TEXT_F1_TARGET = 0.85

# Published F1 on all 181 items (upstream README, latest run); not measured here.
PUBLISHED: dict[str, dict[str, float]] = {
    "rs_trafilatura": {"f1": 0.970},
    "trafilatura": {"f1": 0.958, "p": 0.938, "r": 0.978},
    "newspaper4k": {"f1": 0.949},
    "readability": {"f1": 0.922},
    "justext": {"f1": 0.804},
    "html-text": {"f1": 0.665, "p": 0.500, "r": 0.994},
}
# Published name -> file in output/ holding that system's reference output.
REFERENCE_FILES: dict[str, str] = {
    "rs_trafilatura": "rs_trafilatura",
    "trafilatura": "trafilatura",
    "newspaper4k": "newspaper",
    "readability": "readability",
    "justext": "justext",
    "html-text": "html-text",
}


class Unavailable(Exception):
    """A system that cannot run in this checkout (e.g. not written yet)."""


@dataclass
class Bench:
    """The benchmark data for one split, read lazily."""

    root: Path
    split: str
    truth: dict[str, dict[str, Any]]
    ids: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.ids = split_ids(self.truth, self.split)

    def html(self, item_id: str) -> str:
        """The page's HTML (gzip, UTF-8)."""
        with gzip.open(self.root / "html" / f"{item_id}.html.gz", "rb") as f:
            return f.read().decode("utf-8", errors="replace")

    @cached_property
    def pages(self) -> dict[str, str]:
        """HTML of the split's pages, loaded once."""
        return {i: self.html(i) for i in self.ids}

    @cached_property
    def page_text(self) -> dict[str, str]:
        """Full page text without HTML (the html-text output)."""
        return load_output(self.root, "html-text")

    def url(self, item_id: str) -> str | None:
        """The page URL from the ground truth."""
        value = self.truth[item_id].get("url")
        return str(value) if value else None


@dataclass
class Run:
    """One system's predictions, with timing when it processed HTML."""

    predictions: dict[str, str]
    seconds: float | None = None
    errors: int = 0
    first_error: str | None = None


def load_output(root: Path, name: str) -> dict[str, str]:
    """`output/<name>.json` as item_id -> articleBody; handles the wrapped and bare forms."""
    data = json.loads((root / "output" / f"{name}.json").read_text(encoding="utf-8"))
    if isinstance(data, dict) and "output" in data and "version" in data:
        data = data["output"]
    return {k: (v or {}).get("articleBody") or "" for k, v in data.items()}


def open_bench(split: str) -> Bench:
    """Load the ground truth; FileNotFoundError when the eval data is absent."""
    root = require_eval(DATA_SUB, exit_on_missing=False)
    if root is None:
        raise FileNotFoundError(f"{eval_dir() / DATA_SUB} not found (set STORYLINE_EVAL)")
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    return Bench(root=root, split=split, truth=truth)


def run_over_pages(bench: Bench, extract: Callable[[str, str | None], str]) -> Run:
    """Time `extract(html, url)` over the split's pages; one untimed warm-up call first."""
    pages = bench.pages
    if bench.ids:
        first = bench.ids[0]
        with contextlib.suppress(Exception):  # failures are counted in the timed loop
            extract(pages[first], bench.url(first))
    run = Run(predictions={})
    start = time.perf_counter()
    for item_id in bench.ids:
        try:
            run.predictions[item_id] = extract(pages[item_id], bench.url(item_id)) or ""
        except Exception as exc:  # a failing page scores as empty, counted in errors
            run.predictions[item_id] = ""
            run.errors += 1
            run.first_error = run.first_error or f"{item_id[:12]}: {exc!r}"
    run.seconds = time.perf_counter() - start
    return run


def run_trafilatura_bare(bench: Bench) -> Run:
    """trafilatura.extract(html) with default arguments."""
    import trafilatura

    return run_over_pages(bench, lambda html, _url: trafilatura.extract(html) or "")


def run_trafilatura_upstream(bench: Bench) -> Run:
    """trafilatura as the benchmark ran it (include_comments=False)."""
    import trafilatura

    return run_over_pages(
        bench, lambda html, _url: trafilatura.extract(html, include_comments=False) or ""
    )


def run_storyline_html(bench: Bench) -> Run:
    """storyline's HTML path: clean_html(html, url).cleaned.body."""
    ensure_storyline_importable()
    try:
        from storyline.clean import clean_html
    except ImportError as exc:
        raise Unavailable(str(exc)) from exc
    return run_over_pages(bench, lambda html, url: clean_html(html, url=url).cleaned.body)


def run_storyline_text(bench: Bench) -> Run:
    """storyline's plain-text cleaner on the page text: clean_text(text).body."""
    ensure_storyline_importable()
    try:
        from storyline.clean import clean_text
    except ImportError as exc:
        raise Unavailable(str(exc)) from exc
    texts = bench.page_text
    return Run(predictions={i: clean_text(texts.get(i, "")).body for i in bench.ids})


def run_no_cleaning(bench: Bench) -> Run:
    """The full page text as is."""
    texts = bench.page_text
    return Run(predictions={i: texts.get(i, "") for i in bench.ids})


RUNNERS: dict[str, Callable[[Bench], Run]] = {
    "trafilatura_bare": run_trafilatura_bare,
    "trafilatura_upstream": run_trafilatura_upstream,
    "storyline_html": run_storyline_html,
    "storyline_text": run_storyline_text,
    "no_cleaning": run_no_cleaning,
}


def match_items(bench: Bench, predictions: dict[str, str]) -> list[ShingleMatch]:
    """Per-item word-4-gram matches of predictions against the ground truth."""
    return [
        word_ngram_prf(bench.truth[i].get("articleBody", ""), predictions.get(i, ""))
        for i in bench.ids
    ]


def figures_of(items: list[ShingleMatch], run: Run | None, rounds: int) -> dict[str, Any]:
    """Macro figures, bootstrap CI of F1, and speed/errors when known."""
    figures: dict[str, Any] = dict(macro_from_items(items))
    figures["f1_ci"] = bootstrap_ci(items, rounds=rounds)
    if run is not None and run.seconds:
        figures["pages_per_s"] = len(items) / run.seconds
    if run is not None and run.errors:
        figures["errors"] = run.errors
        figures["first_error"] = run.first_error
    return rounded(figures)


def score_reference_outputs(bench: Bench) -> dict[str, dict[str, Any]]:
    """The shipped outputs of the published systems, scored on this split."""
    result: dict[str, dict[str, Any]] = {}
    for name, file in REFERENCE_FILES.items():
        items = match_items(bench, load_output(bench.root, file))
        result[name] = rounded(dict(macro_from_items(items)))
    return result


def targets_of(figures: dict[str, Any]) -> dict[str, Any]:
    """Whether the project's targets are met (None when a system was not scored)."""
    html, bare, text = (
        figures.get(k) for k in ("storyline_html", "trafilatura_bare", "storyline_text")
    )
    html_ge: bool | None = None
    if html and bare:
        html_ge = html["f1"] >= bare["f1"]
    text_met: bool | None = None
    if text:
        text_met = text["f1"] >= STORYLINE_TEXT_F1_TARGET
    return {
        "storyline_html_f1_ge_trafilatura": html_ge,
        "storyline_text_f1": STORYLINE_TEXT_F1_TARGET,
        "storyline_text_f1_met": text_met,
    }


def score_systems(
    split: str = "odd", systems: list[str] | None = None, rounds: int = 1000
) -> dict[str, Any]:
    """Score the named systems on a split; returns the figures dict the CLI prints as JSON.

    Systems that cannot run are listed under "unavailable" with the reason.
    Raises FileNotFoundError when the eval data is absent.
    """
    names = list(systems if systems is not None else DEFAULT_SYSTEMS)
    unknown = [n for n in names if n not in RUNNERS]
    if unknown:
        raise ValueError(f"unknown system(s) {unknown}; known: {', '.join(RUNNERS)}")
    bench = open_bench(split)
    figures: dict[str, Any] = {"split": split, "items": len(bench.ids)}
    unavailable: dict[str, str] = {}
    matched: dict[str, list[ShingleMatch]] = {}
    for name in names:
        try:
            run = RUNNERS[name](bench)
        except Unavailable as exc:
            unavailable[name] = str(exc)
            continue
        matched[name] = match_items(bench, run.predictions)
        figures[name] = figures_of(matched[name], run if name in TIMED else None, rounds)
    if "storyline_html" in matched and "trafilatura_bare" in matched:
        diff = figures["storyline_html"]["f1"] - figures["trafilatura_bare"]["f1"]
        ci = bootstrap_ci(matched["storyline_html"], matched["trafilatura_bare"], rounds)
        figures["storyline_html_minus_trafilatura_f1"] = {
            "diff": round(diff, 4),
            "ci": round(ci, 4),
        }
    figures["unavailable"] = unavailable
    figures["reference_outputs"] = score_reference_outputs(bench)
    figures["published"] = PUBLISHED
    figures["targets"] = targets_of(figures)
    return figures


def split_note(split: str) -> str:
    """How the split relates to the tuning rule."""
    return {
        "odd": "odd sorted positions (report split; tune on even)",
        "even": "even sorted positions (tuning split, not for reporting)",
        "all": "all items (comparable with published figures; includes the tuning split)",
    }[split]


def _row(name: str, f: dict[str, Any]) -> str:
    def cell(key: str, fmt: str = "{:.3f}") -> str:
        return fmt.format(f[key]) if f.get(key) is not None else "-"

    ci = f"±{f['f1_ci']:.3f}" if f.get("f1_ci") else ""
    speed = cell("pages_per_s", "{:.1f}")
    return (
        f"{name:<26}{cell('p'):>7}{cell('r'):>7}{cell('f1'):>7}{ci:>8}"
        f"{cell('accuracy'):>7}{cell('n', '{}'):>5}{speed:>9}"
    )


def print_table(figures: dict[str, Any]) -> None:
    """Human-readable table of measured, reference and published figures."""
    print(f"split: {figures['split']} = {split_note(figures['split'])}, {figures['items']} items")
    print(f"{'system':<26}{'P':>7}{'R':>7}{'F1':>7}{'±95%':>8}{'acc':>7}{'n':>5}{'pages/s':>9}")
    for name in RUNNERS:
        if name in figures:
            print(_row(name, figures[name]))
    for name in RUNNERS:
        if figures.get(name, {}).get("errors"):
            f = figures[name]
            print(f"{name}: {f['errors']} pages raised (scored empty); first: {f['first_error']}")
    for name, reason in figures["unavailable"].items():
        print(f"{name}: not available ({reason})")
    if "storyline_html_minus_trafilatura_f1" in figures:
        d = figures["storyline_html_minus_trafilatura_f1"]
        print(f"storyline_html - trafilatura_bare F1: {d['diff']:+.3f} ± {d['ci']:.3f}")
    print(f"-- reference outputs shipped with the set, scored on this split ({figures['split']})")
    for name, f in figures["reference_outputs"].items():
        print(_row(f"ref:{name}", f))
    print("-- published (upstream README, all 181 items, not measured here)")
    for name, f in figures["published"].items():
        print(_row(f"published:{name}", f))
    print(f"targets: {json.dumps(figures['targets'])}")


def main(argv: list[str] | None = None) -> None:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=["even", "odd", "all"], default="odd")
    parser.add_argument(
        "--systems",
        default=",".join(DEFAULT_SYSTEMS),
        help=f"comma-separated, from: {', '.join(RUNNERS)}",
    )
    parser.add_argument("--bootstrap", type=int, default=1000, help="bootstrap rounds for CIs")
    args = parser.parse_args(argv)
    require_eval(DATA_SUB)
    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    figures = score_systems(args.split, systems, rounds=args.bootstrap)
    print_table(figures)
    emit(figures)


if __name__ == "__main__":
    main()
