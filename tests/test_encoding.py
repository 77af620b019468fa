"""encoding.decode: bytes from the web to text, detected and never assumed."""

from __future__ import annotations

import codecs

import pytest

from storyline.encoding import declared_charset, decode, looks_binary
from storyline.errors import Rejected

RUSSIAN = (
    "Президент Франции Эмманюэль Макрон призвал ЕС ускорить работу над новым пакетом санкций. "
    "По его словам, Европа должна говорить единым голосом и защищать свои интересы. "
    "Министры иностранных дел обсудят этот вопрос на следующей неделе в Брюсселе. "
    "Эксперты считают, что решение будет принято до конца месяца.\n"
)
FRENCH = (
    "Le gouvernement français a présenté mercredi son projet de réforme des retraites. "
    "Selon le ministre, l'âge légal de départ sera relevé progressivement à soixante-quatre ans. "
    "Les syndicats dénoncent une réforme injuste et appellent à la grève générale jeudi prochain. "
    "L'opposition réclame un référendum, tandis que la majorité défend une mesure nécessaire "
    "pour garantir l'équilibre financier du système. Les négociations reprendront à Paris.\n"
)
# French with è, à, ç and ù: charset-normalizer ranks cp1257 (Baltic) first for it.
FRENCH_GRAVE = (
    "Le président a annoncé mercredi une réforme très attendue. « C'est une étape décisive », "
    "a-t-il déclaré devant les députés. Les élèves et les enseignants réagiront à la rentrée. "
    "Où en sommes-nous ? Déjà, les syndicats protestent à Besançon et à Orléans.\n"
)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"


def test_plain_utf8_is_read_as_utf8() -> None:
    decoded = decode("Macron a parlé à Bruxelles — «Европа».".encode(), "a.txt")
    assert decoded.text == "Macron a parlé à Bruxelles — «Европа»."
    assert (decoded.encoding, decoded.how) == ("utf-8", "utf-8")


def test_utf8_bom_is_dropped_from_the_text() -> None:
    decoded = decode(codecs.BOM_UTF8 + "Déjà vu".encode(), "bom.txt")
    assert decoded.text == "Déjà vu"
    assert decoded.how == "bom"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom_is_decoded_despite_its_nul_bytes(codec: str) -> None:
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    decoded = decode(bom + RUSSIAN.encode(codec), "utf16.txt")
    assert decoded.text == RUSSIAN
    assert decoded.how == "bom"


def test_cp1251_russian_is_detected_and_decoded() -> None:
    decoded = decode(RUSSIAN.encode("cp1251"), "ru.txt")
    assert decoded.text == RUSSIAN
    assert decoded.how == "detected"


@pytest.mark.parametrize("codec", ["latin-1", "cp1252"])
def test_western_european_french_keeps_its_accents(codec: str) -> None:
    decoded = decode(FRENCH.encode(codec), "fr.txt")
    assert decoded.text == FRENCH


def test_french_with_grave_accents_and_cedilla_is_not_read_as_baltic() -> None:
    decoded = decode(FRENCH_GRAVE.encode("cp1252"), "fr.txt")
    assert decoded.text == FRENCH_GRAVE


POLISH = (
    "Prezydent Francji Emmanuel Macron wezwał UE do przyspieszenia prac nad nowym pakietem "
    "sankcji. Według niego Europa musi mówić jednym głosem i bronić swoich interesów. "
    "Ministrowie spraw zagranicznych omówią tę kwestię w przyszłym tygodniu w Brukseli.\n"
)
CZECH = (
    "Francouzský prezident Emmanuel Macron vyzval EU, aby urychlila práci na novém balíku "
    "sankcí. Podle něj musí Evropa mluvit jedním hlasem a hájit své zájmy. Ministři zahraničí "
    "o této otázce jednají příští týden v Bruselu.\n"
)


@pytest.mark.parametrize(
    ("text", "codec"),
    [(POLISH, "cp1250"), (POLISH, "iso8859_2"), (CZECH, "cp1250")],
    ids=["polish-cp1250", "polish-iso8859-2", "czech-cp1250"],
)
def test_central_european_text_is_not_read_as_western(text: str, codec: str) -> None:
    assert decode(text.encode(codec), "pl.txt").text == text


def test_html_meta_charset_is_used_for_non_utf8_pages() -> None:
    page = (
        '<html><head><meta charset="windows-1251"><title>Новости</title></head>'
        "<body><p>Макрон призвал ЕС</p></body></html>"
    )
    decoded = decode(page.encode("cp1251"), "page.html")
    assert decoded.text == page
    assert (decoded.encoding, decoded.how) == ("cp1251", "declared")


def test_xml_declaration_names_the_charset() -> None:
    assert declared_charset(b'<?xml version="1.0" encoding="ISO-8859-1"?><rss/>') == "iso8859-1"
    assert declared_charset(b'<meta charset="no-such-charset">') is None
    assert declared_charset(b"<p>no declaration</p>") is None


def test_binary_bytes_are_rejected_as_binary() -> None:
    with pytest.raises(Rejected) as caught:
        decode(PNG + b"\x00" * 64, "picture.png")
    assert caught.value.reason == "binary"
    assert caught.value.source == "picture.png"
    assert "picture.png" in str(caught.value)


def test_text_with_tabs_and_newlines_is_not_binary() -> None:
    assert not looks_binary(b"col\tcol\r\nline\x0cpage\n" * 20)
    assert looks_binary(bytes(range(1, 32)) * 10)


def test_explicit_encoding_that_fails_is_undecodable_and_names_the_source() -> None:
    with pytest.raises(Rejected) as caught:
        decode(RUSSIAN.encode("cp1251"), "feeds/ru.txt", encoding="utf-8")
    assert caught.value.reason == "undecodable"
    assert caught.value.source == "feeds/ru.txt"
    assert "feeds/ru.txt" in str(caught.value)
    assert "utf-8" in caught.value.detail


def test_unknown_explicit_encoding_is_undecodable() -> None:
    with pytest.raises(Rejected) as caught:
        decode(b"text", "a.txt", encoding="no-such-codec")
    assert caught.value.reason == "undecodable"


def test_explicit_encoding_overrides_detection() -> None:
    decoded = decode(RUSSIAN.encode("cp1251"), "ru.txt", encoding="cp1251")
    assert decoded.text == RUSSIAN
    assert decoded.how == "given"
