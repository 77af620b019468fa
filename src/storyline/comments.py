"""Find the reader-comment section of a text and split it one comment per item.

Comments are a layer of their own: they are never part of the article body,
and quotations in them are never the article's. A section starts at a
comment-section header ("25 comments", "Comments", "Join the conversation");
its items are numbered ("1.", "2." ...), introduced by author and time lines
("Ann Lee · 3 hours ago", "January 19, 2022 at 6:12 pm", "Bob says:"), or else
one per paragraph. Some sites print the article itself as item 1 of the list;
when nothing before the header reads as the article, item 1 is the article.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import regex

from storyline.textstats import Line, is_prose, word_count

NUMBERED = regex.compile(r"(\d{1,4})[.)]\s+(?=\S)")
COMMENT_META = regex.compile(
    r"(\b\d+\s*(seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\s+ago\b"
    r"|\b(says|said|wrote|writes|replied|replies)\s*:?\s*$"
    r"|\b\d{1,2}:\d{2}\s*([ap]\.?m\.?)?\b"
    r"|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}\b"
    r"|\b\d{1,2}\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\s+\d{4}\b"
    r"|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b)",
    regex.I,
)
NAME_LINE = regex.compile(r"@?[\p{L}\p{N}_.'’ -]{2,40}")

# Lines that only open a comment section (as opposed to closing one).
HEADER = regex.compile(
    r"(\d+|no|one|two|three)\s+(comments?|responses?|replies|reactions|thoughts)\b.*"
    r"|(reader |readers['’] )?(comments?|discussion|responses)\s*(\(\d+\))?:?"
    r"|(join|start) the (conversation|discussion|debate)\b.*"
    r"|(show|view|load|see|read) (all |the |\d+ )*comments?\b.*",
    regex.I,
)

# When nothing before the header reads as an article (fewer prose words than
# this), a long first item (at least ARTICLE_ITEM_WORDS) is the article itself.
ARTICLE_BEFORE_WORDS = 50
ARTICLE_ITEM_WORDS = 80
MAX_META_WORDS = 10
# Share of the text's prose that must come before a comment header.
ARTICLE_SHARE_BEFORE = 0.5
# Unnumbered, unsigned comments are trusted only when the text after the
# header is shorter than the article before it by this factor.
PLAIN_AFTER_RATIO = 2


@dataclass(slots=True)
class CommentItem:
    lines: list[int] = field(default_factory=list)
    marker_line: int | None = None
    marker_width: int = 0
    author: str | None = None


@dataclass(slots=True)
class CommentSection:
    header: int
    items: list[CommentItem]
    markers: list[int]  # header, author/time lines, "Reply" lines: set aside as comment_section
    article_item: CommentItem | None = None


def find_comment_section(
    lines: Sequence[Line], labels: Sequence[str | None]
) -> CommentSection | None:
    """The comment section after the first header that has comments under it, if any."""
    prose_at = _prose_words_before(lines, labels)
    total = prose_at[-1]
    for index, line in enumerate(lines):
        if labels[index] != "comment_section" or not HEADER.fullmatch(line.text):
            continue
        end = _section_end(lines, labels, index)
        content = [
            i for i in range(index + 1, end) if lines[i].text and labels[i] != "comment_section"
        ]
        if not content:
            continue
        section = _split_items(lines, labels, index, end)
        if section is None:
            continue
        # Comments follow the article: a header with most of the prose after it
        # opens a comment section only when the article is item 1 of its list.
        if section.article_item is None and prose_at[index] < total * ARTICLE_SHARE_BEFORE:
            continue
        return section
    return None


def _prose_words_before(lines: Sequence[Line], labels: Sequence[str | None]) -> list[int]:
    """prose_at[i]: words of unlabelled prose lines before line i; the last entry is the total."""
    counts = [0]
    for line, label in zip(lines, labels, strict=True):
        words = word_count(line.text) if line.text and label is None and is_prose(line.text) else 0
        counts.append(counts[-1] + words)
    return counts


def _section_end(lines: Sequence[Line], labels: Sequence[str | None], header: int) -> int:
    """Lines after the header up to the trailing run of labelled lines (footer, legal notes)."""
    end = len(lines)
    while end - 1 > header and (not lines[end - 1].text or labels[end - 1] is not None):
        end -= 1
    return end


def _split_items(
    lines: Sequence[Line], labels: Sequence[str | None], header: int, end: int
) -> CommentSection | None:
    region = [i for i in range(header + 1, end) if lines[i].text]
    # Author-and-time lines may carry a cue of their own ("2 hours ago"); they
    # still open a comment, so they go to the splitter, not to the markers.
    signed = {i for i in region if labels[i] == "comment_section" and _is_meta(lines[i].text)}
    markers = [header] + [i for i in region if labels[i] == "comment_section" and i not in signed]
    content = [i for i in region if labels[i] != "comment_section" or i in signed]
    numbered = _numbered_items(lines, content)
    if numbered:
        section = CommentSection(header, numbered, markers)
        _maybe_article_item(lines, labels, section)
        return section
    meta_items = _meta_items(lines, content, markers)
    if meta_items:
        return CommentSection(header, meta_items, markers)
    # Plain paragraphs: only trust a header that comes after most of the text.
    before = sum(word_count(lines[i].text) for i in range(header) if lines[i].text)
    after = sum(word_count(lines[i].text) for i in content)
    if after * PLAIN_AFTER_RATIO >= before:
        return None
    # Unsigned comments are what readers write: sentences. A run of list lines
    # (tour dates, venues, specs) under a stray header is the article's own list.
    if sum(is_prose(lines[i].text) for i in content) * 2 < len(content):
        return None
    items: dict[int, CommentItem] = {}
    for i in content:
        items.setdefault(lines[i].block, CommentItem()).lines.append(i)
    return CommentSection(header, list(items.values()), markers)


def _numbered_items(lines: Sequence[Line], content: Sequence[int]) -> list[CommentItem]:
    """Items of a list numbered 1, 2, 3, ... from the first content line on."""
    if not content:
        return []
    items: list[CommentItem] = []
    expected: int | None = None
    for i in content:
        match = NUMBERED.match(lines[i].text)
        number = int(match.group(1)) if match else None
        # A comment list counts from 1; an article's own list may start anywhere.
        if match and number is not None and number == (expected or 1):
            items.append(CommentItem(lines=[i], marker_line=i, marker_width=match.end()))
            expected = number + 1
        elif items:
            items[-1].lines.append(i)
        else:
            return []  # text before the first number: not a numbered list
    return items if len(items) >= 2 else []


def _meta_items(
    lines: Sequence[Line], content: Sequence[int], markers: list[int]
) -> list[CommentItem]:
    """Items introduced by an author line and/or a time line."""
    meta = {i for i in content if _is_meta(lines[i].text)}
    if len(meta) < 2:
        return []
    items: list[CommentItem] = []
    pending_author: int | None = None
    for pos, i in enumerate(content):
        if i in meta:
            item = CommentItem()
            author_line = pending_author
            if author_line is None:
                author_text = _author_from_meta(lines[i].text)
            else:
                author_text = lines[author_line].text
                markers.append(author_line)
            item.author = author_text
            markers.append(i)
            items.append(item)
            pending_author = None
            continue
        nxt = content[pos + 1] if pos + 1 < len(content) else None
        if nxt in meta and _is_name(lines[i].text) and (not items or items[-1].lines):
            pending_author = i
            continue
        if items:
            items[-1].lines.append(i)
    return [item for item in items if item.lines]


def _is_meta(text: str) -> bool:
    """An author-and-time line: short, dated or "says:", not a sentence."""
    return (
        word_count(text) <= MAX_META_WORDS
        and COMMENT_META.search(text) is not None
        and not text.rstrip().endswith((".", "!", "?"))
    )


def _is_name(text: str) -> bool:
    return word_count(text) <= 4 and bool(NAME_LINE.fullmatch(text)) and not is_prose(text)


def _author_from_meta(text: str) -> str | None:
    head = regex.split(r"\s*(?:[·•|,-]|\bon\b|\bsays\b|\bwrote\b|\bat\b)\s*", text, maxsplit=1)[0]
    head = str(head).strip(" :")
    if head and not COMMENT_META.search(head) and word_count(head) <= 4:
        return head
    return None


def _maybe_article_item(
    lines: Sequence[Line], labels: Sequence[str | None], section: CommentSection
) -> None:
    before = sum(
        word_count(lines[i].text)
        for i in range(section.header)
        if lines[i].text and labels[i] is None and is_prose(lines[i].text)
    )
    first = section.items[0]
    first_words = sum(word_count(lines[i].text) for i in first.lines)
    if before < ARTICLE_BEFORE_WORDS and first_words >= ARTICLE_ITEM_WORDS:
        section.article_item = section.items.pop(0)
