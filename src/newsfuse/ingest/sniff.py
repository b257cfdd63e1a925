"""Guess what a document is from its first bytes: WARC, JSON lines, HTML or plain text."""

from __future__ import annotations

import json
import re
from typing import Literal

Kind = Literal["warc", "jsonl", "html", "text"]

# Complete lines looked at to decide JSONL: one broken first line should not hide the format.
JSONL_PROBE_LINES = 5

_MARKUP = re.compile(
    r"<(?:!doctype\s+html|html|head|body|meta|title|article|main|div|p|h1|h2|span|table|br)[\s>/]",
    re.I,
)
_WHOLE_DOCUMENT = re.compile(r"<(?:html|body)[\s>]", re.I)


def looks_like_html(head: str) -> bool:
    """True when text opens as markup, or holds an <html>/<body> tag early on."""
    stripped = head.lstrip("\ufeff \t\r\n")
    if stripped.startswith("<") and _MARKUP.search(stripped[:8192]):
        return True
    return _WHOLE_DOCUMENT.search(head[:8192]) is not None


def sniff_kind(head: bytes) -> Kind:
    """The kind of a document from its first bytes (a 64 KiB sample is plenty)."""
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"WARC/"):
        return "warc"
    if stripped.startswith(b"{") and _looks_like_jsonl(stripped):
        return "jsonl"
    if looks_like_html(stripped[:8192].decode("utf-8", errors="replace")):
        return "html"
    return "text"


def _looks_like_jsonl(head: bytes) -> bool:
    lines = head.split(b"\n")
    complete, partial = lines[:-1], lines[-1]
    if not complete:
        return _object_or_cut_short(partial.rstrip())
    for line in complete[:JSONL_PROBE_LINES]:
        try:
            if isinstance(json.loads(line), dict):
                return True
        except (ValueError, RecursionError):
            continue
    return False


def _object_or_cut_short(line: bytes) -> bool:
    """A lone line is JSON when it parses as an object or breaks only where the sample ends."""
    try:
        return isinstance(json.loads(line), dict)
    except json.JSONDecodeError as exc:
        return exc.pos >= len(exc.doc) - 1
    except (ValueError, RecursionError):
        return False
