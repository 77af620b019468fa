"""Ingest: files and folders in, articles and rejections out (through the pipeline runner)."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from pathlib import Path

import pytest
from conftest import Write
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

import storyline.ingest as ingest
from storyline.errors import Rejected
from storyline.pipeline import IngestReport, ingest_paths
from storyline.records import Article, RawDocument
from storyline.store import Store

# -- hand-made inputs ----------------------------------------------------------

SENTENCES = (
    "Ministers met in Brussels on Wednesday to discuss the proposal in detail.",
    "The plan would change how member states share the cost of energy imports.",
    "Officials said a decision was unlikely before the summit at the end of the month.",
    "Several governments have asked for more time to study the legal text.",
    "Critics argue that the measure does little to help households with their bills.",
)


def prose(topic: str, paragraphs: int = 3) -> list[str]:
    """A few paragraphs of news-like prose about `topic`."""
    return [
        f"{topic} {' '.join(SENTENCES[(i + j) % len(SENTENCES)] for j in range(3))}"
        for i in range(paragraphs)
    ]


def html_page(title: str, topic: str, extra_head: str = "") -> str:
    paras = "".join(f"<p>{p}</p>" for p in prose(topic))
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"{extra_head}</head><body><article><h1>{title}</h1>{paras}</article></body></html>"
    )


def text_article(title: str, topic: str) -> str:
    return title + "\n\n" + "\n\n".join(prose(topic)) + "\n"


def json_article(n: int, **extra: object) -> dict[str, object]:
    return {
        "url": f"https://news.example.org/world/story-{n}",
        "title": f"JSON story {n}",
        "text": "\n\n".join(prose(f"Story {n}.")),
        "date": f"2022-01-{10 + n:02d}",
        "outlet": "Example Wire",
        **extra,
    }


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
  <title>Example Daily</title>
  <link>https://daily.example.org/</link>
  <description>News</description>
  <item>
    <title>Feed story one</title>
    <link>https://daily.example.org/one</link>
    <pubDate>Wed, 19 Jan 2022 16:05:00 GMT</pubDate>
    <description>Short summary one.</description>
    <content:encoded><![CDATA[{one}]]></content:encoded>
  </item>
  <item>
    <title>Feed story two</title>
    <link>https://daily.example.org/two</link>
    <pubDate>Thu, 20 Jan 2022 09:00:00 GMT</pubDate>
    <description>Short summary two.</description>
    <content:encoded><![CDATA[{two}]]></content:encoded>
  </item>
</channel>
</rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Atom Herald</title>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <updated>2022-01-21T12:00:00Z</updated>
  <entry>
    <title>Atom story</title>
    <link href="https://herald.example.org/atom-story"/>
    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
    <updated>2022-01-21T12:00:00Z</updated>
    <author><name>Jane Reporter</name></author>
    <content type="html">{body}</content>
  </entry>
</feed>
"""


def rss_feed() -> str:
    one, two = ("".join(f"<p>{p}</p>" for p in prose(t)) for t in ("Feed one.", "Feed two."))
    return RSS.replace("{one}", one).replace("{two}", two)


def atom_feed() -> str:
    body = "".join(f"&lt;p&gt;{p}&lt;/p&gt;" for p in prose("Atom."))
    return ATOM.replace("{body}", body)


def make_warc(
    pages: list[tuple[str, str]], with_request: bool = True, compress: bool = True
) -> tuple[bytes, list[int]]:
    """A WARC (gzipped per record by default) of HTML response records (url, title),
    with a request record after the first one.

    Returns the bytes and the offset where each record starts, plus the end offset.
    """
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=compress)
    offsets = []
    for n, (url, title) in enumerate(pages):
        offsets.append(buffer.tell())
        http = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
        )
        record = writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(html_page(title, f"{title}.").encode()),
            http_headers=http,
            warc_headers_dict={"WARC-Date": "2022-01-25T10:00:00Z"},
        )
        writer.write_record(record)
        if n == 0 and with_request:
            offsets.append(buffer.tell())
            request = StatusAndHeaders(
                "GET / HTTP/1.1", [("Host", "example.org")], is_http_request=True
            )
            writer.write_record(
                writer.create_warc_record(
                    url, "request", payload=io.BytesIO(b""), http_headers=request
                )
            )
    offsets.append(buffer.tell())
    return buffer.getvalue(), offsets


WARC_PAGES = [
    ("https://archive.example.org/2022/01/15/first-page", "Archived first page"),
    ("https://archive.example.org/second-page", "Archived second page"),
]
CP1251_TEXT = (
    "Макрон призвал ЕС к единству\n\n"
    "Президент Франции Эмманюэль Макрон призвал ЕС ускорить работу над новым пакетом санкций. "
    "По его словам, Европа должна говорить единым голосом и защищать свои интересы.\n\n"
    "Министры иностранных дел обсудят этот вопрос на следующей неделе в Брюсселе. "
    "Эксперты считают, что решение будет принято до конца месяца.\n"
)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 200


def run(paths: list[Path], store: Store) -> IngestReport:
    return ingest_paths(paths, store)


def by_title(store: Store) -> dict[str | None, Article]:
    return {a.title: a for a in store.articles()}


# -- the mixed folder ------------------------------------------------------------


@pytest.fixture
def mixed(write: Write) -> Path:
    """One input of each kind, 14 articles in all, plus hidden files to skip."""
    plain = write("in/plain.txt", text_article("Plain text headline about the summit", "Plain."))
    write("in/notes.md", text_article("Markdown headline about the energy plan", "Markdown."))
    write(
        "in/page.html",
        html_page(
            "HTML page headline",
            "Html.",
            '<meta property="article:published_time" content="2022-01-18T08:00:00Z">',
        ),
    )
    write("in/export.jsonl", "\n".join(json.dumps(json_article(n)) for n in (1, 2, 3)) + "\n")
    write(
        "in/export.json",
        json.dumps({"meta": {"count": 2}, "articles": [json_article(4), json_article(5)]}),
    )
    write("in/feeds/daily.rss", rss_feed())
    write("in/feeds/herald.atom", atom_feed())
    write("in/crawl/pages.warc.gz", make_warc(WARC_PAGES)[0])
    write(
        "in/deep/er/page.html.gz",
        gzip.compress(html_page("Gzipped page headline", "Gzip.").encode()),
    )
    write("in/.hidden.txt", text_article("Hidden headline must not appear", "Hidden."))
    write("in/.git/objects.txt", text_article("Hidden folder headline", "Hidden."))
    return plain.parent


MIXED_TITLES = {
    "Plain text headline about the summit",
    "Markdown headline about the energy plan",
    "HTML page headline",
    "JSON story 1",
    "JSON story 2",
    "JSON story 3",
    "JSON story 4",
    "JSON story 5",
    "Feed story one",
    "Feed story two",
    "Atom story",
    "Archived first page",
    "Archived second page",
    "Gzipped page headline",
}


def test_mixed_folder_ingests_every_kind_of_input(mixed: Path, store: Store) -> None:
    report = run([mixed], store)
    assert report.rejected == []
    assert len(report.ingested) == 9
    assert report.articles == len(MIXED_TITLES) == len(store.article_ids())
    assert set(by_title(store)) == MIXED_TITLES


def test_json_lines_and_json_list_take_title_outlet_and_date_from_their_fields(
    mixed: Path, store: Store
) -> None:
    run([mixed], store)
    articles = by_title(store)
    second = articles["JSON story 2"]
    assert (second.outlet, second.url) == ("Example Wire", "https://news.example.org/world/story-2")
    assert second.locator == "line 2"
    assert second.published.date == "2022-01-12"
    assert second.published.evidence[0].kind == "json: date"
    assert second.body.startswith("Story 2.")
    fifth = articles["JSON story 5"]
    assert fifth.locator == "item 2"
    assert fifth.published.date == "2022-01-15"
    assert fifth.source.endswith("export.json")


def test_feed_items_take_the_channel_title_as_outlet(mixed: Path, store: Store) -> None:
    run([mixed], store)
    articles = by_title(store)
    one, two = articles["Feed story one"], articles["Feed story two"]
    assert one.outlet == two.outlet == "Example Daily"
    assert (one.url, one.locator) == ("https://daily.example.org/one", "entry 1")
    assert one.published.date == "2022-01-19"
    assert one.published.evidence[0].kind == "feed: pubDate"
    assert two.published.date == "2022-01-20"
    assert one.body.startswith("Feed one."), "content:encoded, not the short description"
    atom = articles["Atom story"]
    assert (atom.outlet, atom.author) == ("Atom Herald", "Jane Reporter")
    assert atom.url == "https://herald.example.org/atom-story"
    assert atom.published.date == "2022-01-21"


def test_warc_response_records_become_articles_and_request_records_are_skipped(
    mixed: Path, store: Store
) -> None:
    run([mixed], store)
    from_warc = [a for a in store.articles() if a.source.endswith("pages.warc.gz")]
    assert [(a.locator, a.url) for a in from_warc] == [
        ("record 1", WARC_PAGES[0][0]),
        ("record 3", WARC_PAGES[1][0]),
    ]
    assert [a.title for a in from_warc] == [WARC_PAGES[0][1], WARC_PAGES[1][1]]
    assert all(a.extractor == "trafilatura" for a in from_warc)
    assert from_warc[0].outlet == "archive.example.org"
    undated = from_warc[1].published
    assert (undated.date, undated.latest, undated.method) == (None, "2022-01-25", "fetch-date")


def test_html_pages_give_their_own_title_and_meta_date(mixed: Path, store: Store) -> None:
    run([mixed], store)
    page = by_title(store)["HTML page headline"]
    assert page.published.date == "2022-01-18"
    assert page.language == "en"
    assert page.body.startswith("Html.")


def test_text_files_take_their_headline_line_as_title(mixed: Path, store: Store) -> None:
    run([mixed], store)
    plain = by_title(store)["Plain text headline about the summit"]
    assert plain.extractor == "text"
    assert plain.body.startswith("Plain.")
    assert plain.published.known is False


def test_folders_are_walked_recursively_and_gzip_is_unpacked(mixed: Path, store: Store) -> None:
    run([mixed], store)
    gzipped = by_title(store)["Gzipped page headline"]
    assert Path(gzipped.source) == mixed / "deep" / "er" / "page.html.gz"
    assert gzipped.body.startswith("Gzip.")


def test_hidden_files_and_folders_are_skipped(mixed: Path, store: Store) -> None:
    run([mixed], store)
    sources = {Path(a.source) for a in store.articles()}
    assert all(not part.startswith(".") for s in sources for part in s.relative_to(mixed).parts)
    assert not any("Hidden" in (a.title or "") for a in store.articles())
    assert mixed / ".hidden.txt" not in set(ingest.discover([mixed]))


def test_reingesting_the_same_folder_changes_nothing(mixed: Path, store: Store) -> None:
    first = run([mixed], store)
    before = store.dump()
    again = run([mixed], store)
    assert again.ingested == [] and again.rejected == [] and again.articles == 0
    assert sorted(again.unchanged) == sorted(first.ingested)
    assert store.dump() == before


def test_same_bytes_under_another_name_are_unchanged(write: Write, store: Store) -> None:
    content = text_article("A headline written once", "Once.")
    original = write("in/a.txt", content)
    run([original], store)
    ids = store.article_ids()
    copy = write("elsewhere/copy-of-a.txt", content)
    report = run([copy], store)
    assert report.unchanged == [str(copy)]
    assert report.ingested == [] and report.articles == 0
    assert store.article_ids() == ids


# -- the bad-input folder -------------------------------------------------------

THREE_PAGES = [(f"https://example.org/2022/01/1{n}/page-{n}", f"Kept page {n}") for n in (1, 2, 3)]


def truncated_warc(compress: bool = True) -> bytes:
    """A valid 3-record WARC cut in the middle of its last record."""
    data, offsets = make_warc(THREE_PAGES, with_request=False, compress=compress)
    return data[: offsets[2] + (offsets[3] - offsets[2]) // 2]


@pytest.fixture
def bad(write: Write) -> Path:
    """Four bad inputs and a good one in disguise: 6 articles and 4 rejections expected."""
    write("bad/picture.png", PNG)
    write("bad/empty.txt", b"")
    write("bad/russian.txt", CP1251_TEXT.encode("cp1251"))
    write("bad/archive/truncated.warc.gz", truncated_warc())
    lines = [json.dumps(json_article(n)) for n in (1, 2)]
    lines += ['{"title": "broken", "text": "no closing brace"', json.dumps(json_article(3))]
    return write("bad/broken.jsonl", "\n".join(lines) + "\n").parent


BAD_FILES = {
    "picture.png": "binary",
    "empty.txt": "empty",
    "broken.jsonl": "bad-json",
    "truncated.warc.gz": "truncated",
}


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("picture.png", "binary"),
        ("empty.txt", "empty"),
        ("broken.jsonl", "bad-json"),
        ("truncated.warc.gz", "truncated"),
    ],
)
def test_each_bad_input_is_rejected_once_naming_the_file(
    bad: Path, store: Store, name: str, reason: str
) -> None:
    report = run([bad], store)
    mine = [r for r in report.rejected if Path(r.source).name == name]
    assert [r.reason for r in mine] == [reason]
    assert Path(mine[0].source).is_file()
    assert store.rejections() and mine[0] in store.rejections()


def test_bad_folder_loses_no_good_article(bad: Path, store: Store) -> None:
    report = run([bad], store)
    assert {Path(r.source).name for r in report.rejected} <= set(BAD_FILES)
    assert len(report.rejected) == len(BAD_FILES)
    titles = sorted(a.title or "" for a in store.articles())
    assert titles == sorted(
        [
            "JSON story 1",
            "JSON story 2",
            "JSON story 3",
            "Kept page 1",
            "Kept page 2",
            "Макрон призвал ЕС к единству",
        ]
    )
    assert report.articles == 6


def test_cp1251_text_is_ingested_and_decoded(bad: Path, store: Store) -> None:
    report = run([bad], store)
    assert str(bad / "russian.txt") in report.ingested
    [russian] = [a for a in store.articles() if a.source.endswith("russian.txt")]
    assert russian.title == "Макрон призвал ЕС к единству"
    assert "Президент Франции Эмманюэль Макрон призвал ЕС" in russian.body
    assert russian.language == "ru"
    assert store.raw_content(russian.raw_sha256) == CP1251_TEXT.encode("cp1251")


def test_broken_json_line_is_rejected_with_its_line_and_the_good_lines_kept(
    bad: Path, store: Store
) -> None:
    run([bad], store)
    [rejection] = [r for r in store.rejections() if r.source.endswith("broken.jsonl")]
    assert (rejection.reason, rejection.locator) == ("bad-json", "line 3")
    assert "line 3" in rejection.detail
    kept = [a.locator for a in store.articles() if a.source.endswith("broken.jsonl")]
    assert kept == ["line 1", "line 2", "line 4"]


def test_truncated_warc_keeps_records_before_the_break(bad: Path, store: Store) -> None:
    run([bad], store)
    kept = [(a.locator, a.title) for a in store.articles() if a.source.endswith(".warc.gz")]
    assert kept == [("record 1", "Kept page 1"), ("record 2", "Kept page 2")]


def warc_document(data: bytes, name: str) -> RawDocument:
    return RawDocument(hashlib.sha256(data).hexdigest(), name, data, "warc")


def test_truncated_warc_break_is_reported_after_the_last_whole_record() -> None:
    unpacked = ingest.unpack(warc_document(truncated_warc(), "t.warc.gz"))
    assert [i.locator for i in unpacked.items] == ["record 1", "record 2"]
    [rejection] = unpacked.rejections
    assert (rejection.reason, rejection.locator) == ("truncated", "after record 2")


@pytest.mark.parametrize("into_last_record", [10, 60, 200])
def test_warc_gz_cut_anywhere_in_its_last_record_keeps_the_others_and_says_so(
    into_last_record: int,
) -> None:
    data, offsets = make_warc(THREE_PAGES, with_request=False)
    unpacked = ingest.unpack(warc_document(data[: offsets[2] + into_last_record], "t.warc.gz"))
    assert [i.locator for i in unpacked.items] == ["record 1", "record 2"]
    assert [r.reason for r in unpacked.rejections] == ["truncated"]


def test_gzipped_warc_without_gz_suffix_is_checked_for_truncation_too() -> None:
    data, offsets = make_warc(THREE_PAGES, with_request=False)
    unpacked = ingest.unpack(warc_document(data[: offsets[2] + 10], "t.warc"))
    assert [i.locator for i in unpacked.items] == ["record 1", "record 2"]
    assert [r.reason for r in unpacked.rejections] == ["truncated"]


def test_uncompressed_warc_cut_mid_payload_keeps_no_partial_record() -> None:
    unpacked = ingest.unpack(warc_document(truncated_warc(compress=False), "t.warc"))
    assert [i.locator for i in unpacked.items] == ["record 1", "record 2"]
    assert [r.reason for r in unpacked.rejections] == ["truncated"]


def test_warc_cut_inside_record_headers_is_a_rejection_not_a_crash(
    write: Write, store: Store
) -> None:
    data, offsets = make_warc(THREE_PAGES, with_request=False, compress=False)
    cut = data.index(b"WARC-Target-URI", offsets[2])
    archive = write("in/cut.warc", data[:cut])
    good = write("in/z-after.txt", text_article("The file after the broken archive", "After."))
    report = run([archive.parent], store)
    assert [(Path(r.source).name, r.reason) for r in report.rejected] == [("cut.warc", "truncated")]
    assert str(good) in report.ingested
    assert len(store.article_ids()) == 3


def test_reingesting_the_bad_folder_reports_the_same_rejected_files_again(
    bad: Path, store: Store
) -> None:
    first = run([bad], store)
    before = store.dump()
    again = run([bad], store)
    assert again.ingested == [] and again.articles == 0
    assert sorted(again.unchanged) == sorted(first.ingested)
    assert sorted((r.source, r.reason) for r in again.rejected) == [
        (str(bad / "empty.txt"), "empty"),
        (str(bad / "picture.png"), "binary"),
    ]
    assert store.dump() == before


def test_report_summary_counts_ingested_unchanged_and_rejected_with_reasons(
    write: Write, store: Store
) -> None:
    write("in/good.txt", text_article("A perfectly good headline here", "Good."))
    write("in/picture.png", PNG)
    write("in/empty.txt", "")
    write("in/broken.jsonl", json.dumps(json_article(1)) + "\n{oops\n")
    folder = write("in/more.jsonl", json.dumps(json_article(2)) + "\n").parent
    first = run([folder], store)
    assert first.summary() == (
        "3 ingested (3 articles), 0 unchanged, 3 rejected (1 bad-json, 1 binary, 1 empty)"
    )
    before = store.dump()
    again = run([folder], store)
    assert again.summary() == "0 ingested (0 articles), 3 unchanged, 2 rejected (1 binary, 1 empty)"
    assert {Path(r.source).name for r in again.rejected} == {"picture.png", "empty.txt"}
    assert store.dump() == before


def test_second_empty_file_is_rejected_under_its_own_name(write: Write, store: Store) -> None:
    write("in/a-empty.txt", "")
    folder = write("in/b-empty.txt", "").parent
    report = run([folder], store)
    assert sorted(Path(r.source).name for r in report.rejected) == ["a-empty.txt", "b-empty.txt"]


# -- limits ---------------------------------------------------------------------


def test_gzip_expanding_past_the_limit_is_refused(
    write: Write, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest, "MAX_FILE_BYTES", 10_000)
    bomb = write("in/bomb.txt.gz", gzip.compress(b"boom " * 200_000))
    assert bomb.stat().st_size < 10_000
    report = run([bomb], store)
    [rejection] = report.rejected
    assert (rejection.source, rejection.reason) == (str(bomb), "too-large")
    assert store.article_ids() == []


def test_file_larger_than_the_limit_is_refused_unread(
    write: Write, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest, "MAX_FILE_BYTES", 100)
    big = write("in/big.txt", "word " * 100)
    report = run([big], store)
    assert [(r.source, r.reason) for r in report.rejected] == [(str(big), "too-large")]
    assert store.counts()["raw_documents"] == 0


# -- ingest functions on their own --------------------------------------------------


def raw_of(content: bytes, source: str = "in/x") -> RawDocument:
    """A RawDocument as read_raw would make it, without a file."""
    sha = hashlib.sha256(content).hexdigest()
    return RawDocument(sha, source, content, ingest.media_type(Path(source), content))


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"<!DOCTYPE html><html><body>x</body></html>", "html"),
        (b"  <html><body>x", "html"),
        (b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>', "feed"),
        (b'<feed xmlns="http://www.w3.org/2005/Atom"></feed>', "feed"),
        (b"WARC/1.0\r\nWARC-Type: response\r\n", "warc"),
        (b'{"a": 1}\n{"a": 2}\n', "jsonl"),
        (b'[{"a": 1}]', "json"),
        (b"\x1f\x8b\x08\x00", "gzip"),
        (b"Just some words.", "text"),
    ],
)
def test_unknown_extensions_are_sniffed_from_the_first_bytes(head: bytes, kind: str) -> None:
    assert ingest.media_type(Path("download.dat"), head) == kind


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("a.TXT", "text"),
        ("a.md", "text"),
        ("a.htm", "html"),
        ("a.ndjson", "jsonl"),
        ("a.json", "json"),
        ("a.rss", "feed"),
        ("a.xml", "feed"),
        ("a.warc", "warc"),
        ("a.warc.gz", "warc"),
        ("a.html.gz", "gzip"),
        ("a.gz", "gzip"),
    ],
)
def test_known_extensions_name_the_media_type(name: str, kind: str) -> None:
    assert ingest.media_type(Path(name), b"whatever") == kind


def test_read_raw_keeps_bytes_and_hash(write: Write) -> None:
    content = CP1251_TEXT.encode("cp1251")
    raw = ingest.read_raw(write("in/r.txt", content))
    assert raw.content == content
    assert raw.sha256 == hashlib.sha256(content).hexdigest()
    assert raw.media_type == "text"


def test_missing_file_is_rejected_as_missing(tmp_path: Path) -> None:
    with pytest.raises(Rejected) as caught:
        ingest.read_raw(tmp_path / "nope.txt")
    assert caught.value.reason == "missing"
    assert caught.value.source == str(tmp_path / "nope.txt")


def test_json_object_without_text_and_non_objects_are_rejected_by_position() -> None:
    content = json.dumps({"items": [json_article(1), {"title": "no text"}, 42]}).encode()
    unpacked = ingest.unpack(raw_of(content, "in/x.json"))
    assert [i.locator for i in unpacked.items] == ["item 1"]
    assert [(r.reason, r.locator) for r in unpacked.rejections] == [
        ("no-text", "item 2"),
        ("bad-json", "item 3"),
    ]


def test_single_json_object_is_one_item_and_html_field_is_used_without_text() -> None:
    content = json.dumps({"title": "T", "html": "<p>Hello there</p>"}).encode()
    [item] = ingest.unpack(raw_of(content, "in/x.json")).items
    assert (item.kind, item.content, item.declared["title"]) == ("html", "<p>Hello there</p>", "T")


def test_json_lines_saved_as_json_are_read_line_by_line() -> None:
    content = (json.dumps(json_article(1)) + "\n" + json.dumps(json_article(2))).encode()
    unpacked = ingest.unpack(raw_of(content, "in/x.json"))
    assert [i.locator for i in unpacked.items] == ["line 1", "line 2"]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("x.json", b"[]", "no-articles"),
        ("x.json", b'{"a": ', "bad-json"),
        ("x.jsonl", b"{oops\n", "bad-json"),
        ("x.txt", b"  \n\t\n", "empty"),
        ("x.xml", b"<rss><channel><title>Nothing</title></channel></rss>", "bad-feed"),
        ("x.txt.gz", b"\x1f\x8b not really gzip", "bad-gzip"),
        ("x.gz", gzip.compress(gzip.compress(b"twice")), "unsupported"),
        (
            "x.warc",
            b"WARC/1.0\r\nWARC-Type: warcinfo\r\nContent-Length: 0\r\n\r\n\r\n\r\n",
            "no-articles",
        ),
    ],
)
def test_unusable_documents_raise_rejected_with_a_reason(
    name: str, content: bytes, reason: str
) -> None:
    with pytest.raises(Rejected) as caught:
        ingest.unpack(raw_of(content, f"in/{name}"))
    assert caught.value.reason == reason
    assert caught.value.source == f"in/{name}"


def test_explicit_encoding_reaches_the_decoder(write: Write, store: Store) -> None:
    path = write("in/russian.txt", CP1251_TEXT.encode("cp1251"))
    report = ingest_paths([path], store, encoding="utf-8")
    [rejection] = report.rejected
    assert (rejection.reason, rejection.source) == ("undecodable", str(path))


def test_strict_mode_raises_instead_of_recording(write: Write, store: Store) -> None:
    path = write("in/empty.txt", "")
    with pytest.raises(Rejected) as caught:
        ingest_paths([path], store, strict=True)
    assert caught.value.reason == "empty"
