"""Derive the boilerplate lexicon from the development templates.

The words of each kind are those that recur in the project's own development
templates (bench/dev/*.json) of that kind and are rare in article prose. Article
prose is measured on the gold bodies of the even Scrapinghub items (the tuning
half; the odd half and the held-out templates are never read here). The result
is written to src/storyline/data/lexicon_derived.toml, which storyline.clean
loads beside the hand-written lexicon in boilerplate.toml.

    python bench/lexicon.py            # rewrite the derived lexicon
    python bench/lexicon.py --check    # print what would change, write nothing
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from common import require_eval  # noqa: E402

DEV = REPO / "bench" / "dev"
OUT = REPO / "src" / "storyline" / "data" / "lexicon_derived.toml"
KINDS = ("appeal", "disclaimer", "share", "caption", "navigation", "comment_section")
WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)

# A word enters a kind's list when it occurs in at least MIN_TEMPLATES of that
# kind's templates, in at most MAX_ARTICLE_SHARE of article lines, and the kind
# holds at least MIN_KIND_SHARE of its template occurrences. Chosen on the even
# items: lower article shares cost article lines, higher ones miss boilerplate.
MIN_TEMPLATES = 2
MAX_ARTICLE_SHARE = 0.002
# ...and was used by at least MIN_WRITERS of the independent template writers
# (files), so that the topic one writer chose for examples ("summit") is not
# taken for a mark of boilerplate.
MIN_WRITERS = 2
MIN_KIND_SHARE = 0.6


def template_lines(raw: Any) -> list[str]:
    return list(raw["lines"]) if isinstance(raw, dict) else list(raw)


def load_dev() -> dict[str, list[tuple[str, list[str]]]]:
    """Templates by kind, each with the name of the file (the writer) it came from."""
    blocks: dict[str, list[tuple[str, list[str]]]] = defaultdict(list)
    for path in sorted(DEV.glob("boilerplate_*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for kind in KINDS:
            blocks[kind].extend((path.name, template_lines(t)) for t in data.get(kind, []))
    return blocks


def article_lines(eval_root: Path) -> list[str]:
    truth = json.loads(
        (eval_root / "extraction" / "scrapinghub" / "ground-truth.json").read_text("utf-8")
    )
    lines: list[str] = []
    for position, key in enumerate(sorted(truth)):
        if position % 2 == 0:  # the tuning half only
            body = truth[key]["articleBody"]
            lines.extend(line.strip() for line in body.split("\n") if line.strip())
    return lines


def words_of(text: str) -> set[str]:
    placeholders = re.sub(r"\{\w+\}", " ", text)
    return {w.casefold() for w in WORD.findall(placeholders)}


def derive(
    blocks: dict[str, list[tuple[str, list[str]]]], articles: list[str]
) -> dict[str, list[str]]:
    per_kind: dict[str, Counter[str]] = {kind: Counter() for kind in KINDS}
    writers: dict[str, dict[str, set[str]]] = {kind: defaultdict(set) for kind in KINDS}
    for kind, templates in blocks.items():
        for source, template in templates:
            words = words_of(" ".join(template))
            per_kind[kind].update(words)
            for word in words:
                writers[kind][word].add(source)
    in_articles: Counter[str] = Counter()
    for line in articles:
        in_articles.update(words_of(line))
    total = Counter[str]()
    for counter in per_kind.values():
        total.update(counter)
    lexicon: dict[str, list[str]] = {}
    for kind, counter in per_kind.items():
        lexicon[kind] = sorted(
            word
            for word, n in counter.items()
            if n >= MIN_TEMPLATES
            and len(writers[kind][word]) >= MIN_WRITERS
            and n / total[word] >= MIN_KIND_SHARE
            and in_articles[word] / max(len(articles), 1) <= MAX_ARTICLE_SHARE
        )
    return lexicon


def render(lexicon: dict[str, list[str]]) -> str:
    head = (
        "# Derived by bench/lexicon.py from the development templates in bench/dev/\n"
        "# (words that recur in one kind of boilerplate and are rare in article prose,\n"
        "# measured on the even Scrapinghub items). Do not edit: rerun the script.\n"
        "[lexicon]\n"
    )
    rows = [f"{kind} = {json.dumps(words, ensure_ascii=False)}" for kind, words in lexicon.items()]
    return head + "\n".join(rows) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="print, do not write")
    args = parser.parse_args()
    eval_root = require_eval("extraction/scrapinghub")
    if eval_root is None:
        return 0
    lexicon = derive(load_dev(), article_lines(eval_root.parents[1]))
    text = render(lexicon)
    counts = {kind: len(words) for kind, words in lexicon.items()}
    if args.check:
        print(text)
    else:
        OUT.write_text(text, encoding="utf-8")
        print(f"wrote {OUT.relative_to(REPO)}")
    print(json.dumps({"words": counts}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
