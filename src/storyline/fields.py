"""Field names of common news exports, mapped to storyline's.

One table, also printed in the README: news-please (maintext, date_publish,
source_domain), newspaper/newspaper4k (text, publish_date, source_url,
meta_lang), trafilatura JSON (raw_text, sitename, hostname), Media Cloud
(publish_date, media_name), Event Registry (body, dateTime, source.title, lang),
GDELT-style exports and plain {url, title, text, date, outlet}. The first
non-empty field in each list wins.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "url": (
        "url",
        "link",
        "uri",
        "source_url",
        "canonical_url",
        "article_url",
        "webUrl",
        "permalink",
    ),
    "title": ("title", "headline", "title_page", "title_rss", "name"),
    "text": (
        "text",
        "maintext",
        "body",
        "content",
        "article",
        "articleBody",
        "article_text",
        "full_text",
        "fulltext",
        "raw_text",
        "story_text",
        "bodyText",
    ),
    "html": ("html", "raw_html", "content_html", "html_content", "page_html", "rawHtml"),
    "published": (
        "published",
        "date",
        "date_publish",
        "published_at",
        "publish_date",
        "publishedAt",
        "pubDate",
        "datePublished",
        "dateTime",
        "datetime",
        "publication_date",
        "date_published",
        "webPublicationDate",
        "created_at",
        "timestamp",
        "seendate",
    ),
    "outlet": (
        "outlet",
        "source",
        "source_name",
        "media_name",
        "site_name",
        "sitename",
        "publisher",
        "source_domain",
        "domain",
        "hostname",
        "feed_title",
        "media",
    ),
    "language": ("language", "lang", "meta_lang", "language_code", "locale"),
    "author": ("author", "authors", "byline", "creator", "by"),
}

# For nested values ({"source": {"title": ...}}), these keys hold the name.
NESTED_NAME_KEYS = ("title", "name", "uri", "domain", "url")


def _scalar(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, Mapping):
        for key in NESTED_NAME_KEYS:
            if isinstance(value.get(key), str) and value[key].strip():
                return str(value[key]).strip()
        return None
    if isinstance(value, list):
        names = [s for s in (_scalar(v) for v in value) if s]
        return ", ".join(names) if names else None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    return text if text.strip() else None


def map_fields(obj: Mapping[str, Any]) -> dict[str, Any]:
    """storyline's fields from one exported object; `published_field` names the source key."""
    out: dict[str, Any] = {}
    for name, keys in FIELD_NAMES.items():
        for key in keys:
            if key not in obj:
                continue
            value = obj[key] if name in ("text", "html") else _scalar(obj[key])
            if isinstance(value, str) and value.strip():
                out[name] = value
                if name == "published":
                    out["published_field"] = f"json: {key}"
                break
    return out
