"""Per-outlet boilerplate: lines that repeat across many pages of one outlet are page chrome."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

# A line must recur on at least this many pages of one outlet to count as chrome.
MIN_PAGES = 3
# ... and on at least this share of the outlet's pages: an outlet running three updates of the
# same wire story must not learn the story's sentences as chrome.
MIN_SHARE = 0.3
# Longer lines are article text even when repeated (a syndicated paragraph), never chrome.
MAX_LINE_CHARS = 300


def host_key(outlet: str | None, url: str | None) -> str | None:
    """The key pages of one outlet share: the declared outlet, else the URL host without www."""
    if outlet and outlet.strip():
        return outlet.strip().lower()
    if url:
        try:
            host = urlsplit(url.strip()).hostname or ""
        except ValueError:
            host = ""
        host = host.lower().removeprefix("www.")
        return host or None
    return None


@dataclass(frozen=True, slots=True)
class BoilerplateModel:
    """Lines known to be chrome, per outlet key; `version` is a hash of the content."""

    entries: tuple[tuple[str, frozenset[str]], ...]
    version: str = field(init=False)
    _index: dict[str, frozenset[str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        digest = hashlib.sha256()
        for key, lines in self.entries:
            digest.update(key.encode("utf-8", "surrogatepass") + b"\x1e")
            for line in sorted(lines):
                digest.update(line.encode("utf-8", "surrogatepass") + b"\x1f")
        object.__setattr__(self, "version", f"bp-{digest.hexdigest()[:12]}")
        object.__setattr__(self, "_index", dict(self.entries))

    def lines_for(self, key: str | None) -> frozenset[str]:
        """The chrome lines of one outlet (empty when the outlet is unknown)."""
        if key is None:
            return frozenset()
        return self._index.get(key, frozenset())


def build_boilerplate(
    pages: Iterable[tuple[str | None, Iterable[str]]],
    *,
    min_pages: int = MIN_PAGES,
    min_share: float = MIN_SHARE,
) -> BoilerplateModel:
    """Learn chrome lines from (outlet_key, lines of one page) pairs; same input, same model."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    for key, lines in pages:
        if not key:
            continue
        totals[key] += 1
        unique = {s for s in (line.strip() for line in lines) if s and len(s) <= MAX_LINE_CHARS}
        counts[key].update(unique)
    entries = []
    for key in sorted(counts):
        need = max(min_pages, min_share * totals[key])
        chrome = frozenset(line for line, n in counts[key].items() if n >= need)
        if chrome:
            entries.append((key, chrome))
    return BoilerplateModel(tuple(entries))
