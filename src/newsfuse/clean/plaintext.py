"""Plain-text page cleaner: keep the article lines of a tag-dropped scrape, drop the page chrome.

Each non-blank line gets a kind from its own text (prose, short line, chrome cue, caption, credit,
embed chrome, sidebar or comment heading, ...). Prose scores its word count, everything else a
penalty, and the article is the highest-scoring contiguous run of lines (maximum subarray, one
linear pass). Inside the run, prose and subheadings sandwiched between prose are kept; captions,
credits, embeds, chrome and repeated lines are dropped. Every kept line is a verbatim slice of
the page, recorded as a Segment.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import NamedTuple

from newsfuse.clean import boilerplate as bp
from newsfuse.clean import textmeta as tm
from newsfuse.clean.boilerplate import BoilerplateModel, host_key
from newsfuse.model import Article, Page, Rejection, Segment

# Recorded on every article; raised whenever the same page would clean to a different body
# (2: service notices and form lines with unrendered template placeholders are chrome; 3: sign-up
# boxes, video playlist and player caption lines, BBC picture captions).
CLEANER_VERSION = "text/3"

# Thresholds were tuned with a throwaway script on AEB (181 pages) and CleanPortalEval (71 pages)
# rendered to their visible text by newsfuse.bench.render, scored with the AEB shingle metric:
# F1 0.671 -> 0.930 on AEB and 0.591 -> 0.945 on CleanPortalEval (uncleaned -> cleaned). The
# figures below are AEB F1 when the constant alone is moved (final rules, others fixed).

# Features of lines longer than this are estimated from a window, so a 100 MB line stays linear.
FEATURE_WINDOW = 20_000
# Cue rules (menu words, "Related Articles") apply to lines up to this many words only, so a cue
# word inside a real sentence never drops it.
CUE_MAX_WORDS = 8
# Promo sentences ("Get local stories ... to your inbox") and teasers are short.
PROMO_MAX_WORDS = 25
# A teaser cut off with "..." can be a few sentences long (25/60/120: 0.923/0.924/0.921).
TEASER_MAX_WORDS = 60
# Copyright notices can be long legal sentences; beyond this it is text, not a notice.
COPYRIGHT_MAX_WORDS = 120
# A long line with no punctuation is a word list (tags, menu) when it starts lower-case or has
# more than this share of capitalised words.
WORD_LIST_CAPS = 0.6
# A line is prose when it has this many words and reads as a sentence (5/8/12: 0.930/0.930/0.928)
PROSE_MIN_WORDS = 8
# ... or this many words even without sentence punctuation, a paragraph missing its period
# (15/20/30: 0.926/0.930/0.929).
LONG_LINE_WORDS = 20
# A short line ending like a sentence ("But it's not nearly that simple.") from this many words.
SENTENCE_MIN_WORDS = 3
# CJK text has no spaces: this many characters count as one word.
CJK_CHARS_PER_WORD = 2.0
# Run scores: prose adds its word count, other lines subtract these. Penalties are in words: a
# short line costs about a third of a short sentence (short 1/2/3/5: 0.924/0.926/0.930/0.923),
# a menu word repeated on the page more, a chrome cue (4/8/15: 0.929/0.930/0.931) more still.
SHORT_PENALTY = 3.0
MENU_PENALTY = 5.0
CHROME_PENALTY = 8.0
# A sidebar heading ("Just Posted") needs about two paragraphs of prose after it to be bridged,
# as happens for "Related" boxes inside an article (20/40/60/100: 0.927/0.928/0.930/0.923).
SIDEBAR_PENALTY = 60.0
COMMENT_PENALTY = SIDEBAR_PENALTY
CAPTION_PENALTY = 2.0
CREDIT_PENALTY = 2.0
JUNK_PENALTY = 1.0
# A line holding only a date/time ("Tuesday November 19, 2019") separates teasers like chrome.
DATE_PENALTY = CHROME_PENALTY
DATE_MAX_CHARS = 80
# Prose alone between non-prose lines (a teaser under its headline) counts this share of its
# words (1.0/0.5/0.3/0.2: 0.911/0.923/0.930/0.932; 0.2 starts to cost recall, kept 0.3).
ISOLATED_FACTOR = 0.3
# Reader comments can outweigh the article: after this many words of prose, a comment header
# ("jdoe says:") makes later prose count nothing and a comment heading ends the run.
CUT_MIN_PROSE = 50
COMMENT_HEADER_MAX_WORDS = 15
# A Title-Case prefix glued to a sentence ("...Of U of M-Dearborn Student-AthleteA 24-year-old
# woman") is a headline + teaser when it has this many words, this share capitalised.
GLUED_MIN_WORDS = 4
GLUED_MIN_CAPS = 0.8
GLUED_MIN_LEFT = 4
# A standfirst (lead paragraph under the headline) is taken from up to this many lines above
# the run, across chrome: costs AEB 0.001 F1 (its gold omits standfirsts) but keeps the lede.
STANDFIRST_LOOKBACK = 3
# A short line kept as a subheading inside the body has at most this many words (5/8/12:
# 0.928/0.930/0.930): longer unpunctuated lines between paragraphs are inline related links.
SUBHEAD_MAX_WORDS = 8
# Too little text to call an article (words in the kept body).
MIN_BODY_WORDS = 15
# A learned boilerplate model that would remove more than this share of the body is wrong for
# this page (an outlet re-running the same story), and is not applied to its prose.
MAX_LEARNED_DROP = 0.5

# Line kinds.
(PROSE, SENT, SHORT, MENU, CHROME, SIDEBAR, CAPTION, EMBED, CREDIT, JUNK, COMMENT, REPLY, DATE,
 TEASER) = range(14)
_TEXT_KINDS = (PROSE, SENT)
_PENALTIES = {
    SHORT: SHORT_PENALTY,
    MENU: MENU_PENALTY,
    CHROME: CHROME_PENALTY,
    SIDEBAR: SIDEBAR_PENALTY,
    CAPTION: CAPTION_PENALTY,
    EMBED: JUNK_PENALTY,
    CREDIT: CREDIT_PENALTY,
    JUNK: JUNK_PENALTY,
    COMMENT: COMMENT_PENALTY,
    REPLY: COMMENT_PENALTY,
    DATE: DATE_PENALTY,
    TEASER: CHROME_PENALTY,
}

_LINE = re.compile(r"[^\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
_HAS_WORD = re.compile(r"[^\W_]")
_TERMINAL = re.compile(r"[.!?。！？…:;]['\"”’»)\]]*$")
_INNER_SENTENCE = re.compile(r"[.!?。！？][\"”’»)]?\s+[\"“‘«(]?[A-Z0-9\u00c0-\u024f]")
_GLUE = re.compile(r"[a-z0-9’'\")?!.]([A-Z][a-z]+|A) ")
_DATE_MARK = re.compile(r"\d:\d\d|\d{1,4}[-/.]\d{1,2}[-/.]\d{2,4}|\b(?:19|20)\d\d\b|\d+ \w+ ago\b")
_ALPHA = re.compile(r"[^\W\d_]+")
_DATE_WORDS = frozenset(tm.MONTHS) | {
    "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "monday", "tuesday",
    "wednesday", "thursday", "friday", "saturday", "sunday", "am", "pm", "a", "m", "p", "at", "on",
    "by", "the", "of", "st", "nd", "rd", "th", "ago", "just", "now", "hour", "hours", "hr", "hrs",
    "minute", "minutes", "min", "mins", "day", "days", "week", "weeks", "month", "months", "year",
    "years", "updated", "published", "posted", "modified", "last", "edited", "gmt", "utc", "et",
    "pt", "ct", "mt", "est", "edt", "pst", "pdt", "cst", "cdt", "bst", "cet", "cest", "ist", "hkt",
    "jst"
}


class _Line(NamedTuple):
    text: str
    start: int
    words: float
    kind: int


def split_lines(content: str) -> list[tuple[str, int]]:
    """Non-blank stripped lines of a text with the offset where each starts in it."""
    out = []
    for m in _LINE.finditer(content):
        raw = m.group()
        text = raw.strip()
        if text:
            out.append((text, m.start() + len(raw) - len(raw.lstrip())))
    return out


def estimate_words(text: str) -> float:
    """Word count estimate: whitespace tokens, or CJK characters when the script has no spaces."""
    if len(text) > FEATURE_WINDOW:  # count separators instead of building a huge token list
        spaced = text.count(" ") + text.count("\t") + 1
        cjk = len(_CJK.findall(text, 0, FEATURE_WINDOW)) * len(text) / FEATURE_WINDOW
        return max(float(spaced), cjk / CJK_CHARS_PER_WORD)
    spaced = len(text.split())
    if spaced * 8 < len(text):  # few spaces for its length: maybe a CJK line
        return max(float(spaced), len(_CJK.findall(text)) / CJK_CHARS_PER_WORD)
    return float(spaced)


def _glued_headline(text: str) -> bool:
    """Whether a line starts with a Title-Case headline glued to the sentence after it."""
    for m in _GLUE.finditer(text, 0, 300):
        words = text[: m.start() + 1].split()
        if len(words[-1]) < GLUED_MIN_LEFT:
            continue  # McPherson, MacBook, YouTube: one camel-case name, not two texts
        if len(words) >= GLUED_MIN_WORDS:
            caps = sum(1 for w in words if w[:1].isupper() or not w[:1].isalpha())
            return caps >= GLUED_MIN_CAPS * len(words)
    return False


def _date_only(text: str) -> bool:
    """Whether a short line holds nothing but a date/time ("| November 18, 2019 12:26 PM")."""
    if len(text) > DATE_MAX_CHARS or not _DATE_MARK.search(text):
        return False
    return all(w in _DATE_WORDS for w in _ALPHA.findall(text.lower()))


def _word_list(text: str) -> bool:
    """Whether a long unpunctuated line is a list of words (tag cloud, menu run), not a sentence."""
    if any(c in text for c in ".,;:!?。，"):
        return False
    words = text.split()
    caps = sum(1 for w in words if w[:1].isupper())
    return not words[0][:1].isupper() or caps > WORD_LIST_CAPS * len(words)


def _kind(text: str, words: float) -> int:
    """The line's kind from its own text; context is weighed later."""
    head = text[:FEATURE_WINDOW]
    if not _HAS_WORD.search(head) or bp.TEMPLATE.match(head[:200]) or (
            words <= PROMO_MAX_WORDS * 2 and bp.UNRENDERED.search(head)):
        return JUNK
    if words <= CUE_MAX_WORDS:
        if bp.SIDEBAR_HEADING.match(head) or bp.MORE_FROM.match(head):
            return SIDEBAR
        if bp.COMMENTS_HEADING.match(head):
            return COMMENT
        if bp.CHROME.match(head):
            return CHROME
    if words <= COMMENT_HEADER_MAX_WORDS and bp.COMMENT_HEADER.match(head):
        return REPLY
    if _date_only(head):
        return DATE
    if bp.READ_ON.search(head[-60:]):
        return CHROME
    if words <= PROMO_MAX_WORDS and (bp.LINK_LEAD.match(head) or bp.PROMO.search(head)):
        return CHROME
    # A sign-up box runs longer than a promo line but says it twice ("Sign up here ... By signing
    # up you agree to ... You can unsubscribe at any time").
    if words <= PROMO_MAX_WORDS * 2 and len({m.group().lower() for m in bp.PROMO.finditer(head)}) >= 2:
        return CHROME
    if words <= TEASER_MAX_WORDS and bp.TRUNCATED.search(head[-50:]):
        return TEASER
    if bp.is_service_notice(head):
        return CHROME
    if words <= PROMO_MAX_WORDS * 2 and _glued_headline(head):
        return CHROME
    if words <= COPYRIGHT_MAX_WORDS and bp.COPYRIGHT.search(head[:2000]):
        return CHROME
    if tm.is_embed(head):
        return EMBED
    if tm.is_caption(text):
        return CAPTION
    if words <= LONG_LINE_WORDS and tm.credit_of(head) is not None:
        return CREDIT
    terminal = bool(_TERMINAL.search(text[-200:]))
    if words >= LONG_LINE_WORDS and not terminal and _word_list(head):
        return SHORT
    if words >= LONG_LINE_WORDS or (
        words >= PROSE_MIN_WORDS and (terminal or _INNER_SENTENCE.search(head))
    ):
        return PROSE
    if terminal and words >= SENTENCE_MIN_WORDS and not text.endswith(":"):
        return SENT
    return SHORT


def _classify(
    pairs: list[tuple[str, int]], learned: frozenset[str], demote: tuple[int, ...] = _TEXT_KINDS
) -> list[_Line]:
    """Kind every line; learned chrome demotes short lines and the `demote` kinds to chrome."""
    counts = Counter(t for t, _ in pairs if len(t) <= bp.MAX_LINE_CHARS)
    lines = []
    for text, start in pairs:
        words = estimate_words(text)
        kind = _kind(text, words)
        if kind == SHORT and counts[text] > 1:
            kind = MENU  # a short line the page repeats: navigation, not a subheading
        if (kind in (SHORT, MENU) or kind in demote) and text in learned:
            kind = CHROME
        lines.append(_Line(text, start, words, kind))
    return lines


def _scores(lines: list[_Line]) -> list[float]:
    """Each line's contribution to a run: prose words, minus a penalty for anything else.

    A text line repeating an earlier one scores nothing and is no text neighbour: the repeat is
    dropped from the body, so letting it carry the run would keep lines that cleaning the body
    again (without the repeat) drops."""
    out = []
    prose_seen = 0.0
    in_comments = False
    earlier: set[str] = set()
    repeat = []
    for line in lines:
        repeat.append(line.kind in _TEXT_KINDS and line.text in earlier)
        if line.kind in _TEXT_KINDS:
            earlier.add(line.text)

    def text_at(i: int) -> bool:
        return 0 <= i < len(lines) and lines[i].kind in _TEXT_KINDS and not repeat[i]

    for i, line in enumerate(lines):
        if line.kind == REPLY and prose_seen >= CUT_MIN_PROSE:
            in_comments = True
        if repeat[i]:
            score = 0.0
        elif line.kind in _TEXT_KINDS:
            prose_seen += line.words
            score = 0.0 if in_comments else line.words
            if not text_at(i - 1) and not text_at(i + 1):
                score *= ISOLATED_FACTOR
        else:
            score = -_PENALTIES[line.kind]
        out.append(score)
    return out


def _best_run(lines: list[_Line]) -> tuple[int, int]:
    """The contiguous run of lines with the highest score (maximum subarray, linear)."""
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
        if lines[i].kind in (COMMENT, REPLY) and prose >= CUT_MIN_PROSE:
            return i - 1
        if lines[i].kind in _TEXT_KINDS:
            prose += lines[i].words
    return hi


def _lead(lines: list[_Line], lo: int) -> int:
    """Start the run at the standfirst when one stands just above it, across chrome lines."""
    for i in range(lo - 1, max(-1, lo - 1 - STANDFIRST_LOOKBACK), -1):
        kind = lines[i].kind
        if kind == PROSE:
            return i
        if kind in (SIDEBAR, COMMENT, REPLY, SENT):
            break
    return lo


def _list_end(lines: list[_Line], hi: int) -> int:
    """Extend the run over a list the article introduces at its end ("... listed below:")."""
    if hi + 1 < len(lines) and lines[hi].text.endswith(":") and lines[hi + 1].kind == SHORT:
        hi += 1
        while hi + 1 < len(lines) and lines[hi + 1].kind == SHORT:
            hi += 1
    return hi


def _keep(lines: list[_Line], lo: int, hi: int) -> list[int]:
    """Indices of the lines of the chosen run that belong to the article."""
    kept: list[int] = []
    seen: set[str] = set()
    in_list = False
    for i in range(lo, hi + 1):
        line = lines[i]
        keep = line.kind in _TEXT_KINDS or (in_list and line.kind == SHORT)
        short = line.kind in (SHORT, MENU) and line.words <= SUBHEAD_MAX_WORDS
        if not keep and (short or line.kind == TEASER):
            # a subheading stands between paragraphs, and so does a paragraph trailing off
            # with "..."; a menu word or a teaser rarely does
            # Between paragraphs of the body, that is: the one above kept, the one below not a
            # repeat about to be dropped (else cleaning the body again would drop the subheading).
            keep = lo < i < hi and bool(kept) and kept[-1] == i - 1 and lines[i - 1].kind in _TEXT_KINDS
            keep = keep and lines[i + 1].kind in _TEXT_KINDS and lines[i + 1].text not in seen
        if keep and i < hi and tm.is_embed_signature(lines[i + 1].text):
            keep = False  # the text of an embedded post, signed on the next line
        if keep and line.text in seen:
            keep = False  # the page repeats the block: keep its first copy
        if keep:
            kept.append(i)
            seen.add(line.text)
        in_list = keep and (line.text.endswith(":") or (in_list and line.kind == SHORT))
    return kept


def _select(lines: list[_Line]) -> tuple[list[int], int]:
    """The kept line indices and the index of the run's last line."""
    lo, hi = _best_run(lines)
    if hi < lo:
        return [], hi  # no line scored above zero: nothing article-like
    hi = _list_end(lines, _cut_comments(lines, lo, hi))
    lo = _lead(lines, lo)
    return _keep(lines, lo, hi), hi


_HEAD_ROLES = {
    CAPTION: tm.CAPTION,
    EMBED: tm.EMBED,
    SIDEBAR: tm.SIDEBAR,
    COMMENT: tm.SIDEBAR,
    CHROME: tm.BOILER,
    JUNK: tm.BOILER,
}
_RUN_ROLES = {CAPTION: tm.CAPTION, CREDIT: tm.CREDIT, EMBED: tm.EMBED}


def _roles(lines: list[_Line], kept: list[int], hi: int) -> list[tm.TextLine]:
    """Each line with the role the metadata rules read it by."""
    keep = set(kept)
    first = kept[0] if kept else len(lines)
    roles = []
    in_sidebar = False
    for i, line in enumerate(lines):
        if i in keep:
            role = tm.BODY
        elif i + 1 < len(lines) and tm.is_embed_signature(lines[i + 1].text):
            role = tm.EMBED
        elif i < first:
            role = _HEAD_ROLES.get(line.kind, tm.HEAD)
        elif in_sidebar or (i > hi and line.kind in (SIDEBAR, COMMENT, REPLY)):
            in_sidebar = True
            role = tm.SIDEBAR
        elif i > hi:
            role = tm.TAIL
        else:
            role = _RUN_ROLES.get(line.kind, tm.BOILER)
        roles.append(tm.TextLine(line.text, role))
    return roles


def clean_text_page(
    page: Page, *, boilerplate: BoilerplateModel | None = None
) -> Article | Rejection:
    """Clean one plain-text page into an Article, or a Rejection when no article text remains."""
    try:
        return _clean(page, boilerplate)
    except Exception as exc:  # one odd page must never stop a run: report it instead
        detail = f"{type(exc).__name__}: {exc}"[:300]
        return Rejection(page.id, page.source, "clean_error", detail, page.sha256)


def _clean(page: Page, boilerplate: BoilerplateModel | None) -> Article | Rejection:
    content = page.content if isinstance(page.content, str) else ""
    pairs = split_lines(content)
    lines = _classify(pairs, frozenset())
    kept, hi = _select(lines)
    learned = boilerplate.lines_for(host_key(page.outlet, page.url)) if boilerplate else None
    applied = False
    if learned:
        plain_words = sum(lines[i].words for i in kept)
        # all learned lines first; if that guts the body, the outlet re-ran this very story and
        # only its learned short lines (menus) are chrome
        for demote in (_TEXT_KINDS, ()):
            with_model = _classify(pairs, learned, demote)
            kept_model, hi_model = _select(with_model)
            if sum(with_model[i].words for i in kept_model) >= (1 - MAX_LEARNED_DROP) * plain_words:
                lines, kept, hi = with_model, kept_model, hi_model
                applied = True
                break
    words = sum(lines[i].words for i in kept)
    if words < MIN_BODY_WORDS:
        detail = (
            f"{len(lines)} non-blank lines; no run of article-like prose "
            f"({words:.0f} words kept, {MIN_BODY_WORDS} needed)"
        )
        return Rejection(page.id, page.source, "no_article", detail, page.sha256)
    parts: list[str] = []
    segments: list[Segment] = []
    pos = 0
    for i in kept:
        line = lines[i]
        if parts:
            pos += 2  # the "\n\n" joining paragraphs
        segments.append(Segment(pos, line.start, len(line.text)))
        parts.append(line.text)
        pos += len(line.text)
    meta = tm.extract_metadata(page, _roles(lines, kept, hi))
    cleaner = f"{CLEANER_VERSION}+{boilerplate.version}" if applied and boilerplate else CLEANER_VERSION
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
        # What ingest noted (charset detected, bytes replaced, gzip cut short) stays with the
        # article, as the HTML cleaner keeps it: it was dropped here before.
        notes=page.notes,
    )
