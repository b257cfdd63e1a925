"""HTML cleaning: the article and nothing else, verbatim raw spans, evidenced metadata, no raising."""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from newsfuse.clean import html as html_cleaner
from newsfuse.clean.html import CLEANER, MAX_HTML_CHARS, clean_html_page
from newsfuse.clean.html_meta import evidence_for, tidy_author
from newsfuse.model import Article, Page, Rejection, sha256_text

AEB = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "aeb"

PARAGRAPHS = [
    "The Harbour Bridge reopened to traffic on Tuesday morning after a two-year repair that "
    "cost the city 48 million euros, officials said.",
    "Mayor Anna Berg cut the ribbon at 7 a.m. and told a small crowd that the crossing was "
    "&ldquo;safer than it has ever been&rdquo; and ready for another century of use.",
    'Engineers replaced all 212 steel cables and resurfaced the <a href="/tags/deck">entire '
    "deck</a>, according to a statement from the city&#8217;s transport department.",
    "Commuters who had faced detours of up to forty minutes welcomed the news. &ldquo;It "
    "changes my whole morning,&rdquo; said Tom Reyes, a nurse who crosses the bridge daily.",
    "The department said a second phase of work on the approach roads would begin in the "
    "autumn and last about six months.",
]
MENU = ["Home", "World News", "Business", "Sign in to your account"]
RELATED = [
    "City council approves new budget for the coming year",
    "Tram line extension delayed again by supplier dispute",
]


def news_page(paragraphs: list[str] = PARAGRAPHS, *, author: str = "Maria Lopez") -> str:
    """A real-looking article page: head metadata, menu, article, related links, footer."""
    menu = "".join(f'<li><a href="/{i}">{item}</a></li>' for i, item in enumerate(MENU))
    related = "".join(f'<li><a href="/r{i}">{item}</a></li>' for i, item in enumerate(RELATED))
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Harbour bridge reopens after two-year repair | Riverside Gazette</title>
<meta property="og:title" content="Harbour bridge reopens after two-year repair">
<meta property="og:site_name" content="Riverside Gazette">
<meta name="author" content="{author}">
<meta property="article:published_time" content="2024-03-05T08:30:00Z">
<meta property="article:modified_time" content="2024-03-06T10:00:00Z">
<link rel="canonical" href="https://gazette.example/news/harbour-bridge-reopens">
</head>
<body>
<header><nav><ul>{menu}</ul></nav></header>
<main>
<article>
<h1>Harbour bridge reopens after two-year repair</h1>
<p class="byline">By {author}</p>
{body}
</article>
<aside class="related"><h2>Related stories</h2><ul>{related}</ul></aside>
</main>
<footer><p>&copy; 2024 Riverside Gazette. All rights reserved.</p>
<p><a href="/privacy">Privacy Policy</a> | <a href="/terms">Terms of Use</a></p></footer>
</body>
</html>
"""


def page_of(html: str, *, url: str | None = None, id: str = "dtest") -> Page:
    """A Page as ingest would make it."""
    return Page(id=id, source="test.html", content=html, format="html", sha256=sha256_text(html), url=url)


def clean(html: str, **kwargs: str) -> Article:
    """Clean a page that must yield an article."""
    article = clean_html_page(page_of(html, **kwargs))
    assert isinstance(article, Article), article
    return article


def assert_segments_verbatim(article: Article, raw: str) -> None:
    """Every segment maps body text onto the same raw text, in order, without overlaps."""
    end = 0
    for seg in article.segments:
        assert seg.length > 0 and seg.body_start >= end
        body_text = article.body[seg.body_start : seg.body_start + seg.length]
        assert body_text == raw[seg.raw_start : seg.raw_start + seg.length]
        end = seg.body_start + seg.length


# --- a real-looking page ------------------------------------------------------------------------


def test_body_has_the_article_and_not_the_menus_related_links_or_footer() -> None:
    article = clean(news_page())
    for sentence in (
        "The Harbour Bridge reopened to traffic on Tuesday morning",
        "“safer than it has ever been”",
        "resurfaced the entire deck, according to a statement from the city’s transport",
        "second phase of work on the approach roads",
    ):
        assert sentence in article.body
    for junk in [*MENU, *RELATED, "Related stories", "Privacy Policy", "All rights reserved"]:
        assert junk not in article.body
    assert "\n\n" in article.body and "\n\n\n" not in article.body


def test_record_fields_come_from_the_page() -> None:
    html = news_page()
    page = page_of(html, url="https://gazette.example/news/harbour-bridge-reopens?utm=x")
    article = clean_html_page(page)
    assert isinstance(article, Article)
    assert (article.id, article.source, article.raw_sha256) == (page.id, page.source, page.sha256)
    assert article.url == page.url
    assert article.language == "en"
    assert article.cleaner == CLEANER and CLEANER.startswith("html/trafilatura-")


def test_segments_map_body_text_verbatim_into_the_raw_html() -> None:
    html = news_page()
    article = clean(html)
    assert_segments_verbatim(article, html)
    first = article.body.index("The Harbour Bridge reopened")
    span = article.raw_span(first, first + len("The Harbour Bridge reopened to traffic"))
    assert span is not None and html[span[0] : span[1]] == "The Harbour Bridge reopened to traffic"
    # Around an inline link and an entity the paragraph is split, but its pieces still map.
    start = article.body.index("Engineers replaced all 212 steel cables")
    assert article.raw_span(start, start + len("Engineers replaced all 212 steel cables"))
    after_link = article.body.index(", according to a statement from the city")
    assert article.raw_span(after_link, after_link + 30) is not None
    # Text that is not verbatim in the page (an entity turned into ’) has no raw span.
    quote = article.body.index("city’s")
    assert article.raw_span(quote, quote + len("city’s")) is None
    covered = sum(seg.length for seg in article.segments)
    assert covered > 0.85 * len(article.body)


def test_metadata_is_evidenced_by_the_tags_it_came_from() -> None:
    meta = clean(news_page()).meta
    assert meta.title is not None and meta.title.value.startswith("Harbour bridge reopens")
    assert "og:title" in meta.title.evidence or "<title>" in meta.title.evidence
    assert meta.outlet is not None and meta.outlet.value == "Riverside Gazette"
    assert "og:site_name" in meta.outlet.evidence
    assert meta.published is not None and meta.published.value == "2024-03-05"
    assert "article:published_time" in meta.published.evidence
    assert meta.updated is not None and meta.updated.value == "2024-03-06"
    assert meta.byline is not None and meta.byline.value == "Maria Lopez"
    assert "Maria Lopez" in meta.byline.evidence
    for value in (meta.title, meta.outlet, meta.published, meta.updated, meta.byline):
        assert value.how == "html-meta" and not value.inferred
    assert meta.agency is None


def test_input_metadata_fills_in_what_the_html_lacks() -> None:
    bare = "<html><body><article>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</article>"
    page = Page(
        id="d1",
        source="x.jsonl:3",
        content=bare,
        format="html",
        sha256=sha256_text(bare),
        title="Bridge reopens",
        published="2024-03-05T09:00Z",
    )
    article = clean_html_page(page)
    assert isinstance(article, Article)
    assert article.meta.title is not None and article.meta.title.how == "input"
    assert article.meta.published is not None and article.meta.published.value == "2024-03-05"


# --- wire credits -------------------------------------------------------------------------------


def test_dateline_credit_gives_agency_and_dateline() -> None:
    paragraphs = ["BAGHDAD (AP) — " + PARAGRAPHS[0], *PARAGRAPHS[1:]]
    meta = clean(news_page(paragraphs)).meta
    assert meta.agency is not None and meta.agency.value == "AP"
    assert meta.agency.how == "dateline" and meta.agency.evidence == "BAGHDAD (AP) —"
    assert meta.dateline is not None and meta.dateline.value == "BAGHDAD"


def test_photo_credit_is_not_a_wire_credit() -> None:
    caption = "Commuters cross the reopened bridge on Tuesday. (Susannah George/AP)"
    meta = clean(news_page([*PARAGRAPHS[:2], caption, *PARAGRAPHS[2:]])).meta
    assert meta.agency is None
    assert [c.value for c in meta.photo_credits] == ["Susannah George/AP"]


def test_reuters_signoff_and_wire_author_are_credits() -> None:
    signoff = "Reporting by Jane Doe in Riverside; Editing by John Roe"
    meta = clean(news_page([*PARAGRAPHS, signoff])).meta
    assert meta.agency is not None and meta.agency.value == "Reuters"
    assert meta.agency.how == "credit-line"
    meta = clean(news_page(author="Agence France-Presse")).meta
    assert meta.agency is not None and meta.agency.value == "AFP"
    assert "Agence France-Presse" in meta.agency.evidence


# --- pages with no article, and pages built to break things -------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<<<>>>",
        "\x00\x01\x02 binary-ish",
        "<html><head><title>Only a title</title></head><body></body></html>",
        "<html><body><nav><a href='/'>Home</a> <a href='/x'>News</a></nav></body></html>",
        "<p>" * 5000,
        # A page fetched through a web archive that kept only the archive's crawl notice.
        news_page(["These crawls are part of an effort to archive pages as they are created and archive "
                   "the pages that they refer to. That way, as the pages that are referenced are changed "
                   "or taken from the web, a link to the version that was live when the page was written "
                   "will be preserved. Then the Internet Archive hopes that references to these archived "
                   "pages will be put in place of a link that would be otherwise be broken."]),
    ],
)
def test_pages_without_an_article_are_rejected(html: str) -> None:
    result = clean_html_page(page_of(html))
    assert isinstance(result, Rejection)
    assert result.reason == "no_article"
    assert result.id == "dtest" and result.sha256 == sha256_text(html)


def test_markup_nested_100000_deep_is_a_rejection_not_an_exception() -> None:
    depth = 100_000
    html = "<html><body>" + "<div>" * depth + "<p>Deep text.</p>" + "</div>" * depth + "</body>"
    result = clean_html_page(page_of(html))
    assert isinstance(result, Rejection)
    assert result.reason in {"no_article", "too_deep"}


def test_huge_page_is_rejected_before_parsing() -> None:
    html = "<html><body><p>" + "word " * (MAX_HTML_CHARS // 5 + 1) + "</p></body></html>"
    result = clean_html_page(page_of(html))
    assert isinstance(result, Rejection) and result.reason == "too_large"


@pytest.mark.parametrize(
    ("error", "reason"),
    [(RecursionError("maximum recursion depth"), "too_deep"), (ValueError("odd"), "extractor_error")],
)
def test_extractor_failures_become_rejections(
    monkeypatch: pytest.MonkeyPatch, error: Exception, reason: str
) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(html_cleaner.trafilatura, "bare_extraction", explode)
    result = clean_html_page(page_of(news_page()))
    assert isinstance(result, Rejection) and result.reason == reason


def test_cleaning_is_deterministic() -> None:
    html = news_page()
    assert clean(html) == clean(html)


# --- real pages from the Article Extraction Benchmark -------------------------------------------


def shingles(text: str) -> Counter[tuple[str, ...]]:
    """Token 4-gram counts, as the benchmark scores them."""
    tokens = re.findall(r"\w+", text)
    return Counter(tuple(tokens[i : i + 4]) for i in range(max(1, len(tokens) - 3)))


@pytest.mark.parametrize(
    ("key", "agency", "sentence"),
    [
        ("06e5123e4ef7cfb4", "Reuters", "The New York State Attorney General (NYAG) is investigating"),
        ("db6b0816", "AP", "U.S. Defense Secretary Mark Esper on Wednesday accused China"),
    ],
)
def test_real_benchmark_pages(key: str, agency: str, sentence: str) -> None:
    if not (AEB / "ground-truth.json").exists():
        pytest.skip(f"AEB benchmark not found at {AEB}")
    truth = json.loads((AEB / "ground-truth.json").read_text(encoding="utf-8"))
    full_key = next(k for k in truth if k.startswith(key))
    html = gzip.decompress((AEB / "html" / f"{full_key}.html.gz").read_bytes()).decode()
    article = clean(html, url=truth[full_key]["url"])
    gold, got = shingles(truth[full_key]["articleBody"]), shingles(article.body)
    overlap = sum((gold & got).values())
    assert overlap / sum(got.values()) > 0.9  # precision
    assert overlap / sum(gold.values()) > 0.95  # recall
    assert sentence in article.body
    assert_segments_verbatim(article, html)
    assert sum(seg.length for seg in article.segments) > 0.85 * len(article.body)
    assert article.meta.agency is not None and article.meta.agency.value == agency
    assert article.meta.title is not None and not article.meta.title.inferred
    assert article.meta.published is not None and article.language == "en"


@pytest.mark.parametrize(
    ("author", "tidy"),
    [
        ("Carrie Arnold November", "Carrie Arnold"),
        ("Jeff Foust Monday; November", "Jeff Foust"),
        ("admin", None),
        ("Jdadmin; Jane Roe", "Jane Roe"),
        ("Maria Lopez; Tom Reyes", "Maria Lopez; Tom Reyes"),
    ],
)
def test_author_tidying_drops_cms_accounts_and_date_words(author: str, tidy: str | None) -> None:
    assert tidy_author(author) == tidy


def test_evidence_prefers_a_named_meta_tag_over_scripts_and_links() -> None:
    raw = (
        '<script>var site = {"name": "Riverside Gazette"};</script>'
        '<a href="/about">Riverside Gazette</a>'
        '<meta property="og:site_name" content="Riverside Gazette">'
    )
    assert evidence_for(raw, "Riverside Gazette", "outlet") == (
        '<meta property="og:site_name" content="Riverside Gazette">'
    )
    assert evidence_for(raw, "Not there at all", "outlet") is None
