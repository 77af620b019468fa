"""The who-said-what and when stages over a store, run after copies and events.

Per article, once: quotations (with speakers) and mentions of people and
organisations. Over the whole corpus, each build: publication dates for
undated articles (from their text, the knowledge base, then their copies and
events), event dates, quotation dates, actors merged across articles, and the
same quotation matched across outlets. The global steps read only stored
results of the per-article ones, so parsing happens once per article.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from storyline.actors import assign_actor_ids, find_mentions, merge_actors
from storyline.dating import body_only, day_of, own_dates, propagate_published, tense
from storyline.knowledge import Knowledge, load_knowledge
from storyline.quotes import quotes_for_article
from storyline.records import Article, Published
from storyline.sentences import Source
from storyline.store import ArticleSummary, Store
from storyline.timexpr import find_time_expressions
from storyline.variants import VariantGroup, group_variants
from storyline.when import event_date, quote_dates


@dataclass(frozen=True, slots=True)
class AnalysisReport:
    """What the who-and-when stages did in one build."""

    analysed: int
    quotes: int
    actors: int
    variant_groups: int
    dates_inferred: int

    def summary(self) -> str:
        return (
            f"{self.analysed} articles newly analysed; {self.quotes} quotations, "
            f"{self.actors} actors, {self.variant_groups} quotations matched across outlets; "
            f"{self.dates_inferred} publication dates inferred"
        )


def infer_dates(
    articles: Sequence[Article],
    copy_groups: Sequence[Sequence[str]],
    events: Sequence[Sequence[str]],
    kb: Knowledge,
    own: Mapping[str, Published] | None = None,
) -> dict[str, Published]:
    """Every article's publication date: declared when it came with a day, else inferred."""
    own = own if own is not None else own_dates(articles, kb)
    by_id = {a.id: a for a in articles}
    lenders = [_lenders(event, own, by_id) for event in events]
    return {**own, **propagate_published(own, copy_groups, lenders)}


def _lenders(
    event: Sequence[str], own: Mapping[str, Published], by_id: Mapping[str, Article]
) -> list[str]:
    """The members of an event whose dates may bound each other.

    An undated member that names the month of the event's first dated report as
    a past month ("In December, Macron urged ...") writes about the event as
    background from a later month: a report from within that month would say
    "earlier this month" or name the day. Clustering rightly puts it near the
    event, but its date must not be drawn from the event's coverage.
    """
    days = sorted(d for m in event if m in own and (d := own[m].date))
    if not days:
        return list(event)
    first = dt.date.fromisoformat(days[0])
    keep = []
    for member in event:
        article = by_id.get(member)
        if article is None or own[member].date:
            keep.append(member)
            continue
        text = body_only(article)
        looks_back = any(
            expr.kind == "month"
            and expr.anchored
            and expr.earliest
            and expr.latest
            and expr.earliest <= first.isoformat() <= expr.latest
            and tense(text, expr.start, expr.end) == "past"
            for expr in find_time_expressions(text, first, article.language or "en")
        )
        if not looks_back:
            keep.append(member)
    return keep


def analyse(
    store: Store,
    kb: Knowledge | None = None,
    progress: Callable[[str], None] | None = None,
) -> AnalysisReport:
    """Run quotes and mentions on the new articles, then the corpus-wide steps."""
    articles = store.articles()
    by_id = {a.id: a for a in articles}
    done = store.analysed_article_ids()
    new = [a for a in articles if a.id not in done]
    for article in new:
        if progress:
            progress(article.id)
        ranges = [(p.text_start, p.text_end) for p in article.paragraphs]
        store.save_analysis(
            article.id,
            quotes_for_article(article),
            find_mentions(article.id, article.text, spans=ranges),
        )

    kb = kb or load_knowledge()
    groups = [[g.original, *(link.article_id for link in g.members)] for g in store.copy_groups()]
    events = store.events()
    before = store.inferred_dates()
    own = own_dates(articles, kb, store.own_dates())
    published = infer_dates(articles, groups, [e.article_ids for e in events], kb, own)
    inferred = {k: p for k, p in published.items() if not by_id[k].published.date}
    store.save_inferred_dates(own, inferred)
    # Only events that gained an article or whose articles' dates moved are re-dated:
    # reading every report's time expressions at every build would not scale.
    changed = {a.id for a in new} | {k for k, p in inferred.items() if before.get(k) != p}
    store.update_event_dates(
        [
            event_date(e.id, [by_id[a] for a in e.article_ids if a in by_id], published)
            for e in events
            if changed & set(e.article_ids) or e.date is None
        ]
    )

    dates = {k: day_of(p) for k, p in published.items()}
    languages = {a.id: a.language for a in articles}
    quotes = quote_dates(store.quotes(), by_id, published)
    article_quotes = [q for q in quotes if q.layer == "article"]
    actors = merge_actors(store.mentions(), dates, article_quotes)
    quotes = assign_actor_ids(quotes, actors)
    quotes, variants = group_variants(quotes, dates, languages)
    store.save_actors(actors)
    store.update_quotes(quotes)
    store.save_variant_groups(_variant_rows(variants))
    return AnalysisReport(
        analysed=len(new),
        quotes=len(quotes),
        actors=len(actors),
        variant_groups=len(variants),
        dates_inferred=len(inferred),
    )


def _variant_rows(groups: Sequence[VariantGroup]) -> list[tuple[str, str, list[str], object]]:
    return [
        (
            g.id,
            g.earliest,
            list(g.quote_ids),
            [{"quote_id": qid, "ops": [list(op) for op in ops]} for qid, ops in g.differences],
        )
        for g in groups
    ]


def published_of(
    store: Store, articles: Sequence[Article | ArticleSummary] | None = None
) -> dict[str, Published]:
    """Each article's best publication date: declared with a day, else the inferred one.

    Pass the articles when they are already read; otherwise the light summaries are.
    """
    inferred = store.inferred_dates()
    rows = articles if articles is not None else store.summaries()
    return {
        a.id: a.published if a.published.date or a.id not in inferred else inferred[a.id]
        for a in rows
    }


def with_dates(articles: Sequence[Article], published: Mapping[str, Published]) -> list[Article]:
    """Articles carrying their best publication date (declared dates are never replaced)."""
    return [
        a if a.published.date or a.id not in published else replace(a, published=published[a.id])
        for a in articles
    ]


def sources_for(
    articles: Sequence[Article],
    published: Mapping[str, Published],
    copy_of: Mapping[str, str],
) -> list[Source]:
    """Articles as the timeline and summary stages see them: body, best date, lineage."""
    return [
        Source(
            article_id=a.id,
            text=a.text,
            body_spans=tuple((p.text_start, p.text_end) for p in a.paragraphs),
            published=day_of(published.get(a.id, a.published)),
            outlet=a.outlet,
            copy_of=copy_of.get(a.id),
        )
        for a in articles
    ]


@dataclass(frozen=True, slots=True)
class Corpus:
    """What the timeline, summary and dossier need from the store, read once."""

    articles: dict[str, Article]  # with their best date (declared, else inferred)
    published: dict[str, Published]
    copy_of: dict[str, str]
    declared: frozenset[str]  # ids of the articles whose date came with them

    @classmethod
    def load(cls, store: Store) -> Corpus:
        stored = store.articles()
        published = published_of(store, stored)
        articles = {a.id: a for a in with_dates(stored, published)}
        copy_of = {link.article_id: g.original for g in store.copy_groups() for link in g.members}
        declared = frozenset(a.id for a in stored if a.published.date)
        return cls(articles, published, copy_of, declared)

    def sources(self, article_ids: Sequence[str]) -> list[Source]:
        chosen = [self.articles[a] for a in article_ids if a in self.articles]
        return sources_for(chosen, self.published, self.copy_of)
