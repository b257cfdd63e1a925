"""Coverage: what each page of a story covered, what only it reported, how much is wire copy.

One record per page (in the story's order), a row of a matrix the report can draw:

* `facets`: for each facet in FACETS the page touches, the statements that touch it (count and
  citations). A statement touches a facet when it uses one of the facet's words (security:
  troops, forces, militias, attacks ...; economy: oil, budget, loans ...; Iran: Iran, Tehran ...;
  public health: coronavirus, pandemic, infections ...; energy; politics; diplomacy).
* `unique_facts`: the facts (facts.facts) no other page of the story states, with their
  modality, so a preview's predictions stay marked as such.
* `wire_share`: the share of the page's statement text (characters) that another page of the
  same origin also carries: shared wire copy. Quoting the same primary source (a joint
  statement) is not wire copy; only pages `origins` maps together count. 0.0 for a page alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from ..model import Article
from .facts import StoryStatements, facts, outlet_name

FACETS: dict[str, re.Pattern[str]] = {
    # "IS" (the Islamic State) only in capitals: "is" is no facet.
    "security": re.compile(
        r"\b(?:(?i:troops?|forces|military|militias?|militants?|bases?|attacks?|rockets?|missiles?|security"
        r"|withdraw\w*|drawdown|coalition|soldiers|air\s?strikes?|strikes?|Islamic State|defen[cs]e"
        r"|weapons|bombing|drones?|intelligence)|ISIS|IS)\b"),
    "economy": re.compile(
        r"\b(?:econom\w*|oil|budgets?|loans?|salaries|wages|financ\w*|reforms?|prices|revenues?|investment"
        r"|trade|sanctions?|World Bank|income)\b", re.IGNORECASE),
    "Iran": re.compile(r"\b(?:Iran\w*|Tehran|Teheran|Soleimani)\b"),
    "public health": re.compile(
        r"\b(?:coronavirus|covid\S*|pandemic|virus|infections?|lockdown|health|hospitals?|vaccines?)\b",
        re.IGNORECASE),
    "energy": re.compile(r"\b(?:gas|electricity|power|energy|fuel)\b", re.IGNORECASE),
    "politics": re.compile(
        r"\b(?:parliament\w*|lawmakers|elections?|prime minister|premier|cabinets?|protest\w*|sovereignty"
        r"|votes?|resolution|bloc|factions?)\b", re.IGNORECASE),
    "diplomacy": re.compile(
        r"\b(?:talks|dialogue|joint statement|ambassadors?|diplomat\w*|negotiations?|embass\w*|White House"
        r"|bilateral|relations(?:hip)?)\b", re.IGNORECASE),
}


def coverage(members: Sequence[Article], origins: Mapping[str, str], read: StoryStatements | None = None
             ) -> list[dict]:
    """Per page of the story: facets covered, facts only it states, share of shared wire copy."""
    read = read or StoryStatements(members)
    found = read.found
    wire_chars: dict[str, int] = {}
    for group in read.groups:
        for statement in group:
            origin = origins.get(statement.document, statement.document)
            copies = {other.document for other in group if other.document != statement.document
                      and origins.get(other.document, other.document) == origin}
            if copies:
                wire_chars[statement.document] = wire_chars.get(statement.document, 0) + len(statement.text)
    unique: dict[str, list[dict]] = {}
    for fact in facts(members, origins, read):
        documents = {c["document"] for c in fact["citations"]}
        if len(documents) == 1:
            unique.setdefault(documents.pop(), []).append(
                {"text": fact["text"], "modality": fact["modality"], "citations": fact["citations"]})
    records = []
    for article in members:
        own = [s for s in found if s.document == article.id]
        total = sum(len(s.text) for s in own)
        facets = {}
        for facet, pattern in FACETS.items():
            touching = [s for s in own if pattern.search(s.text)]
            if touching:
                facets[facet] = {"statements": len(touching), "citations": [s.citation() for s in touching]}
        records.append({
            "document": article.id,
            "outlet": outlet_name(article),
            "facets": facets,
            "unique_facts": unique.get(article.id, []),
            "wire_share": round(wire_chars.get(article.id, 0) / total, 3) if total else 0.0,
        })
    return records


