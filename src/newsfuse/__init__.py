"""newsfuse: raw news pages from many outlets in; clean, deduplicated, cited stories out."""

__version__ = "0.1.0"
