"""Boilerplate: generic cues of page chrome, and lines learned to repeat across one outlet's pages."""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

# --- learned model -------------------------------------------------------------------------
# A line must recur on at least this many pages of one outlet to count as chrome.
MIN_PAGES = 3
# ... and on at least this share of the outlet's pages, so that rotating "most read" headlines
# on a big crawl do not all become chrome.
MIN_SHARE = 0.3
# Longer lines are article text even when repeated (a syndicated paragraph), never chrome.
MAX_LINE_CHARS = 300

# --- generic cues (whole-line matches on short lines, so article sentences never match) -----
# Lines that are chrome by themselves: share bars, menus, buttons, ad slots.
CHROME = re.compile(
    r"^(?:share(?: this(?: article| story| page| post)?| on \w+| via \w+| - \w+)?|tweet|e-?mail|"
    r"print|whatsapp|facebook|twitter|linkedin|pinterest|reddit|instagram|youtube|telegram|wechat|"
    r"weibo|copy(?: link)?|comments?|advertisement|advertising|advert|ad|sponsored(?: content)?|"
    r"promoted|sign up(?: here| now| today)?|subscribe(?: now| today| here)?|log ?in|log ?out|"
    r"sign in|register|my account|skip to (?:main )?content|skip navigation|menu|search|home|close|"
    r"back to top|top|next|previous|prev|more|load more|show more|see more|view more|"
    r"continue reading(?: the main story| below)?|read more|read full (?:story|article)|"
    r"full story|click here.*|follow us(?: on \w+)?|listen(?: to this article)?|watch|play|video|"
    r"photos?|gallery|images?|privacy(?: policy)?|terms of (?:use|service)|cookie policy|"
    r"contact us|about us|permalink|report|reply|like|loading\.*|newsletter)\W*$",
    re.IGNORECASE,
)
# A form's consent line, in a sign-up box or a sentence of its own.
_FORM_CONSENT = (r"by (?:submitting|signing up|clicking|registering)[^.]{0,60}you agree to"
                 r"|unsubscribe at any time")
# Promotional sentences: newsletter sign-ups, cookie notices, app nags.
PROMO = re.compile(
    r"sign up (?:for|to) (?:our|the|a|free)\b|sign up (?:here|now|today)|"
    r"subscribe (?:to|for) (?:our|the)\b|(?:our|free|daily|weekly) newsletters?\b|to your inbox|"
    r"download (?:the|our) app|follow us on|(?:join|like) us on facebook|join our mailing list|"
    r"click here|share this (?:article|story|page|post)|we respect your privacy|"
    rf"{_FORM_CONSENT}|"
    r"opens in (?:a )?new window|enable javascript|your browser|terms of use|privacy policy|"
    r"cookies? (?:policy|settings)|we use cookies|accept cookies|"
    r"you have (?:successfully |succesfully )?subscribed|your subscription|activation link|"
    r"continue reading|read full (?:story|article)",
    re.IGNORECASE,
)
# A sentence that asks the reader to act ("Follow us on Twitter for more", "By signing up you agree
# to ..."): no news, even when a paragraph of the article holds it. Briefs and facts skip it.
CALL_TO_ACTION = re.compile(
    r"^\W*(?:follow|like|join|find)\s+(?:us|me|[A-Z][\w.&'-]*(?:\s+[A-Z][\w.&'-]*){0,3})\s+on\s+"
    r"(?:twitter|facebook|instagram|youtube|tiktok|linkedin|snapchat)\b"
    r"|^\W*(?:sign up|subscribe (?:to|for|now|today)|click here|tap here|download (?:the|our)|read more"
    r"|share this)\b"
    rf"|\b(?:{_FORM_CONSENT})|\bvisit\s+(?:https?://|www\.)",
    re.IGNORECASE,
)
# What a fetch service, player or embed shows in place of the page: a web archive's crawl notice
# (pages fetched through the Wayback Machine carry it instead of the article), a social embed's
# location prompt, a video player's error lines, a host's error page. Verbatim phrases of those
# services only, so an article about the archive or the service never matches. Plain phrases,
# looked up in the lower-cased paragraph: a regular expression of them cost 37 µs a paragraph.
SERVICE_NOTICE_PHRASES = (
    "alexa internet has been donating their crawl data", "alexa internet has been donating its crawl data",
    "these crawls are part of an effort to archive pages",
    "added to the wayback machine after an embargo period",
    "warc files associated with this crawl are not currently available",
    "the seed for this crawl was", "slash pages from every domain on the web",
    "this crawl was run at a level", "using the archive-it service",
    "you can add location information to your tweets", "when you tweet with a location, twitter",
    "the interactive transcript could not be loaded", "rating is available when the video has been rented",
    "this feature is not available right now. please try again later",
    "the page you requested could not be found", "your custom domain mapping may take",
    "replay more videos",
)
# ... and notices told by how the paragraph opens, or by being all of it.
SERVICE_NOTICE_OPENINGS = (
    "this data is currently not publicly accessible", "crawl start date", "crawl end date",
    "crawl of outlinks from", "media playback is unsupported on your device",
)
SERVICE_NOTICE_WHOLE = ("add a location to your tweets", "tweet with a location")
# A service notice runs to a paragraph (the web archive's is 90 words); a longer one is article.
NOTICE_MAX_WORDS = 150


def is_service_notice(paragraph: str) -> bool:
    """Whether a paragraph is a fetch service's, player's or embed's notice (see SERVICE_NOTICE_PHRASES)."""
    words = paragraph.lower().split()
    if len(words) > NOTICE_MAX_WORDS:
        return False
    text = " ".join(words)
    return (any(phrase in text for phrase in SERVICE_NOTICE_PHRASES)
            or text.startswith(SERVICE_NOTICE_OPENINGS)
            or text.rstrip(" .:!") in SERVICE_NOTICE_WHOLE)


COPYRIGHT = re.compile(r"^(?:©|\(c\)\s*\d|copyright\b)|all rights reserved", re.IGNORECASE)
# Headings that open a block of other stories: the article does not go on under them.
SIDEBAR_HEADING = re.compile(
    r"^\W*(?:related(?: [^.!?]{1,60})?|(?:most|more) (?:read|popular|viewed|shared|commented|emailed|"
    r"watched)\b.*|just posted|latest(?: news| stories| articles| headlines| videos)?|"
    r"top (?:stories|news|headlines)|today'?s top news|trending(?: now| stories| news)?|"
    r"recommended(?: for you| stories| articles| reading)?|"
    r"(?:you|we) (?:may|might) (?:also )?(?:like|enjoy|be interested in).*|also read|"
    r"read (?:next|also)|what to read next|more (?:from|in|on|about) .{1,40}|"
    r"more (?:stories|news|articles|headlines|videos)|other news.*|editor'?s'? picks?|"
    r"around the web|from (?:around )?the web|promoted stories|sponsored stories|"
    r"further reading|see also|tags|topics|filed under.*|categories|about the author|share this|"
    r"leia (?:também|mais)|veja também|notícias relacionadas|relacionad[ao]s|leggi anche|"
    r"articoli correlati|lesen sie auch|mehr zum thema|(?:à )?lire aussi|sur le même sujet|"
    r"baca juga|berita terkait|artikel terkait|te puede interesar|noticias relacionadas|"
    r"관련 ?기사|相关(?:新闻|阅读|文章)|推荐阅读|関連記事)\W*$",
    re.IGNORECASE,
)
# "More Washington Examiner": a block of the outlet's other stories.
MORE_FROM = re.compile(r"^More(?: [A-Z][\w'’.&-]*){1,4}$")
# Headings that open a reader-comment section.
COMMENTS_HEADING = re.compile(
    r"^\W*(?:(?:\d+ |top |most |all |view |show |read |recent |reader |user |rated |add a |"
    r"post a |leave a )*(?:comments?|responses?|replies|reply|reactions|discussion)"
    r"(?: \(\d+\))?(?: to .*)?|join the (?:conversation|discussion)|"
    r"comentários|commenti|kommentare|commentaires|comentarios|komentar)\W*$",
    re.IGNORECASE,
)
# "jdoe says:", "Milan on September 12, 2018 at 4:47 pm said:": one reader comment starts. A
# quote lead-in ("The minister said:") has the same shape, so a header needs a one-token user
# name or a date/time.
COMMENT_HEADER = re.compile(
    r"^(?:\S+|.{1,80}\d:\d\d.{0,20}|.{0,40}\b(?:19|20)\d\d\b.{0,40}) "
    r"(?:says|said|wrote|replied|dice|disse|a écrit|schrieb)\s?:$"
)
# "READ MORE: <headline>", "RELATED: <headline>": an inline link to another story.
LINK_LEAD = re.compile(
    r"^(?:read more|read also|also read|related|see also|watch|read|more|listen|don'?t miss|"
    r"recommended|leia (?:também|mais)|veja também|leggi anche|lesen sie auch|lire aussi|"
    r"baca juga)\s*(?::|>>|»|-|–|—|\|)\s*\S",
    re.IGNORECASE,
)
# A teaser that links on: "... Continue reading", "impoRead More – Source".
READ_ON = re.compile(
    r"(?:read more|continue reading|read full (?:story|article)|full story)(?:\W+source)?\W*$",
    re.IGNORECASE,
)
# A truncated teaser: "... with Realtek Bluetooth..." (prose that stops mid-sentence).
TRUNCATED = re.compile(r"(?:\w|,)\s?(?:\.\.\.|…)\s*$")
# Template placeholders a scraper left: "[contf]", "{{ title }}", "<br>".
TEMPLATE = re.compile(r"^(?:\[[\w-]{1,40}\]|\{\{.{0,80}\}\}|\{%.{0,80}%\}|<[^>]{0,80}>)$")
# A template placeholder left unrendered inside a line ("We have sent a confirmation email to
# {* data_emailAddress *}", "Sign in using your account with: {* loginWidget *}"): the line is a
# sign-in or sign-up form's text, never article prose.
UNRENDERED = re.compile(r"\{\{[^{}\n]{1,80}\}\}|\{%[^{}\n]{1,80}%\}|\{\*[^{}\n]{1,80}\*\}")


def host_key(outlet: str | None, url: str | None) -> str | None:
    """The key pages of one outlet share: the declared outlet, else the URL host without www."""
    if outlet and outlet.strip():
        return outlet.strip().lower()
    if url:
        try:
            host = urlsplit(url.strip()).hostname or ""
        except ValueError:
            host = ""
        host = host.lower().removeprefix("www.")
        return host or None
    return None


@dataclass(frozen=True, slots=True)
class BoilerplateModel:
    """Lines known to be chrome, per outlet key; `version` is a hash of the content."""

    entries: tuple[tuple[str, frozenset[str]], ...]
    version: str = field(init=False)
    _index: dict[str, frozenset[str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        digest = hashlib.sha256()
        for key, lines in sorted(self.entries):
            digest.update(key.encode("utf-8", "surrogatepass") + b"\x1e")
            for line in sorted(lines):
                digest.update(line.encode("utf-8", "surrogatepass") + b"\x1f")
        object.__setattr__(self, "version", f"bp-{digest.hexdigest()[:12]}")
        object.__setattr__(self, "_index", dict(self.entries))

    def lines_for(self, key: str | None) -> frozenset[str]:
        """The chrome lines of one outlet (empty when the outlet is unknown)."""
        if key is None:
            return frozenset()
        return self._index.get(key, frozenset())


def build_boilerplate(
    pages: Iterable[tuple[str | None, Iterable[str]]],
    *,
    min_pages: int = MIN_PAGES,
    min_share: float = MIN_SHARE,
) -> BoilerplateModel:
    """Learn chrome lines from (outlet_key, lines of one page) pairs; same input, same model."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    for key, lines in pages:
        if not key:
            continue
        totals[key] += 1
        unique = {s for s in (line.strip() for line in lines) if s and len(s) <= MAX_LINE_CHARS}
        counts[key].update(unique)
    entries = []
    for key in sorted(counts):
        need = max(min_pages, min_share * totals[key])
        chrome = frozenset(line for line, n in counts[key].items() if n >= need)
        if chrome:
            entries.append((key, chrome))
    return BoilerplateModel(tuple(entries))
