"""The story timeline on the seed run and on the real sentences of each trap (captions, sidebars)."""

import pytest

from newsfuse.analyze.timeline import timeline
from newsfuse.model import Article, Evidenced, Metadata
from newsfuse.render.markdown import timeline_lines
from newsfuse.render.schema import validator

from .seeds import seed_text

UPDATED = Evidenced("2020-06-13", "China Daily | Updated: 2020-06-13 00:00", "header-date")


def article(doc_id: str, body: str, **meta: Evidenced) -> Article:
    return Article(id=doc_id, source=doc_id, body=body, language="en", meta=Metadata(**meta),
                   segments=(), raw_sha256="0" * 64, cleaner="test")


def raw_line(prefix: str, contains: str) -> str:
    (line,) = [ln for ln in seed_text(prefix).splitlines() if contains in ln]
    return line


@pytest.fixture(scope="module")
def seed_timeline(seed_run) -> tuple[list[dict], dict[str, Article]]:
    result, _ = seed_run
    (story,) = [s for s in result.stories if len(s.documents) == 5]
    return timeline([result.articles[d] for d in story.documents]), result.articles


def events_on(events: list[dict], day: str) -> list[dict]:
    return [e for e in events if e["date"] == day]


def test_the_seed_story_timeline_has_its_key_events_on_their_dates(seed_timeline):
    events, _ = seed_timeline
    assert any("Soleimani" in e["text"] and "January 3" in e["text"] for e in events_on(events, "2020-01-03"))
    assert any("parliament" in e["text"] for e in events_on(events, "2020-01-05"))
    assert any("missiles" in e["text"] for e in events_on(events, "2020-01-08"))
    launch = [e for e in events_on(events, "2020-06-11") if "launched" in e["text"] and "talks" in e["text"]]
    assert launch and all(e["precision"] == "day" and e["modality"] is None for e in launch)
    dates = [e["date"] for e in events]
    assert not any(d.startswith(("2018", "2020-10")) for d in dates)


def test_the_timeline_is_sorted_and_every_citation_holds_its_text(seed_timeline):
    events, articles = seed_timeline
    from newsfuse.analyze.timeline import _interval_start

    starts = [_interval_start(e["date"]) for e in events]
    assert starts == sorted(starts)
    for event in events:
        assert event["citations"]
        texts = {articles[c["document"]].body[c["start"]:c["end"]] for c in event["citations"]}
        assert event["text"] in texts
        for mention in event["mentions"]:
            cite = mention["citation"]
            assert articles[cite["document"]].body[cite["start"]:cite["end"]] == mention["expression"]


def test_reprinted_wire_sentences_merge_into_one_event_cited_on_both_pages(seed_run, seed_ids, seed_timeline):
    events, _ = seed_timeline
    (took_over,) = [e for e in events_on(events, "2020-05") if "took over the helm" in e["text"]]
    assert {c["document"] for c in took_over["citations"]} == {seed_ids["000"], seed_ids["003"]}
    assert took_over["expression"] == "last month" and took_over["inferred"]


def test_resolved_dates_say_what_they_were_resolved_against(seed_ids, seed_timeline):
    events, _ = seed_timeline
    (vote,) = events_on(events, "2020-01-05")
    # Seed 000 states its own date; "Jan 5" took its year from it.
    assert vote["resolved_against"]["document"] == seed_ids["000"]
    assert vote["resolved_against"]["date"] == "2020-06-13" and "Updated" in vote["resolved_against"]["basis"]
    (strike,) = events_on(events, "2020-01-03")
    # Seed 001 states no date: the story's dated page (000) is the reference, and it says so.
    assert strike["resolved_against"]["document"] == seed_ids["000"]
    assert "states no date" in strike["resolved_against"]["basis"]


def test_n_years_after_places_the_earlier_event_against_the_sentence_date(seed_ids, seed_timeline):
    events, _ = seed_timeline
    (invasion,) = [e for e in events_on(events, "2003") if e["expression"] == "Seventeen years after"]
    assert invasion["precision"] == "year" and invasion["inferred"]
    assert "Thursday" in invasion["resolved_against"]["basis"]
    assert invasion["citations"][0]["document"] == seed_ids["002"]


def test_a_planned_event_on_an_undated_page_is_the_story_week_day_and_marked_planned():
    dated = article("cd", "BAGHDAD/WASHINGTON-The United States and Iraq launched much-anticipated strategic "
                          "talks on Thursday that are to span the gamut of their bilateral relations.",
                    updated=UPDATED)
    afp = article("afp", raw_line("004", "poised to launch strategic talks Thursday"))
    events = timeline([dated, afp])
    (planned,) = [e for e in events if e["citations"][0]["document"] == "afp"]
    assert (planned["date"], planned["modality"]) == ("2020-06-11", "planned")
    reported = [e for e in events if e["citations"][0]["document"] == "cd"]
    assert reported[0]["date"] == "2020-06-11" and reported[0]["modality"] is None


def test_an_old_photo_caption_is_not_an_event_of_the_story():
    caption = raw_line("002", "Susannah George/AP")
    report = "There was no word Friday on when or how another round of troop withdrawals might occur."
    body = caption + "\n\n" + report
    events = timeline([article("wp", body, updated=UPDATED)])
    assert [e["date"] for e in events] == ["2020-06-12"]


def test_sidebar_dates_after_the_page_date_are_not_events_even_without_a_photo_credit():
    sidebar = raw_line("003", "Mookie Betts").split(" (AP Photo")[0]
    assert "Oct. 27, 2020" in sidebar
    body = "Tehran retaliated on January 8 with a barrage of missiles targeting Iraqi bases.\n\n" + sidebar
    events = timeline([article("ap", body, updated=UPDATED)])
    assert [e["date"] for e in events] == ["2020-01-08"]


def test_a_page_without_any_date_places_only_stated_dates():
    body = ("US-led troops were deployed in Iraq from 2014 to head a military coalition. "
            "The talks, which began Thursday, focus on a wide range of issues.")
    events = timeline([article("x", body)])
    assert [(e["date"], e["resolved_against"], e["inferred"]) for e in events] == [("2014", None, False)]


def test_seed_events_match_the_schema_fragment(seed_timeline):

    events, _ = seed_timeline
    check = validator("timeline_event")
    for event in events:
        check.validate(event)
    assert not check.is_valid({**events[0], "precision": "fortnight"})


def test_markdown_lines_show_date_modality_pages_and_the_reference(seed_ids, seed_timeline):

    events, _ = seed_timeline
    numbering = {seed_ids[p]: i + 1 for i, p in enumerate(("000", "001", "002", "003", "004"))}
    lines = timeline_lines(events, numbering)
    (vote,) = [ln for ln in lines if ln.startswith("- **2020-01-05**")]
    assert "[1]" in vote and "resolved against 2020-06-13 [1]" in vote
    # Events stated by several pages come before single-page ones when the digest is cut.
    launch = [ln for ln in lines if ln.startswith("- **2020-06-11**") and "[1][4]" in ln]
    assert launch
    planned = timeline_lines([e for e in events if e["modality"]], numbering)
    assert any(ln.startswith("- **2020-07** (planned)") for ln in planned)


def test_n_days_before_a_dated_event_places_the_sentence_event_before_that_date():
    # DUC 2004, APW19981020.0241 (20 October 1998), one clause left out.
    sentence = ("Pinochet had drinks with Lady Thatcher and her husband, Denis, in their home in London's "
                "elite Belgravia district four days before he was hospitalized for back surgery performed "
                "Oct. 9.")
    published = Evidenced("1998-10-20", "APW19981020.0241", "input")
    events = timeline([article("apw", sentence, published=published)])
    (drinks,) = [e for e in events if e["inferred"] and e["expression"].startswith("four days before")]
    assert drinks["date"] == "1998-10-05" and drinks["expression"].endswith("Oct. 9")
    assert [e["date"] for e in events if e["expression"] == "Oct. 9"] == ["1998-10-09"]


def test_only_the_analysed_part_of_a_body_is_read():
    from newsfuse.pipeline import MAX_ANALYSED_CHARS

    filler = "Officials met again to discuss the budget and the troops.\n"
    head = "Tehran retaliated on January 8 with a barrage of missiles targeting Iraqi bases.\n"
    tail = "Soleimani's death prompted the Iraqi parliament on Jan 5 to pass a resolution.\n"
    body = head + filler * (MAX_ANALYSED_CHARS // len(filler) + 1) + tail
    events = timeline([article("long", body, updated=UPDATED)])
    assert [e["date"] for e in events] == ["2020-01-08"]
