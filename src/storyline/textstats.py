"""Line splitting and the small text measures the cleaner decides with."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import justext
import regex

WORD = regex.compile(r"\w+")
# A sentence ends in a stop, possibly followed by closing quotes or brackets.
SENTENCE_END = regex.compile(r"[.!?…:;][\"”’»')\]]*\s*$")

# jusText's stop-word lists (Pomikalek 2011), for the languages storyline meets
# most; prose has a high share of them, menus and link lists a low one.
STOPLIST_LANGUAGES = (
    "English",
    "French",
    "German",
    "Spanish",
    "Italian",
    "Portuguese",
    "Dutch",
    "Russian",
    "Ukrainian",
    "Polish",
)

# Share of stop words above which a line reads as prose (jusText's
# stopwords_low is 0.30 for one language; a union of lists can only raise the
# share, so this floor is conservative).
PROSE_STOPWORD_SHARE = 0.2

# A line with this many words reads as prose even without a sentence end.
PROSE_LONG_WORDS = 25
# Fewest words for a line ending like a sentence to count as prose.
PROSE_MIN_WORDS = 8


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a text; `start`/`end` bound its stripped content, `text` is that content."""

    start: int
    end: int
    text: str
    block: int  # lines of one blank-line-separated block share a number


def split_lines(text: str) -> list[Line]:
    """Split into lines, recording where each one's stripped content sits."""
    lines: list[Line] = []
    offset = 0
    block = 0
    previous_blank = True
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            if previous_blank:
                block += 1
            lead = len(raw) - len(raw.lstrip())
            lines.append(Line(offset + lead, offset + lead + len(stripped), stripped, block))
        else:
            lines.append(Line(offset, offset, "", block))
        previous_blank = not stripped
        offset += len(raw) + 1
    return lines


def word_count(text: str) -> int:
    return len(WORD.findall(text))


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    words: set[str] = set()
    for language in STOPLIST_LANGUAGES:
        words |= justext.get_stoplist(language)
    return frozenset(words)


def stopword_share(text: str) -> float:
    tokens = [w.casefold() for w in WORD.findall(text)]
    if not tokens:
        return 0.0
    stop = stopwords()
    return sum(1 for t in tokens if t in stop) / len(tokens)


def is_prose(text: str) -> bool:
    """Does this line read like a sentence of running text rather than a label or a link?"""
    words = word_count(text)
    if words < PROSE_MIN_WORDS:
        return False
    ends_sentence = SENTENCE_END.search(text) is not None
    if not ends_sentence and words < PROSE_LONG_WORDS:
        return False
    if not regex.search(r"[\p{Latin}\p{Cyrillic}]", text):
        return True  # no stop list for this script: length and punctuation decide
    return stopword_share(text) >= PROSE_STOPWORD_SHARE
