"""Photo captions that read like prose: a scene told in the present tense.

A caption describes a picture as it is seen: "Volunteers sort donated food at a
pantry on Saturday", "The wreckage is lifted from the river on Monday morning",
or a verbless "Daniel Reyes at his home in Ohio last month". News prose tells
the same scene in the past tense ("volunteers sorted ...") and attributes it. No
cue list can name every scene, so the test is grammatical: the line's first
finite verb is in the present (or it has none) while it anchors the scene in a
place or a time, and it quotes and attributes nobody. The line model must also
be unsure of the line (see clean.MODEL_SCENE): article leads written in the
present tense are what the model has seen as article text.
"""

from __future__ import annotations

import regex

from storyline.annotate import tagger
from storyline.textstats import word_count

SCENE_MIN_WORDS = 4
SCENE_MAX_WORDS = 45
PRESENT = frozenset({"VBZ", "VBP"})
FINITE = frozenset({"VBZ", "VBP", "VBD", "MD"})
ENGLISH = regex.compile(r"\b(the|a|an|at|in|on|of|during|after|near|outside)\b", regex.I)
ATTRIBUTED = regex.compile(
    r"[\"“”«»]|\b(said|says|told|tells|according|asked|added|claimed|argued|wrote)\b", regex.I
)
WEEKDAY = r"(monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
MONTH = (
    r"(january|february|march|april|may|june|july|august|september|october|november|december"
    r"|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.?"
)
ANCHOR = regex.compile(
    rf"\b(on {WEEKDAY}|{WEEKDAY} (morning|afternoon|evening|night)|last (week|month|year)"
    rf"|earlier this (week|month|year)|in \d{{4}}|on {MONTH} \d{{1,2}}|{MONTH} \d{{1,2}},? \d{{4}}"
    r"|(in|at|near|outside|inside|across|from) (the )?\p{Lu}[\p{L}'’-]+)\b",
    regex.I,
)


def reads_as_scene(text: str) -> bool:
    """Does this line describe a picture: present tense (or no verb), anchored in a
    place or time, a sentence of its own, quoting nobody?"""
    words = word_count(text)
    stripped = text.strip()
    if not SCENE_MIN_WORDS <= words <= SCENE_MAX_WORDS or not stripped.endswith("."):
        return False
    if not stripped[:1].isupper() or not ENGLISH.search(text) or ATTRIBUTED.search(text):
        return False
    if not ANCHOR.search(text):
        return False
    doc = tagger()(stripped)
    first = next(iter(doc.sents))
    finite = [t.tag_ for t in first if t.tag_ in FINITE]
    return not finite or finite[0] in PRESENT
