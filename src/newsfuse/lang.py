"""Language of a text as an ISO 639-1 code, with py3langid's bundled model (offline)."""

from __future__ import annotations

import functools

from py3langid.langid import MODEL_FILE, LanguageIdentifier

__all__ = ["UNDETERMINED", "detect_language"]

UNDETERMINED = "und"

# Characters classified: langid's accuracy plateaus well before a few thousand characters of
# news prose, and a bounded prefix keeps a 64 MiB page as cheap as a short one.
SAMPLE_CHARS = 4000

# Fewer letters than this and the guess is noise ("Hello" comes out Breton). Ten letters hold
# a short Chinese or Japanese sentence; Latin-script text needs a few words to pass anyway.
MIN_LETTERS = 10

# Normalised probability under which we abstain: full sentences score > 0.65 (Chinese, the
# hardest for the model, ~0.68); two-word fragments ~0.05-0.4.
MIN_CONFIDENCE = 0.5


@functools.cache
def _identifier() -> LanguageIdentifier:
    """The model, loaded once (~0.5 s) and restricted to labels that are ISO 639-1 codes."""
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    # The model also knows ISO 639-3 varieties (yue, arz, ...) and zxx (not language);
    # keeping only two-letter labels folds those into their macro-language.
    identifier.set_languages([code for code in identifier.labels if len(code) == 2])
    return identifier


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language, or "und" when there is too little to tell."""
    sample = text[:SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return UNDETERMINED
    code, confidence = _identifier().classify(sample)
    return code if confidence >= MIN_CONFIDENCE else UNDETERMINED
