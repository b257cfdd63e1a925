"""A finished run as plain JSON records: the one shape behind stories.json, the JSONL files and the store."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TextIO

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


class RunRecords:
    """A finished run as records handed out one at a time: a run of 100,000 pages must not hold
    every document record (body and evidence) at once, so outputs are written from this view as
    they stream. Made from a pipeline Result (articles read back from the store on demand) or
    from a plain stories.json record."""

    def __init__(self, header: dict[str, Any], duplicates: list[list[str]],
                 syndication: Callable[[], Iterator[dict[str, Any]]], common_sources: list[dict[str, Any]],
                 documents: Callable[[], Iterator[dict[str, Any]]],
                 stories: Callable[[], Iterator[dict[str, Any]]],
                 document: Callable[[str], dict[str, Any] | None],
                 rejected: Callable[[], Iterator[dict[str, Any]]]) -> None:
        self.header = header
        self.duplicates = duplicates
        self._syndication = syndication
        self._syndication_index: dict[str, dict[str, Any]] | None = None
        self.common_sources = common_sources
        self._documents, self._stories = documents, stories
        self._document, self._rejected = document, rejected

    @classmethod
    def of_result(cls, result: Any) -> RunRecords:
        def document(doc_id: str) -> dict[str, Any] | None:
            found = result.articles.get(doc_id) or result.rejections.get(doc_id)
            return document_record(found) if found is not None else None

        def documents() -> Iterator[dict[str, Any]]:
            for doc_id in sorted(result.order):
                yield document_record(result.articles.get(doc_id) or result.rejections[doc_id])

        def stories() -> Iterator[dict[str, Any]]:
            for story in result.stories:
                yield story_record(story, result.lineage.get(story.id))

        def rejected() -> Iterator[dict[str, Any]]:
            for doc_id in sorted(result.rejections):
                yield document_record(result.rejections[doc_id])

        return cls(_header(result.summary.as_dict()), [list(g) for g in result.duplicates],
                   lambda: (to_plain(s) for s in result.syndication),
                   [to_plain(c) for c in result.common_sources],
                   documents, stories, document, rejected)

    @classmethod
    def of_record(cls, record: Mapping[str, Any]) -> RunRecords:
        by_id = {d["id"]: d for d in record["documents"]}
        return cls({k: record[k] for k in _HEADER_KEYS if k in record}, list(record.get("duplicates", [])),
                   lambda: iter(record.get("syndication", [])), list(record.get("common_sources", [])),
                   lambda: iter(record["documents"]), lambda: iter(record["stories"]), by_id.get,
                   lambda: (d for d in record["documents"] if d["status"] == "rejected"))

    def reading(self, documents: Path, stories: Path) -> RunRecords:
        """This run with its documents and stories read back from the JSONL files written of
        them: each story becomes a record once, however many outputs show it."""
        return RunRecords(self.header, self.duplicates, self._syndication, self.common_sources,
                          lambda: _read_lines(documents), lambda: _read_lines(stories), self._document,
                          self._rejected)

    def documents(self) -> Iterator[dict[str, Any]]:
        """Every document record (articles and rejections), by id."""
        return self._documents()

    def stories(self) -> Iterator[dict[str, Any]]:
        """Every story record, in the run's order."""
        return self._stories()

    def document(self, doc_id: str) -> dict[str, Any] | None:
        return self._document(doc_id)

    def syndication(self) -> Iterator[dict[str, Any]]:
        """Every syndicated group's record."""
        return self._syndication()

    def syndication_by_document(self) -> dict[str, dict[str, Any]]:
        """Document id -> what the outputs show of its syndicated group (id, origin, origin
        document, miscredited pages, members); one small record per group, made once."""
        if self._syndication_index is None:
            self._syndication_index = {}
            for group in self.syndication():
                slim = {key: group[key] for key in _SYNDICATION_SHOWN if key in group}
                self._syndication_index.update((doc, slim) for doc in group["documents"])
        return self._syndication_index

    def rejected(self) -> Iterator[dict[str, Any]]:
        """The records of rejected documents, by id."""
        return self._rejected()

    @property
    def summary(self) -> dict[str, Any]:
        return self.header.get("summary", {})


def _read_lines(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


_SYNDICATION_SHOWN = ("id", "origin", "origin_document", "miscredited", "documents")
_HEADER_KEYS = ("schema", "version", "generator", "summary")


def _header(summary: dict[str, Any]) -> dict[str, Any]:
    return {"schema": SCHEMA_NAME, "version": SCHEMA_VERSION, "generator": f"newsfuse {__version__}",
            "summary": summary}


def write_run_json(records: RunRecords, fh: TextIO) -> None:
    """stories.json, the bytes `json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True)`
    gives for the whole record, written a document and a story at a time; no clock values, so
    same input, same bytes."""
    def dump(value: Any, indent: str) -> str:
        return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True).replace("\n", "\n" + indent)

    fields: dict[str, Any] = {**records.header, "duplicates": records.duplicates,
                              "syndication": records.syndication, "common_sources": records.common_sources,
                              "documents": records.documents, "stories": records.stories}
    fh.write("{")
    for number, key in enumerate(sorted(fields)):
        fh.write(("," if number else "") + f"\n  {json.dumps(key)}: ")
        value = fields[key]
        if not isinstance(value, list) and not callable(value):
            fh.write(dump(value, "  "))
            continue
        # Lists go out an item at a time: syndication alone dumps to hundreds of MB at 30k pages.
        empty = True
        for item in value() if callable(value) else value:
            fh.write(("[" if empty else ",") + "\n    " + dump(item, "    "))
            empty = False
        fh.write("[]" if empty else "\n  ]")
    fh.write("\n}\n")


def story_record(story: Any, lineage: Mapping[str, str | None] | None = None) -> dict[str, Any]:
    """One story: ids, title, brief with citations, its analysis sections and its lineage."""
    record = to_plain(story)
    analysis = record.pop("analysis", {}) or {}
    record.update(analysis)
    record["continues"] = (lineage or {}).get("continues")
    record["split_from"] = (lineage or {}).get("split_from")
    return record
