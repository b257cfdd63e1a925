"""Incremental mode: pages added one by one give the batch stories, under ids that are kept."""

import json
import random
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsfuse.bench.metrics import bcubed
from newsfuse.cli import app
from newsfuse.incremental import add, reconcile, record_groups, threads
from newsfuse.pipeline import Settings, Summary, ingest, run
from newsfuse.placement import PlacementSettings, Placer
from newsfuse.store.sqlite import MIGRATIONS, SQLiteStore

from .seeds import EVAL, EXAMPLES

NEUS = EVAL / "neus-allsides" / "clusters.jsonl"
needs_neus = pytest.mark.skipif(not NEUS.exists(), reason="needs ../shared/eval/neus-allsides")
# The January 2020 events: the strike that killed Soleimani, Iran's missile retaliation on bases
# in Iraq, and Trump's address to the nation that followed.
STRIKE, RETALIATION, ADDRESS = "train-971", "train-2130", "train-61"


def _seed_files() -> list[str]:
    return sorted(str(p) for p in EXAMPLES.glob("*.txt"))


def _neus_events() -> dict[str, list[dict]]:
    events = {}
    with NEUS.open(encoding="utf-8") as rows:
        for line in rows:
            row = json.loads(line)
            events[row["id"]] = row["documents"]
    return events


def _write_jsonl(path, pages: list[tuple[str, dict]]) -> str:
    with open(path, "w", encoding="utf-8") as out:
        for page_id, doc in pages:
            out.write(json.dumps({"id": page_id, "title": doc["title"], "text": doc["text"]}) + "\n")
    return str(path)


def _unrelated_events(events: dict[str, list[dict]], count: int, seed: int) -> list[str]:
    """Events that never mention Iran: they should not join the January 2020 thread."""
    pool = sorted(k for k, docs in events.items() if "Iran" not in json.dumps(docs))
    return random.Random(seed).sample(pool, count)


def test_seed_pages_added_one_at_a_time_make_the_batch_story_under_one_kept_id(tmp_path):
    batch = SQLiteStore(tmp_path / "batch.sqlite")
    (batch_story,) = run([str(EXAMPLES)], batch).stories
    store = SQLiteStore(tmp_path / "incremental.sqlite")
    ids_seen = set()
    for path in _seed_files():
        add([path], store)
        ids_seen |= set(store.live_stories())
    (story_id, documents), = store.live_stories().items()
    assert sorted(documents) == sorted(batch_story.documents)
    events = list(store.events())
    # One id minted by the first page and kept while the story grew: no merge, no split.
    assert ids_seen == {story_id}
    assert [e["kind"] for e in events] == ["story.created"] + ["story.updated"] * 4
    assert [e["seq"] for e in events] == sorted({e["seq"] for e in events})
    assert all(e["story"] == story_id for e in events)
    stored = store.story(story_id)
    assert stored["record"]["id"] == story_id and stored["state"] == "live"
    assert [c["document"] for s in stored["record"]["brief"] for c in s["citations"]]
    assert store.integrity_check() == []


def test_batch_run_after_adds_keeps_the_ids_and_adding_again_changes_nothing(tmp_path):
    store = SQLiteStore(tmp_path / "store.sqlite")
    for path in _seed_files():
        add([path], store)
    (story_id,) = store.live_stories()
    last = store.last_event_seq()
    (story,) = run([str(EXAMPLES)], store).stories
    assert story.id == story_id
    report = add(_seed_files(), store)
    assert report.events == () and report.summary.reused == 5
    assert store.last_event_seq() == last


def test_an_unrelated_page_leaves_the_existing_story_unanalysed(tmp_path):
    store = SQLiteStore(tmp_path / "store.sqlite")
    add(_seed_files(), store)
    (story_id,) = store.live_stories()
    before = store.story(story_id)
    other = tmp_path / "other.jsonl"
    other.write_text(json.dumps({"id": "weather", "title": "Heavy snow closes schools across Vermont",
                                 "text": "Schools across Vermont closed on Tuesday as a storm dropped more "
                                         "than two feet of snow on the state, officials said."}) + "\n")
    report = add([str(other)], store)
    assert [(e["kind"], e["detail"]["documents"]) for e in report.events] == [("story.created", ["weather"])]
    after = store.story(story_id)
    assert after == before  # same record, same stats version: not recomputed
    assert report.stats_version > before["stats_version"]


def test_reconcile_gives_an_id_to_the_largest_overlap_and_mints_the_rest():
    plan = reconcile({"s-old": ("a", "b", "c"), "s-young": ("d",)}, [("a", "b"), ("c", "d", "e")],
                     born={"s-old": 1, "s-young": 2})
    kinds = {c.story_id: (c.kind, c.documents, c.split_from) for c in plan.changes}
    assert kinds["s-old"] == ("updated", ("a", "b"), None)
    assert kinds["s-young"] == ("updated", ("c", "d", "e"), None)
    assert plan.merged == ()
    plan = reconcile({"s-old": ("a", "b", "c"), "s-young": ("d",)}, [("a", "b", "c", "d")],
                     born={"s-old": 1, "s-young": 2})
    assert plan.merged == (("s-young", "s-old"),)


@needs_neus
def test_incremental_stories_match_batch_stories_in_any_arrival_order(tmp_path):
    events = _neus_events()
    chosen = _unrelated_events(events, 14, seed=7) + [STRIKE, RETALIATION, ADDRESS]
    pages = [(f"{event}-{i}", doc) for event in chosen for i, doc in enumerate(events[event])]
    batch_store = SQLiteStore(tmp_path / "batch.sqlite")
    batch = run([_write_jsonl(tmp_path / "all.jsonl", pages)], batch_store)
    batch_label = {d: s.id for s in batch.stories for d in s.documents}
    assert len(batch_label) == len(batch.articles) >= len(pages) - 2  # a bare headline may be rejected
    for order in range(3):
        shuffled = random.Random(order).sample(pages, len(pages))
        store = SQLiteStore(tmp_path / f"order{order}.sqlite")
        minted = set()
        for k in range(0, len(shuffled), 9):
            add([_write_jsonl(tmp_path / f"o{order}-{k}.jsonl", shuffled[k:k + 9])], store)
            minted |= set(store.live_stories())
        label = {d: sid for sid, docs in store.live_stories().items() for d in docs}
        *_, f1 = bcubed(batch_label, label)
        assert f1 >= 0.98, (order, f1)
        # Every id ever live is still live or was merged into another story, on record.
        links = store.story_links()
        assert all(links[sid]["state"] == "live" or links[sid]["merged_into"] for sid in minted)
        assert store.integrity_check() == []


@needs_neus
def test_the_january_2020_events_are_separate_stories_threaded_in_order(tmp_path):
    events = _neus_events()
    distractors = _unrelated_events(events, 40, seed=11)
    store = SQLiteStore(tmp_path / "store.sqlite")
    every = distractors + [STRIKE, RETALIATION, ADDRESS]
    settings = Settings()
    ingest([_write_jsonl(tmp_path / "all.jsonl",
                         [(f"{e}-{i}", doc) for e in every for i, doc in enumerate(events[e])])],
           store, settings=settings, summary=Summary())
    # Threading is tested apart from grouping: the gold events arrive one after another as stories.
    story_of = {}
    for event in every:
        with store.transaction():
            recorded = record_groups(store, [tuple(f"{event}-{i}" for i in range(len(events[event])))],
                                     settings, reanalyse_all=False, at=event)
        story_of[event] = next(e["story"] for e in recorded.events if e["kind"] != "story.merged")
    links = store.story_links()
    assert links[story_of[RETALIATION]]["continues"] == story_of[STRIKE]
    assert links[story_of[ADDRESS]]["continues"] in {story_of[STRIKE], story_of[RETALIATION]}
    (thread,) = [t for t in threads(store) if story_of[ADDRESS] in t]
    assert thread[0] == story_of[STRIKE] and thread[-1] == story_of[ADDRESS]
    assert not set(thread) & {story_of[e] for e in distractors}


def test_a_store_written_before_story_ids_were_kept_is_migrated_and_regrouped(tmp_path):
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0] + "; PRAGMA user_version=1;")
    db.close()
    store = SQLiteStore(path)
    run([_seed_files()[0]], store)
    store.close()
    db = sqlite3.connect(path)
    db.execute("DELETE FROM page_features")  # as a store from before features were kept
    db.commit()
    db.close()
    store = SQLiteStore(path)
    assert len(store.missing_features()) == 1
    add(_seed_files()[1:], store)
    assert store.missing_features() == []
    assert len(store.live_stories()) == 1


def _events_printed(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_add_and_watch_commands_print_the_events_consumers_follow(tmp_path):
    runner = CliRunner()
    db = str(tmp_path / "store.sqlite")
    first, second, *rest = _seed_files()
    added = runner.invoke(app, ["add", first, second, "--db", db])
    assert added.exit_code == 0, added.output
    printed = _events_printed(added.output)
    assert [e["kind"] for e in printed] == ["story.created"]
    assert "pages read 2" in added.output
    landing = tmp_path / "landing"
    landing.mkdir()
    for path in rest:
        (landing / Path(path).name).write_bytes(Path(path).read_bytes())
    watched = runner.invoke(app, ["watch", str(landing), "--db", db, "--interval", "0.05", "--batches", "1"])
    assert watched.exit_code == 0, watched.output
    (update,) = _events_printed(watched.output)
    assert update["kind"] == "story.updated" and update["story"] == printed[0]["story"]
    assert update["seq"] > printed[0]["seq"] and len(update["detail"]["added"]) == 3


@needs_neus
def test_a_batch_run_threads_its_stories_onto_stories_added_before(tmp_path):
    events = _neus_events()
    store = SQLiteStore(tmp_path / "store.sqlite")
    earlier = _unrelated_events(events, 20, seed=5) + [STRIKE]
    add([_write_jsonl(tmp_path / "earlier.jsonl",
                      [(f"{e}-{i}", doc) for e in earlier for i, doc in enumerate(events[e])])], store)
    strike_stories = {sid for sid, docs in store.live_stories().items() if any(STRIKE in d for d in docs)}
    result = run([_write_jsonl(tmp_path / "later.jsonl",
                               [(f"{RETALIATION}-{i}", doc) for i, doc in enumerate(events[RETALIATION])])],
                 store)
    assert result.stories and set(result.lineage) == {s.id for s in result.stories}
    assert any(result.lineage[s.id]["continues"] in strike_stories for s in result.stories)


def test_seed_pages_placed_one_at_a_time_make_the_batch_story_without_regrouping(tmp_path):
    batch = SQLiteStore(tmp_path / "batch.sqlite")
    (batch_story,) = run([str(EXAMPLES)], batch).stories
    store = SQLiteStore(tmp_path / "incremental.sqlite")
    # A pool of one page is enough to place on: every later seed page is one report of that event.
    placer = Placer(PlacementSettings(min_pool=1, full_growth=10.0))
    reports = [add([path], store, placer=placer) for path in _seed_files()]
    assert [r.regrouped for r in reports] == [True, False, False, False, False]
    (story_id, documents), = store.live_stories().items()
    assert sorted(documents) == sorted(batch_story.documents)
    assert [e["kind"] for e in store.events()] == ["story.created"] + ["story.updated"] * 4
    stored = store.story(story_id)
    assert sorted(stored["record"]["documents"]) == sorted(batch_story.documents)
    assert store.vectoriser_version(stored["stats_version"])["settings"]["pass"] == "placed"
    assert store.integrity_check() == []


def test_a_page_on_another_subject_is_not_placed_and_the_add_regroups(tmp_path):
    store = SQLiteStore(tmp_path / "store.sqlite")
    placer = Placer(PlacementSettings(min_pool=1, full_growth=10.0))
    add(_seed_files()[:1], store, placer=placer)
    (index,) = placer.indexes.values()
    fitted = list(index.ids)
    other = tmp_path / "other.jsonl"
    # Shares "Iraq" and talks with the seed story, but is another event: unclear, not placed.
    other.write_text(json.dumps({"id": "oil", "title": "Iraq and Kuwait talk oil output cuts",
                                 "text": "Iraqi and Kuwaiti oil ministers held talks in Baghdad on "
                                         "output cuts agreed with OPEC partners."}) + "\n")
    report = add([str(other)], store, placer=placer)
    assert report.regrouped
    assert placer.indexes["en"].ids == sorted([*fitted, "oil"])  # refitted on the regrouped pool


def test_the_pool_is_regrouped_once_enough_pages_were_placed(tmp_path):
    store = SQLiteStore(tmp_path / "store.sqlite")
    placer = Placer(PlacementSettings(min_pool=1, full_every=2, full_growth=10.0))
    reports = [add([path], store, placer=placer) for path in _seed_files()]
    # Fit, two placed pages, a due regroup that refits, then placed again.
    assert [r.regrouped for r in reports] == [True, False, False, True, False]
    assert len(store.live_stories()) == 1


@needs_neus
def test_placed_pages_give_the_batch_stories(tmp_path):
    events = _neus_events()
    chosen = sorted(events)
    chosen = random.Random(3).sample(chosen, 120)
    # The third report of 20 events arrives late, after the pool of everything else was grouped.
    late = [(f"{e}-2", events[e][2]) for e in chosen[:20]]
    late_ids = {page_id for page_id, _ in late}
    early = [(f"{e}-{i}", doc) for e in chosen for i, doc in enumerate(events[e])
             if f"{e}-{i}" not in late_ids]
    batch_store = SQLiteStore(tmp_path / "batch.sqlite")
    batch = run([_write_jsonl(tmp_path / "all.jsonl", early + late)], batch_store)
    batch_label = {d: s.id for s in batch.stories for d in s.documents}
    store = SQLiteStore(tmp_path / "store.sqlite")
    placer = Placer(PlacementSettings(min_pool=100, full_every=1000, full_growth=10.0))
    assert add([_write_jsonl(tmp_path / "early.jsonl", early)], store, placer=placer).regrouped
    reports = [add([_write_jsonl(tmp_path / f"late{k}.jsonl", [page])], store, placer=placer)
               for k, page in enumerate(late)]
    placed = [r for r in reports if not r.regrouped]
    assert len(placed) >= len(late) // 2
    # A placed page touches one story, joined or started (none when it was rejected as no article):
    # no other story is regrouped.
    assert all([e["kind"] for e in r.events] in ([], ["story.updated"], ["story.created"]) for r in placed)
    label = {d: sid for sid, docs in store.live_stories().items() for d in docs}
    *_, f1 = bcubed(batch_label, label)
    assert f1 >= 0.98, f1
    assert store.integrity_check() == []


BRIEF = ("Flood waters rose across the lower Rhine valley on Tuesday, forcing the evacuation of "
         "four villages near Emmerich. Regional officials said the river crested at 8.2 meters "
         "overnight and warned that dikes north of Wesel remained under strain. Rail services "
         "between Duisburg and Arnhem were suspended until further notice.")


def test_a_reprint_of_a_short_stored_brief_joins_its_copies_without_a_regroup(tmp_path):
    # Three stored copies of a short untitled brief: every line of it is on three pages, so the
    # word view reads nothing of them. A fourth, lightly edited copy still belongs with them, as the batch
    # grouping puts near-duplicates together.
    copies = [(f"brief-{k}", {"title": "", "text": BRIEF}) for k in range(3)]
    edited = ("brief-edited", {"title": "", "text": BRIEF + " Officials will give an update on Wednesday."})
    store = SQLiteStore(tmp_path / "store.sqlite")
    placer = Placer(PlacementSettings(min_pool=1, full_growth=10.0))
    stored = [*_seed_files(), _write_jsonl(tmp_path / "copies.jsonl", copies)]
    assert add(stored, store, placer=placer).regrouped
    report = add([_write_jsonl(tmp_path / "edited.jsonl", [edited])], store, placer=placer)
    assert not report.regrouped
    story_of = {d: sid for sid, docs in store.live_stories().items() for d in docs}
    assert len({story_of[d] for d in ("brief-0", "brief-1", "brief-2", "brief-edited")}) == 1
    batch = run([*_seed_files(), _write_jsonl(tmp_path / "all.jsonl", [*copies, edited])],
                SQLiteStore(tmp_path / "batch.sqlite"))
    batch_label = {d: s.id for s in batch.stories for d in s.documents}
    *_, f1 = bcubed(batch_label, story_of)
    assert f1 == 1.0
