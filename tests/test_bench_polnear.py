"""The PolNeAR bench section: newsfuse quotes as attributions, the direct/all split, the section."""

from __future__ import annotations

import pytest

from newsfuse.bench.datasets import Attribution, SpanSet, load_polnear
from newsfuse.bench.polnear import QUICK_DOCS, evaluate, is_direct, newsfuse_attributions, section_quotes
from newsfuse.bench.report import SectionReport

from .seeds import EVAL

needs_eval = pytest.mark.skipif(not (EVAL / "polnear").is_dir(), reason="../shared/eval/polnear is missing")


def test_attribution_spans_on_real_sentences():
    opening = "\u201cThe first stage will try to set the tone and agenda for the talks,\u201d"
    text = (f"{opening} said Sajad Jiyad, an Iraqi analyst. "
            "\u201cBut it may prove to be a long, uncertain process,\u201d he said.")
    first, second = newsfuse_attributions(text)
    assert first.content.text == opening
    assert first.source.text == "Sajad Jiyad" and first.cue.text == "said"
    # The speaker as written, not the name it resolves to: PolNeAR marks the pronoun.
    assert second.source.text == "he" and second.cue.text == "said"
    assert text[slice(*second.source.spans[0])] == "he"


def test_adverb_and_colon_introductions():
    (also,) = newsfuse_attributions("Trump also said at the time that the United States has become a "
                                    "\u201cdumping ground for everybody else\u2019s problems.\u201d")
    assert also.source.text == "Trump" and also.cue.text == "said"
    (colon,) = newsfuse_attributions("Frank quotes former Carter adviser Alfred Kahn: "
                                     "\u201cI\u2019d love the Teamsters to be worse off.\u201d")
    assert colon.source.text == "Alfred Kahn" and colon.cue.text == ":"


def test_is_direct():
    quoted = Attribution(None, None, SpanSet(((0, 10),), "\u201cproductive\u201d"))
    reported = Attribution(None, None, SpanSet(((0, 10),), "that the session went well"))
    assert is_direct(quoted) and not is_direct(reported)
    assert not is_direct(Attribution(None, None, None))


@needs_eval
def test_scores_on_a_fixed_sample():
    docs = load_polnear(EVAL)[:QUICK_DOCS]
    scores = evaluate(docs)
    direct_gold = sum(1 for d in docs for a in d.attributions if is_direct(a) and a.content)
    assert scores["newsfuse/direct"]["content"].gold == direct_gold
    assert scores["newsfuse/all"]["content"].gold > direct_gold
    # Same predictions, larger gold set: recall can only fall.
    every, direct = scores["newsfuse/all"]["content"], scores["newsfuse/direct"]["content"]
    assert every.overlap.recall <= direct.overlap.recall
    ours, base = scores["newsfuse/direct"], scores["cue-verb/direct"]
    assert ours["content"].overlap.precision > base["content"].overlap.precision
    assert ours["source"].overlap.f1 > base["source"].overlap.f1


@needs_eval
def test_section_writes_tables_and_targets(tmp_path):
    from newsfuse.bench.runner import Context

    ctx = Context(eval_dir=EVAL, quick=True, log=lambda _: None, sizes=(), workdir=tmp_path)
    report = SectionReport(key="quotes", title="Quotes")
    section_quotes(ctx, report)
    assert len(report.blocks) == 3 and "speaker (source)" in report.blocks[0]
    assert [t.goal for t in report.targets] == [
        "PolNeAR direct quotes: speaker overlap F1 above the cue-verb baseline",
        "PolNeAR direct quotes: quote-span overlap F1 above the cue-verb baseline"]
    assert "indirect" in report.intro and report.analysis


def test_continued_quote_is_more_content_of_the_same_attribution():
    text = ("\u201cWe have communicated that to the Americans,\u201d the official said.\n"
            "\u201cThey know where we stand.\u201d")
    (only,) = newsfuse_attributions(text)
    assert only.source.text == "the official"
    assert [text[a:b] for a, b in only.content.spans] == [
        "\u201cWe have communicated that to the Americans,\u201d", "\u201cThey know where we stand.\u201d"]
