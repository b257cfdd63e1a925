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
"""

from __future__ import annotations

import json
import sqlite3
from array import array
from collections.abc import Iterable, Iterator, Sequence
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

    def put_relation(self, relation_id: str, kind: str, record: dict[str, Any],
                     story_id: str | None = None) -> None:
        """Store a syndication or common-source relation (replaced when found again)."""
        self._db.execute("INSERT OR REPLACE INTO relations (id, kind, record, story_id) VALUES (?, ?, ?, ?)",
                         (relation_id, kind, json.dumps(record, sort_keys=True), story_id))

    def drop_relations(self, story_id: str) -> None:
        """Forget the relations found in a story, before it is analysed again."""
        self._db.execute("DELETE FROM relations WHERE story_id = ?", (story_id,))

    def relations(self, story_id: str | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
        """(kind, record) of every stored relation, or of one story's."""
        query, args = "SELECT kind, record FROM relations", ()
        if story_id is not None:
            query, args = query + " WHERE story_id = ?", (story_id,)
        for kind, record in self._db.execute(query + " ORDER BY id", args):
            yield kind, json.loads(record)

    def stories(self) -> Iterator[dict[str, Any]]:
        """Every live story record (stories merged into others are kept, but not listed here)."""
        for (record,) in self._db.execute("SELECT record FROM stories WHERE state = 'live' ORDER BY id"):
            yield json.loads(record)

    # Story identity and events ---------------------------------------------------------------

    def live_stories(self) -> dict[str, tuple[str, ...]]:
        """Live story id -> its document ids, sorted."""
        members: dict[str, list[str]] = {}
        for story_id, document_id in self._db.execute(
                "SELECT s.id, d.document_id FROM stories s LEFT JOIN story_documents d ON d.story_id = s.id"
                " WHERE s.state = 'live' ORDER BY s.id, d.document_id"):
            members.setdefault(story_id, [])
            if document_id is not None:
                members[story_id].append(document_id)
        return {k: tuple(v) for k, v in members.items()}

    def story_births(self) -> dict[str, int]:
        """Live story id -> the sequence number it was minted at (older stories have lower ones)."""
        return dict(self._db.execute("SELECT id, seq FROM stories WHERE state = 'live'").fetchall())

    def has_story(self, story_id: str) -> bool:
        """True when this story id was ever minted (live or merged)."""
        return self._db.execute("SELECT 1 FROM stories WHERE id = ?", (story_id,)).fetchone() is not None

    def story(self, story_id: str) -> dict[str, Any] | None:
        """A story's record with its identity columns (state, merged_into, split_from, continues,
        members_key, stats_version, seq), live or merged; None when never minted."""
        row = self._db.execute(
            "SELECT record, state, merged_into, split_from, continues, members_key, stats_version, seq"
            " FROM stories WHERE id = ?", (story_id,)).fetchone()
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
            " split_from) VALUES (?, ?, ?, ?, ?, 'live', ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
            " title = excluded.title, language = excluded.language, record = excluded.record,"
            " state = 'live', merged_into = NULL, members_key = excluded.members_key,"
            " stats_version = excluded.stats_version, split_from = COALESCE(split_from, excluded.split_from)",
            (story_id, record["title"], record["language"], json.dumps(record, sort_keys=True), seq,
             members_key, stats_version, split_from))
        self._db.execute("DELETE FROM story_documents WHERE story_id = ?", (story_id,))
        self._db.executemany("INSERT INTO story_documents (story_id, document_id) VALUES (?, ?)",
                             [(story_id, d) for d in record["documents"]])

    def retire_story(self, story_id: str, merged_into: str) -> None:
        """Mark a story as merged into another; its row stays so its id keeps resolving."""
        self._db.execute("UPDATE stories SET state = 'merged', merged_into = ? WHERE id = ?",
                         (merged_into, story_id))
        self._db.execute("DELETE FROM story_documents WHERE story_id = ?", (story_id,))
        self.drop_relations(story_id)

    def set_continues(self, story_id: str, earlier: str | None) -> None:
        """Thread a story onto the earlier story it follows up (None: it starts a thread)."""
        self._db.execute("UPDATE stories SET continues = ? WHERE id = ?", (earlier, story_id))

    def story_links(self) -> dict[str, dict[str, str | None]]:
        """Story id -> {state, merged_into, split_from, continues} for every story ever minted."""
        rows = self._db.execute(
            "SELECT id, state, merged_into, split_from, continues FROM stories ORDER BY id")
        return {r[0]: {"state": r[1], "merged_into": r[2], "split_from": r[3], "continues": r[4]}
                for r in rows}

    def add_event(self, kind: str, story_id: str, *, related: str | None, stats_version: int | None,
                  at: str, detail: dict[str, Any]) -> int:
        """Append a story event; returns its sequence number."""
        cursor = self._db.execute(
            "INSERT INTO story_events (kind, story_id, related, stats_version, at, detail)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (kind, story_id, related, stats_version, at, json.dumps(detail, sort_keys=True)))
        return int(cursor.lastrowid)

    def last_event_seq(self) -> int:
        """The sequence number of the latest story event (0 when none)."""
        return int(self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM story_events").fetchone()[0])

    def events(self, after: int = 0) -> Iterator[dict[str, Any]]:
        """Story events with a sequence number above `after`, in order."""
        for seq, kind, story_id, related, version, at, detail in self._db.execute(
                "SELECT seq, kind, story_id, related, stats_version, at, detail FROM story_events"
                " WHERE seq > ? ORDER BY seq", (after,)):
            yield {"seq": seq, "kind": kind, "story": story_id, "related": related,
                   "stats_version": version, "at": at, "detail": json.loads(detail)}

    def new_vectoriser_version(self, *, created: str, documents: int, pool_key: str,
                               settings: dict[str, Any]) -> int:
        """Record the pool a grouping pass fits its statistics on; returns the version number."""
        last = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM documents").fetchone()[0]
        cursor = self._db.execute(
            "INSERT INTO vectoriser_versions (created, documents, last_document_seq, pool_key, settings)"
            " VALUES (?, ?, ?, ?, ?)",
            (created, documents, last, pool_key, json.dumps(settings, sort_keys=True)))
        return int(cursor.lastrowid)

    def vectoriser_version(self, version: int) -> dict[str, Any] | None:
        """What a grouping pass was fitted on: pool size, last document seq, pool key, settings."""
        row = self._db.execute(
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
        self._db.execute(
            "INSERT OR REPLACE INTO page_features (document_id, title, language, published, body_key,"
            " minhash, words) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (document_id, title, language, published, body_key,
             array("Q", minhash).tobytes(), words))

    def missing_features(self) -> list[str]:
        """Stored articles without features (stored before features were kept), sorted."""
        return [r[0] for r in self._db.execute(
            "SELECT id FROM documents WHERE status = 'ok'"
            " AND id NOT IN (SELECT document_id FROM page_features) ORDER BY id")]

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
            yield {"id": row[0], "title": row[1], "language": row[2], "published": row[3],
                   "body_key": row[4], "minhash": tuple(array("Q", row[5])), "words": row[6],
                   "body": row[7][:body_chars]}

    def articles(self, document_ids: Iterable[str]) -> Iterator[Article]:
        """The stored articles with these ids (unknown or rejected ones skipped), one at a time."""
        for document_id in document_ids:
            article = self.get_article(document_id)
            if article is not None:
                yield article

    def integrity_check(self) -> list[str]:
        """Problems SQLite finds in the file, plus story links to unknown documents; empty when sound."""
        problems = [r[0] for r in self._db.execute("PRAGMA integrity_check") if r[0] != "ok"]
        orphans = self._db.execute(
            "SELECT COUNT(*) FROM story_documents WHERE document_id NOT IN (SELECT id FROM documents)"
        ).fetchone()[0]
        if orphans:
            problems.append(f"{orphans} story links point to unknown documents")
        shared = self._db.execute(
            "SELECT COUNT(*) FROM (SELECT document_id FROM story_documents GROUP BY document_id"
            " HAVING COUNT(*) > 1)").fetchone()[0]
        if shared:
            problems.append(f"{shared} documents belong to more than one live story")
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
