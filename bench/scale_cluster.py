"""Event clustering at scale: 10k to 50k streamed articles on one machine.

    python bench/scale_cluster.py [--sizes 10000,25000,50000] [--probes 50]

Articles are generated from the Gun Violence Archive and ECB+ texts
(`clustering/gva`, `clustering/ecbplus`) by light mutation: each pass over the
7,317 source texts is shifted by 700 days (so the passes are separate stories in
time, at the source's density), and in each copy a third of the capitalised words
get a pass-specific ending, numbers are redrawn and 3% of words dropped. GVA texts
keep their (shifted) dates; ECB+ texts stay undated, as they come, about 13% of the
stream. Each size runs in a fresh process, adding the articles one by one in date
order (undated last) to one `StoryClusterer`:

- seconds to add them all, articles per second, peak RSS;
- the cost of adding one more article to the built state: the median (and p90) of
  `--probes` single adds of new dated articles (dated after the stream) and of new
  undated ones;
- seconds for `events()` and `storylines()`, and the size of `state()` as JSON.

Growth from the smallest to the largest size is printed as ratios. The last printed
line is one JSON object of all figures.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import emit, ensure_storyline_importable, require_eval, rounded

ensure_storyline_importable()

from storyline.cluster import ClusterDoc, StoryClusterer, stream_order  # noqa: E402

PASS_SHIFT_DAYS = 700
RENAME_SHARE = 0.33
DROP_SHARE = 0.03
ADD_TARGET_MS = 200.0
GVA_SOURCES = 6335  # the first sources are GVA's (dated), then ECB+'s (undated)

Source = tuple[str | None, str, str | None]  # title, text, date


def load_sources() -> list[Source]:
    gva_root = require_eval("clustering/gva")
    ecb_root = require_eval("clustering/ecbplus")
    assert gva_root is not None and ecb_root is not None
    sources: list[Source] = []
    with gzip.open(gva_root / "gva_docs.jsonl.gz", "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            sources.append((row["title"] or None, row["text"] or "", row["date"]))
    with (ecb_root / "ecbplus_docs.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            sources.append((None, json.loads(line)["text"], None))
    return sources


def mutate(text: str, rng: random.Random, tag: str) -> str:
    """Rename a share of capitalised words (per pass), redraw numbers, drop a few words."""
    words = []
    for word in text.split(" "):
        if rng.random() < DROP_SHARE:
            continue
        if word[:1].isupper() and rng.random() < RENAME_SHARE:
            word = word + tag
        elif word.isdigit():
            word = str(rng.randrange(1, 10 ** len(word)))
        words.append(word)
    return " ".join(words)


def generate(sources: list[Source], count: int, start: int = 0, shift: int = 0) -> list[ClusterDoc]:
    docs = []
    for i in range(start, start + count):
        title, text, day = sources[i % len(sources)]
        copy = i // len(sources)
        rng = random.Random(i)
        tag = "abcdefghij"[copy % 10] * (1 + copy // 10)
        when = None
        if day is not None:
            shifted = date.fromisoformat(day) + timedelta(days=copy * PASS_SHIFT_DAYS + shift)
            when = shifted.isoformat()
        docs.append(
            ClusterDoc(
                f"a{i:07d}",
                mutate(title, rng, tag) if title else None,
                mutate(text, rng, tag),
                when,
                "en",
                None,
            )
        )
    return docs


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(size: int, probes: int) -> dict[str, Any]:
    """Build the state from `size` articles, then time single adds against it."""
    sources = load_sources()
    docs = stream_order(generate(sources, size))
    clusterer = StoryClusterer()
    started = time.perf_counter()
    for doc in docs:
        clusterer.add(doc)
    build = time.perf_counter() - started
    built_rss = peak_rss_mb()
    last = max(d.date for d in docs if d.date)
    dated = [d for d in generate(sources, 4 * probes, start=size) if d.date][:probes]
    # New undated articles: the ECB+ texts, from the next pass over the sources on.
    ecb_start = (size // len(sources) + 1) * len(sources) + GVA_SOURCES
    undated = generate(sources, probes, start=ecb_start)
    shift = date.fromisoformat(last) - date.fromisoformat(min(d.date or last for d in dated))
    dated = [
        ClusterDoc(d.id, d.title, d.body, _later(d.date, shift.days + 1), d.language, d.outlet)
        for d in dated
    ]
    dated_ms = _timed_adds(clusterer, dated)
    undated_ms = _timed_adds(clusterer, undated)
    started = time.perf_counter()
    events = clusterer.events()
    events_s = time.perf_counter() - started
    started = time.perf_counter()
    storylines = clusterer.storylines()
    storylines_s = time.perf_counter() - started
    started = time.perf_counter()
    state_mb = len(json.dumps(clusterer.state())) / 1e6
    state_s = time.perf_counter() - started
    return {
        "size": size,
        "build_s": build,
        "docs_per_s": size / build,
        "peak_rss_mb": built_rss,
        "add_ms_median": statistics.median(dated_ms),
        "add_ms_p90": _p90(dated_ms),
        "add_undated_ms_median": statistics.median(undated_ms) if undated_ms else None,
        "add_undated_ms_p90": _p90(undated_ms) if undated_ms else None,
        "events": len(events),
        "storylines": len(storylines),
        "events_s": events_s,
        "storylines_s": storylines_s,
        "state_mb": state_mb,
        "state_s": state_s,
        "undated_share": sum(1 for d in docs if not d.date) / len(docs),
    }


def _later(day: str | None, days: int) -> str | None:
    return None if day is None else (date.fromisoformat(day) + timedelta(days=days)).isoformat()


def _timed_adds(clusterer: StoryClusterer, docs: list[ClusterDoc]) -> list[float]:
    times = []
    for doc in docs:
        started = time.perf_counter()
        clusterer.add(doc)
        times.append((time.perf_counter() - started) * 1000)
    return times


def _p90(values: list[float]) -> float:
    return sorted(values)[int(0.9 * (len(values) - 1))]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="10000,25000,50000",
        help="comma-separated stream sizes (default 10000,25000,50000)",
    )
    parser.add_argument("--probes", type=int, default=50, help="single adds timed per size")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child process: one size
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.one, args.probes)))
        return
    require_eval("clustering/gva")
    require_eval("clustering/ecbplus")
    sizes = sorted(int(s) for s in args.sizes.split(","))
    rows = []
    for size in sizes:
        # A fresh process per size, so that each peak RSS is its own.
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(size), "--probes", str(args.probes)],
            capture_output=True,
            text=True,
            check=True,
        )
        row = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(json.dumps(rounded(row, 3)), flush=True)
    first, last = rows[0], rows[-1]
    growth = {
        "size_ratio": last["size"] / first["size"],
        "build_time_ratio": last["build_s"] / first["build_s"],
        "rss_ratio": last["peak_rss_mb"] / first["peak_rss_mb"],
        "add_ms_ratio": last["add_ms_median"] / first["add_ms_median"],
    }
    print(
        f"{'size':>8}{'build s':>10}{'docs/s':>9}{'RSS MB':>9}{'add ms':>9}{'p90':>8}"
        f"{'undated':>9}{'events':>9}{'story s':>9}{'state MB':>10}"
    )
    for r in rows:
        print(
            f"{r['size']:>8}{r['build_s']:>10.1f}{r['docs_per_s']:>9.0f}{r['peak_rss_mb']:>9.0f}"
            f"{r['add_ms_median']:>9.1f}{r['add_ms_p90']:>8.1f}"
            f"{r['add_undated_ms_median'] or 0:>9.1f}{r['events']:>9}"
            f"{r['storylines_s']:>9.1f}{r['state_mb']:>10.1f}"
        )
    print("growth", json.dumps(rounded(growth, 2)))
    emit(
        {
            "sizes": [rounded(r, 3) for r in rows],
            "growth": rounded(growth, 3),
            "add_target_ms": ADD_TARGET_MS,
            "add_under_target": all(r["add_ms_median"] < ADD_TARGET_MS for r in rows),
        }
    )


if __name__ == "__main__":
    main()
