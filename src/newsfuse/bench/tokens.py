"""A small regex sentence splitter and word tokenizer (no NLTK data needed)."""

from __future__ import annotations

import re

# Abbreviations after which a full stop does not end a sentence (lower-case, no final dot).
_ABBREVIATIONS = frozenset(
    {
        "mr", "mrs", "ms", "dr", "prof", "sen", "rep", "gov", "gen", "lt", "col", "capt", "sgt",
        "cmdr", "adm", "maj", "st", "jr", "sr", "rev", "hon", "pres", "inc", "co", "corp", "ltd",
        "llc", "bros", "dept", "univ", "assn", "no", "nos", "vs", "etc", "al", "approx", "est",
        "fig", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
        "ala", "ariz", "ark", "calif", "colo", "conn", "del", "fla", "ga", "ill", "ind", "kan",
        "ky", "la", "md", "mass", "mich", "minn", "miss", "mo", "mont", "neb", "nev", "okla", "ore",
        "pa", "tenn", "tex", "va", "vt", "wash", "wis", "wyo",
    }
)  # fmt: skip
# Candidate break: terminal punctuation, optional closing quotes/brackets, then whitespace.
_BREAK_RE = re.compile(r"""[.!?]+(?:["'”’)\]]|'')*(?=\s)""")
_NEXT_START_RE = re.compile(r"""\s+(?:``|["'“‘(\[])*[A-Z0-9]""")
PARAGRAPH_RE = re.compile(r"\n\s*\n")
_WORD_RE = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
_TRAILING_TOKEN_RE = re.compile(r"(\S+)$")


def _is_abbreviation(before: str) -> bool:
    last = _TRAILING_TOKEN_RE.search(before)
    token = last.group(1).lower().lstrip("(\"'`“‘") if last else ""
    # "Mr." / "U.S." / "J." do not end a sentence even when a capital follows.
    return token in _ABBREVIATIONS or len(token) == 1 or "." in token


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) character spans of the sentences of a text, whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    para_start = 0
    for para_end in [m.start() for m in PARAGRAPH_RE.finditer(text)] + [len(text)]:
        start = para_start
        for match in _BREAK_RE.finditer(text, para_start, para_end):
            end = match.end()
            if not _NEXT_START_RE.match(text, end, para_end):
                continue
            if match.group(0)[0] == "." and _is_abbreviation(text[start : match.start()]):
                continue
            spans.append((start, end))
            start = end
        spans.append((start, para_end))
        match = PARAGRAPH_RE.match(text, para_end)
        para_start = match.end() if match else para_end
    out = []
    for s, e in spans:
        chunk = text[s:e]
        if chunk.strip():
            lead = len(chunk) - len(chunk.lstrip())
            out.append((s + lead, s + len(chunk.rstrip())))
    return out


def split_sentences(text: str) -> list[str]:
    """Sentences of a text, inner whitespace collapsed (paragraph breaks always split)."""
    return [" ".join(text[s:e].split()) for s, e in sentence_spans(text)]


def split_words(text: str) -> list[str]:
    """Word tokens: letter/digit runs, keeping inner apostrophes and hyphens."""
    return _WORD_RE.findall(text)


class RegexTokenizer:
    """sumy-compatible tokenizer (to_sentences / to_words) built on the rules above."""

    language = "english"

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        """Sentences of one paragraph."""
        return tuple(split_sentences(paragraph))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        """Word tokens of one sentence."""
        return tuple(split_words(sentence))
