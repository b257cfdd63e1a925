"""The Dask engine on a 2-worker local cluster gives what the local engine gives.

Same per-page outputs (articles, rejections, order), the same near-duplicates and relations, the
same stories (B-cubed 1.0 against the local engine) under the same kept ids, and the same stored
rows (stories, story links, events, relations by story, page features), on the seed pages, on a
store that `add` wrote first, and on DUC 2004 with reprinted copies and a repeated input added.
"""

from __future__ import annotations

import json
import random

import pytest
from distributed import Client
from typer.testing import CliRunner

from newsfuse.bench.datasets import load_duc2004
from newsfuse.bench.metrics import bcubed
from newsfuse.bench.runner import perturb
from newsfuse.cli import app
from newsfuse.engines.dask import local_cluster
from newsfuse.engines.dask import run as run_dask
from newsfuse.incremental import add
from newsfuse.pipeline import MAX_ANALYSED_CHARS, Result
from newsfuse.pipeline import run as run_local
from newsfuse.store.sqlite import SQLiteStore

from .seeds import EVAL, EXAMPLES

_DUC = EVAL / "duc2004" / "clusters.jsonl"


@pytest.fixture(scope="module")
def client():
    # Threads, not processes: the cluster is the same scheduler and shuffles, and starts in a second.
    with local_cluster(2, processes=False) as cluster, Client(cluster) as connected:
        yield connected


def _labels(result: Result) -> dict[str, str]:
    return {doc: story.id for story in result.stories for doc in story.documents}


def _assert_same(local: Result, distributed: Result) -> None:
    assert distributed.order == local.order
    assert distributed.articles == local.articles
    assert distributed.rejections == local.rejections
    assert distributed.duplicates == local.duplicates
    assert distributed.syndication == local.syndication
    assert distributed.common_sources == local.common_sources
    assert distributed.stories == local.stories
    assert distributed.summary.as_dict() == local.summary.as_dict()
    assert distributed.lineage == local.lineage
    assert bcubed(_labels(local), _labels(distributed))[2] == 1.0


def _timeless(store: SQLiteStore) -> list[dict]:
    return [{**event, "at": None} for event in store.events()]


def _assert_same_rows(local: SQLiteStore, distributed: SQLiteStore) -> None:
    """The rows `add` and later runs build on: kept ids, lineage, events, relations, features."""
    assert list(distributed.stories()) == list(local.stories())
    assert distributed.story_links() == local.story_links()
    assert _timeless(distributed) == _timeless(local) != []
    assert list(distributed.relations()) == list(local.relations())
    for story_id in local.live_stories():
        assert list(distributed.relations(story_id)) == list(local.relations(story_id))
    assert list(distributed.features(MAX_ANALYSED_CHARS)) == list(local.features(MAX_ANALYSED_CHARS))
    assert distributed.missing_features() == []
    assert distributed.integrity_check() == local.integrity_check() == []


def test_seed_pages_give_the_local_engines_result_and_rows(client, tmp_path):
    local_store, dask_store = SQLiteStore(tmp_path / "local.sqlite"), SQLiteStore(tmp_path / "dask.sqlite")
    try:
        local = run_local([str(EXAMPLES)], local_store)
        distributed = run_dask([str(EXAMPLES)], dask_store, client=client)
        _assert_same(local, distributed)
        _assert_same_rows(local_store, dask_store)
        assert distributed.syndication and distributed.common_sources
        assert dask_store.document_ids() == local_store.document_ids()
        for doc_id in local_store.document_ids():
            assert dask_store.get_article(doc_id) == local_store.get_article(doc_id)
            raw_sha256 = local.articles[doc_id].raw_sha256
            assert dask_store.raw_page(raw_sha256) == local_store.raw_page(raw_sha256) is not None
        again = run_dask([str(EXAMPLES)], dask_store, client=client)
        assert again.summary.reused == len(local.order) and again.summary.cleaned == 0
        assert again.stories == local.stories
    finally:
        local_store.close()
        dask_store.close()


@pytest.mark.skipif(not _DUC.exists(), reason="the shared evaluation sets (../shared/eval) are absent")
def test_duc_with_reprints_gives_the_same_duplicates_and_stories(client, tmp_path):
    rng = random.Random(7)
    records = [{"id": doc.docno, "text": doc.text} for cluster in load_duc2004() for doc in cluster.docs]
    reprints = [{"id": f"{r['id']}~reprint", "text": perturb(r["text"], rng)} for r in records[::25]]
    # The same page under two outlets' mastheads: the body repeats exactly.
    exact = [{"id": f"{r['id']}~copy", "text": r["text"], "outlet": "copies.example"} for r in records[5::50]]
    corpus = tmp_path / "duc.jsonl"
    pages = [*records, *reprints, *exact, records[0]]
    with corpus.open("w", encoding="utf-8") as out:
        for record in pages:
            out.write(json.dumps(record) + "\n")
    local_store, dask_store = SQLiteStore(":memory:"), SQLiteStore(":memory:")
    local = run_local([str(corpus)], local_store)
    distributed = run_dask([str(corpus)], dask_store, client=client)
    _assert_same(local, distributed)
    _assert_same_rows(local_store, dask_store)
    assert distributed.summary.repeated_inputs == len(pages) - len({r["id"] for r in pages}) > 0
    assert len(distributed.duplicates) >= len(exact)
    assert len(distributed.stories) > 20


def test_a_run_over_a_store_written_by_add_keeps_its_story_ids_as_the_local_engine_does(client, tmp_path):
    first, second, *_ = sorted(str(p) for p in EXAMPLES.glob("*.txt"))
    stores = SQLiteStore(tmp_path / "local.sqlite"), SQLiteStore(tmp_path / "dask.sqlite")
    try:
        for store in stores:
            add([first, second], store)
        (added,) = stores[1].live_stories()
        local = run_local([str(EXAMPLES)], stores[0])
        distributed = run_dask([str(EXAMPLES)], stores[1], client=client)
        _assert_same(local, distributed)
        _assert_same_rows(*stores)
        # The story the two added pages started keeps its id as the other three join it.
        assert [s.id for s in distributed.stories] == [added]
        assert [e["kind"] for e in stores[1].events()] == ["story.created", "story.updated"]
    finally:
        for store in stores:
            store.close()


def test_cli_runs_on_a_given_scheduler(client, tmp_path):
    runner = CliRunner()
    address = client.scheduler.address
    done = runner.invoke(app, ["run", str(EXAMPLES), "--out", str(tmp_path / "dask"), "--engine", "dask",
                               "--scheduler", address, "--no-progress"])
    assert done.exit_code == 0, done.output
    local = runner.invoke(app, ["run", str(EXAMPLES), "--out", str(tmp_path / "local"), "--no-progress"])
    assert local.exit_code == 0, local.output
    assert ((tmp_path / "dask" / "stories.json").read_text()
            == (tmp_path / "local" / "stories.json").read_text())
    refused = runner.invoke(app, ["run", str(EXAMPLES), "--out", str(tmp_path / "x"), "--scheduler", address])
    assert refused.exit_code == 2 and "--engine dask" in refused.output


def test_a_local_cluster_of_worker_processes_is_started_when_no_cluster_is_given(tmp_path):
    # Worker processes pickle every page, fingerprint and story between them and this process.
    local = run_local([str(EXAMPLES)], SQLiteStore(":memory:"))
    distributed = run_dask([str(EXAMPLES)], SQLiteStore(tmp_path / "dask.sqlite"), workers=2)
    _assert_same(local, distributed)
