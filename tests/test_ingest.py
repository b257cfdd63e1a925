"""Ingest: every input shape becomes pages or one Rejection with a reason; nothing raises."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsfuse.errors import InputError
from newsfuse.ingest import MAX_PAGE_BYTES, read_inputs
from newsfuse.ingest.decode import decode_bytes, sniff_binary
from newsfuse.model import Page, Rejection, content_id, sha256_text

ARTICLE = (
    "Le président a déclaré jeudi que les discussions se poursuivraient à Genève, "
    "où l'été est déjà arrivé. Les négociateurs se réuniront de nouveau la semaine prochaine.\n"
)
HTML = (
    "<!DOCTYPE html><html><head><title>Talks go on</title></head><body>"
    "<article><p>The talks will continue next week, officials said on Thursday.</p></article>"
    "</body></html>"
)


def read(*paths: Path | str, stdin: io.BytesIO | None = None) -> list[Page | Rejection]:
    """Everything read_inputs yields for the paths."""
    return list(read_inputs([str(p) for p in paths], stdin=stdin))


def only(results: list[Page | Rejection]) -> Page | Rejection:
    """The single result of a one-document input."""
    assert len(results) == 1, results
    return results[0]


def write(path: Path, data: bytes | str) -> Path:
    """Write bytes (or UTF-8 text) and return the path."""
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# --- plain files, ids, folders ------------------------------------------------------------------


def test_text_file_becomes_a_page_with_content_id_and_hash(tmp_path: Path) -> None:
    path = write(tmp_path / "story.txt", ARTICLE)
    page = only(read(path))
    assert isinstance(page, Page)
    assert page.format == "text"
    assert page.content == ARTICLE
    assert page.sha256 == sha256_text(ARTICLE)
    assert page.id == content_id(ARTICLE)
    assert page.source == str(path)
    assert page.notes == ()


def test_ids_are_stable_across_runs_and_renames(tmp_path: Path) -> None:
    first = write(tmp_path / "a.txt", ARTICLE)
    second = write(tmp_path / "renamed-copy.txt", ARTICLE)
    run1 = read(first, second)
    run2 = read(second, first)
    assert {r.id for r in run1} == {r.id for r in run2} == {content_id(ARTICLE)}
    assert [r.source for r in run1] == [str(first), str(second)]


def test_html_file_is_html_and_gz_is_unpacked(tmp_path: Path) -> None:
    plain = only(read(write(tmp_path / "p.html", HTML)))
    packed = only(read(write(tmp_path / "p.htm.gz", gzip.compress(HTML.encode()))))
    assert isinstance(plain, Page) and isinstance(packed, Page)
    assert plain.format == packed.format == "html"
    assert plain.content == packed.content == HTML
    assert plain.id == packed.id


def test_folders_are_walked_recursively_sorted_and_hidden_entries_skipped(tmp_path: Path) -> None:
    (tmp_path / "b" / "deeper").mkdir(parents=True)
    (tmp_path / ".git").mkdir()
    write(tmp_path / "b" / "deeper" / "z.txt", "Deep page text here.")
    write(tmp_path / "b" / "a.txt", "Page b/a text here.")
    write(tmp_path / "a.txt", "Page a text here.")
    write(tmp_path / ".hidden.txt", "Hidden page.")
    write(tmp_path / ".git" / "config.txt", "Not a page.")
    sources = [r.source for r in read(tmp_path)]
    rel = [str(Path(s).relative_to(tmp_path)) for s in sources]
    assert rel == ["a.txt", "b/a.txt", "b/deeper/z.txt"]


def test_missing_path_raises_input_error_before_reading_anything(tmp_path: Path) -> None:
    write(tmp_path / "ok.txt", ARTICLE)
    with pytest.raises(InputError, match="no-such"):
        read_inputs([str(tmp_path / "ok.txt"), str(tmp_path / "no-such.txt")])


# --- bad files: one Rejection each, the good ones still come through ----------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + bytes(range(256))
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + bytes(range(200))


@pytest.mark.parametrize(
    ("name", "data", "looks_like"),
    [
        ("image.txt", PNG, "PNG"),
        ("paper.html", PDF, "PDF"),
        ("a.out", ELF, "ELF"),
        ("bundle.jsonl.txt", b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(100), "zip"),
        ("nul.txt", b"Some text\x00with a NUL byte in it", "NUL"),
        ("noise.txt", bytes(range(1, 32)) * 40, "non-text"),
    ],
)
def test_binary_files_are_rejected_as_binary(tmp_path: Path, name: str, data: bytes, looks_like: str) -> None:
    good = write(tmp_path / "good.txt", ARTICLE)
    results = read(write(tmp_path / name, data), good)
    assert isinstance(results[0], Rejection)
    assert results[0].reason == "binary"
    assert looks_like in results[0].detail
    assert isinstance(results[1], Page) and results[1].content == ARTICLE


def test_same_binary_under_two_names_has_one_id(tmp_path: Path) -> None:
    a = only(read(write(tmp_path / "x.txt", PNG)))
    b = only(read(write(tmp_path / "y.html", PNG)))
    assert a.id == b.id


@pytest.mark.parametrize("data", [b"", b"  \n\t\r\n  "])
def test_empty_and_blank_files_are_rejected_as_empty(tmp_path: Path, data: bytes) -> None:
    result = only(read(write(tmp_path / "empty.txt", data)))
    assert isinstance(result, Rejection)
    assert result.reason == "empty"


def test_unreadable_file_is_a_rejection(tmp_path: Path) -> None:
    folder_named_like_a_file = tmp_path / "broken.txt"
    folder_named_like_a_file.mkdir()
    (folder_named_like_a_file / "inner.txt").write_text(ARTICLE)
    # A folder is walked; an unreadable file (here: a dangling symlink) is a Rejection.
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    results = read(tmp_path)
    reasons = {Path(r.source).name: getattr(r, "reason", "page") for r in results}
    assert reasons == {"dangling.txt": "unreadable", "inner.txt": "page"}


# --- decoding -----------------------------------------------------------------------------------


def test_invalid_utf8_is_replaced_and_noted(tmp_path: Path) -> None:
    data = "Le café est fermé. ".encode() + b"\xff\xfe\xfd" + " Il rouvrira lundi à midi.".encode()
    page = only(read(write(tmp_path / "bad.txt", data)))
    assert isinstance(page, Page)
    assert "invalid UTF-8: 3 bytes replaced" in page.notes
    assert page.content == "Le café est fermé. \ufffd\ufffd\ufffd Il rouvrira lundi à midi."


def test_latin1_page_with_declared_charset_is_decoded_by_the_declaration(tmp_path: Path) -> None:
    body = "<p>L\x92été à Genève: «déjà» fini.</p>"  # \x92 is cp1252's right quote
    html = f'<html><head><meta charset="ISO-8859-1"><title>t</title></head><body>{body}</body>'
    page = only(read(write(tmp_path / "latin.html", html.encode("latin-1"))))
    assert isinstance(page, Page)
    assert "L’été à Genève: «déjà» fini." in page.content
    assert any("cp1252 (declared)" in note for note in page.notes)
    assert not any("replaced" in note for note in page.notes)


def test_latin1_page_without_declaration_is_detected(tmp_path: Path) -> None:
    page = only(read(write(tmp_path / "latin.txt", ARTICLE.encode("latin-1"))))
    assert isinstance(page, Page)
    assert page.content == ARTICLE
    assert any("detected" in note for note in page.notes)


def test_http_equiv_charset_and_other_code_pages() -> None:
    text = "Президент заявил в четверг, что переговоры продолжатся."
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
        f"</head><body><p>{text}</p></body></html>"
    )
    decoded = decode_bytes(html.encode("cp1251"))
    assert text in decoded.text
    assert decoded.encoding == "cp1251"


def test_byte_order_marks_are_honoured_and_stripped(tmp_path: Path) -> None:
    utf8 = only(read(write(tmp_path / "bom8.txt", b"\xef\xbb\xbf" + ARTICLE.encode())))
    utf16 = only(read(write(tmp_path / "bom16.txt", ARTICLE.encode("utf-16"))))
    assert isinstance(utf8, Page) and isinstance(utf16, Page)
    assert utf8.content == utf16.content == ARTICLE
    assert utf8.id == utf16.id


def test_sniff_binary_leaves_real_text_alone() -> None:
    assert sniff_binary(ARTICLE.encode()) is None
    assert sniff_binary(ARTICLE.encode("utf-16")) is None
    assert sniff_binary("总统周四表示，会谈将继续进行。".encode()) is None


# --- gzip damage, bombs and huge pages ----------------------------------------------------------


def test_truncated_gzip_keeps_what_was_decompressed(tmp_path: Path) -> None:
    text = "".join(f"Paragraph {i} of a long story about the talks.\n" for i in range(4000))
    packed = gzip.compress(text.encode())
    page = only(read(write(tmp_path / "cut.txt.gz", packed[: len(packed) // 2])))
    assert isinstance(page, Page)
    assert text.startswith(page.content)
    assert 0 < len(page.content) < len(text)
    assert any(note.startswith("gzip truncated: kept the first") for note in page.notes)


def test_gzip_truncated_before_any_data_is_rejected(tmp_path: Path) -> None:
    packed = gzip.compress(ARTICLE.encode())
    result = only(read(write(tmp_path / "cut.html.gz", packed[:12])))
    assert isinstance(result, Rejection)
    assert result.reason == "truncated"


def test_corrupt_gzip_is_rejected(tmp_path: Path) -> None:
    result = only(read(write(tmp_path / "bad.txt.gz", b"\x1f\x8b\x08\x00" + b"garbage" * 20)))
    assert isinstance(result, Rejection)
    assert result.reason in {"corrupt", "truncated"}


def test_gzip_bomb_is_rejected_as_too_large_without_inflating_it(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.html.gz"
    chunk = b" " * (4 << 20)
    with gzip.open(bomb, "wb", compresslevel=1) as out:
        for _ in range(MAX_PAGE_BYTES // len(chunk) + 4):  # 16 MiB past the cap
            out.write(chunk)
    assert bomb.stat().st_size < 1 << 20
    good = write(tmp_path / "good.txt", ARTICLE)
    results = read(bomb, good)
    assert isinstance(results[0], Rejection)
    assert results[0].reason == "too_large"
    assert isinstance(results[1], Page)


def test_100mb_single_line_page_is_rejected_over_the_cap_and_accepted_under(
    tmp_path: Path,
) -> None:
    word = b"newsword "
    huge = tmp_path / "huge.txt"
    huge.write_bytes(word * (100_000_000 // len(word)))
    big = tmp_path / "big.txt"
    big.write_bytes(word * (20_000_000 // len(word)))
    over, under = read(huge, big)
    assert isinstance(over, Rejection) and over.reason == "too_large"
    assert isinstance(under, Page) and len(under.content) == big.stat().st_size
    assert "\n" not in under.content


# --- JSON lines ---------------------------------------------------------------------------------


def jsonl(*lines: object) -> str:
    """JSON lines from objects (strings are written as they are, to make broken lines)."""
    return "".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines)


def test_jsonl_good_bad_and_wrong_lines_each_get_their_due(tmp_path: Path) -> None:
    path = write(
        tmp_path / "pages.jsonl",
        jsonl(
            {"id": 42, "text": ARTICLE, "title": "Talks", "outlet": "Le Temps"},  # 1
            '{"text": "broken',  # 2
            [1, 2, 3],  # 3
            {"text": 5},  # 4
            {"title": "no body"},  # 5
            "",  # 6: blank lines are skipped
            {"url": "https://example.com/a", "html": HTML, "published": "2024-03-05"},  # 7
            {"text": "A page without id or url, long enough.", "title": 7},  # 8
            {"id": [1], "text": "bad id"},  # 9
            {"text": "   "},  # 10
        ),
    )
    results = {r.source.rsplit(":", 1)[1]: r for r in read(path)}
    assert sorted(results, key=int) == ["1", "2", "3", "4", "5", "7", "8", "9", "10"]
    first = results["1"]
    assert isinstance(first, Page)
    assert (first.id, first.title, first.outlet) == ("42", "Talks", "Le Temps")
    assert first.format == "text"
    assert first.source == f"{path}:1"
    expected = {"2": "invalid_json", "3": "bad_record", "4": "bad_record", "5": "bad_record"}
    expected |= {"9": "bad_record", "10": "empty"}
    for line, reason in expected.items():
        assert isinstance(results[line], Rejection), line
        assert results[line].reason == reason, (line, results[line])
    assert "number" in results["4"].detail and "text" in results["4"].detail
    html_page = results["7"]
    assert isinstance(html_page, Page)
    assert html_page.format == "html"
    assert html_page.id == content_id("https://example.com/a")
    assert html_page.published == "2024-03-05"
    plain = results["8"]
    assert isinstance(plain, Page)
    assert plain.id == content_id("A page without id or url, long enough.")
    assert plain.title is None
    assert any("'title'" in note for note in plain.notes)


def test_jsonl_gz_truncated_mid_line_rejects_that_line_only(tmp_path: Path) -> None:
    lines = jsonl(*({"id": f"p{i}", "text": f"Story number {i}. " * 30} for i in range(200)))
    packed = gzip.compress(lines.encode())
    results = read(write(tmp_path / "cut.jsonl.gz", packed[: len(packed) * 2 // 3]))
    pages = [r for r in results if isinstance(r, Page)]
    rejections = [r for r in results if isinstance(r, Rejection)]
    assert pages and [p.id for p in pages] == [f"p{i}" for i in range(len(pages))]
    assert len(rejections) == 1 and rejections[0].reason == "truncated"


def test_jsonl_line_over_the_cap_is_skipped_and_reading_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    with path.open("wb") as out:
        out.write(b'{"id": "huge", "text": "')
        out.write(b"x" * (MAX_PAGE_BYTES + 10))
        out.write(b'"}\n')
        out.write(json.dumps({"id": "after", "text": ARTICLE}).encode() + b"\n")
    first, second = read(path)
    assert isinstance(first, Rejection) and first.reason == "too_large"
    assert first.source == f"{path}:1"
    assert isinstance(second, Page) and second.id == "after" and second.source == f"{path}:2"


def test_jsonl_is_streamed_one_line_at_a_time() -> None:
    class CountingStream(io.BytesIO):
        """A stdin stand-in that counts the bytes handed out."""

        handed_out = 0

        def read(self, size: int | None = -1) -> bytes:
            data = super().read(size)
            self.handed_out += len(data)
            return data

        def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
            n = super().readinto(buffer)
            self.handed_out += n
            return n

    data = jsonl(*({"id": str(i), "text": "A line of text. " * 60} for i in range(20_000)))
    stream = CountingStream(data.encode())
    results = read_inputs(["-"], stdin=stream)
    first = next(results)
    assert isinstance(first, Page) and first.id == "0"
    assert stream.handed_out < len(data) // 4  # a few buffers, not the whole 19 MB


# --- WARC ---------------------------------------------------------------------------------------


def make_warc(path: Path, *, gz: bool) -> None:
    """A WARC with an HTML response, a PNG response, a request, a 404 and a latin-1 page."""
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=gz)

        def response(url: str, ctype: str, body: bytes, status: str = "200 OK") -> None:
            headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=headers
            )
            writer.write_record(record)
            record.raw_stream.close()  # warcio's spooled digest buffer

        response("https://news.example/a", "text/html; charset=utf-8", HTML.encode())
        response("https://news.example/logo.png", "image/png", PNG)
        request = writer.create_warc_record(
            "https://news.example/a",
            "request",
            payload=io.BytesIO(b"GET /a HTTP/1.1\r\nHost: news.example\r\n\r\n"),
        )
        writer.write_record(request)
        request.raw_stream.close()
        response("https://news.example/gone", "text/html", b"<html>gone</html>", "404 Not Found")
        latin = "<html><body><p>Genève, été.</p></body></html>".encode("latin-1")
        response("https://news.example/b", "text/html; charset=ISO-8859-1", latin)


@pytest.mark.parametrize("gz", [False, True])
def test_warc_html_responses_become_pages_and_other_records_are_skipped(tmp_path: Path, gz: bool) -> None:
    path = tmp_path / ("crawl.warc.gz" if gz else "crawl.warc")
    make_warc(path, gz=gz)
    results = read(path)
    assert [type(r).__name__ for r in results] == ["Page", "Rejection", "Page"]
    page, gone, latin = results
    assert isinstance(page, Page) and isinstance(gone, Rejection) and isinstance(latin, Page)
    assert page.url == "https://news.example/a"
    assert page.id == content_id("https://news.example/a")
    assert page.format == "html" and page.content == HTML
    assert page.source.startswith(f"{path}#")
    assert page.source != latin.source
    assert gone.reason == "http_status" and "404" in gone.detail
    assert "Genève, été." in latin.content


def test_truncated_warc_gz_keeps_earlier_records(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    make_warc(path, gz=True)
    data = path.read_bytes()
    cut = write(tmp_path / "cut.warc.gz", data[: len(data) - 40])
    results = read(cut)
    assert isinstance(results[0], Page)
    assert isinstance(results[-1], Rejection)
    assert results[-1].reason in {"truncated", "corrupt"}


# --- stdin and sniffing -------------------------------------------------------------------------


def test_stdin_jsonl_is_sniffed_and_numbered() -> None:
    stdin = io.BytesIO(jsonl({"id": "s1", "text": ARTICLE}, "{oops", {"text": ARTICLE}).encode())
    results = read("-", stdin=stdin)
    assert [r.source for r in results] == ["-:1", "-:2", "-:3"]
    assert isinstance(results[0], Page) and results[0].id == "s1"
    assert isinstance(results[1], Rejection) and results[1].reason == "invalid_json"
    assert isinstance(results[2], Page) and results[2].id == content_id(ARTICLE)


@pytest.mark.parametrize(
    ("data", "format"),
    [
        (HTML.encode(), "html"),
        (b"\n  <div class='story'><p>Hello there, a fragment of markup.</p></div>", "html"),
        (ARTICLE.encode(), "text"),
        (gzip.compress(HTML.encode()), "html"),
    ],
)
def test_stdin_html_and_text_are_sniffed(data: bytes, format: str) -> None:
    page = only(read("-", stdin=io.BytesIO(data)))
    assert isinstance(page, Page)
    assert page.format == format
    assert page.source == "-"


def test_unknown_suffix_is_sniffed(tmp_path: Path) -> None:
    markup = write(tmp_path / "page.dat", HTML)
    lines = write(tmp_path / "dump.out", jsonl({"id": "j", "text": ARTICLE}))
    text = write(tmp_path / "README", ARTICLE)
    packed_html = write(tmp_path / "blob.gz", gzip.compress(HTML.encode()))
    results = read(markup, lines, text, packed_html)
    assert [(getattr(r, "format", None), r.id) for r in results] == [
        ("html", content_id(HTML)),
        ("text", "j"),
        ("text", content_id(ARTICLE)),
        ("html", content_id(HTML)),
    ]


@pytest.mark.parametrize("gz", [False, True])
def test_stdin_warc_is_sniffed_with_record_offsets(tmp_path: Path, gz: bool) -> None:
    path = tmp_path / "crawl.warc"
    make_warc(path, gz=False)
    data = path.read_bytes()
    results = read("-", stdin=io.BytesIO(gzip.compress(data) if gz else data))
    assert [type(r).__name__ for r in results] == ["Page", "Rejection", "Page"]
    assert results[0].source == "-#0"
    assert results[2].source.startswith("-#") and results[2].source != "-#0"


def test_binary_file_named_jsonl_is_one_rejection(tmp_path: Path) -> None:
    result = only(read(write(tmp_path / "image.jsonl", PNG + b"\n" * 50 + PNG)))
    assert isinstance(result, Rejection) and result.reason == "binary"


def test_jsonl_blank_html_falls_back_to_text(tmp_path: Path) -> None:
    path = write(tmp_path / "p.jsonl", jsonl({"html": "  ", "text": ARTICLE}, {"html": HTML, "text": "t"}))
    text_page, html_page = read(path)
    assert isinstance(text_page, Page) and text_page.format == "text"
    assert isinstance(html_page, Page) and html_page.format == "html"


@pytest.mark.parametrize("label", ["utf-8", "zlib", "no-such-charset", "unicode_escape", "utf-16"])
def test_wrong_or_impossible_declared_charsets_fall_back_to_detection(label: str) -> None:
    html = f'<html><head><meta charset="{label}"></head><body><p>{ARTICLE}</p></body></html>'
    decoded = decode_bytes(html.encode("latin-1"))
    assert ARTICLE in decoded.text
