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
    return [f"{topic} {' '.join(SENTENCES[(i + j) % len(SENTENCES)] for j in range(3))}"
            for i in range(paragraphs)]


def html_page(title: str, topic: str, extra_head: str = "") -> str:
    paras = "".join(f"<p>{p}</p>" for p in prose(topic))
    return (
        f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>"
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


def warc_gz(pages: list[tuple[str, str]], with_request: bool = True) -> tuple[bytes, list[int]]:
    """A gzipped WARC of HTML response records (url, title), a request record after the first.

    Returns the bytes and the offset where each record starts, plus the end offset.
    """
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    offsets = []
    for n, (url, title) in enumerate(pages):
        offsets.append(buffer.tell())
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                protocol="HTTP/1.1")
        record = writer.create_warc_record(
            url, "response", payload=io.BytesIO(html_page(title, f"{title}.").encode()),
            http_headers=http, warc_headers_dict={"WARC-Date": "2022-01-25T10:00:00Z"},
        )
        writer.write_record(record)
        if n == 0 and with_request:
            offsets.append(buffer.tell())
            request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example.org")],
                                       is_http_request=True)
            writer.write_record(writer.create_warc_record(
                url, "request", payload=io.BytesIO(b""), http_headers=request))
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


def ingest(paths: list[Path], store: Store) -> IngestReport:
    return ingest_paths(paths, store)


def by_title(store: Store) -> dict[str | None, Article]:
    return {a.title: a for a in store.articles()}


# -- the mixed folder ------------------------------------------------------------


@pytest.fixture
def mixed(write: Write) -> Path:
    """One input of each kind, 14 articles in all, plus hidden files to skip."""
    plain = write("in/plain.txt", text_article("Plain text headline about the summit", "Plain."))
    write("in/notes.md", text_article("Markdown headline about the energy plan", "Markdown."))
    write("in/page.html", html_page("HTML page headline", "Html.",
                                    '<meta property="article:published_time" '
                                    'content="2022-01-18T08:00:00Z">'))
    write("in/export.jsonl", "\n".join(json.dumps(json_article(n)) for n in (1, 2, 3)) + "\n")
    write("in/export.json", json.dumps(
        {"meta": {"count": 2}, "articles": [json_article(4), json_article(5)]}))
    write("in/feeds/daily.rss", rss_feed())
    write("in/feeds/herald.atom", atom_feed())
    write("in/crawl/pages.warc.gz", warc_gz(WARC_PAGES)[0])
    write("in/deep/er/page.html.gz", gzip.compress(
        html_page("Gzipped page headline", "Gzip.").encode()))
    write("in/.hidden.txt", text_article("Hidden headline must not appear", "Hidden."))
    write("in/.git/objects.txt", text_article("Hidden folder headline", "Hidden."))
    return plain.parent


MIXED_TITLES = {
    "Plain text headline about the summit", "Markdown headline about the energy plan",
    "HTML page headline", "JSON story 1", "JSON story 2", "JSON story 3", "JSON story 4",
    "JSON story 5", "Feed story one", "Feed story two", "Atom story", "Archived first page",
    "Archived second page", "Gzipped page headline",
}


def test_mixed_folder_ingests_every_kind_of_input(mixed: Path, store: Store) -> None:
    report = ingest([mixed], store)
    assert report.rejected == []
    assert len(report.ingested) == 9
    assert report.articles == len(MIXED_TITLES) == len(store.article_ids())
    assert set(by_title(store)) == MIXED_TITLES

