"""Speaker resolution: who an attribution's subject is, as the article names them.

No coreference model installs offline, so speakers are resolved by rules on the
dependency parse and the entities of one article:

- a named subject ("Macron", "Russia's Foreign Ministry") takes the fullest form
  of the name the article gives ("Emmanuel Macron");
- a pronoun ("he said") takes the nearest preceding person, preferring one who
  speaks or is a subject in the sentences just before;
- a definite title ("the French president", "the Kremlin spokesman") takes the
  person the article gives that title to ("French President Emmanuel Macron",
  "Peskov, the Kremlin spokesman");
- an unnamed source ("one EU official", "EU diplomats", "a Kremlin spokesman")
  stays anonymous, with the affiliation the article gives as its description.
"""

from __future__ import annotations

import tomllib
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import Any

from storyline.records import Speaker

# spaCy objects are untyped (spacy is ignore_missing_imports in mypy).
Token = Any
Span = Any

PERSON_PRONOUNS = frozenset({"he", "she", "him", "her"})
GROUP_PRONOUNS = frozenset({"they", "them"})
NAMED_LABELS = frozenset({"PERSON", "ORG", "NORP", "GPE", "FAC"})
# Pronoun antecedents are looked for this many sentences back; news writing
# re-names a speaker within a paragraph or two.
PRONOUN_WINDOW_SENTENCES = 4
_CUT_DEPS = frozenset({"relcl", "acl", "advcl", "prep", "cc", "conj"})
_KEEP_PREPS = frozenset({"of"})  # "the secretary of state", "one of the officials"


@dataclass(frozen=True, slots=True)
class SpeakerLexicon:
    """Word lists of data/quote_cues.toml that speaker resolution needs."""

    anonymous: frozenset[str]
    titles: frozenset[str]
    partitive: frozenset[str]


@lru_cache(maxsize=1)
def load_speaker_lexicon() -> SpeakerLexicon:
    """Read the speaker lists once per process."""
    data = tomllib.loads(
        resources.files("storyline").joinpath("data/quote_cues.toml").read_text("utf-8")
    )
    spk = data["speakers"]
    return SpeakerLexicon(
        anonymous=frozenset(spk["anonymous"]),
        titles=frozenset(spk["titles"]),
        partitive=frozenset(spk["partitive"]),
    )


@dataclass(slots=True)
class PersonMention:
    """A PERSON entity of the article with the title words the article gives it."""

    start: int
    end: int
    name: str
    subject: bool
    roles: frozenset[str]


@dataclass(slots=True)
class Sentence:
    """A parsed sentence with the absolute offset of its Doc in the article text."""

    span: Span
    base: int

    @property
    def start(self) -> int:
        return int(self.base + self.span.start_char)

    @property
    def end(self) -> int:
        return int(self.base + self.span.end_char)


@dataclass(slots=True)
class ArticleContext:
    """What resolution knows of one article: its sentences, people and speakers so far."""

    sentences: list[Sentence]
    persons: list[PersonMention]
    names: list[str]  # every PERSON name, for expanding "Macron" to "Emmanuel Macron"
    spoken: list[tuple[int, Speaker]] = field(default_factory=list)  # (mention start, speaker)
    _starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._starts = [s.start for s in self.sentences]

    def sentence_index(self, pos: int) -> int:
        return max(0, bisect_right(self._starts, pos) - 1)


def clean_name(text: str) -> str:
    """A name without possessive ending, brackets or surrounding punctuation."""
    text = text.replace("[", "").replace("]", "").strip(" ,.;:\"“”'‘’")
    for suffix in ("’s", "'s", "’", "'"):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
    return " ".join(text.split())


def _np_tokens(head: Token, conj: bool = False) -> list[Token]:
    """The tokens of the noun phrase headed by `head`, without relative clauses and asides.

    Appositions are kept ("Peskov, the Kremlin spokesman") because they are part of
    the mention as written; relative clauses ("who has called for ...") are not.
    """
    keep = [head]
    for child in head.children:
        if conj and child.dep_ in ("cc", "conj"):
            keep.extend(t for t in child.subtree if t.dep_ not in ("relcl", "acl"))
            continue
        if child.dep_ in _CUT_DEPS and not (child.dep_ == "prep" and child.lower_ in _KEEP_PREPS):
            continue
        keep.extend(child.subtree)
    keep.sort(key=lambda t: t.i)
    # Keep the contiguous run around the head so a cut clause never leaves a hole.
    lo = hi = keep.index(head)
    while lo > 0 and keep[lo - 1].i == keep[lo].i - 1:
        lo -= 1
    while hi + 1 < len(keep) and keep[hi + 1].i == keep[hi].i + 1:
        hi += 1
    run = keep[lo : hi + 1]
    while run and (run[-1].is_punct or run[-1].dep_ == "case") and run[-1] is not head:
        run.pop()
    while run and run[0].is_punct and run[0] is not head:
        run.pop(0)
    return run


def mention_span(head: Token, base: int, conj: bool = False) -> tuple[int, int, str]:
    """Absolute [start, end) and text of the noun phrase headed by `head`."""
    toks = _np_tokens(head, conj)
    doc = head.doc
    s = toks[0].idx
    e = toks[-1].idx + len(toks[-1].text)
    return base + s, base + e, doc.text[s:e]


def _role_words(ent: Span) -> frozenset[str]:
    """Title words the article gives a person: pre-modifiers and appositions."""
    root = ent.root
    words: set[str] = set()
    for tok in root.subtree:
        if tok.i < ent.start and not tok.is_punct and tok.pos_ != "DET":
            words.add(tok.lemma_.lower())
    for child in root.children:
        if child.dep_ == "appos":
            words.update(t.lemma_.lower() for t in child.subtree if not t.is_punct)
    if root.dep_ == "appos":
        head = root.head
        words.update(
            t.lemma_.lower()
            for t in head.subtree
            if not t.is_punct and not (ent.start <= t.i < ent.end) and t.i < root.i
        )
    return frozenset(words)


def _is_subject(tok: Token) -> bool:
    while tok.dep_ in ("compound", "flat", "appos") and tok.head is not tok:
        tok = tok.head
    return bool(tok.dep_ in ("nsubj", "nsubjpass"))


def build_context(sentences: Sequence[Sentence]) -> ArticleContext:
    """Collect the article's PERSON mentions, with subject flag and title words."""
    persons: list[PersonMention] = []
    names: list[str] = []
    for sent in sentences:
        for ent in sent.span.ents:
            if ent.label_ != "PERSON":
                continue
            name = clean_name(ent.text)
            if not name:
                continue
            names.append(name)
            persons.append(
                PersonMention(
                    start=sent.base + ent.start_char,
                    end=sent.base + ent.end_char,
                    name=name,
                    subject=_is_subject(ent.root),
                    roles=_role_words(ent),
                )
            )
    return ArticleContext(sentences=list(sentences), persons=persons, names=names)


def full_name(name: str, ctx: ArticleContext) -> str:
    """The longest PERSON name of the article that ends like `name` and contains its words."""
    words = name.split()
    if not words:
        return name
    best = name
    for other in ctx.names:
        ow = other.split()
        if len(ow) > len(best.split()) and ow[-1] == words[-1] and set(words) <= set(ow):
            best = other
    return best


def _entity_of(tok: Token) -> Span | None:
    """The entity a token is in, found from its IOB tags (Doc.ents is rebuilt per access)."""
    if not tok.ent_type_:
        return None
    doc = tok.doc
    lo = tok.i
    while lo > 0 and doc[lo].ent_iob_ == "I":
        lo -= 1
    hi = tok.i + 1
    while hi < len(doc) and doc[hi].ent_iob_ == "I":
        hi += 1
    return _ent_span(doc, lo, hi, tok.ent_type_)


def _ent_span(doc: Any, lo: int, hi: int, label: str) -> Span:
    # Imported here so that importing storyline.speakers does not load spaCy.
    from spacy.tokens import Span as SpacySpan

    return SpacySpan(doc, lo, hi, label=label)


def resolve(
    head: Token, base: int, ctx: ArticleContext, lex: SpeakerLexicon, conj: bool = True
) -> Speaker:
    """Resolve the subject headed by `head` (a token of a Doc starting at `base`)."""
    if head.dep_ == "nsubj" and head.tag_ in ("WP", "WDT") and head.head.dep_ == "relcl":
        # "Macron, who has called for ..." speaks through the noun the clause modifies.
        return resolve(head.head.head, base, ctx, lex)
    conjuncts = [c for c in head.children if c.dep_ == "conj"] if conj else []
    if conjuncts:
        # "Macron and Meloni have called ...": both speak; names joined in text order.
        start, end, text = mention_span(head, base, conj=True)
        parts = [resolve(t, base, ctx, lex, conj=False) for t in [head, *conjuncts]]
        if all(p.name for p in parts) and all(p.resolved_by == "named" for p in parts):
            joined = " and ".join(p.name or "" for p in parts)
            return Speaker(joined, None, False, start, end, "named")
    start, end, text = mention_span(head, base)
    lower = head.lower_
    lemma = head.lemma_.lower()
    if lower in lex.partitive and not any(c.dep_ == "prep" for c in head.children):
        group = _antecedent_group(head, base, ctx, lex)
        desc = f"{lower} {group}" if group else text
        return Speaker(None, desc, True, start, end, "anonymous")
    if head.pos_ == "PRON" or lower in PERSON_PRONOUNS | GROUP_PRONOUNS:
        return _resolve_pronoun(head, start, end, text, ctx)
    named = _named(head, ctx)
    if named is not None:
        return Speaker(name=named, start=start, end=end, resolved_by="named")
    definite = any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in head.children)
    possessed = any(c.dep_ == "poss" for c in head.children)
    plural = head.tag_ in ("NNS", "NNPS")
    if lemma in lex.titles and (definite or possessed) and not plural:
        person = _by_title(head, start, ctx)
        if person is not None:
            return Speaker(person, text, False, start, end, "title")
    if lemma in lex.anonymous or lemma in lex.titles:
        return Speaker(None, text, True, start, end, "anonymous")
    return Speaker(None, text, False, start, end, "unresolved")


def resolve_according(head: Token, base: int, ctx: ArticleContext, lex: SpeakerLexicon) -> Speaker:
    """The source of "according to X": X itself, or the name inside it ("a readout from
    Borrell's team" names Borrell), with the whole phrase as description."""
    toks = list(head.subtree)
    start = base + toks[0].idx
    end = base + toks[-1].idx + len(toks[-1].text)
    text = head.doc.text[toks[0].idx : toks[-1].idx + len(toks[-1].text)]
    spk = resolve(head, base, ctx, lex)
    if spk.resolved_by in ("named", "title", "pronoun") or spk.anonymous:
        return replace(
            spk,
            start=start,
            end=end,
            description=spk.description or None,
            resolved_by="according-to" if spk.resolved_by == "named" else spk.resolved_by,
        )
    for tok in toks:
        name = _named(tok, ctx) if tok.ent_type_ in NAMED_LABELS or tok.pos_ == "PROPN" else None
        if name:
            return Speaker(name, text, False, start, end, "according-to")
    return Speaker(None, text, False, start, end, "unresolved")


def _named(head: Token, ctx: ArticleContext) -> str | None:
    """The name a subject phrase gives, if its head is (part of) a name."""
    ent = _entity_of(head)
    if ent is not None and ent.label_ in NAMED_LABELS:
        name = clean_name(ent.text)
        poss = [c for c in head.children if c.dep_ == "poss" and c.ent_type_ == "GPE"]
        if ent.label_ == "ORG" and poss and poss[0].i < ent.start:
            # "Russia's Foreign Ministry": the possessor says whose ministry it is.
            name = f"{clean_name(poss[0].text)}’s {name}"
        if ent.label_ == "PERSON" or head.pos_ == "PROPN" or len(name.split()) == 1:
            # A lone word that is the surname of a person the article names is that
            # person, whatever the small model labelled it ("Blinken" as a place).
            name = full_name(name, ctx)
        return name or None
    if head.pos_ == "PROPN":
        # A name the entity recognizer missed: the head and its proper-noun compounds.
        parts = [c for c in head.lefts if c.dep_ == "compound" and c.pos_ == "PROPN"]
        name = clean_name(" ".join(t.text for t in [*parts, head]))
        return full_name(name, ctx) if name else None
    return None


def _resolve_pronoun(head: Token, start: int, end: int, text: str, ctx: ArticleContext) -> Speaker:
    lower = head.lower_
    if lower in PERSON_PRONOUNS:
        name = _antecedent_person(start, ctx)
        if name is not None:
            return Speaker(name, None, False, start, end, "pronoun")
    elif lower in GROUP_PRONOUNS:
        # "they said" goes back to the last group that spoke, named or not.
        for pos, spk in reversed(ctx.spoken):
            if pos >= start:
                continue
            if spk.anonymous or (spk.name and spk.resolved_by == "named"):
                return Speaker(spk.name, spk.description, spk.anonymous, start, end, "pronoun")
            break
    return Speaker(None, text, False, start, end, "unresolved")


def _antecedent_person(pos: int, ctx: ArticleContext) -> str | None:
    """Nearest preceding person: a speaker first, then a subject, then any mention."""
    idx = ctx.sentence_index(pos)
    lo = ctx.sentences[max(0, idx - PRONOUN_WINDOW_SENTENCES)].start if ctx.sentences else 0
    for i in range(idx, max(-1, idx - PRONOUN_WINDOW_SENTENCES - 1), -1):
        if i < 0 or i >= len(ctx.sentences):
            continue
        s_start, s_end = ctx.sentences[i].start, min(ctx.sentences[i].end, pos)
        spoken = [
            spk.name
            for p, spk in ctx.spoken
            if s_start <= p < s_end and spk.name and not spk.anonymous and _is_person(spk, ctx)
        ]
        if spoken:
            return spoken[-1]
        here = [p for p in ctx.persons if s_start <= p.start < s_end]
        subjects = [p for p in here if p.subject]
        if subjects:
            return full_name(subjects[-1].name, ctx)
        if here:
            return full_name(here[-1].name, ctx)
    for p, spk in reversed(ctx.spoken):
        if lo > p and spk.name and _is_person(spk, ctx):
            return spk.name
    return None


def _is_person(spk: Speaker, ctx: ArticleContext) -> bool:
    return spk.name is not None and any(
        full_name(n, ctx) == spk.name or n == spk.name for n in ctx.names
    )


def _by_title(head: Token, pos: int, ctx: ArticleContext) -> str | None:
    """The person the article gives this title to, nearest before `pos` (else after)."""
    lemma = head.lemma_.lower()
    mods = {
        t.lemma_.lower()
        for t in head.subtree
        if t.i < head.i and t.pos_ not in ("DET", "PUNCT", "PART") and t.dep_ != "case"
    }
    best: tuple[int, int, str] | None = None
    for p in ctx.persons:
        if lemma not in p.roles:
            continue
        score = len(mods & p.roles)
        distance = pos - p.start if p.start < pos else 10**9 + p.start
        key = (score, -distance, p.name)
        if best is None or key[:2] > best[:2]:
            best = key
    return full_name(best[2], ctx) if best else None


def _antecedent_group(head: Token, base: int, ctx: ArticleContext, lex: SpeakerLexicon) -> str:
    """ "one" points back to a group: the nearest plural unnamed source before it."""
    pos = base + head.idx
    idx = ctx.sentence_index(pos)
    for i in range(idx, max(-1, idx - PRONOUN_WINDOW_SENTENCES - 1), -1):
        if i < 0 or i >= len(ctx.sentences):
            continue
        sent = ctx.sentences[i]
        for tok in reversed(list(sent.span)):
            if sent.base + tok.idx >= pos:
                continue
            if tok.tag_ == "NNS" and tok.lemma_.lower() in lex.anonymous:
                mods = [
                    c.text
                    for c in tok.lefts
                    if c.dep_ in ("compound", "amod", "nmod")
                    and (c.pos_ == "PROPN" or c.ent_type_ in NAMED_LABELS)
                ]
                return " ".join([*mods, tok.lemma_.lower()])
    return ""
