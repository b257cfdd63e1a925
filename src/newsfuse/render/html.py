"""The HTML report: an offline site of story pages, document pages and an index, from run records.

Rules:
- One set of Jinja2 templates serves both the static report (`write_report`, relative links,
  `.html` files) and the web app (absolute links); `Links` is the only difference between them.
- Autoescape is always on: scraped text is data, never markup. No template marks scraped text
  safe; the only markup built in Python (`highlight_body`) escapes every piece of text it emits.
- Nothing is fetched: styles are a local file, there is no script at all, and every page carries
  a Content-Security-Policy that forbids scripts, remote loads and inline handlers.
- A citation marker is a `<details>` element: Enter or a click opens the cited passage with its
  context, and a link in it opens the document page with the passage highlighted (`#c-START-END`).
- Sections produced by other analysis stages (facts, conflicts, timeline, pledges, entities,
  coverage) render whenever the story record holds them and say plainly when they are empty.
"""

from __future__ import annotations

import hashlib
import heapq
import os
import re
import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from .records import RunRecords

# Scripts are banned outright: the report needs none, and a scraped `<script>` that slipped
# through escaping still could not run. Styles and images come only from the report itself.
CONTENT_SECURITY_POLICY = ("default-src 'none'; style-src 'self'; img-src 'self' data:; "
                           "form-action 'self'; base-uri 'none'")
# Sent as a header by the web app; frame-ancestors only counts there (a <meta> policy ignores it).
CONTENT_SECURITY_POLICY_HEADER = CONTENT_SECURITY_POLICY + "; frame-ancestors 'none'"
# Characters of body text shown around a cited passage in its pop-out panel.
CONTEXT_CHARS = 160
STATIC_DIR = Path(__file__).parent / "static"


@dataclass(frozen=True, slots=True)
class Links:
    """How pages address each other: relative `.html` files offline, absolute paths on the server."""

    root: str = ""
    suffix: str = ".html"
    server: bool = False

    def index(self) -> str:
        """The story list."""
        return f"{self.root}index.html" if not self.server else f"{self.root}"

    def story(self, story_id: str) -> str:
        """One story page."""
        return f"{self.root}stories/{self._name(story_id)}{self.suffix}"

    def document(self, document_id: str, start: int | None = None, end: int | None = None) -> str:
        """A document page, anchored on a cited span when one is given."""
        anchor = f"#c-{start}-{end}" if start is not None else ""
        return f"{self.root}documents/{self._name(document_id)}{self.suffix}{anchor}"

    def static(self, name: str) -> str:
        """A file of the report's own static folder."""
        return f"{self.root}static/{name}"

    def _name(self, record_id: str) -> str:
        # The server routes by the id itself (quoted in the URL); files are named page_name(id).
        return quote(record_id, safe="") if self.server else quote(page_name(record_id), safe="")


_PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def page_name(record_id: str) -> str:
    """The file name (without .html) of a story's or document's page: the id itself when it is a
    plain file name; else a name derived from it. Ids come from the input (a JSONL `id`), and an
    id may hold a path separator, a NUL or a name of 300 characters, none of which a file name can."""
    if _PLAIN_NAME.fullmatch(record_id) and record_id not in (".", ".."):
        return record_id
    return "id-" + hashlib.sha256(record_id.encode("utf-8", "surrogatepass")).hexdigest()[:20]


SERVER_LINKS = Links(root="/", suffix="", server=True)

_env = Environment(loader=PackageLoader("newsfuse.render", "templates"),
                   autoescape=select_autoescape(default=True, default_for_string=True),
                   trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def _get(item: Mapping[str, Any], *names: str, default: Any = None) -> Any:
    # Records from other stages may name a field in more than one way (name/text, kind/type);
    # the first present, non-empty one is shown.
    for name in names:
        value = item.get(name)
        if value not in (None, "", [], {}):
            return value
    return default


# Citations ------------------------------------------------------------------------------------

def citation_views(citations: Iterable[Mapping[str, Any]], numbering: Mapping[str, int],
                   documents: Mapping[str, Mapping[str, Any]], links: Links) -> list[dict[str, Any]]:
    """Each distinct citation as a marker: source number, passage with context, and its document link."""
    views: list[dict[str, Any]] = []
    seen: set[tuple[str, int, int]] = set()
    for cite in sorted(citations, key=lambda c: (numbering.get(c["document"], 10**9), c["start"])):
        key = (cite["document"], cite["start"], cite["end"])
        if key in seen:
            continue
        seen.add(key)
        doc = documents.get(cite["document"]) or {}
        body = doc.get("body") or ""
        start, end = cite["start"], cite["end"]
        views.append({
            "number": numbering.get(cite["document"], "?"),
            "document": cite["document"],
            "outlet": _source_name(doc),
            "before": ("…" if start > CONTEXT_CHARS else "") + body[max(0, start - CONTEXT_CHARS):start],
            "passage": body[start:end],
            "after": body[end:end + CONTEXT_CHARS] + ("…" if end + CONTEXT_CHARS < len(body) else ""),
            "href": links.document(cite["document"], start, end),
            "start": start, "end": end,
        })
    return views


def _source_name(doc: Mapping[str, Any]) -> str:
    source = Path(doc["source"]).name if doc.get("source") else None
    return doc.get("outlet") or doc.get("agency") or source or doc.get("id") or "unknown source"


def highlight_body(body: str, spans: Iterable[tuple[int, int]]) -> Markup:
    """The body as escaped HTML with each cited span in a `<mark id="c-START-END">`.

    Spans nest when one holds another; a span crossing marks already placed is marked only past
    the last of them (keeping its own id, so links to it still land), so marks never interleave.
    Spans are taken in order of start from a heap, the marks holding the current position on a
    stack; a trimmed span goes back into the heap at its new start. A page cited thousands of
    times costs about as much as sorting its spans.
    """
    pending = [(s, -e, s, e) for s, e in {(s, e) for s, e in spans if 0 <= s < e <= len(body)}]
    heapq.heapify(pending)
    marks: list[tuple[int, int, str]] = []
    open_ends: list[int] = []  # ends of the placed marks holding the current position, innermost last
    while pending:
        start, neg_end, first, last = heapq.heappop(pending)
        end = -neg_end
        while open_ends and open_ends[-1] <= start:
            open_ends.pop()
        crossed = [placed_end for placed_end in open_ends if placed_end < end]
        if crossed:
            heapq.heappush(pending, (max(crossed), neg_end, first, last))
            continue
        marks.append((start, end, f"c-{first}-{last}"))
        open_ends.append(end)
    # Closes before opens at one position; inner marks close first and wider marks open first.
    events = [(e, 0, -s, "</mark>") for s, e, _ in marks]
    events += [(s, 1, -e, f'<mark class="cited" id="{ident}">') for s, e, ident in marks]
    events.sort()
    out: list[str] = []
    cursor = 0
    for position, _, _, tag in events:
        out.append(str(escape(body[cursor:position])))
        out.append(tag)
        cursor = position
    out.append(str(escape(body[cursor:])))
    return Markup("".join(out))


# Story views ----------------------------------------------------------------------------------

def story_view(story: Mapping[str, Any], documents: Mapping[str, Mapping[str, Any]],
               syndication: Sequence[Mapping[str, Any]], links: Links) -> dict[str, Any]:
    """Everything a story page shows, with citation markers resolved against the documents."""
    numbering = {d: i + 1 for i, d in enumerate(story["documents"])}

    def cites(citations: Iterable[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
        return citation_views(citations or [], numbering, documents, links)

    synd_of = {d: s for s in syndication for d in s["documents"]}
    sources = []
    for doc_id, number in numbering.items():
        doc = documents.get(doc_id) or {"id": doc_id}
        group = synd_of.get(doc_id)
        note = ""
        if group:
            note = (f"origin ({group['origin']})" if group["origin_document"] == doc_id
                    else f"copy of {group['origin']}")
            if doc_id in group.get("miscredited", []):
                note += f"; credited to {doc.get('agency')}"
        inferred = (doc.get("evidence") or {}).get("published", {}).get("inferred")
        sources.append({"number": number, "id": doc_id, "outlet": _source_name(doc),
                        "title": doc.get("title"), "published": doc.get("published"),
                        "updated": doc.get("updated"), "inferred": bool(inferred),
                        "agency": doc.get("agency"), "syndication": note,
                        "group": group["id"] if group else None, "href": links.document(doc_id)})
    facts = [{"text": _get(f, "text"), "pages": f.get("pages"), "origins": f.get("origins"),
              "attributed_to": f.get("attributed_to"), "modality": f.get("modality"),
              "single_source": f.get("single_source"), "cites": cites(f.get("citations"))}
             for f in story.get("facts") or []]
    conflicts = [{"kind": c.get("kind"), "what": _get(c, "topic", "subject", "about", "field"),
                  "sides": [{"text": s.get("text"), "cites": cites(s.get("citations"))}
                            for s in c.get("sides") or []]}
                 for c in story.get("conflicts") or []]
    quotes = [{"text": q["text"], "speaker": q.get("speaker") or q.get("speaker_role") or "unnamed source",
               "role": q.get("speaker_role") if q.get("speaker") else None, "cue": q.get("cue"),
               "pages": q.get("pages"),
               "variants": [{"text": v["text"], "cites": cites(v.get("citations"))}
                            for v in q.get("variants") or []],
               "cites": cites(q.get("citations"))}
              for q in story.get("quotes") or []]
    timeline = [{"date": t.get("date"), "precision": t.get("precision"), "text": t.get("text"),
                 "cites": cites(t.get("citations"))} for t in story.get("timeline") or []]
    pledges = [{"actor": p.get("actor"), "text": p.get("text"), "due": p.get("due"),
                "cites": cites(p.get("citations"))} for p in story.get("pledges") or []]
    entities = [{"name": _get(e, "name", "text", "value", default="?"),
                 "kind": _get(e, "kind", "type", "label"),
                 "mentions": _get(e, "mentions", "count", "pages"),
                 "cites": cites(e.get("citations"))} for e in story.get("entities") or []]
    return {
        "id": story["id"], "title": story["title"], "language": story.get("language"),
        "pages": len(story["documents"]), "origins": story.get("origins", len(story["documents"])),
        "brief": [{"text": s["text"], "cites": cites(s["citations"])} for s in story.get("brief") or []],
        "sources": sources, "facts": facts, "conflicts": conflicts, "quotes": quotes,
        "timeline": timeline, "timeline_svg": timeline_chart(timeline), "pledges": pledges,
        "entities": entities, "coverage": coverage_matrix(story.get("coverage")),
    }


def coverage_matrix(coverage: Any) -> dict[str, Any] | None:
    """Outlets x facets as rows and columns, from a per-outlet list or an outlet-keyed mapping."""
    if not coverage:
        return None
    if isinstance(coverage, Mapping):
        rows = [{"outlet": outlet, **(value if isinstance(value, Mapping) else {"unique_facts": value})}
                for outlet, value in coverage.items()]
    else:
        rows = [dict(r) for r in coverage if isinstance(r, Mapping)]
    weight: dict[str, int] = {}
    table = []
    for row in rows:
        raw = row.get("facets") or {}
        # A facet's cell shows how many of the outlet's statements fall under it.
        cells = ({str(f): v.get("statements", True) if isinstance(v, Mapping) else v for f, v in raw.items()}
                 if isinstance(raw, Mapping) else {str(f): True for f in raw})
        for facet, value in cells.items():
            weight[facet] = weight.get(facet, 0) + (value if isinstance(value, int) else 1)
        unique = row.get("unique_facts")
        share = row.get("wire_share")
        table.append({"outlet": _get(row, "outlet", "source", "document", default="?"), "cells": cells,
                      "unique": len(unique) if isinstance(unique, list) else unique,
                      "unique_list": unique if isinstance(unique, list) else [],
                      "wire_share": f"{share:.0%}" if isinstance(share, int | float) else share})
    # Most covered facets first: stories.json sorts keys, so the order the analysis made is not kept.
    facets = sorted(weight, key=lambda f: (-weight[f], f))
    return {"facets": facets, "rows": table}


def timeline_chart(events: Sequence[Mapping[str, Any]], width: int = 640, height: int = 90) -> dict[str, Any]:
    """An SVG timeline: each dated event as a numbered dot on an axis from first to last date."""
    dated = []
    for number, event in enumerate(events, start=1):
        day = _as_date(event.get("date"))
        if day is not None:
            dated.append((day, number, event))
    if not dated:
        return {"width": width, "height": height, "points": [], "ticks": []}
    first, last = min(d for d, _, _ in dated), max(d for d, _, _ in dated)
    span = max((last - first).days, 1)
    margin = 40

    def x_of(day: date) -> float:
        return round(margin + (width - 2 * margin) * (day - first).days / span, 1)

    stacked: dict[float, int] = {}
    points = []
    for day, number, event in dated:
        x = x_of(day) if last != first else width / 2
        level = stacked.get(x, 0)
        stacked[x] = level + 1
        points.append({"x": x, "y": 46 - 14 * level, "number": number, "date": event.get("date"),
                       "label": f"{number}. {event.get('date')}: {event.get('text') or ''}"})
    ticks = [{"x": x_of(first) if last != first else width / 2, "label": first.isoformat()}]
    if last != first:
        ticks.append({"x": x_of(last), "label": last.isoformat()})
    return {"width": width, "height": height, "points": points, "ticks": ticks}


def _as_date(value: Any) -> date | None:
    # Timeline dates come at day, month or year precision: "2020-06-11", "2020-06", "2020".
    if not isinstance(value, str):
        return None
    parts = value[:10].split("-")
    try:
        numbers = [int(p) for p in parts if p] + [1, 1]
        return date(numbers[0], numbers[1] or 1, numbers[2] or 1)
    except (ValueError, IndexError):
        return None


# Index ----------------------------------------------------------------------------------------

def index_rows(stories: Iterable[Mapping[str, Any]], documents: Mapping[str, Mapping[str, Any]],
               links: Links) -> list[dict[str, Any]]:
    """One row per story, biggest first, then newest, then by title: size and date decide order."""
    return order_rows([index_row(story, documents, links) for story in stories])


def index_row(story: Mapping[str, Any], documents: Mapping[str, Mapping[str, Any]], links: Links
              ) -> dict[str, Any]:
    """A story's row of the index: size, origins, newest date, outlets, conflicts."""
    docs = [documents.get(d) or {} for d in story["documents"]]
    dates = sorted(d.get("published") or d.get("updated") or "" for d in docs)
    outlets = sorted({_source_name(d) for d in docs if d})
    return {"id": story["id"], "title": story["title"], "pages": len(story["documents"]),
            "origins": story.get("origins", len(story["documents"])),
            "date": dates[-1] if dates and dates[-1] else None, "language": story.get("language"),
            "outlets": outlets, "conflicts": len(story.get("conflicts") or []),
            "href": links.story(story["id"])}


def order_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Index rows biggest story first, then newest, then by title."""
    rows.sort(key=lambda r: r["title"])
    rows.sort(key=lambda r: r["date"] or "", reverse=True)
    rows.sort(key=lambda r: r["pages"], reverse=True)
    return rows


# Pages ----------------------------------------------------------------------------------------

def _page(template: str, links: Links, **context: Any) -> str:
    return _env.get_template(template).render(links=links, csp=CONTENT_SECURITY_POLICY, **context)


def render_index(stories: Iterable[Mapping[str, Any]], documents: Mapping[str, Mapping[str, Any]],
                 links: Links, *, summary: Mapping[str, Any] | None = None,
                 filters: Mapping[str, Any] | None = None, options: Mapping[str, list[str]] | None = None,
                 heading: str = "Stories", page: int = 1, per_page: int | None = None,
                 page_href: Callable[[int], str] | None = None) -> str:
    """The story index page; with `per_page`, only that page of the list, with links to its
    neighbours (`page_href(n)` addresses page n)."""
    return render_index_rows(index_rows(stories, documents, links), links, summary=summary, filters=filters,
                             options=options, heading=heading, page=page, per_page=per_page,
                             page_href=page_href)


def render_index_rows(rows: list[dict[str, Any]], links: Links, *, summary: Mapping[str, Any] | None = None,
                      filters: Mapping[str, Any] | None = None,
                      options: Mapping[str, list[str]] | None = None,
                      heading: str = "Stories", page: int = 1, per_page: int | None = None,
                      page_href: Callable[[int], str] | None = None) -> str:
    """render_index from rows already made and ordered (see index_rows)."""
    pages = 1
    if per_page:
        pages = max(1, -(-len(rows) // per_page))
        page = min(max(1, page), pages)
        rows = rows[(page - 1) * per_page:page * per_page]
    nav = {"page": page, "pages": pages,
           "previous": page_href(page - 1) if page_href and page > 1 else None,
           "next": page_href(page + 1) if page_href and page < pages else None}
    return _page("index.html", links, rows=rows, summary=summary, filters=filters or {},
                 options=options or {}, heading=heading, nav=nav)


def render_story(story: Mapping[str, Any], documents: Mapping[str, Mapping[str, Any]],
                 syndication: Sequence[Mapping[str, Any]], links: Links) -> str:
    """One story page: brief, conflicts, sources, facts, quotes, timeline, pledges, coverage, entities."""
    return _page("story.html", links, story=story_view(story, documents, syndication, links))


def render_document(document: Mapping[str, Any], spans: Iterable[tuple[int, int]],
                    stories: Iterable[Mapping[str, Any]], links: Links) -> str:
    """One document's clean body with every cited span highlighted."""
    body = document.get("body") or ""
    return _page("document.html", links, doc=document, body=highlight_body(body, spans),
                 stories=[{"title": s["title"], "href": links.story(s["id"])} for s in stories])


def cited_spans(stories: Iterable[Mapping[str, Any]]) -> dict[str, set[tuple[int, int]]]:
    """Every span cited anywhere in the stories, by document id."""
    spans: dict[str, set[tuple[int, int]]] = {}

    def walk(value: Any) -> None:
        if isinstance(value, Mapping):
            if {"document", "start", "end"} <= value.keys() and isinstance(value["start"], int):
                spans.setdefault(value["document"], set()).add((value["start"], value["end"]))
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for story in stories:
        walk(story)
    return spans


def write_report(records: RunRecords, out_dir: str | Path) -> list[Path]:
    """Write index.html, stories/ID.html, documents/ID.html and static/ into out_dir; returns the pages.

    Pages are written as they are made, a story or a document at a time: what is held across the
    run is an index row per story and the cited spans and story titles per document."""
    out = Path(out_dir)
    for sub in ("stories", "documents", "static"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    for asset in STATIC_DIR.iterdir():
        if asset.is_file():
            shutil.copyfile(asset, out / "static" / asset.name)
    written: list[Path] = []

    def write(path: Path, text: str) -> None:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
        written.append(path)

    nested = Links(root="../")
    rows: list[dict[str, Any]] = []
    spans: dict[str, set[tuple[int, int]]] = {}
    story_of: dict[str, list[dict[str, str]]] = {}
    syndicated = records.syndication_by_document()
    for story in records.stories():
        documents = {d: doc for d in story["documents"]
                     if (doc := records.document(d)) is not None and doc["status"] == "ok"}
        rows.append(index_row(story, documents, Links()))
        # Only the story's own groups: every group for every story made the report quadratic.
        groups = list({id(g): g for d in story["documents"] if (g := syndicated.get(d))}.values())
        write(out / "stories" / f"{page_name(story['id'])}.html",
              render_story(story, documents, groups, nested))
        for doc_id, cited in cited_spans([story]).items():
            spans.setdefault(doc_id, set()).update(cited)
        for doc_id in story["documents"]:
            story_of.setdefault(doc_id, []).append({"id": story["id"], "title": story["title"]})
    for doc in records.documents():
        if doc["status"] == "ok":
            write(out / "documents" / f"{page_name(doc['id'])}.html",
                  render_document(doc, spans.get(doc["id"], ()), story_of.get(doc["id"], []), nested))
    index = out / "index.html"
    write(index, render_index_rows(order_rows(rows), Links(), summary=records.summary))
    # Pages of stories and documents an earlier run wrote here and this one no longer has would
    # otherwise linger, reachable by old links though the index no longer lists them.
    kept = set(written)
    for sub in ("stories", "documents"):
        for stale in (out / sub).glob("*.html"):
            if stale not in kept:
                stale.unlink()
    return [index, *(page for page in written if page != index)]


def render_search(query: str, hits: Sequence[Any], links: Links) -> str:
    """The search page: hits with their escaped, highlighted snippets and links to stories and documents."""
    rows = [{"kind": h.kind, "title": h.title, "snippet": h.snippet,
             "href": links.document(h.ref) if h.kind == "body" else links.story(h.ref),
             "stories": [links.story(s) for s in h.stories]} for h in hits]
    return _page("search.html", links, query=query, hits=rows)


def render_verify(text: str, result: dict[str, Any] | None, links: Links, *, action: str,
                  max_chars: int) -> str:
    """The verify page: a form, and the text's claims with their verdicts and cited evidence."""
    def entry(e: dict[str, Any]) -> dict[str, Any]:
        cite = e["citations"][0]
        story = e.get("story") or {}
        return {**e, "href": links.document(cite["document"], cite["start"], cite["end"]),
                "where": story.get("title") or cite["document"]}

    claims = None if result is None else [
        {**c, "support": [entry(e) for e in c["support"]], "conflicts": [entry(e) for e in c["conflicts"]]}
        for c in result["claims"]]
    return _page("verify.html", links, text=text, claims=claims, action=action, max_chars=max_chars,
                 counts=(result or {}).get("counts", {}))


def render_message(title: str, message: str, links: Links) -> str:
    """A plain page for errors (unknown story, bad query)."""
    return _page("message.html", links, title=title, message=message)
