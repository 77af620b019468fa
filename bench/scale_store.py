"""Adding one article to a built store: `build_stories` over 10k to 50k articles on disk.

    python bench/scale_store.py [--sizes 10000,50000] [--probes 30] [--stage all]

Articles are those of bench/scale_cluster.py (GVA and ECB+ texts, lightly mutated
per pass, dates shifted per pass), written straight into a SQLite store on disk
(cleaning is measured by bench/throughput.py). Each size runs in a fresh process:

- build: `build_stories(store)` over all of them (copy detection, events and
  storylines from nothing), its time and the peak RSS of the process;
- add one: `--probes` times, one new article written to the store, then
  `build_stories(store)` timed: median and 95th percentile, split into copy
  detection (`update_copies`) and clustering (events and storylines, read and
  written back); of clustering, the part spent placing events in storylines
  (`StoryClusterer._update_storylines`: scoring, reading storyline rows) is timed
  too. Probes alternate dated articles (after the stream) and undated ones.
  Target: under 200 ms.

`--stage copies` measures `update_copies` alone, `--stage events` `update_events`
alone (no copy detection: the generator's passes share most of their 5-grams, so
with it most articles are copies and clustering sees few). The last printed line
is one JSON object of all figures.

A 100,000-article build takes minutes: `--keep DIR` saves each size's built store
(before any probe) as DIR/scale-<size>-<stage>.db, and `--reuse DIR` probes a copy
of that file instead of building (build figures are then absent). Temporary stores
go where TMPDIR says.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import emit, ensure_storyline_importable, require_eval, rounded

ensure_storyline_importable()

from scale_cluster import GVA_SOURCES, generate, load_sources  # noqa: E402

from storyline.cluster import ClusterDoc, StoryClusterer  # noqa: E402
from storyline.dedupe import CopyDoc, find_copies  # noqa: E402
from storyline.pipeline import build_stories, update_copies, update_events  # noqa: E402
from storyline.records import Article, Published, RawDocument, Rejection  # noqa: E402
from storyline.store import Store  # noqa: E402

ADD_TARGET_MS = 200.0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def record(doc: ClusterDoc) -> tuple[RawDocument, Article]:
    """A stored article as ingest would leave it, without cleaning (not measured here)."""
    data = f"{doc.title or ''}\n{doc.body}".encode()
    sha = hashlib.sha256(data + doc.id.encode()).hexdigest()
    raw = RawDocument(sha, f"bench/{doc.id}.txt", data, "text")
    published = Published(
        date=doc.date, confidence=1.0 if doc.date else 0.0, method="declared" if doc.date else None
    )
    article = Article(
        id=doc.id,
        raw_sha256=sha,
        source=raw.source,
        locator="",
        title=doc.title,
        outlet=doc.outlet,
        url=None,
        author=None,
        language=doc.language,
        published=published,
        text=doc.body,
        body=doc.body,
        paragraphs=(),
        set_aside=(),
        comments=(),
        extractor="text",
    )
    return raw, article


class StorylineTimer:
    """Times `StoryClusterer._update_storylines` (the storyline part of each add)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        original = StoryClusterer._update_storylines

        def timed(clusterer: StoryClusterer, gone: Any) -> None:
            started = time.perf_counter()
            original(clusterer, gone)
            self.seconds += time.perf_counter() - started

        StoryClusterer._update_storylines = timed  # type: ignore[method-assign]


TIMER = StorylineTimer()


def _one(doc: ClusterDoc) -> tuple[RawDocument, list[Article], list[Rejection]]:
    raw, article = record(doc)
    return raw, [article], []


def probes(sources: list[Any], size: int, count: int, last: str) -> list[ClusterDoc]:
    """New articles: dated ones moved after the stream's end, and undated ECB+ ones."""
    dated = [d for d in generate(sources, 4 * count, start=size) if d.date][: (count + 1) // 2]
    first = min(d.date or last for d in dated)
    shift = (date.fromisoformat(last) - date.fromisoformat(first)).days + 1
    dated = [
        ClusterDoc(
            d.id,
            d.title,
            d.body,
            (date.fromisoformat(d.date or last) + timedelta(days=shift)).isoformat(),
            d.language,
            d.outlet,
        )
        for d in dated
    ]
    ecb_start = (size // len(sources) + 1) * len(sources) + GVA_SOURCES
    undated = generate(sources, count // 2, start=ecb_start)
    mixed = [d for pair in zip(dated, undated, strict=False) for d in pair]
    return mixed + dated[len(undated) :]


def run_one(
    size: int, count: int, stage: str, keep: Path | None = None, reuse: Path | None = None
) -> dict[str, Any]:
    sources = load_sources()
    docs = generate(sources, size)
    last = max(d.date for d in docs if d.date)
    extra = probes(sources, size, count, last)
    figures: dict[str, Any] = {"size": size, "stage": stage}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scale.db"
        if reuse is not None:
            copy_whole(stored_path(reuse, size, stage), path)
            del docs
        else:
            figures |= build(path, docs, stage)
            if keep is not None:
                keep.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, stored_path(keep, size, stage))
        with Store.open(path) as store:
            figures |= add_each(store, extra, stage)
            counts = store.story_counts()
            largest = max((len(s.event_ids) for s in store.storylines()), default=0)
        db_mb = sum(p.stat().st_size for p in Path(folder).iterdir()) / 1e6
    return figures | {
        "copy_groups": counts[0],
        "copies": counts[1],
        "events": counts[2],
        "storylines": counts[3],
        "largest_storyline_events": largest,
        "db_mb": db_mb,
    }


def copy_whole(source: Path, target: Path) -> None:
    """Copy a store and flush it to disk: else the first checkpoint of a probe waits
    for the copy's 1.5 GB to be written (measured: 600 ms at 100k)."""
    shutil.copyfile(source, target)
    handle = os.open(target, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def stored_path(folder: Path, size: int, stage: str) -> Path:
    return folder / f"scale-{size}-{stage}.db"


def build(path: Path, docs: list[ClusterDoc], stage: str) -> dict[str, Any]:
    """Write the articles, build from nothing, close the store (so its file is whole)."""
    with Store.open(path) as store:
        started = time.perf_counter()
        for doc in docs:
            store.save_document(*_one(doc))
        written = time.perf_counter() - started
        TIMER.seconds = 0.0
        started = time.perf_counter()
        if stage != "events":
            update_copies(store)
        if stage != "copies":
            update_events(store)
        built = time.perf_counter() - started
        built_rss = peak_rss_mb()
        storylines_s = TIMER.seconds
    return {
        "write_s": written,
        "build_s": built,
        "docs_per_s": len(docs) / built,
        "peak_rss_mb": built_rss,
        "build_storylines_s": storylines_s,
    }


def add_each(store: Store, extra: list[ClusterDoc], stage: str) -> dict[str, Any]:
    """Write each probe and time the stages that take it in: one add at a time."""
    warm_up(extra)
    totals, copies, clusters, stories = [], [], [], []
    for doc in extra:
        store.save_document(*_one(doc))
        started = time.perf_counter()
        if stage != "events":
            update_copies(store)
        middle = time.perf_counter()
        TIMER.seconds = 0.0
        if stage == "all":
            build_stories(store)  # copies: nothing left to do
        elif stage == "events":
            update_events(store)
        done = time.perf_counter()
        copies.append(1000 * (middle - started))
        clusters.append(1000 * (done - middle))
        stories.append(1000 * TIMER.seconds)
        totals.append(1000 * (done - started))
    return {
        "add_ms_median": statistics.median(totals),
        "add_ms_p95": _p95(totals),
        "add_copies_ms_median": statistics.median(copies),
        "add_cluster_ms_median": statistics.median(clusters),
        "add_storylines_ms_median": statistics.median(stories),
        "add_storylines_ms_p95": _p95(stories),
        "add_ms": [round(t, 1) for t in totals],  # in probe order: which adds are slow
    }


def warm_up(extra: list[ClusterDoc]) -> None:
    """Load what a process loads once (cue lists, MinHash permutations), as a build would
    have: so that a probe of a reused store is not charged for it."""
    find_copies(CopyDoc(d.id, d.body, d.title, d.language, d.date) for d in extra[:2])


def _p95(values: list[float]) -> float:
    return sorted(values)[min(len(values) - 1, int(0.95 * len(values)))]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,50000")
    parser.add_argument("--probes", type=int, default=30, help="single adds timed per size")
    parser.add_argument(
        "--stage",
        choices=("all", "copies", "events"),
        default="all",
        help="both stages (default), or one alone",
    )
    parser.add_argument("--keep", type=Path, help="save each built store in this folder")
    parser.add_argument("--reuse", type=Path, help="probe the stores --keep saved here")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child process: one size
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.one, args.probes, args.stage, args.keep, args.reuse)))
        return
    require_eval("clustering/gva")
    require_eval("clustering/ecbplus")
    rows = []
    for size in sorted(int(s) for s in args.sizes.split(",")):
        command = [
            sys.executable,
            __file__,
            "--one",
            str(size),
            "--probes",
            str(args.probes),
            "--stage",
            args.stage,
            *(["--keep", str(args.keep)] if args.keep else []),
            *(["--reuse", str(args.reuse)] if args.reuse else []),
        ]
        out = subprocess.run(command, capture_output=True, text=True, check=True)
        row = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(json.dumps(rounded(row, 3)), flush=True)
    print(
        f"{'size':>8}{'build s':>9}{'RSS MB':>8}{'add ms':>8}{'p95':>8}"
        f"{'copies':>8}{'cluster':>8}{'stories':>8}{'p95':>8}{'DB MB':>8}"
    )
    for r in rows:
        print(
            f"{r['size']:>8}{r.get('build_s', 0):>9.1f}{r.get('peak_rss_mb', 0):>8.0f}"
            f"{r['add_ms_median']:>8.1f}{r['add_ms_p95']:>8.1f}"
            f"{r['add_copies_ms_median']:>8.1f}{r['add_cluster_ms_median']:>8.1f}"
            f"{r['add_storylines_ms_median']:>8.1f}{r['add_storylines_ms_p95']:>8.1f}"
            f"{r['db_mb']:>8.0f}"
        )
    figures: dict[str, Any] = {
        "sizes": [rounded(r, 3) for r in rows],
        "add_target_ms": ADD_TARGET_MS,
        "add_under_target": all(r["add_ms_p95"] < ADD_TARGET_MS for r in rows),
    }
    if len(rows) > 1 and "build_s" in rows[0]:
        first, last = rows[0], rows[-1]
        figures["growth"] = rounded(
            {
                "size": last["size"] / first["size"],
                "build_s": last["build_s"] / first["build_s"],
                "peak_rss_mb": last["peak_rss_mb"] / first["peak_rss_mb"],
                "add_ms_median": last["add_ms_median"] / first["add_ms_median"],
            },
            3,
        )
    emit(figures)


if __name__ == "__main__":
    main()
