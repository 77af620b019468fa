"""Decode bytes from the web into text: detected, never assumed.

Order of evidence: a byte-order mark, strict UTF-8, the charset the document
declares (HTTP-equiv meta, XML declaration), then charset-normalizer's guess.
Binary input (NUL bytes, many control characters) is refused, not guessed at.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

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
            source, "binary", "looks like a binary file, not text; pass text, HTML, JSON, "
            "a feed or a WARC archive"
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
    best = charset_normalizer.from_bytes(data).best()
    if best is None or best.encoding is None:
        raise Rejected(
            source, "undecodable",
            "cannot tell this file's text encoding; convert it to UTF-8 or pass --encoding",
        )
    return Decoded(str(best), best.encoding, "detected")
