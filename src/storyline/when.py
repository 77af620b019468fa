"""When things happened, as opposed to when they were reported.

An event's date is the day its reports say it happened ("Macron on Wednesday
used a speech ...", in an article of Thursday), not the date of the reports;
a quotation's date is the day the text says it was said. Both come from the
time expressions of the articles, resolved against each article's own
publication date, and both carry the expression that produced them as
evidence. When no article pins the day, the event falls back to its earliest
report, and says so.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from storyline.records import Article, Published, Quote
from storyline.timexpr import find_time_expressions

# A day mentioned by a report counts for its event only when it lies this close
# before the report: coverage of one happening comes within days, while dates
# further back are background ("since 2022", "in 2014").
EVENT_LOOKBACK_DAYS = 7
# Sentences near the top of an article state the news; later ones give context.
LEAD_CHARS = 700


@dataclass(frozen=True, slots=True)
class DatedEvent:
    """An event's date with the evidence that produced it."""

    event_id: str
    date: str | None
    evidence: tuple[str, ...]


def reference_day(published: Published) -> dt.date | None:
    """The day relative expressions resolve against: the known day, or an interval of one day."""
    day = published.date or (published.earliest if published.earliest == published.latest else None)
    return dt.date.fromisoformat(day) if day else None


def _body_ranges(article: Article) -> list[tuple[int, int]]:
    return [(p.text_start, p.text_end) for p in article.paragraphs] or [(0, len(article.text))]


def event_date(
    event_id: str,
    members: Sequence[Article],
    published: Mapping[str, Published],
) -> DatedEvent:
    """The day the members' reports agree the event happened, weighted by position.

    Each original report votes once per day it mentions, within EVENT_LOOKBACK_DAYS
    before its own publication day; a mention in the lead counts double. Ties go to
    the earlier day (the happening precedes its echoes).
    """
    votes: dict[str, float] = defaultdict(float)
    evidence: dict[str, str] = {}
    reports: list[tuple[str, str]] = []
    for article in members:
        pub = published.get(article.id, article.published)
        ref = reference_day(pub)
        if ref is None:
            continue
        reports.append((ref.isoformat(), article.id))
        seen: set[str] = set()
        for start, end in _body_ranges(article):
            for expr in find_time_expressions(
                article.text, ref, article.language or "en", start, end
            ):
                if not expr.earliest or expr.earliest != expr.latest:
                    continue
                day = dt.date.fromisoformat(expr.earliest)
                if not (ref - dt.timedelta(days=EVENT_LOOKBACK_DAYS) <= day <= ref):
                    continue
                key = day.isoformat()
                weight = 2.0 if expr.start - _body_ranges(article)[0][0] < LEAD_CHARS else 1.0
                if key in seen:
                    continue
                seen.add(key)
                votes[key] += weight
                evidence.setdefault(
                    key, f"“{expr.text}” in {article.id} (published {ref.isoformat()})"
                )
    if votes:
        best = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        return DatedEvent(event_id, best, (evidence[best],))
    if reports:
        first, article_id = min(reports)
        return DatedEvent(
            event_id, first, (f"no report names the day; earliest report {article_id} ({first})",)
        )
    return DatedEvent(event_id, None, ())


def quote_dates(
    quotes: Sequence[Quote], articles: Mapping[str, Article], published: Mapping[str, Published]
) -> list[Quote]:
    """Quotes with `said_on` set where the sentence around the cue names the day or month."""
    out: list[Quote] = []
    for quote in quotes:
        article = articles.get(quote.article_id)
        if article is None or quote.layer != "article":
            out.append(quote)
            continue
        ref = reference_day(published.get(article.id, article.published))
        lo = min(quote.start, quote.cue_start if quote.cue_start is not None else quote.start)
        hi = max(quote.end, quote.cue_end if quote.cue_end is not None else quote.end)
        # The attribution clause: from the start of the sentence holding the quote or
        # its cue to the end of that sentence, bounded to the paragraph.
        left = max(article.text.rfind("\n", 0, lo) + 1, article.text.rfind(". ", 0, lo) + 2)
        right_candidates = [
            i for i in (article.text.find("\n", hi), article.text.find(". ", hi)) if i != -1
        ]
        right = min(right_candidates) if right_candidates else len(article.text)
        said: str | None = None
        for expr in find_time_expressions(article.text, ref, article.language or "en", left, right):
            if expr.start >= quote.start and expr.end <= quote.end:
                continue  # a date inside the quotation is what was said about, not when
            if expr.earliest and ref is not None and expr.earliest > ref.isoformat():
                continue
            if expr.earliest and expr.earliest == expr.latest:
                said = expr.earliest
                break
            if expr.kind in ("month", "date") and expr.value[:4].isdigit() and said is None:
                said = expr.value
        out.append(replace(quote, said_on=said) if said else quote)
    return out
