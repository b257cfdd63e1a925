"""Page -> Article | Rejection: HTML through trafilatura, scraped plain text through our own cleaner."""

from __future__ import annotations

from dataclasses import replace

from ..lang import detect_language
from ..model import Article, Page, Rejection
from .boilerplate import BoilerplateModel, build_boilerplate, host_key
from .html import clean_html_page
from .plaintext import clean_text_page, split_lines

__all__ = ["BoilerplateModel", "build_boilerplate", "clean_page", "host_key", "split_lines"]


def clean_page(page: Page, *, boilerplate: BoilerplateModel | None = None) -> Article | Rejection:
    """Clean one page by its format and tag the article with its detected language."""
    if page.format == "html":
        result = clean_html_page(page)
    else:
        result = clean_text_page(page, boilerplate=boilerplate)
    if isinstance(result, Article) and result.language in ("", "und"):
        result = replace(result, language=detect_language(result.body))
    return result
