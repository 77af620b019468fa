"""Summarize stage: central sentences, cited; disagreements shown both ways; up_to cuts."""

from __future__ import annotations

from storyline.sentences import check_citations
from storyline.summarize import Source, disagree, find_disagreements, summarize


def article(
    article_id: str,
    published: str | None,
    sentences: list[str],
    outlet: str | None = None,
    copy_of: str | None = None,
) -> Source:
    text = " ".join(sentences)
    return Source(
        article_id=article_id,
        text=text,
        body_spans=((0, len(text)),),
        published=published,
        outlet=outlet,
        copy_of=copy_of,
        times=(),
    )


STORM = [
    article(
        "bbc1",
        "2024-06-01",
        [
            "A powerful storm hit the northern coast of the island on Saturday morning.",
            "Fishing boats stayed in the harbour while the storm passed over the coast.",
            "The regional government opened three emergency shelters in coastal towns.",
        ],
        outlet="bbc",
    ),
    article(
        "ap1",
        "2024-06-01",
        [
            "The storm brought heavy rain and strong winds to the northern coast.",
            "The regional government opened emergency shelters for people living on the coast.",
            "Schools in the region will remain closed until Monday.",
        ],
        outlet="ap",
    ),
    article(
        "rt1",
        "2024-06-02",
        [
            "Clean-up crews began clearing fallen trees from coastal roads on Sunday.",
            "The storm damaged the roofs of dozens of houses along the northern coast.",
        ],
        outlet="rt",
    ),
]


def texts(sources: list[Source]) -> dict[str, str]:
    return {s.article_id: s.text for s in sources}


def test_every_sentence_is_cited_soundly() -> None:
    summary = summarize("ev1", STORM, max_sentences=3)
    assert 1 <= len(summary.sentences) <= 3
    assert check_citations(summary, texts(STORM)) == []


def test_repeated_sentence_is_shown_once_and_cites_every_original() -> None:
    same = "The storm damaged the roofs of dozens of houses along the northern coast."
    sources = [
        *STORM,
        article("dw1", "2024-06-02", [same, "Power was restored by evening."], outlet="dw"),
    ]
    summary = summarize("ev1", sources, max_sentences=5)
    shown = [s for s in summary.sentences if s.text == same]
    assert len(shown) <= 1
    if shown:
        assert {c.article_id for c in shown[0].citations} == {"rt1", "dw1"}
    assert check_citations(summary, texts(sources)) == []


def test_copies_are_never_cited() -> None:
    copy = article("copy", "2024-06-03", [STORM[0].text], outlet="aggregator", copy_of="bbc1")
    summary = summarize("ev1", [*STORM, copy], max_sentences=5)
    assert all(c.article_id != "copy" for s in summary.sentences for c in s.citations)


def test_outlets_that_disagree_on_a_number_are_both_shown() -> None:
    a = "The explosion at the chemical plant killed 11 workers, the fire service said."
    b = "The explosion at the chemical plant killed 14 workers, the fire service said."
    sources = [
        article(
            "x1", "2024-07-01", [a, "The plant had passed a safety inspection in May."], outlet="x"
        ),
        article(
            "y1",
            "2024-07-01",
            [b, "Residents near the plant were told to keep windows shut."],
            outlet="y",
        ),
    ]
    summary = summarize("ev2", sources, max_sentences=1)
    shown = [s.text for s in summary.sentences]
    assert a in shown and b in shown
    assert abs(shown.index(a) - shown.index(b)) == 1
    assert [why for _, _, why in find_disagreements(summary.sentences)] == ["numbers"]
    assert check_citations(summary, texts(sources)) == []


def test_disagree_tells_quotations_and_ignores_unrelated_or_equal_sentences() -> None:
    said_a = 'The minister said the plan was "a historic step for the whole country" on Monday.'
    said_b = 'The minister said the plan was "a dangerous gamble for the whole country" on Monday.'
    assert disagree(said_a, said_b) == "quotation"
    assert disagree(said_a, said_a) is None
    assert disagree(said_a, "Schools in the region will remain closed until 12 June.") is None


def test_up_to_cuts_the_story_so_far() -> None:
    later = article(
        "late",
        "2024-06-09",
        [
            "A week after the storm, the island government announced a reconstruction fund.",
        ],
        outlet="bbc",
    )
    undated = article("nodate", None, ["The storm was the strongest to hit the coast in decades."])
    sources = [*STORM, later, undated]
    summary = summarize("so-far", sources, max_sentences=10, up_to="2024-06-01")
    cited = {c.article_id for s in summary.sentences for c in s.citations}
    assert summary.up_to == "2024-06-01"
    assert cited and cited <= {"bbc1", "ap1"}
    full = summarize("all", sources, max_sentences=10)
    assert "late" in {c.article_id for s in full.sentences for c in s.citations}


def test_sentences_follow_the_dates_and_max_words_stops_early() -> None:
    summary = summarize("ev1", STORM, max_sentences=10, max_words=12)
    assert len(summary.sentences) <= 2
    full = summarize("ev1", STORM, max_sentences=10)
    days = [
        next(s.published for s in STORM if s.article_id == c.citations[0].article_id)
        for c in full.sentences
    ]
    assert days == sorted(days)


def test_nothing_to_summarize() -> None:
    assert summarize("none", []).sentences == ()


def story_over_five_days() -> list[Source]:
    days = [f"2024-08-0{d}" for d in range(1, 6)]
    facts = [
        "A landslide buried the mountain village of Alto after a week of heavy rain.",
        "Rescue teams reached the village road with two excavators on the second day.",
        "Volunteers from the valley towns carried food and blankets up to the survivors.",
        "Engineers warned that the slope above the school could give way once more.",
        "The regional council approved an emergency fund to rebuild homes in Alto.",
    ]
    extra = "Officials repeated that the search would continue for as long as needed."
    return [
        article(f"d{i}", day, [fact, extra], outlet=f"o{i}")
        for i, (day, fact) in enumerate(zip(days, facts, strict=True))
    ]


def test_a_story_so_far_tells_how_it_began_and_where_it_stands() -> None:
    sources = story_over_five_days()
    summary = summarize("so-far", sources, max_sentences=2, up_to="2024-08-05")
    cited = [s.citations[0].article_id for s in summary.sentences]
    assert cited == ["d0", "d4"]
    assert summary.sentences[0].text.startswith("A landslide buried")
    assert check_citations(summary, texts(sources)) == []


def test_max_words_is_a_budget_past_the_first_sentence() -> None:
    sources = story_over_five_days()
    for budget in (5, 20, 30, 45):
        summary = summarize(
            "so-far", sources, max_sentences=10, up_to="2024-08-05", max_words=budget
        )
        words = [len(s.text.split()) for s in summary.sentences]
        assert words  # the first sentence is shown even when it alone is over the budget
        assert len(words) == 1 or sum(words) <= budget


def test_a_storyline_summary_tells_each_event_before_a_second_sentence_of_any() -> None:
    later = article(
        "ap9",
        "2024-09-10",
        ["Three months after the storm, the island reopened its rebuilt coastal road."],
        outlet="ap",
    )
    sources = [*STORM, later]
    events = {"bbc1": "ev-storm", "ap1": "ev-storm", "rt1": "ev-storm", "ap9": "ev-road"}
    without = summarize("st1", sources, max_sentences=2)
    told = summarize("st1", sources, max_sentences=2, groups=events)
    assert all(c.article_id != "ap9" for s in without.sentences for c in s.citations)
    assert {events[s.citations[0].article_id] for s in told.sentences} == {"ev-storm", "ev-road"}
    assert check_citations(told, texts(sources)) == []
