"""Facts of the seed story: grouping across pages, primary sources, modality, single sources."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from newsfuse.analyze.facts import attribution, facts, main_clause, modality
from newsfuse.dedup import find_duplicates, fingerprint
from newsfuse.model import Article
from newsfuse.pipeline import _analysed_part
from newsfuse.render.markdown import facts_lines
from newsfuse.render.schema import validator


def validate(items: list, definition: str) -> None:
    """Every item valid as the stories.schema.json definition it is stored under."""
    check = validator(definition)
    for item in items:
        check.validate(item)


def seed_story(result) -> tuple[list[Article], dict[str, str]]:
    """The seed story's members and origins, built the way pipeline.analyse_story builds them."""
    (story,) = result.stories
    members = [result.articles[d] for d in story.documents]
    credits = {a.id: a.meta.agency.value if a.meta.agency else None for a in members}
    report = find_duplicates([fingerprint(_analysed_part(a)) for a in members], credits)
    return members, report.origin_of()


@pytest.fixture(scope="module")
def story(seed_run) -> tuple[list[Article], dict[str, str]]:
    return seed_story(seed_run[0])


@pytest.fixture(scope="module")
def seed_facts(story) -> list[dict]:
    return facts(*story)


def _pages(item: dict, seed_ids: dict[str, str]) -> set[str]:
    by_id = {v: k for k, v in seed_ids.items()}
    return {by_id[c["document"]] for c in item["citations"]}


def _find(items: Sequence[dict], words: str) -> dict:
    (found,) = [f for f in items if words in f["text"]]
    return found


def test_every_citation_holds_the_fact_text(seed_run, seed_facts) -> None:
    result, _ = seed_run
    validate(seed_facts, "fact")
    for item in seed_facts:
        for cite in item["citations"]:
            body = result.articles[cite["document"]].body
            assert body[cite["start"]:cite["end"]].strip()
        texts = {result.articles[c["document"]].body[c["start"]:c["end"]] for c in item["citations"]}
        assert item["text"] in texts


def test_joint_statement_quoted_by_three_outlets_is_one_primary_source(seed_facts, seed_ids) -> None:
    item = _find(seed_facts, "would continue reducing forces from Iraq")
    assert _pages(item, seed_ids) == {"000", "001", "002"}
    assert (item["pages"], item["origins"]) == (3, 3)
    assert (item["attributed_to"], item["evidence"]) == ("joint statement", "document")
    assert item["modality"] == "planned" and not item["single_source"]


def test_syndicated_copies_count_as_one_origin(seed_facts, seed_ids) -> None:
    item = _find(seed_facts, "held virtually due to flight restrictions")
    assert _pages(item, seed_ids) == {"000", "003"}
    assert (item["pages"], item["origins"], item["single_source"]) == (2, 1, True)
    assert item["evidence"] == "outlet"


def test_no_discussion_of_a_timeline_is_negated_and_named(seed_facts) -> None:
    item = _find(seed_facts, "There was no discussion of a timeline")
    assert item["modality"] == "negated"
    assert (item["attributed_to"], item["evidence"]) == ("David Schenker", "named")


def test_preview_page_predicts_and_its_sources_stay_anonymous(seed_facts, seed_ids) -> None:
    poised = _find(seed_facts, "are poised to launch strategic talks")
    assert poised["modality"] == "predicted" and _pages(poised, seed_ids) == {"004"}
    invited = _find(seed_facts, "invited to the White House")
    assert (invited["attributed_to"], invited["evidence"]) == ("Two Iraqi officials", "anonymous")
    assert invited["modality"] == "reported"  # "had never received" is in a trailing clause
    threat = _find(seed_facts, "threatened crippling sanctions")
    assert threat["modality"] == "threatened"


def test_quote_inside_a_sentence_names_no_source(seed_facts) -> None:
    # "the US draft on a joint statement mentions" is inside the official's quote.
    item = _find(seed_facts, "There are no details yet on troop levels")
    assert (item["attributed_to"], item["evidence"]) == ("one senior Iraqi official", "anonymous")


def test_a_continued_quote_keeps_its_speaker(seed_facts) -> None:
    item = _find(seed_facts, "We have communicated that to the Americans")
    assert (item["attributed_to"], item["evidence"]) == ("one Iraqi official", "anonymous")


@pytest.mark.parametrize(("sentence", "source", "evidence"), [
    ("McAuliffe has said about 20 people have indicated an interest in the seat.", "McAuliffe", "named"),
    ("Good morning, said Ronald R. Fieldstone, a Miami lawyer.", "Ronald R. Fieldstone", "named"),
    ("The Indiana governor said Democrats and the media are to blame.", "The Indiana governor", "named"),
    ("The prison population stood at 200,000 in 1972, according to the NAACP.", "NAACP", "named"),
    ("Two Iraqi officials said Kadhemi has been invited to Washington.", "Two Iraqi officials", "anonymous"),
    ("The talks are expected to drag out over several months.", "", "outlet"),
])
def test_sources_of_real_sentences(sentence: str, source: str, evidence: str) -> None:
    assert attribution(sentence) == (source, evidence)


@pytest.mark.parametrize(("sentence", "expected"), [
    ("There was no discussion of a timeline, David Schenker told reporters.", "negated"),
    ("The United States intends to continue withdrawing troops from Iraq.", "planned"),
    ("The talks are expected to drag out over several months.", "predicted"),
    ("Washington threatened crippling sanctions.", "threatened"),
    ("Thursday's session was held virtually due to flight restrictions.", "reported"),
    ("Officials spoke on condition of anonymity because they were not authorized to talk.", "reported"),
    ("The tensions have calmed since Kadhemi took the reins as premier in May.", "reported"),
])
def test_modality_of_real_sentences(sentence: str, expected: str) -> None:
    assert modality(sentence) == expected


def test_preview_turns_plans_into_predictions() -> None:
    sentence = "The launching session, planned for 1300 GMT, will split into committees."
    assert modality(sentence, preview=True) == "predicted"


def test_main_clause_stops_at_a_trailing_apposition() -> None:
    sentence = ("Two Iraqi officials said Kadhemi has been invited to the White House this year, "
                "a diplomatic olive branch his predecessor had never received.")
    assert main_clause(sentence).endswith("this year")


def test_markdown_lists_facts_with_page_marks(seed_facts, story) -> None:
    members, _ = story
    numbering = {a.id: i + 1 for i, a in enumerate(members)}
    lines = facts_lines(seed_facts, numbering, limit=3)
    assert lines[1] == "Facts:"
    assert len([line for line in lines if line.startswith("- ")]) == 4
    assert "joint statement" in lines[3] and "[" in lines[3]
