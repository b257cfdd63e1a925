"""Sentences, tokens, shingles and normalisation: pure functions over strings."""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Iterator, Sequence
from functools import lru_cache

# Words that end with a period without ending a sentence (titles, months, initialisms). A
# sentence that really ends on one of these is rare in news copy; a split inside "Maj. Gen.
# Qasem Soleimani" would cut a citation in two.
ABBREVIATIONS = frozenset((
    "mr", "mrs", "ms", "dr", "prof", "gen", "maj", "lt", "col", "sgt", "capt", "cmdr", "adm",
    "sen", "sens", "rep", "reps", "gov", "pres", "st", "sr", "jr", "rev", "hon",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "mon", "tue", "tues", "wed", "thu", "thur",
    "thurs", "fri", "sat", "sun", "no", "nos", "vs", "etc", "inc", "corp", "co", "ltd", "bros",
    "dept", "univ", "est", "approx", "fig", "ft", "mt", "ave", "blvd", "rd", "u.s", "u.n", "u.k",
    "e.g", "i.e", "a.m", "p.m", "d.c", "n.y", "l.a", "u.s.a", "e.u",
))

_QUOTE_MAP = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u201c": '"', "\u201d": '"',
     "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"', "\u2013": "-", "\u2014": "-",
     "\u00a0": " "}
)

# A candidate boundary: terminal punctuation, optional closing quotes/brackets, then space.
_BOUNDARY = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*(?=\s+)")
_NEXT_STARTS_SENTENCE = re.compile(r"\s+[\"'\u201c\u2018(\[]*[A-Z0-9\u00c0-\u024f]")
_WORD = re.compile(r"\w+(?:[.'\u2019]\w+)*", re.UNICODE)
_TRAILING_ABBREV = re.compile(r"(\b[\w.]+)\.[\"'\u201d\u2019)\]]*$")


def normalize(text: str) -> str:
    """Text folded for comparison: NFKC, straight quotes, plain dashes, lowercase, single spaces."""
    folded = unicodedata.normalize("NFKC", text).translate(_QUOTE_MAP).lower()
    return " ".join(folded.split())


def words(text: str) -> list[str]:
    """Lowercased word tokens, with "U.S." folded to "us" so outlets' spellings meet."""
    return folded_words(text.translate(_QUOTE_MAP))


def word_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, token) for each word; tokens lowercased, periods and apostrophes dropped."""
    # The quote map is one character for one, so offsets in the folded text are offsets in text.
    return iter(folded_word_spans(text.translate(_QUOTE_MAP)))


def _token(word: str) -> str:
    return word.lower().replace(".", "").replace("'", "")


def fold_quotes(text: str) -> str:
    """Text with curly quotes, dashes and no-break spaces made plain, one character for one."""
    return text.translate(_QUOTE_MAP)


def folded_word_spans(folded: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
    """word_spans of folded[start:end] (folded by fold_quotes) with offsets into folded.

    The word pattern has no anchors or lookbehind, so matching between pos and endpos finds
    exactly the words of the slice; this saves one translate and one slice per sentence.
    """
    stop = len(folded) if end is None else end
    return [(m.start(), m.end(), _token(m.group())) for m in _WORD.finditer(folded, start, stop)]


def folded_words(folded: str, start: int = 0, end: int | None = None) -> list[str]:
    """The tokens of folded_word_spans(folded, start, end), without their offsets."""
    stop = len(folded) if end is None else end
    return [_token(word) for word in _WORD.findall(folded, start, stop)]


def _ends_with_abbreviation(text: str, end: int) -> bool:
    match = _TRAILING_ABBREV.search(text[max(0, end - 24):end])
    if not match:
        return False
    token = match.group(1).lower()
    if token in ABBREVIATIONS:
        return True
    # A lone capital initial ("John F. Kerry") or an initialism ("U.S.", "D.C.").
    return len(token) == 1 and token.isalpha() or bool(re.fullmatch(r"(?:\w\.)+\w", token))


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Offsets of the sentences of text[start:end]; line breaks always end a sentence."""
    stop = len(text) if end is None else end
    if len(text) > MAX_REMEMBERED_CHARS:
        return list(_split_sentences(text, start, stop))
    return list(_remembered_sentences(text, start, stop))


# A story's bodies are split into sentences by most analysis sections in turn (facts, quotes,
# timeline, entities, brief, syndication): remembered for the last few hundred texts, each is
# split once. A copy goes out each time, so no caller can change what the next one reads; a
# text longer than this is split every time rather than kept alive by the memory.
MAX_REMEMBERED_CHARS = 100_000


def _split_sentences(text: str, start: int, stop: int) -> tuple[tuple[int, int], ...]:
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text[start:stop]):
        base = start + line.start()
        chunk = line.group()
        cursor = 0
        for boundary in _BOUNDARY.finditer(chunk):
            cut = boundary.end()
            if not _NEXT_STARTS_SENTENCE.match(chunk, cut):
                continue
            if chunk[boundary.start()] == "." and _ends_with_abbreviation(chunk, cut):
                continue
            _append_stripped(spans, chunk, base, cursor, cut)
            cursor = cut
        _append_stripped(spans, chunk, base, cursor, len(chunk))
    return tuple(spans)


_remembered_sentences = lru_cache(maxsize=256)(_split_sentences)


def _append_stripped(spans: list[tuple[int, int]], chunk: str, base: int, lo: int, hi: int) -> None:
    piece = chunk[lo:hi]
    stripped = piece.strip()
    if stripped:
        lead = len(piece) - len(piece.lstrip())
        spans.append((base + lo + lead, base + lo + lead + len(stripped)))


def sentences(text: str) -> list[str]:
    """The sentences of a text, as strings."""
    return [text[a:b] for a, b in sentence_spans(text)]


def shingles(tokens: Sequence[str], size: int = 5) -> set[int]:
    """Hashed word n-grams (crc32, stable across runs and machines)."""
    if len(tokens) < size:
        return {_hash(" ".join(tokens))} if tokens else set()
    # _hash inlined: this runs once per word of every page (fingerprints and sentence postings).
    crc32, join = zlib.crc32, " ".join
    return {crc32(join(tokens[i:i + size]).encode("utf-8", "surrogatepass"))
            for i in range(len(tokens) - size + 1)}


def _hash(text: str) -> int:
    return zlib.crc32(text.encode("utf-8", "surrogatepass"))


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """English function words: carry no topic, so grouping and scoring ignore them."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | {"said", "says", "say", "mr", "ms", "mrs", "told"}


def quoted_ranges(text: str) -> list[tuple[int, int]]:
    """Offsets of the text inside double quotation marks (straight or curly), marks included."""
    ranges: list[tuple[int, int]] = []
    opening: int | None = None
    # Only quotation marks and line breaks change the state: visit those (a regex scan) rather
    # than every character of the body.
    for match in _QUOTE_EVENT.finditer(text):
        i = match.start()
        ch = match.group()
        if ch == "\u201c" or (ch == '"' and opening is None):
            opening = i
        elif (ch == "\u201d" or ch == '"') and opening is not None:
            ranges.append((opening, i + 1))
            opening = None
        elif ch == "\n" and opening is not None:
            # A quote left open at a paragraph end continues in the next paragraph by
            # convention; close the range at the line so the next paragraph stands alone.
            ranges.append((opening, i))
            opening = None
    if opening is not None:
        ranges.append((opening, len(text)))
    return ranges


_QUOTE_EVENT = re.compile('[\u201c\u201d"\n]')
