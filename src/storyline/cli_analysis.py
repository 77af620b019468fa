"""Commands for who said what and when: quotes, actors, actor, dates, timeline, summary.

A thin layer like the rest of the CLI: each command reads the store, calls the
stage functions and prints. Registered on the one `app` by importing this module.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from storyline.actors import ActorLookup
from storyline.analyse import Corpus, published_of
from storyline.cli import DbOption, JsonOption, _open, _print_json, app, err, out
from storyline.cluster import Event
from storyline.export import (
    actor_json,
    published_json,
    quote_json,
    story_summary_json,
    timeline_json,
)
from storyline.records import Actor, CitedSentence, Quote
from storyline.report import event_dates, event_of
from storyline.sentences import Source
from storyline.store import Store
from storyline.summarize import summarize
from storyline.timeline import build_timeline


def _speaker(q: Quote) -> str:
    s = q.speaker
    if s is None:
        return "(no speaker)" if q.layer == "article" else "(reader comment)"
    if s.anonymous:
        return f"anonymous: {s.description or 'unnamed source'}"
    return s.name or s.description or "(unresolved)"


def _story_events(store: Store, story_id: str) -> tuple[str, list[Event]] | None:
    """A storyline's or an event's id and its events, by id or unique prefix."""
    events = store.events()
    for exact in (True, False):
        for storyline in store.storylines():
            if storyline.id == story_id or (not exact and storyline.id.startswith(story_id)):
                chosen = set(storyline.event_ids)
                return storyline.id, [e for e in events if e.id in chosen]
        for event in events:
            if event.id == story_id or (not exact and event.id.startswith(story_id)):
                return event.id, [event]
    return None


def _story_article_ids(store: Store, story_id: str) -> tuple[str, list[str]] | None:
    """A storyline's or an event's id and its article ids, by id or unique prefix."""
    picked = _story_events(store, story_id)
    return None if picked is None else (picked[0], [a for e in picked[1] for a in e.article_ids])


def _story_sources(db: Path | None, story: str) -> tuple[str, list[Event], list[Source]]:
    """A storyline's or event's id, its events, and their articles as the on-demand
    stages read them."""
    with _open(db) as store:
        picked = _story_events(store, story)
        if picked is None:
            raise _no_story(story)
        story_id, events = picked
        corpus = Corpus.load(store)
    return story_id, events, corpus.sources([a for e in events for a in e.article_ids])


def _actor(store: Store, name: str) -> Actor:
    """The actor a name, alias or other-script form stands for; exits 2 when none does."""
    found = ActorLookup(store.actors()).find(name)
    if found is None:
        err.print(
            f"[bold red]error:[/] no actor {escape(name)!r}; list them with `storyline actors`"
        )
        raise typer.Exit(2)
    return found


def _no_story(story_id: str) -> typer.Exit:
    err.print(
        f"[bold red]error:[/] no storyline or event {escape(story_id)!r}; "
        "list them with `storyline stories`"
    )
    return typer.Exit(2)


@app.command()
def quotes(
    speaker: Annotated[
        str | None, typer.Option(help="Only quotes by this actor (any alias).")
    ] = None,
    story: Annotated[
        str | None, typer.Option(help="Only quotes in this storyline or event.")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Quotations with their speaker, cue and kind; reader comments' quotes kept apart."""
    with _open(db) as store:
        found = store.quotes()
        if story is not None:
            picked = _story_article_ids(store, story)
            if picked is None:
                raise _no_story(story)
            keep = set(picked[1])
            found = [q for q in found if q.article_id in keep]
        if speaker is not None:
            actor = _actor(store, speaker)
            found = [q for q in found if q.speaker and q.speaker.actor_id == actor.id]
    if as_json:
        _print_json([quote_json(q) for q in found])
        return
    for q in found:
        layer = " [magenta](comment)[/]" if q.layer == "comment" else ""
        said = f" on {q.said_on}" if q.said_on else ""
        out.print(
            f"[bold]{escape(_speaker(q))}[/] [dim]{q.kind}, {escape(q.cue or '-')}{said}, "
            f"{q.id}{' · ' + q.variant_group if q.variant_group else ''}[/]{layer}"
        )
        out.print(f"    “{escape(q.text)}”")
    out.print(f"{len(found)} quotations")


@app.command()
def actors(db: DbOption = None, as_json: JsonOption = False) -> None:
    """People and organisations merged across articles, with their roles."""
    with _open(db) as store:
        found = store.actors()
        counts: dict[str, int] = {}
        for q in store.quotes():
            if q.speaker and q.speaker.actor_id:
                counts[q.speaker.actor_id] = counts.get(q.speaker.actor_id, 0) + 1
    if as_json:
        _print_json([actor_json(a) for a in found])
        return
    for a in sorted(found, key=lambda a: (-counts.get(a.id, 0), -len(a.roles), a.name)):
        roles = sorted({r.role for r in a.roles})
        role_text = f" [dim]— {escape('; '.join(roles[:3]))}[/]" if roles else ""
        quoted = f", {counts[a.id]} quotations" if a.id in counts else ""
        out.print(f"[bold]{escape(a.name)}[/] [dim]({a.kind}{quoted}, {a.id})[/]{role_text}")
    out.print(f"{len(found)} actors")


@app.command()
def actor(
    name: Annotated[str, typer.Argument(help="A name or alias, in any script.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """One actor: aliases, roles over time and what they are quoted saying."""
    with _open(db) as store:
        found = _actor(store, name)
        said = [q for q in store.quotes() if q.speaker and q.speaker.actor_id == found.id]
    if as_json:
        _print_json({**actor_json(found), "quotes": [quote_json(q) for q in said]})
        return
    out.print(f"[bold]{escape(found.name)}[/] [dim]({found.kind}, {found.id})[/]")
    out.print(f"also: {escape(', '.join(a for a in found.aliases if a != found.name)) or '-'}")
    if found.roles:
        out.print("\n[bold]Roles[/]")
        for r in sorted(found.roles, key=lambda r: (r.date or "9999", r.role, r.article_id)):
            out.print(f"  {r.date or 'undated':<10} {escape(r.role)} [dim]({r.article_id})[/]")
    if said:
        out.print(f"\n[bold]Quotations ({len(said)})[/]")
        for q in said:
            out.print(
                f"  [dim]{q.kind}, {q.said_on or 'date not said'}, {q.article_id}[/] "
                f"“{escape(q.text)}”"
            )


@app.command()
def dates(
    db: DbOption = None,
    as_json: JsonOption = False,
    every: Annotated[
        bool, typer.Option("--all", help="Also list articles whose date was given.")
    ] = False,
) -> None:
    """Articles whose publication date was inferred: interval, confidence and evidence."""
    with _open(db) as store:
        summaries = store.summaries()
        published = published_of(store, summaries)
        rows = {s.id: s for s in summaries}
    picked = {k: p for k, p in published.items() if every or not rows[k].published.date}
    if as_json:
        _print_json(
            [
                {"article_id": k, "title": rows[k].title, "published": published_json(p)}
                for k, p in sorted(picked.items())
            ]
        )
        return
    for k, p in sorted(picked.items(), key=lambda kv: (kv[1].date or kv[1].earliest or "", kv[0])):
        when = p.date or f"{p.earliest or '…'} to {p.latest or '…'}"
        guess = "" if p.method in (None, "metadata") or p.date else " (inferred)"
        out.print(f"[bold]{k}[/] {escape((rows[k].title or '(untitled)')[:70])}")
        out.print(
            f"    {when}{guess} [dim]method {p.method or '-'}, confidence {p.confidence:.2f}[/]"
        )
        for e in p.evidence[:4]:
            out.print(f"    [dim]{escape(e.kind)}: {escape(e.text[:110])}[/]")
    out.print(f"{len(picked)} articles")


def _print_cited(sentences: tuple[CitedSentence, ...], indent: str = "  ") -> None:
    for s in sentences:
        cites = ", ".join(f"{c.article_id}:{c.start}-{c.end}" for c in s.citations)
        out.print(f"{indent}{escape(s.text)} [dim][{escape(cites)}][/]")


@app.command()
def timeline(
    story: Annotated[str, typer.Argument(metavar="STORY", help="Storyline id (or prefix).")],
    db: DbOption = None,
    max_dates: Annotated[int | None, typer.Option(help="At most this many dates.")] = None,
    as_json: JsonOption = False,
) -> None:
    """A storyline's dated entries, each sentence citing the articles that report it."""
    story_id, events, sources = _story_sources(db, story)
    entries = build_timeline(story_id, sources, max_dates=max_dates, anchors=event_dates(events))
    if as_json:
        _print_json(timeline_json(story_id, entries))
        return
    for entry in entries:
        out.print(f"[bold]{entry.date}[/]")
        _print_cited(entry.sentences)
    out.print(f"{len(entries)} dates")


@app.command()
def summary(
    story: Annotated[str, typer.Argument(metavar="ID", help="Storyline or event id (or prefix).")],
    db: DbOption = None,
    up_to: Annotated[str | None, typer.Option(help="The story so far, up to this ISO day.")] = None,
    sentences: Annotated[int, typer.Option(help="Most sentences to choose.")] = 5,
    as_json: JsonOption = False,
) -> None:
    """An extractive summary of a storyline or event; every sentence cites its sources."""
    story_id, events, sources = _story_sources(db, story)
    groups = event_of(events) if len(events) > 1 else None
    result = summarize(story_id, sources, max_sentences=sentences, up_to=up_to, groups=groups)
    if as_json:
        _print_json(story_summary_json(result))
        return
    _print_cited(result.sentences, indent="")
