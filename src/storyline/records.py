"""Typed records passed between pipeline stages.

Every record is a frozen dataclass with slots: stages take records in and give
records out, so a stage can be tested by building its inputs by hand.
Character offsets are always into the text named in the field's docstring.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Labels of set-aside spans: what cleaning takes out of the article body
# without deleting it. The set is closed so that scorers and the dossier agree.
SET_ASIDE_LABELS: tuple[str, ...] = (
    "title",  # the headline line (and repeats of it); stored as Article.title
    "appeal",  # donation, subscription and membership appeals, paywall prompts
    "disclaimer",  # disclaimers, legal notices, copyright, cookie and privacy notices
    "share",  # share, follow, newsletter and app prompts, social links
    "caption",  # photo and video captions and credits
    "byline",  # bylines, reporting credits, author bios, datelines on their own line
    "navigation",  # menus, breadcrumbs, "read more", related links, tags
    "advert",  # "Advertisement", sponsored blocks
    "comment_section",  # comment-section headers, counts and footers
    "metadata",  # stray counters, timestamps, reading times
)


@dataclass(frozen=True, slots=True)
class Span:
    """A character range [start, end) in one article's text."""

    article_id: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class RawDocument:
    """Input bytes exactly as read, addressed by their SHA-256."""

    sha256: str
    source: str  # path or URL the bytes came from
    content: bytes
    media_type: str  # text, html, jsonl, json, warc, feed


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a derived value holds: the kind of evidence and the text that shows it."""

    kind: str  # e.g. "html-meta", "json-field", "feed", "url", "warc-date"
    text: str
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True, slots=True)
class Published:
    """A publication date: exact when known, otherwise an interval, always with evidence."""

    date: str | None = None  # ISO date when known to the day
    earliest: str | None = None
    latest: str | None = None
    confidence: float = 0.0
    method: str | None = None
    evidence: tuple[Evidence, ...] = ()

    @property
    def known(self) -> bool:
        return self.date is not None or self.earliest is not None


@dataclass(frozen=True, slots=True)
class SetAside:
    """A span cleaning took out of the body, with why (label) and the cue that fired."""

    label: str
    start: int
    end: int
    text: str
    cue: str = ""


@dataclass(frozen=True, slots=True)
class Comment:
    """One reader comment: a layer of its own, never part of the article body."""

    text: str
    start: int
    end: int
    author: str | None = None


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A body paragraph: where it sits in the body and where it came from in the text."""

    body_start: int
    body_end: int
    text_start: int
    text_end: int


@dataclass(frozen=True, slots=True)
class Cleaned:
    """What cleaning makes of one text. Offsets of set_aside and comments are into `text`."""

    text: str
    body: str
    title: str | None
    paragraphs: tuple[Paragraph, ...]
    set_aside: tuple[SetAside, ...]
    comments: tuple[Comment, ...]


@dataclass(frozen=True, slots=True)
class Item:
    """One article-shaped item found in a raw document, before cleaning.

    A text or HTML file holds one item; a JSON Lines file, a feed or a WARC many.
    `locator` says where in the raw document the item is ("line 3", "record 5").
    """

    raw_sha256: str
    source: str
    locator: str
    kind: str  # "text" or "html"
    content: str
    declared: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Article:
    """A cleaned article. `text` is the full text cleaning saw; `body` is what it kept."""

    id: str
    raw_sha256: str
    source: str
    locator: str
    title: str | None
    outlet: str | None
    url: str | None
    author: str | None
    language: str | None
    published: Published
    text: str
    body: str
    paragraphs: tuple[Paragraph, ...]
    set_aside: tuple[SetAside, ...]
    comments: tuple[Comment, ...]
    extractor: str  # "text" or "trafilatura"


@dataclass(frozen=True, slots=True)
class Rejection:
    """An input that could not be used: which, at what stage, and why (with the fix)."""

    source: str
    stage: str
    reason: str  # short machine-friendly reason: "empty", "binary", "undecodable", ...
    detail: str  # one sentence for a person, naming the input and the fix
    sha256: str | None = None
    locator: str | None = None
