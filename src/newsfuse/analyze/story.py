"""One story's analysis: every analyser run over the story's pages, as the story record's sections.

The analysers read the analysed part of each body (the pipeline caps it) and return JSON-ready
records whose citations point into the clean bodies. Sections, in the story record:
`quotes`, `entities`, `facts`, `conflicts`, `pledges`, `timeline`, `coverage` and
`republication_edits` (for each syndicated copy in the story, what it changed against its origin).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from rapidfuzz.fuzz import ratio

from ..model import Article, Syndication
from .conflicts import conflicts
from .coverage import coverage
from .edits import republication_edits
from .entities import entities
from .facts import StoryStatements, facts
from .pledges import pledges
from .quotes import quotes
from .timeline import timeline

# Two spellings of one name token ("Kadhimi" / "Kadhemi", "Qassem" / "Qasem") are at least this
# similar; a short form and a full name ("US" / "United States") are a different form, not a
# different spelling, and are not reported as an alias conflict.
SPELLING_SIMILARITY = 70
_NAME_PREFIX = re.compile(r"^(?:al|el|ad|an|as|ash|at|az)-", re.IGNORECASE)


def analyse(members: Sequence[Article], origins: Mapping[str, str], syndication: Sequence[Syndication] = (),
            aliases: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Every analysis section of one story (members: the analysed part of each page).

    A section whose analyser fails on some text is left empty and the failure is listed under
    `analysis_errors`: one odd page must not cost a long run its stories, nor the story its
    other sections.
    """
    errors: list[dict[str, str]] = []

    def section(name: str, build: Callable[[], list[dict]]) -> list[dict]:
        try:
            return build()
        except Exception as exc:  # noqa: BLE001 - contained and reported, see the docstring
            errors.append({"section": name, "error": f"{type(exc).__name__}: {exc}"[:300]})
            return []

    found = section("entities", lambda: entities(members, aliases))
    by_id = {a.id: a for a in members}
    read = StoryStatements(members)
    sections = {
        "quotes": section("quotes", lambda: quotes(members)),
        "entities": found,
        "facts": section("facts", lambda: facts(members, origins, read)),
        "conflicts": section("conflicts",
                             lambda: conflicts(members, origins, spelling_variants(found), read)),
        "pledges": section("pledges", lambda: pledges(members, origins, read)),
        "timeline": section("timeline", lambda: timeline(members)),
        "coverage": section("coverage", lambda: coverage(members, origins, read)),
        "republication_edits": section("republication_edits", lambda: [
            edit for group in syndication for edit in republication_edits(group, by_id)]),
    }
    return {**sections, "analysis_errors": errors}


def spelling_variants(found: Sequence[Mapping[str, Any]]) -> list[dict[str, list[dict[str, Any]]]]:
    """Per entity whose pages spell one name differently: {spelling: citations of it}."""
    groups = []
    for entity in found:
        by_spelling: dict[str, list[dict[str, Any]]] = {}
        for variant in entity.get("variants", ()):
            last = _NAME_PREFIX.sub("", variant["text"].split()[-1])
            by_spelling.setdefault(last, []).extend(variant["citations"])
        spellings = [s for s in by_spelling if not s.isupper()]
        similar = {s for s in spellings for t in spellings if s.lower() != t.lower()
                   and ratio(s.lower(), t.lower()) >= SPELLING_SIMILARITY}
        if len(similar) >= 2:
            groups.append({s: by_spelling[s] for s in sorted(similar)})
    return groups


__all__ = ["analyse", "spelling_variants"]
