"""Ingest: files, folders and archives in; raw documents and article-shaped items out.

Accepted inputs (by extension, or sniffed when the extension says nothing):
plain text (.txt, .md), HTML (.html, .htm, .xhtml), JSON Lines (.jsonl, .ndjson),
JSON (.json: one object, a list, or a list under "articles"/"items"/"data"...),
WARC (.warc, .warc.gz: response records holding HTML), RSS/Atom feeds (.xml,
.rss, .atom), and any of these gzip-compressed (.gz). Each input that cannot be
read becomes a Rejection naming it and the reason; the batch goes on.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import feedparser
from warcio.archiveiterator import ArchiveIterator

from storyline.encoding import decode
from storyline.errors import Rejected
from storyline.extract import fragment_to_text
from storyline.fields import map_fields
from storyline.records import Item, RawDocument, Rejection

# Limits on untrusted input: a file larger than this is refused, and a
# compressed input may not expand past it (a decompression bomb).
MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_RECORD_BYTES = 32 * 1024 * 1024

TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson", ".jl"}
JSON_SUFFIXES = {".json"}
FEED_SUFFIXES = {".xml", ".rss", ".atom", ".rdf"}
WARC_SUFFIXES = {".warc", ".arc"}
KNOWN_SUFFIXES = (
    TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES | JSON_SUFFIXES | FEED_SUFFIXES | WARC_SUFFIXES
)


def discover(paths: Iterable[Path]) -> Iterator[Path]:
    """Files under the given paths, folders walked recursively, in a stable order."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not any(
                    part.startswith(".") for part in child.relative_to(path).parts
                ):
                    yield child
        else:
            yield path


def read_raw(path: Path) -> RawDocument:
    """Read one file's bytes, unchanged, with its media type."""
    source = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise Rejected(
                source,
                "too-large",
                f"file of {size:,} bytes is larger than the "
                f"{MAX_FILE_BYTES:,}-byte limit; split it into smaller files",
            )
        content = path.read_bytes()
    except FileNotFoundError as error:
        raise Rejected(source, "missing", "no such file; check the path") from error
    except OSError as error:
        raise Rejected(
            source, "unreadable", f"cannot read the file ({error.strerror}); check its permissions"
        ) from error
    sha = hashlib.sha256(content).hexdigest()
    return RawDocument(sha, source, content, media_type(path, content))


def media_type(path: Path, content: bytes) -> str:
    """What kind of input this is, from its name and, failing that, its first bytes."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        inner = suffixes[-2] if len(suffixes) > 1 else ""
        if inner in WARC_SUFFIXES:
            return "warc"
        return "gzip"
    suffix = suffixes[-1] if suffixes else ""
    for kind, known in (
        ("text", TEXT_SUFFIXES),
        ("html", HTML_SUFFIXES),
        ("jsonl", JSONL_SUFFIXES),
        ("json", JSON_SUFFIXES),
        ("feed", FEED_SUFFIXES),
        ("warc", WARC_SUFFIXES),
    ):
        if suffix in known:
            return kind
    return sniff(content)


def sniff(content: bytes) -> str:
    head = content[:2048].lstrip().lower()
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"warc/"):
        return "warc"
    if head.startswith((b"<?xml", b"<rss", b"<feed", b"<rdf")) and (
        b"<rss" in head or b"<feed" in head or b"<rdf" in head
    ):
        return "feed"
    if head.startswith((b"<!doctype html", b"<html")) or b"<body" in head:
        return "html"
    if head.startswith((b"{", b"[")):
        return "jsonl" if head.startswith(b"{") and b"}\n{" in content[:65536] else "json"
    return "text"


@dataclass(frozen=True, slots=True)
class Unpacked:
    """Items found in one raw document, and the parts of it that could not be used."""

    items: list[Item]
    rejections: list[Rejection]


def unpack(raw: RawDocument, encoding: str | None = None) -> Unpacked:
    """Split a raw document into items. Raises Rejected when nothing in it is usable."""
    reader = READERS[raw.media_type]
    unpacked = reader(raw, raw.content, encoding)
    if not unpacked.items and not unpacked.rejections:
        raise Rejected(
            raw.source, "no-articles", "holds no article; check that it is the file you meant"
        )
    if not unpacked.items and len(unpacked.rejections) == 1:
        only = unpacked.rejections[0]
        raise Rejected(raw.source, only.reason, only.detail)
    return unpacked


def _text_of(raw: RawDocument, data: bytes, encoding: str | None) -> str:
    if not data.strip():
        raise Rejected(raw.source, "empty", "the file is empty; nothing to ingest")
    text = decode(data, raw.source, encoding).text
    if not text.strip():
        raise Rejected(raw.source, "empty", "the file holds only whitespace; nothing to ingest")
    return text


def read_text(raw: RawDocument, data: bytes, encoding: str | None) -> Unpacked:
    text = _text_of(raw, data, encoding)
    return Unpacked([Item(raw.sha256, raw.source, "", "text", text, {})], [])


def read_html(raw: RawDocument, data: bytes, encoding: str | None) -> Unpacked:
    text = _text_of(raw, data, encoding)
    return Unpacked([Item(raw.sha256, raw.source, "", "html", text, {})], [])


def read_jsonl(raw: RawDocument, data: bytes, encoding: str | None) -> Unpacked:
    text = _text_of(raw, data, encoding)
    items: list[Item] = []
    rejections: list[Rejection] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        locator = f"line {number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as error:
            rejections.append(
                Rejection(
                    raw.source,
                    "ingest",
                    "bad-json",
                    f"{locator} is not valid JSON ({error.msg} at "
                    f"column {error.colno}); fix or remove that line",
                    raw.sha256,
                    locator,
                )
            )
            continue
        _add_object(raw, obj, locator, items, rejections)
    return Unpacked(items, rejections)


# Keys under which JSON exports put their list of articles.
LIST_KEYS = ("articles", "items", "results", "data", "documents", "docs", "stories", "entries")


def read_json(raw: RawDocument, data: bytes, encoding: str | None) -> Unpacked:
    text = _text_of(raw, data, encoding)
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as error:
        if text.lstrip().startswith("{") and "\n{" in text:
            return read_jsonl(raw, data, encoding)
        raise Rejected(
            raw.source,
            "bad-json",
            f"not valid JSON ({error.msg} at line "
            f"{error.lineno}); fix the file or export it as JSON Lines",
        ) from error
    if isinstance(obj, dict):
        for key in LIST_KEYS:
            if isinstance(obj.get(key), list):
                obj = obj[key]
                break
    objects = obj if isinstance(obj, list) else [obj]
    items: list[Item] = []
    rejections: list[Rejection] = []
    for number, entry in enumerate(objects, start=1):
        _add_object(raw, entry, f"item {number}", items, rejections)
    return Unpacked(items, rejections)


def _add_object(
    raw: RawDocument, obj: Any, locator: str, items: list[Item], rejections: list[Rejection]
) -> None:
    if not isinstance(obj, Mapping):
        rejections.append(
            Rejection(
                raw.source,
                "ingest",
                "bad-json",
                f"{locator} is not a JSON object; each article must be an object",
                raw.sha256,
                locator,
            )
        )
        return
    fields = map_fields(obj)
    html, text = fields.pop("html", None), fields.pop("text", None)
    if isinstance(text, str) and text.strip():
        items.append(Item(raw.sha256, raw.source, locator, "text", text, fields))
    elif isinstance(html, str) and html.strip():
        items.append(Item(raw.sha256, raw.source, locator, "html", html, fields))
    else:
        rejections.append(
            Rejection(
                raw.source,
                "ingest",
                "no-text",
                f"{locator} has no article text; give it a "
                "'text', 'maintext', 'body' or 'html' field",
                raw.sha256,
                locator,
            )
        )


def read_feed(raw: RawDocument, data: bytes, encoding: str | None) -> Unpacked:
    if not data.strip():
        raise Rejected(raw.source, "empty", "the file is empty; nothing to ingest")
    # feedparser is only ever given bytes, never a URL: it must not fetch anything.
    parsed = feedparser.parse(io.BytesIO(data), sanitize_html=True, resolve_relative_uris=False)
    if not parsed.entries:
        reason = str(parsed.get("bozo_exception", "no entries"))
        raise Rejected(
            raw.source,
            "bad-feed",
            f"not a readable RSS/Atom feed ({reason}); check that the file is complete",
        )
    outlet = parsed.feed.get("title")
    items: list[Item] = []
    rejections: list[Rejection] = []
    for number, entry in enumerate(parsed.entries, start=1):
        locator = f"entry {number}"
        content = entry.get("content") or []
        html = content[0].get("value", "") if content else entry.get("summary", "")
        text = fragment_to_text(html or "")
        if not text.strip():
            rejections.append(
                Rejection(
                    raw.source,
                    "ingest",
                    "no-text",
                    f"{locator} has no text or summary",
                    raw.sha256,
                    locator,
                )
            )
            continue
        declared = {
            "title": entry.get("title"),
            "url": entry.get("link"),
            "published": entry.get("published") or entry.get("updated"),
            "published_field": "feed: pubDate" if entry.get("published") else "feed: updated",
            "author": entry.get("author"),
            "outlet": outlet,
        }
        items.append(
            Item(
                raw.sha256,
                raw.source,
                locator,
                "text",
                text,
                {k: v for k, v in declared.items() if v},
            )
        )
    return Unpacked(items, rejections)


def read_warc(raw: RawDocument, data: bytes, encoding: str | None) -> Unpacked:
    items: list[Item] = []
    rejections: list[Rejection] = []
    number = 0
    try:
        for record in ArchiveIterator(io.BytesIO(data)):
            number += 1
            if record.rec_type != "response":
                continue
            headers = record.http_headers
            ctype = (headers.get_header("Content-Type") if headers else "") or ""
            if "html" not in ctype.lower():
                continue
            locator = f"record {number}"
            payload = record.content_stream().read(MAX_RECORD_BYTES + 1)
            if len(payload) > MAX_RECORD_BYTES:
                rejections.append(
                    Rejection(
                        raw.source,
                        "ingest",
                        "too-large",
                        f"{locator} is larger than the record limit",
                        raw.sha256,
                        locator,
                    )
                )
                continue
            if getattr(record.raw_stream, "limit", 0) > 0:
                # Fewer bytes than the record's Content-Length: the archive was cut here.
                number -= 1
                raise EOFError(f"record {number + 1} ends before its declared length")
            charset = _charset(ctype)
            try:
                html = decode(payload, f"{raw.source} {locator}", charset).text
            except Rejected as rejected:
                rejections.append(
                    Rejection(
                        raw.source, "ingest", rejected.reason, rejected.detail, raw.sha256, locator
                    )
                )
                continue
            declared = {
                "url": record.rec_headers.get_header("WARC-Target-URI"),
                "fetched": record.rec_headers.get_header("WARC-Date"),
            }
            items.append(
                Item(
                    raw.sha256,
                    raw.source,
                    locator,
                    "html",
                    html,
                    {k: v for k, v in declared.items() if v},
                )
            )
        if data.startswith(b"\x1f\x8b") and not _gzip_complete(data):
            raise EOFError("the last gzip member is cut off")
    # warcio raises assorted errors on damaged archives (ArchiveLoadFailed, zlib
    # errors, even AttributeError on cut headers): any of them ends this archive,
    # never the batch.
    except Exception as error:
        rejections.append(
            Rejection(
                raw.source,
                "ingest",
                "truncated",
                f"the archive breaks off after record {number} "
                f"({type(error).__name__}: {error}); the records before it were kept; "
                "re-download the archive",
                raw.sha256,
                f"after record {number}",
            )
        )
    if not items and not rejections:
        raise Rejected(raw.source, "no-articles", "the WARC holds no HTML response records")
    return Unpacked(items, rejections)


def _gzip_complete(data: bytes) -> bool:
    """Does every gzip member of a (multi-member) .gz end properly? Reads with a ceiling."""
    rest = data
    produced = 0
    while rest:
        stream = zlib.decompressobj(wbits=31)
        try:
            produced += len(stream.decompress(rest, MAX_FILE_BYTES))
        except zlib.error:
            return False
        if not stream.eof:
            return produced > MAX_FILE_BYTES  # past the ceiling we stop checking
        rest = stream.unused_data
        if produced > MAX_FILE_BYTES:
            return True
    return True


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";"):
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip("\"' ")
    return None


def read_gzip(raw: RawDocument, data: bytes, encoding: str | None) -> Unpacked:
    inner = _gunzip(raw, data)
    name = Path(raw.source)
    inner_type = media_type(name.with_suffix(""), inner)
    if inner_type == "gzip":
        raise Rejected(raw.source, "unsupported", "gzip inside gzip is not read; unpack it first")
    return READERS[inner_type](raw, inner, encoding)


def _gunzip(raw: RawDocument, data: bytes) -> bytes:
    """Decompress with a ceiling, so a small bomb cannot fill memory."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            out = stream.read(MAX_FILE_BYTES + 1)
    except (OSError, EOFError, zlib.error) as error:
        raise Rejected(
            raw.source, "bad-gzip", f"cannot decompress ({error}); the file is damaged or not gzip"
        ) from error
    if len(out) > MAX_FILE_BYTES:
        raise Rejected(
            raw.source,
            "too-large",
            f"expands past {MAX_FILE_BYTES:,} bytes; refusing to decompress it",
        )
    return out


READERS = {
    "text": read_text,
    "html": read_html,
    "jsonl": read_jsonl,
    "json": read_json,
    "feed": read_feed,
    "warc": read_warc,
    "gzip": read_gzip,
}
