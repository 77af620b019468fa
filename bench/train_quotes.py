"""Train the attribution model (storyline.quotemodel) on the PolNeAR train split.

    python bench/train_quotes.py [--out src/storyline/data/quote_model.npz]
                                 [--parses DIR] [--validate]

Parses the 840 train articles (about 8 minutes on one core; `--parses DIR` keeps
the parses as spaCy DocBin files so a re-run skips it), fits the cue tagger and
the role tagger (scikit-learn logistic regression, lbfgs, fixed iteration
budget, no randomness; about 6 minutes) and writes the weights as a plain .npz
(1.2 MB, float16 weights). Only the train
split is read. `--validate` instead fits on nine in ten train articles and scores
the tenth with bench/quotes.py's metric, the figure used to choose features and
settings; dev is never used here.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, ensure_storyline_importable, require_eval

ensure_storyline_importable()
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]  # noqa: E402
from spacy.tokens import DocBin  # noqa: E402

from storyline.annotate import english  # noqa: E402
from storyline.quotemodel import (  # noqa: E402
    CUE_CLASSES,
    ROLE_CLASSES,
    AttributionModel,
    LinearModel,
    cue_features,
    cue_lemmas,
    cue_site,
    model_arrays,
    paragraphs,
    quote_depth,
    role_features,
)

Doc = Any
# Features seen fewer times than this in training are dropped (noise, and size).
MIN_COUNT = 3
# Inverse regularisation strength and iteration budget of both models, chosen
# with --validate on the train split (dev never seen): C 0.15 against 0.5 and 2
# gave source / cue / content exact F1 68.9 / 66.2 / 51.4 against 68.8 / 64.8 /
# 50.3 and 68.3 / 64.8 / 48.9.
C_CUE = 0.15
C_ROLE = 0.15
MAX_ITER = 300
# Features whose largest weight is below this are dropped from the shipped file:
# on a train hold-out it cuts the features by a third and moves no F1 figure.
PRUNE = 0.01


def load_split(split: str) -> list[dict[str, Any]]:
    root = require_eval("quotes/polnear")
    assert root is not None
    with (root / "normalized" / f"{split}.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def parse_docs(docs: list[dict[str, Any]], cache: Path | None) -> list[list[tuple[int, Doc]]]:
    """(offset, Doc) of each paragraph of each article, from the cache when there is one."""
    nlp = english()
    pieces = [(d, o, t) for d, doc in enumerate(docs) for o, t in paragraphs(doc["text"])]
    path = cache / "train.spacy" if cache else None
    if path is not None and path.exists():
        parsed = list(DocBin().from_disk(path).get_docs(nlp.vocab))
    else:
        parsed = list(nlp.pipe((t for _, _, t in pieces), batch_size=64))
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            bin_ = DocBin()
            for p in parsed:
                bin_.add(p)
            bin_.to_disk(path)
    out: list[list[tuple[int, Doc]]] = [[] for _ in docs]
    for (d, o, t), p in zip(pieces, parsed, strict=True):
        assert p.text == t, "parse cache is stale: delete it"
        out[d].append((o, p))
    return out


def _covered(doc: Doc, base: int, end: int, spans: Sequence[Sequence[Any]]) -> list[int]:
    """Token indices of `doc` (text [base, end)) that overlap any of the character spans."""
    ids: set[int] = set()
    for s in spans:
        lo, hi = max(s[0], base) - base, min(s[1], end) - base
        if lo >= hi:
            continue
        span = doc.char_span(lo, hi, alignment_mode="expand")
        if span is not None:
            ids.update(range(span.start, span.end))
    return sorted(ids)


def examples(
    doc: dict[str, Any], pieces: list[tuple[int, Doc]], lemmas: frozenset[str]
) -> tuple[list[list[str]], list[int], list[list[str]], list[int]]:
    """Cue rows and labels, role rows and labels of one article."""
    cue_x: list[list[str]] = []
    cue_y: list[int] = []
    role_x: list[list[str]] = []
    role_y: list[int] = []
    for base, p in pieces:
        end = base + len(p.text)
        atts = [
            a
            for a in doc["attributions"]
            if any(s[0] < end and s[1] > base for s in a["cue"] + a["content"])
        ]
        quotes = quote_depth(p)
        label = ["O"] * len(p)
        for a in atts:
            for s in a["cue"]:
                ids = _covered(p, base, end, [s])
                for k, i in enumerate(ids):
                    if label[i] == "O" or k == 0:
                        label[i] = "B" if k == 0 else "I"
        for t in p:
            cue_x.append(cue_features(t, quotes, lemmas))
            cue_y.append(CUE_CLASSES.index(label[t.i]))
        for a in atts:
            ids = _covered(p, base, end, a["cue"])
            first = _covered(p, base, end, a["cue"][:1])
            if not ids or not first:
                continue  # the cue starts in another paragraph
            site = cue_site(p, ids)
            src = set(_covered(p, base, end, a["source"]))
            con = set(_covered(p, base, end, a["content"]))
            for i, feats in role_features(site, quotes):
                role_x.append(feats)
                role_y.append(2 if i in con else 1 if i in src else 0)
    return cue_x, cue_y, role_x, role_y


def fit(rows: list[list[str]], labels: list[int], c: float, n_classes: int) -> LinearModel:
    """Logistic regression over the features seen at least MIN_COUNT times."""
    counts = Counter(f for r in rows for f in r)
    names = sorted(f for f, n in counts.items() if n >= MIN_COUNT)
    index = {f: i for i, f in enumerate(names)}
    indptr = [0]
    cols: list[int] = []
    for r in rows:
        cols.extend(index[f] for f in r if f in index)
        indptr.append(len(cols))
    x = sparse.csr_matrix(
        (np.ones(len(cols), dtype=np.float32), np.array(cols, dtype=np.int32), indptr),
        shape=(len(rows), len(names)),
    )
    y = np.array(labels, dtype=np.int64)
    clf = LogisticRegression(C=c, max_iter=MAX_ITER, tol=1e-4)
    clf.fit(x, y)
    assert list(clf.classes_) == list(range(n_classes))
    weights = clf.coef_.T.astype(np.float32)
    keep = np.abs(weights).max(axis=1) >= PRUNE
    kept = [f for f, k in zip(names, keep, strict=True) if k]
    return LinearModel(
        index={f: i for i, f in enumerate(kept)},
        weights=weights[keep],
        bias=clf.intercept_.astype(np.float32),
    )


def train(docs: list[dict[str, Any]], parsed: list[list[tuple[int, Doc]]]) -> AttributionModel:
    lemmas = cue_lemmas()
    cue_x: list[list[str]] = []
    cue_y: list[int] = []
    role_x: list[list[str]] = []
    role_y: list[int] = []
    for doc, pieces in zip(docs, parsed, strict=True):
        cx, cy, rx, ry = examples(doc, pieces, lemmas)
        cue_x += cx
        cue_y += cy
        role_x += rx
        role_y += ry
    print(f"cue rows {len(cue_x)}, role rows {len(role_x)}", file=sys.stderr)
    cue = fit(cue_x, cue_y, C_CUE, len(CUE_CLASSES))
    role = fit(role_x, role_y, C_ROLE, len(ROLE_CLASSES))
    return AttributionModel(cue, role)


def validate(docs: list[dict[str, Any]], parsed: list[list[tuple[int, Doc]]]) -> None:
    """Fit on nine in ten train articles, score the tenth with bench/quotes.py's metric."""
    from quotes import Attribution, Tally, gold_attributions, score_doc

    from storyline.quotemodel import find_attributions

    fit_ix = [i for i in range(len(docs)) if i % 10 != 0]
    held = [i for i in range(len(docs)) if i % 10 == 0]
    model = train([docs[i] for i in fit_ix], [parsed[i] for i in fit_ix])
    tally = Tally()
    for i in held:
        text = docs[i]["text"]
        pred = [
            Attribution(list(a.source), list(a.cue), list(a.content))
            for a in find_attributions(text, parsed[i], model)
        ]
        score_doc(text, gold_attributions(docs[i]), pred, tally)
    for key in ("source/exact", "cue/exact", "content/exact", "attribution"):
        p, r, f = tally.prf(key)
        print(f"{key:<16}{p:>8.3f}{r:>8.3f}{f:>8.3f}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "src/storyline/data/quote_model.npz")
    parser.add_argument("--parses", type=Path, default=None, help="cache folder for parses")
    parser.add_argument("--validate", action="store_true", help="score a train hold-out only")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    docs = load_split("train")
    parsed = parse_docs(docs, args.parses)
    print(f"parsed {len(docs)} articles in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    if args.validate:
        validate(docs, parsed)
        return
    model = train(docs, parsed)
    arrays = model_arrays("cue", model.cue) | model_arrays("role", model.role)
    np.savez_compressed(args.out, **arrays)  # type: ignore[arg-type]
    size = args.out.stat().st_size
    print(f"wrote {args.out} ({size / 1e6:.2f} MB) in {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
