"""The web app: story list with filters, search, story and document pages, an Atom feed and a JSON API.

Rules:
- Read-only: every route but verification is a GET; the store is opened read-only per request.
  The only writes are the derived indexes brought up to date when the app is built (search and
  history tables, see newsfuse.search; verify's sentence index, see newsfuse.verify), and a
  store that cannot be written is served without them. Verification (POST /verify and
  /api/verify) reads the stories and writes nothing.
- Pages come from the same templates as the static report (`render.html`), with absolute links.
- Every response carries a strict Content-Security-Policy (no scripts at all, nothing remote),
  nosniff, no referrer and no framing; the OpenAPI schema is served as JSON only, because the
  interactive docs pages load scripts from elsewhere.
- The JSON API lives under /api/ and is described by /api/openapi.json.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode

from fastapi import Body, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..api import index_store
from ..digest import atom_feed
from ..render.html import (
    CONTENT_SECURITY_POLICY_HEADER,
    SERVER_LINKS,
    STATIC_DIR,
    cited_spans,
    render_document,
    render_index,
    render_message,
    render_search,
    render_story,
    render_verify,
)
from ..search import SearchIndex, open_search_index
from ..store.base import is_postgres_url, write_refusals
from ..verify import verify
from .data import StoreReader, filter_stories, story_dates

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY_HEADER,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
MAX_HITS = 50
# Stories per page of the list (and the API's default limit): a store of 10k pages holds some 5k
# stories, and rendering all of them for every request is what a load of 50 clients could not bear.
PAGE_SIZE = 100
# Longest text /verify and /api/verify take: a long article's worth; each sentence is one lookup.
MAX_VERIFY_CHARS = 20_000

Filter = Annotated[str | None, Query(description="Empty or absent: no filter.")]


def create_app(db_path: str | Path, *, sync: bool = True) -> FastAPI:
    """The app over one store (a SQLite file or a postgresql:// URL); with `sync`, the search
    index is brought up to date first."""
    path: str | Path = str(db_path) if is_postgres_url(db_path) else Path(db_path)
    if isinstance(path, Path) and not path.is_file():
        raise FileNotFoundError(f"no store at {path}")
    sync_error = None
    if sync:
        try:
            index_store(path)
        except write_refusals(path) as exc:  # a store we may not write is served as it is
            sync_error = str(exc)
    reader = StoreReader(path)
    reader.warm()
    app = FastAPI(title="newsfuse", version=__version__, openapi_url="/api/openapi.json",
                  docs_url=None, redoc_url=None,
                  description="Read-only access to deduplicated, cited news stories.")
    app.state.sync_error = sync_error
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        return response

    @app.exception_handler(StarletteHTTPException)
    async def not_found(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        return HTMLResponse(render_message(f"{exc.status_code}", str(exc.detail), SERVER_LINKS),
                            status_code=exc.status_code)

    def listed(outlet: str | None, country: str | None, language: str | None, date_from: str | None,
               date_to: str | None) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
        stories = reader.stories()
        documents = reader.documents(bodies=False)
        kept = filter_stories(stories, documents, outlet=outlet, country=country, language=language,
                              date_from=date_from, date_to=date_to)
        return kept, documents

    def search_index() -> SearchIndex:
        try:
            return open_search_index(path, read_only=True)
        except write_refusals(path) as exc:
            raise HTTPException(503, f"search index unavailable: {exc}") from exc

    # Pages ------------------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index_page(outlet: Filter = None, country: Filter = None, language: Filter = None,
                   date_from: Filter = None, date_to: Filter = None,
                   page: Annotated[int, Query(ge=1)] = 1) -> str:
        stories, documents = listed(outlet, country, language, date_from, date_to)
        filters = {"outlet": outlet, "country": country, "language": language, "date_from": date_from,
                   "date_to": date_to}
        kept = {k: v for k, v in filters.items() if v}

        def page_href(number: int) -> str:
            return "/?" + urlencode({**kept, "page": number})

        return render_index(stories, documents, SERVER_LINKS, summary=reader.summary(), filters=filters,
                            options=reader.filter_options(), page=page,
                            per_page=PAGE_SIZE, page_href=page_href)

    @app.get("/stories/{story_id}", response_class=HTMLResponse, include_in_schema=False)
    def story_page(story_id: str) -> str:
        story = _story_or_404(reader, story_id)
        return render_story(story, reader.documents(story["documents"]), reader.relations("syndication"),
                            SERVER_LINKS)

    @app.get("/documents/{document_id}", response_class=HTMLResponse, include_in_schema=False)
    def document_page(document_id: str) -> str:
        document = reader.documents([document_id]).get(document_id)
        if document is None:
            raise HTTPException(404, f"no document {document_id}")
        stories = reader.stories_of(document_id)
        return render_document(document, cited_spans(stories).get(document_id, ()), stories, SERVER_LINKS)

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    def search_page(q: str = "") -> str:
        with search_index() as index:
            hits = index.search(q, limit=MAX_HITS)
        return render_search(q, hits, SERVER_LINKS)

    @app.get("/feed.atom", include_in_schema=False)
    def feed(request: Request, since: str = "") -> Response:
        with search_index() as index:
            changes = index.changes(since)
        base = str(request.base_url).rstrip("/")
        return Response(atom_feed(changes, base), media_type="application/atom+xml")

    @app.get("/verify", response_class=HTMLResponse, include_in_schema=False)
    def verify_form() -> str:
        return render_verify("", None, SERVER_LINKS, action="/verify", max_chars=MAX_VERIFY_CHARS)

    @app.post("/verify", response_class=HTMLResponse, include_in_schema=False)
    async def verify_page(request: Request) -> str:
        # A plain form post (no scripts on these pages): the body is url-encoded `text=...`.
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        text = checked_text((form.get("text") or [""])[0])
        return render_verify(text, verify(path, text), SERVER_LINKS, action="/verify",
                             max_chars=MAX_VERIFY_CHARS)

    # JSON API ---------------------------------------------------------------------------------

    @app.post("/api/verify", tags=["verify"],
              summary="Check a text against the stored sources, sentence by sentence")
    def api_verify(text: Annotated[str, Body(embed=True, description="The text to check.")]
                   ) -> dict[str, Any]:
        return verify(path, checked_text(text))

    @app.get("/api/stories", tags=["stories"], summary="Stories, biggest first, with optional filters")
    def api_stories(outlet: Filter = None, country: Filter = None, language: Filter = None,
                    date_from: Filter = None, date_to: Filter = None,
                    limit: Annotated[int, Query(ge=1, le=1000)] = PAGE_SIZE,
                    offset: Annotated[int, Query(ge=0)] = 0) -> list[dict[str, Any]]:
        stories, documents = listed(outlet, country, language, date_from, date_to)
        rows = [{"id": s["id"], "title": s["title"], "language": s.get("language"),
                 "pages": len(s["documents"]),
                 "origins": s.get("origins"), "documents": s["documents"],
                 "dates": story_dates(s, documents)} for s in stories]
        # Biggest first, then newest, then by title: the static index's order.
        rows.sort(key=lambda r: r["title"])
        rows.sort(key=lambda r: r["dates"][-1] if r["dates"] else "", reverse=True)
        rows.sort(key=lambda r: r["pages"], reverse=True)
        return rows[offset:offset + limit]

    @app.get("/api/stories/{story_id}", tags=["stories"], summary="One story record as in stories.json")
    def api_story(story_id: str) -> dict[str, Any]:
        return _story_or_404(reader, story_id)

    @app.get("/api/documents/{document_id}", tags=["documents"],
             summary="One document record (clean body, metadata with evidence)")
    def api_document(document_id: str) -> dict[str, Any]:
        document = reader.documents([document_id]).get(document_id)
        if document is None:
            raise HTTPException(404, f"no document {document_id}")
        return document

    @app.get("/api/search", tags=["search"], summary="Full-text search over bodies, briefs and quotes")
    def api_search(q: str, limit: Annotated[int, Query(ge=1, le=200)] = 20) -> list[dict[str, Any]]:
        with search_index() as index:
            return [h.as_dict() for h in index.search(q, limit=limit)]

    @app.get("/api/changes", tags=["changes"],
             summary="New and updated stories, new conflicts and new pledges since a date (ISO 8601)")
    def api_changes(since: str) -> dict[str, Any]:
        with search_index() as index:
            return index.changes(since).as_dict()

    return app


def checked_text(text: str) -> str:
    """The text to verify, or a 413 when it is longer than MAX_VERIFY_CHARS."""
    if len(text) > MAX_VERIFY_CHARS:
        raise HTTPException(413, f"text longer than {MAX_VERIFY_CHARS} characters")
    return text


def _story_or_404(reader: StoreReader, story_id: str) -> dict[str, Any]:
    story = reader.story(story_id)
    if story is None:
        raise HTTPException(404, f"no story {story_id}")
    return story
