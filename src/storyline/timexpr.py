"""Time expressions in article text, resolved to TIMEX3 values and day intervals.

Part of the `dates` stage: finds explicit dates ("19 January 2022"), weekdays
("on Wednesday"), relative expressions ("last month", "four years ago",
"earlier this month"), months, years, seasons, quarters, decades, durations
("three years") and times of day, each with its span, a TIMEX3 value and the
days it can denote.

Why our own rules rather than `dateparser.search.search_dates`: dateparser
runs at about 80 calls a second, gives no reliable character spans, returns
one instant where news needs an interval ("late 2024"), and cannot resolve
"on Wednesday" or "four years after the 2022 invasion" the way news means
them. Here every rule is a compiled regular expression (HeidelTime style:
patterns over word lists, kept as data in `data/timexpr.toml`) and a small
resolver; the text is scanned once per rule, so thousands of articles take
seconds.

Resolution rules (TempEval-3 / HeidelTime "news" conventions):

- A weekday, a month without a year, or a season is the most recent one at or
  before the reference date, unless the words around it make the clause
  future ("will", "scheduled", ...): then the next one at or after it. The
  cue nearest the expression in its clause decides, then the sentence.
- "last Friday" / "next Friday" are strictly before / after the reference.
- A day and month without a year ("Jan. 19") takes the year that puts it
  nearest the reference; tense breaks near-ties.
- "N units ago/earlier/later" counts from the reference; "N units after/before"
  counts from an explicit year named right after ("four years after the 2022
  invasion" -> 2026), and is otherwise only a duration.
- "since X" is an interval from X to the reference.
"""

from __future__ import annotations

import calendar
import datetime as dt
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, NamedTuple

import regex

from storyline.records import TimeExpression

__all__ = ["find_time_expressions", "languages", "resolve_interval"]

Interval = tuple[dt.date, dt.date]

_PLACEHOLDER = regex.compile(r"\{([a-z_]+)(\d?)\}")
_WORD = regex.compile(r"[\w'’.]+")
_SPACE = regex.compile(r"\s+")
_HEAD_TOKEN = regex.compile(r"\w+")
# Tables whose words head every expression (with digits): a rule only runs near one.
_HEAD_TABLES = ("months", "weekdays", "units", "seasons", "relday", "refword", "setword", "pod")
# Characters around a head word that a rule may still cover ("the first days of ...").
_PAD_BEFORE, _PAD_AFTER = 40, 30

# Word table in the TOML -> placeholder name in the rule patterns.
_TABLES: dict[str, str] = {
    "months": "month",
    "weekdays": "weekday",
    "numbers": "num",
    "units": "unit",
    "seasons": "season",
    "shift": "shift",
    "mod": "mod",
    "ord": "ord",
    "relday": "relday",
    "pod": "pod",
    "refword": "refword",
    "setword": "setword",
    "dir": "dir",
    "approx": "approx",
}
_FIXED: dict[str, str] = {
    "day": r"(?P<day{n}>[12]\d|3[01]|0?[1-9])",
    "year": r"(?P<year{n}>1\d{{3}}|20\d{{2}})",
}
_SEASON_MONTHS: dict[str, tuple[int, int]] = {"SP": (3, 5), "SU": (6, 8), "FA": (9, 11)}
_TIME_UNITS = frozenset({"H", "MIN", "S"})
# Reference-free placeholders by granularity, so a relative expression still
# says what it is when no reference date is known.
_UNKNOWN = {"Y": "XXXX", "M": "XXXX-XX", "D": "XXXX-XX-XX", "W": "XXXX-WXX"}


class _Rule(NamedTuple):
    name: str
    pattern: Any  # a compiled regex.Pattern (the module has no type stubs)
    triggers: frozenset[str]  # head words one of which every match contains
    digits: bool  # ...or a digit


@dataclass(frozen=True, slots=True)
class _Lexicon:
    """One language's word tables and compiled rules, loaded once."""

    language: str
    tables: Mapping[str, Mapping[str, Any]]
    day_first: bool
    future_cues: frozenset[str]
    past_cues: frozenset[str]
    past_suffixes: tuple[str, ...]
    not_year_before: frozenset[str]
    not_year_after: frozenset[str]
    year_before: frozenset[str]
    signal: Any
    rules: tuple[_Rule, ...]
    heads: frozenset[str]  # words every expression contains one of (digits aside)

    def look(self, table: str, surface: str | None) -> Any:
        """Meaning of a matched word in one table (None when absent)."""
        if surface is None:
            return None
        return self.tables[table].get(_norm(surface))


class _Res(NamedTuple):
    """What a resolver makes of a match; start/end override the match span."""

    kind: str
    value: str
    anchored: bool
    mod: str | None = None
    start: int | None = None
    end: int | None = None


class _Hit(NamedTuple):
    start: int
    end: int
    order: int
    res: _Res


def _norm(surface: str) -> str:
    """Form of a matched word as the word tables key it: lower case, one space, no stop."""
    return str(_SPACE.sub(" ", surface.lower().replace("’", "'"))).rstrip(".")


def _is_abbreviation(word: str, words: Mapping[str, Any]) -> bool:
    """A month or weekday name cut short ("Jan", "Sept"): it may take a full stop."""
    return any(o != word and o.startswith(word) and words[o] == words[word] for o in words)


def _alternation(words: Mapping[str, Any], title_case: bool, abbreviations: bool) -> str:
    """Longest-first alternation of words; abbreviations also take a full stop."""
    forms: list[str] = []
    for word in sorted(words, key=len, reverse=True):
        body = regex.escape(word).replace(r"\ ", r"\s+").replace("'", "['’]")
        abbrev = abbreviations and _is_abbreviation(word, words)
        tail = r"\.?" if abbrev else ""
        if title_case:
            forms.append(f"{body.title()}{tail}|{body.upper()}{tail}")
        else:
            forms.append(body + tail)
    alt = "|".join(forms)
    return f"(?-i:{alt})" if title_case else f"(?:{alt})"


def _expand(pattern: str, alternations: Mapping[str, str], dsuf: str) -> str:
    def sub(match: Any) -> str:
        name, n = match.group(1), match.group(2)
        if name == "dsuf":
            return dsuf
        if name in _FIXED:
            return _FIXED[name].format(n=n)
        if name not in alternations:
            raise KeyError(f"timexpr.toml: unknown placeholder {{{name}}} in {pattern!r}")
        return f"(?P<{name}{n}>{alternations[name]})"

    return str(_PLACEHOLDER.sub(sub, pattern))


def _triggers(
    rule: Mapping[str, Any], heads: Mapping[str, frozenset[str]], all_heads: frozenset[str]
) -> tuple[frozenset[str], bool]:
    """Head words a rule's matches must contain, and whether a digit will do.

    A rule's `head` in the TOML names them (placeholders, "digit", literal words);
    without one, every head word the pattern could hold counts (slower, never wrong).
    """
    if "head" in rule:
        named = set(rule["head"])
        tables = {key for key, name in _TABLES.items() if name in named and key in heads}
        chosen: set[str] = set().union(*(heads[key] for key in tables))
        chosen.update(w for w in named if w not in _TABLES.values() and w != "digit")
        return frozenset(chosen), "digit" in named
    pattern = rule["pattern"]
    tables = {key for key, name in _TABLES.items() if "{" + name in pattern and key in heads}
    words: set[str] = set().union(*(heads[key] for key in tables))
    literal = regex.sub(r"\\[a-zA-Z]|\{[a-z_]+\d?\}|\(\?P<\w+>", " ", pattern)
    words.update(w for w in regex.findall(r"[a-z]+", literal.lower()) if w in all_heads)
    digits = any(token in pattern for token in (r"\d", "{year", "{day", "[0-9]", "[1-"))
    return frozenset(words), digits


@cache
def _data() -> dict[str, Any]:
    raw = resources.files("storyline").joinpath("data/timexpr.toml").read_text("utf-8")
    return tomllib.loads(raw)


def languages() -> tuple[str, ...]:
    """Language codes the finder has word lists for."""
    return tuple(_data())


@cache
def _lexicon(language: str) -> _Lexicon:
    data = _data()
    if language not in data:
        raise ValueError(
            f"no time-expression rules for language {language!r}; "
            f"use one of {', '.join(data)} (add a table to data/timexpr.toml)"
        )
    table = data[language]
    tables = {key: {_norm(w): v for w, v in table.get(key, {}).items()} for key in _TABLES}
    tables["anchor_dir"] = {_norm(w): v for w, v in table.get("anchor_dir", {}).items()}
    alternations = {
        name: _alternation(
            tables[key],
            title_case=key == "months" and table["month_case"] == "title",
            abbreviations=key in ("months", "weekdays"),
        )
        for key, name in _TABLES.items()
        if tables[key]
    }
    heads = {
        key: frozenset(_HEAD_TOKEN.findall(w)[-1] for w in tables[key]) for key in _HEAD_TABLES
    }
    all_heads = frozenset().union(*heads.values())
    rules = tuple(
        _Rule(
            rule["name"],
            regex.compile(
                r"(?<!\w)(?:" + _expand(rule["pattern"], alternations, table["dsuf"]) + r")(?!\w)",
                regex.IGNORECASE | regex.VERSION0,
            ),
            *_triggers(rule, heads, all_heads),
        )
        for rule in table["rules"]
    )
    signals = "|".join(regex.escape(w) for w in table.get("signals", {}))
    return _Lexicon(
        language=language,
        tables=tables,
        day_first=bool(table["day_first"]),
        future_cues=frozenset(_norm(w) for w in table["future_cues"]),
        past_cues=frozenset(_norm(w) for w in table["past_cues"]),
        past_suffixes=tuple(table["past_suffixes"]),
        not_year_before=frozenset(_norm(w) for w in table["not_year_before"]),
        not_year_after=frozenset(_norm(w) for w in table["not_year_after"]),
        year_before=frozenset(_norm(w) for w in table["year_before"]),
        signal=regex.compile(rf"(?<!\w)(?:{signals})\s+$", regex.IGNORECASE) if signals else None,
        rules=rules,
        heads=frozenset().union(*(rule.triggers for rule in rules)),
    )


# --------------------------------------------------------------------------- calendar helpers


def _last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + delta
    return index // 12, index % 12 + 1


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _week_value(day: dt.date) -> str:
    iso = day.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def _season_interval(year: int, code: str) -> Interval:
    if code == "WI":  # TIMEX3 "2012-WI": December 2012 to February 2013
        return dt.date(year, 12, 1), _last_day(year + 1, 2)
    first, last = _SEASON_MONTHS[code]
    return dt.date(year, first, 1), _last_day(year, last)


_VALUE_FORMS: tuple[tuple[Any, Callable[..., Interval | None]], ...] = ()


def _interval(value: str) -> Interval | None:
    """Days a TIMEX3 date value denotes, or None (durations, X-values, *_REF)."""
    for pattern, build in _VALUE_FORMS:
        match = pattern.fullmatch(value)
        if match:
            try:
                return build(*(int(g) if g and g.isdigit() else g for g in match.groups()))
            except ValueError:
                return None
    return None


def _iso_week(year: int, week: int, weekend: str | None) -> Interval:
    monday = dt.date.fromisocalendar(year, week, 1)
    if weekend:
        return monday + dt.timedelta(days=5), monday + dt.timedelta(days=6)
    return monday, monday + dt.timedelta(days=6)


_VALUE_FORMS = (
    (regex.compile(r"(\d{4})-(\d\d)-(\d\d)(?:T.*)?"), lambda y, m, d: (dt.date(y, m, d),) * 2),
    (regex.compile(r"(\d{4})-(\d\d)"), lambda y, m: (dt.date(y, m, 1), _last_day(y, m))),
    (regex.compile(r"(\d{4})"), lambda y: (dt.date(y, 1, 1), dt.date(y, 12, 31))),
    (regex.compile(r"(\d{4})-W(\d\d)(-WE)?"), _iso_week),
    (
        regex.compile(r"(\d{4})-Q([1-4])"),
        lambda y, q: (dt.date(y, 3 * q - 2, 1), _last_day(y, 3 * q)),
    ),
    (
        regex.compile(r"(\d{4})-H([12])"),
        lambda y, h: (dt.date(y, 6 * h - 5, 1), _last_day(y, 6 * h)),
    ),
    (regex.compile(r"(\d{4})-(SP|SU|FA|WI)"), _season_interval),
    (regex.compile(r"(\d{3})"), lambda d: (dt.date(d * 10, 1, 1), dt.date(d * 10 + 9, 12, 31))),
    (
        regex.compile(r"(\d\d)"),
        lambda c: (dt.date(max(1, c * 100), 1, 1), dt.date(c * 100 + 99, 12, 31)),
    ),
)


def resolve_interval(value: str) -> tuple[str | None, str | None]:
    """First and last ISO day a TIMEX3 value denotes: "2022-01" -> ("2022-01-01", "2022-01-31").

    (None, None) for values that are not a calendar period (durations, "PRESENT_REF",
    values with X digits).
    """
    span = _interval(value)
    if span is None:
        return None, None
    return span[0].isoformat(), span[1].isoformat()


def _narrow(span: Interval, mod: str | None, ref: dt.date | None) -> Interval:
    """Part of a period a modifier picks: thirds for early/mid/late, up to or from the reference
    for earlier/later (HeidelTime's START/MID/END, as day intervals)."""
    first, last = span
    if mod in ("BEFORE", "AFTER"):
        if ref is None or not first <= ref <= last:
            return span
        return (first, ref) if mod == "BEFORE" else (ref, last)
    length = (last - first).days + 1
    third = max(1, length // 3)
    if mod == "START":
        return first, first + dt.timedelta(days=third - 1)
    if mod == "MID":
        return first + dt.timedelta(days=third), last - dt.timedelta(days=third)
    if mod == "END":
        return last - dt.timedelta(days=third - 1), last
    return span


# --------------------------------------------------------------------------- context


_CLAUSE_STOP = frozenset(',;:"“”()')
_SENTENCE_STOP = frozenset(".!?\n")
_WINDOW = 200  # characters of context searched for a tense cue, each side
# How many days of distance a clause's tense outweighs when a day and month without
# a year pick their year. Tuned on the TempEval-3 training part (TBAQ).
DAY_MONTH_TENSE_DAYS = 120
# A month named alone with no tense cue is the next such month when it is fewer than
# this many months ahead, else the last one (TBAQ-tuned, like the constant above).


def _cue(word: str, lex: _Lexicon) -> int:
    w = _norm(word)
    if w in lex.future_cues:
        return 1
    if w in lex.past_cues:
        return -1
    if len(w) > 4 and word[0].islower() and w.endswith(lex.past_suffixes):
        return -1  # a lower-case word ("attacked"), not a name ("United")
    return 0


def _context(text: str, start: int, end: int) -> tuple[str, str]:
    """The sentence's text before and after a span (cut at sentence ends, within a window)."""
    left = text[max(0, start - _WINDOW) : start]
    right = text[end : end + _WINDOW]
    for i in range(len(left) - 1, -1, -1):
        if left[i] in _SENTENCE_STOP and (left[i] != "." or i == 0 or not left[i - 1].isupper()):
            left = left[i + 1 :]
            break
    for i, ch in enumerate(right):
        if ch in _SENTENCE_STOP and (ch != "." or i == 0 or not right[i - 1].isupper()):
            right = right[:i]
            break
    return left, right


def _tense(text: str, start: int, end: int, lex: _Lexicon) -> int:
    """+1 when the words nearest the expression are future, -1 past, 0 no cue.

    A cheap stand-in for the tense of the governing verb: the nearest cue in the
    expression's clause (left first, since English verbs mostly precede their
    time adverbial), then in the rest of its sentence.
    """
    left, right = _context(text, start, end)
    cut = max((i for i, ch in enumerate(left) if ch in _CLAUSE_STOP), default=-1)
    left_clause, left_rest = left[cut + 1 :], left[: cut + 1]
    cut = min((i for i, ch in enumerate(right) if ch in _CLAUSE_STOP), default=len(right))
    right_clause, right_rest = right[:cut], right[cut:]
    for chunk, backwards in (
        (left_clause, True),
        (right_clause, False),
        (left_rest, True),
        (right_rest, False),
    ):
        words = _WORD.findall(chunk)
        for word in reversed(words) if backwards else words:
            found = _cue(word, lex)
            if found:
                return found
    return 0


def _word_before(text: str, start: int) -> str:
    words = _WORD.findall(text[max(0, start - 30) : start])
    return _norm(words[-1]) if words else ""


def _word_after(text: str, end: int) -> str:
    match = _WORD.match(text, end + 1) if text[end : end + 1] == " " else None
    return _norm(match.group()) if match else ""


# --------------------------------------------------------------------------- resolvers


class _Ctx(NamedTuple):
    text: str
    ref: dt.date | None
    lex: _Lexicon


Resolver = Callable[[_Ctx, Any], "_Res | None"]


def _group(m: Any, name: str) -> str | None:
    try:
        value = m.group(name)
    except IndexError:
        return None
    return value if isinstance(value, str) else None


def _month_of(ctx: _Ctx, m: Any) -> int | None:
    month = ctx.lex.look("months", _group(m, "month"))
    return int(month) if month else None


def _r_ymd(ctx: _Ctx, m: Any) -> _Res | None:
    day = _safe_date(int(m["year"]), int(m["mnum"]), int(m["day"]))
    return _Res("date", day.isoformat(), False) if day else None


def _r_numeric(ctx: _Ctx, m: Any) -> _Res | None:
    a, b, year = int(m["a"]), int(m["b"]), int(m["year"])
    dmy, mdy = _safe_date(year, b, a), _safe_date(year, a, b)
    if dmy and mdy and dmy != mdy:
        # Ambiguous (both parts <= 12): the reading nearest the reference, else the
        # language's usual order; the interval covers both readings when unsure.
        ref = ctx.ref
        if ref is not None:
            best = min((dmy, mdy), key=lambda d: abs((d - ref).days))
            return _Res("date", best.isoformat(), False)
        usual = dmy if ctx.lex.day_first else mdy
        return _Res("date", usual.isoformat(), False, mod=f"EITHER:{min(dmy, mdy)}:{max(dmy, mdy)}")
    day = dmy or mdy
    return _Res("date", day.isoformat(), False) if day else None


def _r_full_date(ctx: _Ctx, m: Any) -> _Res | None:
    month = _month_of(ctx, m)
    day = _safe_date(int(m["year"]), month, int(m["day"])) if month else None
    return _Res("date", day.isoformat(), False) if day else None


def _r_day_month(ctx: _Ctx, m: Any) -> _Res | None:
    month = _month_of(ctx, m)
    day = int(m["day"])
    if not month or _safe_date(2000, month, day) is None:
        return None
    if ctx.ref is None:
        return _Res("date", f"XXXX-{month:02d}-{day:02d}", True)
    options = [d for y in (-1, 0, 1) if (d := _safe_date(ctx.ref.year + y, month, day))]
    tense = _tense(ctx.text, m.start(), m.end(), ctx.lex)
    ref = ctx.ref

    def distance(d: dt.date) -> float:
        # Nearest to the reference, but a clause's tense outweighs up to DAY_MONTH_TENSE_DAYS.
        gap = (d - ref).days
        return abs(gap) - (DAY_MONTH_TENSE_DAYS if tense and gap * tense > 0 else 0)

    return _Res("date", min(options, key=distance).isoformat(), True)


def _month_by_tense(ctx: _Ctx, month: int, start: int, end: int, shift: int | None) -> str:
    ref = ctx.ref
    if ref is None:
        return f"XXXX-{month:02d}"
    if shift == 0:
        return f"{ref.year}-{month:02d}"
    if shift == -1:  # "last June": strictly before the reference month
        return f"{ref.year if month < ref.month else ref.year - 1}-{month:02d}"
    if shift == 1:
        return f"{ref.year if month > ref.month else ref.year + 1}-{month:02d}"
    if _tense(ctx.text, start, end, ctx.lex) > 0:
        return f"{ref.year if month >= ref.month else ref.year + 1}-{month:02d}"
    return f"{ref.year if month <= ref.month else ref.year - 1}-{month:02d}"


def _r_month(ctx: _Ctx, m: Any) -> _Res | None:
    month = _month_of(ctx, m)
    surface = m["month"]
    if not month or (
        # "and Jan Kavan": a cut-short name alone is a month only with its full stop.
        not surface.endswith(".") and _is_abbreviation(_norm(surface), ctx.lex.tables["months"])
    ):
        return None
    shift = ctx.lex.look("shift", _group(m, "shift"))
    mod = ctx.lex.look("mod", _group(m, "mod"))
    if _group(m, "unit") and ctx.lex.look("units", m["unit"]) == "Y" and shift is not None:
        # "July last year": the month of the year the shift names
        year = f"{ctx.ref.year + shift}" if ctx.ref else "XXXX"
        return _Res("month", f"{year}-{month:02d}", True, mod)
    value = _month_by_tense(ctx, month, m.start(), m.end(), shift)
    return _Res("month", value, True, mod)


def _r_month_year(ctx: _Ctx, m: Any) -> _Res | None:
    month = _month_of(ctx, m)
    if not month:
        return None
    mod = ctx.lex.look("mod", _group(m, "mod"))
    return _Res("month", f"{int(m['year'])}-{month:02d}", False, mod)


def _r_year_mod(ctx: _Ctx, m: Any) -> _Res | None:
    return _Res("year", m["year"], False, ctx.lex.look("mod", m["mod"]))


def _r_year(ctx: _Ctx, m: Any) -> _Res | None:
    """A bare four-digit number is a year unless its neighbours make it a quantity."""
    lex = ctx.lex
    before, after = _word_before(ctx.text, m.start()), _word_after(ctx.text, m.end())
    if after in lex.not_year_after:
        return None
    if before not in lex.year_before and before in lex.not_year_before:
        return None
    return _Res("year", m["year"], False)


def _year_from(ctx: _Ctx, m: Any, name: str = "year") -> tuple[int | None, bool]:
    """An explicit year group, else the reference year moved by a shift word."""
    year = _group(m, name)
    if year:
        return int(year), False
    if ctx.ref is None:
        return None, True
    shift = ctx.lex.look("shift", _group(m, "shift"))
    return ctx.ref.year + int(shift or 0), True


def _r_half(ctx: _Ctx, m: Any) -> _Res | None:
    half = 1 if m["half"].lower() in ("first", "1st") else 2
    year, anchored = _year_from(ctx, m)
    return _Res("interval", f"{year if year else 'XXXX'}-H{half}", anchored)


def _r_quarter(ctx: _Ctx, m: Any) -> _Res | None:
    quarter = int(_group(m, "qnum") or ctx.lex.look("ord", _group(m, "ord")) or 0)
    if not 1 <= quarter <= 4:
        return None
    year, anchored = _year_from(ctx, m)
    if anchored and ctx.ref is not None and _group(m, "shift") is None:
        # A quarter named alone is the latest such quarter, as a result is reported after it.
        current = (ctx.ref.month - 1) // 3 + 1
        year = ctx.ref.year if quarter <= current else ctx.ref.year - 1
    return _Res("interval", f"{year if year else 'XXXX'}-Q{quarter}", anchored)


def _r_decade(ctx: _Ctx, m: Any) -> _Res | None:
    mod = ctx.lex.look("mod", _group(m, "mod"))
    decade = _group(m, "decade")
    if decade:
        return _Res("interval", decade[:3], False, mod)
    tens = int(m["dec2"])
    now = ctx.ref.year if ctx.ref else 1999
    century = 20 if 2000 + tens <= now else 19
    return _Res("interval", f"{century}{tens // 10}", ctx.ref is not None, mod)


def _r_century(ctx: _Ctx, m: Any) -> _Res | None:
    number = ctx.lex.look("ord", m["ord"])
    if not number or number < 10:
        return None
    return _Res("interval", f"{number - 1:02d}", False, ctx.lex.look("mod", _group(m, "mod")))


def _r_season(ctx: _Ctx, m: Any) -> _Res | None:
    code = ctx.lex.look("seasons", m["season"])
    mod = ctx.lex.look("mod", _group(m, "mod"))
    if _group(m, "year"):
        return _Res("interval", f"{m['year']}-{code}", False, mod)
    ref = ctx.ref
    if ref is None:
        return _Res("interval", f"XXXX-{code}", True, mod)
    # A winter starts in December, so this winter may have begun last year.
    years = [ref.year + k for k in ((-1, 0, 1) if code != "WI" else (-2, -1, 0))]
    spans = [(y, _season_interval(y, code)) for y in years]
    shift = ctx.lex.look("shift", _group(m, "shift"))
    if shift is None:
        shift = 1 if _tense(ctx.text, m.start(), m.end(), ctx.lex) > 0 else 0
        if shift == 0:  # the latest one begun by the reference date
            year = max(y for y, (first, _) in spans if first <= ref)
            return _Res("interval", f"{year}-{code}", True, mod)
    if shift == -1:
        year = max((y for y, (_, last) in spans if last < ref), default=years[0])
    elif shift == 1:
        year = min((y for y, (first, _) in spans if first > ref), default=years[-1])
    else:
        year = ref.year if code != "WI" or ref.month == 12 else ref.year - 1
    return _Res("interval", f"{year}-{code}", True, mod)


def _r_relday(ctx: _Ctx, m: Any) -> _Res | None:
    pod = ctx.lex.look("pod", _group(m, "pod"))
    if _group(m, "lastnight"):
        offset, pod = -1, "NI"
    elif _group(m, "thisday"):
        offset = 0
    else:
        offset = int(ctx.lex.look("relday", m["relday"]))
        if _norm(m["relday"]) == "tonight":
            pod = "NI"
    day = ctx.ref + dt.timedelta(days=offset) if ctx.ref else None
    value = day.isoformat() if day else "XXXX-XX-XX"
    if pod:
        return _Res("time", f"{value}T{pod}", True)
    return _Res("relative", value, True)


def _r_refword(ctx: _Ctx, m: Any) -> _Res | None:
    return _Res("relative", str(ctx.lex.look("refword", m["refword"])), True)


def _is_plural(ctx: _Ctx, surface: str) -> bool:
    word = _norm(surface)
    return word.endswith("s") and word[:-1] in ctx.lex.tables["units"]


def _r_rel_unit(ctx: _Ctx, m: Any) -> _Res | None:
    unit = ctx.lex.look("units", m["unit"])
    shift = ctx.lex.look("shift", _group(m, "shift"))
    if shift is None:
        shift = 0 if _group(m, "this") else None
    if shift is None or unit in _TIME_UNITS or unit == "D" or _is_plural(ctx, m["unit"]):
        return None  # "the coming years" is a duration
    mod = ctx.lex.look("mod", _group(m, "mod"))
    ref = ctx.ref
    if ref is None:
        return _Res("relative", _UNKNOWN.get(unit, "XXXX"), True, mod)
    if unit == "Y":
        value = str(ref.year + shift)
    elif unit == "M":
        year, month = _add_months(ref.year, ref.month, shift)
        value = f"{year}-{month:02d}"
    elif unit in ("W", "WE"):
        value = _week_value(ref + dt.timedelta(weeks=shift)) + ("-WE" if unit == "WE" else "")
    elif unit == "Q":
        year, month = _add_months(ref.year, ref.month, 3 * shift)
        value = f"{year}-Q{(month - 1) // 3 + 1}"
    elif unit == "DE":
        value = str(ref.year // 10 + shift)
    else:  # century
        value = f"{ref.year // 100 + shift:02d}"
    return _Res("relative", value, True, mod)


def _weekday_value(ctx: _Ctx, m: Any, weekday: int) -> str:
    ref = ctx.ref
    if ref is None:
        return f"XXXX-WXX-{weekday}"
    gap = (weekday - ref.isoweekday()) % 7  # days forward to the next such day (0 = today)
    shift = ctx.lex.look("shift", _group(m, "shift"))
    if shift is None:
        shift = 1 if _tense(ctx.text, m.start(), m.end(), ctx.lex) > 0 else 0
        if shift == 0:
            return (ref - dt.timedelta(days=(7 - gap) % 7)).isoformat()
        return (ref + dt.timedelta(days=gap)).isoformat()
    if shift == -1:  # "last Friday": strictly before the reference
        return (ref - dt.timedelta(days=(7 - gap) % 7 or 7)).isoformat()
    if shift == 1:
        return (ref + dt.timedelta(days=gap or 7)).isoformat()
    return (ref + dt.timedelta(days=gap - 7 if gap > 3 else gap)).isoformat()


def _r_weekday(ctx: _Ctx, m: Any) -> _Res | None:
    weekday = int(ctx.lex.look("weekdays", m["weekday"]))
    value = _weekday_value(ctx, m, weekday)
    pod = ctx.lex.look("pod", _group(m, "pod"))
    if pod:
        return _Res("time", f"{value}T{pod}", True)
    return _Res("weekday", value, True)


def _count(ctx: _Ctx, m: Any) -> float | None:
    digits = _group(m, "numd")
    if digits:
        return float(digits)
    if _group(m, "num") is None:
        return 1.0 if _group(m, "span") else None  # "the past decade"
    number = ctx.lex.look("numbers", _group(m, "num"))
    return None if number is None else float(number)


def _duration_value(count: float | None, unit: str) -> str:
    amount = "X" if not count else (str(int(count)) if count == int(count) else str(count))
    if unit in _TIME_UNITS:
        return f"PT{amount}{'M' if unit == 'MIN' else unit}"
    return f"P{amount}{unit}"


_ANCHOR_YEAR = regex.compile(r"\s+(?:[\w'’-]+\s+){0,3}?(1\d{3}|20\d\d)(?!\w)")


def _r_offset(ctx: _Ctx, m: Any) -> _Res | None:
    lex = ctx.lex
    unit = lex.look("units", m["unit"])
    count = _count(ctx, m)
    direction = int(lex.look("dir", m["dir"]))
    if count is None or unit in ("WE", "Q", "CE"):
        return None
    needs_anchor = bool(lex.look("anchor_dir", m["dir"]))
    found = _ANCHOR_YEAR.match(ctx.text, m.end()) if needs_anchor else None
    if unit in _TIME_UNITS or (needs_anchor and not (found and unit == "Y" and count)):
        # "two days after the attack", "an hour later": the anchor is not a day we
        # know, so only the duration is kept.
        end = m.start("dir")
        while end > m.start() and ctx.text[end - 1].isspace():
            end -= 1
        return _Res("duration", _duration_value(count, unit), False, start=m.start(), end=end)
    if found:  # "four years after the 2022 invasion"
        return _Res("year", str(int(found.group(1)) + direction * int(count)), False)
    if not count:
        return _Res("relative", "PAST_REF" if direction < 0 else "FUTURE_REF", True)
    ref = ctx.ref
    if ref is None:
        return _Res("relative", _UNKNOWN.get("Y" if unit == "DE" else unit, "XXXX-XX-XX"), True)
    n = int(count) * direction
    if unit == "Y":
        value = str(ref.year + n)
    elif unit == "DE":
        value = str(ref.year + 10 * n)
    elif unit == "M":
        year, month = _add_months(ref.year, ref.month, n)
        value = f"{year}-{month:02d}"
    elif unit == "W":
        value = _week_value(ref + dt.timedelta(weeks=n))
    else:
        value = (ref + dt.timedelta(days=n)).isoformat()
    return _Res("relative", value, True)


def _r_duration(ctx: _Ctx, m: Any) -> _Res | None:
    unit = ctx.lex.look("units", m["unit"])
    count = _count(ctx, m)
    if count is None:
        return None
    numeral = _norm(_group(m, "num") or "")
    if numeral in ("a", "an") and unit in ("Q", "S", "WE", "CE"):
        return None  # "a quarter of", "a second round", "a weekend of"
    if unit == "Q" and ctx.text.startswith(" of", m.end()):
        return None  # "three-quarters of"
    if unit == "DE":  # TimeML writes a decade as ten years
        unit, count = "Y", count * 10
    elif unit == "CE":
        unit, count = "Y", count * 100
    return _Res("duration", _duration_value(count, unit), False)


def _r_duration_vague(ctx: _Ctx, m: Any) -> _Res | None:
    unit = ctx.lex.look("units", m["unit"])
    if not _norm(m["unit"]).endswith("s") or unit in ("Q", "WE", "S"):
        return None
    if unit == "DE":
        unit = "DE"
    return _Res("duration", _duration_value(None, unit), False)


def _r_set(ctx: _Ctx, m: Any) -> _Res | None:
    weekday = _group(m, "weekday")
    if weekday:
        return _Res("set", f"XXXX-WXX-{ctx.lex.look('weekdays', weekday)}", False)
    return _Res("set", str(ctx.lex.look("setword", m["setword"])), False)


def _r_time(ctx: _Ctx, m: Any) -> _Res | None:
    hour = int(m["hour"])
    minute = int(_group(m, "minute") or 0)
    ampm = (_group(m, "ampm") or "").lower()
    if ampm == "p" and hour < 12:
        hour += 12
    elif ampm == "a" and hour == 12:
        hour = 0
    day = ctx.ref.isoformat() if ctx.ref else "XXXX-XX-XX"
    if _group(m, "weekday"):  # "9 a.m. Tuesday"
        day = _weekday_value(ctx, m, int(ctx.lex.look("weekdays", m["weekday"])))
    elif _group(m, "relday") and ctx.ref:  # "10 p.m. yesterday"
        day = (ctx.ref + dt.timedelta(days=int(ctx.lex.look("relday", m["relday"])))).isoformat()
    return _Res("time", f"{day}T{hour:02d}:{minute:02d}", True)


def _r_weekend(ctx: _Ctx, m: Any) -> _Res | None:
    """The weekend: the last one begun by the reference, or the next in a future clause."""
    ref = ctx.ref
    if ref is None:
        return _Res("relative", "XXXX-WXX-WE", True)
    saturday = ref - dt.timedelta(days=(ref.isoweekday() - 6) % 7)
    if _tense(ctx.text, m.start(), m.end(), ctx.lex) > 0 and saturday < ref - dt.timedelta(days=1):
        saturday += dt.timedelta(weeks=1)
    return _Res("relative", _week_value(saturday) + "-WE", True)


_RESOLVERS: dict[str, Resolver] = {
    "ymd": _r_ymd,
    "numeric": _r_numeric,
    "mdy": _r_full_date,
    "dmy": _r_full_date,
    "md": _r_day_month,
    "dm": _r_day_month,
    "month_year": _r_month_year,
    "month_shift": _r_month,
    "month_mod": _r_month,
    "month_cue": _r_month,
    "year_mod": _r_year_mod,
    "year": _r_year,
    "half": _r_half,
    "quarter": _r_quarter,
    "decade": _r_decade,
    "century": _r_century,
    "season": _r_season,
    "relday": _r_relday,
    "refword": _r_refword,
    "rel_unit": _r_rel_unit,
    "weekday": _r_weekday,
    "offset": _r_offset,
    "duration": _r_duration,
    "duration_vague": _r_duration_vague,
    "set": _r_set,
    "time": _r_time,
    "weekend": _r_weekend,
}


# --------------------------------------------------------------------------- the finder


def _days(res: _Res, ref: dt.date | None) -> Interval | None:
    if res.kind in ("duration", "set"):
        return None
    if res.mod and res.mod.startswith("EITHER:"):
        _, first, last = res.mod.split(":")
        return dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    if res.value == "PRESENT_REF":
        return (ref, ref) if ref else None
    span = _interval(res.value)
    return _narrow(span, res.mod, ref) if span else None


def _heads(text: str, lex: _Lexicon, start: int, end: int) -> list[tuple[str, int, int]]:
    """Head words and numbers in the text: (lower-case word or "0" for a number, start, end)."""
    found = []
    for m in _HEAD_TOKEN.finditer(text, start, end):
        word = m.group()
        if word[0].isdigit():
            found.append(("0", m.start(), m.end()))
        elif (lower := word.lower()) in lex.heads:
            found.append((lower, m.start(), m.end()))
    return found


def _windows(
    text: str, heads: list[tuple[str, int, int]], rule: _Rule, start: int, end: int
) -> list[tuple[int, int]]:
    """Stretches of text around a rule's head words, the only places it can match.

    Scanning every rule over the whole text costs most of the time; a plain word
    scan is cheap, and most of a news text holds none of one rule's head words.
    """
    windows: list[tuple[int, int]] = []
    for word, head_start, head_end in heads:
        if not (word in rule.triggers or (word == "0" and rule.digits)):
            continue
        first, last = max(start, head_start - _PAD_BEFORE), min(end, head_end + _PAD_AFTER)
        while last < end and not text[last].isspace():
            last += 1  # a window never ends inside a word, where (?!\w) would lie
        if windows and first <= windows[-1][1]:
            windows[-1] = (windows[-1][0], last)
        else:
            windows.append((first, last))
    return windows


def _candidates(text: str, ref: dt.date | None, lex: _Lexicon, start: int, end: int) -> list[_Hit]:
    ctx = _Ctx(text, ref, lex)
    hits: list[_Hit] = []
    heads = _heads(text, lex, start, end)
    by_heads: dict[tuple[frozenset[str], bool], list[tuple[int, int]]] = {}
    for order, rule in enumerate(lex.rules):
        resolver = _RESOLVERS[rule.name]
        key = (rule.triggers, rule.digits)
        if key not in by_heads:
            by_heads[key] = _windows(text, heads, rule, start, end)
        windows = by_heads[key]
        for m in (m for first, last in windows for m in rule.pattern.finditer(text, first, last)):
            res = resolver(ctx, m)
            if res is not None:
                hits.append(
                    _Hit(
                        m.start() if res.start is None else res.start,
                        m.end() if res.end is None else res.end,
                        order,
                        res,
                    )
                )
    return hits


def _select(hits: list[_Hit]) -> list[_Hit]:
    """Longest first, then earliest, then rule order; drop what overlaps a kept hit."""
    kept: list[_Hit] = []
    for hit in sorted(hits, key=lambda h: (h.start - h.end, h.start, h.order)):
        if all(hit.end <= k.start or hit.start >= k.end for k in kept):
            kept.append(hit)
    kept.sort(key=lambda h: h.start)
    return kept


def find_time_expressions(
    text: str,
    reference: dt.date | None,
    language: str = "en",
    start: int = 0,
    end: int | None = None,
) -> list[TimeExpression]:
    """Time expressions in `text[start:end]`, resolved against `reference`.

    Offsets are into `text` whatever `start` is. With `reference` None, relative
    expressions keep a value with X digits ("XXXX-WXX-3") and no days; explicit ones
    are resolved in full. `anchored` is True for expressions whose value depends on
    the reference date (they are relative), whether or not one was given.
    """
    lex = _lexicon(language)
    stop = len(text) if end is None else min(end, len(text))
    found: list[TimeExpression] = []
    for hit in _select(_candidates(text, reference, lex, start, stop)):
        res, first = hit.res, hit.start
        days: tuple[dt.date, dt.date | None] | None = _days(res, reference)
        kind, anchored = res.kind, res.anchored
        signal = lex.signal.search(text, max(start, first - 16), first) if lex.signal else None
        if signal and days is not None and kind != "time":
            # "since early 2022": from the start of early 2022 up to the reference date.
            first, kind, anchored = signal.start(), "interval", True
            days = (days[0], reference) if reference and reference >= days[0] else (days[0], None)
        found.append(
            TimeExpression(
                text=text[first : hit.end],
                start=first,
                end=hit.end,
                kind=kind,
                value=res.value,
                earliest=_iso(days[0]) if days else None,
                latest=_iso(days[1]) if days else None,
                anchored=anchored,
            )
        )
    return found


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None
