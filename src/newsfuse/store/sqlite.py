"""The default store: one SQLite file, WAL journal, every write in a transaction."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..errors import StoreError
from ..model import Article, Rejection, to_plain
from .base import article_from_row

# Each entry migrates the schema from version N to N+1; the store records the version it is at.
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
        seq INTEGER NOT NULL
    );
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
        seq INTEGER NOT NULL
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
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        started TEXT NOT NULL,
        finished TEXT,
        summary TEXT
    );
    """,
)


class SQLiteStore:
    """Documents, raw pages, stories and relations in one SQLite file."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._seq: int | None = None
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open store {self.path}: {exc}") from exc

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise StoreError(f"store {self.path} has schema version {version}, newer than this "
                             f"newsfuse knows ({len(MIGRATIONS)}); upgrade newsfuse")
        for number in range(version, len(MIGRATIONS)):
            with self.transaction():
                for statement in _statements(MIGRATIONS[number]):
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version={number + 1}")

    def transaction(self) -> _Transaction:
        """A context manager: everything inside commits together or not at all."""
        return _Transaction(self._db)

    def batches(self, size: int) -> _Batches:
        """A context manager committing every `size` ticks, so a killed run loses one batch at most."""
        return _Batches(self._db, size)

    def close(self) -> None:
        """Close the database file."""
        self._db.close()

    def _next_seq(self) -> int:
        # Read once, then counted here: asking SQLite for MAX(seq) on every insert made storing
        # n pages cost n^2 (time exponent 1.86 at 10k pages in the benchmark).
        if self._seq is None:
            row = self._db.execute(
                "SELECT MAX(seq) FROM (SELECT seq FROM documents UNION ALL SELECT seq FROM stories)"
            ).fetchone()
            self._seq = row[0] or 0
        self._seq += 1
        return self._seq

    # Documents -------------------------------------------------------------------------------

    def has_document(self, document_id: str) -> bool:
        """True when a document with this id is stored (its body never changes after that)."""
        return self._db.execute("SELECT 1 FROM documents WHERE id = ?", (document_id,)).fetchone() is not None

    def put_raw(self, sha256: str, fmt: str, content: str) -> None:
        """Keep a raw page once, by its hash, so citations can show the passage as published."""
        self._db.execute("INSERT OR IGNORE INTO raw_pages (sha256, format, content) VALUES (?, ?, ?)",
                         (sha256, fmt, content))

    def put_article(self, article: Article) -> bool:
        """Store an article unless its id is stored already; True when it was new."""
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO documents (id, source, status, raw_sha256, url, language, body,"
            " meta, segments, cleaner, notes, seq) VALUES (?, ?, 'ok', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (article.id, article.source, article.raw_sha256, article.url, article.language,
             article.body, json.dumps(to_plain(article.meta)),
             json.dumps([[s.body_start, s.raw_start, s.length] for s in article.segments]),
             article.cleaner, json.dumps(list(article.notes)), self._next_seq()))
        return cursor.rowcount == 1

    def put_rejection(self, rejection: Rejection) -> bool:
        """Store a rejected document with its reason unless stored already."""
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO documents (id, source, status, reason, detail, raw_sha256, seq)"
            " VALUES (?, ?, 'rejected', ?, ?, ?, ?)",
            (rejection.id, rejection.source, rejection.reason, rejection.detail, rejection.sha256,
             self._next_seq()))
        return cursor.rowcount == 1

    def get_article(self, document_id: str) -> Article | None:
        """The stored article, or None when unknown or rejected."""
        row = self._db.execute(
            "SELECT id, source, body, language, meta, segments, raw_sha256, cleaner, url, notes"
            " FROM documents WHERE id = ? AND status = 'ok'", (document_id,)).fetchone()
        return article_from_row(row) if row else None

    def get_rejection(self, document_id: str) -> Rejection | None:
        """The stored rejection, or None."""
        row = self._db.execute(
            "SELECT id, source, reason, detail, raw_sha256 FROM documents"
            " WHERE id = ? AND status = 'rejected'",
            (document_id,)).fetchone()
        return Rejection(*row[:2], row[2] or "", row[3] or "", row[4]) if row else None

    def raw_page(self, sha256: str) -> str | None:
        """The raw page text with this hash, or None."""
        row = self._db.execute("SELECT content FROM raw_pages WHERE sha256 = ?", (sha256,)).fetchone()
        return row[0] if row else None

    def document_ids(self) -> list[str]:
        """Every stored document id, sorted."""
        return [r[0] for r in self._db.execute("SELECT id FROM documents ORDER BY id")]

    def count_documents(self) -> dict[str, int]:
        """Stored documents by status."""
        return dict(self._db.execute("SELECT status, COUNT(*) FROM documents GROUP BY status").fetchall())

    # Stories and relations -------------------------------------------------------------------

    def replace_stories(self, stories: Iterable[dict[str, Any]], documents: Iterable[str]) -> None:
        """Drop stories holding any of `documents` and store the new ones in their place."""
        docs = list(documents)
        for chunk in _chunks(docs, 500):
            marks = ",".join("?" * len(chunk))
            self._db.execute(
                f"DELETE FROM stories WHERE id IN (SELECT story_id FROM story_documents"
                f" WHERE document_id IN ({marks}))", chunk)
        seq = self._next_seq()
        for story in stories:
            self._db.execute(
                "INSERT OR REPLACE INTO stories (id, title, language, record, seq) VALUES (?, ?, ?, ?, ?)",
                (story["id"], story["title"], story["language"], json.dumps(story, sort_keys=True), seq))
            self._db.executemany(
                "INSERT OR IGNORE INTO story_documents (story_id, document_id) VALUES (?, ?)",
                [(story["id"], d) for d in story["documents"]])

    def put_relation(self, relation_id: str, kind: str, record: dict[str, Any]) -> None:
        """Store a syndication or common-source relation (replaced when found again)."""
        self._db.execute("INSERT OR REPLACE INTO relations (id, kind, record) VALUES (?, ?, ?)",
                         (relation_id, kind, json.dumps(record, sort_keys=True)))

    def stories(self) -> Iterator[dict[str, Any]]:
        """Every stored story record."""
        for (record,) in self._db.execute("SELECT record FROM stories ORDER BY id"):
            yield json.loads(record)

    def integrity_check(self) -> list[str]:
        """Problems SQLite finds in the file, plus story links to unknown documents; empty when sound."""
        problems = [r[0] for r in self._db.execute("PRAGMA integrity_check") if r[0] != "ok"]
        orphans = self._db.execute(
            "SELECT COUNT(*) FROM story_documents WHERE document_id NOT IN (SELECT id FROM documents)"
        ).fetchone()[0]
        if orphans:
            problems.append(f"{orphans} story links point to unknown documents")
        return problems

    # Runs ------------------------------------------------------------------------------------

    def start_run(self, started: str) -> int:
        """Record the start of a run; returns its number."""
        return int(self._db.execute("INSERT INTO runs (started) VALUES (?)", (started,)).lastrowid)

    def finish_run(self, run_id: int, finished: str, summary: dict[str, Any]) -> None:
        """Record how a run ended."""
        self._db.execute("UPDATE runs SET finished = ?, summary = ? WHERE id = ?",
                         (finished, json.dumps(summary, sort_keys=True), run_id))


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> _Transaction:
        self._db.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        self._db.execute("COMMIT" if exc_type is None else "ROLLBACK")


class _Batches:
    def __init__(self, db: sqlite3.Connection, size: int) -> None:
        self._db = db
        self._size = size
        self._pending = 0

    def __enter__(self) -> _Batches:
        self._db.execute("BEGIN IMMEDIATE")
        return self

    def tick(self) -> None:
        self._pending += 1
        if self._pending >= self._size:
            self._db.execute("COMMIT")
            self._db.execute("BEGIN IMMEDIATE")
            self._pending = 0

    def __exit__(self, exc_type: object, *_: object) -> None:
        self._db.execute("COMMIT" if exc_type is None else "ROLLBACK")


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
