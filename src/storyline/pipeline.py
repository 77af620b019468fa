"""The runner: a short loop from input paths to cleaned articles in the store.

    paths -> ingest (raw documents, items) -> clean (articles) -> store

Each document is written with what came of it in one transaction, so a run
stopped half-way leaves a consistent store, and a re-run skips what is there.
One bad input never stops the batch: it becomes a Rejection and the loop goes
on; `strict=True` re-raises instead.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from storyline.clean import Cues, clean_html, clean_text, load_cues
from storyline.cluster import ClusterDoc, StoryClusterer, root_original, stream_order
from storyline.clusterstate import ResumedClusterer, resumable, snapshot
from storyline.dating import own_dates
from storyline.dedupe import CopyIndex, CopyReader, CopySettings
from storyline.errors import Rejected
from storyline.ingest import discover, read_raw, unpack
from storyline.knowledge import load_knowledge
from storyline.language import detect_language
from storyline.published import declared_published
from storyline.records import Article, Item, RawDocument, Rejection
from storyline.sketches import SHINGLE_FAMILY, band_keys, indexed_band_keys
from storyline.store import Store


@dataclass(slots=True)
class IngestReport:
    """What one run did: per input, ingested, unchanged or rejected, and why."""

    ingested: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    articles: int = 0

    @property
    def reasons(self) -> Counter[str]:
        return Counter(r.reason for r in self.rejected)

    def summary(self) -> str:
        parts = [
            f"{len(self.ingested)} ingested ({self.articles} articles)",
            f"{len(self.unchanged)} unchanged",
            f"{len(self.rejected)} rejected",
        ]
        if self.rejected:
            reasons = ", ".join(f"{n} {reason}" for reason, n in sorted(self.reasons.items()))
            parts[-1] += f" ({reasons})"
        return ", ".join(parts)


def article_id(raw_sha256: str, locator: str) -> str:
    """Content-addressed: the same bytes always give the same ids."""
    return hashlib.sha256(f"{raw_sha256}\0{locator}".encode()).hexdigest()[:16]


def build_article(item: Item, cues: Cues | None = None) -> Article:
    """Clean one item into an Article, or raise Rejected when it holds no text."""
    declared = item.declared
    url = declared.get("url")
    title = declared.get("title")
    outlet = declared.get("outlet")
    author = declared.get("author")
    language = declared.get("language")
    published_value = declared.get("published")
    published_field = declared.get("published_field")
    if item.kind == "html":
        try:
            page = clean_html(item.content, url, cues)
        except ValueError as error:
            raise Rejected(_where(item), "unparsable-html", f"{error}; check the page") from error
        cleaned, meta = page.cleaned, page.meta
        title = title or meta.title
        outlet = outlet or meta.sitename or meta.hostname
        author = author or meta.author
        url = url or meta.url
        if not published_value and meta.date:
            published_value, published_field = meta.date, "html-meta (htmldate)"
        language = language or None
        extractor = "trafilatura"
        html_language = meta.language
    else:
        cleaned = clean_text(item.content, cues)
        title = title or cleaned.title
        extractor = "text"
        html_language = None
    if not cleaned.body.strip():
        raise Rejected(
            _where(item),
            "no-text",
            "no article text found after cleaning; "
            "check that the input is an article, not a listing or an error page",
        )
    if not outlet and url:
        outlet = urlsplit(url).hostname
    published = declared_published(published_value, published_field, url, declared.get("fetched"))
    detected = detect_language(cleaned.body)
    return Article(
        id=article_id(item.raw_sha256, item.locator),
        raw_sha256=item.raw_sha256,
        source=item.source,
        locator=item.locator,
        title=title,
        outlet=outlet,
        url=url,
        author=author,
        language=detected or _short_language(language) or html_language,
        published=published,
        text=cleaned.text,
        body=cleaned.body,
        paragraphs=cleaned.paragraphs,
        set_aside=cleaned.set_aside,
        comments=cleaned.comments,
        extractor=extractor,
    )


def _short_language(value: str | None) -> str | None:
    if not value:
        return None
    return value.strip().lower().replace("_", "-").split("-")[0][:3] or None


def _where(item: Item) -> str:
    return f"{item.source} ({item.locator})" if item.locator else item.source


def ingest_document(
    raw: RawDocument, cues: Cues, encoding: str | None = None, strict: bool = False
) -> tuple[list[Article], list[Rejection]]:
    """Unpack and clean one raw document; what fails becomes Rejections."""
    try:
        unpacked = unpack(raw, encoding)
    except Rejected as rejected:
        if strict:
            raise
        return [], [Rejection(raw.source, "ingest", rejected.reason, rejected.detail, raw.sha256)]
    articles: list[Article] = []
    rejections = list(unpacked.rejections)
    for item in unpacked.items:
        try:
            articles.append(build_article(item, cues))
        except Rejected as rejected:
            if strict:
                raise
            rejections.append(
                Rejection(
                    raw.source,
                    "clean",
                    rejected.reason,
                    rejected.detail,
                    raw.sha256,
                    item.locator or None,
                )
            )
    return articles, rejections


def ingest_paths(
    paths: Iterable[Path],
    store: Store,
    *,
    encoding: str | None = None,
    strict: bool = False,
    progress: Callable[[str], None] | None = None,
) -> IngestReport:
    """Ingest files and folders into the store; same bytes twice is a no-op."""
    cues = load_cues()
    report = IngestReport()
    for path in discover(paths):
        if progress:
            progress(str(path))
        try:
            raw = read_raw(path)
        except Rejected as rejected:
            if strict:
                raise
            rejection = Rejection(rejected.source, "ingest", rejected.reason, rejected.detail)
            store.save_rejection(rejection)
            report.rejected.append(rejection)
            continue
        if store.has_raw(raw.sha256):
            store.add_source(raw.source, raw.sha256)
            earlier = store.rejections_for(raw.sha256)
            if earlier and not _has_articles(store, raw.sha256):
                # Same bytes as an input rejected before: report it under its own name.
                for rejection in earlier:
                    again = replace(rejection, source=raw.source)
                    store.save_rejection(again)
                    report.rejected.append(again)
            else:
                report.unchanged.append(raw.source)
            continue
        articles, rejections = ingest_document(raw, cues, encoding, strict)
        store.save_document(raw, articles, rejections)
        report.rejected.extend(rejections)
        if articles:
            report.ingested.append(raw.source)
            report.articles += len(articles)
    return report


def _has_articles(store: Store, sha256: str) -> bool:
    return store.has_articles_from(sha256)


@dataclass(frozen=True, slots=True)
class StoriesReport:
    """What the global stages did: copy groups found, articles newly clustered."""

    copy_groups: int
    copies: int
    clustered: int
    events: int
    storylines: int

    def summary(self) -> str:
        return (
            f"{self.copies} copies in {self.copy_groups} groups; {self.clustered} articles "
            f"newly clustered into {self.events} events and {self.storylines} storylines"
        )


def cluster_doc(article: Article) -> ClusterDoc:
    return ClusterDoc(
        article.id,
        article.title,
        article.body,
        article.published.date,
        article.language,
        article.outlet,
    )


def update_copies(store: Store, settings: CopySettings | None = None) -> list[str]:
    """Index the articles copy detection has not seen; return their ids.

    Only what the new articles can meet is read back: the indexed articles that
    share an LSH band, a body or a words key with one of them, and the originals
    of their groups; then the members of the groups whose original changes. The
    links come out as an index holding every article would give.
    """
    s = settings or CopySettings()
    new, mark = store.uncopied_docs()
    if not new:
        return []
    count = store.copy_count()
    if count == 0:
        index = CopyIndex(s)
        for doc in new:
            index.add(doc)
        store.save_copy_index(index.added(), index.new_pairs(), index.groups(), [], s, mark)
        return [doc.id for doc in new]
    index = CopyIndex(s)
    sketches = [index.sketch(doc) for doc in new]
    hits = store.copy_band_hits(key for e in sketches for key in indexed_band_keys(e, s))
    leads = [
        k
        for e in sketches
        if e.lead is not None
        for k in band_keys(SHINGLE_FAMILY, e.lead, s.shingle_rows)
    ]
    signed = store.copy_sketches(hits)
    hits = index.worth_resuming(sketches, signed, store.copy_band_hits(leads))
    twins = store.copy_twins([e.key for e in sketches], [e.words_key for e in sketches])
    wanted = {*twins[0].values(), *twins[1].values()}
    originals = store.copy_originals(hits | wanted)
    # Hits are held by their signatures; only twins and originals are read whole.
    prior = store.indexed_copies(wanted | set(originals.values()), s)
    reader = CopyReader(store.copy_bodies, store.copy_terms, lambda q: store.indexed_copies(q, s))
    index.resume(count, prior, {q: signed[q] for q in hits}, originals, twins, reader)
    for doc in new:
        index.add(doc)
    roots, replaced = index.touched()
    members = store.copy_group_members(replaced)
    by_seq = {seq: original for original, seqs in members.items() for seq in seqs}
    stored = store.indexed_copies((q for q in by_seq if not index.holds(q)), s)
    index.attach(
        ((e, by_seq[e.index]) for e in stored),
        store.copy_pairs([*by_seq, *(index.indexed_of(o) for o in replaced)]),
    )
    groups = index.groups(roots)
    regrouped = sorted({*(e.doc.id for e in stored), *replaced})
    store.save_copy_index(index.added(), index.new_pairs(), groups, regrouped, s, mark)
    return [doc.id for doc in new]


def build_stories(store: Store) -> StoriesReport:
    """Run the global stages on the articles they have not seen: copies, events, storylines.

    All are incremental: copy detection reads back only what the new articles can
    meet (`update_copies`), and clustering resumes from the rows they touch, events
    and the storylines of those events, writing back only what changed
    (`update_events`).
    """
    update_copies(store)
    clustered = update_events(store)
    groups, copies, events, storylines_ = store.story_counts()
    return StoriesReport(
        copy_groups=groups,
        copies=copies,
        clustered=clustered,
        events=events,
        storylines=storylines_,
    )


def update_events(store: Store) -> int:
    """Assign the articles clustering has not seen to events, and the events they open or
    change to storylines; return how many.

    Each copy follows the original its link names now (run `update_copies` first). A
    store clustered before storylines were kept as rows gets them, new articles or not.
    """
    new, mark = store.unclustered_docs()
    meta = store.cluster_meta()
    if not new and (meta is None or resumable(meta)):
        return 0
    copy_of = {
        link.article_id: link.original_id
        for link in store.copy_links_of([doc.id for doc in new]).values()
    }
    new = _with_own_dates(store, new)
    clusterer = _clusterer(store, len(new))
    for doc in stream_order(new, copy_of):
        original = root_original(doc.id, copy_of)
        clusterer.add(doc, copy_of=original if original != doc.id else None)
    if isinstance(clusterer, ResumedClusterer):
        store.save_cluster(clusterer.changes(), mark)
    else:
        store.save_cluster(snapshot(clusterer), mark)
    return len(new)


def _with_own_dates(store: Store, docs: list[ClusterDoc]) -> list[ClusterDoc]:
    """Undated articles with the interval their own text and known facts allow.

    Clustering can then keep apart undated reports that are years apart. The
    intervals are kept as the dates stage's own-date rows, so it reads each text once.
    """
    undated = [d.id for d in docs if d.date is None]
    if not undated:
        return docs
    known = store.own_dates(undated)
    articles = [store.article(a) for a in undated if a not in known]
    if articles:
        fresh = own_dates(articles, load_knowledge())
        store.save_inferred_dates(fresh, fresh)
        known = {**known, **fresh}
    return [
        d
        if d.date is not None or d.id not in known
        else replace(d, earliest=known[d.id].earliest, latest=known[d.id].latest)
        for d in docs
    ]


def _clusterer(store: Store, adding: int) -> StoryClusterer:
    """A clusterer resumed over the store, or holding everything when the adds need it (or
    the store keeps no storylines as rows yet)."""
    meta = store.cluster_meta()
    if meta is not None and resumable(meta):
        resumed = ResumedClusterer(store, meta)
        if not resumed.would_reweigh(adding):
            return resumed
    return _whole(store) or StoryClusterer()


def _whole(store: Store) -> StoryClusterer | None:
    state = store.cluster_state()
    return None if state is None else StoryClusterer.from_state(state)
