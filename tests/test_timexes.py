"""Date expressions found and resolved on real news sentences (the seed pages and TempEval-3 style)."""

from datetime import date

from newsfuse.analyze.timexes import find_timexes, precision_of

CHINA_DAILY = date(2020, 6, 13)  # seed 000's "Updated: 2020-06-13", a Saturday


def values(text: str, reference: date | None = CHINA_DAILY, **kwargs: bool) -> dict[str, str | None]:
    return {t.text: t.value for t in find_timexes(text, reference, **kwargs)}


def test_weekdays_resolve_to_the_latest_such_day_on_or_before_the_page_date():
    text = ("The United States and Iraq launched much-anticipated strategic talks on Thursday. "
            "\"The talks will focus on the need for Iraq and America to fight IS,\" Kadhimi told reporters "
            "on Wednesday. Late Wednesday, a Katyusha rocket fell a few hundred meters from the embassy.")
    found = values(text)
    assert found["Thursday"] == "2020-06-11"
    # The speaker's quoted "will" does not make the reporter's Wednesday the next one.
    assert found["Wednesday"] == "2020-06-10"
    assert found["Late Wednesday"] == "2020-06-10"


def test_a_sentence_that_looks_ahead_takes_the_next_weekday_unless_told_to_look_back():
    text = "After months of tensions, Baghdad and Washington are poised to launch strategic talks Thursday."
    assert values(text, date(2020, 6, 10))["Thursday"] == "2020-06-11"
    assert values(text, CHINA_DAILY)["Thursday"] == "2020-06-18"
    assert values(text, CHINA_DAILY, weekdays_back=True)["Thursday"] == "2020-06-11"


def test_month_day_without_year_takes_the_nearest_year():
    text = ("Soleimani's death prompted the Iraqi parliament on Jan 5 to pass a resolution. "
            "Tehran retaliated on January 8 with a barrage of missiles. The U.S. assassination of Iranian "
            "general Qasem Soleimani in Baghdad on January 3.")
    found = values(text)
    assert [found["Jan 5"], found["January 8"], found["January 3"]] == [
        "2020-01-05", "2020-01-08", "2020-01-03"]
    assert all(t.relative for t in find_timexes(text, CHINA_DAILY))


def test_relative_months_weeks_and_years():
    text = ("However, relations have improved since new Prime Minister Mustafa al-Kadhimi took over the helm "
            "of Iraq's government last month. A deadly rocket attack on the K-1 base in Kirkuk last December "
            "led to an escalation. However, Baghdad last week signed a two-year contract with Iran. "
            "Kadhemi has been invited to the White House this year. He took the reins as premier in May. "
            "It May be weeks before talks resume. The company was founded six years ago.")
    found = values(text)
    assert found["last month"] == "2020-05"
    assert found["last December"] == "2019-12"
    assert found["last week"] == "2020-W23"
    assert found["this year"] == "2020"
    assert found["May"] == "2020-05"  # "in May"; the sentence-initial modal "May" is not a month
    assert sum(1 for t in find_timexes(text, CHINA_DAILY) if t.text == "May") == 1
    assert found["six years ago"] == "2014"
    assert found["two-year"] == "P2Y"


def test_full_dates_are_absolute_and_the_longest_expression_wins():
    caption = ("Los Angeles Dodgers' Mookie Betts celebrates after a home run during the eighth inning in "
               "Game 6 of the baseball World Series Tuesday, Oct. 27, 2020, in Arlington, Texas.")
    (timex,) = [t for t in find_timexes(caption, CHINA_DAILY) if t.type == "DATE"]
    assert (timex.text, timex.value, timex.relative) == ("Tuesday, Oct. 27, 2020", "2020-10-27", False)
    photo = "U.S. soldiers conduct a mortar exercise near the border with Syria on Jan. 24, 2018."
    assert values(photo) == {"Jan. 24, 2018": "2018-01-24"}


def test_durations_sets_times_and_present_reference():
    text = ("The U.S. approved a 120-day sanctions waiver. The talks are expected to drag out over several "
            "months. Officials met for an hour every morning, and the board meets annually. The launching "
            "session, planned for 1300 GMT, is now under way. Iraq has seen attacks in recent weeks.")
    found = {t.text: (t.type, t.value) for t in find_timexes(text, CHINA_DAILY)}
    assert found["120-day"] == ("DURATION", "P120D")
    assert found["several months"] == ("DURATION", "PXM")
    assert found["an hour"] == ("DURATION", "PT1H")
    assert found["every morning"] == ("SET", "XXXX-XX-XXTMO")
    assert found["annually"] == ("SET", "XXXX")
    assert found["1300 GMT"] == ("TIME", "2020-06-13T13:00")
    assert found["now"] == ("DATE", "PRESENT_REF")
    assert found["recent weeks"] == ("DURATION", "PXW")


def test_numbers_that_are_not_years_are_left_alone():
    text = "More than 5,000 US troops were there, and 2014 troops more arrived at a cost of $2010."
    assert values(text) == {}


def test_without_a_reference_relative_expressions_are_found_but_not_dated():
    found = find_timexes("The talks began Thursday, a decade after the 2003 invasion.", None)
    by_text = {t.text: t for t in found}
    assert by_text["Thursday"].value is None and by_text["Thursday"].relative
    assert by_text["2003"].value == "2003"


def test_precision_of_values():
    assert [precision_of(v) for v in ("2020-06-11", "2020-06", "2020", "2020-W24", "2020-SU", "199",
                                      "2020-06-11TNI", "P3M", None)] == [
        "day", "month", "year", "week", "season", "decade", "day", None, None]
