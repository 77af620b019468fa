"""Quote variants: one statement quoted, clipped or translated differently across outlets."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import require_shared

from storyline.records import Quote, Speaker
from storyline.variants import VariantGroup, group_variants, word_diff, words

LIND = Speaker("Sofia Lind", actor_id="a-lind")
BERG = Speaker("Anna Berg", actor_id="a-berg")

# One statement of a (made-up) minister, as three outlets render it, and another
# statement of hers on the same topic that must stay apart.
FULL = (
    "It's right that we talk to our neighbours, "
    "but it is vital that farmers keep their own markets."
)
RETRANSLATED = (
    "It is right that we speak with our neighbours, but it is vital for farmers to keep their own "
    "markets."
)
CLIPPED = "keep their own markets"
OTHER = "Our farmers will never accept a tariff imposed by our neighbours."


def q(article: str, text: str, speaker: Speaker | None = LIND, at: int = 0, **kw: str) -> Quote:
    return Quote(article, text, at, at + len(text), "direct", speaker=speaker, **kw)  # type: ignore[arg-type]


def only_group(groups: list[VariantGroup]) -> VariantGroup:
    assert len(groups) == 1, groups
    return groups[0]


def test_clipping_and_retranslation_of_one_statement_form_one_group() -> None:
    quotes = [q("b", FULL), q("c", RETRANSLATED), q("a", CLIPPED, at=40), q("c", OTHER, at=300)]
    out, groups = group_variants(quotes, {"a": "2024-03-02", "b": "2024-03-01", "c": "2024-03-03"})
    group = only_group(groups)
    assert set(group.quote_ids) == {quotes[0].id, quotes[1].id, quotes[2].id}
    assert [x.variant_group for x in out] == [group.id, group.id, group.id, None]
    # Earliest article date first, then the rest by date.
    assert group.earliest == quotes[0].id
    assert group.quote_ids == (quotes[0].id, quotes[2].id, quotes[1].id)
    assert [member for member, _ in group.differences] == [quotes[2].id, quotes[1].id]


def test_a_reworded_summary_of_the_statement_joins_through_its_clipping() -> None:
    quotes = [
        q("a", "farmers must keep their own markets whatever the neighbours do"),
        q("b", CLIPPED),
        q("c", FULL),
    ]
    _, groups = group_variants(quotes)
    assert len(only_group(groups).quote_ids) == 3


def test_different_statements_and_different_speakers_stay_apart() -> None:
    quotes = [q("a", FULL), q("b", OTHER), q("c", FULL, speaker=BERG)]
    out, groups = group_variants(quotes)
    assert groups == []
    assert all(x.variant_group is None for x in out)


def test_unattributed_quotes_join_only_when_nearly_identical() -> None:
    long_unattributed = q("b", "it is vital that farmers keep their own markets", speaker=None)
    short_unattributed = q("c", CLIPPED, speaker=None)
    _, groups = group_variants([q("a", FULL), long_unattributed, short_unattributed])
    group = only_group(groups)
    assert set(group.quote_ids) == {f"a:q0-{len(FULL)}", long_unattributed.id}


def test_comment_layer_quotes_never_join() -> None:
    quotes = [q("a", FULL), q("b", FULL, layer="comment"), q("c", RETRANSLATED)]
    out, groups = group_variants(quotes)
    assert quotes[1].id not in only_group(groups).quote_ids
    assert out[1].variant_group is None


def test_quotes_in_one_article_are_not_grouped_with_each_other() -> None:
    _, groups = group_variants([q("a", FULL), q("a", RETRANSLATED, at=200)])
    assert groups == []


def test_undated_articles_come_after_dated_ones_then_by_article_id() -> None:
    quotes = [q("z", FULL), q("m", FULL), q("k", FULL)]
    _, groups = group_variants(quotes, {"z": "2020-01-01", "m": None})
    assert only_group(groups).quote_ids == (quotes[0].id, quotes[2].id, quotes[1].id)


def test_group_ids_are_deterministic() -> None:
    quotes = [q("a", FULL), q("b", RETRANSLATED)]
    first = group_variants(quotes)
    second = group_variants(first[0][::-1])
    assert first[1] == second[1]
    assert first[1][0].id.startswith("v-")


def test_cross_lingual_link_needs_the_same_speaker_and_shared_names_and_numbers() -> None:
    english = q("en", "Moscow must withdraw 10,000 troops from Transnistria and leave Tiraspol")
    russian = q("ru", "Москва должна вывести 10 000 военных из Транснистрии и уйти из Тирасполя")
    other_speaker = q("ru2", "Москва должна вывести 10,000 военных из Транснистрии", speaker=BERG)
    unrelated = q("ru3", "Мы обсудили с Тирасполем поставки газа на 2025 год")
    languages = {"en": "en", "ru": "ru", "ru2": "ru"}
    languages["ru3"] = "ru"
    quotes = [english, russian, other_speaker, unrelated]
    _, groups = group_variants(quotes, languages=languages)
    assert set(only_group(groups).quote_ids) == {english.id, russian.id}


def test_word_diff_shows_word_level_changes() -> None:
    assert word_diff("we must talk now", "we must talk now") == [("equal", "we must talk now")]
    assert word_diff("we must talk now", "we must really talk") == [
        ("equal", "we must"),
        ("insert", "really"),
        ("equal", "talk"),
        ("delete", "now"),
    ]
    # Case, punctuation and hyphenation are not differences; the text shown is the new one's.
    assert word_diff("They co-ordinate,", "they coordinate") == [("equal", "they coordinate")]
    ops = word_diff(FULL, RETRANSLATED)
    assert ("delete", "talk to") in ops and ("insert", "speak with") in ops


def test_words_normalize_contractions_and_hyphens() -> None:
    assert words("It’s co-ordinated, isn't it?") == ["it", "is", "coordinated", "is", "not", "it"]


# --- the seeds, through the quotes stage when it is there ----------------------


def test_seed_quotes_of_macrons_dialogue_statement_group_across_outlets() -> None:
    quotes_mod = pytest.importorskip("storyline.quotes")
    from storyline.actors import assign_actor_ids, find_mentions, merge_actors
    from storyline.annotate import english
    from storyline.clean import clean_text

    nlp = english()
    dates = {"000": "2022-01-19", "001": "2022-01-19", "002": "2022-01-20"}
    quotes: list[Quote] = []
    mentions = []
    for path in sorted(Path(require_shared("seeds")).glob("*.txt")):
        article = path.name[:3]
        if article not in dates:
            continue
        cleaned = clean_text(path.read_text("utf-8"))
        doc = nlp(cleaned.text)
        comments = [(c.start, c.end) for c in cleaned.comments]
        quotes.extend(quotes_mod.find_quotes(article, cleaned.text, comments, doc))
        spans = [(p.text_start, p.text_end) for p in cleaned.paragraphs]
        mentions.extend(find_mentions(article, cleaned.text, doc, spans))
    actors = merge_actors(mentions, dates, quotes)
    out, groups = group_variants(assign_actor_ids(quotes, actors), dates)
    by_id = {x.id: x for x in out}
    dialogue = [g for g in groups if any("own dialogue" in by_id[i].text for i in g.quote_ids)]
    assert len(dialogue) == 1
    members = [by_id[i] for i in dialogue[0].quote_ids]
    assert {x.article_id for x in members} == set(dates)
    assert members[0].article_id in {"000", "001"}  # an article of the earliest date
    assert all(x.layer == "article" for x in members)
    assert all(x.speaker and x.speaker.name == "Emmanuel Macron" for x in members)
