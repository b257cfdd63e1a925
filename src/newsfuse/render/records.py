"""A finished run as plain JSON records: the one shape behind stories.json, the JSONL files and the store."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import __version__
from ..model import Article, Evidenced, Rejection, to_plain

SCHEMA_NAME = "newsfuse/stories"
# Bump the major number when a field changes meaning or disappears; the minor when one is added.
SCHEMA_VERSION = "1.0"
_META_FIELDS = ("title", "outlet", "published", "updated", "dateline", "agency", "byline")


def document_record(document: Article | Rejection) -> dict[str, Any]:
    """One document as published in stories.json: flat fields plus the evidence behind each."""
    if isinstance(document, Rejection):
        return {"id": document.id, "source": document.source, "status": "rejected",
                "error": f"{document.reason}: {document.detail}" if document.detail else document.reason,
                "reason": document.reason, "title": None, "outlet": None, "published": None,
                "agency": None, "body": None, "raw_sha256": document.sha256}
    meta = document.meta
    record: dict[str, Any] = {"id": document.id, "source": document.source, "status": "ok", "error": None}
    for name in _META_FIELDS:
        value: Evidenced | None = getattr(meta, name)
        record[name] = value.value if value else None
    record.update({
        "language": document.language,
        "url": document.url,
        "body": document.body,
        "raw_sha256": document.raw_sha256,
        "cleaner": document.cleaner,
        "notes": list(document.notes),
        "evidence": {name: to_plain(getattr(meta, name)) for name in _META_FIELDS if getattr(meta, name)},
        "photo_credits": [to_plain(c) for c in meta.photo_credits],
    })
    return record


def run_record(result: Any) -> dict[str, Any]:
    """The whole of stories.json for a finished run; no clock values, so same input, same bytes."""
    documents = [result.articles.get(d) or result.rejections[d] for d in sorted(result.order)]
    return {
        "schema": SCHEMA_NAME,
        "version": SCHEMA_VERSION,
        "generator": f"newsfuse {__version__}",
        "summary": result.summary.as_dict(),
        "documents": [document_record(d) for d in documents],
        "duplicates": [list(g) for g in result.duplicates],
        "syndication": [to_plain(s) for s in result.syndication],
        "common_sources": [to_plain(c) for c in result.common_sources],
        "stories": [story_record(s, result.lineage.get(s.id)) for s in result.stories],
    }


def story_record(story: Any, lineage: Mapping[str, str | None] | None = None) -> dict[str, Any]:
    """One story: ids, title, brief with citations, its analysis sections and its lineage."""
    record = to_plain(story)
    analysis = record.pop("analysis", {}) or {}
    record.update(analysis)
    record["continues"] = (lineage or {}).get("continues")
    record["split_from"] = (lineage or {}).get("split_from")
    return record
