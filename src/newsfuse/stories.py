"""Grouping articles into stories.

Pipeline, per language (languages are never mixed):

1. Lines repeated verbatim across many pages of the pool (sharing buttons, archive notices,
   "Advertisement") are dropped; a short page made of nothing else has no content and stays alone.
2. Two views of each text: word TF-IDF (title counted twice) and character 4-gram TF-IDF over
   the title and lead, which matches inflections and spellings the word view misses.
3. Candidate pairs by blocking: two documents are compared only when one of them lists a term
   among its most distinctive ones and the other contains it too - a sparse incidence product, no
   all-pairs pass.
4. Average linkage over the sparse similarity graph, recorded as a merge tree down to `floor`.
5. Stories are the groups of that tree that persist longest (HDBSCAN's "excess of mass" choice,
   with the log of the similarity as the level), so the cut adapts to each part of the tree
   instead of one global threshold: a loose but isolated topic is kept whole, a dense region of
   related events is cut finer.
"""

from __future__ import annotations

import heapq
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.preprocessing import normalize

from .text import stopwords


@dataclass(frozen=True, slots=True)
class GroupingSettings:
    """Knobs of the grouping stage; one setting for every kind of text (see the figures)."""

    # Lowest average similarity at which two groups may ever join: the root level of the tree.
    floor: float = 0.08
    # Average similarity above which a group is one story without further question; levels
    # above it add no stability.
    solid: float = 0.5
    # Weight of the character 4-gram view in the combined similarity (the rest is words).
    char_weight: float = 0.5
    # Characters of the body (after the title) the character view reads: the lead.
    char_lead: int = 1200
    # Times the title's tokens count in the word view.
    title_weight: int = 2
    # Terms per document used for blocking.
    block_terms: int = 12
    # Terms in more than this share of documents block nothing (they are topic-wide)...
    block_max_df: float = 0.02
    # ...unless the pool is small: a term may always block up to this many documents.
    block_min_postings: int = 200
    # A line found verbatim in at least this many documents of the pool is boilerplate.
    boilerplate_min_docs: int = 3
    # A page that is all repeated lines but this long is a syndicated copy, compared in full.
    syndicated_min_tokens: int = 100
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


def group(docs: Sequence[GroupingInput], settings: GroupingSettings | None = None) -> list[list[str]]:
    """Stories as sorted lists of document ids; each language is grouped on its own, never mixed."""
    settings = settings or GroupingSettings()
    by_language: dict[str, list[GroupingInput]] = defaultdict(list)
    for doc in docs:
        by_language[doc.language].append(doc)
    groups: list[list[str]] = []
    for language in sorted(by_language):
        # Sorted by id so the result does not depend on the order documents came in.
        pool = sorted(by_language[language], key=lambda d: d.id)
        groups.extend(_group_one_language(pool, settings))
    return sorted((sorted(g) for g in groups), key=lambda g: g[0])


# --- text -------------------------------------------------------------------------------------

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                         "\u2013": "-", "\u2014": "-", "\u00a0": " "})
_WORD = re.compile(r"[^\W\d_]+(?:[.'][^\W\d_]+)*", re.UNICODE)


def _prepare(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_QUOTES)


def _stem(word: str) -> str:
    """Plural to singular, the one inflection that most often splits a story's vocabulary."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _tokens(text: str) -> list[str]:
    stop = stopwords()
    out = []
    for match in _WORD.finditer(text):
        word = match.group().lower().replace(".", "").replace("'s", "").replace("'", "")
        if len(word) > 1 and word not in stop:
            out.append(_stem(word))
    return out


def _strip_shared_lines(bodies: list[str], settings: GroupingSettings) -> list[str | None]:
    """Bodies without lines repeated across the pool; None for a page that is nothing else.

    A line seen in `boilerplate_min_docs` documents or more is furniture of the sites, not news.
    A long page made only of such lines is a syndicated copy of a wire story and is kept whole.
    """
    def key(line: str) -> str:
        return " ".join(line.lower().split())

    lines = [[line for line in body.splitlines() if line.strip()] for body in bodies]
    seen = Counter(k for doc_lines in lines for k in {key(line) for line in doc_lines})
    out: list[str | None] = []
    for body, doc_lines in zip(bodies, lines, strict=True):
        kept = [line for line in doc_lines if seen[key(line)] < settings.boilerplate_min_docs]
        if kept:
            out.append("\n".join(kept))
        elif len(_tokens(body)) >= settings.syndicated_min_tokens:
            out.append(body)
        else:
            out.append(None)
    return out


# --- similarity -------------------------------------------------------------------------------

def _word_matrix(docs: list[GroupingInput], bodies: list[str], settings: GroupingSettings
                 ) -> sparse.csr_matrix:
    texts = [_tokens(_prepare(d.title)) * settings.title_weight + _tokens(_prepare(b))
             for d, b in zip(docs, bodies, strict=True)]
    counts = CountVectorizer(analyzer=lambda tokens: tokens, dtype=np.float32).fit_transform(texts)
    return _tfidf(counts)


def _char_matrix(docs: list[GroupingInput], bodies: list[str], settings: GroupingSettings
                 ) -> sparse.csr_matrix:
    texts = [f"{_prepare(d.title)}\n{_prepare(d.title)}\n{_prepare(b)[:settings.char_lead]}"
             for d, b in zip(docs, bodies, strict=True)]
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(4, 4), sublinear_tf=True,
                                 dtype=np.float32)
    return vectorizer.fit_transform(texts).tocsr()


def _tfidf(counts: sparse.spmatrix) -> sparse.csr_matrix:
    counts = counts.tocsr().astype(np.float32)
    n_docs = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = (np.log((1 + n_docs) / (1 + df)) + 1).astype(np.float32)
    counts.data = 1 + np.log(counts.data)
    return normalize(counts @ sparse.diags(idf)).tocsr()


def candidate_pairs(matrix: sparse.csr_matrix, settings: GroupingSettings,
                    chunk_rows: int = 2000) -> np.ndarray:
    """Pairs (i < j) that share a distinctive term: the blocking that keeps grouping sub-quadratic.

    Each document lists its `block_terms` heaviest terms that are neither unique nor topic-wide;
    i and j are a candidate when a term listed by i occurs in j (or the reverse). Work is the sum,
    over listed terms, of (documents listing it) x (documents containing it), with postings capped
    at max(block_min_postings, block_max_df * n): linear in n for a fixed cap share.
    """
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
    listed = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                               shape=matrix.shape)
    if _BLOCK_MODE == "listed":
        present = listed.tocsc()
    else:
        present = matrix.copy()
        present.data[:] = 1
        present = present.tocsc()
    out = []
    for lo in range(0, n_docs, chunk_rows):
        co = (listed[lo:lo + chunk_rows] @ present.T).tocoo()
        left, right = co.row.astype(np.int64) + lo, co.col.astype(np.int64)
        keep = left != right
        left, right = left[keep], right[keep]
        out.append(np.stack([np.minimum(left, right), np.maximum(left, right)], axis=1))
    if not out:
        return np.zeros((0, 2), dtype=np.int64)
    pairs = np.concatenate(out)
    return np.unique(pairs, axis=0) if len(pairs) else pairs.reshape(0, 2)


def _pair_similarities(matrix: sparse.csr_matrix, pairs: np.ndarray) -> np.ndarray:
    """Cosine similarity of each candidate pair (rows are L2-normalised)."""
    out = np.empty(len(pairs), dtype=np.float32)
    chunk = 200_000
    for lo in range(0, len(pairs), chunk):
        part = pairs[lo:lo + chunk]
        left, right = matrix[part[:, 0]], matrix[part[:, 1]]
        out[lo:lo + chunk] = np.asarray(left.multiply(right).sum(axis=1)).ravel()
    return out


def _apply_time_window(docs: list[GroupingInput], pairs: np.ndarray, sims: np.ndarray,
                       settings: GroupingSettings) -> tuple[np.ndarray, np.ndarray]:
    days = np.array([d.published.toordinal() if d.published else -1 for d in docs], dtype=np.int64)
    if not len(pairs) or (days < 0).all():
        return pairs, sims
    a, b = days[pairs[:, 0]], days[pairs[:, 1]]
    keep = (a < 0) | (b < 0) | (np.abs(a - b) <= settings.max_days_apart)
    return pairs[keep], sims[keep]


# --- clustering -------------------------------------------------------------------------------

def _group_one_language(docs: list[GroupingInput], settings: GroupingSettings) -> list[list[str]]:
    if len(docs) == 1:
        return [[docs[0].id]]
    stripped = _strip_shared_lines([d.body for d in docs], settings)
    live = [i for i, body in enumerate(stripped)
            if body is not None and _tokens(_prepare(docs[i].title + " " + body))]
    groups = [[docs[i].id] for i in range(len(docs)) if i not in set(live)]
    if len(live) < 2:
        return groups + [[docs[i].id] for i in live]
    pool = [docs[i] for i in live]
    bodies = [stripped[i] or "" for i in live]
    words = _word_matrix(pool, bodies, settings)
    pairs = candidate_pairs(words, settings)
    sims = _pair_similarities(words, pairs)
    if settings.char_weight > 0 and len(pairs):
        chars = _char_matrix(pool, bodies, settings)
        sims = (1 - settings.char_weight) * sims + settings.char_weight * _pair_similarities(chars, pairs)
    keep = sims >= settings.floor * _KEEP_FRAC
    pairs, sims = _apply_time_window(pool, pairs[keep], sims[keep], settings)
    merges = average_linkage_tree(len(pool), pairs, sims, settings.floor)
    labels = stable_clusters(len(pool), merges, settings.floor, settings.solid)
    out: dict[int, list[str]] = defaultdict(list)
    for index, label in enumerate(labels):
        out[label].append(pool[index].id)
    return groups + list(out.values())


def average_linkage_tree(n_items: int, pairs: np.ndarray, sims: np.ndarray, floor: float
                         ) -> list[tuple[int, int, float]]:
    """Average-linkage merges over a sparse similarity graph (absent pairs count as 0).

    Returns merges in order as (node_a, node_b, similarity); leaves are 0..n-1 and the k-th merge
    creates node n+k. Merges stop when no two groups average `floor` or more. Ties break on the
    smaller node ids, so the tree is deterministic.
    """
    node = list(range(n_items))          # representative -> current tree node
    size = [1] * n_items
    links: list[dict[int, float]] = [dict() for _ in range(n_items)]
    for (i, j), s in zip(pairs.tolist(), sims.tolist(), strict=True):
        links[i][j] = links[i].get(j, 0.0) + s
        links[j][i] = links[j].get(i, 0.0) + s
    heap = [(-s, i, j) for (i, j), s in zip(pairs.tolist(), sims.tolist(), strict=True) if s >= floor]
    heapq.heapify(heap)
    alive = [True] * n_items
    merges: list[tuple[int, int, float]] = []
    while heap:
        neg, a, b = heapq.heappop(heap)
        if not (alive[a] and alive[b]):
            continue
        current = links[a].get(b, 0.0) / (size[a] * size[b])
        if abs(current + neg) > 1e-9 or current < floor:
            continue  # stale entry: the pair's average changed since it was pushed
        keep, gone = (a, b) if size[a] > size[b] or (size[a] == size[b] and a < b) else (b, a)
        merges.append((node[a], node[b], current))
        node[keep] = n_items + len(merges) - 1
        alive[gone] = False
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
            if avg >= floor:
                heapq.heappush(heap, (-avg, min(keep, other), max(keep, other)))
    return merges


def stable_clusters(n_items: int, merges: list[tuple[int, int, float]], floor: float,
                    solid: float, min_size: int = 2) -> list[int]:
    """Label per item: the most persistent groups of the merge tree (excess of mass).

    Levels are log-similarities clipped to [log floor, log solid]. Walking down from each root,
    a group splits when both sides have `min_size` items or more; otherwise the smaller side just
    leaves the group at that level. A group's stability is the sum over its items of (level it
    leaves at - level it was born at). Bottom-up, a group is kept when its stability is at least
    that of the best choice among its descendants. Items in no kept group stand alone.
    """
    top, bottom = math.log(solid), math.log(floor)
    n_nodes = n_items + len(merges)
    size = np.ones(n_nodes, dtype=np.int64)
    children: dict[int, tuple[int, int]] = {}
    level = np.full(n_nodes, top)
    has_parent = np.zeros(n_nodes, dtype=bool)
    for k, (a, b, s) in enumerate(merges):
        node = n_items + k
        children[node] = (a, b)
        size[node] = size[a] + size[b]
        level[node] = min(math.log(max(s, 1e-12)), top)
        has_parent[a] = has_parent[b] = True
    stability: dict[int, float] = {}
    kids: dict[int, list[int]] = {}
    birth: dict[int, float] = {}
    for root in (x for x in range(n_nodes) if not has_parent[x] and size[x] >= min_size):
        birth[root], stability[root], kids[root] = bottom, 0.0, []
        stack = [(root, root)]
        while stack:
            node, group_id = stack.pop()
            if node < n_items:
                stability[group_id] += top - birth[group_id]
                continue
            a, b = children[node]
            here = level[node]
            if size[a] >= min_size and size[b] >= min_size:
                stability[group_id] += size[node] * (here - birth[group_id])
                for child in (a, b):
                    birth[child], stability[child], kids[child] = here, 0.0, []
                    kids[group_id].append(child)
                    stack.append((child, child))
            else:
                for child in (a, b):
                    if size[child] >= min_size:
                        stack.append((child, group_id))
                    else:
                        stability[group_id] += size[child] * (here - birth[group_id])
    best: dict[int, tuple[float, list[int]]] = {}
    for group_id in sorted(stability, key=lambda g: (size[g], g)):
        own = stability[group_id]
        below = kids[group_id]
        if below:
            total = sum(best[k][0] for k in below)
            if total > own:
                best[group_id] = (total, [g for k in below for g in best[k][1]])
                continue
        best[group_id] = (own, [group_id])
    labels = list(range(n_items))
    for root in (x for x in range(n_nodes) if not has_parent[x] and size[x] >= min_size):
        for chosen in best[root][1]:
            stack = [chosen]
            while stack:
                node = stack.pop()
                if node < n_items:
                    labels[node] = n_items + chosen
                else:
                    stack.extend(children[node])
    return labels


_BLOCK_MODE = "listed"
_KEEP_FRAC = 0.5
