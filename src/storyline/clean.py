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

HTML goes through trafilatura first (`clean_html`), then through passes 1 and 3.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from itertools import pairwise

import regex

from storyline.comments import CommentSection, find_comment_section
from storyline.extract import HtmlMeta, extract_html
from storyline.linemodel import LineModel, line_features, load_line_model
from storyline.records import Cleaned, Comment, Paragraph, SetAside
from storyline.textstats import SENTENCE_END, Line, is_prose, split_lines, word_count

# A paragraph of this many words or more needs two cues (or one cue plus direct
# address of the reader) to be set aside: news prose quotes appeal words too.
# Tuned on the even items of the Scrapinghub benchmark and the seeds.
LONG_LINE_WORDS = 25

# A navigation header has at most LIST_HEADER_WORDS words; the teasers listed
# under it at most TEASER_MAX_WORDS (news headlines run 6-14 words).
LIST_HEADER_WORDS = 5
TEASER_MAX_WORDS = 18
# Headers that open a list of links to other stories, in the languages of the cues.
LIST_HEADER = regex.compile(
    r"(related|recommended|most (read|popular|viewed|shared|commented)|popular|trending|"
    r"latest|top stories|editor\W?s picks|read (also|more|next)|also read|see also|"
    r"more (from|on|in|stories|news)|you (may|might) also like|further reading|"
    r"les plus lus|[àa] lire aussi|lire aussi|meistgelesen|mehr zum thema|lesen sie auch|"
    r"weitere artikel|lo m[áa]s le[íi]do|noticias relacionadas|te puede interesar|"
    r"i pi[ùu] letti|leggi anche|najczęściej czytane|czytaj (także|też)|"
    r"самое читаемое|читайте также|leia também|baca juga|read also)\b[^.!?]{0,40}:?\Z",
    regex.I,
)
# Teaser lists hold a handful of links; a longer run is the article's own list.
LIST_MAX_TEASERS = 5

# A sentence of at least INTRO_MIN_WORDS words ending in a colon introduces a list
# of the article's own; at most INTRO_MAX_ITEMS short lines after it are its items.
INTRO_MIN_WORDS = 3
INTRO_MAX_ITEMS = 30

# Short lines (at most this many words) between two lines of one label take it.
SANDWICH_MAX_WORDS = 8

# The main text is the densest run of prose lines; this many link-like lines
# (at most MENU_ITEM_WORDS words, no sentence end) between two prose lines split
# two runs when they use the menu words below (an article's own list of short
# items does not: requiring them took synthetic list-heavy bodies of the even
# items from 0.897 to 0.962 line recall and plain-text F1 on the even items
# from 0.849 to 0.854), and a side outside the run with at least MENU_MIN_LINES of them,
# making up MENU_SHARE of its lines, is a menu. Tuned on the even items of the
# Scrapinghub benchmark (plain-text F1) and the generated injection cases.
MAIN_TEXT_GAP_LINES = 6
MENU_ITEM_WORDS = 5
MENU_MIN_LINES = 2
MENU_SHARE = 0.3
# ...and it is a site's menu when at least MENU_MIN_WORDS of those lines, or
# MENU_WORD_SHARE of them, are the generic section and footer names in [menu].
MENU_MIN_WORDS = 3
MENU_WORD_SHARE = 0.15
# ...or when MENU_HEADLINE_SHARE of them read like teaser headlines.
MENU_HEADLINE_SHARE = 0.6

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
MODEL_ASIDE = 0.05
MODEL_ASIDE_LONG = 0.01
MODEL_KEEP = 0.9
# A line the model reads as article text (P(article) at least MODEL_CONTEXT) is
# not taken by the context passes (between two lines of a kind, under a list
# header, in a block): context is weaker evidence than the line's own words.
MODEL_CONTEXT = 0.9
# Lists (teasers under a header, a menu outside the main text) are taken on
# layout alone, weaker evidence still: P(article) of MODEL_LIST keeps a line.
MODEL_LIST = 0.5
# A short line in a list whose neighbours the model reads as article text is a
# list item of the article: the model needs MODEL_ASIDE_SIBLING to set it aside.
MODEL_ASIDE_SIBLING = 0.01
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


@dataclass(slots=True)
class LineLabel:
    """The mutable verdict on one line while the passes run."""

    label: str | None = None
    cue: str = ""
    comment: int | None = None  # index of the comment this line belongs to
    body: bool = False
    strip_prefix: int = 0  # characters at the start that belong to a list marker
    extra: list[SetAside] = field(default_factory=list)


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

    section = find_comment_section(lines, [v.label for v in verdicts], unsigned=False)
    if section is not None:
        _apply_comment_section(section, lines, verdicts)
    opinion = _SecondOpinion(lines, cues.model) if cues.model is not None else None
    keep = opinion.reads_as_article if opinion is not None else _never
    keep_item = opinion.reads_as_list_item if opinion is not None else _never
    if opinion is not None:
        opinion.free_weak(verdicts)

    _fill_between(lines, verdicts, keep)
    _fill_lists(lines, verdicts, keep_item)
    _fill_blocks(lines, verdicts, keep)
    title_index = _mark_main_text(lines, verdicts, cues.menu_words, keep_item)
    if opinion is not None:
        opinion.free_listed(verdicts)
        opinion.set_aside(verdicts, title_index)
    title = lines[title_index].text if title_index is not None else None
    return _assemble(text, lines, verdicts, title, section)


class _SecondOpinion:
    """The line model's view of one text, computed once and asked at each pass.

    Before the context passes it frees lines that only the weak lexicon
    labelled when the model is sure they are article text, and during them it
    vetoes taking a line it reads as article text on context or layout alone
    (between two lines of a kind, under a list header, in a menu outside the
    main text). After the main-text pass it sets aside body lines it finds
    unlike article text, asking for more certainty about an item of the
    article's own lists. It never labels a line early, so the main-text pass
    splits a page's text from its menus on the rules' evidence alone. Strong
    cues (whole-line patterns, phrases) are never overruled.
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

    def reads_as_list_item(self, index: int) -> bool:
        """...or to keep it from being taken for a menu or a teaser list?"""
        return self.article(index)[0] >= MODEL_LIST

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
        listed = _introduced_items(self.lines, verdicts)
        needed = {i: self._aside_threshold(i, verdicts, i in listed) for i in candidates}
        for i in candidates:
            article, kind = self.article(i)
            if article < needed[i]:
                verdicts[i].body = False
                verdicts[i].label = kind
                verdicts[i].cue = f"{MODEL_CUE} (article p={article:.2f})"

    def _aside_threshold(self, index: int, verdicts: Sequence[LineLabel], listed: bool) -> float:
        """A paragraph, or an item of a list the article introduces or whose other
        items the model reads as article, needs the model surer: such lines are
        what article text looks like."""
        text = self.lines[index].text
        if word_count(text) >= LONG_LINE_WORDS:
            return MODEL_ASIDE_LONG
        if listed or (not is_prose(text) and self._has_item_neighbour(index, verdicts)):
            return MODEL_ASIDE_SIBLING
        return MODEL_ASIDE

    def _neighbours(self, index: int) -> list[int]:
        pos = self.position[index]
        return [self.filled[p] for p in (pos - 1, pos + 1) if 0 <= p < len(self.filled)]


def _article_and_kind(model: LineModel, features: Sequence[int]) -> tuple[float, str]:
    probabilities = model.probabilities(features)
    article = probabilities.pop(ARTICLE_LABEL)
    return article, max(probabilities, key=lambda k: probabilities[k])


def _never(index: int) -> bool:
    return False


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
    _fill_between(lines, verdicts)
    title_key = _title_key(title) if title else ""
    for line, verdict in zip(lines, verdicts, strict=True):
        if not line.text or verdict.comment is not None:
            continue
        if title_key and verdict.label is None and _title_key(line.text) == title_key:
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


BARE_BY = regex.compile(r"(?i:by|par|von|por|di|от|автор)\s*:?")


def _fill_between(
    lines: Sequence[Line], verdicts: list[LineLabel], keep: Callable[[int], bool] = _never
) -> None:
    """Short unlabelled lines between two lines of one label take that label,
    unless `keep` (the line model) reads them as article text.

    A name printed on the line after a bare "By" is the byline's too.
    """
    filled = [i for i, line in enumerate(lines) if line.text and verdicts[i].comment is None]
    for by_line, name_line in pairwise(filled):
        if (
            BARE_BY.fullmatch(lines[by_line].text)
            and verdicts[name_line].label is None
            and word_count(lines[name_line].text) <= 5
        ):
            verdicts[name_line].label = "byline"
            verdicts[name_line].cue = "the name after a bare By"
    for pos in range(1, len(filled) - 1):
        here = verdicts[filled[pos]]
        if here.label is not None or here.body:
            continue
        before, after = verdicts[filled[pos - 1]], verdicts[filled[pos + 1]]
        words = word_count(lines[filled[pos]].text)
        if (
            before.label is not None
            and before.label == after.label
            and before.label not in ("title", "metadata")
            and words <= SANDWICH_MAX_WORDS
            and not keep(filled[pos])
        ):
            here.label, here.cue = before.label, "between two lines of this kind"


def _fill_lists(
    lines: Sequence[Line], verdicts: list[LineLabel], keep: Callable[[int], bool] = _never
) -> None:
    """The teasers listed under a navigation header ("Most read", "Related") are navigation.

    A header is a short labelled line that is not a sentence; the list runs on
    while lines stay teaser-sized and unpunctuated, and stops at the first
    sentence or the first line `keep` (the line model) reads as article text,
    so the article's next paragraph is never taken.
    """
    filled = [i for i, line in enumerate(lines) if line.text and verdicts[i].comment is None]
    for pos, index in enumerate(filled):
        verdict = verdicts[index]
        text = lines[index].text
        if verdict.label != "navigation" or word_count(text) > LIST_HEADER_WORDS:
            continue
        if not LIST_HEADER.match(text):
            continue
        taken = 0
        for following in filled[pos + 1 :]:
            here = verdicts[following]
            if taken >= LIST_MAX_TEASERS:
                break
            if here.label is not None or here.body:
                if here.label == "navigation":
                    continue
                break
            if not _teaser_like(lines[following].text) or keep(following):
                break
            here.label, here.cue = "navigation", "listed under a navigation header"
            taken += 1


def _teaser_like(text: str) -> bool:
    """A headline of another story: short, and not ended like a sentence."""
    stripped = text.rstrip()
    return word_count(stripped) <= TEASER_MAX_WORDS and not stripped.endswith((".", ";", ","))


def _fill_blocks(
    lines: Sequence[Line], verdicts: list[LineLabel], keep: Callable[[int], bool] = _never
) -> None:
    """In a block of lines where most carry one label, the others take it too
    (unless `keep`, the line model, reads them as article text).

    Appeal and legal boxes are printed as one block; a line of one without a
    cue of its own ("This commitment costs us $10,000 a month.") still belongs.
    """
    blocks: dict[int, list[int]] = {}
    for i, line in enumerate(lines):
        if line.text and verdicts[i].comment is None and not verdicts[i].body:
            blocks.setdefault(line.block, []).append(i)
    for members in blocks.values():
        if len(members) < 3:
            continue
        labels = [verdicts[i].label for i in members if verdicts[i].label]
        if not labels:
            continue
        top = max(set(labels), key=labels.count)
        if top in ("title", "metadata") or labels.count(top) * 2 < len(members):
            continue
        for i in members:
            short = word_count(lines[i].text) < LONG_LINE_WORDS
            if verdicts[i].label is None and short and not keep(i):
                verdicts[i].label, verdicts[i].cue = top, "in a block of this kind"


def _mark_main_text(
    lines: Sequence[Line],
    verdicts: list[LineLabel],
    menu_words: frozenset[str],
    keep: Callable[[int], bool] = _never,
) -> int | None:
    """Find the article's prose run and its headline; label what lies outside.

    Outside the densest run of prose, a side (before it, after it) is set aside
    as navigation only when it reads like a menu: several short link-like lines;
    even then a line `keep` (the line model) reads as article text stays (an
    article's list of names or dates looks like a menu to the layout rules).
    A text pasted from an article (lists, tour dates, a closing one-liner) keeps
    its outside lines; a whole page dumped to text loses its menus and footers.
    Returns the index of the title line, or None when the text has no headline.
    """
    _free_weak_headline(lines, verdicts)
    free = [
        i
        for i, line in enumerate(lines)
        if line.text
        and verdicts[i].label is None
        and verdicts[i].comment is None
        and not verdicts[i].body
    ]
    prose = [i for i in free if is_prose(lines[i].text)]
    preset_body = [i for i, v in enumerate(verdicts) if v.body]
    if not prose and not preset_body:
        # No prose at all (a list, a short note): keep every free line.
        title_index = _pick_title(lines, verdicts, free[:1], start=None)
        for i in free:
            if i != title_index:
                verdicts[i].body = True
        return title_index

    start, end = _densest_run(lines, verdicts, sorted(prose + preset_body), menu_words)
    before = [i for i in free if i < start]
    title_index = _pick_title(lines, verdicts, before, start)
    after_title = [i for i in before if title_index is None or i > title_index]
    after_title = [i for i in after_title if verdicts[i].label is None]
    after = [i for i in free if i > end]
    menu_before = _menu_like(lines, after_title, menu_words)
    menu_after = _menu_like(lines, after, menu_words)
    listed = _introduced_items(lines, verdicts)
    for i in free:
        if verdicts[i].label is not None or i == title_index:
            continue
        inside = start <= i <= end
        outside_menu = (i < start and menu_before) or (i > end and menu_after)
        if outside_menu and (SENTENCE_END.search(lines[i].text) or keep(i) or i in listed):
            outside_menu = False  # a sentence beside a menu is still a sentence
        if title_index is not None and i < title_index:
            outside_menu = True  # above the headline: the page's header
        if inside or not outside_menu:
            verdicts[i].body = True
        else:
            verdicts[i].label, verdicts[i].cue = "navigation", "menu outside the main text"
    return title_index


def _introduced_items(lines: Sequence[Line], verdicts: Sequence[LineLabel]) -> set[int]:
    """Short lines listed right after an unlabelled sentence that ends in a colon
    ("The new committee members are:"): the article's own list, however much its
    items (names, places, dates) look like a menu or a byline."""
    filled = [i for i, line in enumerate(lines) if line.text and verdicts[i].comment is None]
    items: set[int] = set()
    for pos, index in enumerate(filled):
        text = lines[index].text
        if verdicts[index].label is not None or not text.endswith(":"):
            continue
        if word_count(text) < INTRO_MIN_WORDS:
            continue
        for following in filled[pos + 1 : pos + 1 + INTRO_MAX_ITEMS]:
            item = lines[following].text
            if verdicts[following].label is not None or is_prose(item):
                break
            if word_count(item) > TEASER_MAX_WORDS:
                break
            items.add(following)
    return items


def _free_weak_headline(lines: Sequence[Line], verdicts: list[LineLabel]) -> None:
    """A text's first line, if headline-shaped, is its title even when its words
    look like page furniture ("Archived first page headline"): the lexicon is weak
    evidence and the first line is the headline's usual place.
    """
    first = next((i for i, line in enumerate(lines) if line.text), None)
    if first is None:
        return
    verdict = verdicts[first]
    if verdict.cue.startswith(LEXICON_CUE) and _looks_like_headline(lines[first].text):
        verdict.label, verdict.cue = None, ""


def _is_link_like(text: str) -> bool:
    return word_count(text) <= MENU_ITEM_WORDS and not SENTENCE_END.search(text)


def _menu_like(lines: Sequence[Line], indices: Sequence[int], menu_words: frozenset[str]) -> bool:
    """Do these lines read like a site menu or footer rather than a list in the article?"""
    if not indices:
        return False
    short = [i for i in indices if _is_link_like(lines[i].text)]
    if len(short) < MENU_MIN_LINES or len(short) / len(indices) < MENU_SHARE:
        return False
    named = sum(1 for i in short if _menu_key(lines[i].text) in menu_words)
    if named >= MENU_MIN_WORDS or named / len(short) >= MENU_WORD_SHARE:
        return True
    # Teaser headlines ("Who will make the Rock Hall in 2020?") are capitalised and
    # carry few figures; the lists of an article (dates, ingredients, scores) do.
    heads = sum(1 for i in short if _headline_like(lines[i].text))
    return heads >= MENU_MIN_WORDS and heads / len(short) >= MENU_HEADLINE_SHARE


def _headline_like(text: str) -> bool:
    return text[:1].isupper() and not regex.search(r"\d", text)


def _menu_key(text: str) -> str:
    return " ".join(regex.findall(r"[\w&]+", text.casefold()))


def _densest_run(
    lines: Sequence[Line],
    verdicts: Sequence[LineLabel],
    anchors: Sequence[int],
    menu_words: frozenset[str] = frozenset(),
) -> tuple[int, int]:
    """The run of prose lines with the most words, split where link-like lines pile up."""
    runs: list[tuple[int, int, int]] = []  # (words, start, end)
    start = prev = anchors[0]
    words = word_count(lines[start].text)
    for index in anchors[1:]:
        # Only unexplained link-like lines widen a gap: a labelled appeal box or
        # a list of dates between two paragraphs does not make them two texts.
        gap = [
            j
            for j in range(prev + 1, index)
            if lines[j].text
            and verdicts[j].comment is None
            and verdicts[j].label is None
            and _is_link_like(lines[j].text)
        ]
        if len(gap) >= MAIN_TEXT_GAP_LINES and _splits(lines, gap, menu_words):
            runs.append((words, start, prev))
            start, words = index, 0
        words += word_count(lines[index].text)
        prev = index
    runs.append((words, start, prev))
    best = max(runs, key=lambda run: run[0])
    return best[1], best[2]


def _splits(lines: Sequence[Line], gap: Sequence[int], menu_words: frozenset[str]) -> bool:
    """Does this pile of short lines between two paragraphs part two texts?

    Only when it names the site's sections: a page's menu or footer does, the
    list an article holds (winners, songs, products, subheads) does not.
    """
    named = sum(1 for j in gap if _menu_key(lines[j].text) in menu_words)
    return named >= MENU_MIN_WORDS or named / len(gap) >= MENU_WORD_SHARE


def _title_key(text: str) -> str:
    return " ".join(regex.findall(r"\w+", text.casefold()))


def _looks_like_headline(text: str) -> bool:
    words = word_count(text)
    return 2 <= words <= 30 and not text.rstrip().endswith((".", ",", ";"))


def _pick_title(
    lines: Sequence[Line], verdicts: list[LineLabel], before: Sequence[int], start: int | None
) -> int | None:
    """The headline: the first headline-like line, or its cleaner repeat nearer the text.

    Pages often open with "<title> | Outlet" and repeat the headline alone just
    above the article; the repeat is the title and both are set aside as such.
    """
    candidates = [i for i in before if _looks_like_headline(lines[i].text)]
    if not candidates:
        return None
    first = candidates[0]
    first_key = _title_key(lines[first].text)
    repeats = [
        i
        for i in candidates[1:]
        if (key := _title_key(lines[i].text)) and len(key.split()) >= 3 and key in first_key
    ]
    title = repeats[-1] if repeats else first
    title_key = _title_key(lines[title].text)
    for i in before:
        key = _title_key(lines[i].text)
        if i == title or (key and (key == title_key or (i == first and title_key in key))):
            verdicts[i].label, verdicts[i].cue = "title", "headline"
    return title


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
