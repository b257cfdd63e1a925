"""Reading a store for the web app: read-only connections, records in the shape of stories.json.

Rules:
- Every call opens its own read-only connection (`mode=ro`, or read-only transactions in
  PostgreSQL): the server never writes the store, and request threads never share a connection.
- Documents come back as the same flat records as stories.json's `documents[]`, so the web app
  and the static report render through one set of templates.
- Filters are plain: outlet (a page's outlet or wire agency), language (the story's), date (the
  story's latest page date within the range), and country (a page's dateline, or one of the
  story's entities, naming it; the pages carry no other statement of place).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..search import story_from_store
from ..store.base import is_postgres_url

_META_FIELDS = ("title", "outlet", "published", "updated", "dateline", "agency", "byline")


class StoreReader:
    """Stories, documents and relations of one store (a SQLite file or a PostgreSQL database), read-only."""

    def __init__(self, db_path: str | Path) -> None:
        self.postgres = is_postgres_url(db_path)
        self.path: str | Path = str(db_path) if self.postgres else Path(db_path).resolve()
        # The story list and the documents' metadata, read once per state of the store: every
        # request to / or /api/stories needs all of them, and reading them again per request is
        # what made 50 clients on a 10k-page store time out.
        self._cache: dict[str, tuple[tuple[int, ...], Any]] = {}
        # One reader per key at a time: when 50 requests find the cache cold together, one reads
        # and the others wait for its result instead of each reading the whole store at once
        # (which, all in one interpreter, made every one of them take minutes).
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    def _stamp(self) -> tuple[int, ...]:
        """Changes whenever the store file or its write-ahead log does; in PostgreSQL, whenever a
        document, a story, a story event or a finished run is added (every change of a story
        is an event, see store/sqlite.py)."""
        if self.postgres:
            with self._db() as db:
                return tuple(db.execute(
                    "SELECT (SELECT COALESCE(MAX(seq), 0) FROM documents),"
                    " (SELECT COALESCE(MAX(seq), 0) FROM stories),"
                    " (SELECT COALESCE(MAX(seq), 0) FROM story_events),"
                    " (SELECT COUNT(*) FROM runs WHERE summary IS NOT NULL)").fetchone())
        stamp: list[int] = []
        store = Path(self.path)
        for path in (store, store.with_name(store.name + "-wal")):
            try:
                info = path.stat()
            except FileNotFoundError:
                stamp += [0, 0]
            else:
                stamp += [info.st_mtime_ns, info.st_size]
        return tuple(stamp)

    def _cached(self, key: str, read: Callable[[], Any]) -> Any:
        stamp = self._stamp()
        hit = self._cache.get(key)
        if hit is not None and hit[0] == stamp:
            return hit[1]
        with self._locks_guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            stamp = self._stamp()
            hit = self._cache.get(key)
            if hit is not None and hit[0] == stamp:
                return hit[1]  # read by the request this one waited for
            value = read()
            self._cache[key] = (stamp, value)
            return value

    def warm(self) -> None:
        """Read what every listing request needs, before the first request asks for it."""
        self.stories()
        self.documents(bodies=False)
        self.filter_options()

    @contextmanager
    def _db(self) -> Iterator[Any]:
        """A read-only connection speaking SQLite's SQL (see store.postgres.SQLiteSpeaking)."""
        if self.postgres:
            from ..store.postgres import SQLiteSpeaking, connect

            db: Any = SQLiteSpeaking(connect(str(self.path), read_only=True))
        else:
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        try:
            yield db
        finally:
            db.close()

    def stories(self) -> list[dict[str, Any]]:
        """Every live story record (merged stories stay on record in the store, not in the list)."""
        def read() -> list[dict[str, Any]]:
            with self._db() as db:
                rows = db.execute("SELECT record FROM stories WHERE state = 'live' ORDER BY id").fetchall()
            return [story_from_store(json.loads(r)) for (r,) in rows]

        return self._cached("stories", read)

    def story(self, story_id: str) -> dict[str, Any] | None:
        """One story record, or None."""
        with self._db() as db:
            row = db.execute("SELECT record FROM stories WHERE id = ?", (story_id,)).fetchone()
        return story_from_store(json.loads(row[0])) if row else None

    def stories_of(self, document_id: str) -> list[dict[str, Any]]:
        """The stories holding a document."""
        with self._db() as db:
            rows = db.execute("SELECT s.record FROM stories s JOIN story_documents d ON d.story_id = s.id"
                              " WHERE d.document_id = ? ORDER BY s.id", (document_id,)).fetchall()
        return [story_from_store(json.loads(r)) for (r,) in rows]

    def documents(self, ids: Iterable[str] | None = None, *,
                  bodies: bool = True) -> dict[str, dict[str, Any]]:
        """Document records by id (all stored articles when ids is None); bodies left out on request."""
        if ids is None and not bodies:
            return self._cached("documents", lambda: self._documents(None, bodies=False))
        return self._documents(ids, bodies=bodies)

    def _documents(self, ids: Iterable[str] | None, *, bodies: bool) -> dict[str, dict[str, Any]]:
        body = "body" if bodies else "NULL"
        query = (f"SELECT id, source, status, reason, detail, raw_sha256, url, language, {body}, meta, notes,"
                 f" cleaner FROM documents WHERE status = 'ok'")
        with self._db() as db:
            if ids is None:
                rows = db.execute(query).fetchall()
            else:
                wanted = list(dict.fromkeys(ids))
                rows = []
                for i in range(0, len(wanted), 500):
                    chunk = wanted[i:i + 500]
                    rows += db.execute(f"{query} AND id IN ({','.join('?' * len(chunk))})", chunk).fetchall()
        return {row[0]: _document(row) for row in rows}

    def relations(self, kind: str) -> list[dict[str, Any]]:
        """Stored relations of one kind ("syndication" or "common-source"), read once per state of
        the store (every story page looks through them)."""
        def read() -> list[dict[str, Any]]:
            with self._db() as db:
                rows = db.execute("SELECT record FROM relations WHERE kind = ? ORDER BY id",
                                  (kind,)).fetchall()
            return [json.loads(r) for (r,) in rows]

        return self._cached(f"relations:{kind}", read)

    def filter_options(self) -> dict[str, list[str]]:
        """The values the story list offers as filters, once per state of the store."""
        return self._cached("filter_options",
                            lambda: filter_options(self.documents(bodies=False), self.stories()))

    def summary(self) -> dict[str, Any] | None:
        """The summary of the latest finished run."""
        with self._db() as db:
            row = db.execute("SELECT summary FROM runs WHERE summary IS NOT NULL ORDER BY id DESC LIMIT 1"
                             ).fetchone()
        return json.loads(row[0]) if row else None


def _document(row: tuple) -> dict[str, Any]:
    doc_id, source, status, _, _, raw_sha256, url, language, body, meta_json, notes, cleaner = row
    meta = json.loads(meta_json or "{}")
    record: dict[str, Any] = {"id": doc_id, "source": source, "status": status, "error": None}
    for name in _META_FIELDS:
        value = meta.get(name)
        record[name] = value["value"] if value else None
    record.update({"language": language, "url": url, "body": body, "raw_sha256": raw_sha256,
                   "cleaner": cleaner, "notes": json.loads(notes or "[]"),
                   "evidence": {n: meta[n] for n in _META_FIELDS if meta.get(n)},
                   "photo_credits": meta.get("photo_credits", [])})
    return record


def story_dates(story: dict[str, Any], documents: dict[str, dict[str, Any]]) -> list[str]:
    """The story's page dates (published, else updated), sorted."""
    docs = [documents.get(i) or {} for i in story["documents"]]
    return sorted(d for d in (doc.get("published") or doc.get("updated") for doc in docs) if d)


def filter_stories(stories: Iterable[dict[str, Any]], documents: dict[str, dict[str, Any]], *,
                   outlet: str | None = None, country: str | None = None, language: str | None = None,
                   date_from: str | None = None, date_to: str | None = None) -> list[dict[str, Any]]:
    """The stories matching every filter given (empty filters match all)."""
    kept = []
    for story in stories:
        docs = [documents.get(d) or {} for d in story["documents"]]
        if outlet and not any(outlet in (d.get("outlet"), d.get("agency")) for d in docs):
            continue
        if language and story.get("language") != language:
            continue
        if country and not _names_country(story, docs, country.casefold()):
            continue
        dates = story_dates(story, documents)
        latest = dates[-1][:10] if dates else None
        if (date_from or date_to) and latest is None:
            continue
        if date_from and latest < date_from[:10]:
            continue
        if date_to and latest > date_to[:10]:
            continue
        kept.append(story)
    return kept


def _names_country(story: dict[str, Any], docs: list[dict[str, Any]], country: str) -> bool:
    if any(country in (d.get("dateline") or "").casefold() for d in docs):
        return True
    for entity in story.get("entities") or []:
        names = [entity.get(k) for k in ("name", "text", "value", "country")]
        if any(isinstance(n, str) and n.casefold() == country for n in names):
            return True
    return False


def filter_options(documents: dict[str, dict[str, Any]],
                   stories: Iterable[dict[str, Any]]) -> dict[str, list[str]]:
    """The values offered in the filter lists: outlets and agencies seen, story languages."""
    outlets = {v for d in documents.values() for v in (d.get("outlet"), d.get("agency")) if v}
    languages = {s.get("language") for s in stories if s.get("language")}
    return {"outlet": sorted(outlets), "language": sorted(languages)}
