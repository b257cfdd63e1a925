"""The PostgreSQL store: the same tables, methods and behaviour as the SQLite store, for `--db postgresql://`.

Rules kept identical to SQLite:
- a document id is stored once; later writes of the same id are ignored (`ON CONFLICT DO NOTHING`
  where SQLite says `INSERT OR IGNORE`), stories and relations are replaced by id;
- JSON columns hold the same text (`json.dumps`, sorted keys where SQLite sorts them), so a record
  read back is byte-for-byte the record SQLite returns;
- the schema version is recorded (in `newsfuse_schema`, as SQLite's `PRAGMA user_version`) and
  migrations run in order under an advisory lock, so two processes opening one database at once
  migrate it once; a database newer than this code is refused;
- `transaction()` commits everything inside together or nothing; `batches(n)` commits every n ticks;
- schema version 2 keeps story identity as SQLite does (see store/sqlite.py): story rows are never
  deleted once minted, merged ones keep `merged_into`, every change is a `story_events` row whose
  `seq` only grows, each grouping pass is a `vectoriser_versions` row, and `page_features` keeps
  what grouping reads of a page. Event and version numbers come from PostgreSQL sequences, which
  a rolled-back transaction may skip (SQLite reuses them): numbers still only grow, and readers
  only ever ask for the events after the last number they saw.

Search uses PostgreSQL's own full-text search with the `simple` configuration (lower-cased
words, no stemming, no stop words): a query matches the documents whose body holds every word of
the query, which is what SQLite FTS5's default `unicode61` tokenizer does with a plain word query.

PostgreSQL text cannot hold the NUL character, which SQLite stores (a JSONL record may carry
"\u0000"). Every string goes through a lossless escape on its way in and out: U+FFFF (a
noncharacter) doubles itself and stands before "0" for NUL; text with neither character, which
is all ordinary text, is sent and read unchanged.

`schema=` keeps a store's tables in their own PostgreSQL schema (created when missing): several
stores can share one database, which the tests use to run isolated from each other. The store's
`path` is then the URL with that schema as its search path, so `open_store(store.path)` (which
`Result.articles` does to read a run's articles back) opens the same tables.

The methods both stores share are written once in store/sql.py, in SQLite's SQL, and translated
here (placeholders, byte order, skipped duplicates); this module keeps the connection, its
migrations and the queries PostgreSQL says its own way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any

import psycopg
from psycopg.types.string import StrDumperUnknown, TextLoader

from ..errors import StoreError
from .base import redacted as _redacted
from .sql import SQLStore, statements

# Each entry migrates the schema from version N to N+1, like store.sqlite.MIGRATIONS, and the two
# lists stay the same length: the same version number means the same tables in both stores.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE documents (
        id TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('ok', 'rejected')),
        reason TEXT,
        detail TEXT,
        raw_sha256 TEXT,
        url TEXT,
        language TEXT,
        body TEXT,
        meta TEXT,
        segments TEXT,
        cleaner TEXT,
        notes TEXT,
        seq BIGINT NOT NULL
    );
    CREATE INDEX documents_search ON documents USING GIN (to_tsvector('simple', coalesce(body, '')));
    CREATE TABLE raw_pages (
        sha256 TEXT PRIMARY KEY,
        format TEXT NOT NULL,
        content TEXT NOT NULL
    );
    CREATE TABLE stories (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        language TEXT NOT NULL,
        record TEXT NOT NULL,
        seq BIGINT NOT NULL
    );
    CREATE TABLE story_documents (
        story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
        document_id TEXT NOT NULL,
        PRIMARY KEY (story_id, document_id)
    );
    CREATE INDEX story_documents_by_document ON story_documents(document_id);
    CREATE TABLE relations (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        record TEXT NOT NULL
    );
    CREATE TABLE runs (
        id BIGSERIAL PRIMARY KEY,
        started TEXT NOT NULL,
        finished TEXT,
        summary TEXT
    );
    """,
    """
    ALTER TABLE stories ADD COLUMN state TEXT NOT NULL DEFAULT 'live'
        CHECK (state IN ('live', 'merged'));
    ALTER TABLE stories ADD COLUMN merged_into TEXT;
    ALTER TABLE stories ADD COLUMN split_from TEXT;
    ALTER TABLE stories ADD COLUMN continues TEXT;
    ALTER TABLE stories ADD COLUMN members_key TEXT;
    ALTER TABLE stories ADD COLUMN stats_version BIGINT;
    ALTER TABLE relations ADD COLUMN story_id TEXT;
    CREATE INDEX relations_by_story ON relations(story_id);
    CREATE TABLE story_events (
        seq BIGSERIAL PRIMARY KEY,
        kind TEXT NOT NULL
            CHECK (kind IN ('story.created', 'story.updated', 'story.merged', 'story.split')),
        story_id TEXT NOT NULL,
        related TEXT,
        stats_version BIGINT,
        at TEXT NOT NULL,
        detail TEXT NOT NULL
    );
    CREATE TABLE vectoriser_versions (
        version BIGSERIAL PRIMARY KEY,
        created TEXT NOT NULL,
        documents BIGINT NOT NULL,
        last_document_seq BIGINT NOT NULL,
        pool_key TEXT NOT NULL,
        settings TEXT NOT NULL
    );
    CREATE TABLE page_features (
        document_id TEXT PRIMARY KEY REFERENCES documents(id),
        title TEXT NOT NULL,
        language TEXT NOT NULL,
        published TEXT,
        body_key TEXT NOT NULL,
        minhash BYTEA NOT NULL,
        words BIGINT NOT NULL
    );
    """,
)
# Rows fetched per round trip when streaming features: a page of bodies at a time, never the table.
FEATURE_PAGE_ROWS = 500
# Any fixed number: held while migrating so that concurrent openers wait instead of racing.
_MIGRATION_LOCK = 0x6E657773
_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_IGNORING_INSERT = "INSERT OR IGNORE INTO "
_ESCAPE = "\uffff"
_ESCAPED = re.compile(_ESCAPE + "(.)", re.DOTALL)


class PostgresStore(SQLStore):
    """Documents, raw pages, stories and relations in one PostgreSQL database (or schema of one)."""

    _BEGIN = "BEGIN"

    def __init__(self, url: str, *, schema: str | None = None) -> None:
        if schema is not None and not _SCHEMA_NAME.fullmatch(schema):
            raise StoreError(f"bad PostgreSQL schema name {schema!r}: lower-case letters, digits and _")
        super().__init__(url if schema is None else _with_search_path(url, schema), connect(url))
        try:
            if schema is not None:
                self._db.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
                self._db.execute(f"SET search_path TO {schema}")
            self._migrate()
        except psycopg.Error as exc:
            self._db.close()
            raise StoreError(f"cannot open store {_redacted(url)}: {exc}") from exc
        except StoreError:
            self._db.close()
            raise

    def _migrate(self) -> None:
        with self.transaction():
            self._db.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            if not has_table(self._db, "newsfuse_schema"):
                self._db.execute("CREATE TABLE newsfuse_schema (version INTEGER NOT NULL)")
            row = self._db.execute("SELECT version FROM newsfuse_schema").fetchone()
            version = row[0] if row else 0
            if version > len(MIGRATIONS):
                raise StoreError(f"store {_redacted(self.path)} has schema version {version}, newer "
                                 f"than this newsfuse knows ({len(MIGRATIONS)}); upgrade newsfuse")
            if version == len(MIGRATIONS):
                return  # up to date: opening a store writes nothing (the web app opens one per check)
            for number in range(version, len(MIGRATIONS)):
                for statement in statements(MIGRATIONS[number]):
                    self._db.execute(statement)
            self._db.execute("DELETE FROM newsfuse_schema")
            self._db.execute("INSERT INTO newsfuse_schema (version) VALUES (%s)", (len(MIGRATIONS),))

    def schema_version(self) -> int:
        """The migration the database is at (SQLite keeps the same number in PRAGMA user_version)."""
        return self._db.execute("SELECT version FROM newsfuse_schema").fetchone()[0]

    # Dialect: shared statements translated from SQLite's SQL -----------------------------------

    def _execute(self, statement: str, args: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
        return self._db.execute(_postgres_sql(statement), args)

    def _executemany(self, statement: str, rows: list[tuple[Any, ...]]) -> None:
        # executemany lives on psycopg's cursors, not its connections.
        with self._db.cursor() as cursor:
            cursor.executemany(_postgres_sql(statement), rows)

    def _insert_id(self, statement: str, args: Sequence[Any], key: str) -> int:
        return int(self._execute(f"{statement} RETURNING {key}", args).fetchone()[0])

    # Queries PostgreSQL says its own way -------------------------------------------------------

    def search(self, query: str) -> list[str]:
        """Ids of stored articles whose body holds every word of `query` (any order), sorted.

        PostgreSQL full-text search, `simple` configuration: case-insensitive whole words, no
        stemming. A query with no words matches nothing.
        """
        rows = self._db.execute(
            "SELECT id FROM documents WHERE status = 'ok' AND to_tsvector('simple', coalesce(body, ''))"
            " @@ plainto_tsquery('simple', %s) ORDER BY id COLLATE \"C\"", (query,))
        return [r[0] for r in rows]

    def replace_stories(self, stories: Iterable[dict[str, Any]], documents: Iterable[str]) -> None:
        """Drop stories holding any of `documents` and store the new ones in their place (a story
        stored again keeps its identity columns and document links, and gains the new links)."""
        self._db.execute("DELETE FROM stories WHERE id IN (SELECT story_id FROM story_documents"
                         " WHERE document_id = ANY(%s))", (list(documents),))
        seq = self._next_seq()
        with self._db.cursor() as cursor:
            for story in stories:
                cursor.execute(
                    "INSERT INTO stories (id, title, language, record, seq) VALUES (%s, %s, %s, %s, %s)"
                    " ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title, language = EXCLUDED.language,"
                    " record = EXCLUDED.record, seq = EXCLUDED.seq",
                    (story["id"], story["title"], story["language"], json.dumps(story, sort_keys=True), seq))
                cursor.executemany(
                    "INSERT INTO story_documents (story_id, document_id) VALUES (%s, %s)"
                    " ON CONFLICT DO NOTHING",
                    [(story["id"], d) for d in story["documents"]])

    def features(self, body_chars: int, languages: Iterable[str] | None = None) -> Iterator[dict[str, Any]]:
        """Every stored article's features with the first `body_chars` of its body, one at a time;
        with `languages`, only the articles in those languages.

        Read a page of rows at a time (keyset on the document id), so a large store is never held
        in memory. A body holding the escape character comes whole and is cut here: `substr`
        would count an escaped NUL as two characters.
        """
        wanted = sorted(set(languages)) if languages is not None else None
        after: str | None = None
        while True:
            rows = self._db.execute(
                "SELECT f.document_id, f.title, f.language, f.published, f.body_key, f.minhash, f.words,"
                " CASE WHEN strpos(d.body, chr(65535)) > 0 THEN d.body ELSE substr(d.body, 1, %s) END"
                " FROM page_features f JOIN documents d ON d.id = f.document_id"
                " WHERE (%s::text IS NULL OR f.document_id > %s COLLATE \"C\")"
                " AND (%s::text[] IS NULL OR f.language = ANY(%s::text[]))"
                " ORDER BY f.document_id COLLATE \"C\" LIMIT %s",
                (body_chars, after, after, wanted, wanted, FEATURE_PAGE_ROWS)).fetchall()
            for row in rows:
                yield self._feature_record(row, body_chars)
            if len(rows) < FEATURE_PAGE_ROWS:
                return
            after = rows[-1][0]


def connect(url: str, *, read_only: bool = False) -> psycopg.Connection[Any]:
    """A connection to the store at `url` that writes and reads text as the store does (NUL
    escaped, see the module rules); with `read_only`, every transaction on it is read-only."""
    try:
        db = psycopg.connect(url, autocommit=True)
        db.adapters.register_dumper(str, _EscapingDumper)
        db.adapters.register_loader("text", _UnescapingLoader)
        if read_only:
            db.execute("SET default_transaction_read_only = on")
    except psycopg.Error as exc:
        raise StoreError(f"cannot open store {_redacted(url)}: {exc}") from exc
    return db


def has_table(db: Any, name: str) -> bool:
    """Whether the table `name` exists on the connection's search path. Tables of our own are
    created only when missing, so a role that may only read can still open and read them."""
    return db.execute("SELECT to_regclass(%s)", (name,)).fetchone()[0] is not None


class SQLiteSpeaking:
    """A PostgreSQL connection taking SQLite's SQL, as store/sql.py writes it (`?` placeholders,
    INSERT OR IGNORE): for the modules that keep tables of their own beside the store's (search,
    the digest's history) or read the store's directly (the web app), written once for both."""

    def __init__(self, db: psycopg.Connection[Any]) -> None:
        self.raw = db

    def execute(self, statement: str, args: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
        return self.raw.execute(_postgres_sql(statement), args)

    def executemany(self, statement: str, rows: Iterable[Sequence[Any]]) -> None:
        with self.raw.cursor() as cursor:
            cursor.executemany(_postgres_sql(statement), list(rows))

    def close(self) -> None:
        self.raw.close()


@lru_cache(maxsize=256)
def _postgres_sql(statement: str) -> str:
    """A shared statement (SQLite's SQL, see store/sql.py) in PostgreSQL's SQL."""
    translated = statement.replace("%", "%%").replace("?", "%s").replace("COLLATE BINARY", 'COLLATE "C"')
    if translated.startswith(_IGNORING_INSERT):
        return f"INSERT INTO {translated.removeprefix(_IGNORING_INSERT)} ON CONFLICT DO NOTHING"
    return translated


class _EscapingDumper(StrDumperUnknown):
    def dump(self, obj: str) -> bytes:
        if "\x00" in obj or _ESCAPE in obj:
            obj = obj.replace(_ESCAPE, _ESCAPE + _ESCAPE).replace("\x00", _ESCAPE + "0")
        return super().dump(obj)


class _UnescapingLoader(TextLoader):
    def load(self, data: Any) -> str:
        text = super().load(data)
        if _ESCAPE in text:
            return _ESCAPED.sub(lambda m: "\x00" if m.group(1) == "0" else m.group(1), text)
        return text


def _with_search_path(url: str, schema: str) -> str:
    """The URL with `schema` as the connection's search path (a libpq `options` parameter)."""
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
