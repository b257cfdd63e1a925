"""The synthetic syndication set: built the same way each time, gold that holds, scorers that count."""

from __future__ import annotations

import pytest

from newsfuse.bench import datasets
from newsfuse.bench.syndication import Case, build_cases, score_minhash, score_newsfuse

from .seeds import EVAL

pytestmark = pytest.mark.skipif(not (EVAL / "duc2004").is_dir(), reason="needs ../shared/eval/duc2004")


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    return build_cases(datasets.load_duc2004(EVAL), per_kind=3)


def test_the_set_is_the_same_for_the_same_seed(cases):
    again = build_cases(datasets.load_duc2004(EVAL), per_kind=3)
    assert [c.pages for c in again] == [c.pages for c in cases]
    assert [c.kind for c in cases] == ["reprint"] * 3 + ["excerpt"] * 3 + ["common"] * 3


def test_gold_shared_sentences_stand_in_both_pages_of_a_copy(cases):
    for case in cases:
        if case.kind == "excerpt":
            copy = case.pages[case.copy_index]
            assert all(sentence in copy for sentence in case.shared_sentences)
        if case.kind == "common":
            quoted = [line for line in case.pages[0].splitlines() if "\u201c" in line]
            assert quoted and "joint statement" in quoted[0]


def test_newsfuse_tells_copies_from_shared_quotations(cases):
    scores = score_newsfuse(cases)
    assert scores.recall("syndicated") >= 0.8
    assert scores.relations[("common", "syndicated")] == 0
    assert scores.relations[("none", "syndicated")] == 0
    assert scores.span_hit <= scores.span_predicted and scores.span_hit <= scores.span_gold


def test_minhash_peer_finds_an_identical_page_and_not_an_unrelated_one():
    page = ("Cambodian leader Hun Sen on Friday rejected opposition parties' demands for talks outside "
            "the country, accusing them of trying to internationalize the political crisis.")
    other = ("Hurricane Mitch killed thousands of people in Honduras and Nicaragua as floods swept "
             "away villages and roads across Central America this week.")
    case = Case("reprint", [page, page, other], {(0, 1): "syndicated", (0, 2): "none", (1, 2): "none"})
    scores = score_minhash([case], 0.5)
    assert scores.relations[("syndicated", "syndicated")] == 1
    assert scores.relations[("none", "none")] == 2


def test_too_few_clusters_is_reported_not_looped_over():
    clusters = datasets.load_duc2004(EVAL)[:3]
    with pytest.raises(datasets.EvalDataMissing):
        build_cases(clusters, per_kind=1)
