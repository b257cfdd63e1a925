"""Run a system (or a baseline) over an eval set and score it: each takes a plain callable.

The product plugs in the same way as the baselines do, e.g. a grouping function
`group(documents: list[tuple[str, str]]) -> dict[str, str]` (doc id -> story id).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from pathlib import Path

from newsfuse.bench.datasets import (
    Attribution,
    load_aeb,
    load_cleanportaleval,
    load_duc2004,
    load_multinews,
    load_polnear,
    load_semeval_pairs,
    pooled_documents,
)
from newsfuse.bench.metrics import (
    DUC_WORD_LIMIT,
    ClusteringScores,
    ExtractionScores,
    aeb_scores,
    clustering_scores,
    pearson,
    rouge_f1,
    rouge_recall_multi,
)
from newsfuse.bench.quotes import RoleScores, score_attributions

EXTRACTION_SETS = ("aeb", "cleanportaleval")
# Multi-News references average ~230 words (median 236); extractive baselines get that budget.
MULTINEWS_SUMMARY_WORDS = 240

Extractor = Callable[[bytes, str | None], str]  # (html bytes, url) -> article body
Grouper = Callable[[list[tuple[str, str]]], dict[str, str]]  # [(doc id, text)] -> story ids
Summarizer = Callable[[list[str]], str]  # cluster documents -> summary
Similarity = Callable[[str, str], float]  # higher = more likely the same story
Attributor = Callable[[str], list[Attribution]]  # article text -> attributions
EvalDir = Path | str | None


def evaluate_extractor(
    extract: Extractor, set_name: str = "aeb", eval_dir: EvalDir = None, bootstrap: int = 0
) -> ExtractionScores:
    """AEB-metric scores of an extractor on "aeb" or "cleanportaleval"."""
    if set_name == "aeb":
        pages = load_aeb(eval_dir)
    elif set_name == "cleanportaleval":
        pages = load_cleanportaleval(eval_dir)
    else:
        raise ValueError(f"unknown extraction set {set_name!r}; expected one of {EXTRACTION_SETS}")
    predicted = {p.id: extract(p.html, p.url) or "" for p in pages}
    return aeb_scores({p.id: p.gold_body for p in pages}, predicted, bootstrap=bootstrap)


def evaluate_grouper(group: Grouper, set_name: str, eval_dir: EvalDir = None) -> ClusteringScores:
    """B-cubed / ARI of a grouping function on one pooled clustering set."""
    docs = list(pooled_documents(set_name, eval_dir))
    predicted = group([(doc_id, text) for doc_id, _, text in docs])
    return clustering_scores({doc_id: label for doc_id, label, _ in docs}, predicted)


def evaluate_duc_summarizer(
    summarize: Summarizer, eval_dir: EvalDir = None, word_limit: int = DUC_WORD_LIMIT
) -> dict[str, float]:
    """Mean DUC 2004 ROUGE-1/2 recall (100 words, stemmed, averaged over the 4 references)."""
    per_cluster = [
        rouge_recall_multi(summarize([d.text for d in c.docs]), list(c.references.values()), word_limit)
        for c in load_duc2004(eval_dir)
    ]
    return {k: statistics.fmean(s[k] for s in per_cluster) for k in per_cluster[0]}


def duc_published_systems(
    eval_dir: EvalDir = None, word_limit: int = DUC_WORD_LIMIT
) -> dict[str, dict[str, float]]:
    """The same DUC 2004 ROUGE figures for the 13 shipped system summaries, by system name."""
    clusters = load_duc2004(eval_dir)
    names = sorted({name for c in clusters for name in c.system_summaries})
    out = {}
    for name in names:
        per_cluster = [
            rouge_recall_multi(c.system_summaries[name], list(c.references.values()), word_limit)
            for c in clusters
            if name in c.system_summaries
        ]
        out[name] = {k: statistics.fmean(s[k] for s in per_cluster) for k in per_cluster[0]}
    return out


def evaluate_multinews_summarizer(summarize: Summarizer, eval_dir: EvalDir = None) -> dict[str, float]:
    """Mean ROUGE-1/2/L F1 (stemmed) of a summariser against the Multi-News human summaries."""
    per_cluster = [rouge_f1(summarize(c.documents), c.summary) for c in load_multinews(eval_dir)]
    return {k: statistics.fmean(s[k] for s in per_cluster) for k in per_cluster[0]}


def evaluate_similarity(
    similarity: Similarity,
    eval_dir: EvalDir = None,
    languages: tuple[str, str] | None = ("en", "en"),
) -> tuple[float, int]:
    """(Pearson r of similarity with SemEval Overall, pairs); Overall 1 = same, so good r < 0."""
    pairs = [p for p in load_semeval_pairs(eval_dir) if languages is None or (p.lang1, p.lang2) == languages]
    scores = [similarity(p.text1, p.text2) for p in pairs]
    return pearson(scores, [p.overall for p in pairs]), len(pairs)


def evaluate_attributor(
    attribute: Attributor, split: str | None = "dev", eval_dir: EvalDir = None
) -> dict[str, RoleScores]:
    """Span P/R/F1 per role of an attribution finder against PolNeAR (one split or all)."""
    docs = load_polnear(eval_dir, split=split)
    return score_attributions([d.attributions for d in docs], [attribute(d.text) for d in docs])
