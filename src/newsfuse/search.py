"""Full-text search over stored bodies, briefs and quotes, beside the store's tables: SQLite FTS5 in
a store file, PostgreSQL's own full-text search in a PostgreSQL store (PostgresSearchIndex).

Rules:
- The index lives in the store's own file or database, in tables of its own (`search_*`),
  created with IF NOT EXISTS: the store's schema and migrations never see them, and deleting
  them loses nothing that `sync` cannot rebuild.
- `sync` is incremental: a document's body never changes once stored, so each is indexed once;
  a story is re-indexed when its record changes and dropped when the store drops it. `sync`
  also records story versions for the digest (see newsfuse.digest).
- A query is words, not FTS syntax: each word is quoted, so `"`, `*`, `NEAR` or `-` in user
  input can neither fail nor widen a search; all words must match (prefix match on the last).
- Snippets come back as escaped HTML with `<mark>` around matches: scraped text never becomes markup.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

SCHEMA = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_text USING fts5("
    " kind UNINDEXED, ref UNINDEXED, title, text, tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE TABLE IF NOT EXISTS search_documents (id TEXT PRIMARY KEY)",
    "CREATE TABLE IF NOT EXISTS search_stories (id TEXT PRIMARY KEY, record_sha TEXT NOT NULL)",
)
KINDS = ("body", "brief", "quote")
# Private-use characters mark matches inside snippets; they cannot occur in cleaned text, so
# escaping the snippet and then turning them into <mark> tags is safe.
_OPEN, _CLOSE = "\ue000", "\ue001"
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Hit:
    """One match: what kind of text, the document or story it is in, and a highlighted snippet."""

    kind: str
    ref: str
    title: str
    snippet: Markup
    stories: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """Plain values for the JSON API (the snippet as escaped HTML)."""
        return {"kind": self.kind, "ref": self.ref, "title": self.title, "snippet": str(self.snippet),
                "stories": list(self.stories)}


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What one `sync` added and removed."""

    documents_added: int
    stories_added: int
    stories_removed: int
    stamp: str


def story_from_store(stored: dict[str, Any]) -> dict[str, Any]:
    """A stored story as stories.json shows it: the analysis sections (quotes, facts, ...) at top level."""
    record = dict(stored)
    record.update(record.pop("analysis", None) or {})
    return record


def record_sha(record: Any) -> str:
    """A stable hash of a JSON record, to tell a changed story from an unchanged one."""
    return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()


def store_stamp(db: sqlite3.Connection) -> str:
    """When the store last changed: the end of its latest finished run, else now (UTC, ISO 8601)."""
    row = db.execute("SELECT MAX(finished) FROM runs").fetchone()
    return row[0] if row and row[0] else datetime.now(UTC).isoformat(timespec="seconds")


def _title(meta: str | None) -> str:
    """A stored document's title, from its metadata column."""
    return (json.loads(meta or "{}").get("title") or {}).get("value") or ""


# Documents read from the store per query while indexing: bodies of one batch in memory at a time.
SYNC_BATCH = 500

# Words of a query kept: FTS5's time grows with the square of a query's terms (1,667 terms took
# 0.5 s), and no one searches with more than a few dozen words.
MAX_QUERY_WORDS = 32


def fts_query(text: str) -> str | None:
    """User words as an FTS5 query: the first MAX_QUERY_WORDS words, quoted and required, the last
    one as a prefix."""
    words = _WORD.findall(text)[:MAX_QUERY_WORDS]
    if not words:
        return None
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " AND ".join(quoted)


class SearchIndex:
    """The FTS5 index of one store file."""

    # A sqlite3 connection here; PostgresSearchIndex's speaks the same SQL (store.postgres.SQLiteSpeaking).
    _db: Any

    def __init__(self, db_path: str | Path, *, read_only: bool = False) -> None:
        self.path = str(db_path)
        if read_only:
            self._db = sqlite3.connect(f"file:{Path(self.path).resolve()}?mode=ro", uri=True,
                                       isolation_level=None)
        else:
            self._db = sqlite3.connect(self.path, isolation_level=None)
            for statement in SCHEMA:
                self._db.execute(statement)

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def sync(self) -> SyncReport:
        """Index new documents and changed stories, drop vanished stories, record story versions.

        Documents are read a batch at a time and stories one at a time: a store of 100,000 pages
        must not be held in memory to be indexed."""
        from .digest import StoryVersions  # the digest's history is written in the same transaction

        db = self._db
        stamp = store_stamp(db)
        with self._transaction():
            new_docs = [row[0] for row in db.execute(
                "SELECT id FROM documents WHERE status = 'ok'"
                " AND id NOT IN (SELECT id FROM search_documents) ORDER BY id")]
            for at in range(0, len(new_docs), SYNC_BATCH):
                batch = new_docs[at:at + SYNC_BATCH]
                marks = ",".join("?" * len(batch))
                rows = db.execute(f"SELECT id, body, meta FROM documents WHERE id IN ({marks})",
                                  batch).fetchall()
                self._insert_text([("body", doc_id, _title(meta), body or "") for doc_id, body, meta in rows])
                db.executemany("INSERT INTO search_documents (id) VALUES (?)", [(row[0],) for row in rows])
            indexed = dict(db.execute("SELECT id, record_sha FROM search_stories").fetchall())
            versions = StoryVersions(db)
            live: set[str] = set()
            added = 0
            # One story at a time: a 100,000-page store's records held at once were +227 MB of peak.
            for sid, stored in db.execute("SELECT id, record FROM stories WHERE state = 'live'"):
                story = story_from_store(json.loads(stored))
                sha = record_sha(story)
                live.add(sid)
                if indexed.get(sid) != sha:
                    if sid in indexed:
                        self._drop_story(sid)
                    self._index_story(story, sha)
                    added += 1
                versions.record(sid, sha, story, stamp)
            vanished = [sid for sid in indexed if sid not in live]
            for sid in vanished:
                self._drop_story(sid)
        return SyncReport(len(new_docs), added, len(vanished), stamp)

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _insert_text(self, rows: list[tuple[str, str, str, str]]) -> None:
        """Index (kind, ref, title, text) rows."""
        self._db.executemany("INSERT INTO search_text (kind, ref, title, text) VALUES (?, ?, ?, ?)", rows)

    def _drop_story(self, story_id: str) -> None:
        self._db.execute("DELETE FROM search_text WHERE kind IN ('brief', 'quote') AND ref = ?", (story_id,))
        self._db.execute("DELETE FROM search_stories WHERE id = ?", (story_id,))

    def changes(self, since: str) -> Any:
        """The digest of story changes since `since` (newsfuse.digest.Digest), from the synced history."""
        from .digest import changes_since

        return changes_since(self._db, since)

    def _index_story(self, story: dict[str, Any], sha: str) -> None:
        brief = " ".join(s["text"] for s in story.get("brief") or [])
        rows = [("brief", story["id"], story["title"], brief)]
        for quote in story.get("quotes") or []:
            speaker = quote.get("speaker") or quote.get("speaker_role") or ""
            rows.append(("quote", story["id"], speaker, quote["text"]))
        self._insert_text(rows)
        self._db.execute("INSERT INTO search_stories (id, record_sha) VALUES (?, ?)", (story["id"], sha))

    def _matches(self, query: str, limit: int, kinds: tuple[str, ...]) -> list[tuple[str, str, str, str]]:
        """(kind, ref, title, snippet with _OPEN/_CLOSE marks) of the best matches (BM25)."""
        match = fts_query(query)
        if match is None:
            return []
        marks = ",".join("?" * len(kinds))
        return self._db.execute(
            f"SELECT kind, ref, title, snippet(search_text, 3, ?, ?, '…', 24) FROM search_text"
            f" WHERE search_text MATCH ? AND kind IN ({marks}) ORDER BY bm25(search_text) LIMIT ?",
            (_OPEN, _CLOSE, match, *kinds, limit)).fetchall()

    def documents_matching(self, query: str) -> list[str]:
        """Ids of the indexed documents whose body holds every word of `query` as a whole word (any
        order, no prefix match, titles not read), sorted: what `PostgresStore.search` answers, so
        the two stores can be compared. A query with no words matches nothing."""
        words = _WORD.findall(query)
        if not words:
            return []
        match = "text : (" + " AND ".join(f'"{w}"' for w in words) + ")"
        return [r[0] for r in self._db.execute(
            "SELECT DISTINCT ref FROM search_text WHERE search_text MATCH ? AND kind = 'body' ORDER BY ref",
            (match,))]

    def search(self, query: str, *, limit: int = 20, kinds: tuple[str, ...] = KINDS) -> list[Hit]:
        """Best matches first (BM25); briefs and quotes name their story, bodies the stories holding them."""
        hits = []
        for kind, ref, title, snippet in self._matches(query, limit, kinds):
            if kind == "body":
                stories = tuple(r[0] for r in self._db.execute(
                    "SELECT story_id FROM story_documents WHERE document_id = ? ORDER BY story_id", (ref,)))
            else:
                stories = (ref,)
                # The title column of a quote row holds its speaker (searchable); show the story's title.
                row = self._db.execute("SELECT title FROM stories WHERE id = ?", (ref,)).fetchone()
                title = row[0] if row else title
            html = str(escape(snippet)).replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>")
            hits.append(Hit(kind, ref, title or "", Markup(html), stories))
        return hits


# PostgreSQL: the same tables, with a tsvector column in place of FTS5. The `simple` configuration
# lower-cases whole words without stemming, as FTS5's unicode61 tokenizer does (it also folds
# diacritics, which `simple` leaves).
POSTGRES_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS search_text (id BIGSERIAL PRIMARY KEY, kind TEXT NOT NULL,"
    " ref TEXT NOT NULL, title TEXT NOT NULL, text TEXT NOT NULL, tsv TSVECTOR NOT NULL)",
    "CREATE INDEX IF NOT EXISTS search_text_tsv ON search_text USING GIN (tsv)",
    "CREATE INDEX IF NOT EXISTS search_text_ref ON search_text (ref)",
    "CREATE TABLE IF NOT EXISTS search_documents (id TEXT PRIMARY KEY)",
    "CREATE TABLE IF NOT EXISTS search_stories (id TEXT PRIMARY KEY, record_sha TEXT NOT NULL)",
)
# Serialises syncs of one database, as SQLite's BEGIN IMMEDIATE does for a file.
_SYNC_LOCK = 0x5EA2C4


class PostgresSearchIndex(SearchIndex):
    """SearchIndex for a PostgreSQL store, in its own database (or schema): the same sync, story
    history and hits, searched with PostgreSQL's full-text search and ranked by ts_rank."""

    def __init__(self, url: str, *, read_only: bool = False) -> None:
        from .digest import SCHEMA as DIGEST_SCHEMA
        from .store.postgres import SQLiteSpeaking, connect

        self.path = url
        self._db = SQLiteSpeaking(connect(url, read_only=read_only))
        if not read_only:
            try:
                for statement in (*POSTGRES_SCHEMA, *DIGEST_SCHEMA):
                    self._db.execute(statement)
            except BaseException:  # a role that may not create tables: no index to hand back
                self._db.close()
                raise

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        raw = self._db.raw
        with raw.transaction():
            raw.execute("SELECT pg_advisory_xact_lock(%s)", (_SYNC_LOCK,))
            yield

    def _insert_text(self, rows: list[tuple[str, str, str, str]]) -> None:
        self._db.executemany(
            "INSERT INTO search_text (kind, ref, title, text, tsv)"
            " VALUES (?, ?, ?, ?, to_tsvector('simple', ? || ' ' || ?))",
            [(kind, ref, title, text, title, text) for kind, ref, title, text in rows])

    def _matches(self, query: str, limit: int, kinds: tuple[str, ...]) -> list[tuple[str, str, str, str]]:
        terms = pg_query(query)
        if terms is None:
            return []
        options = f"StartSel={_OPEN}, StopSel={_CLOSE}, MaxWords=24, MinWords=12, ShortWord=2"
        return self._db.execute(
            "SELECT kind, ref, title, ts_headline('simple', text, q, ?) FROM search_text,"
            " to_tsquery('simple', ?) AS q WHERE tsv @@ q AND kind = ANY(?)"
            " ORDER BY ts_rank(tsv, q) DESC, id LIMIT ?", (options, terms, list(kinds), limit)).fetchall()

    def documents_matching(self, query: str) -> list[str]:
        """As SearchIndex.documents_matching: every word whole, in the body, sorted."""
        words = _WORD.findall(query)
        if not words:
            return []
        return [r[0] for r in self._db.execute(
            "SELECT DISTINCT ref FROM search_text WHERE kind = 'body'"
            " AND to_tsvector('simple', text) @@ to_tsquery('simple', ?) ORDER BY ref",
            (" & ".join(words),))]

    def changes(self, since: str) -> Any:
        from .digest import Digest
        from .store.postgres import has_table

        if not has_table(self._db.raw, "digest_story_versions"):
            return Digest(since)  # never synced: no history to compare with
        return super().changes(since)


def pg_query(text: str) -> str | None:
    """User words as a PostgreSQL tsquery, as fts_query reads them: the first MAX_QUERY_WORDS
    words all required, the last one as a prefix. Words are runs of word characters, so none can
    be a tsquery operator."""
    words = [w.lower() for w in _WORD.findall(text)[:MAX_QUERY_WORDS]]
    if not words:
        return None
    words[-1] += ":*"
    return " & ".join(words)


def open_search_index(address: str | Path, *, read_only: bool = False) -> SearchIndex:
    """The search index of the store at `address`: FTS5 in a SQLite file, or PostgreSQL's own."""
    from .store.base import is_postgres_url

    if is_postgres_url(address):
        return PostgresSearchIndex(str(address), read_only=read_only)
    return SearchIndex(address, read_only=read_only)
