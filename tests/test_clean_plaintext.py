"""The plain-text cleaner on the seed pages and on small synthetic pages, one rule at a time."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsfuse import api
from newsfuse.clean.boilerplate import build_boilerplate
from newsfuse.clean.plaintext import clean_text_page, split_lines
from newsfuse.model import Article, Page, Rejection, sha256_text

from .seeds import seed_text

SEEDS = ("000", "001", "002", "003", "004")

# First and last sentence of each seed article, as a reader of the page would mark them.
FIRST_LAST = {
    "000": (
        "BAGHDAD/WASHINGTON-The United States and Iraq launched much-anticipated strategic talks",
        "whether Iraq can prosper as a country without being drawn into Iranian influence.",
    ),
    "001": (
        "ERBIL, Kurdistan Region —The US and Iraq agreed to reduce the number of American troops",
        "Despite the US drawdown, Washington appears to remain committed to tackling pro-Iran forces",
    ),
    "002": (
        "The United States intends to continue withdrawing troops from Iraq, it said in a statement",
        "to achieve security, stability, and prosperity in the region,” the statement said.",
    ),
    "003": (
        "BAGHDAD — The United States and Iraq launched much-anticipated strategic talks Thursday",
        "“We have communicated that to the Americans.”",
    ),
    "004": (
        "Due to coronavirus travel restrictions, top-level talks expected to take place in Baghdad",
        "We're tied down by this dialogue, too,\" a Western diplomat told AFP.",
    ),
}

# Page chrome, sidebars, teasers, captions, credits and embeds that no body may contain.
NOT_IN_BODY = {
    "000": (
        "Copyright 1995", "Share - WeChat", "Agencies - Xinhua", "Today's Top News",
        "Editor's picks", "Most Viewed", "BACK TO THE TOP", "China Daily | Updated",
        "Global Edition", "Registration Number", "FOLLOW US",
        "US firms up drawdown on troops in Iraq",
    ),
    "001": ("US-Iraq strategic dialogue culminates in commitment",),
    "002": (
        "(Susannah George/AP)", "U.S. soldiers conduct a mortar exercise",
        "Iraq names new prime minister, paving way to tackle deepening crises",
        "ISIS exploits coronavirus lockdown to step up attacks in Iraq",
        "U.S. and Iraq begin talks on American troop presence as militant threat grows",
        "Democracy Dies in Darkness",
    ),
    "003": (
        "Molly Banister", "Most Read", "Just Posted", "Sign up here", "Continue reading",
        "THE CANADIAN PRESS", "AP Photo", "Samya Kullab, The Associated Press", "Dodgers",
        "Get local stories", "Associated Press writer Matt Lee", "food bank",
        "US, Iraq launch strategic talks on economy, American troops",
    ),
    "004": (
        "[contf]", "Israel PM", "Issued on", "pic.twitter.com", "@StateDept", "Related Articles",
        "Read More – Source", "Advertising", "france24", "Antiquities", "Middle East\n",
        "Lebanon’s unfinished revolution", "The Government of Iraq has agreed to the Strategic",
    ),
}


def page_of(content: str, **fields: str | None) -> Page:
    """A text page with the given content (id and source fixed, hash computed)."""
    return Page(id=fields.pop("id", None) or "p1", source="test", content=content, format="text",
                sha256=sha256_text(content), **fields)  # type: ignore[arg-type]


def clean(content: str, **fields: str | None) -> Article | Rejection:
    return clean_text_page(page_of(content, **fields))


def article(content: str, **fields: str | None) -> Article:
    result = clean(content, **fields)
    assert isinstance(result, Article), result
    return result


def assert_verbatim(result: Article, content: str) -> None:
    """Every kept paragraph is a slice of the raw page at the offsets its segment records."""
    assert result.segments, "an article has segments"
    rebuilt = "\n\n".join(result.body[s.body_start : s.body_start + s.length] for s in result.segments)
    assert rebuilt == result.body
    for seg in result.segments:
        piece = result.body[seg.body_start : seg.body_start + seg.length]
        assert piece == content[seg.raw_start : seg.raw_start + seg.length]
        assert piece == piece.strip() and piece


@pytest.fixture(scope="module")
def seeds() -> dict[str, tuple[str, Article]]:
    out = {}
    for prefix in SEEDS:
        text = seed_text(prefix)
        out[prefix] = (text, article(text, id=f"seed{prefix}", url=None))
    return out


# --- the seed pages ------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", SEEDS)
def test_seed_keeps_first_and_last_article_sentences(seeds, prefix):
    _, result = seeds[prefix]
    first, last = FIRST_LAST[prefix]
    paragraphs = result.body.split("\n\n")
    # 004 opens with its standfirst, above the first paragraph proper
    assert first in paragraphs[1 if prefix == "004" else 0]
    assert last in paragraphs[-1]


@pytest.mark.parametrize("prefix", SEEDS)
def test_seed_body_has_no_chrome(seeds, prefix):
    _, result = seeds[prefix]
    for junk in NOT_IN_BODY[prefix]:
        assert junk not in result.body, junk


@pytest.mark.parametrize("prefix", SEEDS)
def test_seed_segments_map_verbatim(seeds, prefix):
    text, result = seeds[prefix]
    assert_verbatim(result, text)
    for paragraph in result.body.split("\n\n"):
        assert paragraph in text


@pytest.mark.parametrize("prefix", SEEDS)
def test_seed_article_fields(seeds, prefix):
    text, result = seeds[prefix]
    assert result.id == f"seed{prefix}"
    assert result.source == "test"
    assert result.raw_sha256 == sha256_text(text)
    assert result.language == "und"
    assert result.cleaner.startswith("text/")
    assert result.url is None


def test_repeated_body_is_kept_once(seeds):
    _, result = seeds["001"]
    assert result.body.count("The first talks of their kind in a decade") == 1
    assert result.body.count("Tehran retaliated on January 8") == 1
    # the subheadings of the repeated block stay, once each
    assert result.body.count("Economic crisis in Iraq") == 1
    assert result.body.count("US-Iraq relations\n") == 1


def test_subheadings_between_paragraphs_are_kept(seeds):
    assert "\n\nSanctions waiver\n\n" in seeds["000"][1].body
    assert "\n\nTroops in the balance\n\n" in seeds["004"][1].body


def test_standfirst_above_chrome_is_kept(seeds):
    body = seeds["004"][1].body
    assert body.startswith("After months of tensions, Baghdad and Washington are poised")


def test_tweet_text_and_signature_are_dropped_but_article_around_kept(seeds):
    body = seeds["004"][1].body
    assert "Department of State" not in body
    assert "we seem to have the right people in the right place" in body
    assert "Bilateral ties had been at their \"coldest\" in years" in body


# --- one rule at a time --------------------------------------------------------------------

PARAS = [
    "The city council approved the new budget on Tuesday after a long debate about spending.",
    "Council members said the plan would fund road repairs, schools and two new libraries.",
    "Opponents argued that the tax increase would hurt small businesses across the region.",
    "The mayor is expected to sign the budget into law before the end of the month, officials said.",
]


def page(*lines: str, sep: str = "\n") -> str:
    return sep.join(lines)


def test_cue_words_inside_article_sentences_do_not_drop_them():
    share = "Shareholders will share the profits, and the related company said it would sign up staff."
    result = article(page(*PARAS[:2], share, "Read more about the budget in the council minutes today.",
                          *PARAS[2:]))
    assert share in result.body
    assert PARAS[3] in result.body


def test_menu_share_and_signup_lines_are_dropped():
    content = page("Home", "World", "Politics", "Business", "Share", "Tweet", "Email", *PARAS[:2],
                   "Advertisement", *PARAS[2:], "Sign up for our daily newsletter",
                   "Follow us on Twitter", "Privacy Policy")
    result = article(content)
    for junk in ("Home", "Politics", "Share", "Tweet", "Advertisement", "newsletter", "Privacy"):
        assert junk not in result.body
    assert result.body == "\n\n".join(PARAS)


def test_copyright_footer_is_dropped_even_when_long():
    notice = ("Copyright 2020 Example Media Group. All rights reserved. This material may not be "
              "published, broadcast, rewritten or redistributed in any form without permission.")
    result = article(page(*PARAS, notice))
    assert "All rights reserved" not in result.body
    assert PARAS[-1] in result.body


@pytest.mark.parametrize(
    "caption",
    [
        "Protesters gather outside the council building on Tuesday evening. (John Doe/Reuters)",
        "Protesters gather outside the council building on Tuesday. (AP Photo/Jane Roe)",
        "A resident speaks at the public hearing on Tuesday. THE CANADIAN PRESS/Graham Hughes",
        "A resident speaks at the public hearing on the new budget. Photo by Mary Major/Staff",
        "Mayor Ann Lee, left, and council member Bo Chan talk after the vote on Tuesday evening.",
    ],
)
def test_photo_captions_are_dropped(caption):
    result = article(page(PARAS[0], caption, *PARAS[1:]))
    assert caption not in result.body
    assert result.body == "\n\n".join(PARAS)


def test_byline_and_wire_signoff_are_dropped():
    result = article(page("Budget passes after long debate", "By Jane Roe", *PARAS,
                          "Associated Press writer John Doe contributed to this report.",
                          "Jane Roe, The Associated Press"))
    assert "Jane Roe" not in result.body and "contributed" not in result.body
    assert result.body == "\n\n".join(PARAS)


def test_embedded_tweet_is_dropped():
    tweet = "Proud of our council for passing this budget today! pic.twitter.com/AbC123xyz"
    result = article(page(*PARAS[:2], tweet, "— Mayor Ann Lee (@MayorLee) June 11, 2020", *PARAS[2:]))
    assert "pic.twitter.com" not in result.body and "@MayorLee" not in result.body
    assert result.body == "\n\n".join(PARAS)


def test_template_junk_is_dropped():
    result = article(page(*PARAS, "[contf]", "[contfnew]", "{{ related_block }}"))
    assert "[contf" not in result.body and "{{" not in result.body


def test_a_form_line_with_an_unrendered_placeholder_is_dropped():
    # A sign-in form scraped with its template unrendered (Multi-News).
    form = ["Sign in using you account with: {* loginWidget *}",
            "We have sent a confirmation email to {* data_emailAddress *}. Please check your email and "
            "click on the link to activate your account."]
    result = article(page(*PARAS[:2], *form, *PARAS[2:]))
    assert result.body == "\n\n".join(PARAS)


def test_sidebar_after_heading_is_dropped_with_its_teasers():
    teasers = [
        "Police arrest two after downtown robbery",
        "Officers said the suspects fled in a stolen car before being caught near the bridge.",
        "Storm knocks out power to thousands",
        "Utility crews worked through the night to restore service to most homes by morning.",
        "Local team wins regional title",
        "The team scored twice in the final minutes to secure a dramatic victory on Saturday.",
    ]
    result = article(page(*PARAS, "Most Read", *teasers))
    for teaser in teasers:
        assert teaser not in result.body
    assert result.body == "\n\n".join(PARAS)


def test_teasers_ending_in_continue_reading_are_dropped():
    teaser = "Albertans may be divided on several issues today, but there is… Continue reading"
    result = article(page(*PARAS, "Latest", "Kenney may consider a referendum", teaser))
    assert "Continue reading" not in result.body


def test_reader_comments_after_the_article_are_dropped():
    comments = []
    for n in range(6):
        comments += [f"reader{n} says:", "November 19, 2019 at 6:34 am",
                     "I completely disagree with this decision and I think the council is wasting "
                     "money that should go to the police and fire departments instead, honestly."]
    result = article(page(*PARAS, "12 Comments", *comments))
    assert "says:" not in result.body and "disagree" not in result.body


def test_inline_related_headline_inside_body_is_dropped():
    related = "READ MORE: Council debates tax increase as budget deadline nears"
    result = article(page(*PARAS[:2], related, *PARAS[2:]))
    assert related not in result.body
    assert result.body == "\n\n".join(PARAS)


def test_repeated_block_is_kept_once():
    result = article(page(*PARAS, *PARAS))
    assert result.body == "\n\n".join(PARAS)


def test_blank_lines_crlf_and_indentation_keep_segments_verbatim():
    content = "\r\n\r\n".join(f"   {p}\t " for p in PARAS)
    result = article(content)
    assert result.body == "\n\n".join(PARAS)
    assert_verbatim(result, content)


def test_other_languages_are_kept():
    french = [
        "Le conseil municipal a adopté mardi le nouveau budget après un long débat sur les dépenses.",
        "Les élus ont expliqué que le plan financerait la réfection des routes et deux bibliothèques.",
        "Les opposants estiment que la hausse des impôts pénalisera les petites entreprises locales.",
    ]
    assert article(page("Accueil", "Partager", *french)).body == "\n\n".join(french)
    chinese = [
        "北京时间今天上午，国家主席在人民大会堂会见了来访的外国领导人，双方就两国关系交换了意见。",
        "双方一致认为，应当进一步加强在经济、贸易、科技和人文等领域的交流与合作，推动关系发展。",
    ]
    result = article(page("首页", "新闻", *chinese))
    assert result.body == "\n\n".join(chinese)


def test_boilerplate_only_page_is_rejected_with_detail():
    result = clean(page("Home", "World", "Share", "Tweet", "Sign in", "Subscribe", "Most Read",
                        "Copyright 2020 Example. All rights reserved."))
    assert isinstance(result, Rejection)
    assert result.reason == "no_article"
    assert result.detail and result.id == "p1" and result.sha256 == sha256_text(
        page("Home", "World", "Share", "Tweet", "Sign in", "Subscribe", "Most Read",
             "Copyright 2020 Example. All rights reserved."))


# Verbatim notices of services that stand in for a page: a web archive's crawl description, a
# social embed's location prompt, a video player's error lines.
ARCHIVE_NOTICE = ("These crawls are part of an effort to archive pages as they are created and archive "
                  "the pages that they refer to. That way, as the pages that are referenced are changed "
                  "or taken from the web, a link to the version that was live when the page was written "
                  "will be preserved.")
ALEXA_NOTICE = ("Starting in 1996, Alexa Internet has been donating their crawl data to the Internet "
                "Archive. Flowing in every day, these data are added to the Wayback Machine after an "
                "embargo period.")
TWEET_LOCATION = ("You can add location information to your Tweets, such as your city or precise location, "
                  "from the web and via third-party applications. You always have the option to delete "
                  "your Tweet location history. Learn more")
PLAYER_ERROR = ("The interactive transcript could not be loaded.",
                "Rating is available when the video has been rented.",
                "This feature is not available right now. Please try again later.")


@pytest.mark.parametrize(
    "notice", [(ARCHIVE_NOTICE,), (ALEXA_NOTICE,), ("Tweet with a location", TWEET_LOCATION), PLAYER_ERROR])
def test_a_page_that_is_only_a_service_notice_is_rejected(notice):
    result = clean(page(*notice))
    assert isinstance(result, Rejection) and result.reason == "no_article"


def test_a_service_notice_around_an_article_is_dropped_and_writing_about_the_archive_is_kept():
    about = ("The Internet Archive said its Wayback Machine now holds copies of 900 billion pages, and "
             "that crawls of news sites are part of an effort to keep broken links readable.")
    result = article(page(ALEXA_NOTICE, *PARAS, about, TWEET_LOCATION))
    assert result.body == "\n\n".join([*PARAS, about])


def test_a_sign_up_box_and_a_video_playlist_line_are_dropped_but_writing_about_newsletters_is_kept():
    # As Multi-News pages carry them: POLITICO's newsletter box and CNN's player chrome, each one line.
    sign_up = ("Sign up here for POLITICO Huddle A daily play-by-play of congressional news in your inbox. "
               "Email Sign Up By signing up you agree to receive email newsletters or alerts from POLITICO. "
               "You can unsubscribe at any time.")
    playlist = ("JUST WATCHED Cummings: Trump has stepped over the line Replay More Videos ... MUST WATCH "
                "Cummings: Trump has stepped over the line 00:47")
    # One cue in a paragraph longer than a promo line is writing, not a box.
    about = ("The publisher said 40,000 readers signed up for its daily newsletter in the first week after "
             "the launch, and that it would stop selling the list of their addresses to advertisers "
             "before the end of the year.")
    more = ["The vote was 7 to 2, with both dissenting members saying the plan spent too much on "
            "consultants and too little on the bus routes that residents had asked for at hearings.",
            "Under the plan, property owners will pay about $120 more a year on a typical home, the "
            "finance director said, and the city will borrow $40 million for the library projects.",
            "Business groups said they would ask the state to review the increase before it takes "
            "effect in January, arguing that the council had not published the figures in time."]
    prose = [*PARAS[:2], more[0], more[1], PARAS[2], more[2], about, PARAS[3]]
    result = article(page(*prose[:3], sign_up, *prose[3:5], playlist, *prose[5:]))
    assert result.body == "\n\n".join(prose)


def test_bbc_image_captions_and_a_video_players_caption_are_dropped():
    # As Multi-News pages carry them: BBC's picture markers, a USA TODAY network player's caption.
    bbc = ("Image copyright Getty Images Image caption The band broke up in 1980 following the death of "
           "drummer John Bonham (second from right)")
    player = "CLOSE Four Reno dispensaries begin sales of recreational marijuana. Jason Bean"
    controls = ("CLOSE Skip in Skip x Embed x Share A former police officer accused of making false reports "
                "of a bomb threat was arrested on Tuesday.")
    result = article(page(PARAS[0], bbc, PARAS[1], "Image copyright PA", PARAS[2], player, controls,
                          PARAS[3]))
    assert result.body == "\n\n".join(PARAS)


@pytest.mark.parametrize("content", ["", "   \n\n\t", "\x00\x01\x02\x1b[31m\x7f" * 50, "\ufeff\u2028\u2029"])
def test_empty_or_control_character_pages_are_rejected_not_raised(content):
    result = clean(content)
    assert isinstance(result, Rejection) and result.reason == "no_article"


def test_control_characters_inside_article_lines_stay_verbatim():
    content = page(PARAS[0] + "\x07", "\x0c" + PARAS[1], PARAS[2].replace(" ", "\x00 ", 1), PARAS[3])
    result = article(content)
    assert_verbatim(result, content)


# The timeouts below only stop a runaway: a quadratic path on these inputs takes hours, the
# linear one seconds. How fast cleaning runs is measured in the benchmark.
@pytest.mark.timeout(300)
def test_a_five_megabyte_single_line_is_one_segment():
    line = PARAS[0] + " " + PARAS[1] + " "
    content = line * (5_000_000 // len(line))
    result = article(content)
    assert len(result.segments) == 1 and result.segments[0].length == len(content.strip())


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_hundred_megabyte_single_line():
    content = ("word " * 20 + "end. ") * (100_000_000 // 105)
    result = clean(content)
    assert isinstance(result, Article)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("content", ["(" * 100_000 + "a/b" + ")" * 100_000, "A/" * 200_000, ". " * 200_000,
                                     "Read more " * 50_000, "—" * 100_000 + " (@x) June 11, 2020"])
def test_pathological_characters_are_cleaned_or_rejected(content):
    assert isinstance(clean(content), (Article, Rejection))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(PARAS + ["Share", "Most Read", "(AP Photo/X)", "", "  "]),
                          st.text(max_size=120)), max_size=30))
def test_any_text_gives_an_article_or_rejection_with_verbatim_segments(lines):
    content = "\n".join(lines)
    result = clean(content)
    assert isinstance(result, Article | Rejection)
    if isinstance(result, Article):
        assert_verbatim(result, content)


def test_split_lines_offsets_point_at_stripped_lines():
    content = "  first line \r\n\n\tsecond\u2028third  "
    assert split_lines(content) == [("first line", 2), ("second", 17), ("third", 24)]
    for text, start in split_lines(content):
        assert content[start : start + len(text)] == text


def test_cleaner_version_names_the_boilerplate_model_when_applied():
    promo = "Watch the council meeting replay and more local videos on our app today."
    pages = [page(f"Story {n} headline here", *[f"{p} Item {n}." for p in PARAS], promo)
             for n in range(4)]
    model = build_boilerplate(("example.com", p.split("\n")) for p in pages)
    plain = clean_text_page(page_of(pages[0], url="https://www.example.com/a"))
    learned = clean_text_page(page_of(pages[0], url="https://www.example.com/a"), boilerplate=model)
    assert isinstance(plain, Article) and isinstance(learned, Article)
    assert promo in plain.body and promo not in learned.body
    assert plain.cleaner == "text/3"
    assert learned.cleaner == f"text/3+{model.version}"
    other = clean_text_page(page_of(pages[0], url="https://other.org/a"), boilerplate=model)
    assert isinstance(other, Article) and other.cleaner == "text/3" and promo in other.body


def test_page_of_only_short_lines_ending_in_a_colon_is_rejected():
    result = clean(page("Menu", "Sections", "World", "Business", "Contact us at:"))
    assert isinstance(result, Rejection) and result.reason == "no_article"


def test_a_repeated_line_does_not_carry_lines_that_cleaning_the_body_again_drops() -> None:
    # Found by the property test: the repeat of the quote at the end carried the run over the
    # masthead line and the short sentence; the body without the repeat then lost them, so
    # cleaning was not idempotent.
    quote = ('"Am I still going to fly surveillance drones or not? Do you still want our '
             'intelligence?" he added.')
    page = "\n".join([quote, "China Daily | Updated: 2020-06-13 00:00",
                      "He said last week that troops would leave.", quote])
    first = api.clean_page(api.page_from_text(page))
    again = api.clean_page(api.page_from_text(first.body))
    assert first.body == again.body
    assert first.body.count(quote) == 1
