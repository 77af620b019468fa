"""Quote variants: the same statement as quoted by different outlets.

Outlets clip a quotation ("conduct their own dialogue"), translate it afresh
("it is necessary for Europeans to have their own dialogue" / "it is necessary
that Europeans conduct their own dialogue") or tidy it ("it's" / "it is").
Two quotes from different articles are one statement when their speakers agree
and their words do: as a clipping (a long common run of words covering most of
the shorter quote, or shared word trigrams) or as a rewording (TF-IDF cosine of
character n-grams, which survives inflection and spelling variants). Matches
are joined transitively; each group lists the earliest source first and shows
every other member's word-level differences from it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from difflib import SequenceMatcher
from itertools import pairwise

import regex
from scipy.sparse import csr_matrix  # type: ignore[import-untyped]
from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]

from .actors import name_key, similar_names, skeleton
from .records import Quote

# Thresholds, set on hand-made pairs (tests/test_variants.py) and the seed quotes
# of Macron's 19 January 2022 speech: two translations of one sentence score
# cosine 0.83, two translations of Ryabkov's reply 0.75, a clipping and a
# rewording of it 0.70; different statements by one speaker on one topic at most
# 0.33. The clipping figures put a four-word clipping ("conduct their own
# dialogue") into a differently translated full quote sharing three of its words.
MIN_WORDS = 3  # shorter quotes ("unity", "coming weeks") say too little to match
CLIP_MIN_RUN = 3  # words in the longest common run
CLIP_RUN_SHARE = 0.75  # of the shorter quote's words covered by that run
CLIP_SHINGLE_CONTAINMENT = 0.5  # of the shorter quote's word trigrams found in the other
PARAPHRASE_COSINE = 0.5  # TF-IDF cosine over character 3-5-grams
# With no speaker on one side, only near-identity counts: a different quote from
# another person can share a few words and a topic, not most of a long passage.
UNATTRIBUTED_MIN_RUN = 6
UNATTRIBUTED_RUN_SHARE = 0.8
UNATTRIBUTED_COSINE = 0.8
# Across languages nothing offline compares meaning, so the check is weak by
# design: the same speaker, the same day when both say it, and the same names
# and numbers (romanized, folded). It links statements dense in names and
# figures and misses the rest; it never links quotes of different speakers.
CROSS_LINGUAL_MIN_ANCHORS = 2
CROSS_LINGUAL_ANCHOR_JACCARD = 0.5

_CONTRACTIONS = (
    (regex.compile(r"\b(it|that|there|here|what|who|he|she)'s\b"), r"\1 is"),
    (regex.compile(r"\bcan't\b"), "cannot"),
    (regex.compile(r"\bwon't\b"), "will not"),
    (regex.compile(r"n't\b"), " not"),
    (regex.compile(r"'re\b"), " are"),
    (regex.compile(r"'ve\b"), " have"),
    (regex.compile(r"'ll\b"), " will"),
    (regex.compile(r"'m\b"), " am"),
    (regex.compile(r"'d\b"), " would"),
)
_WORD = regex.compile(r"[\p{L}\p{N}]+")
# A capitalized word, or a number with its group separators ("10,000", "10 000").
_ANCHOR = regex.compile(
    r"\b(?:\p{Lu}[\p{L}\-]+|\p{N}+(?:(?:[.,]|[ \u00a0\u202f](?=\p{N}{3}\b))\p{N}+)*)"
)
_SENTENCE_OPENERS = frozenset(".!?:;\"'«»“”„‘’-—")


@dataclass(frozen=True, slots=True)
class VariantGroup:
    """Quotes of one statement across articles, the earliest source first.

    `differences` holds, for every member but the earliest, its quote id and its
    word-level diff from the earliest member's text (see `word_diff`).
    """

    id: str
    quote_ids: tuple[str, ...]
    earliest: str
    differences: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()


def words(text: str) -> list[str]:
    """Comparable words: lowercased, contractions expanded, hyphenated words joined.

    Written here rather than with spaCy's lemmatizer: grouping runs over every
    quote of a pile, and these few rules cover the variants outlets produce.
    """
    text = text.lower().replace("’", "'").replace("‘", "'")
    for pattern, repl in _CONTRACTIONS:
        text = pattern.sub(repl, text)
    text = regex.sub(r"(?<=\p{L})-(?=\p{L})", "", text)
    return [str(w) for w in _WORD.findall(text)]


def word_diff(a: str, b: str) -> list[tuple[str, str]]:
    """How `b` differs from `a`, word by word: ("equal" | "delete" | "insert", words).

    Words are compared as `words` normalizes them but shown as `b` (or `a`, for
    deletions) writes them; a replacement is a deletion followed by an insertion.
    """
    ta, tb = _surface(a), _surface(b)
    ka, kb = [_key(t) for t in ta], [_key(t) for t in tb]
    ops: list[tuple[str, str]] = []
    matcher = SequenceMatcher(None, ka, kb, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.append(("equal", " ".join(tb[j1:j2])))
            continue
        if i2 > i1:
            ops.append(("delete", " ".join(ta[i1:i2])))
        if j2 > j1:
            ops.append(("insert", " ".join(tb[j1:j2])))
    return ops


def _surface(text: str) -> list[str]:
    return text.split()


def _key(token: str) -> str:
    return " ".join(words(token))


def group_variants(
    quotes: Sequence[Quote],
    dates: Mapping[str, str | None] = {},
    languages: Mapping[str, str | None] = {},
) -> tuple[list[Quote], list[VariantGroup]]:
    """Group quotes of one statement across articles; set each quote's `variant_group`.

    Comment-layer quotes and quotes under MIN_WORDS words never join a group.
    Returns the quotes in their given order (variant_group set, or None when in
    no group) and the groups, each ordered earliest article date first, then
    article id. Group ids hash the member ids, so re-running changes nothing.
    """
    candidates = [
        i for i, q in enumerate(quotes) if q.layer != "comment" and len(words(q.text)) >= MIN_WORDS
    ]
    matrix = _vectors([quotes[i].text for i in candidates])
    parent = {i: i for i in candidates}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for x, y in _candidate_pairs([quotes[i] for i in candidates], languages):
        i, j = candidates[x], candidates[y]
        a, b = quotes[i], quotes[j]
        if a.article_id == b.article_id:
            continue
        cosine = float(matrix[x].multiply(matrix[y]).sum()) if matrix is not None else 0.0
        if _same_statement(a, b, cosine, languages) and _same_time(a, b, dates):
            parent[find(j)] = find(i)

    components: dict[int, list[int]] = {}
    for i in candidates:
        components.setdefault(find(i), []).append(i)
    groups: list[VariantGroup] = []
    group_of: dict[int, str] = {}
    for indices in _split_in_time(components.values(), quotes, dates):
        if len(indices) < 2:
            continue
        group = _make_group([quotes[i] for i in indices], dates)
        groups.append(group)
        group_of.update({i: group.id for i in indices})
    out = [replace(q, variant_group=group_of.get(i)) for i, q in enumerate(quotes)]
    groups.sort(key=lambda g: (g.earliest, g.id))
    return out, groups


def _split_in_time(
    components: Iterable[list[int]], quotes: Sequence[Quote], dates: Mapping[str, str | None]
) -> list[list[int]]:
    """Cut chains: every member must be time-compatible with its group's earliest one.

    Linking is transitive, so A-B and B-C can join A and C a year apart through a
    B whose date is unknown; a statement's reports must all fit its first report.
    """
    out: list[list[int]] = []
    for indices in components:
        ordered = sorted(
            indices,
            key=lambda i: (
                dates.get(quotes[i].article_id) is None,
                dates.get(quotes[i].article_id) or "",
                i,
            ),
        )
        parts: list[list[int]] = []
        for i in ordered:
            for part in parts:
                if _same_time(quotes[part[0]], quotes[i], dates):
                    part.append(i)
                    break
            else:
                parts.append([i])
        out.extend(sorted(part) for part in parts)
    return out


def _vectors(texts: Sequence[str]) -> csr_matrix | None:
    """Unit TF-IDF rows over character 3-5-grams of the normalized words."""
    if len(texts) < 2:
        return None
    normalized = [" ".join(words(t)) for t in texts]
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    return vectorizer.fit_transform(normalized).tocsr()


# Blocking: comparing every quote with every other is quadratic (a pile of 50,000
# articles holds hundreds of thousands of quotes), so only pairs that share a word
# pair, or the same speaker across languages, are compared. A word pair quoted by
# more than BLOCK_MAX quotes ("it is", "we will") says nothing and opens no pairs.
BLOCK_MAX = 200


def _candidate_pairs(
    quotes: Sequence[Quote], languages: Mapping[str, str | None]
) -> list[tuple[int, int]]:
    postings: dict[tuple[str, str], list[int]] = {}
    for x, q in enumerate(quotes):
        ws = words(q.text)
        for pair in set(pairwise(ws)):
            postings.setdefault(pair, []).append(x)
    pairs: set[tuple[int, int]] = set()
    for members in postings.values():
        if 1 < len(members) <= BLOCK_MAX:
            pairs.update((a, b) for n, a in enumerate(members) for b in members[n + 1 :])
    # Translations share no words: pair the same speaker's quotes across languages.
    by_speaker: dict[str, list[int]] = {}
    for x, q in enumerate(quotes):
        if q.speaker is not None and q.speaker.name:
            key = q.speaker.actor_id or name_key(q.speaker.name)
            by_speaker.setdefault(key, []).append(x)
    for members in by_speaker.values():
        for n, a in enumerate(members):
            la = languages.get(quotes[a].article_id)
            for b in members[n + 1 :]:
                lb = languages.get(quotes[b].article_id)
                if la and lb and la != lb:
                    pairs.add((a, b))
    return sorted(pairs)


def _speakers(a: Quote, b: Quote) -> str:
    """ "same", "different" or "unknown" (one side has no named speaker)."""
    sa, sb = a.speaker, b.speaker
    if sa is not None and sb is not None and sa.actor_id and sb.actor_id:
        return "same" if sa.actor_id == sb.actor_id else "different"
    if sa is None or sb is None or not sa.name or not sb.name:
        return "unknown"
    ka, kb = name_key(sa.name), name_key(sb.name)
    if ka == kb:
        return "same"
    # A lone surname against a full name ("Macron" / "Emmanuel Macron").
    wa, wb = ka.split(), kb.split()
    if (len(wa) == 1 or len(wb) == 1) and wa[-1] == wb[-1]:
        return "same"
    return "different"


def _same_statement(a: Quote, b: Quote, cosine: float, languages: Mapping[str, str | None]) -> bool:
    speakers = _speakers(a, b)
    if speakers == "different":
        return False
    la, lb = languages.get(a.article_id), languages.get(b.article_id)
    if la and lb and la != lb:
        return speakers == "same" and _cross_lingual(a, b)
    wa, wb = words(a.text), words(b.text)
    run, share = _longest_run(wa, wb)
    if speakers == "unknown":
        return (run >= UNATTRIBUTED_MIN_RUN and share >= UNATTRIBUTED_RUN_SHARE) or (
            cosine >= UNATTRIBUTED_COSINE and min(len(wa), len(wb)) >= UNATTRIBUTED_MIN_RUN
        )
    clipping = (run >= CLIP_MIN_RUN and share >= CLIP_RUN_SHARE) or (
        _containment(wa, wb) >= CLIP_SHINGLE_CONTAINMENT
    )
    return clipping or cosine >= PARAPHRASE_COSINE


# Reports of one statement come within weeks of it; a later article that quotes
# it again says when it was said ("in January 2022, Macron told MEPs ..."), and
# the quotes stage records that as `said_on`. Without that, quotes a season
# apart are two statements, however alike (politicians repeat themselves).
STATEMENT_WINDOW_DAYS = 45


def _same_time(a: Quote, b: Quote, dates: Mapping[str, str | None]) -> bool:
    """Whether two quotes can be one statement as far as their dates say."""
    if a.said_on and b.said_on:
        n = min(len(a.said_on), len(b.said_on))
        if a.said_on[:n] != b.said_on[:n]:
            return False
    da, db = dates.get(a.article_id), dates.get(b.article_id)
    if not da or not db:
        return True
    late = b if da <= db else a
    d_early, d_late = min(da, db), max(da, db)
    gap = (date.fromisoformat(d_late[:10]) - date.fromisoformat(d_early[:10])).days
    if gap <= STATEMENT_WINDOW_DAYS:
        return True
    said = late.said_on
    return said is not None and said[:7] == d_early[:7]


def _longest_run(wa: Sequence[str], wb: Sequence[str]) -> tuple[int, float]:
    match = SequenceMatcher(None, wa, wb, autojunk=False).find_longest_match(0, len(wa), 0, len(wb))
    return match.size, match.size / max(1, min(len(wa), len(wb)))


def _containment(wa: Sequence[str], wb: Sequence[str], k: int = 3) -> float:
    sa = {tuple(wa[i : i + k]) for i in range(len(wa) - k + 1)}
    sb = {tuple(wb[i : i + k]) for i in range(len(wb) - k + 1)}
    if len(sa) < 2 or len(sb) < 2:
        return 0.0  # one trigram is a run, judged by the run rule
    return len(sa & sb) / min(len(sa), len(sb))


def _anchors(text: str) -> set[str]:
    """Names and numbers of a quote, romanized and folded: what survives translation.

    A capitalized word opening a sentence is no name ("We", "Мы") and is skipped.
    """
    found: set[str] = set()
    for match in _ANCHOR.finditer(text):
        token = str(match.group(0))
        before = text[: match.start()].rstrip()
        if token[0].isdigit():
            found.add(regex.sub(r"\D", "", token))
        elif before and before[-1] not in _SENTENCE_OPENERS:
            found.add(skeleton(token))
    return found


def _cross_lingual(a: Quote, b: Quote) -> bool:
    if a.said_on and b.said_on and a.said_on != b.said_on:
        return False
    xa, xb = _anchors(a.text), _anchors(b.text)
    # Names match loosely, as the actors stage matches them: a translation
    # inflects them ("Tiraspol" / "в Тирасполе"); numbers must be equal.
    shared = sum(
        1 for x in xa if any(x == y or (not x.isdigit() and similar_names(x, y)) for y in xb)
    )
    if shared < CROSS_LINGUAL_MIN_ANCHORS:
        return False
    return shared / (len(xa) + len(xb) - shared) >= CROSS_LINGUAL_ANCHOR_JACCARD


def _make_group(members: Sequence[Quote], dates: Mapping[str, str | None]) -> VariantGroup:
    def order(q: Quote) -> tuple[bool, str, str, int]:
        date = dates.get(q.article_id)
        return (date is None, date or "", q.article_id, q.start)

    ordered = sorted(members, key=order)
    ids = tuple(q.id for q in ordered)
    digest = hashlib.sha1("|".join(sorted(ids)).encode("utf-8")).hexdigest()
    first = ordered[0]
    diffs = tuple((q.id, tuple(word_diff(first.text, q.text))) for q in ordered[1:])
    return VariantGroup(id="v-" + digest[:10], quote_ids=ids, earliest=first.id, differences=diffs)
