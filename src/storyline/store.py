"""The store: the only module that speaks SQL.

SQLite by default (one file, WAL, foreign keys on), with a schema versioned by
`PRAGMA user_version` and numbered migrations in `migrations/NNNN_name.sql`.
Read functions return records, never cursors. Raw input is kept byte for byte,
addressed by SHA-256, so re-ingesting the same bytes is a no-op.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from types import TracebackType

from storyline.cluster import Event, Storyline
from storyline.dedupe import CopyGroup, CopyLink, Passage
from storyline.errors import NotFound, StoreError
from storyline.records import (
    Article,
    Comment,
    Evidence,
    Paragraph,
    Published,
    RawDocument,
    Rejection,
    SetAside,
)

DEFAULT_DB = "storyline.db"
ENV_DB = "STORYLINE_DB"


def default_db_path() -> Path:
    return Path(os.environ.get(ENV_DB) or DEFAULT_DB)


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    folder = resources.files("storyline").joinpath("migrations")
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            number, _, rest = entry.name.partition("_")
            sql = entry.read_text("utf-8")
            found.append(Migration(int(number), rest.removesuffix(".sql"), sql))
    return sorted(found, key=lambda m: m.version)


@dataclass(frozen=True, slots=True)
class SearchHit:
    article_id: str
    title: str | None
    outlet: str | None
    snippet: str
    score: float


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    """One row of `storyline articles`: enough to list, without the texts."""

    id: str
    title: str | None
    outlet: str | None
    language: str | None
    published: Published
    source: str
    length: int
    set_aside_count: int
    comment_count: int


class Store:
    """A storyline database. Open with `Store.open(path)`; use as a context manager."""

    def __init__(self, connection: sqlite3.Connection, path: str) -> None:
        self._db = connection
        self.path = path

    @classmethod
    def open(cls, path: str | Path | None = None) -> Store:
        target = str(path if path is not None else default_db_path())
        try:
            connection = sqlite3.connect(target, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA foreign_keys=ON")
            connection.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.Error as error:
            raise StoreError(target, f"cannot open the database ({error}); check the path "
                             "or pass another with --db") from error
        store = cls(connection, target)
        store.migrate()
        return store

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> None:
        current = self.schema_version
        known = migrations()
        if known and current > known[-1].version:
            raise StoreError(self.path, f"schema version {current} is newer than this "
                             "storyline knows; upgrade storyline")
        for migration in known:
            if migration.version <= current:
                continue
            try:
                self._db.executescript(
                    f"BEGIN; {migration.sql}; PRAGMA user_version = {migration.version}; COMMIT;"
                )
            except sqlite3.Error as error:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise StoreError(self.path, f"migration {migration.version} "
                                 f"({migration.name}) failed: {error}") from error

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside commit together or not at all."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
            if self._db.in_transaction:
                self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise

    # -- writes --------------------------------------------------------------

    def has_raw(self, sha256: str) -> bool:
        row = self._db.execute("SELECT 1 FROM raw_documents WHERE sha256 = ?", (sha256,))
        return row.fetchone() is not None

    def save_document(
        self,
        raw: RawDocument,
        articles: Iterable[Article],
        rejections: Iterable[Rejection],
    ) -> None:
        """Write one raw document with what came of it, all or nothing."""
        with self.transaction():
            self._db.execute(
                "INSERT OR IGNORE INTO raw_documents (sha256, source, media_type, size, content)"
                " VALUES (?, ?, ?, ?, ?)",
                (raw.sha256, raw.source, raw.media_type, len(raw.content), raw.content),
            )
            self._db.execute(
                "INSERT OR IGNORE INTO sources (source, sha256) VALUES (?, ?)",
                (raw.source, raw.sha256),
            )
            for article in articles:
                self._insert_article(article)
            for rejection in rejections:
                self._insert_rejection(rejection)

    def add_source(self, source: str, sha256: str) -> None:
        self._db.execute(
            "INSERT OR IGNORE INTO sources (source, sha256) VALUES (?, ?)", (source, sha256)
        )

    def save_rejection(self, rejection: Rejection) -> None:
        with self.transaction():
            self._insert_rejection(rejection)

    def _insert_article(self, a: Article) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO articles (id, raw_sha256, source, locator, title, outlet, url,"
            " author, language, published, text, body, paragraphs, extractor)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                a.id, a.raw_sha256, a.source, a.locator, a.title, a.outlet, a.url, a.author,
                a.language, _published_json(a.published), a.text, a.body,
                json.dumps([[p.body_start, p.body_end, p.text_start, p.text_end]
                            for p in a.paragraphs]),
                a.extractor,
            ),
        )
        self._db.execute("DELETE FROM set_aside WHERE article_id = ?", (a.id,))
        self._db.executemany(
            'INSERT INTO set_aside (article_id, seq, label, start, "end", cue)'
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(a.id, n, s.label, s.start, s.end, s.cue) for n, s in enumerate(a.set_aside)],
        )
        self._db.execute("DELETE FROM comments WHERE article_id = ?", (a.id,))
        self._db.executemany(
            'INSERT INTO comments (article_id, seq, start, "end", text, author)'
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(a.id, n, c.start, c.end, c.text, c.author) for n, c in enumerate(a.comments)],
        )

    def _insert_rejection(self, r: Rejection) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO rejections (source, locator, stage, sha256, reason, detail)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (r.source, r.locator or "", r.stage, r.sha256, r.reason, r.detail),
        )

    # -- reads ---------------------------------------------------------------

    def has_articles_from(self, sha256: str) -> bool:
        row = self._db.execute("SELECT 1 FROM articles WHERE raw_sha256 = ? LIMIT 1", (sha256,))
        return row.fetchone() is not None

    def rejections_for(self, sha256: str) -> list[Rejection]:
        rows = self._db.execute(
            "SELECT source, locator, stage, sha256, reason, detail FROM rejections"
            " WHERE sha256 = ? ORDER BY source, locator", (sha256,)
        )
        return [_rejection(row) for row in rows]

    def rejections(self) -> list[Rejection]:
        rows = self._db.execute(
            "SELECT source, locator, stage, sha256, reason, detail FROM rejections"
            " ORDER BY source, locator"
        )
        return [_rejection(row) for row in rows]

    def raw_content(self, sha256: str) -> bytes:
        row = self._db.execute(
            "SELECT content FROM raw_documents WHERE sha256 = ?", (sha256,)
        ).fetchone()
        if row is None:
            raise NotFound("raw document", sha256)
        return bytes(row[0])

    def article_ids(self) -> list[str]:
        rows = self._db.execute("SELECT id FROM articles ORDER BY source, locator")
        return [row[0] for row in rows]

    def summaries(self) -> list[ArticleSummary]:
        rows = self._db.execute(
            "SELECT a.id, a.title, a.outlet, a.language, a.published, a.source, length(a.body),"
            " (SELECT count(*) FROM set_aside s WHERE s.article_id = a.id),"
            " (SELECT count(*) FROM comments c WHERE c.article_id = a.id)"
            " FROM articles a ORDER BY a.source, a.locator"
        )
        return [
            ArticleSummary(r[0], r[1], r[2], r[3], _published(r[4]), r[5], r[6], r[7], r[8])
            for r in rows
        ]

    def articles(self) -> list[Article]:
        return [self.article(article_id) for article_id in self.article_ids()]

    def article(self, key: str) -> Article:
        """An article by id, or by a unique prefix of its id."""
        rows = self._db.execute(
            "SELECT id, raw_sha256, source, locator, title, outlet, url, author, language,"
            " published, text, body, paragraphs, extractor FROM articles"
            " WHERE substr(id, 1, length(?1)) = ?1 ORDER BY id LIMIT 2",
            (key,),
        ).fetchall()
        if not rows or not key:
            raise NotFound("article", key, "list ids with `storyline articles`")
        if len(rows) > 1:
            raise NotFound("unique article", key, "give more characters of the id")
        r = rows[0]
        text = r[10]
        spans = self._db.execute(
            'SELECT label, start, "end", cue FROM set_aside WHERE article_id = ? ORDER BY seq',
            (r[0],),
        )
        comments = self._db.execute(
            'SELECT text, start, "end", author FROM comments WHERE article_id = ? ORDER BY seq',
            (r[0],),
        )
        return Article(
            id=r[0], raw_sha256=r[1], source=r[2], locator=r[3], title=r[4], outlet=r[5],
            url=r[6], author=r[7], language=r[8], published=_published(r[9]), text=text,
            body=r[11],
            paragraphs=tuple(Paragraph(*p) for p in json.loads(r[12])),
            set_aside=tuple(SetAside(s[0], s[1], s[2], text[s[1]:s[2]], s[3]) for s in spans),
            comments=tuple(Comment(c[0], c[1], c[2], c[3]) for c in comments),
            extractor=r[13],
        )

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """Full-text search over titles and bodies (FTS5 syntax; plain words also work)."""
        sql = (
            "SELECT a.id, a.title, a.outlet, snippet(articles_fts, 1, '[', ']', ' … ', 12),"
            " bm25(articles_fts) FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid"
            " WHERE articles_fts MATCH ? ORDER BY bm25(articles_fts), a.id LIMIT ?"
        )
        try:
            rows = self._db.execute(sql, (query, limit)).fetchall()
        except sqlite3.OperationalError:
            # Not valid FTS5 syntax ("EU-Russia", a stray quote): search the words as given.
            words = [w for w in query.replace('"', " ").split() if w]
            if not words:
                return []
            rows = self._db.execute(sql, (" ".join(f'"{w}"' for w in words), limit)).fetchall()
        return [SearchHit(r[0], r[1], r[2], r[3], -float(r[4])) for r in rows]

    # -- copies, events, storylines ------------------------------------------

    def save_copies(self, groups: Iterable[CopyGroup]) -> None:
        """Replace the copy links with these groups (the dedupe stage sees every article)."""
        with self.transaction():
            self._db.execute("DELETE FROM copy_links")
            self._db.executemany(
                "INSERT INTO copy_links (article_id, original_id, relation, similarity, evidence)"
                " VALUES (?, ?, ?, ?, ?)",
                [
                    (
                        link.article_id, group.original, link.relation, link.similarity,
                        json.dumps([asdict(p) for p in link.evidence], ensure_ascii=False),
                    )
                    for group in groups
                    for link in group.members
                ],
            )

    def copy_groups(self) -> list[CopyGroup]:
        rows = self._db.execute(
            "SELECT article_id, original_id, relation, similarity, evidence FROM copy_links"
            " ORDER BY original_id, similarity DESC, article_id"
        )
        groups: dict[str, list[CopyLink]] = {}
        for article_id, original, relation, similarity, evidence in rows:
            passages = tuple(Passage(**p) for p in json.loads(evidence))
            groups.setdefault(original, []).append(
                CopyLink(article_id, original, relation, float(similarity), passages)
            )
        return [CopyGroup(original, tuple(links)) for original, links in groups.items()]

    def stage_state(self, stage: str) -> dict[str, object] | None:
        row = self._db.execute("SELECT state FROM stage_state WHERE stage = ?", (stage,))
        found = row.fetchone()
        return None if found is None else dict(json.loads(found[0]))

    def save_stories(
        self, events: Iterable[Event], storylines: Iterable[Storyline], state: dict[str, object]
    ) -> None:
        """Replace events and storylines, and save the clusterer's state, all at once."""
        with self.transaction():
            self._db.execute("DELETE FROM event_articles")
            self._db.execute("DELETE FROM events")
            self._db.execute("DELETE FROM storylines")
            order: dict[str, tuple[str, int]] = {}
            for storyline in storylines:
                self._db.execute(
                    "INSERT INTO storylines (id, label) VALUES (?, ?)",
                    (storyline.id, storyline.label),
                )
                for seq, event_id in enumerate(storyline.event_ids):
                    order[event_id] = (storyline.id, seq)
            for event in events:
                storyline_id, seq = order.get(event.id, (None, 0))
                self._db.execute(
                    "INSERT INTO events (id, label, date, date_evidence, storyline_id, seq)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (event.id, event.label, event.date,
                     json.dumps(list(event.date_evidence), ensure_ascii=False),
                     storyline_id, seq),
                )
                self._db.executemany(
                    "INSERT OR IGNORE INTO event_articles (event_id, article_id) VALUES (?, ?)",
                    [(event.id, article_id) for article_id in event.article_ids],
                )
            self._db.execute(
                "INSERT OR REPLACE INTO stage_state (stage, state) VALUES ('cluster', ?)",
                (json.dumps(state, sort_keys=True),),
            )

    def clustered_article_ids(self) -> set[str]:
        return {row[0] for row in self._db.execute("SELECT article_id FROM event_articles")}

    def events(self) -> list[Event]:
        rows = self._db.execute(
            "SELECT id, label, date, date_evidence FROM events ORDER BY coalesce(date, '9999'), id"
        ).fetchall()
        members: dict[str, list[str]] = {}
        for event_id, article_id in self._db.execute(
            "SELECT e.event_id, e.article_id FROM event_articles e JOIN articles a"
            " ON a.id = e.article_id ORDER BY e.event_id, a.source, a.locator"
        ):
            members.setdefault(event_id, []).append(article_id)
        return [
            Event(r[0], r[1], r[2], tuple(json.loads(r[3])), tuple(members.get(r[0], [])))
            for r in rows
        ]

    def storylines(self) -> list[Storyline]:
        rows = self._db.execute("SELECT id, label FROM storylines ORDER BY id").fetchall()
        events: dict[str, list[str]] = {}
        for storyline_id, event_id in self._db.execute(
            "SELECT storyline_id, id FROM events WHERE storyline_id IS NOT NULL"
            " ORDER BY storyline_id, seq"
        ):
            events.setdefault(storyline_id, []).append(event_id)
        return [Storyline(r[0], r[1], tuple(events.get(r[0], []))) for r in rows]

    def counts(self) -> dict[str, int]:
        tables = ("raw_documents", "articles", "set_aside", "comments", "rejections")
        return {t: int(self._db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in tables}

    def dump(self) -> dict[str, list[tuple[object, ...]]]:
        """Every row of every content table, in a stable order (for idempotence checks)."""
        tables = (
            "raw_documents", "sources", "articles", "set_aside", "comments", "rejections",
            "copy_links", "storylines", "events", "event_articles", "stage_state",
        )
        return {
            t: [tuple(r) for r in self._db.execute(f"SELECT * FROM {t} ORDER BY 1, 2")]
            for t in tables
        }


def _published_json(p: Published) -> str:
    return json.dumps(
        {
            "date": p.date, "earliest": p.earliest, "latest": p.latest,
            "confidence": p.confidence, "method": p.method,
            "evidence": [asdict(e) for e in p.evidence],
        },
        ensure_ascii=False, sort_keys=True,
    )


def _published(raw: str) -> Published:
    d = json.loads(raw)
    return Published(
        date=d["date"], earliest=d["earliest"], latest=d["latest"],
        confidence=d["confidence"], method=d["method"],
        evidence=tuple(Evidence(**e) for e in d["evidence"]),
    )


def _rejection(row: tuple[str, str, str, str | None, str, str]) -> Rejection:
    return Rejection(
        source=row[0], locator=row[1] or None, stage=row[2], sha256=row[3],
        reason=row[4], detail=row[5],
    )
