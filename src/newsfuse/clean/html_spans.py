"""Map clean paragraphs back to the raw HTML: verbatim stretches become Segments."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from newsfuse.model import Segment

# Shortest stretch worth recording: below a few words a "verbatim" match says little and
# citations (sentence-sized) could not use it anyway.
MIN_SEGMENT_CHARS = 12

# Length of the probe used to find where a paragraph (or its rest) starts in the raw page:
# long enough to be unique in practice, short enough to fit between two inline tags.
ANCHOR_CHARS = 32

# Probes per paragraph before giving up on the rest of it; bounds the cost on a large page
# to a few full-text scans per paragraph.
MAX_ANCHOR_TRIES = 6
# ... plus one per this many characters, so a long paragraph can recover after several breaks.
ANCHOR_TRIES_PER_CHARS = 200

# Markup skipped while following a paragraph through inline tags (<a>, <em>, <span ...>);
# past this the text is elsewhere and a fresh probe is cheaper than walking.
MAX_MARKUP_GAP = 2000

# Characters all probes of one page may scan, in page lengths. AEB pages use 12 on average and
# 173 at most (a table-heavy page); the bound keeps a pathological page (thousands of paragraphs
# that match nowhere) bounded: 0.5 s for 3,000 such paragraphs on a 17 MB page here.
SCAN_BUDGET_PAGES = 300

_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?")
_BODY_TAG = re.compile(r"<body[\s>]", re.I)


def map_paragraphs(paragraphs: Sequence[str], raw: str) -> tuple[Segment, ...]:
    """Segments for paragraphs joined by "\n\n", where their text stands verbatim in raw."""
    body_tag = _BODY_TAG.search(raw)
    # Search the page body first: a lead paragraph often also stands in <meta description>.
    cursor = body_tag.end() if body_tag else 0
    finder = _Finder(raw)
    segments: list[Segment] = []
    start = 0
    for paragraph in paragraphs:
        found, cursor = _map_one(paragraph, start, finder, cursor)
        segments.extend(found)
        start += len(paragraph) + 2
    return tuple(segments)


class _Finder:
    """str.find over the raw page within a budget of characters scanned."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.budget = SCAN_BUDGET_PAGES * max(len(raw), 1)

    def find(self, needle: str, hint: int) -> int:
        """Position of needle at or after hint, else before it; -1 if absent or out of budget."""
        raw = self.raw
        if self.budget <= 0:
            return -1
        pos = raw.find(needle, hint)
        self.budget -= (pos - hint + len(needle)) if pos >= 0 else len(raw) - hint
        if pos >= 0 or hint == 0 or self.budget <= 0:
            return pos
        end = min(len(raw), hint + len(needle) - 1)
        pos = raw.find(needle, 0, end)
        self.budget -= pos + len(needle) if pos >= 0 else end
        return pos


def _map_one(paragraph: str, body_start: int, finder: _Finder, hint: int) -> tuple[list[Segment], int]:
    """Segments of one paragraph, and where in raw the next paragraph should be looked for."""
    raw = finder.raw
    pos = finder.find(paragraph, hint)
    if pos >= 0:
        return [Segment(body_start, pos, len(paragraph))], pos + len(paragraph)
    segments: list[Segment] = []
    i, k, tries, n = 0, -1, 0, len(paragraph)
    max_tries = MAX_ANCHOR_TRIES + n // ANCHOR_TRIES_PER_CHARS
    while i < n:
        if k < 0:
            if tries == max_tries:
                break
            tries += 1
            k = finder.find(paragraph[i : i + ANCHOR_CHARS], hint)
            if k < 0:
                # Skip to the next word: the probe likely spans an entity or a changed char.
                space = paragraph.find(" ", i + ANCHOR_CHARS // 2)
                i = space + 1 if space >= 0 else n
                continue
        length = _common_prefix(paragraph, i, raw, k)
        if length >= MIN_SEGMENT_CHARS:
            segments.append(Segment(body_start + i, k, length))
            hint = k + length
        i, k = _resync(paragraph, i + length, raw, k + length)
    return segments, hint


def _common_prefix(a: str, i: int, b: str, k: int) -> int:
    """Length of the common prefix of a[i:] and b[k:], compared a block at a time."""
    limit = min(len(a) - i, len(b) - k)
    n, step = 0, 64
    while n + step <= limit and a[i + n : i + n + step] == b[k + n : k + n + step]:
        n += step
    while n < limit and a[i + n] == b[k + n]:
        n += 1
    return n


def _resync(text: str, i: int, raw: str, k: int) -> tuple[int, int]:
    """Follow text through the markup, entities and spacing after a mismatch; k=-1 if lost."""
    limit = min(len(raw), k + MAX_MARKUP_GAP)
    n = len(text)
    while i < n and k < limit:
        c = raw[k]
        if c == "<":
            end = raw.find("-->", k) + 3 if raw.startswith("<!--", k) else raw.find(">", k) + 1
            if end <= 0:
                return i, -1
            k = end
            continue
        if c == "&" and (m := _ENTITY.match(raw, k)) and (char := html.unescape(m[0])) != m[0]:
            if char.isspace():
                k = m.end()
                while i < n and text[i].isspace():
                    i += 1
            elif text.startswith(char, i):
                i, k = i + len(char), m.end()
            else:
                return i, -1
            continue
        if c == text[i]:
            return i, k
        if not (c.isspace() or text[i].isspace()):
            return i, -1
        while k < limit and raw[k].isspace():
            k += 1
        while i < n and text[i].isspace():
            i += 1
    return i, -1
