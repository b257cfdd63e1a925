"""Read JSON lines, one page per object, a Rejection for each line that is not one."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from newsfuse.ingest.decode import replace_escapes
from newsfuse.ingest.records import make_page, reject
from newsfuse.ingest.streams import MAX_PAGE_BYTES, SafeGzip, skip_line
from newsfuse.model import Page, Rejection, content_id

# Optional string fields copied onto the Page; a wrong type drops the field with a note.
META_FIELDS = ("url", "title", "published", "outlet")

# A document id names files of the report (documents/ID.html) and a path segment of the web
# app: an id with a path separator, "." or "..", or longer than a file name may be, made the run
# crash writing its report (or write outside the output folder). Such an id is dropped with a
# note and the page gets the id it would have had without one. (Control characters stay: the
# store keeps "nul\x00page" as given.)
MAX_ID_CHARS = 200
_UNSAFE_ID = re.compile(r"[/\\]")


def read_jsonl(stream: BinaryIO, source: str, gz: SafeGzip | None = None) -> Iterator[Page | Rejection]:
    """Pages from a JSON-lines stream, one line in memory at a time; `source:line` for each."""
    lineno = 0
    while True:
        line = stream.readline(MAX_PAGE_BYTES + 1)
        if not line:
            break
        lineno += 1
        where = f"{source}:{lineno}"
        if len(line) > MAX_PAGE_BYTES and not line.endswith(b"\n"):
            skip_line(stream)
            yield reject(where, "too_large", f"line is over {MAX_PAGE_BYTES} bytes")
            continue
        if not line.strip():
            continue
        cut_short = not line.endswith(b"\n") and gz is not None and gz.problem is not None
        yield _record(line, where, cut_short=cut_short)
    if gz is not None and gz.problem is not None and lineno and line.endswith(b"\n"):
        # The stream broke exactly between lines: say so, since later records are lost.
        yield reject(f"{source}:{lineno + 1}", _reason(gz.problem), f"gzip {gz.problem}")


def _reason(problem: str) -> str:
    return "truncated" if problem == "truncated" else "corrupt"


def _record(line: bytes, where: str, *, cut_short: bool) -> Page | Rejection:
    text, bad = replace_escapes(line.decode("utf-8", errors="surrogateescape"))
    notes = (f"invalid UTF-8: {bad} bytes replaced",) if bad else ()
    fallback_id = content_id(text)
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        if cut_short:
            return reject(where, "truncated", "gzip stream ends inside this line", id=fallback_id)
        # Some of json's messages end in "at" ("Invalid control character at"): say it once.
        detail = f"{exc.msg.removesuffix(' at')} at column {exc.colno}"
        return reject(where, "invalid_json", detail, id=fallback_id)
    except RecursionError:
        return reject(where, "invalid_json", "nested too deeply", id=fallback_id)
    if not isinstance(obj, dict):
        return reject(where, "bad_record", f"a JSON {_json_type(obj)}, expected an object", id=fallback_id)
    input_id, problem = _input_id(obj.get("id"))
    if problem:
        return reject(where, "bad_record", problem, id=fallback_id)
    if input_id is not None and not _usable_id(input_id):
        notes += (f"ignored 'id' {input_id[:40]!r}: not usable as a file name",)
        input_id = None
    content, format, problem = _content(obj)
    if problem or content is None:
        return reject(where, "bad_record", problem, id=input_id or fallback_id)
    meta: dict[str, str | None] = {}
    for name in META_FIELDS:
        value = obj.get(name)
        if value is None or isinstance(value, str):
            meta[name] = value.strip() or None if isinstance(value, str) else None
        else:
            notes += (f"ignored '{name}': a JSON {_json_type(value)}, expected a string",)
    return make_page(content, format=format, source=where, input_id=input_id, notes=notes, **meta)


def _input_id(value: Any) -> tuple[str | None, str]:
    """The record's own id as a string (ints allowed), or a problem for other types."""
    if value is None:
        return None, ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None, f"'id' is a JSON {_json_type(value)}, expected a string or integer"
    return str(value).strip() or None, ""


def _usable_id(value: str) -> bool:
    return len(value) <= MAX_ID_CHARS and value not in (".", "..") and _UNSAFE_ID.search(value) is None


def _content(obj: dict[str, Any]) -> tuple[str | None, Any, str]:
    """The page content and its format; non-blank HTML wins over text as the rawer of the two."""
    for name, format in (("html", "html"), ("text", "text")):
        value = obj.get(name)
        if value is not None and not isinstance(value, str):
            return None, format, f"'{name}' is a JSON {_json_type(value)}, expected a string"
    html, text = obj.get("html"), obj.get("text")
    if html is not None and (html.strip() or text is None):
        return html, "html", ""
    if text is not None:
        return text, "text", ""
    return None, "text", "no 'text' or 'html' field"


def _json_type(value: Any) -> str:
    names = {
        bool: "boolean",
        int: "number",
        float: "number",
        str: "string",
        list: "array",
        dict: "object",
        type(None): "null",
    }
    return names.get(type(value), type(value).__name__)
