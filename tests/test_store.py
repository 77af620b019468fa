"""store.Store: schema, raw bytes, articles, search, rejections."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

import storyline.store as store_module
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
from storyline.store import ENV_DB, Migration, Store, default_db_path, migrations


def raw_document(content: bytes, source: str = "in/a.txt") -> RawDocument:
    return RawDocument(hashlib.sha256(content).hexdigest(), source, content, "text")


def make_article(
    raw: RawDocument,
    article_id: str,
    title: str,
    body: str,
    *,
    locator: str = "",
    comments: tuple[str, ...] = (),
) -> Article:
    """An Article whose text is title, an appeal line, the body, then comments."""
    appeal = "Support our journalism: donate today."
    text = "\n".join([title, appeal, body, *comments])
    spans = (
        SetAside("title", 0, len(title), title, "headline"),
        SetAside("appeal", len(title) + 1, len(title) + 1 + len(appeal), appeal, "donate"),
    )
    body_start = text.index(body)
    found = []
    for comment in comments:
        start = text.index(comment)
        found.append(Comment(comment, start, start + len(comment), author=f"reader{len(found)}"))
    return Article(
        id=article_id,
        raw_sha256=raw.sha256,
        source=raw.source,
        locator=locator,
        title=title,
        outlet="Example Times",
        url="https://example.org/2022/01/19/story",
        author="A. Writer",
        language="en",
        published=Published(
            "2022-01-19",
            "2022-01-19",
            "2022-01-19",
            0.9,
            "metadata",
            (Evidence("json: date", "2022-01-19"),),
        ),
        text=text,
        body=body,
        paragraphs=(Paragraph(0, len(body), body_start, body_start + len(body)),),
        set_aside=spans,
        comments=tuple(found),
        extractor="text",
    )


def save(store: Store, article_id: str, title: str, body: str, **kwargs: object) -> Article:
    raw = raw_document(f"{article_id}\n{title}\n{body}".encode(), f"in/{article_id}.txt")
    article = make_article(raw, article_id, title, body, **kwargs)  # type: ignore[arg-type]
    store.save_document(raw, [article], [])
    return article


# -- schema ------------------------------------------------------------------


def test_fresh_store_is_at_the_latest_schema_version(store: Store) -> None:
    assert store.schema_version == len(migrations())
    assert store.schema_version == migrations()[-1].version


def test_store_file_uses_write_ahead_logging(store: Store) -> None:
    other = sqlite3.connect(store.path)
    try:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        other.close()


def test_foreign_keys_are_enforced_and_a_failed_save_writes_nothing(store: Store) -> None:
    raw = raw_document(b"some bytes")
    orphan = make_article(raw_document(b"other bytes"), "a" * 16, "Title", "Body text here.")
    with pytest.raises(sqlite3.IntegrityError):
        store.save_document(raw, [orphan], [])
    assert not store.has_raw(raw.sha256), "the raw document was rolled back with the article"
    assert store.counts() == dict.fromkeys(
        ("raw_documents", "articles", "set_aside", "comments", "rejections"), 0
    )


def test_reopening_keeps_data_and_does_not_rerun_migrations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    extra = Migration(len(migrations()) + 1, "extra", "CREATE TABLE extra (x INTEGER)")
    known = [*migrations(), extra]
    monkeypatch.setattr(store_module, "migrations", lambda: known)
    path = tmp_path / "s.db"
    with Store.open(path) as first:
        assert first.schema_version == extra.version
        save(first, "1" * 16, "Kept", "Body that stays.")
    # Re-running either migration would fail: their tables already exist.
    with Store.open(path) as again:
        assert again.schema_version == extra.version
        assert again.article_ids() == ["1" * 16]


def test_store_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    Store.open(path).close()
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {len(migrations()) + 5}")
    connection.close()
    with pytest.raises(StoreError, match="newer"):
        Store.open(path)


def test_failed_migration_is_rolled_back_and_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = Migration(
        len(migrations()) + 1,
        "broken",
        "CREATE TABLE half (x INTEGER); INSERT INTO nowhere VALUES (1)",
    )
    path = tmp_path / "s.db"
    Store.open(path).close()
    monkeypatch.setattr(store_module, "migrations", lambda: [*migrations(), broken])
    with pytest.raises(StoreError, match="broken"):
        Store.open(path)
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == len(migrations())
        tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
        assert "half" not in tables
    finally:
        connection.close()


def test_unopenable_path_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as caught:
        Store.open(tmp_path / "no-such-dir" / "s.db")
    assert "no-such-dir" in caught.value.path


def test_storyline_db_env_var_picks_the_default_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV_DB, raising=False)
    assert default_db_path() == Path("storyline.db")
    target = tmp_path / "from-env.db"
    monkeypatch.setenv(ENV_DB, str(target))
    assert default_db_path() == target
    with Store.open() as opened:
        assert opened.path == str(target)
    assert target.exists()


# -- raw bytes ---------------------------------------------------------------


def test_raw_bytes_are_kept_byte_for_byte(store: Store) -> None:
    content = b"\xef\xbb\xbfCRLF line\r\n\x00\xff odd bytes \xe9\n"
    raw = raw_document(content)
    store.save_document(raw, [], [])
    kept = store.raw_content(raw.sha256)
    assert kept == content
    assert hashlib.sha256(kept).hexdigest() == raw.sha256
    assert store.has_raw(raw.sha256)


def test_unknown_raw_document_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        store.raw_content("0" * 64)


# -- articles ----------------------------------------------------------------


def test_article_round_trips_with_spans_pointing_into_its_text(store: Store) -> None:
    saved = save(
        store,
        "abc1230000000000",
        "Macron urges EU",
        "The president spoke.",
        comments=("First!", "I disagree with this.", "Second comment"),
    )
    loaded = store.article(saved.id)
    assert loaded == saved
    for span in loaded.set_aside:
        assert span.text == loaded.text[span.start : span.end]
    assert [c.text for c in loaded.comments] == [
        "First!",
        "I disagree with this.",
        "Second comment",
    ]
    assert [c.author for c in loaded.comments] == ["reader0", "reader1", "reader2"]
    assert loaded.published.evidence == (Evidence("json: date", "2022-01-19"),)


def test_summaries_count_spans_and_comments(store: Store) -> None:
    save(
        store,
        "abc1230000000000",
        "Macron urges EU",
        "The president spoke.",
        comments=("One", "Two"),
    )
    [summary] = store.summaries()
    assert (summary.title, summary.set_aside_count, summary.comment_count) == (
        "Macron urges EU",
        2,
        2,
    )
    assert summary.length == len("The president spoke.")


def test_article_found_by_a_unique_id_prefix(store: Store) -> None:
    save(store, "abc1230000000000", "First", "Body one.")
    save(store, "abd4560000000000", "Second", "Body two.")
    assert store.article("abc").title == "First"
    assert store.article("abd4").title == "Second"


def test_unknown_article_id_is_not_found_with_a_hint(store: Store) -> None:
    save(store, "abc1230000000000", "First", "Body one.")
    with pytest.raises(NotFound) as caught:
        store.article("fff")
    assert "'fff'" in str(caught.value)
    assert "storyline articles" in str(caught.value)
    with pytest.raises(NotFound):
        store.article("")


def test_ambiguous_article_prefix_asks_for_more_characters(store: Store) -> None:
    save(store, "abc1230000000000", "First", "Body one.")
    save(store, "abd4560000000000", "Second", "Body two.")
    with pytest.raises(NotFound) as caught:
        store.article("ab")
    assert "unique article" in str(caught.value)
    assert "more characters" in str(caught.value)


def test_article_prefix_is_matched_literally_not_as_a_like_pattern(store: Store) -> None:
    save(store, "abc1230000000000", "Only", "Body one.")
    with pytest.raises(NotFound):
        store.article("%")


def test_resaving_an_article_replaces_its_spans_and_comments(store: Store) -> None:
    first = save(store, "abc1230000000000", "Title", "Body.", comments=("a", "b", "c"))
    raw = raw_document(b"x")
    shorter = make_article(raw, first.id, "Title", "Body.", comments=("only",))
    store.save_document(raw, [shorter], [])
    assert [c.text for c in store.article(first.id).comments] == ["only"]
    assert store.counts()["comments"] == 1


# -- search ------------------------------------------------------------------


@pytest.fixture
def news(store: Store) -> Store:
    save(
        store,
        "a000000000000001",
        "Macron calls for EU unity",
        "Macron said Macron's plan, Macron insisted, would unite the EU-Russia talks.",
    )
    save(
        store,
        "a000000000000002",
        "Scholz visits Paris",
        "The chancellor met ministers; Macron was away in Brussels.",
    )
    save(store, "a000000000000003", "Weather", "Rain is expected over the weekend in Lyon.")
    return store


def test_search_finds_words_in_titles_and_bodies(news: Store) -> None:
    assert {h.article_id for h in news.search("Macron")} == {"a000000000000001", "a000000000000002"}
    assert [h.article_id for h in news.search("Scholz")] == ["a000000000000002"]
    assert [h.article_id for h in news.search("Lyon")] == ["a000000000000003"]
    assert news.search("Berlin") == []


def test_search_ranks_the_article_most_about_the_words_first(news: Store) -> None:
    hits = news.search("Macron")
    assert hits[0].article_id == "a000000000000001"
    assert hits[0].score > hits[1].score
    assert hits[0].title == "Macron calls for EU unity"
    assert hits[0].outlet == "Example Times"


def test_search_returns_snippets_with_the_match_marked(news: Store) -> None:
    [hit] = news.search("Lyon")
    assert "[Lyon]" in hit.snippet


def test_search_ignores_case_and_diacritics(news: Store) -> None:
    assert [h.article_id for h in news.search("lyón")] == ["a000000000000003"]


@pytest.mark.parametrize("query", ["EU-Russia", 'Macron"', '"', "AND", "NEAR(", "title:", "*"])
def test_search_tolerates_queries_that_are_not_fts5_syntax(news: Store, query: str) -> None:
    hits = news.search(query)
    assert isinstance(hits, list)


def test_invalid_fts5_query_still_searches_its_words(news: Store) -> None:
    assert [h.article_id for h in news.search("EU-Russia")] == ["a000000000000001"]
    assert [h.article_id for h in news.search('Scholz"')] == ["a000000000000002"]


def test_search_limit_caps_the_hits(news: Store) -> None:
    assert len(news.search("Macron", limit=1)) == 1


# -- rejections --------------------------------------------------------------


def test_rejections_are_kept_and_found_by_sha(store: Store) -> None:
    raw = raw_document(b"")
    rejection = Rejection(raw.source, "ingest", "empty", "the file is empty", raw.sha256)
    store.save_document(raw, [], [rejection])
    store.save_rejection(Rejection("in/big.txt", "ingest", "too-large", "too big"))
    assert store.rejections_for(raw.sha256) == [rejection]
    assert [r.reason for r in store.rejections()] == ["empty", "too-large"]
    assert store.rejections()[1].sha256 is None
    assert not store.has_articles_from(raw.sha256)
