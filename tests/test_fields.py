"""fields.map_fields: the field names of common news exports, mapped to storyline's."""

from __future__ import annotations

from storyline.fields import map_fields


def test_news_please_object_maps_maintext_date_domain_and_authors() -> None:
    obj = {
        "url": "https://www.lemonde.fr/international/article/2022/01/19/macron.html",
        "title": "Macron appelle l'UE à agir",
        "maintext": "Le président a parlé devant le Parlement européen.",
        "date_publish": "2022-01-19 16:05:00",
        "date_download": "2022-01-20 08:00:00",
        "source_domain": "www.lemonde.fr",
        "authors": ["Philippe Ricard", "Virginie Malingre"],
        "language": "fr",
        "description": "",
    }
    assert map_fields(obj) == {
        "url": "https://www.lemonde.fr/international/article/2022/01/19/macron.html",
        "title": "Macron appelle l'UE à agir",
        "text": "Le président a parlé devant le Parlement européen.",
        "published": "2022-01-19 16:05:00",
        "published_field": "json: date_publish",
        "outlet": "www.lemonde.fr",
        "language": "fr",
        "author": "Philippe Ricard, Virginie Malingre",
    }


def test_newspaper4k_object_maps_text_publish_date_source_url_and_meta_lang() -> None:
    obj = {
        "title": "Macron urges EU to act",
        "text": "The French president spoke in Strasbourg.",
        "publish_date": "2022-01-19T16:05:00+00:00",
        "source_url": "https://www.france24.com",
        "meta_lang": "en",
        "authors": [],
    }
    fields = map_fields(obj)
    assert fields["text"] == "The French president spoke in Strasbourg."
    assert fields["published"] == "2022-01-19T16:05:00+00:00"
    assert fields["published_field"] == "json: publish_date"
    assert fields["url"] == "https://www.france24.com"
    assert fields["language"] == "en"
    assert "author" not in fields, "an empty authors list is no author"


def test_newspaper4k_article_url_wins_over_its_source_homepage() -> None:
    fields = map_fields(
        {
            "url": "https://www.france24.com/en/20220119-macron",
            "source_url": "https://www.france24.com",
            "text": "x",
        }
    )
    assert fields["url"] == "https://www.france24.com/en/20220119-macron"


def test_event_registry_object_maps_body_datetime_nested_source_and_lang() -> None:
    obj = {
        "uri": "7000000001",
        "url": "https://www.reuters.com/world/europe/macron-eu-2022-01-19/",
        "title": "Macron urges EU security pact",
        "body": "President Emmanuel Macron on Wednesday called on the EU ...",
        "dateTime": "2022-01-19T16:05:00Z",
        "source": {"uri": "reuters.com", "title": "Reuters"},
        "authors": [{"uri": "john_irish@reuters.com", "name": "John Irish", "type": "author"}],
        "lang": "eng",
    }
    fields = map_fields(obj)
    assert fields["text"].startswith("President Emmanuel Macron")
    assert fields["published"] == "2022-01-19T16:05:00Z"
    assert fields["published_field"] == "json: dateTime"
    assert fields["outlet"] == "Reuters", "the nested source's title names the outlet"
    assert fields["author"] == "John Irish"
    assert fields["language"] == "eng"
    assert fields["url"] == "https://www.reuters.com/world/europe/macron-eu-2022-01-19/"


def test_plain_object_maps_one_to_one() -> None:
    obj = {
        "url": "https://example.org/a",
        "title": "A title",
        "text": "Some text.",
        "date": "19 January 2022",
        "outlet": "Example Times",
    }
    assert map_fields(obj) == {
        "url": "https://example.org/a",
        "title": "A title",
        "text": "Some text.",
        "published": "19 January 2022",
        "published_field": "json: date",
        "outlet": "Example Times",
    }


def test_first_non_empty_field_wins_and_blank_ones_are_skipped() -> None:
    fields = map_fields({"title": "  ", "headline": "The headline", "date": "", "pubDate": "x"})
    assert fields["title"] == "The headline"
    assert fields["published"] == "x"
    assert fields["published_field"] == "json: pubDate"


def test_numbers_become_strings_and_html_is_kept_as_given() -> None:
    fields = map_fields({"timestamp": 1642608300, "html": "<p>Hello</p>", "text": None})
    assert fields["published"] == "1642608300"
    assert fields["published_field"] == "json: timestamp"
    assert fields["html"] == "<p>Hello</p>"
    assert "text" not in fields


def test_nested_source_without_a_name_falls_through_to_the_next_key() -> None:
    fields = map_fields({"source": {"id": 7}, "source_name": "Le Figaro"})
    assert fields["outlet"] == "Le Figaro"


def test_object_with_no_known_field_maps_to_nothing() -> None:
    assert map_fields({"foo": "bar", "published_field": "ignored"}) == {}
