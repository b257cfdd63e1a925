"""Extractive briefs: real sentences of the story's pages, chosen for news, cited wherever they stand."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from ..clean.boilerplate import CALL_TO_ACTION
from ..dedup import Fingerprint, SentenceFingerprint
from ..model import Article, BriefSentence, Citation
from ..text import normalize, sentence_spans, stopwords

# Shorter sentences are captions, subheads and fragments; longer ones are run-ons or
# glued lines that read badly in a brief.
MIN_SENTENCE_WORDS = 8
MAX_SENTENCE_WORDS = 55
# Each concept (a pair of adjacent word stems, not both function words, as ROUGE-2 and ICSISumm
# count them; and single content words) is worth (number of independent origins that state it)
# ** WEIGHT_EXPONENT; a sentence is worth the concepts it adds that the brief lacks. This is the
# concept-coverage objective of ICSISumm (Gillick & Favre 2009), solved greedily with the budget
# ratio (gain / length). DUC 2004 ROUGE-2: content-word pairs 0.0853, these pairs 0.0889.
WEIGHT_EXPONENT = 2.0
# Lead sentences carry the news: a sentence's gain is scaled by
# 1 + LEAD_BONUS * (1 - position) ** POSITION_SHAPE, position being its place in its page (0-1).
LEAD_BONUS = 1.0
POSITION_SHAPE = 2.0
# Gain is divided by length ** LENGTH_EXPONENT so long sentences do not win on size alone.
LENGTH_EXPONENT = 1.0
# Single words count too, at this share of a word pair: a pair misses a restatement in other
# words ("no discussion of a timeline" / "a timeline ... was not discussed"), a word does not.
UNIGRAM_FACTOR = 0.15
# Background (what happened before the event) keeps this share of its gain.
BACKGROUND_FACTOR = 0.25
# With several origins, a concept must come from at least this many to count: what one page
# alone says is its own angle, not the story's news.
MIN_CONCEPT_ORIGINS = 2
# What the event's parties agreed, announced or stated is the news; unattributed context is
# more often background. Such sentences get this factor on their gain. A bare "said" does not
# count: every quote has one (with it, DUC 2004 ROUGE-2 lost 0.006).
ATTRIBUTION_FACTOR = 1.5
# Two sentences whose content words have a cosine above this say the same thing in other words:
# once the brief holds one, the other is not considered.
REDUNDANCY = 0.5
# What a preview page (written before the event) states was known before it: such concepts keep
# this share of their weight.
KNOWN_FACTOR = 0.3
# When nothing left adds a concept, fill the budget with the earliest sentences that fit
# (Multi-News ROUGE-2 0.135 -> 0.158: its references run ~230 words).
FILL = True
_ATTRIBUTION = re.compile(
    r"\b(?:statement|announced|agreed|pledged|promised|reiterated|confirmed|decided|discussed"
    r"|told reporters)\b", re.IGNORECASE)
# Sentences opening on a pronoun lean on a sentence the brief may not show.
_DANGLING = re.compile(r"^(?:He|She|It|They|This|That|These|Those|His|Her|Their|Its|But|And|Also)\b")
# So do sentences answering one: "X, in turn, ...", "X, for its part, ...". ("however" and
# "meanwhile" too, but dropping those cost 0.0008 DUC 2004 ROUGE-2.)
_CONNECTIVE = re.compile(r"^[^,]{1,40}, (?:in turn|for (?:its|their|his|her) part),")
_SUFFIXES = ("ations", "ation", "ings", "ing", "ers", "ors", "ies", "ied", "ed", "er", "or", "es", "s", "e")

# Forward-looking wording: a preview written before the event forecasts, it does not report.
_FORECAST = re.compile(
    r"\b(?:are|is) (?:poised|set|due|scheduled|slated|expected|likely|unlikely) to\b"
    r"|\bwill (?:likely|probably)\b"
    r"|\bwould likely\b|\bahead of\b|\bis unlikely\b|\bare unlikely\b", re.IGNORECASE)
_PAST_TENSE = re.compile(r"\b(?:[a-z]{3,}ed|said|began|met|held|agreed|won|lost|took|made)\b")
# Background rather than news: what happened before the event the story is about.
_BACKGROUND = re.compile(
    r"\b(?:last|previous) (?:year|month|december|january|february|march|april|may|june|july|"
    r"august|september|october|november)\b|\b(?:in|since) (?:19|20)\d\d\b"
    r"|\byears? (?:ago|after|since)\b|\bhave had\b|\bhad been\b|\b(?:has|have) (?:repeatedly|long|often)\b"
    r"|\bin recent (?:weeks|months|years)\b", re.IGNORECASE)
# What the parties agreed to do next ("agreed to continue the discussion ... next month") is news
# even when one page alone reports it: a brief that lacks it misses where the story goes.
_NEXT_STEP = re.compile(
    r"\b(?:agreed|decided|scheduled"
    r"|(?:will|plan(?:s|ned)? to|are to) (?:meet|resume|continue|reconvene|hold))"
    r"\b[^.]{0,120}?"
    r"\b(?:next (?:week|month|year|round)|(?:later|early) this (?:week|month|year))\b", re.IGNORECASE)
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december")
_MONTH_NAME = re.compile(r"\b(" + "|".join(m.capitalize() for m in _MONTHS)
                         + r"|Jan|Feb|Aug|Sept?|Oct|Nov|Dec)\b\.?")
# A sentence opening with a dateline ("BAGHDAD —", "ERBIL, Kurdistan Region —") reads better
# without it; the dateline stays in the page's metadata.
_DATELINE_PREFIX = re.compile(r"^[A-Z][A-Z'\-/. ]{2,}(?:,[^—\-\n]{1,40})?\s*[—–-]+\s*")


@dataclass(frozen=True, slots=True)
class BriefSettings:
    """How long a brief may be."""

    max_sentences: int = 6
    max_words: int = 150


@dataclass(slots=True)
class _Candidate:
    document: str
    start: int
    end: int
    text: str
    position: float
    tokens: tuple[str, ...]


def is_preview(article: Article) -> bool:
    """A page written before the event: its lead forecasts the event instead of reporting it.

    The lead of a report puts a past-tense event first ("launched talks Thursday ... Baghdad is
    expected to focus"); a preview's lead reaches its forecast first ("are poised to launch").
    """
    spans = sentence_spans(article.body)
    if not spans:
        return False
    lead = article.body[spans[0][0]:spans[0][1]]
    forecast = _FORECAST.search(lead)
    return bool(forecast) and not _PAST_TENSE.search(lead, 0, forecast.start())


def brief(articles: Sequence[Article], fingerprints: dict[str, Fingerprint],
          origins: dict[str, str], settings: BriefSettings | None = None) -> tuple[BriefSentence, ...]:
    """An extractive brief of a story, each sentence cited on every page that states it verbatim."""
    settings = settings or BriefSettings()
    candidates = _candidates(articles, fingerprints)
    if not candidates:
        return ()
    concepts = [_concepts(c.tokens) for c in candidates]
    weights = _concept_weights(candidates, concepts, origins)
    weights = _discount_known(weights, articles, fingerprints)
    months = _story_months(articles)
    background = [bool(_BACKGROUND.search(c.text)) or _names_other_month(c.text, months) for c in candidates]
    chosen = _select(candidates, concepts, weights, background, settings, _next_step(candidates))
    chosen.sort(key=lambda k: (candidates[k].position, candidates[k].document, candidates[k].start))
    return tuple(BriefSentence(text=candidates[k].text,
                               citations=tuple(cite_everywhere(candidates[k].text, articles)))
                 for k in chosen)


def _discount_known(weights: dict[tuple[str, str], float], articles: Sequence[Article],
                    fingerprints: dict[str, Fingerprint]) -> dict[tuple[str, str], float]:
    """Concepts a preview states keep KNOWN_FACTOR of their weight."""
    known = _known_before(articles, fingerprints)
    return {c: w * (KNOWN_FACTOR if c in known else 1.0) for c, w in weights.items()}


def _known_before(articles: Sequence[Article], fingerprints: dict[str, Fingerprint]) -> set[tuple[str, str]]:
    """Concepts a preview page states: what was known before the event is not its news."""
    known: set[tuple[str, str]] = set()
    for article in articles:
        if is_preview(article):
            for sentence in fingerprints[article.id].sentences:
                known |= _concepts(sentence.tokens)
    return known


@lru_cache(maxsize=1 << 16)
def _stem(token: str) -> str:
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 4:
            return token[: -len(suffix)]
    return token


def _concepts(tokens: tuple[str, ...]) -> set[tuple[str, str]]:
    stop = stopwords()
    words = [_stem(t) for t in tokens if not t.isdigit()]
    pairs = {(a, b) for a, b in zip(words, words[1:], strict=False) if a not in stop or b not in stop}
    return pairs | {(t, "") for t in words if t not in stop and len(t) > 1}


def _concept_weights(candidates: list[_Candidate], concepts: list[set[tuple[str, str]]],
                     origins: dict[str, str]) -> dict[tuple[str, str], float]:
    stated_by: dict[tuple[str, str], set[str]] = {}
    counts: dict[tuple[str, str], int] = {}
    for cand, found in zip(candidates, concepts, strict=True):
        origin = origins.get(cand.document, cand.document)
        for concept in found:
            stated_by.setdefault(concept, set()).add(origin)
            counts[concept] = counts.get(concept, 0) + 1
    n_origins = len({origins.get(c.document, c.document) for c in candidates})
    if n_origins >= MIN_CONCEPT_ORIGINS:
        weights = {c: float(len(o)) ** WEIGHT_EXPONENT for c, o in stated_by.items()
                   if len(o) >= MIN_CONCEPT_ORIGINS}
    else:
        # One origin: a concept it repeats is what the page is about.
        weights = {c: float(n) for c, n in counts.items() if n >= 2}
    return {c: w * (UNIGRAM_FACTOR if not c[1] else 1.0) for c, w in weights.items()}


def _candidates(articles: Sequence[Article], fingerprints: dict[str, Fingerprint]) -> list[_Candidate]:
    out: list[_Candidate] = []
    seen: set[str] = set()
    for article in sorted(articles, key=lambda a: a.id):
        if is_preview(article):
            continue
        fp = fingerprints[article.id]
        total = max(1, len(fp.sentences))
        for index, sentence in enumerate(fp.sentences):
            cand = _candidate(article, sentence, index / total)
            if cand is None:
                continue
            key = normalize(cand.text)
            if key in seen:
                continue
            seen.add(key)
            out.append(cand)
    return out


def _candidate(article: Article, sentence: SentenceFingerprint, position: float) -> _Candidate | None:
    start, end = sentence.start, sentence.end
    text = article.body[start:end]
    prefix = _DATELINE_PREFIX.match(text)
    if prefix and prefix.end() < len(text):
        start += prefix.end()
        text = article.body[start:end]
    n_words = len(sentence.tokens)
    if not MIN_SENTENCE_WORDS <= n_words <= MAX_SENTENCE_WORDS:
        return None
    if text[-1] not in ".!?\"'\u201d\u2019)" or text.endswith("?") or _FORECAST.search(text):
        return None
    if _DANGLING.match(text) or _CONNECTIVE.match(text) or CALL_TO_ACTION.search(text):
        return None
    if text.count("|") >= 2:  # a table row the page kept as text ("| DL | Larry Ogunjobi | 63 |")
        return None
    return _Candidate(article.id, start, end, text, position, sentence.tokens)


def _next_step(candidates: list[_Candidate]) -> int | None:
    """The earliest sentence stating an agreed next step, if any."""
    steps = [k for k, c in enumerate(candidates) if _NEXT_STEP.search(c.text)]
    return min(steps, key=lambda k: (candidates[k].position, candidates[k].document, candidates[k].start),
               default=None)


def _story_months(articles: Sequence[Article]) -> set[int]:
    """Months (1-12) in which the story's pages were published or updated."""
    months = set()
    for article in articles:
        for stamp in (article.meta.published, article.meta.updated):
            if stamp and len(stamp.value) >= 7 and stamp.value[5:7].isdigit():
                months.add(int(stamp.value[5:7]))
    return months


def _names_other_month(text: str, months: set[int]) -> bool:
    """True when the sentence dates something to a month other than the story's: background."""
    if not months:
        return False
    for match in _MONTH_NAME.finditer(text):
        name = match.group(1).lower()
        month = next(i for i, m in enumerate(_MONTHS, 1) if m.startswith(name[:3]))
        if month not in months:
            return True
    return False


def _select(candidates: list[_Candidate], concepts: list[set[tuple[str, str]]],
            weights: dict[tuple[str, str], float], background: list[bool],
            settings: BriefSettings, reserved: int | None = None) -> list[int]:
    """Greedy concept coverage under the word budget; ties break on position, then id.

    A candidate that paraphrases a chosen sentence (cosine > REDUNDANCY) is skipped; when no
    candidate adds a concept, FILL takes the earliest non-background sentence that fits.
    """
    # Only the words of a concept set count in the paraphrase test, each once.
    words_of = [frozenset(a for a, b in c if not b) for c in concepts]
    lengths = [len(c.text.split()) for c in candidates]
    # What a candidate's gain is multiplied by never changes: computed once.
    lead = [(1.0 + LEAD_BONUS * (1.0 - c.position) ** POSITION_SHAPE) / n ** LENGTH_EXPONENT
            for c, n in zip(candidates, lengths, strict=True)]
    attributed = [not bg and bool(_ATTRIBUTION.search(c.text))
                  for c, bg in zip(candidates, background, strict=True)]
    covered: set[tuple[str, str]] = set()
    # Weight of each candidate's concepts not covered yet; recomputed only when a chosen
    # sentence covers one of them. fsum: exact, so the order a set yields its items in cannot
    # break a tie differently.
    uncovered = [math.fsum(weights.get(c, 0.0) for c in found) for found in concepts]
    chosen: list[int] = []
    # Paraphrases of a chosen sentence stay paraphrases: each candidate is tested once against
    # each sentence as it is chosen, not against all chosen ones on every round.
    redundant = [False] * len(candidates)
    words = 0
    remaining = set(range(len(candidates)))

    def choose(k: int) -> None:
        nonlocal words
        chosen.append(k)
        remaining.discard(k)
        newly = concepts[k] - covered
        covered.update(newly)
        words += lengths[k]
        for other in remaining:
            if not redundant[other] and _overlap(words_of[other], words_of[k]) > REDUNDANCY:
                redundant[other] = True
            if not concepts[other].isdisjoint(newly):
                uncovered[other] = math.fsum(weights.get(c, 0.0) for c in concepts[other] - covered)

    if reserved is not None:
        choose(reserved)
    order = sorted(remaining, key=lambda k: (candidates[k].position, candidates[k].document,
                                             candidates[k].start))
    while remaining and len(chosen) < settings.max_sentences:
        best, best_gain = None, 0.0
        for k in order:
            if k not in remaining or redundant[k]:
                continue
            if words + lengths[k] > settings.max_words and chosen:
                continue
            gain = uncovered[k]
            gain *= lead[k]
            if background[k]:
                gain *= BACKGROUND_FACTOR
            elif attributed[k]:
                gain *= ATTRIBUTION_FACTOR
            if gain > best_gain:
                best, best_gain = k, gain
        if best is None and FILL:
            # Nothing left adds a concept: fill the budget with the earliest sentence that fits
            # and is no paraphrase of one already chosen.
            best = next((k for k in order if k in remaining and not background[k] and not redundant[k]
                         and words + lengths[k] <= settings.max_words), None)
        if best is None:
            break
        choose(best)
    return chosen


def _overlap(u: frozenset[str], v: frozenset[str]) -> float:
    """Cosine of two sets' binary vectors."""
    if not u or not v:
        return 0.0
    return len(u & v) / (len(u) * len(v)) ** 0.5


def cite_everywhere(text: str, articles: Sequence[Article]) -> list[Citation]:
    """Every place the exact text stands in the articles' bodies, anchored in raw pages where verbatim."""
    found = []
    for article in articles:
        at = article.body.find(text)
        while at >= 0:
            found.append(article.cite(at, at + len(text)))
            at = article.body.find(text, at + 1)
    return sorted(found)
