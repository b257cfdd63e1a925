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
    assert (overall.gold, overall.system, overall.strict_gold, overall.matched) == (3, 4, 2, 3)
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
@pytest.mark.skipif(not (EVAL / "timeml" / "meantime-english").is_dir(),
                    reason="MEANTIME not in ../shared/eval")
def test_the_bench_section_writes_a_table_per_type_and_its_targets():
    report = SectionReport(key="timeml", title="Dates")
    section_timeml(SimpleNamespace(eval_dir=EVAL), report)
    platinum, meantime = report.blocks
    for row in ("| all ", "| DATE ", "| TIME ", "| DURATION ", "| SET ", "HeidelTime"):
        assert row in platinum
    assert "MEANTIME" in meantime and "HeidelTime" not in meantime
    assert len(report.targets) == 3 and all(t.met is not None for t in report.targets)


def cat_document(sentences: list[list[str]], timexes: list[tuple[str, str, list[int], str]]) -> str:
    """A NewsReader CAT document: tokens numbered from 1, and TIMEX3 markables anchored to them."""
    tokens, t_id = [], 0
    for number, sentence in enumerate(sentences):
        for word in sentence:
            t_id += 1
            tokens.append(f'<token number="{t_id - 1}" sentence="{number}" t_id="{t_id}">{word}</token>')
    marks = [f'<TIMEX3 functionInDocument="{function}" m_id="{i}" type="{kind}" value="{value}">'
             + "".join(f'<token_anchor t_id="{a}"/>' for a in anchors) + "</TIMEX3>"
             for i, (function, kind, anchors, value) in enumerate(timexes)]
    return ('<?xml version="1.0" ?><Document doc_id="1">' + "\n".join(tokens) + "<Markables>"
            + "".join(marks) + "</Markables></Document>")


def test_read_meantime_joins_tokens_and_reads_only_the_annotated_sentences(tmp_path: Path):
    from newsfuse.bench.timeml import MEANTIME_ANNOTATED_SENTENCES, read_meantime

    sentences = [["Boeing", "unveils", "new", "787", "Dreamliner"], ["July", "9", ",", "2007"],
                 ["Boeing", "(", "NYSE", ")", "unveiled", "its", "787", "on", "Sunday", "."]]
    sentences += [["Filler", "sentence", "."]] * (MEANTIME_ANNOTATED_SENTENCES - len(sentences))
    sentences += [["It", "flew", "on", "Monday", "."]]
    path = tmp_path / "doc.xml"
    path.write_text(cat_document(sentences, [("CREATION_TIME", "DATE", [6, 7, 8, 9], "2007-07-09"),
                                             ("NONE", "DATE", [18], "2007-07-08")]), encoding="utf-8")
    doc = read_meantime(path)
    assert str(doc.creation) == "2007-07-09"
    assert "July 9, 2007" in doc.text and "Boeing (NYSE) unveiled its 787 on Sunday." in doc.text
    assert "Monday" not in doc.text
    assert [(t.text, t.value) for t in doc.timexes] == [("July 9, 2007", "2007-07-09"),
                                                        ("Sunday", "2007-07-08")]
