"""The bench's verify section on a slice of Multi-News, and its scorer."""

from __future__ import annotations

import json
import math
from types import SimpleNamespace

import pytest

from newsfuse.bench import datasets
from newsfuse.bench.report import SectionReport
from newsfuse.bench.verify import score, section_verify, summary_claims

from .seeds import EVAL

needs_multinews = pytest.mark.skipif(not (EVAL / "multinews" / "clusters.jsonl").exists(),
                                     reason=f"Multi-News eval data not found under {EVAL}")


def test_score_counts_supported_own_against_supported_other():
    own = ["supported", "no_evidence", "supported", "conflicting"]
    other = ["no_evidence", "supported", "no_evidence", "no_evidence"]
    got = score(own, other)
    assert got["recall"] == got["own_rate"] == 2 / 4
    assert got["other_rate"] == 1 / 4
    assert got["precision"] == 2 / 3
    assert math.isnan(score([], [])["precision"])


@needs_multinews
def test_summary_claims_are_the_summary_sentences_without_the_leading_dash():
    cluster = datasets.load_multinews(EVAL)[0]
    claims = summary_claims(cluster.summary)
    assert len(claims) > 3
    assert all(not c.startswith("\u2013") and len(c.split()) >= 4 for c in claims)
    assert all(c in cluster.summary for c in claims)


@needs_multinews
def test_the_section_finds_own_sources_support_more_than_another_clusters(tmp_path):
    eval_dir = tmp_path / "eval"
    (eval_dir / "multinews").mkdir(parents=True)
    with (EVAL / "multinews" / "clusters.jsonl").open(encoding="utf-8") as fh:
        rows = [json.loads(next(fh)) for _ in range(3)]
    (eval_dir / "multinews" / "clusters.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    ctx = SimpleNamespace(eval_dir=eval_dir, quick=True, workdir=tmp_path / "work", log=print)
    report = SectionReport(key="verify", title="Verify")
    section_verify(ctx, report)
    text = "\n".join(report.blocks)
    assert "own cluster" in text and "another cluster" in text and "precision" in text
    assert "All 3 clusters in one store" in text
    (target,) = report.targets
    assert target.met is not None and target.got.startswith("P ")
    own_row = next(line for line in text.splitlines() if line.startswith("| own cluster"))
    other_row = next(line for line in text.splitlines() if line.startswith("| another cluster"))
    rate = [float(row.rstrip(" |").rsplit("|", 1)[1].strip(" %")) for row in (own_row, other_row)]
    assert rate[0] > rate[1]
