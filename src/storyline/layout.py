"""Layout passes of the plain-text cleaner: context, lists and the main text.

After the cue pass (storyline.clean) has labelled the lines whose own words say
what they are, these passes decide the rest from where a line sits: between
two lines of one kind, in a block of one kind, under a "Related" header, in a
list the article introduces, or outside the article's densest run of prose.
The context passes take a `keep` predicate (the line model's opinion) that
vetoes taking a line it reads as article text: context is weaker evidence than
a line's own words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import regex

from storyline.records import SetAside
from storyline.textstats import SENTENCE_END, Line, is_prose, word_count

# A paragraph of this many words or more needs two cues (or one cue plus direct
# address of the reader) to be set aside (storyline.clean), and a block's label
# does not spread to it: news prose quotes appeal words too. Tuned on the even
# items of the Scrapinghub benchmark and the seeds.
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


@dataclass(slots=True)
class LineLabel:
    """The mutable verdict on one line while the passes run."""

    label: str | None = None
    cue: str = ""
    comment: int | None = None  # index of the comment this line belongs to
    body: bool = False
    strip_prefix: int = 0  # characters at the start that belong to a list marker
    extra: list[SetAside] = field(default_factory=list)


def never(index: int) -> bool:
    return False


BARE_BY = regex.compile(r"(?i:by|par|von|por|di|от|автор)\s*:?")


def fill_between(
    lines: Sequence[Line], verdicts: list[LineLabel], keep: Callable[[int], bool] = never
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


def fill_lists(lines: Sequence[Line], verdicts: list[LineLabel]) -> None:
    """The teasers listed under a navigation header ("Most read", "Related") are navigation.

    A header is a short labelled line that is not a sentence; the list runs on
    while lines stay teaser-sized and unpunctuated, and stops at the first
    sentence, so the article's next paragraph is never taken. The line model has
    no say: it reads teaser headlines as article text (plain-text F1 on the even
    Scrapinghub items fell from 0.839 to 0.829 when it vetoed at P >= 0.5).
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
            if not _teaser_like(lines[following].text):
                break
            here.label, here.cue = "navigation", "listed under a navigation header"
            taken += 1


def _teaser_like(text: str) -> bool:
    """A headline of another story: short, and not ended like a sentence."""
    stripped = text.rstrip()
    return word_count(stripped) <= TEASER_MAX_WORDS and not stripped.endswith((".", ";", ","))


def fill_blocks(
    lines: Sequence[Line], verdicts: list[LineLabel], keep: Callable[[int], bool] = never
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


def mark_main_text(
    lines: Sequence[Line], verdicts: list[LineLabel], menu_words: frozenset[str]
) -> int | None:
    """Find the article's prose run and its headline; label what lies outside.

    Outside the densest run of prose, a side (before it, after it) is set aside
    as navigation only when it reads like a menu: several short link-like lines;
    even then the items of a list the article introduces ("The new members
    are:") stay. The line model has no say here: it reads too many real menu
    lines as article text (plain-text F1 on the even Scrapinghub items fell
    from 0.829 to 0.802 when it vetoed at P(article) >= 0.5).
    A text pasted from an article (lists, tour dates, a closing one-liner) keeps
    its outside lines; a whole page dumped to text loses its menus and footers.
    Returns the index of the title line, or None when the text has no headline.
    """
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
    listed = introduced_items(lines, verdicts)
    for i in free:
        if verdicts[i].label is not None or i == title_index:
            continue
        inside = start <= i <= end
        outside_menu = (i < start and menu_before) or (i > end and menu_after)
        if outside_menu and (SENTENCE_END.search(lines[i].text) or i in listed):
            outside_menu = False  # a sentence beside a menu is still a sentence
        if title_index is not None and i < title_index:
            outside_menu = True  # above the headline: the page's header
        if inside or not outside_menu:
            verdicts[i].body = True
        else:
            verdicts[i].label, verdicts[i].cue = "navigation", "menu outside the main text"
    return title_index


def introduced_items(lines: Sequence[Line], verdicts: Sequence[LineLabel]) -> set[int]:
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


def headline_key(text: str) -> str:
    return " ".join(regex.findall(r"\w+", text.casefold()))


def looks_like_headline(text: str) -> bool:
    words = word_count(text)
    return 2 <= words <= 30 and not text.rstrip().endswith((".", ",", ";"))


def _pick_title(
    lines: Sequence[Line], verdicts: list[LineLabel], before: Sequence[int], start: int | None
) -> int | None:
    """The headline: the first headline-like line, or its cleaner repeat nearer the text.

    Pages often open with "<title> | Outlet" and repeat the headline alone just
    above the article; the repeat is the title and both are set aside as such.
    """
    candidates = [i for i in before if looks_like_headline(lines[i].text)]
    if not candidates:
        return None
    first = candidates[0]
    first_key = headline_key(lines[first].text)
    repeats = [
        i
        for i in candidates[1:]
        if (key := headline_key(lines[i].text)) and len(key.split()) >= 3 and key in first_key
    ]
    title = repeats[-1] if repeats else first
    title_key = headline_key(lines[title].text)
    for i in before:
        key = headline_key(lines[i].text)
        if i == title or (key and (key == title_key or (i == first and title_key in key))):
            verdicts[i].label, verdicts[i].cue = "title", "headline"
    return title
