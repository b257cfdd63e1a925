"""Dates a page does not state, inferred from the weekday it names and its story's dated pages."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

from ..model import Article, Evidenced

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY = re.compile(r"\b(" + "|".join(d.capitalize() for d in _WEEKDAYS) + r")\b")


def page_date(article: Article) -> date | None:
    """The date a page states for itself: published, else its update stamp."""
    for stamp in (article.meta.published, article.meta.updated):
        if stamp and not stamp.inferred:
            try:
                return date.fromisoformat(stamp.value[:10])
            except ValueError:
                continue
    return None


def infer_publication_dates(members: Sequence[Article]) -> list[Article]:
    """Members with an inferred `published` where the page names a weekday and a sibling is dated.

    The page's lead weekday ("launched talks Thursday") is resolved to the latest such weekday on
    or before the earliest dated sibling; the page is taken to be published that day. The value
    is marked inferred, and its evidence names the sentence and the sibling it came from.
    """
    anchors = sorted((d, a.id) for a in members if (d := page_date(a)) is not None)
    if not anchors:
        return list(members)
    anchor_day, anchor_id = anchors[0]
    out = []
    for article in members:
        if article.meta.published or article.meta.updated:
            out.append(article)
            continue
        match = _WEEKDAY.search(article.body[:1500])
        if not match:
            out.append(article)
            continue
        weekday = _WEEKDAYS.index(match.group(1).lower())
        resolved = anchor_day - timedelta(days=(anchor_day.weekday() - weekday) % 7)
        line_start = article.body.rfind("\n", 0, match.start()) + 1
        line_end = article.body.find("\n", match.end())
        line = article.body[line_start:line_end if line_end >= 0 else len(article.body)]
        evidence = (f"“{match.group(1)}” in: {line[:200]} — resolved against {anchor_id}, "
                    f"dated {anchor_day.isoformat()}")
        inferred = Evidenced(value=resolved.isoformat(), evidence=evidence, how="weekday", inferred=True)
        out.append(replace(article, meta=replace(article.meta, published=inferred)))
    return out
