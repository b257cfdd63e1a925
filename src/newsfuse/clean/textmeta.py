"""Metadata read from the lines of a scraped text page: title, outlet, dates, dateline, credits."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import NamedTuple
from urllib.parse import urlsplit

from newsfuse.model import Evidenced, Metadata, Page

# Line roles the cleaner assigns; metadata rules read only the roles that can carry page facts.
HEAD = "head"  # above the body: masthead, title, byline, date
TITLE = "title"
BODY = "body"
CAPTION = "caption"  # photo caption near the body: photo credits only
CREDIT = "credit"  # byline / wire sign-off line inside or just after the body
EMBED = "embed"  # embedded post (tweet) chrome: never page facts
TAIL = "tail"  # after the body, before any sidebar: sign-offs, copyright
SIDEBAR = "sidebar"  # related / most read / teasers: never page facts
BOILER = "boiler"  # menus, share buttons, template junk

# Longest line examined by the regex rules here: metadata lines are short, and a bound keeps a
# 100 MB single-line page linear.
MAX_META_LINE = 400
# How far above the body a headline is looked for (lines); tuned on the five seed pages, where
# the headline stands 1-7 lines above the first body line.
TITLE_LOOKBACK = 12
TITLE_MIN_WORDS = 3
TITLE_MAX_WORDS = 30
# A quote attribution ("told AFP") alone is weak: a non-wire story may cite one wire interview.
# Two or more distinct lines crediting the same agency, with no other agency so credited, mean
# the agency's own reporters did the interviews, i.e. the copy is that agency's.
TOLD_AGENCY_MIN_LINES = 2


class TextLine(NamedTuple):
    """One stripped line of the page with the role the cleaner gave it."""

    text: str
    role: str


# Wire agencies: canonical name -> pattern of the ways pages spell it.
AGENCIES: dict[str, str] = {
    "AP": r"AP|The Associated Press|Associated Press",
    "AFP": r"AFP|Agence France[- ]Presse",
    "Reuters": r"Reuters|Thomson Reuters",
    "Xinhua": r"Xinhua|Xinhua News Agency",
    "dpa": r"dpa|DPA|Deutsche Presse-Agentur",
    "ANSA": r"ANSA",
    "EFE": r"EFE",
    "PA": r"PA Media|Press Association",
    "UPI": r"UPI|United Press International",
    "Kyodo": r"Kyodo|Kyodo News",
    "Yonhap": r"Yonhap",
    "TASS": r"TASS|ITAR-TASS",
    "ANI": r"ANI",
    "PTI": r"PTI|Press Trust of India",
    "IANS": r"IANS",
    "CP": r"The Canadian Press|Canadian Press",
    "AAP": r"AAP|Australian Associated Press",
    "Bloomberg": r"Bloomberg",
    "Anadolu": r"Anadolu Agency|Anadolu",
}
_AGENCY_ALT = "|".join(f"(?P<a{i}>{p})" for i, p in enumerate(AGENCIES.values()))
_AGENCY_NAMES = list(AGENCIES)


def _agency_in(m: re.Match[str]) -> str:
    for i, name in enumerate(_AGENCY_NAMES):
        if m.group(f"a{i}"):
            return name
    return ""


_AGENCY_ONLY = re.compile(rf"^(?:{_AGENCY_ALT})$")
# "Agencies - Xinhua", "Source: AFP", "— AFP", "With AFP", "(Reuters)", "Agencies/Xinhua"
_AGENCY_CREDIT = re.compile(
    rf"^[\(\[]?(?:(?:agencies|agency|source|sources|with|via|by|from|credit)\s*[:/,\-–—|]*\s*|"
    rf"[-–—]+\s*)?(?:{_AGENCY_ALT})(?:\s*(?:,|/|and|&)\s*(?:agencies|\w+))?[\)\]]?\.?$",
    re.IGNORECASE,
)
# "Samya Kullab, The Associated Press" / "By Jill Disis, CNN Business"
_NAME = r"[A-Z][\w'’.-]*(?:\s+(?:[A-Z][\w'’.-]*|de|da|van|von|al|el|bin|der|la|le)){0,4}"
_NAME_AGENCY = re.compile(rf"^(?:By\s+)?(?P<name>{_NAME}(?:\s+and\s+{_NAME})?)\s*[,|–—-]\s*(?:{_AGENCY_ALT})\.?$")
_BY = re.compile(rf"^(?:By|BY|Par|Por|Von|Di|Oleh)\s*:?\s+(?P<name>{_NAME}(?:\s*(?:,|and|&)\s*{_NAME})*)")
_CONTRIB = re.compile(rf"\b(?:{_AGENCY_ALT})\s+(?:writers?|reporters?|correspondents?)\b.*\bcontributed\b")
_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z'’.]+(?:[ /-][A-Z][A-Z'’.]+)*(?:,\s*[A-Z][\w'’.]*(?:\s+[A-Z][\w'’.]*){0,3})?)"
    rf"\s*(?:\((?:{_AGENCY_ALT})\))?\s*(?:[—–]|--?)\s*(?=[A-Z“\"'‘])"
)
# Photo credits: "(Susannah George/AP)", "(AP Photo/Sue Ogrocki)", "THE CANADIAN PRESS/Graham Hughes",
# "Photo by LANA MICHELIN/Advocate staff", "Photo: Reuters", "Image courtesy CDC".
_PAREN_CREDIT = re.compile(
    r"\((?P<c>[^()]{0,25}/[^()]{1,40}|(?:[^()]{0,40}\b)?(?:Photo|Photograph|Image|Picture|Credit|"
    r"Getty|courtesy|File)\b[^()]{0,40})\)\.?\s*$",
    re.IGNORECASE,
)
_CAPS_SLASH_CREDIT = re.compile(r"(?P<c>\b[A-Z]{2,}(?: [A-Z]{2,})*/(?:[A-Z][\w.-]*|HO)[^.]{0,50})\s*$")
_WORD_CREDIT = re.compile(
    r"(?:^|[\s(.])(?P<c>(?:Photo|Photograph|Picture|Image|Foto|Credit)s?\s*(?:by|:|credit:|courtesy(?: of)?)"
    r"\s*[^.()]{2,60}?)\)?\.?\s*$",
    re.IGNORECASE,
)
_CAPTION_START = re.compile(r"^(?:FILE\s*[-–—]|In this (?:[^,]{0,40} )?(?:photo|image|file))", re.IGNORECASE)
# Caption phrasing: "Mark Esper, left, and ...", "(L-R)", AP-style "Wednesday, Nov. 20, 2019".
_CAPTION_CUE = re.compile(
    r", (?:left|right|center|centre|second (?:left|right)|far (?:left|right)|front|rear)"
    r"(?: to right)?,|\((?:L|R|C|L-R|left|right|center|centre)\)|\bfrom left\b|"
    r"\b(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, (?:Jan|Feb|March|April|May|June|July|Aug|Sept|"
    r"Oct|Nov|Dec)[a-z]*\.? \d{1,2}, \d{4}\b"
)
_EMBED_SIGNATURE = re.compile(
    r"^[—–-]+\s*.{1,80}\(@\w{1,30}\)\s*(?:\w{3,9}\.? \d{1,2}, \d{4}|\d{1,2} \w{3,9} \d{4})?\s*$"
)
_EMBED_MARK = re.compile(
    r"pic\.twitter\.com/|https?://t\.co/|A post shared by|View this post on Instagram|"
    r"^\.?@\w+:? ", re.IGNORECASE
)

MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            "jan january janv janvier enero januar gennaio janeiro",
            "feb february fev fevr fevrier febrero februar febbraio fevereiro",
            "mar march mars marzo marz maerz marco",
            "apr april avr avril abril aprile",
            "may mai mayo maggio maio",
            "jun june juin junio juni giugno junho",
            "jul july juil juillet julio juli luglio julho",
            "aug august aout agosto",
            "sep sept september septembre septiembre settembre setembro",
            "oct october octobre octubre oktober ottobre outubro",
            "nov november novembre noviembre novembro",
            "dec december decembre diciembre dezember dicembre dezembro",
        ]
    )
    for m in names.split()
}
_MON = r"(?P<mon>[A-Za-z]{3,9})\.?"
_DATE_PATTERNS = (
    re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)"),
    re.compile(rf"\b{_MON}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d\d)\b"),
    re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th|\.)?\s+(?:de\s+)?{_MON}\s+(?:de\s+)?(?P<y>(?:19|20)\d\d)\b"),
    re.compile(r"(?<![\d/])(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<y>(?:19|20)\d\d)(?!\d)"),
)
_UPDATED = re.compile(r"\b(?:updated|modified|last updated|edited|mis à jour|actualizado|aggiornato)\b", re.I)
_PUBLISHED_CUE = re.compile(r"\b(?:published|posted|issued on|created|first published|on)\b", re.I)


def clip(text: str) -> str:
    """The part of a line the regex rules look at (bounded for linear time on huge lines)."""
    return text if len(text) <= MAX_META_LINE else text[:MAX_META_LINE]


def photo_credit(line: str) -> str | None:
    """The photo credit a caption line ends with ("Susannah George/AP"), or None."""
    tail = line[-MAX_META_LINE:]
    for pattern in (_PAREN_CREDIT, _CAPS_SLASH_CREDIT, _WORD_CREDIT):
        m = pattern.search(tail)
        if m:
            return m.group("c").strip(" .")
    return None


def is_caption(line: str) -> bool:
    """Whether a line reads as a photo caption (credited, or an AP-style "FILE -" caption)."""
    text = clip(line)
    return (
        photo_credit(line) is not None
        or bool(_CAPTION_START.match(text))
        or bool(_CAPTION_CUE.search(text))
    )


def is_embed(line: str) -> bool:
    """Whether a line is embedded-post chrome (tweet signature, pic.twitter.com link, ...)."""
    text = clip(line)
    return bool(_EMBED_SIGNATURE.match(text) or _EMBED_MARK.search(text))


def is_embed_signature(line: str) -> bool:
    """Whether a line is the "— Name (@handle) June 11, 2020" line closing an embedded tweet."""
    return bool(_EMBED_SIGNATURE.match(clip(line)))


def credit_of(line: str) -> tuple[str | None, str | None] | None:
    """(byline, agency) when the line is a credit/sign-off line, else None."""
    text = clip(line).strip()
    if len(text) > 120:
        return None
    if photo_credit(text) and "/" in text:
        return None  # "(Name/AP)" credits a photo, not the copy
    m = _NAME_AGENCY.match(text)
    if m:
        return m.group("name"), _agency_in(m)
    m = _AGENCY_ONLY.match(text) or _AGENCY_CREDIT.match(text)
    if m:
        return None, _agency_in(m)
    m = _CONTRIB.search(text)
    if m:
        return None, _agency_in(m)
    m = _BY.match(text)
    if m and len(text.split()) <= 12:
        return m.group("name").strip(" ,"), None
    return None


def dateline_of(line: str) -> tuple[str, str | None] | None:
    """(place, agency or None) when the line opens with a dateline ("BAGHDAD (AP) —"), else None."""
    m = _DATELINE.match(clip(line))
    if not m:
        return None
    place = m.group("place").strip(" ,")
    letters = [c for c in place if c.isalpha()]
    if sum(c.isupper() for c in letters) < 3:
        return None
    agency = _agency_in(m) or None
    return place, agency


def _valid(y: int, mo: int, d: int) -> str | None:
    try:
        return date(y, mo, d).isoformat()
    except ValueError:
        return None


def find_date(line: str) -> str | None:
    """The first unambiguous calendar date in a line, as YYYY-MM-DD, or None."""
    text = clip(line)
    for i, pattern in enumerate(_DATE_PATTERNS):
        for m in pattern.finditer(text):
            y = int(m.group("y"))
            if i == 0:
                iso = _valid(y, int(m.group("m")), int(m.group("d")))
            elif i in (1, 2):
                mon = MONTHS.get(m.group("mon").lower().replace("é", "e").replace("û", "u"))
                iso = _valid(y, mon, int(m.group("d"))) if mon else None
            else:
                a, b = int(m.group("a")), int(m.group("b"))
                if a > 12 >= b:
                    iso = _valid(y, b, a)
                elif b > 12 >= a:
                    iso = _valid(y, a, b)
                else:
                    iso = None  # 03/04/2020: day-month order unknown
            if iso:
                return iso
    return None


def extract_metadata(page: Page, lines: Sequence[TextLine]) -> Metadata:
    """Title, outlet, dates, dateline, agency, byline and photo credits from the page's lines."""
    return Metadata()
