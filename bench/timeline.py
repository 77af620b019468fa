"""Timeline scorer on Timeline17 (T17), set up as news-tls (ACL 2020) evaluates it.

One task per gold timeline (19); a topic's folders are merged and only articles
published within the gold timeline's first..last date are input; the system is asked
for L = the number of gold dates and k = the mean gold sentences per date (rounded).
Figures: Date-F1 and the alignment ROUGE-1/2 F1 (tilse "align_date_content_costs
many-to-one", AR-1/AR-2), precision and recall averaged over tasks and F taken from the
averages, as news-tls's `get_average_results` does.

The tilse metric is re-implemented here: tilse (PyPI 0.2.1) shells out to the Perl
ROUGE-1.5.5, which no registry package ships. ROUGE counts follow its flags (-m Porter
stemming, -s stop words removed, raw counts); the stop-word list is scikit-learn's
(ROUGE's own SMART list is not shipped by any installed package), so absolute values
can differ slightly from published ones; the baseline computed in the same run is the
fair comparison.

Time expressions: `--times timexpr` (storyline's own finder, the default when it is
installed), `heideltime` (the silver HeidelTime TimeML shipped with the data, which is
what news-tls used), or `none` (publication dates only).

Tasks at even sorted positions tune (`TimelineSettings`), odd ones report; all 19 are
printed too, beside the published figures, which are over all 19.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
import tarfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from common import emit, ensure_storyline_importable, require_eval

ensure_storyline_importable()

from nltk.stem import porter  # noqa: E402  (rouge-score's own stemmer dependency)
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS  # noqa: E402

from storyline.records import TimeExpression, TimelineEntry  # noqa: E402
from storyline.timeline import DEFAULT, Source, TimelineSettings, build_timeline  # noqa: E402

PUBLISHED = {"date_f1": 0.544, "ar1_f1": 0.120, "ar2_f1": 0.035}  # news-tls DATEWISE, T17
PUBLISHED_PUBCOUNT_DATE_F1 = 0.481

_TIMEX = re.compile(r'<TIMEX3[^>]*?value="([^"]*)"[^>]*>(.*?)</TIMEX3>', re.S)
_TAG = re.compile(r"<[^>]+>")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")

Timeline = dict[date, list[str]]


@dataclass
class Task:
    name: str  # "<topic>/<timeline>"
    gold: Timeline
    sources: list[Source]


# --------------------------------------------------------------------------- data


def _line_spans(text: str) -> tuple[tuple[int, int], ...]:
    """T17 texts are one sentence a line: keep the data's own sentence split."""
    spans, pos = [], 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            spans.append((pos + lead, pos + lead + len(stripped)))
        pos += len(line) + 1
    return tuple(spans)


def _detag(timeml: str) -> tuple[str, tuple[TimeExpression, ...]]:
    """HeidelTime TimeML to plain text and its day-level expressions."""
    body = timeml.split("<TimeML>", 1)[-1].rsplit("</TimeML>", 1)[0].strip("\n")
    out: list[str] = []
    times: list[TimeExpression] = []
    pos = cursor = 0
    for m in _TIMEX.finditer(body):
        chunk = _TAG.sub("", body[cursor : m.start()])
        out.append(chunk)
        pos += len(chunk)
        surface = _TAG.sub("", m.group(2))
        value = m.group(1)
        day = value[:10] if _DAY.match(value) else None
        times.append(TimeExpression(surface, pos, pos + len(surface), "date", value, day, day))
        out.append(surface)
        pos += len(surface)
        cursor = m.end()
    out.append(_TAG.sub("", body[cursor:]))
    return "".join(out), tuple(times)


def _heideltime(root: Path) -> dict[tuple[str, str, str], tuple[str, tuple[TimeExpression, ...]]]:
    found = {}
    with tarfile.open(root / "heideltime_timeml.tar.gz") as tar:
        for member in tar:
            parts = Path(member.name).parts  # . / folder / time_annotated / day / n.txt.timeml
            if not member.isfile() or len(parts) < 4:
                continue
            folder, day, name = parts[-4], parts[-2], parts[-1].split(".")[0]
            handle = tar.extractfile(member)
            if handle is not None:
                found[folder, day, name] = _detag(handle.read().decode("utf-8", "replace"))
    return found


def _finder() -> Any:
    if importlib.util.find_spec("storyline.timexpr") is None:
        return None
    from storyline.timexpr import find_time_expressions

    return find_time_expressions


def load_tasks(root: Path, times: str) -> list[Task]:
    """Every gold timeline with its topic's articles published inside its date range."""
    tagged = _heideltime(root) if times == "heideltime" else {}
    finder = _finder() if times == "timexpr" else None
    topics: dict[str, list[Path]] = defaultdict(list)
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        topics[folder.name.split("_")[0]].append(folder)
    tasks: list[Task] = []
    for topic, folders in sorted(topics.items()):
        articles: list[tuple[str, Path, str]] = []
        golds: list[tuple[str, Timeline]] = []
        for folder in folders:
            for path in sorted((folder / "InputDocs").glob("*/*.txt")):
                articles.append((folder.name, path, path.parent.name))
            lines = (folder / "timelines.jsonl").read_text(encoding="utf-8").splitlines()
            for i, line in enumerate(x for x in lines if x.strip()):
                tl = {date.fromisoformat(d): sents for d, sents in json.loads(line)}
                golds.append((f"{folder.name}-{i}", tl))
        sources: list[Source] = []
        for folder_name, path, day in articles:
            name = path.name.split(".")[0]
            if times == "heideltime" and (folder_name, day, name) in tagged:
                text, found = tagged[folder_name, day, name]
            else:
                text, found = path.read_text(encoding="utf-8", errors="replace"), ()
            if not text.strip():
                continue
            if finder is not None:
                found = tuple(finder(text, date.fromisoformat(day), "en"))
            sources.append(
                Source(
                    article_id=f"{folder_name}/{day}/{name}",
                    text=text,
                    body_spans=((0, len(text)),),
                    published=day,
                    outlet=folder_name.split("_", 1)[1],
                    sentences=_line_spans(text),
                    times=found,
                )
            )
        for gold_name, gold in golds:
            first, last = min(gold).isoformat(), max(gold).isoformat()
            inside = [s for s in sources if s.published and first <= s.published <= last]
            tasks.append(Task(f"{topic}/{gold_name}", gold, inside))
    return sorted(tasks, key=lambda t: t.name)


# --------------------------------------------------------------------------- metrics

_STEM = porter.PorterStemmer()


def _tokens(sentence: str) -> list[str]:
    """ROUGE-1.5.5 with -m -s: lower case, alphanumeric tokens, stop words out, stemmed."""
    words = re.sub(r"[^a-z0-9]+", " ", sentence.lower()).split()
    return [_STEM.stem(w) if len(w) > 3 else w for w in words if w not in ENGLISH_STOP_WORDS]


def _ngrams(sentences: Sequence[str], n: int) -> Counter[tuple[str, ...]]:
    grams: Counter[tuple[str, ...]] = Counter()
    for s in sentences:
        toks = _tokens(s)
        grams.update(tuple(toks[i : i + n]) for i in range(len(toks) - n + 1))
    return grams


def _words(sentences: Sequence[str]) -> tuple[Counter[str], int]:
    counts = Counter(w for s in sentences for w in s.split())
    return counts, sum(counts.values())


def _approx_r1(pred: tuple[Counter[str], int], ref: tuple[Counter[str], int]) -> float:
    """tilse's content cost: ROUGE-1 F on whitespace tokens, no stemming (counts given)."""
    (p, p_total), (r, r_total) = pred, ref
    if len(r) < len(p):
        match = sum(min(c, p[w]) for w, c in r.items())
    else:
        match = sum(min(c, r[w]) for w, c in p.items())
    prec = match / p_total if p_total else 0.0
    rec = match / r_total if r_total else 0.0
    return 2 * prec * rec / (prec + rec) if prec + rec else 0.0


def _f(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def align_rouge(pred: Timeline, gold: Timeline) -> dict[str, tuple[float, float]]:
    """tilse align_date_content_costs_many_to_one: (precision, recall) per ROUGE-n."""
    pdates, gdates = sorted(pred), sorted(gold)
    out: dict[str, tuple[float, float]] = {}
    pw = {a: _words(pred[a]) for a in pdates}
    gw = {b: _words(gold[b]) for b in gdates}
    approx = {(a, b): _approx_r1(pw[a], gw[b]) for a in pdates for b in gdates}

    def cost(a: date, b: date) -> float:
        return (1 - 1 / (abs(a.toordinal() - b.toordinal()) + 1)) * (1 - approx[a, b])

    def best(options: Sequence[date], key: Any) -> date:
        costs = [key(o) for o in options]
        return options[costs.index(min(costs))]  # first minimum, as numpy argmin

    for n in (1, 2):
        pg = {d: _ngrams(pred[d], n) for d in pdates}
        gg = {d: _ngrams(gold[d], n) for d in gdates}
        pn = pd_ = rn = rd = 0.0
        for a in pdates:
            pd_ += sum(pg[a].values())
            if gdates:
                b = best(gdates, lambda b, a=a: cost(a, b))
                hits = sum(min(c, gg[b][g]) for g, c in pg[a].items())
                pn += hits / (abs(a.toordinal() - b.toordinal()) + 1)
        for b in gdates:
            rd += sum(gg[b].values())
            if pdates:
                a = best(pdates, lambda a, b=b: cost(a, b))
                hits = sum(min(c, gg[b][g]) for g, c in pg[a].items())
                rn += hits / (abs(a.toordinal() - b.toordinal()) + 1)
        out[f"ar{n}"] = (pn / pd_ if pd_ else 0.0, rn / rd if rd else 0.0)
    return out


def date_pr(pred: Timeline, gold: Timeline) -> tuple[float, float]:
    shared = len(set(pred) & set(gold))
    return (shared / len(pred) if pred else 0.0, shared / len(gold) if gold else 0.0)


def average(rows: Sequence[dict[str, tuple[float, float]]]) -> dict[str, float]:
    """news-tls: mean precision and recall over tasks, F1 of the means."""
    figures: dict[str, float] = {}
    for key in ("date", "ar1", "ar2"):
        p = sum(r[key][0] for r in rows) / len(rows)
        r = sum(r[key][1] for r in rows) / len(rows)
        figures[f"{key}_f1"] = round(_f(p, r), 4)
    return figures


# --------------------------------------------------------------------------- runs


def _as_timeline(entries: Sequence[TimelineEntry]) -> Timeline:
    return {date.fromisoformat(e.date): [s.text for s in e.sentences] for e in entries}


def run(task: Task, settings: TimelineSettings, pubcount: bool) -> dict[str, tuple[float, float]]:
    gold = task.gold
    sources = task.sources
    if pubcount:  # the baseline: days ranked by articles published, no time expressions
        sources = [replace(s, times=()) for s in sources]
    k = max(1, round(sum(len(v) for v in gold.values()) / len(gold)))
    first, last = min(gold).isoformat(), max(gold).isoformat()
    entries = build_timeline(
        task.name,
        sources,
        max_dates=len(gold),
        sentences_per_date=k,
        between=(first, last),
        settings=settings,
    )
    pred = _as_timeline(entries)
    scores = align_rouge(pred, gold)
    scores["date"] = date_pr(pred, gold)
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--times", choices=("timexpr", "heideltime", "none"), default=None)
    parser.add_argument("--limit", type=int, default=0, help="score only the first N tasks")
    parser.add_argument("--settings", default="", help="JSON overrides of TimelineSettings")
    args = parser.parse_args()
    root = require_eval("timelines/timeline17")
    assert root is not None
    times = args.times or ("timexpr" if _finder() is not None else "none")
    settings = replace(DEFAULT, **json.loads(args.settings)) if args.settings else DEFAULT
    # The baseline ranks days by articles published and shows sentences as storyline
    # did before its keyword filter and length cap (0.477 / 0.099 / 0.025 over 19 tasks).
    baseline = TimelineSettings(
        mention_articles=0.0,
        mention_later=0.0,
        mention_sentences=0.0,
        published=1.0,
        topic_share=0.0,
        max_words=60,
    )
    started = time.perf_counter()
    tasks = load_tasks(root, times)
    if args.limit:
        tasks = tasks[: args.limit]
    print(f"{len(tasks)} tasks loaded in {time.perf_counter() - started:.0f}s", file=sys.stderr)
    ours, base = [], []
    for task in tasks:
        ours.append(run(task, settings, pubcount=False))
        base.append(run(task, baseline, pubcount=True))
        print(
            f"{task.name:40s} L={len(task.gold):3d} date-F1 "
            f"{_f(*ours[-1]['date']):.3f} (pubcount {_f(*base[-1]['date']):.3f}) "
            f"AR-1 {_f(*ours[-1]['ar1']):.3f} AR-2 {_f(*ours[-1]['ar2']):.3f}",
            file=sys.stderr,
        )
    figures: dict[str, Any] = {"times": times, "tasks": len(tasks)}
    splits = (("even", slice(0, None, 2)), ("odd", slice(1, None, 2)), ("all", slice(None)))
    for split, pick in splits:
        if ours[pick]:
            figures[split] = {"storyline": average(ours[pick]), "pubcount": average(base[pick])}
    figures["published_datewise_all"] = PUBLISHED
    figures["published_pubcount_date_f1"] = PUBLISHED_PUBCOUNT_DATE_F1
    figures["seconds"] = round(time.perf_counter() - started)
    print(f"{'split':6s} {'system':10s} {'Date-F1':>8s} {'AR-1':>7s} {'AR-2':>7s}", file=sys.stderr)
    for split in ("even", "odd", "all"):
        for system in ("storyline", "pubcount"):
            if split in figures:
                f = figures[split][system]
                print(
                    f"{split:6s} {system:10s} {f['date_f1']:8.3f} {f['ar1_f1']:7.3f} "
                    f"{f['ar2_f1']:7.3f}",
                    file=sys.stderr,
                )
    print(f"{'all':6s} {'published':10s} {0.544:8.3f} {0.120:7.3f} {0.035:7.3f}", file=sys.stderr)
    emit(figures)


if __name__ == "__main__":
    main()
