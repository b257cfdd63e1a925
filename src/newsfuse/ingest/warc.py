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
            offset = records.get_record_offset()
            if record.rec_type != "response" or record.http_headers is None:
                continue
            content_type = record.http_headers.get_header("Content-Type") or ""
            if not content_type.lower().startswith(_HTML_TYPES):
                continue
            url = record.rec_headers.get_header("WARC-Target-URI")
            yield _page(record, f"{source}#{offset}", url, content_type)
    except (ArchiveLoadFailed, EOFError, zlib.error, OSError, ValueError) as exc:
        reason = "truncated" if isinstance(exc, EOFError) else "corrupt"
        yield reject(f"{source}#{offset}", reason, f"WARC stops being readable: {exc}")


def _page(record: object, where: str, url: str | None, content_type: str) -> Page | Rejection:
    status = record.http_headers.get_statuscode()  # type: ignore[attr-defined]
    if not str(status).startswith("2"):
        # Error pages and redirects are responses, but not the article the URL names.
        return reject(where, "http_status", f"HTTP {status}", id=content_id(url) if url else None)
    data = read_capped(record.content_stream(), MAX_PAGE_BYTES)  # type: ignore[attr-defined]
    if data is None:
        return reject(
            where,
            "too_large",
            f"response body over {MAX_PAGE_BYTES} bytes",
            id=content_id(url) if url else None,
        )
    charset = _CHARSET.search(content_type)
    return page_from_bytes(
        data,
        source=where,
        format="html",
        url=url,
        declared_charset=charset.group(1) if charset else None,
    )
