"""Coverage of the seed story: facts only one page states, facets, wire dependence."""

from __future__ import annotations

import pytest

from newsfuse.analyze.coverage import FACETS, coverage
from newsfuse.render.markdown import coverage_lines

from .test_facts import seed_story, validate


@pytest.fixture(scope="module")
def seed_coverage(seed_run) -> dict[str, dict]:
    result, _ = seed_run
    by_id = {doc_id: prefix for prefix, doc_id in _prefixes(result).items()}
    return {by_id[item["document"]]: item for item in coverage(*seed_story(result))}


def _prefixes(result) -> dict[str, str]:
    from pathlib import Path

    return {Path(a.source).name[:3]: a.id for a in result.articles.values()}


def _unique(item: dict, words: str) -> list[dict]:
    return [f for f in item["unique_facts"] if words in f["text"]]


def test_facts_only_one_page_reported(seed_coverage) -> None:
    assert _unique(seed_coverage["001"], "Patriot air defense batteries")
    assert _unique(seed_coverage["003"], "led by David Hale")
    assert not _unique(seed_coverage["000"], "led by David Hale")  # the copy left it out
    (invited,) = _unique(seed_coverage["004"], "invited to the White House")
    assert invited["modality"] == "reported"
    poised = _unique(seed_coverage["004"], "poised to launch strategic talks")
    assert poised and poised[0]["modality"] == "predicted"


def test_no_fact_is_unique_to_two_pages(seed_coverage) -> None:
    validate(list(seed_coverage.values()), "coverage_row")
    for prefix, item in seed_coverage.items():
        for fact in item["unique_facts"]:
            assert {c["document"] for c in fact["citations"]} == {item["document"]}, prefix


def test_wire_share_is_shared_copy_only(seed_coverage) -> None:
    # 000 is China Daily's copy of the AP story 003; 001, 002 and 004 quote the joint statement
    # or stand alone, which is not wire copy.
    assert seed_coverage["000"]["wire_share"] > 0.5
    assert seed_coverage["003"]["wire_share"] > 0.3
    assert {seed_coverage[p]["wire_share"] for p in ("001", "002", "004")} == {0.0}


def test_facets_matrix(seed_coverage) -> None:
    for item in seed_coverage.values():
        assert set(item["facets"]) <= set(FACETS)
        assert "security" in item["facets"] and "diplomacy" in item["facets"]
    assert "energy" in seed_coverage["003"]["facets"]  # gas and electricity imports from Iran
    assert "energy" not in seed_coverage["002"]["facets"]
    assert "public health" in seed_coverage["000"]["facets"]


@pytest.mark.parametrize(("sentence", "facet", "expected"), [
    ("Troops have been deployed in Iraq.", "security", True),
    ("IS sleeper cells remain active.", "security", True),
    ("It is over, he said.", "security", False),
    ("Coronavirus cases are spiking.", "public health", True),
    ("Baghdad signed a contract to import Iranian electricity.", "energy", True),
])
def test_facet_words(sentence: str, facet: str, expected: bool) -> None:
    assert bool(FACETS[facet].search(sentence)) is expected


def test_markdown_matrix_has_a_row_per_page(seed_run, seed_coverage) -> None:
    result, _ = seed_run
    numbering = {d: i + 1 for i, d in enumerate(result.stories[0].documents)}
    lines = coverage_lines(list(seed_coverage.values()), numbering)
    rows = [line for line in lines if line.startswith("| ") and not line.startswith("| # ")]
    assert len(rows) == 5
    assert any("| China Daily |" in row and "%" in row for row in rows)
