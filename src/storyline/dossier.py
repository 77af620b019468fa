"""The dossier: one self-contained HTML file to read the corpus and its evidence.

No network is needed to open it: styles are inline, nothing is fetched.
Every piece of article text is escaped (articles are untrusted input).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import jinja2

from storyline.cluster import Event, Storyline
from storyline.dedupe import CopyGroup
from storyline.records import Article, Rejection


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
            rows.sort(key=lambda r: (r.original_id or r.article.id, r.original_id is not None,
                                     r.article.published.date or "9999", r.article.id))
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


def segments(article: Article) -> list[Segment]:
    """The article's text cut into body, set-aside and comment runs, in order."""
    marks: list[tuple[int, int, Segment]] = [
        (s.start, s.end, Segment("aside", article.text[s.start : s.end], s.label, s.cue))
        for s in article.set_aside
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
) -> str:
    labels = Counter(s.label for a in articles for s in a.set_aside)
    languages = Counter(a.language or "unknown" for a in articles)
    outlets = Counter(a.outlet or "unknown" for a in articles)
    ordered = sorted(articles, key=lambda a: (a.published.date or "9999", a.title or "", a.id))
    template = _environment().get_template("dossier.html.j2")
    return template.render(
        title=title,
        articles=ordered,
        segments={a.id: segments(a) for a in articles},
        rejections=rejections,
        labels=sorted(labels.items()),
        languages=sorted(languages.items()),
        outlets=sorted(outlets.items(), key=lambda kv: (-kv[1], kv[0])),
        comments=sum(len(a.comments) for a in articles),
        storylines=storylines,
    )
