"""published: dates from what an input declares, never guessed."""

from __future__ import annotations

import datetime as dt

import pytest

from storyline.published import declared_published, parse_date
from storyline.records import Evidence, Published

JAN_19 = dt.date(2022, 1, 19)


@pytest.mark.parametrize(
    "value",
    [
        "2022-01-19T16:05:00+01:00",
        "2022-01-19T23:30:00-05:00",  # the date as written, not shifted to UTC
        "Wed, 19 Jan 2022 16:05:00 GMT",
        "Wed, 19 Jan 2022 16:05:00 +0100",
        "1642608300",  # epoch seconds
        "1642608300000",  # epoch milliseconds
        "19 January 2022",
        "January 19, 2022",
        "20220119",
        "20220119160500",  # GDELT
        "  2022-01-19  ",
    ],
)
def test_parse_date_reads_the_formats_exports_use(value: str) -> None:
    assert parse_date(value) == JAN_19


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "garbage",
        "not a date at all",
        "Tuesday",
        "January 19",
        "2022",
        "0",
        "2022-13-45",
        "12345",
    ],
)
def test_parse_date_gives_none_for_what_is_not_a_full_date(value: str) -> None:
    assert parse_date(value) is None


def test_declared_value_gives_a_metadata_date_whose_evidence_names_the_field() -> None:
    published = declared_published(
        "Wed, 19 Jan 2022 16:05:00 GMT", "feed: pubDate", "https://x.org/2021/05/01/a"
    )
    assert published.date == published.earliest == published.latest == "2022-01-19"
    assert published.method == "metadata"
    assert published.confidence == pytest.approx(0.9)
    assert published.evidence == (Evidence("feed: pubDate", "Wed, 19 Jan 2022 16:05:00 GMT"),)
    assert published.known


def test_date_in_the_url_is_used_when_no_value_is_declared() -> None:
    published = declared_published(None, None, "https://www.example.org/world/2022/01/19/macron-eu")
    assert published.date == "2022-01-19"
    assert published.method == "url"
    assert published.evidence == (Evidence("url", "/2022/01/19/"),)
    assert published.confidence < 0.9


def test_unreadable_value_falls_back_to_the_url() -> None:
    published = declared_published("soon", "json: date", "https://example.org/2022-01-19-story")
    assert (published.date, published.method) == ("2022-01-19", "url")


def test_impossible_url_date_is_not_used() -> None:
    assert declared_published(None, None, "https://example.org/2022/02/30/story") == Published()


def test_warc_fetch_date_only_bounds_the_date_from_above() -> None:
    published = declared_published(None, None, "https://example.org/story", "2022-01-20T10:00:00Z")
    assert published.date is None
    assert published.earliest is None
    assert published.latest == "2022-01-20"
    assert published.method == "fetch-date"
    assert published.evidence[0].text == "2022-01-20T10:00:00Z"
    assert not published.known


def test_nothing_declared_leaves_everything_unknown() -> None:
    published = declared_published(None, None, None, None)
    assert published == Published()
    assert (published.date, published.earliest, published.latest, published.method) == (
        None,
        None,
        None,
        None,
    )
    assert published.evidence == ()
