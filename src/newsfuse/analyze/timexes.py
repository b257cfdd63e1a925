"""Date and time expressions in English news text, found and resolved against a reference date.

The output follows TimeML's TIMEX3 conventions, so it can be scored against TempEval-3:

- `type` is DATE, TIME, DURATION or SET; `value` is the TIMEX3 value: "2020-06-11" (a day),
  "2020-06" (a month), "2020" (a year), "2020-W24" (an ISO week), "2020-SU" (a season), "202"
  (a decade), "19" (a century), "2020-06-11TNI" / "2020-06-11T13:00" (a time), "P3M" / "PT2H" /
  "PXY" (durations, X for an unstated number), PRESENT_REF / PAST_REF / FUTURE_REF.
- An expression that needs a reference date to be placed ("Thursday", "last month", "Jan. 3",
  "six years ago") is `relative`; without a reference date it is still found but not dated.

How a relative expression is placed (the rules a reader of the result can check):

- a weekday is the latest such day on or before the reference date, unless the sentence looks
  ahead before the expression ("will", "may", "poised to", "scheduled", "next"): then the first
  such day on or after it;
  "last Friday" is strictly before, "next Friday" strictly after;
- a month without a year is the latest such month up to the reference month (the first from it
  on, when looking ahead); "last December" is strictly before the reference month;
- a month and day without a year take the year that puts them nearest the reference date (the
  first on or after it when looking ahead);
- "this/last/next week|month|year|quarter" and "N units ago" are calendar arithmetic on the
  reference date, with the precision of the unit.

Longer expressions win over the shorter ones inside them ("Thursday, Oct. 27, 2020" is one date,
not a weekday and a date); the pieces of text around an expression decide nothing else.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from ..text import quoted_ranges, sentence_spans

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "hundred": 100,
}
# Quantities that name no number: "several days" is PXD.
VAGUE_NUMBERS = ("several", "few", "a few", "many", "a couple of", "couple of", "some")
UNIT_CODES = {"second": "S", "minute": "M", "hour": "H", "day": "D", "week": "W", "month": "M",
              "year": "Y", "decade": "DE", "century": "CE"}
TIME_UNITS = frozenset(("second", "minute", "hour"))
PARTS_OF_DAY = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI"}
SEASONS = {"spring": "SP", "summer": "SU", "autumn": "FA", "fall": "FA", "winter": "WI"}

# Words that make a sentence look ahead: a bare weekday or month in it is the next one.
LOOKING_AHEAD = re.compile(
    r"\b(?:will|shall|may|might|could|'ll|’ll|going to|poised to|set to|due to|scheduled|slated|"
    r"planned for|plans to|expected to|upcoming|next|is to|are to|to be held|to launch|to begin|to start|"
    r"to meet|to visit)\b",
    re.IGNORECASE)

_MONTH_NAMES = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
                r"|Jan\.?|Feb\.?|Mar\.|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)")
MONTH = rf"(?P<month>{_MONTH_NAMES})(?![\w])"
WEEKDAY = r"(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
YEAR = r"(?P<year>1[5-9]\d\d|20\d\d)"
MOD = r"(?:(?P<mod>[Ee]arly|[Ll]ate|[Mm]id|[Ee]arlier|[Ll]ater)[\s-]+(?:in\s+)?)?"
_NUMBER_WORD = "|".join(sorted((w for w in NUMBER_WORDS if w not in ("a", "an")), key=len, reverse=True))
NUMBER = (rf"(?P<number>\d+(?:\.\d+)?|(?:{_NUMBER_WORD})(?:-(?:{_NUMBER_WORD}))?|an?|"
          r"several|a few|few|many|a couple of|couple of|some)")
UNIT = r"(?P<unit>second|minute|hour|day|week|month|year|decade|centur(?:y|ie))s?"


@dataclass(frozen=True, slots=True)
class Timex:
    """A date or time expression: its span in the text, TIMEX3 type and value, how it was placed.

    `relative` is true when the value depends on the reference date (a weekday, "last month",
    a month and day without year). `value` is None when a relative expression had no reference.
    """

    start: int
    end: int
    text: str
    type: str
    value: str | None
    relative: bool


@dataclass(frozen=True, slots=True)
class _Context:
    text: str
    reference: date | None
    sentence_starts: list[int]
    sentence_ends: list[int]
    weekdays_back: bool
    quoted: list[tuple[int, int]]

    def lead_in(self, position: int) -> str:
        """The sentence's text before `position`, outside quotation marks."""
        i = bisect.bisect_right(self.sentence_starts, position) - 1
        return unquoted(self.text, self.sentence_starts[i] if i >= 0 else 0, position, self.quoted)

    def ahead(self, position: int) -> bool:
        # Only the reporter's words before the expression: in "On Feb. 28, a note said coal use
        # would grow over the next decade" the later "next" looks ahead from Feb. 28, not at it,
        # and in "'We will decide,' he told reporters on Wednesday" the speaker's "will" is not
        # the reporter's.
        return bool(LOOKING_AHEAD.search(self.lead_in(position)))


# A rule's verdict: (type, value or None, relative), or None when the match is not a timex.
Verdict = tuple[str, str | None, bool] | None
Rule = Callable[[re.Match, _Context], Verdict]


def find_timexes(text: str, reference: date | None = None, *, weekdays_back: bool = False) -> list[Timex]:
    """Every date, time, duration and set expression of `text`, in order, resolved against `reference`.

    With `weekdays_back`, a bare weekday is always the latest such day on or before the reference,
    whatever the tense: for a reference that is not the text's own date but a later date known to
    close its week (a sibling page of the same story), "poised to launch talks Thursday" means the
    Thursday before that date.
    """
    spans = sentence_spans(text)
    ctx = _Context(text, reference, [s for s, _ in spans], [e for _, e in spans], weekdays_back,
                   quoted_ranges(text))
    candidates: list[tuple[int, int, str, str | None, bool]] = []
    for trigger, rules in _RULES:
        # Most sentences hold no date: a rule runs only on sentences with its trigger word, which
        # also keeps every expression inside one sentence.
        hit_sentences = sorted({bisect.bisect_right(ctx.sentence_starts, m.start()) - 1
                                for m in trigger.finditer(text)} - {-1})
        for start, end in (spans[i] for i in hit_sentences):
            for pattern, rule in rules:
                for match in pattern.finditer(text, start, end):
                    try:
                        verdict = rule(match, ctx)
                    except OverflowError:
                        # A reference at the ends of the calendar (date.min, date.max): the day it
                        # points to does not exist, so the expression is left out.
                        continue
                    if verdict is not None:
                        candidates.append((match.start(), match.end(), *verdict))
    # Longest first, then leftmost: a full date beats the weekday and year inside it.
    candidates.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
    # One flag per character taken by a chosen expression: expressions are short, so checking
    # a span is cheap, where comparing with every chosen span was quadratic on long pages.
    taken = bytearray(len(text))
    chosen = []
    for start, end, kind, value, relative in candidates:
        if 1 in taken[start:end]:
            continue
        taken[start:end] = b"\x01" * (end - start)
        chosen.append(Timex(start, end, text[start:end], kind, value, relative))
    return sorted(chosen, key=lambda t: t.start)


def precision_of(value: str | None) -> str | None:
    """The granularity of a TIMEX3 date value: day, month, year, week, season, quarter, decade, century."""
    if not value:
        return None
    patterns = (("day", r"\d{4}-\d\d-\d\d(?:T.*)?"), ("month", r"\d{4}-\d\d"), ("year", r"\d{4}"),
                ("week", r"\d{4}-W\d\d(?:-WE)?"), ("season", r"\d{4}-(?:SP|SU|FA|WI)"),
                ("quarter", r"\d{4}-Q\d"), ("decade", r"\d{3}"), ("century", r"\d{2}"))
    for name, pattern in patterns:
        if re.fullmatch(pattern, value):
            return name
    return None


def unquoted(text: str, start: int, end: int, quoted: list[tuple[int, int]]) -> str:
    """text[start:end] with the parts inside quotation marks (`quoted`, from quoted_ranges) blanked."""
    pieces, cursor = [], start
    # The ranges are sorted and disjoint: start from the last one opening at or before `start`.
    for a, b in quoted[max(0, bisect.bisect_right(quoted, (start, len(text))) - 1):]:
        if a >= end:
            break
        if b <= cursor:
            continue
        a = max(a, cursor)
        pieces += [text[cursor:a], " " * (min(b, end) - a)]
        cursor = min(b, end)
    pieces.append(text[cursor:end])
    return "".join(pieces)


# --- calendar helpers ----------------------------------------------------------------------------


def _month_number(name: str) -> int:
    return MONTHS[name.lower().rstrip(".")]


def _valid_day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _weekday_date(reference: date, weekday: int, direction: str) -> date:
    """The weekday on/before ("back"), on/after ("ahead"), strictly before ("last") or after ("next")."""
    back = (reference.weekday() - weekday) % 7
    forward = (weekday - reference.weekday()) % 7
    if direction == "back":
        return reference - timedelta(days=back)
    if direction == "ahead":
        return reference + timedelta(days=forward)
    if direction == "last":
        return reference - timedelta(days=back or 7)
    if direction == "next":
        return reference + timedelta(days=forward or 7)
    # "this Friday": the one in the reference's own Monday-to-Sunday week.
    return reference + timedelta(days=weekday - reference.weekday())


def _shift_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _number(word: str) -> int | float | None:
    word = word.lower()
    if word in VAGUE_NUMBERS:
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?", word):
        return float(word) if "." in word else int(word)
    parts = word.split("-")
    if all(p in NUMBER_WORDS for p in parts):
        return sum(NUMBER_WORDS[p] for p in parts)
    return None


def _unit_name(raw: str) -> str:
    raw = raw.lower()
    return "century" if raw.startswith("centur") else raw.rstrip("s")


def _duration_value(amount: int | float | None, unit: str) -> str:
    code = UNIT_CODES[unit]
    prefix = "PT" if unit in TIME_UNITS else "P"
    if amount is None:
        return f"{prefix}X{code}"
    if unit == "decade":
        return f"P{int(amount * 10)}Y"
    if unit == "century":
        return f"P{int(amount * 100)}Y"
    shown = int(amount) if float(amount).is_integer() else amount
    return f"{prefix}{shown}{code}"


# --- rules ---------------------------------------------------------------------------------------


def _full_date(match: re.Match, ctx: _Context) -> Verdict:
    found = _valid_day(int(match["year"]), _month_number(match["month"]), int(match["day"]))
    return ("DATE", found.isoformat(), False) if found else None


def _iso_date(match: re.Match, ctx: _Context) -> Verdict:
    found = _valid_day(int(match["year"]), int(match["m"]), int(match["day"]))
    return ("DATE", found.isoformat(), False) if found else None


def _month_day(match: re.Match, ctx: _Context) -> Verdict:
    month, day = _month_number(match["month"]), int(match["day"])
    if not 1 <= day <= 31:
        return None
    if ctx.reference is None:
        return ("DATE", None, True)
    ref = ctx.reference
    options = [d for y in (ref.year - 1, ref.year, ref.year + 1) if (d := _valid_day(y, month, day))]
    if not options:
        return None
    if ctx.ahead(match.start()):
        later = [d for d in options if d >= ref]
        chosen = later[0] if later else options[-1]
    else:
        chosen = min(options, key=lambda d: abs((d - ref).days))
    return ("DATE", chosen.isoformat(), True)


def _month_year(match: re.Match, ctx: _Context) -> Verdict:
    return ("DATE", f"{int(match['year']):04d}-{_month_number(match['month']):02d}", False)


# A bare "May" is the modal verb unless a preposition or qualifier makes it the month.
_MONTH_CUE_BEFORE = re.compile(r"\b(?:in|since|until|till|by|of|from|through|before|after|during|early|late|"
                               r"mid|last|next|this|each|every|between|and|to|on)\W*$", re.IGNORECASE)


def _month(match: re.Match, ctx: _Context) -> Verdict:
    month = _month_number(match["month"])
    which = (match["which"] or "").lower()
    if month == 5 and not which and not match["mod"] and \
            not _MONTH_CUE_BEFORE.search(ctx.text[max(0, match.start() - 12):match.start()]):
        return None
    if ctx.reference is None:
        return ("DATE", None, True)
    year, ref_month = ctx.reference.year, ctx.reference.month
    if which in ("last", "past", "previous"):
        year = year if month < ref_month else year - 1
    elif which in ("next", "coming"):
        year = year if month > ref_month else year + 1
    elif which == "this":
        pass
    elif ctx.ahead(match.start()):
        year = year if month >= ref_month else year + 1
    else:
        year = year if month <= ref_month else year - 1
    return ("DATE", f"{year:04d}-{month:02d}", True)


def _season(match: re.Match, ctx: _Context) -> Verdict:
    code = SEASONS[match["season"].lower()]
    if match["year"]:
        return ("DATE", f"{match['year']}-{code}", False)
    which = (match["which"] or "").lower()
    if not which:
        return None
    if ctx.reference is None:
        return ("DATE", None, True)
    year = ctx.reference.year + {"last": -1, "past": -1, "next": 1}.get(which, 0)
    return ("DATE", f"{year}-{code}", True)


def _year(match: re.Match, ctx: _Context) -> Verdict:
    before = ctx.text[max(0, match.start() - 1):match.start()]
    after = ctx.text[match.end():match.end() + 12]
    # Money, counts and measures are not years: "$2010", "2,010", "2010 troops".
    if before in ("$", ",", ".", "#") or re.match(r"(?:,\d|\.\d|%| ?percent| ?per cent)", after):
        return None
    if re.match(r"\s+(?:people|troops|soldiers|votes|points|miles|km|kilometres|kilometers|meters|"
                r"metres|feet|cases|deaths|infections|units|barrels|tons|tonnes|dollars|euros|pounds|"
                r"yuan)\b", after):
        return None
    return ("DATE", match["year"], False)


def _decade(match: re.Match, ctx: _Context) -> Verdict:
    return ("DATE", match["decade"][:3], False)


def _century(match: re.Match, ctx: _Context) -> Verdict:
    return ("DATE", f"{int(match['century']) - 1:02d}", False)


def _present(match: re.Match, ctx: _Context) -> Verdict:
    word = match.group().lower()
    if word in ("the past", "at the time"):
        return ("DATE", "PAST_REF", False)
    if word == "the future":
        return ("DATE", "FUTURE_REF", False)
    return ("DATE", "PRESENT_REF", False)


def _day_word(match: re.Match, ctx: _Context) -> Verdict:
    word = match["word"].lower()
    part = PARTS_OF_DAY.get((match["part"] or "").lower())
    offsets = {"today": 0, "yesterday": -1, "tomorrow": 1, "tonight": 0}
    if ctx.reference is None:
        return ("TIME" if part or word == "tonight" else "DATE", None, True)
    day = ctx.reference + timedelta(days=offsets[word])
    if word == "tonight":
        return ("TIME", f"{day.isoformat()}TNI", True)
    if part:
        return ("TIME", f"{day.isoformat()}T{part}", True)
    return ("DATE", day.isoformat(), True)


def _this_part_of_day(match: re.Match, ctx: _Context) -> Verdict:
    which, part = match["which"].lower(), PARTS_OF_DAY[match["part"].lower()]
    if ctx.reference is None:
        return ("TIME", None, True)
    day = ctx.reference - timedelta(days=1 if which == "last" else 0)
    return ("TIME", f"{day.isoformat()}T{part}", True)


def _weekday(match: re.Match, ctx: _Context) -> Verdict:
    part = PARTS_OF_DAY.get((match["part"] or "").lower())
    kind = "TIME" if part else "DATE"
    if ctx.reference is None:
        return (kind, None, True)
    which = (match["which"] or "").lower()
    direction = which if which in ("last", "next", "this") else (
        "ahead" if not ctx.weekdays_back and ctx.ahead(match.start()) else "back")
    day = _weekday_date(ctx.reference, WEEKDAYS.index(match["weekday"].lower()), direction)
    return (kind, f"{day.isoformat()}T{part}" if part else day.isoformat(), True)


def _relative_unit(match: re.Match, ctx: _Context) -> Verdict:
    which = match["which"].lower().replace("the ", "").strip()
    unit = match["runit"].lower()
    if ctx.reference is None:
        return ("DATE", None, True)
    step = {"this": 0, "current": 0, "last": -1, "past": -1, "previous": -1, "next": 1, "coming": 1}[which]
    ref = ctx.reference
    if unit in ("week", "weekend"):
        value = _iso_week(ref + timedelta(weeks=step)) + ("-WE" if unit == "weekend" else "")
    elif unit == "month":
        year, month = _shift_months(ref.year, ref.month, step)
        value = f"{year:04d}-{month:02d}"
    elif unit == "quarter":
        year, month = _shift_months(ref.year, ref.month, 3 * step)
        value = f"{year:04d}-Q{(month - 1) // 3 + 1}"
    else:
        value = f"{ref.year + step:04d}"
    return ("DATE", value, True)


def _ago(match: re.Match, ctx: _Context) -> Verdict:
    amount, unit = _number(match["number"]), _unit_name(match["unit"])
    if ctx.reference is None or amount is None or not float(amount).is_integer() or unit in TIME_UNITS:
        return ("DATE", None, True) if unit not in TIME_UNITS else None
    amount, ref = int(amount), ctx.reference
    if unit == "day":
        value = (ref - timedelta(days=amount)).isoformat()
    elif unit == "week":
        value = _iso_week(ref - timedelta(weeks=amount))
    elif unit == "month":
        year, month = _shift_months(ref.year, ref.month, -amount)
        value = f"{year:04d}-{month:02d}"
    elif unit == "year":
        value = f"{ref.year - amount:04d}"
    elif unit == "decade":
        value = f"{ref.year - 10 * amount:04d}"[:3]
    else:
        value = f"{ref.year - 100 * amount:04d}"[:2]
    return ("DATE", value, True)


def _duration(match: re.Match, ctx: _Context) -> Verdict:
    number = match["number"]
    amount = _number(number)
    # "one of", "some day", "a day" alone are too weak; a bare article needs a singular unit.
    if number.lower() == "some":
        return None
    return ("DURATION", _duration_value(amount, _unit_name(match["unit"])), False)


def _duration_one(match: re.Match, ctx: _Context) -> Verdict:
    return ("DURATION", _duration_value(1, _unit_name(match["unit"])), False)


def _vague_duration(match: re.Match, ctx: _Context) -> Verdict:
    return ("DURATION", _duration_value(None, _unit_name(match["unit"])), False)


def _clock(match: re.Match, ctx: _Context) -> Verdict:
    hour = int(match["hour"])
    minute = int(match["minute"] or 0)
    half = (match["half"] or "").lower().replace(".", "")
    if half == "pm" and hour < 12:
        hour += 12
    elif half == "am" and hour == 12:
        hour = 0
    if hour > 24 or minute > 59:
        return None
    day = ctx.reference
    if match["weekday"] and day is not None:
        direction = "ahead" if not ctx.weekdays_back and ctx.ahead(match.start()) else "back"
        day = _weekday_date(day, WEEKDAYS.index(match["weekday"].lower()), direction)
    if day is None:
        return ("TIME", None, True)
    return ("TIME", f"{day.isoformat()}T{hour:02d}:{minute:02d}", True)


def _set(match: re.Match, ctx: _Context) -> Verdict:
    adverbs = {"annually": "year", "yearly": "year", "monthly": "month", "weekly": "week", "daily": "day"}
    unit = adverbs[match["every"].lower()] if match["every"] else match["sunit"].lower()
    if unit in PARTS_OF_DAY:
        return ("SET", f"XXXX-XX-XXT{PARTS_OF_DAY[unit]}", False)
    values = {"year": "XXXX", "month": "XXXX-XX", "week": "XXXX-WXX", "day": "XXXX-XX-XX",
              "season": "XXXX-WI", "quarter": "XXXX-QX"}
    return ("SET", values[unit], False)


_F = re.IGNORECASE
_MONTH_WORD = re.compile(r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)")
_UNIT_WORD = re.compile(r"(?:second|minute|hour|day|week|month|year|decade|centur)", _F)
# (trigger, rules): each rule runs on the sentences where its trigger occurs.
_RULES: tuple[tuple[re.Pattern, tuple[tuple[re.Pattern, Rule], ...]], ...] = (
    (_MONTH_WORD, (
        (re.compile(rf"\b(?:{WEEKDAY},?\s+)?{MONTH}\s+{DAY},?\s+{YEAR}\b"), _full_date),
        (re.compile(rf"\b(?:{WEEKDAY},?\s+)?{DAY}\s+(?:of\s+)?{MONTH},?\s+{YEAR}\b"), _full_date),
        (re.compile(rf"\b(?:{WEEKDAY},?\s+)?{MONTH}\s+{DAY}\b(?![,.]?\d)(?!\s*(?:percent|%))"), _month_day),
        (re.compile(rf"\b(?:{WEEKDAY},?\s+)?{DAY}\s+(?:of\s+)?{MONTH}"), _month_day),
        (re.compile(rf"\b{MOD}{MONTH},?\s+(?:of\s+)?{YEAR}\b"), _month_year),
        (re.compile(rf"\b{MOD}(?:(?P<which>[Ll]ast|[Nn]ext|[Tt]his|[Pp]ast|[Cc]oming|[Pp]revious)\s+)?{MONTH}"),
         _month),
    )),
    (re.compile(r"\d{4}-\d\d-\d\d"), (
        (re.compile(r"\b(?P<year>\d{4})-(?P<m>\d\d)-(?P<day>\d\d)\b"), _iso_date),
    )),
    (re.compile(r"spring|summer|autumn|fall|winter", _F), (
        (re.compile(r"\b(?:(?P<which>last|next|this|past)\s+)?(?P<season>spring|summer|autumn|fall|winter)"
                    r"(?:\s+(?:of\s+)?(?P<year>1[5-9]\d\d|20\d\d))?\b", _F), _season),
    )),
    (re.compile(r"\d\d"), (
        (re.compile(rf"\b{MOD}(?:fiscal\s+)?{YEAR}\b"), _year),
        (re.compile(r"\b(?:the\s+)?(?:(?:early|late|mid)[\s-]+)?(?P<decade>1[5-9]\d0|20\d0)s\b", _F),
         _decade),
        (re.compile(r"\b(?:the\s+)?(?P<century>[12]?\d)(?:st|nd|rd|th)\s+century\b", _F), _century),
    )),
    (re.compile(r"now|currently|past|future|the time", _F), (
        (re.compile(r"\b(?:now|currently|nowadays|the past|the future|at the time)\b", _F), _present),
    )),
    (re.compile(r"today|yesterday|tomorrow|tonight|morning|afternoon|evening|night", _F), (
        (re.compile(rf"\b(?:{MOD})?(?P<word>today|yesterday|tomorrow|tonight)(?:\s+(?P<part>morning|"
                    r"afternoon|evening|night))?\b", _F), _day_word),
        (re.compile(r"\b(?P<which>this|last)\s+(?P<part>morning|afternoon|evening|night)\b", _F),
         _this_part_of_day),
    )),
    (re.compile(r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"), (
        (re.compile(rf"\b{MOD}(?:(?P<which>[Ll]ast|[Nn]ext|[Tt]his)\s+)?{WEEKDAY}"
                    r"(?:\s+(?P<part>morning|afternoon|evening|night))?\b"), _weekday),
    )),
    (_UNIT_WORD, (
        (re.compile(r"\b(?:(?:early|late|earlier|later)\s+(?:in\s+)?)?(?P<which>this|current|last|next|past|"
                    r"previous|coming|the\s+past|the\s+last|the\s+next|the\s+coming|the\s+previous)\s+"
                    r"(?:fiscal\s+)?(?P<runit>week|weekend|month|year|quarter)\b", _F), _relative_unit),
        (re.compile(rf"\b{NUMBER}\s+{UNIT}\s+ago\b", _F), _ago),
        (re.compile(rf"\b(?:(?:the\s+)?(?:past|last|next|coming|first|following|previous|final)\s+)?"
                    r"(?:(?:almost|nearly|about|around|roughly|more than|less than|at least|a mere|just|"
                    rf"only|up to)\s+)?{NUMBER}[\s-]+{UNIT}(?:'|’)?(?!\s+ago)\b", _F), _duration),
        (re.compile(r"\b(?:the\s+)?(?:next|following|past|last|previous|coming)\s+(?P<unit>decade|century)\b",
                    _F), _duration_one),
        (re.compile(r"\b(?:(?:the\s+)?(?:past|last|next|coming|recent)\s+(?:(?:several|few)\s+)?|"
                    r"(?<=\bfor\s))(?P<unit>second|minute|hour|day|week|month|year|decade|centurie)s\b", _F),
         _vague_duration),
    )),
    (re.compile(r"[ap]\.?m\b|GMT|UTC|EDT|EST|\bET\b|local time", _F), (
        (re.compile(rf"\b(?P<hour>[01]?\d|2[0-3])(?::(?P<minute>[0-5]\d))?\s*(?P<half>[ap]\.m\.|[ap]m\b|"
                    rf"[AP]M\b)(?:\s+(?:EDT|EST|ET|GMT|UTC|local time))?(?:\s+(?:on\s+)?{WEEKDAY})?"),
         _clock),
        (re.compile(rf"\b(?P<hour>[01]?\d|2[0-3]):(?P<minute>[0-5]\d)(?P<half>)\s*"
                    rf"(?:GMT|UTC|EDT|EST|ET|local time)(?:\s+(?:on\s+)?{WEEKDAY})?"), _clock),
        (re.compile(rf"\b(?P<hour>[01]\d|2[0-3])(?P<minute>[0-5]\d)(?P<half>)\s+(?:GMT|UTC)"
                    rf"(?:\s+(?:on\s+)?{WEEKDAY})?"), _clock),
    )),
    (re.compile(r"annual|yearly|monthly|weekly|daily|every|each", _F), (
        (re.compile(r"\b(?:(?P<every>annually|yearly|monthly|weekly|daily)|(?:every|each)\s+(?P<sunit>day|week|"
                    r"month|year|season|quarter|morning|afternoon|evening|night))\b", _F), _set),
    )),
)
