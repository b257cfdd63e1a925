"""The web app on a live loopback server over a copy of the seed store: pages, search, API, digest."""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from xml.etree import ElementTree

import lxml.html
import pytest
import uvicorn
from typer.testing import CliRunner

from newsfuse.cli import app as cli_app
from newsfuse.digest import digest
from newsfuse.search import SearchIndex, fts_query
from newsfuse.store.sqlite import SQLiteStore
from newsfuse.web import create_app, is_loopback


@contextmanager
def live_server(db_path: Path):
    """The app served by uvicorn in a thread on a free loopback port; yields its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(create_app(db_path), host="127.0.0.1", port=port, log_level="warning",
                            ws="none", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("web app did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def copy_store(seed_run, folder: Path) -> Path:
    """A private copy of the seed run's store, so syncing the index never touches the shared one."""
    _, out = seed_run
    target = folder / "newsfuse.sqlite"
    shutil.copyfile(out / "newsfuse.sqlite", target)
    return target


def get(url: str, method: str = "GET") -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode("utf-8")


@pytest.fixture(scope="module")
def site(seed_run, tmp_path_factory):
    db = copy_store(seed_run, tmp_path_factory.mktemp("web"))
    with live_server(db) as url:
        yield url, db, seed_run[0]


def test_pages_are_served_with_a_strict_policy_and_the_seed_story(site):
    url, _, result = site
    story = result.stories[0]
    for path in ["/", f"/stories/{story.id}", f"/documents/{story.documents[0]}", "/search?q=troops",
                 "/api/stories", "/api/openapi.json", "/static/report.css", "/no-such-page"]:
        status, headers, _ = get(url + path)
        assert status == (404 if path == "/no-such-page" else 200), path
        policy = headers["content-security-policy"]
        assert "default-src 'none'" in policy and "script-src" not in policy
        assert "frame-ancestors 'none'" in policy
        assert headers["x-content-type-options"] == "nosniff"
    _, _, index = get(url + "/")
    links = lxml.html.fromstring(index).cssselect("table.stories a")
    assert [a.get("href") for a in links] == [f"/stories/{story.id}"]
    _, _, page = get(url + f"/stories/{story.id}")
    tree = lxml.html.fromstring(page)
    passages = [m.text_content() for m in tree.cssselect("ol.brief mark.passage")]
    assert passages[:len(story.brief)] == [s.text for s in story.brief][:len(passages)]
    href = tree.cssselect("ol.brief a.open-source")[0].get("href")
    document_path, anchor = href.split("#")
    _, _, document = get(url + document_path)
    assert lxml.html.fromstring(document).get_element_by_id(anchor).text_content() == story.brief[0].text


def test_the_app_is_read_only(site):
    url, _, _ = site
    for method in ("POST", "PUT", "DELETE"):
        assert get(url + "/api/stories", method)[0] == 405
    assert not is_loopback("0.0.0.0") and is_loopback("127.0.0.1") and is_loopback("::1")
    refused = CliRunner().invoke(cli_app, ["serve", "--db", "/nonexistent/x.sqlite"])
    assert refused.exit_code == 2


def test_search_finds_the_seed_story_by_body_brief_and_quote_words(site):
    url, _, result = site
    story = result.stories[0]
    status, _, body = get(url + "/api/search?q=Soleimani")
    hits = json.loads(body)
    assert status == 200 and hits and all(story.id in h["stories"] for h in hits)
    assert any("<mark>Soleimani</mark>" in h["snippet"] for h in hits)
    quote_words = " ".join(result.stories[0].analysis["quotes"][0]["text"].split()[:4])
    assert any(h["kind"] == "quote" for h in json.loads(get(url + "/api/search?q=" + _q(quote_words))[2]))
    # FTS syntax in user input is taken as words: it neither fails nor matches everything.
    for hostile in ['"', "NEAR(", "troops OR", "*", "-Iraq"]:
        assert get(url + "/api/search?q=" + _q(hostile))[0] == 200
    assert fts_query('a "b" NEAR(') == '"a" AND "b" AND "NEAR"*'
    _, _, page = get(url + "/search?q=Soleimani")
    assert f"/stories/{story.id}" in page


def _q(text: str) -> str:
    return urllib.request.quote(text)


def test_api_story_citations_hold_their_text_in_the_api_documents(site):
    url, _, result = site
    story = json.loads(get(url + f"/api/stories/{result.stories[0].id}")[2])
    bodies = {d: json.loads(get(url + f"/api/documents/{d}")[2])["body"] for d in story["documents"]}
    for sentence in story["brief"]:
        for cite in sentence["citations"]:
            assert bodies[cite["document"]][cite["start"]:cite["end"]] == sentence["text"]
    schema = json.loads(get(url + "/api/openapi.json")[2])
    assert {"/api/stories", "/api/stories/{story_id}", "/api/documents/{document_id}", "/api/search",
            "/api/changes"} <= set(schema["paths"])
    assert get(url + "/api/stories/nope")[0] == 404


def test_filters_by_outlet_language_date_and_country(site):
    url, _, result = site
    story_id = result.stories[0].id

    def ids(query: str) -> list[str]:
        return [s["id"] for s in json.loads(get(url + "/api/stories?" + query)[2])]

    assert ids("") == ids("outlet=AP") == ids("outlet=China+Daily") == ids("language=en") == [story_id]
    assert ids("outlet=Le+Monde") == ids("language=fr") == []
    assert ids("date_from=2020-06-01&date_to=2020-06-30") == [story_id]
    assert ids("date_from=2021-01-01") == []
    assert ids("country=Kurdistan") == [story_id]  # a page's dateline: "ERBIL, Kurdistan Region"
    assert ids("country=Peru") == []
    page = lxml.html.fromstring(get(url + "/?outlet=Le+Monde")[2])
    assert page.cssselect("p.empty")
    assert "AP" in [o.text for o in page.cssselect("select[name=outlet] option")]


def test_digest_reports_updates_new_conflicts_and_pledges_since_a_date(seed_run, tmp_path):
    db = copy_store(seed_run, tmp_path)
    first = digest(db, "2000-01-01")
    assert [(c.status, c.previous) for c in first.changes] == [("new", None)]
    assert digest(db, "2999-01-01").changes == ()
    # A later run regroups the same pages: the story comes back under a new id, now with a conflict
    # and a pledge (spans of the seed bodies).
    result, _ = seed_run
    old = result.stories[0]
    body = result.articles[old.documents[0]].body
    first_sentence = body[:body.index(".") + 1]
    cite = {"document": old.documents[0], "start": 0, "end": len(first_sentence), "raw_start": None,
            "raw_end": None, "raw_sha256": None}
    store = SQLiteStore(db)
    run_id = store.start_run("2030-05-01T08:00:00+00:00")
    sides = [{"text": first_sentence, "citations": [cite]}, {"text": old.brief[0].text, "citations": []}]
    grown = {"id": "s-regrouped", "title": old.title, "language": old.language,
             "documents": list(old.documents), "brief": [{"text": first_sentence, "citations": [cite]}],
             "analysis": {"conflicts": [{"kind": "number", "sides": sides}],
                          "pledges": [{"actor": "United States", "text": first_sentence, "due": None,
                                       "citations": [cite]}]}}
    with store.transaction():
        store.replace_stories([grown], old.documents)
    store.finish_run(run_id, "2030-05-01T08:00:09+00:00", {})
    store.close()
    changes = digest(db, "2030-05-01")
    (change,) = changes.changes
    assert (change.story_id, change.status, change.previous) == ("s-regrouped", "updated", old.id)
    assert change.seen == "2030-05-01T08:00:09+00:00" and change.added_documents == ()
    assert len(change.new_conflicts) == len(change.new_pledges) == 1
    with SearchIndex(db) as index:
        assert index.changes("2030-05-02").changes == ()
    shown = CliRunner().invoke(cli_app, ["digest", "--since", "2030-05-01", "--db", str(db)])
    assert shown.exit_code == 0 and "0 new stories, 1 updated, 1 new conflicts, 1 new pledges" in shown.output
    with live_server(db) as url:
        api = json.loads(get(url + "/api/changes?since=2030-05-01")[2])
        assert (api["updated"], api["new_conflicts"], api["new_pledges"]) == (1, 1, 1)
        status, headers, feed = get(url + "/feed.atom?since=2030-05-01")
        assert status == 200 and headers["content-type"].startswith("application/atom+xml")
        entries = ElementTree.fromstring(feed).findall("{http://www.w3.org/2005/Atom}entry")
        titles = [e.findtext("{http://www.w3.org/2005/Atom}title") for e in entries]
        assert titles == [f"updated: {old.title}"]


def test_a_pasted_text_is_verified_sentence_by_sentence(site):
    url, _, _ = site
    text = ("The United States has some 5,200 troops in Iraq. A timeline for the withdrawal of U.S. "
            "troops was agreed. The talks were held in Paris.")
    request = urllib.request.Request(url + "/api/verify", method="POST",
                                     data=json.dumps({"text": text}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        verdicts = [c["verdict"] for c in json.loads(response.read())["claims"]]
    assert verdicts == ["supported", "conflicting", "no_evidence"]
    form = urllib.parse.urlencode({"text": "The talks were held in Paris. <script>alert(1)</script>"})
    request = urllib.request.Request(url + "/verify", method="POST", data=form.encode(),
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request, timeout=60) as response:
        page = response.read().decode()
    assert "no evidence" in page and "<script>alert" not in page and "&lt;script&gt;" in page
    too_long = urllib.request.Request(url + "/api/verify", method="POST",
                                      data=json.dumps({"text": "x" * 20_001}).encode(),
                                      headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(too_long, timeout=30)
    refused.value.close()
    assert refused.value.code == 413


def test_requests_that_find_the_story_list_cold_together_read_the_store_once(seed_run, tmp_path):
    from newsfuse.web.data import StoreReader

    reader = StoreReader(copy_store(seed_run, tmp_path))
    reads = []
    started = threading.Barrier(8)

    def slow_read():
        reads.append(1)
        time.sleep(0.2)  # long enough for every other thread to arrive while this one reads
        return ["stories"]

    def request():
        started.wait()
        assert reader._cached("stories", slow_read) == ["stories"]

    threads = [threading.Thread(target=request) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(reads) == 1
