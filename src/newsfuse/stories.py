"""Grouping articles into stories: TF-IDF with name emphasis, blocking by shared rare terms, average linkage."""

from __future__ import annotations

import heapq
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from .text import stopwords

# A capitalised word that does not open a sentence is most often part of a name (a person,
# place, organisation); names tell events apart better than common words do.
_NAME_TOKEN = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-zA-Z\u00c0-\u024f'\-]+")
_WORD_TOKEN = re.compile(r"[^\W\d_][\w'\-]*", re.UNICODE)


@dataclass(frozen=True, slots=True)
class GroupingSettings:
    """Knobs of the grouping stage; defaults tuned once for every set (see BENCHMARKS.md)."""

    # Average cosine similarity two groups must reach to merge.
    threshold: float = 0.2
    # Terms per document used for blocking: two documents are compared only when they share
    # one of each other's most distinctive terms.
    block_terms: int = 12
    # Terms in more than this share of documents block nothing (they are topic-wide).
    block_max_df: float = 0.02
    block_min_postings: int = 200
    # Weight of a name token (capitalised mid-sentence) against an ordinary word.
    name_weight: int = 2
    # Weight of the title's tokens (the title is the densest statement of the event).
    title_weight: int = 2
    # Documents further apart than this in publication date are never one story.
    max_days_apart: int = 10


@dataclass(frozen=True, slots=True)
class GroupingInput:
    """What grouping needs of one article."""

    id: str
    title: str
    body: str
    language: str = "en"
    published: date | None = None


def _features(doc: GroupingInput, settings: GroupingSettings) -> str:
    # Names repeated name_weight times and title repeated title_weight times before TF-IDF:
    # cheaper than a second vectoriser, and sublinear tf keeps the boost moderate.
    text = doc.title + "\n" + doc.body
    names = " ".join(_NAME_TOKEN.findall(text))
    return " ".join([(doc.title + " ") * settings.title_weight, doc.body, (names + " ") * (settings.name_weight - 1)])


def _tokenizer() -> callable:
    stop = stopwords()

    def tokenize(text: str) -> list[str]:
        return [w for w in (m.group().lower().strip("'-") for m in _WORD_TOKEN.finditer(text))
                if len(w) > 1 and w not in stop]

    return tokenize


def group(docs: Sequence[GroupingInput], settings: GroupingSettings | None = None) -> list[list[str]]:
    """Stories as lists of document ids; each language is grouped on its own, never mixed."""
    settings = settings or GroupingSettings()
    by_language: dict[str, list[GroupingInput]] = defaultdict(list)
    for doc in docs:
        by_language[doc.language].append(doc)
    groups: list[list[str]] = []
    for language in sorted(by_language):
        groups.extend(_group_one_language(by_language[language], settings))
    return sorted((sorted(g) for g in groups), key=lambda g: g[0])


def _group_one_language(docs: list[GroupingInput], settings: GroupingSettings) -> list[list[str]]:
    if len(docs) == 1:
        return [[docs[0].id]]
    vectorizer = TfidfVectorizer(tokenizer=_tokenizer(), lowercase=False, sublinear_tf=True,
                                 token_pattern=None, dtype=np.float32)
    try:
        matrix = vectorizer.fit_transform([_features(d, settings) for d in docs]).tocsr()
    except ValueError:  # no usable token anywhere (empty or non-word documents)
        return [[d.id] for d in docs]
    pairs = _candidate_pairs(matrix, settings)
    sims = _pair_similarities(matrix, pairs)
    keep = sims >= settings.threshold / 2
    pairs, sims = pairs[keep], sims[keep]
    pairs, sims = _apply_time_window(docs, pairs, sims, settings)
    labels = average_linkage(len(docs), pairs, sims, settings.threshold)
    out: dict[int, list[str]] = defaultdict(list)
    for index, label in enumerate(labels):
        out[label].append(docs[index].id)
    return list(out.values())


def _candidate_pairs(matrix: sparse.csr_matrix, settings: GroupingSettings) -> np.ndarray:
    """Pairs of rows that share a distinctive term: the blocking that keeps grouping sub-quadratic."""
    n_docs = matrix.shape[0]
    df = np.bincount(matrix.indices, minlength=matrix.shape[1])
    max_postings = max(settings.block_min_postings, int(settings.block_max_df * n_docs))
    rows, cols = [], []
    for i in range(n_docs):
        start, end = matrix.indptr[i], matrix.indptr[i + 1]
        terms, weights = matrix.indices[start:end], matrix.data[start:end]
        usable = (df[terms] > 1) & (df[terms] <= max_postings)
        terms, weights = terms[usable], weights[usable]
        if len(terms) > settings.block_terms:
            terms = terms[np.argpartition(-weights, settings.block_terms)[:settings.block_terms]]
        rows.extend([i] * len(terms))
        cols.extend(terms.tolist())
    incidence = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                                  shape=matrix.shape)
    co = (incidence @ incidence.T).tocoo()
    upper = co.row < co.col
    return np.stack([co.row[upper], co.col[upper]], axis=1).astype(np.int64)


def _pair_similarities(matrix: sparse.csr_matrix, pairs: np.ndarray) -> np.ndarray:
    """Cosine similarity of each candidate pair (rows are L2-normalised by the vectoriser)."""
    out = np.empty(len(pairs), dtype=np.float32)
    chunk = 200_000
    for lo in range(0, len(pairs), chunk):
        part = pairs[lo:lo + chunk]
        left, right = matrix[part[:, 0]], matrix[part[:, 1]]
        out[lo:lo + chunk] = np.asarray(left.multiply(right).sum(axis=1)).ravel()
    return out


def _apply_time_window(docs: list[GroupingInput], pairs: np.ndarray, sims: np.ndarray,
                       settings: GroupingSettings) -> tuple[np.ndarray, np.ndarray]:
    if not len(pairs):
        return pairs, sims
    keep = np.ones(len(pairs), dtype=bool)
    for k, (i, j) in enumerate(pairs):
        a, b = docs[i].published, docs[j].published
        if a and b and abs((a - b).days) > settings.max_days_apart:
            keep[k] = False
    return pairs[keep], sims[keep]


def average_linkage(n_items: int, pairs: np.ndarray, sims: np.ndarray, threshold: float) -> list[int]:
    """Average-linkage clustering over a sparse similarity graph (absent pairs count as 0).

    Returns a cluster label per item. Merges the most similar pair of clusters while their mean
    pairwise similarity is at least `threshold`; ties break on the smaller cluster ids, so the
    result is deterministic.
    """
    parent = list(range(n_items))
    size = [1] * n_items
    links: list[dict[int, float]] = [dict() for _ in range(n_items)]
    for (i, j), s in zip(pairs.tolist(), sims.tolist(), strict=True):
        links[i][j] = links[i].get(j, 0.0) + s
        links[j][i] = links[j].get(i, 0.0) + s
    heap = [(-s, i, j) for (i, j), s in zip(pairs.tolist(), sims.tolist(), strict=True) if s >= threshold]
    heapq.heapify(heap)
    alive = [True] * n_items
    while heap:
        neg, a, b = heapq.heappop(heap)
        if not (alive[a] and alive[b]):
            continue
        current = links[a].get(b, 0.0) / (size[a] * size[b])
        if abs(current + neg) > 1e-9:
            continue  # stale entry: the pair's average changed since it was pushed
        if current < threshold:
            continue
        keep, gone = (a, b) if size[a] >= size[b] or (size[a] == size[b] and a < b) else (b, a)
        alive[gone] = False
        parent[gone] = keep
        size[keep] += size[gone]
        for other, total in links[gone].items():
            if other == keep:
                continue
            links[keep][other] = links[keep].get(other, 0.0) + total
            del links[other][gone]
            links[other][keep] = links[keep][other]
        links[keep].pop(gone, None)
        links[gone] = {}
        for other, total in links[keep].items():
            avg = total / (size[keep] * size[other])
            if avg >= threshold:
                heapq.heappush(heap, (-avg, min(keep, other), max(keep, other)))
    return [_root(parent, i) for i in range(n_items)]


def _root(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i
