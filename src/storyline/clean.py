"""Clean: split an article's text into body, labelled set-aside spans and reader comments.

Text copied off a web page mixes the article with appeals, disclaimers, share
prompts, captions, menus and reader comments. Cleaning never deletes: every
non-blank character of the input ends up in exactly one of the body, a labelled
set-aside span, or a comment, with offsets into `Cleaned.text`.

The plain-text classifier works on lines, in four passes:

1. cues: each line is matched against the cue lists in `data/boilerplate.toml`;
2. comments: a comment-section header ("25 comments", "Leave a Reply") starts the
   reader-comment layer, split one comment per item;
3. context: short unlabelled lines between lines of one label take that label;
4. main text: the article is the densest run of prose lines; what lies outside
   it is navigation, and the headline is found just before it.

Passes 3 and 4 live in `storyline.layout`. The learned line model
(`storyline.linemodel`) is a second opinion: it vetoes context evidence
against lines it reads as article text and sets aside body lines it finds
unlike article text.

HTML goes through trafilatura first (`clean_html`), then through passes 1 and 3.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import regex

from storyline.captions import reads_as_scene
from storyline.comments import CommentSection, find_comment_section
from storyline.extract import HtmlMeta, extract_html
from storyline.layout import (
    LONG_LINE_WORDS,
    LineLabel,
    fill_between,
    fill_blocks,
    fill_lists,
    headline_key,
    introduced_items,
    looks_like_headline,
    mark_main_text,
    never,
)
from storyline.linemodel import LineModel, line_features, load_line_model
from storyline.records import Cleaned, Comment, Paragraph, SetAside
from storyline.textstats import Line, is_prose, split_lines, word_count

# The lexicon test applies to lines of at most LEXICON_MAX_WORDS words; a line of
# at most LEXICON_SHORT_WORDS that is not a sentence needs LEXICON_SHORT_EVIDENCE
# (lexicon words, self-references counting double, address, imperative), a
# longer one LEXICON_LONG_EVIDENCE including a self-reference ("this article",
# "your inbox") and direct address or an order: blogs address their reader in
# prose too. Tuned on the
# development templates (bench/dev/) and the even Scrapinghub items.
LEXICON_MAX_WORDS = 30
LEXICON_CUE = "page-and-reader words"
LEXICON_TINY_WORDS = 2
LEXICON_SHORT_WORDS = 8
LEXICON_SHORT_EVIDENCE = 2
LEXICON_LONG_EVIDENCE = 3
WORD_RE = regex.compile(r"\w+(?:[-']\w+)*")
READER = regex.compile(
    r"\b(you|your|yours|vous|votre|vos|du|dein|deine|ihr|ihre|sie|tu|tus|usted)\b", regex.I
)
QUOTES = ('"', "“", "‘", "'", "«", "„")
IMPERATIVES = frozenset(
    [
        "subscribe",
        "sign",
        "share",
        "follow",
        "join",
        "read",
        "click",
        "tap",
        "download",
        "get",
        "support",
        "donate",
        "become",
        "give",
        "watch",
        "listen",
        "see",
        "learn",
        "find",
        "discover",
        "register",
        "log",
        "create",
        "accept",
        "manage",
        "continue",
        "load",
        "view",
        "show",
        "sort",
        "reply",
        "report",
        "leave",
        "post",
        "write",
        "send",
        "email",
        "print",
        "save",
        "copy",
        "explore",
        "try",
        "start",
        "contribute",
        "help",
        "don't",
        "never",
        "stay",
        "allow",
        "enable",
        "turn",
        "check",
        "visit",
        "browse",
        "upgrade",
        "unlock",
        "claim",
        "enter",
        "choose",
        "select",
        "opt",
    ]
)
# The line model sets aside an unlabelled line when it gives "article" less than
# MODEL_ASIDE (MODEL_ASIDE_LONG for a paragraph), and frees a lexicon-labelled
# line when it gives "article" at least MODEL_KEEP. Chosen leave-one-writer-out
# on the development templates (bench/linemodel.py --lowo).
ARTICLE_LABEL = "article"
MODEL_CUE = "line model"
MODEL_ASIDE = 0.2
MODEL_ASIDE_LONG = 0.05
MODEL_KEEP = 0.9
# A line the model reads as article text (P(article) at least MODEL_CONTEXT) is
# not taken by the context passes (between two lines of a kind, in a block):
# context is weaker evidence than the line's own words, unless the model is
# unsure. 0.9 until the model saw the project's own article bodies
# (bench/dev/articles_*.json); since, it gives prose about a site's ads or
# subscriptions up to ~0.95, and such a line between two appeals is an appeal.
MODEL_CONTEXT = 0.97
# A short line in a list whose neighbours the model reads as article text
# (P(article) at least MODEL_LIST) is a list item of the article: the model
# needs MODEL_ASIDE_SIBLING to set it aside, and a lexicon label alone does not.
# Chosen leave-one-writer-out on list-heavy bodies (bench/linemodel.py --lowo --lists).
MODEL_LIST = 0.5
MODEL_ASIDE_SIBLING = 0.01
# A body line the model is not sure of (P(article) below MODEL_SCENE) that tells a
# scene the way a photo caption does (storyline.captions) is a caption. Measured
# leave-one-writer-out at this one value (bench/linemodel.py --lowo), not swept.
MODEL_SCENE = 0.8
SCENE_CUE = "scene in the present tense"
TABLE_ROW = regex.compile(r"\|[^|]*\|[^|]*\|")
SELF_REFERENCE = regex.compile(
    r"\b(this|our) (article|story|site|website|page|post|content|material|newsletter|"
    r"publication|report|piece|video|release|text)\b|"
    r"\bour (journalism|reporting|newsroom|readers|members|supporters|correspondents|"
    r"reporters|journalists|work|mission)\b",
    regex.I,
)
ADDRESS = regex.compile(r"\b(we|our|us)\b.*\b(you|your)\b|\b(you|your)\b.*\b(we|our|us)\b", regex.I)


@dataclass(frozen=True, slots=True)
class CueSet:
    """One label's compiled cues."""

    label: str
    max_words: int
    lines: tuple[regex.Pattern[str], ...]
    phrases: tuple[regex.Pattern[str], ...]


@dataclass(frozen=True, slots=True)
class Cues:
    """All cue lists, loaded once and passed to the cleaner."""

    sets: tuple[CueSet, ...]
    menu_words: frozenset[str] = frozenset()
    lexicon: tuple[tuple[str, frozenset[str]], ...] = ()
    self_phrases: tuple[str, ...] = ()
    # Words derived from the development templates (bench/lexicon.py).
    derived: tuple[tuple[str, frozenset[str]], ...] = ()
    # The learned second opinion (storyline.linemodel); None runs the rules alone.
    model: LineModel | None = None


def _compile(pattern: str, whole: bool) -> regex.Pattern[str]:
    # Patterns naming a capitalised word must keep case; the rest ignore it.
    flags = regex.V0 if r"\p{Lu}" in pattern else regex.I
    return regex.compile(rf"(?:{pattern})\Z" if whole else pattern, flags)


@lru_cache(maxsize=1)
def load_cues() -> Cues:
    """Load the cue lists shipped with the package."""
    raw = resources.files("storyline").joinpath("data/boilerplate.toml").read_bytes()
    table = tomllib.loads(raw.decode("utf-8"))
    sets = tuple(
        CueSet(
            label=label,
            max_words=int(entry.get("max_words", 60)),
            lines=tuple(_compile(p, whole=True) for p in entry.get("lines", [])),
            phrases=tuple(_compile(p, whole=False) for p in entry.get("phrases", [])),
        )
        for label, entry in table.items()
        if label not in ("menu", "lexicon")
    )
    menu = frozenset(w.casefold() for w in table.get("menu", {}).get("words", []))
    lexicon_table = table.get("lexicon", {})
    derived = resources.files("storyline").joinpath("data/lexicon_derived.toml")
    derived_table = tomllib.loads(derived.read_text("utf-8")).get("lexicon", {})
    lexicon = tuple(
        (label, frozenset(w.casefold() for w in words))
        for label, words in lexicon_table.items()
        if label != "self"
    )
    derived_lexicon = tuple(
        (label, frozenset(w.casefold() for w in words)) for label, words in derived_table.items()
    )
    self_phrases = tuple(p.casefold() for p in lexicon_table.get("self", []))
    return Cues(
        sets=sets,
        menu_words=menu,
        lexicon=lexicon,
        self_phrases=self_phrases,
        derived=derived_lexicon,
        model=load_line_model(),
    )


def cue_label(text: str, cues: Cues, lexicon: bool = True) -> tuple[str | None, str]:
    """The label a line's own words give it, and the cue that fired.

    Table rows ("| 1 | Kyle Busch | 5040 |") are content, never a menu.
    `lexicon=False` leaves out the weak page-and-reader evidence, for text an
    extractor has already cleaned.
    """
    if TABLE_ROW.match(text):
        return None, ""
    words = word_count(text)
    stripped = text.strip(" \t*•·-–—>|")
    for cue_set in cues.sets:
        if words > cue_set.max_words:
            continue
        for pattern in cue_set.lines:
            if pattern.match(stripped):
                return cue_set.label, pattern.pattern[:60]
    # A paragraph of prose is only boilerplate when it speaks to the reader or of
    # the page itself; checking that first spares most lines a hundred searches.
    addressed = ADDRESS.search(text) is not None
    if words >= LONG_LINE_WORDS and not (addressed or SELF_REFERENCE.search(text)):
        return None, ""
    for cue_set in cues.sets:
        hits = 0
        for pattern in cue_set.phrases:
            if pattern.search(text):
                hits += 1
                if words < LONG_LINE_WORDS or hits >= 2 or addressed:
                    return cue_set.label, pattern.pattern[:60]
    return lexicon_label(text, words, cues) if lexicon else (None, "")


def lexicon_label(text: str, words: int, cues: Cues) -> tuple[str | None, str]:
    """Label a short line by the page-and-reader words it uses, when it also addresses
    the reader, gives an order, or is not a sentence.

    This catches boilerplate phrased in ways no cue lists: "Pledge your support",
    "Conversation", "Enlarge this image".
    """
    if words == 0 or words > LEXICON_MAX_WORDS:
        return None, ""
    tokens = [t.casefold() for t in WORD_RE.findall(text)]
    lowered = text.casefold()
    hand = {label: sum(1 for t in tokens if t in vocab) for label, vocab in cues.lexicon}
    derived = {label: sum(1 for t in tokens if t in vocab) for label, vocab in cues.derived}
    total = sum(hand.values())
    weak = sum(derived.values())
    self_hits = sum(1 for phrase in cues.self_phrases if phrase in lowered)
    if total == 0 and self_hits == 0 and weak == 0:
        return None, ""
    addressed = bool(READER.search(text))
    ordering = bool(tokens) and tokens[0] in IMPERATIVES and not text.lstrip().startswith(QUOTES)
    evidence = total + weak + 2 * self_hits + int(addressed) + int(ordering)
    hits = [(label, hand.get(label, 0) + derived.get(label, 0)) for label in {*hand, *derived}]
    hits.sort(key=lambda item: (-item[1], item[0]))
    if words <= LEXICON_TINY_WORDS and not is_prose(text):
        needed = 1  # a button or a header: one page word is enough
    elif words <= LEXICON_SHORT_WORDS and not is_prose(text):
        needed = LEXICON_SHORT_EVIDENCE
    elif self_hits and (addressed or ordering):
        needed = LEXICON_LONG_EVIDENCE
    else:
        return None, ""
    if evidence < needed:
        return None, ""
    label = hits[0][0] if hits and hits[0][1] else "navigation"
    return label, f"{LEXICON_CUE} (evidence {evidence})"


def clean_text(text: str, cues: Cues | None = None) -> Cleaned:
    """Clean plain text: title, body, labelled set-aside spans and reader comments."""
    cues = cues or load_cues()
    text = normalize_newlines(text)
    lines = split_lines(text)
    verdicts = [LineLabel() for _ in lines]
    for line, verdict in zip(lines, verdicts, strict=True):
        if line.text:
            verdict.label, verdict.cue = cue_label(line.text, cues)

    section = find_comment_section(lines, [v.label for v in verdicts])
    if section is not None:
        _apply_comment_section(section, lines, verdicts)
    opinion = _SecondOpinion(lines, cues.model) if cues.model is not None else None
    keep = opinion.reads_as_article if opinion is not None else never
    if opinion is not None:
        opinion.free_weak(verdicts)

    fill_between(lines, verdicts, keep)
    fill_lists(lines, verdicts)
    fill_blocks(lines, verdicts, keep)
    _free_weak_headline(lines, verdicts)
    title_index = mark_main_text(lines, verdicts, cues.menu_words)
    if opinion is not None:
        opinion.free_listed(verdicts)
        opinion.set_aside(verdicts, title_index)
    title = lines[title_index].text if title_index is not None else None
    return _assemble(text, lines, verdicts, title, section)


class _SecondOpinion:
    """The line model's view of one text, computed once and asked at each pass.

    Before the context passes it frees lines that only the weak lexicon
    labelled when the model is sure they are article text, and during them it
    vetoes taking a line it reads as article text on context alone (between two
    lines of a kind, in a block of a kind). After the main-text pass it sets
    aside body lines it finds unlike article text, asking for more certainty
    about an item of the article's own lists and leaving alone a list the
    article's own sentence introduces. It has no say on menus and teaser
    lists, and never labels a line early, so the main-text pass splits a page's
    text from its menus on the rules' evidence alone: on real pages it reads
    menu lines and teaser headlines as article text. Strong cues (whole-line
    patterns, phrases) are never overruled.
    """

    def __init__(self, lines: Sequence[Line], model: LineModel) -> None:
        self.model = model
        self.lines = lines
        self.filled = [i for i, line in enumerate(lines) if line.text]
        self.position = {i: pos for pos, i in enumerate(self.filled)}
        rows = line_features([lines[i].text for i in self.filled])
        scored = zip(self.filled, rows, strict=True)
        self.scores = {i: _article_and_kind(model, row) for i, row in scored}

    def article(self, index: int) -> tuple[float, str]:
        """P(article) for a line and the most likely boilerplate kind."""
        return self.scores[index]

    def reads_as_article(self, index: int) -> bool:
        """Is the model sure enough of this line to keep it from the context passes?"""
        return self.article(index)[0] >= MODEL_CONTEXT

    def free_listed(self, verdicts: list[LineLabel]) -> None:
        """A short line only the weak lexicon labelled, in a list of the article's
        items, stays with them when the model leans to article text."""
        for i in self.filled:
            verdict = verdicts[i]
            if not verdict.cue.startswith(LEXICON_CUE) or verdict.comment is not None:
                continue
            if self.article(i)[0] >= MODEL_LIST and self._has_item_neighbour(i, verdicts):
                verdict.label, verdict.cue, verdict.body = None, "", True

    def _has_item_neighbour(self, index: int, verdicts: Sequence[LineLabel]) -> bool:
        """Is a neighbour of this line a short body line the model reads as article?"""
        return any(
            verdicts[j].body
            and self.article(j)[0] >= MODEL_LIST
            and not is_prose(self.lines[j].text)
            for j in self._neighbours(index)
        )

    def free_weak(self, verdicts: list[LineLabel]) -> None:
        for i, verdict in enumerate(verdicts):
            weak = verdict.cue.startswith(LEXICON_CUE) and verdict.comment is None
            if weak and self.article(i)[0] >= MODEL_KEEP:
                verdict.label, verdict.cue = None, ""

    def set_aside(self, verdicts: list[LineLabel], title_index: int | None) -> None:
        """Set aside body lines the model finds unlike article text, each judged
        against the threshold its shape and its neighbours call for."""
        candidates = [
            i
            for i in self.filled
            if verdicts[i].body and verdicts[i].label is None and i != title_index
        ]
        # A list the article's own sentence introduces is the article's: the model
        # has no say on it (names and dates there read like bylines and menus).
        listed = introduced_items(self.lines, verdicts)
        candidates = [i for i in candidates if i not in listed]
        needed = {i: self._aside_threshold(i, verdicts) for i in candidates}
        for i in candidates:
            article, kind = self.article(i)
            cue = f"{MODEL_CUE} (article p={article:.2f})"
            if article >= needed[i]:
                if article >= MODEL_SCENE or not reads_as_scene(self.lines[i].text):
                    continue
                kind, cue = "caption", f"{SCENE_CUE} ({MODEL_CUE} article p={article:.2f})"
            verdicts[i].body, verdicts[i].label, verdicts[i].cue = False, kind, cue

    def _aside_threshold(self, index: int, verdicts: Sequence[LineLabel]) -> float:
        """A paragraph, or an item of a list whose other items the model reads as
        article, needs the model surer: such lines are what article text looks like."""
        text = self.lines[index].text
        if word_count(text) >= LONG_LINE_WORDS:
            return MODEL_ASIDE_LONG
        if not is_prose(text) and self._has_item_neighbour(index, verdicts):
            return MODEL_ASIDE_SIBLING
        return MODEL_ASIDE

    def _neighbours(self, index: int) -> list[int]:
        pos = self.position[index]
        return [self.filled[p] for p in (pos - 1, pos + 1) if 0 <= p < len(self.filled)]


def _article_and_kind(model: LineModel, features: Sequence[int]) -> tuple[float, str]:
    probabilities = model.probabilities(features)
    article = probabilities.pop(ARTICLE_LABEL)
    return article, max(probabilities, key=lambda k: probabilities[k])


def clean_extracted(text: str, title: str | None, cues: Cues | None = None) -> Cleaned:
    """Clean text that an HTML extractor already cut to the main content.

    Only the cue and context passes run: the extractor chose the main text, and a
    repeated headline at its top is set aside as the title.
    """
    cues = cues or load_cues()
    text = normalize_newlines(text)
    lines = split_lines(text)
    verdicts = [LineLabel() for _ in lines]
    for line, verdict in zip(lines, verdicts, strict=True):
        if line.text:
            verdict.label, verdict.cue = cue_label(line.text, cues, lexicon=False)
    section = find_comment_section(lines, [v.label for v in verdicts])
    if section is not None:
        _apply_comment_section(section, lines, verdicts)
    fill_between(lines, verdicts)
    title_key = headline_key(title) if title else ""
    for line, verdict in zip(lines, verdicts, strict=True):
        if not line.text or verdict.comment is not None:
            continue
        if title_key and verdict.label is None and headline_key(line.text) == title_key:
            verdict.label, verdict.cue = "title", "repeats the page title"
        if verdict.label is None:
            verdict.body = True
    return _assemble(text, lines, verdicts, title, section)


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _apply_comment_section(
    section: CommentSection, lines: Sequence[Line], verdicts: list[LineLabel]
) -> None:
    for index in section.markers:
        verdicts[index].label, verdicts[index].cue = "comment_section", "comment-section marker"
    for number, item in enumerate(section.items):
        for index in item.lines:
            verdicts[index].label = None
            verdicts[index].comment = number
        if item.marker_line is not None:
            verdicts[item.marker_line].strip_prefix = item.marker_width
            line = lines[item.marker_line]
            verdicts[item.marker_line].extra.append(
                SetAside(
                    "comment_section",
                    line.start,
                    line.start + item.marker_width,
                    line.text[: item.marker_width],
                    "comment number",
                )
            )
    if section.article_item is not None:
        for index in section.article_item.lines:
            verdicts[index].label = None
            verdicts[index].comment = None
            verdicts[index].body = True
        first = section.article_item.marker_line
        if first is not None:
            verdicts[first].strip_prefix = section.article_item.marker_width
            line = lines[first]
            verdicts[first].extra.append(
                SetAside(
                    "comment_section",
                    line.start,
                    line.start + section.article_item.marker_width,
                    line.text[: section.article_item.marker_width],
                    "the article is item 1 of the comment list",
                )
            )


def _free_weak_headline(lines: Sequence[Line], verdicts: list[LineLabel]) -> None:
    """A text's first line, if headline-shaped, is its title even when its words
    look like page furniture ("Archived first page headline"): the lexicon is weak
    evidence and the first line is the headline's usual place.
    """
    first = next((i for i, line in enumerate(lines) if line.text), None)
    if first is None:
        return
    verdict = verdicts[first]
    if verdict.cue.startswith(LEXICON_CUE) and looks_like_headline(lines[first].text):
        verdict.label, verdict.cue = None, ""


def _assemble(
    text: str,
    lines: Sequence[Line],
    verdicts: Sequence[LineLabel],
    title: str | None,
    section: CommentSection | None,
) -> Cleaned:
    paragraphs: list[Paragraph] = []
    pieces: list[str] = []
    cursor = 0
    spans: list[SetAside] = []
    for line, verdict in zip(lines, verdicts, strict=True):
        if not line.text:
            continue
        spans.extend(verdict.extra)
        if verdict.comment is not None:
            continue
        if verdict.body or verdict.label is None:
            start = line.start + verdict.strip_prefix
            piece = text[start : line.end]
            lead = len(piece) - len(piece.lstrip())
            piece = piece.strip()
            if not piece:
                continue
            if pieces:
                cursor += 2
            paragraphs.append(
                Paragraph(cursor, cursor + len(piece), start + lead, start + lead + len(piece))
            )
            pieces.append(piece)
            cursor += len(piece)
        else:
            spans.append(SetAside(verdict.label, line.start, line.end, line.text, verdict.cue))
    comments = _comment_records(text, lines, verdicts, section)
    return Cleaned(
        text=text,
        body="\n\n".join(pieces),
        title=title,
        paragraphs=tuple(paragraphs),
        set_aside=tuple(_merge_spans(text, spans)),
        comments=tuple(comments),
    )


def _comment_records(
    text: str,
    lines: Sequence[Line],
    verdicts: Sequence[LineLabel],
    section: CommentSection | None,
) -> list[Comment]:
    if section is None:
        return []
    comments: list[Comment] = []
    for number, item in enumerate(section.items):
        indices = [i for i in item.lines if verdicts[i].comment == number and lines[i].text]
        if not indices:
            continue
        first, last = lines[indices[0]], lines[indices[-1]]
        start = first.start + verdicts[indices[0]].strip_prefix
        raw = text[start : last.end]
        lead = len(raw) - len(raw.lstrip())
        body = _dedent(raw.strip())
        comments.append(Comment(body, start + lead, start + lead + len(raw.strip()), item.author))
    return comments


def _dedent(text: str) -> str:
    return "\n".join(line.strip() for line in text.split("\n"))


def _merge_spans(text: str, spans: Iterable[SetAside]) -> list[SetAside]:
    """Merge neighbouring spans of one label separated only by whitespace."""
    merged: list[SetAside] = []
    for span in sorted(spans, key=lambda s: s.start):
        if merged:
            last = merged[-1]
            between = text[last.end : span.start]
            if last.label == span.label and not between.strip():
                merged[-1] = SetAside(
                    last.label, last.start, span.end, text[last.start : span.end], last.cue
                )
                continue
        merged.append(span)
    return merged


@dataclass(frozen=True, slots=True)
class HtmlCleaned:
    """A cleaned HTML page and what the page says about itself."""

    cleaned: Cleaned
    meta: HtmlMeta


def clean_html(html: str, url: str | None = None, cues: Cues | None = None) -> HtmlCleaned:
    """Extract the main text with trafilatura, then set aside what it let through.

    The page's reader comments (as trafilatura finds them) follow the main text
    under a "Comments" header, so they become the comment layer.
    """
    extracted = extract_html(html, url)
    text = extracted.text
    if extracted.comments.strip():
        text = f"{text}\n\nComments\n\n{extracted.comments}"
    return HtmlCleaned(clean_extracted(text, extracted.meta.title, cues), extracted.meta)
