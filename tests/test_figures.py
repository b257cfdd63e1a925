"""Figures of a measure: intervals from wording, comparison, and the numbers that are not figures."""

from __future__ import annotations

import math

import pytest

from newsfuse.analyze.figures import compare, figures

from .seeds import seed_text


def _only(sentence: str):
    found = figures(sentence)
    assert len(found) == 1, found
    return found[0]


def test_seed_troop_counts_are_compatible_not_contradictory() -> None:
    more_than = _only("More than 5,000 US troops have been deployed in Iraq to support the Iraqi forces.")
    some = _only("The United States has some 5,200 troops in Iraq as part of an international coalition.")
    assert (more_than.text, more_than.value, more_than.low, more_than.high) == ("More than 5,000", 5000, 5000,
                                                                                  math.inf)
    assert (more_than.qualifier, more_than.unit) == ("more than", "troops")
    assert some.text == "some 5,200" and some.qualifier == "some" and some.unit == "troops"
    assert some.low < 5200 < some.high
    assert compare(more_than, some) == "compatible"


def test_offsets_point_at_the_written_span_in_curly_quoted_text() -> None:
    sentence = "“We have about 1,200 staff,” he said, and $1.2 billion in aid was pledged."
    found = figures(sentence)
    assert [sentence[f.start:f.end] for f in found] == ["about 1,200", "$1.2 billion"]
    assert found[0].unit == "staff"
    assert found[1].value == 1.2e9 and found[1].unit == "dollars"


def test_compare_same_and_contradiction() -> None:
    exact = _only("The ministry counted 457 deaths.")
    again = _only("Officials reported 457 deaths on the day.")
    other = _only("Officials reported 460 deaths on the day.")
    at_least = _only("Officials reported at least 450 deaths.")
    assert compare(exact, again) == "same"
    assert compare(exact, other) == "contradiction"
    assert compare(at_least, other) == "compatible"


def test_words_percents_fractions_and_vague_quantities() -> None:
    counted = figures("Iraq handed over six military bases and two rocket attacks hit.")
    assert [(f.value, f.unit) for f in counted] == [(6, "bases"), (2, "attacks")]
    pct = _only("The country gets nearly 90 percent of its income from oil sales.")
    assert (pct.unit, pct.low, pct.high) == ("percent", 81, 90)
    third = _only("A third of the troops have left.")
    assert third.unit == "percent" and third.low < 100 / 3 < third.high
    dozens = _only("Dozens of rocket attacks targeted the bases.")
    assert (dozens.low, dozens.unit) == (24, "attacks")
    millions = _only("The lockdown threatens the livelihoods of millions of Iraqis.")
    assert millions.unit == "iraqis" and millions.low == 2e6


def test_ranges_and_changes() -> None:
    ranged = _only("About 800 to 1,000 people call health officials every day.")
    assert (ranged.low, ranged.high, ranged.unit) == (800, 1000, "people")
    scaled = _only("Between 5 and 6 million people voted.")
    assert (scaled.low, scaled.high) == (5e6, 6e6)
    # A change from one number to another states two figures, not a range.
    assert [f.value for f in figures("Troops were cut from 5,200 to 3,000 soldiers.")] == [5200, 3000]


@pytest.mark.parametrize("sentence", [
    "Tehran retaliated on January 8 with a barrage of missiles.",
    "The group held territory between 2014 and 2017.",
    "The talks were held on June 11, 2020 at 10:30 and ended at 3 p.m.",
    "A 45-year-old man was arrested.",
    "John Smith, 45, was arrested.",
    "The COVID-19 wave grounded the F-35 fleet under Resolution 2107.",
    "Registration Number: 130349",
    "Browsers with 1024*768 or higher resolution are suggested.",
    "Issued on: 21/10/2020 – 12:18",
    "The 1990s were the 1st decade of sanctions and the fourth of tensions.",
    "No one said which one of them was there.",
    "1. Security cooperation",
    "The team won 3-1 at home.",
    "Qatar Airways will also buy the Boeing 787 and the new iPhone 4 for its crews.",
    "The new planes come from the 737-800 range.",
    "Production of the jet is anticipated to start around 2020.",
    "The season started two years ago.",
])
def test_numbers_that_name_rather_than_measure_are_not_figures(sentence: str) -> None:
    assert figures(sentence) == []


def test_nautical_miles_are_their_own_unit() -> None:
    sentence = "Kingurra rolled over 19 nautical miles, or 35 kilometers (22 miles), south."
    (nautical, statute) = figures(sentence)[::2]
    assert (nautical.unit, statute.unit) == ("nautical miles", "miles")


def test_glued_units_and_ranges_of_seats() -> None:
    assert [(f.value, f.unit) for f in figures("The aircraft has 500km of wiring and a 60GB disk.")] == [
        (500, "km"), (60, "gb")]
    seats = _only("Airbus offers more comfortable flights at 200-250 seats.")
    assert (seats.low, seats.high, seats.unit) == (200, 250, "seats")


def test_seed_pages_yield_their_headline_figures_and_no_dates() -> None:
    page = seed_text("000")
    found = figures(page)
    texts = [f.text for f in found]
    assert "More than 5,000" in texts and "at least 457" in texts
    assert all(f.unit is not None or f.value >= 10 for f in found)
    for figure in found:
        assert page[figure.start:figure.end] == figure.text
        assert not (1900 <= figure.value <= 2100 and figure.unit is None)
