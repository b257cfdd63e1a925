"""Shared fixtures: the bundled seed pages, and one pipeline run over them per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from .seeds import EXAMPLES


@pytest.fixture(scope="session")
def seed_run(tmp_path_factory: pytest.TempPathFactory):
    """One full run over examples/ written to a temporary folder: (result, out_dir)."""
    import newsfuse

    out = tmp_path_factory.mktemp("seed-run")
    return newsfuse.run([str(EXAMPLES)], out=out), out


@pytest.fixture(scope="session")
def seed_ids(seed_run) -> dict[str, str]:
    """Seed file prefix ("000") -> document id."""
    result, _ = seed_run
    return {Path(doc.source).name[:3]: doc_id
            for doc_id, doc in {**result.articles, **result.rejections}.items()}
