"""HTML to main text and metadata, via trafilatura.

trafilatura is the best-measured open extractor for news pages (Scrapinghub
benchmark F1 0.958); storyline calls it and keeps what it returns as provenance:
the raw page stays in the store, byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass

import lxml.html
import regex
import trafilatura
from lxml import etree
from trafilatura.settings import Document

# Pages larger than this are refused rather than parsed (a decompression bomb or
# a mis-labelled archive, not an article).
MAX_HTML_CHARS = 20_000_000

BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "figcaption",
    "tr",
    "section",
    "article",
    "pre",
    "dd",
    "dt",
}


@dataclass(frozen=True, slots=True)
class HtmlMeta:
    """What the page says about itself."""

    title: str | None = None
    author: str | None = None
    date: str | None = None
    sitename: str | None = None
    hostname: str | None = None
    url: str | None = None
    language: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Extracted:
    text: str
    comments: str
    meta: HtmlMeta


def extract_html(html: str, url: str | None = None) -> Extracted:
    """Main text, reader comments and metadata of one HTML page."""
    if len(html) > MAX_HTML_CHARS:
        raise ValueError(f"page of {len(html):,} characters is larger than {MAX_HTML_CHARS:,}")
    doc = trafilatura.bare_extraction(
        html, url=url, include_comments=True, with_metadata=True, include_tables=True
    )
    lang = _html_lang(html)
    if not isinstance(doc, Document):
        return Extracted("", "", HtmlMeta(url=url, language=lang))
    meta = HtmlMeta(
        title=_clean(doc.title),
        author=_clean(doc.author),
        date=_clean(doc.date),
        sitename=_clean(doc.sitename),
        hostname=_clean(doc.hostname),
        url=_clean(doc.url) or url,
        language=_clean(doc.language) or lang,
        description=_clean(doc.description),
    )
    return Extracted(doc.text or "", doc.comments or "", meta)


def _clean(value: object) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


LANG_ATTR = regex.compile(r"<html[^>]*?\blang\s*=\s*[\"']?([a-zA-Z]{2,3})", regex.I)


def _html_lang(html: str) -> str | None:
    match = LANG_ATTR.search(html[:5000])
    return match.group(1).lower() if match else None


def fragment_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment (a feed entry), one line per block element."""
    if "<" not in fragment:
        return fragment.strip()
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return fragment.strip()
    for bad in root.xpath("//script|//style"):
        bad.drop_tree()
    parts: list[str] = []

    def walk(node: lxml.html.HtmlElement) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in BLOCK_TAGS:
            parts.append("\n")
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
        if tag in BLOCK_TAGS:
            parts.append("\n")
        if node.tail:
            parts.append(node.tail)

    walk(root)
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n\n".join(line for line in lines if line)
