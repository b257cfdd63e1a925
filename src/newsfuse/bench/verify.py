"""Bench section `verify`: Multi-News summary sentences checked against their own and another cluster.

Each Multi-News cluster's documents are run through the whole pipeline into a store of their own
(`api.run` on a JSONL file, as a user would). Every sentence of the cluster's human summary is
then checked with `api.verify` against that store (its *own* sources) and against the store of
the next cluster (*other* sources, about another story). A sentence written from its sources
should come out `supported` against them and never against another story's pages, so:
precision of "supported" = supported own / (supported own + supported other), recall = supported
own / own sentences. Human summaries paraphrase and compress, so recall is bounded well below 1
for any method that must cite the sentences it relies on. Last, every cluster goes into one
pooled store, to time the index and a claim at a larger size and to see whether the supporting
pages still come from the sentence's own cluster.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from newsfuse.bench import datasets
from newsfuse.bench.report import SectionReport, Target, num, pct
from newsfuse.text import sentences

TARGET_PRECISION = 0.95
TARGET_RECALL = 0.6
# Summary "sentences" shorter than this are bylines and fragments ("– Sad news:").
MIN_CLAIM_WORDS = 4
QUICK_CLUSTERS = 12


def build_store(name: str, clusters: Sequence[datasets.MultiNewsCluster], workdir: Path) -> Path:
    """Run the pipeline over the clusters' documents into a store of its own; the store's path.

    Each document's id is "<cluster id>-<n>", so a citation says which cluster it came from.
    """
    from newsfuse import api

    folder = workdir / name
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "documents.jsonl"
    with source.open("w", encoding="utf-8") as fh:
        for cluster in clusters:
            for n, text in enumerate(cluster.documents):
                if text.strip():
                    fh.write(json.dumps({"id": f"{cluster.id}-{n}", "text": text}) + "\n")
    db = folder / "newsfuse.sqlite"
    api.run([str(source)], db=db)
    return db


def summary_claims(summary: str) -> list[str]:
    """The sentences of a Multi-News summary worth checking (its leading dash removed)."""
    text = summary.replace("\u2013", " ").strip()
    return [s for s in sentences(text) if len(s.split()) >= MIN_CLAIM_WORDS]


def score(own: list[str], other: list[str]) -> dict[str, float]:
    """Supported rates and precision/recall of "supported" from own and other verdict lists."""
    supported_own = sum(v == "supported" for v in own)
    supported_other = sum(v == "supported" for v in other)
    flagged = supported_own + supported_other
    return {"own_rate": supported_own / len(own) if own else float("nan"),
            "other_rate": supported_other / len(other) if other else float("nan"),
            "precision": supported_own / flagged if flagged else float("nan"),
            "recall": supported_own / len(own) if own else float("nan")}


def section_verify(ctx: Any, report: SectionReport) -> None:
    """Multi-News: supported rate of summary sentences against own vs another cluster's store."""
    from newsfuse import api

    clusters = [c for c in datasets.load_multinews(ctx.eval_dir) if any(d.strip() for d in c.documents)]
    if ctx.quick:
        clusters = clusters[:QUICK_CLUSTERS]
    report.intro = (
        f"Multi-News ({len(clusters)} clusters): each cluster's documents run through `newsfuse run` "
        "into a store of their own; each sentence of the human summary (≥ "
        f"{MIN_CLAIM_WORDS} words) checked with `api.verify` against its own cluster's store and "
        "against the next cluster's. Precision of `supported` = supported own / (supported own + "
        "supported other); recall = supported own / own sentences. Then all clusters in one store: "
        "the cost of the index and of a claim, and whether support still comes from the right cluster.")
    t0 = time.perf_counter()
    stores = [build_store(c.id, [c], ctx.workdir / "verify") for c in clusters]
    build_s = time.perf_counter() - t0
    own: list[str] = []
    other: list[str] = []
    kinds: Counter = Counter()
    t1 = time.perf_counter()
    for i, cluster in enumerate(clusters):
        claims = summary_claims(cluster.summary)
        if not claims:
            continue
        text = "\n".join(claims)
        mine = api.verify(stores[i], text)["claims"]
        theirs = api.verify(stores[(i + 1) % len(stores)], text)["claims"]
        own += [c["verdict"] for c in mine]
        other += [c["verdict"] for c in theirs]
        kinds.update(e["kind"] for c in mine for e in c["conflicts"])
    check_s = time.perf_counter() - t1
    scores = score(own, other)
    own_counts, other_counts = Counter(own), Counter(other)
    verdicts = ("supported", "conflicting", "misattributed", "no_evidence")
    report.add_table(
        f"Verdicts of {len(own)} summary sentences (stores built in {build_s:.0f} s, checked in "
        f"{check_s:.0f} s: {1000 * check_s / max(1, 2 * len(own)):.0f} ms a sentence)",
        ("against", *verdicts, "supported rate"),
        [("own cluster", *(own_counts[v] for v in verdicts), pct(scores["own_rate"])),
         ("another cluster", *(other_counts[v] for v in verdicts), pct(scores["other_rate"]))],
        note="Conflict kinds shown against the own cluster: " +
             (", ".join(f"{k} {n}" for k, n in kinds.most_common()) or "none") + ".")
    report.add_table("`supported` as a detector of the sentence's own sources",
                     ("precision", "recall"), [(num(scores["precision"]), num(scores["recall"]))])
    report.targets.append(Target(f"precision ≥ {TARGET_PRECISION} at recall ≥ {TARGET_RECALL}",
                                 scores["precision"] >= TARGET_PRECISION
                                 and scores["recall"] >= TARGET_RECALL,
                                 f"P {num(scores['precision'])}, R {num(scores['recall'])}"))
    _pooled(ctx, report, clusters)
    report.analysis = (
        "A summary sentence the sources support only in other words (\"slammed\" for \"criticised\"), "
        "or by joining facts from more than three sentences of a page, stays `no_evidence`: the "
        "check only counts words, light stems and a short synonym list, never a model.")



def _pooled(ctx: Any, report: SectionReport, clusters: list[datasets.MultiNewsCluster]) -> None:
    """Every cluster in one store: index cost, time per claim, and whether support stays in-cluster."""
    from newsfuse import api
    from newsfuse.verify import Verifier

    t0 = time.perf_counter()
    db = build_store("pooled", clusters, ctx.workdir / "verify")
    run_s = time.perf_counter() - t0
    store = api.open_store(db)
    try:
        t1 = time.perf_counter()
        verifier = Verifier(store)  # fills the sentence index
        index_s = time.perf_counter() - t1
        try:
            claims = supported = in_cluster = 0
            t2 = time.perf_counter()
            for cluster in clusters:
                checked = verifier.verify("\n".join(summary_claims(cluster.summary)))["claims"]
                claims += len(checked)
                for claim in checked:
                    if claim["verdict"] == "supported":
                        supported += 1
                        pages = {c["document"] for e in claim["support"] for c in e["citations"]}
                        in_cluster += all(p.startswith(f"{cluster.id}-") for p in pages)
            check_s = time.perf_counter() - t2
            sentences = verifier.index.size()
        finally:
            verifier.close()
        documents = store.count_documents().get("ok", 0)
    finally:
        store.close()
    report.add_table(
        f"All {len(clusters)} clusters in one store ({documents} pages, {sentences} sentences indexed)",
        ("pipeline run", "index built", "ms per claim", "supported rate", "supported from own cluster only"),
        [(f"{run_s:.0f} s", f"{index_s:.1f} s", f"{1000 * check_s / max(1, claims):.0f}",
          pct(supported / claims if claims else float("nan")),
          pct(in_cluster / supported if supported else float("nan")))],
        note="Retrieval reads the best 40 sentences by BM25 from the FTS5 index, never the whole store; "
             "\"supported from own cluster only\" is the share of supported sentences whose every cited "
             "page belongs to the sentence's own cluster.")
