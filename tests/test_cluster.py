"""Clustering articles into events and events into storylines.

The hand-made fixtures are three short stories written for these tests: a river
flood in a fictional town (two events half a year apart, one storyline), an
election elsewhere, and a factory fire. The seed tests read ../shared/seeds
(third-party text, never copied here).
"""

from __future__ import annotations

import json
import random
from itertools import combinations
from pathlib import Path

import pytest
from conftest import require_shared

from storyline.clean import clean_text
from storyline.cluster import (
    ClusterDoc,
    Event,
    StoryClusterer,
    average_link,
    cluster,
    stream_order,
)
from storyline.storylines import Storyline

FLOOD = [
    (
        "flood-1",
        "2024-03-04",
        "Marlow River floods Riverton",
        "Floodwaters from the Marlow River swept through Riverton on Monday, and mayor Helen "
        "Okafor ordered 3,000 residents of the Eastbank district to leave their homes. Rescue "
        "crews in boats worked through the night along Quay Street.",
    ),
    (
        "flood-2",
        "2024-03-05",
        "Riverton evacuates Eastbank as river crests",
        "The Marlow River crested at 6.2 metres in Riverton overnight, mayor Helen Okafor said, "
        "after 3,000 people were moved out of Eastbank. Quay Street remained under water and "
        "rescue crews checked flooded houses.",
    ),
    (
        "flood-3",
        "2024-03-05",
        None,
        "Helen Okafor, the mayor of Riverton, said the evacuation of Eastbank would last days. "
        "The Marlow River flood reached Quay Street, where rescue boats carried residents to "
        "shelters in the town hall.",
    ),
]
FLOOD_LATER = [
    (
        "wall-1",
        "2024-09-16",
        "Riverton opens Marlow flood wall",
        "Six months after the Marlow River flood, Riverton opened a flood wall along Eastbank. "
        "Mayor Helen Okafor said the wall, paid for by the regional council, would protect "
        "Quay Street and the homes evacuated in March.",
    ),
    (
        "wall-2",
        "2024-09-17",
        "New wall to shield Eastbank from the Marlow",
        "Riverton's new flood wall on the Marlow River was opened by mayor Helen Okafor on "
        "Monday. The regional council paid for the wall, built after the March flood forced "
        "Eastbank residents from their homes on Quay Street.",
    ),
]
ELECTION = [
    (
        "vote-1",
        "2024-03-04",
        "Brandt re-elected in Westmark",
        "Voters in Westmark re-elected Governor Tomas Brandt on Sunday with 54 percent of the "
        "vote. His challenger Lidia Varga conceded in Kessel before midnight.",
    ),
    (
        "vote-2",
        "2024-03-05",
        "Varga concedes to Brandt",
        "Lidia Varga conceded the Westmark governor's race to Tomas Brandt, who won 54 percent. "
        "Brandt thanked supporters in Kessel and promised new rail lines.",
    ),
    (
        "vote-3",
        "2024-03-05",
        None,
        "Governor Tomas Brandt of Westmark began his second term after beating Lidia Varga. "
        "Turnout in Kessel was the highest in a decade, officials said.",
    ),
]
FIRE = [
    (
        "fire-1",
        "2024-03-06",
        "Fire at Halden paint factory",
        "A fire broke out at the Corvex paint factory in Halden on Wednesday. Fire chief Ana "
        "Ruiz said 80 firefighters fought the blaze and two workers were treated for smoke.",
    ),
    (
        "fire-2",
        "2024-03-06",
        "Corvex plant blaze under control",
        "Firefighters brought the blaze at the Corvex paint factory in Halden under control, "
        "fire chief Ana Ruiz said. Two workers were treated for smoke; 80 firefighters helped.",
    ),
]


def docs(rows: list[tuple[str, str | None, str | None, str]]) -> list[ClusterDoc]:
    return [ClusterDoc(i, title, body, day, "en", None) for i, day, title, body in rows]


ALL = docs(FLOOD + FLOOD_LATER + ELECTION + FIRE)


def groups(events: list[Event]) -> set[frozenset[str]]:
    return {frozenset(e.article_ids) for e in events}


def event_with(events: list[Event], article_id: str) -> Event:
    return next(e for e in events if article_id in e.article_ids)


def pair_agreement(a: set[frozenset[str]], b: set[frozenset[str]]) -> float:
    """Share of article pairs on which two clusterings agree (together or apart)."""
    label_a = {x: n for n, g in enumerate(a) for x in g}
    label_b = {x: n for n, g in enumerate(b) for x in g}
    pairs = list(combinations(sorted(label_a), 2))
    same = sum((label_a[x] == label_a[y]) == (label_b[x] == label_b[y]) for x, y in pairs)
    return same / len(pairs)


# --------------------------------------------------------------------------- events


def test_articles_of_one_happening_form_one_event() -> None:
    events, _ = cluster(ALL)
    assert groups(events) == {
        frozenset({"flood-1", "flood-2", "flood-3"}),
        frozenset({"wall-1", "wall-2"}),
        frozenset({"vote-1", "vote-2", "vote-3"}),
        frozenset({"fire-1", "fire-2"}),
    }


def test_event_is_named_after_its_first_article_and_labelled_by_who_where_when() -> None:
    events, _ = cluster(ALL)
    flood = event_with(events, "flood-1")
    assert flood.id == "ev-flood-1"
    assert flood.article_ids[0] == "flood-1"
    assert "Helen Okafor" in flood.label
    assert "Riverton" in flood.label
    assert flood.label.endswith("2024-03-04")


def test_event_date_is_the_earliest_publication_date_with_evidence() -> None:
    events, _ = cluster(ALL)
    flood = event_with(events, "flood-1")
    assert flood.date == "2024-03-04"
    assert flood.date_evidence == ("flood-1 published 2024-03-04",)


def test_undated_articles_are_clustered_and_dated_from_the_text() -> None:
    rows = [(i, None, title, body) for i, _, title, body in FLOOD]
    rows[0] = (rows[0][0], None, rows[0][2], rows[0][3] + " The flood began on 4 March 2024.")
    events, _ = cluster(docs(rows))
    assert groups(events) == {frozenset({"flood-1", "flood-2", "flood-3"})}
    assert events[0].date == "2024-03-04"
    assert events[0].date_evidence == ("flood-1 says “4 March 2024”",)


def test_unreadable_dates_count_as_undated() -> None:
    rows = [(i, "last Tuesday", title, body) for i, _, title, body in FLOOD]
    events, _ = cluster(docs(rows))
    assert len(events) == 1 and events[0].date is None


def test_the_same_story_months_later_is_a_new_event() -> None:
    events, _ = cluster(docs(FLOOD + FLOOD_LATER))
    assert event_with(events, "flood-1").id != event_with(events, "wall-1").id


def test_copies_join_their_originals_event_but_are_no_evidence() -> None:
    copy = ClusterDoc(
        "copy-1",
        "Flood",
        "Repost. " + FLOOD[0][3] + " Mayor Ivo Ziegler of Sandhaven sent help.",
        "2024-03-01",
        "en",
        None,
    )
    clusterer = StoryClusterer()
    for doc in stream_order(ALL):
        clusterer.add(doc)
    assert clusterer.add(copy, copy_of="flood-2") == clusterer.event_of("flood-1")
    flood = event_with(clusterer.events(), "copy-1")
    assert flood.date == "2024-03-04"  # not the copy's earlier date
    assert "Ziegler" not in flood.label
    assert flood.article_ids[-1] == "copy-1"


def test_batch_folds_copy_chains_into_the_original() -> None:
    copies = {"copy-a": "flood-1", "copy-b": "copy-a"}
    extra = docs(
        [
            ("copy-a", "2024-03-06", None, "Unrelated words about Halden paint."),
            ("copy-b", "2024-03-07", None, "Other words about the Westmark vote."),
        ]
    )
    events, _ = cluster(list(reversed(ALL)) + extra, copies)
    flood = event_with(events, "flood-1")
    assert {"copy-a", "copy-b"} <= set(flood.article_ids)
    assert flood.article_ids[-2:] == ("copy-a", "copy-b")


def test_an_article_added_twice_changes_nothing() -> None:
    clusterer = StoryClusterer()
    for doc in ALL:
        clusterer.add(doc)
    before = clusterer.events()
    assert clusterer.add(ALL[0]) == clusterer.event_of(ALL[0].id)
    assert clusterer.events() == before


# --------------------------------------------------------------------------- storylines


def test_events_of_one_question_chain_into_a_storyline_in_time_order() -> None:
    events, storylines = cluster(ALL)
    flood = event_with(events, "flood-1").id
    wall = event_with(events, "wall-1").id
    story = next(s for s in storylines if flood in s.event_ids)
    assert story.event_ids == (flood, wall)
    assert story.id == "st-flood-1"
    assert "Helen Okafor" in story.label
    assert "2024-03-04 – 2024-09-16" in story.label
    assert len(storylines) == 3


INQUIRY = [
    (
        "inquiry-1",
        None,
        "Inquiry faults Riverton flood warnings",
        "An inquiry led by judge Marta Lindqvist found that warnings before the Marlow River "
        "flood reached Eastbank too late. Mayor Helen Okafor accepted all 14 recommendations "
        "of the Lindqvist report.",
    ),
    (
        "inquiry-2",
        None,
        "Lindqvist report on the Marlow flood",
        "Judge Marta Lindqvist's report said sirens in Eastbank failed and Riverton had no "
        "plan for the Marlow River. Helen Okafor promised to act on its 14 recommendations.",
    ),
]


def test_undated_events_come_last_in_their_storyline() -> None:
    events, storylines = cluster(docs(FLOOD + FLOOD_LATER + INQUIRY))
    assert len(storylines) == 1
    dates = [next(e.date for e in events if e.id == i) for i in storylines[0].event_ids]
    assert dates == ["2024-03-04", "2024-09-16", None]


# --------------------------------------------------------------------------- online


def test_incremental_adding_through_saved_state_equals_batch() -> None:
    ordered = stream_order(ALL)
    first = StoryClusterer()
    for doc in ordered[:5]:
        first.add(doc)
    saved = json.loads(json.dumps(first.state()))
    resumed = StoryClusterer.from_state(saved)
    for doc in ordered[5:]:
        resumed.add(doc)
    events, storylines = cluster(ALL)
    assert resumed.events() == events
    assert resumed.storylines() == storylines


def test_a_state_saved_before_storylines_were_kept_places_every_event() -> None:
    clusterer = StoryClusterer()
    for doc in stream_order(ALL):
        clusterer.add(doc)
    state = json.loads(json.dumps(clusterer.state()))
    del state["storylines"]
    resumed = StoryClusterer.from_state(state)
    assert resumed.storylines() == clusterer.storylines()


def test_an_event_joins_a_storyline_when_it_opens_and_stays_as_it_grows() -> None:
    clusterer = StoryClusterer()
    for doc in docs(FLOOD[:1] + FLOOD_LATER[:1]):
        clusterer.add(doc)
    assert clusterer.storyline_of("ev-wall-1") == clusterer.storyline_of("ev-flood-1")
    for doc in docs(FLOOD[1:] + FLOOD_LATER[1:]):
        clusterer.add(doc)
    [story] = clusterer.storylines()
    assert story.id == "st-flood-1"
    assert story.event_ids == ("ev-flood-1", "ev-wall-1")


def test_batch_result_does_not_depend_on_input_order() -> None:
    expected = cluster(ALL)
    for seed in range(5):
        shuffled = list(ALL)
        random.Random(seed).shuffle(shuffled)
        assert cluster(shuffled) == expected


def test_adding_in_shuffled_orders_gives_nearly_the_same_events() -> None:
    reference = groups(cluster(ALL)[0])
    for seed in range(10):
        shuffled = list(ALL)
        random.Random(seed).shuffle(shuffled)
        clusterer = StoryClusterer()
        for doc in shuffled:
            clusterer.add(doc)
        assert pair_agreement(reference, groups(clusterer.events())) >= 0.95


SPLIT = [
    ("ferry-1", "2024-05-02", None, "The Nordline ferry terminal opened in Port Alma on Thursday."),
    ("chess-1", "2024-05-02", None, "The regional chess final began in Port Alma on Thursday."),
    (
        "ferry-2",
        "2024-05-02",
        None,
        "Nordline ferries will sail from the new terminal to Kessel twice a day, Nordline said.",
    ),
    (
        "ferry-3",
        "2024-05-03",
        None,
        "The new Nordline terminal sends ferries to Kessel twice a day.",
    ),
]


def test_an_early_wrong_join_is_undone_when_later_articles_tell_the_events_apart() -> None:
    clusterer = StoryClusterer()
    first, last = docs(SPLIT[:3]), docs(SPLIT[3:])[0]
    for doc in first:
        clusterer.add(doc)
    assert clusterer.event_of("ferry-2") == clusterer.event_of("chess-1")  # joined early
    clusterer.add(last)
    assert clusterer.event_of("ferry-2") != clusterer.event_of("chess-1")
    assert clusterer.event_of("chess-1") == "ev-ferry-1"  # the id stays with most articles
    assert clusterer.event_of("ferry-3") == "ev-ferry-2"


def test_merged_event_ids_resolve_to_the_surviving_event() -> None:
    clusterer = StoryClusterer()
    for doc in docs(FLOOD):
        clusterer.add(doc)
    for event in clusterer.events():
        assert clusterer.resolve(event.id) == event.id
    assert clusterer.resolve("ev-unknown") == "ev-unknown"
    assert clusterer.event_of("not-added") is None


def test_average_link_merges_while_the_mean_similarity_holds() -> None:
    table = [[1.0, 0.9, 0.1], [0.9, 1.0, 0.2], [0.1, 0.2, 1.0]]
    assert average_link(table, 0.5) == [[0, 1], [2]]
    assert average_link(table, 0.1) == [[0, 1, 2]]
    assert average_link(table, 0.95) == [[0], [1], [2]]


def test_state_is_plain_json() -> None:
    clusterer = StoryClusterer()
    for doc in ALL:
        clusterer.add(doc)
    state = clusterer.state()
    assert json.loads(json.dumps(state)) == state


def test_a_state_of_another_version_is_refused_with_the_fix() -> None:
    with pytest.raises(ValueError, match="rebuild the clustering"):
        StoryClusterer.from_state({"version": 0})


def test_records_are_frozen() -> None:
    events, storylines = cluster(ALL)
    with pytest.raises(AttributeError):
        events[0].label = "x"  # type: ignore[misc]
    assert isinstance(storylines[0], Storyline)


# --------------------------------------------------------------------------- seeds


def seed_docs() -> dict[str, ClusterDoc]:
    folder = require_shared("seeds")
    found: dict[str, ClusterDoc] = {}
    for path in sorted(Path(folder).glob("*.txt")):
        cleaned = clean_text(path.read_text(encoding="utf-8"))
        prefix = path.name[:3]
        found[prefix] = ClusterDoc(prefix, cleaned.title, cleaned.body, None, "en", None)
    return found


def test_seeds_form_three_events_in_one_storyline() -> None:
    seeds = seed_docs()
    events, storylines = cluster(seeds.values())
    assert groups(events) == {
        frozenset({"000", "001", "002"}),
        frozenset({"003"}),
        frozenset({"004"}),
    }
    assert len(storylines) == 1
    assert set(storylines[0].event_ids) == {e.id for e in events}
    strasbourg = event_with(events, "000")
    assert "Macron" in strasbourg.label


def test_seeds_cluster_the_same_in_any_arrival_order() -> None:
    seeds = list(seed_docs().values())
    reference = groups(cluster(seeds)[0])
    for seed in range(10):
        random.Random(seed).shuffle(seeds)
        clusterer = StoryClusterer()
        for doc in seeds:
            clusterer.add(doc)
        assert groups(clusterer.events()) == reference
        assert len(clusterer.storylines()) == 1


# --------------------------------------------------------------------------- time and language

LOOK_BACK = (
    "Riverton residents of Eastbank returned to Quay Street, mayor Helen Okafor said. "
    "{month}the Marlow River flood forced 3,000 people from their homes in Riverton, and "
    "rescue crews in boats carried them to shelters."
)


@pytest.mark.parametrize(("month", "joins"), [("", True), ("In March, ", False)])
def test_an_undated_article_that_looks_back_at_the_month_is_no_report_of_it(
    month: str, joins: bool
) -> None:
    later = ClusterDoc("later", None, LOOK_BACK.format(month=month), None, "en", None)
    events, _ = cluster([*docs(FLOOD), later])
    assert (event_with(events, "later").id == event_with(events, "flood-1").id) is joins


def test_undated_articles_are_kept_apart_by_the_intervals_their_text_allows() -> None:
    body = FLOOD[0][3]

    def undated(article_id: str, earliest: str, latest: str) -> ClusterDoc:
        return ClusterDoc(article_id, None, body, None, "en", None, earliest, latest)

    near = [undated("a", "2024-03-01", "2024-03-20"), undated("b", "2024-03-04", "2024-04-01")]
    far = [undated("a", "2024-03-01", "2024-03-20"), undated("b", "2027-01-01", "2027-02-01")]
    assert len(cluster(near)[0]) == 1
    assert len(cluster(far)[0]) == 2


def test_articles_in_two_languages_meet_on_their_names() -> None:
    french = ClusterDoc(
        "crue-1",
        "Crue de la Marlow à Riverton",
        "La Marlow est sortie de son lit à Riverton lundi. Helen Okafor, maire de Riverton, "
        "a fait évacuer 3 000 habitants du quartier d'Eastbank ; des bateaux ont sillonné "
        "Quay Street toute la nuit.",
        "2024-03-04",
        "fr",
        None,
    )
    events, _ = cluster([*docs(FLOOD + FIRE), french])
    assert event_with(events, "crue-1").id == event_with(events, "flood-1").id
    assert event_with(events, "fire-1").id != event_with(events, "flood-1").id
