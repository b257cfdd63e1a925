"""Republication edits: what China Daily (seed 000) changed in the AP copy (seed 003) it reprints."""

import pytest

from newsfuse.analyze.edits import compare, republication_edits
from newsfuse.model import Article, Metadata


def article(doc_id: str, body: str) -> Article:
    return Article(id=doc_id, source=doc_id, body=body, language="en", meta=Metadata(),
                   segments=(), raw_sha256="0" * 64, cleaner="test")


@pytest.fixture(scope="module")
def reprint(seed_run, seed_ids) -> tuple[dict, dict[str, Article]]:
    result, _ = seed_run
    (group,) = [s for s in result.syndication if seed_ids["000"] in s.documents]
    (record,) = republication_edits(group, result.articles)
    return record, result.articles


def holds(articles: dict[str, Article], cited: dict) -> bool:
    cite = cited["citation"]
    return articles[cite["document"]].body[cite["start"]:cite["end"]] == cited["text"]


def test_the_origin_is_the_ap_copy_and_the_changed_title_is_found_cited_on_both_sides(reprint, seed_ids):
    record, articles = reprint
    assert (record["origin"], record["copy"]) == (seed_ids["003"], seed_ids["000"])
    word_changes = [ch for pair in record["changed"] for ch in pair["changes"]]
    (title,) = [ch for ch in word_changes if ch["origin"] and ch["origin"]["text"] == "Near Eastern"]
    assert title["copy"]["text"] == "Middle East" and title["kind"] == "reworded"
    (spelling,) = [ch for ch in word_changes if ch["origin"] and ch["origin"]["text"] == "Tehran"]
    assert spelling["copy"]["text"] == "Teheran" and spelling["kind"] == "respelled"
    assert title["origin"]["citation"]["document"] == seed_ids["003"]
    assert title["copy"]["citation"]["document"] == seed_ids["000"]
    assert holds(articles, title["origin"]) and holds(articles, title["copy"])


def test_every_cited_edit_holds_its_text(reprint):
    record, articles = reprint
    for pair in record["changed"]:
        assert holds(articles, pair["origin"]) and holds(articles, pair["copy"])
        for change in pair["changes"]:
            assert change["origin"] or change["copy"]
            for side in (change["origin"], change["copy"]):
                assert side is None or holds(articles, side)
    for item in record["dropped"] + record["added"]:
        assert holds(articles, item)


def test_dropped_and_added_sentences(reprint):
    record, _ = reprint
    dropped = " ".join(d["text"] for d in record["dropped"])
    added = " ".join(a["text"] for a in record["added"])
    # China Daily cut the AP's Katyusha paragraph and added its own line on the parliament vote.
    assert "Katyusha rocket" in dropped
    assert "Soleimani's death prompted the Iraqi parliament on Jan 5" in added
    # Reprinted sentences whose words did not change are neither dropped nor added.
    assert "Thursday’s session was held virtually" not in dropped


def test_punctuation_and_spelling_of_initialisms_are_not_edits():
    origin = article("ap", "But it may prove to be a long uncertain process punctuated by U.S. presidential "
                           "elections in November, he said.")
    copy = article("cd", "But it may prove to be a long, uncertain process punctuated by US presidential "
                         "elections in November, he said.")
    record = compare(origin, copy)
    assert (record["changed"], record["dropped"], record["added"]) == ([], [], [])


def test_a_quote_reworded_under_its_quote_marks_is_flagged():
    origin = article("ap", "“The first stage will try to set the tone and agenda for the talks,” "
                           "said Sajad Jiyad.")
    copy = article("cd", "“The first stage will set the tone and the agenda of the talks,” said Sajad Jiyad.")
    record = compare(origin, copy)
    (pair,) = record["changed"]
    assert pair["quoted"] and record["quote_changes"] == len(pair["changes"]) >= 2
    assert {(ch["origin"] or {}).get("text") for ch in pair["changes"]} >= {"try to", "for"}


def test_a_change_outside_quotes_is_not_a_quote_change():
    origin = article("ap", "David Schenker, U.S. assistant secretary of state for Near Eastern affairs, said "
                           "that the session was “productive.”")
    copy = article("cd", "David Schenker, US assistant secretary of state for Middle East affairs, said that "
                         "the session was \"productive\".")
    record = compare(origin, copy)
    (pair,) = record["changed"]
    assert not pair["quoted"] and record["quote_changes"] == 0


def test_a_sentence_split_in_two_is_neither_dropped_nor_added():
    origin = article("ap", "In a sign of support for al-Kadhimi’s administration, the U.S. approved a "
                           "120-day sanctions waiver, and Iraq’s progress in becoming more gas independent "
                           "is also on the agenda.")
    copy = article("cd", "In a sign of support for al-Kadhimi’s administration, the U.S. approved a "
                         "120-day sanctions waiver. Iraq’s progress in becoming more gas independent is "
                         "also on the agenda.")
    record = compare(origin, copy)
    assert record["dropped"] == [] and record["added"] == []


def test_seed_edits_match_the_schema_fragment(reprint):
    from newsfuse.render.schema import validator

    record, _ = reprint
    check = validator("republication_edit")
    check.validate(record)
    assert not check.is_valid({**record, "quote_changes": -1})


def test_markdown_lines_name_the_pages_and_show_the_title_change(reprint, seed_ids):
    from newsfuse.render.markdown import MAX_EDITS_SHOWN, edits_lines

    record, _ = reprint
    numbering = {seed_ids[p]: i + 1 for i, p in enumerate(("000", "001", "002", "003", "004"))}
    lines = edits_lines([record], numbering)
    assert lines[1].startswith("Republication edits: [1] against its origin [4]")
    assert "- changed: “Near Eastern” → “Middle East”" in lines
    assert "- changed: inserted “a think tank”" in lines
    edits = sum(len(p["changes"]) for p in record["changed"]) + len(record["dropped"]) + len(record["added"])
    assert lines[-1] == f"- … {edits - MAX_EDITS_SHOWN} more in stories.json"


def test_only_the_analysed_part_of_each_body_is_compared():
    from newsfuse.pipeline import MAX_ANALYSED_CHARS

    lead = "Tehran retaliated on January 8 with a barrage of missiles targeting Iraqi bases.\n"
    filler = "".join(f"Paragraph {n} of the wire copy repeats the same background on the talks.\n"
                     for n in range(MAX_ANALYSED_CHARS // 60))
    late = "Soleimani's death prompted the Iraqi parliament on Jan 5 to pass a resolution.\n"
    record = compare(article("ap", lead + filler), article("cd", lead + filler + late))
    assert record["added"] == [] and record["changed"] == []
