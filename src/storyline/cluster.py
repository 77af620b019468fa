"""Cluster: articles into events, events into storylines, online and incrementally.

An *event* is one happening over a few days at most; a *storyline* is the same
question developing over months or years.

Representation, after Miranda et al. 2018, "Multilingual Clustering of Streaming
News": each article is one sparse TF-IDF vector of weighted parts (body words,
title words, and language-independent entity proxies: capitalised token runs,
numbers, the years and dates the text states), with document frequencies counted
online and every vector weighed again each time the pile doubles. Two articles'
similarity is their cosine, halved every `half_life_days` between their dates
(no decay when either is undated). An undated article that names a month as past
("In December, Macron urged ...") was written after that month: it is not a report
of a happening a dated article of that month covers (`looked_back_days`).

Assignment is average link kept up online. An event's centroid is the sum of its
articles' vectors, so one dot product gives an article's mean similarity to them.
A new article finds the events it scores at least `pool_floor` against; their
articles and the new one are re-clustered by average link down to
`event_threshold`. This local repair merges events the new article bridges and
splits an event an early, unlucky join had mixed, so the result depends little on
arrival order and stays close to batch average link. An event too large to
re-cluster cheaply is joined, or not, on its centroid score alone.

Storylines are kept up online too (`storyline.storylines`): an event an add opens
joins the storyline whose events it scores best against at `storyline_threshold`
(no time decay, a flatter IDF), or opens one; an add that changes events updates
only their storylines.

Copies (the caller says which article each copy is of) follow their original into
its event and count for nothing in its centroid, label or date. Ids are stable: an
event is named after its first article and keeps the name while it keeps most of
its articles; a storyline is named after the event that opened it.
"""

from __future__ import annotations

import math
import sys
import unicodedata
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations
from typing import Any

import regex

from storyline.dating import tense
from storyline.storylines import Placement, Storyline, Storylines
from storyline.textstats import stopwords
from storyline.timexpr import find_time_expressions
from storyline.vectors import Vector
from storyline.vectors import heaviest as _heaviest
from storyline.vectors import top as _top
from storyline.vectors import unit as _unit

STATE_VERSION = 1


@dataclass(frozen=True, slots=True)
class ClusterSettings:
    """Named thresholds and weights of the clustering.

    Defaults come from `python bench/clustering.py --tune`: a staged grid search on the
    ECB+ dev and train topics (all but 36-45) and the Gun Violence Archive 2013-2014
    stream, for the best mean of event pairwise and BCubed F1 among the settings that
    keep the five seed documents three events in one storyline. The ECB+ test topics
    and GVA 2015-2017 were kept for the reported figures.
    """

    # Mean similarity (average link) an article needs to its event's articles.
    event_threshold: float = 0.14
    # Events an article scores at least this against are re-clustered with it.
    pool_floor: float = 0.03
    # At most this many events and articles are re-clustered at a time.
    pool_events: int = 4
    pool_size: int = 60
    # Weight of each part of an article's vector, relative to body words (1.0); the title
    # weight came from an earlier search (0.6 over 0.3 and 1.0).
    title_weight: float = 0.6
    name_weight: float = 1.5
    number_weight: float = 1.0
    time_weight: float = 1.0
    # A part weighs fully from this many terms up, less below: one shared year or
    # number must not count like a whole part.
    full_part_terms: int = 3
    # IDF is raised to this power: squared, it stresses the rare names and words that
    # tell one event from another of the same story.
    idf_power: float = 2.0
    # Similarity halves every this many days between two articles' dates.
    half_life_days: float = 30.0
    # Events dated further away than this are not candidates at all (a bound for speed:
    # by then the decay has cut a similarity to a quarter).
    event_window_days: int = 60
    # Mean similarity an event needs to a storyline's events to join it, and the IDF
    # power storylines weigh with: flatter, as a story's events share its common words.
    storyline_threshold: float = 0.22
    storyline_idf_power: float = 0.5
    # An undated article naming a month as past, without a year ("In December, ..."),
    # was written after that month ended. A dated article of that month published
    # more than this many days before its end reports another happening (events last
    # a few days; the dates stage bounds an event's coverage by the same week).
    looked_back_days: int = 7
    # Articles in two languages share no words, only names, numbers and dates (the
    # portable parts): their similarity is the cosine of those parts alone, times this
    # scale. Calibrated by `python bench/clustering.py --tune-cross-language`: ECB+ dev
    # topics clustered with every document taken for a language of its own (names-only
    # pairwise/BCubed F1 0.874/0.911 at 1.0; 0.762/0.802 at 0.6, 0.862/0.904 at 1.2).
    cross_language_scale: float = 1.0
    # Words are cut to this many characters: a crude, language-independent stemmer (0: off).
    stem_prefix: int = 7
    # Sizes, set for memory and speed (larger ones moved the dev figures by under 0.01):
    # terms kept per article vector and per centroid, terms looked up and indexed.
    doc_terms: int = 100
    centroid_terms: int = 150
    query_terms: int = 20
    index_terms: int = 30


@dataclass(frozen=True, slots=True)
class ClusterDoc:
    """What clustering needs of an article. `date` is an ISO date or None; an undated
    article may carry the interval its own text and known facts allow (ISO bounds)."""

    id: str
    title: str | None
    body: str
    date: str | None
    language: str | None
    outlet: str | None
    earliest: str | None = None
    latest: str | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """One happening: its label, date (with evidence) and articles, first added first."""

    id: str
    label: str
    date: str | None
    date_evidence: tuple[str, ...]
    article_ids: tuple[str, ...]


# --------------------------------------------------------------------------- features

TOKEN = regex.compile(r"\w+")
CAPITALISED = regex.compile(r"\p{Lu}[\p{L}\p{M}'’]*\Z")
NUMBER = regex.compile(r"\d{2,}\Z")
DIGITS = regex.compile(r"\w*\d\w*")
YEAR = regex.compile(r"(?:19|20)\d\d\Z")
# Codes mixing capitals and digits name things too: models, flights, laws (Q10, MH17).
CODE = regex.compile(r"(?=\w*\d)(?=\w*\p{Lu})[\p{L}\d]{2,}\Z")
# Between two capitalised tokens of one name only spaces, hyphens or apostrophes, or a
# full stop after an initial or abbreviation ("W. Mark Felt", "St. Louis").
NAME_GAP = regex.compile(r"[ \t\u00a0\-‐'’.]{1,2}\Z")
SENTENCE_START = regex.compile(r"(?:^|[.!?…:;\"“”«»\n]\s*|\n\s*[-*•]?\s*)\Z")
# A dateline: a capitalised place at the very start, then a dash ("HAWTHORNE —").
DATELINE = regex.compile(r"\A\s*(\p{Lu}[\p{Lu}\p{Ll} .'-]{2,40}?)(?:,[^—–\n]{0,30})?\s+[—–-]+\s")
# Prepositions that introduce a place in the languages storyline meets most
# (en, fr, de, es, it, pt, nl, ru, uk, pl); a capitalised sequence right after one
# is a place candidate for the event label.
PLACE_PREPOSITIONS = frozenset(
    ("in", "at", "à", "en", "im", "em", "a", "bij", "в", "во", "у", "w", "we")
)
# English month names and abbreviations, for explicit dates in the text; a
# multilingual table belongs with the dates stage once it lands.
MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
EXPLICIT_DATES = (
    regex.compile(rf"\b{_YEAR}-(?P<num>\d\d)-(?P<day>\d\d)\b"),
    regex.compile(rf"(?i)\b{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+{_YEAR}\b"),
    regex.compile(rf"(?i)\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+{_YEAR}\b"),
)

# Every vector is weighed again with the current IDF each time the pile has grown this
# many times over (vectors weighed when few articles were in overrate common words);
# doubling costs about one extra weighing per article.
REWEIGH_GROWTH = 2
# How many of an article's names feed its event's label, and how many the label shows.
LABEL_NAMES_PER_DOC = 12
LABEL_ACTORS = 3
# An event's date is the earliest publication date no further than this many days
# before the median one, so one early outlier (a preview, a wrong date) does not decide.
EVENT_DATE_SPREAD_DAYS = 3


@dataclass(frozen=True, slots=True)
class Features:
    """Term counts of one article by part, plus what its event's label and date need."""

    words: Counter[str]
    title: Counter[str]  # "t:" title words
    names: Counter[str]  # "e:" name tokens and "p:" whole names of two tokens or more
    numbers: Counter[str]  # "n:" numbers other than years
    times: Counter[str]  # "y:" years and "d:" full dates the text states
    forms: dict[str, str]  # name as a key -> as written, for labels
    places: Counter[str]
    mentioned: tuple[tuple[str, str], ...]  # (ISO date, expression as written)


def _word_counts(text: str, prefix: int, mark: str = "") -> Counter[str]:
    stop = stopwords()
    counts: Counter[str] = Counter()
    for match in TOKEN.finditer(text):
        token = match.group().casefold()
        if len(token) > 1 and token not in stop and not token.isdigit():
            counts[mark + (token[:prefix] if prefix > 0 else token)] += 1
    return counts


def _name_runs(text: str) -> Iterator[tuple[list[str], int]]:
    """Runs of capitalised tokens (the tokens and where the run starts)."""
    run: list[str] = []
    start = end = 0
    for match in TOKEN.finditer(text):
        token = match.group()
        capitalised = CAPITALISED.match(token) is not None
        gap = text[end : match.start()]
        if capitalised and run and NAME_GAP.match(gap) and ("." not in gap or len(run[-1]) < 4):
            run.append(token)
            end = match.end()
            continue
        if run:
            yield run, start
            run = []
        if capitalised:
            run, start, end = [token], match.start(), match.end()
    if run:
        yield run, start


def _fold(token: str) -> str:
    """A name as a key: case and accents dropped, so that "Noël" in one language's
    article and "Noel" in another's are one name."""
    decomposed = unicodedata.normalize("NFKD", token.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _is_title_case(title: str) -> bool:
    tokens = [t for t in TOKEN.findall(title) if not t.isdigit()]
    capitalised = sum(1 for t in tokens if CAPITALISED.match(t))
    return len(tokens) >= 3 and capitalised >= 0.6 * len(tokens)


def _add_names(text: str, features: Features) -> None:
    """Capitalised sequences: names and places, in any script that has case."""
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
        keys = [_fold(t) for t in run]
        features.names.update("e:" + key for key in keys)
        phrase = " ".join(keys)
        if len(keys) > 1:
            features.names["p:" + phrase] += 1
        features.forms.setdefault(phrase, " ".join(run))
        before = text[max(0, start - 4) : start].split()
        if before and before[-1].casefold() in PLACE_PREPOSITIONS and phrase not in MONTHS:
            features.places[phrase] += 1


def _add_numbers(text: str, features: Features) -> None:
    for match in DIGITS.finditer(text):
        token = match.group()
        if YEAR.match(token):
            features.times["y:" + token] += 1
        elif NUMBER.match(token):
            features.numbers["n:" + token.lstrip("0")] += 1
        elif CODE.match(token):
            features.names["e:" + token.casefold()] += 1


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
    """The terms of one article: words, title words, names, numbers, years and dates."""
    features = Features(
        words=_word_counts(doc.body, settings.stem_prefix),
        title=_word_counts(doc.title or "", settings.stem_prefix, "t:"),
        names=Counter(),
        numbers=Counter(),
        times=Counter(),
        forms={},
        places=Counter(),
        mentioned=tuple(_explicit_dates(f"{doc.title or ''}\n{doc.body}")),
    )
    # A headline in title case capitalises every word: its names cannot be told apart.
    if doc.title and not _is_title_case(doc.title):
        _add_names(doc.title, features)
        _add_numbers(doc.title, features)
    _add_names(doc.body, features)
    _add_numbers(doc.body, features)
    if dateline := DATELINE.match(doc.body):
        features.places[" ".join(dateline.group(1).casefold().split())] += 2
    features.times.update("d:" + iso for iso, _ in features.mentioned)
    if doc.date and _day(doc.date) is not None:
        # A dated article's own year says nothing its date does not say better.
        features.times.pop("y:" + doc.date[:4], None)
    return features


# --------------------------------------------------------------------------- vectors

# The part of the vector each term prefix belongs to; unprefixed terms are words.
PARTS = {"t": "title", "e": "names", "p": "names", "n": "numbers", "y": "times", "d": "times"}


def _part(term: str) -> str:
    return PARTS[term[0]] if term[1:2] == ":" else "words"


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


def _gap(a: float | None, b: float | None) -> float | None:
    """Days between two dates; None when either is undated."""
    return None if a is None or b is None else abs(a - b)


def _decay(gap: float | None, settings: ClusterSettings) -> float:
    """What a gap in days does to a similarity: halved every `half_life_days`."""
    return 1.0 if not gap else float(0.5 ** (gap / settings.half_life_days))


def _dated_factor(
    day: float | None, undated_looks_back: Sequence[int], settings: ClusterSettings
) -> float | None:
    """The time factor between a date and an undated article that looks back at its
    month, from the least gap possible; None when the article says nothing of it."""
    if day is None or not undated_looks_back:
        return None
    gap = _after_month(day, undated_looks_back)
    if gap is None:
        return None
    return 0.0 if gap > settings.looked_back_days else _decay(gap, settings)


# The parts of a vector that read the same in any language.
PORTABLE_PARTS = frozenset({"names", "numbers", "times"})


def _portable(vector: Mapping[str, float]) -> Vector:
    return _unit({t: w for t, w in vector.items() if _part(t) in PORTABLE_PARTS})


def _other_language(a: _Doc, b: _Doc) -> bool:
    return a.language is not None and b.language is not None and a.language != b.language


def _pair_factor(a: _Doc, b: _Doc, settings: ClusterSettings) -> float:
    """What two articles' dates do to their similarity: decay over the least gap their
    dates or intervals allow, and none at all across a month one looks back at."""
    if a.day is None and b.day is not None:
        a, b = b, a
    if b.day is None and (bound := _dated_factor(a.day, b.looks_back, settings)) is not None:
        return bound
    return _decay(_least_gap(_bounds(a), _bounds(b)), settings)


def _span(doc: ClusterDoc) -> tuple[int | None, int | None] | None:
    if doc.date is not None or not (doc.earliest or doc.latest):
        return None
    return _day(doc.earliest), _day(doc.latest)


def _bounds(doc: _Doc) -> tuple[float, float]:
    """The days an article may have been published on (unbounded when nothing is known)."""
    if doc.day is not None:
        return doc.day, doc.day
    lo, hi = doc.span or (None, None)
    return (-math.inf if lo is None else lo), (math.inf if hi is None else hi)


def _least_gap(a: tuple[float, float], b: tuple[float, float]) -> float:
    return max(0.0, b[0] - a[1], a[0] - b[1])


def _months_looked_back(doc: ClusterDoc) -> tuple[int, ...]:
    """Months an undated article names as past without a year ("In December, ...").

    A reporter writing within the month says "this month" or names the day; a bare
    month name in the past tense looks back at it from a later month.
    """
    if doc.date is not None:
        return ()
    try:
        found = find_time_expressions(doc.body, None, doc.language or "en")
    except ValueError:  # no time-expression rules for the language
        return ()
    months = {
        int(e.value[5:7])
        for e in found
        if e.kind == "month"
        and e.anchored
        and e.value.startswith("XXXX-")
        and e.value[5:7].isdigit()
        and tense(doc.body, e.start, e.end) == "past"
    }
    return tuple(sorted(months))


def _after_month(day: float, months: Sequence[int]) -> float | None:
    """Days from `day` to the end of its month when an undated article looks back at
    that month (it was written after it); None when it names no such month."""
    when = date.fromordinal(round(day))
    if when.month not in months:
        return None
    following = date(when.year + when.month // 12, when.month % 12 + 1, 1)
    return float(following.toordinal() - when.toordinal())


@dataclass(slots=True)
class _Doc:
    """What clustering keeps of an article: its vector, date and label material."""

    id: str
    seq: int  # arrival order
    day: int | None
    terms: tuple[str, ...]
    tfs: array[float]  # 1 + log(term count), for re-weighing as the IDF changes
    names: tuple[tuple[str, str], ...]  # (key, form) of its most telling names
    places: tuple[str, ...]
    mentioned: tuple[tuple[str, str], ...]  # (ISO date, expression)
    copies: list[tuple[int, str]] = field(default_factory=list)  # (seq, id)
    weights: array[float] = field(default_factory=lambda: array("d"))
    looks_back: tuple[int, ...] = ()  # months (1-12) an undated article names as past
    language: str | None = None
    span: tuple[int | None, int | None] | None = None  # an undated article's own interval
    story_weights: array[float] = field(default_factory=lambda: array("d"))  # storyline IDF

    def vector(self) -> Vector:
        return dict(zip(self.terms, self.weights, strict=True))


@dataclass(slots=True)
class _Event:
    """An event while it grows; its centroid (sum of its articles' vectors) as arrays."""

    id: str
    seq: int  # arrival order of its earliest article
    members: list[str]  # independent articles, in arrival order
    terms: tuple[str, ...] = ()
    weights: array[float] = field(default_factory=lambda: array("d"))
    day: float | None = None  # mean date of its dated articles

    def dot(self, vector: Mapping[str, float]) -> float:
        get = vector.get
        return sum(w * get(t, 0.0) for t, w in zip(self.terms, self.weights, strict=True))


def _summed(docs: Sequence[_Doc], size: int) -> tuple[tuple[str, ...], array[float]]:
    """The heaviest `size` terms of the sum of the docs' vectors."""
    if len(docs) == 1:
        return docs[0].terms, docs[0].weights  # shared: never changed in place
    total: Counter[str] = Counter()
    for doc in docs:
        total.update(dict(zip(doc.terms, doc.weights, strict=True)))
    kept = _top(total, size)
    return tuple(kept), array("d", kept.values())


def _mean_day(docs: Iterable[_Doc]) -> float | None:
    days = [d.day for d in docs if d.day is not None]
    return sum(days) / len(days) if days else None


def average_link(similarity: Sequence[Sequence[float]], threshold: float) -> list[list[int]]:
    """Agglomerative average link: groups of indices, merged while the best pair of groups
    has a mean pairwise similarity of at least `threshold`."""
    groups: dict[int, list[int]] = {i: [i] for i in range(len(similarity))}
    total = {(i, j): similarity[i][j] for i in groups for j in groups if i < j}
    while total:
        (a, b), best = max(
            (
                (pair, value / (len(groups[pair[0]]) * len(groups[pair[1]])))
                for pair, value in total.items()
            ),
            key=lambda item: (item[1], -item[0][0], -item[0][1]),
        )
        if best < threshold:
            break
        groups[a].extend(groups.pop(b))
        del total[(a, b)]
        for c in groups:
            if c != a:
                ac, bc = (min(a, c), max(a, c)), (min(b, c), max(b, c))
                total[ac] += total.pop(bc)
    return [sorted(g) for g in groups.values()]


class StoryClusterer:
    """Online clustering into events and storylines; `add` articles one at a time."""

    def __init__(self, settings: ClusterSettings = ClusterSettings()) -> None:
        self.settings = settings
        self._n = 0
        self._df: Counter[str] = Counter()
        self._seq = 0
        self._docs: dict[str, _Doc] = {}
        self._copy_of: dict[str, str] = {}  # copy -> its original
        self._events: dict[str, _Event] = {}
        self._event_of: dict[str, str] = {}  # article (copies too) -> event
        self._retired: dict[str, str] = {}  # event id merged away -> the id it went on as
        self._postings: dict[str, dict[str, float]] = {}  # term -> event -> centroid weight
        self._stories = Storylines(
            settings.storyline_threshold,
            settings.centroid_terms,
            settings.index_terms,
            lambda names: self._actors(names, exclude=None),
        )
        self._touched: dict[str, None] = {}  # events installed by the add under way
        self._weighed_at = 0  # pile size when every vector was last weighed
        self._part_weights = {
            "words": 1.0,
            "title": settings.title_weight,
            "names": settings.name_weight,
            "numbers": settings.number_weight,
            "times": settings.time_weight,
        }

    # -- assignment ----------------------------------------------------------

    def add(self, doc: ClusterDoc, copy_of: str | None = None) -> str:
        """Assign one article to an event (joining or opening one); return the event id.

        Adding an article already added changes nothing. A copy whose original
        has not been added is clustered as an article of its own.
        """
        if (known := self._event_of.get(doc.id)) is not None:
            return known
        seq, self._seq = self._seq, self._seq + 1
        original = self._copy_of.get(copy_of, copy_of) if copy_of is not None else None
        if original is not None and original in self._docs:
            self._docs[original].copies.append((seq, doc.id))
            self._copy_of[doc.id] = original
            self._event_of[doc.id] = self._event_of[original]
            return self._event_of[doc.id]
        record = self._record(doc, seq, extract_features(doc, self.settings))
        self._docs[doc.id] = record
        self._touched = {}
        if self._n >= REWEIGH_GROWTH * self._weighed_at:
            self._reweigh_all()
        scored = self._candidates(record.vector(), record.day, _bounds(record))
        pool = self._pool(scored)
        gone: list[str] = []
        if pool:
            pooled = [event.id for event in pool]
            self._recluster(pool, record)
            gone = [event_id for event_id in pooled if event_id not in self._events]
        elif scored and scored[0][0] >= self.settings.event_threshold:
            event = scored[0][1]  # too large to re-cluster: joined on its centroid score
            self._unindex(event)
            event.members.append(doc.id)
            event.terms = ()
            self._install(event)
        else:
            self._install(_Event(self._fresh_id(doc.id), seq, [doc.id]))
        self._update_storylines(gone)
        return self._event_of[doc.id]

    def _update_storylines(self, gone: Sequence[str]) -> None:
        """Events merged away leave their storylines; those the add installed stay in theirs,
        or, opened now, are placed in the order they were first added."""
        changed = sorted(
            ((e, self._placement(self._events[e])) for e in self._touched),
            key=lambda item: (item[1].seq, item[0]),
        )
        self._touched = {}
        self._stories.update(changed, gone)

    def _placement(self, event: _Event) -> Placement:
        """What an event brings to its storyline: its vector, date and names."""
        docs = [self._docs[m] for m in event.members]
        vector = self._storyline_vector(event)
        return Placement(
            storyline="",
            seq=event.seq,
            day=_event_date(docs)[0],
            terms=tuple(vector),
            weights=array("d", vector.values()),
            names=tuple((key, form) for key, (_, form) in _name_counts(docs).items()),
        )

    def _record(self, doc: ClusterDoc, seq: int, features: Features) -> _Doc:
        """Count the article's terms into the document frequencies, and weigh them."""
        counts = features.words + features.title + features.names + features.numbers
        counts.update(features.times)
        self._count(counts.keys())
        tf = {t: 1.0 + math.log(c) for t, c in counts.items()}
        kept = _top(self._weigh(tf), self.settings.doc_terms)
        record = _Doc(
            id=doc.id,
            seq=seq,
            day=_day(doc.date),
            terms=tuple(sys.intern(t) for t in kept),
            tfs=array("f", (tf[t] for t in kept)),
            names=self._telling_names(features),
            places=tuple(sorted(features.places)),
            mentioned=features.mentioned,
            looks_back=_months_looked_back(doc),
            language=doc.language,
            span=_span(doc),
        )
        self._reweigh(record)
        return record

    def _count(self, terms: Iterable[str]) -> None:
        """One more article, holding these terms, in the document frequencies."""
        self._n += 1
        self._df.update(terms)

    def _weigh(self, tf: Mapping[str, float], power: float | None = None) -> Vector:
        """TF-IDF by part (words, title, names, numbers, times), each part as long as its
        weight (less when it has few terms), the whole of unit length."""
        parts: dict[str, Vector] = {}
        for term, value in tf.items():
            parts.setdefault(_part(term), {})[term] = value * self._idf(term, power)
        vector: Vector = {}
        for part, tfidf in parts.items():
            norm = math.sqrt(sum(w * w for w in tfidf.values()))
            full = min(1.0, len(tfidf) / self.settings.full_part_terms)
            scale = self._part_weights[part] * full / norm if norm else 0.0
            vector.update((term, value * scale) for term, value in tfidf.items())
        return _unit(vector)

    def _reweigh(self, doc: _Doc) -> None:
        """Weigh a document's vectors, for events and for storylines, with the current IDF."""
        vector = self._weigh(dict(zip(doc.terms, doc.tfs, strict=True)))
        doc.weights = array("d", (vector.get(t, 0.0) for t in doc.terms))
        self._reweigh_for_storylines(doc)

    def _reweigh_for_storylines(self, doc: _Doc) -> None:
        tf = dict(zip(doc.terms, doc.tfs, strict=True))
        vector = self._weigh(tf, self.settings.storyline_idf_power)
        doc.story_weights = array("d", (vector.get(t, 0.0) for t in doc.terms))

    def _reweigh_all(self) -> None:
        """Weigh every vector again with the current IDF; rebuild centroids and index."""
        for doc in self._docs.values():
            self._reweigh(doc)
        for event in list(self._events.values()):
            self._unindex(event)
            event.terms = ()
            self._install(event)
        self._weighed_at = self._n
        self._stories.rederive({e.id: self._placement(e) for e in self._events.values()})
        self._touched = {}

    def _idf(self, term: str, power: float | None = None) -> float:
        # Smoothed IDF, as scikit-learn's: defined from the first article on.
        idf = math.log((1 + self._n) / (1 + self._df.get(term, 0))) + 1.0
        power = self.settings.idf_power if power is None else power
        return idf * idf if power == 2 else float(idf**power)

    def _telling_names(self, features: Features) -> tuple[tuple[str, str], ...]:
        """The article's names that say most about it (frequent in it, rare elsewhere)."""

        def weight(phrase: str) -> tuple[float, str]:
            key = ("p:" if " " in phrase else "e:") + phrase
            return (-features.names.get(key, 0) * self._idf(key), phrase)

        ranked = sorted(features.forms, key=weight)[:LABEL_NAMES_PER_DOC]
        return tuple((phrase, features.forms[phrase]) for phrase in ranked)

    def _candidates(
        self,
        vector: Vector,
        day: int | None,
        bounds: tuple[float, float] = (-math.inf, math.inf),
    ) -> list[tuple[float, _Event]]:
        """The events scoring best against the article, best first, with their scores: a
        first pass over the index's postings of its heaviest terms, then full scores.
        An undated article is placed in time by its own interval (`bounds`), if any."""
        s = self.settings
        partial: dict[str, float] = {}
        for term in _heaviest(tuple(vector), tuple(vector.values()), s.query_terms):
            weight = vector[term]
            for event_id, event_weight in self._postings.get(term, {}).items():
                partial[event_id] = partial.get(event_id, 0.0) + weight * event_weight
        leading = []
        for event_id, value in partial.items():
            seq, size, event_day = self._brief(event_id)
            gap = _gap(day, event_day)
            if day is None and event_day is not None:
                gap = _least_gap(bounds, (event_day, event_day)) or None
            if gap is None or gap <= s.event_window_days:
                factor = _decay(gap, s) / size
                leading.append((value * factor, seq, factor, event_id))
        leading.sort(key=lambda item: (-item[0], item[1]))
        scored = [
            (self._events[e].dot(vector) * f, self._events[e])
            for _, _, f, e in leading[: 2 * s.pool_events]
        ]
        scored.sort(key=lambda item: (-item[0], item[1].seq))
        return scored

    def _brief(self, event_id: str) -> tuple[int, int, float | None]:
        """An event's seq, size and mean day: all a first pass over the postings needs."""
        event = self._events[event_id]
        return event.seq, len(event.members), event.day

    def _pool(self, scored: Sequence[tuple[float, _Event]]) -> list[_Event]:
        """The events to re-cluster with the article; none when the best is too large."""
        s = self.settings
        pool: list[_Event] = []
        size = 1  # the new article
        for score, event in scored[: s.pool_events]:
            if score < s.pool_floor or size + len(event.members) > s.pool_size:
                break
            pool.append(event)
            size += len(event.members)
        return pool

    def _recluster(self, pool: list[_Event], doc: _Doc) -> None:
        """Re-cluster the pooled events' articles and the new one by average link."""
        members = sorted((self._docs[m] for e in pool for m in e.members), key=lambda d: d.seq)
        members.append(doc)
        groups = [
            [members[i] for i in g]
            for g in average_link(self._similarities(members), self.settings.event_threshold)
        ]
        old = {m: e.id for e in pool for m in e.members}
        names = self._name_groups(groups, old)
        for event in pool:
            self._unindex(event)
            del self._events[event.id]
        for group, event_id in zip(groups, names, strict=True):
            self._install(_Event(id=event_id, seq=group[0].seq, members=[d.id for d in group]))
        for event in pool:
            if event.id not in self._events:
                # Retired ids are never reused: following them always ends at a live event.
                heirs = Counter(self._event_of[m] for m in event.members)
                self._retired[event.id] = min(heirs, key=lambda e: (-heirs[e], e))

    def _similarities(self, docs: Sequence[_Doc]) -> list[list[float]]:
        vectors = [d.vector() for d in docs]
        portable: dict[int, Vector] = {}
        table = [[0.0] * len(docs) for _ in docs]
        for i, j in combinations(range(len(docs)), 2):
            scale = 1.0
            if _other_language(docs[i], docs[j]):
                for k in (i, j):
                    if k not in portable:
                        portable[k] = _portable(vectors[k])
                a, b = sorted((portable[i], portable[j]), key=len)
                scale = self.settings.cross_language_scale
            else:
                a, b = sorted((vectors[i], vectors[j]), key=len)
            value = scale * sum(w * b.get(t, 0.0) for t, w in a.items())
            value *= _pair_factor(docs[i], docs[j], self.settings)
            table[i][j] = table[j][i] = value
        return table

    def _name_groups(self, groups: Sequence[Sequence[_Doc]], old: Mapping[str, str]) -> list[str]:
        """Each group keeps the old event id it holds most articles of (each id used once);
        the rest are named after their first article."""
        overlaps = sorted(
            (-n, self._events[event_id].seq, index, event_id)
            for index, group in enumerate(groups)
            for event_id, n in Counter(old[d.id] for d in group if d.id in old).items()
        )
        named: dict[int, str] = {}
        for _, _, index, event_id in overlaps:
            if index not in named and event_id not in named.values():
                named[index] = event_id
        return [named.get(i) or self._fresh_id(group[0].id) for i, group in enumerate(groups)]

    def _fresh_id(self, article_id: str) -> str:
        event_id, n = f"ev-{article_id}", 1
        while event_id in self._events or event_id in self._retired:
            n += 1
            event_id = f"ev-{article_id}-{n}"
        return event_id

    def _install(self, event: _Event) -> None:
        """Register an event with its current members: centroid, date, index, lookups."""
        docs = [self._docs[m] for m in event.members]
        if not event.terms:
            event.terms, event.weights = _summed(docs, self.settings.centroid_terms)
            event.day = _mean_day(docs)
        self._events[event.id] = event
        self._touched[event.id] = None
        for doc in docs:
            self._event_of[doc.id] = event.id
            for _, copy in doc.copies:
                self._event_of[copy] = event.id
        centroid = dict(zip(event.terms, event.weights, strict=True))
        for term in _heaviest(event.terms, event.weights, self.settings.index_terms):
            self._post(term, event.id, centroid[term])

    def _unindex(self, event: _Event) -> None:
        for term in _heaviest(event.terms, event.weights, self.settings.index_terms):
            self._post(term, event.id, None)

    def _post(self, term: str, event_id: str, weight: float | None) -> None:
        """Set an event's weight in a term's postings (None: take the event out)."""
        if weight is not None:
            self._postings.setdefault(term, {})[event_id] = weight
            return
        posting = self._postings.get(term)
        if posting is not None:
            posting.pop(event_id, None)
            if not posting:
                del self._postings[term]

    # -- reading -------------------------------------------------------------

    def event_of(self, article_id: str) -> str | None:
        """The event an article is in now, or None if it was never added."""
        return self._event_of.get(article_id)

    def resolve(self, event_id: str) -> str:
        """The id an event goes on under after merges (itself while it lives)."""
        while event_id in self._retired:
            event_id = self._retired[event_id]
        return event_id

    def events(self) -> list[Event]:
        """Every event, in time order (undated last, by first article)."""
        return [self._event(event) for event, _ in self._ordered()]

    def _ordered(self) -> list[tuple[_Event, int | None]]:
        dated = [
            (e, _event_date([self._docs[m] for m in e.members])[0]) for e in self._events.values()
        ]
        return sorted(dated, key=lambda pair: (pair[1] is None, pair[1] or 0, pair[0].seq))

    def _event(self, event: _Event) -> Event:
        docs = [self._docs[m] for m in event.members]
        day, evidence = _event_date(docs)
        articles = sorted([(d.seq, d.id) for d in docs] + [c for d in docs for c in d.copies])
        names = _name_counts(docs)
        place = _place(docs)
        parts = [", ".join(self._actors(names, exclude=place)) or "(no names)"]
        if place:
            parts.append(names[place][1] if place in names else place.title())
        if day is not None:
            parts.append(_iso(day))
        return Event(
            id=event.id,
            label=" · ".join(parts),
            date=_iso(day) if day is not None else None,
            date_evidence=evidence,
            article_ids=tuple(a for _, a in articles),
        )

    def _actors(self, names: Mapping[str, tuple[int, str]], exclude: str | None) -> list[str]:
        """Most-mentioned names (then the rarer), skipping any inside a name already chosen.

        Taken count by count, so that a storyline's many once-named names need no IDF."""
        levels: dict[int, list[str]] = {}
        for phrase, (count, _) in names.items():
            levels.setdefault(count, []).append(phrase)
        chosen: dict[str, set[str]] = {}
        for count in sorted(levels, reverse=True):
            self._need_df(_name_term(p) for p in levels[count])
            for phrase in sorted(levels[count], key=lambda p: (-self._idf(_name_term(p)), p)):
                words = set(phrase.split())
                if phrase != exclude and not any(words <= c or c <= words for c in chosen.values()):
                    chosen[phrase] = words
            if len(chosen) >= LABEL_ACTORS:
                break
        return [names[phrase][1] for phrase in list(chosen)[:LABEL_ACTORS]]

    def storylines(self) -> list[Storyline]:
        """Every storyline with its events in time order, in time order of its first event."""
        return self._stories.records()

    def storyline_of(self, event_id: str) -> str | None:
        """The storyline an event is in now, or None if there is no such event."""
        return self._stories.storyline_of(event_id)

    def _need_df(self, terms: Iterable[str]) -> None:
        """Have the document frequencies of these terms at hand (in memory, all are)."""

    def _storyline_vector(self, event: _Event) -> Vector:
        """An event weighed with the flatter IDF of storylines (they share common words): its
        articles' vectors weighed so when they were (as for events: when added, and each
        time the pile doubles), so that an event's change does not weigh them all again."""
        total: Counter[str] = Counter()
        for doc in (self._docs[m] for m in event.members):
            total.update(dict(zip(doc.terms, doc.story_weights, strict=True)))
        return _unit(_top(total, self.settings.centroid_terms))

    # -- persistence ---------------------------------------------------------

    def state(self) -> dict[str, Any]:
        """Everything needed to go on adding later, as JSON-serialisable data."""
        return {
            "version": STATE_VERSION,
            "n": self._n,
            "weighed_at": self._weighed_at,
            "seq": self._seq,
            "df": dict(self._df),
            "docs": [_doc_state(d) for d in self._docs.values()],
            "events": [[e.id, e.members] for e in self._events.values()],
            "retired": dict(self._retired),
            "storylines": self._stories.state(),
        }

    @classmethod
    def from_state(
        cls, state: Mapping[str, Any], settings: ClusterSettings = ClusterSettings()
    ) -> StoryClusterer:
        """Rebuild a clusterer saved with `state()`; adding to it goes on where it stopped.

        Pass the settings the state was built with: the vectors in it were weighed by them.
        """
        if state.get("version") != STATE_VERSION:
            raise ValueError(
                f"cluster state version {state.get('version')!r} is not "
                f"{STATE_VERSION}; rebuild the clustering from the articles"
            )
        clusterer = cls(settings)
        clusterer._n, clusterer._seq = int(state["n"]), int(state["seq"])
        clusterer._weighed_at = int(state["weighed_at"])
        clusterer._df = Counter({str(t): int(c) for t, c in state["df"].items()})
        for entry in state["docs"]:
            doc = _doc_from_state(entry)
            if len(doc.story_weights) != len(doc.terms):  # saved before storylines were kept
                clusterer._reweigh_for_storylines(doc)
            clusterer._docs[doc.id] = doc
            clusterer._copy_of.update((copy, doc.id) for _, copy in doc.copies)
        for event_id, members in state["events"]:
            docs = [clusterer._docs[str(m)] for m in members]
            clusterer._install(_Event(str(event_id), docs[0].seq, [d.id for d in docs]))
        clusterer._retired = {str(a): str(b) for a, b in state["retired"].items()}
        if "storylines" in state:
            clusterer._stories.restore(state["storylines"])
        else:  # saved before storylines were kept: place every event, in time order
            placed = [(e.id, clusterer._placement(e)) for e, _ in clusterer._ordered()]
            clusterer._stories.update(placed, ())
        clusterer._touched = {}
        return clusterer


def _event_date(docs: Sequence[_Doc]) -> tuple[int | None, tuple[str, ...]]:
    """When an event happened, and why we think so.

    From its independent articles' publication dates when there are any (the earliest
    close to the median); otherwise from the full date its articles state most often.
    """
    dated = sorted((d.day, d.id) for d in docs if d.day is not None)
    if dated:
        median = dated[(len(dated) - 1) // 2][0]
        day = min(d for d, _ in dated if d >= median - EVENT_DATE_SPREAD_DAYS)
        first = [a for d, a in dated if d == day][:3]
        return day, tuple(f"{a} published {_iso(day)}" for a in first)
    said = sorted((iso, d.id, text) for d in docs for iso, text in d.mentioned)
    votes = Counter(iso for iso, _, _ in said)
    if not votes:
        return None, ()
    iso = min(votes, key=lambda i: (-votes[i], i))
    return _day(iso), tuple(f"{a} says “{t}”" for i, a, t in said if i == iso)[:3]


def _name_term(phrase: str) -> str:
    """A label name's term in the document frequencies: whole names, or one token."""
    return ("p:" if " " in phrase else "e:") + phrase


def _name_counts(docs: Iterable[_Doc]) -> dict[str, tuple[int, str]]:
    """How many of the articles give each name among their telling ones, and its form."""
    counts: dict[str, tuple[int, str]] = {}
    for doc in docs:
        for phrase, form in doc.names:
            counts[phrase] = (counts.get(phrase, (0, form))[0] + 1, form)
    return counts


def _place(docs: Iterable[_Doc]) -> str | None:
    places = Counter(p for d in docs for p in d.places)
    return min(places, key=lambda p: (-places[p], p)) if places else None


def _doc_state(doc: _Doc) -> dict[str, Any]:
    return {
        "id": doc.id,
        "seq": doc.seq,
        "day": doc.day,
        "terms": list(doc.terms),
        "tfs": list(doc.tfs),
        "weights": list(doc.weights),
        "story_weights": list(doc.story_weights),
        "names": [list(n) for n in doc.names],
        "places": list(doc.places),
        "mentioned": [list(m) for m in doc.mentioned],
        "copies": [list(c) for c in doc.copies],
        "looks_back": list(doc.looks_back),
        "language": doc.language,
        "span": None if doc.span is None else list(doc.span),
    }


def _doc_from_state(entry: Mapping[str, Any]) -> _Doc:
    day = entry["day"]
    return _Doc(
        id=str(entry["id"]),
        seq=int(entry["seq"]),
        day=None if day is None else int(day),
        terms=tuple(sys.intern(str(t)) for t in entry["terms"]),
        tfs=array("f", entry["tfs"]),
        weights=array("d", entry["weights"]),
        story_weights=array("d", entry.get("story_weights", ())),
        places=tuple(map(str, entry["places"])),
        names=tuple((str(k), str(f)) for k, f in entry["names"]),
        mentioned=tuple((str(i), str(t)) for i, t in entry["mentioned"]),
        copies=[(int(s), str(c)) for s, c in entry["copies"]],
        looks_back=tuple(int(m) for m in entry.get("looks_back", ())),
        language=entry.get("language"),
        span=_span_from_state(entry.get("span")),
    )


def _span_from_state(value: Any) -> tuple[int | None, int | None] | None:
    if value is None:
        return None
    lo, hi = value
    return (None if lo is None else int(lo)), (None if hi is None else int(hi))


def stream_order(
    docs: Iterable[ClusterDoc], copies: Mapping[str, str] | None = None
) -> list[ClusterDoc]:
    """The order `cluster` adds articles in: dated ones by date, then undated ones, each by
    id, copies after originals. It makes a batch's result independent of input order."""
    copies = copies or {}
    return sorted(docs, key=lambda d: (d.id in copies, _day(d.date) or sys.maxsize, d.id))


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
    settings: ClusterSettings = ClusterSettings(),
) -> tuple[list[Event], list[Storyline]]:
    """Cluster a batch: the same as adding the articles one by one in `stream_order`.

    `copies` maps a copy's article id to its original's.
    """
    copies = copies or {}
    clusterer = StoryClusterer(settings)
    for doc in stream_order(docs, copies):
        original = root_original(doc.id, copies)
        clusterer.add(doc, copy_of=original if original != doc.id else None)
    return clusterer.events(), clusterer.storylines()
