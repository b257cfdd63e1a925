"""Plain-text page cleaner: keep the article lines of a tag-dropped scrape, drop the page chrome."""

from __future__ import annotations

import re
from collections import Counter
from typing import NamedTuple

from newsfuse.clean import textmeta as tm
from newsfuse.clean.boilerplate import BoilerplateModel, host_key
from newsfuse.model import Article, Page, Rejection, Segment

CLEANER_VERSION = "text/1"

# --- thresholds (tuned with /tmp dev script on AEB + CleanPortalEval rendered to visible text) ---
# Features of lines longer than this are estimated from a window, so a 100 MB line stays linear.
FEATURE_WINDOW = 20_000
# Cue rules (menu words, "Related Articles") only apply to short lines: cue words inside real
# sentences must not drop them.
CUE_MAX_WORDS = 8
# Promo sentences ("Get local stories ... to your inbox") are short; longer lines are prose.
PROMO_MAX_WORDS = 25
# Copyright / rights notices can be long legal sentences; beyond this it is text, not a notice.
COPYRIGHT_MAX_WORDS = 120
# A line is prose when it has this many words and reads as a sentence.
PROSE_MIN_WORDS = 8
# A line this long is prose even without sentence punctuation (a paragraph missing its period).
LONG_LINE_WORDS = 20
# CJK text has no spaces: this many characters count as one word.
CJK_CHARS_PER_WORD = 2.0
# Kadane scores: prose adds its word count, chrome subtracts these.
SHORT_PENALTY = 3.0
MENU_PENALTY = 5.0
BOILER_PENALTY = 8.0
TAIL_PENALTY = 60.0
CAPTION_PENALTY = 2.0
CREDIT_PENALTY = 2.0
JUNK_PENALTY = 1.0
# Reader comments can outweigh the article: a comment heading after this many words of the
# run's prose ends the run, and nothing after the first comment header ("jdoe says:") that
# follows this much prose counts.
CUT_MIN_PROSE = 50
# Prose standing alone between non-prose lines (a teaser under its headline) counts this much.
ISOLATED_FACTOR = 0.3
COMMENT_PENALTY = TAIL_PENALTY
COMMENT_HEAD_MAX_WORDS = 15
# A line that is only a date or time ("Tuesday November 19, 2019", "2 days ago") separates teasers.
DATE_PENALTY = BOILER_PENALTY
DATE_MAX_CHARS = 80
# A Title-Case prefix glued to a sentence reads as headline + teaser when it has this many words
# and this share of them capitalised.
GLUED_MIN_WORDS = 4
GLUED_MIN_CAPS = 0.8
# A standfirst (lead paragraph under the headline) is looked for this many lines above the run.
STANDFIRST_LOOKBACK = 3
# A short line kept as a subheading inside the body has at most this many words.
SUBHEAD_MAX_WORDS = 8
# Too little text to call an article (words in the kept body).
MIN_BODY_WORDS = 15

PROSE, SENT, SHORT, MENU, BOILER, TAIL, CAPTION, EMBED, CREDIT, JUNK, COMMENT, REPLY, DATE = range(13)
_SCORES = {
    COMMENT: -COMMENT_PENALTY,
    REPLY: -COMMENT_PENALTY,
    DATE: -DATE_PENALTY,
    SHORT: -SHORT_PENALTY,
    MENU: -MENU_PENALTY,
    BOILER: -BOILER_PENALTY,
    TAIL: -TAIL_PENALTY,
    CAPTION: -CAPTION_PENALTY,
    EMBED: -JUNK_PENALTY,
    CREDIT: -CREDIT_PENALTY,
    JUNK: -JUNK_PENALTY,
}

_LINE = re.compile(r"[^\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
_HAS_WORD = re.compile(r"[^\W_]")
_TEMPLATE = re.compile(r"^(?:\[[\w-]{1,40}\]|\{\{.{0,80}\}\}|\{%.{0,80}%\}|<[^>]{0,80}>)$")
_TERMINAL = re.compile(r"[.!?。！？…:;]['\"”’»)\]]*$")
_INNER_SENTENCE = re.compile(r"[.!?。！？][\"”’»)]?\s+[\"“‘«(]?[A-Z0-9\u00c0-\u024f]")
_BOILER = re.compile(
    r"^(?:share(?: this(?: article| story| page| post)?| on \w+| via \w+| - \w+)?|tweet|e-?mail|print|"
    r"whatsapp|facebook|twitter|linkedin|pinterest|reddit|instagram|youtube|telegram|wechat|weibo|"
    r"copy(?: link)?|comments?|advertisement|advertising|advert|ad|sponsored(?: content)?|promoted|"
    r"sign up(?: here| now| today)?|subscribe(?: now| today| here)?|log ?in|log ?out|sign in|"
    r"register|my account|skip to (?:main )?content|skip navigation|menu|search|home|close|"
    r"back to top|top|next|previous|prev|more|load more|show more|see more|view more|"
    r"continue reading(?: the main story| below)?|read more|read full (?:story|article)|full story|"
    r"click here.*|follow us(?: on \w+)?|listen(?: to this article)?|watch|play|video|photos?|"
    r"gallery|images?|privacy(?: policy)?|terms of (?:use|service)|cookie policy|contact us|"
    r"about us|permalink|report|reply|like|loading\.*|newsletter)\W*$",
    re.IGNORECASE,
)
_PROMO = re.compile(
    r"sign up|subscribe to|newsletter|to your inbox|download (?:the|our) app|follow us on|"
    r"click here|share this|opens in (?:a )?new window|javascript|your browser|terms of use|"
    r"privacy policy|cookies? (?:policy|settings)|we use cookies|accept cookies|"
    r"continue reading|read more\W*$|read full (?:story|article)",
    re.IGNORECASE,
)
_COPYRIGHT = re.compile(r"^(?:©|\(c\)\s*\d|copyright\b)|all rights reserved", re.IGNORECASE)
_TAIL = re.compile(
    r"^\W*(?:related(?: articles?| stories| posts?| content| coverage| news| links| topics| reading|"
    r" videos?| items)?|(?:most|more) (?:read|popular|viewed|shared|commented|emailed|watched)\b.*|"
    r"just posted|latest(?: news| stories| articles| headlines| videos)?|"
    r"top (?:stories|news|headlines)|today'?s top news|trending(?: now| stories| news)?|"
    r"recommended(?: for you| stories| articles| reading)?|"
    r"(?:you|we) (?:may|might) (?:also )?(?:like|enjoy|be interested in).*|also read|"
    r"read (?:next|also)|what to read next|more (?:from|in|on|about) .{1,40}|"
    r"more (?:stories|news|articles|headlines|videos)|other news.*|editor'?s'? picks?|"
    r"around the web|from (?:around )?the web|promoted stories|sponsored stories|"
    r"further reading|"
    r"see also|tags|topics|filed under.*|categories|about the author|share this|"
    r"leia (?:também|mais)|veja também|notícias relacionadas|relacionad[ao]s|leggi anche|"
    r"articoli correlati|lesen sie auch|mehr zum thema|(?:à )?lire aussi|sur le même sujet|"
    r"baca juga|berita terkait|artikel terkait|te puede interesar|noticias relacionadas|"
    r"관련 ?기사|相关(?:新闻|阅读|文章)|推荐阅读|関連記事)\W*$",
    re.IGNORECASE,
)
# Headings that open a reader-comment section.
_COMMENTS = re.compile(
    r"^\W*(?:(?:\d+ |top |most |all |view |show |read |recent |reader |user |rated )*"
    r"(?:comments?|responses?|replies|reactions|discussion)(?: \(\d+\))?(?: to .*)?|"
    r"leave a (?:comment|reply)|post a comment|add a comment|join the (?:conversation|discussion)|"
    r"comentários|commenti|kommentare|commentaires|comentarios|komentar)\W*$",
    re.IGNORECASE,
)
# "jdoe says:", "Milan on September 12, 2018 at 4:47 pm said:": a reader comment starts.
# A quote lead-in ("The minister said:") has the same shape, so a header needs a one-token user
# name or a date/time.
_COMMENT_HEAD = re.compile(
    r"^(?:\S+|.{1,80}\d:\d\d.{0,20}|.{0,40}\b(?:19|20)\d\d\b.{0,40}) "
    r"(?:says|said|wrote|replied|dice|disse|a écrit|schrieb):$"
)
# "More Washington Examiner": a sidebar of the outlet's other stories.
_MORE_FROM = re.compile(r"^More(?: [A-Z][\w'’.&-]*){1,4}$")
_DATE_MARK = re.compile(
    r"\d:\d\d|\d{1,4}[-/.]\d{1,2}[-/.]\d{2,4}|\b(?:19|20)\d\d\b|\d+ \w+ ago\b", re.IGNORECASE
)
_DATE_WORDS = frozenset(
    list(tm.MONTHS)
    + "mon tue tues wed thu thur thurs fri sat sun monday tuesday wednesday thursday friday saturday "
    "sunday am pm a m p at on by the of st nd rd th ago just now hour hours hr hrs minute minutes "
    "min mins day days week weeks month months year years updated published posted modified "
    "last edited gmt utc et pt ct mt est edt pst pdt cst cdt bst cet cest ist hkt jst".split()
)
# "READ MORE: <headline>", "RELATED: <headline>": an inline link to another story.
_LINK_LEAD = re.compile(
    r"^(?:read more|read also|also read|related|see also|watch|read|more|listen|don'?t miss|"
    r"recommended|leia (?:também|mais)|veja também|leggi anche|lesen sie auch|lire aussi|"
    r"baca juga)\s*(?::|>>|»|-|–|—|\|)\s*\S",
    re.IGNORECASE,
)
# A teaser that links on: "... Continue reading", "impoRead More – Source".
_READ_ON = re.compile(
    r"(?:read more|continue reading|read full (?:story|article)|full story)(?:\W+source)?\W*$",
    re.IGNORECASE,
)
# A truncated teaser: "... with Realtek Bluetooth..." (prose that stops mid-sentence).
_TRUNCATED = re.compile(r"(?:\w|,)\s?(?:\.\.\.|…)\s*$")
# "Police: 2 In Custody After DeathA 24-year-old woman ...": a Title-Case headline glued to its
# teaser by a tag-dropping scraper.
_GLUED = re.compile(r"[a-z0-9’'\")?!.]([A-Z][a-z]+|A) ")


class _Line(NamedTuple):
    text: str
    start: int
    words: float
    kind: int


def _words(text: str) -> float:
    """Word count estimate: whitespace tokens, or CJK characters when the script has no spaces."""
    if len(text) > FEATURE_WINDOW:
        sample = text[:FEATURE_WINDOW]
        return _words(sample) * len(text) / FEATURE_WINDOW
    spaced = len(text.split())
    if spaced * 8 < len(text):  # few spaces: maybe CJK
        cjk = len(_CJK.findall(text))
        return max(float(spaced), cjk / CJK_CHARS_PER_WORD)
    return float(spaced)


def _glued_headline(text: str) -> bool:
    """Whether a line starts with a Title-Case headline glued to the sentence after it."""
    for m in _GLUED.finditer(text, 0, 300):
        words = text[: m.start() + 1].split()
        if len(words) < GLUED_MIN_WORDS:
            continue
        caps = sum(1 for w in words if w[:1].isupper() or not w[:1].isalpha())
        return caps >= GLUED_MIN_CAPS * len(words)
    return False


def _is_date_only(text: str) -> bool:
    """Whether a short line holds nothing but a date/time ("| November 18, 2019 12:26 PM")."""
    if not _DATE_MARK.search(text):
        return False
    return all(w in _DATE_WORDS for w in re.findall(r"[^\W\d_]+", text.lower()))


def _kind(text: str, words: float) -> int:
    """The line's class from its own text (context comes later)."""
    head = text[:FEATURE_WINDOW]
    if not _HAS_WORD.search(head) or _TEMPLATE.match(head[:200]):
        return JUNK
    if words <= CUE_MAX_WORDS:
        if _TAIL.match(head):
            return TAIL
        if _COMMENTS.match(head):
            return COMMENT
        if _BOILER.match(head):
            return BOILER
        if _MORE_FROM.match(head):
            return TAIL
    if words <= COMMENT_HEAD_MAX_WORDS and _COMMENT_HEAD.match(head):
        return REPLY
    if len(head) <= DATE_MAX_CHARS and _is_date_only(head):
        return DATE
    if words <= PROMO_MAX_WORDS and (_LINK_LEAD.match(head) or _TRUNCATED.search(head[-50:])):
        return BOILER
    if words <= PROMO_MAX_WORDS * 2 and _glued_headline(head):
        return BOILER
    if _READ_ON.search(head[-60:]):
        return BOILER
    if words <= COPYRIGHT_MAX_WORDS and _COPYRIGHT.search(head[:2000]):
        return BOILER
    if words <= PROMO_MAX_WORDS and _PROMO.search(head):
        return BOILER
    if tm.is_embed(text):
        return EMBED
    if tm.is_caption(text):
        return CAPTION
    if words <= 20 and tm.credit_of(text) is not None:
        return CREDIT
    tail = text[-200:]
    terminal = bool(_TERMINAL.search(tail))
    if words >= LONG_LINE_WORDS or (
        words >= PROSE_MIN_WORDS and (terminal or _INNER_SENTENCE.search(head))
    ):
        return PROSE
    if terminal and words >= 3 and not text.endswith(":"):
        return SENT
    return SHORT


def split_lines(content: str) -> list[tuple[str, int]]:
    """Non-blank stripped lines of a text with the offset where each starts in it."""
    out = []
    for m in _LINE.finditer(content):
        raw = m.group()
        text = raw.strip()
        if text:
            out.append((text, m.start() + len(raw) - len(raw.lstrip())))
    return out


def _classify(content: str, drop: frozenset[str]) -> list[_Line]:
    pairs = split_lines(content)
    short_counts = Counter(t for t, _ in pairs if len(t) <= 200)
    lines = []
    for text, start in pairs:
        words = _words(text)
        kind = BOILER if text in drop else _kind(text, words)
        if kind == SHORT and short_counts[text] > 1:
            kind = MENU
        lines.append(_Line(text, start, words, kind))
    return lines


def _scores(lines: list[_Line]) -> list[float]:
    """Each line's contribution to a run: prose words, minus a penalty for chrome."""
    out = []
    n = len(lines)
    prose_seen = 0.0
    in_comments = False
    for i, line in enumerate(lines):
        if line.kind == REPLY and prose_seen >= CUT_MIN_PROSE:
            in_comments = True
        if line.kind in (PROSE, SENT):
            prose_seen += line.words
            score = 0.0 if in_comments else line.words
            prev_prose = i > 0 and lines[i - 1].kind in (PROSE, SENT)
            next_prose = i + 1 < n and lines[i + 1].kind in (PROSE, SENT)
            if not prev_prose and not next_prose:
                score *= ISOLATED_FACTOR
        else:
            score = _SCORES[line.kind]
        out.append(score)
    return out


def _best_run(lines: list[_Line]) -> tuple[int, int]:
    """The contiguous run of lines with the highest score (maximum-subarray, linear)."""
    best, best_span = 0.0, (0, -1)
    run, run_start = 0.0, 0
    for i, score in enumerate(_scores(lines)):
        if run <= 0:
            run, run_start = 0.0, i
        run += score
        if run > best:
            best, best_span = run, (run_start, i)
    return best_span


def _cut_comments(lines: list[_Line], lo: int, hi: int) -> int:
    """End the run before a reader-comment section it bridged into after the article."""
    prose = 0.0
    for i in range(lo, hi + 1):
        kind = lines[i].kind
        if kind in (COMMENT, REPLY) and prose >= CUT_MIN_PROSE:
            return i - 1
        if kind in (PROSE, SENT):
            prose += lines[i].words
    return hi


def _lead(lines: list[_Line], lo: int) -> int:
    """Start the run at the standfirst when one stands just above it, across chrome lines."""
    for i in range(lo - 1, max(-1, lo - 1 - STANDFIRST_LOOKBACK), -1):
        kind = lines[i].kind
        if kind == PROSE:
            return i
        if kind in (TAIL, COMMENT, REPLY, SENT):
            break
    return lo


def _keep(lines: list[_Line], lo: int, hi: int) -> list[int]:
    """Indices of the lines of the chosen run that belong to the article."""
    kept: list[int] = []
    seen: set[str] = set()
    for i in range(lo, hi + 1):
        line = lines[i]
        keep = line.kind in (PROSE, SENT)
        if line.kind in (SHORT, MENU) and line.words <= SUBHEAD_MAX_WORDS:
            prev_ok = i > lo and lines[i - 1].kind in (PROSE, SENT)
            next_ok = i < hi and lines[i + 1].kind in (PROSE, SENT)
            keep = prev_ok and next_ok
        if keep and i + 1 <= hi and tm.is_embed_signature(lines[i + 1].text):
            keep = False  # the text of an embedded tweet, signed on the next line
        if keep and line.text in seen:
            keep = False  # the page repeats the block
        if keep:
            kept.append(i)
            seen.add(line.text)
    return kept


def _roles(lines: list[_Line], kept: list[int], lo: int, hi: int) -> list[tm.TextLine]:
    """Each line with the role metadata rules read it by."""
    keep = set(kept)
    first = kept[0] if kept else lo
    roles = []
    in_sidebar = False
    for i, line in enumerate(lines):
        if i in keep:
            role = tm.BODY
        elif line.kind == EMBED or (i + 1 < len(lines) and tm.is_embed_signature(lines[i + 1].text)):
            role = tm.EMBED
        elif i < first:
            role = tm.CAPTION if line.kind == CAPTION else tm.HEAD
        elif line.kind == TAIL or in_sidebar:
            in_sidebar = in_sidebar or i > hi
            role = tm.SIDEBAR
        elif i > hi:
            role = tm.TAIL
        elif line.kind == CAPTION:
            role = tm.CAPTION
        elif line.kind == CREDIT:
            role = tm.CREDIT
        else:
            role = tm.BOILER
        roles.append(tm.TextLine(line.text, role))
    return roles


def clean_text_page(page: Page, *, boilerplate: BoilerplateModel | None = None) -> Article | Rejection:
    """Clean one plain-text page into an Article, or a Rejection when no article text remains."""
    try:
        return _clean(page, boilerplate)
    except Exception as exc:  # a page must never stop a run: report it instead
        return Rejection(page.id, page.source, "clean_error", f"{type(exc).__name__}: {exc}", page.sha256)


def _clean(page: Page, boilerplate: BoilerplateModel | None) -> Article | Rejection:
    content = page.content if isinstance(page.content, str) else ""
    key = host_key(page.outlet, page.url)
    drop = boilerplate.lines_for(key) if boilerplate is not None else frozenset()
    lines = _classify(content, drop)
    lo, hi = _best_run(lines)
    hi = _cut_comments(lines, lo, hi)
    lo = _lead(lines, lo)
    kept = _keep(lines, lo, hi)
    words = sum(lines[i].words for i in kept)
    if words < MIN_BODY_WORDS:
        detail = f"{len(lines)} lines, no run of article-like text (kept {words:.0f} words)"
        return Rejection(page.id, page.source, "no_article", detail, page.sha256)
    parts: list[str] = []
    segments: list[Segment] = []
    pos = 0
    for i in kept:
        line = lines[i]
        if parts:
            pos += 2
        segments.append(Segment(pos, line.start, len(line.text)))
        parts.append(line.text)
        pos += len(line.text)
    meta = tm.extract_metadata(page, _roles(lines, kept, lo, hi))
    cleaner = CLEANER_VERSION if boilerplate is None else f"{CLEANER_VERSION}+{boilerplate.version}"
    return Article(
        id=page.id,
        source=page.source,
        body="\n\n".join(parts),
        language="und",
        meta=meta,
        segments=tuple(segments),
        raw_sha256=page.sha256,
        cleaner=cleaner,
        url=page.url,
    )
