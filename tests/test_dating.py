"""dating: publication intervals for undated articles, from text, corpus and dated facts."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import require_shared

from storyline.clean import clean_text, load_cues
from storyline.dating import infer_published, propagate_published, tense
from storyline.ingest import read_raw
from storyline.knowledge import Knowledge, full_day, load_knowledge, parse_knowledge
from storyline.pipeline import ingest_document
from storyline.records import Evidence, Published

CORPUS = Path(__file__).resolve().parents[1] / "examples" / "corpus"
FILLER = "The talks went on behind closed doors and the officials gave few details. " * 4


@pytest.fixture(scope="module")
def kb() -> Knowledge:
    return load_knowledge()


def infer(text: str, kb: Knowledge, declared: Published | None = None) -> Published:
    return infer_published(text, declared or Published(), "en", kb)


def width(published: Published) -> int:
    assert published.earliest and published.latest
    latest = dt.date.fromisoformat(published.latest)
    return (latest - dt.date.fromisoformat(published.earliest)).days + 1


def holds(published: Published, day: str) -> bool:
    return (published.earliest or "") <= day <= (published.latest or "9999")


def kinds(published: Published) -> set[str]:
    return {e.kind for e in published.evidence}


# --------------------------------------------------------------------------- the seeds

# The seeds' true publication dates: the three January 2022 reports of Macron's
# Strasbourg speech (Wednesday 19 January 2022) name it "on Wednesday" and announce
# Blinken's Thursday and Friday meetings as still to come, so they were written on the
# 19th; the Hague summit report (24-25 June 2025) and the report of Barrot's interview
# published on Sunday 1 February 2026.
JANUARY_2022 = ("000", "001", "002")
TRUE_DAY = {
    "000": "2022-01-19",
    "001": "2022-01-19",
    "002": "2022-01-19",
    "003": "2026-02-01",
    "004": "2025-06-25",
}


@pytest.fixture(scope="module")
def seeds(kb: Knowledge) -> dict[str, Published]:
    folder = require_shared("seeds")
    out = {}
    for path in sorted(folder.glob("*.txt")):
        body = clean_text(path.read_text(encoding="utf-8")).body
        out[path.name[:3]] = infer(body, kb)
    assert set(out) == set(TRUE_DAY)
    return out


def test_each_seed_interval_holds_its_true_date_with_evidence(seeds: dict[str, Published]) -> None:
    for key, published in seeds.items():
        assert published.known and published.date is None, key
        assert holds(published, TRUE_DAY[key]), (key, published)
        assert published.evidence and published.confidence > 0, key
        assert any(e.start is not None for e in published.evidence), key


def test_january_2022_seeds_are_placed_within_2021_to_2024(
    seeds: dict[str, Published],
) -> None:
    for key in JANUARY_2022:
        published = seeds[key]
        assert published.earliest and published.latest
        assert published.earliest >= "2021-01-01" and published.latest <= "2024-12-31", key
        # "US Secretary of State Antony Blinken" from 2021, "a possible Russian invasion
        # of Ukraine" before 24 February 2022.
        assert {"office", "event-future"} <= kinds(published)
        assert published.latest <= "2022-02-24"


def test_hague_summit_seed_is_placed_within_a_month(seeds: dict[str, Published]) -> None:
    published = seeds["004"]
    assert width(published) <= 31
    assert {"event-past", "assumption"} <= kinds(published)  # the guess says so


def test_barrot_seed_is_bounded_by_the_second_trump_term(seeds: dict[str, Published]) -> None:
    # Text alone: "US President Donald Trump" (either term) and "EU foreign policy
    # chief Kaja Kallas" (from December 2024) leave the second Trump term only.
    assert seeds["003"].earliest == "2025-01-20"


def _demo(name: str) -> tuple[str, Published]:
    articles, rejections = ingest_document(read_raw(CORPUS / name), load_cues())
    assert not rejections and articles[0].published.date
    return name, articles[0].published


def test_a_dated_demo_article_of_the_event_puts_the_2022_seeds_on_their_day(
    seeds: dict[str, Published],
) -> None:
    manifest = json.loads((CORPUS.parent / "MANIFEST.json").read_text(encoding="utf-8"))
    entry = next(e for e in manifest if e["file"].endswith("macron-strasbourg.html"))
    assert entry["event"] == "strasbourg-2022-01" and entry["published"] == "2022-01-19"
    name, dated = _demo("continental-ledger_macron-strasbourg.html")
    articles = {name: dated, **{k: seeds[k] for k in JANUARY_2022}}
    changed = propagate_published(articles, [], [[name, *JANUARY_2022]])
    assert set(changed) == set(JANUARY_2022)
    for key in JANUARY_2022:
        assert changed[key].date == TRUE_DAY[key], changed[key]
        assert {"corpus", "assumption"} <= kinds(changed[key])
        assert changed[key].confidence < dated.confidence


def test_dated_demo_articles_narrow_the_2025_and_2026_seeds(
    seeds: dict[str, Published],
) -> None:
    barrot, barrot_date = _demo("courrier-est-europeen_barrot.html")
    hague, hague_date = _demo("atlantic-dispatch_hague-summit.html")
    articles = {barrot: barrot_date, hague: hague_date, "003": seeds["003"], "004": seeds["004"]}
    changed = propagate_published(articles, [], [[barrot, "003"], [hague, "004"]])
    for key in ("003", "004"):
        assert width(changed[key]) <= 31 and holds(changed[key], TRUE_DAY[key]), changed[key]
    assert changed["003"].earliest and changed["003"].earliest.startswith("2026-0")


# --------------------------------------------------------------------------- metadata


def test_declared_day_wins_as_is(kb: Knowledge) -> None:
    declared = Published(
        "2020-05-05",
        "2020-05-05",
        "2020-05-05",
        0.9,
        "metadata",
        (Evidence("html-meta", "2020-05-05"),),
    )
    text = "EU foreign policy chief Kaja Kallas said so."
    assert infer(text, kb, declared) is declared


def test_a_crawl_date_stays_an_upper_bound(kb: Knowledge) -> None:
    declared = Published(
        None, None, "2025-03-01", 0.95, "fetch-date", (Evidence("warc: WARC-Date", "2025-03-01"),)
    )
    published = infer(FILLER + "EU foreign policy chief Kaja Kallas said so.", kb, declared)
    assert (published.earliest, published.latest) == ("2024-12-01", "2025-03-01")
    assert published.method == "declared+knowledge"


# --------------------------------------------------------------------------- offices


def test_a_title_next_to_its_holder_bounds_by_the_term(kb: Knowledge) -> None:
    published = infer("EU foreign policy chief Kaja Kallas ruled out talks.", kb)
    assert (published.earliest, published.latest) == ("2024-12-01", None)
    assert published.method == "knowledge"
    assert published.evidence[0].text == "EU foreign policy chief Kaja Kallas"
    assert any("Wikipedia" in e.text for e in published.evidence)


def test_name_then_title_bounds_too(kb: Knowledge) -> None:
    published = infer("Josep Borrell, the EU's foreign policy chief, called Blinken.", kb)
    assert (published.earliest, published.latest) == ("2019-12-01", "2024-11-29")


def test_former_puts_the_article_after_the_term(kb: Knowledge) -> None:
    published = infer("Former US Secretary of State Antony Blinken said it.", kb)
    assert (published.earliest, published.latest) == ("2025-01-20", None)
    assert "office-former" in kinds(published)


@pytest.mark.parametrize(
    "text",
    [
        "Kaja Kallas said the bloc had nothing to offer.",  # a name alone
        "The EU foreign policy chief said the bloc had nothing to offer.",  # a title alone
        "Then-Secretary of State Antony Blinken said it.",  # true of the past only
        "Blinken's aide met the EU foreign policy chief and Kallas.",
    ],
)
def test_what_bounds_nothing(text: str, kb: Knowledge) -> None:
    assert not infer(text, kb).known


def test_vice_president_is_not_read_as_president(kb: Knowledge) -> None:
    published = infer("Vice President Joe Biden said it.", kb)
    assert (published.earliest, published.latest) == ("2009-01-20", "2017-01-19")


def test_either_term_of_a_returning_holder(kb: Knowledge) -> None:
    trump = infer("US President Donald Trump spoke.", kb)
    assert (trump.earliest, trump.latest) == ("2017-01-20", None)  # hull of both terms
    both = infer("US President Donald Trump spoke. EU foreign policy chief Kaja Kallas too.", kb)
    assert both.earliest == "2025-01-20"


def test_a_constraint_that_leaves_no_day_is_skipped(kb: Knowledge) -> None:
    text = "EU foreign policy chief Kaja Kallas met EU top diplomat Josep Borrell."
    published = infer(text, kb)
    assert published.known
    assert len([e for e in published.evidence if e.kind == "office"]) == 1


# --------------------------------------------------------------------------- text dates


def test_a_past_date_is_a_lower_bound(kb: Knowledge) -> None:
    published = infer(FILLER + "The treaty was signed on 3 March 2023 in Paris.", kb)
    assert (published.earliest, published.latest) == ("2023-03-03", None)
    assert published.method == "text-dates"


def test_a_dateline_date_brings_the_recency_guess(kb: Knowledge) -> None:
    published = infer("PARIS, 3 March 2023 - The minister resigned. " + FILLER, kb)
    assert (published.earliest, published.latest) == ("2023-03-03", "2023-03-17")
    assert "assumption" in kinds(published) and published.confidence <= 0.7


def test_an_announced_date_is_an_upper_bound(kb: Knowledge) -> None:
    published = infer(
        FILLER + "The vote is scheduled for 12 May 2024. Spending will rise by 2035.", kb
    )
    assert (published.earliest, published.latest) == (None, "2024-05-12")


def test_a_weekday_alone_anchors_nothing_but_is_kept(kb: Knowledge) -> None:
    published = infer("Macron said on Wednesday that Europe must talk.", kb)
    assert not published.known
    assert [e.kind for e in published.evidence] == ["weekday-past"]


@pytest.mark.parametrize(
    ("text", "expression", "expected"),
    [
        ("Blinken will travel to Berlin on Thursday.", "Thursday", "future"),
        ("On Thursday, the ministry said it would listen.", "Thursday", "past"),
        ("He repeated a plea made earlier Wednesday.", "Wednesday", "same-day"),
        ("Allies pledged 5% by 2035.", "2035", "future"),
        ("Macron told MEPs in Strasbourg on Wednesday.", "Wednesday", "past"),
    ],
)
def test_tense_of_a_time_expression(text: str, expression: str, expected: str) -> None:
    start = text.index(expression)
    assert tense(text, start, start + len(expression)) == expected


# --------------------------------------------------------------------------- meetings


def test_a_past_meeting_named_by_place_bounds_below(kb: Knowledge) -> None:
    published = infer(FILLER + "At the NATO summit in Vilnius, leaders agreed on a plan.", kb)
    assert published.earliest == "2023-07-11"
    assert published.latest == "2023-07-26"  # the recency guess, said so
    assert "assumption" in kinds(published)


def test_a_coming_meeting_bounds_above(kb: Knowledge) -> None:
    published = infer(FILLER + "Ministers met ahead of the NATO summit in Vilnius.", kb)
    assert (published.earliest, published.latest) == (None, "2023-07-12")


def test_a_threat_still_to_come_bounds_above_and_its_plain_mention_nothing(
    kb: Knowledge,
) -> None:
    threat = infer(FILLER + "Diplomats sought to avert a possible Russian invasion of Ukraine.", kb)
    assert (threat.earliest, threat.latest) == (None, "2022-02-24")
    # The words were also used of 2014; a plain mention bounds nothing.
    assert not infer(FILLER + "Sanctions followed the Russian invasion of Ukraine.", kb).known
    full = infer(FILLER + "Since the full-scale invasion of Ukraine, trade has collapsed.", kb)
    assert (full.earliest, full.latest) == ("2022-02-24", None)  # background, no recency


def test_a_meeting_that_names_no_place_or_date_bounds_nothing(kb: Knowledge) -> None:
    assert not infer(FILLER + "Leaders met at the NATO summit.", kb).known


# --------------------------------------------------------------------------- corpus


def _day(day: str) -> Published:
    return Published(day, day, day, 0.9, "metadata", (Evidence("html-meta", day),))


def test_an_undated_copy_takes_its_originals_date() -> None:
    articles = {"original": _day("2022-01-19"), "copy": Published(), "other": _day("2022-01-20")}
    changed = propagate_published(articles, [["original", "copy"]], [])
    assert list(changed) == ["copy"]
    assert changed["copy"].date == "2022-01-19" and changed["copy"].method == "copy"


def test_an_event_bounds_its_undated_articles() -> None:
    own = Published(
        None,
        "2021-01-26",
        "2024-09-30",
        0.85,
        "knowledge",
        (Evidence("office", "US Secretary of State Antony Blinken", 0, 36),),
    )
    articles = {"a": _day("2022-01-19"), "b": _day("2022-01-21"), "c": own}
    changed = propagate_published(articles, [], [["a", "b", "c"]])
    assert (changed["c"].earliest, changed["c"].latest) == ("2022-01-12", "2022-01-28")
    assert changed["c"].date is None and changed["c"].method == "knowledge+corpus"


def test_a_reported_weekday_is_resolved_against_the_event() -> None:
    # Friday 21 January 2022 is the event's first dated report; "Wednesday" is the
    # 19th, the Wednesday nearest to it.
    own = Published(evidence=(Evidence("weekday-past", "Wednesday", 10, 19),))
    changed = propagate_published({"a": _day("2022-01-21"), "c": own}, [], [["a", "c"]])
    assert changed["c"].date == "2022-01-19"
    assert "assumption" in kinds(changed["c"]) and changed["c"].confidence == 0.6


def test_a_weekday_out_of_the_articles_own_interval_is_not_pinned() -> None:
    own = Published(
        None,
        "2022-01-20",
        "2022-01-31",
        0.9,
        "text-dates",
        (Evidence("weekday-past", "Wednesday", 10, 19),),
    )
    changed = propagate_published({"a": _day("2022-01-19"), "c": own}, [], [["a", "c"]])
    assert changed["c"].date is None
    assert (changed["c"].earliest, changed["c"].latest) == ("2022-01-20", "2022-01-26")


def test_an_event_the_article_rules_out_leaves_it_alone() -> None:
    own = Published(None, "2025-01-20", None, 0.85, "knowledge")
    assert propagate_published({"a": _day("2022-01-19"), "c": own}, [], [["a", "c"]]) == {}


# --------------------------------------------------------------------------- knowledge


def test_project_knowledge_is_sourced_and_conservative(kb: Knowledge) -> None:
    assert all(o.source and o.aliases and o.start for o in kb.offices)
    assert all(e.source and e.start <= e.end for e in kb.events)
    ryabkov = next(o for o in kb.offices if o.holder == "Sergei Ryabkov")
    assert ryabkov.start == "2008-08-01"  # known to the month: its first day
    assert full_day("2008-02", end=True) == "2008-02-29"
    assert full_day("2019", end=True) == "2019-12-31"


def test_parse_knowledge_expands_terms() -> None:
    kb = parse_knowledge(
        '[[office]]\nname = "Mayor"\naliases = ["Mayor"]\nsource = "s"\n'
        'terms = [{ holder = "Ann Lee", start = "2020-01-01", end = "2021" }]\n'
    )
    assert kb.offices[0].end == "2021-12-31" and kb.events == []


def _entity(
    qid: str,
    label: str,
    claims: list[dict[str, object]] | None = None,
    aliases: tuple[str, ...] = (),
) -> dict[str, object]:
    entity: dict[str, object] = {
        "id": qid,
        "labels": {"en": {"language": "en", "value": label}},
        "aliases": {"en": [{"language": "en", "value": a} for a in aliases]},
    }
    if claims is not None:
        entity["claims"] = {"P39": claims}
    return entity


def _held(
    position: str, start: tuple[str, int], end: tuple[str, int] | None = None, rank: str = "normal"
) -> dict[str, object]:
    def time(value: tuple[str, int]) -> list[dict[str, object]]:
        return [{"datavalue": {"value": {"time": value[0], "precision": value[1]}}}]

    qualifiers = {"P580": time(start), **({"P582": time(end)} if end else {})}
    return {
        "mainsnak": {"datavalue": {"value": {"id": position}}},
        "rank": rank,
        "qualifiers": qualifiers,
    }


DUMP = [
    _entity("Q1", "Mayor of Springfield", aliases=("Springfield mayor",)),
    _entity(
        "Q2",
        "Ann Lee",
        [
            _held("Q1", ("+2019-03-00T00:00:00Z", 10), ("+2023-06-30T00:00:00Z", 11)),
            _held("Q1", ("+2001-01-01T00:00:00Z", 11), rank="deprecated"),
        ],
    ),
    _entity("Q3", "Bo Ray", [_held("Q9", ("+2020-01-01T00:00:00Z", 11))]),  # unknown position
    _entity("Q4", "High Representative of the Union for Foreign Affairs and Security Policy"),
    _entity("Q5", "Kaja Kallas", [_held("Q4", ("+2024-12-01T00:00:00Z", 11))]),
]


@pytest.mark.parametrize("layout", ["lines", "array"])
def test_wikidata_dump_adds_positions_held(tmp_path: Path, layout: str) -> None:
    path = tmp_path / "dump.json"
    if layout == "lines":  # latest-all.json: "[", one entity per line with ",", "]"
        path.write_text("[\n" + ",\n".join(json.dumps(e) for e in DUMP) + "\n]\n", "utf-8")
    else:
        path.write_text(json.dumps(DUMP, indent=1), "utf-8")
    kb = load_knowledge(extra=path)
    added = [o for o in kb.offices if o.holder == "Ann Lee"]
    assert len(added) == 1
    assert (added[0].start, added[0].end) == ("2019-03-01", "2023-06-30")
    assert "Springfield mayor" in added[0].aliases and "Wikidata Q2" in added[0].source
    # A position the project already knows is not added twice.
    assert len([o for o in kb.offices if o.holder == "Kaja Kallas"]) == 1
    published = infer_published("Springfield mayor Ann Lee opened it.", Published(), "en", kb)
    assert (published.earliest, published.latest) == ("2019-03-01", "2023-06-29")


def test_a_broken_dump_is_reported_with_its_name(tmp_path: Path) -> None:
    from storyline.knowledge import KnowledgeError

    path = tmp_path / "broken.json"
    path.write_text("{not json\n", "utf-8")
    with pytest.raises(KnowledgeError, match=r"broken\.json"):
        load_knowledge(extra=path)
