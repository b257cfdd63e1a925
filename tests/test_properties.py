"""Property tests (hypothesis): for any input, the cleaners, the sentence splitter, the date
resolvers and the citations keep their promises and never raise.

Inputs mix real text (lines and paragraphs of the seed pages, sentences with dates) with
arbitrary unicode, so shrinking ends on a readable counterexample.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsfuse import api
from newsfuse.analyze.dates import infer_publication_dates, page_date
from newsfuse.analyze.timexes import find_timexes
from newsfuse.model import Article, Evidenced, Rejection, sha256_text
from newsfuse.text import sentence_spans

from .seeds import seed_text

SEED_TEXTS = [seed_text(p) for p in ("000", "001", "002", "003", "004")]
LINES = sorted({line.strip() for text in SEED_TEXTS for line in text.split("\n") if line.strip()})
PARAGRAPHS = sorted({p.strip() for text in SEED_TEXTS for p in text.split("\n\n") if len(p.split()) > 12})
DATED = ["The talks began on Thursday, June 11, 2020, in Baghdad.",
         "He said last week that troops would leave.",
         "Talks resume next month, officials said on Friday.", "Three years ago the base was shelled.",
         "By Dec. 31 the review is due; the 1990s saw war.",
         "It ran from 2003 to 2011, every Monday morning.",
         "The ceasefire held for 48 hours until 3 p.m. Sunday."]
# Real lines and arbitrary text (control characters, other scripts, lone quotes) side by side.
LINE = st.one_of(st.sampled_from(LINES + DATED), st.text(max_size=120))
PAGE_TEXT = st.lists(LINE, min_size=1, max_size=25).map("\n".join)
EXAMPLES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def clean(text: str) -> Article | Rejection:
    return api.clean_page(api.page_from_text(text))


@EXAMPLES
@given(PAGE_TEXT)
def test_text_cleaning_is_idempotent_and_cites_the_page_verbatim(text: str) -> None:
    first = clean(text)
    assert isinstance(first, Article | Rejection)
    if isinstance(first, Rejection):
        assert first.reason and first.id
        return
    for seg in first.segments:
        assert first.body[seg.body_start:seg.body_start + seg.length] == \
            text[seg.raw_start:seg.raw_start + seg.length]
    again = clean(first.body)
    assert isinstance(again, Article), again
    assert again.body == first.body


@EXAMPLES
@given(st.lists(st.one_of(st.sampled_from(PARAGRAPHS), st.text(min_size=1, max_size=80)),
                min_size=1, max_size=8),
       st.text(max_size=40))
def test_html_cleaning_never_raises_and_its_raw_spans_hold_the_body_text(paragraphs: list[str],
                                                                         title: str) -> None:
    from markupsafe import escape

    html = (f"<html><head><title>{escape(title)}</title></head><body><article>"
            + "".join(f"<p>{escape(p)}</p>" for p in paragraphs) + "</article></body></html>")
    result = api.clean_page(api.page_from_text(html, format="html"))
    assert isinstance(result, Article | Rejection)
    if isinstance(result, Article):
        for seg in result.segments:
            assert result.body[seg.body_start:seg.body_start + seg.length] == \
                html[seg.raw_start:seg.raw_start + seg.length]


@settings(max_examples=200, deadline=None)
@given(st.one_of(PAGE_TEXT, st.text()))
def test_sentences_are_stripped_ordered_spans_that_cover_every_visible_character(text: str) -> None:
    spans = sentence_spans(text)
    covered = bytearray(len(text))
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        piece = text[start:end]
        assert piece == piece.strip() and "\n" not in piece
        covered[start:end] = b"\x01" * (end - start)
        previous_end = end
    for i, ch in enumerate(text):
        assert covered[i] or ch.isspace(), (i, ch)


# Realistic reference dates: the resolver's calendar arithmetic reaches a few years either side.
REFERENCE = st.dates(min_value=date(1800, 1, 1), max_value=date(2200, 12, 31))


@settings(max_examples=150, deadline=None)
@given(PAGE_TEXT, st.one_of(st.none(), REFERENCE), st.booleans())
def test_timexes_are_disjoint_spans_of_the_text_with_values_only_when_placed(
        text: str, reference: date | None, weekdays_back: bool) -> None:
    found = find_timexes(text, reference, weekdays_back=weekdays_back)
    end = 0
    for timex in found:
        assert end <= timex.start < timex.end <= len(text)
        assert text[timex.start:timex.end] == timex.text
        assert timex.type in {"DATE", "TIME", "DURATION", "SET"}
        if reference is None and timex.relative:
            assert timex.value is None
        end = timex.end


def test_the_resolver_survives_the_ends_of_the_calendar() -> None:
    find_timexes("It happened on Thursday.", date.min)
    find_timexes("We meet again next week.", date.max)


def test_timexes_place_a_weekday_within_the_week_of_the_reference() -> None:
    for offset in range(7):
        reference = date(2020, 6, 8) + timedelta(days=offset)  # Monday to Sunday
        (timex,) = find_timexes("The talks began on Thursday.", reference)
        placed = date.fromisoformat(timex.value)
        assert placed.weekday() == 3 and timedelta(0) <= reference - placed < timedelta(days=7)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(range(5)), st.one_of(st.none(), REFERENCE)),
                min_size=1, max_size=6))
def test_inferred_publication_dates_name_a_weekday_on_the_page_before_the_earliest_dated_page(
        members: list[tuple[int, date | None]]) -> None:
    articles = []
    for i, (seed, stamp) in enumerate(members):
        article = clean(SEED_TEXTS[seed])
        assert isinstance(article, Article)
        published = Evidenced(stamp.isoformat(), "test", "input") if stamp else None
        articles.append(replace(article, id=f"d{i}", meta=replace(article.meta, published=published,
                                                                  updated=None)))
    dated = infer_publication_dates(articles)
    anchors = [d for a in articles if (d := page_date(a)) is not None]
    assert [a.id for a in dated] == [a.id for a in articles]
    for before, after in zip(articles, dated, strict=True):
        if before.meta.published:
            assert after == before
        elif after.meta.published:
            inferred = after.meta.published
            day = date.fromisoformat(inferred.value)
            assert inferred.inferred and anchors
            assert timedelta(0) <= min(anchors) - day < timedelta(days=7)
            weekday = day.strftime("%A")
            assert weekday in after.body[:1500] and f"“{weekday}”" in inferred.evidence


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(range(5)), st.permutations(range(6)), st.text(max_size=60)),
                min_size=1, max_size=4))
def test_every_brief_citation_holds_its_sentence_in_the_body_and_the_raw_page(
        pages: list[tuple[int, list[int], str]]) -> None:
    articles = []
    for seed, order, noise in pages:
        paragraphs = [p for p in SEED_TEXTS[seed].split("\n\n") if p.strip()]
        head, tail = paragraphs[:6], paragraphs[6:]
        text = "\n\n".join([noise, *(head[i] for i in order if i < len(head)), *tail])
        article = clean(text)
        if isinstance(article, Article):
            articles.append((article, text))
    if not articles:
        return
    by_id = {a.id: (a, text) for a, text in articles}
    for sentence in api.brief([a for a, _ in by_id.values()]):
        for cite in sentence.citations:
            article, raw = by_id[cite.document]
            assert article.body[cite.start:cite.end] == sentence.text
            if cite.raw_start is not None:
                assert raw[cite.raw_start:cite.raw_end] == sentence.text
                assert cite.raw_sha256 == sha256_text(raw)
