"""TempEval-3 scoring: TimeML reading, relaxed/strict extents and values, and the bench section."""

from pathlib import Path
from types import SimpleNamespace

import pytest

from newsfuse.bench.report import SectionReport
from newsfuse.bench.timeml import (
    HEIDELTIME_RELAXED_F1,
    HEIDELTIME_VALUE_F1,
    load_platinum,
    read_timeml,
    score,
    section_timeml,
)

from .seeds import EVAL

PLATINUM = EVAL / "timeml" / "tempeval3-platinum" / "te3-platinum"
needs_platinum = pytest.mark.skipif(not PLATINUM.is_dir(), reason="TempEval-3 platinum not in ../shared/eval")

# Sentences after the opening of CNN_20130322_314, marked by hand: one extent cut short ("late"
# left out) so strict and relaxed matching differ, and one duration left unmarked.
DOCUMENT = (
    '<?xml version="1.0" ?><TimeML>\n<DCT><TIMEX3 functionInDocument="CREATION_TIME" tid="t0" type="DATE" '
    'value="2013-03-22">March 22, 2013</TIMEX3></DCT>\n<TEXT>\n'
    'President Barack Obama <EVENT eid="e1">arrived</EVENT> in refugee-flooded Jordan on '
    '<TIMEX3 tid="t1" type="DATE" value="2013-03-22">Friday</TIMEX3> after Netanyahu &amp; Erdogan spoke '
    'about a <TIMEX3 tid="t2" type="DATE" value="2010">2010</TIMEX3> commando raid. Talks ended late '
    '<TIMEX3 tid="t3" type="DATE" value="2013-03-20">Wednesday</TIMEX3>, ending his three-day '
    '<EVENT eid="e2">visit</EVENT>.\n</TEXT></TimeML>'
)


def test_read_timeml_strips_markup_and_keeps_offsets(tmp_path: Path):
    path = tmp_path / "doc.tml"
    path.write_text(DOCUMENT, encoding="utf-8")
    doc = read_timeml(path)
    assert str(doc.creation) == "2013-03-22"
    assert [(t.text, t.value) for t in doc.timexes] == [("Friday", "2013-03-22"), ("2010", "2010"),
                                                        ("Wednesday", "2013-03-20")]
    assert "<" not in doc.text and "Netanyahu & Erdogan" in doc.text
    assert all(doc.text[t.start:t.end] == t.text for t in doc.timexes)


def test_relaxed_strict_and_value_scores_on_a_document(tmp_path: Path):
    path = tmp_path / "doc.tml"
    path.write_text(DOCUMENT, encoding="utf-8")
    slices = score([read_timeml(path)])
    overall = slices["all"]
    # Found: Friday, 2010, "late Wednesday" (a longer extent) and "three-day", which the gold leaves out.
    assert (overall.gold, overall.system, overall.strict, overall.matched) == (3, 4, 2, 3)
    figures = overall.figures()
    assert figures["recall"] == 1.0 and figures["precision"] == 0.75
    assert figures["strict_recall"] == pytest.approx(2 / 3)
    assert figures["value_accuracy"] == 1.0
    assert figures["value_f1"] == pytest.approx(figures["f1"])
    assert slices["DURATION"].system == 1 and slices["DURATION"].gold == 0


@needs_platinum
def test_platinum_scores_reach_heideltime():
    documents = load_platinum(EVAL)
    assert len(documents) == 20
    figures = score(documents)["all"].figures()
    assert figures["f1"] >= HEIDELTIME_RELAXED_F1
    assert figures["value_f1"] >= HEIDELTIME_VALUE_F1


@needs_platinum
def test_the_bench_section_writes_a_table_per_type_and_its_targets():
    report = SectionReport(key="timeml", title="Dates")
    section_timeml(SimpleNamespace(eval_dir=EVAL), report)
    (table,) = report.blocks
    for row in ("| all ", "| DATE ", "| TIME ", "| DURATION ", "| SET ", "HeidelTime"):
        assert row in table
    assert len(report.targets) == 3 and all(t.met is not None for t in report.targets)
