"""Facts of a story: atomic statements grouped across pages, with their source and modality.

A statement is a sentence of a page, cut at "; " and at a second reported clause ("said X and
that Y"), so that each states one thing. Statements of different pages are one fact when they
share MIN_SHARED content words and those words weigh at least MATCH_OVERLAP of the lighter
statement's (a word weighs log((pages + 1) / pages using it): words every page uses barely tie
two statements). The words of the attribution ("David Schenker, assistant secretary ..., said")
do not count: who says it is not what is said. The fact's text is its most widely carried wording.

For each fact:

* `pages`: how many pages state it; `origins`: how many independent text origins (pages that
  share wire copy count once, as `origins` maps them); `single_source` is true when one origin
  alone states it.
* `attributed_to` and `evidence`: the primary source the text credits, the most specific any
  page gives: a document ("joint statement", "statement": evidence "document"), a named speaker
  ("David Schenker", an organisation after "according to", or a post alone: "The Indiana
  governor said": "named"), an unnamed one ("one senior Iraqi official", "US military sources":
  "anonymous"), else the outlet itself ("outlet"; attributed to the outlet's name). Three outlets
  quoting one joint statement are three pages and one primary source. Attribution is read
  outside quotation marks; a quoted sentence with none continues the quote before it in its
  paragraph and keeps its source; "he said" takes the page's last speaker, "the new prime
  minister said" its last named person; a surname takes the full name the page gave before.
* `modality`: "threatened" (threat verbs in the main clause), "negated" ("there was no
  discussion", "was not discussed", "does not seek", in the main clause: "invited, an honour his
  predecessor never received" is no negation), "planned" (intentions and commitments: "intends
  to", "agreed to", "would continue", "will"), "predicted" (forecasts: "expected to", "likely",
  "poised to", "may"), else "reported". On a preview page (written before the event,
  brief.is_preview) every forward-looking statement is "predicted", never planned or an event.
  The cues are English words; other languages' statements read as "reported" by the outlet.

Headline-like lines (short, no closing punctuation), questions and statements under MIN_WORDS
words are not facts. Only each body's first pipeline.MAX_ANALYSED_CHARS characters are read.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..clean.boilerplate import CALL_TO_ACTION
from ..model import Article, to_plain
from ..text import quoted_ranges, sentence_spans, stopwords, word_spans
from .brief import is_preview

MIN_WORDS = 6
MATCH_OVERLAP = 0.65
MIN_SHARED = 5
# A statement is compared with at most this many wordings of a fact: the same fact worded a
# dozen ways is rare, and a story of a thousand lightly edited copies must not compare each new
# copy with every earlier one.
MAX_WORDINGS = 8
# Lines this short without closing punctuation are headlines, subheads or captions.
HEADLINE_MAX_WORDS = 15

EVIDENCE_RANK = {"document": 3, "named": 2, "anonymous": 1, "outlet": 0}

_SPEECH = (r"said|says|say|told|tells|stated|states|reads|read|added|adds|noted|stressed|argued|warned"
           r"|announced|explained|claimed|claims|insisted|acknowledged|confirmed|mentions|mentioned|wrote|writes")
# Words that may stand between a speaker and the speech verb: "has said", "later told".
_CUE_ADVERBS = r"(?:(?:has|have|had|also|later|earlier|previously|just|then|again|once)\s+)*"
_DOCUMENT = re.compile(
    rf"\b(?P<joint>joint\s+)?(?P<doc>statement|communiqu[eé]|declaration|readout)\b[^.]{{0,40}}?\b(?:{_SPEECH})\b"
    rf"|\b(?:{_SPEECH}|published|issued)\b[^.]{{0,30}}?\b(?:in|by)\s+an?\s+(?P<joint2>joint\s+)?"
    rf"(?P<doc2>statement|communiqu[eé]|declaration)\b"
    rf"|^\W*in\s+an?\s+(?P<joint3>joint\s+)?(?P<doc3>statement|communiqu[eé])\b",
    re.IGNORECASE)
_NAME_TOKEN = r"(?:(?:al|el|bin|van|von|de|da|di|du|le|la)-)?(?:[A-Z][\w'’-]+|[A-Z]\.)"
_NAME = rf"{_NAME_TOKEN}(?:\s{_NAME_TOKEN}){{0,3}}"
_NAMED_BEFORE_CUE = re.compile(
    rf"(?P<name>{_NAME})(?:,\s(?P<role>[^,\"“”]{{3,140}}),|\s\([^()]{{1,30}}\))?\s+(?:that\s+)?{_CUE_ADVERBS}"
    rf"(?:{_SPEECH})\b")
# "said Sajad Jiyad, an Iraqi analyst": the name closes the clause; in "said Kadhemi has been
# invited" the name opens reported speech and is no speaker.
_NAMED_AFTER_CUE = re.compile(
    rf"\b(?:said|says|wrote|according to)\s+(?:the\s+)?(?P<name>{_NAME})"
    rf"(?:,\s(?P<role>[^,.\"“”]{{3,140}}))?(?=\s*(?:[,.;]|$))")
_ROLE_CUE = re.compile(
    rf"\b[Tt]he\s+(?:(?:new|former|[A-Z][\w.-]+)\s+){{0,2}}(?P<role>(?i:prime\s+minister|president|premier"
    rf"|minister|secretary|ambassador|envoy|governor|mayor|senator|spokes\w+))\s+{_CUE_ADVERBS}(?:{_SPEECH})\b")
_PRONOUN_CUE = re.compile(rf"(?:^|[\s,“\"])(?:[Hh]e|[Ss]he)\s+(?:that\s+)?(?:{_SPEECH})\b")
_ANONYMOUS = re.compile(
    rf"\b(?P<who>(?:(?:an?|one|two|three|several|some|other)\s+)?(?:[\w.-]+\s+){{0,3}}?"
    rf"(?:officials?|sources|source|diplomats?|aides?|spokesm[ae]n|spokesperson))\b"
    rf"(?:[^.\"“”]{{0,40}}?)\s(?:{_SPEECH})\b"
    rf"|\baccording to (?P<who2>(?:[\w.-]+\s+){{0,3}}?(?:officials?|sources))\b"
    rf"|\b(?:said|told)\s+(?P<who3>(?:an?|one|two|three|several|some)\s+(?:[\w.-]+\s+){{0,3}}?"
    rf"(?:officials?|sources?|diplomats?|aides?))\b",
    re.IGNORECASE)
# First words that open a sentence or name an institution, not a person.
_NOT_PERSON = frozenset((
    "the", "a", "an", "in", "on", "but", "and", "however", "it", "they", "this", "that", "these",
    "us", "u.s.", "iraq", "iran", "washington", "baghdad", "tehran", "thursday", "friday", "monday",
    "tuesday", "wednesday", "saturday", "sunday", "officials", "both", "there", "we", "our", "he",
    "she", "his", "her", "their", "two", "one", "after", "before", "when", "while", "if",
))

_THREAT = re.compile(r"\bthreat(?:en|ened|ens|ening)\b", re.IGNORECASE)
_NEGATED = re.compile(
    r"\bthere (?:was|were|is|are|has been|have been) no\b"
    r"|\b(?:was|were|is|are|did|does|do|has|have|had|will|would|could|can)(?:\s+(?:not|never))\b"
    r"|\b(?:wasn't|weren't|isn't|aren't|didn't|doesn't|don't|hasn't|haven't|won't|wouldn't)\b"
    r"|\bno (?:discussion|details|word|agreement|decision|timeline|plans?|date|deal)\b"
    r"|\bnot (?:discussed|agreed|decided|set)\b",
    re.IGNORECASE)
_PLANNED = re.compile(
    r"\b(?:intends?|intend(?:ed)?|plans?|planned|planning|agreed|agrees|pledged|pledges|promised|promises"
    r"|vowed|vows|committed|commits|commitment|aims?|seeks?)\s+to\b"
    r"|\b(?:will|shall)\s+(?!likely|probably)\w+"
    r"|\bwould\s+(?:continue|work|support|keep|provide|help|reduce|withdraw|discuss)\b"
    r"|\b(?:next|coming) (?:week|month|months|year)\b|\bscheduled\b",
    re.IGNORECASE)
_PREDICTED = re.compile(
    r"\b(?:is|are|was|were)\s+(?:expected|poised|set|due|slated|likely|unlikely)\s+to\b"
    r"|\bexpected to\b|\b(?:likely|unlikely|probably)\b|\b(?-i:may)\b|\bmight\b|\bcould\b"
    r"|\bwould likely\b|\bwill\b|\bwould\b|\bplanned for\b|\bahead of\b",
    re.IGNORECASE)
# Where a main clause ends: a comma, or a subordinate or relative clause; searched past the
# first MAIN_CLAUSE_OPENING characters so an opening phrase ("In particular, ...") does not end it.
_SUBORDINATE = re.compile(r",\s|\s(?:because|although|though|who|which|whose|when|while|after|since|as)\s")
MAIN_CLAUSE_OPENING = 25
# A second reported clause in one sentence: "said that X and that Y" is two statements.
_CLAUSE_CUT = re.compile(r";\s+|,?\s+and that\s+")
_SUFFIXES = ("ations", "ation", "ings", "ing", "ions", "ion", "ers", "ed", "es", "s")
_ATTRIBUTION_WORDS = frozenset((
    "said", "says", "say", "told", "reporters", "statement", "joint", "communique", "reads", "read",
    "stated", "added", "according", "giving", "figures",
))


MODALITIES = ("reported", "planned", "predicted", "negated", "threatened")


@dataclass(slots=True)
class Statement:
    """One atomic statement of one page, with its source and modality."""

    document: str
    index: int  # position among the page's statements: keeps pages' order
    start: int
    end: int
    text: str
    source: str
    evidence: str
    modality: str
    content: frozenset[str] = field(default_factory=frozenset)
    article: Article | None = None

    def citation(self) -> dict[str, Any]:
        """The JSON-ready citation of this statement's span of its page."""
        assert self.article is not None
        return to_plain(self.article.cite(self.start, self.end))


def outlet_name(article: Article) -> str:
    """The outlet a page's own claims are credited to: its outlet, else its agency, else its id."""
    for value in (article.meta.outlet, article.meta.agency):
        if value is not None:
            return value.value
    return article.id


def analysed_body(article: Article) -> str:
    """The part of a body sentence-level analysis reads: the pipeline's MAX_ANALYSED_CHARS prefix."""
    # Imported here: the pipeline imports the analysers, so a module-level import would be circular.
    from ..pipeline import MAX_ANALYSED_CHARS

    return article.body[:MAX_ANALYSED_CHARS]


def statements(members: Sequence[Article]) -> list[Statement]:
    """Every atomic statement of the story's pages, in page order."""
    return [statement for article in members for statement in _page_statements(article)]


class StoryStatements:
    """A story's statements, read once, and their groups, computed once: facts, conflicts, pledges
    and coverage all read them, and reading and grouping sentences is most of their cost."""

    def __init__(self, members: Sequence[Article]) -> None:
        self.found = statements(members)

    @cached_property
    def groups(self) -> list[list[Statement]]:
        return group_statements(self.found)


def facts(members: Sequence[Article], origins: Mapping[str, str], read: StoryStatements | None = None
          ) -> list[dict]:
    """The story's facts, grouped across pages, most widely carried first, as JSON-ready dicts."""
    read = read or StoryStatements(members)
    records = []
    for group in read.groups:
        records.append(_fact_record(group, origins))
    records.sort(key=lambda r: (-r["origins"], -r["pages"], r["_order"]))
    for record in records:
        del record["_order"]
    return records


def group_statements(found: Sequence[Statement]) -> list[list[Statement]]:
    """Statements of different pages that say the same thing, grouped (greedy, in page order).

    Words are weighted by how few of the story's pages use them (log((pages + 1) / df)): words
    every page uses ("Iraq", "troops", "talks") barely tie two statements together.
    """
    pages = len({s.document for s in found}) or 1
    page_freq: dict[str, int] = {}
    for token in {(s.document, t) for s in found for t in s.content}:
        page_freq[token[1]] = page_freq.get(token[1], 0) + 1
    weight = {t: math.log((pages + 1) / df) for t, df in page_freq.items()}
    groups: list[list[Statement]] = []
    # Each group's distinct word sets: copies of one wire text repeat the same statements, and a
    # statement is compared with each wording once, not with every page that carries it.
    wordings: list[dict[frozenset[str], Statement]] = []
    postings: dict[str, list[int]] = {}
    for statement in found:
        shared: dict[int, int] = {}
        for token in statement.content:
            for g in postings.get(token, ()):
                shared[g] = shared.get(g, 0) + 1
        best, best_score = None, 0.0
        for g, count in shared.items():
            if count < min(MIN_SHARED, len(statement.content)):
                continue
            score = max(_overlap(statement, other, weight) for other in wordings[g].values())
            if score > best_score:
                best, best_score = g, score
        if best is not None and best_score >= MATCH_OVERLAP:
            target = best
            groups[best].append(statement)
            if len(wordings[best]) < MAX_WORDINGS:
                wordings[best].setdefault(statement.content, statement)
        else:
            target = len(groups)
            groups.append([statement])
            wordings.append({statement.content: statement})
        for token in statement.content:
            posting = postings.setdefault(token, [])
            if not posting or posting[-1] != target:
                posting.append(target)
    return groups


def _overlap(a: Statement, b: Statement, weight: Mapping[str, float]) -> float:
    """Weighted share of the lighter statement's content words that the other one states too."""
    shared = a.content & b.content
    if a.content == b.content and len(shared) >= 2:
        return 1.0  # the same short statement ("the session was productive")
    if len(shared) < MIN_SHARED:
        return 0.0
    lighter = min(sum(weight[t] for t in a.content), sum(weight[t] for t in b.content))
    return sum(weight[t] for t in shared) / lighter if lighter else 0.0


def _fact_record(group: list[Statement], origins: Mapping[str, str]) -> dict:
    by_text: dict[str, list[Statement]] = {}
    for statement in group:
        by_text.setdefault(statement.text, []).append(statement)
    wording = max(by_text.values(), key=lambda v: (len({s.document for s in v}), -v[0].index))
    source = max(group, key=lambda s: (EVIDENCE_RANK[s.evidence], -s.index))
    documents = {s.document for s in group}
    origin_ids = {origins.get(d, d) for d in documents}
    if source.evidence == "outlet":
        attributed_to = ", ".join(sorted({s.source for s in group}))
    else:
        attributed_to = source.source
    return {
        "text": wording[0].text,
        "pages": len(documents),
        "origins": len(origin_ids),
        "citations": [s.citation() for s in sorted(group, key=lambda s: (s.document, s.start))],
        "attributed_to": attributed_to,
        "evidence": source.evidence,
        "modality": _group_modality(group),
        "single_source": len(origin_ids) == 1,
        "_order": min(s.index for s in group),
    }


def _group_modality(group: list[Statement]) -> str:
    """The modality the reporting pages give; a preview's forecast never outranks a report."""
    reporting = [s for s in group if s.modality != "predicted"] or group
    counts: dict[str, int] = {}
    for statement in reporting:
        counts[statement.modality] = counts.get(statement.modality, 0) + 1
    return max(counts, key=lambda m: (counts[m], m != "reported"))


def _page_statements(article: Article) -> list[Statement]:
    body = analysed_body(article)
    preview = is_preview(article)
    quoted = quoted_ranges(body)
    stop = stopwords()
    outlet = outlet_name(article)
    joint_page = bool(re.search(r"\bjoint\s+(?:statement|communiqu)", body, re.IGNORECASE))
    last_named: str | None = None
    full_names: list[str] = []  # people the page named in full, so "Schenker" reads "David Schenker"
    last_speaker: tuple[str, str] | None = None
    # The sentence before: source, evidence, whether it ended inside a quote, where it ended.
    previous: tuple[str, str, bool, int] | None = None
    found: list[Statement] = []
    for s_start, s_end in sentence_spans(body):
        sentence = body[s_start:s_end]
        if _headline(sentence) or sentence.rstrip("”\"'’ ").endswith("?") or CALL_TO_ACTION.search(sentence):
            previous = None
            continue
        # Attribution is read outside quotation marks: a quote's own words name no source.
        unquoted = _mask_quotes(sentence, quoted, s_start)
        source, evidence, named, cue_span = _attribution(unquoted, joint_page, last_named, last_speaker)
        in_quote = _inside_quote(quoted, s_start, s_end)
        if evidence == "outlet" and in_quote and previous is not None and (
                previous[2] or "\n" not in body[previous[3]:s_start]):
            source, evidence = previous[0], previous[1]  # a quote continued from the sentence before
        if evidence == "outlet":
            source = outlet
        if named:
            full = next((n for n in reversed(full_names) if _surname(n) == _surname(named)), named)
            if full != named:
                source = full if source == named else source
            elif len(named.split()) > 1:
                full_names.append(named)
            last_named = full
        if evidence in ("named", "anonymous"):
            last_speaker = (source, evidence)
        previous = (source, evidence, in_quote or _ends_in_quote(quoted, s_end), s_end)
        for c_start, c_end in _clauses(sentence):
            start, end = s_start + c_start, s_start + c_end
            text = body[start:end]
            spans = list(word_spans(text))
            if len(spans) < MIN_WORDS:
                continue
            # The attribution ("David Schenker, assistant secretary ..., said") is who says it,
            # not what is said: its words do not tie two statements together.
            content = frozenset(stem(t) for a, _, t in spans
                                if not cue_span[0] <= c_start + a < cue_span[1]
                                and t not in stop and t not in _ATTRIBUTION_WORDS and len(t) > 1)
            found.append(Statement(article.id, len(found), start, end, text, source, evidence,
                                   modality(text, preview), content, article))
    return found


def _mask_quotes(sentence: str, quoted: Sequence[tuple[int, int]], offset: int) -> str:
    chars = list(sentence)
    for q_start, q_end in quoted:
        lo, hi = max(q_start - offset, 0), min(q_end - offset, len(sentence))
        for i in range(lo, hi):
            chars[i] = " "
    return "".join(chars)


def modality(text: str, preview: bool = False) -> str:
    """The modality of one statement; `preview` when its page was written before the event."""
    main = main_clause(text)
    if _THREAT.search(main):
        return "threatened"
    if preview and (_PREDICTED.search(text) or _PLANNED.search(text)):
        return "predicted"
    if _NEGATED.search(main):
        return "negated"
    if _PLANNED.search(text):
        return "planned"
    if _PREDICTED.search(text):
        return "predicted"
    return "reported"


def attribution(sentence: str) -> tuple[str, str]:
    """(source, evidence) of one sentence read alone: no earlier speaker, no page context."""
    unquoted = _mask_quotes(sentence, quoted_ranges(sentence), 0)
    source, evidence, _, _ = _attribution(unquoted, False, None, None)
    return source, evidence


def main_clause(text: str) -> str:
    """The statement up to its first comma or subordinate clause (after an opening phrase).

    Negation and threat are read here only: "invited to the White House, an olive branch his
    predecessor had never received" reports an invitation, not a negation.
    """
    cut = _SUBORDINATE.search(text, min(MAIN_CLAUSE_OPENING, len(text)))
    return text[:cut.start()] if cut else text


def _attribution(sentence: str, joint_page: bool, last_named: str | None,
                 last_speaker: tuple[str, str] | None) -> tuple[str, str, str | None, tuple[int, int]]:
    """(source, evidence, the person named as speaker or None, span of the attribution words)."""
    doc = _DOCUMENT.search(sentence)
    if doc:
        kind = (doc.group("doc") or doc.group("doc2") or doc.group("doc3")).lower()
        joint = doc.group("joint") or doc.group("joint2") or doc.group("joint3") or joint_page
        kind = "statement" if kind.startswith("communiqu") else kind
        return (f"joint {kind}" if joint else kind), "document", None, doc.span()
    for pattern in (_NAMED_AFTER_CUE, _NAMED_BEFORE_CUE):
        for match in pattern.finditer(sentence):
            name = match.group("name")
            if _person_like(name):
                return name, "named", name, match.span()
    role = _ROLE_CUE.search(sentence)
    if role:
        # "the new prime minister said": the person the page last named, else the post itself.
        if last_named:
            return last_named, "named", last_named, role.span()
        post = " ".join(role.group().split()[:-1])
        return post, "named", None, role.span()
    pronoun = _PRONOUN_CUE.search(sentence)
    if pronoun and last_speaker:
        return last_speaker[0], last_speaker[1], None, pronoun.span()
    anonymous = _ANONYMOUS.search(sentence)
    if anonymous:
        who = " ".join((anonymous.group("who") or anonymous.group("who2") or anonymous.group("who3")).split())
        return who, "anonymous", None, anonymous.span()
    return "", "outlet", None, (0, 0)


def _person_like(name: str) -> bool:
    parts = name.split()
    if parts[0].lower() in _NOT_PERSON:
        return False
    # One capitalised word is a person only as a surname ("Schenker said"); institutions
    # ("Washington said") are in the exclusion list above.
    return len(parts) <= 4


def _surname(name: str) -> str:
    return re.sub(r"^(?:al|el)-", "", name.split()[-1].lower())


def _headline(sentence: str) -> bool:
    bare = sentence.rstrip("”\"'’) ")
    return bool(bare) and bare[-1] not in ".!?:" and len(sentence.split()) <= HEADLINE_MAX_WORDS


def _inside_quote(quoted: Sequence[tuple[int, int]], start: int, end: int) -> bool:
    return any(q_start <= start + 1 and end - 1 <= q_end for q_start, q_end in quoted)


def _ends_in_quote(quoted: Sequence[tuple[int, int]], end: int) -> bool:
    return any(q_start < end <= q_end + 1 and q_end >= end - 2 for q_start, q_end in quoted)


def _clauses(sentence: str) -> list[tuple[int, int]]:
    """Offsets of a sentence's atomic parts; the cut words themselves belong to neither."""
    spans, cursor = [], 0
    for cut in _CLAUSE_CUT.finditer(sentence):
        if _balanced(sentence[cursor:cut.start()]):
            spans.append((cursor, cut.start()))
            cursor = cut.end()
    spans.append((cursor, len(sentence)))
    return [(a, b) for a, b in spans if b > a]


def _balanced(text: str) -> bool:
    """No quotation left open: a cut inside a quote would split what a source said."""
    return text.count("“") == text.count("”") and text.count('"') % 2 == 0


def stem(token: str) -> str:
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 4:
            return token[: -len(suffix)]
    return token
