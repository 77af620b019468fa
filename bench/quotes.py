"""Quotation extraction on PolNeAR: source, cue and content spans, and attributions.

    python bench/quotes.py [--split dev|train] [--limit N]

PolNeAR (Newell, Margolin and Ruths, LREC 2018) annotates every attribution of
84 dev / 840 train political news articles: its source (the mention as written,
"he", "a source"), its cue ("said", "according to") and its content (a direct,
mixed or indirect quotation; split quotes are one attribution with several
content spans). Data: `../shared/eval/quotes/polnear/normalized/<split>.jsonl`.

The rules of storyline.quotes were developed on the train split; the figure is
printed for dev (the README's protocol: tune on train and dev, report dev; test is
withheld), so the dev figure is not tuned on.

Figures, per element, over the set of distinct contiguous spans of that element:

- exact: the spans are equal after stripping whitespace, quotation marks and
  edge punctuation from both (the README: content spans include their marks and
  trailing comma);
- overlap: the shared characters are at least half the longer span;

each as precision / recall / F1 with one-to-one greedy matching. Attribution F1
counts an attribution right when its content (all its spans together) and its
source both overlap the gold ones by at least half the longer; a gold attribution
with no source needs a prediction with none. Storyline groups its quotes by cue
into attributions; a partial quote inside an indirect one of the same cue is
part of that content and is not scored apart.

The attribution mode (storyline.quotemodel: a cue tagger and a role tagger,
linear models trained on the train split by bench/train_quotes.py) is scored in
the same run, on rows prefixed "model". It tags PolNeAR's broad notion of
attribution (stances, plans, beliefs) rather than quotations, so it is not the
default quotes stage.

Baseline in the same run: quotation marks only (each double-quoted stretch is a
content; a "said/says/told/added" within the sentence after it is the cue and the
capitalised words or pronoun next to it the source). The published figures
(exact-span F1 on the withheld *test* split, sentence-level, from the CofeNet
paper) are printed beside for scale; they are not the same split or the same
span unit (CofeNet scores each sentence's BIO spans), so compare with care.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import emit, ensure_storyline_importable, require_eval

ensure_storyline_importable()
from storyline.quotemodel import find_attributions  # noqa: E402
from storyline.quotes import find_quotes  # noqa: E402

Span = tuple[int, int]
ELEMENTS = ("source", "cue", "content")
PUBLISHED = {  # exact-span F1 on the PolNeAR test split, from the CofeNet paper (COLING 2022)
    "CofeNet (BERT)": (83.2, 75.3, 72.9),
    "BERT-CRF": (82.2, 74.9, 71.0),
    "rules": (11.0, 23.0, 6.0),
}
_EDGE = " \t\n\u00a0\"'“”‘’«»„,.;:!?-—–()[]"
_BASE_CUE = re.compile(r"\b(said|says|told|added)\b")
_BASE_SRC = re.compile(r"\b(he|she|they|[A-Z][\w’'-]+(?: [A-Z][\w’'-]+)*)\b")


class Attribution:
    """One attribution: its source, cue and content spans (character offsets)."""

    __slots__ = ("content", "cue", "source")

    def __init__(self, source: list[Span], cue: list[Span], content: list[Span]) -> None:
        self.source = source
        self.cue = cue
        self.content = content


def normalize(text: str, span: Span) -> Span:
    """The span without edge whitespace, quotation marks and punctuation."""
    s, e = span
    while s < e and text[s] in _EDGE:
        s += 1
    while e > s and text[e - 1] in _EDGE:
        e -= 1
    return s, e


def _overlap(a: Span, b: Span) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _overlaps_half(a: Span, b: Span) -> bool:
    longer = max(a[1] - a[0], b[1] - b[0], 1)
    return _overlap(a, b) * 2 >= longer


def match_spans(gold: set[Span], pred: set[Span], exact: bool) -> int:
    """True positives of a one-to-one greedy matching."""
    if exact:
        return len(gold & pred)
    pairs = sorted(
        ((_overlap(g, p), g, p) for g in gold for p in pred if _overlaps_half(g, p)),
        reverse=True,
    )
    used_g: set[Span] = set()
    used_p: set[Span] = set()
    tp = 0
    for _, g, p in pairs:
        if g in used_g or p in used_p:
            continue
        used_g.add(g)
        used_p.add(p)
        tp += 1
    return tp


def _chars(spans: Iterable[Span]) -> set[int]:
    return {i for s, e in spans for i in range(s, e)}


def _set_overlap_half(a: list[Span], b: list[Span]) -> bool:
    ca, cb = _chars(a), _chars(b)
    return bool(ca or cb) and len(ca & cb) * 2 >= max(len(ca), len(cb))


def match_attributions(gold: list[Attribution], pred: list[Attribution]) -> int:
    used: set[int] = set()
    tp = 0
    for g in gold:
        for j, p in enumerate(pred):
            if j in used or not _set_overlap_half(g.content, p.content):
                continue
            if (not g.source and not p.source) or (
                g.source and p.source and _set_overlap_half(g.source, p.source)
            ):
                used.add(j)
                tp += 1
                break
    return tp


def gold_attributions(doc: dict[str, Any]) -> list[Attribution]:
    return [
        Attribution(
            [(s, e) for s, e, _ in a["source"]],
            [(s, e) for s, e, _ in a["cue"]],
            [(s, e) for s, e, _ in a["content"]],
        )
        for a in doc["attributions"]
    ]


def storyline_attributions(doc_id: str, text: str) -> list[Attribution]:
    quotes = find_quotes(doc_id, text)
    indirect = [(q.cue_start, q.start, q.end) for q in quotes if q.kind == "indirect"]
    groups: dict[tuple[int, int] | Span, Attribution] = {}
    for q in quotes:
        if q.kind == "partial" and any(
            c == q.cue_start and s <= q.start and q.end <= e for c, s, e in indirect
        ):
            continue
        key: tuple[int, int] = (
            (q.cue_start, q.cue_end or q.cue_start)
            if q.cue_start is not None
            else (-q.start - 1, -q.start - 1)
        )
        att = groups.get(key)
        if att is None:
            spk = q.speaker
            source = (
                [(spk.start, spk.end)]
                if spk is not None and spk.start is not None and spk.end is not None
                else []
            )
            cue = [(q.cue_start, q.cue_end)] if q.cue_start is not None and q.cue_end else []
            att = groups[key] = Attribution(source, cue, [])
        att.content.append((q.start, q.end))
    return list(groups.values())


def model_attributions(text: str) -> list[Attribution]:
    """The attribution mode (storyline.quotemodel, trained on the train split)."""
    return [
        Attribution(list(a.source), list(a.cue), list(a.content)) for a in find_attributions(text)
    ]


def baseline_attributions(text: str) -> list[Attribution]:
    """Quotation marks only, with a "said" right after and the words next to it."""
    out: list[Attribution] = []
    for m in re.finditer(r"[“\"]([^”\"\n]+)[”\"]", text):
        after = text[m.end() : m.end() + 60].split(".")[0]
        cue = _BASE_CUE.search(after)
        source: list[Span] = []
        cue_spans: list[Span] = []
        if cue:
            base = m.end()
            cue_spans = [(base + cue.start(), base + cue.end())]
            src = _BASE_SRC.search(after, cue.end()) or _BASE_SRC.search(after, 0, cue.start())
            if src:
                source = [(base + src.start(), base + src.end())]
        out.append(Attribution(source, cue_spans, [(m.start(1), m.end(1))]))
    return out


class Tally:
    """Running counts of one system."""

    def __init__(self) -> None:
        self.counts: dict[str, list[int]] = {}

    def add(self, key: str, tp: int, n_pred: int, n_gold: int) -> None:
        c = self.counts.setdefault(key, [0, 0, 0])
        c[0] += tp
        c[1] += n_pred
        c[2] += n_gold

    def prf(self, key: str) -> tuple[float, float, float]:
        tp, np_, ng = self.counts.get(key, [0, 0, 0])
        p = tp / np_ if np_ else 0.0
        r = tp / ng if ng else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f


def score_doc(text: str, gold: list[Attribution], pred: list[Attribution], tally: Tally) -> None:
    for element in ELEMENTS:
        g_raw = {sp for a in gold for sp in getattr(a, element)}
        p_raw = {sp for a in pred for sp in getattr(a, element)}
        g = {normalize(text, sp) for sp in g_raw} - {(x, x) for x in range(len(text) + 1)}
        p = {normalize(text, sp) for sp in p_raw} - {(x, x) for x in range(len(text) + 1)}
        tally.add(f"{element}/exact", match_spans(g, p, True), len(p), len(g))
        tally.add(f"{element}/overlap", match_spans(g, p, False), len(p), len(g))
    tally.add("attribution", match_attributions(gold, pred), len(pred), len(gold))


def load(split: str, limit: int | None) -> list[dict[str, Any]]:
    root = require_eval("quotes/polnear")
    assert root is not None
    docs: list[dict[str, Any]] = []
    with (root / "normalized" / f"{split}.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            docs.append(json.loads(line))
            if limit is not None and len(docs) >= limit:
                break
    return docs


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", default="dev", choices=("dev", "train"))
    parser.add_argument("--limit", type=int, default=None, help="score the first N articles")
    args = parser.parse_args(argv)
    docs = load(args.split, args.limit)
    ours, base, model = Tally(), Tally(), Tally()
    t0 = time.perf_counter()
    words = 0
    for doc in docs:
        text = doc["text"]
        words += len(text.split())
        gold = gold_attributions(doc)
        score_doc(text, gold, storyline_attributions(doc["doc_id"], text), ours)
        score_doc(text, gold, baseline_attributions(text), base)
        score_doc(text, gold, model_attributions(text), model)
    elapsed = time.perf_counter() - t0
    print(f"PolNeAR {args.split}: {len(docs)} articles, {words} words, {elapsed:.0f} s")
    print(f"{'element':<22}{'storyline P/R/F1':>24}{'quote-marks baseline':>26}")
    figures: dict[str, Any] = {"split": args.split, "articles": len(docs)}
    keys = [f"{e}/{m}" for m in ("exact", "overlap") for e in ELEMENTS] + ["attribution"]
    for key in keys:
        o, b = ours.prf(key), base.prf(key)
        print(
            f"{key:<22}{o[0]:>8.3f}{o[1]:>8.3f}{o[2]:>8.3f}  {b[0]:>8.3f}{b[1]:>8.3f}{b[2]:>8.3f}"
        )
        figures[key] = {"storyline": [round(x, 4) for x in o], "baseline": [round(x, 4) for x in b]}
    # The attribution mode's rows, in the storyline column: same metric, same run.
    for key in keys:
        o, b = model.prf(key), base.prf(key)
        print(
            f"{'model ' + key:<22}{o[0]:>8.3f}{o[1]:>8.3f}{o[2]:>8.3f}"
            f"  {b[0]:>8.3f}{b[1]:>8.3f}{b[2]:>8.3f}"
        )
        figures[key]["model"] = [round(x, 4) for x in o]
    print("published exact-span F1 (test split, sentence level) source / cue / content:")
    for name, (s, c, t) in PUBLISHED.items():
        print(f"  {name:<16}{s:>6.1f}{c:>6.1f}{t:>6.1f}")
    figures["published_test_exact_f1"] = PUBLISHED
    emit(figures)


if __name__ == "__main__":
    main()
