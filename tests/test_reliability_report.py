"""The full reliability run's entry point, at the smallest sizes: every stage runs and the report
is written (the stages themselves are tested in test_bad_input, test_crash_safety, test_web)."""

from __future__ import annotations

from pathlib import Path

from newsfuse.bench import reliability


def test_the_reliability_command_runs_every_stage_and_writes_its_report(tmp_path: Path) -> None:
    out = tmp_path / "RELIABILITY.md"
    code = reliability.main(["--out", str(out), "--workdir", str(tmp_path), "--huge-line-mb", "1",
                             "--one-line-pages", "20", "--kill-pages", "40", "--kills", "1",
                             "--load-pages", "40", "--clients", "2", "--seconds", "1"])
    assert code == 0
    text = out.read_text(encoding="utf-8")
    assert "--one-line-pages 20" in text  # the report names the sizes it was given
    for heading in ("## 1. Bad input", "## 5. What did not hold"):
        assert heading in text
    assert "documents with the wrong outcome: **0**" in text
    assert "the five still share one story: **yes**" in text
    assert "Nothing: every check above held." in text
