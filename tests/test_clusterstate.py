"""The clusterer's state as rows: resumed a piece at a time, it adds as one holding all,
events and storylines alike."""

from __future__ import annotations

import random
from typing import Any

import pytest
from test_cluster import ALL, INQUIRY, SPLIT, docs

import storyline.clusterstate as clusterstate_module
import storyline.storylines as storylines_module
from storyline.cluster import ClusterDoc, StoryClusterer, stream_order
from storyline.clusterstate import (
    ClusterChanges,
    EventRow,
    PostingRow,
    ResumedClusterer,
    snapshot,
)
from storyline.storylines import ChainRow, PlacementRow

INQUIRY_DOCS = docs(INQUIRY)


class Rows:
    """A ClusterMemory over plain dicts, written as the store writes its tables."""

    def __init__(self) -> None:
        self.articles: dict[str, tuple[str | None, dict[str, Any] | None]] = {}
        self.events: dict[str, EventRow] = {}
        self.event_of: dict[str, str] = {}
        self.heirs: dict[str, str] = {}
        self.postings: dict[tuple[str, str], float] = {}
        self.terms: dict[str, int] = {}
        self.meta: dict[str, int] = {}
        self.storylines: dict[str, ChainRow] = {}
        self.placements: dict[str, PlacementRow] = {}
        self.storyline_postings: dict[tuple[str, str], int] = {}
        self.reads = 0

    def write(self, changes: ClusterChanges) -> None:
        if changes.everything:
            self.__init__()  # type: ignore[misc]
        self.meta = changes.meta
        self.articles.update((a, (o, s)) for a, o, s in changes.articles)
        for event_id in changes.gone:
            self.events.pop(event_id, None)
        self.events.update(changes.events)
        for term, event_id, weight in changes.postings:
            if weight is None:
                self.postings.pop((term, event_id), None)
            else:
                self.postings[(term, event_id)] = weight
        for term, count in changes.terms.items():
            self.terms[term] = self.terms.get(term, 0) + count
        self.heirs.update(changes.retired)
        for event in changes.shown:
            self.event_of.update((a, event.id) for a in event.article_ids)
        for storyline_id in changes.storylines_gone:
            del self.storylines[storyline_id]
        self.storylines.update(changes.storylines)
        for event_id in changes.unplaced:
            self.placements.pop(event_id, None)
        self.placements.update(changes.placed)
        for term, storyline_id, delta in changes.storyline_postings:
            count = self.storyline_postings.get((term, storyline_id), 0) + delta
            if count > 0:
                self.storyline_postings[(term, storyline_id)] = count
            else:
                self.storyline_postings.pop((term, storyline_id), None)

    def cluster_article(self, article_id: str) -> tuple[str | None, dict[str, Any] | None]:
        self.reads += 1
        return self.articles.get(article_id, (None, None))

    def cluster_event(self, event_id: str) -> EventRow | None:
        self.reads += 1
        return self.events.get(event_id)

    def cluster_event_of(self, article_id: str) -> str | None:
        return self.event_of.get(article_id)

    def cluster_heir(self, event_id: str) -> str | None:
        return self.heirs.get(event_id)

    def cluster_postings(self, term: str) -> list[PostingRow]:
        found = []
        for (t, event_id), weight in self.postings.items():
            if t == term:
                seq, members, _, _, day = self.events[event_id]
                found.append((event_id, weight, seq, len(members), day))
        return found

    def cluster_terms(self, terms: list[str]) -> dict[str, int]:
        return {t: self.terms[t] for t in terms if t in self.terms}

    def cluster_storyline(self, storyline_id: str) -> ChainRow | None:
        self.reads += 1
        return self.storylines.get(storyline_id)

    def cluster_placement(self, event_id: str) -> PlacementRow | None:
        return self.placements.get(event_id)

    def cluster_storyline_postings(self, term: str) -> dict[str, int]:
        return {s: n for (t, s), n in self.storyline_postings.items() if t == term}

    def cluster_storyline_posting_sizes(self, terms: list[str]) -> dict[str, int]:
        sizes: dict[str, int] = {}
        for term, _ in self.storyline_postings:
            if term in terms:
                sizes[term] = sizes.get(term, 0) + 1
        return sizes

    def storyline_records(self) -> dict[str, tuple[str, set[str]]]:
        """Each storyline's label and events, as the store shows them."""
        events: dict[str, set[str]] = {s: set() for s in self.storylines}
        for event_id, placement in self.placements.items():
            events[placement[0]].add(event_id)
        return {s: (row[6], events[s]) for s, row in self.storylines.items()}


def add_resumed_and_whole(
    ordered: list[ClusterDoc], split: int, reweighs: bool = True
) -> tuple[Rows, StoryClusterer]:
    """The first `split` docs held whole and written as rows; then each further doc added
    both to a clusterer resumed over the rows (writing back its changes) and to the whole.
    With `reweighs` False, no add may need every vector weighed again."""
    whole = StoryClusterer()
    for doc in ordered[:split]:
        whole.add(doc)
    rows = Rows()
    rows.write(snapshot(whole))
    for doc in ordered[split:]:
        resumed = ResumedClusterer(rows, rows.meta)
        assert reweighs or not resumed.would_reweigh(1)
        resumed.add(doc)
        rows.write(resumed.changes())
        whole.add(doc)
    return rows, whole


@pytest.mark.parametrize("split", [8, 11])
def test_resumed_clusterer_adds_as_one_holding_everything(split: int) -> None:
    rows, whole = add_resumed_and_whole(stream_order(ALL), split, reweighs=False)
    assert rows.meta == snapshot(whole).meta
    expected = snapshot(whole)
    assert rows.events == dict(expected.events)
    assert rows.terms == expected.terms
    assert rows.postings == {(t, e): w for t, e, w in expected.postings if w is not None}
    assert {a: e for a, e in rows.event_of.items() if e in rows.events} == {
        a: e.id for e in whole.events() for a in e.article_ids
    }


@pytest.mark.parametrize("split", [8, 10])
def test_resumed_clusterer_keeps_the_storylines_of_one_holding_everything(split: int) -> None:
    assert_storylines_kept_as_one_holding_everything(split)


def test_terms_too_common_to_lead_are_skipped_alike_without_reading_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for module in (storylines_module, clusterstate_module):
        monkeypatch.setattr(module, "STORYLINE_POSTINGS", 0)  # every term too common
    assert_storylines_kept_as_one_holding_everything(8, docs(SPLIT[:3]))


def assert_storylines_kept_as_one_holding_everything(
    split: int, more: list[ClusterDoc] | None = None
) -> None:
    rows, whole = add_resumed_and_whole(stream_order(ALL + INQUIRY_DOCS + (more or [])), split)
    expected = snapshot(whole)
    assert rows.storylines == dict(expected.storylines)
    assert rows.placements == dict(expected.placed)
    assert rows.storyline_postings == {(t, s): n for t, s, n in expected.storyline_postings}
    assert rows.storyline_records() == {
        s.id: (s.label, set(s.event_ids)) for s in whole.storylines()
    }


def test_a_resumed_clusterer_reads_only_what_an_add_needs() -> None:
    ordered = stream_order(ALL)
    whole = StoryClusterer()
    for doc in ordered[:-1]:
        whole.add(doc)
    rows = Rows()
    rows.write(snapshot(whole))
    resumed = ResumedClusterer(rows, rows.meta)
    resumed.add(ordered[-1])
    assert rows.reads < len(ordered) // 2
    with pytest.raises(RuntimeError, match="would_reweigh"):
        resumed._reweigh_all()


def resume_each_add(first: list[ClusterDoc], then: list[ClusterDoc]) -> tuple[Rows, int]:
    """Rows written by a clusterer holding `first`, then one resumed clusterer per add
    (until one would weigh everything again); and how many storylines the adds ended."""
    whole = StoryClusterer()
    for doc in first:
        whole.add(doc)
    rows = Rows()
    rows.write(snapshot(whole))
    ended = 0
    for doc in then:
        resumed = ResumedClusterer(rows, rows.meta)
        if resumed.would_reweigh(1):
            break
        resumed.add(doc)
        changes = resumed.changes()
        rows.write(changes)
        ended += len(changes.storylines_gone)
    return rows, ended


def test_merged_events_leave_their_storylines_in_memory_and_resumed_alike() -> None:
    ended = 0
    for seed in (5, 6, 14):
        shuffled = ALL + INQUIRY_DOCS + docs(SPLIT)
        random.Random(seed).shuffle(shuffled)
        rows, n = resume_each_add(shuffled[:8], shuffled[8:])
        ended += n
        expected = StoryClusterer()
        for doc in (d for d in shuffled if d.id in rows.articles):
            expected.add(doc)
        assert rows.storyline_records() == {
            s.id: (s.label, set(s.event_ids)) for s in expected.storylines()
        }
        assert set(rows.placements) == set(rows.events)
    assert ended > 0, "no add merged a storyline's only event into another's"
