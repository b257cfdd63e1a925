"""Figures of a measure in running text ("more than 5,000 troops", "$1.2 billion", "a third of").

A figure is a count or amount the text states about the world: digits (with thousands commas and
decimals), number words ("two", "twenty-five", "a dozen"), vague quantities ("dozens of",
"hundreds of"), fractions ("a third of", "half of"), percents, money and ranges ("5,000 to
6,000", "between 5,000 and 6,000"). Each keeps the interval its wording allows, so two outlets'
figures can be compared without averaging them:

- exact "5,200" -> [5200, 5200];
- "more than / over / at least / upwards of 5,000" -> [5000, inf);
- "fewer than / less than / under / up to / at most / as many as 5,000" -> [0, 5000];
- "some / about / around / roughly / approximately / an estimated / close to 5,200" -> 10% band;
- "nearly / almost / just under 5,200" -> [90%, 100%]; "just over 5,200" -> [100%, 110%];
- "dozens of" -> [24, 143], "hundreds of" -> [200, 999], "thousands of" -> [2000, 9999], ...

Bounds are closed: "more than 5,000" and an exact "5,000" read as compatible, because outlets round
and an open bound would call that rounding a contradiction.

Numbers that name rather than measure are not figures: years ("in 2014", "2014 to 2017", "1990s"),
dates ("January 8", "8 June"), clock times ("10:30", "3 p.m.", "1400 GMT"), ordinals ("1st",
"third" outside "a third of"), ages ("45-year-old", "Smith, 45,", "aged 45"), list numbers at a
line start ("1. ", "(2)"), identifiers ("COVID-19", "F-35", "Resolution 2107", "No. 2"), scores
("3-1") and the pronoun "one" ("one of", "no one").
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

from ..text import fold_quotes, stopwords


@dataclass(frozen=True, slots=True)
class Figure:
    """One figure as written, with the interval its wording allows and what it counts.

    `start`/`end` are offsets into the text passed to `figures`; `text` is that slice. `value` is
    the number as stated (the midpoint for a range, the lower bound for a vague quantity).
    `unit` is the counted noun as written, lowercased ("troops"), or "percent", "dollars",
    "euros", "pounds" for those measures; None when the text does not say.
    """

    text: str
    start: int
    end: int
    value: float
    low: float
    high: float
    qualifier: str | None
    unit: str | None


_UNITS_WORDS = (
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
)
_TENS_WORDS = (
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
)
_WORD_VALUE = {w: float(i + 1) for i, w in enumerate(_UNITS_WORDS)}
_WORD_VALUE.update({w: float(20 + 10 * i) for i, w in enumerate(_TENS_WORDS)})
_WORD_VALUE.update({"a": 1.0, "an": 1.0})
_MULTIPLIER = {"dozen": 12.0, "hundred": 100.0, "thousand": 1e3, "million": 1e6, "billion": 1e9,
               "trillion": 1e12, "bn": 1e9, "mn": 1e6, "m": 1e6}

# "dozens of" and the like: the smallest and largest count the plural allows.
_VAGUE = {"dozens": (24.0, 143.0), "scores": (40.0, 99.0), "hundreds": (200.0, 999.0),
          "thousands": (2e3, 9999.0), "tens of thousands": (2e4, 99999.0),
          "hundreds of thousands": (2e5, 999999.0), "millions": (2e6, 9.999e6),
          "tens of millions": (2e7, 9.999e7), "hundreds of millions": (2e8, 9.999e8),
          "billions": (2e9, 9.999e9)}
_FRACTION = {"half": 1 / 2, "third": 1 / 3, "quarter": 1 / 4, "fifth": 1 / 5, "tenth": 1 / 10}

# Qualifier -> (low factor, high factor) applied to the stated number; inf for open ends.
_BANDS: dict[str, tuple[float, float]] = {
    "more than": (1.0, math.inf), "over": (1.0, math.inf), "at least": (1.0, math.inf),
    "upwards of": (1.0, math.inf), "in excess of": (1.0, math.inf),
    "fewer than": (0.0, 1.0), "less than": (0.0, 1.0), "under": (0.0, 1.0), "below": (0.0, 1.0),
    "up to": (0.0, 1.0), "at most": (0.0, 1.0), "as many as": (0.0, 1.0), "no more than": (0.0, 1.0),
    "some": (0.9, 1.1), "about": (0.9, 1.1), "around": (0.9, 1.1), "roughly": (0.9, 1.1),
    "approximately": (0.9, 1.1), "an estimated": (0.9, 1.1), "estimated": (0.9, 1.1),
    "close to": (0.9, 1.1), "nearly": (0.9, 1.0), "almost": (0.9, 1.0), "just under": (0.9, 1.0),
    "just over": (1.0, 1.1), "just above": (1.0, 1.1),
}
# Fractions in prose are loose ("a third" of 5,000 may be 1,600): a 5% band.
_FRACTION_BAND = (0.95, 1.05)

_CURRENCY = {"$": "dollars", "us$": "dollars", "€": "euros", "£": "pounds", "¥": "yen"}
_MONTHS = frozenset((
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec",
))
# Words before a bare number that make it a label, not a count ("Resolution 2107", "Brigade 30").
_LABEL_WORDS = frozenset((
    "no", "number", "resolution", "article", "chapter", "section", "clause", "flight", "route",
    "highway", "room", "phase", "round", "item", "page", "vol", "volume", "act", "title", "level",
    "grade", "class", "category", "part", "paragraph", "code", "camp", "gate", "brigade", "division",
    "battalion", "regiment", "unit", "terminal", "building", "tower", "district", "zone", "sector",
    "station", "channel", "platform", "line", "bus", "episode", "season", "game", "week", "day",
))
# Words between a number and its noun that describe rather than name what is counted.
_MODIFIERS = frozenset((
    "more", "additional", "other", "new", "foreign", "extra", "remaining", "further", "military",
    "armed", "civilian", "such", "different", "separate", "major", "senior", "small", "large",
    "young", "old", "local", "international",
))
# Nouns whose count needs no plural -s: the noun search stops at them.
_MASS_NOUNS = frozenset((
    "personnel", "people", "police", "staff", "children", "men", "women", "troops",
))
# Words that make a different unit of the noun after them.
_UNIT_QUALIFIERS = frozenset(("nautical", "square", "cubic", "metric", "light"))
_DETERMINERS = frozenset((
    "the", "its", "their", "his", "her", "our", "all", "those", "these", "them",
))

_QUALIFIER_RE = "|".join(sorted((re.escape(q) for q in _BANDS), key=len, reverse=True))
_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_WORDNUM = (r"(?:(?:" + "|".join(_TENS_WORDS) + r")(?:-(?:" + "|".join(_UNITS_WORDS[:9]) + r"))?|"
            + "|".join(sorted(_UNITS_WORDS, key=len, reverse=True)) + r")")
_BIG = r"(?:dozen|hundred|thousand|million|billion|trillion)"
_NUMBER = (rf"(?:{_DIGITS})(?:\s?(?:{_BIG}|bn|mn)\b)?"
           rf"|{_WORDNUM}\b(?:\s+{_BIG}\b)?"
           rf"|an?\s+{_BIG}\b")
_VAGUE_RE = "|".join(sorted((re.escape(v) for v in _VAGUE), key=len, reverse=True))
_FRACTION_RE = (r"(?:(?:a|one|two|three|four|nine)[\s-]+(?:half|thirds?|quarters?|fifths?|tenths?)|half)"
                r"(?=\s+(?:of\b|the\b))")

# Units written onto the digits: "500km", "60GB".
_GLUED_UNITS = "km|kg|gb|mb|tb|kw|mw|gw|mph|kph|cm|mm|ml|bpd"
_AGO_AFTER = re.compile(r"\s+(?:days?|weeks?|months?|years?|decades?)\s+(?:ago|earlier|later)\b",
                        re.IGNORECASE)
_FIGURE = re.compile(
    rf"(?<![\w.,:/*#$€£¥'’-])"
    rf"(?:(?P<qual>{_QUALIFIER_RE})\s+)?"
    rf"(?:(?P<vague>{_VAGUE_RE})\s+of\b"
    rf"|(?P<frac>{_FRACTION_RE})"
    rf"|(?P<between>between\s+)?(?:(?P<cur>US\$|\$|€|£|¥)\s?)?(?P<num>{_NUMBER})"
    rf"(?:(?P<cur_m>(?<=\d)m\b)|(?P<glued>(?<=\d)(?:{_GLUED_UNITS})\b))?"
    rf"(?:(?P<sep>\s*-\s*|\s+to\s+|\s+and\s+)(?P<cur2>US\$|\$|€|£|¥)?(?P<num2>{_NUMBER}))?"
    rf"(?P<pct>\s?%|\s+per\s?cent\b|\s+percent\b|\s+percentage\s+points?\b)?)",
    re.IGNORECASE,
)
_NEXT_WORD = re.compile(r"\s*([A-Za-z][\w'-]*)")
_TIME_AFTER = re.compile(r":\d\d|\s?(?:a\.m\.|p\.m\.|am\b|pm\b|gmt\b|utc\b|o'clock\b|hrs\b|local time\b)",
                         re.IGNORECASE)
_AGE_AFTER = re.compile(r"-?\s?years?-old\b|\s+years?\s+old\b", re.IGNORECASE)
_LIST_MARK = re.compile(r"(?:^|\n)[ \t]*\(?$")


def figures(text: str) -> list[Figure]:
    """The figures of a measure in text, in order, with offsets into text."""
    folded = fold_quotes(text)
    found: list[Figure] = []
    position = 0
    while (match := _FIGURE.search(folded, position)) is not None:
        figure, position = _read(folded, match)
        if figure is not None:
            found.append(Figure(text[figure.start:figure.end], figure.start, figure.end, figure.value,
                                figure.low, figure.high, figure.qualifier, figure.unit))
    return found


def compare(a: Figure, b: Figure) -> Literal["same", "compatible", "contradiction"]:
    """How two figures relate, whether or not they measure the same thing (the caller decides).

    Same value and qualifier -> "same"; intervals that overlap -> "compatible" (one or both are
    imprecise, or a range holds the other); disjoint intervals -> "contradiction".
    """
    if math.isclose(a.value, b.value) and a.qualifier == b.qualifier and (a.low, a.high) == (b.low, b.high):
        return "same"
    if a.low <= b.high and b.low <= a.high:
        return "compatible"
    return "contradiction"


def _read(text: str, match: re.Match[str]) -> tuple[Figure | None, int]:
    """The figure a match states, if any, and where to search next."""
    qualifier = match.group("qual").lower() if match.group("qual") else None
    if match.group("vague"):
        low, high = _qualify(*_VAGUE[" ".join(match.group("vague").lower().split())], qualifier)
        unit = _noun_after(text, match.end(), after_of=True)
        return Figure("", match.start(), match.end(), low, low, high, qualifier, unit), match.end()
    if match.group("frac"):
        return _fraction(text, match, qualifier), match.end()
    return _number(text, match, qualifier)


def _fraction(text: str, match: re.Match[str], qualifier: str | None) -> Figure | None:
    words = re.split(r"[\s-]+", match.group("frac").lower())
    if len(words) == 1:
        numerator, denominator = 1.0, words[0]
        before = text[max(0, match.start() - 12):match.start()].lower().split()
        # "the second half of 2020", "the first half": a period, not a share.
        if before and before[-1] in ("first", "second", "the", "latter", "other"):
            return None
    else:
        numerator, denominator = _WORD_VALUE[words[0]], words[1]
    share = 100.0 * numerator * _FRACTION[denominator.rstrip("s")]
    low, high = _qualify(share * _FRACTION_BAND[0], share * _FRACTION_BAND[1], qualifier)
    return Figure("", match.start(), match.end(), share, low, high, qualifier, "percent")


def _number(text: str, match: re.Match[str], qualifier: str | None) -> tuple[Figure | None, int]:
    num_text = match.group("num")
    num_end = max(match.end("num"), match.end("cur_m"), match.end("glued"))
    value = _parse_number(num_text)
    currency = match.group("cur") or match.group("cur2")
    pct = match.group("pct")
    if value is None:
        return None, num_end
    if match.group("cur_m"):
        if not currency:
            return None, num_end  # "10m" without a currency is metres, not millions
        value *= 1e6
    if _names_rather_than_measures(text, match, value, num_text, bool(currency or pct or qualifier)):
        return None, num_end

    end = match.end()
    low = high = value
    ranged = False
    if match.group("num2"):
        second = _parse_number(match.group("num2"))
        sep = match.group("sep").strip().lower()
        from_before = text[max(0, match.start() - 6):match.start()].lower().rstrip().endswith("from")
        ranged = (second is not None and second > value and not from_before
                  and (sep != "and" or bool(match.group("between"))))
        if sep == "-" and not ranged:
            return None, match.end()  # "3-1", "170-0": a score or a tally
        if (sep == "-" and re.fullmatch(r"\d{3,}", num_text) and re.fullmatch(r"\d{3,}", match.group("num2"))
                and not _counts_plural(_unit_after(text, match.end()))):
            return None, match.end()  # "737-800": a model code ("200-250 seats" counts seats)
        if _is_year(num_text) and _is_year(match.group("num2")) and not (currency or pct):
            return None, match.end()  # "2014 to 2017"
        if ranged and second is not None:
            if _has_scale(match.group("num2")) and not _has_scale(num_text):
                # "5 to 6 million": the scale word covers both ends.
                value *= second / (_parse_number(match.group("num2").split()[0]) or second)
            low, high, value = value, second, (value + second) / 2
        else:
            # Two numbers, not one range: end at the first and read the second on its own.
            end, pct = num_end, None
    if match.group("between") and not ranged:
        return None, num_end
    if not ranged:
        low, high = _qualify(value, value, qualifier)

    if pct:
        unit: str | None = "percentage points" if "point" in pct.lower() else "percent"
    elif currency:
        unit = _CURRENCY[currency.lower()]
    elif match.group("glued"):
        unit = match.group("glued").lower()
    else:
        unit = _unit_after(text, end)
        if unit is None and _is_year(num_text):
            return None, end  # "around 2020", "at least 2014": a year, however qualified
        if (not qualifier and re.fullmatch(r"\d{3,}", num_text) and _word_before(text, match.start()) == "the"
                and not _counts_plural(unit)):
            return None, end  # "the 787", "the 787 project": a model named by its number
    return Figure("", match.start(), end, value, low, high, qualifier, unit), end


def _counts_plural(unit: str | None) -> bool:
    return bool(unit) and (unit.endswith("s") or unit in _MASS_NOUNS)


def _word_before(text: str, position: int) -> str:
    found = re.search(r"([A-Za-z]+)\W*$", text[max(0, position - 20):position])
    return found.group(1).lower() if found else ""


def _names_rather_than_measures(text: str, match: re.Match[str], value: float, num_text: str,
                                marked: bool) -> bool:
    num_start, num_end = match.span("num")
    after = text[num_end:num_end + 16]
    before_text = text[max(0, num_start - 40):num_start]
    before_words = re.findall(r"[A-Za-z][A-Za-z.']*", before_text)
    # The word right before the number, across a label's "No." or "Number:" punctuation.
    tail = before_text.rstrip().rstrip(".:#")
    prev = before_words[-1].lower().rstrip(".") if before_words and tail[-1:].isalpha() else ""
    lowered = num_text.lower()

    if re.match(r"\s?[*/×:]\s?\d", after):
        return True  # "1024*768", "21/10/2020", "12:18": dimensions, dates, times
    if re.fullmatch(r"0\d+|\d{5,}", num_text) and not marked:
        return True  # "0108263", "130349": registration and phone numbers, not counts

    if (re.match(r"[A-Za-z]", after) and not re.match(r"(?:bn|mn|m)\b", after, re.IGNORECASE)
            and not match.group("glued") and not num_text[-1].isalpha()):
        return True  # "1st", "1990s", "9am", "19th"
    if _TIME_AFTER.match(after) or _AGE_AFTER.match(after) or _AGO_AFTER.match(text, num_end):
        return True
    if prev in ("aged", "age", "ages"):
        return True
    if re.search(r"[A-Za-z]-$", before_text):
        return True  # "COVID-19", "F-35"
    if not marked and _is_year(num_text):
        return True
    next_to_month = prev in _MONTHS or re.match(r"\s+(?:" + "|".join(_MONTHS) + r")\b", after, re.IGNORECASE)
    if next_to_month and (not marked and value <= 31 or _is_year(num_text)):
        return True  # "January 8", "8 June", "June 2020"
    if not marked and re.fullmatch(r"\d+", num_text):
        if _LIST_MARK.search(text[max(0, match.start() - 8):match.start()]) and re.match(r"[.)]\s", after):
            return True
        if prev in _LABEL_WORDS:
            return True
        if _after_a_name(text, num_start):
            return True
        # "Mr. Smith, 45, said": an age between commas after a name.
        if re.search(r"[A-Z][a-z]+,\s*$", before_text) and after.startswith(","):
            return True
    if lowered == "one":
        following = text[num_end:num_end + 12].lower()
        if prev in ("no", "the", "any", "every", "each", "this", "that", "which", "someone", "anyone") or \
                re.match(r"\s*(?:of\b|another\b|'s\b|side\b|way\b|or\b|day\b|time\b|point\b|thing\b"
                         r"|that\b|who\b|which\b|,|\.)", following):
            return True  # the pronoun: "one of them", "no one", "one that is"
    return False


def _after_a_name(text: str, position: int) -> bool:
    """A bare number right after a capitalised word inside a sentence: "Boeing 787", "iPhone 4"."""
    found = re.search(r"(\S*)(\s*)\b((?:[A-Z]|[a-z][A-Z])[\w-]*)\s+$", text[max(0, position - 60):position])
    if not found or found.group(3).lower() in _MONTHS:
        return False
    before, gap = found.group(1), found.group(2)
    # The capitalised word opening a sentence ("Another 422 cases") is no name.
    return bool(before) and "\n" not in gap and before[-1] not in ".!?\"“”'‘’():;"


def _is_year(num_text: str) -> bool:
    return bool(re.fullmatch(r"\d{4}", num_text)) and 1800 <= int(num_text) <= 2100


def _has_scale(num_text: str) -> bool:
    return bool(re.search(_BIG + r"|\bbn\b|\bmn\b", num_text, re.IGNORECASE))


def _parse_number(num_text: str) -> float | None:
    tokens = re.split(r"\s+", num_text.strip().lower())
    head, scale = tokens[0], 1.0
    for token in tokens[1:]:
        scale *= _MULTIPLIER.get(token, 1.0)
    glued = re.fullmatch(r"([\d.,]+)(bn|mn)", head)
    if glued:
        head, scale = glued.group(1), scale * _MULTIPLIER[glued.group(2)]
    if head[0].isdigit():
        try:
            return float(head.replace(",", "")) * scale
        except ValueError:
            return None
    if "-" in head:
        tens, ones = head.split("-", 1)
        return (_WORD_VALUE[tens] + _WORD_VALUE[ones]) * scale
    if head in _WORD_VALUE:
        return _WORD_VALUE[head] * scale
    return None


def _qualify(low: float, high: float, qualifier: str | None) -> tuple[float, float]:
    if qualifier is None:
        return low, high
    low_factor, high_factor = _BANDS[qualifier]
    return low * low_factor, (math.inf if math.isinf(high_factor) else high * high_factor)


def _unit_after(text: str, end: int) -> str | None:
    hyphen = re.match(r"-([a-z]+)\b", text[end:end + 20])
    if hyphen:
        return hyphen.group(1)  # "a five-year plan", "two-day visit"
    return _noun_after(text, end, after_of=False)


def _noun_after(text: str, end: int, after_of: bool) -> str | None:
    """The counted noun after a number: skip capitalised and descriptive words, stop at the head.

    The head of an English noun phrase comes last; within the few words after a number the first
    plural (or mass noun) is taken as it, so "two rocket attacks" counts attacks.
    """
    stop = stopwords()
    position = end
    candidate: str | None = None
    proper_plural: str | None = None
    for _ in range(6):
        match = _NEXT_WORD.match(text, position)
        if not match or "\n" in text[position:match.start(1)]:
            break
        word = match.group(1)
        position = match.end()
        lower = word.lower()
        if after_of and lower == "of":
            continue
        if lower in _DETERMINERS and (after_of or candidate is None and lower != "them"):
            continue
        if word[:1].isupper():
            if candidate is None:
                # "5,000 US troops": US describes, troops are counted; "1,000 Iraqis": counted.
                proper_plural = lower if lower.endswith("s") and lower[:-1].isalpha() else None
                continue
            break
        if lower in stop and lower not in _MODIFIERS:
            break
        if lower in _MODIFIERS and candidate is None:
            continue
        if candidate is not None and not lower.endswith("s") and lower not in _MASS_NOUNS:
            break
        if candidate in _UNIT_QUALIFIERS:
            candidate = f"{candidate} {lower}"  # "19 nautical miles" measures no statute miles
            break
        candidate = lower
        if lower.endswith("s") and not lower.endswith("ss") or lower in _MASS_NOUNS:
            break
        # text continues: the next word may be the true head ("rocket attacks")
        if text[position:position + 1] in ",.;:)":
            break
    return candidate or proper_plural
