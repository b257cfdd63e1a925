"""Checking outputs against the published JSON Schema."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator


@lru_cache(maxsize=1)
def stories_schema() -> dict[str, Any]:
    """The JSON Schema of stories.json (its $defs cover the JSONL lines)."""
    return json.loads(resources.files("newsfuse").joinpath("schema/stories.schema.json").read_text("utf-8"))


def validator(definition: str | None = None) -> Draft202012Validator:
    """A validator for stories.json, or for one of its $defs ("fact", "timeline_event", ...)."""
    schema = stories_schema()
    if definition:
        schema = {"$ref": f"#/$defs/{definition}", "$defs": schema["$defs"]}
    return Draft202012Validator(schema)


def validate_outputs(out_dir: str | Path) -> list[str]:
    """Every schema violation in a run's output folder, as readable lines; empty when valid."""
    out = Path(out_dir)
    problems = [f"stories.json: {e.json_path}: {e.message}"
                for e in validator().iter_errors(json.loads((out / "stories.json").read_text("utf-8")))]
    for name, definition in (("documents.jsonl", "document"), ("stories.jsonl", "story")):
        check = validator(definition)
        with open(out / name, encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                problems += [f"{name}:{number}: {e.json_path}: {e.message}"
                             for e in check.iter_errors(json.loads(line))]
    return problems
