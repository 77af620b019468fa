"""TempEval-3 Task A (TIMEX3 extraction and normalization) for storyline.timexpr.

    python bench/timexpr.py [--split test|train] [--limit N] [--baseline all|regex|none]
                            [--errors N]

Data: `temporal/tempeval3` under the eval folder (TimeML .tml files). `train` is
TBAQ-cleaned (TimeBank + AQUAINT, 256 documents), which the rules were developed on;
`test` is TE3-Platinum (20 documents), the evaluation set. Each document's creation
time (DCT) is the reference date, as in the normalization task; only the TEXT
element is scored and the DCT timex itself is left out, as the official scorer does.

Metrics, as the TempEval-3 scorer defines them (UzZaman et al. 2013; the task's
evaluate_entities.py, re-implemented here): a system timex and a gold timex match
when their extents overlap (relaxed) or are identical (strict), one to one; P and R
are micro-averaged over all documents; the value (type) score is the share of
relaxed matches whose value (type) is exactly the gold one, and value F1 is that
accuracy times the relaxed F1. A storyline "since X" interval is scored on X,
because TimeML leaves the signal word ("since") outside the TIMEX3 extent.

Baselines in the same run: `dateparser.search.search_dates` on each sentence (with
the language and the DCT as relative base; values are the days it returns), and a
regex for explicit dates only (storyline's rules with the reference withheld, so
only absolute expressions get a value). HeidelTime's published figures on
TE3-Platinum (Table 3 of the task paper) are printed beside them. Speed is
measured on the finder alone, in words per second and 600-word articles per second.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import emit, ensure_storyline_importable, require_eval, rounded

ensure_storyline_importable()

from storyline.records import TimeExpression  # noqa: E402
from storyline.timexpr import find_time_expressions  # noqa: E402

# UzZaman et al. 2013, Table 3 (TE3-Platinum, Task A): HeidelTime-t, the best value F1.
HEIDELTIME = {"relaxed_f1": 0.9030, "strict_f1": 0.8134, "value_f1": 0.7761}
SPLITS = {"train": "Training/TBAQ-cleaned", "test": "Evaluation/te3-platinum"}
TYPE_OF_KIND = {"duration": "DURATION", "time": "TIME", "set": "SET"}

_MARKUP = re.compile(r"<(/?)(\w+)([^>]*)>|&#?\w+;|[^<&]+")
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)")
_SIGNAL = re.compile(r"(?:since|from|until)\s+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Timex:
    """A timex on the plain text of a document: span, TIMEX3 type and value."""

    start: int
    end: int
    type: str
    value: str


@dataclass(frozen=True, slots=True)
class Doc:
    name: str
    dct: dt.date
    text: str
    gold: tuple[Timex, ...]


def parse_tml(path: Path) -> Doc:
    """Plain TEXT of a TimeML file with its gold TIMEX3 spans (offsets into the plain text)."""
    raw = path.read_text("utf-8")
    dct_match = re.search(r'<TIMEX3[^>]*functionInDocument="CREATION_TIME"[^>]*>', raw)
    if dct_match is None:
        raise ValueError(f"{path}: no document creation time (TIMEX3 CREATION_TIME)")
    dct_value = dict(_ATTR.findall(dct_match.group()))["value"]
    body = raw[raw.index("<TEXT>") + len("<TEXT>") : raw.index("</TEXT>")]
    parts: list[str] = []
    size = 0
    open_timex: list[tuple[int, dict[str, str]]] = []
    gold: list[Timex] = []
    for m in _MARKUP.finditer(body):
        closing, tag, attrs = m.group(1), m.group(2), m.group(3)
        if tag is None:
            piece = html.unescape(m.group())
            parts.append(piece)
            size += len(piece)
        elif tag == "TIMEX3" and not closing:
            open_timex.append((size, dict(_ATTR.findall(attrs))))
        elif tag == "TIMEX3" and closing:
            start, fields = open_timex.pop()
            if fields.get("functionInDocument") != "CREATION_TIME":
                gold.append(Timex(start, size, fields.get("type", ""), fields.get("value", "")))
    return Doc(path.stem, dt.date.fromisoformat(dct_value[:10]), "".join(parts), tuple(gold))


def load(root: Path, split: str, limit: int) -> list[Doc]:
    paths = sorted((root / SPLITS[split]).rglob("*.tml"))
    docs = [parse_tml(p) for p in paths]
    return docs[:limit] if limit else docs


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return start, end


def storyline_timexes(doc: Doc, reference: dt.date | None) -> list[Timex]:
    found: list[TimeExpression] = find_time_expressions(doc.text, reference, "en")
    out = []
    for t in found:
        start = t.start
        if t.kind == "interval":
            signal = _SIGNAL.match(doc.text, t.start)
            start = signal.end() if signal else start
        out.append(Timex(start, t.end, TYPE_OF_KIND.get(t.kind, "DATE"), t.value))
    return out


def dateparser_timexes(doc: Doc, reference: dt.date | None) -> list[Timex]:
    """dateparser's own search, sentence by sentence; values are the days it returns."""
    from dateparser.search import search_dates

    base = dt.datetime.combine(reference or dt.date.today(), dt.time())
    settings = {"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past"}
    out: list[Timex] = []
    for sentence in _SENTENCE.finditer(doc.text):
        found = search_dates(sentence.group(), languages=["en"], settings=settings) or []
        cursor = 0
        for surface, when in found:
            at = sentence.group().find(surface, cursor)
            if at < 0:
                continue
            cursor = at + len(surface)
            start = sentence.start() + at
            out.append(Timex(start, start + len(surface), "DATE", when.date().isoformat()))
    return out


def explicit_only(doc: Doc, reference: dt.date | None) -> list[Timex]:
    """Storyline's rules with no reference: only absolute expressions keep a full value."""
    return [t for t in storyline_timexes(doc, None) if "X" not in t.value]


def score(
    docs: Sequence[Doc], system: Callable[[Doc, dt.date | None], list[Timex]]
) -> dict[str, Any]:
    """TempEval-3 timex figures, micro-averaged over documents."""
    n_gold = n_sys = relaxed = strict = value_ok = type_ok = 0
    for doc in docs:
        predicted = system(doc, doc.dct)
        n_gold += len(doc.gold)
        n_sys += len(predicted)
        taken: set[int] = set()
        for g in doc.gold:
            best, best_overlap = -1, 0
            for i, s in enumerate(predicted):
                overlap = min(g.end, s.end) - max(g.start, s.start)
                if i not in taken and overlap > best_overlap:
                    best, best_overlap = i, overlap
            if best < 0:
                continue
            taken.add(best)
            s = predicted[best]
            relaxed += 1
            strict += _trimmed(doc.text, g.start, g.end) == _trimmed(doc.text, s.start, s.end)
            value_ok += s.value == g.value
            type_ok += s.type == g.type
    figures: dict[str, Any] = {"gold": n_gold, "system": n_sys}
    for name, hits in (("strict", strict), ("relaxed", relaxed)):
        p = hits / n_sys if n_sys else 0.0
        r = hits / n_gold if n_gold else 0.0
        figures[f"{name}_p"], figures[f"{name}_r"] = p, r
        figures[f"{name}_f1"] = 2 * p * r / (p + r) if p + r else 0.0
    figures["value_accuracy"] = value_ok / relaxed if relaxed else 0.0
    figures["type_accuracy"] = type_ok / relaxed if relaxed else 0.0
    figures["value_f1"] = figures["value_accuracy"] * figures["relaxed_f1"]
    figures["type_f1"] = figures["type_accuracy"] * figures["relaxed_f1"]
    return figures


def speed(docs: Sequence[Doc], rounds: int = 3) -> dict[str, float]:
    """Words per second of the finder alone, best of a few passes over the documents."""
    words = sum(len(d.text.split()) for d in docs)
    best = float("inf")
    for _ in range(rounds):
        began = time.perf_counter()
        for d in docs:
            find_time_expressions(d.text, d.dct, "en")
        best = min(best, time.perf_counter() - began)
    per_second = words / best if best else 0.0
    return {
        "words": words,
        "seconds": best,
        "words_per_s": per_second,
        "articles_600w_per_s": per_second / 600,
    }


def errors(docs: Sequence[Doc], limit: int) -> None:
    """Print gold timexes the finder misses or gets wrong, and its false positives."""
    shown = 0
    for doc in docs:
        predicted = storyline_timexes(doc, doc.dct)
        for g in doc.gold:
            hit = [s for s in predicted if min(g.end, s.end) > max(g.start, s.start)]
            got = f"{doc.text[hit[0].start : hit[0].end]!r} {hit[0].value}" if hit else "MISSED"
            if not hit or hit[0].value != g.value:
                gold = f"{doc.text[g.start : g.end]!r} {g.type} {g.value}"
                print(f"  {doc.name} dct={doc.dct} gold {gold} -> {got}")
                shown += 1
        for s in predicted:
            if not any(min(g.end, s.end) > max(g.start, s.start) for g in doc.gold):
                print(f"  {doc.name} FP {doc.text[s.start : s.end]!r} {s.type} {s.value}")
                shown += 1
        if shown >= limit:
            return


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", default="test", choices=tuple(SPLITS))
    parser.add_argument("--limit", type=int, default=0, help="at most this many documents")
    parser.add_argument("--baseline", default="all", choices=("all", "regex", "none"))
    parser.add_argument("--errors", type=int, default=0, help="print this many errors")
    args = parser.parse_args(argv)
    root = require_eval("temporal/tempeval3")
    assert root is not None
    docs = load(root, args.split, args.limit)
    systems: dict[str, Callable[[Doc, dt.date | None], list[Timex]]] = {
        "storyline": storyline_timexes
    }
    if args.baseline in ("all", "regex"):
        systems["explicit_regex"] = explicit_only
    if args.baseline == "all":
        systems["dateparser"] = dateparser_timexes
    figures: dict[str, Any] = {"split": args.split, "docs": len(docs)}
    print(
        f"TempEval-3 {args.split} ({SPLITS[args.split]}): {len(docs)} documents, "
        f"{sum(len(d.gold) for d in docs)} gold TIMEX3"
    )
    print(
        f"{'system':<22}{'strict P':>9}{'R':>7}{'F1':>7}{'relax P':>9}{'R':>7}{'F1':>7}"
        f"{'value F1':>10}{'type F1':>9}{'val acc':>9}"
    )
    for name, system in systems.items():
        began = time.perf_counter()
        fig = score(docs, system)
        fig["seconds"] = time.perf_counter() - began
        figures[name] = rounded(fig)
        print(
            f"{name:<22}{fig['strict_p']:>9.3f}{fig['strict_r']:>7.3f}{fig['strict_f1']:>7.3f}"
            f"{fig['relaxed_p']:>9.3f}{fig['relaxed_r']:>7.3f}{fig['relaxed_f1']:>7.3f}"
            f"{fig['value_f1']:>10.3f}{fig['type_f1']:>9.3f}{fig['value_accuracy']:>9.3f}"
        )
    print(
        f"{'HeidelTime (published)':<22}{'':>9}{'':>7}{HEIDELTIME['strict_f1']:>7.3f}{'':>9}{'':>7}"
        f"{HEIDELTIME['relaxed_f1']:>7.3f}{HEIDELTIME['value_f1']:>10.3f}"
    )
    figures["heideltime_published"] = HEIDELTIME
    figures["speed"] = rounded(speed(docs))
    s = figures["speed"]
    print(
        f"speed: {s['words_per_s']:,.0f} words/s = {s['articles_600w_per_s']:,.0f} articles of "
        f"600 words/s ({s['words']} words in {s['seconds']:.3f} s)"
    )
    if args.errors:
        errors(docs, args.errors)
    emit(figures)


if __name__ == "__main__":
    main()
