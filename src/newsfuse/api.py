"""The library facade: what the CLI, the web app and users' scripts call."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from .analyze.brief import BriefSettings
from .analyze.brief import brief as _brief
from .clean import clean_page as _clean_page
from .dedup import DuplicateReport, Fingerprint, fingerprint
from .dedup import find_duplicates as _find_duplicates
from .ingest import read_inputs
from .model import Article, BriefSentence, Page, PageFormat, Rejection, content_id, sha256_text
from .pipeline import Result, Settings, grouping_input
from .pipeline import run as _run
from .render.files import write_outputs
from .store.base import Store
from .store.base import open_store as _open_store
from .stories import GroupingSettings
from .stories import group as _group

DEFAULT_DB_NAME = "newsfuse.sqlite"


def read(paths: Iterable[str]) -> Iterator[Page | Rejection]:
    """Stream pages (or per-document rejections) from files, folders, JSONL and WARC inputs."""
    return read_inputs(list(paths))


def page_from_text(text: str, *, format: PageFormat = "text", url: str | None = None,
                   source: str = "<memory>", id: str | None = None) -> Page:
    """A page from text in memory: your `id`, else the same stable id a file of that text would get."""
    page_id = id or (content_id(url) if url else content_id(text))
    return Page(id=page_id, source=source, content=text, format=format, sha256=sha256_text(text), url=url)


def clean_page(page: Page | str) -> Article | Rejection:
    """Clean one page (or raw scraped text) into an article, or say why it cannot be one."""
    return _clean_page(page_from_text(page) if isinstance(page, str) else page)


def find_duplicates(articles: Sequence[Article]) -> DuplicateReport:
    """Near-duplicates, syndicated groups with their origin, and common-source relations."""
    return _report(articles, {a.id: fingerprint(a) for a in articles})


def _report(articles: Sequence[Article], fingerprints: dict[str, Fingerprint]) -> DuplicateReport:
    credits = {a.id: a.meta.agency.value if a.meta.agency else None for a in articles}
    return _find_duplicates([fingerprints[a.id] for a in articles], credits)


def group(articles: Sequence[Article], settings: GroupingSettings | None = None) -> list[list[str]]:
    """Story groups of article ids."""
    return _group([grouping_input(a) for a in articles], settings)


def brief(articles: Sequence[Article], settings: BriefSettings | None = None) -> tuple[BriefSentence, ...]:
    """A cited extractive brief of articles taken to be one story."""
    fingerprints = {a.id: fingerprint(a) for a in articles}
    return _brief(articles, fingerprints, _report(articles, fingerprints).origin_of(), settings)


def open_store(path: str | Path) -> Store:
    """Open (and create or migrate) a store: a SQLite file, or a `postgresql://` URL."""
    return _open_store(path)


def run(inputs: Sequence[str | Path], *, out: str | Path | None = None, db: str | Path | None = None,
        settings: Settings | None = None, stdin: BinaryIO | None = None) -> Result:
    """The whole job: read, clean, dedupe, group, brief; store it and, with `out`, write the files."""
    if db is None:
        db = Path(out) / DEFAULT_DB_NAME if out is not None else ":memory:"
    store = open_store(db)
    try:
        result = _run([str(p) for p in inputs], store, settings=settings, stdin=stdin,
                      skip=[str(out)] if out is not None else [])
    finally:
        store.close()
    index_store(db)
    if out is not None:
        write_outputs(result, out)
    return result


def index_store(db: str | Path) -> None:
    """Bring a store's derived indexes up to date: full-text search with the story history (web
    app, digest, feed) and the sentence index `verify` reads, in the SQLite file or the
    PostgreSQL database. Each indexes only what it has not seen, so a run pays for its new pages
    only; memory stores are gone once the run ends."""
    if str(db) == ":memory:":
        return
    from .search import open_search_index
    from .verify import sentence_index

    with open_search_index(db) as index:
        index.sync()
    store = open_store(db)
    try:
        sentences = sentence_index(store)
        try:
            sentences.sync()
        finally:
            sentences.close()
    finally:
        store.close()


# --- verify -----------------------------------------------------------------------------------


def verify(store: Store | str | Path, text: str) -> dict:
    """Check any text against a store, claim by claim (see `newsfuse.verify`): a JSON-ready dict.

    `claims[]` of {text, start, end, verdict (supported, conflicting, misattributed, no_evidence),
    support[], conflicts[]}, each entry with its citations and story; `counts` per verdict.
    """
    from .verify import verify as _verify

    return _verify(store, text)


# --- ledger -----------------------------------------------------------------------------------


def ledger(db: str | Path) -> dict[str, list[dict]]:
    """Every thread's pledge ledger (see `newsfuse.ledger`), keyed by the story that started the
    thread: per actor and pledge, its status and its cited events, as JSON-ready dicts."""
    from .ledger import ledgers

    store = open_store(db)
    try:
        return {root: [entry.to_dict() for entry in entries] for root, entries in ledgers(store).items()}
    finally:
        store.close()
