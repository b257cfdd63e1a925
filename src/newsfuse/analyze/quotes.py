"""Direct quotations of a story: who said what, with which cue, on which pages.

`quotes(articles)` finds the text inside double quotation marks (curly or straight) in each
clean body, attributes it to a speaker, and merges the same quotation across pages into one
record whose wording differences are kept as variants (quote drift between outlets).

Rules, all heuristic and documented here:

* A quoted span counts when it holds at least MIN_WORDS words. A shorter span ("productive",
  "caliphate") is a scare quote unless the same sentence attributes it to a named speaker
  (person, statement or organisation) with a speech cue; then it is kept.
* Quotes left open at a line end (unbalanced marks) are skipped, as are quotes on headline-like
  lines (short, no terminal punctuation).
* Speaker, in order: an attribution right after the quote in its sentence ('"...," said X, ROLE'
  / '"...," X, ROLE, told reporters' / '"...," the statement reads'); else one before it in the
  sentence ('X said that the session was "productive"', also with an adverb between them: "X also
  said"); else, when the quote ends its own sentence, an attribution opening the next one
  ('"... be?" Pence said in response.'); else a name and a colon right before it ('former adviser
  Alfred Kahn: "..."'); else the speaker of the quote in the directly preceding sentence or
  paragraph (a quote continued). Cues are reporting verbs (said, told, called, promised, tweeted,
  ...: see _CUE). A long capitalised phrase ending in a name gives the name as speaker and the
  titles before it as role ("NATO Secretary General Jens Stoltenberg"); weekdays, months and
  phrases of function words or a lone "-ing" word are no speakers. Pronouns ("he said") and
  definite titles ("the new prime minister said") resolve to the most recent speaker or named
  person earlier on the same page. Surnames resolve to the full name the page introduced.
  Anonymous sources ("one senior Iraqi official") give speaker None and the description as role.
* Quotes on different pages are one quote when their content words overlap by at least
  MATCH_OVERLAP of the shorter's (and the shorter has MIN_MATCH_WORDS content words; shorter
  quotes must have the same words). Variants group the occurrences by exact text, so every
  citation's body[start:end] equals its variant's text.

`quote_spans(article)` gives one page's quotes before merging, with where the speaker phrase as
written ("he") and the cue stand in the body: what span-level benchmarks score.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..model import Article, to_plain
from ..text import quoted_ranges, sentence_spans, stopwords, words

MIN_WORDS = 4
MATCH_OVERLAP = 0.6
MIN_MATCH_WORDS = 3
HEADLINE_MAX_WORDS = 15

_OPEN = "\u201c\""
_CLOSE = "\u201d\""

_PARTICLE = r"(?:al|el|as|ad|an|bin|ibn|van|von|de|da|del|der|di|du|le|la)"
_TOKEN = rf"(?:{_PARTICLE}[-\s])?[A-Z][\w\u2019'-]*"
_NAME = rf"{_TOKEN}(?:\s{_TOKEN}){{0,3}}"
_NAME_RE = re.compile(_NAME)

_CUE = (r"said|says|say|added|adds|told\s+(?:the\s+)?[\w.]+|tells|stated|states|reads|read|wrote"
        r"|writes|noted|notes|explained|asked|argued|insisted|warned|declared|announced|claimed"
        r"|claims|continued|stressed|acknowledged|replied|recalled|called|calls|promised|vowed|vows"
        r"|answered|answers|responded|tweeted|posted|joked|quipped|admitted|conceded|suggested|urged"
        r"|pledged|predicted|shouted|yelled|remarked|observed|emphasi[sz]ed|complained|boasted"
        r"|cautioned|countered|retorted|described|asserted|contended|maintained|testified|wondered")
_CUE_RE = re.compile(rf"\b(?:{_CUE})\b")
_ADVERB_END = re.compile(r"\s+(?:also|later|then|previously|once|again|repeatedly|recently|reportedly"
                         r"|frequently|often|had|has|have|would|will)$")
_NOT_SPEAKERS = frozenset((
    "but", "however", "in", "on", "the", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december", "today", "yesterday", "earlier", "later"))
_TITLE_WORDS = re.compile(r"(?:(?:Secretary|General|Prime|Minister|President|Vice|Deputy|Foreign|Defen[cs]e"
                          r"|Chief|Executive|Director|Senator|Sen\.|Rep\.|Gov\.|Gen\.|Ambassador|Speaker"
                          r"|Leader|Chairman|Chair|Spokesman|Spokeswoman)\s+)*")
_TRAILING_NAME = re.compile(rf"(?<!\S)(?P<name>{_NAME})$")
_COLON_INTRO = re.compile(rf"(?:^|\s)(?P<np>{_NAME}(?:\s+and\s+{_NAME})?)(?P<colon>:)\s*$")
_AFTER_CUE_FIRST = re.compile(rf"^(?P<cue>{_CUE})\b\s*(?P<rest>.*)$", re.S)
_AFTER_NP_FIRST = re.compile(
    rf"^(?P<np>[^,\u201c\u201d\"]{{1,80}}?)(?:,\s*(?P<role>[^\u201c\u201d\"]{{1,200}}?),)?\s+"
    rf"(?P<cue>{_CUE})\b(?P<rest>.*)$", re.S)
_DOC = re.compile(r"\b(?:statement|communiqu[e\u00e9]|release|readout|report|letter|declaration)\b",
                  re.I)
_IN_DOC = re.compile(r"^\s*in\s+an?\s+((?:joint\s+)?(?:statement|communiqu[e\u00e9]))\b", re.I)
_PRONOUN = re.compile(r"^(?:he|she)$", re.I)
_DETERMINER = re.compile(r"^(?:the|a|an)\s+", re.I)
_TITLES = (r"Prime Minister|President|Vice President|Foreign Minister|Finance Minister|Minister"
           r"|Secretary of State|Secretary|Ambassador|Gen\.|Maj\.\s+Gen\.|Lt\.\s+Gen\.|Col\."
           r"|Sen\.|Rep\.|Gov\.|Dr\.|Mr\.|Mrs\.|Ms\.|Prof\.|Ayatollah|Sheikh|King|Queen|Prince"
           r"|Pope|Mayor|Chancellor|Premier")
_TITLE_NAME = re.compile(rf"\b(?P<title>{_TITLES})\s+(?P<name>{_NAME})")
_NAME_APPOS = re.compile(
    rf"(?P<name>{_NAME})(?:,|\s[\u2013\u2014-])\s+(?P<role>(?:an?|the|US|U\.S\.|[a-z])[^,;\u201c\u201d\"]*?)"
    r"(?=,|\.\s|\.$|\s[\u2013\u2014-]\s|$)", re.M)
_NAME_CUE = re.compile(rf"(?P<name>{_NAME})\s+(?:{_CUE})\b|\b(?:said|says|added)\s+(?P<name2>{_NAME})")
_ROLE_CUT = re.compile(r"(?:^|,\s*)(?:who|which|where|when|whose)\b.*$", re.S)
_ROLE_TITLE = re.compile(
    r"^(?:the\s+)?(?:new\s+|former\s+|top\s+)?(?:prime\s+minister|president|premier|minister"
    r"|secretary|ambassador|spokes\w+|governor|mayor|envoy|general|chancellor)\b", re.I)
_ORG_WORDS = frozenset((
    "department", "ministry", "council", "institute", "house", "committee", "group", "bank",
    "agency", "press", "union", "nations", "state", "states", "army", "forces", "party", "office",
    "university", "center", "centre", "program", "programme", "association", "embassy", "zone",
    "region", "government", "coalition", "front", "organization", "organisation", "times", "post",
))


@dataclass(slots=True)
class _Occurrence:
    doc_index: int
    document: str
    start: int
    end: int
    text: str
    citation: Any
    speaker: str | None = None
    role: str | None = None
    cue: str | None = None
    attributed: bool = False
    content: frozenset[str] = field(default_factory=frozenset)
    tokens: tuple[str, ...] = ()
    # Where the attribution stands in the body: the speaker phrase as written ("he", "David
    # Schenker") and the cue; None when the speaker comes from an earlier sentence.
    speaker_span: tuple[int, int] | None = None
    cue_span: tuple[int, int] | None = None
    quote_span: tuple[int, int] = (0, 0)


@dataclass(slots=True)
class _Mention:
    pos: int
    name: str | None
    role: str | None


@dataclass(frozen=True, slots=True)
class QuoteSpan:
    """One quotation on one page, before merging across pages, with its offsets in the body.

    `quote` includes the quotation marks, `inner` is the cited wording; `speaker_span` and
    `cue_span` are the attribution as written in the sentence ("he", "said"), None when the
    speaker was carried over from a preceding quote; `speaker` is the resolved name.
    """

    quote: tuple[int, int]
    inner: tuple[int, int]
    speaker: str | None
    role: str | None
    cue: str | None
    speaker_span: tuple[int, int] | None
    cue_span: tuple[int, int] | None


def quote_spans(article: Article) -> list[QuoteSpan]:
    """The quotations `quotes` keeps on one page, with where their attribution stands."""
    return [QuoteSpan(o.quote_span, (o.start, o.end), o.speaker, o.role, o.cue, o.speaker_span, o.cue_span)
            for o in _page_quotes(0, article)]


def quotes(articles: Sequence[Article]) -> list[dict]:
    """Direct quotations of one story's pages, merged across pages, as JSON-ready dicts."""
    occurrences: list[_Occurrence] = []
    for index, article in enumerate(articles or ()):
        try:
            occurrences.extend(_page_quotes(index, article))
        except Exception:  # noqa: BLE001 - odd input must never stop the pipeline
            continue
    return _merge(occurrences)


# --- one page -------------------------------------------------------------------------------

def _page_quotes(index: int, article: Article) -> list[_Occurrence]:
    body = getattr(article, "body", None)
    if not isinstance(body, str) or not body.strip():
        return []
    spans = sentence_spans(body)
    starts = [a for a, _ in spans]
    people = _people(body)
    found: list[_Occurrence] = []
    previous: tuple[_Occurrence, int] | None = None  # last quote and the end of its sentence
    for q_start, q_end in quoted_ranges(body):
        if q_end - q_start < 2 or body[q_end - 1] not in _CLOSE:
            continue  # left open: unbalanced marks
        inner_start, inner_end = _trim(body, q_start + 1, q_end - 1)
        if inner_end <= inner_start:
            continue
        text = body[inner_start:inner_end]
        if _headline(body, q_start):
            continue
        s_start, _ = _sentence(spans, starts, q_start, body)
        _, s_end = _sentence(spans, starts, q_end - 1, body)
        before = body[s_start:q_start]
        after = body[q_end:max(q_end, s_end)]
        following = ""
        if not after.strip() and body[q_end:q_end + 1] == " ":
            # '"... be?" Pence said.' - the quote ends its sentence; its attribution may open the next.
            _, next_end = _sentence(spans, starts, q_end + 1, body)
            following = body[q_end:max(q_end, next_end)]
        occ = _Occurrence(index, article.id, inner_start, inner_end, text, None)
        occ.quote_span = (q_start, q_end)
        _attribute(occ, before, after, following, q_start, q_end, s_start, body, people, previous)
        previous = (occ, s_end)
        tokens = words(text)
        if len(tokens) < MIN_WORDS and not (occ.attributed and occ.speaker):
            continue
        occ.tokens = tuple(tokens)
        occ.content = frozenset(t for t in tokens if t not in stopwords())
        occ.citation = article.cite(inner_start, inner_end)
        found.append(occ)
        people.append(_Mention(q_start, occ.speaker if _personal(occ) else None, occ.role))
    return found


def _personal(occ: _Occurrence) -> bool:
    return bool(occ.speaker) and not _DOC.search(occ.speaker or "")


def _trim(body: str, lo: int, hi: int) -> tuple[int, int]:
    while lo < hi and body[lo].isspace():
        lo += 1
    while hi > lo and (body[hi - 1].isspace() or body[hi - 1] in ",;:"):
        hi -= 1
    # A final period belongs to the sentence, not the words, unless it closes "U.S.".
    if hi > lo and body[hi - 1] == "." and not (hi - lo >= 3 and body[hi - 3] == "."):
        hi -= 1
    return lo, hi


def _headline(body: str, pos: int) -> bool:
    line_start = body.rfind("\n", 0, pos) + 1
    line_end = body.find("\n", pos)
    line = body[line_start:line_end if line_end >= 0 else len(body)].strip()
    bare = line.rstrip("\u201d\"'\u2019) ")
    return bool(bare) and bare[-1] not in ".!?:" and len(words(line)) <= HEADLINE_MAX_WORDS


def _sentence(spans, starts, pos, body) -> tuple[int, int]:
    i = bisect.bisect_right(starts, pos) - 1
    if i >= 0 and spans[i][0] <= pos < spans[i][1]:
        return spans[i]
    return pos, pos + 1


# --- attribution ------------------------------------------------------------------------------

def _attribute(occ, before, after, following, q_start, q_end, s_start, body, people, previous) -> None:
    if _attribute_after(occ, after, q_start, q_end, body, people):
        return
    cues = list(_CUE_RE.finditer(before))
    if cues:
        cue = cues[-1]
        # "Trump also said": an adverb between the speaker and the cue belongs to neither.
        prefix = _ADVERB_END.sub("", before[:cue.start()].rstrip())
        m = re.search(rf"(?P<name>{_NAME}),\s*(?P<role>[^,]+),$", prefix)
        if m:
            np, role, np_at = m.group("name"), m.group("role"), m.start("name")
        else:
            m = re.search(rf"(?:^|\s)(?P<np>{_NAME}|[Hh]e|[Ss]he|(?:[Tt]he|a|an|one)\s[\w\s-]{{1,60}})$",
                          prefix)
            np, role, np_at = (m.group("np"), None, m.start("np")) if m else (None, None, 0)
        if np and _set_speaker(occ, np, role, _cue(cue.group()), before[cue.end():], q_start, people):
            _place(occ, body, np, s_start + np_at, s_start + cue.start(), s_start + cue.end())
            return
    if following and _attribute_after(occ, following, q_start, q_end, body, people):
        return
    intro = _COLON_INTRO.search(before)
    if intro and _name_ok(intro.group("np")) and _set_speaker(occ, intro.group("np"), None, ":", "",
                                                              q_start, people):
        # 'Frank quotes former adviser Alfred Kahn: "..."' - a name and a colon introduce the quote.
        _place(occ, body, intro.group("np"), s_start + intro.start("np"), s_start + intro.start("colon"),
               s_start + intro.end("colon"))
        return
    if previous is not None:
        prev, prev_end = previous
        gap = body[prev_end:s_start]
        if not gap.strip() and (prev.speaker or prev.role):
            # A continued quote: same speaker, but it does not make a short quote attributed.
            occ.speaker, occ.role, occ.cue = prev.speaker, prev.role, prev.cue


def _attribute_after(occ, after, q_start, q_end, body, people) -> bool:
    """'"...," said X, ROLE' or '"...," X, ROLE, told reporters' right after the quote."""
    stripped = after.lstrip(" ,\u2013\u2014-")
    tail_at = q_end + len(after) - len(stripped)
    tail = stripped[:stripped.find("\u201c")] if "\u201c" in stripped else stripped
    if not tail or tail[0].isspace():
        return False
    m = _AFTER_CUE_FIRST.match(tail)
    if m:
        np, role = _split_np(m.group("rest"))
        if np and _set_speaker(occ, np, role, _cue(m.group("cue")), "", q_start, people):
            _place(occ, body, np, tail_at + m.start("rest"), tail_at + m.start("cue"), tail_at + m.end("cue"))
            return True
    m = _AFTER_NP_FIRST.match(tail)
    if m and len(m.group("np").split()) <= 8 and _set_speaker(
            occ, m.group("np"), m.group("role"), _cue(m.group("cue")), m.group("rest"), q_start, people):
        _place(occ, body, m.group("np"), tail_at + m.start("np"), tail_at + m.start("cue"),
               tail_at + m.end("cue"))
        return True
    return False


def _place(occ: _Occurrence, body: str, np: str, np_from: int, cue_start: int, cue_end: int) -> None:
    """Record where the speaker phrase and the cue stand in the body."""
    np = np.strip(" .,\n")
    at = body.find(np, np_from) if np else -1
    occ.speaker_span = (at, at + len(np)) if at >= 0 else None
    occ.cue_span = (cue_start, cue_end)


def _cue(text: str) -> str:
    return " ".join(text.split())


def _split_np(rest: str) -> tuple[str, str | None]:
    rest = rest.strip()
    # "said Rep. Mark Meadows (R-N.C.), chairman ...": a title's period does not end the name.
    m = _TITLE_NAME.match(rest) or _NAME_RE.match(rest)
    if m and _name_ok(m.group()):
        np = m.group()
        role = rest[m.end():].lstrip(" ,\u2013\u2014-") or None
        return np, role
    np, _, role = rest.partition(",")
    return np.strip().rstrip("."), (role.strip() or None)


def _clean_role(role: str | None) -> str | None:
    if not role:
        return None
    role = _ROLE_CUT.sub("", role).strip().rstrip(".").strip()
    return role or None


def _set_speaker(occ, np, role, cue, rest, q_start, people) -> bool:
    np = " ".join(np.split()).strip(" .,")
    if not np:
        return False
    role = _clean_role(role)
    occ.cue = cue
    if _PRONOUN.match(np):
        person = _recent(people, q_start)
        occ.attributed = True
        if person is not None:
            known = _expand(person.name, people, q_start)[1] if person.name else None
            occ.speaker, occ.role = person.name, role or person.role or known
        return True
    if _DOC.search(np):
        occ.speaker, occ.role, occ.attributed = _DETERMINER.sub("", np).lower(), role, True
        return True
    doc = _IN_DOC.match(rest or "")
    if doc and np[0].islower():
        occ.speaker, occ.role, occ.attributed = doc.group(1).lower(), None, True
        return True
    m = _NAME_RE.fullmatch(np)
    if m and _name_ok(np):
        full, known_role = _expand(np, people, q_start)
        occ.speaker, occ.role, occ.attributed = full, role or known_role, True
        return True
    titled = _TRAILING_NAME.search(np)
    if titled and titled.start() > 0:
        # "NATO Secretary General Jens Stoltenberg": the name at the end, the titles before it its role.
        name_at = titled.start() + _TITLE_WORDS.match(titled.group("name")).end()
        name = np[name_at:]
        if name and _name_ok(name) and _is_person(name):
            full, known_role = _expand(name, people, q_start)
            occ.speaker = full
            occ.role = role or np[:name_at].strip() or known_role
            occ.attributed = True
            return True
    org = re.fullmatch(rf"The\s+({_NAME})", np)
    if org:  # "The US says it ..." - a named country or organisation
        occ.speaker, occ.role, occ.attributed = org.group(1), role, True
        return True
    if np[0].islower() or np.split()[0] in ("A", "An", "One", "The"):
        if all(w.lower() in stopwords() for w in np.split()) or re.fullmatch(r"[a-z]+ing", np):
            return False  # "and", "giving": no speaker
        if _ROLE_TITLE.match(np):
            person = _recent(people, q_start, title=np)
            if person is not None:
                occ.speaker = person.name
                occ.role = role or person.role or _DETERMINER.sub("", np)
                occ.attributed = True
                return True
        if len(np.split()) > 8:
            return False
        occ.speaker, occ.role, occ.attributed = None, role or np, True
        return True
    return False


def _name_ok(name: str) -> bool:
    first = name.split()[0].lower()
    return first not in stopwords() and first not in _NOT_SPEAKERS


def _is_person(name: str) -> bool:
    parts = name.split()
    return (len(parts) >= 2 and _name_ok(name)
            and not any(p.lower().strip(".") in _ORG_WORDS for p in parts))


def _surname(name: str) -> str:
    last = name.split()[-1]
    return re.sub(rf"^{_PARTICLE}-", "", last, flags=re.I).lower()


def _people(body: str) -> list[_Mention]:
    """Mentions of named people on a page: title + name, name + apposition, name + cue."""
    mentions: list[_Mention] = []
    for m in _TITLE_NAME.finditer(body):
        name = m.group("name")
        if _name_ok(name) and not any(p.lower() in _ORG_WORDS for p in name.split()):
            mentions.append(_Mention(m.start("name"), name, m.group("title").rstrip(".")))
    for m in _NAME_APPOS.finditer(body):
        if _is_person(m.group("name")):
            mentions.append(_Mention(m.start("name"), m.group("name"), _clean_role(m.group("role"))))
    for m in _NAME_CUE.finditer(body):
        name = m.group("name") or m.group("name2")
        start = m.start("name") if m.group("name") else m.start("name2")
        if _name_ok(name) and (_is_person(name) or len(name.split()) == 1):
            mentions.append(_Mention(start, name, None))
    mentions.sort(key=lambda x: x.pos)
    # Surnames alone count only when the page introduced the full name before.
    resolved: list[_Mention] = []
    for mention in mentions:
        if mention.name and len(mention.name.split()) == 1:
            full = _full_name(mention.name, resolved)
            if full is None:
                continue
            mention = _Mention(mention.pos, full.name, full.role)
        resolved.append(mention)
    return resolved


def _full_name(name: str, mentions: Sequence[_Mention]) -> _Mention | None:
    key = _surname(name)
    for mention in reversed(mentions):
        if mention.name and len(mention.name.split()) > 1 and _surname(mention.name) == key:
            return mention
    return None


def _expand(name: str, people: Sequence[_Mention], pos: int) -> tuple[str, str | None]:
    earlier = [m for m in people if m.pos < pos] or list(people)
    key = _surname(name)
    best: _Mention | None = None
    for mention in earlier:
        if mention.name and _surname(mention.name) == key:
            if best is None or len(mention.name) > len(best.name or ""):
                best = mention
            if mention.role and (best.role is None):
                best = _Mention(best.pos, best.name, mention.role)
    if best is None:
        return name, None
    role = best.role
    if role is None:
        role = next((m.role for m in earlier if m.name == best.name and m.role), None)
    return (best.name if len(best.name or "") >= len(name) else name), role


def _recent(people: Sequence[_Mention], pos: int, title: str | None = None) -> _Mention | None:
    earlier = sorted((m for m in people if m.pos < pos), key=lambda m: m.pos)
    if title is not None:
        head = _DETERMINER.sub("", title).split()[-1].lower()
        for mention in reversed(earlier):
            if mention.name and head in (mention.role or "").lower():
                return mention
        named = [m for m in earlier if m.name]
        return named[-1] if named else None
    return earlier[-1] if earlier else None


# --- across pages -----------------------------------------------------------------------------

def _same(a: _Occurrence, b: _Occurrence) -> float:
    shorter = min(len(a.content), len(b.content))
    if shorter < MIN_MATCH_WORDS:
        return 1.0 if a.tokens == b.tokens else 0.0
    return len(a.content & b.content) / shorter


def _merge(occurrences: list[_Occurrence]) -> list[dict]:
    clusters: list[list[_Occurrence]] = []
    for occ in occurrences:
        best, best_score = None, 0.0
        for cluster in clusters:
            score = max(_same(occ, other) for other in cluster)
            if score > best_score:
                best, best_score = cluster, score
        if best is not None and best_score >= MATCH_OVERLAP:
            best.append(occ)
        else:
            clusters.append([occ])
    records = []
    for order, cluster in enumerate(clusters):
        variants: dict[str, list[_Occurrence]] = {}
        for occ in cluster:
            variants.setdefault(occ.text, []).append(occ)
        ranked = sorted(variants.values(),
                        key=lambda v: (-len({o.document for o in v}), cluster.index(v[0])))
        canonical = ranked[0]
        source = next((o for o in canonical if o.speaker), None) or \
            next((o for o in cluster if o.speaker), None) or \
            next((o for o in cluster if o.role or o.cue), cluster[0])
        role = source.role
        if role is None and source.speaker:
            role = next((o.role for o in cluster if o.speaker == source.speaker and o.role), None)
        records.append((len({o.document for o in cluster}), order, {
            "text": canonical[0].text,
            "speaker": source.speaker,
            "speaker_role": role,
            "cue": source.cue,
            "variants": [{"text": v[0].text, "citations": [to_plain(o.citation) for o in v]}
                         for v in variants.values()],
            "citations": [to_plain(o.citation) for o in canonical],
            "pages": len({o.document for o in cluster}),
        }))
    records.sort(key=lambda r: (-r[0], r[1]))
    return [r[2] for r in records]
