"""Scoring functions for the bench: pure functions of their arguments, no I/O.

Extraction follows the Article Extraction Benchmark (AEB) metric exactly; clustering uses
B-cubed and the adjusted Rand index; summaries use the `rouge-score` package.
"""

from __future__ import annotations

import math
import random
import re
import statistics
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

from newsfuse.errors import MissingExtraError

# --- extraction (AEB) -------------------------------------------------------------------------

AEB_SHINGLE_N = 4
AEB_BOOTSTRAP_SAMPLES = 1000
# AEB tokenises on \w+ runs only: punctuation and case-insensitive flags change nothing.
_AEB_TOKEN_RE = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class ShingleCounts:
    """One page's shingle match, normalised so tp + fp + fn == 1 (all zero if both are empty)."""

    tp: float
    fp: float
    fn: float


@dataclass(frozen=True, slots=True)
class ExtractionScores:
    """AEB corpus figures: F1 is the harmonic mean of mean precision and mean recall."""

    f1: float
    precision: float
    recall: float
    accuracy: float
    pages: int
    f1_std: float | None = None
    precision_std: float | None = None
    recall_std: float | None = None
    accuracy_std: float | None = None


def aeb_tokens(text: str | None) -> list[str]:
    """Tokenise a text the way AEB does (runs of word characters, case kept)."""
    return _AEB_TOKEN_RE.findall(text or "")


def _shingles(text: str | None, n: int) -> Counter[tuple[str, ...]]:
    tokens = aeb_tokens(text)
    # A text shorter than n tokens still yields one (shorter) shingle, as in AEB.
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


def shingle_match(true: str | None, pred: str | None, n: int = AEB_SHINGLE_N) -> ShingleCounts:
    """Match one page's predicted body against its gold body by token n-gram shingles."""
    gold, guess = _shingles(true, n), _shingles(pred, n)
    tp = float(sum((gold & guess).values()))
    fp = float(sum((guess - gold).values()))
    fn = float(sum((gold - guess).values()))
    total = tp + fp + fn
    # Normalised so that long pages weigh no more than short ones.
    if total > 0:
        return ShingleCounts(tp / total, fp / total, fn / total)
    return ShingleCounts(0.0, 0.0, 0.0)


def _page_precision(c: ShingleCounts) -> float:
    if c.fp == c.fn == 0:
        return 1.0
    if c.tp == c.fp == 0:
        return 0.0
    return c.tp / (c.tp + c.fp)


def _page_recall(c: ShingleCounts) -> float:
    if c.fp == c.fn == 0:
        return 1.0
    if c.tp == c.fn == 0:
        return 0.0
    return c.tp / (c.tp + c.fn)


def _corpus_prf(counts: Sequence[ShingleCounts]) -> tuple[float, float, float]:
    # An empty prediction is left out of mean precision (and an empty gold out of mean recall):
    # AEB's own rule, so that figures compare with its published table.
    precisions = [_page_precision(c) for c in counts if c.tp + c.fp > 0]
    recalls = [_page_recall(c) for c in counts if c.tp + c.fn > 0]
    precision = statistics.fmean(precisions) if precisions else 0.0
    recall = statistics.fmean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f1, precision, recall


def aeb_scores(
    gold: Mapping[str, str],
    predicted: Mapping[str, str],
    bootstrap: int = 0,
    seed: int = 0,
) -> ExtractionScores:
    """Score predicted article bodies against gold ones by page id, with optional bootstrap std.

    Pages missing from `predicted` count as empty outputs, as an extractor that returned nothing.
    """
    keys = list(gold)
    counts = [shingle_match(gold[k], predicted.get(k, "")) for k in keys]
    exact = [float(aeb_tokens(gold[k]) == aeb_tokens(predicted.get(k, ""))) for k in keys]
    f1, precision, recall = _corpus_prf(counts)
    accuracy = statistics.fmean(exact) if exact else 0.0
    if bootstrap < 2 or not keys:
        return ExtractionScores(f1, precision, recall, accuracy, len(keys))
    rng = random.Random(seed)
    samples: dict[str, list[float]] = {"f1": [], "precision": [], "recall": [], "accuracy": []}
    n = len(keys)
    for _ in range(bootstrap):
        idx = [rng.randrange(n) for _ in range(n)]
        b_f1, b_p, b_r = _corpus_prf([counts[i] for i in idx])
        samples["f1"].append(b_f1)
        samples["precision"].append(b_p)
        samples["recall"].append(b_r)
        samples["accuracy"].append(statistics.fmean(exact[i] for i in idx))
    std = {k: statistics.stdev(v) for k, v in samples.items()}
    return ExtractionScores(
        f1, precision, recall, accuracy, n,
        f1_std=std["f1"], precision_std=std["precision"],
        recall_std=std["recall"], accuracy_std=std["accuracy"],
    )  # fmt: skip


# --- clustering ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClusteringScores:
    """B-cubed (item-averaged) precision/recall/F1 and adjusted Rand index over the gold items."""

    precision: float
    recall: float
    f1: float
    ari: float
    items: int
    gold_clusters: int
    predicted_clusters: int


def _aligned_labels(
    gold: Mapping[Hashable, Hashable], predicted: Mapping[Hashable, Hashable]
) -> tuple[list[Hashable], list[Hashable]]:
    # Items the system dropped become singletons: an honest penalty rather than a silent pass.
    g, p = [], []
    for item, label in gold.items():
        g.append(label)
        p.append(("\x00missing", item) if item not in predicted else ("label", predicted[item]))
    return g, p


def bcubed(
    gold: Mapping[Hashable, Hashable], predicted: Mapping[Hashable, Hashable]
) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 (harmonic mean of the item-averaged P and R)."""
    g, p = _aligned_labels(gold, predicted)
    if not g:
        return 0.0, 0.0, 0.0
    pair_counts = Counter(zip(g, p, strict=True))
    gold_sizes, pred_sizes = Counter(g), Counter(p)
    # Each item in cell (g, p) has precision n_gp/|p| and recall n_gp/|g|; sum per cell.
    precision = sum(n * n / pred_sizes[pl] for (_, pl), n in pair_counts.items()) / len(g)
    recall = sum(n * n / gold_sizes[gl] for (gl, _), n in pair_counts.items()) / len(g)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def adjusted_rand(gold: Mapping[Hashable, Hashable], predicted: Mapping[Hashable, Hashable]) -> float:
    """Adjusted Rand index of the predicted grouping against the gold one."""
    from sklearn.metrics import adjusted_rand_score

    g, p = _aligned_labels(gold, predicted)
    # sklearn wants sortable labels of one kind; encode both sides as ints.
    g_codes = {label: i for i, label in enumerate(dict.fromkeys(g))}
    p_codes = {label: i for i, label in enumerate(dict.fromkeys(p))}
    return float(adjusted_rand_score([g_codes[x] for x in g], [p_codes[x] for x in p]))


def clustering_scores(
    gold: Mapping[Hashable, Hashable], predicted: Mapping[Hashable, Hashable]
) -> ClusteringScores:
    """All clustering figures for one predicted grouping (missing items count as singletons)."""
    precision, recall, f1 = bcubed(gold, predicted)
    g, p = _aligned_labels(gold, predicted)
    return ClusteringScores(
        precision, recall, f1, adjusted_rand(gold, predicted), len(g), len(set(g)), len(set(p))
    )


# --- summaries (ROUGE) --------------------------------------------------------------------------

DUC_WORD_LIMIT = 100
ROUGE_F1_TYPES = ("rouge1", "rouge2", "rougeL")
DUC_ROUGE_TYPES = ("rouge1", "rouge2")


def _rouge_scorer(types: Sequence[str], stem: bool):  # noqa: ANN202 - type lives in extra
    try:
        from rouge_score import rouge_scorer
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MissingExtraError("ROUGE scoring", "bench") from exc
    return rouge_scorer.RougeScorer(list(types), use_stemmer=stem)


def truncate_words(text: str, limit: int = DUC_WORD_LIMIT) -> str:
    """First `limit` whitespace-separated words of a text (ROUGE-1.5.5's -l truncation)."""
    return " ".join(text.split()[:limit])


def rouge_recall_multi(
    candidate: str,
    references: Sequence[str],
    word_limit: int | None = DUC_WORD_LIMIT,
    types: Sequence[str] = DUC_ROUGE_TYPES,
    stem: bool = True,
) -> dict[str, float]:
    """DUC-style ROUGE recall: summaries cut to `word_limit` words, averaged over references.

    Like ROUGE-1.5.5's `-l 100`, the cut applies to the references too.
    """
    if not references:
        raise ValueError("at least one reference summary is needed")
    scorer = _rouge_scorer(types, stem)

    def cut(text: str) -> str:
        return truncate_words(text, word_limit) if word_limit else text

    cand = cut(candidate)
    per_ref = [scorer.score(cut(ref), cand) for ref in references]
    return {t: statistics.fmean(s[t].recall for s in per_ref) for t in types}


def rouge_f1(
    candidate: str,
    reference: str,
    types: Sequence[str] = ROUGE_F1_TYPES,
    stem: bool = True,
) -> dict[str, float]:
    """ROUGE F1 of one candidate against one reference (Multi-News style, no length cut)."""
    scores = _rouge_scorer(types, stem).score(reference, candidate)
    return {t: scores[t].fmeasure for t in types}


# --- correlation --------------------------------------------------------------------------------


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Pearson correlation coefficient; NaN when either side is constant or has < 2 values."""
    if len(xs) != len(ys):
        raise ValueError(f"length mismatch: {len(xs)} vs {len(ys)}")
    n = len(xs)
    if n < 2:
        return math.nan
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return math.nan
    return sxy / math.sqrt(sxx * syy)
