"""The PostgreSQL store: the same tables, methods and behaviour as the SQLite store, for `--db postgresql://`.

Rules kept identical to SQLite:
- a document id is stored once; later writes of the same id are ignored (`ON CONFLICT DO NOTHING`
  where SQLite says `INSERT OR IGNORE`), stories and relations are replaced by id;
- JSON columns hold the same text (`json.dumps`, sorted keys where SQLite sorts them), so a record
  read back is byte-for-byte the record SQLite returns;
- the schema version is recorded (in `newsfuse_schema`, as SQLite's `PRAGMA user_version`) and
  migrations run in order under an advisory lock, so two processes opening one database at once
  migrate it once; a database newer than this code is refused;
- `transaction()` commits everything inside together or nothing; `batches(n)` commits every n ticks.

Search uses PostgreSQL's own full-text search with the `simple` configuration (lower-cased
words, no stemming, no stop words): a query matches the documents whose body holds every word of
the query, which is what SQLite FTS5's default `unicode61` tokenizer does with a plain word query.

PostgreSQL text cannot hold the NUL character, which SQLite stores (a JSONL record may carry
"\u0000"). Every string goes through a lossless escape on its way in and out: U+FFFF (a
noncharacter) doubles itself and stands before "0" for NUL; text with neither character, which
is all ordinary text, is sent and read unchanged.

`schema=` keeps a store's tables in their own PostgreSQL schema (created when missing): several
stores can share one database, which the tests use to run isolated from each other.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

import psycopg
from psycopg.types.string import StrDumperUnknown, TextLoader

from ..errors import StoreError
from ..model import Article, Rejection, to_plain
from .base import article_from_row

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
)
# Any fixed number: held while migrating so that concurrent openers wait instead of racing.
_MIGRATION_LOCK = 0x6E657773
_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_ESCAPE = "\uffff"
_ESCAPED = re.compile(_ESCAPE + "(.)", re.DOTALL)


class PostgresStore:
    """Documents, raw pages, stories and relations in one PostgreSQL database (or schema of one)."""

    def __init__(self, url: str, *, schema: str | None = None) -> None:
        self.path = url
        self._seq: int | None = None
        if schema is not None and not _SCHEMA_NAME.fullmatch(schema):
            raise StoreError(f"bad PostgreSQL schema name {schema!r}: lower-case letters, digits and _")
        try:
            self._db = psycopg.connect(url, autocommit=True)
            self._db.adapters.register_dumper(str, _EscapingDumper)
            self._db.adapters.register_loader("text", _UnescapingLoader)
        except psycopg.Error as exc:
            raise StoreError(f"cannot open store {_redacted(url)}: {exc}") from exc
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
            self._db.execute("CREATE TABLE IF NOT EXISTS newsfuse_schema (version INTEGER NOT NULL)")
            row = self._db.execute("SELECT version FROM newsfuse_schema").fetchone()
            version = row[0] if row else 0
            if version > len(MIGRATIONS):
                raise StoreError(f"store {_redacted(self.path)} has schema version {version}, newer "
                                 f"than this newsfuse knows ({len(MIGRATIONS)}); upgrade newsfuse")
            for number in range(version, len(MIGRATIONS)):
                for statement in _statements(MIGRATIONS[number]):
                    self._db.execute(statement)
            self._db.execute("DELETE FROM newsfuse_schema")
            self._db.execute("INSERT INTO newsfuse_schema (version) VALUES (%s)", (len(MIGRATIONS),))

    def schema_version(self) -> int:
        """The migration the database is at (SQLite keeps the same number in PRAGMA user_version)."""
        return self._db.execute("SELECT version FROM newsfuse_schema").fetchone()[0]

    def transaction(self) -> _Transaction:
        """A context manager: everything inside commits together or not at all."""
        return _Transaction(self._db)

    def batches(self, size: int) -> _Batches:
        """A context manager committing every `size` ticks, so a killed run loses one batch at most."""
        return _Batches(self._db, size)

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    def _next_seq(self) -> int:
        # Read once, then counted here, as the SQLite store does (MAX per insert is quadratic).
        if self._seq is None:
            row = self._db.execute(
                "SELECT MAX(seq) FROM (SELECT seq FROM documents UNION ALL SELECT seq FROM stories) AS s"
            ).fetchone()
            self._seq = row[0] or 0
        self._seq += 1
        return self._seq

    # Documents -------------------------------------------------------------------------------

    def has_document(self, document_id: str) -> bool:
        """True when a document with this id is stored (its body never changes after that)."""
        row = self._db.execute("SELECT 1 FROM documents WHERE id = %s", (document_id,)).fetchone()
        return row is not None

    def put_raw(self, sha256: str, fmt: str, content: str) -> None:
        """Keep a raw page once, by its hash, so citations can show the passage as published."""
        self._db.execute("INSERT INTO raw_pages (sha256, format, content) VALUES (%s, %s, %s)"
                         " ON CONFLICT DO NOTHING", (sha256, fmt, content))

    def put_article(self, article: Article) -> bool:
        """Store an article unless its id is stored already; True when it was new."""
        cursor = self._db.execute(
            "INSERT INTO documents (id, source, status, raw_sha256, url, language, body, meta, segments,"
            " cleaner, notes, seq) VALUES (%s, %s, 'ok', %s, %s, %s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT DO NOTHING",
            (article.id, article.source, article.raw_sha256, article.url, article.language,
             article.body, json.dumps(to_plain(article.meta)),
             json.dumps([[s.body_start, s.raw_start, s.length] for s in article.segments]),
             article.cleaner, json.dumps(list(article.notes)), self._next_seq()))
        return cursor.rowcount == 1

    def put_rejection(self, rejection: Rejection) -> bool:
        """Store a rejected document with its reason unless stored already."""
        cursor = self._db.execute(
            "INSERT INTO documents (id, source, status, reason, detail, raw_sha256, seq)"
            " VALUES (%s, %s, 'rejected', %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (rejection.id, rejection.source, rejection.reason, rejection.detail, rejection.sha256,
             self._next_seq()))
        return cursor.rowcount == 1

    def get_article(self, document_id: str) -> Article | None:
        """The stored article, or None when unknown or rejected."""
        row = self._db.execute(
            "SELECT id, source, body, language, meta, segments, raw_sha256, cleaner, url, notes"
            " FROM documents WHERE id = %s AND status = 'ok'", (document_id,)).fetchone()
        return article_from_row(row) if row else None

    def get_rejection(self, document_id: str) -> Rejection | None:
        """The stored rejection, or None."""
        row = self._db.execute(
            "SELECT id, source, reason, detail, raw_sha256 FROM documents"
            " WHERE id = %s AND status = 'rejected'", (document_id,)).fetchone()
        return Rejection(*row[:2], row[2] or "", row[3] or "", row[4]) if row else None

    def raw_page(self, sha256: str) -> str | None:
        """The raw page text with this hash, or None."""
        row = self._db.execute("SELECT content FROM raw_pages WHERE sha256 = %s", (sha256,)).fetchone()
        return row[0] if row else None

    def document_ids(self) -> list[str]:
        """Every stored document id, sorted (byte order, as SQLite sorts)."""
        # Sorted here, after unescaping, so that ids holding NUL sort exactly as SQLite sorts them.
        return sorted(r[0] for r in self._db.execute("SELECT id FROM documents"))

    def count_documents(self) -> dict[str, int]:
        """Stored documents by status."""
        return dict(self._db.execute("SELECT status, COUNT(*) FROM documents GROUP BY status").fetchall())

    def search(self, query: str) -> list[str]:
        """Ids of stored articles whose body holds every word of `query` (any order), sorted.

        PostgreSQL full-text search, `simple` configuration: case-insensitive whole words, no
        stemming. A query with no words matches nothing.
        """
        rows = self._db.execute(
            "SELECT id FROM documents WHERE status = 'ok' AND to_tsvector('simple', coalesce(body, ''))"
            " @@ plainto_tsquery('simple', %s) ORDER BY id COLLATE \"C\"", (query,))
        return [r[0] for r in rows]

    # Stories and relations -------------------------------------------------------------------

    def replace_stories(self, stories: Iterable[dict[str, Any]], documents: Iterable[str]) -> None:
        """Drop stories holding any of `documents` and store the new ones in their place."""
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

    def put_relation(self, relation_id: str, kind: str, record: dict[str, Any]) -> None:
        """Store a syndication or common-source relation (replaced when found again)."""
        self._db.execute("INSERT INTO relations (id, kind, record) VALUES (%s, %s, %s) ON CONFLICT (id)"
                         " DO UPDATE SET kind = EXCLUDED.kind, record = EXCLUDED.record",
                         (relation_id, kind, json.dumps(record, sort_keys=True)))

    def stories(self) -> Iterator[dict[str, Any]]:
        """Every stored story record."""
        for (record,) in self._db.execute('SELECT record FROM stories ORDER BY id COLLATE "C"').fetchall():
            yield json.loads(record)

    def integrity_check(self) -> list[str]:
        """Story links to unknown documents; empty when sound (PostgreSQL checks its own pages)."""
        orphans = self._db.execute(
            "SELECT COUNT(*) FROM story_documents WHERE document_id NOT IN (SELECT id FROM documents)"
        ).fetchone()[0]
        return [f"{orphans} story links point to unknown documents"] if orphans else []

    # Runs ------------------------------------------------------------------------------------

    def start_run(self, started: str) -> int:
        """Record the start of a run; returns its number."""
        return int(self._db.execute("INSERT INTO runs (started) VALUES (%s) RETURNING id",
                                    (started,)).fetchone()[0])

    def finish_run(self, run_id: int, finished: str, summary: dict[str, Any]) -> None:
        """Record how a run ended."""
        self._db.execute("UPDATE runs SET finished = %s, summary = %s WHERE id = %s",
                         (finished, json.dumps(summary, sort_keys=True), run_id))


class _Transaction:
    def __init__(self, db: psycopg.Connection) -> None:
        self._db = db

    def __enter__(self) -> _Transaction:
        self._db.execute("BEGIN")
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        self._db.execute("COMMIT" if exc_type is None else "ROLLBACK")


class _Batches:
    def __init__(self, db: psycopg.Connection, size: int) -> None:
        self._db = db
        self._size = size
        self._pending = 0

    def __enter__(self) -> _Batches:
        self._db.execute("BEGIN")
        return self

    def tick(self) -> None:
        self._pending += 1
        if self._pending >= self._size:
            self._db.execute("COMMIT")
            self._db.execute("BEGIN")
            self._pending = 0

    def __exit__(self, exc_type: object, *_: object) -> None:
        self._db.execute("COMMIT" if exc_type is None else "ROLLBACK")


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


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def _redacted(url: str) -> str:
    """The URL without its password, for messages."""
    return re.sub(r"(://[^:/@]+):[^@/]*@", r"\1:***@", url)
