"""Helpers shared by the hardening tests: sizes of the CI and full forms, and a store of hostile pages.

The corpus builder, the kill loop and the load test live in newsfuse.bench.reliability, which
also runs their full form by hand and writes RELIABILITY.md; the tests call the same functions
with the reduced sizes below (the `slow` marker runs the full sizes).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsfuse import api
from newsfuse.bench.reliability import seed_texts

from .seeds import EVAL

# CI form: a few seconds of work each. The full form (`pytest -m slow`, or
# `python -m newsfuse.bench.reliability`) uses the sizes the issue names.
CI_HUGE_LINE_BYTES = 5_000_000
CI_ONE_LINE_PAGES = 2_000
FULL_HUGE_LINE_BYTES = 100_000_000
FULL_ONE_LINE_PAGES = 100_000
# Crash safety and load run on the evaluation data's news pages when ../shared/eval is there;
# without it, reprints of the five seed pages, which the pipeline handles far more slowly (every
# page is a near-duplicate of four hundred others), so fewer of them.
CI_KILL_PAGES = 250 if EVAL.exists() else 40
CI_KILLS = 3
CI_LOAD_PAGES = 300 if EVAL.exists() else 40
CI_LOAD_CLIENTS = 8
CI_LOAD_SECONDS = 3.0

def require_full_form(request: pytest.FixtureRequest) -> None:
    """Skip a full-form test unless slow tests were asked for (`pytest -m slow`): the marker alone
    does not keep them out of a plain `pytest`, which CI runs."""
    if "slow" not in (request.config.getoption("markexpr") or "").replace("not slow", ""):
        pytest.skip("full form: run with pytest -m slow")


XSS = "<script>alert('xss')</script>"
XSS_ATTRIBUTE = "\"><img src=x onerror=alert(1)>"
XSS_LINK = "javascript:alert(document.cookie)"


def hostile_pages(path: Path) -> list[dict[str, str]]:
    """JSONL of seed articles carrying XSS payloads in their text, titles and outlet names."""
    texts = list(seed_texts().values())
    records = []
    for i, text in enumerate(texts):
        paragraphs = text.split("\n\n")
        paragraphs.insert(2, f"Officials said {XSS} and {XSS_ATTRIBUTE} and <a href=\"{XSS_LINK}\">click</a> "
                             "were found in the statement released on Thursday.")
        records.append({"id": f"hostile-{i}", "text": "\n\n".join(paragraphs),
                        "title": f"{XSS} Talks {XSS_ATTRIBUTE}", "outlet": f"{XSS_ATTRIBUTE} Daily {i}",
                        "url": f"https://news.example/{i}?q={XSS_ATTRIBUTE}"})
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return records


def hostile_store(folder: Path) -> tuple[Path, api.Result]:
    """A run over the hostile pages written to folder/out; returns (store path, result)."""
    corpus = folder / "hostile.jsonl"
    hostile_pages(corpus)
    result = api.run([corpus], out=folder / "out")
    return folder / "out" / "newsfuse.sqlite", result
