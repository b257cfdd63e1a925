"""The records newsfuse passes between stages: frozen dataclasses of plain values."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from functools import cache
from typing import Any, Literal

PageFormat = Literal["html", "text"]


def sha256_text(text: str) -> str:
    """Hex sha256 of a text encoded as UTF-8 (the hash a citation quotes for its raw page)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def content_id(*parts: str, prefix: str = "d") -> str:
    """A short stable id derived from content: same parts, same id, on every machine."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return f"{prefix}{digest[:16]}"


@dataclass(frozen=True, slots=True)
class Page:
    """One raw input document as read, before cleaning.

    `content` is the decoded page: HTML markup when `format == "html"`, else scraped plain text.
    The optional fields are what the input itself declared (a JSONL `title`, a WARC URL); the
    cleaner treats them as evidence, not as truth.
    """

    id: str
    source: str
    content: str
    format: PageFormat
    sha256: str
    url: str | None = None
    title: str | None = None
    published: str | None = None
    outlet: str | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Rejection:
    """A document that could not become an article, and why. Counted and reported, never fatal."""

    id: str
    source: str
    reason: str
    detail: str = ""
    sha256: str | None = None


@dataclass(frozen=True, slots=True)
class Evidenced:
    """A metadata value with the line of the page it came from.

    `how` names the rule that found it ("masthead", "credit-line", "url", "html-meta",
    "input", "dateline", ...). `inferred` is true when the value was reasoned out rather than
    read (a weekday resolved against other pages); `evidence` then says from what.
    """

    value: str
    evidence: str
    how: str
    inferred: bool = False


@dataclass(frozen=True, slots=True)
class Segment:
    """Where a stretch of the clean body stands verbatim in the raw page: body[b:b+n] == raw[r:r+n]."""

    body_start: int
    raw_start: int
    length: int


@dataclass(frozen=True, slots=True)
class Metadata:
    """What the cleaner read about a page besides its body; each value evidenced or None."""

    title: Evidenced | None = None
    outlet: Evidenced | None = None
    published: Evidenced | None = None
    updated: Evidenced | None = None
    dateline: Evidenced | None = None
    agency: Evidenced | None = None
    byline: Evidenced | None = None
    photo_credits: tuple[Evidenced, ...] = ()


@dataclass(frozen=True, slots=True)
class Article:
    """A cleaned page: its article body and metadata. Citations point into `body`, so it never changes."""

    id: str
    source: str
    body: str
    language: str
    meta: Metadata
    segments: tuple[Segment, ...]
    raw_sha256: str
    cleaner: str
    url: str | None = None
    notes: tuple[str, ...] = ()

    def cite(self, start: int, end: int) -> Citation:
        """A citation of body[start:end], anchored in the raw page too where the text stands there."""
        span = self.raw_span(start, end)
        if span is None:
            return Citation(self.id, start, end)
        return Citation(self.id, start, end, span[0], span[1], self.raw_sha256)

    def raw_span(self, start: int, end: int) -> tuple[int, int] | None:
        """Offsets in the raw page holding body[start:end] verbatim, or None if the page differs there."""
        for seg in self.segments:
            if seg.body_start <= start and end <= seg.body_start + seg.length:
                offset = seg.raw_start - seg.body_start
                return start + offset, end + offset
        return None


@dataclass(frozen=True, slots=True, order=True)
class Citation:
    """A span of a clean body (and of the raw page where it stands verbatim there)."""

    document: str
    start: int
    end: int
    raw_start: int | None = None
    raw_end: int | None = None
    raw_sha256: str | None = None


@dataclass(frozen=True, slots=True)
class SharedPassage:
    """Text two pages carry in common: the span in each, and whether it sits inside quotation marks."""

    left: Citation
    right: Citation
    words: int
    quoted: bool


@dataclass(frozen=True, slots=True)
class Syndication:
    """Pages carrying the same wire copy, the likely origin, and credits that disagree with it."""

    id: str
    documents: tuple[str, ...]
    origin: str | None
    origin_document: str | None
    origin_reason: str
    credits: dict[str, str | None]
    miscredited: tuple[str, ...]
    shared: tuple[SharedPassage, ...]
    relation: Literal["syndicated", "near-duplicate"] = "syndicated"


@dataclass(frozen=True, slots=True)
class CommonSource:
    """Pages that quote the same primary text (a joint statement) without copying each other."""

    documents: tuple[str, ...]
    shared: tuple[SharedPassage, ...]


@dataclass(frozen=True, slots=True)
class BriefSentence:
    """One sentence of a brief: verbatim text and every page that states it."""

    text: str
    citations: tuple[Citation, ...]


@dataclass(frozen=True, slots=True)
class Story:
    """Pages about one event, with their brief."""

    id: str
    title: str
    documents: tuple[str, ...]
    language: str
    brief: tuple[BriefSentence, ...] = ()
    analysis: dict[str, Any] = field(default_factory=dict)


def story_from_record(record: Mapping[str, Any]) -> Story:
    """A Story from its stored record (`to_plain` of it); its analysis stays plain values."""
    return Story(id=record["id"], title=record["title"], documents=tuple(record["documents"]),
                 language=record["language"],
                 brief=tuple(BriefSentence(text=sentence["text"],
                                           citations=tuple(Citation(**c) for c in sentence["citations"]))
                             for sentence in record.get("brief") or ()),
                 analysis=dict(record.get("analysis") or {}))


def to_plain(record: Any) -> Any:
    """A record as JSON-ready plain values (dataclasses become dicts, tuples lists)."""
    # Leaves first: most of a story record's values are strings and numbers, and asking each of
    # them whether it is a dataclass was a third of the cost.
    if record is None or isinstance(record, str | int | float):
        return record
    if isinstance(record, dict):
        return {k: to_plain(v) for k, v in record.items()}
    if isinstance(record, list | tuple):
        return [to_plain(v) for v in record]
    names = _field_names(type(record))
    if names is not None:
        # Field by field: dataclasses.asdict deep-copies every value first, which made
        # turning a run's stories into records cost more than writing them.
        return {name: to_plain(getattr(record, name)) for name in names}
    return record


@cache
def _field_names(kind: type) -> tuple[str, ...] | None:
    """The field names of a dataclass type, None for any other type."""
    return tuple(f.name for f in fields(kind)) if is_dataclass(kind) else None
