"""The dossier: one self-contained HTML file to read the corpus and its evidence.

No network is needed to open it: styles are inline, nothing is fetched.
Every piece of article text is escaped (articles are untrusted input).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import jinja2

from storyline.cluster import Event
from storyline.dedupe import CopyGroup
from storyline.records import Actor, Article, Quote, Rejection
from storyline.storylines import Storyline


@dataclass(frozen=True, slots=True)
class LineageRow:
    """One article of an event, placed in its copy lineage."""

    article: Article
    relation: str  # "original", "independent", or the copy relation
    original_id: str | None
    similarity: float | None


@dataclass(frozen=True, slots=True)
class EventView:
    event: Event
    rows: tuple[LineageRow, ...]
    independent: int  # articles that are not copies of another


@dataclass(frozen=True, slots=True)
class StorylineView:
    storyline: Storyline
    events: tuple[EventView, ...]


def story_views(
    storylines: Sequence[Storyline],
    events: Sequence[Event],
    groups: Sequence[CopyGroup],
    articles: Sequence[Article],
) -> list[StorylineView]:
    """Storylines with their events in time order, each article placed in its lineage:
    the original first, then who reposted, excerpted, edited or rewrote it."""
    by_article = {a.id: a for a in articles}
    by_event = {e.id: e for e in events}
    link_of = {link.article_id: (g.original, link) for g in groups for link in g.members}
    originals = {g.original for g in groups}
    views = []
    for storyline in storylines:
        event_views = []
        for event_id in storyline.event_ids:
            event = by_event.get(event_id)
            if event is None:
                continue
            rows = []
            for article_id in event.article_ids:
                article = by_article.get(article_id)
                if article is None:
                    continue
                if article_id in link_of:
                    original, link = link_of[article_id]
                    rows.append(LineageRow(article, link.relation, original, link.similarity))
                else:
                    relation = "original" if article_id in originals else "independent"
                    rows.append(LineageRow(article, relation, None, None))
            rows.sort(
                key=lambda r: (
                    r.original_id or r.article.id,
                    r.original_id is not None,
                    r.article.published.date or "9999",
                    r.article.id,
                )
            )
            independent = sum(1 for r in rows if r.original_id is None)
            event_views.append(EventView(event, tuple(rows), independent))
        views.append(StorylineView(storyline, tuple(event_views)))
    return views


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of an article's text: body, a set-aside span (with label) or a comment."""

    kind: str  # "body", "aside", "comment"
    text: str
    label: str = ""
    cue: str = ""


def segments(article: Article, cited: Iterable[tuple[int, int]] = ()) -> list[Segment]:
    """The article's text cut into body, set-aside, comment and cited runs, in order.

    A cited run is a source sentence a timeline or summary sentence links to; its
    `label` is the anchor the link points at.
    """
    marks: list[tuple[int, int, Segment]] = [
        (s.start, s.end, Segment("aside", article.text[s.start : s.end], s.label, s.cue))
        for s in article.set_aside
    ]
    marks += [
        (start, end, Segment("cite", article.text[start:end], f"c-{article.id}-{start}"))
        for start, end in sorted(set(cited))
    ]
    marks += [
        (c.start, c.end, Segment("comment", article.text[c.start : c.end], "comment"))
        for c in article.comments
    ]
    marks.sort(key=lambda m: (m[0], -m[1]))
    out: list[Segment] = []
    cursor = 0
    for start, end, segment in marks:
        if start < cursor:
            continue  # nested in a span already shown
        if start > cursor:
            out.append(Segment("body", article.text[cursor:start]))
        out.append(segment)
        cursor = end
    if cursor < len(article.text):
        out.append(Segment("body", article.text[cursor:]))
    return out


def _environment() -> jinja2.Environment:
    loader = jinja2.FunctionLoader(
        lambda name: resources.files("storyline").joinpath(f"templates/{name}").read_text("utf-8")
    )
    return jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined)


def render_dossier(
    articles: Sequence[Article],
    rejections: Sequence[Rejection],
    title: str = "storyline dossier",
    storylines: Sequence[StorylineView] = (),
    *,
    extras: Mapping[str, Any] | None = None,
    event_summaries: Mapping[str, Any] | None = None,
    variants: Sequence[Any] = (),
    quotes: Sequence[Quote] = (),
    cited: Mapping[str, set[tuple[int, int]]] | None = None,
    actors: Sequence[Actor] = (),
) -> str:
    """The dossier page. The optional sections come from `report.dossier_html`:
    storyline extras (chart, summary, timeline), event summaries, quotation variants,
    quotations by speaker, and the cited spans to mark in the article texts."""
    labels = Counter(s.label for a in articles for s in a.set_aside)
    languages = Counter(a.language or "unknown" for a in articles)
    outlets = Counter(a.outlet or "unknown" for a in articles)
    ordered = sorted(articles, key=lambda a: (a.published.date or "9999", a.title or "", a.id))
    template = _environment().get_template("dossier.html.j2")
    return template.render(
        title=title,
        articles=ordered,
        segments={a.id: segments(a, (cited or {}).get(a.id, ())) for a in articles},
        rejections=rejections,
        labels=sorted(labels.items()),
        languages=sorted(languages.items()),
        outlets=sorted(outlets.items(), key=lambda kv: (-kv[1], kv[0])),
        comments=sum(len(a.comments) for a in articles),
        storylines=storylines,
        extras=extras or {},
        event_summaries=event_summaries or {},
        variants=variants,
        speakers=_speakers(quotes, actors),
        titles={a.id: a.title or "(untitled)" for a in articles},
        outlet_of={a.id: a.outlet or "outlet unknown" for a in articles},
        date_of={a.id: a.published.date or a.published.earliest or "undated" for a in articles},
    )


@dataclass(frozen=True, slots=True)
class SpeakerView:
    """One speaker's quotations across the corpus, with the roles articles give them."""

    name: str
    anonymous: bool
    roles: tuple[str, ...]
    quotes: tuple[Quote, ...]


def _speakers(quotes: Sequence[Quote], actors: Sequence[Actor]) -> list[SpeakerView]:
    roles = {a.id: tuple(sorted({r.role for r in a.roles})) for a in actors}
    names = {a.id: a.name for a in actors}
    grouped: dict[tuple[str, bool, str | None], list[Quote]] = {}
    for q in quotes:
        s = q.speaker
        if s is None:
            continue
        key: tuple[str, bool, str | None]
        if s.anonymous:
            key = (s.description or "unnamed source", True, None)
        else:
            key = (
                names.get(s.actor_id or "", s.name or s.description or "unresolved"),
                False,
                s.actor_id,
            )
        grouped.setdefault(key, []).append(q)
    views = [
        SpeakerView(name, anonymous, roles.get(actor_id or "", ()), tuple(qs))
        for (name, anonymous, actor_id), qs in grouped.items()
    ]
    views.sort(key=lambda v: (v.anonymous, -len(v.quotes), v.name))
    return views
