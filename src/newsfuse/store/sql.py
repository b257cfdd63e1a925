"""The behaviour both SQL stores share, each statement written once.

`SQLStore` holds every method whose SQL is the same in SQLite and PostgreSQL up to dialect; the
SQLite and PostgreSQL stores subclass it and keep only their connection, their migrations and
the queries that truly differ. The rules for a shared statement:

- it is written in SQLite's SQL, which the SQLite store runs as it is, and it runs through
  `_execute` or `_executemany`, which the PostgreSQL store translates (once per statement text):
  - `?` placeholders become `%s`, and a literal `%` becomes `%%` (psycopg reads `%` as a
    placeholder mark); so a `?` must never appear inside a string literal;
  - `COLLATE BINARY` becomes `COLLATE "C"`: sorted text comes back in byte order from both
    (BINARY is SQLite's default collation, so its query plans stay the same);
  - `INSERT OR IGNORE INTO ...` becomes `INSERT INTO ... ON CONFLICT DO NOTHING`: SQLite's form
    also skips a row breaking NOT NULL or CHECK, which PostgreSQL cannot say;
- replacing a row by its key is an upsert naming every column (`ON CONFLICT (key) DO UPDATE
  SET col = excluded.col`, the stored row's columns table-qualified), never SQLite's `INSERT OR
  REPLACE`, which deletes the old row (and what cascades from it) and resets the columns it does
  not name;
- a derived table always has an alias (`AS s`), which PostgreSQL requires;
- an insert whose generated key is wanted goes through `_insert_id` (SQLite reads `lastrowid`,
  PostgreSQL adds `RETURNING`): one round trip either way;
- rows are yielded straight from the cursor: SQLite streams them, psycopg has them already.

A subclass's own statements are in its own dialect and run on its connection directly.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ..model import Article, Evidenced, Metadata, Rejection, Segment, to_plain

# The identity columns of a story, in the order `story()` reads them after the record.
_STORY_COLUMNS = ("state", "merged_into", "split_from", "continues", "members_key", "stats_version", "seq")


class SQLStore:
    """Documents, raw pages, stories, relations, events, page features and runs in SQL tables.

    Subclasses open `_db` (a DB-API connection in autocommit mode), set `_BEGIN` (the statement
    opening a write transaction) and provide `_execute`, `_executemany`, `_insert_id`,
    `replace_stories` and `features`.
    """

    _BEGIN: str

    def __init__(self, path: str, db: Any) -> None:
        self.path = path
        self._db = db
        self._seq: int | None = None

    # Dialect hooks -----------------------------------------------------------------------------

    def _execute(self, statement: str, args: Sequence[Any] = ()) -> Any:
        """Run one shared statement; returns its cursor."""
        raise NotImplementedError

    def _executemany(self, statement: str, rows: list[tuple[Any, ...]]) -> None:
        """Run one shared statement for every row, in as few round trips as the driver allows."""
        raise NotImplementedError

    def _insert_id(self, statement: str, args: Sequence[Any], key: str) -> int:
        """Run one shared INSERT and return the `key` column the database generated for the row."""
        raise NotImplementedError

    # Connection and transactions ---------------------------------------------------------------

    def transaction(self) -> Transaction:
        """A context manager: everything inside commits together or not at all."""
        return Transaction(self._db, self._BEGIN)

    def batches(self, size: int) -> Batches:
        """A context manager committing every `size` ticks, so a killed run loses one batch at most."""
        return Batches(self._db, self._BEGIN, size)

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    def _next_seq(self) -> int:
        # Read once, then counted here: asking for MAX(seq) on every insert made storing n pages
        # cost n^2 (time exponent 1.86 at 10k pages in the benchmark).
        if self._seq is None:
            row = self._execute(
                "SELECT MAX(seq) FROM (SELECT seq FROM documents UNION ALL SELECT seq FROM stories) AS s"
            ).fetchone()
            self._seq = row[0] or 0
        self._seq += 1
        return self._seq

    # Documents -------------------------------------------------------------------------------

    def has_document(self, document_id: str) -> bool:
        """True when a document with this id is stored (its body never changes after that)."""
        return self._execute("SELECT 1 FROM documents WHERE id = ?", (document_id,)).fetchone() is not None

    def put_raw(self, sha256: str, fmt: str, content: str) -> None:
        """Keep a raw page once, by its hash, so citations can show the passage as published."""
        self._execute("INSERT OR IGNORE INTO raw_pages (sha256, format, content) VALUES (?, ?, ?)",
                      (sha256, fmt, content))

    def put_article(self, article: Article) -> bool:
        """Store an article unless its id is stored already; True when it was new."""
        cursor = self._execute(
            "INSERT OR IGNORE INTO documents (id, source, status, raw_sha256, url, language, body,"
            " meta, segments, cleaner, notes, seq) VALUES (?, ?, 'ok', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (article.id, article.source, article.raw_sha256, article.url, article.language,
             article.body, json.dumps(to_plain(article.meta)),
             json.dumps([[s.body_start, s.raw_start, s.length] for s in article.segments]),
             article.cleaner, json.dumps(list(article.notes)), self._next_seq()))
        return cursor.rowcount == 1

    def put_rejection(self, rejection: Rejection) -> bool:
        """Store a rejected document with its reason unless stored already."""
        cursor = self._execute(
            "INSERT OR IGNORE INTO documents (id, source, status, reason, detail, raw_sha256, seq)"
            " VALUES (?, ?, 'rejected', ?, ?, ?, ?)",
            (rejection.id, rejection.source, rejection.reason, rejection.detail, rejection.sha256,
             self._next_seq()))
        return cursor.rowcount == 1

    def get_article(self, document_id: str) -> Article | None:
        """The stored article, or None when unknown or rejected."""
        row = self._execute(
            "SELECT id, source, body, language, meta, segments, raw_sha256, cleaner, url, notes"
            " FROM documents WHERE id = ? AND status = 'ok'", (document_id,)).fetchone()
        return _article_from_row(row) if row else None

    def get_rejection(self, document_id: str) -> Rejection | None:
        """The stored rejection, or None."""
        row = self._execute(
            "SELECT id, source, reason, detail, raw_sha256 FROM documents"
            " WHERE id = ? AND status = 'rejected'", (document_id,)).fetchone()
        return Rejection(*row[:2], row[2] or "", row[3] or "", row[4]) if row else None

    def articles(self, document_ids: Iterable[str]) -> Iterator[Article]:
        """The stored articles with these ids (unknown or rejected ones skipped), one at a time."""
        for document_id in document_ids:
            article = self.get_article(document_id)
            if article is not None:
                yield article

    def raw_page(self, sha256: str) -> str | None:
        """The raw page text with this hash, or None."""
        row = self._execute("SELECT content FROM raw_pages WHERE sha256 = ?", (sha256,)).fetchone()
        return row[0] if row else None

    def document_ids(self) -> list[str]:
        """Every stored document id, sorted (byte order)."""
        # Sorted here: PostgreSQL holds a NUL in an id escaped, which would sort it out of place.
        return sorted(r[0] for r in self._execute("SELECT id FROM documents"))

    def count_documents(self) -> dict[str, int]:
        """Stored documents by status."""
        return dict(self._execute("SELECT status, COUNT(*) FROM documents GROUP BY status").fetchall())

    # Stories and relations -------------------------------------------------------------------

    def put_relation(self, relation_id: str, kind: str, record: dict[str, Any],
                     story_id: str | None = None) -> None:
        """Store a syndication or common-source relation (replaced, story link included, when found again)."""
        self._execute("INSERT INTO relations (id, kind, record, story_id) VALUES (?, ?, ?, ?)"
                      " ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, record = excluded.record,"
                      " story_id = excluded.story_id",
                      (relation_id, kind, json.dumps(record, sort_keys=True), story_id))

    def drop_relations(self, story_id: str) -> None:
        """Forget the relations found in a story, before it is analysed again."""
        self._execute("DELETE FROM relations WHERE story_id = ?", (story_id,))

    def relations(self, story_id: str | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
        """(kind, record) of every stored relation, or of one story's."""
        query, args = "SELECT kind, record FROM relations", ()
        if story_id is not None:
            query, args = query + " WHERE story_id = ?", (story_id,)
        for kind, record in self._execute(query + " ORDER BY id COLLATE BINARY", args):
            yield kind, json.loads(record)

    def stories(self) -> Iterator[dict[str, Any]]:
        """Every live story record (stories merged into others are kept, but not listed here)."""
        for (record,) in self._execute(
                "SELECT record FROM stories WHERE state = 'live' ORDER BY id COLLATE BINARY"):
            yield json.loads(record)

    # Story identity and events ---------------------------------------------------------------

    def live_stories(self) -> dict[str, tuple[str, ...]]:
        """Live story id -> its document ids, sorted."""
        members: dict[str, list[str]] = {}
        for story_id, document_id in self._execute(
                "SELECT s.id, d.document_id FROM stories s LEFT JOIN story_documents d ON d.story_id = s.id"
                " WHERE s.state = 'live' ORDER BY s.id COLLATE BINARY, d.document_id COLLATE BINARY"):
            members.setdefault(story_id, [])
            if document_id is not None:
                members[story_id].append(document_id)
        return {k: tuple(v) for k, v in members.items()}

    def story_births(self) -> dict[str, int]:
        """Live story id -> the sequence number it was minted at (older stories have lower ones)."""
        return dict(self._execute("SELECT id, seq FROM stories WHERE state = 'live'").fetchall())

    def has_story(self, story_id: str) -> bool:
        """True when this story id was ever minted (live or merged)."""
        return self._execute("SELECT 1 FROM stories WHERE id = ?", (story_id,)).fetchone() is not None

    def story(self, story_id: str) -> dict[str, Any] | None:
        """A story's record with its identity columns (state, merged_into, split_from, continues,
        members_key, stats_version, seq), live or merged; None when never minted."""
        row = self._execute(
            "SELECT record, state, merged_into, split_from, continues, members_key, stats_version, seq"
            " FROM stories WHERE id = ?", (story_id,)).fetchone()
        if row is None:
            return None
        return {"record": json.loads(row[0]), **dict(zip(_STORY_COLUMNS, row[1:], strict=True))}

    def put_story(self, record: dict[str, Any], *, members_key: str, stats_version: int | None,
                  split_from: str | None = None) -> None:
        """Store a live story under its kept id: its record and document links are replaced, its
        lineage (split_from, continues) and first sequence number are kept."""
        story_id = record["id"]
        seq = self._next_seq()
        self._execute(
            "INSERT INTO stories (id, title, language, record, seq, state, members_key, stats_version,"
            " split_from) VALUES (?, ?, ?, ?, ?, 'live', ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
            " title = excluded.title, language = excluded.language, record = excluded.record,"
            " state = 'live', merged_into = NULL, members_key = excluded.members_key,"
            " stats_version = excluded.stats_version,"
            " split_from = COALESCE(stories.split_from, excluded.split_from)",
            (story_id, record["title"], record["language"], json.dumps(record, sort_keys=True), seq,
             members_key, stats_version, split_from))
        self._execute("DELETE FROM story_documents WHERE story_id = ?", (story_id,))
        self._executemany("INSERT INTO story_documents (story_id, document_id) VALUES (?, ?)",
                          [(story_id, d) for d in record["documents"]])

    def retire_story(self, story_id: str, merged_into: str) -> None:
        """Mark a story as merged into another; its row stays so its id keeps resolving."""
        self._execute("UPDATE stories SET state = 'merged', merged_into = ? WHERE id = ?",
                      (merged_into, story_id))
        self._execute("DELETE FROM story_documents WHERE story_id = ?", (story_id,))
        self.drop_relations(story_id)

    def set_continues(self, story_id: str, earlier: str | None) -> None:
        """Thread a story onto the earlier story it follows up (None: it starts a thread)."""
        self._execute("UPDATE stories SET continues = ? WHERE id = ?", (earlier, story_id))

    def story_links(self) -> dict[str, dict[str, str | None]]:
        """Story id -> {state, merged_into, split_from, continues} for every story ever minted."""
        rows = self._execute(
            "SELECT id, state, merged_into, split_from, continues FROM stories ORDER BY id COLLATE BINARY")
        return {r[0]: {"state": r[1], "merged_into": r[2], "split_from": r[3], "continues": r[4]}
                for r in rows}

    def add_event(self, kind: str, story_id: str, *, related: str | None, stats_version: int | None,
                  at: str, detail: dict[str, Any]) -> int:
        """Append a story event; returns its sequence number."""
        return self._insert_id(
            "INSERT INTO story_events (kind, story_id, related, stats_version, at, detail)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (kind, story_id, related, stats_version, at, json.dumps(detail, sort_keys=True)), "seq")

    def last_event_seq(self) -> int:
        """The sequence number of the latest story event (0 when none)."""
        return int(self._execute("SELECT COALESCE(MAX(seq), 0) FROM story_events").fetchone()[0])

    def events(self, after: int = 0) -> Iterator[dict[str, Any]]:
        """Story events with a sequence number above `after`, in order."""
        for seq, kind, story_id, related, version, at, detail in self._execute(
                "SELECT seq, kind, story_id, related, stats_version, at, detail FROM story_events"
                " WHERE seq > ? ORDER BY seq", (after,)):
            yield {"seq": seq, "kind": kind, "story": story_id, "related": related,
                   "stats_version": version, "at": at, "detail": json.loads(detail)}

    def new_vectoriser_version(self, *, created: str, documents: int, pool_key: str,
                               settings: dict[str, Any]) -> int:
        """Record the pool a grouping pass fits its statistics on; returns the version number."""
        last = self._execute("SELECT COALESCE(MAX(seq), 0) FROM documents").fetchone()[0]
        return self._insert_id(
            "INSERT INTO vectoriser_versions (created, documents, last_document_seq, pool_key, settings)"
            " VALUES (?, ?, ?, ?, ?)",
            (created, documents, last, pool_key, json.dumps(settings, sort_keys=True)), "version")

    def vectoriser_version(self, version: int) -> dict[str, Any] | None:
        """What a grouping pass was fitted on: pool size, last document seq, pool key, settings."""
        row = self._execute(
            "SELECT version, created, documents, last_document_seq, pool_key, settings"
            " FROM vectoriser_versions WHERE version = ?", (version,)).fetchone()
        if row is None:
            return None
        return {"version": row[0], "created": row[1], "documents": row[2], "last_document_seq": row[3],
                "pool_key": row[4], "settings": json.loads(row[5])}

    # Per-page features -----------------------------------------------------------------------

    def put_features(self, document_id: str, *, title: str, language: str, published: str | None,
                     body_key: str, minhash: Sequence[int], words: int) -> None:
        """Keep what grouping and near-duplicate detection read of a page besides its body."""
        self._execute(
            "INSERT INTO page_features (document_id, title, language, published, body_key, minhash, words)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (document_id) DO UPDATE SET"
            " title = excluded.title, language = excluded.language, published = excluded.published,"
            " body_key = excluded.body_key, minhash = excluded.minhash, words = excluded.words",
            (document_id, title, language, published, body_key, array("Q", minhash).tobytes(), words))

    def missing_features(self) -> list[str]:
        """Stored articles without features (stored before features were kept), sorted."""
        # NOT EXISTS, not NOT IN: PostgreSQL falls back to a scan per row once the ids outgrow
        # its hash memory. Sorted here for the reason document_ids() gives.
        return sorted(r[0] for r in self._execute(
            "SELECT id FROM documents d WHERE status = 'ok'"
            " AND NOT EXISTS (SELECT 1 FROM page_features f WHERE f.document_id = d.id)"))

    @staticmethod
    def _feature_record(row: Sequence[Any], body_chars: int) -> dict[str, Any]:
        """One `features()` item from its columns: the features, then the (maybe whole) body."""
        return {"id": row[0], "title": row[1], "language": row[2], "published": row[3],
                "body_key": row[4], "minhash": array("Q", bytes(row[5])), "words": row[6],
                "body": row[7][:body_chars]}

    # Health and runs -------------------------------------------------------------------------

    def integrity_check(self) -> list[str]:
        """Story links to unknown documents and documents in two live stories; empty when sound."""
        problems = []
        orphans = self._execute(
            "SELECT COUNT(*) FROM story_documents WHERE document_id NOT IN (SELECT id FROM documents)"
        ).fetchone()[0]
        if orphans:
            problems.append(f"{orphans} story links point to unknown documents")
        shared = self._execute(
            "SELECT COUNT(*) FROM (SELECT document_id FROM story_documents GROUP BY document_id"
            " HAVING COUNT(*) > 1) AS s").fetchone()[0]
        if shared:
            problems.append(f"{shared} documents belong to more than one live story")
        return problems

    def start_run(self, started: str) -> int:
        """Record the start of a run; returns its number."""
        return self._insert_id("INSERT INTO runs (started) VALUES (?)", (started,), "id")

    def finish_run(self, run_id: int, finished: str, summary: dict[str, Any]) -> None:
        """Record how a run ended."""
        self._execute("UPDATE runs SET finished = ?, summary = ? WHERE id = ?",
                      (finished, json.dumps(summary, sort_keys=True), run_id))


class Transaction:
    """Everything inside commits together, or rolls back on an exception."""

    def __init__(self, db: Any, begin: str) -> None:
        self._db = db
        self._begin = begin

    def __enter__(self) -> Transaction:
        self._db.execute(self._begin)
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        self._db.execute("COMMIT" if exc_type is None else "ROLLBACK")


class Batches:
    """A transaction committed and reopened every `size` ticks."""

    def __init__(self, db: Any, begin: str, size: int) -> None:
        self._db = db
        self._begin = begin
        self._size = size
        self._pending = 0

    def __enter__(self) -> Batches:
        self._db.execute(self._begin)
        return self

    def tick(self) -> None:
        """Count one item; commit when a batch is full."""
        self._pending += 1
        if self._pending >= self._size:
            self._db.execute("COMMIT")
            self._db.execute(self._begin)
            self._pending = 0

    def __exit__(self, exc_type: object, *_: object) -> None:
        self._db.execute("COMMIT" if exc_type is None else "ROLLBACK")


def statements(script: str) -> list[str]:
    """The statements of a migration script, split at its semicolons (none sits in a literal)."""
    return [s.strip() for s in script.split(";") if s.strip()]


def _article_from_row(row: tuple) -> Article:
    """An article from its stored columns: id, source, body, language, meta (JSON), segments
    (JSON), raw_sha256, cleaner, url, notes (JSON); the same encoding in every store."""
    meta = json.loads(row[4])
    metadata = Metadata(**{k: _evidenced(v) for k, v in meta.items() if k != "photo_credits"},
                        photo_credits=tuple(Evidenced(**c) for c in meta.get("photo_credits", [])))
    return Article(id=row[0], source=row[1], body=row[2], language=row[3], meta=metadata,
                   segments=tuple(Segment(*s) for s in json.loads(row[5])), raw_sha256=row[6],
                   cleaner=row[7], url=row[8], notes=tuple(json.loads(row[9] or "[]")))


def _evidenced(value: dict[str, Any] | None) -> Evidenced | None:
    return Evidenced(**value) if value else None
