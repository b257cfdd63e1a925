"""Pledges: commitments and stated intentions of an actor, cited where each page states them.

A pledge is read from one statement of a page (see facts.statements) by its wording:

* a commitment verb with its subject: "Iraq, in turn, promised to protect bases", "the Iraqi
  government pledged to ...", "Both sides agreed to continue the discussion ...", "The United
  States intends to continue ...", "the Iraqis had committed to ...", "is planning to ...";
* a stated future course: "the US would continue reducing forces", "the U.S. would support ...";
* a stated refusal: "it does not seek nor request permanent bases" (the actor is the subject
  the pronoun stands for: "The United States reiterated that it does not seek ..."); in the
  past tense only as reported stance ("they did not seek"), not as a past act ("did not want");
* a noun commitment: "a US-commitment to continue withdrawing troops";
* reported speech: "Taiwan said today it will donate ...", with the speaker named by role where
  the page does so ("the league said it would decide ...", "the players agreed to ...").

"Will" and "would" before a state, a wish or an outcome ("will be", "would like", "would get",
"will boost morale") forecast; they commit the actor to nothing.

What is pledged runs from the verb to the end of its clause (a comma, a closing quotation mark,
" as ..."); its span of the page is the citation. Statements of a preview page (written before
the event) are predictions, never pledges; elsewhere a reported "would" is the actor's course.
The actor is the subject as written, with the common spellings of the United States ("US",
"U.S.", "Washington", "US officials") read as one actor and "both sides" / "the two countries" /
"both countries" as "both sides". `due` is the time the
statement gives ("over the coming months", "next month", "in the near future"), else None.

The same pledge on several pages (same actor, content words overlapping by MATCH_OVERLAP of the
shorter) is one record citing every page; its text is the wording most pages use.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from ..model import Article, to_plain
from ..text import stopwords, words
from .brief import is_preview
from .facts import StoryStatements

MATCH_OVERLAP = 0.6


_CAPITAL = r"(?!(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b)[A-Z][\w.'’-]*"
_NAMED = (rf"(?:(?:[Tt]he|[Bb]oth)\s+)?(?:two\s+)?(?:{_CAPITAL}|sides|countries)"
          rf"(?:\s+(?:{_CAPITAL}|government|officials|sides|countries|advisers|advisors))*"
          rf"(?:\s+(?:and|of)\s+(?:the\s+)?{_CAPITAL}(?:\s+{_CAPITAL})*)*")
_ACTOR = rf"(?P<actor>{_NAMED})"
# Who speaks or commits in reported speech may be named by role: "the league", "the players".
_SPEAKER = rf"(?P<actor>{_NAMED}|[Tt]he\s+(?:[a-z]+\s+)?[a-z]+)"
_WHEN = (r"(?:\s+(?:today|yesterday|tonight"
         r"|(?:on\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)))?")
# What runs to the end of its clause; a comma between digits ("2,000 troops") is no clause end.
_WHAT = r"(?P<what>(?:[^,;]|(?<=\d),(?=\d{3}))+)"
_COMMIT = (r"(?:promised|promises|pledged|pledges|vowed|vows|committed|commits|agreed|agrees"
           r"|intends|intend|intended|plans|(?:is|are)\s+planning|undertook|offered|offers|guaranteed|guarantees"
           r"|(?:is|are|was|were)\s+(?:ready|prepared|willing))")
# "will be", "would get", "would like", "will boost morale": a state, a wish or an outcome is
# forecast, not an act the actor commits to.
_AGENTIVE = (r"(?!(?:be|have|not|like|love|get|become|remain|seem|appear|need|mean|cost|achieve|boost|lead"
             r"|result|happen|occur)\b)")
_PLEDGE_PATTERNS = (
    re.compile(rf"{_SPEAKER}(?:,\s*in\s+turn,)?\s+(?:had\s+|has\s+|have\s+)?(?P<verb>{_COMMIT}\s+to)\s+[“\"]?{_WHAT}"),
    re.compile(rf"{_ACTOR}\s+(?P<verb>(?:would|will)\s+(?:continue|support|work|keep|provide|help|reduce|withdraw))"
               rf"\b{_WHAT}"),
    # A stated course of a named actor: "Taiwan will donate ...", "Sharon won't shake ...". Not
    # "will be" / "would have": those forecast a state, they commit to nothing.
    re.compile(rf"{_ACTOR}\s+(?P<verb>(?:will|would|won't|wouldn't)(?:\s+not)?(?:\s+(?:never|also|soon))?"
               rf"\s+{_AGENTIVE}[a-z]+)\b{_WHAT}"),
    # Reported intention: "Demirel said Turkey would not allow ...", "X pledged that reforms would ...".
    re.compile(rf"{_SPEAKER}\s+(?:said|says|told\s+[\w\s]{{1,30}}?|announced|pledged|vowed|promised|warned)"
               rf"{_WHEN}\s+(?:that\s+)?(?:it|he|she|they|the\s+\w+|{_CAPITAL})\s+"
               rf"(?P<verb>(?:will|would|won't|wouldn't)(?:\s+not)?(?:\s+never)?\s+{_AGENTIVE}[a-z]+)\b{_WHAT}"),
    re.compile(rf"{_ACTOR}\s+(?:reiterated|said|says|claims|stressed|insisted|confirmed)\s+(?:that\s+)?"
               rf"(?:it|they)\s+[“\"]?(?P<verb>(?:does|do|will|would)\s+not|did\s+not(?=\s+(?:seek|intend|plan)))\s+{_WHAT}"),
    re.compile(rf"\b(?:an?\s+)?(?P<actor>[A-Z][\w.]*)[-\s](?P<verb>commitment\s+to)\s+{_WHAT}"),
)
_DUE = re.compile(
    r"\b(?:over|in|within|during)\s+the\s+(?:coming|next)\s+(?:days|weeks|months|years)\b"
    r"|\bin\s+the\s+(?:near|foreseeable)\s+future\b|\bnext\s+(?:week|month|year)\b|\bthis\s+(?:week|month|year)\b"
    r"|\bby\s+(?:the\s+end\s+of\s+)?(?:19|20)\d\d\b|\bwithin\s+\w+\s+(?:days|weeks|months|years)\b",
    re.IGNORECASE)
_US = frozenset(("us", "u.s.", "united states", "washington", "america", "us officials", "u.s. officials",
                 "american officials"))
_BOTH = frozenset(("both sides", "two sides", "two countries", "both countries"))
# Clause ends inside what is pledged: "... from Iraq as both countries turn ...".
_WHAT_END = re.compile(r"\s+(?:as|while|because|after)\s+|\s+(?:the\s+)?statement\b")


# A clause opened by one of these states a premise or a time, not a commitment: "Since Comey
# would testify ...", "If the league agreed to ...".
_SUBORDINATORS = frozenset(("since", "if", "unless", "because", "although", "though", "whether", "when",
                            "while", "until", "once"))


def _subordinate(before: str, actor: str) -> bool:
    """Whether the actor is the subject of a subordinate clause (its opener leads it or the actor)."""
    leading = [w.lower() for w in before.split()[-2:]]
    if leading and leading[-1] == "the":
        leading.pop()
    return actor.split()[0].lower() in _SUBORDINATORS or bool(leading) and leading[-1] in _SUBORDINATORS


# "X would ... if the roles were reversed", "If ..., X would ...": the writer's hypothetical, not a
# course. Reported, a condition is the actor's own terms: "Sharon told the paper he would accept the
# job if he were allowed to ..." is a pledge.
_CONDITION = re.compile(r"\b(?:[Ii]f|[Uu]nless)\b")
_REPORTING = re.compile(r"\b(?:said|says|told|announced|pledged|vowed|promised|warned)\b")


def _hypothetical(text: str, match: re.Match[str], end: int) -> bool:
    return (match.group("verb").startswith("would") and bool(_CONDITION.search(text, 0, end))
            and not _REPORTING.search(text, match.end("actor"), match.start("verb")))


def pledges(members: Sequence[Article], origins: Mapping[str, str], read: StoryStatements | None = None
            ) -> list[dict]:
    """The story's pledges, one record per actor and commitment, most widely carried first."""
    read = read or StoryStatements(members)
    found = []
    for statement in read.found:
        # A preview page forecasts what actors will do; elsewhere "X said it would ..." is
        # read as a prediction by its modality but is the actor's stated course.
        if statement.modality == "predicted" and is_preview(statement.article):
            continue
        for actor, verb_start, what_end in pledge_spans(statement.text):
            text = statement.text[verb_start:what_end]
            content = frozenset(t for t in words(text) if t not in stopwords())
            if len(content) < 2:
                continue
            assert statement.article is not None
            start = statement.start + verb_start
            citation = to_plain(statement.article.cite(start, start + len(text)))
            due = _DUE.search(statement.text)
            found.append({"actor": actor, "text": text, "due": due.group() if due else None,
                          "content": content, "citation": citation, "document": statement.document,
                          "order": len(found)})
    records = [_record(group, origins) for group in group_pledges(found)]
    records.sort(key=lambda r: (-r["origins"], -r["pages"]))
    return records


def actor_name(subject: str) -> str:
    """The actor a subject names, with the United States' spellings and 'both sides' folded."""
    bare = re.sub(r"^(?:the|both)\s+|['’]s$", "", subject.strip(), flags=re.IGNORECASE)
    lowered = " ".join(bare.lower().split())
    if lowered in _US:
        return "United States"
    if subject.strip().lower() in _BOTH or lowered in _BOTH:
        return "both sides"
    parts = [("United States" if p.lower() in _US else p) for p in re.split(r"\s+and\s+", bare)]
    return " and ".join(parts)


def pledge_spans(text: str) -> list[tuple[str, int, int]]:
    """(actor, start of the pledge's verb, end of what is pledged) for each pledge in a statement."""
    found: list[tuple[str, int, int]] = []
    taken: list[tuple[int, int]] = []
    for pattern in _PLEDGE_PATTERNS:
        for match in pattern.finditer(text):
            verb_start = match.start("verb")
            if any(a <= verb_start < b for a, b in taken):
                continue
            what_start, what_end = match.span("what")
            cut = _WHAT_END.search(text, what_start, what_end)
            end = cut.start() if cut else what_end
            if _open_quotes(text[:verb_start]):
                # Pledged inside a quotation: it ends where the quotation does.
                close = re.search(r"[”\"]", text[verb_start:end])
                end = verb_start + close.start() if close else end
            end = len(text[:end].rstrip(" ."))
            if _open_quotes(text[verb_start:end]):
                end = len(text[:end].rstrip(" .“\""))
            if _subordinate(text[:match.start("actor")], match.group("actor")) or _hypothetical(
                    text, match, end):
                continue
            actor = actor_name(match.group("actor"))
            if not actor or actor.lower() in stopwords():
                continue
            found.append((actor, verb_start, end))
            taken.append((verb_start, end))
    return found


def _open_quotes(text: str) -> bool:
    """Whether a quotation opened in text is still open at its end."""
    return text.count("“") > text.count("”") or text.count('"') % 2 == 1


def group_pledges(found: list[dict]) -> list[list[dict]]:
    groups: list[list[dict]] = []
    for pledge in found:
        for group in groups:
            if group[0]["actor"] == pledge["actor"] and any(_overlap(pledge, other) for other in group):
                group.append(pledge)
                break
        else:
            groups.append([pledge])
    return groups


def _overlap(a: dict, b: dict) -> bool:
    shorter = min(len(a["content"]), len(b["content"]))
    return len(a["content"] & b["content"]) >= MATCH_OVERLAP * shorter


def _record(group: list[dict], origins: Mapping[str, str]) -> dict:
    by_text: dict[str, list[dict]] = {}
    for pledge in group:
        by_text.setdefault(pledge["text"], []).append(pledge)
    wording = max(by_text.values(), key=lambda v: (len({p["document"] for p in v}), -v[0]["order"]))
    documents = {p["document"] for p in group}
    return {
        "actor": group[0]["actor"],
        "text": wording[0]["text"],
        "due": next((p["due"] for p in group if p["due"]), None),
        "modality": "planned",
        "pages": len(documents),
        "origins": len({origins.get(d, d) for d in documents}),
        "citations": [p["citation"] for p in sorted(group, key=lambda p: (p["document"], p["order"]))],
    }
