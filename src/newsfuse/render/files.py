"""Writing a run to disk: stories.json, documents.jsonl, stories.jsonl, stories.md and the HTML report.

Every file is written as its records stream (see RunRecords): a run's outputs never sit whole in
memory, which at 100,000 pages would take several times the run's own peak."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from .html import write_report
from .markdown import write_markdown
from .records import RunRecords, write_run_json


def write_outputs(result: Any, out_dir: str | Path) -> dict[str, Path]:
    """Write every output file of a run into out_dir; returns the paths by name."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    records = RunRecords.of_result(result)
    paths = {
        "stories.json": out / "stories.json",
        "documents.jsonl": out / "documents.jsonl",
        "stories.jsonl": out / "stories.jsonl",
        "stories.md": out / "stories.md",
    }
    with _atomic(paths["documents.jsonl"]) as fh:
        fh.writelines(_lines(records.documents()))
    with _atomic(paths["stories.jsonl"]) as fh:
        fh.writelines(_lines(records.stories()))
    records = records.reading(paths["documents.jsonl"], paths["stories.jsonl"])
    with _atomic(paths["stories.json"]) as fh:
        write_run_json(records, fh)
    with _atomic(paths["stories.md"]) as fh:
        write_markdown(records, fh)
    paths["index.html"] = write_report(records, out)[0]
    return paths


def _lines(records: Iterator[dict[str, Any]]) -> Iterator[str]:
    for record in records:
        yield json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"


@contextmanager
def _atomic(path: Path) -> Iterator[TextIO]:
    # Readers never see a half-written file: write beside it, then rename over it.
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        yield fh
    os.replace(tmp, path)
