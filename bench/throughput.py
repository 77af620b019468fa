"""Ingest+clean throughput of storyline versus trafilatura alone, on the same HTML pages.

    python bench/throughput.py [--pages 1000]

The benchmark's 181 pages are repeated up to --pages, each copy made unique with a trailing
`<!-- copy N -->` so content-hash deduplication does not skip it, and written as files to a
temp folder. Each pass runs in a fresh process (so its peak RSS is its own):

- trafilatura: read each file, decode, `trafilatura.extract(html)`
- storyline:   `storyline.pipeline.ingest_paths(paths, Store.open(path))` (left out if missing)

The last printed line is one JSON object: pages/second of each pass, their ratio, peak RSS.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import importlib
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import emit, ensure_storyline_importable, eval_dir, require_eval, rounded

DATA_SUB = "extraction/scrapinghub"
STORE_NAME = "store.sqlite"


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def write_pages(root: Path, count: int, folder: Path) -> list[Path]:
    """Write `count` unique pages as UTF-8 files: the benchmark pages in sorted order, repeated,
    copy N tagged `<!-- copy N -->`. One source page is held in memory at a time, so the
    parent stays small (a spawned child starts with the parent's peak RSS as its own)."""
    sources = sorted((root / "html").glob("*.html.gz"))
    if not sources:
        raise FileNotFoundError(f"no pages in {root / 'html'}")
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"page-{n:05d}.html" for n in range(count)]
    for index, source in enumerate(sources[:count]):
        text = gzip.decompress(source.read_bytes()).decode("utf-8", errors="replace")
        for n in range(index, count, len(sources)):
            paths[n].write_text(f"{text}\n<!-- copy {n} -->\n", encoding="utf-8")
    return paths


def pass_figures(pages: int, seconds: float, rss_before: float) -> dict[str, Any]:
    """Speed and memory figures of one pass."""
    return {
        "pages": pages,
        "seconds": seconds,
        "pages_per_s": pages / seconds if seconds > 0 else None,
        "rss_before_mb": rss_before,
        "peak_rss_mb": peak_rss_mb(),
    }


def trafilatura_pass(paths: list[Path]) -> dict[str, Any]:
    """Read, decode and extract every page with trafilatura defaults (runs in a child)."""
    import trafilatura

    rss_before = peak_rss_mb()
    empty = 0
    start = time.perf_counter()
    for path in paths:
        if not trafilatura.extract(path.read_bytes().decode("utf-8", errors="replace")):
            empty += 1
    figures = pass_figures(len(paths), time.perf_counter() - start, rss_before)
    figures["empty"] = empty
    return figures


def summarize_report(report: object) -> dict[str, Any] | str:
    """Scalars of an IngestReport dataclass (sizes for collections), else a short repr."""
    if not dataclasses.is_dataclass(report) or isinstance(report, type):
        return repr(report)[:200]
    summary: dict[str, Any] = {}
    for f in dataclasses.fields(report):
        value = getattr(report, f.name)
        if isinstance(value, bool | int | float | str) or value is None:
            summary[f.name] = value
        elif hasattr(value, "__len__"):
            summary[f.name] = len(value)
    return summary


def storyline_pass(paths: list[Path], workdir: Path) -> dict[str, Any]:
    """Ingest every page into a fresh store with storyline (runs in a child)."""
    ensure_storyline_importable()
    try:  # by name: these modules may not exist yet
        ingest_paths = importlib.import_module("storyline.pipeline").ingest_paths
        store_class = importlib.import_module("storyline.store").Store
    except (ImportError, AttributeError) as exc:
        return {"unavailable": str(exc)}
    rss_before = peak_rss_mb()
    start = time.perf_counter()
    store = store_class.open(workdir / STORE_NAME)
    report = ingest_paths(paths, store)
    close = getattr(store, "close", None)
    if callable(close):
        close()
    figures = pass_figures(len(paths), time.perf_counter() - start, rss_before)
    figures["report"] = summarize_report(report)
    return figures


def run_in_child(func: Any, *args: Any) -> dict[str, Any]:
    """Run one pass in a fresh spawned process and return its figures."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        result: dict[str, Any] = pool.submit(func, *args).result()
    return result


def combine(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One figure set from repeated passes: median speed, highest peak RSS, all speeds."""
    if "unavailable" in runs[0]:
        return runs[0]
    merged = dict(runs[-1])
    merged["seconds"] = statistics.median(r["seconds"] for r in runs)
    merged["pages_per_s"] = merged["pages"] / merged["seconds"] if merged["seconds"] else None
    merged["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
    merged["rss_before_mb"] = min(r["rss_before_mb"] for r in runs)
    if len(runs) > 1:
        merged["runs_pages_per_s"] = [round(r["pages_per_s"] or 0.0, 2) for r in runs]
    return rounded(merged, 2)


def measure(count: int, repeat: int = 1) -> dict[str, Any]:
    """Both passes over `count` pages, alternated `repeat` times; the figures dict."""
    root = require_eval(DATA_SUB, exit_on_missing=False)
    if root is None:
        raise FileNotFoundError(f"{eval_dir() / DATA_SUB} not found (set STORYLINE_EVAL)")
    figures: dict[str, Any] = {"pages": count, "repeat": repeat}
    runs: dict[str, list[dict[str, Any]]] = {"trafilatura": [], "storyline": []}
    with tempfile.TemporaryDirectory(prefix="storyline-throughput-") as tmp:
        paths = write_pages(root, count, Path(tmp) / "pages")
        for attempt in range(repeat):
            runs["trafilatura"].append(run_in_child(trafilatura_pass, paths))
            workdir = Path(tmp) / f"store-{attempt}"
            workdir.mkdir()
            runs["storyline"].append(run_in_child(storyline_pass, paths, workdir))
            if "unavailable" in runs["storyline"][-1]:
                runs["storyline"] = runs["storyline"][:1]
    figures["trafilatura"] = combine(runs["trafilatura"])
    storyline = combine(runs["storyline"])
    if "unavailable" in storyline:
        figures["unavailable"] = {"storyline": storyline["unavailable"]}
        return figures
    figures["storyline"] = storyline
    own, ref = storyline.get("pages_per_s"), figures["trafilatura"].get("pages_per_s")
    figures["storyline_over_trafilatura"] = round(own / ref, 3) if own and ref else None
    return figures


def print_table(figures: dict[str, Any]) -> None:
    """Human-readable summary."""
    print(
        f"{figures['pages']} pages (181 benchmark pages repeated, each copy unique), "
        f"{figures['repeat']} run(s) per pass, median speed"
    )
    print(f"{'pass':<14}{'pages/s':>10}{'seconds':>10}{'peak RSS MiB':>14}{'RSS before':>12}")
    for name in ("trafilatura", "storyline"):
        f = figures.get(name)
        if f is None:
            continue
        speed = f"{f['pages_per_s']:.1f}" if f.get("pages_per_s") else "-"
        print(
            f"{name:<14}{speed:>10}{f['seconds']:>10.2f}{f['peak_rss_mb']:>14.1f}"
            f"{f['rss_before_mb']:>12.1f}"
        )
    for name, reason in figures.get("unavailable", {}).items():
        print(f"{name}: not available ({reason})")
    if figures.get("storyline_over_trafilatura") is not None:
        print(f"storyline / trafilatura speed: {figures['storyline_over_trafilatura']:.3f}")
    for name in ("trafilatura", "storyline"):
        if "runs_pages_per_s" in figures.get(name, {}):
            print(f"{name} pages/s per run: {figures[name]['runs_pages_per_s']}")
    if "storyline" in figures:
        print(f"storyline ingest report: {figures['storyline'].get('report')}")


def main(argv: list[str] | None = None) -> None:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument(
        "--repeat", type=int, default=1, help="alternate the passes N times, report the median"
    )
    args = parser.parse_args(argv)
    require_eval(DATA_SUB)
    figures = measure(max(1, args.pages), max(1, args.repeat))
    print_table(figures)
    emit(figures)


if __name__ == "__main__":
    main()
