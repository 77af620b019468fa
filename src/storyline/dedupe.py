"""Dedupe: find the articles that are the same text in another form, and say how.

Copies must never count as independent confirmation, so each article is linked
to the others that are the same text: `exact` (same body), `reformatted`
(whitespace, quote styles, entities or boilerplate differ), `excerpt` (one is a
truncated or partial copy of the other), `edited` (new headline or dateline, a
few sentences added or removed) and `rewrite` (spun: words swapped all through,
clauses reordered, the same sentences in the same order). Translations are not
linked: nothing that runs offline here aligns two languages precisely enough.

Two stages keep adding one article cheap at any size:

1. candidates: an exact-text dict; MinHash LSH (datasketch) over word 5-gram
   shingles of the whole body and of its lead, so that truncated copies are
   found although their Jaccard is low; MinHash LSH over content-word sets for
   rewrites, whose candidates are re-ranked by TF-IDF cosine (scikit-learn);
2. a precise check per pair (`storyline.overlap`): shared word runs give the
   containment of each text in the other, the places where words were swapped and
   the evidence passages; where too little is shared verbatim, a monotone
   alignment of the sentences by content words decides whether one is a rewrite.

Linked articles form groups; a group's original is chosen by evidence (earliest
date, then most complete text, then a named outlet) and every link of the group
points at it. Nothing is deleted: a copy is a link, never a removal.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix  # type: ignore[import-untyped]
from sklearn.feature_extraction.text import TfidfTransformer  # type: ignore[import-untyped]

from storyline.clean import Cues, cue_label, load_cues
from storyline.overlap import (
    LINE,
    U32,
    WORD,
    Mask,
    Run,
    Text,
    align_sentences,
    body_key,
    covered,
    sentences,
    shared_runs,
    swaps,
    text_of,
)
from storyline.records import Article
from storyline.sketches import (
    TERM_BUCKETS,
    IndexedCopy,
    SignatureRows,
    Sketches,
    unpack_sketches,
)
from storyline.textstats import SENTENCE_END, is_prose

Span4 = tuple[int, int, int, int]  # (start, end) in one text, (start, end) in the other

RELATIONS: tuple[str, ...] = ("exact", "reformatted", "excerpt", "edited", "rewrite")


@dataclass(frozen=True, slots=True)
class CopySettings:
    """The named thresholds of copy detection.

    Tuned on the synthetic copies and hard negatives of `bench/copies.py --split
    even` (Scrapinghub gold bodies, ECB+ same-subtopic pairs); its figures to
    quote are those of the odd items and of the GVA wire copies.
    """

    shingle_size: int = 5  # word 5-grams: the unit the GVA README measures wire copies in
    # Shingle LSH: 32 bands of 3 rows find a pair of Jaccard 0.5 99% of the time
    # and 0.4 88% (1 - (1 - J^3)^32); the lead's own key finds truncated copies.
    shingle_bands: int = 32
    shingle_rows: int = 3
    lead_words: int = 80
    # Content-word LSH for rewrites: 40 bands of 3 rows find Jaccard 0.45 98% of
    # the time; spun copies measured 0.48-0.96 (bench, even items).
    content_bands: int = 40
    content_rows: int = 3
    # Anchor LSH (names and numbers), for rewrites that paraphrase more than they
    # swap: 20 bands of 3 rows find anchor Jaccard 0.6 99% of the time; the
    # example corpus's rewrite measured content words 0.33 and anchors 0.82.
    anchor_bands: int = 20
    anchor_rows: int = 3
    seed: int = 20240611
    # LSH hits below these estimated Jaccards are dropped before any precise check.
    min_shingle_jaccard: float = 0.2
    min_content_jaccard: float = 0.3
    min_anchor_jaccard: float = 0.5
    min_passage_words: int = 8  # shorter shared runs are phrases, not copied passages
    min_copy_words: int = 20  # a shorter text is a line, not a copy (unless exactly the same)
    # An excerpt: the shorter text this much contained in the longer, and at most
    # this share of its length (above it, a copy with a few sentences cut: edited).
    excerpt_min_containment: float = 0.9
    excerpt_max_share: float = 0.85
    edited_min_coverage: float = 0.5  # both texts covered this much by shared runs
    # Swapped-word sites per 100 words that make a verbatim-looking copy a rewrite:
    # spun copies measured 0.8-5.3 at the 5th-100th percentile, edited ones 0.
    rewrite_min_swaps: float = 0.75
    # Rewrite candidates: re-ranked by TF-IDF cosine, the best few aligned sentence
    # by sentence; a sentence pair aligns at this Dice of content words.
    rewrite_top_k: int = 8
    rewrite_min_cosine: float = 0.35
    sentence_min_dice: float = 0.3
    # Alignment score (aligned Dice summed over the longer text's sentences): spun
    # copies 0.55 and up, the example corpus's content-farm rewrite 0.46 (its
    # original still holds an appeal box), different articles on one event at
    # most 0.41 (ECB+, even items).
    rewrite_min_score: float = 0.45
    # And most names and numbers shared: spun copies 0.69 and up, different ECB+
    # articles on one event 0.39 at the 95th percentile; two GVA reports written
    # from one police template share their sentences' shape, not their names.
    rewrite_min_anchor_jaccard: float = 0.5
    rewrite_min_aligned: float = 0.6  # share of the shorter text's sentences aligned
    # Content-word Jaccard below which no alignment is tried: spun copies 0.48 and
    # up, the example corpus's rewrite 0.33 (bench, even items; a cost cut only).
    rewrite_min_content_jaccard: float = 0.25
    rewrite_min_length_ratio: float = 0.5
    max_checks: int = 40  # precise checks per added article, at most
    max_evidence: int = 5  # passages kept per link
    passage_chars: int = 160  # a passage's text is cut to this many characters


@dataclass(frozen=True, slots=True)
class CopyDoc:
    """What copy detection needs of an article."""

    id: str
    body: str
    title: str | None = None
    language: str | None = None
    date: str | None = None  # ISO date (or date-time), None when unknown
    outlet: str | None = None


@dataclass(frozen=True, slots=True)
class Passage:
    """A passage both texts share: [start, end) in the copy's body, then in the original's."""

    text: str  # the copy's words, cut to CopySettings.passage_chars
    start: int
    end: int
    original_start: int
    original_end: int


@dataclass(frozen=True, slots=True)
class CopyLink:
    """`article_id` is a copy of `original_id`, related as `relation` (one of RELATIONS)."""

    article_id: str
    original_id: str
    relation: str
    similarity: float
    evidence: tuple[Passage, ...]


@dataclass(frozen=True, slots=True)
class CopyGroup:
    """One original and its copies; every member links straight to the original."""

    original: str
    members: tuple[CopyLink, ...]


@dataclass(frozen=True, slots=True)
class CopyReader:
    """What a resumed index reads from its store when a check needs it."""

    bodies: Callable[[list[str]], dict[str, str]]  # article id -> body
    terms: Callable[[list[int]], dict[int, int]]  # hashed term -> documents holding it
    records: Callable[[list[int]], list[IndexedCopy]]  # by index, without bodies


def doc_from_article(a: Article) -> CopyDoc:
    return CopyDoc(a.id, a.body, a.title, a.language, a.published.date, a.outlet)


def find_copies(docs: Iterable[CopyDoc], settings: CopySettings | None = None) -> list[CopyGroup]:
    """Groups of copies among the docs; a doc in no group is a copy of nothing."""
    index = CopyIndex(settings)
    for doc in docs:
        index.add(doc)
    return index.groups()


def independent_ids(groups: Iterable[CopyGroup], ids: Iterable[str]) -> list[str]:
    """The ids that count as independent sources: originals and articles in no group."""
    copies = {link.article_id for group in groups for link in group.members}
    return [i for i in ids if i not in copies]


@dataclass(frozen=True, slots=True)
class Match:
    """How two texts relate, and what shows it: (a start, a end, b start, b end) spans."""

    relation: str
    similarity: float
    spans: tuple[Span4, ...]


# --------------------------------------------------------------------------- the index


# Unshared lines above or below the shared text pass for boilerplate (when the
# cleaner's cues do not say so) if each has at most MAX_EDGE_LINE_WORDS words and
# all of them at most MAX_EDGE_WORDS, and at most MAX_EDGE_SHARE of the text: the
# held-out templates' blocks are 1-4 lines of under 30 words; a truncated copy's
# missing tail is a fifth of the text or more.
MAX_EDGE_LINE_WORDS = 30
MAX_EDGE_WORDS = 80
MAX_EDGE_SHARE = 0.15
MAX_BOILERPLATE_SHARE = 0.5

TEXT_CACHE_SIZE = 512  # texts kept tokenised: one add's candidates, one group


@dataclass(slots=True)
class _Entry:
    doc: CopyDoc  # its body is "" until first needed when the entry was resumed
    key: str  # body_key of the body
    words_key: str  # hash of its word hashes: the same words in another layout
    content: U32  # hashes of its content words, for the TF-IDF re-rank
    lead: U32 | None = None  # signature of its lead, when it has one
    completeness: int | None = None  # computed when first needed
    pending: bool = False  # body still to be fetched


def _pending_entry(stored: IndexedCopy) -> _Entry:
    """An index entry read back from the store; its body is fetched only if a check needs it."""
    return _Entry(
        stored.doc,
        stored.key,
        stored.words_key,
        stored.content,
        stored.lead,
        stored.completeness,
        pending=True,
    )


@dataclass(slots=True)
class _Graph:
    """Union-find over the indexed articles, and the pairs found linked."""

    parent: dict[int, int] = field(default_factory=dict)
    pairs: dict[tuple[int, int], Match] = field(default_factory=dict)
    neighbours: dict[int, list[int]] = field(default_factory=dict)

    def find(self, index: int) -> int:
        parent = self.parent
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    def link(self, a: int, b: int, match: Match) -> None:
        self.pairs[(a, b)] = match
        self.neighbours.setdefault(a, []).append(b)
        self.neighbours.setdefault(b, []).append(a)
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            self.parent[max(root_a, root_b)] = min(root_a, root_b)


class CopyIndex:
    """An incremental copy index: `add` one article at a time, ask for `groups` at any point.

    An index can also be resumed over a store (`resume`): it then holds only the
    articles indexed before that the new ones can meet (the store finds them by
    band key), with their groups, and fetches bodies when a check needs them.
    """

    def __init__(self, settings: CopySettings | None = None, cues: Cues | None = None) -> None:
        self.settings = s = settings or CopySettings()
        self._cues = cues or load_cues()
        self._shingles = Sketches(s.shingle_bands, s.shingle_rows, s.seed)
        self._content = Sketches(s.content_bands, s.content_rows, s.seed + 1)
        self._anchors = Sketches(s.anchor_bands, s.anchor_rows, s.seed + 2)
        self._tfidf = TfidfTransformer(sublinear_tf=True)
        self._df = np.zeros(TERM_BUCKETS, dtype=np.int32)  # documents per hashed term
        self._entries: dict[int, _Entry] = {}
        self._count = 0  # articles indexed, resumed ones included
        self._ids: dict[str, int] = {}
        self._same_body: dict[str, int] = {}
        self._same_words: dict[str, int] = {}
        self._graph = _Graph()
        self._originals: dict[int, int] = {}  # group root -> its original so far
        self._stored: dict[int, int] = {}  # resumed article -> its group's original when saved
        self._cache: dict[int, Text] = {}
        self._reader: CopyReader | None = None  # resumed: reads what is not held
        self._df_known: Mask | None = None  # resumed: which terms' counts are fetched
        self._first_new = 0  # indices from here on were added in this session

    def __len__(self) -> int:
        return self._count

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._ids

    def add(self, doc: CopyDoc) -> list[CopyLink]:
        """Index one article; return its links to articles added before (none if known)."""
        if doc.id in self._ids:
            return self._links_of(self._ids[doc.id])
        s = self.settings
        text = text_of(doc.body, s.shingle_size)
        index = self._count
        content = text.content_hashes()
        words_key = hashlib.sha256(text.hashes.tobytes()).hexdigest()
        whole = self._shingles.sign(text.shingles)
        lead = None
        if text.length >= s.lead_words * 5 // 4:
            lead = self._shingles.sign(text.shingles[: s.lead_words - text.size + 1])
        entry = _Entry(
            doc, body_key(doc.body), words_key, content, None if lead is None else lead.hashvalues
        )
        self._entries[index] = entry
        self._count += 1
        self._ids[doc.id] = index
        self._graph.parent[index] = index
        self._remember(index, text)

        content_signature = self._content.sign(content)
        anchor_signature = self._anchors.sign(text.anchor_hashes())
        twins = (self._same_body.get(entry.key), self._same_words.get(words_key))
        candidates = [i for i in twins if i is not None]
        candidates += self._verbatim_candidates(whole, lead, set(candidates))
        self._check(index, candidates)
        signatures = (content_signature, anchor_signature)
        self._check(index, self._rewrite_candidates(index, content, signatures, set(candidates)))
        self._index(index, entry, whole, lead, content_signature, anchor_signature)
        self._df[np.unique(content % TERM_BUCKETS)] += 1
        return self._links_of(index)

    def sketch(self, doc: CopyDoc) -> IndexedCopy:
        """What `add` would keep of an article, without adding it: a store plans with its
        keys which indexed articles to resume."""
        s = self.settings
        text = text_of(doc.body, s.shingle_size)
        content = text.content_hashes()
        lead = None
        if text.length >= s.lead_words * 5 // 4:
            lead = self._shingles.sign(text.shingles[: s.lead_words - text.size + 1]).hashvalues
        return IndexedCopy(
            -1,
            doc,
            body_key(doc.body),
            hashlib.sha256(text.hashes.tobytes()).hexdigest(),
            content,
            self._shingles.sign(text.shingles).hashvalues,
            self._content.sign(content).hashvalues,
            self._anchors.sign(text.anchor_hashes()).hashvalues,
            lead,
            completeness(doc.body, lambda: text.length),
        )

    def worth_resuming(
        self, new: Sequence[IndexedCopy], stored: Mapping[int, bytes], lead_hits: set[int]
    ) -> set[int]:
        """Which of these LSH hits (seq -> packed sketch) a check of a new article could use.

        The LSH filters drop a hit whose estimated Jaccard with the new article is
        below the thresholds in every family, unless it met the lead; such a hit
        changes nothing, and on a common topic most hits are of that kind.
        """
        s = self.settings
        if not stored or not new:
            return set()
        held = unpack_sketches(stored, s)
        seqs = held.seqs
        kept = np.zeros(len(seqs), dtype=bool)
        for rows, family, floor in (
            (held.whole, 0, s.min_shingle_jaccard),
            (held.content, 1, s.min_content_jaccard),
            (held.anchor, 2, s.min_anchor_jaccard),
        ):
            for entry in new:
                mine = (entry.whole, entry.content_signature, entry.anchor_signature)[family]
                kept |= (rows == mine).mean(axis=1) >= floor
        chosen = {q for q, ok in zip(seqs, kept.tolist(), strict=True) if ok}
        return chosen | (lead_hits & set(seqs))

    def _index(
        self, index: int, entry: _Entry, whole: Any, lead: Any, content: Any, anchor: Any
    ) -> None:
        """Make an article a candidate for those added after it."""
        self._shingles.insert(2 * index, whole, index)
        if lead is not None:
            self._shingles.lsh.insert(2 * index + 1, lead, check_duplication=False)
        self._content.insert(index, content, index)
        self._anchors.insert(index, anchor, index)
        self._same_body.setdefault(entry.key, index)
        self._same_words.setdefault(entry.words_key, index)

    # ------------------------------------------------------------------ resuming

    def resume(
        self,
        count: int,
        prior: Iterable[IndexedCopy],
        signed: Mapping[int, bytes],
        originals: Mapping[int, int],
        twins: tuple[Mapping[str, int], Mapping[str, int]],
        reader: CopyReader,
    ) -> None:
        """Go on after `count` articles, holding only some of them (a new index only).

        `prior` and `signed` must hold every article indexed before that shares a
        band key, a body key or a words key with one about to be added; `prior`
        also the original of each one's group (`originals`: index -> its group's
        original, for those in a group), and `twins` the first index of each such
        body key, and words key. `signed` are held by their packed signatures
        alone (`pack_sketch`): their records are read through `reader` only if a
        check needs them, since on a common text most hits are skipped unread
        (below the Jaccard floors, or in the group the new article joined).
        Adding then links exactly as an index that held every article would.
        """
        if self._count:
            raise ValueError("only an empty index can be resumed")
        self._count = self._first_new = count
        self._reader = reader
        self._df_known = np.zeros(TERM_BUCKETS, dtype=bool)
        for entry in sorted(prior, key=lambda e: e.index):
            self._restore(entry)
        fresh = {q: blob for q, blob in signed.items() if q not in self._entries}
        self._hold_many(unpack_sketches(fresh, self.settings))
        for member, original in originals.items():
            if member in self._stored and original in self._entries:
                self._graph.parent[member] = original
                self._originals[original] = original
                self._stored[member] = original
        self._same_body.update(twins[0])
        self._same_words.update(twins[1])

    def _restore(self, stored: IndexedCopy) -> None:
        i = stored.index
        if i in self._entries:
            return
        self._remember_entry(stored)
        self._hold(i, stored.whole, stored.content_signature, stored.anchor_signature, stored.lead)
        self._same_body.setdefault(stored.key, i)
        self._same_words.setdefault(stored.words_key, i)

    def _hold(self, i: int, whole: U32, content: U32, anchor: U32, lead: U32 | None) -> None:
        """Make a resumed article a candidate by its signatures, in a group of its own
        until `resume` puts it in its saved one."""
        self._graph.parent[i] = i
        self._stored[i] = i
        self._shingles.restore(2 * i, whole, i)
        if lead is not None:
            self._shingles.restore(2 * i + 1, lead, None)
        self._content.restore(i, content, i)
        self._anchors.restore(i, anchor, i)

    def _hold_many(self, held: SignatureRows) -> None:
        """`_hold` for many articles at once."""
        seqs = held.seqs
        for i in seqs:
            self._graph.parent[i] = self._stored[i] = i
        self._shingles.restore_many([2 * i for i in seqs], held.whole, seqs)
        leads = sorted(held.leads)
        if leads:
            lead_rows = np.stack([held.leads[i] for i in leads])
            self._shingles.restore_many([2 * i + 1 for i in leads], lead_rows, None)
        self._content.restore_many(seqs, held.content, seqs)
        self._anchors.restore_many(seqs, held.anchor, seqs)

    def _remember_entry(self, stored: IndexedCopy) -> None:
        self._entries[stored.index] = _pending_entry(stored)
        self._ids[stored.doc.id] = stored.index

    def _read_entries(self, indices: Iterable[int]) -> None:
        """Read the records of held articles known so far by their signatures alone."""
        missing = [i for i in dict.fromkeys(indices) if i not in self._entries]
        if missing and self._reader is not None:
            for stored in self._reader.records(missing):
                self._remember_entry(stored)

    def added(self) -> list[IndexedCopy]:
        """The articles added in this session, as a store keeps them."""
        return [self.indexed(i) for i in range(self._first_new, self._count)]

    def indexed(self, index: int) -> IndexedCopy:
        entry = self._entries[index]
        return IndexedCopy(
            index,
            entry.doc,
            entry.key,
            entry.words_key,
            entry.content,
            self._shingles.row(index),
            self._content.row(index),
            self._anchors.row(index),
            entry.lead,
            self._completeness(index),
        )

    def holds(self, index: int) -> bool:
        return index in self._entries

    def indexed_of(self, doc_id: str) -> int:
        """The index of an article held (added or resumed)."""
        return self._ids[doc_id]

    def new_pairs(self) -> list[tuple[int, int, Match]]:
        """Pairs linked in this session (each holds an article added in it)."""
        first = self._first_new
        return [(a, b, m) for (a, b), m in self._graph.pairs.items() if max(a, b) >= first]

    def touched(self) -> tuple[list[int], list[str]]:
        """Group roots that articles of this session are in, and the ids of the saved
        originals in them that are no longer their group's original.

        Only the members of those groups need new links (the caller `attach`es
        them): a copy whose original stays keeps its saved link, so a large group
        that a new copy joins is not read back.
        """
        graph, first = self._graph, self._first_new
        roots = sorted({graph.find(i) for i in range(first, self._count) if i in graph.neighbours})
        held: dict[int, list[int]] = {root: [] for root in roots}
        for i in sorted(self._entries):
            if (root := graph.find(i)) in held:
                held[root].append(i)
        replaced = set()
        for members in held.values():
            original = min(members, key=self._original_key)
            replaced |= {self._stored[i] for i in members if i < first} - {original}
        return roots, [self._entries[i].doc.id for i in sorted(replaced)]

    def attach(
        self,
        members: Iterable[tuple[IndexedCopy, str]],
        pairs: Iterable[tuple[int, int, Match]],
    ) -> None:
        """Add resumed group members (each with its old original's id) and their pairs."""
        for stored, original in members:
            self._restore_member(stored, self._ids[original])
            self._stored.setdefault(stored.index, self._ids[original])
        for a, b, match in pairs:
            if a in self._entries and b in self._entries and (a, b) not in self._graph.pairs:
                self._graph.pairs[(a, b)] = match

    def _restore_member(self, stored: IndexedCopy, original: int) -> None:
        if stored.index in self._entries:
            return
        self._entries[stored.index] = _pending_entry(stored)
        self._ids[stored.doc.id] = stored.index
        self._graph.parent[stored.index] = original
        self._graph.neighbours.setdefault(stored.index, [])

    def _ensure_df(self, terms: npt.NDArray[Any]) -> None:
        known = self._df_known
        if known is None or self._reader is None:
            return
        missing = terms[~known[terms]]
        if len(missing):
            for term, count in self._reader.terms(missing.tolist()).items():
                self._df[term] += count
            known[missing] = True

    def _prefetch(self, indices: Iterable[int]) -> None:
        """Fetch the bodies of these resumed articles in one call."""
        pending = [self._entries[i] for i in indices if self._entries[i].pending]
        if not pending or self._reader is None:
            return
        bodies = self._reader.bodies([entry.doc.id for entry in pending])
        for entry in pending:
            entry.doc = replace(entry.doc, body=bodies[entry.doc.id])
            entry.pending = False

    def _doc(self, index: int) -> CopyDoc:
        """The article, its body fetched first if it was resumed without one."""
        entry = self._entries[index]
        if entry.pending and self._reader is not None:
            bodies = self._reader.bodies([entry.doc.id])
            entry.doc = replace(entry.doc, body=bodies[entry.doc.id])
            entry.pending = False
        return entry.doc

    def _check(self, index: int, candidates: Iterable[int]) -> None:
        """Compare with each candidate, or first with the original of its group.

        A link straight to the original is the one `groups` reports; found here,
        it need not be worked out there.
        """
        graph = self._graph
        for candidate in dict.fromkeys(candidates):
            if graph.find(candidate) == graph.find(index):
                continue  # already in this article's group: one link there is enough
            original = self._originals.get(graph.find(candidate), candidate)
            self._read_entries((original, candidate))  # a resumed hit held by signature
            for other in dict.fromkeys((original, candidate)):
                match = self.compare(index, other)
                if match is not None:
                    best = [self._originals.get(graph.find(n), n) for n in (index, other)]
                    graph.link(index, other, match)
                    self._originals[graph.find(index)] = min(best, key=self._original_key)
                    break

    def _verbatim_candidates(self, whole: Any, lead: Any, seen: set[int]) -> list[int]:
        """Shingle-LSH hits, the most similar first; a shared lead always counts."""
        hits = {key // 2 for key in self._shingles.query(whole)}
        leads = {key // 2 for key in self._shingles.query(lead)} if lead is not None else set()
        keys = sorted((hits | leads) - seen)
        if not keys:
            return []
        estimates = self._shingles.jaccard(whole, keys).tolist()
        kept = [
            (e, k)
            for e, k in zip(estimates, keys, strict=True)
            if e >= self.settings.min_shingle_jaccard or k in leads
        ]
        return [k for _, k in sorted(kept, key=lambda p: (-p[0], p[1]))][: self.settings.max_checks]

    def _rewrite_candidates(
        self, index: int, content: U32, signatures: Any, seen: set[int]
    ) -> list[int]:
        """Content-word and anchor LSH hits outside the article's group so far, re-ranked
        by TF-IDF cosine: the best few."""
        s = self.settings
        if len(content) == 0:
            return []  # no content word: every cosine is 0, under rewrite_min_cosine
        signature, anchor_signature = signatures
        by_content = [k for k in self._content.query(signature) if k not in seen]
        by_anchor = [k for k in self._anchors.query(anchor_signature) if k not in seen]
        keys = sorted(set(by_content) | set(by_anchor))
        if not keys:
            return []
        near = (self._content.jaccard(signature, keys) >= s.min_content_jaccard) | (
            self._anchors.jaccard(anchor_signature, keys) >= s.min_anchor_jaccard
        )
        group = self._graph.find(index)
        keys = [
            k
            for k, ok in zip(keys, near.tolist(), strict=True)
            if ok and self._graph.find(k) != group
        ]
        if not keys:
            return []
        self._read_entries(keys)
        rows = [content] + [self._entries[k].content for k in keys]
        terms, columns = np.unique(np.concatenate(rows) % TERM_BUCKETS, return_inverse=True)
        places = np.repeat(np.arange(len(rows)), [len(r) for r in rows])
        counts = csr_matrix(
            (np.ones(len(columns)), (places, columns)), shape=(len(rows), len(terms))
        )
        self._ensure_df(terms)
        self._tfidf.idf_ = np.log((1.0 + self._count) / (1.0 + self._df[terms])) + 1.0
        weighted = self._tfidf.transform(counts).toarray()  # sublinear tf x idf, L2 rows
        cosine = weighted[1:] @ weighted[0]
        ranked = sorted(zip(cosine.tolist(), keys, strict=True), key=lambda p: (-p[0], p[1]))
        return [k for c, k in ranked[: s.rewrite_top_k] if c >= s.rewrite_min_cosine]

    # ------------------------------------------------------------------ comparing

    def compare(self, i: int, j: int, force: bool = False) -> Match | None:
        """How articles i and j relate, or None; with `force`, the closest relation always.

        Always worked out in the order of their ids, so that the answer does not
        depend on which of the two came first.
        """
        if self._entries[i].doc.id > self._entries[j].doc.id:  # ids are known unfetched
            match = self._compare(j, i, force)
            if match is None:
                return None
            flipped = tuple((b0, b1, a0, a1) for a0, a1, b0, b1 in match.spans)
            return Match(match.relation, match.similarity, flipped)
        return self._compare(i, j, force)

    def _compare(self, i: int, j: int, force: bool) -> Match | None:
        s = self.settings
        first, second = self._entries[i], self._entries[j]
        same_title = _titles_agree(first.doc.title, second.doc.title)
        x, y = self._text(i), self._text(j)
        if first.key == second.key:
            whole = ((0, len(self._doc(i).body), 0, len(self._doc(j).body)),) if x.length else ()
            return Match("exact" if same_title else "edited", 1.0, whole)
        if x.length == 0 or y.length == 0:
            return Match("edited", 0.0, ()) if force else None
        fine = shared_runs(x, y, s.shingle_size)
        runs = [run for run in fine if run.length >= s.min_passage_words]
        longest = sorted(runs, key=lambda run: -run.length)[: s.max_evidence]
        spans = tuple(_spans(x, y, longest))
        if np.array_equal(x.hashes, y.hashes):
            return Match("reformatted" if same_title else "edited", 1.0, spans)
        mark_x, mark_y = covered(runs, x.length, "a"), covered(runs, y.length, "b")
        cover_x, cover_y = float(mark_x.mean()), float(mark_y.mean())
        if (
            same_title
            and self._only_boilerplate_differs(i, x, mark_x)
            and self._only_boilerplate_differs(j, y, mark_y)
        ):
            return Match("reformatted", round(min(cover_x, cover_y), 4), spans)
        shorter = min(x.length, y.length)
        if shorter < s.min_copy_words and not force:
            return None
        contained = cover_x if x.length <= y.length else cover_y
        share = shorter / max(x.length, y.length)
        dice = round((cover_x * x.length + cover_y * y.length) / (x.length + y.length), 4)
        spun = 100 * swaps(fine) / shorter >= s.rewrite_min_swaps and swaps(fine) >= 2
        if contained >= s.excerpt_min_containment or min(cover_x, cover_y) >= s.edited_min_coverage:
            if spun:
                return Match("rewrite", dice, spans)
            if (
                contained >= s.excerpt_min_containment
                and share <= s.excerpt_max_share
                and _one_stretch(mark_y if x.length <= y.length else mark_x, shorter)
            ):
                return Match("excerpt", round(contained, 4), spans)
            return Match("edited", dice, spans)
        return self._rewrite(i, j, spans, force, contained)

    def _rewrite(
        self, i: int, j: int, spans: tuple[Span4, ...], force: bool, contained: float
    ) -> Match | None:
        """Is one a rewrite of the other: most sentences aligned, in order, by content words?"""
        s = self.settings
        first, second = self._doc(i), self._doc(j)
        x, y = self._text(i), self._text(j)
        languages = {first.language, second.language} - {None}
        share = min(x.length, y.length) / max(x.length, y.length)
        names = _jaccard(x.anchor_hashes(), y.anchor_hashes())
        if not force and (
            len(languages) > 1
            or share < s.rewrite_min_length_ratio
            or names < s.rewrite_min_anchor_jaccard  # cheap tests first: most pairs stop here
            or _jaccard(x.content_hashes(), y.content_hashes()) < s.rewrite_min_content_jaccard
        ):
            return None
        ranges_x, ranges_y = sentences(first.body, x), sentences(second.body, y)
        alignment = align_sentences(
            [frozenset(x.content_hashes(a, b).tolist()) for a, b in ranges_x],
            [frozenset(y.content_hashes(a, b).tolist()) for a, b in ranges_y],
            s.sentence_min_dice,
        )
        if (
            alignment.score < s.rewrite_min_score
            or alignment.aligned_share < s.rewrite_min_aligned
            or names < s.rewrite_min_anchor_jaccard
        ):
            if not force:
                return None
            if contained >= 0.5:  # a copy of part of a copy: closest is a partial copy
                relation = "excerpt" if share <= s.excerpt_max_share else "edited"
                return Match(relation, round(contained, 4), spans)
        # Evidence: the passages kept verbatim (quotations, mostly), then the
        # best-aligned sentences that are not already inside one of them.
        best = sorted(alignment.pairs, key=lambda pair: -pair[2])
        aligned = [_span(x, y, ranges_x[a], ranges_y[b]) for a, b, _ in best]
        fresh = [a for a in aligned if not any(v[0] <= a[0] and a[1] <= v[1] for v in spans)]
        shown = fresh[: max(s.max_evidence - len(spans), 0)]
        return Match("rewrite", round(alignment.score, 4), tuple(sorted([*spans, *shown])))

    def _only_boilerplate_differs(self, index: int, text: Text, mark: Mask) -> bool:
        """Is every unshared word on an unshared line of boilerplate or at the edges?

        A copy wrapped in other boilerplate differs by whole lines: at the top or
        the bottom, or lines that read as boilerplate. An edited copy differs
        inside its lines, or by lines of prose in its middle.
        """
        if mark.all():
            return True
        shared = np.flatnonzero(mark)
        if len(shared) == 0:
            return False
        if text.length - len(shared) > MAX_BOILERPLATE_SHARE * text.length:
            return False  # too much unshared to be furniture: the cue lists are slow
        first, last = int(shared[0]), int(shared[-1])
        edge_words = int(first + (text.length - 1 - last))
        short_edges = edge_words <= min(MAX_EDGE_WORDS, MAX_EDGE_SHARE * text.length)
        for line in LINE.finditer(self._doc(index).body):
            a, b = np.searchsorted(text.starts, [line.start(), line.end()]).tolist()
            if b <= a or mark[a:b].all():
                continue
            if mark[a:b].any():
                return False
            at_edge = b <= first or a > last
            if not (
                at_edge and short_edges and b - a <= MAX_EDGE_LINE_WORDS
            ) and not self._boilerplate_line(line.group().strip()):
                return False
        return True

    def _boilerplate_line(self, line: str) -> bool:
        return not is_prose(line) or cue_label(line, self._cues)[0] is not None

    # ------------------------------------------------------------------ groups

    def groups(self, roots: Iterable[int] | None = None) -> list[CopyGroup]:
        """Connected groups of copies, each with its original chosen by evidence.

        With `roots`, only those groups. A resumed index leaves out the links saved
        before that stand (a resumed copy whose group's original did not change):
        its groups hold what is to be written, not all their members.
        """
        wanted = None if roots is None else set(roots)
        members: dict[int, list[int]] = {}
        # Resumed group members hold no pairs of this session: all held are candidates.
        for index in self._graph.neighbours if wanted is None else sorted(self._entries):
            root = self._graph.find(index)
            if wanted is None or root in wanted:
                members.setdefault(root, []).append(index)
        groups: list[CopyGroup] = []
        for indices in members.values():
            original = min(indices, key=self._original_key)
            relinked = [i for i in indices if i != original and self._relinked(i, original)]
            self._prefetch([original, *relinked])
            links = sorted((self._link(i, original) for i in relinked), key=lambda x: x.article_id)
            groups.append(CopyGroup(self._entries[original].doc.id, tuple(links)))
        return sorted(groups, key=lambda group: group.original)

    def _relinked(self, index: int, original: int) -> bool:
        """Is the link of this article to its group's original new (not saved as it is)?"""
        return index >= self._first_new or self._stored.get(index, index) != original

    def _links_of(self, index: int) -> list[CopyLink]:
        links = []
        for other in self._graph.neighbours.get(index, []):
            copy, original = sorted((index, other), key=self._original_key, reverse=True)
            links.append(self._link(copy, original))
        return links

    def _link(self, copy: int, original: int) -> CopyLink:
        pairs = self._graph.pairs
        match, flipped = pairs.get((copy, original)), False
        if match is None and (original, copy) in pairs:
            match, flipped = pairs[(original, copy)], True
        if match is None:
            match = self.compare(copy, original, force=True)
        assert match is not None  # force always names a relation
        copy_doc, original_doc = self._doc(copy), self._doc(original)
        evidence = []
        for a0, a1, b0, b1 in match.spans:
            if flipped:
                a0, a1, b0, b1 = b0, b1, a0, a1
            snippet = copy_doc.body[a0:a1]
            if len(snippet) > self.settings.passage_chars:
                snippet = snippet[: self.settings.passage_chars - 1].rstrip() + "…"
            evidence.append(Passage(snippet, a0, a1, b0, b1))
        evidence.sort(key=lambda passage: passage.start)
        return CopyLink(
            copy_doc.id, original_doc.id, match.relation, match.similarity, tuple(evidence)
        )

    def _original_key(self, index: int) -> tuple[bool, str, int, bool, str]:
        """Earliest date first, then the most complete text, then a named outlet, then id."""
        doc, complete = self._entries[index].doc, self._completeness(index)
        return doc.date is None, doc.date or "", -complete, doc.outlet is None, doc.id

    def _completeness(self, index: int) -> int:
        """Words of the body on lines that end like a sentence (all its words if none does).

        So that a copy padded with boilerplate lines is not "more complete".
        """
        entry = self._entries[index]
        if entry.completeness is None:
            entry.completeness = completeness(
                self._doc(index).body, lambda: self._text(index).length
            )
        return entry.completeness

    def _text(self, index: int) -> Text:
        text = self._cache.get(index)
        if text is None:
            text = text_of(self._doc(index).body, self.settings.shingle_size)
            self._remember(index, text)
        return text

    def _remember(self, index: int, text: Text) -> None:
        if len(self._cache) >= TEXT_CACHE_SIZE:
            self._cache.pop(next(iter(self._cache)))
        self._cache[index] = text


def completeness(body: str, words: Callable[[], int]) -> int:
    """Words of the body on lines that end like a sentence (all its `words()` if none does)."""
    counts = [
        len(WORD.findall(line.group()))
        for line in LINE.finditer(body)
        if SENTENCE_END.search(line.group())
    ]
    return sum(counts) or words()


def _jaccard(a: U32, b: U32) -> float:
    """Jaccard of two hash sets; two empty sets agree."""
    x, y = set(a.tolist()), set(b.tolist())
    return len(x & y) / len(x | y) if x or y else 1.0


def _one_stretch(mark: Mask, shorter: int) -> bool:
    """Does the shorter text come from one stretch of the longer, not from pieces with cuts?

    A truncated or partial copy is one stretch; a copy with sentences cut in the
    middle skips some of the longer text. Allowed: gaps of MAX_EXCERPT_GAP of the shorter.
    """
    shared = np.flatnonzero(mark)
    if len(shared) == 0:
        return False
    skipped = int(shared[-1] - shared[0] + 1) - len(shared)
    return skipped <= MAX_EXCERPT_GAP * shorter


MAX_EXCERPT_GAP = 0.05


def _titles_agree(a: str | None, b: str | None) -> bool:
    """Unknown titles agree with anything; known ones must have the same words."""
    if not a or not b:
        return True
    return WORD.findall(a.casefold()) == WORD.findall(b.casefold())


def _span(x: Text, y: Text, a: tuple[int, int], b: tuple[int, int]) -> Span4:
    """Character spans of words [a0, a1) of x and [b0, b1) of y."""
    return int(x.starts[a[0]]), int(x.ends[a[1] - 1]), int(y.starts[b[0]]), int(y.ends[b[1] - 1])


def _spans(x: Text, y: Text, runs: Iterable[Run]) -> list[Span4]:
    ordered = sorted(runs, key=lambda r: r.a)
    return [_span(x, y, (r.a, r.a + r.length), (r.b, r.b + r.length)) for r in ordered]
