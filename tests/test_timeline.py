"""Timeline stage: dates by independent mentions, copies once, every citation sound."""

from __future__ import annotations

from storyline.records import Citation, CitedSentence, TimeExpression, TimelineEntry
from storyline.sentences import check_citations, normalized
from storyline.timeline import Source, TimelineSettings, build_timeline


def article(
    article_id: str,
    published: str,
    sentences: list[str],
    dates: dict[str, str] | None = None,
    outlet: str | None = None,
    copy_of: str | None = None,
) -> Source:
    """A hand-made article; `dates` maps a phrase of the text to the ISO day it denotes."""
    text = "\n\n".join(sentences)
    times = []
    for phrase, day in (dates or {}).items():
        at = text.index(phrase)
        times.append(TimeExpression(phrase, at, at + len(phrase), "date", day, day, day))
    return Source(
        article_id=article_id,
        text=text,
        body_spans=((0, len(text)),),
        published=published,
        outlet=outlet or article_id,
        copy_of=copy_of,
        times=tuple(times),
    )


VOTE = "On 5 March the city council voted to close the old harbour bridge for repairs."
FILLER = "Residents of the eastern district have complained about traffic for several years."


def sources_about_the_vote() -> list[Source]:
    return [
        article("a", "2024-03-10", [VOTE, FILLER], {"5 March": "2024-03-05"}),
        article(
            "b",
            "2024-03-11",
            [
                "The council decision on 5 March surprised local shop owners near the bridge.",
                "Engineers say the repairs could take at least eighteen months to finish.",
            ],
            {"5 March": "2024-03-05"},
        ),
        article(
            "c",
            "2024-03-12",
            [
                "Since the vote of 5 March, ferry operators have added extra crossings daily.",
                "The mayor promised a temporary footbridge before the summer holidays begin.",
            ],
            {"5 March": "2024-03-05"},
        ),
        article(
            "d", "2024-03-20", ["A new bus line will link the eastern district to the centre."]
        ),
    ]


def texts(sources: list[Source]) -> dict[str, str]:
    return {s.article_id: s.text for s in sources}


def test_the_date_most_articles_mention_comes_first() -> None:
    entries = build_timeline("s1", sources_about_the_vote(), max_dates=1)
    assert [e.date for e in entries] == ["2024-03-05"]
    assert 1 <= len(entries[0].sentences) <= 2


def test_entries_are_in_date_order_with_dates_from_publication_too() -> None:
    entries = build_timeline("s1", sources_about_the_vote(), max_dates=3, sentences_per_date=1)
    dates = [e.date for e in entries]
    assert dates == sorted(dates)
    assert dates[0] == "2024-03-05"


def test_copies_are_counted_once() -> None:
    original = article(
        "orig",
        "2024-04-03",
        ["The factory on the river closed on 1 April after a chemical leak was found."],
        {"1 April": "2024-04-01"},
    )
    copies = [
        article(
            f"copy{i}", "2024-04-03", [original.text], {"1 April": "2024-04-01"}, copy_of="orig"
        )
        for i in range(3)
    ]
    others = [
        article(
            name,
            "2024-04-04",
            [f"Inspectors from the {who} agency visited the site on 2 April to take samples."],
            {"2 April": "2024-04-02"},
        )
        for name, who in (("x", "regional"), ("y", "national"))
    ]
    sources = [original, *copies, *others]
    entries = build_timeline("s2", sources, max_dates=1, sentences_per_date=1)
    assert [e.date for e in entries] == ["2024-04-02"]
    everything = build_timeline("s2", sources, max_dates=5, sentences_per_date=1)
    cited = {c.article_id for e in everything for s in e.sentences for c in s.citations}
    assert not cited & {"copy0", "copy1", "copy2"}


def test_a_copy_whose_original_is_missing_counts() -> None:
    lone = article("lone", "2024-05-02", [VOTE], {"5 March": "2024-03-05"}, copy_of="absent")
    entries = build_timeline("s3", [lone], max_dates=1)
    assert [e.date for e in entries] == ["2024-03-05"]


def test_every_citation_contains_its_sentence_and_same_sentences_are_all_cited() -> None:
    sources = sources_about_the_vote()
    # another outlet carries the same sentence with other quote marks and spacing
    sources.append(
        article(
            "e",
            "2024-03-13",
            [VOTE.replace("the old", "the  old"), FILLER],
            {"5 March": "2024-03-05"},
        )
    )
    entries = build_timeline("s1", sources, max_dates=2)
    assert check_citations(entries, texts(sources)) == []
    vote = [s for e in entries for s in e.sentences if normalized(s.text) == normalized(VOTE)]
    if vote:  # when shown, the vote sentence cites both articles that carry it
        assert {c.article_id for c in vote[0].citations} == {"a", "e"}


def test_check_citations_reports_bad_spans() -> None:
    bad = [
        TimelineEntry("2024-03-05", (CitedSentence(VOTE, (Citation("a", 0, 10),)),)),
        TimelineEntry("2024-03-06", (CitedSentence(VOTE, (Citation("zz", 0, 10),)),)),
        TimelineEntry("2024-03-07", (CitedSentence(VOTE, ()),)),
    ]
    problems = check_citations(bad, texts(sources_about_the_vote()))
    assert len(problems) == 3


def test_between_limits_the_dates() -> None:
    entries = build_timeline("s1", sources_about_the_vote(), between=("2024-03-10", "2024-03-31"))
    assert entries
    assert all("2024-03-10" <= e.date <= "2024-03-31" for e in entries)


def test_no_sources_no_entries() -> None:
    assert build_timeline("s0", []) == []


def test_dates_are_found_in_the_text_when_not_given() -> None:
    sentences = ["The council voted on 5 March 2024 to close the harbour bridge for repairs."]
    sources = [
        Source(
            article_id=name,
            text=sentences[0],
            body_spans=((0, len(sentences[0])),),
            published=day,
        )
        for name, day in (("p", "2024-03-09"), ("q", "2024-03-12"))
    ]
    entries = build_timeline("s4", sources, max_dates=1)
    assert [e.date for e in entries] == ["2024-03-05"]
    assert {c.article_id for c in entries[0].sentences[0].citations} == {"p", "q"}


def test_off_topic_sentences_are_not_shown() -> None:
    sources = sources_about_the_vote()
    weather = "On Tuesday the weather stayed mild across the whole region with light winds."
    sources.append(article("w", "2024-03-12", [weather], {"On Tuesday": "2024-03-05"}))
    shown = build_timeline("s1", sources, max_dates=1, sentences_per_date=4)
    assert [e.date for e in shown] == ["2024-03-05"]
    assert weather not in {s.text for s in shown[0].sentences}
    unfiltered = build_timeline(
        "s1", sources, max_dates=1, sentences_per_date=4, settings=TimelineSettings(topic_share=0)
    )
    assert weather in {s.text for s in unfiltered[0].sentences}


def test_a_day_later_articles_look_back_on_ranks_first() -> None:
    looked_back = [
        article(
            name,
            published,
            [f"The {who} recalled that the dam on the river failed on 5 March after heavy rain."],
            {"5 March": "2024-03-05"},
        )
        for name, published, who in (("a", "2024-03-10", "mayor"), ("b", "2024-03-11", "report"))
    ]
    same_day = [
        article(
            name,
            "2024-03-20",
            [f"The {who} said today, 20 March, that the dam on the river would be rebuilt."],
            {"20 March": "2024-03-20"},
        )
        for name, who in (("c", "minister"), ("d", "engineer"))
    ]
    sources = [*looked_back, *same_day]
    assert [e.date for e in build_timeline("s5", sources, max_dates=1)] == ["2024-03-05"]
    flat = TimelineSettings(mention_later=0.0)
    assert [e.date for e in build_timeline("s5", sources, max_dates=1, settings=flat)] == [
        "2024-03-20"
    ]


def test_overlong_sentences_are_not_shown() -> None:
    long = (
        "On 5 March the city council, after a debate that lasted well into the night and"
        " drew hundreds of residents, engineers, shop owners, ferry operators and cyclists"
        " to the hall on the square, voted by a narrow margin to close the old harbour bridge."
    )
    sources = [
        *sources_about_the_vote(),
        article("l", "2024-03-12", [long], {"5 March": "2024-03-05"}),
    ]
    shown = build_timeline("s1", sources, max_dates=1, sentences_per_date=5)
    assert long not in {s.text for e in shown for s in e.sentences}


def test_an_event_day_is_shown_even_when_busier_days_outrank_it() -> None:
    sources = sources_about_the_vote()
    ranked = [e.date for e in build_timeline("s1", sources, max_dates=1)]
    anchored = build_timeline("s1", sources, max_dates=1, anchors=["2024-03-20"])
    assert ranked == ["2024-03-05"]
    assert [e.date for e in anchored] == ["2024-03-20"]
    assert check_citations(anchored, texts(sources)) == []
