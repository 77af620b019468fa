"""MinHash sketches for copy detection: signatures, LSH buckets, and their stored form.

`dedupe.CopyIndex` signs each article three ways (word shingles, content words,
names and numbers) and finds candidates by LSH bands. A store keeps the
signatures and each band's key (`band_keys`), so that an index resumed over it
reads back only the articles that share a band with a new one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from datasketch import MinHash, MinHashLSH  # type: ignore[import-untyped]
from datasketch.storage import UnorderedStorage  # type: ignore[import-untyped]

if TYPE_CHECKING:
    from storyline.dedupe import CopyDoc, CopySettings

U32 = npt.NDArray[np.uint32]

TERM_BUCKETS = 2**20  # content words hashed into this many TF-IDF columns
BAND_BASE = 0x100000001B3  # odd, as dedupe.HASH_BASE: a multiplier that loses no bits


class _Buckets(UnorderedStorage):  # type: ignore[misc]
    """A bucket table that keeps a lone key as itself, not as a one-element set.

    datasketch's dict storage keeps a Python set per bucket, and nearly every
    bucket holds one key: 10.6 KB per document at 30 bands over 100,000
    documents (measured). This keeps about a third of that.
    """

    def __init__(self) -> None:
        self._dict: dict[Hashable, Any] = {}

    def keys(self) -> Iterator[Hashable]:
        return iter(self._dict)

    def get(self, key: Hashable) -> Sequence[int]:
        value = self._dict.get(key)
        if value is None:
            return ()
        return (value,) if isinstance(value, int) else value

    def insert(self, key: Hashable, *vals: int, **kwargs: Any) -> None:
        for val in vals:
            held = self._dict.get(key)
            if held is None:
                self._dict[key] = val
            elif isinstance(held, int):
                self._dict[key] = [held, val]
            else:
                held.append(val)

    def remove(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError("the copy index never removes: nothing is deleted")

    remove_val = remove

    def size(self) -> int:
        return len(self._dict)

    def itemcounts(self, **kwargs: Any) -> dict[Hashable, int]:
        return {key: len(self.get(key)) for key in self._dict}

    def has_key(self, key: Hashable) -> bool:
        return key in self._dict


class _Keys(_Buckets):
    """The key list, without the band hashes datasketch keeps per key for removal."""

    def insert(self, key: Hashable, *vals: Any, **kwargs: Any) -> None:
        self._dict[key] = 0


def _mix32(values: U32) -> U32:
    """MurmurHash3's 32-bit finaliser: word and shingle hashes spread over all bits."""
    h = values.astype(np.uint32)
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


@lru_cache(maxsize=8)
def _prototype(size: int, seed: int) -> Any:
    """An empty MinHash: drawing its permutations is most of the cost of a new index."""
    return MinHash(num_perm=size, seed=seed)


class Sketches:
    """MinHash signatures of hashed sets, kept as rows, and an LSH index over them."""

    def __init__(self, bands: int, rows: int, seed: int) -> None:
        self.size = bands * rows
        self.prototype = _prototype(self.size, seed).copy()
        self.lsh: Any = MinHashLSH(num_perm=self.size, params=(bands, rows))
        self.lsh.hashtables = [_Buckets() for _ in range(bands)]
        self.lsh.keys = _Keys()
        self.rows = np.zeros((64, self.size), dtype=np.uint32)
        self.places: dict[int, int] = {}  # article index -> its row (a resumed index is sparse)
        self.bands, self.band_rows = bands, rows
        # Resumed signatures are matched band by band in numpy, not put in the LSH:
        # inserting a hundred bands each cost more than all the rest of an add.
        self.held_keys: list[int] = []
        self.held_values: list[U32] = []
        self._held: U32 | None = None

    def sign(self, values: U32) -> Any:
        """datasketch's affine permutations (h -> a h + b mod 2^32) over mixed hashes,
        in one numpy step: update_batch calls a Python function per value."""
        signature = self.prototype.copy()
        if len(values):
            a, b = self.prototype.permutations
            signature.hashvalues = (np.outer(_mix32(values), a) + b).min(axis=0)
        return signature

    def insert(self, key: int, signature: Any, row: int) -> None:
        self.lsh.insert(key, signature, check_duplication=False)
        place = self.places.setdefault(row, len(self.places))
        if place >= len(self.rows):
            self.rows = np.concatenate([self.rows, np.zeros_like(self.rows)])
        self.rows[place] = signature.hashvalues

    def restore(self, key: int, values: U32, row: int | None) -> None:
        """Hold stored hash values so that `query` finds them as if they had been inserted."""
        self.restore_many([key], values.reshape(1, -1), None if row is None else [row])

    def restore_many(self, keys: Sequence[int], values: U32, rows: Sequence[int] | None) -> None:
        """`restore` for one signature per row of `values`, in one numpy step: a common
        text's hits run to thousands."""
        self.held_keys.extend(keys)
        self.held_values.extend(values.astype(np.uint32))
        self._held = None
        if rows is not None:
            places = [self.places.setdefault(row, len(self.places)) for row in rows]
            while len(self.places) > len(self.rows):
                self.rows = np.concatenate([self.rows, np.zeros_like(self.rows)])
            self.rows[np.asarray(places, dtype=np.int64)] = values

    def row(self, index: int) -> U32:
        row: U32 = self.rows[self.places[index]]
        return row

    def query(self, signature: Any) -> list[int]:
        found = set(self.lsh.query(signature))
        if self.held_keys:
            if self._held is None:
                self._held = np.stack(self.held_values).reshape(
                    len(self.held_keys), self.bands, self.band_rows
                )
            mine = np.asarray(signature.hashvalues, dtype=np.uint32).reshape(
                self.bands, self.band_rows
            )
            shared = (self._held == mine).all(axis=2).any(axis=1)
            found.update(k for k, hit in zip(self.held_keys, shared.tolist(), strict=True) if hit)
        return sorted(found)

    def jaccard(self, signature: Any, rows: Sequence[int]) -> npt.NDArray[np.float64]:
        """Estimated Jaccard of the signed set with each stored row."""
        places = self.places
        matrix = self.rows[np.asarray([places[r] for r in rows], dtype=np.int64)]
        return (matrix == signature.hashvalues).mean(axis=1)  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class IndexedCopy:
    """What the index keeps of one article, so that a store can resume the index later.

    Signatures are MinHash rows (uint32): of the whole text's shingles, of its
    content words, of its names and numbers, and of its lead's shingles (if any).
    """

    index: int  # arrival order in the index
    doc: CopyDoc
    key: str
    words_key: str
    content: U32
    whole: U32
    content_signature: U32
    anchor_signature: U32
    lead: U32 | None
    completeness: int  # words on lines that end like a sentence (see _original_key)


# Band keys of the three LSH families, for a store's band table: a stored article
# shares a band with a new one exactly when the LSH would return it.
SHINGLE_FAMILY, CONTENT_FAMILY, ANCHOR_FAMILY = 1, 2, 3


def band_keys(family: int, signature: U32, rows: int) -> list[int]:
    """One signed 64-bit key per band: a hash of the family, the band and its values."""
    bands = signature.reshape(-1, rows).astype(np.uint64)
    mixed = np.uint64(family) * np.uint64(1 << 20) + np.arange(len(bands), dtype=np.uint64)
    for k in range(rows):
        mixed = mixed * np.uint64(BAND_BASE) + bands[:, k]
    mixed ^= mixed >> np.uint64(31)
    mixed *= np.uint64(0x9E3779B97F4A7C15)
    mixed ^= mixed >> np.uint64(29)
    return mixed.view(np.int64).tolist()  # type: ignore[no-any-return]


def indexed_band_keys(entry: IndexedCopy, settings: CopySettings) -> list[int]:
    """Every band key of an indexed article, in all three families (the lead's too)."""
    s = settings
    keys = band_keys(SHINGLE_FAMILY, entry.whole, s.shingle_rows)
    if entry.lead is not None:
        keys += band_keys(SHINGLE_FAMILY, entry.lead, s.shingle_rows)
    keys += band_keys(CONTENT_FAMILY, entry.content_signature, s.content_rows)
    keys += band_keys(ANCHOR_FAMILY, entry.anchor_signature, s.anchor_rows)
    return sorted(set(keys))


def pack_sketch(entry: IndexedCopy) -> bytes:
    """The signatures as stored: whole, content, anchors, then the lead's (uint32 LE)."""
    parts = [entry.whole, entry.content_signature, entry.anchor_signature]
    if entry.lead is not None:
        parts.append(entry.lead)
    return np.concatenate(parts).astype("<u4").tobytes()


def unpack_sketch(blob: bytes, settings: CopySettings) -> tuple[U32, U32, U32, U32 | None]:
    s = settings
    values = np.frombuffer(blob, dtype="<u4").astype(np.uint32)
    a = s.shingle_bands * s.shingle_rows
    b = a + s.content_bands * s.content_rows
    c = b + s.anchor_bands * s.anchor_rows
    return values[:a], values[a:b], values[b:c], values[c:] if len(values) > c else None


@dataclass(frozen=True, slots=True)
class SignatureRows:
    """Packed signatures unpacked at once: one row per seq (in `seqs` order) per family,
    and the lead's signature for the seqs that have one."""

    seqs: list[int]
    whole: U32
    content: U32
    anchor: U32
    leads: dict[int, U32]


def unpack_sketches(blobs: Mapping[int, bytes], settings: CopySettings) -> SignatureRows:
    """`unpack_sketch` of many blobs in one numpy step (seqs in ascending order)."""
    s = settings
    seqs = sorted(blobs)
    a = s.shingle_bands * s.shingle_rows
    b = a + s.content_bands * s.content_rows
    c = b + s.anchor_bands * s.anchor_rows
    values = np.frombuffer(b"".join(blobs[q] for q in seqs), dtype="<u4").astype(np.uint32)
    sizes = np.asarray([len(blobs[q]) // 4 for q in seqs], dtype=np.int64)
    starts = np.cumsum(sizes) - sizes
    base = values[starts[:, None] + np.arange(c)].reshape(len(seqs), c)
    with_lead = np.flatnonzero(sizes > c)
    leads = values[starts[with_lead, None] + c + np.arange(a)].reshape(len(with_lead), a)
    return SignatureRows(
        seqs,
        base[:, :a],
        base[:, a:b],
        base[:, b:c],
        {seqs[k]: row for k, row in zip(with_lead.tolist(), leads, strict=True)},
    )


def term_counts(added: Iterable[IndexedCopy]) -> dict[int, int]:
    """Documents per hashed content word among these articles: the delta of the df."""
    counts: Counter[int] = Counter()
    for entry in added:
        counts.update(np.unique(entry.content % TERM_BUCKETS).tolist())
    return dict(counts)
