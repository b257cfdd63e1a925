"""HTML page -> Article through trafilatura: body paragraphs, raw spans and evidenced metadata."""

from __future__ import annotations

import re
from typing import Any

import trafilatura
from htmldate import find_date
from lxml import etree
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HtmlProcessingInstruction, fromstring
from trafilatura import metadata as trafilatura_metadata
from trafilatura.utils import is_dubious_html, repair_faulty_html

from newsfuse.clean.boilerplate import is_service_notice
from newsfuse.clean.html_meta import extract_html_metadata
from newsfuse.clean.html_spans import map_paragraphs
from newsfuse.clean.plaintext import estimate_words
from newsfuse.lang import detect_language
from newsfuse.model import Article, Page, Rejection

__all__ = ["CLEANER", "EXTRACT_OPTIONS", "MAX_HTML_CHARS", "clean_html_page", "split_paragraphs"]

# Our own rules' version (2: service notices dropped; 3: video playlist chrome) and trafilatura's: either
# can change a body.
CLEANER = f"html/trafilatura-{trafilatura.__version__}+3"

# trafilatura settings, chosen on the Article Extraction Benchmark (181 pages, token-4-gram
# shingle F1, the benchmark's metric): favor_precision 0.964 (P 0.958, R 0.971) beats trafilatura's
# defaults 0.953, comments off 0.960, fast (no fallbacks) 0.962, favor_recall 0.959, tables off
# 0.957, formatting on 0.957, precision+fast 0.946. On CleanPortalEval (71 pages, 4 portals)
# precision scores 0.928 against 0.935 for comments-off defaults; we keep precision: boilerplate
# in a body costs more downstream (false duplicates, junk in briefs) than a missed paragraph.
EXTRACT_OPTIONS: dict[str, Any] = {
    "favor_precision": True,
    "include_comments": False,
    "include_tables": True,
    "deduplicate": False,  # trafilatura's dedup cache is process-global: results would vary
}

# Largest page handed to trafilatura. It runs at ~0.5 s per MB of text-heavy HTML on this
# machine (28 MB took 14 s); the largest AEB page is 1.5 MB and real article pages stay well
# under 5 MB, so 16 MiB bounds one page to ~8 s without turning away real articles.
MAX_HTML_CHARS = 16 * 1024 * 1024

# Fewer words than this is a menu or a stub that trafilatura's fallback scraped together, not
# an article: the shortest AEB gold body has 18 words, the next 42.
MIN_ARTICLE_WORDS = 12

# trafilatura's parser options, with one change: lxml.html picks each node's Python class through
# a Python callback (FormElement for <form>, InputElement for <input>, ...) every time lxml wraps
# a node, ~590,000 times on the AEB pages, a tenth of the cleaning time. Extraction, metadata and
# htmldate use none of the form classes' extras, so a C-level lookup making every element a plain
# HtmlElement yields the same text (checked: identical Articles on all 181 AEB pages) faster.
_HTML_PARSER = etree.HTMLParser(collect_ids=False, default_doctype=False, encoding="utf-8",
                                remove_comments=True, remove_pis=True)
_HTML_PARSER.set_element_class_lookup(etree.ElementDefaultClassLookup(
    element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity))
# libxml2 stops building the tree at this depth (its "huge" option, which lifts the limit, stays off
# for untrusted pages): whatever is nested deeper is dropped, so a page whose tree reaches it lost
# its text to the parser. A page nested 100,000 deep came out as "trafilatura found no main text".
PARSER_MAX_DEPTH = 256

# trafilatura renders list items as "- item"; the marker is layout, not article text.
_LIST_MARKER = re.compile(r"^[-*•]\s+")


def clean_html_page(page: Page) -> Article | Rejection:
    """The article in an HTML page, or a Rejection saying why there is none; never raises."""
    if len(page.content) > MAX_HTML_CHARS:
        return _reject(page, "too_large", f"{len(page.content)} characters, over {MAX_HTML_CHARS}")
    try:
        return _clean(page)
    except RecursionError:
        return _reject(page, "too_deep", "markup nested too deeply for the HTML extractor")
    except MemoryError:
        return _reject(page, "too_large", "out of memory while extracting")
    except Exception as exc:  # noqa: BLE001 - trafilatura/lxml raise many types on bad markup
        return _reject(page, "extractor_error", f"{type(exc).__name__}: {exc}"[:300])


def _clean(page: Page) -> Article | Rejection:
    tree = _load_html(page.content)
    if tree is None:
        return _reject(page, "no_article", "the HTML could not be parsed")
    # Metadata first: extraction prunes the tree it is given, and one parse serves both.
    metadata = _metadata(tree, page.url)
    document = trafilatura.bare_extraction(tree, url=page.url, **EXTRACT_OPTIONS)
    text = getattr(document, "text", None) if document is not None else None
    # trafilatura keeps a web archive's or a player's notice when it is all the page holds.
    paragraphs = [p for p in split_paragraphs(text or "") if not is_service_notice(p)]
    if not paragraphs:
        # Extraction pruned `tree`; this rare path parses again to tell a cut-off page apart.
        if _reaches_parser_limit(_load_html(page.content)):
            return _reject(page, "too_deep", f"markup nested {PARSER_MAX_DEPTH}+ elements deep; the HTML "
                           "parser drops what lies deeper")
        return _reject(page, "no_article", "trafilatura found no main text")
    body = "\n\n".join(paragraphs)
    # Counted as the text cleaner counts: Chinese or Japanese text has no spaces, and split()
    # made a 160-character Chinese article "3 words" and rejected it.
    words = estimate_words(body)
    if words < MIN_ARTICLE_WORDS:
        return _reject(page, "no_article", f"main text has only {words:.0f} words: {body[:80]!r}")
    fields = {name: _string(getattr(metadata, name, None))
              for name in ("title", "author", "date", "sitename", "url")}
    return Article(
        id=page.id,
        source=page.source,
        body=body,
        language=detect_language(body),
        meta=extract_html_metadata(page, fields, paragraphs),
        segments=map_paragraphs(paragraphs, page.content),
        raw_sha256=page.sha256,
        cleaner=CLEANER,
        url=page.url or fields["url"],
        notes=page.notes,
    )


def _metadata(tree: HtmlElement, url: str | None) -> trafilatura_metadata.Document:
    """trafilatura's metadata, as `with_metadata=True` reads it, less what costs most and we never use.

    Its date search over the page text (htmldate's extensive search), categories, tags and
    licence took a fifth of the cleaning time on the AEB pages; the quick date search (meta tags,
    JSON-LD, URL, time elements) finds the same date on 179 of 181 AEB pages.
    """
    found = trafilatura_metadata.examine_meta(tree)
    if found.author and " " not in found.author:
        found.author = None
    found = trafilatura_metadata.extract_meta_json(tree, found)
    found.title = found.title or trafilatura_metadata.extract_title(tree)
    found.author = found.author or trafilatura_metadata.extract_author(tree)
    found.url = found.url or trafilatura_metadata.extract_url(tree, url)
    found.date = find_date(tree, original_date=True, extensive_search=False, url=found.url)
    found.sitename = found.sitename or trafilatura_metadata.extract_sitename(tree)
    if found.sitename:
        found.sitename = found.sitename.lstrip("@")
        if found.sitename and "." not in found.sitename and not found.sitename[0].isupper():
            found.sitename = found.sitename.title()
    elif found.url and (site := trafilatura_metadata.META_URL.match(found.url)):
        found.sitename = site[1]
    found.clean_and_trim()
    return found


def _load_html(content: str) -> HtmlElement | None:
    """trafilatura.utils.load_html for a decoded page, step for step, with our faster parser."""
    beginning = content[:50].lower()
    content = repair_faulty_html(content, beginning)
    tree = None
    try:
        tree = fromstring(content, parser=_HTML_PARSER)
    except ValueError:
        # "Unicode strings with encoding declaration are not supported": lxml wants the bytes.
        return _accepted(_parse_bytes(content), beginning)
    except Exception:  # noqa: BLE001, S110 - as trafilatura: any other failure, retry with bytes
        pass
    if tree is None or len(tree) < 1:
        tree = _parse_bytes(content)
    return _accepted(tree, beginning)


def _accepted(tree: HtmlElement | None, beginning: str) -> HtmlElement | None:
    # Without an <html> tag in its first characters, a page must parse into at least two
    # children to count as HTML (trafilatura's own test).
    if tree is not None and is_dubious_html(beginning) and len(tree) < 2:
        return None
    return tree


def _parse_bytes(content: str) -> HtmlElement | None:
    try:
        return fromstring(content.encode("utf8", "surrogatepass"), parser=_HTML_PARSER)
    except Exception:  # noqa: BLE001 - trafilatura treats any lxml failure here as "not HTML"
        return None


def _reaches_parser_limit(tree: HtmlElement | None) -> bool:
    """True when the parsed tree is as deep as libxml2 builds trees (so deeper markup was dropped)."""
    if tree is None:
        return False
    depth = 0
    for event, _ in etree.iterwalk(tree, events=("start", "end")):
        depth += 1 if event == "start" else -1
        if depth >= PARSER_MAX_DEPTH:
            return True
    return False


def split_paragraphs(text: str) -> list[str]:
    """trafilatura's text as paragraphs: one per line, list markers and blanks dropped."""
    paragraphs = []
    for line in text.splitlines():
        line = _LIST_MARKER.sub("", line.strip())
        if line:
            paragraphs.append(line)
    return paragraphs


def _string(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _reject(page: Page, reason: str, detail: str) -> Rejection:
    return Rejection(id=page.id, source=page.source, reason=reason, detail=detail, sha256=page.sha256)
