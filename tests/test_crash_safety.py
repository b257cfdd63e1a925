"""Crash safety: writes are transactional (SQLite WAL), and runs killed with SIGKILL at random
moments leave a sound store that a later run completes to exactly the stories of an unkilled run.

tests/test_resume.py kills one run once, half way through storing pages; here the kills land
anywhere (while storing pages, while grouping and storing stories, while writing the outputs),
several in a row, each run resuming what the last one left.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from newsfuse import api
from newsfuse.bench.reliability import kill_loop
from newsfuse.model import Article
from newsfuse.pipeline import COMMIT_EVERY
from newsfuse.store.sqlite import SQLiteStore

from .reliability import CI_KILL_PAGES, CI_KILLS, require_full_form
from .seeds import seed_text


def seed_articles() -> list[Article]:
    articles = [api.clean_page(seed_text(prefix)) for prefix in ("000", "001", "002", "003")]
    assert all(isinstance(a, Article) for a in articles)
    return articles


def test_the_store_journals_in_wal_mode_and_a_failed_transaction_stores_nothing(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "store.sqlite")
    try:
        assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        first, second, third, fourth = seed_articles()
        with pytest.raises(RuntimeError), store.transaction():
            store.put_article(first)
            raise RuntimeError("killed half way")
        assert store.get_article(first.id) is None
        # Batches commit every `size` ticks: a failure loses the open batch only.
        with pytest.raises(RuntimeError), store.batches(2) as batch:
            for article in (first, second, third):
                store.put_article(article)
                batch.tick()
            raise RuntimeError("killed in the second batch")
        assert [store.get_article(a.id) is not None for a in (first, second, third)] == [True, True, False]
        assert store.put_article(fourth) and not store.put_article(first)  # stored once, never twice
        assert store.integrity_check() == []
    finally:
        store.close()


def _check_kill_loop(tmp_path: Path, pages: int, kills: int) -> None:
    report = kill_loop(tmp_path, pages=pages, kills=kills, seed=7)
    assert report.problems == []
    assert sum(1 for k in report.kills if not k["finished"]) >= 1, report.kills
    total = sum(report.reference_documents.values())
    assert all(k["documents"] % COMMIT_EVERY == 0 or k["documents"] == total for k in report.kills)
    assert report.final_documents == report.reference_documents
    assert report.same_as_unkilled and report.stories > 0


def test_runs_killed_at_random_moments_resume_to_the_stories_of_an_unkilled_run(tmp_path: Path) -> None:
    _check_kill_loop(tmp_path, CI_KILL_PAGES, CI_KILLS)


@pytest.mark.slow
def test_twenty_kills_over_three_thousand_pages(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    require_full_form(request)
    _check_kill_loop(tmp_path, 3_000, 20)
