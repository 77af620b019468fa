"""Cleaning the five seed documents: boilerplate set aside with the right label,
comments split into their own layer, no article sentence set aside or lost.

The seeds are read from ../shared/seeds (third-party text, never copied here).
Expected boilerplate is named by a short fragment of the boilerplate line
itself; every other non-blank line of a seed must end up in the body (or, for
the seed with reader comments, in the comment layer).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import require_shared

from storyline.clean import clean_text
from storyline.records import Cleaned

# seed prefix -> [(fragment of a boilerplate line, label)]; the title line is
# checked separately. Fragments are the boilerplate's own words, not article text.
EXPECTED: dict[str, list[tuple[str, str]]] = {
    "000": [
        ("Follow us on Google News", "share"),
        ("Disclaimers for", "disclaimer"),
        ("is published in good faith", "disclaimer"),
        ("Give a Comment", "comment_section"),
    ],
    "001": [
        ("25 comments", "comment_section"),
        ("Leave a Reply", "comment_section"),
    ],
    "002": [
        ("Enjoying ad-free content?", "appeal"),
        ("we have disabled all ads", "appeal"),
        ("Your support can help us", "appeal"),
        ("Support us", "appeal"),
        ("We need your help", "appeal"),
        ("Andriy Dubchak / AP / TASS", "caption"),
        ("AFP contributed reporting.", "byline"),
        ("we have a small favor to ask", "appeal"),
        ("refuse to be silenced", "appeal"),
        ("no matter how small", "appeal"),
        ("paiment methods", "appeal"),
        ("Not ready to support today?", "appeal"),
        ("Remind me later.", "appeal"),
        ("Read more", "navigation"),
    ],
    "003": [
        ("Comments are closed.", "comment_section"),
    ],
    "004": [],
}
# Lines that are neither body nor the listed boilerplate: a comment counter.
STRAY: dict[str, list[tuple[str, str]]] = {"003": [("0", "metadata")]}

NUMBERED_ITEM = re.compile(r"^\s*(\d+)\.\s+")


def seed_path(prefix: str) -> Path:
    folder = require_shared("seeds")
    matches = sorted(folder.glob(f"{prefix}_*.txt"))
    assert matches, f"no seed {prefix}_*.txt in {folder}"
    return matches[0]


def seed(prefix: str) -> tuple[str, Cleaned]:
    text = seed_path(prefix).read_text(encoding="utf-8")
    return text, clean_text(text)


def label_at(cleaned: Cleaned, offset: int) -> str | None:
    for span in cleaned.set_aside:
        if span.start <= offset < span.end:
            return span.label
    return None


def in_comment(cleaned: Cleaned, offset: int) -> bool:
    return any(c.start <= offset < c.end for c in cleaned.comments)


def nonblank_lines(text: str) -> list[tuple[int, str]]:
    lines, offset = [], 0
    for raw in text.split("\n"):
        if raw.strip():
            lines.append((offset + len(raw) - len(raw.lstrip()), raw.strip()))
        offset += len(raw) + 1
    return lines


def first_line(text: str) -> str:
    return nonblank_lines(text)[0][1]


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_boilerplate_is_set_aside_with_its_label(prefix: str) -> None:
    text, cleaned = seed(prefix)
    for fragment, label in EXPECTED[prefix] + STRAY.get(prefix, []):
        line = next(
            (
                start
                for start, line in nonblank_lines(text)
                if (line == fragment if len(fragment) < 3 else fragment in line)
            ),
            None,
        )
        assert line is not None, f"{prefix}: fragment {fragment!r} not in the seed"
        offset = line + max(text[line:].find(fragment), 0)
        assert label_at(cleaned, offset) == label, f"{prefix}: {fragment!r} should be {label}"
        assert fragment not in cleaned.body or len(fragment) < 3


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_title_is_found_and_not_in_the_body(prefix: str) -> None:
    text, cleaned = seed(prefix)
    assert cleaned.title
    # The headline is the first line that is not boilerplate.
    boiler = [fragment for fragment, _ in EXPECTED[prefix]]
    headline = next(
        line for _, line in nonblank_lines(text) if not any(fragment in line for fragment in boiler)
    )
    assert cleaned.title == headline
    assert not cleaned.body.startswith(headline)


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_no_article_line_is_set_aside_or_lost(prefix: str) -> None:
    text, cleaned = seed(prefix)
    boiler = [fragment for fragment, _ in EXPECTED[prefix] + STRAY.get(prefix, [])]
    title = cleaned.title
    for start, line in nonblank_lines(text):
        if line == title or any(
            (line == fragment) if len(fragment) < 3 else (fragment in line) for fragment in boiler
        ):
            continue
        if in_comment(cleaned, start + len(line) - 1):
            continue
        content = NUMBERED_ITEM.sub("", line)
        assert label_at(cleaned, start + len(line) - 1) is None, (
            f"{prefix}: an article line was set aside as {label_at(cleaned, start + len(line) - 1)}"
        )
        assert content in cleaned.body, f"{prefix}: an article line is missing from the body"


def test_reader_comments_are_their_own_layer_one_per_comment() -> None:
    text, cleaned = seed("001")
    numbers = [int(m.group(1)) for m in re.finditer(r"(?m)^\s*(\d+)\.\s+\S", text)]
    # Item 1 of the list is the article itself; items 2.. are the reader comments.
    assert numbers == list(range(1, len(numbers) + 1))
    assert len(cleaned.comments) == len(numbers) - 1
    item_starts = [m.end() for m in re.finditer(r"(?m)^\s*\d+\.\s+", text)][1:]
    for comment, start in zip(cleaned.comments, item_starts, strict=True):
        assert comment.start == start
        assert text[start : start + 40] == comment.text[:40]
    # No comment text leaks into the body.
    for comment in cleaned.comments:
        assert comment.text[:60] not in cleaned.body


def test_the_article_printed_as_item_one_of_the_comment_list_is_the_body() -> None:
    text, cleaned = seed("001")
    first_item = re.search(r"(?ms)^\s*1\.\s+(.*?)^\s*2\.\s", text)
    assert first_item is not None
    paragraphs = [p.strip() for p in first_item.group(1).split("\n") if p.strip()]
    assert len(paragraphs) > 10
    for paragraph in paragraphs:
        assert paragraph in cleaned.body
    assert "1." not in cleaned.body[:5]


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_nothing_is_lost(prefix: str) -> None:
    """Every non-blank character is in the body, a set-aside span or a comment."""
    _text, cleaned = seed(prefix)
    covered = [False] * len(cleaned.text)
    for p in cleaned.paragraphs:
        assert cleaned.text[p.text_start : p.text_end] == cleaned.body[p.body_start : p.body_end]
        covered[p.text_start : p.text_end] = [True] * (p.text_end - p.text_start)
    for s in cleaned.set_aside:
        covered[s.start : s.end] = [True] * (s.end - s.start)
    for c in cleaned.comments:
        covered[c.start : c.end] = [True] * (c.end - c.start)
    lost = "".join(
        ch for ch, seen in zip(cleaned.text, covered, strict=True) if not seen and not ch.isspace()
    )
    assert lost == ""
