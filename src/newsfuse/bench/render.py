"""Render an HTML page to all of its visible text, as a tag-dropping scraper would.

Menus, footers and cookie banners stay in: this is the "raw scrape" baseline, the input a
boilerplate remover must clean, not an extractor.
"""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

from lxml import etree, html

MAX_HTML_BYTES = 20 * 1024 * 1024  # a bigger page is cut here rather than stalling the bench
MAX_DEPTH = 400  # lxml nests broken markup deeply; deeper subtrees are flattened to text
_SKIPPED_TAGS = ("script", "style", "noscript", "template")
_BLOCK_TAGS = frozenset(
    ("address", "article", "aside", "blockquote", "body", "br", "caption", "center", "dd",
     "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer",
     "form", "frame", "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr",
     "iframe", "legend", "li", "main", "menu", "nav", "ol", "option", "p", "pre", "section",
     "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul")
)  # fmt: skip
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_INLINE_WS_RE = re.compile(r"[^\S\n]+")
_ANY_WS_RE = re.compile(r"\s+")
_SKIPPED_BLOCK_RE = re.compile(r"<(script|style|noscript|template|head)\b.*?</\1\s*>|<!--.*?-->", re.I | re.S)
_BLOCK_TAG_RE = re.compile(r"</?(?:" + "|".join(sorted(_BLOCK_TAGS)) + r")\b[^>]*>", re.I)
_ANY_TAG_RE = re.compile(r"<[^>]*>")
_FALLBACK_ENCODING = "cp1252"  # what browsers assume for undeclared legacy pages


def decode_html(raw: bytes) -> str:
    """Decode page bytes: UTF-8 if valid, else the declared meta charset, else cp1252."""
    head = raw[:4096]
    if head.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    match = _META_CHARSET_RE.search(head)
    if match:
        try:
            return raw.decode(match.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    return raw.decode(_FALLBACK_ENCODING, errors="replace")


def _parse(markup: str) -> Any:
    # huge_tree lifts libxml2's depth-256 cut (tag soup nests deeply); MAX_HTML_BYTES bounds size.
    parser = html.HTMLParser(remove_comments=True, remove_pis=True, huge_tree=True)
    try:
        root = html.document_fromstring(markup, parser=parser)
    except (etree.ParserError, ValueError):
        return None
    # Past libxml2's hard depth limit the rest of the page is silently dropped.
    if any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log):
        return None
    return root


def render_text(page: bytes | str, max_bytes: int = MAX_HTML_BYTES) -> str:
    """Every visible text node of the body, block elements on their own lines, spaces collapsed."""
    markup = decode_html(page[:max_bytes]) if isinstance(page, bytes) else page[:max_bytes]
    # lxml refuses str input that still declares an encoding.
    markup = _XML_DECL_RE.sub("", markup, count=1)
    if not markup.strip():
        return ""
    root = _parse(markup)
    if root is None:
        # libxml2 gives up on pathological nesting; a regex strip still yields the words.
        return _regex_text(markup)
    etree.strip_elements(root, *_SKIPPED_TAGS, with_tail=False)
    body = root.find("body")
    out: list[str] = []
    _emit(body if body is not None else root, out)
    return _tidy_lines("".join(out))


def _tidy_lines(text: str) -> str:
    lines = (_INLINE_WS_RE.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _regex_text(markup: str) -> str:
    body = _ANY_WS_RE.sub(" ", _SKIPPED_BLOCK_RE.sub(" ", markup))
    body = _BLOCK_TAG_RE.sub("\n", body)
    return _tidy_lines(html_lib.unescape(_ANY_TAG_RE.sub("", body)))


def _emit(root, out: list[str]) -> None:  # noqa: ANN001 - lxml element
    # Explicit stack instead of recursion: broken pages nest thousands of unclosed tags.
    # Entries: (element, depth, closing?, inside <pre> above it?).
    stack: list[tuple[Any, int, bool, bool]] = [(root, 0, False, False)]

    def put(text: str | None, pre: bool) -> None:
        # Source line breaks are plain spaces in HTML, except inside <pre>.
        if text:
            out.append(text if pre else _ANY_WS_RE.sub(" ", text))

    while stack:
        el, depth, closing, parent_pre = stack.pop()
        if not isinstance(el.tag, str):  # comments and PIs the parser kept
            put(el.tail, parent_pre)
            continue
        tag = el.tag.lower()
        block = tag in _BLOCK_TAGS
        if closing:
            if block:
                out.append("\n")
            if el is not root:
                put(el.tail, parent_pre)
            continue
        pre = parent_pre or tag == "pre"
        if block:
            out.append("\n")
        stack.append((el, depth, True, parent_pre))
        if depth >= MAX_DEPTH:
            put(" ".join(el.itertext()), pre)
            continue
        put(el.text, pre)
        stack.extend((child, depth + 1, False, pre) for child in reversed(el))
