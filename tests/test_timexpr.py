"""The time-expression finder: spans, TIMEX3 values and day intervals on hand-written news
sentences, resolved against a fixed reference date (Friday 21 January 2022)."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import require_shared

from storyline.records import TimeExpression
from storyline.timexpr import find_time_expressions, languages, resolve_interval

REF = dt.date(2022, 1, 21)  # a Friday


def one(
    text: str, surface: str, reference: dt.date | None = REF, lang: str = "en"
) -> TimeExpression:
    """The expression found whose text is `surface` (it must be found exactly once)."""
    found = [t for t in find_time_expressions(text, reference, lang) if t.text == surface]
    assert len(found) == 1, find_time_expressions(text, reference, lang)
    return found[0]


def texts(text: str, reference: dt.date | None = REF) -> list[str]:
    return [t.text for t in find_time_expressions(text, reference)]


@pytest.mark.parametrize(
    "sentence, surface",
    [
        ("The summit opened on 19 January 2022 in Strasbourg.", "19 January 2022"),
        ("The summit opened on January 19, 2022, in Strasbourg.", "January 19, 2022"),
        ("The summit opened Jan. 19, 2022.", "Jan. 19, 2022"),
        ("Filed 2022-01-19 by the clerk.", "2022-01-19"),
        ("Posted 19/01/2022 at noon.", "19/01/2022"),
        ("He spoke on Wednesday, January 19th 2022.", "Wednesday, January 19th 2022"),
    ],
)
def test_explicit_dates_are_absolute(sentence: str, surface: str) -> None:
    for reference in (REF, None):
        t = one(sentence, surface, reference)
        assert (t.kind, t.value, t.earliest, t.latest) == (
            "date",
            "2022-01-19",
            "2022-01-19",
            "2022-01-19",
        )
        assert t.anchored is False
        assert sentence[t.start : t.end] == surface


def test_ambiguous_numeric_date_covers_both_readings_without_a_reference() -> None:
    t = one("Signed 03/04/2022.", "03/04/2022", None)
    assert (t.earliest, t.latest) == ("2022-03-04", "2022-04-03")
    near = one("Signed 03/04/2022.", "03/04/2022", dt.date(2022, 4, 5))
    assert near.value == near.earliest == "2022-04-03"


def test_day_and_month_without_year_takes_the_nearest_year() -> None:
    t = one("Talks resumed Dec. 5 in Geneva.", "Dec. 5")
    assert (t.value, t.anchored) == ("2021-12-05", True)
    assert one("Talks resumed Dec. 5.", "Dec. 5", None).value == "XXXX-12-05"


def test_weekday_is_the_last_one_in_past_tense_and_the_next_in_future_tense() -> None:
    past = one("Macron on Wednesday used a speech to the European Parliament.", "Wednesday")
    assert (past.kind, past.value, past.anchored) == ("weekday", "2022-01-19", True)
    future = one("Ministers will meet on Monday to discuss the crisis.", "Monday")
    assert future.value == "2022-01-24"
    today = one("The minister said Friday that talks had failed.", "Friday")
    assert today.value == "2022-01-21"
    assert one("They met last Friday.", "last Friday").value == "2022-01-14"
    assert one("They meet next Wednesday.", "next Wednesday").value == "2022-01-26"


def test_possessive_weekday_keeps_the_day_only() -> None:
    t = one("Monday's meeting was cancelled.", "Monday")
    assert (t.start, t.end, t.value) == (0, 6, "2022-01-17")


@pytest.mark.parametrize(
    "sentence, surface, value, earliest, latest",
    [
        ("He spoke yesterday.", "yesterday", "2022-01-20", "2022-01-20", "2022-01-20"),
        ("He speaks today.", "today", "2022-01-21", "2022-01-21", "2022-01-21"),
        ("Talks began last week.", "last week", "2022-W02", "2022-01-10", "2022-01-16"),
        ("Prices rose last month.", "last month", "2021-12", "2021-12-01", "2021-12-31"),
        (
            "It rose earlier this month.",
            "earlier this month",
            "2022-01",
            "2022-01-01",
            "2022-01-21",
        ),
        ("Elections are due next year.", "next year", "2023", "2023-01-01", "2023-12-31"),
        ("He said so in December.", "December", "2021-12", "2021-12-01", "2021-12-31"),
        ("It happened two years ago.", "two years ago", "2020", "2020-01-01", "2020-12-31"),
        ("Last summer was hot.", "Last summer", "2021-SU", "2021-06-01", "2021-08-31"),
        ("the 1990s were calmer", "the 1990s", "199", "1990-01-01", "1999-12-31"),
        (
            "in the third quarter of 2021",
            "the third quarter of 2021",
            "2021-Q3",
            "2021-07-01",
            "2021-09-30",
        ),
        ("results for Q3 2021", "Q3 2021", "2021-Q3", "2021-07-01", "2021-09-30"),
        ("July last year was hot.", "July last year", "2021-07", "2021-07-01", "2021-07-31"),
    ],
)
def test_relative_expressions(
    sentence: str, surface: str, value: str, earliest: str, latest: str
) -> None:
    t = one(sentence, surface)
    assert (t.value, t.earliest, t.latest) == (value, earliest, latest)


def test_month_in_a_future_clause_is_the_next_one() -> None:
    assert one("The summit will be held in June.", "June").value == "2022-06"
    assert one("The summit was held in June.", "June").value == "2021-06"


def test_offset_from_a_year_the_text_names() -> None:
    text = "four years after the 2022 invasion, the war goes on"
    t = one(text, "four years after", None)
    assert (t.value, t.earliest, t.latest, t.anchored) == (
        "2026",
        "2026-01-01",
        "2026-12-31",
        False,
    )
    assert one(text, "2022", None).value == "2022"
    # No year to count from: only the duration is kept.
    t = one("two days after the attack", "two days")
    assert (t.kind, t.value) == ("duration", "P2D")


def test_since_is_an_interval_up_to_the_reference() -> None:
    t = one("their first direct contact since early 2022, officials said", "since early 2022")
    assert (t.kind, t.value, t.earliest, t.latest) == (
        "interval",
        "2022",
        "2022-01-01",
        "2022-01-21",
    )
    open_ended = one("since early 2022", "since early 2022", None)
    assert (open_ended.earliest, open_ended.latest) == ("2022-01-01", None)


def test_parts_of_periods() -> None:
    late = one("in late 2024", "late 2024", None)
    assert (late.value, late.earliest, late.latest) == ("2024", "2024-09-01", "2024-12-31")
    half = one("in the first half of 2025", "the first half of 2025", None)
    assert (half.value, half.earliest, half.latest) == ("2025-H1", "2025-01-01", "2025-06-30")


def test_years_months_and_durations() -> None:
    year = one("Crimea was annexed in 2014.", "2014", None)
    assert (year.kind, year.value, year.earliest, year.anchored) == (
        "year",
        "2014",
        "2014-01-01",
        False,
    )
    month = one("The summit of June 2025 in The Hague", "June 2025", None)
    assert (month.kind, month.value, month.latest) == ("month", "2025-06", "2025-06-30")
    for surface, value in (
        ("three years", "P3Y"),
        ("the past two months", "P2M"),
        ("a decade", "P10Y"),
    ):
        t = one(f"It lasted {surface}.", surface)
        assert (t.kind, t.value, t.earliest, t.latest, t.anchored) == (
            "duration",
            value,
            None,
            None,
            False,
        )


def test_time_of_day_on_the_reference_day() -> None:
    t = one("The vote opens at 3pm.", "3pm")
    assert (t.kind, t.value, t.earliest) == ("time", "2022-01-21T15:00", "2022-01-21")


def test_without_a_reference_relative_expressions_have_no_days() -> None:
    for t in find_time_expressions("Yesterday, last month, on Wednesday and in June.", None):
        assert t.anchored and t.earliest is None and t.latest is None
        assert "X" in t.value


@pytest.mark.parametrize(
    "sentence",
    [
        "You may go now if you want.",
        "Thousands march through the city.",
        "The crowd of 2022 people dispersed.",
        "It cost $2000 and about 1500 euros.",
        "A 60-year-old man was arrested.",
        "Jan Kavan of the Czech Republic spoke.",
    ],
)
def test_no_false_positives(sentence: str) -> None:
    found = [t for t in find_time_expressions(sentence, REF) if t.kind != "relative"]
    assert found == []


def test_offsets_are_absolute_when_the_search_is_restricted() -> None:
    text = "In 2014 Crimea was annexed. In 2022 the war began."
    second = text.index("In 2022")
    found = find_time_expressions(text, None, start=second)
    assert [(t.text, t.start) for t in found] == [("2022", second + 3)]
    assert texts(text, None) == ["2014", "2022"]
    assert find_time_expressions(text, None, end=second) == find_time_expressions(
        text[:second], None
    )


def test_resolve_interval() -> None:
    assert resolve_interval("2022-01") == ("2022-01-01", "2022-01-31")
    assert resolve_interval("2024-02") == ("2024-02-01", "2024-02-29")
    assert resolve_interval("2022") == ("2022-01-01", "2022-12-31")
    assert resolve_interval("2022-01-19") == ("2022-01-19", "2022-01-19")
    assert resolve_interval("2022-W03") == ("2022-01-17", "2022-01-23")
    assert resolve_interval("2021-WI") == ("2021-12-01", "2022-02-28")
    assert resolve_interval("19") == ("1900-01-01", "1999-12-31")
    for value in ("P3Y", "PRESENT_REF", "XXXX-06", "nonsense"):
        assert resolve_interval(value) == (None, None)


def test_french_and_german() -> None:
    assert {"en", "fr", "de"} <= set(languages())
    fr = "Le 19 janvier 2022, Macron a parlé. Hier, il a rappelé l'année dernière."
    assert one(fr, "19 janvier 2022", lang="fr").value == "2022-01-19"
    assert one(fr, "Hier", lang="fr").value == "2022-01-20"
    assert one(fr, "l'année dernière", lang="fr").value == "2021"
    de = (
        "Am 19. Januar 2022 sprach Macron. Am Mittwoch sagte er, seit Anfang 2022 sei alles anders."
    )
    assert one(de, "19. Januar 2022", lang="de").value == "2022-01-19"
    assert one(de, "Mittwoch", lang="de").value == "2022-01-19"
    assert one(de, "seit Anfang 2022", lang="de").earliest == "2022-01-01"
    with pytest.raises(ValueError, match="no time-expression rules"):
        find_time_expressions("x", REF, "xx")


def test_seeds_explicit_years_and_months_without_a_reference() -> None:
    seeds = require_shared("seeds")
    found = [
        t
        for path in sorted(seeds.glob("*.txt"))
        for t in find_time_expressions(path.read_text("utf-8"), None)
    ]
    assert found, "the seeds hold time expressions"
    years = {t.value for t in found if t.kind == "year"}
    assert {"2014", "2022"} <= years
    since = [t for t in found if t.kind == "interval" and t.text.lower().startswith("since")]
    assert since and all(t.earliest and t.latest is None for t in since)
    months = [t for t in found if t.kind == "month"]
    assert months and all(t.value.startswith("XXXX-") and t.earliest is None for t in months)
    for t in found:
        if t.anchored:  # needs the reference: no end day ("since" keeps its start)
            assert t.latest is None
        elif t.kind not in ("duration", "set"):
            assert t.earliest is not None
