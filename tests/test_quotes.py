"""Quotes stage: quotation styles, repairs, speakers, comments, and the five seeds.

Each seed case is (a fragment of the quote content, the expected speaker, the
kind): a careful reader's list of who says what in the article. A speaker
written "anon:<words>" is an anonymous source whose description holds <words>.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
from conftest import require_shared

from storyline.clean import clean_text
from storyline.quotes import find_quotes, quotes_for_article, scan_marks
from storyline.records import Article, Published, Quote

SeedCase = tuple[str, str, str]


def one(quotes: list[Quote], fragment: str, kind: str | None = None) -> Quote:
    """The quote holding `fragment` (of `kind`), failing with what was found instead."""
    hits = [q for q in quotes if fragment in q.text and (kind is None or q.kind == kind)]
    assert hits, f"no {kind or ''} quote with {fragment!r}; found: {[q.text[:40] for q in quotes]}"
    return hits[0]


def speaker_ok(q: Quote, expected: str) -> bool:
    spk = q.speaker
    if spk is None:
        return False
    if expected.startswith("anon:"):
        return spk.anonymous and expected[5:] in (spk.description or "")
    return spk.name is not None and expected in spk.name


# --- quotation marks --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, content",
    [
        ("“We will rebuild the bridge,” the mayor said.", "We will rebuild the bridge,"),
        ('"We will rebuild the bridge," the mayor said.', "We will rebuild the bridge,"),
        ("«Nous reconstruirons le pont», a déclaré le maire.", "Nous reconstruirons le pont"),
        ("„Wir bauen die Brücke neu“, sagte der Bürgermeister.", "Wir bauen die Brücke neu"),
        ("‘We will rebuild the bridge,’ the mayor said.", "We will rebuild the bridge,"),
        ("'We will rebuild the bridge,' the mayor said.", "We will rebuild the bridge,"),
    ],
)
def test_every_quote_style_is_paired(text: str, content: str) -> None:
    from storyline.quotes import Block, load_cue_lexicon

    marked = scan_marks(text, [Block(0, len(text))], load_cue_lexicon().surface)
    assert [text[m.start : m.end] for m in marked] == [content]


def test_apostrophes_are_not_single_quotes() -> None:
    from storyline.quotes import Block, load_cue_lexicon

    text = "The mayor’s plan and the residents' doubts don't match, she said."
    assert scan_marks(text, [Block(0, len(text))], load_cue_lexicon().surface) == []


def test_direct_quote_with_attribution_after() -> None:
    q = one(
        find_quotes("t", "“The harbour will reopen in May,” said Port Director Lena Brandt."),
        "harbour",
    )
    assert q.kind == "direct" and q.cue == "said"
    assert q.speaker is not None and q.speaker.name == "Lena Brandt"
    assert q.speaker.resolved_by == "named"


def test_split_attribution_gives_both_parts_the_speaker() -> None:
    text = "“The vote was fair,” said Judge Omar Haddad. “Nobody has shown otherwise.”"
    quotes = find_quotes("t", text)
    first, second = one(quotes, "vote was fair"), one(quotes, "Nobody has shown")
    assert first.kind == second.kind == "direct"
    for q in (first, second):
        assert q.speaker is not None and q.speaker.name == "Omar Haddad"
    assert text[second.start : second.end] == "Nobody has shown otherwise."


def test_quote_running_over_paragraphs() -> None:
    text = (
        "Coach Rita Alves spoke after the match.\n\n"
        "“We were not good enough in the first half. The players know it.\n\n"
        "“In the second half we fought back, and that is what I will remember,” she said.\n"
    )
    q = one(find_quotes("t", text), "first half", "direct")
    assert "that is what I will remember" in q.text
    assert q.speaker is not None and q.speaker.name == "Rita Alves"
    assert q.speaker.resolved_by == "pronoun"


def test_missing_opening_mark_is_repaired() -> None:
    text = (
        "Finance Minister John Ortiz defended the budget on Monday.\n\n"
        "The plan is sound and we will fund it” over two years, he told reporters.\n"
    )
    q = one(find_quotes("t", text), "The plan is sound", "direct")
    assert q.speaker is not None and q.speaker.name == "John Ortiz"


def test_missing_closing_mark_ends_with_its_paragraph() -> None:
    text = (
        "“We will not give up on this city,” Mayor Ana Lopez said. “Nobody will.\n\n"
        "The council meets again on Tuesday.\n"
    )
    q = one(find_quotes("t", text), "Nobody will")
    assert q.text == "Nobody will."
    assert q.speaker is not None and q.speaker.name == "Ana Lopez"


def test_partial_quote_inside_reported_speech() -> None:
    text = "Senator Paul Grant urged the committee to “stop wasting time” on the report."
    q = one(find_quotes("t", text), "stop wasting time", "partial")
    assert q.speaker is not None and q.speaker.name == "Paul Grant"
    assert q.cue == "urged"


def test_scare_quotes_without_a_cue_are_not_quotes() -> None:
    text = "The so-called “peace dividend” turned out to be a myth for the navy."
    assert find_quotes("t", text) == []


def test_indirect_speech_takes_the_clause() -> None:
    text = "Health Minister Sara Kim said the hospitals would get more staff next year."
    q = one(find_quotes("t", text), "hospitals would get more staff", "indirect")
    assert q.cue == "said"
    assert q.speaker is not None and q.speaker.name == "Sara Kim"


def test_pronoun_goes_to_the_nearest_person_who_spoke() -> None:
    text = (
        "Prime Minister Maria Silva met Chancellor Karl Berg in Lisbon. "
        "Silva said the talks had gone well. She added that a deal was close."
    )
    q = one(find_quotes("t", text), "a deal was close")
    assert q.speaker is not None and q.speaker.name == "Maria Silva"
    assert q.speaker.resolved_by == "pronoun"
    assert text[q.speaker.start : q.speaker.end] == "She"


def test_title_goes_to_the_person_given_that_title() -> None:
    text = (
        "Tom Weller, the company spokesman, arrived late.\n\n"
        "“We regret the delay,” the spokesman said.\n"
    )
    q = one(find_quotes("t", text), "We regret the delay")
    assert q.speaker is not None and q.speaker.name == "Tom Weller"
    assert q.speaker.resolved_by == "title"


def test_according_to() -> None:
    text = "The talks collapsed on Friday, according to the Dutch Foreign Ministry."
    q = one(find_quotes("t", text), "talks collapsed")
    assert q.cue == "according to"
    assert q.speaker is not None and q.speaker.resolved_by == "according-to"
    assert "Foreign Ministry" in (q.speaker.name or "")


def test_anonymous_sources_stay_anonymous() -> None:
    text = (
        "“Nobody expected this,” one NATO diplomat told reporters.\n\n"
        "Officials said the border would reopen within a week.\n"
    )
    quotes = find_quotes("t", text)
    diplomat = one(quotes, "Nobody expected this")
    assert diplomat.cue == "told"
    assert diplomat.speaker is not None and diplomat.speaker.anonymous
    assert diplomat.speaker.name is None
    assert diplomat.speaker.description == "one NATO diplomat"
    officials = one(quotes, "border would reopen")
    assert officials.speaker is not None and officials.speaker.anonymous


def test_quotes_in_comments_never_get_an_article_speaker() -> None:
    body = "Mayor Ana Lopez said the bridge would open in May.\n\n"
    comment = "Sure, and she said “the trains will run on time” last year too."
    text = body + comment
    quotes = find_quotes("t", text, comments=[(len(body), len(text))])
    q = one(quotes, "trains will run on time")
    assert q.layer == "comment"
    assert q.speaker is not None and q.speaker.name is None
    assert q.speaker.resolved_by == "comment"
    assert all(q.layer == "article" for q in quotes if "bridge" in q.text)


# --- the seeds ------------------------------------------------------------------------------

SEEDS: dict[str, list[Any]] = {  # SeedCase, or a pytest.param of one
    "000": [
        ("conduct their own dialogue", "Emmanuel Macron", "partial"),
        ("We got no warning about this crazy", "anon:EU official", "direct"),
        ("I hope [the Americans] realize", "anon:EU official", "direct"),
        ("the first time", "anon:EU diplomats", "partial"),
        ("push had not been coordinated", "anon:diplomat", "indirect"),
        ("united transatlantic front", "Josep Borrell", "partial"),
        ("further strengthen coordination", "Josep Borrell", "partial"),
        ("strong signal of unity", "Jens Stoltenberg", "partial"),
        ("divisions between and within our countries", "Antony Blinken", "partial"),
        ("strategic autonomy", "Emmanuel Macron", "partial"),
        ("Europe had to offer Russia", "Emmanuel Macron", "indirect"),
        ("We should build as Europeans", "Emmanuel Macron", "direct"),
        ("It is good that Europeans", "Emmanuel Macron", "direct"),
        ("sends a signal of division", "anon:European official", "partial"),
        ("They will love it here", "anon:European official", "direct"),
        ("Moscow would prefer to trade", "Sergei Ryabkov", "indirect"),
        ("We would rather find an understanding", "Sergei Ryabkov", "direct"),
        ("Brussels remains committed", "anon:EU officials", "indirect"),
    ],
    "001": [
        ("security and stability", "Emmanuel Macron", "partial"),
        ("conduct their own dialogue", "Emmanuel Macron", "partial"),
        ("unity", "Antony Blinken", "partial"),
        ("Europeans had to offer Russia", "Emmanuel Macron", "indirect"),
        ("coming weeks", "Emmanuel Macron", "partial"),
        ("We should build as Europeans", "Emmanuel Macron", "direct"),
        ("It is good that Europeans", "Emmanuel Macron", "direct"),
        ("unprecedented levels of diplomatic outreach", "anon:officials", "indirect"),
        ("The strength of our diplomacy", "Antony Blinken", "direct"),
        ("Moscow would prefer to deal", "Sergei Ryabkov", "indirect"),
        ("We would prefer to find an understanding", "Sergei Ryabkov", "direct"),
        ("military-technical response", "Russia", "partial"),
        ("in short order", "Antony Blinken", "partial"),
        ("That gives President [Vladimir] Putin", "Antony Blinken", "direct"),
        ("I strongly, strongly hope", "Antony Blinken", "direct"),
        ("Russia would face crippling sanctions", "Antony Blinken", "indirect"),
        ("critical", "Sergei Ryabkov", "partial"),
        ("not attack, strike, invade", "Sergei Ryabkov", "partial"),
        ("dead end", "Moscow", "partial"),
    ],
    "002": [
        ("to forge its own security pact", "Emmanuel Macron", "indirect"),
        ("It’s good that Europeans", "Emmanuel Macron", "direct"),
        ("We must put together a joint proposal", "Emmanuel Macron", "direct"),
        ("We should build as Europeans", "Emmanuel Macron", "direct"),
        ("unity", "Antony Blinken", "partial"),
        ("one of Moscow's long-standing goals", "Antony Blinken", "direct"),
        ("any point", "White House", "partial"),
        ("full involvement in dialogue", "Josep Borrell", "indirect"),
        ("destroying", "Sergei Lavrov", "partial"),
        ("I don’t even know how the EU", "Sergei Lavrov", "direct"),
        ("points of contact", "Foreign Ministry", "partial"),
        ("pragmatic", "Foreign Ministry", "partial"),
    ],
    "003": [
        ("The bloc should assert its interests", "Jean-Noel Barrot", "indirect"),
        ("needs a direct channel of communication", "Jean-Noel Barrot", "indirect"),
        ("appoint a special envoy to Russia", "Emmanuel Macron", "indirect"),
        ("never ruled out, in principle", "Jean-Noel Barrot", "partial"),
        ("beneficial", "Jean-Noel Barrot", "partial"),
        ("The Europeans, who are now", "Jean-Noel Barrot", "direct"),
        ("reopen talks with Russian President", "Emmanuel Macron", "indirect"),
        ("proceed without European involvement", "Emmanuel Macron", "indirect"),
        ("Putin was open to dialogue", "Dmitry Peskov", "indirect"),
        ("mutual political will", "Dmitry Peskov", "partial"),
        ("to read lectures", "Dmitry Peskov", "partial"),
        ("any direct talks with Moscow", "Kaja Kallas", "indirect"),
        ("offer", "Kaja Kallas", "partial"),
        ("more pressure", "Kaja Kallas", "partial"),
        ("concessions to Ukraine are already significant", "Kaja Kallas", "indirect"),
        ("open to good-faith negotiations", "anon:Russian officials", "indirect"),
    ],
    "004": [
        ("should consider re-establishing contact", "Emmanuel Macron", "indirect"),
        ("endless", "Emmanuel Macron", "partial"),
        ("endlessly", "Emmanuel Macron", "partial"),
        ("We are not going to go towards", "Emmanuel Macron", "direct"),
        ("At the same time, we must think", "Emmanuel Macron", "direct"),
        ("That’s why we need to rethink", "Emmanuel Macron", "direct"),
        ("right now", "Emmanuel Macron", "partial"),
        ("member states should begin considering", "Emmanuel Macron", "indirect"),
        ("European necessity", "Emmanuel Macron", "partial"),
        ("any intention of attacking", "Moscow", "indirect"),
        ("nonsense", "Moscow", "partial"),
        ("fueling global militarization", "Vladimir Putin", "partial"),
        ("horror stories", "Vladimir Putin", "partial"),
    ],
}


def _seed_article(prefix: str) -> Article:
    folder = require_shared("seeds")
    path = next(Path(folder).glob(f"{prefix}_*.txt"))
    cleaned = clean_text(path.read_text(encoding="utf-8"))
    return Article(
        id=prefix,
        raw_sha256="",
        source=str(path),
        locator="",
        title=cleaned.title,
        outlet=None,
        url=None,
        author=None,
        language="en",
        published=Published(),
        text=cleaned.text,
        body=cleaned.body,
        paragraphs=cleaned.paragraphs,
        set_aside=cleaned.set_aside,
        comments=cleaned.comments,
        extractor="text",
    )


@cache
def _seed_quotes(prefix: str) -> tuple[Article, list[Quote]]:
    article = _seed_article(prefix)
    return article, quotes_for_article(article)


def _seed_params() -> list[Any]:
    params = []
    for prefix, cases in SEEDS.items():
        for case in cases:
            values, marks = (case.values, case.marks) if hasattr(case, "values") else (case, ())
            params.append(
                pytest.param(prefix, *values, marks=marks, id=f"{prefix}-{values[0][:24]}")
            )
    return params


@pytest.mark.parametrize("prefix, fragment, speaker, kind", _seed_params())
def test_seed_quote(prefix: str, fragment: str, speaker: str, kind: str) -> None:
    _, quotes = _seed_quotes(prefix)
    q = one([q for q in quotes if q.layer == "article"], fragment, kind)
    assert speaker_ok(q, speaker), f"{fragment!r}: expected {speaker}, got {q.speaker}"


def test_seed_comments_get_no_article_speaker() -> None:
    article, quotes = _seed_quotes("001")
    assert article.comments, "seed 001 has reader comments"
    in_comments = [q for q in quotes if any(c.start <= q.start < c.end for c in article.comments)]
    assert in_comments, "the comment quoting Putin is found"
    for q in in_comments:
        assert q.layer == "comment"
        assert q.speaker is None or (q.speaker.name is None and q.speaker.resolved_by == "comment")


def test_seed_headline_and_unattributed_phrases_are_not_quotes() -> None:
    _, quotes = _seed_quotes("001")
    title_end = quotes and min(q.start for q in quotes)
    assert all(q.start >= title_end for q in quotes)  # the headline ('unity') is set aside
    _, quotes = _seed_quotes("004")
    assert not any("long-term threat" in q.text and q.kind != "indirect" for q in quotes)


# --- attribution mode (storyline.quotemodel) ----------------------------------------------


def test_cue_decoding_never_opens_a_span_with_inside() -> None:
    import numpy as np

    from storyline.quotemodel import cue_spans, viterbi_bio

    # O, then a token that prefers I: Viterbi must make it B (no O→I).
    logp = np.log(np.array([[0.9, 0.05, 0.05], [0.1, 0.3, 0.6], [0.2, 0.1, 0.7]], np.float32))
    labels = viterbi_bio(logp)
    assert labels == ["O", "B", "I"]
    assert cue_spans(labels) == [[1, 2]]


def test_quote_depth_numbers_each_quotation() -> None:
    from storyline.annotate import english
    from storyline.quotemodel import quote_depth

    doc = english()("“Fine,” he said. “Go.”")
    depth = quote_depth(doc)
    assert [d for t, d in zip(doc, depth, strict=True) if t.text in ("Fine", "Go")] == [0, 1]
    assert depth[[t.text for t in doc].index("said")] == -1


def test_model_survives_its_npz_round_trip() -> None:
    import io

    import numpy as np

    from storyline.quotemodel import load_model, model_arrays, read_model

    model = load_model()
    buf = io.BytesIO()
    np.savez(buf, **(model_arrays("cue", model.cue) | model_arrays("role", model.role)))
    again = read_model(buf.getvalue())
    rows = [["bias", "l=say", "t=VBD"], ["bias", "w=the"]]
    assert np.allclose(again.cue.log_proba(rows), model.cue.log_proba(rows), atol=1e-3)


def test_attribution_mode_finds_source_cue_and_content() -> None:
    from storyline.quotemodel import find_attributions

    text = "Health Minister Sara Kim said the hospitals would get more staff next year."
    found = find_attributions(text)
    assert len(found) == 1
    a = found[0]
    assert [text[s:e] for s, e in a.cue] == ["said"]
    assert [text[s:e] for s, e in a.source] == ["Health Minister Sara Kim"]
    assert [text[s:e] for s, e in a.content] == ["the hospitals would get more staff next year"]
