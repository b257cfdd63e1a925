"""`newsfuse verify`: claims checked against a store built from the seed pages."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from newsfuse import api
from newsfuse.cli import app
from newsfuse.pipeline import run as run_pipeline
from newsfuse.store.sqlite import SQLiteStore
from newsfuse.verify import SentenceIndex, Verifier, split_claims, stem

from .seeds import EXAMPLES

TIMELINE = "A timeline for the withdrawal of U.S. troops was agreed."
TROOPS = "The United States has some 5,200 troops in Iraq."
BINDING = "Iraq's parliament passed a binding resolution to expel foreign troops."
PARIS = "The talks were held in Paris."
INVENTED_FIGURE = "The coalition flew 37 helicopters to Baghdad for the talks."
MISATTRIBUTED = '"There was no discussion of a timeline," said Mustafa al-Kadhimi.'


@pytest.fixture(scope="module")
def store_path(seed_run):
    _, out = seed_run
    return out / api.DEFAULT_DB_NAME


@pytest.fixture(scope="module")
def checked(store_path):
    text = " ".join((TIMELINE, TROOPS, BINDING, PARIS, INVENTED_FIGURE, MISATTRIBUTED))
    return {c["text"]: c for c in api.verify(store_path, text)["claims"]}


def _cited_text(store: SQLiteStore, citation: dict) -> str:
    article = store.get_article(citation["document"])
    return article.body[citation["start"]:citation["end"]]


def test_an_agreed_timeline_conflicts_with_the_statement_that_none_was_discussed(checked):
    claim = checked[TIMELINE]
    assert claim["verdict"] == "conflicting"
    denials = [c for c in claim["conflicts"] if c["kind"] == "contradiction"]
    assert any("timeline" in c["text"] and ("not discussed" in c["text"] or "no discussion" in c["text"])
               for c in denials)


def test_some_5200_troops_is_supported_and_more_than_5000_shown_as_compatible(checked):
    claim = checked[TROOPS]
    assert claim["verdict"] == "supported"
    assert any("5,200 troops" in s["text"] for s in claim["support"])
    loose = [c for c in claim["conflicts"] if c["kind"] == "compatible-imprecise"]
    assert loose and any("More than 5,000" in c["text"] for c in loose)
    assert not [c for c in claim["conflicts"] if c["kind"] == "contradiction"]


def test_a_binding_resolution_conflicts_with_the_non_binding_one_of_the_sources(checked):
    claim = checked[BINDING]
    assert claim["verdict"] == "conflicting"
    assert all("non-binding" in c["text"] for c in claim["conflicts"] if c["kind"] == "contradiction")
    assert claim["conflicts"]


def test_a_real_quote_given_to_the_wrong_person_is_misattributed(checked):
    claim = checked[MISATTRIBUTED]
    assert claim["verdict"] == "misattributed"
    (entry,) = [c for c in claim["conflicts"] if c["kind"] == "misattributed"]
    assert entry["speaker"] == "David Schenker"
    assert entry["text"] == "There was no discussion of a timeline"


def test_paris_and_an_invented_figure_have_no_evidence(checked):
    assert checked[PARIS]["verdict"] == "no_evidence"
    assert checked[INVENTED_FIGURE]["verdict"] == "no_evidence"
    assert not checked[PARIS]["support"] and not checked[INVENTED_FIGURE]["support"]


def test_another_figure_for_the_same_measure_is_a_contradiction(store_path):
    (claim,) = api.verify(store_path, "The United States has 9,000 troops in Iraq.")["claims"]
    assert claim["verdict"] == "conflicting"
    assert any(c["kind"] == "contradiction" and "5,200" in c["text"] for c in claim["conflicts"])


def test_another_day_for_the_same_event_is_a_contradiction(store_path):
    launched = "The United States and Iraq launched strategic talks on"
    friday, thursday = api.verify(store_path, f"{launched} Friday.\n{launched} Thursday.")["claims"]
    assert friday["verdict"] == "conflicting"
    assert any(c["kind"] == "contradiction" and "Thursday" in c["text"] for c in friday["conflicts"])
    assert thursday["verdict"] == "supported"


def test_a_reworded_quote_is_flagged_and_an_exact_one_with_a_surname_is_an_alias(store_path):
    reworded = ('"We want to protect our sovereignty and make sure that Iraq does not become a zone for '
                'settling scores," Kadhimi said.')
    exact = '"There was no discussion of a timeline," Schenker said.'
    first, second = api.verify(store_path, f"{reworded}\n{exact}")["claims"]
    assert first["verdict"] == "conflicting"
    assert [c["kind"] for c in first["conflicts"]] == ["wording variant"]
    assert second["verdict"] == "supported"
    assert any(c["kind"] == "alias" and c["speaker"] == "David Schenker" for c in second["conflicts"])


def test_every_entry_cites_its_text_in_the_clean_body_and_the_raw_page(checked, store_path):
    store = SQLiteStore(store_path)
    try:
        entries = [e for claim in checked.values() for e in claim["support"] + claim["conflicts"]]
        assert entries
        for entry in entries:
            for citation in entry["citations"]:
                assert _cited_text(store, citation) == entry["text"]
                if citation["raw_start"] is not None:
                    raw = store.raw_page(citation["raw_sha256"])
                    assert raw[citation["raw_start"]:citation["raw_end"]] == entry["text"]
            assert entry["story"]["id"].startswith("s")
    finally:
        store.close()


def test_claims_are_the_sentences_of_the_text():
    text = f"{TIMELINE} {TROOPS}\n{PARIS}"
    assert [text[a:b] for a, b in split_claims(text)] == [TIMELINE, TROOPS, PARIS]


def test_stems_meet_across_inflections_and_news_synonyms():
    assert stem("agreed") == stem("agree")
    assert stem("troops") == stem("forces") == stem("soldiers")
    assert stem("oust") == stem("expel")
    assert stem("discussion") == stem("discussed")
    assert stem("timeline") != stem("troops")


def test_the_index_is_filled_once_and_searched_not_scanned(store_path):
    store = SQLiteStore(store_path)
    try:
        verifier = Verifier(store)  # fills the index on first use
        verifier.close()
        index = SentenceIndex(store)
        try:
            assert index.sync() == 0  # every stored document is indexed already
            hits = index.search(BINDING, limit=3)
            assert len(hits) == 3
            assert any("non-binding" in store.get_article(d).body[a:b] for d, a, b in hits)
        finally:
            index.close()
    finally:
        store.close()


def test_an_open_in_memory_store_is_verified_with_an_in_memory_index():
    store = SQLiteStore(":memory:")
    try:
        run_pipeline([str(EXAMPLES)], store)
        (claim,) = api.verify(store, BINDING)["claims"]
        assert claim["verdict"] == "conflicting"
    finally:
        store.close()


def test_the_command_prints_a_claim_a_line_and_json_on_request(store_path):
    runner = CliRunner()
    shown = runner.invoke(app, ["verify", "--db", str(store_path), f"{TROOPS} {PARIS}"])
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert f"supported: {TROOPS}" in lines and f"no evidence: {PARIS}" in lines
    as_json = runner.invoke(app, ["verify", "--db", str(store_path), "--json", "-"], input=BINDING)
    assert as_json.exit_code == 0, as_json.output
    record = json.loads(as_json.output[:as_json.output.rindex("}") + 1])
    (claim,) = record["claims"]
    assert claim["verdict"] == "conflicting" and claim["conflicts"][0]["citations"]


def test_the_command_reads_a_file_and_refuses_a_missing_store(store_path, tmp_path):
    runner = CliRunner()
    claims = tmp_path / "claims.txt"
    claims.write_text(f"{PARIS}\n", encoding="utf-8")
    shown = runner.invoke(app, ["verify", "--db", str(store_path), "--file", str(claims)])
    assert shown.exit_code == 0 and f"no evidence: {PARIS}" in shown.output
    missing = runner.invoke(app, ["verify", "--db", str(tmp_path / "none.sqlite"), PARIS])
    assert missing.exit_code == 2 and "no store" in missing.output


def test_the_index_grows_with_the_store_and_a_later_run_keeps_working(tmp_path):
    db = tmp_path / "store.sqlite"
    first = [str(p) for p in sorted(EXAMPLES.glob("*.txt")) if not p.name.startswith("002")]
    api.run(first, db=db)
    (before,) = api.verify(db, TROOPS)["claims"]
    assert before["verdict"] == "no_evidence"  # only page 002 states the 5,200 figure
    api.run([str(EXAMPLES)], db=db)  # the store, with the index's tables, takes the fifth page
    store = SQLiteStore(db)
    try:
        assert store.integrity_check() == []
        index = SentenceIndex(store)
        try:
            # The run indexed the page it added: nothing is left for a later sync.
            assert index.sync() == 0
        finally:
            index.close()
    finally:
        store.close()
    (after,) = api.verify(db, TROOPS)["claims"]
    assert after["verdict"] == "supported"


def test_who_reported_a_claim_is_not_asked_of_the_sources_but_its_places_are(store_path):
    reported, paris = api.verify(store_path, (
        "The United States has some 5,200 troops in Iraq, Reuters reports.\n"
        "The talks were held in Paris on Thursday by Iraqi and American officials."))["claims"]
    assert reported["verdict"] == "supported"
    assert paris["verdict"] == "no_evidence"
