"""Throughput of the quotes stage (annotate + quotes, + actors when present).

    python bench/throughput_quotes.py [--words 50000]

Text: the five seeds (../shared/seeds, when present) and the demo corpus's plain
texts (examples/corpus/*.txt), repeated to about --words words. Printed in one
run: words/second of the bare `english()` pipe over the same paragraphs (the
floor any parse-based extractor pays), of `find_quotes` (which parses inside),
and of `find_quotes` plus `storyline.actors.find_mentions` on the same Doc when
that module exists; then the peak RSS of the process.
"""

from __future__ import annotations

import argparse
import importlib
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, emit, ensure_storyline_importable

ensure_storyline_importable()
from storyline.annotate import english  # noqa: E402
from storyline.quotes import find_quotes  # noqa: E402


def texts(target_words: int) -> list[str]:
    """Seed and demo texts, repeated until they hold about `target_words` words."""
    sources = sorted((REPO.parent / "shared" / "seeds").glob("*.txt"))
    sources += sorted((REPO / "examples" / "corpus").glob("*.txt"))
    base = [p.read_text(encoding="utf-8") for p in sources]
    out: list[str] = []
    words = 0
    while words < target_words and base:
        for t in base:
            out.append(t)
            words += len(t.split())
            if words >= target_words:
                break
    return out


def timed(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--words", type=int, default=50_000)
    args = parser.parse_args(argv)
    docs = texts(args.words)
    words = sum(len(t.split()) for t in docs)
    nlp = english()
    list(nlp.pipe(["Warm up the model once."]))

    bare = timed(lambda: list(nlp.pipe(docs)))
    quotes = timed(lambda: [find_quotes(str(i), t) for i, t in enumerate(docs)])
    figures: dict[str, Any] = {
        "words": words,
        "bare_english_pipe_wps": round(words / bare),
        "annotate_quotes_wps": round(words / quotes),
    }
    try:
        actors = importable_actors()
    except ImportError:
        actors = None
    if actors is not None:

        def both() -> None:
            # As `storyline.analyse` runs them: quotes parse the article's blocks, the
            # actors stage parses the whole text (two parses per article today).
            for i, t in enumerate(docs):
                find_quotes(str(i), t)
                actors(str(i), t, None)

        figures["annotate_quotes_actors_wps"] = round(words / timed(both))
    # ru_maxrss is in KiB on Linux.
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    for key, value in figures.items():
        print(f"{key:<32}{value:>10}")
    ratio = figures["annotate_quotes_wps"] / figures["bare_english_pipe_wps"]
    print(f"quotes / bare pipe: {ratio:.2f}")
    emit(figures)


def importable_actors() -> Callable[[str, str, Any], Any] | None:
    """`storyline.actors.find_mentions`, written by another helper, if it exists yet."""
    try:
        module = importlib.import_module("storyline.actors")
    except ImportError:
        return None
    fn = getattr(module, "find_mentions", None)
    return fn if callable(fn) else None


if __name__ == "__main__":
    main()
