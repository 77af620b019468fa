"""A small knowledge base of dated facts: terms of office and scheduled meetings.

Publication dates of undated articles are bounded by what the text takes for
granted: a title is only given during its holder's term, a summit reported as past
has happened. The facts ship with the package (`data/knowledge.toml`, each with its
source); users who hold a Wikidata dump can add positions held from it.

Wikidata dump shape read by `load_knowledge(extra=...)`: either one JSON array of
entities, or Wikidata's `latest-all.json` layout (a `[` line, one entity per line
ending with `,`, a `]` line); blank lines and a `.gz` suffix are accepted. An entity
is `{"id": "Q..", "labels": {"en": {"value": ..}}, "aliases": {"en": [{"value": ..}]},
"claims": {"P39": [statement, ...]}}`; a P39 (position held) statement gives the
position in `mainsnak.datavalue.value.id` and its term in the `P580` (start time)
and `P582` (end time) qualifiers as `{"time": "+2019-12-01T00:00:00Z", "precision":
11}` (11 day, 10 month, 9 year). Positions are named by their own entity in the same
dump when present; a statement without a start time, or deprecated, is skipped.
"""

from __future__ import annotations

import calendar
import gzip
import itertools
import json
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import StorylineError


@dataclass(frozen=True, slots=True)
class Office:
    """One holder's term in one office: true of articles written between start and end."""

    office: str
    holder: str
    aliases: tuple[str, ...]  # how articles phrase the office ("EU foreign policy chief")
    start: str  # ISO day, conservative (earliest possible) when the source gave less
    end: str | None  # ISO day, latest possible; None while the term runs
    source: str
    names: tuple[str, ...] = ()  # other spellings of the holder


@dataclass(frozen=True, slots=True)
class ScheduledEvent:
    """One meeting of a series (a NATO summit, a European Council) with its days."""

    series: str
    name: str
    aliases: tuple[str, ...]  # how articles name the series ("NATO summit")
    start: str
    end: str
    source: str
    places: tuple[str, ...] = ()
    hypothetical_only: bool = False  # bounds only when spoken of as a threat to come


@dataclass(slots=True)
class Knowledge:
    """The facts the dating stage may lean on; built once and passed in."""

    offices: list[Office] = field(default_factory=list)
    events: list[ScheduledEvent] = field(default_factory=list)


class KnowledgeError(StorylineError):
    """A knowledge file or Wikidata dump that cannot be read."""


def full_day(value: str, end: bool = False) -> str:
    """An ISO day from "YYYY", "YYYY-MM" or "YYYY-MM-DD": the first day, or the last if `end`.

    Reading a partial date this way only ever widens a term, so a bound drawn from
    it stays true.
    """
    parts = value.strip().split("-")
    try:
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 else (12 if end else 1)
        last = calendar.monthrange(year, month)[1]
        day = int(parts[2]) if len(parts) > 2 else (last if end else 1)
        return f"{year:04d}-{month:02d}-{day:02d}"
    except (ValueError, IndexError) as error:
        raise KnowledgeError(
            f"not a date: {value!r}; expected YYYY, YYYY-MM or YYYY-MM-DD"
        ) from error


def _offices(table: Mapping[str, Any]) -> Iterator[Office]:
    for entry in table.get("office", []):
        aliases = tuple(entry.get("aliases", ()))
        for term in entry.get("terms", []):
            yield Office(
                office=entry["name"],
                holder=term["holder"],
                aliases=aliases,
                start=full_day(term["start"]),
                end=full_day(term["end"], end=True) if term.get("end") else None,
                source=entry.get("source", ""),
                names=tuple(term.get("names", ())),
            )


def _events(table: Mapping[str, Any]) -> Iterator[ScheduledEvent]:
    for series in table.get("series", []):
        aliases = tuple(series.get("aliases", ()))
        for event in series.get("events", []):
            yield ScheduledEvent(
                series=series["name"],
                name=event["name"],
                aliases=aliases,
                start=full_day(event["start"]),
                end=full_day(event.get("end", event["start"]), end=True),
                source=series.get("source", ""),
                places=tuple(event.get("places", ())),
                hypothetical_only=bool(series.get("hypothetical_only", False)),
            )


def parse_knowledge(text: str) -> Knowledge:
    """Knowledge from the text of a file shaped like `data/knowledge.toml`."""
    table = tomllib.loads(text)
    return Knowledge(offices=list(_offices(table)), events=list(_events(table)))


def load_knowledge(extra: Path | None = None, language: str = "en") -> Knowledge:
    """The project's facts, plus positions held from a Wikidata dump when `extra` is given."""
    raw = resources.files("storyline").joinpath("data/knowledge.toml").read_text("utf-8")
    knowledge = parse_knowledge(raw)
    if extra is not None:
        known = {(o.office.casefold(), o.holder.casefold(), o.start) for o in knowledge.offices}
        aliases = {o.office.casefold(): o.aliases for o in knowledge.offices}
        for office in wikidata_offices(_entities(extra), language):
            key = (office.office.casefold(), office.holder.casefold(), office.start)
            if key in known:
                continue
            known.add(key)
            # A position the project knows keeps the project's phrasings as well.
            merged = tuple(
                dict.fromkeys((*aliases.get(office.office.casefold(), ()), *office.aliases))
            )
            knowledge.offices.append(
                Office(
                    office.office,
                    office.holder,
                    merged,
                    office.start,
                    office.end,
                    office.source,
                    office.names,
                )
            )
    return knowledge


def _entities(path: Path) -> Iterator[dict[str, Any]]:
    """Entities of a dump: one per line (latest-all.json), or a JSON array in any layout."""
    opener: Any = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as handle:
            head = handle.readline()
            second = handle.readline() if head.strip() == "[" else ""
            if head.lstrip().startswith("[") and not _is_entity_line(second):
                parsed = json.loads(head + second + handle.read())
                yield from (e for e in parsed if isinstance(e, dict))
                return
            for line in itertools.chain((head, second), handle):
                line = line.strip().rstrip(",")
                if not line or line in ("[", "]"):
                    continue
                entity = json.loads(line)
                if isinstance(entity, dict):
                    yield entity
    except OSError as error:
        raise KnowledgeError(f"cannot read Wikidata dump {path}: {error.strerror}") from error
    except json.JSONDecodeError as error:
        raise KnowledgeError(
            f"{path} is not a Wikidata JSON dump ({error.msg}); expected one entity per "
            "line as in Wikidata's latest-all.json, or a JSON array of entities"
        ) from error


def _is_entity_line(line: str) -> bool:
    try:
        return isinstance(json.loads(line.strip().rstrip(",")), dict)
    except json.JSONDecodeError:
        return False


def _text(entity: Mapping[str, Any], key: str, language: str) -> list[str]:
    value = entity.get(key, {}).get(language)
    if isinstance(value, dict):
        return [str(value.get("value", ""))] if value.get("value") else []
    if isinstance(value, list):
        return [str(i["value"]) for i in value if isinstance(i, dict) and i.get("value")]
    return []


def _wikidata_time(qualifiers: Mapping[str, Any], prop: str, end: bool) -> str | None:
    for snak in qualifiers.get(prop, []):
        value = snak.get("datavalue", {}).get("value", {})
        time = value.get("time") if isinstance(value, dict) else None
        if not isinstance(time, str) or not time.startswith("+"):
            continue
        precision = int(value.get("precision", 11))
        year, month, day = time[1:11].split("-")
        if precision >= 11 and day != "00":
            partial = f"{year}-{month}-{day}"
        elif precision >= 10 and month != "00":
            partial = f"{year}-{month}"
        elif precision == 9:
            partial = year
        else:
            continue  # a decade or coarser bounds too little to be worth keeping
        return full_day(partial, end=end)
    return None


def wikidata_offices(entities: Iterator[dict[str, Any]], language: str = "en") -> list[Office]:
    """Terms of office from P39 statements; positions named from their own entities."""
    labels: dict[str, tuple[str, tuple[str, ...]]] = {}
    people: list[dict[str, Any]] = []
    for entity in entities:
        qid = str(entity.get("id", ""))
        names = _text(entity, "labels", language)
        if names:
            labels[qid] = (names[0], tuple(_text(entity, "aliases", language)))
        if entity.get("claims", {}).get("P39"):
            people.append(entity)
    offices: list[Office] = []
    for person in people:
        holder_names = _text(person, "labels", language)
        if not holder_names:
            continue
        for statement in person["claims"]["P39"]:
            if statement.get("rank") == "deprecated":
                continue
            value = statement.get("mainsnak", {}).get("datavalue", {}).get("value", {})
            position = value.get("id") if isinstance(value, dict) else None
            if not isinstance(position, str) or position not in labels:
                continue
            qualifiers = statement.get("qualifiers", {})
            start = _wikidata_time(qualifiers, "P580", end=False)
            if start is None:
                continue
            office, office_aliases = labels[position]
            offices.append(
                Office(
                    office=office,
                    holder=holder_names[0],
                    aliases=(office, *office_aliases),
                    start=start,
                    end=_wikidata_time(qualifiers, "P582", end=True),
                    source=f"Wikidata {person.get('id', '')} P39 {position}",
                    names=tuple(_text(person, "aliases", language)),
                )
            )
    return offices
