"""Read one file or stream: pick the reader by suffix, or by sniffing the content."""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from newsfuse.ingest.decode import sniff_binary
from newsfuse.ingest.jsonl import read_jsonl
from newsfuse.ingest.records import page_from_bytes, reject
from newsfuse.ingest.sniff import Kind, sniff_kind
from newsfuse.ingest.streams import MAX_PAGE_BYTES, SafeGzip, maybe_gunzip, peek, read_capped
from newsfuse.ingest.warc import read_warc
from newsfuse.model import Page, PageFormat, Rejection

_SUFFIXES: tuple[tuple[str, Kind], ...] = (
    (".jsonl", "jsonl"),
    (".jsonl.gz", "jsonl"),
    (".warc", "warc"),
    (".warc.gz", "warc"),
    (".html", "html"),
    (".htm", "html"),
    (".html.gz", "html"),
    (".htm.gz", "html"),
    (".txt", "text"),
    (".txt.gz", "text"),
)

# Bytes looked at to sniff a document of unknown kind.
SNIFF_BYTES = 64 * 1024


def kind_from_name(name: str) -> Kind | None:
    """The reader a file name asks for, or None when only its content can tell."""
    lower = name.lower()
    for suffix, kind in _SUFFIXES:
        if lower.endswith(suffix):
            return kind
    return None


def read_file(path: Path, source: str) -> Iterator[Page | Rejection]:
    """Every page in one file (a WARC or JSONL holds many), streamed."""
    kind = kind_from_name(path.name)
    try:
        handle = path.open("rb")
        size = os.fstat(handle.fileno()).st_size
    except OSError as exc:
        yield reject(source, "unreadable", exc.strerror or str(exc))
        return
    with handle:
        if kind in ("html", "text") and not path.name.lower().endswith(".gz") and (size > MAX_PAGE_BYTES):
            yield reject(source, "too_large", f"{size} bytes, over {MAX_PAGE_BYTES}")
            return
        try:
            yield from read_stream(handle, source, kind)
        except OSError as exc:
            yield reject(source, "unreadable", exc.strerror or str(exc))


def read_stream(stream: BinaryIO, source: str, kind: Kind | None) -> Iterator[Page | Rejection]:
    """Every page in a byte stream of the given kind (sniffed when None)."""
    if kind == "warc":
        # warcio undoes per-record gzip itself; unzipping the whole stream first would not help.
        yield from read_warc(stream, source)
        return
    stream, gz = maybe_gunzip(stream)
    if kind in (None, "jsonl"):
        head, stream = peek(stream, SNIFF_BYTES)
        kind = kind or (sniff_kind(head) if head else "text")
        binary = sniff_binary(head) if kind == "jsonl" else None
        if binary is not None:
            # One Rejection for the file, not one per "line" of an image named .jsonl.
            yield reject(source, "binary", f"looks like {binary}", data=head)
            return
    if kind == "warc":
        yield from read_warc(stream, source)
    elif kind == "jsonl":
        yield from read_jsonl(stream, source, gz)
    else:
        yield read_document(stream, source, "html" if kind == "html" else "text", gz)


def read_document(
    stream: BinaryIO, source: str, format: PageFormat, gz: SafeGzip | None = None
) -> Page | Rejection:
    """One whole-file page (HTML or text), bounded by MAX_PAGE_BYTES."""
    data = read_capped(stream, MAX_PAGE_BYTES)
    if data is None:
        what = "decompressed " if gz is not None else ""
        return reject(source, "too_large", f"over {MAX_PAGE_BYTES} bytes {what}".strip())
    notes: tuple[str, ...] = ()
    if gz is not None and gz.problem is not None:
        reason = "truncated" if gz.problem == "truncated" else "corrupt"
        if not data.strip():
            return reject(source, reason, f"gzip {gz.problem}; nothing could be decompressed")
        notes = (f"gzip {gz.problem}: kept the first {len(data)} bytes",)
        data = _trim_partial_utf8(data)
    return page_from_bytes(data, source=source, format=format, notes=notes)


def _trim_partial_utf8(data: bytes) -> bytes:
    """Drop a multi-byte UTF-8 character cut in half at the end of a truncated stream."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(data, final=False)
    except UnicodeDecodeError:
        return data  # not UTF-8 anyway: leave it to charset detection
    pending, _ = decoder.getstate()
    return data[: len(data) - len(pending)] if pending else data
