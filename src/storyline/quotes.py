"""Quotes stage: direct, partial and indirect quotations with their cue and speaker.

Three passes over one article:

1. marks: quotation marks are paired on the characters (every style: “ ” " « »
   „ “ ‘ ’, straight ' only where unambiguous), across paragraphs when a paragraph
   opens a quote and the next one re-opens it (the news convention), with a
   missing opening or closing mark repaired;
2. cues: speech verbs of data/quote_cues.toml and "according to" are found on the
   dependency parse, each with its subject and its content (the clause or object
   complement it governs);
3. attribution: a marked stretch that opens its sentence (or follows a colon or
   "said,") is a *direct* quote and takes the cue next to it; one embedded in the
   reporter's sentence is a *partial* quote when a cue (or a speech noun with its
   source, "Blinken's calls for 'unity'") governs it, and scare quotes or titles
   otherwise, which are dropped; a cue's clause is an *indirect* quote unless it is
   the direct quote itself.

Speakers are resolved by `storyline.speakers`. A partial quote inside reported
speech gives two records, the indirect statement and the partial wording.
Quotations inside reader comments get layer "comment" and never an article
speaker; reported speech without quotation marks is not taken from comments
(it is the commenter's own paraphrase or opinion).
"""

from __future__ import annotations

import tomllib
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from typing import Any

import regex

from storyline.annotate import english
from storyline.records import Article, Quote, Speaker
from storyline.speakers import (
    ArticleContext,
    Sentence,
    SpeakerLexicon,
    build_context,
    load_speaker_lexicon,
    mention_span,
    resolve,
    resolve_according,
)

Doc = Any  # spaCy objects are untyped (spacy is ignore_missing_imports in mypy)
Token = Any

# --- quotation marks ---------------------------------------------------------------------

OPENERS = frozenset("“„«‹")
CLOSERS = frozenset("”»›")
NEUTRAL = frozenset('"')
SINGLE_OPEN = frozenset("‘‚")
SINGLE_CLOSE = frozenset("’")
_ALL_DOUBLE = OPENERS | CLOSERS | NEUTRAL
_OPEN_BEFORE = frozenset(" \t\n\u00a0([{—–-/") | _ALL_DOUBLE | SINGLE_OPEN
# A single-quoted stretch longer than this is taken for two apostrophes, not a quote.
SINGLE_MAX_CHARS = 200
# A direct quote with no cue anywhere near and fewer words than this is a
# title or a scare quote that opens its sentence ("“Unity” was the word").
DIRECT_MIN_WORDS = 3
# How far (characters) an attribution may sit from the quote it attributes:
# "…,” Kremlin spokesman Dmitry Peskov told reporters on Monday." fits.
ATTRIBUTION_WINDOW = 160
_SENTENCE_END = regex.compile(r"[.!?…](?=[\s\"”’»]|$)|\n")
_WORD = regex.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph or a reader comment: [start, end) into the article text, with its layer."""

    start: int
    end: int
    layer: str = "article"


@dataclass(frozen=True, slots=True)
class Marked:
    """A stretch of text inside quotation marks. `start`/`end` exclude the marks."""

    start: int
    end: int
    open_pos: int | None  # None when the opening mark was missing
    close_pos: int | None  # None when the closing mark was missing
    block: int  # index of the block the quote opens in
    single: bool = False


def _can_open(text: str, i: int, lo: int) -> bool:
    nxt = text[i + 1] if i + 1 < len(text) else " "
    prev = text[i - 1] if i > lo else " "
    return not nxt.isspace() and (prev in _OPEN_BEFORE or prev.isspace())


def _can_close(text: str, i: int, lo: int, hi: int) -> bool:
    prev = text[i - 1] if i > lo else " "
    nxt = text[i + 1] if i + 1 < hi else " "
    return not prev.isspace() and not nxt.isalnum()


def _scan_double(
    text: str, lo: int, hi: int, open_at: int | None = None
) -> tuple[list[tuple[int, int]], int | None, list[int]]:
    """Pair double marks in text[lo:hi], starting inside a quote when `open_at` is given.

    Returns closed pairs (open, close), the position of a quote left open at the
    end (or None), and the positions of closing marks that had no opening mark.
    """
    pairs: list[tuple[int, int]] = []
    orphans: list[int] = []
    for i in range(lo, hi):
        ch = text[i]
        if ch not in _ALL_DOUBLE:
            continue
        if open_at is None:
            if ch in CLOSERS or (ch in NEUTRAL and not _can_open(text, i, lo)):
                orphans.append(i)
            elif ch in OPENERS and not _can_open(text, i, lo) and _can_close(text, i, lo, hi):
                orphans.append(i)  # “ used as a closing mark ("… anywhere. “")
            else:
                open_at = i
            continue
        # Inside a quote: a closing or neutral mark closes; so does an opening
        # mark that is not followed by a word (German „…“, or a stray “ at the end).
        if ch in CLOSERS or ch in NEUTRAL or not _can_open(text, i, lo):
            pairs.append((open_at, i))
            open_at = None
        else:
            # A new opening mark with the old one unclosed: the closing mark is
            # missing; end the old quote before it and start a new one.
            pairs.append((open_at, _rstrip(text, open_at, i)))
            open_at = i
    return pairs, open_at, orphans


def _scan_single(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Pair single marks (‘ ’, straight ') where they cannot be apostrophes."""
    pairs: list[tuple[int, int]] = []
    open_at: int | None = None
    open_ch = ""
    for i in range(lo, hi):
        ch = text[i]
        if ch not in SINGLE_OPEN and ch not in SINGLE_CLOSE and ch != "'":
            continue
        prev = text[i - 1] if i > lo else " "
        if open_at is None:
            if (
                (ch in SINGLE_OPEN or ch == "'")
                and _can_open(text, i, lo)
                and (prev.isspace() or prev in _OPEN_BEFORE)
            ):
                open_at, open_ch = i, ch
            continue
        if i - open_at > SINGLE_MAX_CHARS:
            open_at = None
            continue
        closes = ch == "'" if open_ch == "'" else ch in SINGLE_CLOSE
        if closes and _can_close(text, i, lo, hi):
            pairs.append((open_at, i))
            open_at = None
    return pairs


def scan_marks(text: str, blocks: Sequence[Block], cue_words: regex.Pattern[str]) -> list[Marked]:
    """Every quoted stretch of the blocks, repaired where a mark is missing.

    A quote still open at the end of a block continues when the next block of the
    same layer opens with a quotation mark (that mark is the repeat, not a new
    quote); otherwise it ends with its block. A closing mark with no opening mark
    starts its quote at the start of the block, unless a speech verb stands
    between the two: then the mark is a stray one after reported speech.
    """
    found: list[Marked] = []
    carry: tuple[int, int] | None = None  # (content start, block index) of an open quote
    for b, block in enumerate(blocks):
        lo, hi = block.start, block.end
        while lo < hi and text[lo].isspace():
            lo += 1
        if carry is not None and not (
            blocks[carry[1]].layer == block.layer and lo < hi and text[lo] in OPENERS | NEUTRAL
        ):
            prev = blocks[b - 1]
            found.append(Marked(carry[0], _rstrip(text, carry[0], prev.end), None, None, carry[1]))
            carry = None
        if carry is not None:
            # The paragraph re-opens the running quote: skip its repeated mark.
            pairs, left_open, orphans = _scan_double(text, lo + 1, hi, open_at=-1)
        else:
            pairs, left_open, orphans = _scan_double(text, lo, hi)
        for o, c in pairs:
            if o == -1 and carry is not None:
                found.append(Marked(carry[0], c, None, c, carry[1]))
                carry = None
            else:
                found.append(Marked(o + 1, c, o, c, b))
        if left_open is not None and left_open != -1:
            carry = (left_open + 1, b)
        for o in orphans:
            if _opens_block(text, lo, o, hi, cue_words):
                found.append(Marked(lo, o, None, o, b))
        for o, c in _scan_single(text, lo, hi):
            if not any(m.start <= o < m.end for m in found):
                found.append(Marked(o + 1, c, o, c, b, single=True))
    if carry is not None:
        last = blocks[-1]
        found.append(Marked(carry[0], _rstrip(text, carry[0], last.end), None, None, carry[1]))
    found = [_trim(text, m) for m in found if _WORD.search(text, m.start, m.end)]
    found.sort(key=lambda m: m.start)
    return found


def _opens_block(text: str, lo: int, close: int, hi: int, cue_words: regex.Pattern[str]) -> bool:
    """Whether a closing mark with no opening mark ends a quote that opened its paragraph.

    It does when no other mark precedes it in the paragraph and an attribution
    follows it in its sentence ('... with Russia” in the next weeks, he added.');
    a mark after reported speech with nothing after it is a stray one.
    """
    before = text[lo:close]
    if not before.strip() or any(ch in _ALL_DOUBLE for ch in before):
        return False
    stop = _SENTENCE_END.search(text, close + 1, hi)
    after = text[close + 1 : stop.start() if stop else hi]
    return bool(cue_words.search(after))


def _trim(text: str, m: Marked) -> Marked:
    start, end = m.start, m.end
    while start < end and text[start].isspace():
        start += 1
    return replace(m, start=start, end=_rstrip(text, start, end))


def _rstrip(text: str, lo: int, hi: int) -> int:
    while hi > lo and text[hi - 1].isspace():
        hi -= 1
    return hi


# --- cue lexicon ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CueLexicon:
    """Cue word lists of data/quote_cues.toml."""

    clausal: frozenset[str]
    objective: frozenset[str]
    belief: frozenset[str]
    content_preps: frozenset[str]
    speech_nouns: frozenset[str]
    surface: regex.Pattern[str]  # any inflected form of a cue verb, for cheap checks


@lru_cache(maxsize=1)
def load_cue_lexicon() -> CueLexicon:
    """Read the cue lists once per process."""
    data = tomllib.loads(
        resources.files("storyline").joinpath("data/quote_cues.toml").read_text("utf-8")
    )
    verbs = data["verbs"]
    clausal = frozenset(verbs["clausal"])
    objective = frozenset(verbs["object"])
    # Our own stem pattern instead of a morphological generator: the lemmas are
    # regular enough that "stem + any ending" finds said/says/told/added/urging.
    stems = sorted({_stem(v) for v in clausal | objective} | {"said", "told", "according"})
    surface = regex.compile(r"\b(?:" + "|".join(map(regex.escape, stems)) + r")\w*", regex.I)
    return CueLexicon(
        clausal=clausal,
        objective=objective,
        belief=frozenset(verbs["belief"]),
        content_preps=frozenset(verbs["content_preps"]),
        speech_nouns=frozenset(data["nouns"]["speech"]),
        surface=surface,
    )


def _stem(lemma: str) -> str:
    return lemma[:-1] if lemma.endswith("e") and len(lemma) > 3 else lemma


# --- parsed text ----------------------------------------------------------------------------


@dataclass(slots=True)
class Parsed:
    """The parsed pieces of one article: (absolute offset, Doc), in text order."""

    pieces: list[tuple[int, Doc]]
    _bases: list[int]
    _sents: list[Sentence]
    _sent_starts: list[int]

    @classmethod
    def of(cls, pieces: list[tuple[int, Doc]]) -> Parsed:
        pieces.sort(key=lambda p: p[0])
        # Sentences listed once: Doc.sents is rebuilt on every access.
        sents = [Sentence(sent, base) for base, doc in pieces for sent in doc.sents]
        return cls(pieces, [p[0] for p in pieces], sents, [s.start for s in sents])

    def piece_at(self, pos: int) -> tuple[int, Doc] | None:
        i = bisect_right(self._bases, pos) - 1
        if i < 0:
            return None
        base, doc = self.pieces[i]
        return (base, doc) if pos <= base + len(doc.text) else None

    def tokens(self, start: int, end: int) -> tuple[int, list[Token]]:
        """Tokens whose start lies in [start, end), with their Doc's base."""
        piece = self.piece_at(start)
        if piece is None:
            return 0, []
        base, doc = piece
        span = doc.char_span(
            start - base, min(end, base + len(doc.text)) - base, alignment_mode="expand"
        )
        if span is None:
            return base, []
        return base, [t for t in span if start <= base + t.idx < end]

    def sentences(self, lo: int, hi: int) -> list[Sentence]:
        """Sentences that start in [lo, hi)."""
        i = bisect_right(self._sent_starts, lo - 1)
        j = bisect_right(self._sent_starts, hi - 1)
        return self._sents[i:j]


@dataclass(slots=True)
class Cue:
    """A speech verb (or "according to") with its subject and content, absolute offsets."""

    token: Token
    base: int
    start: int
    end: int
    subject: Token | None
    content: tuple[int, int] | None
    according: bool = False


def subject_of(verb: Token, quoted: Callable[[Token], bool] = lambda t: False) -> Token | None:
    """The active subject of a verb, inherited through "saying", "and said", "to say".

    A participle set off by a comma at the end of a sentence ("..., noting that",
    "..., adding") reports for the subject of the main clause, whatever verb the
    parser hangs it on. A subject inside quotation marks belongs to the quote.
    """
    trailing = verb.i > 0 and verb.doc[verb.i - 1].text == ","
    if verb.tag_ == "VBG" and verb.dep_ == "advcl" and trailing and verb.sent.root is not verb:
        main = subject_of(verb.sent.root, quoted)
        if main is not None:
            return main
    for _ in range(6):
        for child in verb.children:
            if child.dep_ == "nsubj" and not quoted(child):
                return child
        if verb.dep_ in ("advcl", "xcomp", "conj", "pcomp") and verb.head is not verb:
            verb = verb.head
            continue
        return None
    return None


def _span_of(tokens: Iterable[Token], base: int) -> tuple[int, int] | None:
    toks = sorted(tokens, key=lambda t: t.i)
    # "that" and a leading conjunction are not content; "if" (a condition) is.
    while toks and (
        toks[0].is_punct or (toks[0].dep_ in ("mark", "cc") and toks[0].lower_ != "if")
    ):
        toks.pop(0)
    while toks and ((toks[-1].is_punct and toks[-1].text not in '”’"»') or toks[-1].dep_ == "cc"):
        toks.pop()
    if not toks:
        return None
    return base + toks[0].idx, base + toks[-1].idx + len(toks[-1].text)


def _subtree_range(tokens: Iterable[Token]) -> list[Token]:
    toks = list(tokens)
    lo = min(t.left_edge.i for t in toks)
    hi = max(t.right_edge.i for t in toks)
    return list(toks[0].doc[lo : hi + 1])


def _content(verb: Token, lex: CueLexicon) -> list[Token]:
    """What a cue verb reports: its clause, or its object and the complement after it."""
    lemma = verb.lemma_.lower()
    ccomp = [c for c in verb.children if c.dep_ == "ccomp"]
    if ccomp:
        return _subtree_range(ccomp)
    if lemma not in lex.objective or lemma in lex.belief:
        return []
    parts: list[Token] = []
    has_x = any(c.dep_ in ("xcomp", "oprd") for c in verb.children)
    particles = {c.lower_ for c in verb.children if c.dep_ == "prt"}
    if lemma in ("rule", "point") and "out" not in particles:
        return []
    for c in verb.children:
        if c.dep_ in ("xcomp", "oprd"):
            parts.append(c)
        elif c.dep_ == "dobj" and c.i > verb.i:
            # "told MEPs" names the audience, not what was said, unless a
            # complement follows ("urged states to ...", "called it a ...").
            if (
                lemma in ("tell", "ask", "invite", "encourage", "urge", "advise", "call")
                and not has_x
            ):
                continue
            if c.pos_ == "PRON" and not has_x:
                continue
            parts.append(c)
        elif c.dep_ == "prep" and c.lower_ in lex.content_preps and c.i > verb.i:
            if lemma == "call" and c.lower_ not in ("for", "on"):
                continue
            parts.append(c)
    if lemma == "call" and not parts:
        return []
    return _subtree_range(parts) if parts else []


def find_cues(
    parsed: Parsed, lo: int, hi: int, marked: Sequence[Marked], lex: CueLexicon
) -> list[Cue]:
    """Speech verbs and "according to" phrases of text[lo:hi] outside quotation marks."""
    cues: list[Cue] = []
    spans = sorted((m.start, m.end) for m in marked)

    span_starts = [s for s, _ in spans]

    def inside(p: int) -> bool:
        k = bisect_right(span_starts, p) - 1
        return any(spans[i][0] <= p < spans[i][1] for i in range(max(0, k - 3), k + 1))

    def quoted(t: Token) -> bool:
        return inside(base + t.idx)

    for sent in parsed.sentences(lo, hi):
        base = sent.base
        for tok in sent.span:
            pos = base + tok.idx
            if inside(pos):
                continue
            lemma = tok.lemma_.lower()
            if tok.lower_ == "according":
                to = [c for c in tok.children if c.lower_ == "to"]
                pobj = [c for c in to[0].children if c.dep_ == "pobj"] if to else []
                if not pobj:
                    continue
                phrase = list(tok.subtree)
                head = tok.head
                rest = (
                    [t for t in sent.span if t not in phrase]
                    if head is tok
                    else [t for t in head.subtree if t not in phrase]
                )
                content = _longest_run(rest)
                cues.append(
                    Cue(
                        tok,
                        base,
                        pos,
                        base + to[0].idx + len(to[0].text),
                        pobj[0],
                        _span_of(content, base),
                        according=True,
                    )
                )
                continue
            if tok.pos_ == "NOUN" and lemma in lex.speech_nouns:
                noun_cue = _speech_noun_cue(tok, base, pos, quoted)
                if noun_cue is not None:
                    cues.append(noun_cue)
                continue
            if tok.pos_ != "VERB" or not (lemma in lex.clausal or lemma in lex.objective):
                continue
            if any(c.dep_ in ("nsubjpass", "auxpass") for c in tok.children):
                continue  # "was told", "is said to": the subject is not the speaker
            content = _content(tok, lex)
            cues.append(
                Cue(
                    tok,
                    base,
                    pos,
                    pos + len(tok.text),
                    subject_of(tok, quoted),
                    _span_of(content, base) if content else None,
                )
            )
    return cues


def _speech_noun_cue(
    noun: Token, base: int, pos: int, quoted: Callable[[Token], bool]
) -> Cue | None:
    """Reported speech carried by a speech noun and its "that" clause, with an owner.

    "Blinken repeated warnings that Russia would face sanctions", "Moscow's claim that
    ...": the clause is what was said, the owner (possessor, "from"/"by" phrase, a
    named entity attached to the noun, or the subject of the verb the noun is the
    object of) who said it. The small parser often mistags the verb in these
    sentences, so the owner is also looked for among the noun's own dependents.
    """
    clause = next(
        (
            c
            for c in noun.children
            if c.dep_ in ("acl", "ccomp", "relcl")
            and any(g.dep_ == "mark" and g.lower_ == "that" for g in c.children)
        ),
        None,
    )
    if clause is None or quoted(clause):
        return None
    owner = _noun_source(noun)
    if owner is None:
        owner = next(
            (
                c
                for c in noun.children
                if c.i < noun.i and c.ent_type_ in ("PERSON", "ORG", "GPE", "NORP")
            ),
            None,
        )
    if owner is None and noun.dep_ == "dobj":
        owner = next((c for c in noun.head.children if c.dep_ == "nsubj"), None)
    if owner is None:
        return None
    return Cue(noun, base, pos, pos + len(noun.text), owner, _span_of(list(clause.subtree), base))


def _longest_run(tokens: list[Token]) -> list[Token]:
    """The longest run of consecutive tokens (the clause around an "according to" aside)."""
    runs: list[list[Token]] = []
    for t in sorted(tokens, key=lambda t: t.i):
        if runs and runs[-1][-1].i == t.i - 1:
            runs[-1].append(t)
        else:
            runs.append([t])
    return max(runs, key=len) if runs else []


# --- attribution -------------------------------------------------------------------------


@dataclass(slots=True)
class Draft:
    """A quote before its speaker is resolved."""

    start: int
    end: int
    kind: str
    layer: str
    block: int
    cue: Cue | None = None
    speaker_head: Token | None = None  # subject token, resolved later
    speaker_base: int = 0
    noun_source: bool = False  # speaker found through a speech noun


def _starts_sentence(text: str, m: Marked, block: Block, parsed: Parsed, lex: CueLexicon) -> bool:
    """Direct-quote frame: the quote opens its sentence, or follows a colon or "said,"."""
    if m.open_pos is None:
        return True
    before = text[block.start : m.open_pos].rstrip()
    if not before:
        return True
    last = before[-1]
    if last in ".!?:…" or last in CLOSERS or last in NEUTRAL or last == "“":
        return True
    if last == ",":
        _, toks = parsed.tokens(max(block.start, m.open_pos - 40), m.open_pos)
        words = [t for t in toks if not t.is_punct]
        if words and words[-1].pos_ == "VERB" and words[-1].lemma_.lower() in lex.clausal:
            return True
    return False


def _attribution_cue(
    text: str, m: Marked, cues: Sequence[Cue], block: Block, end_block: Block
) -> Cue | None:
    """The speech verb next to a direct quote: after its closing mark or before its opening."""
    best: tuple[int, Cue] | None = None
    after_lo = m.close_pos + 1 if m.close_pos is not None else m.end
    limit = min(end_block.end, after_lo + ATTRIBUTION_WINDOW)
    stop = _SENTENCE_END.search(text, after_lo, limit)
    after_hi = stop.end() if stop else limit
    for quote_char in _ALL_DOUBLE:
        q = text.find(quote_char, after_lo, after_hi)
        if q != -1:
            after_hi = q
    before_hi = m.open_pos if m.open_pos is not None else m.start
    before_lo = max(block.start, before_hi - ATTRIBUTION_WINDOW)
    for match in _SENTENCE_END.finditer(text, before_lo, max(before_lo, before_hi - 1)):
        before_lo = match.end()
    for cue in cues:
        if cue.according:
            continue
        if after_lo <= cue.start < after_hi:
            dist = cue.start - after_lo
        elif before_lo <= cue.start < before_hi:
            dist = before_hi - cue.end
        else:
            continue
        if cue.subject is None:
            dist += ATTRIBUTION_WINDOW
        if best is None or dist < best[0]:
            best = (dist, cue)
    return best[1] if best else None


def _governing(parsed: Parsed, m: Marked, cues: Sequence[Cue], lex: CueLexicon) -> Draft | None:
    """The cue (or speech noun with its source) that governs a quote in running text."""
    base, toks = parsed.tokens(m.start, m.end)
    if not toks:
        return None
    inside = {t.i for t in toks}
    roots = [t for t in toks if t.head.i not in inside or t.head is t]
    by_token = {(c.base, c.token.i): c for c in cues}
    for root in roots[:1]:
        a = root
        for _ in range(40):
            if a.head is a:
                break
            a = a.head
            cue = by_token.get((base, a.i))
            if cue is not None:
                # "repeating a plea from Blinken to avoid '...'": the plea's source speaks.
                for obj in a.children:
                    if obj.dep_ == "dobj" and obj.lemma_.lower() in lex.speech_nouns:
                        source = _noun_source(obj) or _noun_source(a, poss=False)
                        if source is not None:
                            return _noun_draft(m, obj, source, base)
            if cue is not None and cue.subject is not None:
                return Draft(m.start, m.end, "partial", "", m.block, cue, cue.subject, base)
            for child in a.children:
                according = by_token.get((base, child.i))
                if according is not None and according.according:
                    return Draft(
                        m.start, m.end, "partial", "", m.block, according, according.subject, base
                    )
            if a.pos_ == "NOUN" and a.lemma_.lower() in lex.speech_nouns:
                source = _noun_source(a)
                if source is not None:
                    return _noun_draft(m, a, source, base)
    # The parser may hang the quote off another verb ("..., provided talks were
    # 'beneficial'"); in a sentence that reports speech, the quoted words are the
    # speaker's: take the nearest cue before the quote in its sentence.
    sent = toks[0].sent
    before = [
        c
        for c in cues
        if c.base == base
        and sent.start <= c.token.i < toks[0].i
        and c.subject is not None
        and not c.according
    ]
    if before:
        cue = before[-1]
        return Draft(m.start, m.end, "partial", "", m.block, cue, cue.subject, base)
    return None


def _noun_draft(m: Marked, noun: Token, source: Token, base: int) -> Draft:
    start = base + noun.idx
    cue = Cue(noun, base, start, start + len(noun.text), source, None)
    return Draft(m.start, m.end, "partial", "", m.block, cue, source, base, noun_source=True)


def _noun_source(noun: Token, poss: bool = True) -> Token | None:
    """Who a speech noun belongs to: "Blinken's calls", "a plea from Blinken", "US calls".

    With `poss` False only a "from"/"by" phrase counts (it may hang on the verb:
    "repeating a plea from Blinken").
    """
    for child in noun.children:
        if not poss and child.dep_ != "prep":
            continue
        if child.dep_ == "poss":
            return child
        if child.dep_ == "prep" and child.lower_ in ("from", "by"):
            for grand in child.children:
                if grand.dep_ == "pobj":
                    return grand
        if child.dep_ == "compound" and child.ent_type_ in ("PERSON", "ORG", "GPE", "NORP"):
            return child
    return None


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _drafts(
    text: str, blocks: Sequence[Block], parsed: Parsed, lex: CueLexicon
) -> tuple[list[Draft], list[Cue]]:
    marked = scan_marks(text, blocks, lex.surface)
    cues = find_cues(parsed, 0, len(text) + 1, marked, lex)
    drafts: list[Draft] = []
    used_cues: set[int] = set()
    block_starts = [b.start for b in blocks]
    for m in marked:
        block = blocks[m.block]
        words = len(_WORD.findall(text, m.start, m.end))
        direct = _starts_sentence(text, m, block, parsed, lex) and (
            words >= DIRECT_MIN_WORDS or (m.single is False and m.open_pos is None)
        )
        if direct:
            # The attribution follows the closing mark, maybe paragraphs later.
            end_block = blocks[max(0, bisect_right(block_starts, m.end) - 1)]
            cue = _attribution_cue(text, m, cues, block, end_block)
            if cue is not None:
                used_cues.add(id(cue))
            drafts.append(
                Draft(
                    m.start,
                    m.end,
                    "direct",
                    block.layer,
                    m.block,
                    cue,
                    cue.subject if cue else None,
                    cue.base if cue else 0,
                )
            )
            continue
        governed = _governing(parsed, m, cues, lex)
        if governed is not None:
            governed.layer = block.layer
            drafts.append(governed)
    directs = [(d.start, d.end) for d in drafts if d.kind == "direct"]
    for cue in cues:
        if cue.content is None or id(cue) in used_cues or cue.subject is None:
            continue
        c = cue.content
        if any(
            _overlap(c, d) * 2 >= (c[1] - c[0]) or _overlap(c, d) * 2 >= d[1] - d[0]
            for d in directs
        ):
            continue
        if any(m.start <= c[0] and c[1] <= m.end for m in marked):
            continue  # the clause is the inside of a quotation, cut by the sentence splitter
        b = max(0, bisect_right(block_starts, cue.start) - 1)
        if blocks[b].layer != "article":
            continue
        drafts.append(Draft(c[0], c[1], "indirect", "article", b, cue, cue.subject, cue.base))
    drafts.sort(key=lambda d: (d.start, d.kind))
    return drafts, cues


def _resolve_all(
    article_id: str, text: str, drafts: list[Draft], ctx: ArticleContext, slex: SpeakerLexicon
) -> list[Quote]:
    """Resolve speakers in text order (pronouns look back at earlier speakers)."""

    def position(i: int) -> int:
        head = drafts[i].speaker_head
        return int(drafts[i].speaker_base + head.idx) if head is not None else drafts[i].start

    order = sorted(
        range(len(drafts)),
        key=position,
    )
    speakers: dict[int, Speaker | None] = {}
    for i in order:
        d = drafts[i]
        if d.layer == "comment":
            head = d.speaker_head
            s, e = (None, None)
            if head is not None:
                s, e, _ = mention_span(head, d.speaker_base)
            speakers[i] = Speaker(None, None, False, s, e, "comment")
            continue
        if d.speaker_head is None:
            speakers[i] = None
            continue
        if d.cue is not None and d.cue.according:
            spk = resolve_according(d.speaker_head, d.speaker_base, ctx, slex)
        else:
            spk = resolve(d.speaker_head, d.speaker_base, ctx, slex)
        speakers[i] = spk
        if spk.start is not None:
            ctx.spoken.append((spk.start, spk))
            ctx.spoken.sort(key=lambda p: p[0])
    # A direct quote with no cue of its own continues the speaker of the quote
    # next to it in its paragraph ("X," he said. "Y."), else of the paragraph before.
    for i, d in enumerate(drafts):
        if speakers[i] is not None or d.layer == "comment":
            continue
        speakers[i] = _inherit(i, drafts, speakers)
    quotes: list[Quote] = []
    for i, d in enumerate(drafts):
        cue = d.cue
        spk = speakers[i] or Speaker(None, None, False, None, None, "unresolved")
        cue_text = text[cue.start : cue.end] if cue is not None else None
        quotes.append(
            Quote(
                article_id=article_id,
                text=text[d.start : d.end],
                start=d.start,
                end=d.end,
                kind=d.kind,
                cue=cue_text,
                cue_start=cue.start if cue else None,
                cue_end=cue.end if cue else None,
                speaker=spk,
                layer=d.layer,
            )
        )
    return quotes


def _inherit(i: int, drafts: list[Draft], speakers: dict[int, Speaker | None]) -> Speaker | None:
    d = drafts[i]
    quoted = [j for j, o in enumerate(drafts) if o.kind != "indirect" and j != i]
    same = [j for j in quoted if drafts[j].block == d.block and speakers.get(j) is not None]
    before = [j for j in same if drafts[j].start < d.start]
    if before:
        src = before[-1]
    else:
        after = [j for j in same if drafts[j].start > d.start]
        prev = [
            j
            for j, o in enumerate(drafts)
            if o.block == d.block - 1 and o.layer == d.layer and speakers.get(j) is not None
        ]
        if after:
            src = after[0]
        elif prev:
            src = max(prev, key=lambda j: drafts[j].start)
        else:
            return None
    drafts[i].cue = drafts[src].cue
    return speakers[src]


# --- entry points ----------------------------------------------------------------------------


def _blocks_of(text: str, comments: Sequence[tuple[int, int]]) -> list[Block]:
    """Paragraph blocks (split on line breaks) outside comments, plus one block per comment."""
    blocks: list[Block] = []
    cuts = sorted(comments)
    cursor = 0
    regions: list[tuple[int, int, str]] = []
    for s, e in cuts:
        if s > cursor:
            regions.append((cursor, s, "article"))
        regions.append((s, e, "comment"))
        cursor = max(cursor, e)
    if cursor < len(text):
        regions.append((cursor, len(text), "article"))
    for lo, hi, layer in regions:
        for m in regex.finditer(r"[^\n]+", text[lo:hi]):
            if m.group().strip():
                blocks.append(Block(lo + m.start(), lo + m.end(), layer))
    return blocks


def _parse(text: str, blocks: Sequence[Block], doc: Doc | None) -> Parsed:
    if doc is not None:
        return Parsed.of([(0, doc)])
    nlp = english()
    todo = [b for b in blocks if _WORD.search(text, b.start, b.end)]
    docs = nlp.pipe(text[b.start : b.end] for b in todo)
    return Parsed.of([(b.start, d) for b, d in zip(todo, docs, strict=True)])


def find_quotes_in_blocks(
    article_id: str, text: str, blocks: Sequence[Block], doc: Doc | None = None
) -> list[Quote]:
    """Quotes of the given blocks of `text` (paragraphs and comments, in text order)."""
    blocks = sorted(blocks, key=lambda b: b.start)
    if not blocks:
        return []
    lex = load_cue_lexicon()
    slex = load_speaker_lexicon()
    parsed = _parse(text, blocks, doc)
    drafts, _cues = _drafts(text, blocks, parsed, lex)
    article_sents = [
        s for b in blocks if b.layer == "article" for s in parsed.sentences(b.start, b.end)
    ]
    seen: set[int] = set()
    unique = []
    for s in article_sents:
        if s.start not in seen:
            seen.add(s.start)
            unique.append(s)
    ctx = build_context(unique)
    return _resolve_all(article_id, text, drafts, ctx, slex)


def find_quotes(
    article_id: str,
    text: str,
    comments: Sequence[tuple[int, int]] = (),
    doc: Doc | None = None,
) -> list[Quote]:
    """Direct, partial and indirect quotations of `text`, offsets into `text`.

    `comments` are the [start, end) ranges of reader comments: quotations there get
    layer "comment" and no article speaker. `doc`, when given, is a spaCy Doc of
    the whole text and saves parsing it again.
    """
    return find_quotes_in_blocks(article_id, text, _blocks_of(text, comments), doc)


def quotes_for_article(article: Article) -> list[Quote]:
    """Quotes of an article's body paragraphs and reader comments (never its boilerplate)."""
    blocks = [Block(p.text_start, p.text_end, "article") for p in article.paragraphs]
    blocks += [Block(c.start, c.end, "comment") for c in article.comments]
    return find_quotes_in_blocks(article.id, article.text, blocks)
