"""Read the HTML responses of a WARC archive (plain or gzipped) as pages."""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from newsfuse.ingest.records import page_from_bytes, reject
from newsfuse.ingest.streams import MAX_PAGE_BYTES, read_capped
from newsfuse.model import Page, Rejection, content_id

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.I)


def read_warc(stream: BinaryIO, source: str) -> Iterator[Page | Rejection]:
    """HTML `response` records as pages (`source#offset`); other records are skipped silently."""
    records = ArchiveIterator(stream)
    offset = 0
    try:
        for record in records:
            if record.rec_type != "response" or record.http_headers is None:
                continue
            content_type = record.http_headers.get_header("Content-Type") or ""
            if not content_type.lower().startswith(_HTML_TYPES):
                continue
            url = record.rec_headers.get_header("WARC-Target-URI")
            url_id = content_id(url) if url else None
            status = str(record.http_headers.get_statuscode())
            # Read the body before asking for the offset: warcio finds it by reading to the end.
            data = read_capped(record.content_stream(), MAX_PAGE_BYTES) if status[:1] == "2" else b""
            # The reader stops quietly at a cut: bytes the record declared but never delivered.
            missing = getattr(record.raw_stream, "limit", 0) if status[:1] == "2" else 0
            offset = records.get_record_offset()
            where = f"{source}#{offset}"
            if missing and not data:
                yield reject(where, "truncated", f"WARC record cut short: {missing} bytes missing")
            elif status[:1] != "2":
                # Error pages and redirects are responses, but not the article the URL names.
                yield reject(where, "http_status", f"HTTP {status}", id=url_id)
            elif data is None:
                yield reject(where, "too_large", f"body over {MAX_PAGE_BYTES} bytes", id=url_id)
            else:
                charset = _CHARSET.search(content_type)
                yield page_from_bytes(
                    data,
                    source=where,
                    format="html",
                    url=url,
                    declared_charset=charset.group(1) if charset else None,
                    notes=(f"WARC record cut short: {missing} bytes missing",) if missing else (),
                )
    except (ArchiveLoadFailed, EOFError, zlib.error, OSError, ValueError) as exc:
        reason = "truncated" if isinstance(exc, EOFError) else "corrupt"
        yield reject(f"{source}#{offset}", reason, f"WARC stops being readable: {exc}")
