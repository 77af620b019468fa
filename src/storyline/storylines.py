"""Storylines: events chained into developing questions, kept up as events come and change.

A storyline is one question developing over months or years ("EU-Russia direct
dialogue"); each event is in exactly one. When an add opens an event, the event
joins the storyline it scores best against (`_storyline_score`: its mean
similarity to the storyline's events, one dot product with the sum of their
vectors over their number), among the storylines sharing most of its heaviest
terms, if that reaches `storyline_threshold`; otherwise it opens a storyline of
its own, named after it (`st-` and the event id), a name kept while it lives.
Event vectors here are weighed with a flatter IDF than for events (a story's
events share its common words) and scored with no time decay.

An add that changes events touches only their storylines: a changed event stays
where it is and its storyline takes the change (what the event brought, its
vector, names and date, taken back and the new ones added); an event merged away
leaves its storyline (one left empty ends), the event that absorbed it going on
in its own. Only touched storylines are relabelled. So a storyline's sum mixes
vectors weighed with the IDF of different times: each time the clusterer weighs
every vector again (the pile has doubled), `rederive` sums every storyline again
from its events' new vectors, keeping which event is in which storyline.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from storyline.vectors import Vector, heaviest, top

# An event is scored against at most this many storylines, those sharing most of its
# heavy terms, and a term shared with more storylines than the second figure is no
# lead: both bound the cost of storylines over many events.
STORYLINE_CANDIDATES = 10
STORYLINE_POSTINGS = 1000
# What taking an event's vector back leaves of a term's summed weight below this is
# rounding (or a term the sum had trimmed and taken up again): the term is dropped.
RESIDUE = 1e-9

# An event's placement as stored: storyline, seq, day, terms, weights, names.
PlacementRow = tuple[str, int, int | None, list[str], list[float], list[list[str]]]
# A storyline as stored: seq, size, summed terms and weights, names, days, label.
ChainRow = tuple[int, int, list[str], list[float], list[list[Any]], list[list[int]], str]
# Labelling: the names to show, given each name's count of events and its form.
Actors = Callable[[Mapping[str, tuple[int, str]]], list[str]]


@dataclass(frozen=True, slots=True)
class Storyline:
    """One developing question: its label and its events in time order (undated last)."""

    id: str
    label: str
    event_ids: tuple[str, ...]


@dataclass(slots=True)
class Placement:
    """An event in its storyline, with what it brought to it (taken back when it changes)."""

    storyline: str  # empty until placed
    seq: int  # the event's arrival order
    day: int | None  # the event's date
    terms: tuple[str, ...]  # its unit vector, weighed with the storyline IDF
    weights: array[float]
    names: tuple[tuple[str, str], ...]  # (key, form) of the names its articles give
    keys: tuple[str, ...] = ()  # its heaviest terms, once found: what it is posted under

    def vector(self) -> Vector:
        return dict(zip(self.terms, self.weights, strict=True))


@dataclass(slots=True)
class Chain:
    """A storyline while it grows: what scoring and its label need of its events."""

    id: str
    seq: int  # arrival order of the event that opened it
    size: int = 0  # events
    total: Vector = field(default_factory=dict)  # sum of their vectors, heaviest terms kept
    names: dict[str, tuple[int, str]] = field(default_factory=dict)  # key -> (events, form)
    days: dict[int, int] = field(default_factory=dict)  # event date -> events
    label: str = ""


def _storyline_score(vector: Mapping[str, float], chain: Chain) -> float:
    """An event's mean similarity to a storyline's events (cosine of unit vectors: the
    dot product with their sum, over their number)."""
    total = chain.total
    return sum(w * total.get(t, 0.0) for t, w in vector.items()) / chain.size


class Storylines:
    """Each event's storyline, kept up from one add's changed and vanished events."""

    def __init__(
        self, threshold: float, centroid_terms: int, index_terms: int, actors: Actors
    ) -> None:
        self.threshold = threshold
        self.centroid_terms = centroid_terms
        self.index_terms = index_terms
        self._actors = actors
        self._chains: dict[str, Chain] = {}
        self._placed: dict[str, Placement] = {}  # event -> its placement
        self._postings: dict[str, dict[str, int]] = {}  # term -> storyline -> events posting it

    # -- updating ------------------------------------------------------------

    def update(self, changed: Sequence[tuple[str, Placement]], gone: Iterable[str]) -> None:
        """Take one add's changes: events gone leave their storylines, changed ones stay in
        theirs with what they bring now, and new ones are placed in the order given.

        A changed event alone in its storyline is placed again, as if new: opened on one
        article, it may only now score enough against another storyline (it keeps its
        storyline, and the storyline its id, if not)."""
        touched: set[str] = set()
        for event_id in gone:
            old = self._placed.get(event_id)
            if old is not None:
                self._take(event_id, old)
                touched.add(old.storyline)
        placing: list[tuple[str, Placement]] = []
        for event_id, placement in changed:
            old = self._placed.get(event_id)
            if old is not None:
                self._take(event_id, old)
                touched.add(old.storyline)
                placement.storyline = old.storyline
            if old is None or self._chains[old.storyline].size == 0:
                placing.append((event_id, placement))
            else:
                self._give(event_id, placement)
        for event_id, placement in placing:
            placement.storyline = self._choose(event_id, placement)
            self._give(event_id, placement)
            touched.add(placement.storyline)
        for chain_id in sorted(touched):
            chain = self._chains.get(chain_id)
            if chain is not None and chain.size == 0:
                self._end(chain_id)
            elif chain is not None:
                self._relabel(chain)

    def rederive(self, placements: Mapping[str, Placement]) -> None:
        """Sum every storyline again from its events' placements (vectors weighed anew),
        each event staying in its storyline; relabel all."""
        chains = {c.id: Chain(c.id, c.seq) for c in self._chains.values()}
        where = {event_id: p.storyline for event_id, p in self._placed.items()}
        self._chains, self._placed, self._postings = chains, {}, {}
        for event_id, placement in sorted(placements.items(), key=lambda i: (i[1].seq, i[0])):
            placement.storyline = where[event_id]
            self._give(event_id, placement)
        for chain in chains.values():
            self._relabel(chain)

    def _choose(self, event_id: str, placement: Placement) -> str:
        """The storyline an event (new, or alone in its own) joins; else its own, which it
        opens if it has none."""
        vector = placement.vector()
        best: tuple[float, int, str] | None = None
        for chain_id in self._candidates(placement):
            chain = self._chains[chain_id]
            if chain.size == 0:
                continue  # emptied by this add's changes
            key = (-_storyline_score(vector, chain), chain.seq, chain_id)
            if best is None or key < best:
                best = key
        if best is not None and -best[0] >= self.threshold:
            return best[2]
        if placement.storyline:
            return placement.storyline
        chain = Chain(f"st-{event_id.removeprefix('ev-')}", placement.seq)
        self._open(chain)
        return chain.id

    def _candidates(self, placement: Placement) -> list[str]:
        """Storylines sharing most of the event's heaviest terms (a term too common is no lead)."""
        shared: Counter[str] = Counter()
        for posting in self._postings_of(self._keys(placement)).values():
            if posting is not None and len(posting) <= STORYLINE_POSTINGS:
                shared.update(posting.keys())
        return sorted(shared, key=lambda c: (-shared[c], c))[:STORYLINE_CANDIDATES]

    def _postings_of(self, terms: Sequence[str]) -> dict[str, Mapping[str, int] | None]:
        """Each term's postings (None: none, or surely more than `STORYLINE_POSTINGS`)."""
        return {t: self._postings.get(t) for t in terms}

    def _keys(self, placement: Placement) -> tuple[str, ...]:
        if not placement.keys and placement.terms:
            placement.keys = tuple(heaviest(placement.terms, placement.weights, self.index_terms))
        return placement.keys

    def _give(self, event_id: str, placement: Placement) -> None:
        """Add an event to its storyline: vector to the sum, names, date, postings."""
        chain = self._chains[placement.storyline]
        total = chain.total
        for term, weight in zip(placement.terms, placement.weights, strict=True):
            total[term] = total.get(term, 0.0) + weight
        chain.total = top(total, self.centroid_terms)
        for key, form in placement.names:
            count, kept = chain.names.get(key, (0, form))
            chain.names[key] = (count + 1, kept)
        if placement.day is not None:
            chain.days[placement.day] = chain.days.get(placement.day, 0) + 1
        chain.size += 1
        for term in self._keys(placement):
            self._post(term, chain.id, 1)
        self._place(event_id, placement)
        self._changed(chain)

    def _take(self, event_id: str, placement: Placement) -> None:
        """Take back what an event brought to its storyline."""
        chain = self._chains[placement.storyline]
        total = chain.total
        for term, weight in zip(placement.terms, placement.weights, strict=True):
            if term in total:
                left = total[term] - weight
                if left > RESIDUE:
                    total[term] = left
                else:
                    del total[term]
        for key, _ in placement.names:
            count, form = chain.names[key]
            if count > 1:
                chain.names[key] = (count - 1, form)
            else:
                del chain.names[key]
        if placement.day is not None:
            if chain.days[placement.day] > 1:
                chain.days[placement.day] -= 1
            else:
                del chain.days[placement.day]
        chain.size -= 1
        for term in self._keys(placement):
            self._post(term, chain.id, -1)
        self._unplace(event_id)
        self._changed(chain)

    def _relabel(self, chain: Chain) -> None:
        """Its most-mentioned names (by events naming them) and the span of its dates."""
        label = ", ".join(self._actors(chain.names)) or "(no names)"
        if chain.days:
            first, last = min(chain.days), max(chain.days)
            label += f" · {_iso(first)} – {_iso(last)}"
        chain.label = label
        self._changed(chain)

    # -- the state's own writes (a resumed state records them) -----------------

    def _open(self, chain: Chain) -> None:
        self._chains[chain.id] = chain

    def _end(self, chain_id: str) -> None:
        del self._chains[chain_id]

    def _changed(self, chain: Chain) -> None:
        """A storyline changed in place (its row is to be written again)."""

    def _place(self, event_id: str, placement: Placement) -> None:
        self._placed[event_id] = placement

    def _unplace(self, event_id: str) -> None:
        del self._placed[event_id]

    def _post(self, term: str, chain_id: str, delta: int) -> None:
        """Count one event more (or fewer) of a storyline posting a term."""
        posting = self._postings.setdefault(term, {})
        count = posting.get(chain_id, 0) + delta
        if count > 0:
            posting[chain_id] = count
        else:
            posting.pop(chain_id, None)
            if not posting:
                del self._postings[term]

    # -- reading -------------------------------------------------------------

    def storyline_of(self, event_id: str) -> str | None:
        placement = self._placed.get(event_id)
        return None if placement is None else placement.storyline

    def records(self) -> list[Storyline]:
        """Every storyline with its events in time order (undated last), in the time order
        of each storyline's first event."""
        members: dict[str, list[tuple[bool, int, int, str]]] = {}
        for event_id, p in self._placed.items():
            members.setdefault(p.storyline, []).append((p.day is None, p.day or 0, p.seq, event_id))
        ordered = sorted((sorted(events), chain_id) for chain_id, events in members.items())
        return [
            Storyline(chain_id, self._chains[chain_id].label, tuple(e[3] for e in events))
            for events, chain_id in ordered
        ]

    # -- persistence ---------------------------------------------------------

    def state(self) -> dict[str, Any]:
        """Storylines and placements as JSON-serialisable rows (postings follow from them)."""
        return {
            "chains": {k: list(row) for k, row in self.chain_rows()},
            "placed": {e: list(row) for e, row in self.placement_rows()},
        }

    def chain_rows(self) -> list[tuple[str, ChainRow]]:
        return [(c.id, chain_row(c)) for c in self._chains.values()]

    def placement_rows(self) -> list[tuple[str, PlacementRow]]:
        return [(e, placement_row(p)) for e, p in self._placed.items()]

    def restore(self, state: Mapping[str, Any]) -> None:
        """Take back a `state()`: storylines as they were, sums included."""
        for chain_id, row in state["chains"].items():
            self._chains[str(chain_id)] = chain_from_row(str(chain_id), row)
        for event_id, row in state["placed"].items():
            placement = placement_from_row(row)
            self._placed[str(event_id)] = placement
            for term in self._keys(placement):
                self._post(term, placement.storyline, 1)

    def postings(self) -> list[tuple[str, str, int]]:
        """Every (term, storyline, events posting it)."""
        return [(t, c, n) for t, posting in self._postings.items() for c, n in posting.items()]


def _iso(day: int) -> str:
    return date.fromordinal(day).isoformat()


def chain_row(chain: Chain) -> ChainRow:
    return (
        chain.seq,
        chain.size,
        list(chain.total),
        list(chain.total.values()),
        [[key, count, form] for key, (count, form) in chain.names.items()],
        [[day, count] for day, count in chain.days.items()],
        chain.label,
    )


def chain_from_row(chain_id: str, row: Sequence[Any]) -> Chain:
    seq, size, terms, weights, names, days, label = row
    return Chain(
        id=chain_id,
        seq=int(seq),
        size=int(size),
        total=dict(zip(map(str, terms), map(float, weights), strict=True)),
        names={str(k): (int(c), str(f)) for k, c, f in names},
        days={int(d): int(c) for d, c in days},
        label=str(label),
    )


def placement_row(p: Placement) -> PlacementRow:
    return p.storyline, p.seq, p.day, list(p.terms), list(p.weights), [list(n) for n in p.names]


def placement_from_row(row: Sequence[Any]) -> Placement:
    storyline, seq, day, terms, weights, names = row
    return Placement(
        storyline=str(storyline),
        seq=int(seq),
        day=None if day is None else int(day),
        terms=tuple(map(str, terms)),
        weights=array("d", weights),
        names=tuple((str(k), str(f)) for k, f in names),
    )
