"""Copy detection: each relation on a crafted pair, the original chosen by evidence,
different articles on one event left apart, and the index built one article at a time.

Copies are made here from the seed texts in ../shared/seeds (third-party text, read
at test time, never copied into the repo), cleaned with `clean_text` first.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import require_shared

from storyline.clean import clean_text, load_cues
from storyline.dedupe import (
    RELATIONS,
    CopyDoc,
    CopyIndex,
    CopyLink,
    doc_from_article,
    find_copies,
    independent_ids,
)
from storyline.ingest import read_raw
from storyline.pipeline import ingest_document

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "corpus"

# A spinner's table, written for this test: common news words, none picked from the seeds.
SYNONYMS = {
    "said": "stated",
    "called": "urged",
    "speech": "address",
    "effort": "attempt",
    "efforts": "attempts",
    "officials": "representatives",
    "members": "participants",
    "meeting": "gathering",
    "need": "requirement",
    "needs": "requirements",
    "plan": "scheme",
    "move": "step",
    "support": "backing",
    "strong": "powerful",
    "potential": "possible",
    "levels": "degrees",
    "level": "degree",
    "agreement": "accord",
    "warned": "cautioned",
    "warnings": "cautions",
    "hope": "wish",
    "decision": "choice",
    "visit": "trip",
    "travel": "journey",
    "forces": "troops",
    "force": "army",
    "attack": "assault",
    "questions": "queries",
    "approach": "strategy",
    "first": "initial",
    "ahead": "in advance",
    "planned": "scheduled",
    "described": "portrayed",
    "foremost": "above all",
    "counterpart": "opposite number",
    "talks": "negotiations",
    "pledge": "promise",
    "capacity": "ability",
    "action": "measures",
    "short": "brief",
    "notice": "warning",
    "ultimately": "in the end",
    "region": "area",
    "country": "nation",
    "since": "from",
    "struggling": "battling",
    "reach": "achieve",
    "imposing": "levying",
    "amid": "among",
    "around": "about",
    "threatened": "menaced",
    "unspecified": "undisclosed",
}


def seed(prefix: str, date: str | None = None) -> CopyDoc:
    """A cleaned seed as a CopyDoc; no outlet, and no date unless given (the seeds have none)."""
    folder = require_shared("seeds")
    path = next(folder.glob(f"{prefix}_*.txt"))
    cleaned = clean_text(path.read_text("utf-8"))
    return CopyDoc(f"seed-{prefix}", cleaned.body, cleaned.title, "en", date)


def copy_of(
    doc: CopyDoc,
    suffix: str,
    body: str,
    title: str | None = "",
    date: str | None = None,
    outlet: str | None = None,
) -> CopyDoc:
    """A copy of doc with another body; the title kept unless given, no date or outlet."""
    kept_title = doc.title if title == "" else title
    return CopyDoc(f"{doc.id}-{suffix}", body, kept_title, doc.language, date, outlet)


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def paragraphs(body: str) -> list[str]:
    return [p for p in body.split("\n\n") if p.strip()]


def only_link(docs: list[CopyDoc]) -> CopyLink:
    groups = find_copies(docs)
    assert len(groups) == 1, groups
    assert len(groups[0].members) == len(docs) - 1
    return groups[0].members[0]


def spin(body: str) -> str:
    """Swap every word in the table and move the clause before a sentence's first comma."""

    def swap(match: re.Match[str]) -> str:
        word = match.group()
        new = SYNONYMS.get(word.lower())
        if new is None:
            return word
        return new[0].upper() + new[1:] if word[0].isupper() else new

    out = []
    for paragraph in paragraphs(body):
        sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z])", paragraph)
        spun = []
        for sentence in sentences:
            if "“" not in sentence and '"' not in sentence:
                sentence = re.sub(r"[A-Za-z]+", swap, sentence)
                head, comma, tail = sentence.partition(", ")
                if comma and len(head.split()) >= 4 and len(tail.split()) >= 4:
                    end = tail[-1] if tail[-1] in ".!?" else ""
                    tail = tail.rstrip(".!?")
                    lead = (
                        head
                        if head.split()[0] in {"Macron", "Blinken", "Russia"}
                        else (head[0].lower() + head[1:])
                    )
                    sentence = f"{tail[0].upper()}{tail[1:]}, {lead}{end}"
            spun.append(sentence)
        out.append(" ".join(spun))
    return "\n\n".join(out)


# --------------------------------------------------------------------------- relations


def test_exact_copy() -> None:
    original = seed("002")
    link = only_link([original, copy_of(original, "repost", original.body)])
    assert link.relation == "exact"
    assert link.similarity == 1.0


def test_reformatted_copy_differs_in_spacing_quotes_and_entities() -> None:
    original = seed("001")
    body = original.body.replace("“", "&quot;").replace("”", '"').replace("’", "&#8217;")
    body = re.sub(r"\n\n", "\n", body).replace(". ", ".  ")
    link = only_link([original, copy_of(original, "reformatted", body)])
    assert link.relation == "reformatted"


def test_boilerplate_around_a_copy_is_reformatting() -> None:
    original = seed("003")
    body = (
        "Share this article\nFacebook    Twitter    Email\n\n"
        + original.body
        + "\n\n© 2026 Some Outlet. All rights reserved.\nSubscribe to our newsletter"
    )
    link = only_link([original, copy_of(original, "wrapped", body)])
    assert link.relation == "reformatted"


@pytest.mark.parametrize("share", [0.4, 0.6, 0.8])
def test_truncated_copy_is_an_excerpt(share: float) -> None:
    original = seed("001")
    parts = paragraphs(original.body)
    body = "\n\n".join(parts[: round(share * len(parts))])
    link = only_link([original, copy_of(original, "excerpt", body)])
    assert link.relation == "excerpt"
    assert link.original_id == original.id  # the complete text is the original
    assert link.similarity >= 0.9  # containment of the excerpt in the original


def test_new_headline_dateline_and_a_cut_sentence_is_an_edit() -> None:
    original = seed("002")
    parts = paragraphs(original.body)
    parts[0] = "STRASBOURG, France (Wire) — " + parts[0]
    del parts[3]
    body = "\n\n".join(parts)
    link = only_link([original, copy_of(original, "edited", body, title="A new headline")])
    assert link.relation == "edited"


def test_spun_copy_is_a_rewrite() -> None:
    original = seed("001", date="2022-01-19")
    spun = spin(original.body)
    assert spun != original.body
    copy = copy_of(original, "spun", spun, title="Another headline")
    link = only_link([original, copy])
    assert (link.article_id, link.relation) == (copy.id, "rewrite")
    # The quotations were kept word for word: some evidence is verbatim.
    assert any(
        words(copy.body[p.start : p.end]) == words(original.body[p.original_start : p.original_end])
        for p in link.evidence
    )


def test_the_example_corpus_repost_and_rewrite_are_found() -> None:
    cues = load_cues()
    docs = []
    for path in sorted(EXAMPLES.iterdir()):
        articles, _ = ingest_document(read_raw(path), cues)
        docs += [doc_from_article(a) for a in articles]
    assert len(docs) == 15
    by_source = {d.id: d for d in docs}
    found = {
        (by_source[link.article_id].body[:30], link.relation)
        for group in find_copies(docs)
        for link in group.members
    }
    relations = sorted(relation for _, relation in found)
    assert relations == ["edited", "rewrite"]  # the repost and the content-farm rewrite


# --------------------------------------------------------------------------- originals


def test_a_dated_article_comes_before_an_undated_one() -> None:
    original = seed("002")
    dated = copy_of(original, "dated", original.body, date="2030-01-01")
    assert find_copies([original, dated])[0].original == dated.id


def test_the_earliest_date_makes_the_original() -> None:
    original = seed("002")
    early = copy_of(original, "early", original.body, date="2022-01-19", outlet=None)
    late = copy_of(original, "late", original.body, date="2022-01-20", outlet="Big Outlet")
    groups = find_copies([late, early])
    assert groups[0].original == early.id
    assert [link.article_id for link in groups[0].members] == [late.id]


def test_without_dates_the_most_complete_text_is_the_original() -> None:
    original = seed("001")
    parts = paragraphs(original.body)
    short = copy_of(original, "short", "\n\n".join(parts[:8]), outlet="Named Outlet")
    full = copy_of(original, "full", original.body)
    assert find_copies([short, full])[0].original == full.id


def test_then_a_named_outlet_makes_the_original() -> None:
    original = seed("004")
    anonymous = copy_of(original, "a", original.body)
    named = copy_of(original, "b", original.body, outlet="Some Outlet")
    assert find_copies([anonymous, named])[0].original == named.id


def test_copies_do_not_count_as_independent_sources() -> None:
    original = seed("004", date="2025-06-25")
    copy = copy_of(original, "copy", original.body, date="2025-06-26")
    other = seed("003")
    groups = find_copies([copy, original, other])
    ids = [copy.id, original.id, other.id]
    assert independent_ids(groups, ids) == [original.id, other.id]


# --------------------------------------------------------------------------- negatives


def test_different_articles_on_one_event_are_not_linked() -> None:
    # Three reports of Macron's Strasbourg speech sharing quotations, and two
    # articles of the later story: no two are copies.
    docs = [seed(prefix) for prefix in ("000", "001", "002", "003", "004")]
    assert find_copies(docs) == []


def test_a_french_and_an_english_article_on_one_event_are_not_linked() -> None:
    cues = load_cues()
    docs = []
    for name in ("courrier-est-europeen_barrot.html", "barrot-channel-to-moscow.txt"):
        articles, _ = ingest_document(read_raw(EXAMPLES / name), cues)
        docs += [doc_from_article(a) for a in articles]
    assert find_copies(docs) == []


# --------------------------------------------------------------------------- the index


def test_add_links_a_new_article_to_those_already_indexed() -> None:
    original = seed("002", date="2022-01-19")
    index = CopyIndex()
    assert index.add(original) == []
    assert index.add(seed("003")) == []
    links = index.add(copy_of(original, "copy", original.body, date="2030-01-01"))
    assert [(link.article_id, link.original_id) for link in links] == [
        (f"{original.id}-copy", original.id)
    ]
    assert len(index) == 3
    # The same article again changes nothing.
    assert index.add(original) == links
    assert len(index) == 3


def test_groups_do_not_depend_on_the_order_articles_come_in() -> None:
    original = seed("001")
    parts = paragraphs(original.body)
    docs = [
        original,
        copy_of(original, "excerpt", "\n\n".join(parts[:10])),
        copy_of(original, "spun", spin(original.body)),
        copy_of(original, "exact", original.body),
        seed("002"),
    ]
    expected = find_copies(docs)
    assert len(expected) == 1 and len(expected[0].members) == 3
    for turn in range(3):
        shuffled = docs[:]
        random.Random(turn).shuffle(shuffled)
        assert find_copies(shuffled) == expected


@pytest.mark.parametrize(
    "make",
    [
        lambda body: body.replace("’", "'"),
        lambda body: "\n\n".join(paragraphs(body)[:6]),
        spin,
    ],
)
def test_evidence_offsets_point_into_both_bodies(make: Callable[[str], str]) -> None:
    original = seed("001", date="2022-01-19")
    copy = copy_of(original, "copy", make(original.body), date="2030-01-01")
    link = only_link([original, copy])
    assert link.relation in RELATIONS
    assert link.evidence
    for passage in link.evidence:
        copied = copy.body[passage.start : passage.end]
        source = original.body[passage.original_start : passage.original_end]
        assert copied.startswith(passage.text.rstrip("…"))
        if link.relation != "rewrite":  # verbatim passages: the same words in both
            assert words(copied) == words(source)


def test_an_empty_body_is_indexed_and_linked_to_nothing() -> None:
    index = CopyIndex()
    index.add(CopyDoc("a", ""))
    index.add(CopyDoc("b", "   "))
    index.add(seed("003"))
    assert [group.original for group in index.groups()] == ["a"]  # two empty bodies: exact


def test_doc_from_article_keeps_what_copy_detection_needs() -> None:
    articles, _ = ingest_document(
        read_raw(EXAMPLES / "continental-ledger_macron-strasbourg.html"), load_cues()
    )
    doc = doc_from_article(articles[0])
    assert doc.id == articles[0].id
    assert doc.body == articles[0].body
    assert doc.date == "2022-01-19"
    assert doc.outlet == articles[0].outlet
