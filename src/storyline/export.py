"""Records as plain JSON-ready dicts: the contract scripts and benchmarks rely on.

`articles --json` gives, per article, at least: id, title, outlet, language,
published {date, earliest, latest, confidence, method, evidence}, source, body,
set_aside [{label, start, end, text}] (offsets into `text`), comments [text].
Later stages add keys; they never remove or rename one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from storyline.cluster import Event
from storyline.dedupe import CopyGroup
from storyline.pipeline import IngestReport, StoriesReport
from storyline.records import (
    Actor,
    Article,
    CitedSentence,
    Published,
    Quote,
    Rejection,
    Summary,
    TimelineEntry,
)
from storyline.store import ArticleSummary, SearchHit
from storyline.storylines import Storyline


def published_json(p: Published) -> dict[str, Any]:
    return {
        "date": p.date,
        "earliest": p.earliest,
        "latest": p.latest,
        "confidence": p.confidence,
        "method": p.method,
        "evidence": [asdict(e) for e in p.evidence],
    }


def article_json(a: Article) -> dict[str, Any]:
    return {
        "id": a.id,
        "title": a.title,
        "outlet": a.outlet,
        "language": a.language,
        "published": published_json(a.published),
        "source": a.source,
        "locator": a.locator or None,
        "url": a.url,
        "author": a.author,
        "extractor": a.extractor,
        "body": a.body,
        "text": a.text,
        "set_aside": [
            {"label": s.label, "start": s.start, "end": s.end, "text": s.text, "cue": s.cue}
            for s in a.set_aside
        ],
        "comments": [c.text for c in a.comments],
        "comment_spans": [{"start": c.start, "end": c.end, "author": c.author} for c in a.comments],
    }


def summary_json(s: ArticleSummary) -> dict[str, Any]:
    return {
        "id": s.id,
        "title": s.title,
        "outlet": s.outlet,
        "language": s.language,
        "published": published_json(s.published),
        "source": s.source,
        "length": s.length,
        "set_aside_count": s.set_aside_count,
        "comment_count": s.comment_count,
    }


def rejection_json(r: Rejection) -> dict[str, Any]:
    return {
        "source": r.source,
        "locator": r.locator,
        "stage": r.stage,
        "reason": r.reason,
        "detail": r.detail,
        "sha256": r.sha256,
    }


def hit_json(h: SearchHit) -> dict[str, Any]:
    return {
        "id": h.article_id,
        "title": h.title,
        "outlet": h.outlet,
        "snippet": h.snippet,
        "score": round(h.score, 4),
    }


def stories_report_json(r: StoriesReport) -> dict[str, Any]:
    return {
        "copy_groups": r.copy_groups,
        "copies": r.copies,
        "clustered": r.clustered,
        "events": r.events,
        "storylines": r.storylines,
    }


def report_json(r: IngestReport) -> dict[str, Any]:
    return {
        "ingested": r.ingested,
        "unchanged": r.unchanged,
        "rejected": [rejection_json(x) for x in r.rejected],
        "articles": r.articles,
        "reasons": dict(sorted(r.reasons.items())),
    }


def copy_group_json(group: CopyGroup) -> dict[str, Any]:
    return {
        "original": group.original,
        "members": [
            {
                "article_id": link.article_id,
                "relation": link.relation,
                "similarity": round(link.similarity, 4),
                "evidence": [asdict(p) for p in link.evidence],
            }
            for link in group.members
        ],
    }


def stories_json(storylines: Sequence[Storyline], events: Sequence[Event]) -> list[dict[str, Any]]:
    """`stories --json`: storylines with their events in order, copies in `article_ids`."""
    by_id = {event.id: event for event in events}
    return [
        {
            "id": storyline.id,
            "label": storyline.label,
            "events": [event_json(by_id[e]) for e in storyline.event_ids if e in by_id],
        }
        for storyline in storylines
    ]


def event_json(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "label": event.label,
        "date": event.date,
        "date_evidence": list(event.date_evidence),
        "article_ids": list(event.article_ids),
    }


def quote_json(q: Quote) -> dict[str, Any]:
    """`quotes --json`: one quotation; offsets into the article's `text`."""
    speaker = q.speaker
    return {
        "id": q.id,
        "article_id": q.article_id,
        "text": q.text,
        "start": q.start,
        "end": q.end,
        "kind": q.kind,
        "cue": q.cue,
        "cue_start": q.cue_start,
        "cue_end": q.cue_end,
        "speaker": None
        if speaker is None
        else {
            "actor_id": speaker.actor_id,
            "name": speaker.name,
            "anonymous": speaker.anonymous,
            "description": speaker.description,
            "start": speaker.start,
            "end": speaker.end,
            "resolved_by": speaker.resolved_by,
        },
        "layer": q.layer,
        "said_on": q.said_on,
        "variant_group": q.variant_group,
    }


def actor_json(a: Actor) -> dict[str, Any]:
    """`actors --json`: one actor with its aliases and the roles articles give it."""
    return {
        "id": a.id,
        "name": a.name,
        "aliases": list(a.aliases),
        "kind": a.kind,
        "roles": [{"role": r.role, "article_id": r.article_id, "date": r.date} for r in a.roles],
    }


def cited_json(s: CitedSentence) -> dict[str, Any]:
    return {
        "text": s.text,
        "citations": [
            {"article_id": c.article_id, "start": c.start, "end": c.end} for c in s.citations
        ],
    }


def timeline_json(storyline_id: str, entries: Sequence[TimelineEntry]) -> dict[str, Any]:
    """`timeline STORY --json`."""
    return {
        "storyline_id": storyline_id,
        "entries": [
            {"date": e.date, "sentences": [cited_json(s) for s in e.sentences]} for e in entries
        ],
    }


def story_summary_json(s: Summary) -> dict[str, Any]:
    """`summary ID --json`."""
    return {"id": s.id, "up_to": s.up_to, "sentences": [cited_json(x) for x in s.sentences]}
