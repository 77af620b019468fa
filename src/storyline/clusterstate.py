"""The clusterer's state as rows: resumed from a store a piece at a time, changes written back.

A `StoryClusterer` holds every article's vector, every event's centroid, the
inverted index of centroid terms and the document frequencies. Loading all of
that to add one article cost seconds at 50,000 articles, and writing it back
more. `ResumedClusterer` starts empty over a `ClusterMemory` (the store) and
fetches an article, an event, a term's postings or document frequency the first
time `add` asks for it; `changes()` then lists what the adds changed, so that
the store writes only those rows. Storylines are read the same way: a storyline,
an event's placement in one, a term's storyline postings (`ResumedStorylines`).
Adding to a resumed clusterer gives the same events and storylines as adding to
one that held everything, except when the pile has grown enough that every
vector is weighed again (`would_reweigh`): the caller loads everything for that
add.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from storyline.cluster import (
    REWEIGH_GROWTH,
    STATE_VERSION,
    ClusterDoc,
    ClusterSettings,
    Event,
    StoryClusterer,
    _Doc,
    _doc_from_state,
    _doc_state,
    _Event,
)
from storyline.storylines import (
    STORYLINE_POSTINGS,
    Chain,
    ChainRow,
    Placement,
    PlacementRow,
    Storylines,
    chain_from_row,
    chain_row,
    placement_from_row,
    placement_row,
)

V = TypeVar("V")

# In the saved counters: storylines are kept as rows too (else they must be placed anew).
STORYLINES_KEPT = 1

# An event as stored: seq, members, centroid terms and weights, mean day.
EventRow = tuple[int, list[str], list[str], list[float], float | None]
# One posting as stored: event id, weight, and the event's seq, size and mean day.
PostingRow = tuple[str, float, int, int, float | None]


class ClusterMemory(Protocol):
    """What a resumed clusterer reads from the store, one key at a time (None: not there)."""

    def cluster_article(self, article_id: str) -> tuple[str | None, dict[str, Any] | None]: ...

    def cluster_event(self, event_id: str) -> EventRow | None: ...

    def cluster_event_of(self, article_id: str) -> str | None: ...

    def cluster_heir(self, event_id: str) -> str | None: ...

    def cluster_postings(self, term: str) -> list[PostingRow]: ...

    def cluster_terms(self, terms: list[str]) -> dict[str, int]: ...

    def cluster_storyline(self, storyline_id: str) -> ChainRow | None: ...

    def cluster_placement(self, event_id: str) -> PlacementRow | None: ...

    def cluster_storyline_postings(self, term: str) -> dict[str, int]: ...

    def cluster_storyline_posting_sizes(self, terms: list[str]) -> dict[str, int]: ...


class _Loading(dict[str, V]):
    """A dict that fetches a key it lacks; a key deleted or found missing stays so."""

    def __init__(self, fetch: Callable[[str], V | None]) -> None:
        super().__init__()
        self._fetch = fetch
        self._gone: set[str] = set()

    def _load(self, key: str) -> bool:
        if key in self._gone:
            return False
        value = self._fetch(key)
        if value is None:
            self._gone.add(key)
            return False
        dict.__setitem__(self, key, value)
        return True

    def refetch(self, key: str) -> None:
        """Let a key found missing (or deleted) be fetched again."""
        self._gone.discard(key)

    def held(self, key: str) -> bool:
        """Is the key loaded (or set) already, without fetching it?"""
        return dict.__contains__(self, key)

    def __missing__(self, key: str) -> V:
        if self._load(key):
            return dict.__getitem__(self, key)
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and (dict.__contains__(self, key) or self._load(key))

    def get(self, key: str, default: Any = None) -> Any:
        if key in self:  # fetches it when absent: dict.get would not
            return dict.__getitem__(self, key)
        return default

    def __setitem__(self, key: str, value: V) -> None:
        self._gone.discard(key)
        dict.__setitem__(self, key, value)

    def __delitem__(self, key: str) -> None:
        dict.__delitem__(self, key)
        self._gone.add(key)

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self:
            self[key] = default
        return self[key]


@dataclass(frozen=True, slots=True)
class ClusterChanges:
    """What adds changed, for the store to write; with `everything`, the whole state."""

    everything: bool
    meta: dict[str, int]
    articles: list[tuple[str, str | None, dict[str, Any] | None]]  # id, original, record
    events: list[tuple[str, EventRow]]
    shown: list[Event]  # the changed events as readers see them
    gone: list[str]  # events that no longer exist
    postings: Sequence[tuple[str, str, float | None]]  # term, event, weight (None: removed)
    terms: dict[str, int]  # document frequencies: deltas, or counts with `everything`
    retired: dict[str, str]
    storylines: list[tuple[str, ChainRow]] = field(default_factory=list)
    storylines_gone: list[str] = field(default_factory=list)
    placed: list[tuple[str, PlacementRow]] = field(default_factory=list)  # event -> placement
    unplaced: list[str] = field(default_factory=list)  # events in no storyline any more
    # term, storyline, events posting it: deltas, or counts with `everything`
    storyline_postings: Sequence[tuple[str, str, int]] = ()


def _meta(clusterer: StoryClusterer) -> dict[str, int]:
    return {
        "version": STATE_VERSION,
        "n": clusterer._n,
        "seq": clusterer._seq,
        "weighed_at": clusterer._weighed_at,
        "storylines": STORYLINES_KEPT,
    }


def resumable(meta: Mapping[str, Any] | None) -> bool:
    """Can a clusterer resume over these counters (rows of 0003, storylines of 0005)?"""
    return meta is not None and "docs" not in meta and meta.get("storylines") == STORYLINES_KEPT


def _event_row(event: _Event) -> EventRow:
    return event.seq, list(event.members), list(event.terms), list(event.weights), event.day


def snapshot(clusterer: StoryClusterer) -> ClusterChanges:
    """The whole state of a clusterer that holds everything, as rows."""
    c = clusterer
    articles: list[tuple[str, str | None, dict[str, Any] | None]] = [
        (doc.id, None, _doc_state(doc)) for doc in c._docs.values()
    ]
    articles += [(copy, original, None) for copy, original in c._copy_of.items()]
    postings = [
        (term, event_id, weight)
        for term, posting in c._postings.items()
        for event_id, weight in posting.items()
    ]
    return ClusterChanges(
        everything=True,
        meta=_meta(c),
        articles=articles,
        events=[(e.id, _event_row(e)) for e in c._events.values()],
        shown=c.events(),
        gone=[],
        postings=postings,
        terms=dict(c._df),
        retired=dict(c._retired),
        storylines=c._stories.chain_rows(),
        placed=c._stories.placement_rows(),
        storyline_postings=c._stories.postings(),
    )


def _event_from_row(event_id: str, row: EventRow) -> _Event:
    seq, members, terms, weights, day = row
    return _Event(event_id, seq, list(members), tuple(terms), array("d", weights), day)


class ResumedClusterer(StoryClusterer):
    """A clusterer that reads its state from a `ClusterMemory` as adds need it."""

    def __init__(
        self,
        memory: ClusterMemory,
        meta: Mapping[str, int],
        settings: ClusterSettings | None = None,
    ) -> None:
        super().__init__(settings or ClusterSettings())
        if meta.get("version") != STATE_VERSION:
            raise ValueError(
                f"cluster state version {meta.get('version')!r} is not "
                f"{STATE_VERSION}; rebuild the clustering from the articles"
            )
        self._memory = memory
        self._n, self._seq = int(meta["n"]), int(meta["seq"])
        self._weighed_at = int(meta["weighed_at"])
        self._light: dict[str, tuple[int, int, float | None]] = {}
        self._docs = _Loading(self._fetch_doc)
        self._copy_of = _Loading(lambda a: memory.cluster_article(a)[0])
        self._events = _Loading(self._fetch_event)
        self._event_of = _Loading(memory.cluster_event_of)
        self._retired = _Loading(memory.cluster_heir)
        self._postings = _Loading(self._fetch_postings)
        self._df_seen: set[str] = set()
        # What changed, to write back.
        self._dirty_docs: set[str] = set()
        self._new_copies: dict[str, str] = {}
        self._dirty_events: set[str] = set()
        self._shown_events: set[str] = set()
        self._dead_events: set[str] = set()
        self._changed_terms: dict[str, dict[str, float | None]] = {}
        self._df_delta: Counter[str] = Counter()
        self._new_retired: dict[str, str] = {}
        self._stories = ResumedStorylines(
            memory,
            self.settings.storyline_threshold,
            self.settings.centroid_terms,
            self.settings.index_terms,
            lambda names: self._actors(names, exclude=None),
        )

    def would_reweigh(self, articles: int) -> bool:
        """Would adding this many articles weigh every vector again (which needs them all)?"""
        return self._n + articles >= REWEIGH_GROWTH * self._weighed_at

    # -- fetching ------------------------------------------------------------

    def _fetch_doc(self, article_id: str) -> _Doc | None:
        _, state = self._memory.cluster_article(article_id)
        return None if state is None else _doc_from_state(state)

    def _fetch_event(self, event_id: str) -> _Event | None:
        row = self._memory.cluster_event(event_id)
        return None if row is None else _event_from_row(event_id, row)

    def _fetch_postings(self, term: str) -> dict[str, float] | None:
        rows = self._memory.cluster_postings(term)
        for event_id, _, seq, size, day in rows:
            self._light[event_id] = (seq, size, day)
        posting = {event_id: weight for event_id, weight, *_ in rows}
        for event_id, weight in self._changed_terms.get(term, {}).items():
            if weight is None:
                posting.pop(event_id, None)
            else:
                posting[event_id] = weight
        return posting or None

    def _need_df(self, terms: Iterable[str]) -> None:
        missing = [t for t in dict.fromkeys(terms) if t not in self._df_seen]
        if missing:
            self._df.update(self._memory.cluster_terms(missing))
            self._df_seen.update(missing)

    def _brief(self, event_id: str) -> tuple[int, int, float | None]:
        events = self._events
        assert isinstance(events, _Loading)
        if events.held(event_id) or event_id not in self._light:
            return super()._brief(event_id)
        return self._light[event_id]

    # -- tracking ------------------------------------------------------------

    def add(self, doc: ClusterDoc, copy_of: str | None = None) -> str:
        if (known := self._event_of.get(doc.id)) is not None:
            return str(known)
        event_id = super().add(doc, copy_of)
        original = self._copy_of.get(doc.id)
        if original is not None:
            self._new_copies[doc.id] = str(original)
            self._dirty_docs.add(str(original))
            self._shown_events.add(event_id)
        else:
            self._dirty_docs.add(doc.id)
        return event_id

    def _count(self, terms: Iterable[str]) -> None:
        terms = list(terms)
        self._need_df(terms)
        super()._count(terms)
        self._df_delta.update(terms)

    def _reweigh_all(self) -> None:
        raise RuntimeError(
            "a resumed clusterer cannot weigh every vector again: "
            "check would_reweigh() and load the whole state instead"
        )

    def _install(self, event: _Event) -> None:
        super()._install(event)
        self._dirty_events.add(event.id)
        self._shown_events.add(event.id)
        self._dead_events.discard(event.id)

    def _post(self, term: str, event_id: str, weight: float | None) -> None:
        """Record the change; apply it to the term's postings only if they are loaded (a
        fetch later applies the changes recorded): an add touches sixty terms this way."""
        self._changed_terms.setdefault(term, {})[event_id] = weight
        postings = self._postings
        assert isinstance(postings, _Loading)
        if postings.held(term):
            super()._post(term, event_id, weight)
        else:
            postings.refetch(term)  # emptied earlier: the store's rows and these changes

    def _recluster(self, pool: list[_Event], doc: _Doc) -> None:
        events = self._events
        assert isinstance(events, _Loading)
        super()._recluster(pool, doc)
        for event in pool:
            if not events.held(event.id):
                self._dead_events.add(event.id)
                self._dirty_events.discard(event.id)
                self._shown_events.discard(event.id)
                self._new_retired[event.id] = self._retired[event.id]

    def changes(self) -> ClusterChanges:
        """What the adds since resuming changed."""
        articles: list[tuple[str, str | None, dict[str, Any] | None]] = [
            (a, None, _doc_state(self._docs[a])) for a in sorted(self._dirty_docs)
        ]
        articles += sorted((copy, original, None) for copy, original in self._new_copies.items())
        live = sorted(self._dirty_events)
        stories = self._stories
        assert isinstance(stories, ResumedStorylines)
        return ClusterChanges(
            everything=False,
            meta=_meta(self),
            articles=articles,
            events=[(e, _event_row(self._events[e])) for e in live],
            shown=[self._event(self._events[e]) for e in sorted(self._shown_events)],
            gone=sorted(self._dead_events),
            postings=[
                (t, e, w)
                for t, changed in sorted(self._changed_terms.items())
                for e, w in sorted(changed.items())
            ],
            terms=dict(self._df_delta),
            retired=dict(self._new_retired),
            **stories.changes(),
        )


class ResumedStorylines(Storylines):
    """Storylines that read storylines, placements and postings as updates need them, and
    record what they change."""

    def __init__(
        self,
        memory: ClusterMemory,
        threshold: float,
        centroid_terms: int,
        index_terms: int,
        actors: Callable[[Mapping[str, tuple[int, str]]], list[str]],
    ) -> None:
        super().__init__(threshold, centroid_terms, index_terms, actors)
        self._memory = memory
        self._chains = _Loading(self._fetch_chain)
        self._placed = _Loading(self._fetch_placement)
        self._postings = _Loading(self._fetch_posting)
        self._dirty_chains: set[str] = set()
        self._dead_chains: set[str] = set()
        self._dirty_placed: set[str] = set()
        self._changed_postings: dict[str, dict[str, int]] = {}  # term -> storyline -> delta

    def _fetch_chain(self, chain_id: str) -> Chain | None:
        row = self._memory.cluster_storyline(chain_id)
        return None if row is None else chain_from_row(chain_id, row)

    def _fetch_placement(self, event_id: str) -> Placement | None:
        row = self._memory.cluster_placement(event_id)
        return None if row is None else placement_from_row(row)

    def _fetch_posting(self, term: str) -> dict[str, int] | None:
        posting = self._memory.cluster_storyline_postings(term)
        for chain_id, delta in self._changed_postings.get(term, {}).items():
            count = posting.get(chain_id, 0) + delta
            if count > 0:
                posting[chain_id] = count
            else:
                posting.pop(chain_id, None)
        return posting or None

    def _postings_of(self, terms: Sequence[str]) -> dict[str, Mapping[str, int] | None]:
        """Postings surely too long are not read: the store counts them first (this
        session's changes can move a count by at most one per storyline changed)."""
        postings = self._postings
        assert isinstance(postings, _Loading)
        unread = [t for t in terms if not postings.held(t)]
        sizes = self._memory.cluster_storyline_posting_sizes(unread) if unread else {}
        found: dict[str, Mapping[str, int] | None] = {}
        for term in terms:
            slack = len(self._changed_postings.get(term, {}))
            if sizes.get(term, 0) - slack > STORYLINE_POSTINGS:
                found[term] = None
            else:
                found[term] = postings.get(term)
        return found

    def _open(self, chain: Chain) -> None:
        super()._open(chain)
        self._dead_chains.discard(chain.id)
        self._dirty_chains.add(chain.id)

    def _end(self, chain_id: str) -> None:
        super()._end(chain_id)
        self._dirty_chains.discard(chain_id)
        self._dead_chains.add(chain_id)

    def _changed(self, chain: Chain) -> None:
        self._dirty_chains.add(chain.id)

    def _place(self, event_id: str, placement: Placement) -> None:
        super()._place(event_id, placement)
        self._dirty_placed.add(event_id)

    def _unplace(self, event_id: str) -> None:
        super()._unplace(event_id)
        self._dirty_placed.add(event_id)

    def _post(self, term: str, chain_id: str, delta: int) -> None:
        """Record the change; apply it to the term's postings only if they are loaded."""
        changed = self._changed_postings.setdefault(term, {})
        changed[chain_id] = changed.get(chain_id, 0) + delta
        postings = self._postings
        assert isinstance(postings, _Loading)
        if postings.held(term):
            super()._post(term, chain_id, delta)
        else:
            postings.refetch(term)

    def rederive(self, placements: Mapping[str, Placement]) -> None:
        raise RuntimeError("resumed storylines cannot be summed again: load the whole state")

    def changes(self) -> dict[str, Any]:
        """What updates since resuming changed, as `ClusterChanges` fields."""
        placed = self._placed
        assert isinstance(placed, _Loading)
        live = sorted(e for e in self._dirty_placed if placed.held(e))
        return {
            "storylines": [(c, chain_row(self._chains[c])) for c in sorted(self._dirty_chains)],
            "storylines_gone": sorted(self._dead_chains),
            "placed": [(e, placement_row(placed[e])) for e in live],
            "unplaced": sorted(self._dirty_placed.difference(live)),
            "storyline_postings": [
                (t, c, n)
                for t, changed in sorted(self._changed_postings.items())
                for c, n in sorted(changed.items())
                if n != 0
            ],
        }
