"""One contract, two stores: every test here runs against SQLite and against PostgreSQL.

Schema version 2 is covered as the pipeline and incremental mode use it: kept story ids and the
event log, merges and splits, vectoriser versions, page features, relations by story, integrity,
search, and the `run` and `add` commands on a PostgreSQL URL.

PostgreSQL is reached at $NEWSFUSE_TEST_PG (CI starts a server and sets it); each test gets
its own PostgreSQL schema, dropped afterwards. Without the variable the PostgreSQL half skips.
"""

from __future__ import annotations

import html
import json
import os
import re
import sqlite3
import urllib.request
import uuid
from collections.abc import Iterator

import pytest

import newsfuse
from newsfuse.errors import StoreError
from newsfuse.incremental import add, record_groups
from newsfuse.model import Rejection, to_plain
from newsfuse.pipeline import Settings, pool_page, store_pool_page
from newsfuse.pipeline import run as run_pipeline
from newsfuse.search import SearchIndex
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

    def write_version_one(self) -> None:
        """An empty store as the first schema version left it (before story ids were kept)."""
        if self.kind == "sqlite":
            from newsfuse.store.sqlite import MIGRATIONS

            with sqlite3.connect(self.sqlite_path) as db:
                db.executescript(MIGRATIONS[0] + "; PRAGMA user_version=1;")
            return
        import psycopg

        from newsfuse.store.postgres import MIGRATIONS

        with psycopg.connect(PG_URL, autocommit=True) as db:
            db.execute(f"CREATE SCHEMA {self.schema}")
            db.execute(f"SET search_path TO {self.schema}")
            for statement in MIGRATIONS[0].split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute("CREATE TABLE newsfuse_schema (version INTEGER NOT NULL)")
            db.execute("INSERT INTO newsfuse_schema (version) VALUES (1)")

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


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose search path is a schema of its own, as a user passes it to `--db`."""
    if not PG_URL:
        pytest.skip("no PostgreSQL server: set NEWSFUSE_TEST_PG=postgresql://... (.ci/run starts one)")
    import psycopg

    schema = f"cli_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as db:
        db.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as db:
            db.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


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


@pytest.mark.skipif(not PG_URL, reason="no PostgreSQL server: set NEWSFUSE_TEST_PG=postgresql://...")
def test_opening_an_up_to_date_postgres_store_writes_nothing(tmp_path):
    # SQLite keeps its version in the file header; PostgreSQL in a row, which opening rewrote.
    backend = Backend("postgres", tmp_path)
    try:
        backend.open().close()
        # A row rewritten gets a new transaction id (xmin): the web app opens the store per check.
        before = backend.rows("SELECT xmin::text FROM newsfuse_schema")
        backend.open().close()
        assert backend.rows("SELECT xmin::text FROM newsfuse_schema") == before
    finally:
        backend.drop()


def test_a_store_at_schema_version_one_is_migrated_and_takes_added_pages(backend):
    backend.write_version_one()
    store = backend.open()
    try:
        for path in _seed_files():
            add([path], store)
        ((story_id, documents),) = store.live_stories().items()
        assert len(documents) == 5 and store.story(story_id)["state"] == "live"
        assert [e["kind"] for e in store.events()] == ["story.created"] + ["story.updated"] * 4
    finally:
        store.close()
    assert backend.rows("SELECT COUNT(*) FROM page_features") == [(5,)]


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
    # Features cut the body by characters: an escaped NUL before the cut counts as one.
    cut = article.body.index("\x00") + 3
    (row,) = store.features(cut)
    assert row["body"] == article.body[:cut]


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"\w+", text)}


@pytest.mark.skipif(not PG_URL, reason="no PostgreSQL server: set NEWSFUSE_TEST_PG=postgresql://...")
def test_postgres_search_finds_the_pages_sqlite_full_text_search_finds(seed_run, tmp_path):
    from newsfuse.store.postgres import PostgresStore

    result, _ = seed_run
    schema = f"search_{uuid.uuid4().hex[:12]}"
    store = PostgresStore(PG_URL, schema=schema)
    reference = SQLiteStore(tmp_path / "reference.sqlite")
    try:
        for article in result.articles.values():
            store.put_article(article)
            reference.put_article(article)
        store.put_rejection(Rejection(id="r", source="x", reason="empty", detail="", sha256=None))
        index = SearchIndex(reference.path)
        index.sync()
        bags = {doc_id: _words(a.body) for doc_id, a in result.articles.items()}
        # Words on some pages but not all, two-word queries, case folding, and a word on none.
        everywhere = set.intersection(*bags.values())
        partial = sorted(set.union(*bags.values()) - everywhere, key=lambda w: (-len(w), w))[:5]
        queries = [*partial, f"{partial[0].upper()} {sorted(everywhere)[0]}", "zzyzxnotaword"]
        for query in queries:
            expected = sorted(d for d, bag in bags.items() if _words(query) <= bag)
            assert store.search(query) == index.documents_matching(query) == expected, query
        assert 0 < len(store.search(partial[0])) < len(bags)
    finally:
        store.close()
        reference.close()
        import psycopg

        with psycopg.connect(PG_URL, autocommit=True) as db:
            db.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def test_cli_run_with_a_postgres_url_keeps_the_run_in_postgres(tmp_path, pg_url):
    from typer.testing import CliRunner

    from newsfuse.cli import app

    runner = CliRunner()
    done = runner.invoke(app, ["run", str(EXAMPLES), "--out", str(tmp_path / "pg"), "--db", pg_url])
    assert done.exit_code == 0, done.output
    assert not (tmp_path / "pg" / "newsfuse.sqlite").exists()
    reference = runner.invoke(app, ["run", str(EXAMPLES), "--out", str(tmp_path / "sqlite")])
    assert reference.exit_code == 0, reference.output
    written = (tmp_path / "pg" / "stories.json").read_text()
    assert written == (tmp_path / "sqlite" / "stories.json").read_text()
    stored = open_store(pg_url)
    try:
        assert stored.count_documents() == {"ok": 5}
    finally:
        stored.close()


def _seed_files() -> list[str]:
    return sorted(str(p) for p in EXAMPLES.glob("*.txt"))


def _timeless(events: list[dict]) -> list[dict]:
    """Events without their wall-clock stamps, which differ between two runs."""
    return [{**event, "at": None} for event in events]


def test_pages_added_one_at_a_time_keep_one_story_id_and_log_the_same_events(store, tmp_path):
    reference = SQLiteStore(tmp_path / "reference.sqlite")
    try:
        for path in _seed_files():
            add([path], store)
            add([path], reference)
        ((story_id, documents),) = store.live_stories().items()
        assert store.live_stories() == reference.live_stories() and len(documents) == 5
        events = list(store.events())
        assert [e["kind"] for e in events] == ["story.created"] + ["story.updated"] * 4
        assert all(e["story"] == story_id for e in events)
        assert _timeless(events) == _timeless(list(reference.events()))
        assert list(store.events(after=events[1]["seq"])) == events[2:]
        assert store.last_event_seq() == events[-1]["seq"]
        assert store.story(story_id) == reference.story(story_id)
        assert store.story(story_id)["state"] == "live" and store.has_story(story_id)
        assert list(store.relations(story_id)) == list(reference.relations(story_id)) != []
        version = store.vectoriser_version(events[-1]["stats_version"])
        assert {**version, "created": None} == {
            **reference.vectoriser_version(events[-1]["stats_version"]), "created": None}
        assert version["documents"] == 5
        assert store.story_links() == reference.story_links()
        assert store.integrity_check() == []
    finally:
        reference.close()


def test_a_merged_story_keeps_its_row_and_a_split_names_its_source(store):
    result = run_pipeline([str(EXAMPLES)], store)
    assert not result.rejections
    docs = sorted(result.articles)
    settings = Settings()
    with store.transaction():
        record_groups(store, [docs[:2], docs[2:]], settings, reanalyse_all=False, at="t1")
    first, second = store.live_stories()
    with store.transaction():
        merged = record_groups(store, [docs], settings, reanalyse_all=False, at="t2")
    (survivor,) = store.live_stories()
    gone = ({first, second} - {survivor}).pop()
    assert [(e["kind"], e["story"], e["related"]) for e in merged.events
            if e["kind"] == "story.merged"] == [("story.merged", gone, survivor)]
    assert store.story(gone)["state"] == "merged" and store.story(gone)["merged_into"] == survivor
    assert store.has_story(gone) and list(store.relations(gone)) == []
    assert [s["id"] for s in store.stories()] == [survivor]
    with store.transaction():
        split = record_groups(store, [docs[:2], docs[2:]], settings, reanalyse_all=False, at="t3")
    (born,) = [e for e in split.events if e["kind"] == "story.split"]
    assert born["related"] == survivor and born["story"] not in {first, second}
    assert store.story(born["story"])["split_from"] == survivor
    births = store.story_births()
    assert births[born["story"]] > births[survivor] and gone not in births
    # Stored again without a source (a later pass), the story keeps the lineage it was born with.
    store.put_story(store.story(born["story"])["record"], members_key="m", stats_version=None)
    store.set_continues(born["story"], survivor)
    links = store.story_links()
    assert links[born["story"]] == {"state": "live", "merged_into": None, "split_from": survivor,
                                    "continues": survivor}
    assert links[gone]["merged_into"] == survivor
    assert store.integrity_check() == []
    shared = {**store.story(survivor)["record"], "id": "s-overlap"}
    store.put_story(shared, members_key="m", stats_version=None)
    overlap = len(shared["documents"])
    assert store.integrity_check() == [f"{overlap} documents belong to more than one live story"]


def test_page_features_stream_sorted_cut_and_by_language(backend, store, seed_run, monkeypatch):
    result, _ = seed_run
    articles = list(result.articles.values())
    for article in articles:
        store.put_article(article)
    assert store.missing_features() == sorted(result.articles)
    pages = {article.id: pool_page(article) for article in articles}
    for page in pages.values():
        store_pool_page(store, page)
    assert store.missing_features() == []
    if backend.kind == "postgres":
        from newsfuse.store import postgres

        monkeypatch.setattr(postgres, "FEATURE_PAGE_ROWS", 2)  # rows come a page at a time
    rows = list(store.features(80))
    assert [row["id"] for row in rows] == sorted(result.articles)
    for row in rows:
        page = pages[row["id"]]
        assert row["body"] == result.articles[row["id"]].body[:80]
        assert tuple(row["minhash"]) == tuple(page.fingerprint.minhash)
        assert row["words"] == page.fingerprint.words
        assert row["title"] == page.grouping.title and row["language"] == page.grouping.language
    assert list(store.features(80, {a.language for a in articles})) == rows
    assert list(store.features(80, ["xx"])) == []


def test_vectoriser_versions_count_up_and_name_the_pool_they_were_fitted_on(store, seed_run):
    result, _ = seed_run
    for article in result.articles.values():
        store.put_article(article)
    settings = {"grouping": {"threshold": 0.5}}
    first = store.new_vectoriser_version(created="t1", documents=5, pool_key="p1", settings=settings)
    second = store.new_vectoriser_version(created="t2", documents=3, pool_key="p2", settings={})
    assert second > first
    assert store.vectoriser_version(first) == {
        "version": first, "created": "t1", "documents": 5, "last_document_seq": len(result.articles),
        "pool_key": "p1", "settings": settings}
    assert store.vectoriser_version(second + 1) is None
    seq = store.add_event("story.created", "s1", related=None, stats_version=second, at="t2",
                          detail={"documents": ["a"]})
    assert list(store.events(after=seq - 1)) == [
        {"seq": seq, "kind": "story.created", "story": "s1", "related": None, "stats_version": second,
         "at": "t2", "detail": {"documents": ["a"]}}]
    assert list(store.events(after=seq)) == [] and store.last_event_seq() == seq


def test_cli_add_with_a_postgres_url_prints_the_events_sqlite_prints(tmp_path, pg_url):
    from typer.testing import CliRunner

    from newsfuse.cli import app

    first, second, *rest = _seed_files()
    runner = CliRunner()
    printed = {}
    for db in (pg_url, str(tmp_path / "store.sqlite")):
        lines = []
        for pages in ([first, second], rest):
            done = runner.invoke(app, ["add", *pages, "--db", db])
            assert done.exit_code == 0, done.output
            lines += [json.loads(line) for line in done.output.splitlines() if line.startswith("{")]
        printed[db] = _timeless(lines)
    assert printed[pg_url] == printed[str(tmp_path / "store.sqlite")]
    assert [e["kind"] for e in printed[pg_url]] == ["story.created", "story.updated"]


# Claims about the seed pages: supported, conflicting (the sources say no timeline was
# discussed) and without evidence (a city the sources never name).
_CLAIMS = ("The United States has some 5,200 troops in Iraq. "
           "A timeline for the withdrawal of U.S. troops was agreed. "
           "The talks were held in Paris.")


def test_verify_gives_the_same_verdicts_and_support_in_either_store(store, tmp_path):
    from newsfuse.verify import Verifier

    run_pipeline([str(EXAMPLES)], store)
    reference = open_store(tmp_path / "reference.sqlite")
    try:
        run_pipeline([str(EXAMPLES)], reference)
        checked = {}
        for name, opened in (("store", store), ("reference", reference)):
            verifier = Verifier(opened)
            try:
                assert verifier.index.sync() == 0  # filled once, when the verifier opened
                checked[name] = verifier.verify(_CLAIMS)["claims"]
            finally:
                verifier.close()
    finally:
        reference.close()
    verdicts = [c["verdict"] for c in checked["store"]]
    assert verdicts == [c["verdict"] for c in checked["reference"]]
    assert verdicts == ["supported", "conflicting", "no_evidence"]
    supported = checked["store"][0]["support"]
    assert {s["text"] for s in supported} == {s["text"] for s in checked["reference"][0]["support"]}
    for entry in supported:
        cite = entry["citations"][0]
        assert store.get_article(cite["document"]).body[cite["start"]:cite["end"]] == entry["text"]


def _verdicts_posted(site: str) -> list[str]:
    """The verdicts the web app's /api/verify gives the claims."""
    request = urllib.request.Request(site + "/api/verify", data=json.dumps({"text": _CLAIMS}).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=60) as response:
        return [c["verdict"] for c in json.loads(response.read())["claims"]]


def _without_seen(digest: dict) -> dict:
    """A digest without the times stories were seen, which differ between two runs."""
    return {**digest, "changes": [{**c, "seen": None} for c in digest["changes"]]}


def test_every_read_command_and_the_web_app_read_a_postgres_store_as_they_read_sqlite(tmp_path, pg_url):
    import psycopg
    from typer.testing import CliRunner

    from newsfuse.cli import app

    from .test_web import get, live_server

    runner = CliRunner()
    sqlite_db = str(tmp_path / "sqlite" / "newsfuse.sqlite")
    for args in (["--out", str(tmp_path / "pg"), "--db", pg_url], ["--out", str(tmp_path / "sqlite")]):
        done = runner.invoke(app, ["run", str(EXAMPLES), *args])
        assert done.exit_code == 0, done.output
    with psycopg.connect(pg_url, autocommit=True) as db:  # the run filled verify's index
        assert db.execute("SELECT COUNT(DISTINCT document) FROM verify_spans").fetchone()[0] == 5

    def cli(*args: str) -> dict:
        done = runner.invoke(app, [*args, "--json"])
        assert done.exit_code == 0, done.output
        return json.loads(done.stdout)

    checked = cli("verify", _CLAIMS, "--db", pg_url)
    assert [c["verdict"] for c in checked["claims"]] == ["supported", "conflicting", "no_evidence"]
    assert cli("ledger", "--db", pg_url) == cli("ledger", "--db", sqlite_db)
    changes = cli("digest", "--since", "2000-01-01", "--db", pg_url)
    assert changes["new"] == 1 and _without_seen(changes) == _without_seen(
        cli("digest", "--since", "2000-01-01", "--db", sqlite_db))

    with live_server(pg_url) as pg_site, live_server(sqlite_db) as sqlite_site:
        def both(path: str) -> tuple[str, str]:
            answers = []
            for site in (pg_site, sqlite_site):
                status, _, text = get(site + path)
                assert status == 200, (path, text[:300])
                answers.append(text)
            return answers[0], answers[1]

        pg, lite = both("/api/stories")
        stories = json.loads(pg)
        assert stories == json.loads(lite) and len(stories) == 1
        story = stories[0]
        for path in (f"/api/stories/{story['id']}", f"/api/documents/{story['documents'][0]}"):
            pg, lite = both(path)
            assert json.loads(pg) == json.loads(lite)
        # The same matches (PostgreSQL ranks them its own way); the last word matches as a prefix.
        for query in ("Schenker+productive", "Kadhim", "permanent+bases"):
            pg, lite = both(f"/api/search?q={query}")
            found = sorted((h["kind"], h["ref"]) for h in json.loads(pg))
            assert found and found == sorted((h["kind"], h["ref"]) for h in json.loads(lite)), query
        pg, _ = both("/api/search?q=productive")
        assert all("<mark>productive</mark>" in h["snippet"].lower() for h in json.loads(pg))
        pg, lite = both("/api/changes?since=2000-01-01")
        assert _without_seen(json.loads(pg)) == _without_seen(json.loads(lite))
        for path in ("/", f"/stories/{story['id']}", "/feed.atom"):
            pg, _ = both(path)
            assert html.escape(story["title"], quote=False) in pg, path
        assert _verdicts_posted(pg_site) == ["supported", "conflicting", "no_evidence"]


def test_a_read_only_postgres_role_is_served_and_checks_text(tmp_path, pg_url):
    import urllib.parse

    import psycopg
    from typer.testing import CliRunner

    from newsfuse.cli import app
    from newsfuse.web import create_app

    from .test_web import get, live_server

    done = CliRunner().invoke(app, ["run", str(EXAMPLES), "--out", str(tmp_path / "pg"), "--db", pg_url])
    assert done.exit_code == 0, done.output
    schema = urllib.parse.unquote(pg_url.rsplit("search_path%3D", 1)[1])
    reader = f"reader_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as db:
        db.execute(f"CREATE ROLE {reader} LOGIN")
        db.execute(f"GRANT USAGE ON SCHEMA {schema} TO {reader}")
        db.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {reader}")
    read_only = pg_url.replace("://postgres@", f"://{reader}@", 1)
    assert read_only != pg_url
    try:
        # It may not bring the index up to date, so it serves what the last run indexed.
        assert create_app(read_only).state.sync_error
        with live_server(read_only) as site:
            status, _, text = get(site + "/api/stories")
            assert status == 200 and len(json.loads(text)) == 1
            status, _, text = get(site + "/api/search?q=Schenker")
            assert status == 200 and json.loads(text)
            assert _verdicts_posted(site) == ["supported", "conflicting", "no_evidence"]
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as db:
            db.execute(f"DROP OWNED BY {reader}")
            db.execute(f"DROP ROLE {reader}")
