"""Metadata read from text pages: the seed pages' facts, and each rule on small cases."""

from __future__ import annotations

import pytest

from newsfuse.clean.plaintext import clean_text_page
from newsfuse.clean.textmeta import (
    BODY,
    CAPTION,
    CREDIT,
    EMBED,
    HEAD,
    SIDEBAR,
    TAIL,
    TextLine,
    credit_of,
    dateline_of,
    extract_metadata,
    find_date,
    masthead_of,
    photo_credit,
)
from newsfuse.model import Article, Metadata, Page, sha256_text

from .seeds import seed_text

SEEDS = ("000", "001", "002", "003", "004")


def page_of(content: str = "", **fields: str | None) -> Page:
    return Page(id="p", source="test", content=content, format="text",
                sha256=sha256_text(content), **fields)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def meta() -> dict[str, tuple[str, Metadata]]:
    out = {}
    for prefix in SEEDS:
        text = seed_text(prefix)
        result = clean_text_page(page_of(text))
        assert isinstance(result, Article)
        out[prefix] = (text, result.meta)
    return out


# --- the seed pages ------------------------------------------------------------------------


def test_000_update_time_outlet_and_wire(meta):
    _, m = meta["000"]
    assert m.updated is not None and m.updated.value == "2020-06-13"
    assert "Updated: 2020-06-13" in m.updated.evidence
    assert m.published is None or m.published.value != "2020-06-13"  # an update, not a publication
    assert m.agency is not None and m.agency.value == "Xinhua"
    assert m.agency.evidence == "Agencies - Xinhua"
    assert m.outlet is not None and m.outlet.value == "China Daily" and m.outlet.how == "masthead"
    assert m.dateline is not None and m.dateline.value == "BAGHDAD/WASHINGTON"
    assert m.title is not None and m.title.value == "US firms up drawdown on troops in Iraq"


def test_001_dateline_and_title(meta):
    _, m = meta["001"]
    assert m.dateline is not None and m.dateline.value == "ERBIL, Kurdistan Region"
    assert m.title is not None and m.title.value.startswith("US-Iraq strategic dialogue culminates")
    assert m.agency is None and m.published is None


def test_002_photo_credit_is_not_a_wire_credit(meta):
    _, m = meta["002"]
    assert m.agency is None
    assert [c.value for c in m.photo_credits] == ["Susannah George/AP"]
    assert "(Susannah George/AP)" in m.photo_credits[0].evidence
    assert m.published is None  # the caption's "Jan. 24, 2018" is not the page's date
    assert m.outlet is not None and m.outlet.value == "The Washington Post"
    assert m.title is not None
    assert m.title.value == "U.S. reaffirms commitment to withdrawing troops from Iraq"


def test_003_wire_byline_dateline_and_no_sidebar_date(meta):
    _, m = meta["003"]
    assert m.agency is not None and m.agency.value == "AP" and m.agency.how == "credit-line"
    assert m.byline is not None and m.byline.value == "Samya Kullab"
    assert m.byline.evidence == "Samya Kullab, The Associated Press"
    assert m.dateline is not None and m.dateline.value == "BAGHDAD"
    # the "Just Posted" sidebar is dated Oct 2020: no evidence of the page's own date
    assert m.published is None and m.updated is None
    assert not any(c.value.startswith("AP Photo") for c in m.photo_credits)


SIDEBAR_AND_TWEET_DATES = {"2020-10-21", "2020-10-20", "2020-10-18", "2020-06-11"}


def test_004_no_date_from_related_or_tweet_and_agency_inferred(meta):
    _, m = meta["004"]
    for field in (m.published, m.updated):
        assert field is None or field.value not in SIDEBAR_AND_TWEET_DATES
    # Three "told AFP" attributions and no other credit: AFP's own reporting, marked inferred.
    assert m.agency is not None and m.agency.value == "AFP"
    assert m.agency.inferred and m.agency.how == "quote-attribution"
    assert "told AFP" in m.agency.evidence
    assert m.title is not None and m.title.value.startswith("Iraq, US launch strategic talks")


@pytest.mark.parametrize("prefix", SEEDS)
def test_every_value_is_evidenced_by_a_line_of_the_page(meta, prefix):
    text, m = meta[prefix]
    values = [m.title, m.outlet, m.published, m.updated, m.dateline, m.agency, m.byline,
              *m.photo_credits]
    for item in values:
        if item is not None:
            assert item.evidence in text.splitlines() or item.evidence.strip() in text
            assert item.how not in ("input", "url")


# --- rule helpers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("China Daily | Updated: 2020-06-13 00:00", "2020-06-13"),
        ("June 11, 2020", "2020-06-11"),
        ("Nov. 19, 2019 8:03 am ET", "2019-11-19"),
        ("Wednesday 20 November 2019 11:42, UK", "2019-11-20"),
        ("Issued on: 21/10/2020 – 12:18", "2020-10-21"),
        ("5:55 PM on 08/26/2012", "2012-08-26"),
        ("publié le 3 févr. 2021", "2021-02-03"),
        ("03/04/2020", None),  # day and month order unknown
        ("2020-02-30", None),
        ("no date here at all", None),
    ],
)
def test_find_date(line, expected):
    assert find_date(line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("BAGHDAD — The United States and Iraq launched talks.", ("BAGHDAD", None)),
        ("ERBIL, Kurdistan Region —The US and Iraq agreed.", ("ERBIL, Kurdistan Region", None)),
        ("BAGHDAD/WASHINGTON-The United States and Iraq launched", ("BAGHDAD/WASHINGTON", None)),
        ("WASHINGTON (Reuters) - The U.S. Senate voted on Tuesday.", ("WASHINGTON", "Reuters")),
        ("HANOI, Vietnam (AP) — U.S. Defense Secretary Mark Esper", ("HANOI, Vietnam", "AP")),
        ("U.S.-led coalition forces withdrew from the base.", None),
        ("The talks began on Thursday — officials said.", None),
    ],
)
def test_dateline_of(line, expected):
    assert dateline_of(line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Agencies - Xinhua", (None, "Xinhua")),
        ("Samya Kullab, The Associated Press", ("Samya Kullab", "AP")),
        ("The Associated Press", (None, "AP")),
        ("Associated Press writer Matt Lee in Washington contributed to this report.", (None, "AP")),
        ("(Reuters)", (None, "Reuters")),
        ("By Jane Roe", ("Jane Roe", None)),
        ("(Susannah George/AP)", None),
        ("A top American official told AFP the talks would go on.", None),
    ],
)
def test_credit_of(line, expected):
    assert credit_of(line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Soldiers at an outpost in western Iraq on Jan. 24, 2018. (Susannah George/AP)",
         "Susannah George/AP"),
        ("Mookie Betts celebrates after a home run in Game 6 on Tuesday. (AP Photo/Sue Ogrocki)",
         "AP Photo/Sue Ogrocki"),
        ("A server wears a mask at a restaurant in Canada. THE CANADIAN PRESS/Graham Hughes",
         "THE CANADIAN PRESS/Graham Hughes"),
        ("Residents at the hearing on Tuesday. (Photo by LANA MICHELIN/Advocate staff).",
         "Photo by LANA MICHELIN/Advocate staff"),
        ("The council approved the budget on Tuesday after a long debate.", None),
        ("Gaming (AR/VR)", None),
    ],
)
def test_photo_credit(line, expected):
    assert photo_credit(line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("China Daily | Updated: 2020-06-13 00:00", "China Daily"),
        ("The Washington PostDemocracy Dies in Darkness", "The Washington Post"),
        ("US firms up drawdown on troops in Iraq", None),
        ("World | Politics | Business", None),
    ],
)
def test_masthead_of(line, expected):
    assert masthead_of(line) == expected


# --- extract_metadata on synthetic line roles ----------------------------------------------

BODY_LINES = [
    TextLine("The city council approved the new budget on Tuesday after a long debate.", BODY),
    TextLine("Council members said the plan would fund road repairs and two new libraries.", BODY),
]


def test_sidebar_caption_and_embed_dates_are_not_the_page_date():
    lines = [
        TextLine("Council passes budget after long debate", HEAD),
        TextLine("Crowds at City Hall on March 3, 2021. (Jane Roe/Reuters)", CAPTION),
        TextLine("— Mayor Ann Lee (@MayorLee) June 11, 2020", EMBED),
        *BODY_LINES,
        TextLine("Related Articles", SIDEBAR),
        TextLine("Issued on: 21/10/2020 – 12:18 Another story begins here...", SIDEBAR),
    ]
    m = extract_metadata(page_of(), lines)
    assert m.published is None and m.updated is None
    assert m.title is not None and m.title.value == "Council passes budget after long debate"
    assert [c.value for c in m.photo_credits] == ["Jane Roe/Reuters"]
    assert m.agency is None  # a photo credit is not a wire credit


def test_published_and_updated_on_one_line():
    line = "Published: June 1, 2020 | Updated: June 2, 2020 10:00"
    m = extract_metadata(page_of(), [TextLine("Budget passes", HEAD), TextLine(line, HEAD), *BODY_LINES])
    assert m.published is not None and m.published.value == "2020-06-01"
    assert m.updated is not None and m.updated.value == "2020-06-02"
    assert m.published.evidence == line == m.updated.evidence


def test_updated_only_line_gives_no_published():
    m = extract_metadata(page_of(), [TextLine("Updated 10:43, Tue, Nov 19, 2019", HEAD), *BODY_LINES])
    assert m.published is None
    assert m.updated is not None and m.updated.value == "2019-11-19"


def test_input_fields_are_fallback_evidence():
    page = page_of(title="Budget passes", published="2020-06-01T10:00:00Z", outlet="Example Times",
                   url="https://www.example.com/story")
    m = extract_metadata(page, list(BODY_LINES))
    assert m.title is not None and (m.title.value, m.title.how) == ("Budget passes", "input")
    assert m.published is not None and (m.published.value, m.published.how) == ("2020-06-01", "input")
    assert m.outlet is not None and (m.outlet.value, m.outlet.how) == ("Example Times", "input")
    url_only = extract_metadata(page_of(url="https://www.example.com/story"), list(BODY_LINES))
    assert url_only.outlet is not None and (url_only.outlet.value, url_only.outlet.how) == (
        "example.com", "url")


def test_text_evidence_beats_input():
    page = page_of(title="Budget passes | Example Times", published="2001-01-01")
    lines = [TextLine("Budget passes", HEAD), TextLine("June 1, 2020", HEAD), *BODY_LINES]
    m = extract_metadata(page, lines)
    assert m.title is not None and m.title.how != "input" and m.title.value == "Budget passes"
    assert m.published is not None and m.published.value == "2020-06-01"


def test_menu_words_are_not_titles():
    lines = [TextLine("Middle East", HEAD), TextLine("World", HEAD), *BODY_LINES]
    assert extract_metadata(page_of(), lines).title is None


def test_one_told_agency_is_not_a_credit_but_several_are():
    once = [TextLine("\"We will decide soon,\" an official told Reuters on Tuesday.", BODY), *BODY_LINES]
    assert extract_metadata(page_of(), once).agency is None
    twice = [*once, TextLine("\"It is not over,\" a diplomat told Reuters.", BODY)]
    m = extract_metadata(page_of(), twice)
    assert m.agency is not None and m.agency.value == "Reuters" and m.agency.inferred
    mixed = [*twice, TextLine("\"No comment,\" a spokesman told AFP.", BODY)]
    assert extract_metadata(page_of(), mixed).agency is None


def test_wire_sign_off_after_body_gives_agency_and_byline():
    lines = [*BODY_LINES, TextLine("Jane Roe, The Associated Press", CREDIT), TextLine("Most Read", SIDEBAR),
             TextLine("John Doe, Reuters", SIDEBAR)]
    m = extract_metadata(page_of(), lines)
    assert m.agency is not None and m.agency.value == "AP"
    assert m.byline is not None and m.byline.value == "Jane Roe"


def test_copyright_line_names_wire_and_outlet():
    wire = extract_metadata(page_of(), [*BODY_LINES, TextLine(
        "© 2019 Associated Press. All Rights Reserved. This material may not be published.", TAIL)])
    assert wire.agency is not None and (wire.agency.value, wire.agency.how) == ("AP", "copyright")
    site = extract_metadata(page_of(), [*BODY_LINES, TextLine("© 2019 Sky UK", TAIL)])
    assert site.outlet is not None and (site.outlet.value, site.outlet.how) == ("Sky UK", "copyright")
    assert site.agency is None
