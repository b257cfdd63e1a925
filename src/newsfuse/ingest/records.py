"""Build Page and Rejection records: stable ids, hashes, empty and binary checks."""

from __future__ import annotations

import hashlib

from newsfuse.ingest.decode import decode_bytes, sniff_binary
from newsfuse.model import Page, PageFormat, Rejection, content_id, sha256_text


def stable_id(*, input_id: str | None, url: str | None, content: str) -> str:
    """The input's own id, else one derived from the URL, else one derived from the content."""
    if input_id:
        return input_id
    if url:
        return content_id(url)
    return content_id(content)


def bytes_id(data: bytes) -> str:
    """An id for undecodable content (binary files): same bytes, same id, whatever the name."""
    return content_id(hashlib.sha256(data).hexdigest())


def reject(
    source: str,
    reason: str,
    detail: str = "",
    *,
    id: str | None = None,
    content: str | None = None,
    data: bytes | None = None,
) -> Rejection:
    """A Rejection whose id follows the page-id rules as far as anything is known."""
    if id is None:
        if content is not None:
            id = content_id(content)
        elif data:
            id = bytes_id(data)
        else:
            # Nothing to derive from (empty, unreadable, too large to read): the source names it.
            id = content_id("rejected", source)
    sha = sha256_text(content) if content is not None else None
    return Rejection(id=id, source=source, reason=reason, detail=detail, sha256=sha)


def make_page(
    content: str,
    *,
    format: PageFormat,
    source: str,
    input_id: str | None = None,
    url: str | None = None,
    title: str | None = None,
    published: str | None = None,
    outlet: str | None = None,
    notes: tuple[str, ...] = (),
) -> Page | Rejection:
    """A Page for decoded content, or Rejection("empty") when it holds no visible characters."""
    page_id = stable_id(input_id=input_id, url=url, content=content)
    if not content.strip():
        detail = "only whitespace" if content else "no content"
        return reject(source, "empty", detail, id=page_id, content=content)
    return Page(
        id=page_id,
        source=source,
        content=content,
        format=format,
        sha256=sha256_text(content),
        url=url,
        title=title,
        published=published,
        outlet=outlet,
        notes=notes,
    )


def page_from_bytes(
    data: bytes,
    *,
    source: str,
    format: PageFormat,
    url: str | None = None,
    declared_charset: str | None = None,
    notes: tuple[str, ...] = (),
) -> Page | Rejection:
    """Decode one document's bytes into a Page, or a Rejection saying why not."""
    if not data:
        return reject(source, "empty", "0 bytes", id=content_id(url) if url else None)
    binary = sniff_binary(data)
    if binary is not None:
        return reject(source, "binary", f"looks like {binary}", data=data)
    decoded = decode_bytes(data, declared=declared_charset)
    return make_page(
        decoded.text,
        format=format,
        source=source,
        url=url,
        notes=notes + decoded.notes,
    )
