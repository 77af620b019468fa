"""Language of an article, detected from its body with lingua.

The detector is built once for a fixed set of languages (more languages cost
speed and accuracy on short texts) and passed to whoever needs it.
"""

from __future__ import annotations

from functools import lru_cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

# The languages storyline's users meet most in European political news.
LANGUAGES = (
    Language.ENGLISH,
    Language.FRENCH,
    Language.GERMAN,
    Language.RUSSIAN,
    Language.UKRAINIAN,
    Language.SPANISH,
    Language.ITALIAN,
    Language.POLISH,
    Language.DUTCH,
    Language.PORTUGUESE,
)
# Below this confidence the language is left unknown rather than guessed.
MIN_CONFIDENCE = 0.5
# Characters of body text used: enough for a confident answer, cheap to run.
SAMPLE_CHARS = 2000


@lru_cache(maxsize=1)
def detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*LANGUAGES).build()


def detect_language(text: str, languages: LanguageDetector | None = None) -> str | None:
    """ISO 639-1 code of the text's language, or None when unsure."""
    sample = text[:SAMPLE_CHARS]
    if len(sample.split()) < 3:
        return None
    model = languages or detector()
    values = model.compute_language_confidence_values(sample)
    if not values or values[0].value < MIN_CONFIDENCE:
        return None
    return values[0].language.iso_code_639_1.name.lower()
