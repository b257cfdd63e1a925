"""The core issue's checks on the bundled seed pages, end to end through the public API."""

import json
import re

import newsfuse
from newsfuse.render.markdown import render_markdown
from newsfuse.render.records import RunRecords
from newsfuse.render.schema import validate_outputs

from .seeds import EXAMPLES


def test_the_five_seed_pages_are_one_story(seed_run, seed_ids):
    result, _ = seed_run
    assert len(seed_ids) == 5 and all(d in result.articles for d in seed_ids.values())
    (story,) = result.stories
    assert sorted(story.documents) == sorted(seed_ids.values())


def test_ap_copy_and_its_xinhua_credited_reprint_are_the_only_syndicated_pair(seed_run, seed_ids):
    result, _ = seed_run
    (group,) = result.syndication
    assert set(group.documents) == {seed_ids["000"], seed_ids["003"]}
    assert group.origin == "AP" and group.origin_document == seed_ids["003"]
    assert group.miscredited == (seed_ids["000"],)
    assert group.credits[seed_ids["000"]] == "Xinhua"


def test_joint_statement_quoted_by_three_outlets_is_a_common_source(seed_run, seed_ids):
    result, _ = seed_run
    quoting = {seed_ids[p] for p in ("000", "001", "002")}
    assert any(quoting <= set(c.documents) for c in result.common_sources)
    for common in result.common_sources:
        assert all(p.quoted for p in common.shared)


def test_every_brief_citation_holds_its_sentence_in_body_and_raw_page(seed_run):
    result, _ = seed_run
    (story,) = result.stories
    raw = {p.name: p.read_text(encoding="utf-8") for p in EXAMPLES.glob("*.txt")}
    assert 1 <= len(story.brief) <= 6
    assert sum(len(s.text.split()) for s in story.brief) <= 150 + 40
    for sentence in story.brief:
        assert sentence.citations
        for cite in sentence.citations:
            article = result.articles[cite.document]
            assert article.body[cite.start:cite.end] == sentence.text
            if cite.raw_start is not None:
                page = raw[article.source.rsplit("/", 1)[-1]]
                assert page[cite.raw_start:cite.raw_end] == sentence.text
                assert newsfuse.model.sha256_text(page) == cite.raw_sha256


def test_brief_takes_no_forecast_from_the_preview_page(seed_run, seed_ids):
    result, _ = seed_run
    (story,) = result.stories
    assert all(c.document != seed_ids["004"] for s in story.brief for c in s.citations)
    text = " ".join(s.text for s in story.brief).lower()
    assert re.search(r"continue (reducing|withdrawing)|reduce the number", text)
    assert "permanent" in text


def test_brief_carries_all_the_news(seed_run):
    result, _ = seed_run
    (story,) = result.stories
    text = " ".join(s.text for s in story.brief).lower()
    assert "timeline" in text
    assert "economic advis" in text
    assert "washington" in text and "next month" in text


def test_no_page_date_comes_from_a_sidebar_and_002_has_no_agency(seed_run, seed_ids):
    result, _ = seed_run
    for doc_id in seed_ids.values():
        published = result.articles[doc_id].meta.published
        assert published is None or not published.value.startswith("2020-10")
    assert result.articles[seed_ids["002"]].meta.agency is None


def test_outputs_follow_the_schema_and_jsonl_mirrors_json(seed_run):
    _, out = seed_run
    assert validate_outputs(out) == []
    record = json.loads((out / "stories.json").read_text())
    lines = (out / "documents.jsonl").read_text().splitlines()
    assert [json.loads(line) for line in lines] == record["documents"]
    assert "Soleimani" in (out / "stories.md").read_text() or record["stories"][0]["brief"]


def test_second_run_stores_nothing_twice_and_writes_the_same_bytes(tmp_path):
    first = newsfuse.run([str(EXAMPLES)], out=tmp_path / "a", db=tmp_path / "store.sqlite")
    second = newsfuse.run([str(EXAMPLES)], out=tmp_path / "b", db=tmp_path / "store.sqlite")
    assert first.summary.cleaned == 5 and second.summary.cleaned == 0 and second.summary.reused == 5
    store = newsfuse.open_store(tmp_path / "store.sqlite")
    try:
        assert store.count_documents() == {"ok": 5}
        assert len(list(store.stories())) == len(first.stories)
        assert store.integrity_check() == []
    finally:
        store.close()
    for name in ("stories.json", "documents.jsonl", "stories.jsonl", "stories.md"):
        a = (tmp_path / "a" / name).read_bytes()
        b = (tmp_path / "b" / name).read_bytes()
        if name == "stories.json" or name == "stories.md":
            # The summary says what each run did (cleaned vs reused); everything else is equal.
            a, b = _without_summary(name, a), _without_summary(name, b)
        assert a == b, name


def _without_summary(name: str, data: bytes) -> bytes:
    if name == "stories.json":
        record = json.loads(data)
        record.pop("summary")
        return json.dumps(record, sort_keys=True).encode()
    return b"\n".join(data.split(b"\n")[3:])


def test_same_input_same_bytes_in_fresh_stores(tmp_path):
    newsfuse.run([str(EXAMPLES)], out=tmp_path / "a")
    newsfuse.run([str(EXAMPLES)], out=tmp_path / "b")
    for name in ("stories.json", "documents.jsonl", "stories.jsonl", "stories.md"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_same_bytes_whatever_the_hash_seed(tmp_path):
    import os
    import subprocess
    import sys

    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        done = subprocess.run([sys.executable, "-m", "newsfuse.cli", "run", str(EXAMPLES), "--out", str(out),
                               "--no-progress"], env={**os.environ, "PYTHONHASHSEED": seed},
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        outputs.append((out / "stories.json").read_bytes())
    assert outputs[0] == outputs[1]


def test_the_story_record_carries_every_analysis_section_with_the_seed_findings(seed_run, seed_ids):
    _, out = seed_run
    (story,) = json.loads((out / "stories.json").read_text())["stories"]
    assert story["analysis_errors"] == []
    kinds = {(c["kind"], c["about"]) for c in story["conflicts"]}
    assert ("contradiction", "title of David Schenker") in kinds
    # Two spellings of one name are an alias, never a contradiction.
    aliases = [c for c in story["conflicts"] if {s["text"] for s in c["sides"]} == {"Kadhimi", "Kadhemi"}]
    assert [c["kind"] for c in aliases] == ["alias"]
    (edit,) = story["republication_edits"]
    assert (edit["origin"], edit["copy"]) == (seed_ids["003"], seed_ids["000"])
    changes = [(ch["origin"]["text"], ch["copy"]["text"])
               for pair in edit["changed"] for ch in pair["changes"] if ch["origin"] and ch["copy"]]
    assert ("Near Eastern", "Middle East") in changes
    for section in ("entities", "facts", "pledges", "timeline", "coverage", "quotes"):
        assert story[section], section


def test_streamed_outputs_have_the_bytes_of_one_dump_of_the_whole_record(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    for page in EXAMPLES.glob("*.txt"):
        (inputs / page.name).write_bytes(page.read_bytes())
    (inputs / "empty.txt").write_bytes(b"")
    (inputs / "binary.txt").write_bytes(bytes(range(256)) * 40)
    out = tmp_path / "out"
    newsfuse.run([str(inputs)], out=out, db=tmp_path / "store.sqlite")
    text = (out / "stories.json").read_text(encoding="utf-8")
    record = json.loads(text)
    assert {d["status"] for d in record["documents"]} == {"ok", "rejected"} and record["stories"]
    assert text == json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    markdown = (out / "stories.md").read_text(encoding="utf-8")
    assert "## Rejected documents" in markdown
    assert markdown == render_markdown(RunRecords.of_record(record))
