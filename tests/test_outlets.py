"""The outlet table: complete rows, lookups by name, URL and domain, unknown outlets stay unknown."""

from __future__ import annotations

import csv

import pytest

from newsfuse.analyze.outlets import (
    COLUMNS,
    DEFAULT_TABLE,
    OWNERSHIP,
    article_outlet,
    group_outlets,
    load_outlets,
    lookup,
)


def test_every_row_is_complete_and_sourced():
    table = load_outlets()
    assert len(table.outlets) >= 25
    for outlet in table.outlets:
        assert outlet.ownership in OWNERSHIP, outlet
        assert len(outlet.country) == 2 and outlet.country.isupper(), outlet
        assert outlet.language and all(len(code) == 2 for code in outlet.language), outlet
        assert outlet.domains and all("." in d and "/" not in d for d in outlet.domains), outlet
        assert outlet.source, outlet


def test_no_name_or_domain_claimed_twice():
    with DEFAULT_TABLE.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    domains = [d for row in rows for d in row["domains"].split()]
    assert len(domains) == len(set(domains))
    for outlet in load_outlets().outlets:
        for name in (outlet.name, *outlet.also_known_as):
            assert lookup(name) == outlet, name
        for domain in outlet.domains:
            assert lookup(domain) == outlet, domain


def test_seed_outlets_as_their_pages_name_them(seed_run):
    result, _ = seed_run
    named = {a.meta.outlet.value for a in result.articles.values() if a.meta.outlet}
    credits = {a.meta.agency.value for a in result.articles.values() if a.meta.agency}
    assert named == {"China Daily", "The Washington Post"}
    assert credits == {"Xinhua", "AP", "AFP"}
    assert lookup("China Daily").ownership == "state"
    assert lookup("The Washington Post").ownership == "private"
    assert {lookup(c).name for c in credits} == {
        "Xinhua News Agency", "Associated Press", "Agence France-Presse"}
    assert lookup("Xinhua").country == "CN"


@pytest.mark.parametrize(("query", "name"), [
    ("https://www.washingtonpost.com/world/middle_east/us-iraq-talks/2020/06/11/", "The Washington Post"),
    ("edition.cnn.com", "CNN"),
    ("http://english.news.cn/20200612/abc.htm", "Xinhua News Agency"),
    ("Washington Post", "The Washington Post"),
    ("the associated press", "Associated Press"),
    ("FRANCE 24", "France 24"),
])
def test_lookup_by_url_domain_and_name(query, name):
    assert lookup(query).name == name


@pytest.mark.parametrize("query", ["", None, "Kurdistan Herald", "notcnn.com", "https://example.org/cnn.com",
                                   "Daily"])
def test_unknown_outlets_stay_unknown(query):
    assert lookup(query) is None


def test_group_outlets_keeps_unknown_apart():
    groups = group_outlets(["China Daily", "https://www.france24.com/en/x", "Kurdistan Herald", "AFP", None])
    assert groups == {"public": ["Agence France-Presse", "France 24"], "state": ["China Daily"],
                      "unknown": ["Kurdistan Herald"]}
    assert group_outlets(["Xinhua"], by="country") == {"CN": ["Xinhua News Agency"]}
    assert "zh" in group_outlets(["Xinhua"], by="language")
    with pytest.raises(ValueError):
        group_outlets(["AFP"], by="colour")


def test_a_broken_table_is_refused(tmp_path):
    bad = tmp_path / "outlets.csv"
    bad.write_text(",".join(COLUMNS) + "\nSome Outlet,,some.example,,private,en,my notes\n", encoding="utf-8")
    with pytest.raises(ValueError, match="country"):
        load_outlets(bad)
    bad.write_text("name,domains\nX,x.example\n", encoding="utf-8")
    with pytest.raises(ValueError, match="columns"):
        load_outlets(bad)


def test_seed_story_coverage_groups_outlets_by_ownership(seed_run):
    result, out = seed_run
    story = max(result.stories, key=lambda s: len(s.documents))
    members = [result.articles[d] for d in story.documents]
    known = {a.id: article_outlet(a) for a in members}
    assert sorted(i.name for i in known.values() if i) == ["China Daily", "The Washington Post"]
    (line,) = [ln for ln in (out / "stories.md").read_text(encoding="utf-8").splitlines()
               if ln.startswith("Outlets by ownership:")]
    assert "private: The Washington Post" in line and "state: China Daily" in line
    # A page naming no outlet the table knows is listed as unknown, never guessed.
    assert "unknown: " in line
