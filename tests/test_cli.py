"""The command line, driven through its runner: contracts, messages, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storyline.cli import app

runner = CliRunner()

ARTICLE = """Ministers meet in Brussels over energy prices

European energy ministers met in Brussels on Tuesday to discuss a cap on gas prices, \
officials said, as winter demand pushed costs higher across the bloc.

"We need a common answer," the Czech minister told reporters after the meeting.

Support our journalism: donate today and keep us independent.

3 comments

Anna K · 2 hours ago
A price cap will only move the problem elsewhere.

Marc D. · 1 hour ago
At least they are talking to each other.

Mia · 5 minutes ago
Prices in my town doubled this year.
"""


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "energy.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "broken.bin").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    return folder


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_ingest_reports_counts_and_each_rejection_with_its_reason(corpus: Path, tmp_path: Path):
    code, output = invoke("ingest", str(corpus), "--db", str(tmp_path / "s.db"))
    assert code == 0
    assert "1 ingested (1 articles), 0 unchanged, 1 rejected (1 binary)" in output
    assert "broken.bin" in output and "binary" in output


def test_ingest_twice_reports_everything_unchanged(corpus: Path, tmp_path: Path):
    db = str(tmp_path / "s.db")
    invoke("ingest", str(corpus / "energy.txt"), "--db", db)
    code, output = invoke("ingest", str(corpus / "energy.txt"), "--db", db)
    assert code == 0
    assert "0 ingested (0 articles), 1 unchanged, 0 rejected" in output


def test_articles_json_follows_the_contract(corpus: Path, tmp_path: Path):
    db = str(tmp_path / "s.db")
    invoke("ingest", str(corpus), "--db", db)
    code, output = invoke("articles", "--json", "--db", db)
    assert code == 0
    [article] = json.loads(output)
    for key in (
        "id",
        "title",
        "outlet",
        "language",
        "published",
        "source",
        "body",
        "set_aside",
        "comments",
    ):
        assert key in article
    assert article["title"] == "Ministers meet in Brussels over energy prices"
    assert article["language"] == "en"
    assert set(article["published"]) >= {
        "date",
        "earliest",
        "latest",
        "confidence",
        "method",
        "evidence",
    }
    assert article["published"]["date"] is None
    assert "Support our journalism" not in article["body"]
    labels = {s["label"] for s in article["set_aside"]}
    assert {"title", "appeal", "comment_section"} <= labels
    for span in article["set_aside"]:
        assert article["text"][span["start"] : span["end"]] == span["text"]
    assert article["comments"] == [
        "A price cap will only move the problem elsewhere.",
        "At least they are talking to each other.",
        "Prices in my town doubled this year.",
    ]


def test_articles_lists_one_row_per_article(corpus: Path, tmp_path: Path):
    db = str(tmp_path / "s.db")
    invoke("ingest", str(corpus), "--db", db)
    code, output = invoke("articles", "--db", db)
    assert code == 0
    assert "Ministers meet in Brussels" in output
    assert "1 articles" in output


def test_show_marks_set_aside_spans_and_prints_comments_after(corpus: Path, tmp_path: Path):
    db = str(tmp_path / "s.db")
    invoke("ingest", str(corpus), "--db", db)
    [article] = json.loads(invoke("articles", "--json", "--db", db)[1])
    code, output = invoke("show", article["id"][:6], "--db", db)
    assert code == 0
    assert "[appeal: Support our journalism" in output
    assert output.index("energy ministers met") < output.index("Reader comments (3)")
    assert "#1 Anna K" in output


def test_search_finds_words_and_answers_json(corpus: Path, tmp_path: Path):
    db = str(tmp_path / "s.db")
    invoke("ingest", str(corpus), "--db", db)
    code, output = invoke("search", "gas prices", "--json", "--db", db)
    assert code == 0
    [hit] = json.loads(output)
    assert "[gas]" in hit["snippet"]
    code, output = invoke("search", "EU-Russia", "--json", "--db", db)
    assert code == 0 and json.loads(output) == []


def test_unknown_article_id_names_the_input_and_the_fix(tmp_path: Path):
    code, output = invoke("show", "nope", "--db", str(tmp_path / "s.db"))
    assert code == 2
    assert "no article 'nope'" in output and "storyline articles" in output


def test_missing_path_is_an_error_that_names_it(tmp_path: Path):
    code, output = invoke("ingest", str(tmp_path / "absent"), "--db", str(tmp_path / "s.db"))
    assert code == 2
    assert "absent" in output and "check the path" in output


def test_db_defaults_to_the_environment_variable(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("STORYLINE_DB", str(tmp_path / "env.db"))
    code, _ = invoke("ingest", str(corpus / "energy.txt"))
    assert code == 0
    assert (tmp_path / "env.db").exists()


def test_rejections_lists_what_failed(corpus: Path, tmp_path: Path):
    db = str(tmp_path / "s.db")
    invoke("ingest", str(corpus), "--db", db)
    code, output = invoke("rejections", "--json", "--db", db)
    assert code == 0
    [rejection] = json.loads(output)
    assert rejection["reason"] == "binary" and rejection["source"].endswith("broken.bin")


@pytest.mark.parametrize(
    "command",
    [
        "ingest",
        "articles",
        "show",
        "search",
        "rejections",
        "dossier",
        "demo",
        "build",
        "copies",
        "stories",
        "story",
        "quotes",
        "actors",
        "actor",
        "dates",
        "timeline",
        "summary",
    ],
)
def test_every_command_has_help(command: str):
    code, output = invoke(command, "--help")
    assert code == 0
    assert "Usage" in output
