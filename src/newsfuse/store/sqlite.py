"""The default store: one SQLite file, WAL journal, every write in a transaction.

Story identity (schema version 2): a story row is never deleted once minted. A live story holds
its documents in `story_documents`; a story merged into another keeps its row with
`state = 'merged'` and `merged_into`, and loses its document links; a story born by splitting
another names it in `split_from`; a story that continues an earlier one names it in `continues`.
Every change is a row of `story_events` whose `seq` only grows, so a consumer follows the log by
asking for the events after the last `seq` it saw. Each grouping pass is a row of
`vectoriser_versions` naming the pool it was fitted on (documents up to a document `seq`), so the
statistics behind any story can be rebuilt; stories and events name the version they came from.
`page_features` keeps what grouping and near-duplicate detection need of a page, so a story can be
regrouped without holding every body in memory.

The methods both stores share are written once in store/sql.py, in SQLite's SQL; this module
keeps the file, its migrations and the few queries only SQLite says this way.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ..errors import StoreError
from .sql import SQLStore, statements

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
    """
    ALTER TABLE stories ADD COLUMN state TEXT NOT NULL DEFAULT 'live'
        CHECK (state IN ('live', 'merged'));
    ALTER TABLE stories ADD COLUMN merged_into TEXT;
    ALTER TABLE stories ADD COLUMN split_from TEXT;
    ALTER TABLE stories ADD COLUMN continues TEXT;
    ALTER TABLE stories ADD COLUMN members_key TEXT;
    ALTER TABLE stories ADD COLUMN stats_version INTEGER;
    ALTER TABLE relations ADD COLUMN story_id TEXT;
    CREATE INDEX relations_by_story ON relations(story_id);
    CREATE TABLE story_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL
            CHECK (kind IN ('story.created', 'story.updated', 'story.merged', 'story.split')),
        story_id TEXT NOT NULL,
        related TEXT,
        stats_version INTEGER,
        at TEXT NOT NULL,
        detail TEXT NOT NULL
    );
    CREATE TABLE vectoriser_versions (
        version INTEGER PRIMARY KEY AUTOINCREMENT,
        created TEXT NOT NULL,
        documents INTEGER NOT NULL,
        last_document_seq INTEGER NOT NULL,
        pool_key TEXT NOT NULL,
        settings TEXT NOT NULL
    );
    CREATE TABLE page_features (
        document_id TEXT PRIMARY KEY REFERENCES documents(id),
        title TEXT NOT NULL,
        language TEXT NOT NULL,
        published TEXT,
        body_key TEXT NOT NULL,
        minhash BLOB NOT NULL,
        words INTEGER NOT NULL
    );
    """,
)


class SQLiteStore(SQLStore):
    """Documents, raw pages, stories and relations in one SQLite file."""

    # IMMEDIATE takes the write lock as the transaction opens: a deferred transaction that read
    # first fails with SQLITE_BUSY, instead of waiting, when another writer got in meanwhile.
    _BEGIN = "BEGIN IMMEDIATE"

    def __init__(self, path: str | Path) -> None:
        try:
            if str(path) != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            super().__init__(str(path), sqlite3.connect(str(path), isolation_level=None))
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open store {path}: {exc}") from exc

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise StoreError(f"store {self.path} has schema version {version}, newer than this "
                             f"newsfuse knows ({len(MIGRATIONS)}); upgrade newsfuse")
        for number in range(version, len(MIGRATIONS)):
            with self.transaction():
                for statement in statements(MIGRATIONS[number]):
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version={number + 1}")

    # Dialect: shared statements are SQLite's own SQL -------------------------------------------

    def _execute(self, statement: str, args: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self._db.execute(statement, args)

    def _executemany(self, statement: str, rows: list[tuple[Any, ...]]) -> None:
        self._db.executemany(statement, rows)

    def _insert_id(self, statement: str, args: Sequence[Any], key: str) -> int:
        # Every key asked for is an INTEGER PRIMARY KEY, which SQLite keeps as the rowid.
        return int(self._db.execute(statement, args).lastrowid)

    # Queries SQLite says its own way -----------------------------------------------------------

    def replace_stories(self, stories: Iterable[dict[str, Any]], documents: Iterable[str]) -> None:
        """Drop stories holding any of `documents` and store the new ones in their place (a story
        stored again is a new row: its identity columns and document links start afresh)."""
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

    def features(self, body_chars: int, languages: Iterable[str] | None = None) -> Iterator[dict[str, Any]]:
        """Every stored article's features with the first `body_chars` of its body, one at a time;
        with `languages`, only the articles in those languages."""
        # SQLite's substr() stops at a NUL character (a JSONL page may hold one): such a body comes
        # whole and is cut here, by characters.
        query = ("SELECT f.document_id, f.title, f.language, f.published, f.body_key, f.minhash, f.words,"
                 " CASE WHEN instr(CAST(d.body AS BLOB), x'00') > 0 THEN d.body ELSE substr(d.body, 1, ?) END"
                 " FROM page_features f JOIN documents d ON d.id = f.document_id")
        args: list[Any] = [body_chars]
        if languages is not None:
            wanted = sorted(set(languages))
            query += f" WHERE f.language IN ({','.join('?' * len(wanted))})"
            args += wanted
        for row in self._db.execute(query + " ORDER BY f.document_id", args):
            yield self._feature_record(row, body_chars)

    def integrity_check(self) -> list[str]:
        """Problems SQLite finds in the file, plus story links to unknown documents; empty when sound."""
        problems = [r[0] for r in self._db.execute("PRAGMA integrity_check") if r[0] != "ok"]
        return problems + super().integrity_check()


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    # SQLite limits the number of placeholders in one statement.
    for i in range(0, len(items), size):
        yield items[i:i + size]
