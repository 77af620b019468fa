"""Publication-date inference against Timeline17 and TempEval-3, publication dates hidden.

    python bench/dating.py [--limit 800] [--seed 7] [--recency-scan]

- Timeline17 (`timelines/timeline17`): each sampled article's date (its folder name) is
  hidden; the rest of its topic folder stays dated. Three systems in one run:
  `naive` (the latest full date written in the text, the usual baseline), `text`
  (`infer_published`: the text's dates and the knowledge base) and `corpus`
  (`propagate_published` over a same-topic neighbourhood: T17 has no gold events, so
  the "event" of a hidden article is its up-to-5 most similar articles of the same
  folder by TF-IDF cosine >= 0.3, and an article >= 0.9 similar is a copy).
- TempEval-3 (`temporal/tempeval3`, all 276 documents): the DCT is hidden and only the
  <TEXT> is read (the DOCID carries the date and is not given); `naive` and `text`.

Figures per system: coverage (share of documents given a point estimate; the rest
abstain), exact-day accuracy, within 1/3/7 days, same month, same year and median
absolute error in days, all over the covered documents; `exact_of_all` and
`within_7_of_all` over all documents (abstaining counts as wrong); `contains` (the share
of documents whose inferred interval contains the true date) and the median interval
width. A system's point estimate is its date when set; else the start of its interval
when the interval ends by the recency assumption (the day of the reported happening);
else the middle of a bounded interval, else its one bound.

`--recency-scan` also prints, for the `text` system, how often the true date lies
within N days after the latest day-precise happening (where RECENCY_DAYS came from).

The last printed line is one JSON object of all figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import random
import re
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import emit, ensure_storyline_importable, require_eval, rounded

ensure_storyline_importable()

from storyline.dating import infer_published, propagate_published  # noqa: E402
from storyline.knowledge import load_knowledge  # noqa: E402
from storyline.records import Published  # noqa: E402
from storyline.timexpr import find_time_expressions  # noqa: E402

NEIGHBOURS, NEIGHBOUR_MIN, COPY_MIN = 5, 0.3, 0.9


# --------------------------------------------------------------------------- scoring


def point(published: Published) -> dt.date | None:
    """One day to score an inferred interval by (see the module docstring)."""
    if published.date:
        return dt.date.fromisoformat(published.date)
    lo = dt.date.fromisoformat(published.earliest) if published.earliest else None
    hi = dt.date.fromisoformat(published.latest) if published.latest else None
    if lo and any(e.kind == "assumption" for e in published.evidence):
        return lo
    if lo and hi:
        return lo + (hi - lo) // 2
    return lo or hi


def contains(published: Published, truth: dt.date) -> bool:
    lo = published.earliest or published.date
    hi = published.latest or published.date
    if lo is None and hi is None:
        return False
    return (lo is None or lo <= truth.isoformat()) and (hi is None or truth.isoformat() <= hi)


def score(pairs: Sequence[tuple[Published, dt.date]]) -> dict[str, Any]:
    errors: list[tuple[int, dt.date, dt.date]] = []
    widths: list[int] = []
    for published, truth in pairs:
        guess = point(published)
        if guess is not None:
            errors.append((abs((guess - truth).days), guess, truth))
        if published.earliest and published.latest:
            widths.append(
                (
                    dt.date.fromisoformat(published.latest)
                    - dt.date.fromisoformat(published.earliest)
                ).days
                + 1
            )
    n, covered = len(pairs), len(errors)

    def share(test: Any) -> float | None:
        return sum(1 for e in errors if test(e)) / covered if covered else None

    return {
        "n": n,
        "coverage": covered / n if n else None,
        "exact": share(lambda e: e[0] == 0),
        "within_1": share(lambda e: e[0] <= 1),
        "within_3": share(lambda e: e[0] <= 3),
        "within_7": share(lambda e: e[0] <= 7),
        "month": share(lambda e: (e[1].year, e[1].month) == (e[2].year, e[2].month)),
        "year": share(lambda e: e[1].year == e[2].year),
        "median_error_days": statistics.median(e[0] for e in errors) if errors else None,
        "exact_of_all": sum(1 for e in errors if e[0] == 0) / n if n else None,
        "within_7_of_all": sum(1 for e in errors if e[0] <= 7) / n if n else None,
        "contains": sum(1 for p, t in pairs if contains(p, t)) / n if n else None,
        "median_width_days": statistics.median(widths) if widths else None,
    }


def naive(text: str) -> Published:
    """The baseline: the latest full date (day, month and year) written in the text."""
    days = [
        e.earliest
        for e in find_time_expressions(text, None, "en")
        if e.kind == "date" and e.earliest and e.earliest == e.latest
    ]
    if not days:
        return Published()
    day = max(days)
    return Published(day, day, day, 0.5, "naive")


# --------------------------------------------------------------------------- data

_PTB = [("-LRB-", "("), ("-RRB-", ")"), ("-LSB-", "["), ("-RSB-", "]"), ("``", '"'), ("''", '"')]


def detokenize(text: str) -> str:
    """Undo the PTB tokenization of Timeline17 enough for date patterns to read it."""
    for token, plain in _PTB:
        text = text.replace(token, plain)
    text = re.sub(r" ([,.;:!?%)\]])", r"\1", text)
    text = re.sub(r"([(\[$]) ", r"\1", text)
    return re.sub(r" (n't|'s|'re|'ve|'ll|'d|'m)\b", r"\1", text)


def timeline17(root: Path) -> list[tuple[str, str, dt.date, str]]:
    """(folder, doc id, publication date, text) for every non-empty article."""
    docs = []
    for path in sorted(root.glob("*/InputDocs/*/*.htm.txt")):
        text = path.read_text(encoding="utf-8", errors="replace").strip()
        if not text:
            continue
        folder = path.parts[-4]
        day = dt.date.fromisoformat(path.parts[-2])
        docs.append((folder, f"{folder}/{path.parts[-2]}/{path.name}", day, detokenize(text)))
    return docs


_DCT = re.compile(r'<DCT>\s*<TIMEX3[^>]*value="(\d{4}-\d\d-\d\d)', re.S)
_TEXT = re.compile(r"<TEXT>(.*?)</TEXT>", re.S)


def tempeval(root: Path) -> list[tuple[str, dt.date, str]]:
    docs = []
    for path in sorted(root.rglob("*.tml")):
        raw = path.read_text(encoding="utf-8", errors="replace")
        dct, body = _DCT.search(raw), _TEXT.search(raw)
        if not dct or not body:
            continue
        text = html.unescape(re.sub(r"<[^>]+>", "", body.group(1))).strip()
        docs.append((path.name, dt.date.fromisoformat(dct.group(1)), text))
    return docs


# --------------------------------------------------------------------------- runs


def neighbourhoods(
    docs: Sequence[tuple[str, str, dt.date, str]], wanted: set[int]
) -> dict[int, tuple[list[int], list[int]]]:
    """For each wanted doc: (event neighbours, copies) within its own folder."""
    from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]

    out: dict[int, tuple[list[int], list[int]]] = {}
    folders: dict[str, list[int]] = {}
    for index, doc in enumerate(docs):
        folders.setdefault(doc[0], []).append(index)
    for members in folders.values():
        if not wanted.intersection(members):
            continue
        matrix = TfidfVectorizer(sublinear_tf=True, stop_words="english", min_df=1).fit_transform(
            [docs[i][3] for i in members]
        )
        similarity = (matrix @ matrix.T).toarray()
        for row, index in enumerate(members):
            if index not in wanted:
                continue
            order = sorted(range(len(members)), key=lambda col: -similarity[row][col])
            near = [members[c] for c in order if c != row and similarity[row][c] >= NEIGHBOUR_MIN][
                :NEIGHBOURS
            ]
            copies = [members[c] for c in order if c != row and similarity[row][c] >= COPY_MIN]
            out[index] = (near, copies)
    return out


def run_timeline17(limit: int, seed: int, scan: bool) -> dict[str, Any]:
    root = require_eval("timelines/timeline17")
    assert root is not None
    docs = timeline17(root)
    rng = random.Random(seed)
    sample = sorted(rng.sample(range(len(docs)), min(limit, len(docs))))
    kb = load_knowledge()
    hoods = neighbourhoods(docs, set(sample))
    naive_pairs, text_pairs, corpus_pairs = [], [], []
    gaps: list[int] = []
    for index in sample:
        _, doc_id, truth, text = docs[index]
        inferred = infer_published(text, Published(), "en", kb)
        naive_pairs.append((naive(text), truth))
        text_pairs.append((inferred, truth))
        near, copies = hoods[index]
        articles = {doc_id: inferred}
        for other in near + copies:
            day = docs[other][2].isoformat()
            articles[docs[other][1]] = Published(day, day, day, 0.9, "metadata")
        groups = [[doc_id, *(docs[c][1] for c in copies)]] if copies else []
        events = [[doc_id, *(docs[n][1] for n in near)]] if near else []
        changed = propagate_published(articles, groups, events)
        corpus_pairs.append((changed.get(doc_id, inferred), truth))
        if scan and inferred.earliest and any(e.kind == "assumption" for e in inferred.evidence):
            gaps.append((truth - dt.date.fromisoformat(inferred.earliest)).days)
    figures: dict[str, Any] = {
        "naive": score(naive_pairs),
        "text": score(text_pairs),
        "corpus": score(corpus_pairs),
        "documents": len(docs),
    }
    if scan and gaps:
        figures["recency_scan"] = {
            str(n): sum(1 for g in gaps if 0 <= g <= n) / len(gaps)
            for n in (0, 1, 3, 7, 14, 30, 60)
        }
        figures["recency_scan"]["n"] = len(gaps)
    return figures


def run_tempeval() -> dict[str, Any]:
    root = require_eval("temporal/tempeval3")
    assert root is not None
    kb = load_knowledge()
    docs = tempeval(root)
    naive_pairs = [(naive(text), truth) for _, truth, text in docs]
    text_pairs = [(infer_published(text, Published(), "en", kb), truth) for _, truth, text in docs]
    return {"naive": score(naive_pairs), "text": score(text_pairs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=800, help="Timeline17 articles sampled")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--recency-scan", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    figures: dict[str, Any] = {
        "timeline17": run_timeline17(args.limit, args.seed, args.recency_scan),
        "tempeval3": run_tempeval(),
    }
    figures["seconds"] = time.perf_counter() - started
    for corpus in ("timeline17", "tempeval3"):
        for system in ("naive", "text", "corpus"):
            row = figures[corpus].get(system)
            if row:
                print(
                    f"{corpus:10} {system:6} "
                    + " ".join(
                        f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}"
                        for k, v in row.items()
                    ),
                    file=sys.stderr,
                )
    emit(rounded(figures))


if __name__ == "__main__":
    main()
