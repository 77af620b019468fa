"""Train the cleaner's line model and measure it leave-one-writer-out.

Training lines come from the injection generator (bench/injection.py): the
development templates (bench/dev/boilerplate_*.json, eight independent writers)
injected into the even Scrapinghub gold bodies and into the project's own article
bodies (bench/dev/articles_*.json), one case per body and seed. Each line's truth
("article" or the boilerplate kind) is the label. The odd bodies and the
held-out templates are never read here.

    python bench/linemodel.py           # rebuild src/storyline/data/line_model.npz
    python bench/linemodel.py --lowo    # leave-one-writer-out figures, rules vs rules+model
    python bench/linemodel.py --lowo --lists    # the same on list-heavy test bodies

Leave-one-writer-out: for each writer, models are fitted on the other four
writers' templates, with the even bodies cut in two folds so that no test body
was seen in training either; the held-out writer's templates are then injected
into the unseen fold (seed 13, as bench/injection.py) and scored with the
injection scorer. The derived lexicon is re-derived from the four writers too,
so the baseline is as blind to the fifth writer as the model. Deterministic:
the same files give the same weights.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

import injection  # noqa: E402
import lexicon  # noqa: E402

from storyline import clean  # noqa: E402
from storyline.linemodel import BUCKETS, MODEL_FILE, LineModel, line_features  # noqa: E402
from storyline.records import Cleaned  # noqa: E402
from storyline.textstats import is_prose, word_count  # noqa: E402

DEV = REPO / "bench" / "dev"
OUT = REPO / "src" / "storyline" / MODEL_FILE
LABELS = (injection.ARTICLE, *injection.KINDS)
# Seeds of the training cases: each draws other blocks into other places.
TRAIN_SEEDS = (101, 102, 103)
# Inverse regularisation strength; chosen leave-one-writer-out (--lowo --c).
C = 0.5
FOLDS = 2
# List-heavy training bodies: each body gets a run of LIST_RUN short lines
# (at most LIST_ITEM_WORDS words, not prose) drawn from the training bodies
# themselves, at its start, middle or end, so that the model sees article
# lists (names, dates, products, subheads) beside boilerplate; without them it
# took such lines for menus and bylines. LIST_SEED draws them.
LIST_RUN = (4, 20)
LIST_ITEM_WORDS = 10
LIST_SEED = 201
LIST_TEST_SEED = 13


def writers() -> list[Path]:
    return sorted(DEV.glob("boilerplate_*.json"))


def authored_bodies() -> list[str]:
    """The project's own article bodies (bench/dev/articles_*.json, headline first),
    written to be full of genuine lines that look like boilerplate: subheads, one-line
    paragraphs, the article's own lists, prose about subscriptions or photographs.
    They teach the model what article text also looks like; they are training data
    only, never test bodies."""
    bodies = []
    for path in sorted(DEV.glob("articles_*.json")):
        for article in json.loads(path.read_text(encoding="utf-8"))["articles"]:
            bodies.append("\n".join(p.strip() for p in article["paragraphs"] if p.strip()))
    return bodies


def case_rows(cases: Sequence[injection.Case]) -> tuple[list[list[int]], list[int]]:
    rows: list[list[int]] = []
    labels: list[int] = []
    for case in cases:
        rows += line_features([line.text for line in case.lines])
        labels += [LABELS.index(line.truth) for line in case.lines]
    return rows, labels


def list_heavy(bodies: Sequence[str], seed: int) -> list[str]:
    """The bodies, each with a run of the bodies' own short lines inserted in one place."""
    paragraphs = [injection.body_paragraphs(body) for body in bodies]
    pool = sorted(
        {p for ps in paragraphs for p in ps if word_count(p) <= LIST_ITEM_WORDS and not is_prose(p)}
    )
    rng = random.Random(seed)
    out = []
    for ps in paragraphs:
        run = rng.sample(pool, min(len(pool), rng.randint(*LIST_RUN)))
        where = rng.choice((1, len(ps) // 2, len(ps)))
        out.append("\n".join(ps[:where] + run + ps[where:]))
    return out


def fit(
    template_files: Sequence[Path], bodies: Sequence[str], c: float = C, authored: bool = True
) -> LineModel:
    """Fit on these writers' templates injected into these bodies, their list-heavy
    variants and (unless told not to) the project's own article bodies."""
    rows: list[list[int]] = []
    labels: list[int] = []
    listy = list_heavy(bodies, LIST_SEED)
    if authored:
        bodies = [*bodies, *authored_bodies()]
    for path in template_files:
        templates = injection.load_templates(path)
        runs = [(bodies, seed) for seed in TRAIN_SEEDS] + [(listy, LIST_SEED)]
        for texts, seed in runs:
            more_rows, more_labels = case_rows(injection.build_cases(texts, templates, seed))
            rows += more_rows
            labels += more_labels
    indptr = np.cumsum([0] + [len(set(r)) for r in rows])
    indices = np.concatenate([np.unique(r) for r in rows]).astype(np.int64)
    matrix = csr_matrix(
        (np.ones(len(indices), dtype=np.float64), indices, indptr), shape=(len(rows), BUCKETS)
    )
    classifier = LogisticRegression(C=c, max_iter=2000, tol=1e-5)
    classifier.fit(matrix, np.asarray(labels))
    order = [list(classifier.classes_).index(i) for i in range(len(LABELS))]
    return LineModel(
        labels=LABELS,
        weights=classifier.coef_[order].astype(np.float32),
        bias=classifier.intercept_[order].astype(np.float32),
    )


def cleaner(cues: clean.Cues) -> Callable[[str], Cleaned]:
    return lambda text: clean.clean_text(text, cues)


def derived_lexicon(train: Sequence[Path], bodies_root: Path) -> tuple[Any, ...]:
    """The derived lexicon as bench/lexicon.py builds it, from these writers only."""
    blocks = {
        kind: [entry for entry in entries if entry[0] in {p.name for p in train}]
        for kind, entries in lexicon.load_dev().items()
    }
    derived = lexicon.derive(blocks, lexicon.article_lines(bodies_root))
    return tuple(
        (label, frozenset(w.casefold() for w in words)) for label, words in derived.items()
    )


def lowo(
    c: float,
    thresholds: Sequence[tuple[float, float, float]],
    lists: bool = False,
    authored: bool = True,
) -> dict[str, Any]:
    """Rules alone vs rules + model, each writer scored blind, folds pooled.

    `lists` scores list-heavy test bodies (each with a run of its fold's own short
    lines, drawn with LIST_TEST_SEED): the article lists that menus resemble.
    """
    eval_root = injection.eval_dir()
    bodies = injection.load_bodies(eval_root, "even")
    folds = [bodies[f::FOLDS] for f in range(FOLDS)]
    tests = [list_heavy(fold, LIST_TEST_SEED) if lists else fold for fold in folds]
    base = clean.load_cues()
    results: dict[str, Any] = {}
    for held in writers():
        train = [p for p in writers() if p != held]
        templates = injection.load_templates(held)
        cues = replace(base, derived=derived_lexicon(train, eval_root), model=None)
        runs: dict[str, list[Any]] = {"rules": [], **{str(t): [] for t in thresholds}}
        cases_all: list[injection.Case] = []
        for f in range(FOLDS):
            other = [b for g, part in enumerate(folds) if g != f for b in part]
            model = fit(train, other, c, authored)
            cases = injection.build_cases(tests[f], templates, injection.DEFAULT_SEED)
            cases_all += cases
            runs["rules"] += injection.judge_all(cases, cleaner(cues))
            for t in thresholds:
                clean.MODEL_ASIDE, clean.MODEL_ASIDE_LONG, clean.MODEL_KEEP = t
                runs[str(t)] += injection.judge_all(cases, cleaner(replace(cues, model=model)))
        results[held.name] = {
            name: summary(injection.figures_of(cases_all, outcomes))
            for name, outcomes in runs.items()
        }
    return results


def summary(figures: dict[str, Any]) -> dict[str, float]:
    return {
        "kept_precision": figures["kept_precision"],
        "article_recall": figures["article_recall"],
        **{kind: f["recall"] for kind, f in figures["per_kind"].items()},
    }


def print_lowo(results: dict[str, Any]) -> None:
    names = list(next(iter(results.values())))
    keys = list(next(iter(results.values()))["rules"])
    print(f"{'writer':<22}{'config':<20}" + "".join(f"{k[:9]:>10}" for k in keys))
    for writer, runs in results.items():
        for name in names:
            row = runs[name]
            print(f"{writer:<22}{name:<20}" + "".join(f"{row[k]:>10.4f}" for k in keys))
    for name in names:
        mean = {k: sum(r[name][k] for r in results.values()) / len(results) for k in keys}
        print(f"{'MEAN':<22}{name:<20}" + "".join(f"{mean[k]:>10.4f}" for k in keys))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lowo", action="store_true", help="leave-one-writer-out figures")
    parser.add_argument("--lists", action="store_true", help="with --lowo: list-heavy test bodies")
    parser.add_argument("--c", type=float, default=C, help="inverse regularisation strength")
    parser.add_argument(
        "--no-authored", action="store_true", help="leave out bench/dev/articles_*.json"
    )
    parser.add_argument(
        "--thresholds",
        default=f"{clean.MODEL_ASIDE},{clean.MODEL_ASIDE_LONG},{clean.MODEL_KEEP}",
        help="aside,aside_long,keep triples separated by ';' (with --lowo)",
    )
    args = parser.parse_args(argv)
    if not injection.ground_truth_path(injection.eval_dir()).exists():
        print(json.dumps({"skipped": "eval data not found (set STORYLINE_EVAL)"}))
        return 0
    if args.lowo:
        thresholds = [tuple(float(x) for x in t.split(",")) for t in args.thresholds.split(";")]
        results = lowo(args.c, thresholds, args.lists, not args.no_authored)  # type: ignore[arg-type]
        print_lowo(results)
        print(json.dumps(results))
        return 0
    bodies = injection.load_bodies(injection.eval_dir(), "even")
    model = fit(writers(), bodies, args.c, not args.no_authored)
    OUT.write_bytes(model.to_bytes())
    print(f"wrote {OUT.relative_to(REPO)} ({OUT.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
