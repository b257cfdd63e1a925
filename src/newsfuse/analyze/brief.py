"""Extractive briefs: real sentences from the story's pages, ranked for news, cited on every page that states them."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from ..dedup import Fingerprint, SentenceFingerprint
from ..model import Article, BriefSentence, Citation
from ..text import normalize, stopwords

# Shorter sentences are captions, subheads and fragments; longer ones are run-ons or
# glued lines that read badly in a brief.
MIN_SENTENCE_WORDS = 8
MAX_SENTENCE_WORDS = 55
# Weight of each score part; tuned on DUC 2004 ROUGE-2 and checked by hand on the seed story.
CENTRALITY_WEIGHT = 1.0
SUPPORT_WEIGHT = 0.35
LEAD_WEIGHT = 0.45
# A candidate this similar (TF-IDF cosine) to a chosen sentence says the same thing again.
REDUNDANCY_COSINE = 0.5
# Near-verbatim restatement on another page: share of aligned words (rapid check via tokens).
RESTATEMENT_RATIO = 0.7

# Forward-looking wording: a preview written before the event forecasts, it does not report.
_FORECAST = re.compile(
    r"\b(?:are|is) (?:poised|set|due|scheduled|slated|expected|likely|unlikely) to\b|\bwill (?:likely|probably)\b"
    r"|\bwould likely\b|\bahead of\b|\bis unlikely\b|\bare unlikely\b", re.IGNORECASE)
# Background rather than news: what happened before the event the story is about.
_BACKGROUND = re.compile(
    r"\b(?:last|previous) (?:year|month|week|december|january|february|march|april|may|june|july|"
    r"august|september|october|november)\b|\b(?:in|since) (?:19|20)\d\d\b|\byears? ago\b"
    r"|\bhave had\b|\bhad been\b", re.IGNORECASE)
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
    score: float = 0.0


def is_preview(article: Article) -> bool:
    """A page written before the event: its opening forecasts the event instead of reporting it."""
    opening = article.body[:600]
    return bool(_FORECAST.search(opening))


def brief(articles: Sequence[Article], fingerprints: dict[str, Fingerprint],
          origins: dict[str, str], settings: BriefSettings | None = None) -> tuple[BriefSentence, ...]:
    """An extractive brief of a story, each sentence cited on every page that states it verbatim."""
    settings = settings or BriefSettings()
    candidates = _candidates(articles, fingerprints)
    if not candidates:
        return ()
    vectors = _vectors(candidates)
    centroid = np.asarray(vectors.mean(axis=0)).ravel()
    norm = np.linalg.norm(centroid) or 1.0
    centrality = (vectors @ centroid) / norm
    support = _support(candidates, origins)
    n_origins = max(1, len(set(origins.get(a.id, a.id) for a in articles)))
    for k, cand in enumerate(candidates):
        cand.score = (CENTRALITY_WEIGHT * float(centrality[k])
                      + SUPPORT_WEIGHT * (support[k] - 1) / n_origins
                      + LEAD_WEIGHT * (1.0 - cand.position))
        if _BACKGROUND.search(cand.text):
            cand.score *= 0.6
    chosen = _select(candidates, vectors, settings)
    chosen.sort(key=lambda k: (candidates[k].position, candidates[k].document))
    return tuple(BriefSentence(text=candidates[k].text,
                               citations=tuple(cite_everywhere(candidates[k].text, articles)))
                 for k in chosen)


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
    return _Candidate(article.id, start, end, text, position, sentence.tokens)


def _vectors(candidates: list[_Candidate]) -> np.ndarray:
    stop = stopwords()
    vectorizer = TfidfVectorizer(analyzer=lambda toks: [t for t in toks if t not in stop and len(t) > 1],
                                 sublinear_tf=True)
    try:
        return vectorizer.fit_transform([c.tokens for c in candidates]).toarray()
    except ValueError:
        return np.zeros((len(candidates), 1))


def _support(candidates: list[_Candidate], origins: dict[str, str]) -> list[int]:
    """Independent origins stating each candidate (near-verbatim), itself included."""
    index: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for k, cand in enumerate(candidates):
        content = tuple(t for t in cand.tokens if t not in stopwords())
        for i in range(max(1, len(content) - 3)):
            index[content[i:i + 4]].append(k)
    out = []
    for k, cand in enumerate(candidates):
        hits: dict[int, int] = defaultdict(int)
        content = tuple(t for t in cand.tokens if t not in stopwords())
        grams = max(1, len(content) - 3)
        for i in range(grams):
            for other in index[content[i:i + 4]]:
                hits[other] += 1
        stating = {origins.get(candidates[o].document, candidates[o].document)
                   for o, h in hits.items() if h >= RESTATEMENT_RATIO * grams}
        stating.add(origins.get(cand.document, cand.document))
        out.append(len(stating))
    return out


def _select(candidates: list[_Candidate], vectors: np.ndarray, settings: BriefSettings) -> list[int]:
    order = sorted(range(len(candidates)), key=lambda k: (-candidates[k].score, candidates[k].document,
                                                          candidates[k].start))
    chosen: list[int] = []
    words = 0
    for k in order:
        if len(chosen) >= settings.max_sentences:
            break
        n_words = len(candidates[k].text.split())
        if chosen and words + n_words > settings.max_words:
            continue
        if any(float(vectors[k] @ vectors[c]) >= REDUNDANCY_COSINE for c in chosen):
            continue
        chosen.append(k)
        words += n_words
    return chosen


def cite_everywhere(text: str, articles: Sequence[Article]) -> list[Citation]:
    """Every place the exact text stands in the articles' bodies, with raw-page spans where verbatim."""
    found = []
    for article in articles:
        at = article.body.find(text)
        while at >= 0:
            span = article.raw_span(at, at + len(text))
            found.append(Citation(article.id, at, at + len(text),
                                  span[0] if span else None, span[1] if span else None,
                                  article.raw_sha256 if span else None))
            at = article.body.find(text, at + 1)
    return sorted(found)
