"""The static HTML report: written by every run, offline, escaped, every citation opening its passage."""

from __future__ import annotations

import copy
import json

import lxml.html
import pytest

from newsfuse.render.html import Links, highlight_body, render_index, render_story, write_report
from newsfuse.render.records import RunRecords


@pytest.fixture(scope="module")
def record(seed_run):
    _, out = seed_run
    return json.loads((out / "stories.json").read_text(encoding="utf-8"))


def _tree(path):
    return lxml.html.fromstring(path.read_text(encoding="utf-8"))


def _sentence_span(body: str, words: str) -> tuple[int, int]:
    start = body.index(words)
    end = body.index(".", start) + 1
    return start, end


def _cite(doc: dict, start: int, end: int) -> dict:
    return {"document": doc["id"], "start": start, "end": end, "raw_start": None, "raw_end": None,
            "raw_sha256": None}


def test_run_writes_an_offline_index_and_one_page_per_story(seed_run, record):
    _, out = seed_run
    index = _tree(out / "index.html")
    story = record["stories"][0]
    assert [a.get("href") for a in index.cssselect("table.stories a")] == [f"stories/{story['id']}.html"]
    for page in [out / "index.html", *(out / "stories").glob("*.html"), *(out / "documents").glob("*.html")]:
        tree = _tree(page)
        assert not tree.xpath("//script"), page
        refs = tree.xpath("//@href | //@src")
        assert refs and not [r for r in refs if "//" in r or r.startswith("/")], page
        csp = tree.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")[0]
        assert "default-src 'none'" in csp and "script-src" not in csp
        for ref in refs:
            target = (page.parent / ref.split("#")[0]).resolve()
            assert target.is_file(), (page, ref)


def test_every_brief_marker_opens_the_cited_passage_and_its_highlighted_source(seed_run, record):
    _, out = seed_run
    story = record["stories"][0]
    bodies = {d["id"]: d["body"] for d in record["documents"] if d["status"] == "ok"}
    page = _tree(out / "stories" / f"{story['id']}.html")
    items = page.cssselect("ol.brief > li")
    assert len(items) == len(story["brief"]) >= 3
    for item, sentence in zip(items, story["brief"], strict=True):
        markers = item.cssselect("details.cite")
        assert len(markers) == len({(c["document"], c["start"]) for c in sentence["citations"]})
        for marker, cite in zip(markers, sentence["citations"], strict=False):
            passage = marker.cssselect("mark.passage")[0].text_content()
            assert passage == bodies[cite["document"]][cite["start"]:cite["end"]] == sentence["text"]
            href = marker.cssselect("a.open-source")[0].get("href")
            doc_page, anchor = href.split("#")
            target = _tree((out / "stories" / doc_page).resolve()).get_element_by_id(anchor)
            assert target.tag == "mark" and target.text_content() == passage


def test_seed_story_shows_sources_quotes_and_says_which_sections_are_empty(seed_run, record):
    _, out = seed_run
    story = record["stories"][0]
    page = _tree(out / "stories" / f"{story['id']}.html")
    rows = page.cssselect("#sources tbody tr")
    assert len(rows) == len(story["documents"])
    text = page.text_content()
    assert "copy of AP; credited to Xinhua" in text
    assert len(page.cssselect("#quotes blockquote")) == len(story["quotes"])
    for section in ("facts", "conflicts", "timeline", "pledges", "coverage", "entities"):
        if not story.get(section):
            assert page.cssselect(f"#{section} p.empty"), section


def test_the_coverage_matrix_counts_each_outlets_statements_per_facet(record, tmp_path):
    write_report(RunRecords.of_record(record), tmp_path)
    story = record["stories"][0]
    page = _tree(tmp_path / "stories" / f"{story['id']}.html")
    facets = [th.text_content() for th in page.cssselect("#coverage thead th")][1:-2]
    totals = {f: sum(r["facets"].get(f, {}).get("statements", 0) for r in story["coverage"]) for f in facets}
    assert facets and [totals[f] for f in facets] == sorted(totals.values(), reverse=True)
    for row, tr in zip(story["coverage"], page.cssselect("#coverage tbody tr"), strict=True):
        cells = [td.text_content() for td in tr.cssselect("td")][:len(facets)]
        assert cells == [str(row["facets"][f]["statements"]) if f in row["facets"] else "·" for f in facets]


def test_analysis_sections_render_side_by_side_conflicts_timeline_chart_and_matrix(record):
    story = copy.deepcopy(record["stories"][0])
    docs = {d["id"]: d for d in record["documents"] if d["status"] == "ok"}
    wapo = next(d for d in docs.values() if d["outlet"] == "The Washington Post")
    afp = next(d for d in docs.values() if d["agency"] == "AFP")
    w_span = _sentence_span(wapo["body"], "There was no discussion of a timeline")
    a_span = _sentence_span(afp["body"], afp["body"].split(". ")[1][:30])
    story["facts"] = [{"text": wapo["body"][slice(*w_span)], "pages": 2, "origins": 1,
                       "citations": [_cite(wapo, *w_span)], "attributed_to": "David Schenker",
                       "evidence": [], "modality": "asserted", "single_source": True}]
    story["conflicts"] = [{"kind": "number", "sides": [
        {"text": wapo["body"][slice(*w_span)], "citations": [_cite(wapo, *w_span)]},
        {"text": afp["body"][slice(*a_span)], "citations": [_cite(afp, *a_span)]}]}]
    story["timeline"] = [{"date": "2020-06-11", "precision": "day", "text": "Talks open",
                          "citations": [_cite(afp, *a_span)]},
                         {"date": "2020-06", "precision": "month", "text": "Drawdown",
                          "citations": [_cite(wapo, *w_span)]},
                         {"date": "2020-01-03", "precision": "day", "text": "Soleimani killed",
                          "citations": []}]
    story["pledges"] = [{"actor": "United States", "text": "continue reducing forces", "due": None,
                         "citations": [_cite(wapo, *w_span)]}]
    story["entities"] = [{"name": "David Schenker", "kind": "person", "mentions": 2,
                          "citations": [_cite(wapo, *w_span)]}]
    story["coverage"] = [{"outlet": "The Washington Post", "facets": {"troops": 2, "economy": 0},
                          "unique_facts": ["timeline denied"], "wire_share": 0.0},
                         {"outlet": "AFP", "facets": ["troops"], "unique_facts": 0, "wire_share": 1}]
    page = lxml.html.fromstring(render_story(story, docs, record["syndication"], Links(root="../")))
    sides = page.cssselect("#conflicts .conflict .side")
    assert [s.cssselect("mark.passage")[0].text_content() for s in sides] == [
        wapo["body"][slice(*w_span)], afp["body"][slice(*a_span)]]
    assert "single source" in page.cssselect("#facts tbody tr.single")[0].text_content()
    assert len(page.cssselect("#timeline svg circle")) == 3
    assert [t.text for t in page.cssselect("#timeline svg text.tick")] == ["2020-01-03", "2020-06-11"]
    assert [c.text_content() for c in page.cssselect("#coverage thead th")] == [
        "Outlet", "troops", "economy", "Unique facts", "Wire share"]
    assert "timeline denied" in page.cssselect("#coverage tbody tr")[0].text_content()
    assert "United States" in page.cssselect("#pledges li")[0].text_content()
    assert "David Schenker" in page.cssselect("#entities li")[0].text_content()
    assert not page.cssselect("p.empty")


def test_scraped_markup_is_shown_as_text_never_as_elements(record, tmp_path):
    hostile = copy.deepcopy(record)
    doc = next(d for d in hostile["documents"] if d["status"] == "ok")
    doc["title"] = 'Talks <script>alert(1)</script><img src=x onerror="alert(2)">'
    doc["body"] = doc["title"] + "\n" + doc["body"]
    story = hostile["stories"][0]
    story["title"] = doc["title"]
    write_report(RunRecords.of_record(hostile), tmp_path)
    for page in tmp_path.rglob("*.html"):
        tree = _tree(page)
        assert not tree.xpath("//script | //img | //@onerror"), page
    assert "<script>alert(1)</script>" in _tree(tmp_path / "index.html").text_content()


def test_a_second_report_in_the_same_folder_drops_pages_of_stories_it_no_longer_has(record, tmp_path):
    write_report(RunRecords.of_record(record), tmp_path)
    regrouped = copy.deepcopy(record)
    regrouped["stories"][0]["id"] = "s-regrouped"
    write_report(RunRecords.of_record(regrouped), tmp_path)
    assert sorted(p.name for p in (tmp_path / "stories").iterdir()) == ["s-regrouped.html"]
    articles = sum(d["status"] == "ok" for d in record["documents"])
    assert len(list((tmp_path / "documents").iterdir())) == articles


def test_highlight_marks_nest_and_never_interleave():
    body = "Alpha <b>beta</b> gamma delta epsilon."
    html = highlight_body(body, [(0, 16), (6, 9), (12, 28), (0, 16)])
    tree = lxml.html.fragment_fromstring(f"<div>{html}</div>")
    assert tree.text_content() == body
    marks = {m.get("id"): m.text_content() for m in tree.iter("mark")}
    assert marks["c-0-16"] == body[0:16] and marks["c-6-9"] == body[6:9]
    # The crossing span keeps its id and is marked from the end of the span it crosses.
    assert marks["c-12-28"] == body[16:28]
    assert not tree.xpath("//b")


def test_highlight_of_many_crossing_spans_stays_well_formed(record):
    body = next(d["body"] for d in record["documents"] if d["status"] == "ok")
    spans = [(0, 10), (5, 15), (6, 12), (3, 40), (11, 60), (59, 61), (20, 21)]
    tree = lxml.html.fragment_fromstring(f"<div>{highlight_body(body, spans)}</div>")
    assert tree.text_content() == body
    marks = list(tree.iter("mark"))
    assert sorted(m.get("id") for m in marks) == sorted(f"c-{s}-{e}" for s, e in spans)
    for mark in marks:
        start, end = (int(n) for n in mark.get("id")[2:].split("-"))
        assert mark.text_content() and mark.text_content() in body[start:end]


def test_a_long_story_list_is_cut_into_pages_with_links_between_them(record):
    documents = {d["id"]: d for d in record["documents"] if d["status"] == "ok"}
    stories = [{**copy.deepcopy(record["stories"][0]), "id": f"s{n:04d}"} for n in range(250)]
    html = render_index(stories, documents, Links(root="/", suffix="", server=True), page=3, per_page=100,
                        page_href=lambda n: f"/?page={n}")
    tree = lxml.html.fromstring(html)
    assert len(tree.cssselect("table.stories tbody tr")) == 50
    nav = tree.cssselect("nav.pages")[0]
    assert "page 3 of 3" in nav.text_content()
    assert [a.get("href") for a in nav.cssselect("a")] == ["/?page=2"]
