"""Named entities of a story: people (with the roles the pages give them), organisations, places.

Rule-based and offline: no statistical model. What counts as a name is read from the pages
themselves (capitalised spans, roles in apposition, words the corpus also writes in lower case)
plus a few small built-in word lists (titles, role nouns, organisation words, demonyms, a
gazetteer of countries and capitals, and well-known aliases such as ISIS -> Islamic State).

Rules, in order:

* Mentions. A mention is a run of capitalised tokens (with name particles such as "al-", "bin",
  "Abu"), joined across "of", "on", "for", "and" and "the" only when the run names an organisation
  ("European Council on Foreign Relations", "Government of Iraq"); otherwise it is cut at the
  connector ("Iraq and America" is two mentions). Leading titles and demonyms become the role
  ("Iranian Maj. Gen. Qasem Soleimani" -> "Qasem Soleimani", role "Iranian Maj. Gen."). A word that
  starts a sentence is dropped when the corpus also writes it in lower case or it is a function
  word ("However", "The"); a lone sentence-initial word stays only if the corpus also capitalises it
  mid-sentence or the gazetteer knows it. "Iran-backed" gives "Iran"; "US-Iraq" gives both.
  Weekdays, months, demonyms and title-case headline lines give no mentions.
* Types. organisation: an organisation word ("Department", "Council", "Forces", ...), a known
  organisation, or an all-capitals acronym that is not a place. person: a title or role noun
  before it, a role in apposition after it ("David Schenker, US assistant secretary ..."), a speech
  verb next to it, name particles, a surname-only mention that a page resolves to it, or two or three
  capitalised words the corpus never writes in lower case. place: the gazetteer, a dateline, a
  place word ending the name ("Olympic Studios") or following it ("Anbar province"), or a
  preposition of place before it ("in Kirkuk", "near Baghdad"; not "to", "from" or "at", which
  people take as often as places).
  Everything else is "other" and is kept only if it appears at least twice.
* Merging. Two mentions are one entity when they spell the same after folding: case, accents,
  name particles (al-/el-), hyphens, and a consonant skeleton that ignores vowels, doubled
  letters and an "h" after a consonant (Kadhimi / Kadhemi, Qassem / Qasem, Tehran / Teheran,
  Adil Abdul-Mahdi / Adel Abdel Mahdi). For people the given name and the surname must both match,
  so David Hale and David Schenker, or Abdul-Mahdi and Abu Mahdi al-Muhandis, stay apart. A
  surname alone joins the one person whose surname it is, and no one if two people share it. An
  acronym joins the organisation whose initials it spells ("IS" -> "Islamic State"), and the
  built-in aliases join the rest (ISIS, ISIL, Daesh; U.S., USA, America).
* User aliases (variant -> canonical, see `load_aliases`) override the rules: a listed variant
  joins its canonical entity, and two variants given different canonicals are never merged.
* Output. One dict per entity: `id`, `name` (the canonical form: a user alias, else the most
  widely used full form), `type`, `variants[]` (each surface form with its pages and the citation
  of its first use on each page), `roles[]` (each distinct role text with the citation of its first
  use; people only), `pages[]` and `citations[]` (the entity's first mention on each page).
  Entities come most pages first, then most mentions. Only each body's first
  pipeline.MAX_ANALYSED_CHARS characters are read.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz

from ..model import Article, content_id, to_plain
from ..text import sentence_spans, stopwords

EntityType = str  # "person" | "organization" | "place" | "other"

# Two spellings with the same consonant skeleton are one name only if this similar (rapidfuzz
# ratio, 0-100): Kadhimi/Kadhemi 86, Adil Abdul-Mahdi/Adel Abdel Mahdi 88, Salim/Salaam 73.
MIN_SPELLING_SIMILARITY = 80

_PARTICLES = frozenset(("al", "el", "as", "ad", "an", "ash", "ar", "bin", "ibn", "bint", "van", "von",
                        "de", "da", "del", "der", "di", "du", "le", "la"))
_LOWER_PARTICLE = r"(?:al|el|as|ad|an|ash|ar|bin|ibn|bint|van|von|de|da|del|der|di|du|le|la)"
# An initialism ("U.S.", "U.N."), an abbreviation with its period ("Gen.", "Maj."), or a word.
_TOKEN = (rf"(?:{_LOWER_PARTICLE}-)?(?:[A-Z]\.(?:[A-Z]\.)+|(?:Gen|Maj|Lt|Col|Sgt|Capt|Adm|Sen|Rep|Gov|Dr"
          r"|Mr|Mrs|Ms|Prof|St|Jr|Sr)\.|[A-Z][\w\u2019'-]*\w|[A-Z])")
# Particles that join a name across a space ("Abu Mahdi al Muhandis", "Osama bin Laden").
_SPACED_PARTICLE = r"(?:al|el|es|bin|ibn|bint|van|von|de|del|der|da)"
# The leading word boundary lets the engine skip mid-word positions at once (twice as fast).
_JOIN = rf"(?:\s+(?:of|on|for|and|the|{_SPACED_PARTICLE})\s+|\s+|-)"
_RUN = re.compile(rf"\b(?=[A-Za-z]){_TOKEN}(?:{_JOIN}{_TOKEN})*")
_TOKEN_RE = re.compile(_TOKEN)
_CONNECTORS = frozenset(("of", "on", "for", "and", "the"))

_TITLES = frozenset((
    "president", "vice", "prime", "minister", "premier", "secretary", "secretary-general", "general",
    "gen.", "maj.", "lt.", "col.", "sgt.", "capt.", "adm.", "sen.", "rep.", "gov.", "dr.", "mr.", "mrs.",
    "ms.", "prof.", "ayatollah", "sheikh", "king", "queen", "prince", "princess", "pope", "mayor",
    "chancellor", "speaker", "commander", "ambassador", "senator", "governor", "deputy", "foreign",
    "finance", "defence", "defense", "interior", "oil", "health", "assistant", "undersecretary",
    "chief", "judge", "justice", "cardinal", "bishop", "imam", "emir", "sultan", "crown", "lieutenant",
    "colonel", "major", "sergeant", "captain", "admiral", "state",
))
# Words a title spans without naming anyone: "Secretary of State", "US Secretary of State".
_TITLE_GLUE = frozenset(("of", "the", "and", "for", "us", "u.s.", "un", "u.n."))
# Role nouns: a word before a name or in apposition after it that makes the name a person's.
_ROLE_NOUNS = frozenset((
    "president", "minister", "premier", "secretary", "undersecretary", "general", "gen", "commander",
    "leader", "chief", "analyst", "spokesman", "spokeswoman", "spokesperson", "ambassador", "envoy",
    "official", "director", "diplomat", "fellow", "lawmaker", "senator", "cleric", "ayatollah",
    "king", "prince", "governor", "mayor", "chancellor", "adviser", "advisor", "head", "founder",
    "professor", "researcher", "expert", "writer", "reporter", "correspondent", "editor", "speaker",
    "candidate", "activist", "lawyer", "judge", "colonel", "officer", "member",
    "deputy", "aide", "negotiator", "economist", "scholar", "journalist", "coordinator", "singer",
    "guitarist", "drummer", "rapper", "actor", "actress", "musician", "producer", "author", "artist",
    "coach", "player", "comedian", "attorney", "prosecutor", "sheriff", "detective", "investor",
    "executive", "chairman", "chairwoman", "ceo", "historian", "scientist", "strategist", "consultant",
    "pollster", "manager", "organizer", "organiser", "owner", "rabbi", "priest", "pastor",
))
_ORG_WORDS = frozenset((
    "department", "ministry", "council", "institute", "house", "committee", "group", "bank", "agency",
    "press", "union", "nations", "army", "forces", "force", "party", "office", "university", "center",
    "centre", "program", "programme", "association", "embassy", "government", "coalition", "front",
    "organization", "organisation", "times", "post", "news", "corporation", "company", "fund", "court",
    "parliament", "congress", "senate", "assembly", "brigades", "movement", "bloc", "command",
    "mobilization", "mobilisation", "network", "foundation", "service", "services", "daily", "guard",
    "pentagon", "reuters", "xinhua", "alliance", "federation", "authority", "commission", "state",
    "jihad", "brotherhood", "qaeda", "hezbollah", "taliban", "mujahideen", "militia", "militias",
))
_KNOWN_ORGS = frozenset(("islamic state", "white house", "chatham house", "hezbollah", "hamas", "taliban",
                         "nato", "opec", "kataib hezbollah", "al qaeda", "al-qaeda"))
_DEMONYMS = frozenset((
    "iraqi", "iraqis", "iranian", "iranians", "american", "americans", "syrian", "kurdish", "kurd",
    "kurds", "shiite", "shia", "sunni", "arab", "arabs", "western", "eastern", "turkish", "saudi",
    "israeli", "palestinian", "palestinians", "lebanese", "jordanian", "egyptian", "russian",
    "chinese", "british", "french", "german", "european", "european-", "qatari", "emirati", "yemeni",
    "afghan", "pakistani", "indian", "japanese", "korean", "ukrainian", "canadian", "australian",
    "italian", "spanish", "muslim", "muslims", "christian", "christians", "islamist", "jihadist",
    "democratic", "republican", "democrats", "republicans", "yazidi", "turkmen", "persian", "gulf",
    "near eastern", "middle eastern", "far eastern", "pro-iran", "pro-western", "kenyan", "african",
    "mexican", "cuban", "moroccan", "tibetan", "somali", "kuwaiti", "emiratis", "bahraini", "omani",
    "bangladeshi", "nepali", "sudanese", "albanian", "arabic", "asian", "latino", "hispanic",
))
# Capitalised words and acronyms of news copy that name nothing.
_NOT_NAMES = frozenset(("tv", "ceo", "cfo", "gdp", "dna", "id", "pdf", "url", "doi", "faq", "http", "https",
                        "www", "ok", "am", "pm", "vs", "etc", "ap photo", "photo", "video", "file",
                        "advertisement", "getty images", "reuters photo", "afp photo", "pdt", "pst",
                        "edt", "est", "cst", "cdt", "rip", "lol", "omg"))
_HONORIFICS = frozenset(("mr.", "mrs.", "ms.", "miss", "mr", "mrs", "ms"))
_CALENDAR = frozenset((
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
    "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
    "nov", "dec", "today", "yesterday", "tomorrow", "gmt", "utc", "am", "pm", "est", "edt", "bst",
))
_PLACES = frozenset((
    # Countries and their usual short forms.
    "afghanistan", "albania", "algeria", "argentina", "armenia", "australia", "austria", "azerbaijan",
    "bahrain", "bangladesh", "belarus", "belgium", "bolivia", "bosnia", "brazil", "bulgaria", "canada",
    "chile", "china", "colombia", "croatia", "cuba", "cyprus", "czech republic", "denmark", "egypt",
    "ethiopia", "finland", "france", "georgia", "germany", "greece", "hungary", "india", "indonesia",
    "iran", "iraq", "ireland", "israel", "italy", "japan", "jordan", "kazakhstan", "kenya", "kosovo",
    "kuwait", "lebanon", "libya", "malaysia", "mexico", "morocco", "netherlands", "nigeria",
    "north korea", "norway", "oman", "pakistan", "palestine", "peru", "philippines", "poland",
    "portugal", "qatar", "romania", "russia", "saudi arabia", "serbia", "somalia", "south africa",
    "south korea", "spain", "sudan", "sweden", "switzerland", "syria", "taiwan", "thailand",
    "tunisia", "turkey", "ukraine", "united arab emirates", "uae", "united kingdom", "uk", "britain",
    "united states", "us", "usa", "america", "venezuela", "vietnam", "yemen", "gaza", "west bank",
    # Capitals, large cities and regions that news copy names bare.
    "baghdad", "basra", "mosul", "erbil", "kirkuk", "najaf", "karbala", "fallujah", "ramadi", "anbar",
    "tehran", "teheran", "damascus", "aleppo", "beirut", "amman", "riyadh", "doha", "dubai",
    "abu dhabi", "cairo", "ankara", "istanbul", "jerusalem", "tel aviv", "kabul", "islamabad",
    "moscow", "beijing", "washington", "new york", "london", "paris", "berlin", "brussels", "geneva",
    "vienna", "rome", "madrid", "tokyo", "delhi", "new delhi", "kyiv", "kiev", "middle east", "l.a.",
    "los angeles", "d.c.", "washington d.c.", "chicago", "san francisco", "boston", "hong kong",
    "north africa", "europe", "asia", "africa", "kurdistan", "kurdistan region", "persian gulf",
))
# Last words that make a name a place: "Olympic Studios", "Anbar province", "Ain al-Assad Air Base".
_PLACE_WORDS = frozenset((
    "studio", "studios", "hall", "stadium", "arena", "airport", "base", "street", "square", "park",
    "bridge", "river", "mountain", "mountains", "island", "islands", "province", "county", "city",
    "valley", "lake", "sea", "ocean", "road", "avenue", "hotel", "hospital", "prison", "camp",
    "region", "district", "governorate", "coast", "peninsula", "desert", "gulf", "strait",
))
# Well-known aliases; a user alias file overrides them.
BUILTIN_ALIASES: Mapping[str, str] = {
    "isis": "Islamic State", "isil": "Islamic State", "is": "Islamic State", "daesh": "Islamic State",
    "islamic state of iraq and syria": "Islamic State",
    "islamic state of iraq and the levant": "Islamic State",
    "us": "United States", "u.s.": "United States", "usa": "United States", "u.s.a.": "United States",
    "america": "United States", "uk": "United Kingdom", "u.k.": "United Kingdom",
    "britain": "United Kingdom",
    "un": "United Nations", "u.n.": "United Nations", "uae": "United Arab Emirates",
    "state department": "US Department of State", "department of state": "US Department of State",
    "us department of state": "US Department of State", "u.s. department of state": "US Department of State",
}
# Prepositions that put a name on the map. "to", "from" and "at" are left out: people are talked
# to, heard from and looked at as often as places are visited.
_PREPOSITIONS_OF_PLACE = frozenset(("in", "near", "outside", "across", "into", "around"))
_PLACE_PREPOSITION = re.compile(rf"\b(?:{'|'.join(sorted(_PREPOSITIONS_OF_PLACE))})\s+$")
_CUES_BEFORE = frozenset(("said", "says", "added", "told"))
_CUE_AFTER = re.compile(r"^\s*(?:,[^,]{0,120},\s*)?(?:has\s+|had\s+|also\s+)?(?:said|says|told|added|stated|"
                        r"argued|warned|noted|explained|wrote|blamed|insisted|announced)\b")
_CUE_BEFORE = re.compile(r"\b(?:said|says|added|told)\s+$")
_APPOSITION = re.compile(
    r"^(?:,|\s[\u2013\u2014-])\s+(?P<role>(?:an?\s|the\s|[A-Z]\.?[A-Z.]*\s|[a-z])[^,;\u201c\u201d\"\u2013\u2014()]{2,160}?)"
    r"(?=,|\.\s|\.$|\s[\u2013\u2014-]\s|\)|$)", re.M)
_APPOSITION_HEAD = re.compile(r"\s(?:of|at|with|for|in|on|from|to|by|responsible|based|who|which|that)\s")
_ROLE_CUT = re.compile(r"\s*(?:,|\bwho\b|\bwhich\b|\bwhere\b|\bwhen\b|\bwhose\b).*$", re.S)
# Words that may stand before a role noun in a role ("Iraqi militia chief", "top US envoy").
_ROLE_MODIFIERS = (r"militia|deputy|assistant|senior|top|former|new|prime|foreign|finance|army|military"
                   r"|security|intelligence|spy|opposition|political|religious|national|chief|vice|state"
                   r"|defen[cs]e|police|research|government|party|rebel|tribal|Shiite|Sunni|Kurdish|US|U\.S\.")
_ROLE_BEFORE = re.compile(
    rf"(?P<role>(?:(?:{_ROLE_MODIFIERS}|[A-Z][a-z]+(?:i|ian|an|ese|ish))\s+){{0,3}}(?P<noun>[a-z]+))\s+$")
_LOCATED = re.compile(r"^\s+(?:near|in|outside)\s+(?:the\s+)?[A-Z]")
_DATELINE = re.compile(r"^(?P<place>[A-Z][A-Z .'-]{2,40}?)(?:,[^\u2013\u2014\n]{0,40})?\s*[\u2013\u2014-]")
_VOWELS = frozenset("aeiouy")
# Name particles that mark a person's name when nothing else types it ("Abdul Karim Hashim").
_ARABIC_NAME = re.compile(rf"\b(?:{_LOWER_PARTICLE}-|Abu\s|Abdul|Abdel|bin\s)")


@dataclass(slots=True)
class _Mention:
    doc: int
    document: str
    start: int
    end: int
    text: str
    role: tuple[int, int] | None = None  # body span of a role given beside this mention
    person_evidence: bool = False
    place_evidence: bool = False
    unconfirmed: bool = False
    attributive: bool = False  # followed by a lower-case word: "Islamic militants", "Bavarian police"


# --- folding and keys ---------------------------------------------------------------------------

@lru_cache(maxsize=65536)
def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("\u2019", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _name_tokens(text: str) -> list[str]:
    """Folded tokens of a name without particles: "al-Kadhimi" -> ["kadhimi"]."""
    tokens = re.split(r"[\s-]+", _fold(text).replace(".", "").replace("'", ""))
    return [t for t in tokens if t and t not in _PARTICLES]


def _skeleton(token: str) -> str:
    """First letter, then consonants without doubles or an "h" after a consonant: Teheran -> thrn."""
    out = token[:1]
    for ch in token[1:]:
        if ch in _VOWELS or ch == out[-1] or (ch == "h" and out[-1] not in _VOWELS and len(out) > 1):
            continue
        out += ch
    return out


def _key(text: str) -> tuple[str, ...]:
    return tuple(_skeleton(t) for t in _name_tokens(text))


@lru_cache(maxsize=65536)
def _plain(text: str) -> str:
    return " ".join(_fold(text).replace("\u2019", "'").split())


# --- mentions ---------------------------------------------------------------------------------

def _lower_words(bodies: Iterable[str]) -> frozenset[str]:
    """Words the corpus writes in lower case somewhere: not names when they start a sentence."""
    return frozenset(m.group() for body in bodies for m in re.finditer(r"\b[a-z][a-z'-]+\b", body))


def _capitalised_inside(bodies: Iterable[str]) -> frozenset[str]:
    """Capitalised words the corpus also uses mid-sentence (after a lower-case word)."""
    return frozenset(_fold(m.group(1)) for body in bodies
                     for m in re.finditer(r"\b[a-z][\w,]*\s+([A-Z][\w-]+)", body))


def _headline_line(line: str) -> bool:
    tokens = line.split()
    if len(tokens) < 4:
        return False
    capitals = sum(1 for t in tokens if t[:1].isupper())
    return capitals / len(tokens) > 0.6 and line.rstrip()[-1:] not in ".!?\"\u201d"


def _split_run(body: str, start: int, end: int) -> list[tuple[int, int]]:
    """A capitalised run cut into names: at connectors unless it names an organisation."""
    text = body[start:end]
    lowered = {t.lower().strip(".") for t in re.findall(r"[\w.]+", text)}
    if lowered & _ORG_WORDS or _plain(text) in _KNOWN_ORGS:
        return [(start, end)]
    pieces, cursor = [], start
    for m in re.finditer(r"\s+(?:of|on|for|and|the)\s+", text):
        pieces.append((cursor, start + m.start()))
        cursor = start + m.end()
    pieces.append((cursor, end))
    return pieces


def _hyphen_parts(body: str, start: int, end: int) -> list[tuple[int, int]]:
    """"Iran-backed" -> "Iran"; "US-Iraq" -> "US", "Iraq"; "Abdul-Mahdi" stays whole."""
    text = body[start:end]
    if " " in text or "-" not in text:
        return [(start, end)]
    parts, offset = [], start
    for part in text.split("-"):
        parts.append((offset, offset + len(part)))
        offset += len(part) + 1
    if len(parts) == 2 and parts[0][1] > parts[0][0] and body[parts[1][0]:parts[1][1]][:1].islower():
        if body[parts[0][0]:parts[0][1]].lower() in _PARTICLES:
            return [(start, end)]
        return [parts[0]]
    # "U.S.-Iraqi talks": the places stand, the demonym goes.
    if all(_plain(body[a:b]) in _PLACES or body[a:b].isupper() or _plain(body[a:b]) in _DEMONYMS
           for a, b in parts):
        return [(a, b) for a, b in parts if _plain(body[a:b]) not in _DEMONYMS]
    return [(start, end)]


def _common_initial(word: str, lower: frozenset[str]) -> bool:
    """A sentence-initial word that is no name: a function word or one the corpus writes in lower case.

    Acronyms ("US", "IS") and titles ("Prime Minister ...") are never common words here.
    """
    if word.isupper() and len(word) > 1 or _fold(word) in _TITLES:
        return False
    return word.lower() in stopwords() or word.lower() in lower or _fold(word) in _CALENDAR


def _strip_front(body: str, start: int, end: int, sentence_start: bool, lower: frozenset[str],
                 ) -> tuple[int, int, tuple[int, int] | None]:
    """Drop a sentence-initial common word and a leading "The", then leading titles (kept as the role).

    Demonyms go with the titles ("Iranian Maj. Gen."), and are dropped alone unless the rest names
    an organisation ("European Council on Foreign Relations" stays whole).
    """
    tokens = list(_TOKEN_RE.finditer(body, start, end))
    index = 0
    if _plain(body[start:end]) in _PLACES or _plain(body[start:end]) in _KNOWN_ORGS:
        return start, end, None  # "Saudi Arabia" keeps its first word
    first = tokens[0].group() if tokens else ""
    if first == "The" or (tokens and sentence_start and _common_initial(first, lower)):
        index = 1
    front = index
    titled, stop = False, index
    while stop < len(tokens) - 1:
        word = _fold(tokens[stop].group())
        # A role noun opening a sentence is a title too: "Guitarist Jimmy Page".
        opening_role = stop == front and sentence_start and word in _ROLE_NOUNS and len(tokens) - stop >= 3
        if word not in _TITLES and word not in _DEMONYMS and not opening_role:
            break
        titled = titled or word in _TITLES or opening_role
        stop += 1
        # "Secretary of State Mike Pompeo": the connector belongs to the title.
        if word == "secretary" and re.match(r"\s+of\s+State\b", body[tokens[stop - 1].end():end]):
            stop += 1
    if stop >= len(tokens):  # the whole span is a title ("... Secretary of State"): no name follows
        return (tokens[front].start() if front < len(tokens) else end), end, None
    if stop == front or (not titled and _org_name(body[tokens[stop].start():end])):
        return (tokens[front].start() if front < len(tokens) else end), end, None
    role = (tokens[front].start(), tokens[stop - 1].end()) if titled else None
    return tokens[stop].start(), end, role


def _page_mentions(doc: int, article: Article, limit: int, lower: frozenset[str],
                   inside: frozenset[str]) -> list[_Mention]:
    body = article.body[:limit]
    mentions: list[_Mention] = []
    sentence_starts = {a for a, _ in sentence_spans(body)}
    for line in re.finditer(r"[^\n]+", body):
        if _headline_line(line.group()):
            continue
        dateline = _DATELINE.match(line.group())
        if dateline:
            a = line.start() + dateline.start("place")
            b = line.start() + dateline.end("place")
            text = body[a:b].strip()
            if text.isupper() and len(text) > 2:
                mentions.append(_Mention(doc, article.id, a, a + len(text), text, place_evidence=True))
        for run in _RUN.finditer(body, line.start(), line.end()):
            if dateline and run.start() < line.start() + dateline.end():
                continue
            for piece in _split_run(body, run.start(), run.end()):
                for a, b in _hyphen_parts(body, *piece):
                    initial = a in sentence_starts or _after_quote(body, a)
                    mention = _mention(doc, article, body, a, b, initial, lower, inside)
                    if mention is not None:
                        mentions.append(mention)
    return mentions


def _after_quote(body: str, pos: int) -> bool:
    return pos > 0 and body[pos - 1] in "\"\u201c'\u2018("


def _mention(doc: int, article: Article, body: str, start: int, end: int, sentence_start: bool,
             lower: frozenset[str], inside: frozenset[str]) -> _Mention | None:
    start, end, role = _strip_front(body, start, end, sentence_start, lower)
    while end > start and body[end - 1] in "'\u2019":
        end -= 1
    text = body[start:end]
    if text.endswith(("'s", "\u2019s")):
        end -= 2
        text = body[start:end]
    if not text or not (text[0].isupper() or re.match(rf"{_LOWER_PARTICLE}-[A-Z]", text)):
        return None
    folded = _plain(text)
    if folded in _CALENDAR or folded in _DEMONYMS or folded in _TITLES or folded in _NOT_NAMES or (
            folded in stopwords() and not text.isupper()):
        return None
    if len(text) == 1 or (not re.search(r"[a-z]", text) and len(text.replace(".", "")) < 2):
        return None
    # "Secretary of State", "US Secretary of State": a title with no name after it names nobody.
    words = [w for w in folded.split() if w not in _TITLE_GLUE]
    if words and all(w in _TITLES or w in _DEMONYMS for w in words):
        return None
    if re.fullmatch(r"[IVX]+", text):  # "Led Zeppelin II": a roman numeral names nothing alone
        return None
    single = " " not in text
    if single and sentence_start and role is None and _common_initial(text, lower):
        return None
    mention = _Mention(doc, article.id, start, end, text)
    mention.attributive = bool(re.match(r" [a-z]", body[end:end + 2]))
    _evidence(mention, body, role)
    # A lone capitalised word opening a sentence may be any word; whether it is a name is
    # decided once the whole corpus is read (see _confirmed).
    mention.unconfirmed = (single and sentence_start and role is None and folded not in inside
                           and folded not in _PLACES and not text.isupper() and not _org_name(text)
                           and not mention.person_evidence)
    return mention


def _evidence(mention: _Mention, body: str, role: tuple[int, int] | None) -> None:
    before = body[max(0, mention.start - 60):mention.start]
    after = body[mention.end:mention.end + 220]
    if role is not None:
        words = {_fold(w) for w in body[role[0]:role[1]].split()}
        if words & (_TITLES | _ROLE_NOUNS) and not words <= _DEMONYMS:
            mention.person_evidence = True
            # "Mr." makes a person but is no role to report.
            if not words <= _HONORIFICS:
                mention.role = role
    previous = before.rsplit(None, 1)[-1] if before.strip() else ""
    # The regexes below run only when the word before the name can start them (speed: this runs
    # for every capitalised span of every page).
    pre = _ROLE_BEFORE.search(before) if previous in _ROLE_NOUNS and before[-1:].isspace() else None
    if pre and pre.group("noun") in _ROLE_NOUNS:
        role_start = mention.start - len(before) + pre.start("role")
        mention.person_evidence = True
        if mention.role is None:
            mention.role = (role_start, mention.start - len(before) + pre.end("noun"))
    appos = _APPOSITION.match(after)
    if appos:
        text = _ROLE_CUT.sub("", appos.group("role")).strip().rstrip(".")
        # The head of the apposition, before its first preposition, must be a role noun:
        # "an analyst at the Middle East Institute", not "a group responsible for ... President X".
        head = _APPOSITION_HEAD.split(text, maxsplit=1)[0]
        nouns = {w.strip(".,").lower() for w in head.split()}
        if text and nouns & _ROLE_NOUNS:
            a = mention.end + appos.start("role")
            mention.role, mention.person_evidence = (a, a + len(text)), True
    if _CUE_AFTER.match(after) or (previous in _CUES_BEFORE and _CUE_BEFORE.search(before)):
        mention.person_evidence = True
    possessive = after.startswith(("'s", "\u2019s"))  # "in Romney's campaign" is no place
    if (previous in _PREPOSITIONS_OF_PLACE and not possessive and _PLACE_PREPOSITION.search(before)) or (
            not mention.person_evidence and (_LOCATED.match(after) or _place_noun_after(after))):
        mention.place_evidence = True


def _place_noun_after(after: str) -> bool:
    """"Ain al-Assad military base", "Anbar province": a place noun in lower case follows the name."""
    m = re.match(r"\s+(?:[a-z]+\s+)?([a-z]+)\b", after[:40])
    return bool(m) and m.group(1) in _PLACE_WORDS


# --- types and merging ------------------------------------------------------------------------

def _org_name(text: str) -> bool:
    words = {w.lower().strip(".") for w in re.findall(r"[\w.]+", text)}
    return bool(words & _ORG_WORDS) or _plain(text) in _KNOWN_ORGS


def _acronym(text: str) -> bool:
    bare = text.replace(".", "")
    return bare.isupper() and bare.isalpha() and 2 <= len(bare) <= 6


def _initials(text: str) -> str:
    return "".join(t[0] for t in _name_tokens(text) if t not in _CONNECTORS).upper()


class _Clusters:
    """Union-find over mention texts, refusing merges between different user canonicals."""

    def __init__(self, forced: Mapping[str, str]) -> None:
        self.parent: dict[str, str] = {}
        self.forced: dict[str, str] = dict(forced)

    def add(self, item: str) -> None:
        self.parent.setdefault(item, item)

    def find(self, item: str) -> str:
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def union(self, a: str, b: str) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        fa, fb = self.forced.get(ra), self.forced.get(rb)
        if fa is not None and fb is not None and fa != fb:
            return False
        self.parent[rb] = ra
        if fa is None and fb is not None:
            self.forced[ra] = fb
        return True


def load_aliases(path: str | Path) -> dict[str, str]:
    """A user alias file as {variant: canonical}.

    JSON: an object {"Kadhemi": "Mustafa al-Kadhimi", ...}. CSV: rows `variant,canonical` (a header
    row `variant,canonical` is skipped; blank lines and lines starting with # are ignored).
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        data = json.loads(text)
        if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                 for k, v in data.items()):
            raise ValueError(f"{path.name}: expected a JSON object of variant -> canonical strings")
        return dict(data)
    aliases: dict[str, str] = {}
    for row in csv.reader(line for line in text.splitlines() if line.strip() and not line.startswith("#")):
        if len(row) < 2:
            raise ValueError(f"{path.name}: expected 'variant,canonical', got {row!r}")
        variant, canonical = row[0].strip(), row[1].strip()
        if (variant.lower(), canonical.lower()) == ("variant", "canonical"):
            continue
        aliases[variant] = canonical
    return aliases


def entities(members: Sequence[Article], aliases: Mapping[str, str] | None = None) -> list[dict]:
    """The named entities of one story's pages, variants merged, as JSON-ready dicts."""
    from ..pipeline import MAX_ANALYSED_CHARS  # a module-level import would be circular

    bodies = [a.body[:MAX_ANALYSED_CHARS] for a in members]
    lower, inside = _lower_words(bodies), _capitalised_inside(bodies)
    mentions = _confirmed([m for doc, article in enumerate(members)
                           for m in _page_mentions(doc, article, MAX_ANALYSED_CHARS, lower, inside)])
    if not mentions:
        return []
    user = {_plain(k): v for k, v in (aliases or {}).items()}
    user.update({_plain(v): v for v in (aliases or {}).values()})
    texts = sorted({m.text for m in mentions}, key=lambda t: (-len(t.split()), t))
    types = _types(mentions, texts, lower)
    clusters = _Clusters({t: user[_plain(t)] for t in texts if _plain(t) in user})
    for text in texts:
        clusters.add(text)
    _merge(clusters, texts, types, user, mentions)
    return _records(members, mentions, clusters, types, user)


def _plain_name(text: str, lower: frozenset[str]) -> bool:
    """Two or three capitalised words the corpus never writes in lower case: "Saddam Hussein"."""
    tokens = text.split()
    return 2 <= len(tokens) <= 3 and all(
        re.fullmatch(r"[A-Z][a-z]+", t) and t.lower() not in lower and t.lower() not in _DEMONYMS
        and _plain(t) not in _PLACES for t in tokens)


def _confirmed(mentions: list[_Mention]) -> list[_Mention]:
    """Mentions, less sentence-initial lone words that no other mention spells (or ends with)."""
    keys = {_key(m.text) for m in mentions if not m.unconfirmed}
    tails = {k[-1] for k in keys if k}
    return [m for m in mentions if not m.unconfirmed or _key(m.text) in keys
            or (len(_key(m.text)) == 1 and _key(m.text)[0] in tails)]


def _types(mentions: Sequence[_Mention], texts: Sequence[str], lower: frozenset[str],
           ) -> dict[str, EntityType]:
    person = Counter(m.text for m in mentions if m.person_evidence)
    place = Counter(m.text for m in mentions if m.place_evidence)
    types: dict[str, EntityType] = {}
    for text in texts:
        folded = _plain(text)
        last = folded.rsplit(" ", 1)[-1]
        if folded in _PLACES or (_plain(BUILTIN_ALIASES.get(folded, "")) in _PLACES) or (
                " " in folded and last in _PLACE_WORDS):
            types[text] = "place"
        elif _org_name(text) or _acronym(text) or _plain(BUILTIN_ALIASES.get(folded, "")) in _KNOWN_ORGS:
            types[text] = "organization"
        elif person[text]:
            types[text] = "person"
        elif place[text]:
            types[text] = "place"
        elif _ARABIC_NAME.search(text) or _plain_name(text, lower):
            types[text] = "person"
        else:
            types[text] = "other"
    return types


def _merge(clusters: _Clusters, texts: Sequence[str], types: dict[str, EntityType],
           user: Mapping[str, str], mentions: Sequence[_Mention]) -> None:
    # User aliases first, so rule merges meet the forced canonicals.
    by_plain = defaultdict(list)
    for text in texts:
        by_plain[_plain(text)].append(text)
    for text in texts:
        canonical = user.get(_plain(text))
        for other in by_plain.get(_plain(canonical or ""), ()):
            clusters.union(other, text)
    # Built-in aliases: ISIS, IS, Islamic State; US, U.S., United States.
    builtin: dict[str, list[str]] = defaultdict(list)
    for text in texts:
        folded = _plain(text)
        target = BUILTIN_ALIASES.get(folded, text if folded in {_plain(v) for v in BUILTIN_ALIASES.values()}
                                     else None)
        if target is not None and folded not in user:
            builtin[_plain(target)].append(text)
    for group in builtin.values():
        for other in group[1:]:
            clusters.union(group[0], other)
    # Same spelling after folding, for every type: Tehran / Teheran, Qassem / Qasem Soleimani.
    by_key: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for text in texts:
        key = _key(text)
        if key and (len(key) > 1 or len(key[0]) >= 3):
            by_key[key].append(text)
    for group in by_key.values():
        for i, text in enumerate(group):
            for other in group[i + 1:]:
                if _close(_name_tokens(text), _name_tokens(other)):
                    clusters.union(text, other)
    _merge_people(clusters, texts, types)
    _merge_acronyms(clusters, texts, types)


def _close(left: Sequence[str], right: Sequence[str]) -> bool:
    """Two spellings of one name: same skeleton, and nearly the same letters (Salim is not Salaam)."""
    return (len(left) == len(right) and [_skeleton(t) for t in left] == [_skeleton(t) for t in right]
            and fuzz.ratio(" ".join(left), " ".join(right)) >= MIN_SPELLING_SIMILARITY)


def _merge_people(clusters: _Clusters, texts: Sequence[str], types: dict[str, EntityType]) -> None:
    """A surname alone ("Kadhimi") or a shorter name ("Jing Xu") joins the one longer name ending with
    it; none if two people share it."""
    by_tail: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for text in texts:
        key = _key(text)
        if types[text] == "person" and len(key) >= 2:
            for size in range(1, len(key)):
                by_tail[key[-size:]].append(text)
    for text in texts:
        tokens = _name_tokens(text)
        if not tokens or types[text] not in ("person", "other"):
            continue
        owners = {clusters.find(full) for full in by_tail.get(_key(text), ())
                  if _close(_name_tokens(full)[-len(tokens):], tokens)}
        if len(owners) == 1 and clusters.union(next(iter(owners)), text):
            types[text] = "person"


def _merge_acronyms(clusters: _Clusters, texts: Sequence[str], types: dict[str, EntityType]) -> None:
    """An acronym joins the one organisation whose initials it spells."""
    for text in texts:
        if not _acronym(text):
            continue
        bare = text.replace(".", "")
        owners = {clusters.find(t) for t in texts if t != text and " " in t and types[t] == "organization"
                  and _initials(t) == bare}
        if len(owners) == 1:
            clusters.union(next(iter(owners)), text)


def _records(members: Sequence[Article], mentions: Sequence[_Mention], clusters: _Clusters,
             types: dict[str, EntityType], user: Mapping[str, str]) -> list[dict]:
    grouped: dict[str, list[_Mention]] = defaultdict(list)
    for mention in mentions:
        grouped[clusters.find(mention.text)].append(mention)
    records = []
    for root, group in grouped.items():
        votes = Counter(types[m.text] for m in group)
        kind = _entity_type(votes)
        # An unknown word used only before a noun is an adjective ("Bavarian police"), not a name.
        if kind == "other" and (len(group) < 2 or all(m.attributive and " " not in m.text for m in group)):
            continue
        name = clusters.forced.get(root) or _canonical(group, kind)
        variants: dict[str, list[_Mention]] = defaultdict(list)
        for mention in group:
            variants[mention.text].append(mention)
        first_on_page: dict[str, _Mention] = {}
        for mention in sorted(group, key=lambda m: (m.doc, m.start)):
            first_on_page.setdefault(mention.document, mention)
        roles, seen_roles = [], set()
        for mention in sorted(group, key=lambda m: (m.doc, m.start)):
            if mention.role is None:
                continue
            article = members[mention.doc]
            text = article.body[mention.role[0]:mention.role[1]]
            if kind == "person" or _plain(text) not in seen_roles:
                if _plain(text) in seen_roles:
                    continue
                seen_roles.add(_plain(text))
                roles.append({"text": text, "citation": to_plain(article.cite(*mention.role))})
        pages = sorted(first_on_page)
        records.append({
            "id": content_id(kind, _plain(name), prefix="e"),
            "name": name,
            "type": kind,
            "variants": [{"text": text, "pages": sorted({m.document for m in ms}),
                          "citations": [to_plain(members[m.doc].cite(m.start, m.end))
                                        for m in _first_per_page(ms)]}
                         for text, ms in sorted(variants.items(), key=lambda kv: (-len(kv[1]), kv[0]))],
            "roles": roles if kind == "person" else [],
            "pages": pages,
            "citations": [to_plain(members[m.doc].cite(m.start, m.end)) for m in first_on_page.values()],
            "_weight": (len(pages), len(group)),
        })
    records.sort(key=lambda r: (-r["_weight"][0], -r["_weight"][1], r["name"]))
    for record in records:
        del record["_weight"]
    return records


def _first_per_page(mentions: Sequence[_Mention]) -> list[_Mention]:
    firsts: dict[str, _Mention] = {}
    for mention in sorted(mentions, key=lambda m: (m.doc, m.start)):
        firsts.setdefault(mention.document, mention)
    return list(firsts.values())


def _entity_type(votes: Counter) -> EntityType:
    for kind in ("person", "organization", "place"):
        if votes[kind] and votes[kind] >= max(votes.values()) / 2:
            return kind
    return votes.most_common(1)[0][0]


def _canonical(group: Sequence[_Mention], kind: EntityType) -> str:
    """The form most pages use among the fullest forms: a full name beats a surname or acronym."""
    pages: dict[str, set[str]] = defaultdict(set)
    for mention in group:
        pages[mention.text].add(mention.document)
    builtin = {BUILTIN_ALIASES.get(_plain(t)) for t in pages} - {None}
    if len(builtin) == 1:
        return next(iter(builtin))

    def rank(text: str) -> tuple:
        tokens = len(_name_tokens(text))
        fullness = min(tokens, 3) if kind == "person" else int(not _acronym(text))
        return (fullness, len(pages[text]), sum(1 for m in group if m.text == text), text.count("-"), text)

    return max(pages, key=rank)


def alias_groups(found: Sequence[Mapping]) -> list[list[str]]:
    """Per entity with more than one spelling, its variant texts, canonical name first.

    For the conflicts module: each group is a set of names the pages use for one entity.
    """
    groups = []
    for entity in found:
        texts = [v["text"] for v in entity.get("variants", ())]
        if len(texts) > 1:
            ordered = [entity["name"]] + [t for t in texts if t != entity["name"]]
            groups.append(ordered)
    return groups


