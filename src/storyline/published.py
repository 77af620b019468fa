"""Publication dates from what an input declares: metadata, feed and JSON fields, URLs.

Only declared evidence is read here; inferring a date from the text itself is
the dates stage's work. A date that cannot be read is left unknown, never guessed.
"""

from __future__ import annotations

import datetime as dt
from email.utils import parsedate_to_datetime

import regex
from dateutil import parser as dateparser

from storyline.records import Evidence, Published

# Confidence of each kind of declared evidence: page and feed metadata are
# usually right (htmldate reaches 87-91% on news pages); a URL date is the
# editor's filing date and a crawl date only bounds the publication from above.
CONFIDENCE = {"metadata": 0.9, "url": 0.8}

URL_DATE = regex.compile(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?:/|-|$)")
EPOCH_MIN, EPOCH_MAX = 315532800, 4102444800  # 1980 to 2100, as seconds


def parse_date(value: str) -> dt.date | None:
    """A calendar date from the formats exports use (ISO, RFC 822, epoch, prose)."""
    text = value.strip()
    if not text:
        return None
    if text.isdigit():
        number = int(text)
        number = number // 1000 if number > EPOCH_MAX else number
        if EPOCH_MIN <= number <= EPOCH_MAX:
            return dt.datetime.fromtimestamp(number, tz=dt.UTC).date()
        if len(text) == 14:  # GDELT's YYYYMMDDHHMMSS
            text = text[:8]
        if len(text) != 8:
            return None
    try:
        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        pass
    try:
        parsed = dateparser.parse(text, default=dt.datetime(1900, 1, 1))
    except (ValueError, OverflowError):
        return None
    if parsed.year == 1900 or not (1980 <= parsed.year <= 2100):
        return None
    return parsed.date()


def declared_published(
    value: str | None, field: str | None, url: str | None, fetched: str | None = None
) -> Published:
    """The publication date an input declares, with its evidence; unknown parts stay null."""
    if value:
        date = parse_date(value)
        if date is not None:
            iso = date.isoformat()
            return Published(
                iso,
                iso,
                iso,
                CONFIDENCE["metadata"],
                "metadata",
                (Evidence(field or "metadata", value),),
            )
    if url:
        match = URL_DATE.search(url)
        if match:
            try:
                date = dt.date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                date = None
            if date is not None:
                iso = date.isoformat()
                return Published(
                    iso, iso, iso, CONFIDENCE["url"], "url", (Evidence("url", match.group(0)),)
                )
    if fetched:
        date = parse_date(fetched)
        if date is not None:
            # A crawl date bounds publication from above and says nothing more.
            return Published(
                None,
                None,
                date.isoformat(),
                0.95,
                "fetch-date",
                (Evidence("warc: WARC-Date", fetched),),
            )
    return Published()
