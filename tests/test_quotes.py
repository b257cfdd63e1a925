"""Direct quotations: speakers, cues, cross-page merging and citations, on the seed pages."""

from __future__ import annotations

import json

import pytest

import newsfuse
from newsfuse.analyze.quotes import quotes
from newsfuse.model import Article, Metadata, Segment, sha256_text

from .seeds import EXAMPLES


def _article(body: str, ident: str = "dtest") -> Article:
    return Article(ident, f"{ident}.txt", body, "en", Metadata(), (Segment(0, 0, len(body)),),
                   sha256_text(body), "test")


@pytest.fixture(scope="module")
def seeds() -> list[Article]:
    result = newsfuse.run([str(EXAMPLES)])
    articles = result.articles
    return list(articles.values()) if isinstance(articles, dict) else list(articles)


@pytest.fixture(scope="module")
def seed_quotes(seeds) -> list[dict]:
    return quotes(seeds)


def _find(found: list[dict], fragment: str) -> dict:
    hits = [q for q in found if any(fragment in v["text"] for v in q["variants"])]
    assert len(hits) == 1, (fragment, [q["text"] for q in found])
    return hits[0]


def _docs(q: dict) -> set[str]:
    return {c["document"] for v in q["variants"] for c in v["citations"]}


def test_joint_statement_quote_is_one_quote_across_three_pages(seeds, seed_quotes):
    ids = {a.source.rsplit("/", 1)[-1][:3]: a.id for a in seeds}
    q = _find(seed_quotes, "eliminating the threat of the Islamic State group")
    assert _find(seed_quotes, "eliminating the ISIS threat") is q
    assert {ids["000"], ids["001"], ids["002"]} <= _docs(q)
    assert q["pages"] == 3
    assert len(q["variants"]) >= 2
    assert "statement" in q["speaker"]
    assert seed_quotes[0] is q  # most pages first


def test_schenker_timeline_quote(seed_quotes):
    q = _find(seed_quotes, "There was no discussion of a timeline")
    assert q["speaker"] == "David Schenker"
    assert q["cue"] == "told reporters"
    assert q["speaker_role"] == "assistant secretary of state for Near Eastern affairs"


def test_named_speakers_with_roles(seed_quotes):
    q = _find(seed_quotes, "The first stage will try to set the tone")
    assert q["speaker"] == "Sajad Jiyad"
    assert q["speaker_role"].startswith("an Iraqi analyst")
    assert q["pages"] == 2
    assert _find(seed_quotes, "need for Iraq and America to fight IS")["speaker"] == "Mustafa al-Kadhimi"
    assert _find(seed_quotes, "whether they admit it")["speaker"] == "Renad Mansour"


def test_pronoun_continuations_on_seeds(seed_quotes):
    # '"...," he said.' after a quote by Robert Ford (004) and after Schenker's remarks (003).
    assert _find(seed_quotes, "the right people in the right place")["speaker"] == "Robert Ford"
    assert _find(seed_quotes, "Iran-backed Shiite militias remain")["speaker"] == "David Schenker"
    # "the new prime minister said" resolves to the prime minister named before.
    assert _find(seed_quotes, "safeguard our sovereignty")["speaker"] == "Mustafa al-Kadhimi"


def test_sajad_jiyad_he_said_continuation():
    # The seed pages give Jiyad's continuation as indirect speech; here it is quoted.
    body = ("However, relations have improved since new Prime Minister Mustafa al-Kadhimi took over.\n\n"
            "\u201cThe first stage will try to set the tone and agenda for the talks and lay on the table "
            "some of the urgent issues up for discussion,\u201d said Sajad Jiyad, an Iraqi analyst and "
            "visiting fellow with the Middle East and North Africa program at the European Council on "
            "Foreign Relations. \u201cBut it may prove to be a long, uncertain process punctuated by US "
            "presidential elections in November,\u201d he said.")
    found = quotes([_article(body)])
    assert [q["speaker"] for q in found] == ["Sajad Jiyad", "Sajad Jiyad"]
    assert found[1]["cue"] == "said"
    assert found[1]["speaker_role"].startswith("an Iraqi analyst")


def test_pronoun_resolves_to_most_recent_named_person():
    body = ("David Hale, undersecretary for political affairs, led the U.S. team in Washington.\n\n"
            "Schenker said the rocket attack highlighted why the talks matter, according to officials.\n\n"
            "Earlier, Abdul Karim Hashim, the deputy minister for foreign affairs, outlined Iraq's concerns "
            "at the State Department.\n\n"
            "\"We have to pay salaries before anything else,\" he told reporters.")
    (q,) = quotes([_article(body)])
    assert q["speaker"] == "Abdul Karim Hashim"
    assert q["speaker_role"] == "the deputy minister for foreign affairs"
    assert q["cue"] == "told reporters"


def test_citations_cite_their_variant_text(seeds, seed_quotes):
    bodies = {a.id: a.body for a in seeds}
    assert seed_quotes
    for q in seed_quotes:
        assert q["pages"] == len(_docs(q))
        assert q["text"] in [v["text"] for v in q["variants"]]
        canonical = next(v for v in q["variants"] if v["text"] == q["text"])
        assert q["citations"] == canonical["citations"]
        for v in q["variants"]:
            for c in v["citations"]:
                assert bodies[c["document"]][c["start"]:c["end"]] == v["text"]
                assert c["raw_sha256"] is not None and c["raw_end"] - c["raw_start"] == c["end"] - c["start"]
    json.dumps(seed_quotes)  # JSON-ready


def test_order_is_pages_then_first_appearance(seed_quotes):
    pages = [q["pages"] for q in seed_quotes]
    assert pages == sorted(pages, reverse=True)
    firsts = [(q["citations"][0]["document"], q["citations"][0]["start"]) for q in seed_quotes]
    assert len(set(firsts)) == len(firsts)


def test_scare_quotes_skipped_but_attributed_short_quote_kept(seed_quotes):
    texts = {v["text"] for q in seed_quotes for v in q["variants"]}
    assert "caliphate" not in texts and "in-depth" not in texts and "coldest" not in texts
    q = _find(seed_quotes, "productive")
    assert q["speaker"] == "David Schenker" and q["pages"] == 2


def test_anonymous_source_has_no_speaker_but_a_role(seed_quotes):
    q = _find(seed_quotes, "We're tied down by this dialogue")
    assert q["speaker"] is None
    assert q["speaker_role"] == "a Western diplomat"
    assert q["cue"] == "told AFP"


def test_headline_lines_skipped():
    body = "\u201cWe will not leave Iraq now\u201d\n\nThe talks began on Thursday in Baghdad."
    assert quotes([_article(body)]) == []


@pytest.mark.parametrize("body", [
    "",
    "   \n\n ",
    "He said \u201cthis quote never closes and runs on and on",
    "\u201d\u201c\"\"\u201c",
    "A \"straight quote with four words\" and an \u201cunclosed one, said Nobody.\n\n\u201d",
    "\u201cOne two three four,\u201d",
])
def test_odd_input_does_not_raise(body):
    found = quotes([_article(body)])
    assert isinstance(found, list)
    assert quotes([]) == []


def test_more_cue_verbs_attribute_short_quotes():
    body = ("Former Florida Gov. Jeb Bush called Trump \u201cunhinged.\u201d Sen. Marco Rubio called the "
            "statement \u201coffensive and outlandish.\u201d")
    found = quotes([_article(body)])
    assert [(q["text"], q["speaker"], q["cue"]) for q in found] == [
        ("unhinged", "Jeb Bush", "called"), ("offensive and outlandish", "Marco Rubio", "called")]


def test_attribution_opening_the_next_sentence_and_titled_speakers():
    body = ("\u201cMason let me tell you, how big is that wall going to be?\u201d Pence said in response.\n\n"
            "\"The nuclear weapons test announced by North Korea undermines regional security,\" NATO "
            "Secretary General Jens Stoltenberg said.\n\n"
            "The longtime senator said he rarely asks surrogates to stump for him, \u201cexcept for people "
            "I\u2019m very close to.\u201d")
    pence, nato, senator = quotes([_article(body)])
    assert (pence["speaker"], pence["cue"]) == ("Pence", "said")
    assert (nato["speaker"], nato["speaker_role"]) == ("Jens Stoltenberg", "NATO Secretary General")
    assert (senator["speaker"], senator["speaker_role"]) == (None, "The longtime senator")


def test_a_titled_speaker_after_the_cue_keeps_the_name_past_the_titles_period():
    body = ("\u201cIt is important to get to the bottom of it,\u201d said Rep. Mark Meadows (R-N.C.), "
            "chairman of the Freedom Caucus.\n\n"
            "\u201cWe need the memo now,\u201d said Sen. Jeff Flake, a Republican from Arizona.")
    meadows, flake = quotes([_article(body)])
    assert (meadows["speaker"], meadows["speaker_role"]) == (
        "Mark Meadows", "(R-N.C.), chairman of the Freedom Caucus")
    assert (flake["speaker"], flake["speaker_role"]) == ("Jeff Flake", "a Republican from Arizona")
