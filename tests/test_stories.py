"""Copies and stories through the store and the command line, on the demo corpus."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

import pytest
from conftest import require_shared
from typer.testing import CliRunner

from storyline.cli import app, find_demo_corpus
from storyline.cluster import Event, StoryClusterer, root_original, stream_order
from storyline.clusterstate import ClusterChanges, resumable
from storyline.dedupe import CopyGroup, CopyIndex, CopyLink, doc_from_article, find_copies
from storyline.pipeline import build_stories, cluster_doc, ingest_paths, update_copies
from storyline.records import Article, Published, RawDocument
from storyline.store import Store
from storyline.storylines import Storyline

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("stories") / "demo.db"
    corpus = find_demo_corpus()
    assert corpus is not None
    result = runner.invoke(app, ["ingest", str(corpus), "--db", str(db)])
    assert result.exit_code == 0, result.output
    return db


def cli_json(*args: str) -> object:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def manifest() -> list[dict[str, object]]:
    return json.loads((EXAMPLES / "MANIFEST.json").read_text(encoding="utf-8"))


def ids_by_title(db: Path) -> dict[str, str]:
    articles = cli_json("articles", "--json", "--db", str(db))
    assert isinstance(articles, list)
    return {a["title"]: a["id"] for a in articles}


def test_copies_json_links_the_repost_and_the_rewrite_to_their_originals(demo_db: Path) -> None:
    groups = cli_json("copies", "--json", "--db", str(demo_db))
    assert isinstance(groups, list)
    ids = ids_by_title(demo_db)
    by_file = {entry["file"]: entry for entry in manifest()}
    links = {
        member["article_id"]: (group["original"], member["relation"])
        for group in groups
        for member in group["members"]
    }
    for entry in manifest():
        if not entry["copy_of"]:
            continue
        copy_id = ids[entry["title"]]
        original_id = ids[by_file[entry["copy_of"]]["title"]]
        assert copy_id in links, f"{entry['file']} is not linked as a copy"
        original, relation = links[copy_id]
        assert original == original_id
        expected = {
            "repost": {"exact", "reformatted", "edited", "excerpt"},
            "rewrite": {"rewrite"},
        }[entry["copy_relation"]]
        assert relation in expected
    for group in groups:
        for member in group["members"]:
            assert set(member) >= {"article_id", "relation", "similarity", "evidence"}
            assert member["evidence"], "every link shows the passages it shares"


def test_stories_json_follows_the_contract_and_keeps_events_apart(demo_db: Path) -> None:
    storylines = cli_json("stories", "--json", "--db", str(demo_db))
    assert isinstance(storylines, list) and storylines
    ids = ids_by_title(demo_db)
    event_of: dict[str, str] = {}
    for storyline in storylines:
        assert set(storyline) >= {"id", "label", "events"}
        dates = [e["date"] for e in storyline["events"] if e["date"]]
        assert dates == sorted(dates), "events in time order"
        for event in storyline["events"]:
            assert set(event) >= {"id", "label", "date", "article_ids"}
            for article_id in event["article_ids"]:
                event_of[article_id] = event["id"]
    assert set(event_of) == set(ids.values()), "every article, copies included, is in an event"
    # Articles of different periods (2022, June 2025, winter 2025-26) never share an
    # event. (Within the winter, an undated English report of Barrot's interview may
    # join December's coverage: without a date or a cross-language match nothing
    # tells them apart yet.)
    periods = {"strasbourg": "2022", "hague": "2025-06", "dialogue": "winter", "barrot": "winter"}
    period = {ids[e["title"]]: periods[str(e["event"]).split("-")[0]] for e in manifest()}
    by_event: dict[str, set[str]] = {}
    for article_id, event_id in event_of.items():
        by_event.setdefault(event_id, set()).add(period[article_id])
    assert all(len(periods) == 1 for periods in by_event.values()), by_event


def test_copies_share_their_originals_event(demo_db: Path) -> None:
    groups = cli_json("copies", "--json", "--db", str(demo_db))
    storylines = cli_json("stories", "--json", "--db", str(demo_db))
    assert isinstance(groups, list) and isinstance(storylines, list)
    event_of = {a: e["id"] for s in storylines for e in s["events"] for a in e["article_ids"]}
    for group in groups:
        for member in group["members"]:
            assert event_of[member["article_id"]] == event_of[group["original"]]


def test_story_shows_one_storyline_with_its_lineage(demo_db: Path) -> None:
    storylines = cli_json("stories", "--json", "--db", str(demo_db))
    assert isinstance(storylines, list)
    first = storylines[0]
    result = runner.invoke(app, ["story", first["id"], "--db", str(demo_db)])
    assert result.exit_code == 0, result.output
    for event in first["events"]:
        assert event["id"] in result.output
    assert cli_json("story", first["id"], "--json", "--db", str(demo_db))["id"] == first["id"]
    missing = runner.invoke(app, ["story", "nope", "--db", str(demo_db)])
    assert missing.exit_code == 2 and "storyline stories" in missing.output


def built_demo_store(path: Path) -> Store:
    """A store holding the demo corpus with its stories built."""
    corpus = find_demo_corpus()
    assert corpus is not None
    store = Store.open(path)
    ingest_paths([corpus], store)
    build_stories(store)
    return store


def test_building_twice_changes_nothing(tmp_path: Path) -> None:
    with built_demo_store(tmp_path / "twice.db") as store:
        before = store.dump()
        report = build_stories(store)
        assert report.clustered == 0
        assert store.dump() == before


def test_adding_articles_keeps_earlier_assignments(tmp_path: Path) -> None:
    """New articles join or open events; the built store is not re-clustered from scratch."""
    seeds = require_shared("seeds")
    with built_demo_store(tmp_path / "grow.db") as store:
        before = {a: e.id for e in store.events() for a in e.article_ids}
        ingest_paths([seeds], store)
        report = build_stories(store)
        assert report.clustered == 5
        after = {a: e.id for e in store.events() for a in e.article_ids}
    moved = [a for a, event in before.items() if after.get(a) != event]
    assert len(moved) <= len(before) // 5, f"{len(moved)} earlier articles changed event"


def saved_storylines(store: Store) -> dict[str, Storyline]:
    """The storylines a clusterer holding the store's whole saved state shows."""
    state = store.cluster_state()
    assert state is not None
    return {s.id: s for s in StoryClusterer.from_state(state).storylines()}


def test_each_add_updates_the_storylines_it_touches(tmp_path: Path) -> None:
    """Seeds added one at a time to a built store: every event stays in one storyline, and
    the storylines shown are those of the state kept, add after add."""
    seeds = sorted(Path(require_shared("seeds")).glob("*.txt"))
    with built_demo_store(tmp_path / "grow.db") as store:
        for seed in seeds:
            ingest_paths([seed], store)
            build_stories(store)
            shown = {s.id: s for s in store.storylines()}
            assert shown == saved_storylines(store)
            placed = sorted(e for s in shown.values() for e in s.event_ids)
            assert placed == sorted(e.id for e in store.events())


@pytest.mark.parametrize("adding", [0, 1])
def test_a_store_built_before_storylines_were_kept_places_its_events_on_the_next_build(
    tmp_path: Path, adding: int
) -> None:
    seeds = sorted(Path(require_shared("seeds")).glob("*.txt"))
    with built_demo_store(tmp_path / "old.db") as store:
        meta = store.cluster_meta()
        assert meta is not None
        del meta["storylines"]  # as saved before migration 0005
        store.save_cluster(ClusterChanges(False, meta, [], [], [], [], [], {}, {}))
        ingest_paths(seeds[:adding], store)
        assert build_stories(store).clustered == adding
        assert resumable(store.cluster_meta())
        assert {s.id: s for s in store.storylines()} == saved_storylines(store)


def _variants(corpus: Path) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Two batches of articles made from the demo texts: originals, copies of several
    kinds, and in the second batch copies dated before their originals (so that a
    group's original changes) and a copy joining two groups' worth of text."""
    texts = sorted(p for p in corpus.glob("*.txt"))
    first: list[dict[str, str]] = []
    second: list[dict[str, str]] = []
    for n, path in enumerate(texts):
        lines = [x for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
        body = "\n".join(lines)
        title = f"Report {n}"
        day = f"2025-0{1 + n % 9}-1{n % 10}"

        def item(
            suffix: str, text: str, date: str, title: str = title, n: int = n
        ) -> dict[str, str]:
            return {
                "url": f"https://site{suffix}.example/{n}",
                "title": title,
                "text": text,
                "published": date,
                "outlet": f"site{suffix}",
            }

        first.append(item("a", body, day))
        first.append(item("b", body.replace(". ", ".  "), day))
        second.append(item("c", "\n".join(lines[: max(2, len(lines) * 2 // 3)]), day))
        second.append(item("d", body, f"2024-12-0{1 + n % 9}"))
        second.append(
            item("e", "\n".join(lines[1:]) + "\nRead more on our site.", day, f"Edited report {n}")
        )
    return first, second


def _ingest_items(store: Store, folder: Path, name: str, items: list[dict[str, str]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.jsonl"
    path.write_text("\n".join(json.dumps(i) for i in items) + "\n", encoding="utf-8")
    report = ingest_paths([path], store)
    assert not report.rejected, report.summary()


def links(groups: list[CopyGroup]) -> dict[str, CopyLink]:
    return {link.article_id: link for group in groups for link in group.members}


def test_two_batches_link_and_cluster_as_one(tmp_path: Path) -> None:
    """Built in two batches, the store holds the same copy links as built in one, and the
    events a clusterer holding everything gives on the same stream."""
    corpus = find_demo_corpus()
    assert corpus is not None
    first, second = _variants(corpus)
    with Store.open(tmp_path / "two.db") as two, Store.open(tmp_path / "one.db") as one:
        _ingest_items(two, tmp_path / "in", "first", first)
        build_stories(two)
        _ingest_items(two, tmp_path / "in", "second", second)
        report = build_stories(two)
        assert report.clustered == len(second)
        _ingest_items(one, tmp_path / "in", "first", first)
        _ingest_items(one, tmp_path / "in", "second", second)
        build_stories(one)
        groups = two.copy_groups()
        assert groups == one.copy_groups()
        assert any(
            g.original in {a.id for a in two.articles() if a.outlet == "sited"} for g in groups
        ), "an earlier copy became its group's original"
        assert sum(len(g.members) for g in groups) >= 3 * len(first) // 2
        # The same stream, batch by batch, through an index and a clusterer holding everything.
        articles = {a.id: a for a in two.articles()}
        index, clusterer = CopyIndex(), StoryClusterer()
        for batch in (first, second):
            urls = {i["url"] for i in batch}
            new = sorted((a for a in articles.values() if a.url in urls), key=lambda a: a.id)
            for article in new:
                index.add(doc_from_article(article))
            copy_of = {link.article_id: g.original for g in index.groups() for link in g.members}
            for doc in stream_order([cluster_doc(a) for a in new], copy_of):
                original = root_original(doc.id, copy_of)
                clusterer.add(doc, copy_of=original if original != doc.id else None)
        assert links(index.groups()) == links(groups)

        def view(events: list[Event]) -> dict[str, tuple[str | None, str, list[str]]]:
            return {e.id: (e.date, e.label, sorted(e.article_ids)) for e in events}

        assert view(two.events()) == view(clusterer.events())
        assert len(two.events()) < len(articles), "copies and reports of one text share events"
        assert {s.id: s for s in two.storylines()} == {s.id: s for s in clusterer.storylines()}
        placed = [e for s in two.storylines() for e in s.event_ids]
        assert sorted(placed) == sorted(e.id for e in two.events()), "each event in one storyline"


def _save_text(store: Store, article_id: str, body: str, day: str) -> None:
    """An article as ingest would store it, built by hand (no cleaning)."""
    raw = RawDocument(
        hashlib.sha256(article_id.encode()).hexdigest(), f"{article_id}.txt", b"", "text"
    )
    article = Article(
        id=article_id,
        raw_sha256=raw.sha256,
        source=raw.source,
        locator="",
        title=None,
        outlet=None,
        url=None,
        author=None,
        language="en",
        published=Published(date=day, confidence=1.0, method="declared"),
        text=body,
        body=body,
        paragraphs=(),
        set_aside=(),
        comments=(),
        extractor="text",
    )
    store.save_document(raw, [article], [])


def _demo_bodies() -> list[str]:
    corpus = find_demo_corpus()
    assert corpus is not None
    return [path.read_text(encoding="utf-8") for path in sorted(corpus.glob("*.txt"))[:2]]


def test_a_copy_joining_a_group_whose_original_stays_reads_none_of_its_members(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Adding to a large group costs the same as to a small one, until its original changes:
    then every member is linked to the new one, as one index holding everything would."""
    body, other = _demo_bodies()
    with Store.open(tmp_path / "group.db") as store:
        _save_text(store, "a00", body, "2025-01-01")
        _save_text(store, "b00", other, "2025-01-01")
        for n in range(1, 13):
            _save_text(store, f"a{n:02d}", body, f"2025-02-{n:02d}")
        update_copies(store)
        read: list[object] = []

        def noted(values: Iterable[object]) -> list[object]:
            values = list(values)
            read.extend(values)
            return values

        members, records = store.copy_group_members, store.indexed_copies
        monkeypatch.setattr(store, "copy_group_members", lambda o: members(noted(o)))
        monkeypatch.setattr(store, "indexed_copies", lambda q, s: records(noted(q), s))
        _save_text(store, "a99", body, "2025-03-01")
        update_copies(store)
        assert len(read) <= 2, f"read back {read}: the group's members, not just its original"
        _save_text(store, "a98", body[: len(body) * 3 // 4], "2024-12-31")
        update_copies(store)  # dated first: the group's original changes
        ids = [f"a{n:02d}" for n in range(13)] + ["b00", "a99", "a98"]
        bodies = {a.id: a for a in store.articles()}
        expected = find_copies(doc_from_article(bodies[i]) for i in sorted(ids[:14]) + ids[14:])
        assert links(store.copy_groups()) == links(expected)
        assert {g.original for g in expected} == {"a98"}
