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
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import numpy as np

from storyline.cluster import ClusterDoc, Event
from storyline.clusterstate import ClusterChanges, EventRow, PostingRow, resumable
from storyline.dedupe import CopyDoc, CopyGroup, CopyLink, CopySettings, Match, Passage
from storyline.errors import NotFound, StoreError
from storyline.records import (
    Actor,
    Article,
    Comment,
    Evidence,
    Mention,
    Paragraph,
    Published,
    Quote,
    RawDocument,
    Rejection,
    Role,
    SetAside,
    Speaker,
)
from storyline.sketches import (
    IndexedCopy,
    indexed_band_keys,
    pack_sketch,
    term_counts,
    unpack_sketch,
)
from storyline.storylines import ChainRow, PlacementRow, Storyline

if TYPE_CHECKING:
    from storyline.when import DatedEvent

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
            raise StoreError(
                target,
                f"cannot open the database ({error}); check the path or pass another with --db",
            ) from error
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
            raise StoreError(
                self.path,
                f"schema version {current} is newer than this storyline knows; upgrade storyline",
            )
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
                raise StoreError(
                    self.path, f"migration {migration.version} ({migration.name}) failed: {error}"
                ) from error

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
                a.id,
                a.raw_sha256,
                a.source,
                a.locator,
                a.title,
                a.outlet,
                a.url,
                a.author,
                a.language,
                _published_json(a.published),
                a.text,
                a.body,
                json.dumps(
                    [[p.body_start, p.body_end, p.text_start, p.text_end] for p in a.paragraphs]
                ),
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
            " WHERE sha256 = ? ORDER BY source, locator",
            (sha256,),
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
            id=r[0],
            raw_sha256=r[1],
            source=r[2],
            locator=r[3],
            title=r[4],
            outlet=r[5],
            url=r[6],
            author=r[7],
            language=r[8],
            published=_published(r[9]),
            text=text,
            body=r[11],
            paragraphs=tuple(Paragraph(*p) for p in json.loads(r[12])),
            set_aside=tuple(SetAside(s[0], s[1], s[2], text[s[1] : s[2]], s[3]) for s in spans),
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
                        link.article_id,
                        group.original,
                        link.relation,
                        link.similarity,
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
                    (
                        event.id,
                        event.label,
                        event.date,
                        json.dumps(list(event.date_evidence), ensure_ascii=False),
                        storyline_id,
                        seq,
                    ),
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
            " ORDER BY storyline_id, date IS NULL, date, seq"
        ):
            events.setdefault(storyline_id, []).append(event_id)
        return [Storyline(r[0], r[1], tuple(events.get(r[0], []))) for r in rows]

    # -- incremental copies and clusters (migration 0003) --------------------
    # What copy detection and clustering keep per article, event and term, read
    # and written by the rows an addition touches (see pipeline.build_stories).

    def _unseen(self, stage: str, table: str, columns: str) -> tuple[list[tuple[Any, ...]], int]:
        """Rows of articles a stage has not seen, and the rowid mark to save once it has.

        Only articles written after the stage's mark are looked at (a rewritten
        article gets a new rowid, and is skipped if the stage holds it already),
        so that finding the new ones does not read every article.
        """
        state = self.stage_state(stage) or {}
        mark = int(state.get("rowid", 0))  # type: ignore[call-overload]
        top = int(self._db.execute("SELECT coalesce(max(rowid), 0) FROM articles").fetchone()[0])
        rows = self._db.execute(
            f"SELECT {columns} FROM articles a WHERE a.rowid > ? AND a.rowid <= ? AND NOT EXISTS"
            f" (SELECT 1 FROM {table} c WHERE c.article_id = a.id) ORDER BY a.id",
            (mark, top),
        ).fetchall()
        return rows, top

    def uncopied_docs(self) -> tuple[list[CopyDoc], int]:
        """Articles copy detection has not indexed yet (by id), and the mark to save with them."""
        rows, top = self._unseen(
            "copies",
            "copy_docs",
            "a.id, a.body, a.title, a.language, json_extract(a.published, '$.date'), a.outlet",
        )
        return [CopyDoc(*row) for row in rows], top

    def copy_count(self) -> int:
        """Articles indexed so far (their seqs are 0 to count - 1)."""
        row = self._db.execute("SELECT coalesce(max(seq) + 1, 0) FROM copy_docs").fetchone()
        return int(row[0])

    def _rows_in(self, sql: str, values: Iterable[Any]) -> Iterator[tuple[Any, ...]]:
        """Rows of `sql` for each chunk of the distinct `values`, which fill its `{marks}`.

        SQLite bounds the parameters of one statement, so long IN lists go in chunks.
        """
        for chunk in _chunks(sorted(set(values))):
            marks = ",".join("?" * len(chunk))
            yield from self._db.execute(sql.replace("{marks}", marks), chunk)

    def copy_band_hits(self, keys: Iterable[int]) -> set[int]:
        """Indexed articles holding any of these band keys.

        DISTINCT: a near copy shares most of its bands with the new article, so
        the rows are several times the articles (an empty body's 1,781 hits at
        100k were 164,000 rows), and SQLite drops the repeats faster than Python.
        """
        sql = "SELECT DISTINCT seq FROM copy_bands WHERE band_key IN ({marks})"
        return {r[0] for r in self._rows_in(sql, keys)}

    def copy_twins(
        self, body_keys: Iterable[str], words_keys: Iterable[str]
    ) -> tuple[dict[str, int], dict[str, int]]:
        """The first indexed article with each body key, and with each words key."""
        found: tuple[dict[str, int], dict[str, int]] = ({}, {})
        for column, keys, into in (
            ("body_key", body_keys, found[0]),
            ("words_key", words_keys, found[1]),
        ):
            sql = (
                f"SELECT {column}, min(seq) FROM copy_docs WHERE {column} IN ({{marks}})"
                f" GROUP BY {column}"
            )
            into.update((r[0], r[1]) for r in self._rows_in(sql, keys))
        return found

    def copy_sketches(self, seqs: Iterable[int]) -> dict[int, bytes]:
        """Packed MinHash signatures of indexed articles, by seq."""
        sql = "SELECT seq, sketch FROM copy_docs WHERE seq IN ({marks})"
        return {r[0]: r[1] for r in self._rows_in(sql, seqs)}

    def copy_originals(self, seqs: Iterable[int]) -> dict[int, int]:
        """seq -> seq of its group's original, for those of these articles in a group as copies."""
        sql = (
            "SELECT d.seq, o.seq FROM copy_docs d JOIN copy_links l ON l.article_id ="
            " d.article_id JOIN copy_docs o ON o.article_id = l.original_id"
            " WHERE d.seq IN ({marks})"
        )
        return {r[0]: r[1] for r in self._rows_in(sql, seqs)}

    def indexed_copies(self, seqs: Iterable[int], settings: CopySettings) -> list[IndexedCopy]:
        """Indexed articles by seq, without their bodies (`copy_bodies` fetches those)."""
        sql = (
            "SELECT d.seq, a.id, a.title, a.language, json_extract(a.published, '$.date'),"
            " a.outlet, d.body_key, d.words_key, d.content, d.sketch, d.completeness"
            " FROM copy_docs d JOIN articles a ON a.id = d.article_id WHERE d.seq IN ({marks})"
        )
        return [_indexed_copy(row, settings) for row in self._rows_in(sql, seqs)]

    def copy_group_members(self, originals: Iterable[str]) -> dict[str, list[int]]:
        """original id -> seqs of its group's copies."""
        sql = (
            "SELECT l.original_id, d.seq FROM copy_links l JOIN copy_docs d ON"
            " d.article_id = l.article_id WHERE l.original_id IN ({marks})"
        )
        found: dict[str, list[int]] = {}
        for original, seq in self._rows_in(sql, originals):
            found.setdefault(original, []).append(seq)
        return found

    def copy_pairs(self, seqs: Iterable[int]) -> list[tuple[int, int, Match]]:
        """Pairs linked among these articles."""
        among = set(seqs)
        sql = (
            "SELECT first, second, relation, similarity, spans FROM copy_pairs"
            " WHERE first IN ({marks})"
        )
        pairs = []
        for first, second, relation, similarity, spans in self._rows_in(sql, among):
            if second in among:
                spans_ = tuple((a, b, c, d) for a, b, c, d in json.loads(spans))
                pairs.append((first, second, Match(relation, similarity, spans_)))
        return pairs

    def copy_links_of(self, article_ids: Iterable[str]) -> dict[str, CopyLink]:
        """The saved links of these articles (those that are copies), by copy id."""
        sql = (
            "SELECT article_id, original_id, relation, similarity, evidence FROM copy_links"
            " WHERE article_id IN ({marks})"
        )
        found: dict[str, CopyLink] = {}
        for article_id, original, relation, similarity, evidence in self._rows_in(sql, article_ids):
            passages = tuple(Passage(**p) for p in json.loads(evidence))
            found[article_id] = CopyLink(
                article_id, original, relation, float(similarity), passages
            )
        return found

    def copy_bodies(self, article_ids: list[str]) -> dict[str, str]:
        sql = "SELECT id, body FROM articles WHERE id IN ({marks})"
        return {r[0]: r[1] for r in self._rows_in(sql, article_ids)}

    def copy_terms(self, terms: list[int]) -> dict[int, int]:
        """Indexed articles holding each hashed content word (absent: none)."""
        sql = "SELECT term, documents FROM copy_terms WHERE term IN ({marks})"
        return {r[0]: r[1] for r in self._rows_in(sql, terms)}

    def save_copy_index(
        self,
        added: Sequence[IndexedCopy],
        pairs: Iterable[tuple[int, int, Match]],
        groups: Iterable[CopyGroup],
        regrouped: Iterable[str],
        settings: CopySettings,
        mark: int,
    ) -> None:
        """Add what the index learnt, and replace the links of the regrouped articles."""
        with self.transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO stage_state (stage, state) VALUES ('copies', ?)",
                (json.dumps({"rowid": mark}),),
            )
            if added and added[0].index == 0:
                self._db.execute("DELETE FROM copy_links")  # links from before 0003, if any
            self._db.executemany(
                "INSERT INTO copy_docs (seq, article_id, body_key, words_key, completeness,"
                " content, sketch) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    (
                        e.index,
                        e.doc.id,
                        e.key,
                        e.words_key,
                        e.completeness,
                        e.content.astype("<u4").tobytes(),
                        pack_sketch(e),
                    )
                    for e in added
                ),
            )
            self._db.executemany(
                "INSERT OR IGNORE INTO copy_bands (band_key, seq) VALUES (?, ?)",
                # A generator: a first build writes over a hundred rows an article.
                ((key, e.index) for e in added for key in indexed_band_keys(e, settings)),
            )
            self._db.executemany(
                "INSERT INTO copy_terms (term, documents) VALUES (?, ?) ON CONFLICT(term)"
                " DO UPDATE SET documents = documents + excluded.documents",
                sorted(term_counts(added).items()),
            )
            self._db.executemany(
                "INSERT OR REPLACE INTO copy_pairs (first, second, relation, similarity, spans)"
                " VALUES (?, ?, ?, ?, ?)",
                [
                    (a, b, m.relation, m.similarity, json.dumps([list(x) for x in m.spans]))
                    for a, b, m in pairs
                ],
            )
            self._db.executemany(
                "DELETE FROM copy_links WHERE article_id = ?",
                [(article_id,) for article_id in regrouped],
            )
            self._insert_links(groups)

    def _insert_links(self, groups: Iterable[CopyGroup]) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO copy_links (article_id, original_id, relation, similarity,"
            " evidence) VALUES (?, ?, ?, ?, ?)",
            [
                (
                    link.article_id,
                    group.original,
                    link.relation,
                    link.similarity,
                    json.dumps([asdict(p) for p in link.evidence], ensure_ascii=False),
                )
                for group in groups
                for link in group.members
            ],
        )

    def unclustered_docs(self) -> tuple[list[ClusterDoc], int]:
        """Articles clustering has not seen yet (by id), and the mark to save with them."""
        rows, top = self._unseen(
            "cluster",
            "cluster_articles",
            "a.id, a.title, a.body, json_extract(a.published, '$.date'), a.language, a.outlet",
        )
        return [ClusterDoc(*row) for row in rows], top

    def cluster_meta(self) -> dict[str, Any] | None:
        """The clusterer's counters; before 0003, its whole state (one JSON value)."""
        return self.stage_state("cluster")

    def cluster_article(self, article_id: str) -> tuple[str | None, dict[str, Any] | None]:
        row = self._db.execute(
            "SELECT original_id, state FROM cluster_articles WHERE article_id = ?", (article_id,)
        ).fetchone()
        if row is None:
            return None, None
        return row[0], None if row[1] is None else dict(json.loads(row[1]))

    def cluster_event(self, event_id: str) -> EventRow | None:
        row = self._db.execute(
            "SELECT seq, members, terms, weights, day FROM cluster_events WHERE id = ?",
            (event_id,),
        ).fetchone()
        if row is None:
            return None
        weights = np.frombuffer(row[3], dtype="<f8").tolist()
        return int(row[0]), json.loads(row[1]), json.loads(row[2]), weights, row[4]

    def cluster_event_of(self, article_id: str) -> str | None:
        row = self._db.execute(
            "SELECT event_id FROM event_articles WHERE article_id = ?", (article_id,)
        ).fetchone()
        return None if row is None else str(row[0])

    def cluster_heir(self, event_id: str) -> str | None:
        row = self._db.execute("SELECT heir FROM cluster_retired WHERE id = ?", (event_id,))
        found = row.fetchone()
        return None if found is None else str(found[0])

    def cluster_postings(self, term: str) -> list[PostingRow]:
        return [
            (r[0], float(r[1]), int(r[2]), int(r[3]), r[4])
            for r in self._db.execute(
                "SELECT event_id, weight, seq, size, day FROM cluster_postings WHERE term = ?",
                (term,),
            )
        ]

    def cluster_terms(self, terms: list[str]) -> dict[str, int]:
        sql = "SELECT term, documents FROM cluster_terms WHERE term IN ({marks})"
        return {r[0]: r[1] for r in self._rows_in(sql, terms)}

    def cluster_storyline(self, storyline_id: str) -> ChainRow | None:
        row = self._db.execute(
            "SELECT c.seq, c.size, c.terms, c.weights, c.names, c.days, s.label"
            " FROM cluster_storylines c JOIN storylines s ON s.id = c.id WHERE c.id = ?",
            (storyline_id,),
        ).fetchone()
        return None if row is None else _chain_row(row)

    def cluster_placement(self, event_id: str) -> PlacementRow | None:
        row = self._db.execute(
            "SELECT storyline_id, seq, day, terms, weights, names FROM cluster_placements"
            " WHERE event_id = ?",
            (event_id,),
        ).fetchone()
        return None if row is None else _placement_row(row)

    def cluster_storyline_postings(self, term: str) -> dict[str, int]:
        return dict(
            self._db.execute(
                "SELECT storyline_id, events FROM cluster_storyline_postings WHERE term = ?",
                (term,),
            ).fetchall()
        )

    def cluster_storyline_posting_sizes(self, terms: list[str]) -> dict[str, int]:
        """How many storylines each term's postings hold (the long ones are not read)."""
        sql = (
            "SELECT term, count(*) FROM cluster_storyline_postings"
            " WHERE term IN ({marks}) GROUP BY term"
        )
        return {r[0]: int(r[1]) for r in self._rows_in(sql, terms)}

    def cluster_state(self) -> dict[str, Any] | None:
        """The whole clusterer state, in `StoryClusterer.from_state`'s form (storylines left
        out when they were not kept as rows yet: `from_state` places the events anew)."""
        meta = self.cluster_meta()
        if meta is None or "docs" in meta:
            return meta
        docs, copies = [], {}
        for article_id, original, state in self._db.execute(
            "SELECT article_id, original_id, state FROM cluster_articles ORDER BY rowid"
        ):
            if state is not None:
                docs.append(json.loads(state))
            else:
                copies[article_id] = original
        events = [
            [event_id, json.loads(members)]
            for event_id, members in self._db.execute(
                "SELECT id, members FROM cluster_events ORDER BY seq"
            )
        ]
        return {
            **meta,
            "docs": docs,
            "events": events,
            "df": dict(self._db.execute("SELECT term, documents FROM cluster_terms")),
            "retired": dict(self._db.execute("SELECT id, heir FROM cluster_retired")),
            **({"storylines": self._storyline_state()} if resumable(meta) else {}),
        }

    def _storyline_state(self) -> dict[str, Any]:
        chains = {
            row[0]: list(_chain_row(row[1:]))
            for row in self._db.execute(
                "SELECT c.id, c.seq, c.size, c.terms, c.weights, c.names, c.days, s.label"
                " FROM cluster_storylines c JOIN storylines s ON s.id = c.id ORDER BY c.seq, c.id"
            )
        }
        placed = {
            row[0]: list(_placement_row(row[1:]))
            for row in self._db.execute(
                "SELECT event_id, storyline_id, seq, day, terms, weights, names"
                " FROM cluster_placements ORDER BY seq, event_id"
            )
        }
        return {"chains": chains, "placed": placed}

    def save_cluster(self, changes: ClusterChanges, mark: int | None = None) -> None:
        """Write what clustering changed (with `everything`, replace its whole state);
        `mark`: the rowid of the last article it has seen."""
        db = self._db
        rows = dict(changes.events)  # a posting repeats its event's seq, size and day
        with self.transaction():
            if changes.everything:
                for table in (
                    "cluster_articles",
                    "cluster_events",
                    "cluster_postings",
                    "cluster_terms",
                    "cluster_retired",
                    "event_articles",
                    "cluster_placements",
                    "cluster_storyline_postings",
                    "storylines",  # and, by cascade, cluster_storylines
                ):
                    db.execute(f"DELETE FROM {table}")
            db.executemany(
                "INSERT OR REPLACE INTO cluster_articles (article_id, original_id, state)"
                " VALUES (?, ?, ?)",
                (
                    (a, o, None if s is None else json.dumps(s, ensure_ascii=False))
                    for a, o, s in changes.articles
                ),
            )
            db.executemany("DELETE FROM cluster_events WHERE id = ?", [(e,) for e in changes.gone])
            db.executemany(
                "INSERT OR REPLACE INTO cluster_events (id, seq, members, terms, weights, day)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    (e, seq, json.dumps(members), *_vector_columns(terms, weights), day)
                    for e, (seq, members, terms, weights, day) in changes.events
                ),
            )
            db.executemany(
                "DELETE FROM cluster_postings WHERE term = ? AND event_id = ?",
                [(t, e) for t, e, w in changes.postings if w is None],
            )
            db.executemany(
                "INSERT OR REPLACE INTO cluster_postings (term, event_id, weight, seq, size, day)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    (t, e, w, rows[e][0], len(rows[e][1]), rows[e][4])
                    for t, e, w in changes.postings
                    if w is not None
                ),
            )
            db.executemany(
                "INSERT INTO cluster_terms (term, documents) VALUES (?, ?) ON CONFLICT(term)"
                " DO UPDATE SET documents = documents + excluded.documents",
                sorted(changes.terms.items()),
            )
            db.executemany(
                "INSERT OR REPLACE INTO cluster_retired (id, heir) VALUES (?, ?)",
                sorted(changes.retired.items()),
            )
            shown = [e.id for e in changes.shown]
            db.executemany(
                "DELETE FROM event_articles WHERE event_id = ?",
                [(e,) for e in [*shown, *changes.gone]],
            )
            if changes.everything:
                kept = set(shown)
                stale = [r[0] for r in db.execute("SELECT id FROM events") if r[0] not in kept]
            else:
                stale = changes.gone
            db.executemany("DELETE FROM events WHERE id = ?", [(e,) for e in stale])
            for event in changes.shown:
                db.execute(
                    "INSERT INTO events (id, label, date, date_evidence) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT(id) DO UPDATE SET label = excluded.label, date = excluded.date,"
                    " date_evidence = excluded.date_evidence",
                    (
                        event.id,
                        event.label,
                        event.date,
                        json.dumps(list(event.date_evidence), ensure_ascii=False),
                    ),
                )
                db.executemany(
                    "INSERT OR IGNORE INTO event_articles (event_id, article_id) VALUES (?, ?)",
                    [(event.id, article_id) for article_id in event.article_ids],
                )
            self._save_storylines(changes)
            db.execute(
                "INSERT OR REPLACE INTO stage_state (stage, state) VALUES ('cluster', ?)",
                (json.dumps({**changes.meta, **self._mark(mark)}, sort_keys=True),),
            )

    def _save_storylines(self, changes: ClusterChanges) -> None:
        """Write the storylines clustering changed, and each changed event's place in one
        (after the events: `save_cluster` runs it in its transaction)."""
        db = self._db
        db.executemany(
            "INSERT INTO storylines (id, label) VALUES (?, ?)"
            " ON CONFLICT(id) DO UPDATE SET label = excluded.label",
            [(c, row[6]) for c, row in changes.storylines],
        )
        db.executemany(
            "INSERT OR REPLACE INTO cluster_storylines (id, seq, size, terms, weights, names, days)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                (c, seq, size, *_vector_columns(terms, weights, names), json.dumps(days))
                for c, (seq, size, terms, weights, names, days, _) in changes.storylines
            ),
        )
        db.executemany(
            "DELETE FROM cluster_placements WHERE event_id = ?", [(e,) for e in changes.unplaced]
        )
        db.executemany(
            "INSERT OR REPLACE INTO cluster_placements"
            " (event_id, storyline_id, seq, day, terms, weights, names)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                (e, c, seq, day, *_vector_columns(terms, weights, names))
                for e, (c, seq, day, terms, weights, names) in changes.placed
            ),
        )
        db.executemany(
            "UPDATE events SET storyline_id = ?, seq = ? WHERE id = ?",
            [(c, seq, e) for e, (c, seq, *_) in changes.placed],
        )
        db.executemany(
            "INSERT INTO cluster_storyline_postings (term, storyline_id, events) VALUES (?, ?, ?)"
            " ON CONFLICT(term, storyline_id) DO UPDATE SET events = events + excluded.events",
            changes.storyline_postings,
        )
        db.executemany(
            "DELETE FROM cluster_storyline_postings"
            " WHERE term = ? AND storyline_id = ? AND events <= 0",
            [(t, c) for t, c, n in changes.storyline_postings if n < 0],
        )
        db.executemany(
            "DELETE FROM storylines WHERE id = ?", [(c,) for c in changes.storylines_gone]
        )

    def story_counts(self) -> tuple[int, int, int, int]:
        """Copy groups, copies, events and storylines in the store."""
        row = self._db.execute(
            "SELECT (SELECT count(DISTINCT original_id) FROM copy_links),"
            " (SELECT count(*) FROM copy_links), (SELECT count(*) FROM events),"
            " (SELECT count(*) FROM storylines)"
        ).fetchone()
        return int(row[0]), int(row[1]), int(row[2]), int(row[3])

    def _mark(self, mark: int | None) -> dict[str, int]:
        if mark is not None:
            return {"rowid": mark}
        state = self.stage_state("cluster") or {}
        return {"rowid": int(state.get("rowid", 0))}  # type: ignore[call-overload]

    def counts(self) -> dict[str, int]:
        tables = ("raw_documents", "articles", "set_aside", "comments", "rejections")
        return {t: int(self._db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in tables}

    def _columns(self, table: str) -> int:
        return len(self._db.execute(f"SELECT * FROM {table} LIMIT 0").description)

    def dump(self) -> dict[str, list[tuple[object, ...]]]:
        """Every row of every content table, in a stable order (for idempotence checks)."""
        tables = (
            "raw_documents",
            "sources",
            "articles",
            "set_aside",
            "comments",
            "rejections",
            "copy_links",
            "storylines",
            "events",
            "event_articles",
            "stage_state",
            "quotes",
            "mentions",
            "analysed_articles",
            "actors",
            "variant_groups",
            "inferred_dates",
            "copy_docs",
            "copy_bands",
            "copy_terms",
            "copy_pairs",
            "cluster_articles",
            "cluster_events",
            "cluster_postings",
            "cluster_terms",
            "cluster_retired",
            "cluster_storylines",
            "cluster_placements",
            "cluster_storyline_postings",
        )
        return {
            t: [tuple(r) for r in self._db.execute(f"SELECT * FROM {t} ORDER BY 1, 2")]
            if self._columns(t) > 1
            else [tuple(r) for r in self._db.execute(f"SELECT * FROM {t} ORDER BY 1")]
            for t in tables
        }

    # -- who said what, and when (migration 0004) ------------------------------

    def analysed_article_ids(self) -> set[str]:
        return {r[0] for r in self._db.execute("SELECT article_id FROM analysed_articles")}

    def save_analysis(
        self, article_id: str, quotes: Iterable[Quote], mentions: Iterable[Mention]
    ) -> None:
        """Replace one article's quotes and mentions and mark it analysed, at once."""
        with self.transaction():
            self._db.execute("DELETE FROM quotes WHERE article_id = ?", (article_id,))
            self._db.execute("DELETE FROM mentions WHERE article_id = ?", (article_id,))
            self._insert_quotes(quotes)
            self._db.executemany(
                'INSERT OR IGNORE INTO mentions (article_id, start, "end", text, kind, role)'
                " VALUES (?, ?, ?, ?, ?, ?)",
                [(m.article_id, m.start, m.end, m.text, m.kind, m.role) for m in mentions],
            )
            self._db.execute(
                "INSERT OR IGNORE INTO analysed_articles (article_id) VALUES (?)", (article_id,)
            )

    def _insert_quotes(self, quotes: Iterable[Quote]) -> None:
        self._db.executemany(
            'INSERT OR REPLACE INTO quotes (id, article_id, start, "end", kind, text, cue,'
            " cue_start, cue_end, speaker, layer, said_on, variant_group)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    q.id,
                    q.article_id,
                    q.start,
                    q.end,
                    q.kind,
                    q.text,
                    q.cue,
                    q.cue_start,
                    q.cue_end,
                    None
                    if q.speaker is None
                    else json.dumps(asdict(q.speaker), ensure_ascii=False, sort_keys=True),
                    q.layer,
                    q.said_on,
                    q.variant_group,
                )
                for q in quotes
            ],
        )

    def update_quotes(self, quotes: Iterable[Quote]) -> None:
        """Write back quotes a global stage changed (actor ids, variant groups, dates)."""
        with self.transaction():
            self._insert_quotes(quotes)

    def quotes(self, article_id: str | None = None) -> list[Quote]:
        sql = (
            'SELECT article_id, text, start, "end", kind, cue, cue_start, cue_end, speaker,'
            " layer, said_on, variant_group FROM quotes"
        )
        args: tuple[str, ...] = ()
        if article_id is not None:
            sql += " WHERE article_id = ?"
            args = (article_id,)
        rows = self._db.execute(sql + " ORDER BY article_id, start", args).fetchall()
        return [
            Quote(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                r[6],
                r[7],
                None if r[8] is None else Speaker(**json.loads(r[8])),
                r[9],
                r[10],
                r[11],
            )
            for r in rows
        ]

    def mentions(self) -> list[Mention]:
        rows = self._db.execute(
            'SELECT article_id, text, start, "end", kind, role FROM mentions'
            " ORDER BY article_id, start"
        ).fetchall()
        return [Mention(*r) for r in rows]

    def save_actors(self, actors: Iterable[Actor]) -> None:
        """Replace the merged actors (mentions stay in their own table)."""
        with self.transaction():
            self._db.execute("DELETE FROM actors")
            self._db.executemany(
                "INSERT INTO actors (id, name, kind, aliases, roles) VALUES (?, ?, ?, ?, ?)",
                [
                    (
                        a.id,
                        a.name,
                        a.kind,
                        json.dumps(list(a.aliases), ensure_ascii=False),
                        json.dumps([asdict(r) for r in a.roles], ensure_ascii=False),
                    )
                    for a in actors
                ],
            )

    def actors(self) -> list[Actor]:
        rows = self._db.execute(
            "SELECT id, name, kind, aliases, roles FROM actors ORDER BY name, id"
        ).fetchall()
        return [
            Actor(
                r[0],
                r[1],
                r[2],
                tuple(json.loads(r[3])),
                tuple(Role(**x) for x in json.loads(r[4])),
            )
            for r in rows
        ]

    def save_variant_groups(self, groups: Iterable[tuple[str, str, list[str], object]]) -> None:
        """Replace the variant groups: (id, earliest quote id, quote ids, differences)."""
        with self.transaction():
            self._db.execute("DELETE FROM variant_groups")
            self._db.executemany(
                "INSERT INTO variant_groups (id, earliest, quote_ids, differences)"
                " VALUES (?, ?, ?, ?)",
                [
                    (g, earliest, json.dumps(ids), json.dumps(diff, ensure_ascii=False))
                    for g, earliest, ids, diff in groups
                ],
            )

    def variant_groups(self) -> list[tuple[str, str, list[str], object]]:
        rows = self._db.execute(
            "SELECT id, earliest, quote_ids, differences FROM variant_groups ORDER BY id"
        ).fetchall()
        return [(r[0], r[1], list(json.loads(r[2])), json.loads(r[3])) for r in rows]

    def save_inferred_dates(
        self, own: Mapping[str, Published], dates: Mapping[str, Published]
    ) -> None:
        """Each undated article's date from itself alone and after the corpus lent its own."""
        with self.transaction():
            self._db.executemany(
                "INSERT OR REPLACE INTO inferred_dates (article_id, own, published)"
                " VALUES (?, ?, ?)",
                [
                    (k, _published_json(own[k]), _published_json(p))
                    for k, p in sorted(dates.items())
                ],
            )

    def own_dates(self, article_ids: Iterable[str] | None = None) -> dict[str, Published]:
        """Undated articles' dates from themselves alone: all, or those of these ids."""
        if article_ids is None:
            rows: Iterable[tuple[Any, ...]] = self._db.execute(
                "SELECT article_id, own FROM inferred_dates"
            )
        else:
            rows = self._rows_in(
                "SELECT article_id, own FROM inferred_dates WHERE article_id IN ({marks})",
                article_ids,
            )
        return {r[0]: _published(r[1]) for r in rows}

    def update_event_dates(self, dated: Iterable[DatedEvent]) -> None:
        """Set the day each event happened, with the evidence (from the `when` stage)."""
        with self.transaction():
            self._db.executemany(
                "UPDATE events SET date = ?, date_evidence = ? WHERE id = ?",
                [
                    (d.date, json.dumps(list(d.evidence), ensure_ascii=False), d.event_id)
                    for d in dated
                ],
            )

    def inferred_dates(self) -> dict[str, Published]:
        rows = self._db.execute("SELECT article_id, published FROM inferred_dates")
        return {r[0]: _published(r[1]) for r in rows}


CHUNK = 500  # values bound per IN (...) list, well under SQLite's limit


def _chunks(values: Sequence[object]) -> Iterator[list[object]]:
    for start in range(0, len(values), CHUNK):
        yield list(values[start : start + CHUNK])


def _indexed_copy(row: tuple[Any, ...], settings: CopySettings) -> IndexedCopy:
    seq, article_id, title, language, date, outlet, key, words_key, content, sketch, done = row
    whole, content_signature, anchor_signature, lead = unpack_sketch(bytes(sketch), settings)
    return IndexedCopy(
        int(seq),
        CopyDoc(article_id, "", title, language, date, outlet),
        key,
        words_key,
        np.frombuffer(bytes(content), dtype="<u4").astype(np.uint32),
        whole,
        content_signature,
        anchor_signature,
        lead,
        int(done),
    )


def _published_json(p: Published) -> str:
    return json.dumps(
        {
            "date": p.date,
            "earliest": p.earliest,
            "latest": p.latest,
            "confidence": p.confidence,
            "method": p.method,
            "evidence": [asdict(e) for e in p.evidence],
        },
        ensure_ascii=False,
        sort_keys=True,
    )


def _published(raw: str) -> Published:
    d = json.loads(raw)
    return Published(
        date=d["date"],
        earliest=d["earliest"],
        latest=d["latest"],
        confidence=d["confidence"],
        method=d["method"],
        evidence=tuple(Evidence(**e) for e in d["evidence"]),
    )


def _chain_row(row: Sequence[Any]) -> ChainRow:
    seq, size, terms, weights, names, days, label = row
    return (
        int(seq),
        int(size),
        json.loads(terms),
        np.frombuffer(weights, dtype="<f8").tolist(),
        json.loads(names),
        json.loads(days),
        str(label),
    )


def _placement_row(row: Sequence[Any]) -> PlacementRow:
    storyline_id, seq, day, terms, weights, names = row
    return (
        str(storyline_id),
        int(seq),
        None if day is None else int(day),
        json.loads(terms),
        np.frombuffer(weights, dtype="<f8").tolist(),
        json.loads(names),
    )


def _rejection(row: tuple[str, str, str, str | None, str, str]) -> Rejection:
    return Rejection(
        source=row[0],
        locator=row[1] or None,
        stage=row[2],
        sha256=row[3],
        reason=row[4],
        detail=row[5],
    )


def _vector_columns(terms: Any, weights: Any, names: Any = None) -> tuple[str | bytes, ...]:
    """A clustering vector as its columns are stored: the terms as JSON, the weights as
    little-endian float64 bytes, and the names as JSON when the row keeps them."""
    columns: tuple[str | bytes, ...] = (
        json.dumps(terms, ensure_ascii=False),
        np.asarray(weights, dtype="<f8").tobytes(),
    )
    return columns if names is None else (*columns, json.dumps(names, ensure_ascii=False))
