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


# --- Who said what (annotate, quotes, actors) --------------------------------
# Offsets of quotes, mentions and citations are into Article.text, the full
# text cleaning saw, so that a span can be shown in context whatever layer it
# is in (body or a reader comment).

QUOTE_KINDS: tuple[str, ...] = ("direct", "partial", "indirect")


@dataclass(frozen=True, slots=True)
class Speaker:
    """Who a quotation is attributed to, as the article says it and as resolved.

    `name` is the resolved person or organisation ("Emmanuel Macron"); for an
    anonymous source it is None and `description` carries the affiliation
    ("one EU official"). `start`/`end` point at the mention the attribution
    uses (which may be a pronoun); `resolved_by` says how the name was found.
    """

    name: str | None
    description: str | None = None
    anonymous: bool = False
    start: int | None = None
    end: int | None = None
    resolved_by: str = ""  # named | pronoun | title | according-to | anonymous | unresolved
    actor_id: str | None = None  # filled by the actors stage


@dataclass(frozen=True, slots=True)
class Quote:
    """A quotation or reported statement with its content span, cue and speaker."""

    article_id: str
    text: str  # the content as it stands in the article
    start: int
    end: int
    kind: str  # one of QUOTE_KINDS
    cue: str | None = None  # the verb or phrase that attributes it ("said", "according to")
    cue_start: int | None = None
    cue_end: int | None = None
    speaker: Speaker | None = None
    layer: str = "article"  # "article" or "comment"
    said_on: str | None = None  # ISO date the text says it was said, if it does
    variant_group: str | None = None  # quotes of one statement across articles share it

    @property
    def id(self) -> str:
        return f"{self.article_id}:q{self.start}-{self.end}"


@dataclass(frozen=True, slots=True)
class Mention:
    """A person or organisation named in one article, with the role the article gives."""

    article_id: str
    text: str
    start: int
    end: int
    kind: str  # person | org | gpe | norp
    role: str | None = None  # "EU foreign policy chief", "Russia's deputy foreign minister"


@dataclass(frozen=True, slots=True)
class Role:
    """A role an article gives an actor, with the article and its date."""

    role: str
    article_id: str
    date: str | None = None


@dataclass(frozen=True, slots=True)
class Actor:
    """Mentions of one person or organisation merged across articles."""

    id: str
    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    roles: tuple[Role, ...] = ()
    mentions: tuple[Mention, ...] = ()


# --- When (dates, timeline, summaries) ---------------------------------------


@dataclass(frozen=True, slots=True)
class TimeExpression:
    """A time expression in a text, resolved against a reference date.

    `value` is a TIMEX3-style value ("2022-01-19", "2022-01", "2022",
    "2022-W03", "PRESENT_REF", "P4Y"); `earliest`/`latest` are the ISO days of
    the interval it denotes (equal for a day), None when it cannot be anchored.
    Offsets are into the text that was given to the finder.
    """

    text: str
    start: int
    end: int
    kind: str  # date | weekday | relative | month | year | interval | duration | time
    value: str
    earliest: str | None = None
    latest: str | None = None
    anchored: bool = False  # resolved against the reference date (not explicit)


@dataclass(frozen=True, slots=True)
class Citation:
    """A source span a generated sentence rests on: offsets into Article.text."""

    article_id: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class CitedSentence:
    """A sentence of a timeline or summary with every source span that reports it."""

    text: str
    citations: tuple[Citation, ...]


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One dated entry of a storyline's timeline."""

    date: str
    sentences: tuple[CitedSentence, ...]


@dataclass(frozen=True, slots=True)
class Summary:
    """An extractive summary of an event or a storyline, every sentence cited."""

    id: str
    sentences: tuple[CitedSentence, ...]
    up_to: str | None = None  # "the story so far" up to this date, if cut
