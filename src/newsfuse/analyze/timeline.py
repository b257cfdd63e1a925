"""A story's timeline: every dated or datable event its pages state, resolved, merged and cited.

Rules, in the order they apply:

- Each page is read up to the pipeline's analysed length. Its date expressions are found and
  resolved by `timexes.find_timexes` against a reference date: the page's own stated date
  (published, else updated), else — for a page that states none — the story's earliest dated
  page (the date the pipeline's weekday inference also resolves against). On such a page a bare
  weekday is the latest one on or before that date whatever the tense ("poised to launch talks
  Thursday" is the Thursday of the story's week), and a bare clock time is not placed. The
  reference used is given with every resolved date, so a reader sees what was inferred from what.
- An event is the sentence that holds a date expression of day, week, month, season, quarter or
  year precision. Durations, sets, decades and "now" are not events. "Seventeen years after the
  invasion, the talks, which began Thursday, ..." places the invasion: the other date of the
  sentence minus the duration, at the duration's unit (an inferred, year-precision 2003); in
  "drinks four days before he was hospitalized for surgery performed Oct. 9" the date is the
  surgery's, so the sentence's event is four days before it.
- Not events of this story: lines that are photo captions (they end in a "(Name/Agency)" credit
  or are the page's recorded photo credit lines), lines with the page's own date stamp, and a
  stated date after the page's reference date in a sentence that neither plans nor predicts —
  a report cannot tell of a day after it was written, so such a date belongs to a sidebar of
  other stories (or the page's date is wrong).
- Modality: a sentence whose reporter's words before the date (quotations left out: a
  speaker's "we will" is not the report's) plan ("will", "poised to", "scheduled", "next
  month") or predict ("expected to", "may", "could") marks its event planned or predicted; a
  fully stated date already past at the reference is reported whatever the verb; a merged
  event is planned or predicted only if no page reports it as done.
- Merging: mentions of the same date and precision whose sentences share most of their content
  words (overlap coefficient ≥ MERGE_OVERLAP) are one event with every page's citation.
- Order: by the start of the date's interval, coarser precision first on ties.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from ..model import Article, to_plain
from ..text import quoted_ranges, sentence_spans, stopwords, words
from .dates import page_date
from .timexes import Timex, find_timexes, precision_of, unquoted

# Share of the smaller sentence's content words the larger must hold for two same-date mentions
# to be one event: AP copy and its reprint ("launched ... talks on Thursday" / "talks Thursday")
# share nearly all; two different things said of one day share few.
MERGE_OVERLAP = 0.6
# A line shorter than this many words is a heading, stamp or caption fragment, not a report.
MIN_EVENT_WORDS = 5
EVENT_PRECISIONS = ("day", "week", "month", "season", "quarter", "year")
_PRECISION_RANK = {"year": 0, "season": 1, "quarter": 1, "month": 2, "week": 3, "day": 4}

# "(Susannah George/AP)", "(AP Photo/Sue Ogrocki)", "(Photo: Reuters)": a photo credit closes a caption.
_CAPTION_CREDIT = re.compile(r"\((?:[^()]{1,60}/[^()]{1,60}|(?:Photo|Picture|Image|File)[^()]{0,60})\)\s*$",
                             re.IGNORECASE)
_PLANNED = re.compile(r"\b(?:will|shall|'ll|’ll|going to|poised to|set to|due to|scheduled|slated|planned|"
                      r"plans? to|is to|are to|to be held|upcoming|next|coming)\b", re.IGNORECASE)
_PREDICTED = re.compile(r"\b(?:expected|likely|may|might|could|forecast|predicted|projected)\b",
                        re.IGNORECASE)
# Wording that is itself forward-looking, whatever the sentence says: "next month", "the coming week".
_FORWARD_EXPRESSION = re.compile(r"\b(?:next|coming|upcoming)\b", re.IGNORECASE)
_ANCHORED_DURATION = re.compile(r"\s+(?P<relation>after|before|since)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Reference:
    """The date a page's relative expressions were resolved against, and where it came from."""

    date: date
    document: str
    basis: str

    def as_dict(self) -> dict:
        return {"date": self.date.isoformat(), "document": self.document, "basis": self.basis}


@dataclass(frozen=True, slots=True)
class _Mention:
    document: str
    value: str
    precision: str
    sentence: tuple[int, int]
    expression: tuple[int, int]
    expression_text: str
    sentence_text: str
    reference: Reference | None
    inferred: bool
    modality: str | None
    content: frozenset[str]


def timeline(members: Sequence[Article]) -> list[dict]:
    """The story's events in date order, each with its date, precision, text and citations.

    Each event: `date` (TIMEX3 value: "2020-01-03", "2020-01", "2020", "2020-W24"), `precision`,
    `text` (a sentence of a page, verbatim), `citations` (that sentence on every page that states
    the event), `expression` (the date words, e.g. "last month"), `resolved_against` (the
    reference date, its document and basis; null for a fully stated date), `inferred`,
    `modality` (null, "planned" or "predicted") and `mentions` (each page's expression, cited).
    """
    from ..pipeline import MAX_ANALYSED_CHARS

    by_id = {a.id: a for a in members}
    anchors = sorted((d, a.id) for a in members if (d := page_date(a)) is not None)
    mentions: list[_Mention] = []
    for article in members:
        reference = _reference(article, anchors[0] if anchors else None)
        mentions.extend(_mentions(article, article.body[:MAX_ANALYSED_CHARS], reference))
    events = _merge(mentions)
    return [_event_record(event, by_id) for event in events]


def _reference(article: Article, anchor: tuple[date, str] | None) -> Reference | None:
    # The page's own date as dates.page_date reads it: published, else updated, never inferred.
    for kind, stamp in (("published", article.meta.published), ("updated", article.meta.updated)):
        if stamp and not stamp.inferred:
            try:
                own = date.fromisoformat(stamp.value[:10])
            except ValueError:
                continue
            return Reference(own, article.id, f"the page's {kind} date ({stamp.evidence[:120]})")
    if anchor is None:
        return None
    return Reference(anchor[0], anchor[1],
                     "the story's earliest dated page (this page states no date of its own)")


def _excluded_lines(article: Article, body: str) -> list[tuple[int, int]]:
    """Line spans that are captions or date stamps, not the report."""
    meta = article.meta
    stamps = {e.evidence.strip() for e in (meta.published, meta.updated, *meta.photo_credits)
              if e is not None}
    out = []
    for line in re.finditer(r"[^\n]+", body):
        text = line.group().strip()
        if _CAPTION_CREDIT.search(text) or text in stamps:
            out.append((line.start(), line.end()))
    return out


def _mentions(article: Article, body: str, reference: Reference | None) -> list[_Mention]:
    ref_date = reference.date if reference else None
    own_date = reference is not None and reference.document == article.id
    timexes = find_timexes(body, ref_date, weekdays_back=not own_date)
    spans = sentence_spans(body)
    starts = [s for s, _ in spans]
    excluded = _excluded_lines(article, body)
    stop = stopwords()
    quoted = quoted_ranges(body)
    by_sentence: dict[tuple[int, int], list[Timex]] = {}
    for timex in timexes:
        i = bisect.bisect_right(starts, timex.start) - 1
        if i < 0 or timex.end > spans[i][1]:
            continue
        by_sentence.setdefault(spans[i], []).append(timex)
    out: list[_Mention] = []
    for sentence, found in by_sentence.items():
        text = body[sentence[0]:sentence[1]]
        if len(text.split()) < MIN_EVENT_WORDS or any(s <= sentence[0] < e for s, e in excluded):
            continue
        content = frozenset(w for w in words(text) if w not in stop and not w.isdigit())
        dated = [t for t in found if t.type in ("DATE", "TIME") and t.value
                 and precision_of(t.value[:10] if t.type == "TIME" else t.value) in EVENT_PRECISIONS]
        for timex in dated:
            if timex.type == "TIME" and not own_date and not re.search(r"[A-Za-z]{4,}", timex.text):
                # A bare clock time ("1300 GMT") is on the page's own day, which this page does not state.
                continue
            value = timex.value[:10] if timex.type == "TIME" else timex.value
            modality = _modality(body, sentence[0], timex, value, ref_date, quoted)
            if _after_reference(value, ref_date) and modality is None:
                continue
            out.append(_Mention(article.id, value, precision_of(value), sentence, (timex.start, timex.end),
                                timex.text, text, reference if timex.relative else None, timex.relative,
                                modality, content))
        out.extend(_anchored(article.id, body, sentence, text, found, dated, content))
    return out


def _modality(body: str, sentence_start: int, timex: Timex, value: str, reference: date | None,
              quoted: list[tuple[int, int]]) -> str | None:
    if _FORWARD_EXPRESSION.search(timex.text):
        return "planned"
    if not timex.relative and reference is not None and _interval_end(value) < reference:
        # A stated date already past when the page was written is reported, whatever verb leads
        # the sentence ("The main event will be the fate of troops, deployed from 2014").
        return None
    # Only the reporter's words before the date: in "launched talks on Thursday that are to span
    # ..." the later "are to" plans the span, not the launch; a quoted "we will" is the speaker's.
    lead = unquoted(body, sentence_start, timex.start, quoted)
    if _PLANNED.search(lead):
        return "planned"
    if _PREDICTED.search(lead):
        return "predicted"
    return None


def _anchored(document: str, body: str, sentence: tuple[int, int], text: str, found: list[Timex],
              dated: list[Timex], content: frozenset[str]) -> list[_Mention]:
    """Dates placed by "N units after/before X" against another date of the same sentence.

    If that date stands inside X's own phrase (before the next comma: "four days before he was
    hospitalized for surgery performed Oct. 9"), it dates X, and the sentence's event is N units
    from it. Otherwise it dates the sentence's event ("Seventeen years after the invasion, the
    talks, which began Thursday, ..."), and X is N units from it.
    """
    out = []
    for timex in found:
        match = re.fullmatch(r"P(\d+)([DWMY])", timex.value or "") if timex.type == "DURATION" else None
        relation = _ANCHORED_DURATION.match(body, timex.end)
        others = [t for t in dated
                  if t is not timex and precision_of(t.value[:10]) in ("day", "month", "year")]
        if not match or not relation or not others or relation["relation"].lower() == "since":
            continue
        amount, unit = int(match.group(1)), match.group(2)
        after = relation["relation"].lower() == "after"
        phrase = re.compile(r"[,;:—–]").search(body, relation.end(), sentence[1])
        phrase_end = phrase.start() if phrase else sentence[1]
        inside = [t for t in others if relation.end() <= t.start and t.end <= phrase_end]
        other = (inside or others)[0]
        # Date of X: the event is N units after (or before) it. Date of the event: X is N units
        # before (or after) it.
        sign = (1 if after else -1) if inside else (-1 if after else 1)
        value = _shift(other.value[:10], sign * amount, unit)
        if value is None:
            continue
        span = (timex.start, other.end) if inside else (timex.start, relation.end())
        reference = Reference(_interval_start(other.value[:10]), document,
                              f"“{other.text}” ({other.value[:10]}) in the same sentence, "
                              f"{timex.text} {relation['relation']}")
        out.append(_Mention(document, value, precision_of(value), sentence, span, body[span[0]:span[1]], text,
                            reference, True, None, content))
    return out


def _shift(value: str, amount: int, unit: str) -> str | None:
    start = _interval_start(value)
    if unit == "Y":
        return f"{start.year + amount:04d}"
    if unit == "M":
        index = start.year * 12 + start.month - 1 + amount
        return f"{index // 12:04d}-{index % 12 + 1:02d}"
    if precision_of(value) != "day":
        return None
    return (start + timedelta(days=amount * (7 if unit == "W" else 1))).isoformat()


def _interval_start(value: str) -> date:
    """First day of the interval a TIMEX3 date value names."""
    if m := re.fullmatch(r"(\d{4})-W(\d\d)(?:-WE)?", value):
        return date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    if m := re.fullmatch(r"(\d{4})-Q(\d)", value):
        return date(int(m.group(1)), 3 * int(m.group(2)) - 2, 1)
    if m := re.fullmatch(r"(\d{4})-(SP|SU|FA|WI)", value):
        return date(int(m.group(1)), {"SP": 3, "SU": 6, "FA": 9, "WI": 12}[m.group(2)], 1)
    parts = value.split("-")
    return date(int(parts[0]), int(parts[1]) if len(parts) > 1 else 1, int(parts[2]) if len(parts) > 2 else 1)


def _interval_end(value: str) -> date:
    """Last day of the interval a TIMEX3 date value names."""
    start = _interval_start(value)
    precision = precision_of(value)
    if precision == "day":
        return start
    if precision == "week":
        return start + timedelta(days=6)
    if precision == "year":
        return date(start.year, 12, 31)
    months = {"month": 1, "quarter": 3, "season": 3}[precision]
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1) - timedelta(days=1)


def _after_reference(value: str, reference: date | None) -> bool:
    return reference is not None and _interval_start(value) > reference


def _merge(mentions: list[_Mention]) -> list[list[_Mention]]:
    """Mentions grouped into events: same date and precision, and the same sentence or one much like it."""
    by_date: dict[tuple[str, str], list[list[_Mention]]] = {}
    for mention in mentions:
        candidates = by_date.setdefault((mention.value, mention.precision), [])
        for event in candidates:
            head = event[0]
            small = min(len(head.content), len(mention.content)) or 1
            if any(m.document == mention.document and m.sentence == mention.sentence for m in event) or \
                    len(head.content & mention.content) / small >= MERGE_OVERLAP:
                event.append(mention)
                break
        else:
            candidates.append([mention])
    events = [event for group in by_date.values() for event in group]
    events.sort(key=lambda ev: (_interval_start(ev[0].value), _PRECISION_RANK.get(ev[0].precision, 0),
                                ev[0].document, ev[0].sentence))
    return events


def _event_record(event: list[_Mention], articles: dict[str, Article]) -> dict:
    reported = [m for m in event if m.modality is None]
    head = reported[0] if reported else event[0]
    modalities = {m.modality for m in event}
    citations, seen = [], set()
    for m in event:
        if (m.document, m.sentence) not in seen:
            seen.add((m.document, m.sentence))
            citations.append(to_plain(articles[m.document].cite(*m.sentence)))
    return {
        "date": head.value,
        "precision": head.precision,
        "text": head.sentence_text,
        "citations": citations,
        "expression": head.expression_text,
        "resolved_against": head.reference.as_dict() if head.reference else None,
        "inferred": head.inferred,
        "modality": None if reported else (modalities.pop() if len(modalities) == 1 else "planned"),
        "mentions": [{"document": m.document, "expression": m.expression_text,
                      "citation": to_plain(articles[m.document].cite(*m.expression)),
                      "resolved_against": m.reference.as_dict() if m.reference else None,
                      "inferred": m.inferred, "modality": m.modality} for m in event],
    }


