"""Conflicts of the seed story and of real sentences: kinds, both sides, citations."""

from __future__ import annotations

import json

import pytest

from newsfuse.analyze.conflicts import alias_conflicts, conflicts
from newsfuse.render.markdown import conflicts_lines

from .seeds import EVAL
from .test_facts import seed_story, validate


@pytest.fixture(scope="module")
def seed_conflicts(seed_run) -> list[dict]:
    return conflicts(*seed_story(seed_run[0]))


def _about(items: list[dict], about: str) -> dict:
    (found,) = [c for c in items if c["about"] == about]
    return found


def _pages(side: dict, seed_ids: dict[str, str]) -> set[str]:
    by_id = {v: k for k, v in seed_ids.items()}
    return {by_id[c["document"]] for c in side["citations"]}


def test_every_side_is_cited_verbatim(seed_run, seed_conflicts) -> None:
    result, _ = seed_run
    validate(seed_conflicts, "conflict")
    for item in seed_conflicts:
        assert len(item["sides"]) >= 2
        for side in item["sides"]:
            assert side["citations"]
            texts = {result.articles[c["document"]].body[c["start"]:c["end"]] for c in side["citations"]}
            assert side["text"] in texts


def test_schenker_title_is_a_contradiction(seed_conflicts, seed_ids) -> None:
    item = _about(seed_conflicts, "title of David Schenker")
    assert item["kind"] == "contradiction"
    middle, near = item["sides"]
    assert "Middle East affairs" in middle["text"] and _pages(middle, seed_ids) == {"000"}
    assert "Near Eastern affairs" in near["text"] and _pages(near, seed_ids) == {"002", "003"}


def test_troop_counts_are_compatible_but_imprecise(seed_conflicts, seed_ids) -> None:
    item = _about(seed_conflicts, "troops")
    assert item["kind"] == "imprecise"
    assert [(s["text"], _pages(s, seed_ids)) for s in item["sides"]] == [
        ("More than 5,000", {"000"}), ("some 5,200", {"002"})]


def test_non_binding_vote_against_a_resolution_requiring_withdrawal(seed_conflicts, seed_ids) -> None:
    item = _about(seed_conflicts, "whether the decision is binding")
    assert item["kind"] == "contradiction"
    non_binding, binding = item["sides"]
    assert _pages(non_binding, seed_ids) == {"001", "003"}
    assert binding["text"] == "resolution requiring" and _pages(binding, seed_ids) == {"000"}


def test_late_thursday_and_early_friday_are_imprecise(seed_conflicts) -> None:
    item = _about(seed_conflicts, "when the statement came out")
    assert item["kind"] == "imprecise"
    assert [s["text"] for s in item["sides"]] == ["late Thursday", "early Friday"]


def test_joint_statement_quote_worded_differently_is_a_wording_variant(seed_conflicts) -> None:
    wordings = [c for c in seed_conflicts if c["kind"] == "wording"]
    assert any(any("towards eliminating the ISIS threat" in s["text"] for s in c["sides"])
               and any("the threat of the Islamic State group" in s["text"] for s in c["sides"])
               for c in wordings)


def test_a_shorter_quote_of_the_same_passage_is_no_wording_variant(seed_conflicts) -> None:
    for item in seed_conflicts:
        if item["kind"] == "wording":
            texts = [s["text"] for s in item["sides"]]
            assert not any("does not seek nor request" in t for t in texts), texts


def test_only_these_contradictions_on_the_seeds(seed_conflicts) -> None:
    # Precision: "six military bases" and "three bases", "two countries" and the like are no conflicts.
    assert sorted(c["about"] for c in seed_conflicts if c["kind"] == "contradiction") == [
        "title of David Schenker", "whether the decision is binding"]


def test_alias_hook_takes_name_variant_groups() -> None:
    cite = {"document": "d1", "start": 0, "end": 7}
    other = {"document": "d2", "start": 3, "end": 10}
    (item,) = alias_conflicts([{"Kadhimi": [cite], "Kadhemi": [other]}, {"Schenker": [cite]}])
    assert item["kind"] == "alias"
    assert [(s["text"], s["citations"]) for s in item["sides"]] == [("Kadhimi", [cite]), ("Kadhemi", [other])]


def test_markdown_flags_only_contradictions(seed_conflicts, seed_run) -> None:
    result, _ = seed_run
    numbering = {d: i + 1 for i, d in enumerate(result.stories[0].documents)}
    lines = [line for line in conflicts_lines(seed_conflicts, numbering) if line.startswith("- ")]
    assert sum("**Contradiction**" in line for line in lines) == 2
    assert any(line.startswith("- Imprecise (troops): “More than 5,000”") for line in lines)


@pytest.mark.skipif(not (EVAL / "duc2004" / "clusters.jsonl").exists(), reason="needs ../shared/eval/duc2004")
def test_distances_and_speeds_of_one_hurricane_are_no_contradictions(tmp_path) -> None:
    # DUC 2004 d30002 (Hurricane Mitch): ten AP/NYT pages giving many distances, speeds and tolls
    # of different things ("95 miles north of Honduras", "moving west at 8 mph").
    import newsfuse

    with (EVAL / "duc2004" / "clusters.jsonl").open(encoding="utf-8") as lines:
        cluster = next(c for line in lines if (c := json.loads(line))["cluster_id"] == "d30002")
    for doc in cluster["docs"]:
        (tmp_path / f"{doc['docno']}.txt").write_text(doc["text"], encoding="utf-8")
    result = newsfuse.run([str(tmp_path)], out=tmp_path / "out")
    members = list(result.articles.values())
    found = conflicts(members, {a.id: a.id for a in members})
    units = {"miles", "kilometers", "mph", "kph", "people"}
    assert not [c for c in found if c["kind"] == "contradiction" and c["about"] in units]
