"""What every store offers, and the one place that picks a store from a path or a URL.

A store is chosen by its address: `postgresql://...` (or `postgres://...`) opens PostgreSQL,
anything else is a SQLite file path (or `:memory:`). Both keep the same tables, run their own
numbered migrations up to the same version, and behave the same for every method below; the
contract test suite runs one set of tests against both.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol

from ..model import Article, Evidenced, Metadata, Rejection, Segment

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


class Batch(Protocol):
    """An open batch of writes: `tick()` after each item commits every `size` items."""

    def tick(self) -> None: ...


class Store(Protocol):
    """Documents, raw pages, stories, relations and runs, as the pipeline and the CLI use them."""

    path: str

    def transaction(self) -> AbstractContextManager[Any]: ...
    def batches(self, size: int) -> AbstractContextManager[Batch]: ...
    def close(self) -> None: ...
    def has_document(self, document_id: str) -> bool: ...
    def put_raw(self, sha256: str, fmt: str, content: str) -> None: ...
    def put_article(self, article: Article) -> bool: ...
    def put_rejection(self, rejection: Rejection) -> bool: ...
    def get_article(self, document_id: str) -> Article | None: ...
    def get_rejection(self, document_id: str) -> Rejection | None: ...
    def raw_page(self, sha256: str) -> str | None: ...
    def document_ids(self) -> list[str]: ...
    def count_documents(self) -> dict[str, int]: ...
    def replace_stories(self, stories: Iterable[dict[str, Any]], documents: Iterable[str]) -> None: ...
    def put_relation(self, relation_id: str, kind: str, record: dict[str, Any]) -> None: ...
    def stories(self) -> Iterator[dict[str, Any]]: ...
    def integrity_check(self) -> list[str]: ...
    def start_run(self, started: str) -> int: ...
    def finish_run(self, run_id: int, finished: str, summary: dict[str, Any]) -> None: ...


def is_postgres_url(address: str | Path) -> bool:
    """True when the address names a PostgreSQL database rather than a SQLite file."""
    return isinstance(address, str) and address.startswith(POSTGRES_SCHEMES)


def open_store(url_or_path: str | Path) -> Store:
    """Open (and create or migrate) the store at a `postgresql://` URL or a SQLite path."""
    if is_postgres_url(url_or_path):
        # Imported here so that SQLite users never need the PostgreSQL driver installed.
        from .postgres import PostgresStore

        return PostgresStore(str(url_or_path))
    from .sqlite import SQLiteStore

    return SQLiteStore(url_or_path)


def article_from_row(row: tuple) -> Article:
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
