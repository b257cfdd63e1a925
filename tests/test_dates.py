from datetime import date

from newsfuse.analyze.dates import infer_publication_dates, page_date
from newsfuse.model import Article, Evidenced, Metadata


def article(doc_id: str, body: str, **meta: Evidenced) -> Article:
    return Article(id=doc_id, source=doc_id, body=body, language="en", meta=Metadata(**meta),
                   segments=(), raw_sha256="0" * 64, cleaner="test")


UPDATED = Evidenced("2020-06-13", "China Daily | Updated: 2020-06-13 00:00", "header-date")


def test_weekday_resolves_against_a_dated_sibling_and_is_marked_inferred():
    dated = article("a", "Talks ended.", updated=UPDATED)
    undated = article("b", "BAGHDAD — The two countries launched talks Thursday that span many issues.")
    _, inferred = infer_publication_dates([dated, undated])
    assert inferred.meta.published.value == "2020-06-11"  # the Thursday before Saturday 13 June
    assert inferred.meta.published.inferred
    assert "Thursday" in inferred.meta.published.evidence and "a" in inferred.meta.published.evidence


def test_nothing_is_inferred_without_a_dated_sibling_or_a_weekday():
    assert infer_publication_dates([article("b", "Talks began Thursday.")])[0].meta.published is None
    out = infer_publication_dates([article("a", "x", updated=UPDATED), article("c", "Talks began.")])
    assert out[1].meta.published is None


def test_weekday_resolves_to_the_latest_such_day_on_or_before_the_anchor():
    far = Evidenced("2020-06-30", "Published June 30, 2020", "header-date")
    # The Thursday before 30 June is 25 June, five days earlier: usable.
    out = infer_publication_dates([article("a", "x", published=far), article("b", "It began Thursday.")])
    assert out[1].meta.published.value == "2020-06-25"


def test_page_date_prefers_stated_publication_then_update_stamp():
    published = Evidenced("2020-06-12", "June 12, 2020", "header-date")
    assert page_date(article("a", "x", published=published, updated=UPDATED)) == date(2020, 6, 12)
    assert page_date(article("a", "x", updated=UPDATED)) == date(2020, 6, 13)
    assert page_date(article("a", "x")) is None
