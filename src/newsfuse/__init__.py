"""newsfuse: raw news pages from many outlets in; clean, deduplicated, cited stories out."""

__version__ = "0.1.0"

from .api import brief, clean_page, find_duplicates, group, open_store, page_from_text, read, run  # noqa: E402
from .errors import NewsfuseError  # noqa: E402
from .model import Article, BriefSentence, Citation, Page, Rejection, Story  # noqa: E402
from .pipeline import Settings  # noqa: E402

__all__ = [
    "Article", "BriefSentence", "Citation", "NewsfuseError", "Page", "Rejection", "Settings", "Story",
    "__version__", "brief", "clean_page", "find_duplicates", "group", "open_store", "page_from_text", "read",
    "run",
]
