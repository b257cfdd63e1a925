"""Timeline-event and pledge scoring: the scorers on hand-made cases, the gold, and the bench section."""

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from newsfuse.bench.events import (
    GOLD_PLEDGES,
    GoldEvent,
    PredictedEvent,
    Span,
    actors_agree,
    annotated_documents,
    dates_agree,
    pledge_baseline,
    pledge_sample,
    predicted_pledges,
    read_gold_timelines,
    read_pledge_gold,
    read_semeval_document,
    score_events,
    score_pledges,
    section_events,
    timeline_mentions,
)
from newsfuse.bench.report import SectionReport

from .seeds import EVAL, seed_text

SEMEVAL = EVAL / "timeml" / "semeval2015-trial"
DUC = EVAL / "duc2004" / "clusters.jsonl"
needs_semeval = pytest.mark.skipif(not SEMEVAL.is_dir(), reason="../shared/eval SemEval-2015 trial missing")
needs_duc = pytest.mark.skipif(not DUC.exists(), reason="../shared/eval/duc2004 is missing")


def test_dates_agree_at_the_gold_precision():
    assert dates_agree("2008", "2008-06-09")
    assert dates_agree("2005-06-06", "2005-06-06")
    assert not dates_agree("2005-06-06", "2005")  # vaguer than the gold
    assert not dates_agree("2005-06-06", "2005-06-07")
    assert dates_agree("2005-06", "2005-06-06")
    assert not dates_agree("200", "2005")


def test_score_events_locates_then_checks_the_date():
    gold = [GoldEvent("1664", 2, "keynote", "2005-06-06"), GoldEvent("1664", 2, "gave", "2005-06-06"),
            GoldEvent("18355", 6, "started", "1976"), GoldEvent("18355", 8, "bought", "1986")]
    predicted = [PredictedEvent("1664", frozenset({2}), "2005-06-06"),  # holds two gold events, right date
                 PredictedEvent("18355", frozenset({6}), "1977"),  # located, wrong year
                 PredictedEvent("18355", frozenset({3}), "1985")]  # no gold event in that sentence
    counts = score_events(gold, predicted)
    assert (counts.gold, counts.predicted) == (4, 3)
    assert counts.predicted_matched == 1
    assert counts.gold_matched == 2
    assert (counts.located, counts.agreed) == (3, 2)
    assert counts.outside == 1
    figures = counts.figures()
    assert figures["precision"] == pytest.approx(1 / 3)
    assert figures["recall"] == pytest.approx(0.5)
    assert figures["agreement"] == pytest.approx(2 / 3)


def test_score_pledges_matches_one_to_one_by_sentence_overlap():
    gold = [Span("000", 900, 992, "Iraq"), Span("000", 776, 898, "United States")]
    predicted = [Span("000", 915, 958, "Iraq"), Span("000", 930, 950, "Iraq"),  # second one: no gold left
                 Span("000", 814, 896, "US"), Span("001", 915, 958, "Iraq")]  # other document
    counts = score_pledges(gold, predicted)
    assert (counts.gold_matched, counts.predicted_matched, counts.predicted) == (2, 2, 4)
    assert (counts.located, counts.agreed) == (2, 2)
    assert counts.figures()["precision"] == pytest.approx(0.5)
    assert counts.figures()["recall"] == pytest.approx(1.0)


def test_actors_agree_on_shared_names_and_the_united_states_spellings():
    assert actors_agree("United States", "U.S.")
    assert actors_agree("Israel's Cabinet", "Israel")
    assert not actors_agree("Iraq", "United States")
    assert not actors_agree("both sides", "Iraq")


def test_read_semeval_document_joins_tokens_one_sentence_a_line(tmp_path: Path):
    tokens = [("0", "Apple"), ("0", "unveils"), ("0", "iPhone"), ("1", "June"), ("1", "8"), ("1", ","),
              ("1", "2010"), ("2", "Steve"), ("2", "Jobs"), ("2", "unveiled"), ("2", "it"), ("2", "on"),
              ("2", "Monday"), ("2", ".")]
    body = "".join(f'<token t_id="{i}" sentence="{s}" number="{i}">{t}</token>\n'
                   for i, (s, t) in enumerate(tokens))
    path = tmp_path / "16844-Apple_unveils_iPhone_4.xml"
    path.write_text(f'<?xml version="1.0" ?><Document doc_id="16844">\n{body}</Document>', encoding="utf-8")
    doc = read_semeval_document(path)
    assert doc.name == "16844"
    assert doc.text == "Apple unveils iPhone\nJune 8, 2010\nSteve Jobs unveiled it on Monday."
    assert str(doc.creation) == "2010-06-08"
    assert doc.text[slice(*doc.sentences[2])] == "Steve Jobs unveiled it on Monday."


def test_read_gold_timelines_takes_the_union_of_dated_mentions(tmp_path: Path):
    (tmp_path / "steve_jobs.txt").write_text(
        "Steve Jobs\n0\tXXXX-XX-XX\t18315-4-said\n2\t1976\t18355-6-started\n"
        "8\t2004\t17677-5-fought\t18315-7-fighting\n5\tXXX-XX-XX\t12315-4-provide\n"
        "9\t2008-03-XX\t11212-2-released\n", encoding="utf-8")
    (tmp_path / "ipod.txt").write_text("iPod\n1\t2004\t17677-5-fought\n", encoding="utf-8")
    events = read_gold_timelines(tmp_path)
    assert [(e.document, e.sentence, e.word, e.date) for e in events] == [
        ("11212", 2, "released", "2008-03"), ("17677", 5, "fought", "2004"),
        ("18315", 7, "fighting", "2004"), ("18355", 6, "started", "1976")]


def test_pledge_gold_offsets_hold_the_annotated_words_on_the_seed_pages():
    listed = set(annotated_documents())
    rows = read_pledge_gold()
    assert {r.document for r in rows} <= listed
    raw = [json.loads(line) for line in GOLD_PLEDGES.read_text(encoding="utf-8").splitlines()]
    seeds = [r for r in raw if r["document"].isdigit()]
    assert seeds
    for row in seeds:
        sentence = seed_text(row["document"])[row["start"]:row["end"]]
        assert " ".join(row["text"].split()[:3]) in " ".join(sentence.split()), row


@needs_duc
def test_pledge_gold_documents_are_the_seeded_duc_sample_and_offsets_hold_the_words():
    texts = {d["docno"]: d["text"] for line in DUC.read_text(encoding="utf-8").splitlines()
             for d in json.loads(line)["docs"]}
    listed = annotated_documents()
    assert [d for d in listed if not d.isdigit()] == pledge_sample(texts)
    for line in GOLD_PLEDGES.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if not row["document"].isdigit():
            assert " ".join(row["text"].split()[:3]) in texts[row["document"]][row["start"]:row["end"]], row


def test_predicted_pledges_are_placed_in_the_seed_page_text():
    text = seed_text("000")
    found = predicted_pledges({"000": text})
    assert any(text[p.start:p.end].startswith("promised to protect bases") and p.actor == "Iraq"
               for p in found)
    gold = [g for g in read_pledge_gold() if g.document == "000"]
    assert score_pledges(gold, found).gold_matched >= 2
    # The word baseline flags the scraped page's "shall not be republished" notice too.
    assert any("shall not be republished" in text[s.start:s.end] for s in pledge_baseline({"000": text}))


@needs_semeval
def test_timeline_mentions_date_the_keynote_on_the_page_date():
    from newsfuse.bench.events import load_semeval

    documents, gold = load_semeval(EVAL)
    keynote = [d for d in documents if d.name == "1664"]
    mentions = timeline_mentions(keynote)
    assert any(2 in m.sentences and m.date == "2005-06-06" for m in mentions)
    counts = score_events([g for g in gold if g.document == "1664"], mentions)
    assert counts.gold_matched >= 1


@needs_semeval
@needs_duc
def test_section_events_quick():
    report = SectionReport(key="events", title="events")
    section_events(SimpleNamespace(eval_dir=EVAL, quick=True, log=lambda _m: None), report)
    assert any("SemEval-2015 task 4 trial" in b and "|---" in b for b in report.blocks)
    assert any("Pledges on our hand-annotated gold" in b and "|---" in b for b in report.blocks)
    assert len(report.targets) == 2 and all(t.met is not None for t in report.targets)
