"""Writing a run to disk: stories.json, documents.jsonl, stories.jsonl, stories.md and the HTML report."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .html import write_report
from .markdown import render_markdown
from .records import run_record


def write_outputs(result: Any, out_dir: str | Path) -> dict[str, Path]:
    """Write every output file of a run into out_dir; returns the paths by name."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    record = run_record(result)
    paths = {
        "stories.json": out / "stories.json",
        "documents.jsonl": out / "documents.jsonl",
        "stories.jsonl": out / "stories.jsonl",
        "stories.md": out / "stories.md",
    }
    text = json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    _write_atomic(paths["stories.json"], text)
    _write_atomic(paths["documents.jsonl"], "".join(_line(d) for d in record["documents"]))
    _write_atomic(paths["stories.jsonl"], "".join(_line(s) for s in record["stories"]))
    _write_atomic(paths["stories.md"], render_markdown(record))
    paths["index.html"] = write_report(record, out)[0]
    return paths


def _line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"


def _write_atomic(path: Path, text: str) -> None:
    # Readers never see a half-written file: write beside it, then rename over it.
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
