"""Bad input: every kind of broken document gets a clear per-document outcome and the run goes on.

tests/test_ingest.py covers the readers one format at a time; here are the cases it does not
(legacy CJK charsets, mixed encodings, deep markup, ids that cannot name a file, unseen languages)
and one whole `newsfuse run` over the bad-input corpus in a child process: exit 0, each document
as expected, the seed pages unaffected, peak memory within the benchmark's bound.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsfuse import api
from newsfuse.bench.reliability import (
    UDHR_FR,
    UDHR_JA,
    UDHR_MI,
    UDHR_ZH,
    html_page,
    run_bad_corpus,
)
from newsfuse.clean.html import PARSER_MAX_DEPTH
from newsfuse.ingest import read_inputs
from newsfuse.model import Article, Page, Rejection
from newsfuse.render.html import page_name

from .reliability import (
    CI_HUGE_LINE_BYTES,
    CI_ONE_LINE_PAGES,
    FULL_HUGE_LINE_BYTES,
    FULL_ONE_LINE_PAGES,
    require_full_form,
)
from .seeds import seed_text

CHARSET_CASES = [
    ("latin-1", "ISO-8859-1", UDHR_FR),
    ("cp1252", "windows-1252", "Reprinted – “AFP” © 2020\n" + seed_text("004")),
    ("gb2312", "gb2312", UDHR_ZH),
    ("shift_jis", "Shift_JIS", UDHR_JA),
]


def only_page(path: Path) -> Page | Rejection:
    (item,) = list(read_inputs([str(path)]))
    return item


@pytest.mark.parametrize(("codec", "label", "text"), CHARSET_CASES, ids=[c[0] for c in CHARSET_CASES])
def test_legacy_charsets_decode_to_the_text_written(tmp_path: Path, codec: str, label: str,
                                                    text: str) -> None:
    undeclared = tmp_path / "page.txt"
    undeclared.write_bytes(text.encode(codec))
    page = only_page(undeclared)
    assert isinstance(page, Page) and page.content == text
    assert any("(detected)" in note for note in page.notes)
    declared = tmp_path / "page.html"
    declared.write_bytes(html_page("t", text, label).encode(codec))
    page = only_page(declared)
    assert isinstance(page, Page)
    assert all(f"<p>{line}</p>" in page.content for line in text.split("\n") if line.strip())
    assert any("(declared)" in note for note in page.notes)


@pytest.mark.parametrize(("text", "language"), [(UDHR_ZH, "zh"), (UDHR_JA, "ja")])
def test_chinese_and_japanese_html_articles_are_not_rejected_for_having_no_spaces(
        text: str, language: str) -> None:
    # The HTML cleaner counted words with str.split(): three "words" in this Chinese article.
    article = api.clean_page(api.page_from_text(html_page("人", text), format="html"))
    assert isinstance(article, Article), article
    assert article.language == language
    paragraphs = [line for line in text.split("\n") if line]
    assert article.body.split("\n\n")[-len(paragraphs):] == paragraphs


def test_mixed_encoding_page_keeps_the_utf8_text_and_notes_the_damage(tmp_path: Path) -> None:
    seed = seed_text("001")
    path = tmp_path / "mixed.txt"
    path.write_bytes(seed[:3000].encode() + b"\n" + UDHR_FR.encode("latin-1") + seed[3000:].encode())
    page = only_page(path)
    assert isinstance(page, Page)
    replaced = sum(1 for ch in UDHR_FR if ord(ch) > 127)
    assert f"invalid UTF-8: {replaced} bytes replaced" in page.notes
    assert page.content.startswith(seed[:3000]) and page.content.endswith(seed[3000:])
    article = api.clean_page(page)
    assert isinstance(article, Article)
    # The note reaches the article (the text cleaner used to drop what ingest noted).
    assert article.notes == page.notes


PARAGRAPH = max(seed_text("002").split("\n\n"), key=len)


def deep_html(depth: int) -> str:
    return ("<html><body>" + "<div>" * depth + "<p>" + PARAGRAPH + "</p>" + "</div>" * depth
            + "</body></html>")


def test_markup_nested_100000_deep_is_rejected_as_too_deep_and_shallower_nesting_is_read() -> None:
    deep = api.clean_page(api.page_from_text(deep_html(100_000), format="html"))
    assert isinstance(deep, Rejection) and deep.reason == "too_deep"
    assert str(PARSER_MAX_DEPTH) in deep.detail
    shallow = api.clean_page(api.page_from_text(deep_html(PARSER_MAX_DEPTH - 10), format="html"))
    assert isinstance(shallow, Article)
    assert shallow.body == PARAGRAPH


def test_jsonl_ids_that_cannot_name_a_file_are_replaced_and_the_report_is_written(tmp_path: Path) -> None:
    records = [{"id": "../../escaped", "text": seed_text("000")}, {"id": "a/b", "text": seed_text("001")},
               {"id": "x" * 5000, "text": seed_text("002")}, {"id": "..", "text": seed_text("003")},
               {"id": "kept id 4", "text": seed_text("004")}]
    corpus = tmp_path / "in" / "pages.jsonl"
    corpus.parent.mkdir()
    corpus.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    out = tmp_path / "deep" / "out"
    # Used to crash writing documents/a/b.html, or write documents/../../escaped.html outside out/.
    result = api.run([corpus], out=out)
    ids = [result.articles[d].id for d in result.order]
    assert ids[-1] == "kept id 4" and not {r["id"] for r in records[:4]} & set(ids)
    for doc_id in ids[:4]:
        assert any("ignored 'id'" in note for note in result.articles[doc_id].notes)
    written = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.html")}
    assert all(name.startswith("deep/out/") for name in written)
    assert {f"deep/out/documents/{page_name(d)}.html" for d in ids} <= written


def test_page_in_a_language_the_cleaner_never_saw_is_kept_verbatim() -> None:
    article = api.clean_page(UDHR_MI)
    assert isinstance(article, Article)
    assert article.body == UDHR_MI.strip()
    assert len(article.language) == 2 or article.language == "und"


def _check_corpus(tmp_path: Path, huge_line_bytes: int, one_line_pages: int) -> None:
    report = run_bad_corpus(tmp_path, huge_line_bytes=huge_line_bytes, one_line_pages=one_line_pages)
    assert report.run.returncode == 0, report.run.stderr[-2000:]
    assert report.wrong == [] and report.missing == []
    assert report.seeds_unchanged
    assert report.run.peak_mb is not None
    assert report.outcomes["article"] >= 20 and report.outcomes["no_article"] >= one_line_pages
    # The bound is the speed benchmark's fixed + per-page memory with room to spare (see
    # memory_bound_mb); a run that held every page, or several copies of the huge one, breaks it.
    assert report.run.peak_mb < report.bound_mb, (report.run.peak_mb, report.bound_mb)


def test_a_run_over_the_bad_input_corpus_exits_0_with_a_reason_for_each_document(tmp_path: Path) -> None:
    _check_corpus(tmp_path, CI_HUGE_LINE_BYTES, CI_ONE_LINE_PAGES)


@pytest.mark.slow
def test_full_bad_input_corpus_with_a_100mb_line_and_100000_one_line_pages(
        tmp_path: Path, request: pytest.FixtureRequest) -> None:
    require_full_form(request)
    _check_corpus(tmp_path, FULL_HUGE_LINE_BYTES, FULL_ONE_LINE_PAGES)


def test_a_nul_in_a_jsonl_id_does_not_stop_the_report(tmp_path: Path) -> None:
    corpus = tmp_path / "nul.jsonl"
    corpus.write_text(json.dumps({"id": "nul\x00page", "text": seed_text("002")}) + "\n", encoding="utf-8")
    result = api.run([corpus], out=tmp_path / "out")
    assert list(result.articles) == ["nul\x00page"]
