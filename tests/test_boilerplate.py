"""The learned per-outlet boilerplate model: deterministic, frozen, keyed, and safe to apply."""

from __future__ import annotations

import dataclasses
import random

import pytest

from newsfuse.clean.boilerplate import BoilerplateModel, build_boilerplate, host_key
from newsfuse.clean.plaintext import clean_text_page, split_lines
from newsfuse.model import Article, Page, sha256_text

from .seeds import seed_text

MENU = ["Home", "World", "Politics", "Watch our live coverage and the latest videos on the app today."]


def story(n: int) -> list[str]:
    """A distinct article of a few sentences, numbered so no sentence repeats across stories."""
    return [
        f"Story {n}: the council met on day {n} to debate item {n} of the city budget.",
        f"Members said proposal {n} would change how the city pays for roads in district {n}.",
        f"A final vote on item {n} is expected next week, the clerk's office said on day {n}.",
    ]


def outlet_pages(key: str, count: int) -> list[tuple[str, list[str]]]:
    return [(key, [*MENU, *story(n)]) for n in range(count)]


def test_learns_lines_repeated_across_an_outlets_pages():
    model = build_boilerplate(outlet_pages("example.com", 5))
    assert set(MENU) <= model.lines_for("example.com")
    assert not any(line.startswith("Story") for line in model.lines_for("example.com"))
    assert model.lines_for("other.org") == frozenset()
    assert model.lines_for(None) == frozenset()


def test_needs_min_pages_and_share_and_keeps_outlets_apart():
    two = build_boilerplate(outlet_pages("a.com", 2))
    assert two.lines_for("a.com") == frozenset()  # two pages are not enough evidence
    rare = [("b.com", [*story(n), *(["Trending: rotating headline"] if n < 3 else [])]) for n in range(20)]
    assert "Trending: rotating headline" not in build_boilerplate(rare).lines_for("b.com")
    mixed = build_boilerplate([*outlet_pages("a.com", 3), ("c.com", ["Home"])])
    assert "Home" in mixed.lines_for("a.com") and mixed.lines_for("c.com") == frozenset()


def test_version_is_a_deterministic_content_hash():
    pages = outlet_pages("example.com", 4) + outlet_pages("news.org", 3)
    shuffled = pages[:]
    random.Random(7).shuffle(shuffled)
    first, again, reordered = (build_boilerplate(p) for p in (pages, list(pages), shuffled))
    assert first.version == again.version == reordered.version
    assert first.version.startswith("bp-") and len(first.version) > 8
    assert first == reordered
    changed = build_boilerplate(pages + [("example.com", ["A new footer line for every page"])] * 3)
    assert changed.version != first.version


def test_model_is_frozen():
    model = build_boilerplate(outlet_pages("example.com", 3))
    with pytest.raises(dataclasses.FrozenInstanceError):
        model.version = "x"  # type: ignore[misc]
    assert isinstance(model.entries, tuple)
    assert all(isinstance(lines, frozenset) for _, lines in model.entries)


def test_empty_model():
    model = build_boilerplate([])
    assert isinstance(model, BoilerplateModel) and model.entries == ()
    assert model.lines_for("example.com") == frozenset()


def test_host_key():
    assert host_key("Example Times", "https://www.example.com/a") == "example times"
    assert host_key(None, "https://www.Example.com/a?b=1") == "example.com"
    assert host_key("  ", "http://news.example.org") == "news.example.org"
    assert host_key(None, None) is None
    assert host_key(None, "not a url") is None


def page_of(lines: list[str], url: str = "https://www.example.com/x") -> Page:
    content = "\n".join(lines)
    return Page(id="p", source="t", content=content, format="text", sha256=sha256_text(content), url=url)


def test_cleaner_drops_learned_prose_chrome():
    pages = outlet_pages("example.com", 4)
    model = build_boilerplate(pages)
    lines = [*MENU, *story(9)]
    plain = clean_text_page(page_of(lines))
    learned = clean_text_page(page_of(lines), boilerplate=model)
    assert isinstance(plain, Article) and isinstance(learned, Article)
    assert MENU[-1] in plain.body  # prose-like promo the generic rules cannot tell from text
    assert MENU[-1] not in learned.body
    assert learned.body == "\n\n".join(story(9))
    assert learned.cleaner.endswith(model.version)


def test_an_outlet_rerunning_one_story_does_not_lose_it():
    same = story(1)
    model = build_boilerplate([("example.com", [*MENU, *same])] * 4)
    assert set(same) <= model.lines_for("example.com")  # the model did learn the story ...
    result = clean_text_page(page_of([*MENU, *same]), boilerplate=model)
    assert isinstance(result, Article)
    assert result.body.endswith("\n\n".join(same))  # ... but the cleaner will not let it gut the body
    assert "Politics" not in result.body


def test_seed_pages_are_unchanged_by_a_model_of_their_own_lines():
    pages = [seed_text(p) for p in ("000", "001", "002", "003", "004")]
    urls = [f"https://site{i}.example/story" for i in range(5)]
    pairs = zip(urls, pages, strict=True)
    model = build_boilerplate((host_key(None, url), [t for t, _ in split_lines(text)]) for url, text in pairs)
    for url, text in zip(urls, pages, strict=True):
        page = Page(id="s", source="t", content=text, format="text", sha256=sha256_text(text), url=url)
        plain, learned = clean_text_page(page), clean_text_page(page, boilerplate=model)
        assert isinstance(plain, Article) and isinstance(learned, Article)
        assert plain.body == learned.body
