import gzip
import json

from typer.testing import CliRunner

from newsfuse.cli import app

from .seeds import EXAMPLES

runner = CliRunner()


def test_every_command_has_help():
    top = runner.invoke(app, ["--help"])
    assert top.exit_code == 0
    commands = [c.name or c.callback.__name__.replace("_", "-") for c in app.registered_commands]
    assert "run" in commands
    for command in commands:
        shown = runner.invoke(app, [command, "--help"])
        assert shown.exit_code == 0 and "Usage" in shown.output, command


def test_run_writes_outputs_and_a_closing_summary(tmp_path):
    done = runner.invoke(app, ["run", str(EXAMPLES), "--out", str(tmp_path), "--brief-words", "80"])
    assert done.exit_code == 0, done.output
    assert "pages read 5" in done.output and "stories" in done.output
    record = json.loads((tmp_path / "stories.json").read_text())
    for story in record["stories"]:
        assert sum(len(s["text"].split()) for s in story["brief"]) <= 80 + 40
    assert (tmp_path / "newsfuse.sqlite").exists()


def test_bad_documents_are_rejected_with_reasons_and_the_run_goes_on(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "empty.txt").write_bytes(b"")
    (inputs / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    (inputs / "latin.txt").write_bytes(
        "Le président a déclaré que les négociations reprendraient à Paris la semaine prochaine, "
        "après une première séance jugée productive par les deux délégations.\n".encode("latin-1") * 3)
    good = (EXAMPLES / next(p.name for p in EXAMPLES.iterdir() if p.name.startswith("002")))
    (inputs / "good.txt").write_bytes(good.read_bytes())
    with gzip.open(inputs / "cut.html.gz", "wb") as handle:
        handle.write(b"<html><body>" + b"<p>Some words of an article that was cut short.</p>" * 400)
    (inputs / "cut.html.gz").write_bytes((inputs / "cut.html.gz").read_bytes()[:300])
    (inputs / "broken.jsonl").write_text('{"id": "ok1", "text": "A fine line of text."}\n{not json\n')
    done = runner.invoke(app, ["run", str(inputs), "--out", str(tmp_path / "out")])
    assert done.exit_code == 0, done.output
    record = json.loads((tmp_path / "out" / "stories.json").read_text())
    by_source = {d["source"].rsplit("/", 1)[-1]: d for d in record["documents"]}
    assert by_source["empty.txt"]["status"] == "rejected" and "empty" in by_source["empty.txt"]["error"]
    assert by_source["image.txt"]["status"] == "rejected" and "binary" in by_source["image.txt"]["error"]
    assert by_source["good.txt"]["status"] == "ok"
    assert any(s.startswith("broken.jsonl:2") for s in by_source)
    assert all(d["status"] == "rejected" or d["body"] for d in record["documents"])


def test_output_folder_inside_an_input_folder_is_not_read_back(tmp_path):
    inputs = tmp_path / "pages"
    inputs.mkdir()
    (inputs / "page.txt").write_text((EXAMPLES / sorted(p.name for p in EXAMPLES.iterdir())[2]).read_text())
    for _ in range(2):
        done = runner.invoke(app, ["run", str(inputs), "--out", str(inputs / "out")])
        assert done.exit_code == 0, done.output
    record = json.loads((inputs / "out" / "stories.json").read_text())
    assert [d["status"] for d in record["documents"]] == ["ok"]


def test_a_huge_one_line_page_is_kept_and_analysed_by_its_opening(tmp_path):
    sentence = "The talks between Iraq and the United States resumed in Baghdad on Thursday. "
    page = tmp_path / "huge.txt"
    page.write_text(sentence * 40_000)  # about 3 MB on one line
    done = runner.invoke(app, ["run", str(page), "--out", str(tmp_path / "out")])
    assert done.exit_code == 0, done.output
    record = json.loads((tmp_path / "out" / "stories.json").read_text())
    (doc,) = record["documents"]
    assert doc["status"] == "ok" and len(doc["body"]) > 3_000_000
    for story in record["stories"]:
        for item in story["brief"]:
            for cite in item["citations"]:
                assert doc["body"][cite["start"]:cite["end"]] == item["text"]


def test_an_aliases_file_names_the_entity_and_a_bad_one_stops_the_run(tmp_path):
    aliases = tmp_path / "aliases.json"
    canonical = "Prime Minister Kadhimi"
    aliases.write_text(json.dumps({v: canonical for v in ("Kadhimi", "Kadhemi", "Mustafa al-Kadhimi")}))
    result = runner.invoke(app, ["run", str(EXAMPLES), "--out", str(tmp_path / "out"),
                                 "--aliases", str(aliases)])
    assert result.exit_code == 0, result.output
    (story,) = json.loads((tmp_path / "out" / "stories.json").read_text())["stories"]
    names = [e["name"] for e in story["entities"]]
    assert canonical in names and "Mustafa al-Kadhimi" not in names
    broken = tmp_path / "broken.json"
    broken.write_text("[1, 2]")
    refused = runner.invoke(app, ["run", str(EXAMPLES), "--out", str(tmp_path / "x"),
                                  "--aliases", str(broken)])
    assert refused.exit_code == 2


def test_commands_given_an_unreachable_postgres_store_say_so_without_its_password():
    url = "postgresql://nobody:secret@127.0.0.1:1/none"
    commands = (["verify", "Iraq", "--db", url], ["ledger", "--db", url], ["add", str(EXAMPLES), "--db", url])
    for command in commands:
        done = runner.invoke(app, command)
        assert done.exit_code == 2, (command, done.output)
        assert "cannot open store" in done.output and "secret" not in done.output, done.output
