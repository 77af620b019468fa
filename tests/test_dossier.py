"""The dossier shows every article with its set-aside spans and comments, escaped."""

from __future__ import annotations

from storyline.dossier import render_dossier, segments
from storyline.records import Article, Comment, Paragraph, Published, SetAside

TEXT = (
    "Headline <b>bold</b>\n\nBody with <script>alert(1)</script> inside.\n\nShare this\n\nNice one"
)


def article() -> Article:
    return Article(
        id="a1",
        raw_sha256="0" * 64,
        source="x.txt",
        locator="",
        title="Headline <b>bold</b>",
        outlet="Outlet & Co",
        url=None,
        author=None,
        language="en",
        published=Published(),
        text=TEXT,
        body="Body with <script>alert(1)</script> inside.",
        paragraphs=(Paragraph(0, 43, 22, 65),),
        set_aside=(SetAside("title", 0, 20, TEXT[0:20]), SetAside("share", 67, 77, "Share this")),
        comments=(Comment("Nice one", 79, 87, "reader<1>"),),
        extractor="text",
    )


def test_segments_cover_the_text_in_order() -> None:
    parts = segments(article())
    assert "".join(p.text for p in parts) == TEXT
    assert [p.kind for p in parts if p.kind != "body"] == ["aside", "aside", "comment"]


def test_article_content_is_escaped() -> None:
    html = render_dossier([article()], [])
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Outlet &amp; Co" in html
    assert "reader&lt;1&gt;" in html


def test_set_aside_spans_are_shown_with_their_label() -> None:
    html = render_dossier([article()], [])
    assert 'class="aside share"' in html and ">share<" in html
    assert "Reader comments (1)" in html
