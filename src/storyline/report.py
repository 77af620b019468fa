"""Assemble the dossier from a store: what each section shows, before rendering.

The renderer (`dossier.py`) only lays out records; this module reads the store,
runs the on-demand stages (timeline, summaries) and turns their citations into
links the reader can follow to the very sentence in the article, with the
outlet and date on hover.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from storyline.analyse import Corpus
from storyline.chart import Mark, timeline_svg
from storyline.cluster import Event
from storyline.dossier import render_dossier, story_views
from storyline.records import Article, CitedSentence, Quote
from storyline.store import Store
from storyline.summarize import find_disagreements, summarize
from storyline.timeline import build_timeline
from storyline.variants import word_diff

EVENT_SUMMARY_SENTENCES = 3
STORY_SUMMARY_SENTENCES = 5


@dataclass(frozen=True, slots=True)
class CiteLink:
    """A link from a generated sentence to the source span that reports it."""

    anchor: str  # the id of the marked span in the article text
    label: str  # short outlet name shown in the link
    hover: str  # outlet, date and the span's own words


@dataclass(frozen=True, slots=True)
class SentenceView:
    text: str
    links: tuple[CiteLink, ...]
    conflict: str = ""  # why it disagrees with the sentence before it, if it does


@dataclass(frozen=True, slots=True)
class StoryExtras:
    """What a storyline section shows besides its events."""

    chart: str  # inline SVG, already escaped
    summary: tuple[SentenceView, ...]
    timeline: tuple[tuple[str, tuple[SentenceView, ...]], ...]


@dataclass(frozen=True, slots=True)
class VariantRow:
    quote: Quote
    article: Article
    ops: tuple[tuple[str, str], ...]  # word diff against the earliest, empty for it


@dataclass(frozen=True, slots=True)
class VariantView:
    """One statement as each outlet quoted it, the earliest source first."""

    speaker: str
    rows: tuple[VariantRow, ...]


def anchor(article_id: str, start: int) -> str:
    return f"c-{article_id}-{start}"


def _views(
    sentences: Sequence[CitedSentence],
    articles: Mapping[str, Article],
    cited: dict[str, set[tuple[int, int]]],
) -> tuple[SentenceView, ...]:
    conflicts = {j: why for _i, j, why in find_disagreements(sentences)}
    out = []
    for n, sentence in enumerate(sentences):
        links = []
        for c in sentence.citations:
            article = articles.get(c.article_id)
            if article is None:
                continue
            cited.setdefault(c.article_id, set()).add((c.start, c.end))
            outlet = article.outlet or article.id[:8]
            when = article.published.date or article.published.earliest or "undated"
            words = " ".join(article.text[c.start : c.end].split())
            links.append(
                CiteLink(
                    anchor(c.article_id, c.start),
                    outlet[:24],
                    f"{outlet} · {when} · “{words[:220]}”",
                )
            )
        out.append(SentenceView(sentence.text, tuple(links), conflicts.get(n, "")))
    return tuple(out)


def _day(article: Article) -> dt.date | None:
    day = article.published.date or article.published.earliest
    return dt.date.fromisoformat(day) if day else None


def _until(article: Article) -> dt.date | None:
    p = article.published
    if p.date or not p.latest or p.latest == p.earliest:
        return None
    return dt.date.fromisoformat(p.latest)


def variant_views(
    quotes: Sequence[Quote],
    groups: Sequence[tuple[str, str, list[str], object]],
    articles: Mapping[str, Article],
) -> list[VariantView]:
    by_id = {q.id: q for q in quotes}
    views = []
    for _group_id, _earliest, quote_ids, _differences in groups:
        # One version per article: an article often holds the statement twice (the
        # reported clause and the quoted words inside it); the quoted wording is what
        # a reader compares, so direct beats partial beats indirect, then length.
        best: dict[str, Quote] = {}
        for qid in quote_ids:
            q = by_id.get(qid)
            if q is None or q.article_id not in articles:
                continue
            held = best.get(q.article_id)
            if held is None or _preference(q) > _preference(held):
                best[q.article_id] = q
        chosen = [
            by_id[q] for q in quote_ids if q in by_id and best.get(by_id[q].article_id) is by_id[q]
        ]
        if len(chosen) < 2:
            continue
        first = chosen[0]
        rows = tuple(
            VariantRow(
                q,
                articles[q.article_id],
                () if q is first else tuple(word_diff(first.text, q.text)),
            )
            for q in chosen
        )
        speaker = next(
            (r.quote.speaker.name for r in rows if r.quote.speaker and r.quote.speaker.name), None
        )
        views.append(VariantView(speaker or "speaker not named", rows))
    views.sort(key=lambda v: (-len(v.rows), v.speaker))
    return views


KIND_ORDER = {"indirect": 0, "partial": 1, "direct": 2}


def _preference(q: Quote) -> tuple[int, int]:
    return KIND_ORDER.get(q.kind, 0), len(q.text)


def event_of(events: Sequence[Event]) -> dict[str, str]:
    """Article id -> the event it reports, for summaries that tell every event."""
    return {a: e.id for e in events for a in e.article_ids}


def event_dates(events: Sequence[Event]) -> list[str]:
    """The days a storyline's events happened, for its timeline's anchors."""
    return sorted({e.date for e in events if e.date})


def dossier_html(store: Store, title: str) -> str:
    """The whole dossier for what the store holds."""
    corpus = Corpus.load(store)
    articles = corpus.articles
    storylines, events = store.storylines(), store.events()
    views = story_views(storylines, events, store.copy_groups(), list(articles.values()))
    cited: dict[str, set[tuple[int, int]]] = {}
    extras: dict[str, StoryExtras] = {}
    event_summaries: dict[str, tuple[SentenceView, ...]] = {}
    by_event = {e.id: e for e in events}
    for storyline in storylines:
        members = [by_event[e] for e in storyline.event_ids if e in by_event]
        ids = [a for e in members for a in e.article_ids]
        sources = corpus.sources(ids)
        marks = [
            Mark(
                day,
                articles[a].outlet or "outlet unknown",
                e.label,
                a,
                inferred=a not in corpus.declared,
                until=_until(articles[a]),
                open_ended=not articles[a].published.date and articles[a].published.latest is None,
            )
            for e in members
            for a in e.article_ids
            if a in articles and (day := _day(articles[a])) is not None
        ]
        # The story so far up to its newest report: how it began and where it stands
        # (the weighting measured on the background-summaries set), not just its
        # most reported event.
        newest = max((s.published for s in sources if s.published), default=None)
        summary = summarize(
            storyline.id,
            sources,
            max_sentences=STORY_SUMMARY_SENTENCES,
            up_to=newest,
            groups=event_of(members),
        )
        entries = build_timeline(storyline.id, sources, anchors=event_dates(members))
        extras[storyline.id] = StoryExtras(
            chart=timeline_svg(marks, [e.label for e in members]),
            summary=_views(summary.sentences, articles, cited),
            timeline=tuple(
                (entry.date, _views(entry.sentences, articles, cited)) for entry in entries
            ),
        )
        for event in members:
            result = summarize(
                event.id, corpus.sources(event.article_ids), max_sentences=EVENT_SUMMARY_SENTENCES
            )
            event_summaries[event.id] = _views(result.sentences, articles, cited)
    quotes = store.quotes()
    return render_dossier(
        list(articles.values()),
        store.rejections(),
        title=title,
        storylines=views,
        extras=extras,
        event_summaries=event_summaries,
        variants=variant_views(quotes, store.variant_groups(), articles),
        quotes=[q for q in quotes if q.layer == "article"],
        cited=cited,
        actors=store.actors(),
    )
