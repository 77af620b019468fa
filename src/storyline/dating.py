"""Publication dates for articles that arrive without one, as intervals with their evidence.

What an article takes for granted bounds when it was written. In order of strength:

1. declared metadata (`storyline.published`): when it gives a day, it wins;
2. the article's own explicit dates: it reports past happenings, so it was published
   on or after the latest date it reports as past, and before a date it announces;
3. the corpus (`propagate_published`): an undated copy takes its dated original's
   date, an article of an event with dated coverage is bounded by that coverage;
4. dated facts (`storyline.knowledge`): a title is given during its holder's term
   ("EU foreign policy chief Kaja Kallas" is written from December 2024 on, "former
   ..." after the term), a meeting reported as past has happened.

Each fact is a constraint: a set of possible days (a union of intervals, so that
"President Trump" allows either term). Constraints are intersected strongest first;
one that would leave no day is skipped, not allowed to wipe out the others. The
result is the hull of what is left, with the evidence that drew each end. A weekday
("on Wednesday") bounds nothing alone; it is kept as evidence for the corpus step.
The one guess made, that news is published soon after the happening it reports,
is named in the evidence ("assumption") and lowers the confidence.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import regex

from .knowledge import Knowledge, Office, ScheduledEvent
from .records import Article, Evidence, Published, TimeExpression
from .timexpr import find_time_expressions

MIN_DAY = dt.date(1, 1, 1).toordinal()
MAX_DAY = dt.date(9999, 12, 31).toordinal()

# Confidence that a constraint of each kind holds. Titles in news follow the term
# closely; an explicit past date is reliable once its tense is read right; a date
# announced as future rests on cue words and so is weaker (it is dropped first when
# constraints disagree).
CONFIDENCE = {
    "declared": 0.95,
    "text-past": 0.9,
    "office": 0.85,
    "event-past": 0.85,
    "event-future": 0.7,
    "text-future": 0.6,
    "text-year": 0.65,
    "text-vague": 0.5,
}
# News recency: an article is published within this many days of the latest
# day-precise happening it reports from its dateline or a timestamp (or a dated
# meeting). Measured with `bench/dating.py --recency-scan` on Timeline17 (400
# articles, seed 7): the true date is 0 days after that peg for 84% of them, within
# 3 to 14 days for 85.2%, within 30 for 85.8%; 14 keeps the interval short at no cost.
RECENCY_DAYS = 14
RECENCY_CONFIDENCE = 0.7
# A date this close to the start of the text is read as a dateline.
DATELINE_CHARS = 200
# Corpus step: coverage of one event runs this many days either side of its dated
# reports (most follow-ups of a news event appear within a week).
EVENT_SPREAD_DAYS = 7
# A weekday named in an article of an event is the weekday nearest the event's
# first dated report, at most this far from it (so the choice is never ambiguous).
WEEKDAY_REACH = 3
CONFIDENCE_COPY = 0.85
CONFIDENCE_EVENT = 0.7
CONFIDENCE_WEEKDAY = 0.6  # same-day report assumed
CONFIDENCE_SAME_DAY_CUE = 0.75  # "earlier Wednesday": written that day

Spans = tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class Constraint:
    """A set of possible publication days, how sure it is, and the evidence for it."""

    spans: Spans  # union of [lo, hi] day ordinals
    confidence: float
    method: str  # text-dates | knowledge | declared
    evidence: tuple[Evidence, ...]
    happening: int | None = None  # latest day of a day-precise past happening (recency)


# --------------------------------------------------------------------------- day sets


def _intersect(a: Spans, b: Spans) -> Spans:
    out = [(max(lo1, lo2), min(hi1, hi2)) for lo1, hi1 in a for lo2, hi2 in b]
    return tuple(sorted((lo, hi) for lo, hi in out if lo <= hi))


def _iso(day: int) -> str:
    return dt.date.fromordinal(day).isoformat()


def _ordinal(value: str | None) -> int | None:
    return dt.date.fromisoformat(value).toordinal() if value else None


def _bounded(lo: int | None, hi: int | None) -> Spans:
    return ((lo if lo is not None else MIN_DAY, hi if hi is not None else MAX_DAY),)


# --------------------------------------------------------------------------- tense

_FUTURE = (
    r"will|'ll|shall|is to|are to|due to|set to|scheduled|planned|plans? to|"
    r"expected to|ahead of|upcoming|next|would|going to|intends? to"
)
_PAST = (
    r"said|says|told|tells|was|were|had|did|announced|declared|added|met|held|"
    r"took|made|gave|spoke|wrote|urged|called|agreed|warned|accused|rejected|dismissed|"
    r"insisted|stressed|described|opposed|used|last|ago|since|earlier"
)
_CUE = regex.compile(rf"\b(?:(?P<future>{_FUTURE})|(?P<past>{_PAST}))\b", regex.I)
# "by 2035", "until the end of June": a target or a deadline, still to come.
_TARGET = regex.compile(
    r"\b(?:by|until|till|before)\s+(?:the\s+(?:end|middle|start|beginning)\s+of\s+)?"
    r"(?:(?:early|mid|late)[\s-]+)?\Z",
    regex.I,
)
_SENTENCE_END = regex.compile(r"[.!?][\"”’')\]]*\s|\n")
_SAME_DAY = regex.compile(r"\b(?:earlier|later)\s+(?:on\s+|this\s+)?\Z", regex.I)


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    left = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    after = _SENTENCE_END.search(text, end)
    return left, after.start() + 1 if after else len(text)


def tense(text: str, start: int, end: int) -> str:
    """ "past", "future" or "same-day" for a time expression (no cue reads as past)."""
    return _tense(text, start, end)[0]


# A clock time next to a date makes it a timestamp ("12 May 2009 16.36 BST"): the
# record of something done, never a plan.
_CLOCK = regex.compile(
    r"\A,?\s*(?:at\s+)?\d{1,2}[:.h]\d\d\b|\b\d{1,2}[:.]\d\d\s*(?:[ap]\.?m\.?)?"
    r"\s*(?:[A-Z]{2,4}\s*)?\Z"
)


def _is_stamp(text: str, start: int, end: int) -> bool:
    return bool(
        _CLOCK.search(text[end : end + 16]) or _CLOCK.search(text[max(0, start - 16) : start])
    )


def _tense(text: str, start: int, end: int) -> tuple[str, bool]:
    """The tense of a time expression and whether a cue said so (False: the default).

    The cue nearest before the expression in its sentence decides ("Blinken will
    travel to Berlin on Thursday"); with none before, the first one after it in its
    clause ("On Thursday, the ministry said"). "earlier Wednesday" is written on that
    Wednesday. No cue reads as past, as news mostly reports.
    """
    left, right = _sentence(text, start, end)
    before = text[max(left, start - 200) : start]
    if _SAME_DAY.search(before[-20:]) or regex.match(r"(?i)(earlier|later)\b", text[start:end]):
        return "same-day", True
    if _is_stamp(text, start, end):
        return "past", True
    if _TARGET.search(before[-40:]):
        return "future", True
    cues = list(_CUE.finditer(before))
    clause = regex.search(r"[,;:()]", text[end:right])
    cue = cues[-1] if cues else _CUE.search(text, end, end + clause.start() if clause else right)
    if cue is None:
        return "past", False
    return ("future" if cue["future"] else "past"), True


# --------------------------------------------------------------------------- text dates

_EXPLICIT_KINDS = frozenset({"date", "month", "year", "interval"})


def _text_constraints(expressions: Sequence[TimeExpression], text: str) -> list[Constraint]:
    """Past explicit dates bound publication below, announced ones above.

    A bare year or month with no tense cue is a weak bound: news names the years of
    plans and projections as readily as those of past events.
    """
    out: list[Constraint] = []
    for expr in expressions:
        if expr.kind not in _EXPLICIT_KINDS or not expr.earliest:
            continue
        lo, hi = _ordinal(expr.earliest), _ordinal(expr.latest or expr.earliest)
        assert lo is not None and hi is not None
        evidence = Evidence("text-date", expr.text, expr.start, expr.end)
        when, said = _tense(text, expr.start, expr.end)
        if when == "future":
            out.append(
                Constraint(_bounded(None, hi), CONFIDENCE["text-future"], "text-dates", (evidence,))
            )
            continue
        # A candidate news peg (see RECENCY_DAYS): a timestamp or a dateline date. A
        # full date elsewhere is most often background, since news names the weekday
        # of what happened in the past week and the date of what is older.
        precise = expr.kind == "date" and expr.earliest == expr.latest
        peg = precise and (expr.start < DATELINE_CHARS or _is_stamp(text, expr.start, expr.end))
        if precise:
            confidence = CONFIDENCE["text-past"]
        else:
            confidence = CONFIDENCE["text-year"] if said else CONFIDENCE["text-vague"]
        out.append(
            Constraint(
                _bounded(lo, None), confidence, "text-dates", (evidence,), hi if peg else None
            )
        )
    return out


_WEEKDAYS = {
    name: index
    for index, names in enumerate(
        (
            "monday lundi montag lunes lunedi",
            "tuesday mardi dienstag martes martedi",
            "wednesday mercredi mittwoch miercoles mercoledi",
            "thursday jeudi donnerstag jueves giovedi",
            "friday vendredi freitag viernes venerdi",
            "saturday samedi samstag sabado sabato",
            "sunday dimanche sonntag domingo domenica",
        )
    )
    for name in names.split()
}
_WEEKDAY_WORD = regex.compile(r"\b(" + "|".join(_WEEKDAYS) + r")\b", regex.I)


def _weekday_evidence(expressions: Sequence[TimeExpression], text: str) -> list[Evidence]:
    """Weekdays the article names, with their tense: kept for the corpus step."""
    out: list[Evidence] = []
    for expr in expressions:
        if expr.kind != "weekday" or expr.earliest:
            continue
        match = _WEEKDAY_WORD.search(_fold(expr.text))
        near = text[max(0, expr.start - 8) : expr.start] + expr.text
        if not match or regex.search(r"\b(last|next|this|every)\s+\p{L}+\Z", near, regex.I):
            continue  # "last Wednesday" is not the news peg's weekday
        out.append(
            Evidence(
                f"weekday-{tense(text, expr.start, expr.end)}", expr.text, expr.start, expr.end
            )
        )
    return out


# --------------------------------------------------------------------------- knowledge


def _fold(text: str) -> str:
    """Accents dropped and apostrophes unified, one character for one (offsets hold)."""
    return "".join(
        "'" if c == "’" else unicodedata.normalize("NFKD", c)[0] if c.isalpha() else c for c in text
    )


def _key(text: str) -> str:
    return " ".join(_fold(text).casefold().split())


@dataclass(frozen=True, slots=True)
class _Index:
    aliases: regex.Pattern[str]
    offices: dict[str, tuple[Office, ...]]  # alias key -> terms of offices with that alias
    series: regex.Pattern[str] | None
    events: dict[str, tuple[ScheduledEvent, ...]]


def _alternation(phrases: Iterable[str]) -> regex.Pattern[str]:
    ordered = sorted({_key(p) for p in phrases}, key=len, reverse=True)
    body = "|".join(regex.escape(p).replace(r"\ ", r"\s+") for p in ordered)
    return regex.compile(rf"(?<![\p{{L}}-])(?:{body})(?![\p{{L}}])", regex.I)


_INDEXES: dict[int, tuple[Knowledge, _Index]] = {}


def _index(kb: Knowledge) -> _Index:
    """The compiled alias patterns of a knowledge base, built once per object."""
    cached = _INDEXES.get(id(kb))
    if cached is not None and cached[0] is kb:
        return cached[1]
    built = _build_index(kb)
    _INDEXES[id(kb)] = (kb, built)
    return built


def _build_index(kb: Knowledge) -> _Index:
    offices: dict[str, list[Office]] = {}
    for office in kb.offices:
        for alias in office.aliases:
            offices.setdefault(_key(alias), []).append(office)
    events: dict[str, list[ScheduledEvent]] = {}
    for event in kb.events:
        for alias in event.aliases:
            events.setdefault(_key(alias), []).append(event)
    return _Index(
        aliases=_alternation(offices) if offices else regex.compile(r"(?!x)x"),
        offices={k: tuple(v) for k, v in offices.items()},
        series=_alternation(events) if events else None,
        events={k: tuple(v) for k, v in events.items()},
    )


_NAME_TOKEN = r"(?:\p{Lu}[\p{L}'.\-]*|(?:von|der|van|de|di|da|le|la|ibn)\b)"
_NAME_AFTER = regex.compile(rf"\s+({_NAME_TOKEN}(?:\s+{_NAME_TOKEN}){{0,4}})")
_NAME_BEFORE = regex.compile(
    rf"(\p{{Lu}}[\p{{L}}'.\-]*(?:\s+{_NAME_TOKEN}){{0,4}}),\s+"
    rf"(?P<between>(?:(?:the|a|former|then|ex|late|[\p{{L}}.]+'s|\p{{Lu}}[\p{{L}}.]*)\s+){{0,3}})\Z"
)
_FORMER = regex.compile(
    r"\b(former|ex|late|onetime|one-time|erstwhile|ancien|ancienne|ehemalige[rn]?)\b[\s-]*", regex.I
)
_THEN = regex.compile(r"\b(then|at the time)\b[\s-]*", regex.I)
_FUTURE_TITLE = regex.compile(
    r"\b(incoming|future|would-be|designate|elect|nominee|prospective)\b", regex.I
)
_OTHER_OFFICE = regex.compile(r"\b(vice|deputy|assistant|under|co)[\s-]*\Z", regex.I)


def _name_variants(office: Office) -> list[list[str]]:
    variants = [_key(n).split() for n in (office.holder, *office.names)]
    return [v for v in variants if v] + [v[-1:] for v in variants if len(v) > 1]


def _names_holder(tokens: list[str], office: Office, at_end: bool) -> bool:
    """The run of name tokens begins (title first) or ends ("Name, title") with the holder.

    A full name may carry one more token inside ("Antony J. Blinken"); a surname alone
    is accepted too ("President Biden").
    """
    for variant in _name_variants(office):
        size = len(variant)
        for cut in (size, size + 1) if size > 1 else (1,):
            part = tokens[-cut:] if at_end else tokens[:cut]
            if len(part) != cut:
                continue
            if part == variant or (
                cut > size and part[0] == variant[0] and part[-1] == variant[-1]
            ):
                return True
    return False


def _tokens(run: str) -> list[str]:
    return [regex.sub(r"'s\Z", "", t) for t in _key(run).split()]


def _modifiers(before: str) -> str:
    """The few words right before a title, within its clause ("former US", "then-")."""
    clause = regex.split(r"[,;:.()\n]", before)[-1]
    return " ".join(clause.split()[-3:])


def _office_constraints(text: str, kb: Knowledge) -> list[Constraint]:
    """Titles given next to their holder's name bound the article to the term."""
    index = _index(kb)
    folded = _fold(text)
    out: list[Constraint] = []
    for match in index.aliases.finditer(folded):
        a, b = match.span()
        if _OTHER_OFFICE.search(folded[max(0, a - 12) : a]):
            continue  # "Vice President Joe Biden" is not a president's title
        candidates = index.offices.get(_key(match.group()), ())
        held: list[Office] = []
        after = _NAME_AFTER.match(folded, b)
        if after:
            tokens = _tokens(after.group(1))
            held = [o for o in candidates if _names_holder(tokens, o, at_end=False)]
            span, prefix = (a, after.end(1)), _modifiers(folded[max(0, a - 40) : a])
        if not held:
            window = max(0, a - 90)
            before = _NAME_BEFORE.search(folded[window:a])
            if before is None:
                continue
            tokens = _tokens(before.group(1))
            held = [o for o in candidates if _names_holder(tokens, o, at_end=True)]
            span, prefix = (window + before.start(1), b), before["between"]
        if not held or _THEN.search(prefix):
            continue  # "then-Secretary of State X" is true of the past and bounds nothing
        former = bool(_FORMER.search(prefix))
        future = not former and bool(_FUTURE_TITLE.search(prefix + folded[b : b + 12]))
        spans: list[tuple[int, int]] = []
        for office in held:
            # A term's last day is its successor's first: the title passes that day.
            start, end = _ordinal(office.start), _ordinal(office.end)
            if former:
                if end is not None:
                    spans.append((end, MAX_DAY))
            elif future:
                spans.append((MIN_DAY, start or MAX_DAY))
            else:
                spans.append((start or MIN_DAY, end - 1 if end else MAX_DAY))
        if not spans:
            continue
        facts = tuple(
            Evidence(
                "knowledge", f"{o.holder}: {o.office}, {o.start} to {o.end or 'now'} ({o.source})"
            )
            for o in held
        )
        kind = "office-former" if former else "office-future" if future else "office"
        out.append(
            Constraint(
                tuple(sorted(set(spans))),
                CONFIDENCE["office"],
                "knowledge",
                (Evidence(kind, text[span[0] : span[1]], span[0], span[1]), *facts),
            )
        )
    return out


# Words that speak of a happening as a threat still to come ("a possible invasion").
_HYPOTHETICAL = regex.compile(
    r"\b(possible|potential|dreaded|feared|fears of|looming|imminent|threatened|"
    r"forestall|avert(?:ing)?)\s+(?:an?\s+|the\s+)?(?:\p{L}+\s+)?\Z",
    regex.I,
)

_MONTHS = {
    name: index
    for index, names in enumerate(
        (
            "january janvier januar",
            "february fevrier februar",
            "march mars marz",
            "april avril",
            "may mai",
            "june juin juni",
            "july juillet juli",
            "august aout",
            "september septembre",
            "october octobre oktober",
            "november novembre",
            "december decembre dezember",
        ),
        start=1,
    )
    for name in names.split()
}
_MONTH_WORD = regex.compile(r"\b(" + "|".join(_MONTHS) + r")\b", regex.I)
_YEAR_WORD = regex.compile(r"\b((?:19|20)\d\d)\b")


def _pick_events(sentence: str, events: Sequence[ScheduledEvent]) -> list[ScheduledEvent]:
    """The meetings a sentence can mean: narrowed by place, year and month named in it."""
    chosen = list(events)
    narrowed = len({(e.series, e.start) for e in chosen}) == 1  # a one-off happening
    places = [e for e in chosen if any(_key(p) in _key(sentence) for p in e.places)]
    if places:
        chosen, narrowed = places, True
    for pattern, part in ((_YEAR_WORD, 0), (_MONTH_WORD, 1)):
        wanted = set()
        for found in pattern.finditer(_fold(sentence)):
            word = found.group(1).casefold()
            wanted.add(int(word) if part == 0 else _MONTHS[word])
        if not wanted:
            continue
        kept = [e for e in chosen if int(e.start.split("-")[part]) in wanted]
        if kept:  # a year that matches no meeting ("by 2035") says nothing of which one
            chosen, narrowed = kept, True
    return chosen if narrowed else []


def _event_constraints(text: str, kb: Knowledge) -> list[Constraint]:
    """Meetings the text names and places: past ones happened, coming ones have not."""
    index = _index(kb)
    if index.series is None:
        return []
    folded = _fold(text)
    out: list[Constraint] = []
    for match in index.series.finditer(folded):
        left, right = _sentence(folded, match.start(), match.end())
        events = _pick_events(folded[left:right], index.events.get(_key(match.group()), ()))
        if not events:
            continue
        if all(e.hypothetical_only for e in events):
            if not _HYPOTHETICAL.search(folded[max(0, match.start() - 30) : match.start()]):
                continue
            when = "future"
        else:
            when = tense(folded, match.start(), match.end())
        facts = tuple(
            Evidence("knowledge", f"{e.name}, {e.start} to {e.end} ({e.source})") for e in events
        )
        mention = Evidence(
            f"event-{'future' if when == 'future' else 'past'}",
            text[left:right].strip(),
            left,
            right,
        )
        if when == "future":
            spans = tuple(sorted({(MIN_DAY, _ordinal(e.end) or MAX_DAY) for e in events}))
            out.append(
                Constraint(spans, CONFIDENCE["event-future"], "knowledge", (mention, *facts))
            )
        else:
            starts = [_ordinal(e.start) or MIN_DAY for e in events]
            # A meeting of a series is reported when it happens: a news peg. A one-off
            # turning point (a series of one) is background for years after.
            recurring = len(index.events.get(_key(match.group()), ())) > 1
            single = len(events) == 1 and recurring
            out.append(
                Constraint(
                    ((min(starts), MAX_DAY),),
                    CONFIDENCE["event-past"],
                    "knowledge",
                    (mention, *facts),
                    _ordinal(events[0].end) if single else None,
                )
            )
    return out


# --------------------------------------------------------------------------- combine

_METHOD_ORDER = ("declared", "text-dates", "knowledge", "corpus")


def _recency(constraints: Sequence[Constraint]) -> Constraint | None:
    """The news-recency guess as a constraint: soon after the latest dated happening."""
    pegs = [c for c in constraints if c.happening is not None]
    if not pegs:
        return None
    peg = max(pegs, key=lambda c: c.happening or 0)
    day = peg.happening or 0
    said = f"{_iso(day)}: {peg.evidence[0].text[:80]}"
    return Constraint(
        ((peg.spans[0][0], day + RECENCY_DAYS),),
        RECENCY_CONFIDENCE,
        "",
        (
            Evidence(
                "assumption",
                f"published within {RECENCY_DAYS} days of the latest dated "
                f"happening it reports ({said})",
            ),
        ),
    )


def combine(constraints: Sequence[Constraint]) -> Published:
    """Intersect constraints strongest first; the hull of what is left, with its evidence."""
    recency = _recency(constraints)
    ordered = sorted([*constraints, *([recency] if recency else [])], key=lambda c: -c.confidence)
    possible: Spans = ((MIN_DAY, MAX_DAY),)
    applied: list[Constraint] = []
    for constraint in ordered:
        narrowed = _intersect(possible, constraint.spans)
        if narrowed:
            possible = narrowed
            applied.append(constraint)
    lo, hi = possible[0][0], possible[-1][1]
    if lo == MIN_DAY and hi == MAX_DAY:
        return Published()
    # The constraints that draw each end of the interval are its evidence.
    drawing = [
        c
        for c in applied
        if (lo > MIN_DAY and any(s[0] == lo for s in c.spans))
        or (hi < MAX_DAY and any(s[1] == hi for s in c.spans))
    ]
    if recency in drawing:  # the guess drew an end: it is named in the evidence
        drawing = [c for c in drawing if c is recency or any(s[0] == lo for s in c.spans)]
    evidence = [e for c in drawing for e in c.evidence]
    confidence = min(c.confidence for c in drawing)
    methods = {c.method for c in drawing}
    method = "+".join(m for m in _METHOD_ORDER if m in methods)
    return Published(
        date=_iso(lo) if lo == hi else None,
        earliest=_iso(lo) if lo > MIN_DAY else None,
        latest=_iso(hi) if hi < MAX_DAY else None,
        confidence=round(confidence, 3),
        method=method or None,
        evidence=tuple(sorted(set(evidence), key=_evidence_order)),
    )


def _evidence_order(evidence: Evidence) -> tuple[int, int, str]:
    return (0 if evidence.start is not None else 1, evidence.start or 0, evidence.text)


def infer_published(
    text: str, declared: Published, language: str | None = "en", kb: Knowledge | None = None
) -> Published:
    """The publication date of one article from its metadata, its text and the facts in `kb`.

    Metadata that gives a day is returned as is. Otherwise the interval is drawn from
    the text's explicit dates and the knowledge base, and the weekdays the text names
    are appended to the evidence for `propagate_published`.
    """
    if declared.date is not None:
        return declared
    constraints: list[Constraint] = []
    if declared.earliest or declared.latest:
        constraints.append(
            Constraint(
                _bounded(_ordinal(declared.earliest), _ordinal(declared.latest)),
                CONFIDENCE["declared"],
                "declared",
                declared.evidence,
            )
        )
    expressions = find_time_expressions(text, None, language or "en")
    constraints += _text_constraints(expressions, text)
    if kb is not None:
        constraints += _office_constraints(text, kb)
        constraints += _event_constraints(text, kb)
    result = combine(constraints)
    weekdays = tuple(_weekday_evidence(expressions, text))
    if weekdays:
        result = Published(
            result.date,
            result.earliest,
            result.latest,
            result.confidence,
            result.method,
            result.evidence + weekdays,
        )
    return result


def body_only(article: Article) -> str:
    """The article's text with everything but the body paragraphs blanked out.

    Offsets stay those of Article.text, so evidence found in it points at the
    article, while boilerplate and reader comments (which carry dates of their
    own) cannot date the article.
    """
    chars = [" " if c != "\n" else c for c in article.text]
    for p in article.paragraphs:
        chars[p.text_start : p.text_end] = article.text[p.text_start : p.text_end]
    return "".join(chars)


def day_of(p: Published) -> str | None:
    """A single day to order by: the known date, else the interval's start."""
    return p.date or p.earliest


def own_dates(
    articles: Sequence[Article], kb: Knowledge, known: Mapping[str, Published] | None = None
) -> dict[str, Published]:
    """Each article's date from itself: declared, else inferred from its text and `kb`.

    `known` holds earlier inferences (the store keeps them), so an article's text is
    read once, not at every build.
    """
    known = known or {}
    return {
        a.id: a.published
        if a.published.date
        else known.get(a.id) or infer_published(body_only(a), a.published, a.language or "en", kb)
        for a in articles
    }


# --------------------------------------------------------------------------- corpus


def _copy_step(state: dict[str, Published], groups: Iterable[Sequence[str]]) -> set[str]:
    """An undated copy takes the date of the earliest dated member of its copy group."""
    changed: set[str] = set()
    for group in groups:
        dated = sorted((state[i].date, i) for i in group if i in state and state[i].date)
        if not dated:
            continue
        day, source = dated[0]
        assert day is not None
        for member in group:
            own = state.get(member, Published())
            if own.date is not None:
                continue
            lo, hi = _ordinal(own.earliest), _ordinal(own.latest)
            ordinal = _ordinal(day)
            assert ordinal is not None
            if (lo is not None and ordinal < lo) or (hi is not None and ordinal > hi):
                continue  # its own text rules the original's day out: not a plain copy
            state[member] = Published(
                day,
                day,
                day,
                round(min(CONFIDENCE_COPY, state[source].confidence), 3),
                "copy",
                (Evidence("copy", f"copy of {source}, published {day}"), *own.evidence),
            )
            changed.add(member)
    return changed


def _weekday_of(evidence: Evidence) -> int | None:
    match = _WEEKDAY_WORD.search(_fold(evidence.text))
    return _WEEKDAYS[match.group(1).casefold()] if match else None


def _weekday_pin(own: Published, reference: int) -> tuple[int, Evidence, bool] | None:
    """The day of the first weekday the article reports (its lede's news peg), if near.

    Also says whether the text writes of that weekday as today ("earlier Wednesday").
    """
    named = [e for e in own.evidence if e.kind in ("weekday-past", "weekday-same-day")]
    for evidence in named:
        weekday = _weekday_of(evidence)
        if weekday is None:
            continue
        offset = (weekday - dt.date.fromordinal(reference).weekday() + 3) % 7 - 3
        if abs(offset) > WEEKDAY_REACH:
            continue
        today = any(e.kind == "weekday-same-day" and _weekday_of(e) == weekday for e in named)
        return reference + offset, evidence, today
    return None


def propagate_published(
    articles: Mapping[str, Published],
    copy_groups: Iterable[Sequence[str]],
    events: Iterable[Sequence[str]],
) -> dict[str, Published]:
    """Dates the corpus lends to undated articles; only the articles that changed.

    Copies first: an undated member of a copy group takes the earliest dated
    member's day (method "copy"). Then events: an undated article of an event with
    dated reports is bounded by [first report - 7 days, last report + 7 days],
    intersected with what it already had (method "corpus"). Weekday rule: when the
    article's first reported weekday ("Macron on Wednesday used a speech") lies
    within 3 days of the event's first dated report, that weekday is the day of its
    news and the article is placed on it: news names the weekday of the day it
    reports, so a same-day report is assumed, and the evidence says so.
    """
    state = dict(articles)
    changed = _copy_step(state, copy_groups)
    for event in events:
        members = [m for m in event if m in state]
        days = sorted(d for m in members if (d := _ordinal(state[m].date)) is not None)
        if not days:
            continue
        first, last = days[0], days[-1]
        window = (first - EVENT_SPREAD_DAYS, last + EVENT_SPREAD_DAYS)
        dated = [m for m in members if state[m].date]
        source = Evidence(
            "corpus",
            f"same event as {', '.join(sorted(dated)[:5])}, dated {_iso(first)} to {_iso(last)}",
        )
        for member in members:
            own = state[member]
            if own.date is not None:
                continue
            lo = max(window[0], _ordinal(own.earliest) or MIN_DAY)
            hi = min(window[1], _ordinal(own.latest) or MAX_DAY)
            if lo > hi:
                continue  # the article's own evidence disagrees: keep it
            confidence = min(CONFIDENCE_EVENT, own.confidence or 1.0)
            evidence = [source, *own.evidence]
            pin = _weekday_pin(own, first)
            if pin is not None and lo <= pin[0] <= hi:
                lo = hi = pin[0]
                same_day = pin[2]
                confidence = CONFIDENCE_SAME_DAY_CUE if same_day else CONFIDENCE_WEEKDAY
                evidence.insert(
                    1,
                    Evidence(
                        "assumption",
                        f"'{pin[1].text}' read as {_iso(lo)}, the nearest such day to the event's "
                        f"first dated report; "
                        + (
                            "the text writes of it as today"
                            if same_day
                            else "a same-day report is assumed"
                        ),
                    ),
                )
            method = "corpus" if not own.method else f"{own.method}+corpus"
            state[member] = Published(
                _iso(lo) if lo == hi else None,
                _iso(lo),
                _iso(hi),
                round(confidence, 3),
                method,
                tuple(evidence),
            )
            changed.add(member)
    return {key: state[key] for key in sorted(changed)}
