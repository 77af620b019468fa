"""Attribution model: PolNeAR-style source, cue and content spans from two linear models.

The rules of `storyline.quotes` find quotations in the journalistic sense. PolNeAR
(Newell, Margolin and Ruths 2018) annotates attribution far more broadly: any
stance, plan or belief a source is said to hold ("want", "support", "will
discuss", "a poll shows"), with the cue span holding its auxiliaries, negation
and particles ("has not said", "glosses over"). Word lists cannot reach that, so
this module tags it with two linear models over the spaCy parse, trained on the
PolNeAR train split by `bench/train_quotes.py`:

1. cue: each token is B, I or O of a cue span (Viterbi over the log-probabilities,
   I never after O);
2. role: for each cue, each token of its paragraph is SOURCE, CONTENT or O, from
   its dependency path to the cue head, its side and distance, quotation marks.

Inference needs numpy only; the weights ship as `data/quote_model.npz` (plain
arrays, no pickle). This is a separate "attribution mode": `find_quotes` stays
the product's quotation extractor.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from io import BytesIO
from typing import Any

import numpy as np
import numpy.typing as npt
import regex

Doc = Any  # spaCy objects are untyped (spacy is ignore_missing_imports in mypy)
Token = Any
Span = tuple[int, int]
FloatArray = npt.NDArray[np.float32]

CUE_CLASSES = ("O", "B", "I")
ROLE_CLASSES = ("O", "SOURCE", "CONTENT")
# Role candidates are the cue's paragraph, at most this many tokens either side:
# on PolNeAR train 99 % of source and content tokens lie that close.
ROLE_WINDOW = 80
# Added to the log-probability of B and I before Viterbi to trade precision for
# recall. Kept at 0: on a train hold-out 0.3 moved cue exact F1 66.2 -> 65.5.
CUE_BIAS = 0.0
# A content run beside the best one is kept when it has this many words and its
# tokens' mean CONTENT probability reaches this (split quotes, "X," he said, "Y");
# shorter runs are the tagger's stray tokens. Chosen on a train hold-out: content
# exact F1 46.5 keeping every run, 51.4 with (3, 0.7).
EXTRA_RUN_WORDS = 3
EXTRA_RUN_PROB = 0.7
_OPEN_MARKS = frozenset({"“", "«", "„", "``"})
_CLOSE_MARKS = frozenset({"”", "»", "''"})
_NEUTRAL_MARKS = frozenset({'"'})
_LINE = regex.compile(r"[^\n]+")
_WORDISH = regex.compile(r"\w")


@dataclass(frozen=True, slots=True)
class Attribution:
    """One attribution: its source, cue and content spans, [start, end) into the text."""

    source: tuple[Span, ...]
    cue: tuple[Span, ...]
    content: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class LinearModel:
    """A multinomial linear model over string features: one weight row per feature."""

    index: dict[str, int]
    weights: FloatArray  # (features, classes)
    bias: FloatArray  # (classes,)

    def log_proba(self, rows: Sequence[Sequence[str]]) -> FloatArray:
        """Log-probabilities of the classes for each row of feature strings."""
        out = np.tile(self.bias, (len(rows), 1)).astype(np.float32)
        for r, feats in enumerate(rows):
            ids = [self.index[f] for f in feats if f in self.index]
            if ids:
                out[r] += self.weights[ids].sum(axis=0)
        out -= out.max(axis=1, keepdims=True)
        out -= np.log(np.exp(out).sum(axis=1, keepdims=True))
        return out


@dataclass(frozen=True, slots=True)
class AttributionModel:
    """The cue tagger and the role tagger."""

    cue: LinearModel
    role: LinearModel


# --- persistence ---------------------------------------------------------------------------


def model_arrays(name: str, model: LinearModel) -> dict[str, npt.NDArray[Any]]:
    """Plain arrays for np.savez: features as UTF-8 bytes joined by newlines."""
    names = sorted(model.index, key=model.index.__getitem__)
    return {
        f"{name}_features": np.frombuffer("\n".join(names).encode("utf-8"), dtype=np.uint8),
        f"{name}_weights": model.weights.astype(np.float16),
        f"{name}_bias": model.bias.astype(np.float32),
    }


def _model_from(arrays: Any, name: str) -> LinearModel:
    names = bytes(arrays[f"{name}_features"].astype(np.uint8)).decode("utf-8").split("\n")
    return LinearModel(
        index={f: i for i, f in enumerate(names)},
        weights=arrays[f"{name}_weights"].astype(np.float32),
        bias=arrays[f"{name}_bias"].astype(np.float32),
    )


def read_model(data: bytes) -> AttributionModel:
    """The model of an .npz file's bytes (never unpickled)."""
    with np.load(BytesIO(data), allow_pickle=False) as arrays:
        return AttributionModel(_model_from(arrays, "cue"), _model_from(arrays, "role"))


@lru_cache(maxsize=1)
def load_model() -> AttributionModel:
    """The shipped model (data/quote_model.npz), read once per process."""
    data = resources.files("storyline").joinpath("data/quote_model.npz").read_bytes()
    return read_model(data)


# --- features ----------------------------------------------------------------------------


def quote_depth(doc: Doc) -> list[int]:
    """Per token: the index of the quotation it stands in (marks included), or -1."""
    out: list[int] = []
    current = -1
    count = 0
    for tok in doc:
        t = tok.text
        if current == -1 and (t in _OPEN_MARKS or t in _NEUTRAL_MARKS):
            current = count
            count += 1
            out.append(current)
            continue
        out.append(current)
        if current != -1 and (t in _CLOSE_MARKS or t in _NEUTRAL_MARKS):
            current = -1
    return out


def cue_features(tok: Token, quotes: Sequence[int], cue_lemmas: frozenset[str]) -> list[str]:
    """What makes a token part of a cue span: its word, its parse, its neighbours."""
    doc = tok.doc
    lemma = tok.lemma_.lower()
    head = tok.head
    hl = head.lemma_.lower()
    prev = doc[tok.i - 1] if tok.i > 0 else None
    nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
    deps = sorted({c.dep_ for c in tok.children})
    feats = [
        "bias",
        f"w={tok.lower_}",
        f"l={lemma}",
        f"t={tok.tag_}",
        f"d={tok.dep_}",
        f"l|t={lemma}|{tok.tag_}",
        f"l|d={lemma}|{tok.dep_}",
        f"hl={hl}",
        f"d|hl={tok.dep_}|{hl}",
        f"d|ht={tok.dep_}|{head.tag_}",
        f"pl={prev.lemma_.lower() if prev is not None else '<s>'}",
        f"nl={nxt.lemma_.lower() if nxt is not None else '</s>'}",
        f"pt={prev.tag_ if prev is not None else '<s>'}",
        f"nt={nxt.tag_ if nxt is not None else '</s>'}",
        f"q={quotes[tok.i] >= 0}",
        f"lex={lemma in cue_lemmas}",
        f"hlex={hl in cue_lemmas}|{tok.dep_}",
        f"first={tok.is_sent_start}",
    ]
    feats += [f"c={d}" for d in deps]
    feats += [f"l|c={lemma}|{d}" for d in deps if d in ("ccomp", "dobj", "xcomp", "nsubj", "prep")]
    if head.i != tok.i:
        feats.append(f"hd|d={head.dep_}|{tok.dep_}")
    return feats


def _bucket(n: int) -> str:
    for limit in (1, 2, 3, 5, 8, 12, 20, 35):
        if n <= limit:
            return str(limit)
    return "far"


def _arc(tok: Token) -> str:
    """A token's dependency label, with the word of a preposition or marker."""
    if tok.dep_ in ("prep", "mark", "agent", "advmod", "npadvmod"):
        return f"{tok.dep_}:{tok.lower_}"
    return str(tok.dep_)


def _ancestors(tok: Token) -> list[Token]:
    chain = [tok]
    while chain[-1].head.i != chain[-1].i and len(chain) < 40:
        chain.append(chain[-1].head)
    return chain


@dataclass(slots=True)
class CueSite:
    """A cue in a parsed paragraph: its token indices and its head token."""

    doc: Doc
    tokens: list[int]
    head: Token


def cue_site(doc: Doc, token_ids: Sequence[int]) -> CueSite:
    """The cue of the given tokens, headed by the first whose head lies outside them."""
    ids = set(token_ids)
    heads = [doc[i] for i in sorted(ids) if doc[i].head.i not in ids or doc[i].head.i == i]
    return CueSite(doc, sorted(ids), heads[0] if heads else doc[min(ids)])


def role_candidates(site: CueSite) -> range:
    """Token indices the role tagger looks at for one cue."""
    lo = max(0, site.tokens[0] - ROLE_WINDOW)
    hi = min(len(site.doc), site.tokens[-1] + 1 + ROLE_WINDOW)
    return range(lo, hi)


def role_features(site: CueSite, quotes: Sequence[int]) -> Iterator[tuple[int, list[str]]]:
    """(token index, features) for the role tagger, for each candidate of one cue."""
    doc = site.doc
    cue = site.head
    clemma = cue.lemma_.lower()
    cue_chain = _ancestors(cue)
    cue_pos = {t.i: k for k, t in enumerate(cue_chain)}
    in_cue = set(site.tokens)
    first, last = site.tokens[0], site.tokens[-1]
    cue_quote = quotes[cue.i]
    cue_sent = cue.sent.start
    # Quotations right next to the cue (after its source or before it) hold its words.
    near_quotes = {
        quotes[i]
        for i in range(max(0, first - 4), min(len(doc), last + 5))
        if quotes[i] >= 0 and quotes[i] != cue_quote
    }
    subj_words = {c.i for c in cue.children if c.dep_ in ("nsubj", "nsubjpass", "agent")}
    for i in role_candidates(site):
        if i in in_cue:
            continue
        tok = doc[i]
        side = "L" if i < first else "R"
        dist = first - i if i < first else i - last
        same_sent = tok.sent.start == cue_sent
        chain = _ancestors(tok)
        down = "x"
        down2 = "x"
        up = "x"
        steps_down = 0
        for k, anc in enumerate(chain):
            if anc.i in cue_pos:
                j = cue_pos[anc.i]
                up = "/".join(t.dep_ for t in cue_chain[: min(j, 2)]) or "-"
                down = _arc(chain[k - 1]) if k > 0 else "self"
                down2 = _arc(chain[k - 2]) if k > 1 else "end"
                steps_down = k
                break
        q = quotes[i]
        qrel = (
            "none"
            if q < 0
            else ("cue" if q == cue_quote else ("near" if q in near_quotes else "far"))
        )
        in_subj = any(a.i in subj_words for a in chain)
        feats = [
            "bias",
            f"side={side}",
            f"dist={side}{_bucket(dist)}",
            f"sent={same_sent}|{side}",
            f"t={tok.tag_}",
            f"d={tok.dep_}",
            f"down={down}|{side}",
            f"up={up}|down={down}",
            f"up={up}",
            f"steps={_bucket(steps_down)}|{down}",
            f"cl|down={clemma}|{down}",
            f"cl|side={clemma}|{side}",
            f"down|t={down}|{tok.tag_}",
            f"down|d={down}|{tok.dep_}",
            f"q={qrel}",
            f"q|side={qrel}|{side}",
            f"q|down={qrel}|{down}",
            f"subj={in_subj}",
            f"subj|d={in_subj}|{tok.dep_}",
            f"w={tok.lower_}" if tok.is_punct or tok.pos_ in ("ADP", "SCONJ", "DET") else "w=*",
            f"ent={tok.ent_type_}|{down}",
            f"head_in_cue={tok.head.i in in_cue}|{tok.dep_}",
        ]
        feats += [
            f"down2={down}|{down2}",
            f"down2|side={down}|{down2}|{side}",
            f"down2|ent={down}|{down2}|{tok.ent_type_}",
            f"cl|down2={clemma}|{down}|{down2}",
            f"dist|down={side}{_bucket(dist)}|{down}",
        ]
        if not same_sent:
            gap = tok.sent.start - cue_sent
            feats.append(f"xsent|q={qrel}|{side}")
            feats.append(f"xsent|q|down={qrel}|{down}|{'+' if gap > 0 else '-'}")
        yield i, feats


# --- decoding --------------------------------------------------------------------------------


def viterbi_bio(logp: FloatArray) -> list[str]:
    """The best B/I/O sequence of per-token log-probabilities (columns O, B, I); no O→I."""
    n = logp.shape[0]
    if n == 0:
        return []
    allowed = np.array([[0.0, 0.0, -np.inf], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])  # from→to
    score = logp[0].astype(np.float64).copy()
    score[2] = -np.inf
    back = np.zeros((n, 3), dtype=np.int64)
    for t in range(1, n):
        cand = score[:, None] + allowed
        back[t] = cand.argmax(axis=0)
        score = cand.max(axis=0) + logp[t]
    path = [int(score.argmax())]
    for t in range(n - 1, 0, -1):
        path.append(int(back[t][path[-1]]))
    return [CUE_CLASSES[k] for k in reversed(path)]


def cue_spans(labels: Sequence[str]) -> list[list[int]]:
    """Token index runs of a B/I/O sequence."""
    runs: list[list[int]] = []
    for i, lab in enumerate(labels):
        if lab == "B" or (lab == "I" and not runs):
            runs.append([i])
        elif lab == "I":
            if runs[-1][-1] == i - 1:
                runs[-1].append(i)
            else:
                runs.append([i])
    return runs


def _runs(doc: Doc, ids: Sequence[int]) -> list[list[int]]:
    """Runs of token indices, joined across gaps of punctuation only."""
    runs: list[list[int]] = []
    for i in sorted(ids):
        if runs and all(doc[k].is_punct for k in range(runs[-1][-1] + 1, i)):
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def _content_runs(doc: Doc, ids: Sequence[int], prob: dict[int, float]) -> list[list[int]]:
    """The best content run, and the others long and sure enough to be a part of it."""
    runs = [r for r in _runs(doc, ids) if not all(doc[k].is_punct for k in r)]
    if not runs:
        return []
    best = max(runs, key=lambda r: sum(prob[k] for k in r))
    return [
        r
        for r in runs
        if r is best
        or (
            sum(not doc[k].is_punct for k in r) >= EXTRA_RUN_WORDS
            and sum(prob[k] for k in r) / len(r) >= EXTRA_RUN_PROB
        )
    ]


def _char_span(doc: Doc, base: int, run: Sequence[int]) -> Span:
    a, b = doc[run[0]], doc[run[-1]]
    return base + a.idx, base + b.idx + len(b.text)


# --- entry points ------------------------------------------------------------------------------


def cue_lemmas() -> frozenset[str]:
    """The speech verbs of data/quote_cues.toml, a feature of the cue tagger."""
    from storyline.quotes import load_cue_lexicon

    lex = load_cue_lexicon()
    return lex.clausal | lex.objective | lex.speech_nouns


def paragraphs(text: str) -> list[tuple[int, str]]:
    """(offset, line) of each line of `text` with a word in it: the unit the model parses."""
    return [(m.start(), m.group()) for m in _LINE.finditer(text) if _WORDISH.search(m.group())]


def attributions_in_doc(
    doc: Doc, base: int, model: AttributionModel, lemmas: frozenset[str]
) -> list[Attribution]:
    """The attributions of one parsed paragraph, offsets shifted by `base`."""
    if len(doc) == 0:
        return []
    quotes = quote_depth(doc)
    cue_logp = model.cue.log_proba([cue_features(t, quotes, lemmas) for t in doc])
    cue_logp[:, 1:] += CUE_BIAS
    labels = viterbi_bio(cue_logp)
    out: list[Attribution] = []
    for run in cue_spans(labels):
        site = cue_site(doc, run)
        rows = list(role_features(site, quotes))
        if not rows:
            continue
        logp = model.role.log_proba([f for _, f in rows])
        best = logp.argmax(axis=1)
        source_ids = [i for (i, _), k in zip(rows, best, strict=True) if k == 1]
        content_ids = [i for (i, _), k in zip(rows, best, strict=True) if k == 2]
        probs = np.exp(logp)
        p_source = {i: float(probs[n, 1]) for n, (i, _) in enumerate(rows)}
        p_content = {i: float(probs[n, 2]) for n, (i, _) in enumerate(rows)}
        content = _content_runs(doc, content_ids, p_content)
        if not content:
            continue
        sources = [r for r in _runs(doc, source_ids) if not all(doc[k].is_punct for k in r)]
        source = max(sources, key=lambda r: sum(p_source[k] for k in r)) if sources else None
        out.append(
            Attribution(
                source=(_char_span(doc, base, source),) if source else (),
                cue=(_char_span(doc, base, run),),
                content=tuple(_char_span(doc, base, r) for r in content),
            )
        )
    return out


def find_attributions(
    text: str,
    docs: Sequence[tuple[int, Doc]] | None = None,
    model: AttributionModel | None = None,
) -> list[Attribution]:
    """PolNeAR-style attributions of `text`, in text order.

    `docs` are (offset, Doc) of its paragraphs as `paragraphs` cuts them; they are
    parsed here when not given.
    """
    model = model or load_model()
    if docs is None:
        from storyline.annotate import english

        lines = paragraphs(text)
        docs = list(zip((o for o, _ in lines), english().pipe(t for _, t in lines), strict=True))
    lemmas = cue_lemmas()
    found = [a for base, doc in docs for a in attributions_in_doc(doc, base, model, lemmas)]
    return sorted(found, key=lambda a: a.cue[0])
