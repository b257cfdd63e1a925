"""Conflicts: where a story's pages differ, both sides kept with citations, never averaged.

Each conflict has a `kind`, what it is `about`, and two or more `sides` (verbatim text, the
sentence it stands in as `context`, and citations). Only "contradiction" is a flag; the other
kinds are shown for what they are:

* "contradiction": the sides cannot both be true. A person's title (an apposition naming a post)
  where the two share TITLE_SHARED_WORDS words and each has words the other lacks ("assistant
  secretary of state for Middle East affairs" / "... for Near Eastern affairs"); a decision
  called non-binding on one page and requiring or binding on another; figures of one measure
  whose intervals are disjoint (figures.compare) in statements that say the same thing (one
  fact group), or whose surroundings (WINDOW content words either side, the unit left out) are
  alike: Jaccard at least CONTRADICTION_CONTEXT. Stories repeat their names everywhere, so a few
  shared words do not make two distances or death tolls one measure.
* "imprecise": compatible but imprecise; figures of one measure whose intervals overlap without
  being equal ("more than 5,000" / "some 5,200" troops), stated values within IMPRECISE_RATIO
  of each other, and surroundings sharing at least IMPRECISE_CONTEXT word besides the unit (one
  more for percentages, whose base must match); or the time a statement came out given as late
  on one day and early on the next (time zones: "late Thursday" in Washington, "early Friday"
  in Erbil).
* "wording": one quotation worded differently on different pages (quotes.quotes variants that
  differ in their words, not only in quotation marks or case, nor by one quoting a part of the
  other).
* "alias": one name spelt differently ("Kadhimi" / "Kadhemi"), from name-variant groups the
  entities module finds (`aliases` argument; see alias_conflicts).

Figures are read only from statements that report (a preview's forecasts are not compared), and
generic counters ("two countries", "three years") are not measures anything conflicts on.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from ..model import Article, to_plain
from ..text import normalize, sentence_spans, stopwords, words
from .facts import Statement, StoryStatements, analysed_body
from .figures import Figure, compare, figures
from .quotes import quotes

KINDS = ("contradiction", "imprecise", "wording", "alias")
CONTRADICTION_CONTEXT = 0.5
IMPRECISE_CONTEXT = 1
IMPRECISE_RATIO = 1.5
WINDOW = 6
# Counters of the story's frame, not measures of it.
_GENERIC_UNITS = frozenset(("countries", "sides", "years", "months", "weeks", "days", "hours", "times",
                            "year", "month", "week", "day", "hour", "rounds", "round"))

_PERSON = r"(?P<name>[A-Z][\w'’-]+(?:\s(?:(?:al|el|bin|de|van|von)-)?[A-Z][\w'’-]+){1,3})"
_ROLE = re.compile(
    _PERSON + r",\s(?P<role>(?:(?:the|an?)\s+)?(?:(?:US|U\.S\.|American|Iraqi|British|French)\s+)?"
    r"[a-z][^,;“”\"()]{4,120}?)(?=,|\.\s|\.$|\s+(?:said|told|says|added)\b)")
_ROLE_NOISE = frozenset(("us", "u.s.", "american", "the", "a", "an"))
# A title names a post: an apposition without one of these words ("citing threats", "a student
# who disappeared") describes rather than titles, and two such descriptions do not contradict.
_TITLE_WORDS = frozenset((
    "secretary", "undersecretary", "minister", "president", "director", "spokesman", "spokeswoman",
    "spokesperson", "ambassador", "chief", "head", "leader", "governor", "mayor", "general", "commander",
    "adviser", "advisor", "envoy", "chairman", "chairwoman", "chair", "executive", "senator", "deputy",
    "aide", "editor", "correspondent", "professor", "fellow", "analyst", "officer", "manager", "judge",
))
_RELATIVE = re.compile(r"\b(?:who|which|where|whose|when|that)\b|^\w+(?:ing|ed)\b")
# Two titles of one person clash when they share this many words (the post) and each has a word
# the other lacks (where the post is: "for Middle East affairs" / "for Near Eastern affairs").
TITLE_SHARED_WORDS = 3

_NON_BINDING = re.compile(r"\bnon-?binding\s+(?:resolution|vote|motion|bill|decision)\b", re.IGNORECASE)
_BINDING = re.compile(
    r"\b(?:resolution|vote|motion|bill|decision|law)\s+(?:that\s+)?(?:requir\w+|obliging|obliges|mandating"
    r"|compelling|compels|forcing)\b|(?<!non-)(?<!non)\bbinding\s+(?:resolution|vote|motion|bill|decision)\b",
    re.IGNORECASE)

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ISSUED_AT = re.compile(
    r"\b(?:statement|communiqu[eé])\b[^.]{0,80}?\b(?:on\s+)?(?:(?P<part>early|late)\s+)?(?P<day>"
    + "|".join(d.capitalize() for d in _WEEKDAYS) + r")\b")


def conflicts(members: Sequence[Article], origins: Mapping[str, str],
              aliases: Sequence[Mapping[str, Sequence[Mapping[str, Any]]]] = (),
              read: StoryStatements | None = None) -> list[dict]:
    """The story's conflicts, contradictions first, as JSON-ready dicts.

    `origins` is accepted for the common analyser signature: a copy that changes a title or a
    number differs from its origin as much as an independent page does, so every page counts.
    """
    read = read or StoryStatements(members)
    found = read.found
    records = (_title_conflicts(members) + _binding_conflicts(found) + _figure_conflicts(read)
               + _issued_at_conflicts(found) + _wording_conflicts(members) + alias_conflicts(aliases))
    rank = {"contradiction": 0, "imprecise": 1, "wording": 2, "alias": 3}
    return sorted(records, key=lambda r: rank[r["kind"]])


def alias_conflicts(groups: Sequence[Mapping[str, Sequence[Mapping[str, Any]]]]) -> list[dict]:
    """Name-variant groups as "alias" conflicts: {spelling: citations} per group of one name.

    Wire-in: pass the entities module's merged names, one mapping per entity whose mentions use
    more than one spelling, e.g. [{"Kadhimi": [citation, ...], "Kadhemi": [citation, ...]}].
    """
    records = []
    for group in groups:
        spellings = [name for name, cites in group.items() if cites]
        if len(spellings) < 2:
            continue
        records.append({"kind": "alias", "about": "spelling of a name",
                        "sides": [{"text": name, "context": None, "citations": list(group[name])}
                                  for name in spellings]})
    return records


# --- titles ----------------------------------------------------------------------------------

def _title_conflicts(members: Sequence[Article]) -> list[dict]:
    """A person's title as each page gives it; differing titles of one person contradict."""
    by_person: dict[str, dict[frozenset[str], list[tuple[str, str, dict]]]] = {}
    names: dict[str, str] = {}
    for article in members:
        body = analysed_body(article)
        spans = sentence_spans(body)
        for match in _ROLE.finditer(body):
            role = match.group("role").strip()
            key = _role_words(role)
            first_name = match.group("name").split()[0].lower()
            if not key & _TITLE_WORDS or _RELATIVE.search(role) or first_name in stopwords():
                continue
            person = _person_key(match.group("name"))
            names.setdefault(person, match.group("name"))
            line = _sentence_around(body, spans, match.start())
            cite = to_plain(article.cite(match.start("role"), match.start("role") + len(role)))
            by_person.setdefault(person, {}).setdefault(key, []).append((role, line, cite))
    records = []
    for person, roles in by_person.items():
        keys = list(roles)
        named = {k: _named_words(roles[k][0][0]) for k in keys}
        clashing = [k for k in keys if any(_roles_clash(k, other, named[k], named[other])
                                           for other in keys if other != k)]
        if len(clashing) < 2:
            continue
        records.append({
            "kind": "contradiction", "about": f"title of {names[person]}",
            "sides": [{"text": roles[k][0][0], "context": roles[k][0][1],
                       "citations": [c for _, _, c in roles[k]]} for k in clashing],
        })
    return records


def _role_words(role: str) -> frozenset[str]:
    return frozenset(t for t in words(role) if t not in _ROLE_NOISE and t not in stopwords())


def _roles_clash(a: frozenset[str], b: frozenset[str],
                 named_a: frozenset[str], named_b: frozenset[str]) -> bool:
    """One post with two different named domains: "... for Middle East affairs" / "... Near Eastern".

    One title holding the other is more detail; titles sharing few words may be two posts of one
    person ("analyst", "visiting fellow"); a title one word longer or shorter at most, and each
    with a capitalised word the other lacks, is the same post placed differently. Descriptions
    ("senior member of the International Olympic Committee" / "Swiss member of the IOC") differ
    in length and are not flagged.
    """
    if len(a & b) < TITLE_SHARED_WORDS or a <= b or b <= a or abs(len(a) - len(b)) > 1:
        return False
    return bool((named_a - b) and (named_b - a))


def _named_words(role: str) -> frozenset[str]:
    return frozenset(m.group().lower() for m in re.finditer(r"\b[A-Z][\w'’-]*", role)
                     if m.group().lower() not in _ROLE_NOISE)


def _person_key(name: str) -> str:
    parts = name.split()
    return re.sub(r"^(?:al|el)-", "", parts[-1].lower())


def _sentence_around(body: str, spans: Sequence[tuple[int, int]], position: int) -> str:
    index = bisect.bisect_right([a for a, _ in spans], position) - 1
    if index < 0:
        return ""
    start, end = spans[index]
    return body[start:end]


# --- binding force ---------------------------------------------------------------------------

def _binding_conflicts(found: Sequence[Statement]) -> list[dict]:
    sides: dict[str, list[tuple[Statement, re.Match[str]]]] = {"non-binding": [], "binding": []}
    for statement in found:
        for label, pattern in (("non-binding", _NON_BINDING), ("binding", _BINDING)):
            match = pattern.search(statement.text)
            if match:
                sides[label].append((statement, match))
    if not sides["non-binding"] or not sides["binding"]:
        return []
    return [{"kind": "contradiction", "about": "whether the decision is binding",
             "sides": [_side(hits) for hits in sides.values()]}]


def _side(hits: Sequence[tuple[Statement, re.Match[str]]]) -> dict:
    first, match = hits[0]
    return {"text": match.group(), "context": first.text,
            "citations": [_cite(s, m.start(), m.end()) for s, m in hits]}


def _cite(statement: Statement, start: int, end: int) -> dict:
    assert statement.article is not None
    return to_plain(statement.article.cite(statement.start + start, statement.start + end))


# --- figures ---------------------------------------------------------------------------------

def _figure_conflicts(read: StoryStatements) -> list[dict]:
    found = read.found
    group_of = {id(s): g for g, group in enumerate(read.groups) for s in group}
    by_unit: dict[str, list[tuple[Figure, Statement, frozenset[str]]]] = {}
    stated: dict[int, set[tuple[float, float]]] = {}
    for statement in found:
        if statement.modality == "predicted":
            continue
        found_here = figures(statement.text)
        stated[id(statement)] = {(f.low, f.high) for f in found_here}
        for figure in found_here:
            if figure.unit and figure.unit not in _GENERIC_UNITS:
                around = _window(statement.text, figure) - {figure.unit, figure.unit.rstrip("s")}
                by_unit.setdefault(figure.unit, []).append((figure, statement, around))
    records = []
    for unit, found_figures in by_unit.items():
        edges: dict[str, list[tuple[int, int]]] = {"contradiction": [], "imprecise": []}
        for i, (fig_a, st_a, around_a) in enumerate(found_figures):
            for j in range(i + 1, len(found_figures)):
                fig_b, st_b, around_b = found_figures[j]
                if st_a.document == st_b.document or (fig_a.low, fig_a.high) == (fig_b.low, fig_b.high):
                    continue
                if (fig_a.low, fig_a.high) in stated[id(st_b)] or (fig_b.low, fig_b.high) in stated[id(st_a)]:
                    continue  # both pages give both numbers: two measures, not two versions of one
                verdict = compare(fig_a, fig_b)
                shared = len(around_a & around_b)
                same_fact = group_of[id(st_a)] == group_of[id(st_b)]
                alike = shared / (len(around_a | around_b) or 1)
                if verdict == "contradiction" and (same_fact or alike >= CONTRADICTION_CONTEXT):
                    edges["contradiction"].append((i, j))
                    continue
                # A share needs its base in common too ("10 percent of the areas" / "of the crop").
                needed = IMPRECISE_CONTEXT + (unit in ("percent", "percentage points"))
                if verdict == "compatible" and _close(fig_a, fig_b) and (same_fact or shared >= needed):
                    edges["imprecise"].append((i, j))
        # One record per kind and connected set of figures: "two" / "three" yachts missing is a
        # contradiction of its own, apart from "37" / "at least 37" yachts retired.
        for kind, pairs in edges.items():
            for component in _components(pairs):
                sides: dict[tuple[float, float], list[tuple[Figure, Statement]]] = {}
                for k in component:
                    figure, statement, _ = found_figures[k]
                    sides.setdefault((figure.low, figure.high), []).append((figure, statement))
                records.append({
                    "kind": kind,
                    "about": unit,
                    "sides": [{"text": group[0][0].text, "context": group[0][1].text,
                               "citations": [_cite(s, f.start, f.end) for f, s in group]}
                              for group in sides.values()],
                })
    return records


def _components(pairs: Sequence[tuple[int, int]]) -> list[list[int]]:
    """Connected sets of indices, each sorted, in order of their first index."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for a, b in pairs:
        parent[root(a)] = root(b)
    groups: dict[int, list[int]] = {}
    for x in sorted(parent):
        groups.setdefault(root(x), []).append(x)
    return sorted(groups.values())


def _close(a: Figure, b: Figure) -> bool:
    """Stated values within IMPRECISE_RATIO of each other: "over 35" and "about 450" km are two
    distances, however open the first one's interval."""
    low, high = sorted((abs(a.value), abs(b.value)))
    return low > 0 and high / low <= IMPRECISE_RATIO


def _window(text: str, figure: Figure) -> frozenset[str]:
    """Content words near a figure: what it counts and where ("troops ... in Iraq")."""
    stop = stopwords()
    before = [t for t in words(text[:figure.start]) if t not in stop][-WINDOW:]
    after = [t for t in words(text[figure.end:]) if t not in stop][:WINDOW]
    return frozenset(before + after)


# --- when a statement came out ---------------------------------------------------------------

def _issued_at_conflicts(found: Sequence[Statement]) -> list[dict]:
    times: dict[tuple[str | None, int], list[tuple[Statement, re.Match[str]]]] = {}
    for statement in found:
        if statement.modality == "predicted":
            continue
        match = _ISSUED_AT.search(statement.text)
        if match:
            part = match.group("part").lower() if match.group("part") else None
            day = _WEEKDAYS.index(match.group("day").lower())
            times.setdefault((part, day), []).append((statement, match))
    keys = sorted(times, key=lambda k: k[1])
    for earlier, later in zip(keys, keys[1:], strict=False):
        if earlier[0] == "late" and later[0] == "early" and (later[1] - earlier[1]) % 7 == 1:
            sides = []
            for key in (earlier, later):
                statement, match = times[key][0]
                start = match.start("part")
                sides.append({"text": statement.text[start:match.end("day")], "context": statement.text,
                              "citations": [_cite(s, m.start("part"), m.end("day")) for s, m in times[key]]})
            return [{"kind": "imprecise", "about": "when the statement came out", "sides": sides}]
    return []


# --- quotations ------------------------------------------------------------------------------

def _wording_conflicts(members: Sequence[Article]) -> list[dict]:
    analysed = [a if len(a.body) == len(analysed_body(a)) else replace(a, body=analysed_body(a))
                for a in members]
    records = []
    for quote in quotes(analysed):
        variants = quote["variants"]
        wordings = {" ".join(words(normalize(v["text"]))) for v in variants}
        # A page quoting less of the same passage words nothing differently.
        fuller = [w for w in wordings if not any(w != other and w in other for other in wordings)]
        if len(fuller) < 2:
            continue
        who = quote["speaker"] or quote["speaker_role"] or "an unnamed source"
        records.append({"kind": "wording", "about": f"quotation of {who}",
                        "sides": [{"text": v["text"], "context": None, "citations": v["citations"]}
                                  for v in variants]})
    return records
