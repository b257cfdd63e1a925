"""Language of a text as an ISO 639-1 code, with py3langid's bundled model (offline).

py3langid finds the model's features (byte n-grams) by walking an Aho-Corasick automaton over
the text's bytes in a Python loop, most of the detection time. The state after a byte depends
only on the last few bytes (it is the longest suffix of the text read that is a prefix of a
feature, so it is never longer than the longest feature: 6 bytes in the bundled model), so we
compute every state at once with numpy, by running the automaton from its start over each
position's last bytes. The features found, their order and so the scores are the library's own.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Sequence

import numpy as np
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

class _Identifier(LanguageIdentifier):
    """py3langid's identifier with the automaton walked for all positions at once (numpy)."""

    __slots__ = ("_moves", "_outputs", "_row_starts", "_window")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._moves = np.frombuffer(self.tk_nextmove, dtype=np.dtype(self.tk_nextmove.typecode))
        self._row_starts = np.asarray(self._rowbase, dtype=np.intp)
        self._outputs = np.asarray(self.tk_output, dtype=np.intp)
        self._window = _longest_feature(self._moves, self.tk_row)

    def _raw_score(self, text: bytes) -> np.ndarray:
        # The library's signature: scores for UTF-8 bytes; without features, its own fallback.
        if not text:
            return super()._raw_score(text)
        data = np.frombuffer(text, dtype=np.uint8).astype(np.intp)
        window, moves, row_starts = self._window, self._moves, self._row_starts
        # The first window - 1 positions have a shorter past: walked one byte at a time.
        head, state = [], 0
        for byte in data[:window - 1].tolist():
            state = int(moves[row_starts[state] + byte])
            head.append(state)
        # Every later position: its last `window` bytes read from the start, all positions at once.
        size = len(data)
        states = np.zeros(max(0, size - window + 1), dtype=np.intp)
        if size >= window:
            for back in range(window - 1, -1, -1):
                states = moves[row_starts[states] + data[window - 1 - back : size - back]]
        states = np.concatenate([np.asarray(head, dtype=np.intp), states.astype(np.intp)])
        features = self._outputs[states]
        found = features[features >= 0]
        if not len(found):
            return super()._raw_score(text)
        # Counter keeps first-seen order, as the library's walk does: the sum's order is the same.
        return self._sparse_score(Counter(found.tolist()), self.nb_ptc)


def _longest_feature(moves: np.ndarray, row_of_state: Sequence[int]) -> int:
    """Most bytes on a shortest path from the start to any state: the longest feature's length.

    Breadth-first over the automaton. States share transition rows (the model stores each
    distinct row once), and a row's targets are reached the first time any of its states is,
    so each row is expanded once; states are marked in boolean arrays, not sorted.
    """
    rows = moves.reshape(-1, 256)
    row_of = np.asarray(row_of_state, dtype=np.intp)
    seen = np.zeros(len(row_of), dtype=bool)
    expanded = np.zeros(len(rows), dtype=bool)
    seen[0] = True
    frontier, depth = np.array([0]), 0
    while True:
        pending = np.zeros(len(rows), dtype=bool)
        pending[row_of[frontier]] = True
        pending &= ~expanded
        expanded |= pending
        reached = np.zeros(len(row_of), dtype=bool)
        reached[rows[pending]] = True
        frontier = np.flatnonzero(reached & ~seen)
        if not len(frontier):
            return depth
        seen[frontier] = True
        depth += 1


@functools.cache
def _identifier() -> LanguageIdentifier:
    """The model, loaded once (~0.5 s) and restricted to labels that are ISO 639-1 codes."""
    # The subclass leans on the library's private _raw_score and _sparse_score: should a release
    # drop them, the plain identifier gives the same answers, only slower.
    private = all(hasattr(LanguageIdentifier, name) for name in ("_raw_score", "_sparse_score", "_rowbase"))
    kind = _Identifier if private else LanguageIdentifier
    identifier: LanguageIdentifier = kind.from_model_file(MODEL_FILE, norm_probs=True)
    # The model also knows ISO 639-3 varieties (yue, arz, ...) and zxx (not language);
    # keeping only two-letter labels folds those into their macro-language.
    identifier.set_languages([code for code in identifier.labels if len(code) == 2])
    return identifier


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language, or "und" when there is too little to tell."""
    sample = text[:SAMPLE_CHARS]
    if not _has_letters(sample, MIN_LETTERS):
        return UNDETERMINED
    code, confidence = _identifier().classify(sample)
    return code if confidence >= MIN_CONFIDENCE else UNDETERMINED


def _has_letters(text: str, count: int) -> bool:
    """Whether text holds at least `count` letters; stops at the count, not at the end of text."""
    for ch in text:
        if ch.isalpha():
            count -= 1
            if count <= 0:
                return True
    return count <= 0
