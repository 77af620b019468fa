"""A small learned line classifier: a second opinion for the cleaner's cue rules.

The cue lists in `data/boilerplate.toml` are precise but miss boilerplate phrased
in ways no cue names. This model scores a line over hashed word and character
n-grams plus a few layout measures (length, capitals, punctuation, stop-word
share, whether the neighbours read as prose), and gives the probability of each
label: "article" or one of the boilerplate kinds.

It is multinomial logistic regression, trained by `bench/linemodel.py` on the
development templates (bench/dev/) injected into the even Scrapinghub gold
bodies and into the project's own article bodies, and shipped as weights only
(`data/line_model.npz`, no text, no pickle).
The features are hashed with CRC-32, so training and run time agree on every
machine without scikit-learn at run time.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from io import BytesIO
from itertools import pairwise

import numpy as np
import numpy.typing as npt
import regex

from storyline.textstats import SENTENCE_END, is_prose, stopword_share, stopwords, word_count

# Buckets of the hashing trick: 2**15 keeps the shipped weights small (a few
# hundred kB) and collisions rare for a vocabulary of this size.
BUCKETS = 1 << 15
# Bump when the features change, so stale weights are refused, not misread.
FEATURE_VERSION = 2
# A line's content words (at least TOPIC_MIN_CHARS letters, not stop words) that
# recur in lines at least TOPIC_DISTANCE lines away: article lines share the
# article's names and topic words, boilerplate is written for any article, and
# its block's own lines echo each other.
TOPIC_MIN_CHARS = 4
TOPIC_DISTANCE = 3
MODEL_FILE = "data/line_model.npz"

TOKEN = regex.compile(r"[\p{L}\p{M}]+|\d+|[^\s\p{L}\p{M}\d]")
DIGITS = regex.compile(r"\d")
CONTENT_WORD = regex.compile(r"[\p{L}\p{M}]+")


def _bucket(feature: str) -> int:
    return zlib.crc32(feature.encode("utf-8")) % BUCKETS


def _layout(text: str) -> list[str]:
    """Coarse shape of a line, so unseen wording still says "button" or "paragraph"."""
    words = word_count(text)
    letters = [c for c in text if c.isalpha()]
    upper = sum(c.isupper() for c in letters) / len(letters) if letters else 0.0
    length = "0" if words == 0 else str(min(words, 40).bit_length())
    shape = [
        f"len{length}",
        f"caps{round(upper * 4)}",
        f"end{'S' if SENTENCE_END.search(text) else 'n'}",
        f"prose{int(is_prose(text))}",
    ]
    if words:
        shape.append(f"stop{round(stopword_share(text) * 5)}")
    if text[:1].isupper():
        shape.append("initcap")
    return shape


def _own(text: str) -> list[str]:
    lowered = DIGITS.sub("0", text.casefold())
    tokens = TOKEN.findall(lowered)
    features = [f"w:{t}" for t in tokens]
    features += [f"b:{a} {b}" for a, b in pairwise(tokens)]
    if tokens:
        features += [f"first:{tokens[0]}", f"last:{tokens[-1]}"]
    padded = f" {' '.join(tokens)} "
    features += [f"c:{padded[i : i + 4]}" for i in range(len(padded) - 3)]
    return features


def _content_words(text: str) -> set[str]:
    stop = stopwords()
    words = (w.casefold() for w in CONTENT_WORD.findall(text))
    return {w for w in words if len(w) >= TOPIC_MIN_CHARS and w not in stop}


def _topicality(words: Sequence[set[str]]) -> list[str]:
    """How much of each line's vocabulary the rest of the text (beyond its own
    block's reach) shares, in fifths; "topic-" for a line without content words."""
    where: dict[str, list[int]] = {}
    for i, vocabulary in enumerate(words):
        for word in vocabulary:
            where.setdefault(word, []).append(i)
    shares = []
    for i, vocabulary in enumerate(words):
        if not vocabulary:
            shares.append("topic-")
            continue
        shared = sum(1 for w in vocabulary if any(abs(j - i) >= TOPIC_DISTANCE for j in where[w]))
        shares.append(f"topic{round(shared / len(vocabulary) * 5)}")
    return shares


def line_features(texts: Sequence[str]) -> list[list[int]]:
    """Hashed features of each line of a text (non-blank lines, in order), with the
    shape of its neighbours: a short line between paragraphs differs from one in a list."""
    shapes = [_layout(text) for text in texts]
    topics = _topicality([_content_words(text) for text in texts])
    edge = ["edge"]
    rows = []
    for i, text in enumerate(texts):
        before = shapes[i - 1] if i else edge
        after = shapes[i + 1] if i + 1 < len(texts) else edge
        features = _own(text) + shapes[i] + [topics[i], f"{topics[i]}{shapes[i][0]}"]
        features += [f"p:{f}" for f in before] + [f"n:{f}" for f in after]
        rows.append(sorted(_bucket(f) for f in features))
    return rows


@dataclass(frozen=True, slots=True)
class LineModel:
    """Weights of the line classifier: one row per label over the hashed buckets."""

    labels: tuple[str, ...]
    weights: npt.NDArray[np.float32]  # (labels, BUCKETS)
    bias: npt.NDArray[np.float32]  # (labels,)

    def probabilities(self, features: Sequence[int]) -> dict[str, float]:
        """Label probabilities for one line's features (a softmax over the scores)."""
        index = np.unique(np.asarray(features, dtype=np.int64))  # binary features
        scores = self.weights[:, index].sum(axis=1) + self.bias
        scores = np.exp(scores - scores.max())
        scores /= scores.sum()
        return {label: float(p) for label, p in zip(self.labels, scores, strict=True)}

    def to_bytes(self) -> bytes:
        """The weights as an npz archive (numbers only, loadable without pickle), byte for
        byte the same for the same weights: entries carry a fixed timestamp."""
        arrays = {
            "labels": np.array(self.labels),
            "weights": self.weights.astype(np.float16),
            "bias": self.bias.astype(np.float32),
            "version": np.array([FEATURE_VERSION, BUCKETS]),
        }
        buffer = BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, array in arrays.items():
                entry = BytesIO()
                np.lib.format.write_array(entry, array, allow_pickle=False)
                info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, entry.getvalue())
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> LineModel:
        with np.load(BytesIO(data), allow_pickle=False) as archive:
            version, buckets = (int(x) for x in archive["version"])
            if (version, buckets) != (FEATURE_VERSION, BUCKETS):
                raise ValueError(
                    f"line model was built for features v{version} x {buckets} buckets, this "
                    f"code computes v{FEATURE_VERSION} x {BUCKETS}; rerun bench/linemodel.py"
                )
            return cls(
                labels=tuple(str(x) for x in archive["labels"]),
                weights=archive["weights"].astype(np.float32),
                bias=archive["bias"].astype(np.float32),
            )


@lru_cache(maxsize=1)
def load_line_model() -> LineModel | None:
    """The shipped model, or None when the package was built without it."""
    path = resources.files("storyline").joinpath(MODEL_FILE)
    if not path.is_file():
        return None
    return LineModel.from_bytes(path.read_bytes())
