"""The outlet table: who publishes a page (country, ownership, language), from an editable CSV.

`lookup(outlet_name_or_url)` finds an outlet in `newsfuse/data/outlets.csv` (see the README beside
it) by web address or by name:

* A URL or a bare domain matches an outlet when its host is one of the outlet's domains or a
  subdomain of one ("edition.cnn.com" -> cnn.com); "www." is ignored.
* A name matches the outlet's name or one of its other names, compared without case, accents,
  punctuation or a leading "The" ("Washington Post" = "The Washington Post").
* Anything else is unknown: `None`. Nothing is guessed from the look of a name or a domain.

`group_outlets` sorts a story's outlets by one column (ownership, country or language) with an
"unknown" bucket for outlets the table does not hold; `article_outlet` reads a page's outlet from
what the cleaner found (masthead name, else the page URL), and `coverage_markdown` renders a
story's pages grouped by ownership.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from ..model import Article

DEFAULT_TABLE = Path(__file__).resolve().parent.parent / "data" / "outlets.csv"
COLUMNS = ("name", "also_known_as", "domains", "country", "ownership", "language", "source")
OWNERSHIP = frozenset(("state", "public", "private", "cooperative", "party-affiliated"))
UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class OutletInfo:
    """One row of the outlet table."""

    name: str
    also_known_as: tuple[str, ...]
    domains: tuple[str, ...]
    country: str
    ownership: str
    language: tuple[str, ...]
    source: str


@dataclass(frozen=True, slots=True)
class OutletTable:
    """The table with its two indexes: by folded name and by domain."""

    outlets: tuple[OutletInfo, ...]
    by_name: Mapping[str, OutletInfo]
    by_domain: Mapping[str, OutletInfo]


def _fold_name(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()
    plain = re.sub(r"^the\s+", "", plain)
    return re.sub(r"[^\w]+", "", plain)


def load_outlets(path: str | Path | None = None) -> OutletTable:
    """Read an outlet table (the bundled one by default); a row missing a column is an error."""
    return _load(str(Path(path) if path else DEFAULT_TABLE))


@lru_cache(maxsize=4)
def _load(path: str) -> OutletTable:
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ValueError(f"{Path(path).name}: expected columns {','.join(COLUMNS)}")
        rows = []
        for line, row in enumerate(reader, start=2):
            missing = [c for c in COLUMNS if c != "also_known_as" and not (row.get(c) or "").strip()]
            if missing:
                raise ValueError(f"{Path(path).name} line {line}: empty {', '.join(missing)}")
            rows.append(OutletInfo(
                name=row["name"].strip(),
                also_known_as=tuple(n.strip() for n in row["also_known_as"].split("|") if n.strip()),
                domains=tuple(d.lower() for d in row["domains"].split()),
                country=row["country"].strip().upper(),
                ownership=row["ownership"].strip().lower(),
                language=tuple(row["language"].split()),
                source=row["source"].strip(),
            ))
    by_name: dict[str, OutletInfo] = {}
    by_domain: dict[str, OutletInfo] = {}
    for outlet in rows:
        for name in (outlet.name, *outlet.also_known_as):
            by_name.setdefault(_fold_name(name), outlet)
        for domain in outlet.domains:
            by_domain.setdefault(domain, outlet)
    return OutletTable(tuple(rows), by_name, by_domain)


def _host(text: str) -> str | None:
    """The host of a URL or bare domain, lower case, without "www." or a port; None for a name."""
    text = text.strip()
    if "://" in text:
        host = urlsplit(text).hostname
    elif " " not in text and re.fullmatch(r"[\w.-]+\.[a-z]{2,}(?:[:/].*)?", text, re.I):
        host = urlsplit("//" + text).hostname
    else:
        return None
    return re.sub(r"^www\d*\.", "", host.lower()) if host else None


def lookup(outlet_name_or_url: str | None, table: OutletTable | None = None) -> OutletInfo | None:
    """The table's row for an outlet name, URL or domain, or None when the outlet is unknown."""
    if not outlet_name_or_url or not outlet_name_or_url.strip():
        return None
    table = table or load_outlets()
    host = _host(outlet_name_or_url)
    if host is not None:
        labels = host.split(".")
        # The host itself, then each parent domain: news.example.co.uk, example.co.uk, co.uk.
        for i in range(len(labels) - 1):
            found = table.by_domain.get(".".join(labels[i:]))
            if found is not None:
                return found
        return None
    return table.by_name.get(_fold_name(outlet_name_or_url))


def group_outlets(outlets: Iterable[str | None], by: str = "ownership",
                  table: OutletTable | None = None) -> dict[str, list[str]]:
    """Outlet names or URLs grouped by a table column ("ownership", "country", "language").

    Outlets the table does not hold go under "unknown"; an outlet publishing in several languages
    is listed under each. Groups and the names in them are sorted.
    """
    if by not in ("ownership", "country", "language"):
        raise ValueError(f"cannot group outlets by {by!r}")
    groups: dict[str, set[str]] = defaultdict(set)
    for outlet in outlets:
        if not outlet:
            continue
        info = lookup(outlet, table)
        if info is None:
            groups[UNKNOWN].add(outlet)
            continue
        values = info.language if by == "language" else (getattr(info, by),)
        for value in values:
            groups[value].add(info.name)
    return {key: sorted(names) for key, names in sorted(groups.items())}


def article_outlet(article: Article, table: OutletTable | None = None) -> OutletInfo | None:
    """The outlet of a page: its masthead name if the table knows it, else its URL's domain."""
    name = article.meta.outlet.value if article.meta.outlet else None
    return lookup(name, table) or lookup(article.url, table)


