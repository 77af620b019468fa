"""The plain-text cleaner keeps the article's own lists, and splits signed reader comments."""

from __future__ import annotations

from dataclasses import replace

from storyline.captions import reads_as_scene
from storyline.clean import clean_text, load_cues

TITLE = "Council backs housing plan"
PROSE = [
    "The council met on Tuesday to discuss the housing plan for the river district, aides said.",
    "Members argued for hours about the cost of the plan and the number of homes it would build.",
    "The mayor said the vote would take place next month after a consultation with residents.",
    "Opponents said the district had been promised new schools and parks for more than a decade.",
]
NAMES = ["Anna Berg", "Tomas Reyes", "Lea Novak", "Omar Haddad", "Ines Costa", "Yuki Mori"]


def text_of(*lines: str) -> str:
    return "\n\n".join([TITLE, *lines])


def test_a_list_the_article_introduces_is_kept_even_where_it_looks_like_a_menu() -> None:
    text = text_of(*PROSE, "The new committee members are:", *NAMES)
    for cues in (load_cues(), replace(load_cues(), model=None)):
        cleaned = clean_text(text, cues)
        assert all(name in cleaned.body for name in NAMES), cleaned.set_aside


def test_signed_comments_after_the_article_are_still_their_own_layer() -> None:
    comments = [
        "Ann Lee · 3 hours ago",
        "Great news for the district, finally.",
        "Bob Stone · 5 hours ago",
        "Who pays for all this?",
    ]
    cleaned = clean_text(text_of(*PROSE, "14 comments", *comments))
    assert [(c.author, c.text) for c in cleaned.comments] == [
        ("Ann Lee", comments[1]),
        ("Bob Stone", comments[3]),
    ]
    assert all(line in cleaned.body for line in PROSE)


def test_unsigned_comments_under_a_header_are_split_one_per_paragraph() -> None:
    comments = [
        "Great news for the district, finally somebody listened to us.",
        "Who pays for all this? The council has not said where the money comes from.",
    ]
    cleaned = clean_text(text_of(*PROSE, *PROSE, "Comments", *comments))
    assert [c.text for c in cleaned.comments] == comments


def test_a_list_under_a_stray_comment_header_stays_in_the_article() -> None:
    dates = [
        "June 26 – Riverside Arena",
        "June 27 – Harbor Pavilion",
        "June 29 – Northgate Hall",
        "July 2 – Civic Amphitheatre",
    ]
    cleaned = clean_text(text_of(*PROSE, *PROSE, "Comments", "The tour dates are:", *dates))
    assert cleaned.comments == ()
    assert all(date in cleaned.body for date in dates), cleaned.set_aside


def test_a_scene_told_in_the_present_tense_reads_as_a_caption() -> None:
    assert reads_as_scene("The wreckage is lifted from the river on Monday morning.")
    assert reads_as_scene("A woman mourns at the grave of a relative at the cemetery in Lviv.")


def test_news_prose_in_the_past_tense_or_attributed_is_not_a_scene() -> None:
    assert not reads_as_scene("The council met on Tuesday to discuss the plan for the district.")
    assert not reads_as_scene("Residents gather in the square on Sunday, the mayor said.")
    assert not reads_as_scene("“We walk to Lviv every week,” one volunteer says.")
    assert not reads_as_scene("Residents gather in the square")  # no sentence of its own
