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
"""

from __future__ import annotations

import json
import re
from array import array
from collections.abc import Iterable, Iterator, Sequence
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
_ESCAPE = "\uffff"
_ESCAPED = re.compile(_ESCAPE + "(.)", re.DOTALL)


class PostgresStore:
    """Documents, raw pages, stories and relations in one PostgreSQL database (or schema of one)."""

    def __init__(self, url: str, *, schema: str | None = None) -> None:
        self._seq: int | None = None
        if schema is not None and not _SCHEMA_NAME.fullmatch(schema):
            raise StoreError(f"bad PostgreSQL schema name {schema!r}: lower-case letters, digits and _")
        self.path = url if schema is None else _with_search_path(url, schema)
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

    def put_relation(self, relation_id: str, kind: str, record: dict[str, Any],
                     story_id: str | None = None) -> None:
        """Store a syndication or common-source relation (replaced, story link included, when found again)."""
        self._db.execute("INSERT INTO relations (id, kind, record, story_id) VALUES (%s, %s, %s, %s)"
                         " ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, record = EXCLUDED.record,"
                         " story_id = EXCLUDED.story_id",
                         (relation_id, kind, json.dumps(record, sort_keys=True), story_id))

    def drop_relations(self, story_id: str) -> None:
        """Forget the relations found in a story, before it is analysed again."""
        self._db.execute("DELETE FROM relations WHERE story_id = %s", (story_id,))

    def relations(self, story_id: str | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
        """(kind, record) of every stored relation, or of one story's."""
        query, args = "SELECT kind, record FROM relations", ()
        if story_id is not None:
            query, args = query + " WHERE story_id = %s", (story_id,)
        for kind, record in self._db.execute(query + ' ORDER BY id COLLATE "C"', args).fetchall():
            yield kind, json.loads(record)

    def stories(self) -> Iterator[dict[str, Any]]:
        """Every live story record (stories merged into others are kept, but not listed here)."""
        for (record,) in self._db.execute(
                "SELECT record FROM stories WHERE state = 'live' ORDER BY id COLLATE \"C\"").fetchall():
            yield json.loads(record)

    # Story identity and events ---------------------------------------------------------------

    def live_stories(self) -> dict[str, tuple[str, ...]]:
        """Live story id -> its document ids, sorted."""
        members: dict[str, list[str]] = {}
        for story_id, document_id in self._db.execute(
                "SELECT s.id, d.document_id FROM stories s LEFT JOIN story_documents d ON d.story_id = s.id"
                " WHERE s.state = 'live' ORDER BY s.id COLLATE \"C\", d.document_id COLLATE \"C\""):
            members.setdefault(story_id, [])
            if document_id is not None:
                members[story_id].append(document_id)
        return {k: tuple(v) for k, v in members.items()}

    def story_births(self) -> dict[str, int]:
        """Live story id -> the sequence number it was minted at (older stories have lower ones)."""
        return dict(self._db.execute("SELECT id, seq FROM stories WHERE state = 'live'").fetchall())

    def has_story(self, story_id: str) -> bool:
        """True when this story id was ever minted (live or merged)."""
        return self._db.execute("SELECT 1 FROM stories WHERE id = %s", (story_id,)).fetchone() is not None

    def story(self, story_id: str) -> dict[str, Any] | None:
        """A story's record with its identity columns (state, merged_into, split_from, continues,
        members_key, stats_version, seq), live or merged; None when never minted."""
        row = self._db.execute(
            "SELECT record, state, merged_into, split_from, continues, members_key, stats_version, seq"
            " FROM stories WHERE id = %s", (story_id,)).fetchone()
        if row is None:
            return None
        names = ("state", "merged_into", "split_from", "continues", "members_key", "stats_version", "seq")
        return {"record": json.loads(row[0]), **dict(zip(names, row[1:], strict=True))}

    def put_story(self, record: dict[str, Any], *, members_key: str, stats_version: int | None,
                  split_from: str | None = None) -> None:
        """Store a live story under its kept id: its record and document links are replaced, its
        lineage (split_from, continues) and first sequence number are kept."""
        story_id = record["id"]
        seq = self._next_seq()
        self._db.execute(
            "INSERT INTO stories (id, title, language, record, seq, state, members_key, stats_version,"
            " split_from) VALUES (%s, %s, %s, %s, %s, 'live', %s, %s, %s) ON CONFLICT (id) DO UPDATE SET"
            " title = EXCLUDED.title, language = EXCLUDED.language, record = EXCLUDED.record,"
            " state = 'live', merged_into = NULL, members_key = EXCLUDED.members_key,"
            " stats_version = EXCLUDED.stats_version,"
            " split_from = COALESCE(stories.split_from, EXCLUDED.split_from)",
            (story_id, record["title"], record["language"], json.dumps(record, sort_keys=True), seq,
             members_key, stats_version, split_from))
        self._db.execute("DELETE FROM story_documents WHERE story_id = %s", (story_id,))
        with self._db.cursor() as cursor:
            cursor.executemany("INSERT INTO story_documents (story_id, document_id) VALUES (%s, %s)",
                               [(story_id, d) for d in record["documents"]])

    def retire_story(self, story_id: str, merged_into: str) -> None:
        """Mark a story as merged into another; its row stays so its id keeps resolving."""
        self._db.execute("UPDATE stories SET state = 'merged', merged_into = %s WHERE id = %s",
                         (merged_into, story_id))
        self._db.execute("DELETE FROM story_documents WHERE story_id = %s", (story_id,))
        self.drop_relations(story_id)

    def set_continues(self, story_id: str, earlier: str | None) -> None:
        """Thread a story onto the earlier story it follows up (None: it starts a thread)."""
        self._db.execute("UPDATE stories SET continues = %s WHERE id = %s", (earlier, story_id))

    def story_links(self) -> dict[str, dict[str, str | None]]:
        """Story id -> {state, merged_into, split_from, continues} for every story ever minted."""
        rows = self._db.execute(
            "SELECT id, state, merged_into, split_from, continues FROM stories ORDER BY id COLLATE \"C\"")
        return {r[0]: {"state": r[1], "merged_into": r[2], "split_from": r[3], "continues": r[4]}
                for r in rows}

    def add_event(self, kind: str, story_id: str, *, related: str | None, stats_version: int | None,
                  at: str, detail: dict[str, Any]) -> int:
        """Append a story event; returns its sequence number."""
        return int(self._db.execute(
            "INSERT INTO story_events (kind, story_id, related, stats_version, at, detail)"
            " VALUES (%s, %s, %s, %s, %s, %s) RETURNING seq",
            (kind, story_id, related, stats_version, at, json.dumps(detail, sort_keys=True))).fetchone()[0])

    def last_event_seq(self) -> int:
        """The sequence number of the latest story event (0 when none)."""
        return int(self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM story_events").fetchone()[0])

    def events(self, after: int = 0) -> Iterator[dict[str, Any]]:
        """Story events with a sequence number above `after`, in order."""
        for seq, kind, story_id, related, version, at, detail in self._db.execute(
                "SELECT seq, kind, story_id, related, stats_version, at, detail FROM story_events"
                " WHERE seq > %s ORDER BY seq", (after,)).fetchall():
            yield {"seq": seq, "kind": kind, "story": story_id, "related": related,
                   "stats_version": version, "at": at, "detail": json.loads(detail)}

    def new_vectoriser_version(self, *, created: str, documents: int, pool_key: str,
                               settings: dict[str, Any]) -> int:
        """Record the pool a grouping pass fits its statistics on; returns the version number."""
        last = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM documents").fetchone()[0]
        return int(self._db.execute(
            "INSERT INTO vectoriser_versions (created, documents, last_document_seq, pool_key, settings)"
            " VALUES (%s, %s, %s, %s, %s) RETURNING version",
            (created, documents, last, pool_key, json.dumps(settings, sort_keys=True))).fetchone()[0])

    def vectoriser_version(self, version: int) -> dict[str, Any] | None:
        """What a grouping pass was fitted on: pool size, last document seq, pool key, settings."""
        row = self._db.execute(
            "SELECT version, created, documents, last_document_seq, pool_key, settings"
            " FROM vectoriser_versions WHERE version = %s", (version,)).fetchone()
        if row is None:
            return None
        return {"version": row[0], "created": row[1], "documents": row[2], "last_document_seq": row[3],
                "pool_key": row[4], "settings": json.loads(row[5])}

    # Per-page features -----------------------------------------------------------------------

    def put_features(self, document_id: str, *, title: str, language: str, published: str | None,
                     body_key: str, minhash: Sequence[int], words: int) -> None:
        """Keep what grouping and near-duplicate detection read of a page besides its body."""
        self._db.execute(
            "INSERT INTO page_features (document_id, title, language, published, body_key, minhash, words)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (document_id) DO UPDATE SET"
            " title = EXCLUDED.title, language = EXCLUDED.language, published = EXCLUDED.published,"
            " body_key = EXCLUDED.body_key, minhash = EXCLUDED.minhash, words = EXCLUDED.words",
            (document_id, title, language, published, body_key, array("Q", minhash).tobytes(), words))

    def missing_features(self) -> list[str]:
        """Stored articles without features (stored before features were kept), sorted."""
        return sorted(r[0] for r in self._db.execute(
            "SELECT id FROM documents d WHERE status = 'ok'"
            " AND NOT EXISTS (SELECT 1 FROM page_features f WHERE f.document_id = d.id)"))

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
                yield {"id": row[0], "title": row[1], "language": row[2], "published": row[3],
                       "body_key": row[4], "minhash": tuple(array("Q", bytes(row[5]))), "words": row[6],
                       "body": row[7][:body_chars]}
            if len(rows) < FEATURE_PAGE_ROWS:
                return
            after = rows[-1][0]

    def articles(self, document_ids: Iterable[str]) -> Iterator[Article]:
        """The stored articles with these ids (unknown or rejected ones skipped), one at a time."""
        for document_id in document_ids:
            article = self.get_article(document_id)
            if article is not None:
                yield article

    def integrity_check(self) -> list[str]:
        """Story links to unknown documents and documents in two live stories; empty when sound
        (PostgreSQL checks its own pages)."""
        problems = []
        orphans = self._db.execute(
            "SELECT COUNT(*) FROM story_documents WHERE document_id NOT IN (SELECT id FROM documents)"
        ).fetchone()[0]
        if orphans:
            problems.append(f"{orphans} story links point to unknown documents")
        shared = self._db.execute(
            "SELECT COUNT(*) FROM (SELECT document_id FROM story_documents GROUP BY document_id"
            " HAVING COUNT(*) > 1) AS s").fetchone()[0]
        if shared:
            problems.append(f"{shared} documents belong to more than one live story")
        return problems

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


def _with_search_path(url: str, schema: str) -> str:
    """The URL with `schema` as the connection's search path (a libpq `options` parameter)."""
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


def _redacted(url: str) -> str:
    """The URL without its password, for messages."""
    return re.sub(r"(://[^:/@]+):[^@/]*@", r"\1:***@", url)
