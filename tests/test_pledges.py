"""Pledges of the seed story and of real sentences: actor, what is pledged, when due, cited."""

from __future__ import annotations

import pytest

from newsfuse import api
from newsfuse.analyze.pledges import actor_name, pledge_spans, pledges
from newsfuse.render.markdown import pledges_lines

from .test_facts import seed_story, validate


@pytest.fixture(scope="module")
def seed_pledges(seed_run) -> list[dict]:
    return pledges(*seed_story(seed_run[0]))


def _pledge(items: list[dict], words: str) -> dict:
    (found,) = [p for p in items if words in p["text"]]
    return found


def _read(sentence: str) -> list[tuple[str, str]]:
    return [(actor, sentence[start:end]) for actor, start, end in pledge_spans(sentence)]


def test_us_pledges_to_keep_reducing_forces_on_three_pages(seed_run, seed_pledges, seed_ids) -> None:
    result, _ = seed_run
    item = _pledge(seed_pledges, "would continue reducing forces from Iraq")
    assert (item["actor"], item["due"]) == ("United States", "over the coming months")
    assert item["modality"] == "planned"
    by_id = {v: k for k, v in seed_ids.items()}
    assert {by_id[c["document"]] for c in item["citations"]} == {"000", "001", "002"}
    for cite in item["citations"]:
        # Each page is cited for its own wording; one page says more ("and discuss with ...").
        assert result.articles[cite["document"]].body[cite["start"]:cite["end"]].startswith(item["text"])


def test_us_does_not_seek_permanent_bases(seed_pledges) -> None:
    item = _pledge(seed_pledges, "does not seek nor request permanent bases")
    assert item["actor"] == "United States" and item["pages"] >= 2


def test_next_month_discussion_and_iraqs_promise(seed_pledges) -> None:
    talks = _pledge(seed_pledges, "agreed to continue the discussion")
    assert (talks["actor"], talks["due"]) == ("both sides", "next month")
    assert talks["text"].endswith("in Washington next month")
    bases = _pledge(seed_pledges, "promised to protect bases")
    assert bases["actor"] == "Iraq"


def test_preview_page_yields_no_pledges(seed_pledges, seed_ids) -> None:
    validate(seed_pledges, "pledge")
    preview = seed_ids["004"]
    assert all(c["document"] != preview for p in seed_pledges for c in p["citations"])


@pytest.mark.parametrize(("sentence", "expected"), [
    ("Iraq, in turn, promised to protect bases housing US troops after a series of rocket attacks.",
     [("Iraq", "promised to protect bases housing US troops")]),
    ('"The United States reiterated that it does not seek nor request permanent bases in Iraq."',
     [("United States", "does not seek nor request permanent bases in Iraq")]),
    ("Schenker said the U.S. would support the new government through international institutions.",
     [("United States", "would support the new government through international institutions")]),
    # A thousands separator is no clause end (NeuS-AllSides).
    ("The United States will withdraw over 2,000 troops from Iraq this month, roughly half of its troop "
     "presence, the top U.S. commander said.",
     [("United States", "will withdraw over 2,000 troops from Iraq this month")]),
    # Analysis and forecasts are no pledges.
    ("Despite the US drawdown, Washington appears to remain committed to tackling pro-Iran forces.", []),
    ("The talks would likely bring a further drawdown.", []),
    ("Iraqi and US officials said they support a scheduled withdrawal of forces from Iraq.", []),
    ("The Spirit said they did not want Rapinoe to detract from the final home game.", []),
])
def test_pledges_in_real_sentences(sentence: str, expected: list[tuple[str, str]]) -> None:
    assert _read(sentence) == expected


def test_actor_spellings_fold() -> None:
    assert {actor_name(s) for s in ("the U.S.", "US", "The United States", "Washington")} == {"United States"}
    assert actor_name("The US and Iraq") == "United States and Iraq"
    assert actor_name("Both sides") == actor_name("the two countries") == "both sides"


def test_markdown_shows_actor_due_and_marks(seed_pledges, seed_run) -> None:
    result, _ = seed_run
    numbering = {d: i + 1 for i, d in enumerate(result.stories[0].documents)}
    lines = pledges_lines(seed_pledges, numbering)
    assert lines[1] == "Pledges:"
    assert any(line.startswith("- United States: would continue reducing forces") and "(due: over the coming "
               "months)" in line for line in lines)


@pytest.mark.parametrize(("sentence", "actor"), [
    # DUC 2004 wire sentences (AP, 1998).
    ("Taiwan will donate dlrs 2.6 million in relief to Honduras, Nicaragua, and El Salvador, the foreign "
     "ministry said.", "Taiwan"),
    ("Turkish President Suleyman Demirel said Turkey would not allow its neighbor to continue sheltering "
     "Kurdish rebels.", "Turkey"),
    ("Iran has offered to mediate between Syria and Turkey in the deepening dispute over Kurdish "
     "rebel bases.", "Iran"),
    # Reported with a day between the speech verb and the pronoun, or by a speaker named by role.
    ("Taiwan said today it will donate dlrs 2.6 million in relief to Honduras, Nicaragua, El Salvador "
     "and Guatemala.", "Taiwan"),
    ("Nicaragua said Friday it will accept Cuba's offer to send doctors.", "Nicaragua"),
    ("Taking into account that a three- to four-week period would be needed for training camp, the "
     "league said it would decide in two weeks whether to make further cancellations.", "league"),
    ("Finally, the players agreed to make marijuana a banned substance.", "players"),
    # The actor's own terms, reported: a conditional pledge (DUC 2004).
    ("Sharon told the Haaretz newspaper he would accept the foreign minister's job if he were allowed "
     "to act to strengthen the country.", "Sharon"),
    ("Former President Jimmy Carter intended to visit Nicaragua on Friday to learn more about the "
     "hurricane's impact.", "Former President Jimmy Carter"),
])
def test_stated_courses_and_offers_of_a_named_actor_are_pledges(sentence, actor):
    assert [found[0] for found in pledge_spans(sentence)] == [actor]


@pytest.mark.parametrize("sentence", [
    "Iraq will be a key partner in the region, analysts said.",
    # A wish or an outcome, not an act committed to (DUC 2004).
    "The rebels said the capture of the town will boost morale among their fighters.",
    "Under the proposal, the players would get a right of first refusal on free agents.",
    "Hun Sen said he would like to launch an appeal to U.S. senators to consider the resolution.",
    # A premise in a subordinate clause, and the writer's hypothetical (Multi-News, POLITICO/CNN).
    "Since Comey would testify from Congress, and Trump can command the bully pulpit, both men would "
    "be vying for victory in the court of public opinion.",
    "A Republican Congress would certainly impeach a Democrat if the roles were reversed.",
    "That will be fine if Sharon is willing to play a constructive role in the peace talks himself.",
])
def test_a_forecast_state_wish_or_outcome_is_no_pledge(sentence):
    assert pledge_spans(sentence) == []


def test_a_reported_would_outside_a_preview_page_is_a_pledge():
    # Read alone, "would" reads as a forecast (modality "predicted"); only a preview page's
    # forecasts are kept out of the pledges.
    sentence = ("Early this year, after laying off workers, Netscape announced that it would also "
                "distribute its browser for free.")
    article = api.clean_page(api.page_from_text(
        "Netscape to give browser away\n\n" + sentence
        + " The company's shares rose 5 percent on the news in New York trading.", id="netscape"))
    (found,) = pledges([article], {article.id: article.id})
    assert found["actor"] == "Netscape" and found["text"].startswith("would also distribute its browser")
