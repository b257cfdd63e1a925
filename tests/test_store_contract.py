"""One contract, two stores: every test here runs against SQLite and against PostgreSQL.

PostgreSQL is reached at $NEWSFUSE_TEST_PG (CI starts a server and sets it); each test gets
its own PostgreSQL schema, dropped afterwards. Without the variable the PostgreSQL half skips.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import uuid
from collections.abc import Iterator

import pytest

import newsfuse
from newsfuse.errors import StoreError
from newsfuse.model import Rejection, to_plain
from newsfuse.pipeline import run as run_pipeline
from newsfuse.store.base import Store, is_postgres_url, open_store
from newsfuse.store.sqlite import SQLiteStore

from .seeds import EXAMPLES

PG_URL = os.environ.get("NEWSFUSE_TEST_PG")


class Backend:
    """Opens (and reopens) one store of a kind, and can fake a newer schema for the migration test."""

    def __init__(self, kind: str, tmp_path) -> None:
        self.kind = kind
        self.sqlite_path = tmp_path / "store.sqlite"
        self.schema = f"contract_{uuid.uuid4().hex[:12]}"

    def open(self) -> Store:
        if self.kind == "sqlite":
            return open_store(self.sqlite_path)
        from newsfuse.store.postgres import PostgresStore

        return PostgresStore(PG_URL, schema=self.schema)

    def set_schema_version(self, version: int) -> None:
        if self.kind == "sqlite":
            with sqlite3.connect(self.sqlite_path) as db:
                db.execute(f"PRAGMA user_version={version}")
            return
        import psycopg

        with psycopg.connect(PG_URL, autocommit=True) as db:
            db.execute(f"UPDATE {self.schema}.newsfuse_schema SET version = %s", (version,))

    def rows(self, query: str) -> list[tuple]:
        """A read-only query straight against the database, beside the store."""
        if self.kind == "sqlite":
            with sqlite3.connect(self.sqlite_path) as db:
                return db.execute(query).fetchall()
        import psycopg

        with psycopg.connect(PG_URL, autocommit=True) as db:
            db.execute(f"SET search_path TO {self.schema}")
            return [tuple(row) for row in db.execute(query).fetchall()]

    def drop(self) -> None:
        if self.kind == "postgres":
            import psycopg

            with psycopg.connect(PG_URL, autocommit=True) as db:
                db.execute(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request, tmp_path) -> Iterator[Backend]:
    if request.param == "postgres" and not PG_URL:
        pytest.skip("no PostgreSQL server: set NEWSFUSE_TEST_PG=postgresql://... (.ci/run starts one)")
    chosen = Backend(request.param, tmp_path)
    yield chosen
    chosen.drop()


@pytest.fixture
def store(backend) -> Iterator[Store]:
    opened = backend.open()
    yield opened
    opened.close()


def test_open_store_picks_the_store_by_address(tmp_path):
    assert is_postgres_url("postgresql://user@127.0.0.1/db") and is_postgres_url("postgres://h/db")
    assert not is_postgres_url(str(tmp_path / "postgresql.sqlite")) and not is_postgres_url(tmp_path)
    opened = open_store(tmp_path / "a.sqlite")
    try:
        assert isinstance(opened, SQLiteStore)
    finally:
        opened.close()
    with pytest.raises(StoreError, match="cannot open store"):
        open_store("postgresql://nobody:secret@127.0.0.1:1/none")


def test_seed_articles_round_trip_unchanged_and_are_stored_once(store, seed_run):
    result, _ = seed_run
    for article in result.articles.values():
        assert store.put_article(article) is True
    for article in result.articles.values():
        assert store.put_article(article) is False
        # Dates inferred later in a run are not part of the stored page; everything else is.
        assert to_plain(store.get_article(article.id)) == to_plain(article)
        assert store.has_document(article.id)
    assert store.count_documents() == {"ok": len(result.articles)}
    assert store.document_ids() == sorted(result.articles)
    assert store.get_article("no-such-id") is None and not store.has_document("no-such-id")


def test_rejections_keep_their_reason_and_are_never_read_as_articles(store):
    rejection = Rejection(id="r1", source="pages/empty.txt", reason="empty", detail="no bytes", sha256=None)
    assert store.put_rejection(rejection) is True
    assert store.put_rejection(rejection) is False
    assert store.get_rejection("r1") == rejection
    assert store.get_article("r1") is None
    assert store.count_documents() == {"rejected": 1}


def test_raw_pages_are_kept_once_by_hash(store):
    raw = (next(EXAMPLES.glob("000_*.txt"))).read_text(encoding="utf-8")
    store.put_raw("abc", "text", raw)
    store.put_raw("abc", "text", "a later write of the same hash is ignored")
    assert store.raw_page("abc") == raw
    assert store.raw_page("missing") is None


def test_a_failed_transaction_stores_nothing(store, seed_run):
    result, _ = seed_run
    article = next(iter(result.articles.values()))
    with pytest.raises(RuntimeError), store.transaction():
        store.put_article(article)
        raise RuntimeError("killed half way")
    assert not store.has_document(article.id)
    with store.batches(2) as batch:
        for item in result.articles.values():
            store.put_article(item)
            batch.tick()
    assert store.count_documents() == {"ok": len(result.articles)}


def test_stories_are_replaced_by_the_documents_they_hold(store, seed_run):
    result, _ = seed_run
    records = [to_plain(s) for s in result.stories]
    for article in result.articles.values():
        store.put_article(article)
    store.replace_stories(records, result.articles)
    assert list(store.stories()) == sorted(records, key=lambda r: r["id"])
    merged = {**records[0], "id": "s-merged", "documents": sorted(result.articles)}
    store.replace_stories([merged], [records[0]["documents"][0]])
    stored = list(store.stories())
    assert merged in stored and records[0] not in stored
    assert store.integrity_check() == []
    store.replace_stories([{**merged, "documents": ["never-stored"]}], [])
    assert store.integrity_check() == ["1 story links point to unknown documents"]


def test_relations_are_replaced_by_id_and_runs_numbered_in_order(backend, store, seed_run):
    result, _ = seed_run
    synd = to_plain(result.syndication[0])
    store.put_relation(result.syndication[0].id, "syndication", {"outdated": True})
    store.put_relation(result.syndication[0].id, "syndication", synd)
    first = store.start_run("2026-11-22T00:00:00+00:00")
    second = store.start_run("2026-11-22T00:01:00+00:00")
    store.finish_run(first, "2026-11-22T00:02:00+00:00", {"pages_read": 5})
    assert second > first
    ((kind, record),) = backend.rows("SELECT kind, record FROM relations")
    assert kind == "syndication" and json.loads(record) == synd
    assert backend.rows("SELECT finished, summary FROM runs ORDER BY id") == [
        ("2026-11-22T00:02:00+00:00", '{"pages_read": 5}'), (None, None)]


def test_a_reopened_store_keeps_everything_and_a_newer_schema_is_refused(backend, seed_run):
    result, _ = seed_run
    first = backend.open()
    for article in result.articles.values():
        first.put_article(article)
    first.close()
    again = backend.open()
    try:
        assert again.document_ids() == sorted(result.articles)
        assert again.put_article(next(iter(result.articles.values()))) is False
    finally:
        again.close()
    backend.set_schema_version(99)
    with pytest.raises(StoreError, match="schema version 99"):
        backend.open()


def test_a_pipeline_run_stores_the_same_records_in_either_store(store, seed_run, tmp_path):
    result = run_pipeline([str(EXAMPLES)], store)
    assert store.count_documents() == {"ok": len(result.articles)}
    reference = newsfuse.open_store(tmp_path / "reference.sqlite")
    try:
        run_pipeline([str(EXAMPLES)], reference)
        assert list(store.stories()) == list(reference.stories())
        for doc_id in reference.document_ids():
            assert store.get_article(doc_id) == reference.get_article(doc_id)
    finally:
        reference.close()
    again = run_pipeline([str(EXAMPLES)], store)
    assert again.summary.reused == len(result.articles) and again.summary.cleaned == 0


def test_a_page_holding_nul_characters_is_stored_and_read_back_exactly(store, tmp_path):
    # JSON may carry "\u0000"; such a page is cleaned like any other and must survive the store.
    seed = next(EXAMPLES.glob("002_*.txt")).read_text(encoding="utf-8")
    text = seed.replace("Iraq", "Ir\x00aq") + "\n\uffff0 stays as written.\n"
    corpus = tmp_path / "nul.jsonl"
    corpus.write_text(json.dumps({"id": "nul\x00page", "text": text}) + "\n", encoding="utf-8")
    result = run_pipeline([str(corpus)], store)
    (article,) = result.articles.values()
    assert "\x00" in article.body and article.id == "nul\x00page"
    assert store.get_article(article.id) == article
    assert store.raw_page(article.raw_sha256) == text
    assert store.document_ids() == ["nul\x00page"]


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"\w+", text)}


@pytest.mark.skipif(not PG_URL, reason="no PostgreSQL server: set NEWSFUSE_TEST_PG=postgresql://...")
def test_postgres_search_finds_the_pages_holding_every_word(seed_run):
    from newsfuse.store.postgres import PostgresStore

    result, _ = seed_run
    schema = f"search_{uuid.uuid4().hex[:12]}"
    store = PostgresStore(PG_URL, schema=schema)
    try:
        for article in result.articles.values():
            store.put_article(article)
        store.put_rejection(Rejection(id="r", source="x", reason="empty", detail="", sha256=None))
        bags = {doc_id: _words(a.body) for doc_id, a in result.articles.items()}
        # Words on some pages but not all, two-word queries, case folding, and a word on none.
        everywhere = set.intersection(*bags.values())
        partial = sorted(set.union(*bags.values()) - everywhere, key=lambda w: (-len(w), w))[:5]
        queries = [*partial, f"{partial[0].upper()} {sorted(everywhere)[0]}", "zzyzxnotaword"]
        for query in queries:
            expected = sorted(d for d, bag in bags.items() if _words(query) <= bag)
            assert store.search(query) == expected, query
        assert 0 < len(store.search(partial[0])) < len(bags)
    finally:
        store.close()
        import psycopg

        with psycopg.connect(PG_URL, autocommit=True) as db:
            db.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")



@pytest.mark.skipif(not PG_URL, reason="no PostgreSQL server: set NEWSFUSE_TEST_PG=postgresql://...")
def test_cli_run_with_a_postgres_url_keeps_the_run_in_postgres(tmp_path):
    import psycopg
    from typer.testing import CliRunner

    from newsfuse.cli import app

    schema = f"cli_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as db:
        db.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{separator}options=-csearch_path%3D{schema}"
    try:
        runner = CliRunner()
        done = runner.invoke(app, ["run", str(EXAMPLES), "--out", str(tmp_path / "pg"), "--db", url])
        assert done.exit_code == 0, done.output
        assert not (tmp_path / "pg" / "newsfuse.sqlite").exists()
        reference = runner.invoke(app, ["run", str(EXAMPLES), "--out", str(tmp_path / "sqlite")])
        assert reference.exit_code == 0, reference.output
        written = (tmp_path / "pg" / "stories.json").read_text()
        assert written == (tmp_path / "sqlite" / "stories.json").read_text()
        stored = open_store(url)
        try:
            assert stored.count_documents() == {"ok": 5}
        finally:
            stored.close()
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as db:
            db.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
