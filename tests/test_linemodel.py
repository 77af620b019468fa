"""The line model's features: a line's own words, its shape, its neighbours' shapes,
and how much of its vocabulary the rest of the text shares."""

from __future__ import annotations

from storyline.linemodel import _topicality, line_features


def test_a_line_sharing_the_article_vocabulary_scores_higher_than_page_furniture() -> None:
    words = [
        {"council", "housing", "plan"},
        {"members", "argued"},
        {"mayor", "vote"},
        {"housing", "council"},  # the article's words again, three lines on
        {"subscribe", "newsletter"},
        set(),
    ]
    shares = _topicality(words)
    assert shares[3] == "topic5"
    assert shares[4] == "topic0"
    assert shares[5] == "topic-"


def test_words_echoed_by_a_close_neighbour_do_not_count() -> None:
    """Lines of one boilerplate block repeat each other's words; that is not topicality."""
    shares = _topicality([{"comments"}, {"comments"}, {"mayor"}, {"council"}])
    assert shares[:2] == ["topic0", "topic0"]


def test_features_are_hashed_per_line_and_deterministic() -> None:
    texts = ["Council backs plan", "The council met on Tuesday.", "Share this"]
    rows = line_features(texts)
    assert len(rows) == 3 and rows == line_features(texts)
    assert all(row == sorted(row) for row in rows)
