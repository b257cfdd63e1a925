"""Smoke test of `newsfuse bench --quick`, and the runner's own scorers on hand-made cases."""

from __future__ import annotations

import importlib.util
import random
import subprocess
import sys
from collections import Counter

import pytest

from newsfuse.bench import datasets, report, runner
from newsfuse.bench.harness import evaluate_extractor, evaluate_grouper
from newsfuse.model import Article, BriefSentence, Citation, Metadata, Segment, sha256_text

from .seeds import EXAMPLES

EVAL_DIR = datasets.default_eval_dir()
needs_eval = pytest.mark.skipif(
    not EVAL_DIR.is_dir(),
    reason=f"shared eval data not found at {EVAL_DIR} (set NEWSFUSE_EVAL_DIR to run the bench smoke test)",
)
needs_bench_extra = pytest.mark.skipif(
    importlib.util.find_spec("rouge_score") is None or importlib.util.find_spec("sumy") is None,
    reason="rouge-score / sumy not installed (optional extra: pip install -e '.[bench]')",
)

# One table caption (or part of one) that each section must print.
EXPECTED_TABLES = {
    "extraction": ("AEB (", "AEB: scraped plain text", "CleanPortalEval (", "CleanPortalEval: scraped"),
    "stories": ("Pooled clustering", "one cut for every set", "pooled check"),
    "similarity": ("SemEval-2022 pairs",),
    "briefs": ("DUC 2004, ROUGE recall", "Multi-News, ROUGE F1"),
    "syndication": ("Synthetic syndication set", "gold relation (rows)"),
    "citations": ("Citation audit",),
    "speed": ("Whole pipeline throughput", "Where the time goes", "Cost beside trafilatura"),
    "quotes": ("PolNeAR speaker (source) spans", "PolNeAR quote content spans"),
    "timeml": ("TempEval-3 platinum: TIMEX3 extents and values",),
    "events": ("SemEval-2015 task 4 trial: dated timeline events", "Pledges on our hand-annotated gold"),
    "verify": ("Verdicts of", "as a detector", "in one store"),
    "scale": ("Batch throughput by engine", "Adding one page to a store of N pages",
              "through a long-lived placer", "Projection to 1M and 10M pages"),
}


# --- the quick run ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("bench") / "BENCHMARKS.md"
    return runner.run_bench(quick=True, out=out, log=lambda _message: None), out


@needs_eval
@needs_bench_extra
def test_quick_bench_runs_every_section_and_writes_every_table(quick_run) -> None:
    result, out = quick_run
    assert out.read_text(encoding="utf-8") == result.markdown
    assert [s.key for s in result.sections] == list(runner.SECTIONS)
    for section in result.sections:
        assert section.todo is None, f"{section.key}: {section.todo}"
        assert section.analysis, section.key
        assert section.targets, section.key
        for caption in EXPECTED_TABLES[section.key]:
            block = next((b for b in section.blocks if caption in b), None)
            assert block is not None, f"{section.key}: no table '{caption}'"
            assert "|---" in block or "|:---" in block, f"{section.key}: '{caption}' has no table"
        assert f"<!-- bench:{section.key} -->" in result.markdown
        for target in section.targets:
            assert target.met is not None, (section.key, target.goal)
    for word in ("cores", "RAM", "python", "trafilatura", "scikit-learn", "datasketch", "rouge-score",
                 "sumy", "Quick run", "Summary: every target"):
        assert word in result.markdown, word


@needs_eval
@needs_bench_extra
def test_quick_bench_audits_every_brief_it_made(quick_run) -> None:
    result, _ = quick_run
    citations = next(s for s in result.sections if s.key == "citations")
    audit = next(b for b in citations.blocks if "Citation audit" in b)
    # Briefs of the pooled runs (section 2) and of DUC / Multi-News (section 3) are all audited.
    for source in ("pooled run: Multi-News + DUC 2004 + 5 seeds", "pooled run: NeuS", "DUC 2004",
                   "Multi-News |", "**all**"):
        assert source in audit, source


@needs_eval
def test_partial_run_replaces_only_its_own_section(tmp_path) -> None:
    out = tmp_path / "BENCHMARKS.md"
    out.write_text(report.assemble("<!-- bench:header -->\nOLD-HEADER\n<!-- /bench:header -->\n", [
        report.SectionReport("extraction", "old extraction", blocks=["OLD-EXTRACTION"]),
        report.SectionReport("citations", "old citations", blocks=["OLD-CITATIONS"]),
    ], "then"), encoding="utf-8")
    runner.run_bench(["similarity"], eval_dir=_slice(tmp_path), out=out, log=lambda _m: None)
    text = out.read_text(encoding="utf-8")
    assert "OLD-EXTRACTION" in text and "OLD-CITATIONS" in text
    assert "SemEval-2022 pairs" in text and "OLD-HEADER" not in text
    assert text.index("OLD-EXTRACTION") < text.index("OLD-CITATIONS") < text.index("SemEval-2022 pairs")


@needs_eval
def test_a_partial_run_names_the_last_run_of_every_section(tmp_path) -> None:
    full_head = report.header({"date": "2026-01-01 00:00 UTC", "cpu": "cpu", "cores": "2", "ram": "1 GiB",
                               "platform": "linux", "python": "3.11", "revision": "abc1234",
                               **{name: "1" for name in report.PACKAGES}},
                              quick=False, sections=runner.SECTIONS, command="newsfuse bench",
                              every=runner.SECTIONS)
    out = tmp_path / "BENCHMARKS.md"
    first_section = report.SectionReport("extraction", "x", blocks=["X"])
    out.write_text(report.assemble(full_head, [first_section], "then"), encoding="utf-8")
    eval_dir = _slice(tmp_path)
    runner.run_bench(["similarity"], eval_dir=eval_dir, out=out, log=lambda _m: None)
    first = out.read_text(encoding="utf-8")
    named = "| last run of every section | 2026-01-01 00:00 UTC, revision abc1234, `newsfuse bench` |"
    assert named in first
    runner.run_bench(["similarity"], eval_dir=eval_dir, out=out, log=lambda _m: None)
    assert named in out.read_text(encoding="utf-8")  # carried over by every later partial run


def test_the_command_a_report_shows_names_no_folder() -> None:
    from newsfuse.bench.report import shown_args

    shown = shown_args(["--only", "scale", "--out", "/some/where/BENCHMARKS.md", "--eval-dir=/data/eval"])
    assert shown == ["--only", "scale", "--out", "BENCHMARKS.md", "--eval-dir=eval"]


def test_unknown_section_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown section"):
        runner.run_bench(["extraction", "nonsense"], log=lambda _m: None)


def test_cli_does_not_import_the_bench_for_other_commands() -> None:
    code = ("import sys, newsfuse.cli; "
            "sys.exit(any(m.startswith(('newsfuse.bench', 'rouge_score', 'sumy')) for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# --- the harness with hand-made systems --------------------------------------------------------


def _slice(tmp_path):
    return runner._quick_slice(EVAL_DIR, tmp_path / "eval")


@needs_eval
def test_harness_scores_an_oracle_and_an_empty_system_at_the_extremes(tmp_path) -> None:
    eval_dir = _slice(tmp_path)
    gold = {p.html: p.gold_body for p in datasets.load_aeb(eval_dir)}
    assert evaluate_extractor(lambda html, url: gold[html], "aeb", eval_dir).f1 == 1.0
    nothing = evaluate_extractor(lambda html, url: "", "aeb", eval_dir)
    assert nothing.f1 == 0.0 and nothing.recall == 0.0
    # Pooled doc ids carry their gold story ("duc:<cluster>:<docno>"): grouping by it is perfect.
    perfect = evaluate_grouper(lambda docs: {d: d.split(":")[1] for d, _ in docs}, "duc2004", eval_dir)
    assert (perfect.precision, perfect.recall, perfect.f1, perfect.ari) == (1.0, 1.0, 1.0, 1.0)
    alone = evaluate_grouper(lambda docs: {d: d for d, _ in docs}, "duc2004", eval_dir)
    assert alone.precision == 1.0 and alone.recall == pytest.approx(0.1)  # 10 docs per cluster


@needs_eval
def test_product_adapters_keep_ids_and_count_rejections_as_empty(tmp_path) -> None:
    eval_dir = _slice(tmp_path)
    stats = {}
    labels = runner.product_grouper(stats)([("a:1", "Too short."), ("a:2", (EXAMPLES / next(
        p.name for p in EXAMPLES.iterdir() if p.suffix == ".txt")).read_text(encoding="utf-8"))])
    assert set(labels) == {"a:1", "a:2"} and stats["rejected"] == 1
    assert labels["a:1"] != labels["a:2"]
    html_stats = {"rejected": Counter()}
    extract = runner.html_extractor(html_stats)
    assert extract(b"<html><body><p>menu</p></body></html>", None) == ""
    assert sum(html_stats["rejected"].values()) == 1
    page = datasets.load_aeb(eval_dir)[0]
    assert len(extract(page.html, page.url).split()) > 20


def test_product_similarity_ranks_a_restatement_above_an_unrelated_text() -> None:
    factory, how = runner.product_similarity()
    a = "Iraq and the United States began strategic talks in Baghdad on the future of US troops."
    b = "The United States and Iraq opened strategic talks on US troops in Baghdad on Thursday."
    c = "The central bank raised interest rates by a quarter point to curb rising inflation."
    similarity = factory([a, b, c])
    assert how and similarity(a, b) > similarity(a, c) >= 0.0
    assert similarity(a, a) == pytest.approx(1.0, abs=1e-4)


# --- the runner's own scorers ------------------------------------------------------------------


def _article(doc_id: str, body: str, raw: str | None = None) -> Article:
    raw = body if raw is None else raw
    at = raw.find(body)
    segments = (Segment(0, at, len(body)),) if at >= 0 else ()
    return Article(id=doc_id, source=doc_id, body=body, language="en", meta=Metadata(),
                   segments=segments, raw_sha256=sha256_text(raw), cleaner="test")


def test_citation_audit_catches_bad_offsets_foreign_words_and_stale_raw_anchors() -> None:
    body = "Talks began in Baghdad. Officials met for three hours."
    raw = "Menu | Home\n" + body
    article = _article("d1", body, raw)
    good = BriefSentence("Officials met for three hours.", (article.cite(24, 54),))
    assert good.citations[0].raw_start is not None
    item = runner.AuditItem("t", (good,), {"d1": body}, {"d1": raw})
    counts = runner.audit_brief(item)
    assert counts["citations_holding"] == counts["citations"] == 1 and counts["words_missing"] == 0
    assert counts["raw_holding"] == 1 and counts["sentences_ok"] == 1

    shifted = BriefSentence("Officials met for three hours.", (Citation("d1", 23, 53),))
    invented = BriefSentence("Officials met for four hours.", (Citation("d1", 24, 54),))
    uncited = BriefSentence("Talks began in Baghdad.", ())
    stale = BriefSentence("Talks began in Baghdad.", (Citation("d1", 0, 23, 12, 35, "0" * 64),))
    counts = runner.audit_brief(runner.AuditItem("t", (shifted, invented, uncited, stale), {"d1": body},
                                                 {"d1": raw}))
    assert counts["citations"] == 3 and counts["citations_holding"] == 1  # only `stale` holds in body
    assert counts["words_missing"] == 1  # "four"
    assert counts["sentences_ok"] == 1 and counts["sentences"] == 4
    assert counts["raw_anchored"] == 1 and counts.get("raw_holding", 0) == 0  # wrong sha256


def test_cluster_diagnostics_on_a_hand_made_grouping() -> None:
    gold = {1: "a", 2: "a", 3: "a", 4: "b", 5: "b", 6: "c"}
    predicted = {1: "x", 2: "x", 3: "y", 4: "x", 5: "z", 6: "w"}
    d = runner.cluster_diagnostics(gold, predicted)
    assert d["gold_multi"] == 2 and d["split"] == 2  # a and b are both split
    assert d["merging"] == 1 and d["merged_docs"] == 3  # x holds a, a, b
    assert (d["biggest"], d["biggest_gold"]) == (3, 2)
    assert d["stranded"] == 2  # 3 and 5 sit alone though their stories have company


def test_fit_exponent() -> None:
    assert runner.fit_exponent([1000, 10000], [2.0, 20.0]) == pytest.approx(1.0)
    assert runner.fit_exponent([100, 1000, 10000], [1.0, 100.0, 10000.0]) == pytest.approx(2.0)


def test_perturbed_copy_keeps_every_paragraph_and_adds_one_line() -> None:
    text = "First paragraph here.\n\nSecond one.\n\nThird and last."
    copy = runner.perturb(text, random.Random(1))
    parts = copy.split("\n\n")
    assert len(parts) == 4 and sorted(set(parts) - set(text.split("\n\n"))) != []
    assert set(text.split("\n\n")) <= set(parts)


def test_stage_timer_restores_the_pipeline_and_accounts_for_the_run() -> None:
    import time

    import newsfuse
    from newsfuse import pipeline

    before = pipeline.clean_page
    with runner.stage_timer() as (stages, _rises):
        t0 = time.perf_counter()
        newsfuse.run([str(EXAMPLES)])
        total = time.perf_counter() - t0
    assert pipeline.clean_page is before
    assert stages["clean_page"] > 0 and stages["group"] > 0
    assert sum(stages.values()) <= total + 1e-6


def test_markdown_table_alignment() -> None:
    text = report.table(("system", "F1"), [("ours", "0.950 ± 0.010"), ("peer", "—")])
    assert text.splitlines()[1] == "|:---|---:|"
    assert "0.950 ± 0.010" in text
