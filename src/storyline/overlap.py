"""Word-level overlap of two texts: the precise check behind copy detection.

A body becomes a `Text` (word spans, word and shingle hashes as numpy arrays, so
that measuring a pair costs array operations, not Python per word); two texts
then share word runs (`shared_runs`), which give containment, swapped words and
evidence passages, and their sentences align one to one by content words
(`align_sentences`) where too little is shared verbatim. Split from `dedupe`,
which keeps the candidate index and the groups.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from storyline.textstats import stopwords

U32 = npt.NDArray[np.uint32]
I64 = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]

# --------------------------------------------------------------------------- words

WORD = re.compile(r"\w+")
ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# A sentence ends at a stop (and closing quotes) before a capital, a digit or an opening quote.
SENTENCE_BREAK = re.compile(r"(?<=[.!?…])[\"'”’»)\]]*\s+(?=[\"'“‘«(\[]?[A-Z0-9À-ÖØ-Þ])|\n+")
LINE = re.compile(r"[^\n]+")


def unescape_in_place(text: str) -> str:
    """Decode HTML entities without moving any offset: each is padded to its own length."""
    if "&" not in text:
        return text
    return ENTITY.sub(
        lambda m: html.unescape(m.group()).ljust(len(m.group()))[: len(m.group())], text
    )


def casefold_in_place(text: str) -> str:
    """Casefolded without moving any offset: a letter that folds to two ("ß") is left as is."""
    folded = text.casefold()
    if len(folded) == len(text):
        return folded
    return "".join(f if len(f := c.casefold()) == 1 else c for c in text)


def body_key(text: str) -> str:
    """Same key, same text: Unicode NFC, newlines and trailing spaces normalised."""
    lines = unicodedata.normalize("NFC", text.replace("\r\n", "\n")).strip().split("\n")
    return hashlib.sha256("\n".join(line.rstrip() for line in lines).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Text:
    """A body as words: their character spans and hashes (casefolded), and shingle hashes.

    Words are never held as strings: at 100,000 articles the per-word Python work
    was most of the cost, so every word measure is a numpy array over the words.
    """

    starts: I64
    ends: I64
    hashes: U32  # of the casefolded word
    stems: U32  # of the word less a plural "s"
    content: Mask  # not a stop word, and more than two letters or a figure
    anchor: Mask  # a capital or a digit first, not a stop word: a name or a number
    shingles: U32  # position i: the shingle that starts at word i
    size: int

    @property
    def length(self) -> int:
        return len(self.hashes)

    def content_hashes(self, first: int = 0, last: int | None = None) -> U32:
        return self.stems[first:last][self.content[first:last]]

    def anchor_hashes(self) -> U32:
        """Names and numbers: a rewrite keeps the people, places and figures of its original."""
        return self.hashes[self.anchor]


# Odd, so invertible modulo 2^64: a word's hash is the same wherever it stands.
HASH_BASE = 0x100000001B3


def span_hashes(codes: U32, starts: I64, ends: I64) -> U32:
    """Polynomial hash of the characters [start, end) of each span, folded to 32 bits."""
    n = len(codes)
    base = np.full(n, HASH_BASE, dtype=np.uint64)
    powers = np.concatenate([[np.uint64(1)], np.cumprod(base)])
    inverse = np.full(n, pow(HASH_BASE, -1, 2**64), dtype=np.uint64)
    inverses = np.concatenate([[np.uint64(1)], np.cumprod(inverse)])
    prefix = np.concatenate([[np.uint64(0)], np.cumsum(codes.astype(np.uint64) * powers[:n])])
    mixed = (prefix[ends] - prefix[starts]) * inverses[starts]
    mixed ^= mixed >> np.uint64(29)
    folded: U32 = ((mixed >> np.uint64(32)) ^ (mixed & np.uint64(0xFFFFFFFF))).astype(np.uint32)
    return folded


def _codes(text: str) -> U32:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def shingle_hashes(hashes: U32, size: int) -> U32:
    """Hash of each run of `size` words (one shingle of all the words when fewer)."""
    if len(hashes) == 0:
        return np.zeros(0, dtype=np.uint32)
    width = min(size, len(hashes))
    count = len(hashes) - width + 1
    wide = hashes.astype(np.uint64)
    mixed = wide[:count].copy()
    for k in range(1, width):
        mixed = mixed * np.uint64(HASH_BASE) + wide[k : k + count]
    mixed ^= mixed >> np.uint64(29)
    return ((mixed >> np.uint64(32)) ^ (mixed & np.uint64(0xFFFFFFFF))).astype(np.uint32)


def text_of(body: str, size: int = 5) -> Text:
    decoded = unescape_in_place(body)
    folded = casefold_in_place(decoded)
    spans = np.array([m.span() for m in WORD.finditer(folded)], dtype=np.int64).reshape(-1, 2)
    starts, ends = spans[:, 0].copy(), spans[:, 1].copy()
    codes = _codes(folded)
    hashes = span_hashes(codes, starts, ends)
    if len(starts) == 0:
        empty = np.zeros(0, dtype=bool)
        return Text(starts, ends, hashes, hashes, empty, empty, hashes, size)
    last, before = codes[ends - 1], codes[np.maximum(ends - 2, starts)]
    plural = (ends - starts > 4) & (last == ord("s")) & (before != ord("s"))
    stems = np.where(plural, span_hashes(codes, starts, ends - 1), hashes)
    first = codes[starts]
    digit = (first >= ord("0")) & (first <= ord("9"))
    stopped = stop_hashes()  # sorted: a binary search beats np.isin's hashing of both
    stop = stopped[np.minimum(np.searchsorted(stopped, hashes), len(stopped) - 1)] == hashes
    original = _codes(decoded)[starts]
    capital = ((original >= ord("A")) & (original <= ord("Z"))) | digit
    for k in np.flatnonzero(original > 127).tolist():  # letters beyond ASCII: ask Python
        capital[k] = chr(original[k]).isupper()
    content = ((ends - starts > 2) | digit) & ~stop
    shingles = shingle_hashes(hashes, size)
    return Text(starts, ends, hashes, stems, content, capital & ~stop, shingles, size)


@lru_cache(maxsize=1)
def stop_hashes() -> U32:
    """Hashes of the stop words (jusText's lists, as the cleaner uses them)."""
    words = sorted(w.casefold() for w in stopwords())
    text = " ".join(words)
    spans = np.array([m.span() for m in re.finditer(r"\S+", text)], dtype=np.int64)
    return np.unique(span_hashes(_codes(text), spans[:, 0], spans[:, 1]))


def sentences(body: str, text: Text) -> list[tuple[int, int]]:
    """Word ranges [first, last) of the body's sentences."""
    bounds = [0, *(m.end() for m in SENTENCE_BREAK.finditer(body)), len(body) + 1]
    cuts = np.searchsorted(text.starts, np.asarray(bounds, dtype=np.int64)).tolist()
    return [(a, b) for a, b in itertools.pairwise(cuts) if b > a]


# --------------------------------------------------------------------------- precise check


@dataclass(frozen=True, slots=True)
class Run:
    """Words [a, a + length) of one text equal words [b, b + length) of the other."""

    a: int
    b: int
    length: int


# A shingle found more often than this in one text is furniture, not a passage.
REPEAT_CAP = 8
# A gap of at most this many words on both sides between two runs is a swapped word.
MAX_SWAP_WORDS = 3


def shared_runs(x: Text, y: Text, min_words: int) -> list[Run]:
    """Maximal runs of shared shingles on one diagonal, as word runs of `min_words` or more.

    Every place of a shingle in y counts (up to REPEAT_CAP), so a repeated line
    does not cut a run short; a run is a stretch where consecutive shingles of x
    sit at consecutive places in y.
    """
    if x.length == 0 or y.length == 0:
        return []
    order = np.argsort(y.shingles, kind="stable")
    sorted_y = y.shingles[order]
    left = np.searchsorted(sorted_y, x.shingles, side="left")
    counts = np.searchsorted(sorted_y, x.shingles, side="right") - left
    counts[counts > REPEAT_CAP] = 0
    total = int(counts.sum())
    if total == 0:
        return []
    rows = np.repeat(np.arange(len(x.shingles), dtype=np.int64), counts)
    within = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    places = order[np.repeat(left, counts) + within].astype(np.int64)
    diagonal = places - rows
    sort = np.lexsort((rows, diagonal))
    rows, diagonal, places = rows[sort], diagonal[sort], places[sort]
    breaks = np.flatnonzero((np.diff(rows) != 1) | (np.diff(diagonal) != 0)) + 1
    firsts = np.r_[0, breaks]
    lasts = np.r_[breaks - 1, len(rows) - 1]
    lengths = rows[lasts] - rows[firsts] + min(x.size, x.length, y.length)
    keep = np.flatnonzero(lengths >= min_words)
    runs = [Run(int(rows[firsts[k]]), int(places[firsts[k]]), int(lengths[k])) for k in keep]
    return sorted(runs, key=lambda run: (run.a, run.b))


def swaps(runs: Sequence[Run]) -> int:
    """Places where a run stops and the next resumes after 1-3 words changed on both sides:
    a spinner swaps words all through a text, an editor cuts whole sentences in a few places."""
    count = 0
    for before, after in itertools.pairwise(runs):
        gap_a = after.a - (before.a + before.length)
        gap_b = after.b - (before.b + before.length)
        count += 0 < gap_a <= MAX_SWAP_WORDS and 0 < gap_b <= MAX_SWAP_WORDS
    return count


def covered(runs: Iterable[Run], length: int, side: str) -> Mask:
    mark = np.zeros(length, dtype=bool)
    for run in runs:
        start = run.a if side == "a" else run.b
        mark[start : start + run.length] = True
    return mark


@dataclass(frozen=True, slots=True)
class Alignment:
    """Sentences of two texts aligned one to one, in order, by content words."""

    pairs: tuple[tuple[int, int, float], ...]  # (sentence in a, sentence in b, Dice)
    count_a: int
    count_b: int

    @property
    def score(self) -> float:
        """Aligned Dice summed over the longer text's sentences: 1 for the same sentences."""
        return sum(p[2] for p in self.pairs) / max(self.count_a, self.count_b, 1)

    @property
    def aligned_share(self) -> float:
        """Share of the shorter text's sentences that found a partner."""
        return len(self.pairs) / max(min(self.count_a, self.count_b), 1)


def align_sentences(
    a: Sequence[frozenset[str]], b: Sequence[frozenset[str]], min_dice: float
) -> Alignment:
    """The monotone one-to-one alignment of most total Dice; pairs under min_dice never align."""
    n, m = len(a), len(b)
    dice = np.zeros((n, m))
    for i, left in enumerate(a):
        for j, right in enumerate(b):
            shared = len(left & right)
            if shared and 2 * shared >= min_dice * (len(left) + len(right)):
                dice[i, j] = 2 * shared / (len(left) + len(right))
    best = np.zeros((n + 1, m + 1))
    for i in range(1, n + 1):
        row, above, weights = best[i], best[i - 1], dice[i - 1]
        for j in range(1, m + 1):
            row[j] = max(above[j], row[j - 1], above[j - 1] + weights[j - 1])
    pairs: list[tuple[int, int, float]] = []
    i, j = n, m
    while i > 0 and j > 0:
        if dice[i - 1, j - 1] > 0 and best[i, j] == best[i - 1, j - 1] + dice[i - 1, j - 1]:
            pairs.append((i - 1, j - 1, float(dice[i - 1, j - 1])))
            i, j = i - 1, j - 1
        elif best[i, j] == best[i - 1, j]:
            i -= 1
        else:
            j -= 1
    return Alignment(tuple(reversed(pairs)), n, m)
