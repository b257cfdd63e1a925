"""End to end in a real headless Chromium: static report, served app, citations, search, hostile pages.

Needs Debian's `chromium` (CI installs it); skipped with a reason when it is missing.
"""

from __future__ import annotations

import shutil
import tempfile

import pytest

from newsfuse.api import run as newsfuse_run

from .seeds import seed_text
from .test_web import copy_store, live_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine (.ci/run installs it)")
LAPTOP = {"width": 1366, "height": 768}
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
HOSTILE = ('<script>window.__pwned = "script"</script>', '<img src=x onerror="window.__pwned = \'img\'">',
           '<svg onload="window.__pwned = \'svg\'">')


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, viewport=LAPTOP)
        yield context
        context.close()


@pytest.fixture
def page(browser):
    tab = browser.new_page()
    dialogs: list[str] = []
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    tab.dialogs = dialogs
    yield tab
    tab.close()


def _focus_first_brief_citation(tab) -> None:
    for _ in range(20):
        tab.keyboard.press("Tab")
        if tab.evaluate("document.activeElement.matches('#brief details.cite > summary')"):
            return
    raise AssertionError("no brief citation reachable with Tab")


def test_static_report_fits_a_laptop_screen_and_citations_work_from_the_keyboard(seed_run, page):
    result, out = seed_run
    story = result.stories[0]
    fits = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    page.goto((out / "index.html").as_uri())
    assert page.evaluate(fits)
    page.get_by_role("link", name=story.title).click()
    assert page.url.endswith(f"stories/{story.id}.html")
    assert page.evaluate(fits)
    brief, conflicts = page.locator("#brief").bounding_box(), page.locator("#conflicts").bounding_box()
    assert brief["y"] + brief["height"] <= LAPTOP["height"]
    assert conflicts["y"] + 40 <= LAPTOP["height"] and conflicts["x"] > brief["x"]  # beside the brief
    assert page.evaluate("getComputedStyle(document.querySelector('.lead')).display") == "grid"  # css loaded

    _focus_first_brief_citation(page)
    page.keyboard.press("Enter")
    passage = page.locator("#brief details.cite[open] mark.passage").first
    assert passage.is_visible() and passage.inner_text() == story.brief[0].text
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Open in source document"
    page.keyboard.press("Enter")
    page.wait_for_url("**/documents/*.html#c-*")
    target = page.locator(":target")
    assert target.inner_text() == story.brief[0].text and target.is_visible()
    assert page.evaluate(fits)
    assert page.evaluate("getComputedStyle(document.querySelector(':target')).outlineStyle") == "solid"


def test_served_app_opens_the_story_and_finds_it_by_search(seed_run, page, tmp_path):
    result, _ = seed_run
    story = result.stories[0]
    with live_server(copy_store(seed_run, tmp_path)) as url:
        page.goto(url + "/")
        page.get_by_role("link", name=story.title).click()
        page.locator("#brief details.cite > summary").first.click()
        opened = page.locator("#brief details.cite[open] mark.passage").first
        assert opened.inner_text() == story.brief[0].text
        page.get_by_label("Search bodies, briefs and quotes").fill("Soleimani")
        page.keyboard.press("Enter")
        page.wait_for_url("**/search?q=Soleimani")
        assert page.locator("ol.hits mark").first.inner_text() == "Soleimani"
        page.locator(f"ol.hits a[href='/stories/{story.id}']").first.click()
        page.wait_for_url(f"**/stories/{story.id}")
        assert page.locator("h1").inner_text() == story.title


def test_scraped_script_and_event_handlers_stay_inert(page, tmp_path):
    # A real seed page with hostile markup written into its headline and a paragraph.
    text = seed_text("002").replace("U.S. reaffirms commitment", f"U.S. reaffirms {HOSTILE[0]} commitment", 1)
    text = text.replace("\n\n", f"\n\nOfficials said {HOSTILE[1]} {HOSTILE[2]} nothing more.\n\n", 1)
    source = tmp_path / "in" / "hostile.txt"
    source.parent.mkdir()
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = newsfuse_run([source], out=out)
    (story,) = result.stories
    (document,) = result.articles.values()
    assert all(markup in document.body for markup in HOSTILE[1:]) and "onerror=" in story.title
    static_pages = [out / "index.html", out / "stories" / f"{story.id}.html",
                    out / "documents" / f"{document.id}.html"]
    with live_server(out / "newsfuse.sqlite") as url:
        served = [url + "/", url + f"/stories/{story.id}", url + f"/documents/{document.id}",
                  url + "/search?q=pwned", url + f"/api/documents/{document.id}"]
        for address in [p.as_uri() for p in static_pages] + served:
            page.goto(address)
            page.wait_for_load_state("load")
            assert page.evaluate("window.__pwned") is None, address
            live = "document.querySelectorAll('script, img, svg[onload], [onerror]').length"
            assert page.evaluate(live) == 0, address
            assert "onerror=" in page.locator("body").inner_text(), address
    assert page.dialogs == []
