"""Body sentences with their dates and citations: what `timeline` and `summarize` share.

Both stages choose sentences from article bodies and must cite every sentence they
show, so the extraction (sentence spans inside body paragraphs, the days each
sentence mentions), the TF-IDF space they are compared in, and the citation rule
live here once. A citation is always the exact span of a source sentence; a
sentence is cited in every other original article that carries the same sentence
(modulo whitespace and quote marks), never in a copy, because copies are not
independent confirmation.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix  # type: ignore[import-untyped]
from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]

from storyline.annotate import sentence_spans
from storyline.records import Citation, CitedSentence, Summary, TimeExpression, TimelineEntry

Floats = npt.NDArray[np.float64]

# Sentences shorter than this are mostly datelines, captions and fragments; longer
# ones are run-together lists. Both read badly out of context (news-tls filters the
# same way by length before summarising).
MIN_WORDS = 6
MAX_WORDS = 60

_QUOTE_MARKS = re.compile(r"[\"'`“”„‟«»‘’‚‛‹›]")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Source:
    """One article as the timeline and summary stages see it.

    `body_spans` are the body paragraphs' [start, end) in `text` (boilerplate and
    comments excluded). `copy_of` names the original of the article's copy group, or
    None for an original. `sentences` and `times` may carry what the annotate stage
    already found (sentence spans, time expressions with offsets into `text`); left
    None, they are computed here.
    """

    article_id: str
    text: str
    body_spans: tuple[tuple[int, int], ...]
    published: str | None = None
    outlet: str | None = None
    copy_of: str | None = None
    sentences: tuple[tuple[int, int], ...] | None = None
    times: tuple[TimeExpression, ...] | None = None


@dataclass(frozen=True, slots=True)
class Sentence:
    """A body sentence with where it came from and the days it mentions."""

    article_id: str
    start: int
    end: int
    text: str  # the span's text with whitespace runs collapsed
    position: int  # index of the sentence in its article's body
    published: str | None
    outlet: str  # the outlet, or the article id when the outlet is unknown
    dates: tuple[str, ...]  # ISO days the sentence mentions, resolved
    original: bool  # False for a copy whose original is among the sources

    @property
    def words(self) -> int:
        return len(_WORD.findall(self.text))

    @property
    def eligible(self) -> bool:
        """Whether the sentence may be shown: a whole statement of readable length."""
        return MIN_WORDS <= self.words <= MAX_WORDS and not self.text.endswith("?")


def normalized(text: str) -> str:
    """Text compared modulo whitespace and quote marks (the citation rule)."""
    return " ".join(_QUOTE_MARKS.sub("", text).split())


def _days(times: Iterable[TimeExpression], start: int, end: int) -> tuple[str, ...]:
    """ISO days denoted exactly (a one-day interval) by the expressions inside [start, end)."""
    days = {
        t.earliest
        for t in times
        if start <= t.start
        and t.end <= end
        and t.earliest
        and t.earliest == t.latest
        and t.kind != "duration"
    }
    return tuple(sorted(d for d in days if d))


def _find_times(source: Source, language: str) -> list[TimeExpression]:
    """Time expressions of the body, resolved against the publication day."""
    try:
        from storyline.timexpr import find_time_expressions
    except ImportError:  # the timexpr stage is not installed: date by publication only
        return []
    reference = datetime.date.fromisoformat(source.published) if source.published else None
    found: list[TimeExpression] = []
    for start, end in source.body_spans:
        found.extend(find_time_expressions(source.text, reference, language, start, end))
    return found


def collect(sources: Sequence[Source], language: str = "en") -> list[Sentence]:
    """Every body sentence of every source, in source order, with its dates.

    A copy counts as original when its original is not among the sources (the pile
    holds the copy only).
    """
    present = {s.article_id for s in sources}
    out: list[Sentence] = []
    for source in sources:
        if source.sentences is not None:
            spans = list(source.sentences)
        else:
            spans = [sp for a, b in source.body_spans for sp in sentence_spans(source.text, a, b)]
        times = list(source.times) if source.times is not None else _find_times(source, language)
        original = source.copy_of is None or source.copy_of not in present
        for position, (start, end) in enumerate(spans):
            out.append(
                Sentence(
                    article_id=source.article_id,
                    start=start,
                    end=end,
                    text=" ".join(source.text[start:end].split()),
                    position=position,
                    published=source.published,
                    outlet=source.outlet or source.article_id,
                    dates=_days(times, start, end),
                    original=original,
                )
            )
    return out


def tfidf(sentences: Sequence[Sentence]) -> csr_matrix:
    """L2-normalised TF-IDF rows of the sentences, fitted on them (deterministic)."""
    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True, dtype=np.float64)
    try:
        return csr_matrix(vectorizer.fit_transform([s.text for s in sentences]))
    except ValueError:  # nothing but stop words: every sentence is orthogonal
        return csr_matrix((len(sentences), 1), dtype=np.float64)


def citation_index(pool: Sequence[Sentence]) -> dict[str, list[Sentence]]:
    """Original sentences by normalised text, so that `cite` need not scan the pool."""
    index: dict[str, list[Sentence]] = defaultdict(list)
    for s in pool:
        if s.original:
            index[normalized(s.text)].append(s)
    return index


def cite(chosen: Sentence, index: Mapping[str, Sequence[Sentence]]) -> CitedSentence:
    """The sentence with its own span and every other original article's same sentence."""
    citations = [Citation(chosen.article_id, chosen.start, chosen.end)]
    seen = {chosen.article_id}
    for other in index.get(normalized(chosen.text), ()):
        if other.article_id not in seen:
            citations.append(Citation(other.article_id, other.start, other.end))
            seen.add(other.article_id)
    return CitedSentence(text=chosen.text, citations=tuple(citations))


def check_citations(
    cited: Summary | Sequence[TimelineEntry] | Sequence[CitedSentence],
    texts: Mapping[str, str],
) -> list[str]:
    """Problems with the citations (empty when every one is sound).

    Each sentence must cite at least one span; each span must exist in its
    article's text and contain the sentence modulo whitespace and quote marks.
    """
    if isinstance(cited, Summary):
        sentences: list[CitedSentence] = list(cited.sentences)
    else:
        sentences = []
        for item in cited:
            if isinstance(item, TimelineEntry):
                sentences.extend(item.sentences)
            else:
                sentences.append(item)
    problems: list[str] = []
    for sentence in sentences:
        if not sentence.citations:
            problems.append(f"no citation for {sentence.text[:60]!r}")
        want = normalized(sentence.text)
        for c in sentence.citations:
            text = texts.get(c.article_id)
            if text is None:
                problems.append(f"{c.article_id}: unknown article cited")
            elif not 0 <= c.start < c.end <= len(text):
                problems.append(f"{c.article_id}: span {c.start}-{c.end} outside the text")
            elif want not in normalized(text[c.start : c.end]):
                problems.append(
                    f"{c.article_id}: span {c.start}-{c.end} does not contain {want[:60]!r}"
                )
    return problems


def centroid_scores(x: csr_matrix) -> Floats:
    """Cosine of each row with the centroid of all rows (centrality)."""
    if x.shape[0] == 0:
        return np.zeros(0)
    centre = np.asarray(x.sum(axis=0)).ravel()
    norm = float(np.linalg.norm(centre))
    if norm == 0.0:
        return np.zeros(x.shape[0])
    return np.asarray(x @ (centre / norm)).ravel()
