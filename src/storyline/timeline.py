"""Timeline stage: a storyline's dated entries, each sentence cited in every article.

The method is news-tls's DATEWISE (Gholipour Ghalandari & Ifrim, ACL 2020), the
strongest simple method on the Timeline17 benchmark: first choose the dates, then
summarise each date.

1. Dates are ranked by how many independent articles mention them in a sentence
   (time expressions resolved against the publication day), with extra weight for
   articles published later (looking back at a day marks it as a milestone), and
   how many were published on them; copies are left out of every count.
2. A date's candidates are the sentences that mention it, plus the lead sentences
   without a date of the articles published on it or the day after (news reports
   yesterday's events). Candidates must be on topic: news-tls keeps only sentences
   with the task's query keywords; a storyline has none, so its keywords are the
   content words at least half of its articles use.
3. Sentences are chosen greedily so that the entry's TF-IDF vector stays closest to
   the centroid of the date's candidates (news-tls "CentroidOpt"), skipping any
   sentence too close to one already shown anywhere in the timeline.

Why not news-tls or tilse themselves: news-tls is not a package, and tilse (on PyPI,
0.2.1 of 2018) needs the Perl ROUGE and HeidelTime at run time; the algorithm is a
few dozen lines over scikit-learn's TF-IDF.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix  # type: ignore[import-untyped]

from storyline.records import TimelineEntry
from storyline.sentences import (
    Floats,
    Sentence,
    Source,
    citation_index,
    cite,
    collect,
    tfidf,
)

__all__ = ["Source", "TimelineSettings", "build_timeline"]


@dataclass(frozen=True, slots=True)
class TimelineSettings:
    """The named constants of date and sentence selection.

    Tuned as a set on the even-position Timeline17 tasks (`python bench/timeline.py`
    prints the even, odd and all figures): `mention_later` 0.5 raised even Date-F1
    0.624 -> 0.639, `topic_share` 0.5 and `max_words` 40 raised even AR-1 0.126 -> 0.135
    (gold timeline sentences average 22 words; long candidates cost precision).
    """

    mention_articles: float = 1.0  # per independent article mentioning the day
    mention_later: float = 0.5  # more per such article published after the day
    mention_sentences: float = 0.0  # per sentence mentioning it
    published: float = 0.25  # per independent article published that day
    lead: int = 5  # lead sentences that stand for the publication day (news-tls: 5)
    pub_days: int = 2  # the publication day and the day before (news-tls: 2)
    redundant: float = 0.7  # TF-IDF cosine above which a sentence repeats a shown one
    min_support: int = 2  # default number of dates: days this many articles support
    topic_share: float = 0.5  # keywords: words this share of articles use (0: no filter)
    max_words: int = 40  # longest sentence shown (`sentences.MAX_WORDS` caps it too)


DEFAULT = TimelineSettings()


def _day_before(day: str, k: int) -> str:
    return (datetime.date.fromisoformat(day) - datetime.timedelta(days=k)).isoformat()


def _centroid_opt(
    x: csr_matrix,
    groups: Sequence[Sequence[int]],
    k: int,
    shown: Sequence[int],
    redundant: float,
) -> list[int]:
    """Up to k rows of the groups whose sum is closest (cosine) to their centre.

    The centre is the unit mean of the groups' means (news-tls PM_Mean: mentions and
    leads weigh alike); no row goes above `redundant` cosine with a shown or picked one.
    Works in the columns the candidates use, not the whole vocabulary (same result,
    a fraction of the cost).
    """
    rows = [i for g in groups for i in g]
    full = x[rows]
    cols = np.unique(full.indices)
    sub = full[:, cols]
    centre = np.zeros(len(cols))
    offset = 0
    for g in groups:
        if g:
            centre += np.asarray(sub[offset : offset + len(g)].mean(axis=0)).ravel()
            offset += len(g)
    norm = float(np.linalg.norm(centre))
    if norm:
        centre /= norm
    c_dot = np.asarray(sub @ centre).ravel()
    sq = np.asarray(sub.multiply(sub).sum(axis=1)).ravel()
    available = np.ones(len(rows), dtype=bool)
    if shown:
        sims = (full @ x[list(shown)].T).toarray()
        available &= sims.max(axis=1) <= redundant
    total = np.zeros(len(cols))
    total_c = total_sq = 0.0
    picks: list[int] = []
    while len(picks) < k and available.any():
        # cosine(total + row, centre) for every row at once
        norm_all = np.sqrt(np.maximum(total_sq + 2 * np.asarray(sub @ total).ravel() + sq, 0.0))
        score = np.where(norm_all > 0, (total_c + c_dot) / np.where(norm_all > 0, norm_all, 1), 0)
        score[~available] = -np.inf
        j = int(np.argmax(score))
        picks.append(rows[j])
        row = sub[j].toarray().ravel()
        total += row
        total_c += float(c_dot[j])
        total_sq = float(total @ total)
        available[j] = False
        available &= np.asarray(sub @ row).ravel() <= redundant
    return picks


def _on_topic(pool: Sequence[Sentence], x: csr_matrix, share: float) -> npt.NDArray[np.bool_]:
    """Whether each sentence uses a storyline keyword: a term at least `share` of the
    articles use (all True when `share` is 0 or no term is that common)."""
    everyone = np.ones(len(pool), dtype=bool)
    if share <= 0:
        return everyone
    articles = {a: i for i, a in enumerate(dict.fromkeys(s.article_id for s in pool))}
    owner = csr_matrix(
        (np.ones(len(pool)), ([articles[s.article_id] for s in pool], np.arange(len(pool)))),
        shape=(len(articles), len(pool)),
    )
    used: Floats = np.asarray(((owner @ (x > 0).astype(np.float64)) > 0).sum(axis=0)).ravel()
    keywords = used >= share * len(articles)
    if not keywords.any():
        return everyone
    return np.asarray((x[:, keywords] > 0).sum(axis=1)).ravel() > 0


def build_timeline(
    storyline_id: str,
    sources: Sequence[Source],
    max_dates: int | None = None,
    sentences_per_date: int = 2,
    *,
    between: tuple[str, str] | None = None,
    anchors: Sequence[str] = (),
    settings: TimelineSettings = DEFAULT,
) -> list[TimelineEntry]:
    """Dated entries for one storyline, in date order, every sentence cited.

    `max_dates` None keeps the days at least `settings.min_support` independent
    articles mention or were published on. `between` (ISO days, inclusive) limits the
    dates shown. `anchors` are days the caller knows the story turned on (its events'
    dates): each is shown, before the ranked days, when a sentence speaks for it, so a
    story of years is not told by its busiest week alone. `storyline_id` names the
    storyline for the caller; entries carry no id.
    """
    del storyline_id  # entries are stored under it by the caller
    pool = [s for s in collect(sources) if s.original]
    if not pool or sentences_per_date < 1:
        return []
    mentions: dict[str, list[int]] = defaultdict(list)
    mention_articles: dict[str, set[str]] = defaultdict(set)
    later: dict[str, set[str]] = defaultdict(set)
    leads: dict[str, list[int]] = defaultdict(list)
    published: dict[str, set[str]] = defaultdict(set)
    for i, s in enumerate(pool):
        for day in s.dates:
            mentions[day].append(i)
            mention_articles[day].add(s.article_id)
            if s.published and s.published > day:
                later[day].add(s.article_id)
        if s.published:
            published[s.published].add(s.article_id)
            if not s.dates and s.position < settings.lead:
                for k in range(settings.pub_days):
                    leads[_day_before(s.published, k)].append(i)

    def score(day: str) -> float:
        return (
            settings.mention_articles * len(mention_articles[day])
            + settings.mention_later * len(later[day])
            + settings.mention_sentences * len(mentions[day])
            + settings.published * len(published[day])
        )

    days = set(mentions) | set(published)
    if between is not None:
        days = {d for d in days if between[0] <= d <= between[1]}
    ranked = sorted(days, key=lambda d: (-score(d), d))
    if max_dates is None:
        support = settings.min_support
        supported = [d for d in ranked if len(mention_articles[d] | published[d]) >= support]
        max_dates = max(1, len(supported), len(set(anchors) & days))
    first = sorted(set(anchors) & days, key=lambda d: (-score(d), d))
    ranked = first + [d for d in ranked if d not in set(first)]

    x = tfidf(pool)
    index = citation_index(pool)
    shown_ok = _on_topic(pool, x, settings.topic_share)
    shown_ok &= np.array([s.eligible and s.words <= settings.max_words for s in pool])
    shown: list[int] = []
    entries: list[TimelineEntry] = []
    for day in ranked:
        if len(entries) >= max_dates:
            break
        ment = [i for i in mentions.get(day, ()) if shown_ok[i]]
        in_ment = set(ment)
        lead = [i for i in leads.get(day, ()) if shown_ok[i] and i not in in_ment]
        if not ment and not lead:
            continue
        picks = _centroid_opt(x, (ment, lead), sentences_per_date, shown, settings.redundant)
        if picks:
            shown.extend(picks)
            entries.append(TimelineEntry(day, tuple(cite(pool[i], index) for i in picks)))
    return sorted(entries, key=lambda e: e.date)
