"""Grouping articles into stories: real text, real behaviour, and the cost of blocking."""

from __future__ import annotations

import json
import random
from datetime import date

import pytest

from newsfuse.stories import (
    GroupingInput,
    GroupingSettings,
    _headline,
    _number_tokens,
    _strip_shared_lines,
    _tokens,
    _word_matrix,
    candidate_pairs,
    group,
)

from .seeds import EVAL, EXAMPLES

# Three events of January 2020 told by different outlets. They share nearly every name (the
# United States, Iran, Iraq, Soleimani, Trump, Baghdad) and still are three stories: the strike
# that killed Soleimani, Iran's missile reply on bases in Iraq, and the Iraqi parliament's vote.
STRIKE = [
    ("Top Iranian general Qassem Soleimani killed in US drone strike at Baghdad airport",
     "BAGHDAD - A US drone strike near Baghdad International Airport killed Major General Qassem "
     "Soleimani, the commander of Iran's elite Quds Force, early on Friday, the Pentagon said. "
     "Abu Mahdi al-Muhandis, deputy head of Iraq's Popular Mobilisation Forces, died in the same "
     "attack when missiles hit their convoy on an access road to the airport. The Pentagon said "
     "President Donald Trump ordered the strike to deter future Iranian attack plans. Iran's "
     "supreme leader Ayatollah Ali Khamenei vowed harsh revenge and declared three days of "
     "mourning."),
    ("Trump ordered killing of Soleimani, Pentagon confirms; Iran vows 'severe revenge'",
     "WASHINGTON - The Pentagon confirmed on Thursday night that the US military killed Qassem "
     "Soleimani, head of Iran's Quds Force, in a strike on his convoy at Baghdad's airport, on the "
     "direction of President Trump. The drone strike also killed Iraqi militia commander Abu Mahdi "
     "al-Muhandis. Khamenei said severe revenge awaits the criminals behind the attack. Oil prices "
     "jumped more than four percent after news of the killing."),
    ("What we know about the drone strike that killed Qassem Soleimani",
     "The airstrike that killed General Qassem Soleimani was carried out by an MQ-9 Reaper drone "
     "that fired missiles at two vehicles leaving Baghdad airport shortly after midnight. Soleimani "
     "had just arrived on a flight from Damascus. Officials said the Quds Force commander was "
     "planning attacks on American diplomats and troops. Al-Muhandis, the Kataib Hezbollah leader, "
     "was in the convoy and was also killed, along with several bodyguards."),
]
MISSILES = [
    ("Iran fires ballistic missiles at US forces in Iraq in retaliation for Soleimani killing",
     "Iran launched more than a dozen ballistic missiles at two Iraqi air bases housing US troops "
     "early on Wednesday, Ain al-Asad in Anbar province and a base in Erbil, the Pentagon said. "
     "Iran's Revolutionary Guards said the attack was revenge for the killing of Qassem Soleimani. "
     "Iraq's military said it received no casualties among Iraqi forces. President Trump tweeted "
     "that all is well and that damages were being assessed."),
    ("No Americans harmed in Iranian missile attack on Ain al-Asad, Trump says",
     "President Donald Trump said on Wednesday that no Americans were harmed in the Iranian missile "
     "attack on the Ain al-Asad air base and Erbil, and that Iran appears to be standing down. "
     "Trump announced new economic sanctions on Tehran but did not order a military response. "
     "Foreign Minister Javad Zarif said Iran had taken proportionate measures in self-defence and "
     "did not seek escalation."),
    ("Satellite images show damage at Iraq's Ain al-Asad base after Iranian strike",
     "Satellite images released on Thursday show several buildings destroyed at the Ain al-Asad air "
     "base in western Iraq after Iranian ballistic missiles struck it overnight on Wednesday. The "
     "Revolutionary Guards fired the missiles from Iranian territory, and US troops had taken "
     "shelter in bunkers after warnings from Iraqi officials. Later the Pentagon said dozens of "
     "service members were treated for traumatic brain injuries from the blasts."),
]
PARLIAMENT = [
    ("Iraqi parliament votes to expel US troops after Soleimani strike",
     "BAGHDAD - Iraq's parliament voted on Sunday for a resolution that calls on the government to "
     "end the presence of foreign troops in the country, two days after a US strike killed Qassem "
     "Soleimani in Baghdad. Caretaker Prime Minister Adel Abdul Mahdi told lawmakers that the "
     "government should set a timetable for the withdrawal. Sunni and Kurdish lawmakers boycotted "
     "the session. The non-binding resolution passed with 170 votes."),
    ("Trump threatens sanctions on Iraq if US forces are asked to leave",
     "President Trump threatened on Sunday to impose very big sanctions on Iraq if the country "
     "forces American troops to withdraw, hours after the Iraqi parliament passed a resolution "
     "calling for the expulsion of US forces. Trump also said Iraq would have to pay for an "
     "extraordinarily expensive air base before troops leave. Abdul Mahdi said he had received a "
     "letter about repositioning forces."),
]
ELSEWHERE = [
    ("Hurricane Dorian pounds the Bahamas with 185 mph winds",
     "Hurricane Dorian stalled over Grand Bahama on Monday as a Category 5 storm, flooding homes "
     "and tearing off roofs. Prime Minister Hubert Minnis called it a historic tragedy. The storm "
     "is expected to turn north toward the Florida coast, where evacuation orders cover hundreds "
     "of thousands of residents."),
    ("Apple reports record iPhone revenue as services grow",
     "Apple said quarterly revenue rose to a record $91.8 billion, helped by strong sales of the "
     "iPhone 11 and growth in its services business. Chief executive Tim Cook said wearables "
     "including AirPods and the Apple Watch also set records. Shares rose in after-hours trading."),
    ("Australia bushfires: thousands flee to beaches as blazes reach the coast",
     "Thousands of residents and holidaymakers in Mallacoota, Victoria, fled to the beach on "
     "Tuesday as bushfires reached the town, and the navy prepared to evacuate them by sea. Prime "
     "Minister Scott Morrison faced criticism for his response to the fires."),
]


def _docs(prefix: str, items: list[tuple[str, str]], **extra) -> list[GroupingInput]:
    return [GroupingInput(id=f"{prefix}{i}", title=t, body=b, **extra) for i, (t, b) in enumerate(items)]


def _seed_docs() -> list[GroupingInput]:
    """The five scraped seed pages as they are: raw text, title = first line, rest = body."""
    docs = []
    for path in sorted(EXAMPLES.glob("*.txt")):
        raw = path.read_text(encoding="utf-8").strip()
        title, _, body = raw.partition("\n")
        docs.append(GroupingInput(id=f"seed{path.name[:3]}", title=title.strip(), body=body))
    return docs


def _events() -> list[GroupingInput]:
    return (_docs("strike", STRIKE) + _docs("missiles", MISSILES) + _docs("parliament", PARLIAMENT)
            + _docs("elsewhere", ELSEWHERE))


def test_seed_pages_form_one_story_with_no_intruder():
    seeds = _seed_docs()
    assert len(seeds) == 5
    groups = group(seeds + _events())
    with_seeds = [g for g in groups if any(d.startswith("seed") for d in g)]
    assert with_seeds == [sorted(d.id for d in seeds)]


def _cut_copies(doc: GroupingInput, count: int) -> list[GroupingInput]:
    """Copies of a page cut short at both ends, more each time (reprints that keep less)."""
    lines = doc.body.split("\n")
    return [GroupingInput(id=f"copy{i}", title=doc.title, body="\n".join(lines[i:len(lines) - i - 1]))
            for i in range(count)]


def test_copies_of_one_page_do_not_split_its_story():
    # Six reprints of 001 are one origin: without copy weights they form a story of their own
    # beside the other four seeds.
    seeds = _seed_docs()
    copies = _cut_copies(next(d for d in seeds if d.id == "seed001"), 6)
    groups = group(seeds + copies + _events())
    with_seeds = [g for g in groups if any(d.startswith(("seed", "copy")) for d in g)]
    assert with_seeds == [sorted(d.id for d in seeds + copies)]
    unweighted = group(seeds + copies + _events(), GroupingSettings(copy_similarity=1.01))
    assert len([g for g in unweighted if any(d.startswith(("seed", "copy")) for d in g)]) == 2


def test_a_reprint_with_a_line_of_its_own_is_read_whole_not_as_that_line():
    # Three copies make every line of 001 "shared"; a fourth copy with one line pasted in is
    # still the article, not the pasted line alone.
    seeds = _seed_docs()
    one = next(d for d in seeds if d.id == "seed001")
    pasted = GroupingInput(id="pasted", title="", body=one.body + "\nDéclaration universelle des droits "
                           "de l'homme : tous les êtres humains naissent libres et égaux en dignité.")
    copies = _cut_copies(one, 2) + [pasted]
    stripped = _strip_shared_lines([d.body for d in seeds + copies], GroupingSettings())
    assert stripped[-1] == pasted.body
    groups = group(seeds + copies + _events())
    assert [g for g in groups if "pasted" in g] == [sorted(d.id for d in seeds + copies)]


def test_events_about_the_same_people_and_places_stay_apart():
    groups = group(_events())
    assert ["strike0", "strike1", "strike2"] in groups
    assert ["missiles0", "missiles1", "missiles2"] in groups
    for g in groups:
        assert len({d.rstrip("0123456789") for d in g}) == 1, g


def test_languages_never_mix():
    english = _docs("en", STRIKE)
    # The same words labelled as another language: identical text, still never one story.
    other = _docs("de", STRIKE, language="de")
    groups = group(english + other)
    assert ["en0", "en1", "en2"] in groups and ["de0", "de1", "de2"] in groups
    for g in groups:
        assert len({d[:2] for d in g}) == 1


def test_same_input_in_any_order_gives_the_same_groups():
    docs = _seed_docs() + _events()
    expected = group(docs)
    rng = random.Random(7)
    for _ in range(3):
        shuffled = docs[:]
        rng.shuffle(shuffled)
        assert group(shuffled) == expected
    assert all(g == sorted(g) for g in expected)
    assert [g[0] for g in expected] == sorted(g[0] for g in expected)


def test_publication_dates_keep_far_apart_reports_apart():
    near = [GroupingInput(id=f"a{i}", title=t, body=b, published=date(2020, 1, 3 + i))
            for i, (t, b) in enumerate(STRIKE)]
    far = [GroupingInput(id="b0", title=STRIKE[0][0], body=STRIKE[0][1], published=date(2020, 6, 1))]
    groups = group(near + far)
    assert ["a0", "a1", "a2"] in groups and ["b0"] in groups
    # Without dates the same texts are one story.
    undated = [GroupingInput(id=d.id, title=d.title, body=d.body) for d in near + far]
    assert group(undated) == [["a0", "a1", "a2", "b0"]]


def test_boilerplate_only_pages_stand_alone_and_empty_pages_do_not_break_grouping():
    notice = ("Starting in 1996, Alexa Internet has been donating their crawl data to the Internet "
              "Archive. Flowing in every day, these data are added to the Wayback Machine after an "
              "embargo period.")
    junk = [GroupingInput(id=f"junk{i}", title="", body=notice) for i in range(4)]
    empty = [GroupingInput(id="empty", title="", body=""), GroupingInput(id="digits", title="", body="12 34")]
    groups = group(junk + empty + _docs("strike", STRIKE))
    assert ["strike0", "strike1", "strike2"] in groups
    for g in groups:
        if any(d.startswith("junk") or d in ("empty", "digits") for d in g):
            assert len(g) == 1, g
    assert group([]) == []
    assert group([GroupingInput(id="x", title="", body="")]) == [["x"]]


def test_near_duplicates_set_aside_before_grouping_still_mark_boilerplate():
    notice = ("Starting in 1996, Alexa Internet has been donating their crawl data to the Internet "
              "Archive. Flowing in every day, these data are added to the Wayback Machine after an "
              "embargo period.")
    settings = GroupingSettings()
    bodies = [notice, STRIKE[0][1]]
    # Alone, the notice reads as a page like any other ...
    assert _strip_shared_lines(bodies, settings) == bodies
    # ... but standing for four identical pages, it is furniture: nothing of it is compared.
    assert _strip_shared_lines(bodies, settings, [4, 1]) == [None, STRIKE[0][1]]
    groups = group([GroupingInput(id="notice", title="", body=notice, copies=4)] + _docs("strike", STRIKE))
    assert ["notice"] in groups and ["strike0", "strike1", "strike2"] in groups


def test_a_page_with_a_title_and_no_body_still_takes_part():
    docs = _docs("strike", STRIKE) + [GroupingInput(id="headline", title=STRIKE[2][0], body="")]
    assert ["headline", "strike0", "strike1", "strike2"] in group(docs)


def test_an_untitled_page_opening_with_a_headline_line_reads_it_as_its_title():
    settings = GroupingSettings()
    title, body = STRIKE[0]
    assert _headline(GroupingInput(id="a", title="", body=f"{title}\n\n{body}"), f"{title}\n\n{body}",
                     settings) == title
    # An opening paragraph is no headline, nor is a one-line page; a real title always wins.
    long_first = f"{body}\n\n{STRIKE[1][1]}"
    assert _headline(GroupingInput(id="b", title="", body=long_first), long_first, settings) == ""
    assert _headline(GroupingInput(id="c", title="", body=title), title, settings) == ""
    titled = f"{STRIKE[1][0]}\n{body}"
    assert _headline(GroupingInput(id="d", title=title, body=titled), titled, settings) == title
    # The events told as untitled text pages (headline, blank line, report) group as titled ones.
    untitled = [GroupingInput(id=d.id, title="", body=f"{d.title}\n\n{d.body}") for d in _events()]
    groups = group(untitled)
    assert ["strike0", "strike1", "strike2"] in groups
    assert ["missiles0", "missiles1", "missiles2"] in groups
    for g in groups:
        assert len({d.rstrip("0123456789") for d in g}) == 1, g


def test_figures_are_tokens_of_their_own():
    assert _number_tokens(ELSEWHERE[1][1]) == ["#91.8", "#11"]
    assert _number_tokens(PARLIAMENT[0][1]) == ["#170"]
    assert _number_tokens("Iran said 1,200 troops and 176 passengers; 3.5% in 2020.") == [
        "#1200", "#176", "#3.5", "#2020"]


def _pseudo_word(number: int) -> str:
    letters = "bcdfghjklmnpqrstvwxz"
    out = "a"
    while True:
        number, digit = divmod(number, len(letters))
        out += letters[digit] + "e"
        if not number:
            return out


def _synthetic_corpus(n_docs: int, seed: int = 1) -> list[GroupingInput]:
    """Unrelated documents: each draws 40 words of its own from a vocabulary of 200,000 (so
    some rare words are shared by chance, as names are) plus words every text uses."""
    rng = random.Random(seed)
    common = [_pseudo_word(i) for i in range(300)]
    docs = []
    for i in range(n_docs):
        own = [_pseudo_word(300 + rng.randrange(200_000)) for _ in range(40)]
        words = rng.choices(own, k=120) + rng.choices(common, k=80)
        docs.append(GroupingInput(id=f"d{i:06d}", title=" ".join(words[:8]), body=" ".join(words)))
    return docs


def test_blocking_compares_far_fewer_pairs_than_all_of_them():
    settings = GroupingSettings()
    counts = {}
    for n in (1000, 4000):
        docs = _synthetic_corpus(n)
        matrix = _word_matrix(docs, [d.body for d in docs], settings)
        pairs = candidate_pairs(matrix, settings)
        assert (pairs[:, 0] < pairs[:, 1]).all() and len(set(map(tuple, pairs.tolist()))) == len(pairs)
        counts[n] = len(pairs)
    all_pairs = {n: n * (n - 1) // 2 for n in counts}
    assert counts[1000] < 0.1 * all_pairs[1000]  # 23k of 500k when written
    assert counts[4000] < 0.02 * all_pairs[4000]  # 58k of 8M when written
    # Four times the documents: all pairs grow sixteenfold, candidates well under six times.
    assert counts[4000] < 6 * counts[1000]


def test_unrelated_documents_stay_apart():
    docs = _synthetic_corpus(300, seed=3)
    assert all(len(g) == 1 for g in group(docs))


def test_tokens_fold_plurals_spellings_and_drop_function_words():
    tokens = _tokens("The U.S. says payrolls rose; Iraq's parties and the companies' claims.")
    assert tokens == ["payroll", "rose", "iraq", "party", "company", "claim"]


_DUC = EVAL / "duc2004" / "clusters.jsonl"
_MULTINEWS = EVAL / "multinews" / "clusters.jsonl"
_NEUS = EVAL / "neus-allsides" / "clusters.jsonl"
_NO_EVAL = "the shared evaluation sets (../shared/eval) are absent in this checkout"


def _duc() -> tuple[list[GroupingInput], dict[str, str]]:
    docs, gold = [], {}
    for line in _DUC.read_text(encoding="utf-8").splitlines():
        cluster = json.loads(line)
        for d in cluster["docs"]:
            doc_id = f"duc:{cluster['cluster_id']}:{d['docno']}"
            docs.append(GroupingInput(id=doc_id, title="", body=d["text"]))
            gold[doc_id] = cluster["cluster_id"]
    return docs, gold


@pytest.mark.skipif(not _DUC.exists(), reason=_NO_EVAL)
def test_duc2004_topics_are_recovered():
    docs, gold = _duc()
    pred = {d: k for k, g in enumerate(group(docs)) for d in g}
    assert _bcubed_f1(gold, pred) >= 0.92  # 0.939 when written


@pytest.mark.skipif(not _NEUS.exists(), reason=_NO_EVAL)
def test_neus_val_events_are_recovered_from_untitled_text_pages():
    docs, gold = [], {}
    for line in _NEUS.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        if event["split"] != "val":
            continue
        for i, d in enumerate(event["documents"]):
            doc_id = f"neus:{event['id']}:{i}"
            # As a scraped text page arrives: the headline is the body's first line, no title.
            docs.append(GroupingInput(id=doc_id, title="", body=f"{d['title']}\n\n{d['text']}"))
            gold[doc_id] = event["id"]

    def f1(settings: GroupingSettings) -> float:
        return _bcubed_f1(gold, {d: k for k, g in enumerate(group(docs, settings)) for d in g})

    with_headlines = f1(GroupingSettings())
    assert with_headlines >= 0.86  # 0.876 when written
    assert with_headlines > f1(GroupingSettings(headline_max_words=0))  # 0.871 when written


@pytest.mark.skipif(not (_DUC.exists() and _MULTINEWS.exists() and _NEUS.exists()), reason=_NO_EVAL)
def test_seed_pages_stay_one_story_among_real_coverage_of_iraq_and_iran():
    docs = _seed_docs() + _duc()[0]
    for n, line in enumerate(_MULTINEWS.read_text(encoding="utf-8").splitlines()):
        docs += [GroupingInput(id=f"mn:{n}:{i}", title="", body=text)
                 for i, text in enumerate(json.loads(line)["documents"])]
    for line in _NEUS.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        if any(word in d["title"] + d["text"] for d in event["documents"] for word in ("Iraq", "Iran")):
            docs += [GroupingInput(id=f"neus:{event['id']}:{i}", title=d["title"], body=d["text"])
                     for i, d in enumerate(event["documents"])]
    assert sum(d.id.startswith("neus:") for d in docs) > 100
    with_seeds = [g for g in group(docs) if any(d.startswith("seed") for d in g)]
    assert with_seeds == [sorted(d.id for d in _seed_docs())]


def _bcubed_f1(gold: dict[str, str], pred: dict[str, int]) -> float:
    by_gold, by_pred = {}, {}
    for d in gold:
        by_gold.setdefault(gold[d], set()).add(d)
        by_pred.setdefault(pred[d], set()).add(d)
    p = sum(len(by_pred[pred[d]] & by_gold[gold[d]]) / len(by_pred[pred[d]]) for d in gold) / len(gold)
    r = sum(len(by_pred[pred[d]] & by_gold[gold[d]]) / len(by_gold[gold[d]]) for d in gold) / len(gold)
    return 2 * p * r / (p + r)


def test_the_placer_reads_a_reprint_whole_as_grouping_does():
    # Three copies make every line of 001 pool furniture; a fourth copy with a line of its own
    # must be indexed by its article, not by that line, or it matches nothing it belongs with.
    from newsfuse.placement import LanguageIndex

    seeds = _seed_docs()
    one = next(d for d in seeds if d.id == "seed001")
    pool = seeds + _cut_copies(one, 2) + _events()
    index = LanguageIndex.fit(pool, GroupingSettings())
    reprint = GroupingInput(id="reprint", title="", body=one.body + "\nReprinted with permission.")
    similarity = (index.matrix() @ index.vector(reprint).T).toarray().ravel()
    assert similarity[index.ids.index("seed001")] > 0.5
