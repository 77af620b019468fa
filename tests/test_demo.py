"""The demo end to end: the bundled corpus into a fresh store, a dossier and a summary."""

from __future__ import annotations

import html as html_lib
import json
import re
from pathlib import Path

from typer.testing import CliRunner

from storyline.cli import app, find_demo_corpus

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_demo_builds_a_store_and_a_self_contained_dossier(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = runner.invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "0 rejected" in result.output
    assert "reader comments:" in result.output
    html = (out / "dossier.html").read_text(encoding="utf-8")
    manifest = json.loads((EXAMPLES / "MANIFEST.json").read_text(encoding="utf-8"))
    assert len(manifest) >= 12
    for entry in manifest:
        assert (
            entry["title"].replace("'", "&#39;").replace('"', "&#34;") in html.replace("&amp;", "&")
            or entry["title"] in html
        )
    # Every link inside the dossier lands somewhere, and every citation of a timeline
    # or summary sentence lands on a marked source sentence that holds it.
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    targets = re.findall(r'href="#([^"]+)"', html)
    assert targets and set(targets) <= ids
    cited = re.findall(
        r'<p(?: class="conflict")?>(?:<span class="why">[^<]*</span>)?'
        r'([^<]+)((?:<a class="c" href="#[^"]+"[^>]*>[^<]*</a>)+)</p>',
        html,
    )
    assert cited, "the demo dossier shows cited sentences"
    spans = dict(re.findall(r'<span class="cite" id="([^"]+)">([^<]*)</span>', html))
    for sentence, links in cited:
        anchors = re.findall(r'href="#([^"]+)"', links)
        assert anchors
        for anchor in anchors:
            assert _squash(sentence) in _squash(spans[anchor]), (sentence, spans[anchor])
    # Self-contained: nothing to fetch when it is opened.
    assert "<script src" not in html and '<link rel="stylesheet"' not in html
    assert 'http-equiv="Content-Security-Policy"' in html


def test_demo_corpus_matches_its_manifest(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    corpus = find_demo_corpus()
    assert corpus is not None
    result = runner.invoke(app, ["ingest", str(corpus), "--db", str(db)])
    assert result.exit_code == 0, result.output
    articles = json.loads(runner.invoke(app, ["articles", "--json", "--db", str(db)]).output)
    manifest = json.loads((EXAMPLES / "MANIFEST.json").read_text(encoding="utf-8"))
    assert len(articles) == len(manifest)
    by_title = {a["title"]: a for a in articles}
    for entry in manifest:
        article = by_title[entry["title"]]
        assert article["language"] == entry["language"]
        if entry["published"]:
            assert article["published"]["date"] == entry["published"]
        elif article["published"]["date"] or article["published"]["earliest"]:
            # Undated in the corpus: whatever the dates stage inferred says how.
            assert article["published"]["method"] and article["published"]["evidence"]
        assert len(article["comments"]) == entry["comment_count"]
    languages = {a["language"] for a in articles}
    assert {"en", "fr"} <= languages


def test_ingesting_the_demo_twice_leaves_the_store_unchanged(tmp_path: Path) -> None:
    from storyline.pipeline import ingest_paths
    from storyline.store import Store

    corpus = find_demo_corpus()
    assert corpus is not None
    with Store.open(tmp_path / "twice.db") as store:
        ingest_paths([corpus], store)
        before = store.dump()
        report = ingest_paths([corpus], store)
        assert report.ingested == [] and report.rejected == []
        assert store.dump() == before


def _squash(text: str) -> str:
    """Text compared modulo entities, whitespace and quote marks."""
    text = html_lib.unescape(text)
    return " ".join(re.sub(r"[\"'“”‘’«»„]", "", text).split())
