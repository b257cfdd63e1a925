"""Pledge ledgers: what became of each actor's pledges across a thread of stories.

A thread is a story and the follow-ups that continue it (incremental.threads), oldest first.
Rules:

* One pledge across the thread is one entry: the stories' pledges (analyze/pledges.py) are
  matched as pledges.py matches them across pages (same folded actor, content words overlapping
  by its MATCH_OVERLAP of the shorter).
* Events, in thread order, each citing page spans: `made` by the first story stating the pledge
  (its citations), `reaffirmed` by each later story stating it again (its citations).
* `fulfilled` and `broken` are read only from statements (facts.statements) of stories after the
  one that made the pledge, never from the story that made it. A statement counts when all hold:
  - the last name before the cue in the cue's clause is the actor's ("The U.S. has reduced ...",
    "Iraq failed to ..."), read with pledges.actor_name; a pronoun subject is not followed;
  - its content words (stemmed as facts does, attribution left out) hold at least two and
    MATCH_OVERLAP of the pledged act's content words besides its verb and its dates (the
    commitment wording, "promised to", "would continue", left out of the act; the verb is the
    cue's to carry): "The Senate passed the measure" does not settle "will also have to pass a
    budget measure", and a pledge naming less than two such words is never settled;
  - it carries a cue. Fulfilled: a completion act ("handed over", "withdrew", "has reduced", ...),
    the pledged act's own verb in the past or perfect ("protected" for "promised to protect"),
    or a completion naming no act ("kept its promise", "completed", "carried out", ...) in a
    statement that also holds the pledged verb; in a statement reported as a fact: not negated,
    planned, predicted or threatened. Broken: an explicit failure ("reneged on", "broke its
    promise", "backtracked on", "went back on", ...) in a statement that also holds the pledged
    verb, or "failed to" / "did not" / "has not" / "never" followed within three words by the
    pledged verb ("did not reduce"), so "did not say when it would reduce" breaks nothing; in a
    statement not planned, predicted or threatened. A cue in the past perfect ("had
    backtracked") tells of a time that may precede the pledge and settles nothing.
  - A pledge of refusal ("does not seek permanent bases") is restated, not broken, by "did not
    seek": only explicit cues ("kept its promise", "reneged on") settle it.
  The event cites the statement.
* An entry's status is its latest fulfilled or broken event (within one story, broken after
  fulfilled: a wrong "fulfilled" is worse than a missed one), else "reaffirmed" if a later story
  restated it, else "made". Nothing is inferred from a page merely mentioning the topic.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .analyze.facts import Statement, statements, stem
from .analyze.pledges import MATCH_OVERLAP, actor_name, group_pledges
from .incremental import threads
from .model import to_plain
from .store.base import Store
from .text import stopwords, words

EventKind = Literal["made", "reaffirmed", "fulfilled", "broken"]

# Words of the commitment, not of the act committed to: "would continue reducing forces" pledges
# "reducing forces"; a page saying the forces were reduced never repeats "would continue".
_COMMITMENT_WORDS = frozenset((
    "promised", "promises", "promise", "pledged", "pledges", "pledge", "vowed", "vows", "committed",
    "commits", "commitment", "agreed", "agrees", "intends", "intend", "plans", "planning", "undertook",
    "offered", "offers", "guaranteed", "guarantees", "ready", "prepared", "willing", "continue",
    "would", "will", "wont", "wouldnt", "does", "do", "not", "never", "also", "soon",
))
# A pledge of refusal: "does not seek ...", "won't shake ...".
_REFUSAL = re.compile(r"^(?:(?:does|do|did|will|would)\s+not|won['’]t|wouldn['’]t|(?:will|would)\s+never)\b",
                      re.IGNORECASE)
# Completion cues that name no act ("kept its promise", "completed"): the pledged verb must stand
# in the statement too, or any promise of the actor's would match.
_KEPT = (r"kept\s+(?:its|his|her|their)\s+(?:promise|pledge|word|commitment)|made\s+good\s+on|delivered\s+on"
         r"|followed\s+through\s+on|honou?red\s+(?:its|his|her|their)|completed|finished|fulfill?ed"
         r"|carried\s+out|implemented")
# Completion cues that are an act of their own, checked against what is pledged by content words.
_DONE = (r"handed\s+over|withdrew|pulled\s+out"
         r"|(?:has|have)\s+(?:now\s+|already\s+|finally\s+)?(?:reduced|cut|withdrawn|removed)")
_RENEGED = (r"reneged|broke\s+(?:its|his|her|their)\s+(?:promise|pledge|word|commitment)"
            r"|backtracked|went\s+back\s+on|walked\s+back|abandoned\s+(?:its|his|her|their)\s+(?:promise|pledge|plan)")
_NOT_DONE = r"failed\s+to|did\s+not|didn['’]t|(?:has|have)\s+not|(?:hasn|haven)['’]t|never"
# A cue in the past perfect tells of a time before the page's own ("China claimed the U.S. had
# backtracked three times"), which may be before the pledge was made: it settles nothing.
_PAST_PERFECT = re.compile(r"\bhad\s+(?:\w+\s+)?$", re.IGNORECASE)
# The actor named before a cue: a run of capitalised words, or the two parties together.
_NAMED = re.compile(r"[Bb]oth\s+(?:sides|countries)|[Tt]he\s+two\s+(?:sides|countries)"
                    r"|[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*")
# Words that date an act rather than say what it is: "will sign the bill on Friday" and "signed
# an order on Friday" share only the day.
_TIME_WORDS = frozenset((
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today", "yesterday",
    "tomorrow", "week", "weeks", "month", "months", "year", "years", "day", "days", "time", "soon",
    "early", "late", "later", "earlier", "coming", "near", "future", "end",
))
# Content words besides the verb a statement must share with what is pledged: with one, "will
# impeach Trump" would be settled by any page on any impeachment of Trump.
_MIN_SHARED = 2
# Where the cue's clause begins: an actor named before one of these is not the cue's subject.
# "that" and "which" open a clause too: in "the United States is lifting sanctions on Ankara that
# were implemented ...", "implemented" is said of the sanctions.
_CLAUSE_BREAK = re.compile(r"[,;:(]\s|\s(?:after|before|because|since|while|when|as|but|although"
                           r"|that|which|who|whom|whose)\s")
# Capitalised words that date, not name: "The House on Wednesday impeached ...".
_DATE_NAMES = frozenset((
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february",
    "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
))
# Statement modalities (facts.modality) a fulfilment may not have: an act done is reported.
_NOT_DONE_MODALITIES = frozenset(("negated", "planned", "predicted", "threatened"))
_NOT_BROKEN_MODALITIES = frozenset(("planned", "predicted", "threatened"))
# Words between a failure cue and the act it fails: "did not fully reduce", "failed to ever protect".
_ACT_REACH = 3
# Events of one story in this order, so that a story saying both leaves the pledge broken.
_EVENT_ORDER = {"made": 0, "reaffirmed": 1, "fulfilled": 2, "broken": 3}


@dataclass(frozen=True, slots=True)
class LedgerEvent:
    """One thing a story's pages say of a pledge, with the page spans that say it."""

    kind: EventKind
    story: str
    text: str
    citations: tuple[dict[str, Any], ...]


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One actor's pledge across a thread: its wording when made, its events and its status."""

    actor: str
    text: str
    due: str | None
    status: EventKind
    events: tuple[LedgerEvent, ...]

    def to_dict(self) -> dict[str, Any]:
        """The entry as JSON-ready plain values."""
        return to_plain(self)


def pledge_ledger(store: Store, thread: Sequence[str]) -> list[LedgerEntry]:
    """The ledger of one thread (story ids, oldest first): one entry per actor and pledge, by actor,
    then in the order the pledges were made."""
    records = {sid: (store.story(sid) or {}).get("record") or {} for sid in thread}
    found = []
    for position, sid in enumerate(thread):
        for pledge in _pledges(records[sid]):
            found.append({"actor": pledge["actor"], "content": _content(pledge["text"]),
                          "position": position, "story": sid, "pledge": pledge})
    said: dict[int, list[Statement]] = {}
    entries = []
    for group in group_pledges(found):
        first = group[0]
        events = [_stated("made", [p for p in group if p["position"] == first["position"]])]
        later = sorted({p["position"] for p in group} - {first["position"]})
        events += [_stated("reaffirmed", [p for p in group if p["position"] == at]) for at in later]
        wordings = _wordings(store, group)
        for position in range(first["position"] + 1, len(thread)):
            if position not in said:
                said[position] = _statements(store, records[thread[position]])
            events += _settled(first["actor"], wordings, thread[position], said[position])
        events.sort(key=lambda e: (thread.index(e.story), _EVENT_ORDER[e.kind]))
        entries.append((first["position"], LedgerEntry(
            actor=first["actor"], text=first["pledge"]["text"], due=first["pledge"].get("due"),
            status=_status(events), events=tuple(events))))
    entries.sort(key=lambda e: (e[1].actor, e[0]))
    return [entry for _, entry in entries]


def ledgers(store: Store) -> dict[str, list[LedgerEntry]]:
    """Every thread's ledger, keyed by the story that started it. Branches of one root (a story
    continued by two follow-ups) are read as one thread, their stories in birth order: each
    continues the root, and a follow-up is always born after the story it continues."""
    births = store.story_births()
    trees: dict[str, set[str]] = {}
    for thread in threads(store):
        trees.setdefault(thread[0], set()).update(thread)
    return {root: pledge_ledger(store, sorted(members, key=lambda s: (births.get(s, 0), s)))
            for root, members in sorted(trees.items())}


def render_ledgers(found: Mapping[str, Sequence[Mapping[str, Any]]], titles: Mapping[str, str] | None = None
                   ) -> str:
    """Markdown-ish text of ledgers as dicts (LedgerEntry.to_dict): per thread and actor, each
    pledge with its status and its events' cited spans (document start-end of the clean body)."""
    titles = titles or {}
    lines: list[str] = []
    for root, entries in found.items():
        lines.append(f"## Thread {root}" + (f": {titles[root]}" if titles.get(root) else ""))
        if not entries:
            lines += ["", "No pledges.", ""]
            continue
        actor = None
        for entry in entries:
            if entry["actor"] != actor:
                actor = entry["actor"]
                lines += ["", f"### {actor}", ""]
            due = f" (due: {entry['due']})" if entry["due"] else ""
            lines.append(f"- **{entry['status']}**: {entry['text']}{due}")
            for event in entry["events"]:
                where = ", ".join(f"{c['document']} {c['start']}-{c['end']}" for c in event["citations"])
                lines.append(f"  - {event['kind']} in {event['story']}: \"{event['text']}\" [{where}]")
        lines.append("")
    return "\n".join(lines)


def _pledges(record: dict) -> list[dict]:
    # A stored record keeps its sections under "analysis"; stories.json lifts them to the top.
    return (record.get("analysis") or record).get("pledges") or []


def _content(text: str) -> frozenset[str]:
    """Content words as pledges.py compares pledges."""
    return frozenset(t for t in words(text) if t not in stopwords())


def _stated(kind: EventKind, same_story: list[dict]) -> LedgerEvent:
    citations = [c for p in same_story for c in p["pledge"]["citations"]]
    return LedgerEvent(kind, same_story[0]["story"], same_story[0]["pledge"]["text"], tuple(citations))


def _statements(store: Store, record: dict) -> list[Statement]:
    return statements(list(store.articles(record.get("documents") or ())))


@dataclass(frozen=True, slots=True)
class _Act:
    """What one wording of a pledge commits to, the commitment wording ("promised to", "would
    continue") left out: its verb as written and stemmed ("reducing", "reduc"), its other stemmed
    content words ("forc", "iraq"), and whether it is a refusal."""

    verb: str
    verb_stem: str
    rest: frozenset[str]
    refusal: bool

    @classmethod
    def read(cls, wording: str) -> _Act | None:
        """The act of a wording; None when it names too little besides its verb to be recognised."""
        ignored = _COMMITMENT_WORDS | stopwords()
        tokens = [t for t in words(wording) if t not in ignored and len(t) > 1]
        if not tokens:
            return None
        rest = frozenset(stem(t) for t in tokens[1:] if t not in _TIME_WORDS) - {stem(tokens[0])}
        if len(rest) < _MIN_SHARED:
            return None
        return cls(tokens[0], stem(tokens[0]), rest, bool(_REFUSAL.match(wording)))

    def said_in(self, content: frozenset[str]) -> bool:
        """Whether a statement's content words carry what is pledged besides the verb (the cue
        brings the verb): _MIN_SHARED words and MATCH_OVERLAP of them. "The Senate passed the
        measure" does not settle "will also have to pass a budget measure"."""
        shared = len(self.rest & content)
        return shared >= _MIN_SHARED and shared >= MATCH_OVERLAP * len(self.rest)


def _wordings(store: Store, group: list[dict]) -> list[str]:
    """Every wording of one pledge: each story's and each cited page's own ("would continue
    reducing forces from Iraq" on one page, "... and discuss with the Government of Iraq the
    status of remaining forces" on another); a later page may settle any of them."""
    spans = [c for p in group for c in p["pledge"]["citations"]]
    bodies = {a.id: a.body for a in store.articles({c["document"] for c in spans})}
    found = [p["pledge"]["text"] for p in group]
    found += [bodies[c["document"]][c["start"]:c["end"]] for c in spans if c["document"] in bodies]
    return list(dict.fromkeys(found))


def _settled(actor: str, wordings: Sequence[str], story: str, said: list[Statement]) -> list[LedgerEvent]:
    """The fulfilled / broken events the statements of one later story give a pledge."""
    acts = [act for act in map(_Act.read, wordings) if act is not None]
    events = []
    for statement in said:
        for act in acts:
            kind = _cue(statement, actor, act) if act.said_in(statement.content) else None
            if kind:
                events.append(LedgerEvent(kind, story, statement.text, (statement.citation(),)))
                break
    return events


def _cue(statement: Statement, actor: str, act: _Act) -> EventKind | None:
    """"broken", "fulfilled" or None: what the statement's cue, said of the actor, settles."""
    text = statement.text
    verb = re.escape(act.verb_stem)
    broken, done = [], []
    # "Reneged", "kept its promise" name no act: the pledged verb must stand in the statement too
    # ("reneged on their promise to seek an audit").
    if re.search(rf"\b{verb}", text, re.IGNORECASE):
        broken.append(rf"\b(?:{_RENEGED})\b")
        done.append(rf"\b(?:{_KEPT})\b")
    if not act.refusal:
        broken.append(rf"\b(?:{_NOT_DONE})\b(?=(?:\s+\S+){{0,{_ACT_REACH - 1}}}?\s+{verb}\w*\b)")
        # The act's own verb in the past ("protected" for "promised to protect"), not the verb as
        # pledged: "proceed" ends in "ed" too.
        done.append(rf"\b(?!{re.escape(act.verb)}\b){verb}\w*(?<=ed)\b")
        done.append(rf"\b(?:{_DONE})\b")
    if statement.modality not in _NOT_BROKEN_MODALITIES and _said_of(broken, text, actor):
        return "broken"
    if statement.modality not in _NOT_DONE_MODALITIES and _said_of(done, text, actor):
        return "fulfilled"
    return None


def _said_of(patterns: Sequence[str], text: str, actor: str) -> bool:
    """Whether a cue of `patterns` stands in text with the actor named before it in its clause."""
    for pattern in patterns:
        for match in re.finditer(pattern, text, re.IGNORECASE):
            before = text[:match.start()]
            if not _PAST_PERFECT.search(before) and _names(before, actor):
                return True
    return False


def _names(before: str, actor: str) -> bool:
    """Whether the last name in the clause ending where a cue starts is the actor's: the cue's
    subject, read leniently ("Later Washington withdrew" names Washington)."""
    breaks = list(_CLAUSE_BREAK.finditer(before))
    clause = before[breaks[-1].end():] if breaks else before
    runs = [tokens for m in _NAMED.finditer(clause)
            if (tokens := [t for t in m.group().split() if t.lower() not in _DATE_NAMES])]
    if not runs:
        return False
    last = runs[-1]
    return any(actor_name(" ".join(last[i:j])) == actor
               for i in range(len(last)) for j in range(i + 1, len(last) + 1))


def _status(events: Sequence[LedgerEvent]) -> EventKind:
    settled = [e.kind for e in events if e.kind in ("fulfilled", "broken")]
    if settled:
        return settled[-1]
    return "reaffirmed" if any(e.kind == "reaffirmed" for e in events) else "made"
