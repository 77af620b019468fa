"""The clusterer's state as rows: resumed a piece at a time, it adds as one holding all."""

from __future__ import annotations

from typing import Any

import pytest
from test_cluster import ALL

from storyline.cluster import StoryClusterer, stream_order
from storyline.clusterstate import (
    ClusterChanges,
    EventRow,
    PostingRow,
    ResumedClusterer,
    snapshot,
)


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


@pytest.mark.parametrize("split", [8, 11])
def test_resumed_clusterer_adds_as_one_holding_everything(split: int) -> None:
    ordered = stream_order(ALL)
    whole = StoryClusterer()
    for doc in ordered[:split]:
        whole.add(doc)
    rows = Rows()
    rows.write(snapshot(whole))
    for doc in ordered[split:]:
        resumed = ResumedClusterer(rows, rows.meta)
        assert not resumed.would_reweigh(1)
        resumed.add(doc)
        rows.write(resumed.changes())
        whole.add(doc)
    assert rows.meta == snapshot(whole).meta
    expected = snapshot(whole)
    assert rows.events == dict(expected.events)
    assert rows.terms == expected.terms
    assert rows.postings == {(t, e): w for t, e, w in expected.postings if w is not None}
    assert {a: e for a, e in rows.event_of.items() if e in rows.events} == {
        a: e.id for e in whole.events() for a in e.article_ids
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
