"""The command line: a thin layer over the library, and the one place errors become messages."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from storyline import __version__
from storyline.analyse import analyse, published_of, with_dates
from storyline.dating import day_of
from storyline.errors import StorylineError
from storyline.export import (
    article_json,
    copy_group_json,
    event_json,
    hit_json,
    rejection_json,
    report_json,
    stories_json,
    stories_report_json,
)
from storyline.ingest import discover
from storyline.pipeline import IngestReport, StoriesReport, build_stories, ingest_paths
from storyline.records import Published
from storyline.report import dossier_html
from storyline.store import ENV_DB, Store, default_db_path

app = typer.Typer(
    help="storyline: turn a pile of news articles into a sourced story dossier.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# When output goes to a pipe or a file, lay tables out wide instead of at 80 columns.
PIPE_WIDTH = 160
out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else PIPE_WIDTH)
err = Console(stderr=True, highlight=False, soft_wrap=True)

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db", help=f"Store file (default: ${ENV_DB} or ./storyline.db).", show_default=False
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]

T = TypeVar("T")


def _guard(action: Callable[[], T]) -> T:
    """The one boundary where library errors become messages and exit codes."""
    try:
        return action()
    except StorylineError as error:
        err.print(f"[bold red]error:[/] {escape(str(error))}")
        raise typer.Exit(2) from error


def _open(db: Path | None) -> Store:
    return _guard(lambda: Store.open(db if db is not None else default_db_path()))


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


def _version(value: bool) -> None:
    if value:
        out.print(f"storyline {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """storyline: turn a pile of news articles into a sourced story dossier."""


def _run_ingest(
    paths: list[Path], store: Store, encoding: str | None, strict: bool, quiet: bool
) -> IngestReport:
    missing = [p for p in paths if not p.exists()]
    if missing:
        err.print(
            f"[bold red]error:[/] no such file or folder: {escape(str(missing[0]))}; check the path"
        )
        raise typer.Exit(2)
    total = sum(1 for _ in discover(paths))
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[name]}"),
        console=err,
        transient=True,
        disable=quiet or not err.is_terminal,
    ) as progress:
        task = progress.add_task("ingesting", total=total, name="")

        def step(name: str) -> None:
            progress.update(task, advance=1, name=Path(name).name[-40:])

        return _guard(
            lambda: ingest_paths(paths, store, encoding=encoding, strict=strict, progress=step)
        )


def _print_report(report: IngestReport) -> None:
    out.print(f"[bold]{report.summary()}[/]")
    for rejection in report.rejected:
        where = f" ({rejection.locator})" if rejection.locator else ""
        out.print(
            f"  [yellow]rejected[/] {escape(rejection.source)}{escape(where)}: "
            f"[bold]{escape(rejection.reason)}[/]: {escape(rejection.detail)}"
        )


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (walked recursively).")],
    db: DbOption = None,
    encoding: Annotated[str | None, typer.Option(help="Force a text encoding.")] = None,
    strict: Annotated[bool, typer.Option(help="Stop at the first bad input.")] = False,
    build: Annotated[bool, typer.Option(help="Then find copies and cluster stories.")] = True,
    as_json: JsonOption = False,
) -> None:
    """Ingest articles: .txt .md .html .json .jsonl .warc(.gz) RSS/Atom, and .gz of these."""
    with _open(db) as store:
        report = _run_ingest(paths, store, encoding, strict, quiet=as_json)
        stories = _guard(lambda: build_stories(store)) if build else None
        analysis = _guard(lambda: analyse(store)) if build else None
    if as_json:
        result = report_json(report)
        if stories is not None:
            result["stories"] = stories_report_json(stories)
        if analysis is not None:
            result["analysis"] = asdict(analysis)
        _print_json(result)
    else:
        _print_report(report)
        if stories is not None:
            out.print(stories.summary())
        if analysis is not None:
            out.print(analysis.summary())


@app.command("build")
def build_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Find copies, cluster stories, then quotes, actors and dates (ingest does this too)."""
    with _open(db) as store:
        stories: StoriesReport = _guard(lambda: build_stories(store))
        analysis = _guard(lambda: analyse(store))
    if as_json:
        _print_json({**stories_report_json(stories), "analysis": asdict(analysis)})
    else:
        out.print(stories.summary())
        out.print(analysis.summary())


@app.command()
def copies(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Copy groups: each original with its reposts, excerpts, edits and rewrites."""
    with _open(db) as store:
        groups = store.copy_groups()
        titles = {s.id: (s.title, s.outlet, s.published.date) for s in store.summaries()}
    if as_json:
        _print_json([copy_group_json(g) for g in groups])
        return
    for group in groups:
        title, outlet, date = titles.get(group.original, (None, None, None))
        out.print(
            f"[bold]{group.original}[/] original: {escape(title or '(untitled)')} "
            f"[dim]({escape(outlet or 'outlet unknown')}, {date or 'undated'})[/]"
        )
        for link in group.members:
            t, o, d = titles.get(link.article_id, (None, None, None))
            passage = link.evidence[0].text if link.evidence else ""
            out.print(
                f"  {link.relation:<11} {link.similarity:.2f} {link.article_id} "
                f"{escape(t or '(untitled)')} [dim]({escape(o or 'outlet unknown')}, "
                f"{d or 'undated'})[/]"
            )
            if passage:
                out.print(f"      [dim]shared: “{escape(passage[:100])}”[/]")
    out.print(f"{len(groups)} copy groups, {sum(len(g.members) for g in groups)} copies")


@app.command()
def stories(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Storylines and their events, with article counts by outlet and language."""
    with _open(db) as store:
        storylines, events = store.storylines(), store.events()
        rows = {s.id: s for s in store.summaries()}
    if as_json:
        _print_json(stories_json(storylines, events))
        return
    by_id = {e.id: e for e in events}
    for storyline in storylines:
        out.print(f"[bold]{storyline.id}[/] {escape(storyline.label)}")
        for event_id in storyline.event_ids:
            event = by_id.get(event_id)
            if event is None:
                continue
            outlets = _tally(rows[a].outlet or "unknown" for a in event.article_ids if a in rows)
            languages = _tally(rows[a].language or "?" for a in event.article_ids if a in rows)
            out.print(
                f"  {event.date or 'undated':<10} {escape(event.label)} "
                f"[dim]({len(event.article_ids)} articles; {escape(outlets)}; "
                f"{languages})[/]"
            )
    out.print(f"{len(storylines)} storylines, {len(events)} events")


def _tally(values: Iterable[str]) -> str:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


@app.command()
def story(
    story_id: Annotated[str, typer.Argument(metavar="ID", help="Storyline or event id.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """One storyline (or event): its events in time order with their articles and copies."""
    with _open(db) as store:
        storylines, events = store.storylines(), store.events()
        rows = {s.id: s for s in store.summaries()}
        groups = store.copy_groups()
    chosen = [s for s in storylines if s.id == story_id] or [
        s for s in storylines if s.id.startswith(story_id)
    ]
    by_id = {e.id: e for e in events}
    if not chosen:
        matching = [e for e in events if e.id == story_id] or [
            e for e in events if e.id.startswith(story_id)
        ]
        if not matching:
            err.print(
                f"[bold red]error:[/] no storyline or event {escape(story_id)!r}; "
                "list them with `storyline stories`"
            )
            raise typer.Exit(2)
        if as_json:
            _print_json(event_json(matching[0]))
            return
        selected = [matching[0]]
        title = f"event {matching[0].id}"
    else:
        if as_json:
            _print_json(stories_json(chosen[:1], events)[0])
            return
        selected = [by_id[e] for e in chosen[0].event_ids if e in by_id]
        title = f"{chosen[0].id} {chosen[0].label}"
    copy_of = {link.article_id: (g.original, link.relation) for g in groups for link in g.members}
    out.print(f"[bold]{escape(title)}[/]")
    for event in selected:
        out.print(f"\n[bold]{event.date or 'undated'}[/] {escape(event.label)} [dim]{event.id}[/]")
        for article_id in event.article_ids:
            row = rows.get(article_id)
            if row is None:
                continue
            lineage = ""
            if article_id in copy_of:
                original, relation = copy_of[article_id]
                lineage = f" [yellow]{relation} of {original}[/]"
            out.print(
                f"  {article_id} {escape(row.title or '(untitled)')} "
                f"[dim]({escape(row.outlet or 'outlet unknown')}, {row.language or '?'}, "
                f"{row.published.date or 'undated'})[/]{lineage}"
            )


@app.command()
def articles(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List articles: id, title, outlet, language, date, length, set-aside and comment counts."""
    with _open(db) as store:
        if as_json:
            stored = store.articles()
            published = published_of(store, stored)
            _print_json([article_json(a) for a in with_dates(stored, published)])
            return
        rows = store.summaries()
        published = published_of(store, rows)
    table = Table(show_lines=False, header_style="bold")
    for column in ("id", "title", "outlet", "lang", "published", "chars", "set aside", "comments"):
        table.add_column(
            column,
            justify="right" if column in ("chars", "set aside", "comments") else "left",
            overflow="fold",
        )
    for r in rows:
        table.add_row(
            r.id,
            escape((r.title or "(untitled)")[:70]),
            escape(r.outlet or "-"),
            r.language or "-",
            _when(r.published, published.get(r.id, r.published)),
            str(r.length),
            str(r.set_aside_count),
            str(r.comment_count),
        )
    out.print(table)
    out.print(f"{len(rows)} articles")


@app.command()
def show(
    article_id: Annotated[str, typer.Argument(metavar="ID", help="Article id or unique prefix.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Print an article's body with set-aside spans marked, then its reader comments."""
    from storyline.dossier import segments

    with _open(db) as store:
        article = _guard(lambda: store.article(article_id))
    if as_json:
        _print_json(article_json(article))
        return
    out.print(f"[bold]{escape(article.title or '(untitled)')}[/]")
    out.print(
        f"[dim]{article.id} · {escape(article.outlet or 'outlet unknown')} · "
        f"{article.language or 'language unknown'} · "
        f"{article.published.date or 'date unknown'} · {escape(article.source)}[/]\n"
    )
    pieces: list[str] = []
    for segment in segments(article):
        if segment.kind == "aside":
            marked = escape(f"[{segment.label}: {segment.text}]")
            pieces.append(f"[dim yellow]{marked}[/]")
        elif segment.kind == "body":
            pieces.append(escape(segment.text))
    out.print(re.sub(r"\n[ \t]*(\n[ \t]*)+", "\n\n", "".join(pieces)).strip())
    if article.comments:
        out.print(f"\n[bold]Reader comments ({len(article.comments)})[/]")
        for number, comment in enumerate(article.comments, start=1):
            who = f" {comment.author}" if comment.author else ""
            out.print(f"[cyan]#{number}{escape(who)}[/] {escape(comment.text)}")


@app.command()
def search(
    query: Annotated[str, typer.Argument(help='Words or an FTS5 query ("a NEAR b", OR, NOT).')],
    db: DbOption = None,
    limit: Annotated[int, typer.Option(help="Most results to show.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """Full-text search over article titles and bodies."""
    with _open(db) as store:
        hits = store.search(query, limit)
    if as_json:
        _print_json([hit_json(h) for h in hits])
        return
    for h in hits:
        out.print(
            f"[bold]{h.article_id}[/] {escape(h.title or '(untitled)')} "
            f"[dim]({escape(h.outlet or '-')})[/]\n    {escape(h.snippet)}"
        )
    out.print(f"{len(hits)} results")


@app.command()
def rejections(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List inputs that could not be used, with the reason and the fix."""
    with _open(db) as store:
        rows = store.rejections()
    if as_json:
        _print_json([rejection_json(r) for r in rows])
        return
    for r in rows:
        where = f" ({r.locator})" if r.locator else ""
        out.print(f"{escape(r.source)}{escape(where)}: [bold]{r.reason}[/]: {escape(r.detail)}")
    out.print(f"{len(rows)} rejected")


@app.command()
def dossier(
    db: DbOption = None,
    output: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")] = Path(
        "dossier.html"
    ),
) -> None:
    """Write the dossier: one self-contained HTML file."""
    with _open(db) as store:
        html = _dossier_html(store, "storyline dossier")
    output.write_text(html, encoding="utf-8")
    out.print(f"wrote {output}")


def _dossier_html(store: Store, title: str) -> str:
    return dossier_html(store, title)


def find_demo_corpus() -> Path | None:
    """The bundled sample corpus: next to the source tree, or under the working folder."""
    here = Path(__file__).resolve()
    for candidate in (here.parents[2] / "examples" / "corpus", Path.cwd() / "examples" / "corpus"):
        if candidate.is_dir():
            return candidate
    return None


@app.command()
def demo(
    output: Annotated[
        Path, typer.Option("--out", "-o", help="Folder for the demo store and dossier.")
    ] = Path("demo"),
    corpus: Annotated[
        Path | None, typer.Option(help="Corpus folder (default: the bundled examples/corpus).")
    ] = None,
) -> None:
    """Run the whole job on the bundled sample corpus: fresh store, dossier, summary."""
    source = corpus or find_demo_corpus()
    if source is None or not source.is_dir():
        err.print(
            "[bold red]error:[/] cannot find the sample corpus (examples/corpus); "
            "run from a clone of storyline or pass --corpus PATH"
        )
        raise typer.Exit(2)
    output.mkdir(parents=True, exist_ok=True)
    db = output / "storyline.db"
    for stale in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        stale.unlink(missing_ok=True)
    with _open(db) as store:
        report = _run_ingest([source], store, None, False, quiet=False)
        _print_report(report)
        stories_report = _guard(lambda: build_stories(store))
        out.print(stories_report.summary())
        out.print(_guard(lambda: analyse(store)).summary())
        articles_ = store.articles()
        rows = store.summaries()
        published = published_of(store, rows)
        html = _dossier_html(store, "storyline demo dossier")
    dossier_path = output / "dossier.html"
    dossier_path.write_text(html, encoding="utf-8")
    table = Table(
        title="Sample corpus",
        caption="~ inferred publication date (see `storyline dates`)",
        header_style="bold",
    )
    for column in ("published", "title", "outlet", "lang", "set aside", "comments"):
        table.add_column(
            column,
            no_wrap=column != "title",
            overflow="ellipsis",
            max_width=48 if column == "title" else 28,
        )
    for r in sorted(rows, key=lambda r: (day_of(published[r.id]) or "9999", r.title or "")):
        table.add_row(
            _when(r.published, published[r.id]),
            escape((r.title or "(untitled)")[:60]),
            escape(r.outlet or "-"),
            r.language or "-",
            str(r.set_aside_count),
            str(r.comment_count),
        )
    out.print(table)
    labels: dict[str, int] = {}
    for a in articles_:
        for s in a.set_aside:
            labels[s.label] = labels.get(s.label, 0) + 1
    out.print("set aside: " + ", ".join(f"{k} {v}" for k, v in sorted(labels.items())))
    out.print(f"reader comments: {sum(len(a.comments) for a in articles_)}")
    out.print(f"\nstore:   {db}\ndossier: {dossier_path}  (open it in a browser)")


def _when(declared: Published, p: Published) -> str:
    """A date for a listing: the declared day, or '~' and what was inferred."""
    if declared.date:
        return declared.date
    if p.date:
        return f"~{p.date}"
    if p.earliest or p.latest:
        return f"~{p.earliest or '…'}/{p.latest or '…'}"
    return "-"


def main() -> None:
    app()


# The who-said-what and when commands live in their own module, registered on `app`.
from storyline import cli_analysis as _commands  # noqa: E402, F401

if __name__ == "__main__":
    main()
