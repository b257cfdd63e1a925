"""Reference baselines the product must beat: TF-IDF clustering, TF-IDF pair similarity, MinHash.

Summariser (sumy) and quote-attribution baselines live in `summarizers.py` and `quotes.py`; they
are re-exported here so `newsfuse.bench.baselines` names every baseline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from newsfuse.bench.datasets import SemevalPair
from newsfuse.bench.harness import Grouper
from newsfuse.bench.metrics import ClusteringScores, clustering_scores, pearson
from newsfuse.bench.quotes import cue_verb_attributions, score_attributions
from newsfuse.bench.summarizers import SUMY_METHODS, sumy_summary

__all__ = [
    "SUMY_METHODS",
    "Grouper",
    "SemevalBaseline",
    "TuneResult",
    "cue_verb_attributions",
    "minhash_grouper",
    "minhash_near_duplicates",
    "score_attributions",
    "semeval_tfidf_baseline",
    "sumy_summary",
    "tfidf_grouper",
    "tune_tfidf_threshold",
]

# Cosine-distance cuts tried when tuning: 0.05 .. 0.99.
DEFAULT_THRESHOLDS = tuple(round(0.05 + 0.01 * i, 2) for i in range(95))
MINHASH_PERMUTATIONS = 128
MINHASH_SHINGLE_WORDS = 5
MINHASH_THRESHOLD = 0.8


def _tfidf(texts: Sequence[str]):  # noqa: ANN202 - scipy sparse matrix
    from sklearn.feature_extraction.text import TfidfVectorizer

    # Fit on the pool itself: a batch system sees the whole batch, and so does this baseline.
    vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english", dtype=np.float64)
    try:
        return vectorizer.fit_transform(texts)
    except ValueError:  # every text empty or stop words only
        from scipy.sparse import csr_matrix

        return csr_matrix((len(texts), 1), dtype=np.float64)


def cosine_average_linkage(texts: Sequence[str]) -> np.ndarray:
    """SciPy linkage matrix of average-linkage clustering on TF-IDF cosine distances."""
    from scipy.cluster.hierarchy import linkage
    from scipy.spatial.distance import squareform

    if len(texts) < 2:
        return np.empty((0, 4))
    x = _tfidf(texts)
    # Rows are L2-normalised, so X·Xᵀ is the cosine similarity; empty texts get similarity 0.
    dist = 1.0 - (x @ x.T).toarray()
    np.clip(dist, 0.0, 2.0, out=dist)
    np.fill_diagonal(dist, 0.0)
    dist = (dist + dist.T) / 2.0  # exact symmetry for squareform despite float round-off
    condensed = squareform(dist, checks=False)
    del dist
    return linkage(condensed, method="average")


def cut_linkage(z: np.ndarray, ids: Sequence[str], threshold: float) -> dict[str, str]:
    """Flat clusters whose average cosine distance stays within `threshold`."""
    from scipy.cluster.hierarchy import fcluster

    if len(ids) < 2:
        return {doc_id: "c0" for doc_id in ids}
    labels = fcluster(z, t=threshold, criterion="distance")
    return {doc_id: f"c{label}" for doc_id, label in zip(ids, labels, strict=True)}


def tfidf_grouper(threshold: float) -> Grouper:
    """A Grouper: TF-IDF + average-linkage agglomerative clustering cut at a cosine distance."""

    def group(documents: list[tuple[str, str]]) -> dict[str, str]:
        ids = [doc_id for doc_id, _ in documents]
        z = cosine_average_linkage([text for _, text in documents])
        return cut_linkage(z, ids, threshold)

    return group


@dataclass(frozen=True, slots=True)
class TuneResult:
    """Best cut found against the gold, with the whole F1-by-threshold curve."""

    threshold: float
    scores: ClusteringScores
    curve: list[tuple[float, float]]


def tune_tfidf_threshold(
    documents: Sequence[tuple[str, str, str]],
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
) -> TuneResult:
    """Tune the TF-IDF baseline's cut on (doc id, gold label, text) against that same gold.

    This is an oracle-tuned upper bound for the baseline, not a fair held-out figure.
    """
    if not thresholds:
        raise ValueError("no thresholds to try")
    ids = [d[0] for d in documents]
    gold = {d[0]: d[1] for d in documents}
    # One linkage serves every threshold: cutting is cheap, linking is O(n²).
    z = cosine_average_linkage([d[2] for d in documents])
    best: tuple[float, ClusteringScores] | None = None
    curve = []
    for t in thresholds:
        scores = clustering_scores(gold, cut_linkage(z, ids, t))
        curve.append((t, scores.f1))
        if best is None or scores.f1 > best[1].f1:
            best = (t, scores)
    assert best is not None
    return TuneResult(best[0], best[1], curve)


# --- SemEval-2022 pairs -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SemevalBaseline:
    """TF-IDF cosine vs the Overall rating; Overall is 1 = same story, so a good r is negative."""

    pearson_cosine_overall: float
    pairs: int

    @property
    def pearson_similarity(self) -> float:
        """The correlation with the sign flipped so that higher means better agreement."""
        return -self.pearson_cosine_overall


def semeval_tfidf_baseline(
    pairs: Sequence[SemevalPair], languages: tuple[str, str] | None = ("en", "en")
) -> SemevalBaseline:
    """Pearson r between TF-IDF cosine of each pair and its Overall rating (English pairs)."""
    chosen = [p for p in pairs if languages is None or (p.lang1, p.lang2) == languages]
    if len(chosen) < 2:
        raise ValueError("fewer than two pairs to correlate")
    x = _tfidf([p.text1 for p in chosen] + [p.text2 for p in chosen])
    n = len(chosen)
    cosines = np.asarray(x[:n].multiply(x[n:]).sum(axis=1)).ravel()
    return SemevalBaseline(pearson(cosines.tolist(), [p.overall for p in chosen]), n)


# --- MinHash-LSH near duplicates -----------------------------------------------------------------


def _word_shingles(text: str, k: int) -> set[bytes]:
    words = text.lower().split()
    if len(words) <= k:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i : i + k]).encode("utf-8") for i in range(len(words) - k + 1)}


def minhash_near_duplicates(
    documents: Sequence[tuple[str, str]],
    threshold: float = MINHASH_THRESHOLD,
    num_perm: int = MINHASH_PERMUTATIONS,
    shingle_words: int = MINHASH_SHINGLE_WORDS,
) -> list[list[str]]:
    """Groups of near-duplicate pages (estimated Jaccard of word shingles ≥ threshold).

    Groups are connected components of LSH candidate pairs whose MinHash estimate passes;
    pages with no near duplicate are left out. Empty pages never match anything.
    """
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    hashes: dict[str, MinHash] = {}
    for doc_id, text in documents:
        shingles = _word_shingles(text, shingle_words)
        if not shingles:
            continue
        mh = MinHash(num_perm=num_perm, seed=1)
        mh.update_batch(list(shingles))
        hashes[doc_id] = mh
        lsh.insert(doc_id, mh)
    parent = {doc_id: doc_id for doc_id in hashes}

    def find(a: str) -> str:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for doc_id, mh in hashes.items():
        for other in lsh.query(mh):
            # LSH candidates can fall below the threshold; check the estimate itself.
            if other != doc_id and mh.jaccard(hashes[other]) >= threshold:
                parent[find(other)] = find(doc_id)
    groups: dict[str, list[str]] = {}
    for doc_id in hashes:
        groups.setdefault(find(doc_id), []).append(doc_id)
    return [g for g in groups.values() if len(g) > 1]


def minhash_grouper(threshold: float = MINHASH_THRESHOLD) -> Grouper:
    """A Grouper that merges only near-duplicate pages; every other page stays alone."""

    def group(documents: list[tuple[str, str]]) -> dict[str, str]:
        labels = {doc_id: doc_id for doc_id, _ in documents}
        for members in minhash_near_duplicates(documents, threshold=threshold):
            for doc_id in members:
                labels[doc_id] = members[0]
        return labels

    return group
