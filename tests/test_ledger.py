"""Pledge ledgers across threaded stories, on the seed pages and real follow-up reporting."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsfuse.api import ledger as api_ledger
from newsfuse.cli import app
from newsfuse.incremental import record_groups
from newsfuse.ledger import LedgerEntry, ledgers, pledge_ledger
from newsfuse.pipeline import Settings, Summary, ingest
from newsfuse.store.sqlite import SQLiteStore

from .seeds import EVAL, EXAMPLES, seed_text

NEUS = EVAL / "neus-allsides" / "clusters.jsonl"
needs_neus = pytest.mark.skipif(not NEUS.exists(), reason="needs ../shared/eval/neus-allsides")
# NeuS-AllSides events: the September 2020 cut of US forces in Iraq (which followed the June
# talks of the seed pages); Trump's June 2019 word that the US will not impose new tariffs on
# China, and China's policy paper blaming the US for the trade war.
DRAWDOWN, TARIFF_TRUCE, POLICY_PAPER = "train-400", "train-1181", "train-1880"

REDUCING = "would continue reducing forces from Iraq"
PROTECT = "promised to protect bases housing US troops"


def _neus(event: str) -> list[dict]:
    with NEUS.open(encoding="utf-8") as rows:
        for line in rows:
            row = json.loads(line)
            if row["id"] == event:
                return row["documents"]
    raise KeyError(event)


def _thread(tmp_path: Path, stories: list[list[tuple[str, str, str] | str]]) -> tuple[SQLiteStore, list[str]]:
    """A store holding each of `stories` (pages: seed prefixes or (id, title, text)) as one story,
    each continuing the one before. Grouping would put the seed pages in one story and threading
    reads titles and leads: both are tested elsewhere, so here the groups and links are set."""
    store = SQLiteStore(tmp_path / "store.sqlite")
    composed = [page for story in stories for page in story if isinstance(page, tuple)]
    jsonl = tmp_path / "pages.jsonl"
    jsonl.write_text("".join(json.dumps({"id": i, "title": t, "text": x}) + "\n" for i, t, x in composed),
                     encoding="utf-8")
    seeds = sorted({p for story in stories for p in story if isinstance(p, str)})
    inputs = [str(next(EXAMPLES.glob(f"{prefix}_*.txt"))) for prefix in seeds]
    settings = Settings()
    ingest([*inputs, str(jsonl)], store, settings=settings, summary=Summary())
    seed_ids = {Path(a.source).name[:3]: a.id for a in store.articles(store.document_ids())}
    thread: list[str] = []
    for number, story in enumerate(stories):
        members = tuple(sorted(seed_ids[p] if isinstance(p, str) else p[0] for p in story))
        with store.transaction():
            recorded = record_groups(store, [members], settings, reanalyse_all=False, at=f"story {number}")
        (story_id,) = {e["story"] for e in recorded.events}
        store.set_continues(story_id, thread[-1] if thread else None)
        thread.append(story_id)
    return store, thread


def _entry(entries: list[LedgerEntry], actor: str, words: str) -> LedgerEntry:
    (found,) = [e for e in entries if e.actor == actor and words in e.text]
    return found


def _check_citations(store: SQLiteStore, entries: list[LedgerEntry]) -> int:
    """Every event's citations hold its text (a pledge's wording may differ page to page: each
    page is cited for its own, which begins with the words the pledges share)."""
    checked = 0
    for entry in entries:
        for event in entry.events:
            assert event.citations
            for cite in event.citations:
                (article,) = store.articles([cite["document"]])
                held = article.body[cite["start"]:cite["end"]]
                if event.kind in ("fulfilled", "broken"):
                    assert held == event.text
                else:
                    assert set(held.split()) & set(event.text.split())
                if cite["raw_sha256"] is not None:
                    assert store.raw_page(cite["raw_sha256"])[cite["raw_start"]:cite["raw_end"]] == held
                checked += 1
    return checked


# A later page saying what became of two seed pledges. No published page in the evaluation sets
# reports either, so each is a real sentence minimally adapted: the seed's "Iraq, in turn,
# promised to protect ..." with "failed to" for "in turn, promised to", and NeuS's "The U.S. is
# drawing down its military forces in Iraq ..." with "has reduced" for "is drawing down". The
# rest is real: a sentence of the seed pages.
def _broken_sentence() -> str:
    sentence = next(line for line in seed_text("000").splitlines() if line.startswith("Iraq, in turn"))
    return sentence.replace("in turn, promised to", "failed to").replace("Iraq, failed", "Iraq failed")


def _fulfilled_sentence() -> str:
    text = _neus(DRAWDOWN)[0]["text"]
    real = text[:text.index(" said Wednesday.") + len(" said Wednesday.")]
    return real.replace("is drawing down", "has reduced")


@pytest.fixture(scope="module")
def seed_thread(tmp_path_factory: pytest.TempPathFactory) -> tuple[SQLiteStore, list[str]]:
    """The seed story (its pages but the Washington Post's), then the Washington Post's page
    ("U.S. reaffirms commitment ..."), then NeuS's real reporting of the September drawdown when
    present, then the adapted page."""
    backdrop = next(line for line in seed_text("000").splitlines() if line.startswith("The talks, which"))
    later = [_broken_sentence(), backdrop.split(". ", 1)[1]]
    stories: list[list[tuple[str, str, str] | str]] = [["000", "001", "003", "004"], ["002"]]
    if NEUS.exists():
        stories.append([(f"drawdown-{i}", d["title"], d["text"]) for i, d in enumerate(_neus(DRAWDOWN))])
        later.insert(0, _fulfilled_sentence())
    stories.append([("later", "US cuts troop presence in Iraq", "\n\n".join(later))])
    return _thread(tmp_path_factory.mktemp("ledger"), stories)


def test_a_pledge_made_then_restated_by_a_later_story_is_reaffirmed(seed_thread) -> None:
    store, thread = seed_thread
    entries = pledge_ledger(store, thread[:2])
    reducing = _entry(entries, "United States", REDUCING)
    assert [(e.kind, e.story) for e in reducing.events] == [("made", thread[0]), ("reaffirmed", thread[1])]
    assert reducing.status == "reaffirmed" and reducing.due == "over the coming months"
    # The root cites its three pages' statements of it; the follow-up its one page.
    made, again = reducing.events
    assert {c["document"] for c in again.citations} == set(store.story(thread[1])["record"]["documents"])
    assert len({c["document"] for c in made.citations}) == 2
    assert _check_citations(store, entries) >= 3


def test_a_pledge_no_later_page_speaks_of_stays_made(seed_thread) -> None:
    store, thread = seed_thread
    protect = _entry(pledge_ledger(store, thread[:2]), "Iraq", PROTECT)
    assert [e.kind for e in protect.events] == ["made"] and protect.status == "made"


def test_a_thread_of_one_story_only_makes_pledges(seed_thread) -> None:
    store, thread = seed_thread
    entries = pledge_ledger(store, thread[:1])
    assert entries and {e.status for e in entries} == {"made"}
    assert all([ev.kind for ev in e.events] == ["made"] for e in entries)
    # The root page's own account of past withdrawals ("US forces have withdrawn from several Iraqi
    # bases") is no later page: nothing is settled by the story that made the pledge.
    assert {a["document"] for e in entries for ev in e.events for a in ev.citations} <= set(
        store.story(thread[0])["record"]["documents"])


def test_a_later_page_saying_the_actor_failed_to_do_it_breaks_the_pledge(seed_thread) -> None:
    store, thread = seed_thread
    entries = pledge_ledger(store, thread)
    protect = _entry(entries, "Iraq", PROTECT)
    assert [e.kind for e in protect.events] == ["made", "broken"] and protect.status == "broken"
    broken = protect.events[-1]
    assert broken.story == thread[-1] and broken.text.startswith("Iraq failed to protect bases")
    assert _check_citations(store, entries) >= 5


@needs_neus
def test_real_reporting_of_the_drawdown_underway_settles_nothing(seed_thread) -> None:
    store, thread = seed_thread
    # "The U.S. is drawing down its military forces in Iraq ..." is on the pledge's topic, by its
    # actor, in its words: but it reports the act under way, not done, and no failure.
    drawdown_story = thread[2]
    entries = pledge_ledger(store, thread[:3])
    reducing = _entry(entries, "United States", REDUCING)
    assert reducing.status == "reaffirmed"
    assert all(e.kind in ("made", "reaffirmed") for e in reducing.events)
    assert not any(ev.story == drawdown_story and ev.kind in ("fulfilled", "broken")
                   for e in entries for ev in e.events)
    # Its own announcement ("will withdraw over 2,000 troops from Iraq this month") is a new
    # pledge, made there.
    withdraw = _entry(entries, "United States", "will withdraw over 2")
    assert [(e.kind, e.story) for e in withdraw.events] == [("made", drawdown_story)]


@needs_neus
def test_a_later_page_saying_the_act_was_done_fulfils_the_pledge(seed_thread) -> None:
    store, thread = seed_thread
    entries = pledge_ledger(store, thread)
    reducing = _entry(entries, "United States", REDUCING)
    assert [e.kind for e in reducing.events] == ["made", "reaffirmed", "fulfilled"]
    assert reducing.status == "fulfilled"
    done = reducing.events[-1]
    assert done.story == thread[-1] and done.text.startswith("The U.S. has reduced its military forces")
    # The refusal of permanent bases is neither kept nor broken by a page about troop numbers.
    bases = _entry(entries, "United States", "permanent bases")
    assert bases.status in ("made", "reaffirmed")
    _check_citations(store, entries)


def _neus_thread(tmp_path: Path, events: list[str]) -> tuple[SQLiteStore, list[str]]:
    return _thread(tmp_path, [[(f"{e}-{i}", d["title"], d["text"]) for i, d in enumerate(_neus(e))]
                              for e in events])


@needs_neus
@pytest.mark.parametrize(("pledged", "later", "actor", "words"), [
    # "China released a policy paper that claimed the U.S. had backtracked three times during trade
    # negotiations by implementing new tariffs": the backtracking it tells of came before the page.
    ("train-1181", "train-1880", "United States", "will not impose new tariffs on China"),
    # "The Senate passed the measure 65-35 earlier in the day": which measure, it does not say.
    ("train-1444", "train-1301", "Senate", "will also have to pass a budget measure"),
    # "... the United States is lifting sanctions on Ankara that were implemented following the
    # invasion of northern Syria": what was implemented is the sanctions, not Trump's plan.
    ("train-1760", "train-1762", "President Trump", "plans to pull U.S. forces out of both Afghanistan"),
    # "Joe Biden backtracked on his earlier position that he would not comply with a congressional
    # subpoena": another of his word, not the one about the debates.
    ("train-1199", "train-819", "Joe Biden", "won't skip debates"),
])
def test_real_reporting_near_a_pledge_but_not_of_it_settles_nothing(tmp_path, pledged, later, actor,
                                                                     words) -> None:
    store, thread = _neus_thread(tmp_path, [pledged, later])
    entry = _entry(pledge_ledger(store, thread), actor, words)
    assert entry.status == "made" and [e.kind for e in entry.events] == ["made"]


def test_ledgers_cli_and_api_read_every_thread_of_a_store(seed_thread) -> None:
    store, thread = seed_thread
    found = ledgers(store)
    assert list(found) == [thread[0]]
    assert found[thread[0]] == pledge_ledger(store, thread)
    as_api = api_ledger(store.path)
    assert as_api == {thread[0]: [e.to_dict() for e in found[thread[0]]]}
    runner = CliRunner()
    printed = runner.invoke(app, ["ledger", "--db", str(store.path), "--json"])
    assert printed.exit_code == 0, printed.output
    assert json.loads(printed.output) == as_api
    text = runner.invoke(app, ["ledger", "--db", str(store.path)])
    assert text.exit_code == 0, text.output
    assert f"## Thread {thread[0]}" in text.output and "### Iraq" in text.output
    assert f"**broken**: {PROTECT}" in text.output
