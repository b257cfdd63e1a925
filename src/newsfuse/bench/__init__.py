"""The measuring instruments: eval-set loaders, public metrics, reference baselines, harness.

Data lives outside the repo in `<repo>/../shared/eval` (or `$NEWSFUSE_EVAL_DIR`); every loader
raises `EvalDataMissing` with a plain message when it is absent. Systems are scored through plain
callables (see `harness`), so the product and the baselines go through the same code.
"""

from newsfuse.bench.datasets import (
    CLUSTERING_SETS,
    EvalDataMissing,
    default_eval_dir,
    load_aeb,
    load_aeb_baselines,
    load_cleanportaleval,
    load_duc2004,
    load_multinews,
    load_neus,
    load_polnear,
    load_semeval_pairs,
    load_tempeval3,
    pooled_documents,
)
from newsfuse.bench.harness import (
    EXTRACTION_SETS,
    Attributor,
    Extractor,
    Grouper,
    Similarity,
    Summarizer,
    duc_published_systems,
    evaluate_attributor,
    evaluate_duc_summarizer,
    evaluate_extractor,
    evaluate_grouper,
    evaluate_multinews_summarizer,
    evaluate_similarity,
)
from newsfuse.bench.metrics import (
    ClusteringScores,
    ExtractionScores,
    adjusted_rand,
    aeb_scores,
    bcubed,
    clustering_scores,
    pearson,
    rouge_f1,
    rouge_recall_multi,
)
from newsfuse.bench.render import render_text

__all__ = [
    "CLUSTERING_SETS",
    "EXTRACTION_SETS",
    "Attributor",
    "Extractor",
    "Grouper",
    "Similarity",
    "Summarizer",
    "ClusteringScores",
    "EvalDataMissing",
    "ExtractionScores",
    "adjusted_rand",
    "aeb_scores",
    "bcubed",
    "clustering_scores",
    "default_eval_dir",
    "duc_published_systems",
    "evaluate_attributor",
    "evaluate_duc_summarizer",
    "evaluate_extractor",
    "evaluate_grouper",
    "evaluate_multinews_summarizer",
    "evaluate_similarity",
    "load_aeb",
    "load_aeb_baselines",
    "load_cleanportaleval",
    "load_duc2004",
    "load_multinews",
    "load_neus",
    "load_polnear",
    "load_semeval_pairs",
    "load_tempeval3",
    "pearson",
    "pooled_documents",
    "render_text",
    "rouge_f1",
    "rouge_recall_multi",
]
