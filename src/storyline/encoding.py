"""Decode bytes from the web into text: detected, never assumed.

Order of evidence: a byte-order mark, strict UTF-8, the charset the document
declares (HTTP-equiv meta, XML declaration), then charset-normalizer's guess.
Binary input (NUL bytes, many control characters) is refused, not guessed at.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from typing import Any

import charset_normalizer
import regex

from storyline.errors import Rejected

DECLARED = regex.compile(
    rb"""(?:<meta[^>]{0,200}?charset\s*=\s*["']?\s*([\w.:-]{2,40})|<\?xml[^>]{0,100}?encoding\s*=\s*["']([\w.:-]{2,40}))""",
    regex.I,
)
BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Share of control characters (other than tab, newline, carriage return,
# form feed) above which bytes are treated as binary, not text.
BINARY_CONTROL_SHARE = 0.05


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    how: str  # "bom", "utf-8", "declared", "detected"


def declared_charset(data: bytes) -> str | None:
    match = DECLARED.search(data[:4096])
    if not match:
        return None
    name = (match.group(1) or match.group(2)).decode("ascii", "ignore")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample and not sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return bool(sample) and controls / len(sample) > BINARY_CONTROL_SHARE


# Western single-byte encodings, preferred when they read as cleanly as the
# detector's first pick: windows-1252 is the web's legacy default (WHATWG), and
# Baltic or Central European code pages often tie with it on French or Spanish.
WESTERN = ("cp1252", "latin_1", "iso8859_15")
# How much more "chaos" (mess ratio) a western reading may have and still win.
WESTERN_MARGIN = 0.05
# Languages whose text a western code page writes; only for these may it win a tie.
WESTERN_LANGUAGES = {"English", "French", "German", "Spanish", "Italian", "Portuguese", "Dutch"}


def _best_guess(data: bytes) -> Any:
    matches = list(charset_normalizer.from_bytes(data))
    if not matches:
        return None
    best = min(matches, key=lambda m: m.chaos)
    if best.language not in WESTERN_LANGUAGES:
        return best  # Central European and Cyrillic code pages must not turn western
    for match in matches:
        if match.encoding in WESTERN and match.chaos <= best.chaos + WESTERN_MARGIN:
            return match
    return best


def decode(data: bytes, source: str, encoding: str | None = None) -> Decoded:
    """Decode `data` or raise Rejected naming `source` and the fix."""
    if encoding:
        try:
            return Decoded(data.decode(encoding), encoding, "given")
        except (UnicodeDecodeError, LookupError) as error:
            raise Rejected(
                source, "undecodable", f"cannot decode as {encoding} ({error}); check --encoding"
            ) from error
    for bom, name in BOMS:
        if data.startswith(bom):
            return Decoded(data.decode(name), name, "bom")
    if looks_binary(data):
        raise Rejected(
            source,
            "binary",
            "looks like a binary file, not text; pass text, HTML, JSON, a feed or a WARC archive",
        )
    try:
        return Decoded(data.decode("utf-8"), "utf-8", "utf-8")
    except UnicodeDecodeError:
        pass
    declared = declared_charset(data)
    if declared:
        try:
            return Decoded(data.decode(declared), declared, "declared")
        except UnicodeDecodeError:
            pass
    best = _best_guess(data)
    if best is None or best.encoding is None:
        raise Rejected(
            source,
            "undecodable",
            "cannot tell this file's text encoding; convert it to UTF-8 or pass --encoding",
        )
    return Decoded(str(best), best.encoding, "detected")
