"""Cluster: articles into events, events into storylines, online and incrementally.

An *event* is one happening over a few days at most; a *storyline* is the same
question developing over months or years. Assignment follows Miranda et al.
2018, "Multilingual Clustering of Streaming News" (EMNLP), without the learned
ranker: each article becomes one sparse TF-IDF vector made of weighted, unit-length
parts (body words, title words, and language-independent entity proxies:
capitalised token sequences, numbers, explicit dates), with document frequencies
updated online. An article joins the event whose centroid is most similar, the
similarity decayed by the days between the article and the event's span, when
that score reaches `event_threshold`; otherwise it opens a new event. After a join,
the grown event may absorb one neighbour it now resembles (`merge_threshold`),
which undoes most of what the arrival order did. Articles without a date are
compared on content alone.

Storylines are derived on demand: events in time order are chained by the same
centroid rule at a coarser threshold and without time decay, so a question that
comes back years later joins its storyline.

Copies (the caller says which article each copy is of) join their original's
event and add nothing to its centroid, label or date: they are not independent
evidence. Ids are stable: an event is named after the first article added to it,
a storyline after its earliest-added event.
"""

from __future__ import annotations

import math
import sys
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import regex

from storyline.textstats import stopwords

STATE_VERSION = 1


@dataclass(frozen=True, slots=True)
class ClusterSettings:
    """Named thresholds and weights of the clustering.

    Defaults were tuned together by `python bench/clustering.py --tune`: a grid
    search maximising the mean of event pairwise F1 on the ECB+ dev and train
    topics (all but 36-45) and on the Gun Violence Archive 2013-2014 stream;
    the ECB+ test topics and GVA 2015-2017 were not looked at while tuning.
    """

    # Score an article needs against an event's centroid to join it.
    event_threshold: float = 0.30
    # Score two events' centroids need after a join for the two to merge.
    merge_threshold: float = 0.45
    # Weight of each part of the vector, relative to body words (1.0).
    title_weight: float = 0.6
    entity_weight: float = 1.2
    # The score halves every this many days between an article and an event's span.
    half_life_days: float = 7.0
    # Events whose span ends further away than this are not candidates at all.
    event_window_days: int = 60
    # Score an event's centroid needs against a storyline's to join it.
    storyline_threshold: float = 0.20
    # Entity parts count this much in storylines (events of one storyline differ in actors).
    storyline_entity_scale: float = 1.0
    # Words are cut to this many characters: a crude, language-independent stemmer (0: off).
    stem_prefix: int = 7
    # Sizes: terms kept per article vector and per centroid, and terms looked up.
    doc_terms: int = 80
    centroid_terms: int = 150
    query_terms: int = 20
    index_terms: int = 30


@dataclass(frozen=True, slots=True)
class ClusterDoc:
    """What clustering needs of an article. `date` is an ISO date or None."""

    id: str
    title: str | None
    body: str
    date: str | None
    language: str | None
    outlet: str | None


@dataclass(frozen=True, slots=True)
class Event:
    """One happening: its label, date (with evidence) and member articles, first added first."""

    id: str
    label: str
    date: str | None
    date_evidence: tuple[str, ...]
    article_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Storyline:
    """One developing question: its label and its events in time order (undated last)."""

    id: str
    label: str
    event_ids: tuple[str, ...]


# --------------------------------------------------------------------------- features

TOKEN = regex.compile(r"\w+")
CAPITALISED = regex.compile(r"\p{Lu}[\p{L}\p{M}'’]*\Z")
NUMBER = regex.compile(r"\d{2,}\Z")
# Between two capitalised tokens of one name only spaces, hyphens or apostrophes.
NAME_GAP = regex.compile(r"[ \t\u00a0\-‐'’.]{1,2}\Z")
SENTENCE_START = regex.compile(r"(?:^|[.!?…:;\"“”«»\n]\s*|\n\s*[-*•]?\s*)\Z")
# A dateline: a capitalised place at the very start, then a dash ("HAWTHORNE —").
DATELINE = regex.compile(r"\A\s*(\p{Lu}[\p{Lu}\p{Ll} .'-]{2,40}?)(?:,[^—–\n]{0,30})?\s+[—–-]+\s")
# Prepositions that introduce a place in the languages storyline meets most
# (en, fr, de, es, it, pt, nl, ru, uk, pl); a capitalised sequence right after one
# is a place candidate for the event label.
PLACE_PREPOSITIONS = frozenset(
    {"in", "at", "à", "en", "im", "em", "a", "bij", "в", "во", "у", "w", "we"}
)
# English month names and abbreviations, for explicit dates in the text; a
# multilingual table belongs with the dates stage once it lands.
MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
EXPLICIT_DATES = (
    regex.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<num>\d\d)-(?P<day>\d\d)\b"),
    regex.compile(rf"(?i)\b{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d\d)\b"),
    regex.compile(rf"(?i)\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH}\s+(?P<year>(?:19|20)\d\d)\b"),
)

# How many of an article's entity phrases and places feed its event's label.
LABEL_PHRASES_PER_DOC = 12
LABEL_ACTORS = 3
# An event's date is the earliest publication date no further than this many days
# before the median one, so one early outlier (a preview, a wrong date) does not decide.
EVENT_DATE_SPREAD_DAYS = 3


@dataclass(frozen=True, slots=True)
class Features:
    """Term counts of one article by part, plus what its event's label and date need."""

    words: Counter[str]
    title: Counter[str]
    entities: Counter[str]
    names: dict[str, str]  # entity key -> its form in the text, for labels
    places: Counter[str]
    mentioned: tuple[tuple[str, str], ...]  # (ISO date, expression as written)


def _stem(token: str, prefix: int) -> str:
    return token[:prefix] if prefix > 0 else token


def _word_counts(text: str, prefix: int) -> Counter[str]:
    stop = stopwords()
    counts: Counter[str] = Counter()
    for match in TOKEN.finditer(text):
        token = match.group().casefold()
        if len(token) > 1 and token not in stop and not token.isdigit():
            counts[_stem(token, prefix)] += 1
    return counts


def _name_runs(text: str) -> Iterator[tuple[list[str], int]]:
    """Runs of capitalised tokens (the tokens and where the run starts)."""
    run: list[str] = []
    start = end = 0
    for match in TOKEN.finditer(text):
        token = match.group()
        if CAPITALISED.match(token) and (not run or NAME_GAP.match(text[end : match.start()])):
            if not run:
                start = match.start()
            run.append(token)
            end = match.end()
            continue
        if run:
            yield run, start
            run = []
        if CAPITALISED.match(token):
            run, start, end = [token], match.start(), match.end()
    if run:
        yield run, start


def _is_title_case(title: str) -> bool:
    tokens = [t for t in TOKEN.findall(title) if not t.isdigit()]
    capitalised = sum(1 for t in tokens if CAPITALISED.match(t))
    return len(tokens) >= 3 and capitalised >= 0.6 * len(tokens)


def _entities(text: str, into: Features) -> None:
    """Capitalised sequences (names and places, in any cased script), numbers and dates."""
    stop = stopwords()
    lowered = {t for t in TOKEN.findall(text) if t.islower()}
    for run, start in _name_runs(text):
        # Sentence-initial words are capitalised anyway: drop those also seen in lower case.
        if SENTENCE_START.search(text[max(0, start - 3) : start]) and run[0].casefold() in lowered:
            run = run[1:]
        while run and run[0].casefold() in stop:
            run = run[1:]
        while run and run[-1].casefold() in stop:
            run = run[:-1]
        if not run:
            continue
        keys = [t.casefold() for t in run]
        for key in keys:
            into.entities["e:" + key] += 1
        phrase = " ".join(keys)
        if len(keys) > 1:
            into.entities["p:" + phrase] += 1
        into.names.setdefault(phrase, " ".join(run))
        before = text[max(0, start - 4) : start].split()
        if before and before[-1].casefold() in PLACE_PREPOSITIONS and phrase not in MONTHS:
            into.places[phrase] += 1
    for match in TOKEN.finditer(text):
        if NUMBER.match(match.group()):
            into.entities["n:" + match.group().lstrip("0")] += 1


def _explicit_dates(text: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for pattern in EXPLICIT_DATES:
        for match in pattern.finditer(text):
            groups = match.groupdict()
            month = int(groups["num"]) if groups.get("num") else MONTHS[groups["month"].lower()]
            try:
                day = date(int(groups["year"]), month, int(groups["day"]))
            except ValueError:
                continue
            found.append((day.isoformat(), match.group()))
    return found


def extract_features(doc: ClusterDoc, settings: ClusterSettings) -> Features:
    """The terms of one article: body words, title words, entities, places and dates."""
    features = Features(Counter(), Counter(), Counter(), {}, Counter(), ())
    features.words.update(_word_counts(doc.body, settings.stem_prefix))
    if doc.title:
        features.title.update(_word_counts(doc.title, settings.stem_prefix))
        if not _is_title_case(doc.title):
            _entities(doc.title, features)
    _entities(doc.body, features)
    dateline = DATELINE.match(doc.body)
    if dateline:
        features.places[" ".join(dateline.group(1).casefold().split())] += 2
    mentioned = _explicit_dates(f"{doc.title or ''}\n{doc.body}")
    for iso, _ in mentioned:
        features.entities["d:" + iso] += 1
    return Features(features.words, features.title, features.entities, features.names,
                    features.places, tuple(mentioned))


# --------------------------------------------------------------------------- vectors

Vector = dict[str, float]


def _unit(vector: Mapping[str, float]) -> Vector:
    norm = math.sqrt(sum(w * w for w in vector.values()))
    return {t: w / norm for t, w in vector.items()} if norm > 0 else {}


def _top(vector: Mapping[str, float], size: int) -> Vector:
    """The `size` heaviest terms; ties go to the smaller term so the cut is deterministic."""
    if len(vector) <= size:
        return dict(vector)
    return dict(sorted(vector.items(), key=lambda item: (-item[1], item[0]))[:size])


def _day(value: str | None) -> int | None:
    """Day number of an ISO date (time of day ignored); None when absent or unreadable."""
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10]).toordinal()
    except ValueError:
        return None


def _iso(day: int) -> str:
    return date.fromordinal(day).isoformat()


def _gap(day: int | None, lo: int | None, hi: int | None) -> int | None:
    """Days between a date and a span; None when either is undated (time decay off)."""
    if day is None or lo is None or hi is None:
        return None
    return max(0, lo - day, day - hi)


def _span_gap(a_lo: int | None, a_hi: int | None, b_lo: int | None, b_hi: int | None) -> int | None:
    if a_lo is None or a_hi is None or b_lo is None or b_hi is None:
        return None
    return max(0, b_lo - a_hi, a_lo - b_hi)


@dataclass(slots=True)
class _Event:
    """An event while it grows. The centroid is the sum of its members' unit vectors."""

    id: str
    seq: int
    members: list[str]
    copies: set[str]
    terms: tuple[str, ...] = ()
    weights: array[float] = field(default_factory=lambda: array("d"))
    norm: float = 0.0
    size: int = 0  # independent members
    lo: int | None = None
    hi: int | None = None
    dated: list[tuple[int, str]] = field(default_factory=list)  # (day, article id)
    phrases: dict[str, list[Any]] = field(default_factory=dict)  # key -> [count, form]
    places: Counter[str] = field(default_factory=Counter)
    mentioned: list[tuple[str, str, str]] = field(default_factory=list)  # (iso, id, text)

    def centroid(self) -> Vector:
        return dict(zip(self.terms, self.weights, strict=True))

    def set_centroid(self, centroid: Mapping[str, float], size: int) -> None:
        kept = _top(centroid, size)
        self.terms = tuple(sys.intern(t) for t in kept)
        self.weights = array("d", kept.values())
        self.norm = math.sqrt(sum(w * w for w in self.weights))

    def similarity(self, unit: Mapping[str, float]) -> float:
        if self.norm == 0:
            return 0.0
        get = unit.get
        return sum(w * get(t, 0.0) for t, w in zip(self.terms, self.weights, strict=True)) / (
            self.norm
        )

    def index_terms(self, size: int) -> list[str]:
        order = sorted(range(len(self.terms)), key=lambda i: (-self.weights[i], self.terms[i]))
        return [self.terms[i] for i in order[:size]]


def _decay(gap: int | None, settings: ClusterSettings) -> float:
    if gap is None:
        return 1.0
    return float(0.5 ** (gap / settings.half_life_days))


class StoryClusterer:
    """Online event clustering with derived storylines; `add` articles one at a time."""

    def __init__(self, settings: ClusterSettings = ClusterSettings()) -> None:  # noqa: B008
        self.settings = settings
        self._n = 0
        self._df: Counter[str] = Counter()
        self._events: dict[str, _Event] = {}
        self._event_of: dict[str, str] = {}
        self._retired: dict[str, str] = {}  # merged event id -> the id it went on as
        self._postings: dict[str, set[str]] = {}
        self._seq = 0
        self._storylines: list[Storyline] | None = None

    # -- assignment ----------------------------------------------------------

    def add(self, doc: ClusterDoc, copy_of: str | None = None) -> str:
        """Assign one article to an event (joining or opening one); return the event id.

        Adding an article already added changes nothing. A copy whose original
        has not been added is clustered as an article of its own.
        """
        known = self._event_of.get(doc.id)
        if known is not None:
            return known
        self._storylines = None
        original = self._event_of.get(copy_of) if copy_of is not None else None
        if original is not None:
            event = self._events[original]
            event.members.append(doc.id)
            event.copies.add(doc.id)
            self._event_of[doc.id] = event.id
            return event.id
        features = extract_features(doc, self.settings)
        vector = self._vectorise(features)
        day = _day(doc.date)
        best, score = self._best(vector, day, exclude=None)
        if best is None or score < self.settings.event_threshold:
            event = _Event(id=f"ev-{doc.id}", seq=self._seq, members=[], copies=set())
            self._events[event.id] = event
        else:
            event = self._events[best]
        self._seq += 1
        self._join(event, doc.id, vector, day, features)
        if best is not None and score >= self.settings.event_threshold:
            event = self._merge_neighbour(event)
        return event.id

    def _vectorise(self, features: Features) -> Vector:
        """Count the article's terms in, then weigh each part by TF-IDF and by the settings."""
        parts = (
            (features.words, 1.0),
            (features.title, self.settings.title_weight),
            (features.entities, self.settings.entity_weight),
        )
        self._n += 1
        for counts, _ in parts:
            self._df.update(counts.keys())
        vector: Vector = {}
        for counts, weight in parts:
            tfidf = {t: (1.0 + math.log(c)) * self._idf(self._prefixed(t, counts is features.title))
                     for t, c in counts.items()}
            for term, value in _unit(tfidf).items():
                key = self._prefixed(term, counts is features.title)
                vector[key] = vector.get(key, 0.0) + weight * value
        return _unit(_top(vector, self.settings.doc_terms))

    @staticmethod
    def _prefixed(term: str, title: bool) -> str:
        return "t:" + term if title else term

    def _idf(self, term: str) -> float:
        # Smoothed IDF, as scikit-learn's: defined from the first article on.
        return math.log((1 + self._n) / (1 + self._df[term])) + 1.0

    def _best(
        self, vector: Mapping[str, float], day: int | None, exclude: str | None,
        lo: int | None = None, hi: int | None = None,
    ) -> tuple[str | None, float]:
        """The most similar event among those sharing a heavy term, and its score."""
        if day is not None:
            lo = hi = day
        query = sorted(vector, key=lambda t: (-vector[t], t))[: self.settings.query_terms]
        candidates: set[str] = set()
        for term in query:
            candidates.update(self._postings.get(term, ()))
        candidates.discard(exclude or "")
        best: tuple[float, int, str] | None = None
        for event_id in candidates:
            event = self._events[event_id]
            gap = _span_gap(lo, hi, event.lo, event.hi)
            if gap is not None and gap > self.settings.event_window_days:
                continue
            score = event.similarity(vector) * _decay(gap, self.settings)
            key = (score, -event.seq, event_id)
            if best is None or key > best:
                best = key
        return (best[2], best[0]) if best else (None, 0.0)

    def _join(
        self, event: _Event, article_id: str, vector: Vector, day: int | None, features: Features
    ) -> None:
        self._unindex(event)
        centroid = event.centroid()
        for term, weight in vector.items():
            centroid[term] = centroid.get(term, 0.0) + weight
        event.set_centroid(centroid, self.settings.centroid_terms)
        event.members.append(article_id)
        event.size += 1
        self._event_of[article_id] = event.id
        if day is not None:
            event.dated.append((day, article_id))
            event.lo = day if event.lo is None else min(event.lo, day)
            event.hi = day if event.hi is None else max(event.hi, day)
        self._count_label_terms(event, features)
        event.mentioned.extend((iso, article_id, text) for iso, text in features.mentioned)
        self._index(event)

    def _count_label_terms(self, event: _Event, features: Features) -> None:
        ranked = sorted(features.names, key=lambda p: (-self._phrase_weight(p, features), p))
        for phrase in ranked[:LABEL_PHRASES_PER_DOC]:
            entry = event.phrases.setdefault(phrase, [0, features.names[phrase]])
            entry[0] += 1
        event.places.update(dict.fromkeys(features.places, 1))

    def _phrase_weight(self, phrase: str, features: Features) -> float:
        key = ("p:" if " " in phrase else "e:") + phrase
        return features.entities.get(key, 0) * self._idf(key)

    def _merge_neighbour(self, event: _Event) -> _Event:
        """Merge the grown event with the most similar other event, if similar enough."""
        unit = _unit(event.centroid())
        other_id, score = self._best(unit, None, exclude=event.id, lo=event.lo, hi=event.hi)
        if other_id is None or score < self.settings.merge_threshold:
            return event
        other = self._events[other_id]
        keep, gone = (event, other) if event.seq < other.seq else (other, event)
        self._unindex(keep)
        self._unindex(gone)
        centroid = keep.centroid()
        for term, weight in zip(gone.terms, gone.weights, strict=True):
            centroid[term] = centroid.get(term, 0.0) + weight
        keep.set_centroid(centroid, self.settings.centroid_terms)
        keep.members.extend(gone.members)
        keep.copies |= gone.copies
        keep.size += gone.size
        keep.dated.extend(gone.dated)
        days = [d for d, _ in keep.dated]
        keep.lo, keep.hi = (min(days), max(days)) if days else (None, None)
        for phrase, (count, form) in gone.phrases.items():
            keep.phrases.setdefault(phrase, [0, form])[0] += count
        keep.places.update(gone.places)
        keep.mentioned.extend(gone.mentioned)
        for article_id in gone.members:
            self._event_of[article_id] = keep.id
        for old, new in self._retired.items():
            if new == gone.id:
                self._retired[old] = keep.id
        self._retired[gone.id] = keep.id
        del self._events[gone.id]
        self._index(keep)
        return keep

    def _index(self, event: _Event) -> None:
        for term in event.index_terms(self.settings.index_terms):
            self._postings.setdefault(term, set()).add(event.id)

    def _unindex(self, event: _Event) -> None:
        for term in event.index_terms(self.settings.index_terms):
            posting = self._postings.get(term)
            if posting is not None:
                posting.discard(event.id)
                if not posting:
                    del self._postings[term]

    # -- reading -------------------------------------------------------------

    def event_of(self, article_id: str) -> str | None:
        """The event an article is in now (after any merge), or None if never added."""
        return self._event_of.get(article_id)

    def resolve(self, event_id: str) -> str:
        """The id an event goes on under after merges (itself when never merged)."""
        return self._retired.get(event_id, event_id)

    def events(self) -> list[Event]:
        """Every event, in time order (undated last, by first article)."""
        return [self._record(event) for event in self._ordered()]

    def _ordered(self) -> list[_Event]:
        def key(event: _Event) -> tuple[int, int, int]:
            day = _event_day(event)
            return (day is None, day or 0, event.seq)

        return sorted(self._events.values(), key=key)

    def _record(self, event: _Event) -> Event:
        day, evidence = _event_date(event)
        return Event(
            id=event.id,
            label=self._event_label(event, day),
            date=_iso(day) if day is not None else None,
            date_evidence=evidence,
            article_ids=tuple(event.members),
        )

    def _event_label(self, event: _Event, day: int | None) -> str:
        place = _place(event)
        actors = self._actors(event.phrases, exclude=place)
        parts = [", ".join(actors) or "(no names)"]
        if place:
            parts.append(event.phrases.get(place, [0, place.title()])[1])
        if day is not None:
            parts.append(_iso(day))
        return " · ".join(parts)

    def _actors(self, phrases: Mapping[str, list[Any]], exclude: str | None) -> list[str]:
        """Most-mentioned names (then the rarer), skipping ones inside a name already chosen."""
        def key(phrase: str) -> tuple[int, float, str]:
            prefix = "p:" if " " in phrase else "e:"
            return (-int(phrases[phrase][0]), -self._idf(prefix + phrase), phrase)

        chosen: list[str] = []
        for phrase in sorted(phrases, key=key):
            words = set(phrase.split())
            if phrase == exclude or any(words <= set(c.split()) or set(c.split()) <= words
                                        for c in chosen):
                continue
            chosen.append(phrase)
            if len(chosen) == LABEL_ACTORS:
                break
        return [str(phrases[p][1]) for p in chosen]

    def storylines(self) -> list[Storyline]:
        """Events chained into storylines, in time order of each storyline's first event."""
        if self._storylines is None:
            self._storylines = self._build_storylines()
        return list(self._storylines)

    def _build_storylines(self) -> list[Storyline]:
        groups: list[list[_Event]] = []
        centroids: list[Vector] = []
        postings: dict[str, set[int]] = {}
        scale = self.settings.storyline_entity_scale
        for event in self._ordered():
            unit = _unit({t: w * (1.0 if t[1] != ":" or t[0] == "t" else scale)
                          for t, w in zip(event.terms, event.weights, strict=True)})
            query = sorted(unit, key=lambda t: (-unit[t], t))[: self.settings.query_terms]
            candidates = {g for t in query for g in postings.get(t, ())}
            best: tuple[float, int] | None = None
            for g in candidates:
                centroid = centroids[g]
                norm = math.sqrt(sum(w * w for w in centroid.values()))
                score = sum(w * centroid.get(t, 0.0) for t, w in unit.items()) / norm
                if best is None or (score, -g) > best:
                    best = (score, -g)
            if best is not None and best[0] >= self.settings.storyline_threshold:
                g = -best[1]
            else:
                g = len(groups)
                groups.append([])
                centroids.append({})
            groups[g].append(event)
            for term, weight in unit.items():
                centroids[g][term] = centroids[g].get(term, 0.0) + weight
            centroids[g] = _top(centroids[g], self.settings.centroid_terms)
            for term in sorted(centroids[g], key=lambda t: (-centroids[g][t], t))[
                : self.settings.index_terms
            ]:
                postings.setdefault(term, set()).add(g)
        return [self._storyline(group) for group in groups]

    def _storyline(self, group: list[_Event]) -> Storyline:
        founder = min(group, key=lambda e: e.seq)
        phrases: dict[str, list[Any]] = {}
        for event in group:
            for phrase, (count, form) in event.phrases.items():
                phrases.setdefault(phrase, [0, form])[0] += 1 if count else 0
        actors = ", ".join(self._actors(phrases, exclude=None)) or "(no names)"
        days = [d for d in (_event_day(e) for e in group) if d is not None]
        when = f" · {_iso(min(days))} – {_iso(max(days))}" if days else ""
        return Storyline(
            id=f"st-{founder.id.removeprefix('ev-')}",
            label=actors + when,
            event_ids=tuple(e.id for e in group),
        )

    # -- persistence ---------------------------------------------------------

    def state(self) -> dict[str, Any]:
        """Everything needed to go on adding later, as JSON-serialisable data."""
        return {
            "version": STATE_VERSION,
            "n": self._n,
            "seq": self._seq,
            "df": dict(self._df),
            "event_of": dict(self._event_of),
            "retired": dict(self._retired),
            "events": [_event_state(e) for e in self._events.values()],
        }

    @classmethod
    def from_state(
        cls, state: Mapping[str, Any], settings: ClusterSettings = ClusterSettings()  # noqa: B008
    ) -> StoryClusterer:
        """Rebuild a clusterer saved with `state()`; adding to it goes on where it stopped."""
        if state.get("version") != STATE_VERSION:
            raise ValueError(f"cluster state version {state.get('version')!r} is not "
                             f"{STATE_VERSION}; rebuild the clustering from the articles")
        clusterer = cls(settings)
        clusterer._n = int(state["n"])
        clusterer._seq = int(state["seq"])
        clusterer._df = Counter({str(t): int(c) for t, c in state["df"].items()})
        clusterer._event_of = {str(a): str(e) for a, e in state["event_of"].items()}
        clusterer._retired = {str(a): str(e) for a, e in state["retired"].items()}
        for entry in state["events"]:
            event = _event_from_state(entry)
            clusterer._events[event.id] = event
            clusterer._index(event)
        return clusterer


def _event_day(event: _Event) -> int | None:
    return _event_date(event)[0]


def _event_date(event: _Event) -> tuple[int | None, tuple[str, ...]]:
    """When the event happened, and why we think so.

    From its independent members' publication dates when there are any (the earliest
    close to the median); otherwise from the full dates its articles state most often.
    """
    if event.dated:
        days = sorted(d for d, _ in event.dated)
        median = days[(len(days) - 1) // 2]
        day = min(d for d in days if d >= median - EVENT_DATE_SPREAD_DAYS)
        witnesses = sorted(a for d, a in event.dated if d == day)
        return day, tuple(f"{a} published {_iso(day)}" for a in witnesses[:3])
    if event.mentioned:
        copies = event.copies
        votes = Counter(iso for iso, a, _ in event.mentioned if a not in copies)
        if votes:
            iso = min(votes, key=lambda i: (-votes[i], i))
            said = sorted({(a, text) for i, a, text in event.mentioned if i == iso})
            return _day(iso), tuple(f"{a} says “{text}”" for a, text in said[:3])
    return None, ()


def _place(event: _Event) -> str | None:
    if not event.places:
        return None
    return min(event.places, key=lambda p: (-event.places[p], p))


def _event_state(event: _Event) -> dict[str, Any]:
    return {
        "id": event.id, "seq": event.seq, "members": event.members,
        "copies": sorted(event.copies), "terms": list(event.terms),
        "weights": list(event.weights), "size": event.size, "dated": event.dated,
        "phrases": event.phrases, "places": dict(event.places), "mentioned": event.mentioned,
    }


def _event_from_state(entry: Mapping[str, Any]) -> _Event:
    event = _Event(id=str(entry["id"]), seq=int(entry["seq"]), members=list(entry["members"]),
                   copies=set(entry["copies"]))
    event.terms = tuple(sys.intern(str(t)) for t in entry["terms"])
    event.weights = array("d", (float(w) for w in entry["weights"]))
    event.norm = math.sqrt(sum(w * w for w in event.weights))
    event.size = int(entry["size"])
    event.dated = [(int(d), str(a)) for d, a in entry["dated"]]
    days = [d for d, _ in event.dated]
    event.lo, event.hi = (min(days), max(days)) if days else (None, None)
    event.phrases = {str(p): [int(c), str(f)] for p, (c, f) in entry["phrases"].items()}
    event.places = Counter({str(p): int(c) for p, c in entry["places"].items()})
    event.mentioned = [(str(i), str(a), str(t)) for i, a, t in entry["mentioned"]]
    return event


def stream_order(docs: Iterable[ClusterDoc], copies: Mapping[str, str] | None = None
                 ) -> list[ClusterDoc]:
    """The canonical order `cluster` adds articles in: dated by date, then undated, by id;
    originals before their copies. It makes the batch result independent of input order."""
    copies = copies or {}

    def key(doc: ClusterDoc) -> tuple[int, int, str]:
        day = _day(doc.date)
        return (1 if doc.id in copies else 0, day if day is not None else sys.maxsize, doc.id)

    return sorted(docs, key=key)


def root_original(article_id: str, copies: Mapping[str, str]) -> str:
    """Follow copy-of links to the first original (a copy of a copy joins the original)."""
    seen = {article_id}
    while article_id in copies and copies[article_id] not in seen:
        article_id = copies[article_id]
        seen.add(article_id)
    return article_id


def cluster(
    docs: Iterable[ClusterDoc],
    copies: Mapping[str, str] | None = None,
    settings: ClusterSettings = ClusterSettings(),  # noqa: B008
) -> tuple[list[Event], list[Storyline]]:
    """Cluster a batch: the same as adding the articles one by one in `stream_order`.

    `copies` maps a copy's article id to its original's.
    """
    copies = copies or {}
    clusterer = StoryClusterer(settings)
    for doc in stream_order(docs, copies):
        original = root_original(doc.id, copies) if doc.id in copies else None
        clusterer.add(doc, copy_of=original if original != doc.id else None)
    return clusterer.events(), clusterer.storylines()
