"""Metadata read from the lines of a scraped text page: title, outlet, dates, dateline, credits."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date
from typing import NamedTuple
from urllib.parse import urlsplit

from newsfuse.model import Evidenced, Metadata, Page

# Line roles the cleaner assigns; metadata rules read only the roles that can carry page facts.
HEAD = "head"  # above the body: masthead, title, byline, date
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
# A photo credit closes its caption: only this many last characters are searched for one.
CREDIT_TAIL = 160
TITLE_MIN_WORDS = 3
TITLE_MAX_WORDS = 30
# Header lines read for title, dates and byline: the lines just above the body (seed pages hold
# them 1-9 lines above; AEB pages up to ~12 with share bars in between).
HEAD_ZONE = 15
# A masthead ("China Daily | Updated ...") stands among the page's first lines.
MASTHEAD_LINES = 8
# A short all-capitalised line ("Sarah E. Needleman") is a name, not a headline.
NAME_MAX_WORDS = 4
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
_NAME_AGENCY = re.compile(
    rf"^(?:By\s+)?(?P<name>{_NAME}(?:\s+and\s+{_NAME})?)\s*[,|–—-]\s*(?:{_AGENCY_ALT})\.?$"
)
_BY = re.compile(
    r"^(?:(?:Posted|Written|Words|Story|Text|Report) by|By|BY|Par|Por|Von|Di|Oleh)\s*:?\s+"
    rf"(?P<name>{_NAME}(?:\s*(?:,|and|&)\s*{_NAME})*)"
)
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
_CAPS_SLASH_CREDIT = re.compile(r"(?P<c>\b[A-Z]{2,}(?: [A-Z]{2,})*/(?:[A-Z][a-z][\w.-]*|HO\b)[^.]{0,50})\s*$")
_WORD_CREDIT = re.compile(
    r"(?:^|[\s(.])(?P<c>(?:Photo|Photograph|Picture|Image|Foto|Credit)s?\s*(?:by|:|credit:|courtesy(?: of)?)"
    r"\s*[^.()]{2,60}?)\)?\.?\s*$",
    re.IGNORECASE,
)
# ... and the BBC's "Image copyright Getty Images Image caption ...", as its pages render as text.
_CAPTION_START = re.compile(r"^(?:FILE\s*[-–—]|In this (?:[^,]{0,40} )?(?:photo|image|file)"
                            r"|(?-i:Image (?:copyright|caption) ))", re.IGNORECASE)
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
# The last two: a video player's caption as USA TODAY network pages render it ("CLOSE Four Reno
# dispensaries begin sales ... Jason Bean"), with its controls ("Skip in Skip x Embed x Share").
_EMBED_MARK = re.compile(
    r"pic\.twitter\.com/|https?://t\.co/|A post shared by|View this post on Instagram|"
    r"^\.?@\w+:? |(?-i:^CLOSE (?=[A-Z\"“]))|^Skip in Skip x Embed x Share", re.IGNORECASE
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
_MON = r"(?P<mon>[^\W\d_]{3,10})\.?"
_DATE_PATTERNS = (
    re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)"),
    re.compile(rf"\b{_MON}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d\d)\b"),
    re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th|\.)?\s+(?:de\s+)?{_MON}\s+(?:de\s+)?(?P<y>(?:19|20)\d\d)\b"),
    re.compile(r"(?<![\d/])(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<y>(?:19|20)\d\d)(?!\d)"),
)
# Words that stamp an update time rather than a publication date, in the languages seen.
_UPDATE_WORDS = r"updated|modified|last updated|edited|mis à jour|actualizado|aggiornato|atualizado"
_UPDATED = re.compile(rf"\b(?:{_UPDATE_WORDS})\b", re.I)


_NOT_TITLE = re.compile(
    r"^[^\w\"“‘'(¿¡]|\b\d+ \w+ ago\b|\b(?:share|sharing|follow|subscribe|sign up|topics?|"
    r"click|newsletter|cookies?)\b",
    re.IGNORECASE,
)
# "China Daily | Updated: 2020-06-13 00:00" / "The Washington PostDemocracy Dies in Darkness"
_MASTHEAD_SPLIT = re.compile(r"^(?P<name>[^|]{2,60}?)\s+(?:\||[-–—])\s+(?P<rest>.{3,80})$")
_MASTHEAD_GLUED = re.compile(
    r"^(?P<name>(?:[A-Z][\w&.'’-]*\s){0,4}[A-Z][\w&.'’-]*?[a-z])(?P<rest>[A-Z][a-z]+(?:\s+\w+){1,6})$"
)
_COPYRIGHT_START = re.compile(r"^(?:©|\(c\)\s*\d|copyright\b)", re.IGNORECASE)
# A site's copyright notice carries a year ("© 2019 Sky UK"); a photo's often does not.
_COPYRIGHT_HOLDER = re.compile(
    r"^(?:©|\(c\)|copyright)\s*(?:©\s*)?(?:19|20)\d\d(?:\s*[-–]\s*\d{4})?\s*"
    r"(?P<name>[A-Z][\w&'’-]*(?:\s+[A-Z][\w&'’-]*){0,4})",
    re.IGNORECASE,
)
_NOT_HOLDER = re.compile(r"(?:all|the content)\b", re.IGNORECASE)
_DATE_CUE = re.compile(
    rf"\b(?P<u>{_UPDATE_WORDS})\b|"
    r"\b(?:published|posted|issued on|created|first published|publicado|pubblicato)\b",
    re.IGNORECASE,
)
_AGENCY_WORD = re.compile(rf"\b(?:{_AGENCY_ALT})\b")
_TOLD = re.compile(rf"\btold (?:the )?(?:{_AGENCY_ALT})\b")
_SITE_SUFFIX = re.compile(r"\s+[|–—-]\s+(?=[^|–—-]*$)")
_BYLINE_CUT = re.compile(r"\s*(?:,|\s[-–—|]\s)\s*")


def clip(text: str) -> str:
    """The part of a line the regex rules look at (bounded for linear time on huge lines)."""
    return text if len(text) <= MAX_META_LINE else text[:MAX_META_LINE]


def photo_credit(line: str) -> str | None:
    """The photo credit a caption line ends with ("Susannah George/AP"), or None."""
    tail = line[-CREDIT_TAIL:]
    for pattern in (_PAREN_CREDIT, _CAPS_SLASH_CREDIT, _WORD_CREDIT):
        m = pattern.search(tail)
        if m:
            credit = m.group("c").strip(" .")
            if pattern is _PAREN_CREDIT and " " not in credit and len(tail[: m.start()].split()) < 4:
                continue  # "Gaming (AR/VR)": a label, not a caption's credit
            return credit
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
    m = _AGENCY_ONLY.match(text) or _AGENCY_CREDIT.match(text)
    if m:
        return None, _agency_in(m)
    m = _NAME_AGENCY.match(text)
    if m:
        return m.group("name"), _agency_in(m)
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


def _fold(word: str) -> str:
    """Lower case without accents ("Févr" -> "fevr"), as MONTHS spells month names."""
    return "".join(c for c in unicodedata.normalize("NFKD", word.lower()) if c.isascii())


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
                mon = MONTHS.get(_fold(m.group("mon")))
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
    body_at = next((i for i, line in enumerate(lines) if line.role == BODY), len(lines))
    head = _head_zone(lines, body_at)
    body = [line.text for line in lines if line.role == BODY]
    published, updated = _dates(lines, head, page)
    return Metadata(
        title=_title(lines, head, page),
        outlet=_outlet(lines, body_at, page),
        published=published,
        updated=updated,
        dateline=_dateline(body),
        agency=_agency(lines, head, body),
        byline=_byline(lines, head),
        photo_credits=_photo_credits(lines),
    )


def _head_zone(lines: Sequence[TextLine], body_at: int) -> list[int]:
    """Indices of the header lines just above the body, nearest first; stops at a sidebar."""
    zone = []
    for i in range(body_at - 1, max(-1, body_at - 1 - HEAD_ZONE), -1):
        if lines[i].role == SIDEBAR:
            break
        if lines[i].role == HEAD:
            zone.append(i)
    return zone


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", clip(text).lower()))


def _title_like(text: str) -> bool:
    words = text.split()
    if not TITLE_MIN_WORDS <= len(words) <= TITLE_MAX_WORDS or len(text) > MAX_META_LINE:
        return False
    if _NOT_TITLE.search(text):
        return False  # "| BY: ...", "1 day ago", "Show more sharing options": page chrome
    if text.endswith((".", ":", ",")) and not text.endswith("..."):
        return False  # a sentence (standfirst) or a lead-in, not a headline
    if find_date(text) or credit_of(text) or is_caption(text) or masthead_of(text):
        return False
    # "Sarah E. Needleman", "The Wall Street Journal": a name, not a headline
    return not (len(words) <= NAME_MAX_WORDS and all(w[:1].isupper() for w in words))


def _title(lines: Sequence[TextLine], head: list[int], page: Page) -> Evidenced | None:
    if page.title and page.title.strip():
        # the page's own line that the declared title quotes is the best witness; a declared
        # title often carries the site name after a separator ("Headline | Site")
        full = _norm(page.title)
        short = _norm(_SITE_SUFFIX.split(page.title)[0])
        for i in head:
            norm = _norm(lines[i].text)
            if norm and (norm in (full, short) or (len(norm) >= 0.6 * len(full) and norm in full)):
                return Evidenced(lines[i].text, lines[i].text, "title-line")
    block: list[int] = []
    for i in head:  # nearest first: the block of headline-like lines closest to the body
        if _title_like(lines[i].text):
            block.append(i)
        elif block:
            break
    if block:
        text = lines[block[-1]].text  # the top of a headline + subheadline pair
        return Evidenced(text, text, "headline")
    if page.title and page.title.strip():
        return Evidenced(page.title.strip(), page.title, "input")
    return None


def _name_words(name: str) -> bool:
    words = name.split()
    return 1 <= len(words) <= 5 and all(w[:1].isupper() or w[:1].isdigit() for w in words)


def masthead_of(line: str) -> str | None:
    """The outlet name a masthead line carries ("China Daily | Updated: ..."), or None."""
    text = clip(line)
    m = _MASTHEAD_SPLIT.match(text)
    if m and _name_words(m.group("name")):
        rest = m.group("rest")
        if find_date(rest) or _UPDATED.search(rest):
            return m.group("name").strip()
    m = _MASTHEAD_GLUED.match(text)
    if m and _name_words(m.group("name")) and len(m.group("name").split()) >= 2:
        return m.group("name").strip()
    return None


def _outlet(lines: Sequence[TextLine], body_at: int, page: Page) -> Evidenced | None:
    for line in lines[: min(body_at, MASTHEAD_LINES)]:
        if line.role == HEAD and (name := masthead_of(line.text)):
            return Evidenced(name, line.text, "masthead")
    for line in lines[body_at:]:
        if line.role in (TAIL, BOILER) and (m := _COPYRIGHT_HOLDER.match(clip(line.text))):
            name = m.group("name").strip()
            if not _NOT_HOLDER.match(name) and not _AGENCY_WORD.search(name):
                return Evidenced(name, line.text, "copyright")
    if page.outlet and page.outlet.strip():
        return Evidenced(page.outlet.strip(), page.outlet, "input")
    if page.url:
        try:
            host = (urlsplit(page.url).hostname or "").removeprefix("www.")
        except ValueError:
            host = ""
        if host:
            return Evidenced(host, page.url, "url")
    return None


def _line_dates(text: str) -> tuple[str | None, str | None]:
    """(published, updated) a header line states; a date after an "Updated" cue is an update."""
    text = clip(text)
    cues = [(m.start(), bool(m.group("u"))) for m in _DATE_CUE.finditer(text)]
    starts = [(0, False), *cues]
    ends = [start for start, _ in cues] + [len(text)]
    published = updated = None
    for (start, is_update), end in zip(starts, ends, strict=True):
        iso = find_date(text[start:end])
        if iso and is_update:
            updated = updated or iso
        elif iso:
            published = published or iso
    return published, updated


def _dates(
    lines: Sequence[TextLine], head: list[int], page: Page
) -> tuple[Evidenced | None, Evidenced | None]:
    """Dates from header lines only: never a caption, embed, body, teaser or related block."""
    published = updated = None
    top = [i for i in range(min(len(lines), MASTHEAD_LINES)) if i not in head]
    for i in [*head, *top]:
        text = lines[i].text
        if lines[i].role != HEAD or is_caption(text) or is_embed(text):
            continue
        pub, upd = _line_dates(text)
        if pub and published is None:
            published = Evidenced(pub, text, "header-date")
        if upd and updated is None:
            updated = Evidenced(upd, text, "header-date")
    if published is None and page.published and (iso := find_date(page.published)):
        published = Evidenced(iso, page.published, "input")
    return published, updated


def _dateline(body: Sequence[str]) -> Evidenced | None:
    if body and (found := dateline_of(body[0])):
        return Evidenced(found[0], body[0], "dateline")
    return None


def _agency(lines: Sequence[TextLine], head: list[int], body: Sequence[str]) -> Evidenced | None:
    """The wire the copy is credited to; photo credits ("Name/AP") never count."""
    if body and (found := dateline_of(body[0])) and found[1]:
        return Evidenced(found[1], body[0], "dateline")
    credit_lines = [lines[i] for i in head] + [x for x in lines if x.role in (CREDIT, TAIL)]
    for line in credit_lines:
        if (credit := credit_of(line.text)) and credit[1]:
            return Evidenced(credit[1], line.text, "credit-line")
    for line in lines:
        text = clip(line.text)
        m = _AGENCY_WORD.search(text) if _COPYRIGHT_START.match(text) else None
        if m and line.role in (TAIL, BOILER):
            return Evidenced(_agency_in(m), line.text, "copyright")
    # "told AFP" in a quote attribution is weak alone: any story may cite one wire interview.
    # Several lines of it naming a single agency mean that agency's reporters did the
    # interviewing, i.e. the copy is theirs; the value is then marked inferred.
    told: dict[str, list[str]] = {}
    for text in body:
        for m in _TOLD.finditer(clip(text)):
            told.setdefault(_agency_in(m), []).append(text)
    if len(told) == 1:
        name, where = next(iter(told.items()))
        if len(set(where)) >= TOLD_AGENCY_MIN_LINES:
            return Evidenced(name, where[0], "quote-attribution", inferred=True)
    return None


def _byline(lines: Sequence[TextLine], head: list[int]) -> Evidenced | None:
    order = [lines[i] for i in head] + [x for x in lines if x.role in (CREDIT, TAIL)]
    for line in order:
        credit = credit_of(line.text)
        if credit and credit[0]:
            name = _BYLINE_CUT.split(credit[0])[0].strip()
            if name:
                return Evidenced(name, line.text, "byline")
    return None


def _photo_credits(lines: Sequence[TextLine]) -> tuple[Evidenced, ...]:
    out: list[Evidenced] = []
    seen: set[str] = set()
    for line in lines:
        if line.role == CAPTION and (credit := photo_credit(line.text)) and credit not in seen:
            seen.add(credit)
            out.append(Evidenced(credit, line.text, "caption-credit"))
    return tuple(out)
