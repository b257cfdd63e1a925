"""Evidence for the metadata trafilatura reads off an HTML page, plus wire credits in the body."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from urllib.parse import urlsplit

from newsfuse.clean.textmeta import AGENCIES, credit_of, dateline_of, find_date, photo_credit
from newsfuse.model import Evidenced, Metadata, Page

HOW = "html-meta"

# Longest evidence quoted: a whole <meta> tag or a short element, not a page of markup.
MAX_EVIDENCE_CHARS = 300
# Context kept on each side of a value when its element is too long to quote whole.
EVIDENCE_CONTEXT = 100
# Body paragraphs read for a dateline credit ("BAGHDAD (AP) —"): it opens the story.
DATELINE_PARAGRAPHS = 2
# Paragraphs at the end read for sign-offs and copyright lines ("© 2020 The Associated Press").
TAIL_PARAGRAPHS = 4
# Places of a value weighed when choosing its best witness (the first few suffice).
MAX_OCCURRENCES = 20
# Longest paragraph taken as a credit or caption line rather than prose.
MAX_CREDIT_CHARS = 160

# English month names, spelled out rather than taken from `calendar`, which follows the locale.
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_AGENCY_ALT = "|".join(f"(?:{pattern})" for pattern in AGENCIES.values())
# "(Reuters) — The New York State ..." opens a story without a place name.
_BARE_CREDIT = re.compile(rf"^\((?P<a>{_AGENCY_ALT})\)\s*(?:[—–]|--?)\s*")
# The rest of a dateline after its place: "(AP) —", ", Nov 19 (Reuters) -", " -".
_DATELINE_END = re.compile(r"[^—–\n]{0,60}?(?:[—–]|--?)")
# "© 2020 The Associated Press. All rights reserved." / "Copyright Agence France-Presse"
_COPYRIGHT = re.compile(rf"^(?:©|\(c\)|copyright)\s*(?:\d{{4}}\s*)?(?P<a>{_AGENCY_ALT})\b", re.I)
# "Reporting by Jane Doe; Editing by John Roe" is Reuters' house sign-off.
_REUTERS_SIGNOFF = re.compile(r"^(?:\(?Reporting by\b.{0,200}\bEditing by\b)")
_MODIFIED = re.compile(
    r"""(?:article:modified_time|og:updated_time|dateModified)["']?\s*(?:content\s*=\s*|:\s*)"""
    r"""["'](?P<d>\d{4}-\d{2}-\d{2})[^"']*["']""",
    re.I,
)
# Words in a tag that say it holds the field sought: such places are the best witnesses.
_FIELD_HINTS = {
    "title": re.compile(r"title|headline", re.I),
    "outlet": re.compile(r"site_name|publisher|application-name|copyright", re.I),
    "byline": re.compile(r"author|byl|creator|byline", re.I),
    "published": re.compile(r"publish|pubdate|created", re.I),
}
# Words that end up glued to a byline but are not names ("Carrie Arnold November").
_NOT_NAME_WORDS = {m.lower() for m in _MONTHS} | {
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "published",
    "updated",
    "posted",
    "on",
}
# _MODIFIED's keys, lowercased: one of them stands in every match.
_MODIFIED_KEYS = ("article:modified_time", "og:updated_time", "datemodified")
_CMS_ACCOUNT = re.compile(r"admin|webmaster|^\s*(?:editor|staff)\s*$", re.I)
_ISO_PREFIX = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})")


def extract_html_metadata(page: Page, fields: dict[str, str | None], paragraphs: Sequence[str]) -> Metadata:
    """Evidenced metadata from trafilatura's fields, the input's own fields and the body."""
    raw = page.content
    url = fields.get("url") or page.url
    title = _evidenced(raw, fields.get("title"), "title") or _from_input("title", page.title)
    outlet = _outlet(raw, fields.get("sitename"), url) or _from_input("outlet", page.outlet)
    published = _published(raw, fields.get("date"), url) or _input_date(page.published)
    author = tidy_author(fields.get("author"))
    byline = _evidenced(raw, _first_author(author), "byline")
    if byline is not None and author:
        byline = replace(byline, value=author)
    dateline, dateline_agency = _dateline(paragraphs)
    agency = dateline_agency or _agency(paragraphs, fields.get("author"), raw)
    return Metadata(
        title=title,
        outlet=outlet,
        published=published,
        updated=_updated(raw),
        dateline=dateline,
        agency=agency,
        byline=byline,
        photo_credits=_photo_credits(paragraphs),
    )


def evidence_for(raw: str, value: str, field: str = "", *, loose: bool = True) -> str | None:
    """The tag or element of raw that best holds value (as written, escaped or re-spaced).

    `field` ("title", "outlet", "byline", "published") favours places named for it, such as
    <meta property="og:site_name"> for an outlet.
    """
    spans: list[tuple[int, int]] = []
    for form in dict.fromkeys((value, html.escape(value, quote=False), html.escape(value))):
        pos = raw.find(form)
        while pos >= 0 and len(spans) < MAX_OCCURRENCES:
            spans.append((pos, len(form)))
            pos = raw.find(form, pos + 1)
    if not spans and loose:
        words = re.findall(r"\w+", value)
        if len(words) < 2:
            return None
        # trafilatura tidies values ("Sarah E. Needleman" -> "Sarah E Needleman"): match words.
        loose = re.compile(r"\b" + r"\W{1,6}".join(map(re.escape, words)) + r"\b", re.I)
        for match in loose.finditer(raw):
            spans.append((match.start(), match.end() - match.start()))
            if len(spans) == MAX_OCCURRENCES:
                break
    if not spans:
        return None
    hint = _FIELD_HINTS.get(field)
    quotes = [(_enclosing(raw, pos, length), _witness_rank(raw, pos, length), pos) for pos, length in spans]
    best = max(quotes, key=lambda q: (q[1] + (2 if hint and hint.search(q[0]) else 0), -q[2]))
    return best[0]


def _witness_rank(raw: str, pos: int, length: int) -> int:
    """How good a witness the place is: a <meta> tag, a whole element, other text, a script."""
    open_lt = raw.rfind("<", 0, pos)
    if open_lt > raw.rfind(">", 0, pos):
        return 3 if raw.startswith("<meta", open_lt) else 1
    if raw.startswith(("<script", "<style"), open_lt):
        return 0
    whole = raw[pos - 1 : pos] == ">" and raw[pos + length : pos + length + 1] == "<"
    return 2 if whole else 1


def _enclosing(raw: str, pos: int, length: int) -> str:
    """The whole tag around raw[pos:pos+length], or its element; bounded and on one line."""
    open_lt = raw.rfind("<", 0, pos)
    last_gt = raw.rfind(">", 0, pos)
    # Inside a tag (an attribute value, <meta content="...">): to the tag's end; element text:
    # from its opening tag to the end of the next tag.
    after = pos + length if open_lt > last_gt else raw.find("<", pos + length)
    end = raw.find(">", after)
    start = max(open_lt, 0)
    end = len(raw) if end < 0 else end + 1
    if end - start > MAX_EVIDENCE_CHARS:
        start = max(start, pos - EVIDENCE_CONTEXT)
        end = min(end, pos + length + EVIDENCE_CONTEXT)
    return " ".join(raw[start:end].split())


def _evidenced(raw: str, value: str | None, field: str) -> Evidenced | None:
    if not value:
        return None
    evidence = evidence_for(raw, value, field)
    if evidence is None:
        return Evidenced(value, f"read by trafilatura: {value}", HOW, inferred=True)
    return Evidenced(value, evidence, HOW)


def _from_input(name: str, value: str | None) -> Evidenced | None:
    return Evidenced(value, f"input {name}: {value}", "input") if value else None


def _input_date(value: str | None) -> Evidenced | None:
    if not value:
        return None
    match = _ISO_PREFIX.match(value)
    iso = match.group(1) if match else find_date(value)
    return Evidenced(iso, f"input published: {value}", "input") if iso else None


def _outlet(raw: str, sitename: str | None, url: str | None) -> Evidenced | None:
    if not sitename:
        return None
    evidence = evidence_for(raw, sitename, "outlet")
    if evidence is not None:
        return Evidenced(sitename, evidence, HOW)
    host = urlsplit(url).hostname if url else None
    if host and sitename.lower().replace(" ", "") in host:
        # trafilatura made the name from the host ("nj.com" -> "Nj"): reasoned, not read.
        return Evidenced(sitename, url or host, "url", inferred=True)
    return Evidenced(sitename, f"read by trafilatura: {sitename}", HOW, inferred=True)


def _published(raw: str, iso: str | None, url: str | None) -> Evidenced | None:
    if not iso:
        return None
    try:
        day = date.fromisoformat(iso)
    except ValueError:
        return None
    month = _MONTHS[day.month - 1]
    forms = (
        day.isoformat(),
        day.strftime("%Y/%m/%d"),
        f"{month} {day.day}, {day.year}",
        f"{month[:3]} {day.day}, {day.year}",
        f"{month[:3]}. {day.day}, {day.year}",
        f"{day.day} {month} {day.year}",
        f"{day.day} {month[:3]} {day.year}",
    )
    quotes = [q for form in forms if (q := evidence_for(raw, form, "published", loose=False))]
    # Several dates may stand on a page; a quote that names publication is the better witness.
    named = [quote for quote in quotes if _FIELD_HINTS["published"].search(quote)]
    if quotes:
        return Evidenced(day.isoformat(), (named or quotes)[0], HOW)
    if url and any(form in url for form in (day.strftime("%Y/%m/%d"), day.isoformat())):
        return Evidenced(day.isoformat(), url, "url")
    return Evidenced(day.isoformat(), "date found by htmldate (trafilatura)", HOW, inferred=True)


def _updated(raw: str) -> Evidenced | None:
    start = _first_modified_key(raw)
    if start is None:
        return None
    match = _MODIFIED.search(raw, start)
    if match is None:
        return None
    return Evidenced(match.group("d"), _enclosing(raw, match.start("d"), 10), HOW)


def _first_modified_key(raw: str) -> int | None:
    """Where the first of _MODIFIED's keys stands in raw, in any case; None if nowhere.

    Every match of _MODIFIED starts with a key, so its search can start there. A case-blind
    regex scan costs ~10 ns a character, lowercasing and three substring searches half that.
    Lowercasing keeps offsets, and matches what re.IGNORECASE matches to the keys' letters, for
    every character but "\u0130" and "\u0131" (which it equates with "i"): pages holding
    either are searched from the start.
    """
    if "\u0130" in raw or "\u0131" in raw:
        return 0
    lowered = raw.lower()
    found = [at for key in _MODIFIED_KEYS if (at := lowered.find(key)) >= 0]
    return min(found) if found else None


def _first_author(author: str | None) -> str | None:
    """trafilatura joins several authors with "; ": the first one is quoted as evidence."""
    return author.split(";")[0].strip() or None if author else None


def tidy_author(author: str | None) -> str | None:
    """trafilatura's author minus CMS accounts ("admin") and date words it ran into."""
    names = []
    for name in (author or "").split(";"):
        words = name.split()
        while words and words[-1].strip(",.;").lower() in _NOT_NAME_WORDS:
            words.pop()
        if words and not _CMS_ACCOUNT.search(name):
            names.append(" ".join(words))
    return "; ".join(names) or None


def _dateline(paragraphs: Sequence[str]) -> tuple[Evidenced | None, Evidenced | None]:
    """The dateline opening the story and the agency it credits, if any."""
    for paragraph in paragraphs[:DATELINE_PARAGRAPHS]:
        found = dateline_of(paragraph)
        if found is not None:
            place, agency = found
            opening = _DATELINE_END.match(paragraph, len(place))
            quote = paragraph[: opening.end()].strip() if opening else paragraph[:MAX_CREDIT_CHARS]
            agency_ev = Evidenced(agency, quote, "dateline") if agency else None
            return Evidenced(place, quote, "dateline"), agency_ev
        bare = _BARE_CREDIT.match(paragraph)
        if bare is not None:
            return None, Evidenced(_canonical(bare.group("a")), bare.group(0).strip(), "dateline")
    return None, None


def _agency(paragraphs: Sequence[str], author: str | None, raw: str) -> Evidenced | None:
    """A wire credit in sign-off lines, a copyright line or the author field; photo credits skip."""
    tail = paragraphs[-TAIL_PARAGRAPHS:]
    for paragraph in tail:
        if len(paragraph) > MAX_CREDIT_CHARS:
            continue
        copyright_ = _COPYRIGHT.match(paragraph)
        if copyright_ is not None:
            return Evidenced(_canonical(copyright_.group("a")), paragraph, "credit-line")
        credit = credit_of(paragraph)
        if credit is not None and credit[1]:
            return Evidenced(credit[1], paragraph, "credit-line")
    for paragraph in tail:
        if _REUTERS_SIGNOFF.match(paragraph):
            return Evidenced("Reuters", paragraph[:MAX_CREDIT_CHARS], "credit-line")
    for name in (author or "").split(";"):
        credit = credit_of(name.strip()) if name.strip() else None
        if credit is not None and credit[1]:
            quote = evidence_for(raw, name.strip(), "byline") or f"author: {name.strip()}"
            return Evidenced(credit[1], quote, HOW)
    return None


def _photo_credits(paragraphs: Sequence[str]) -> tuple[Evidenced, ...]:
    credits: list[Evidenced] = []
    for paragraph in paragraphs:
        if len(paragraph) <= MAX_CREDIT_CHARS * 2 and (credit := photo_credit(paragraph)):
            credits.append(Evidenced(credit, paragraph, "credit-line"))
    return tuple(credits)


def _canonical(spelling: str) -> str:
    """The canonical agency name for one of its spellings ("Associated Press" -> "AP")."""
    for name, pattern in AGENCIES.items():
        if re.fullmatch(pattern, spelling, re.I):
            return name
    return spelling
