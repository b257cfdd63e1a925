"""The Dask engine: the pipeline's stages as tasks on a Dask cluster, with the local engine's results.

`run()` takes the same inputs and store as `pipeline.run` and returns the same `Result`; the
stories, relations, story ids, events and stored rows are the ones the local engine makes (the
tests compare them).

How the work is cut:

1. Pages are read here, in input order, and sent to the cluster in batches; from then on a batch
   lives on a worker, not in this process. Repeated ids are dropped as the local engine drops
   them (but still count for boilerplate), and pages already stored travel with their stored
   outcome so they are reused, not re-cleaned. The raw text of each page to be cleaned is stored
   as it is sent (the local engine stores it beside the article; either way once, by hash).
2. Boilerplate learning is a shuffle by outlet key: each batch splits its (outlet, lines) pairs
   into shards by a stable hash of the key, one task per shard learns its outlets' chrome, and
   the per-outlet entries are merged (learning is per outlet, so the model is the same).
3. Cleaning, fingerprinting and the grouping view are per-page tasks, one per batch. What comes
   back is what the store needs: each outcome in input order and each article's page features
   (`pipeline.store_pool_page`, written as the local engine writes them, so `add` can regroup
   the pages later); articles are not kept here once stored.
4. Near-duplicates: exact body keys are resolved from per-page keys; MinHash LSH is a shuffle by
   band (the same bands datasketch's MinHashLSH uses), each shard pairing the pages in its
   buckets and verifying the Jaccard estimate exactly as `dedup.near_duplicate_groups` does.
5. Grouping is a shuffle by language: grouping never mixes languages, and each language's pool
   is grouped by one task with `stories.group` (its calibration reads the whole language pool),
   each canonical page counting its near-duplicate copies as `pipeline.group_pool` counts them.
6. Story analysis is a shuffle by story: each page's article and fingerprint go to the shard of
   its story, and one task per shard runs date inference and `pipeline.analyse_story`.
7. Recording is the local engine's: `incremental.record_groups` matches the groups to the
   store's stories (kept ids, merges, splits, events, threads), handed the analyses made on the
   workers instead of analysing again.

Without a scheduler address a local cluster of `workers` processes is started (and stopped).
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, BinaryIO

from datasketch import MinHash, MinHashLSH
from distributed import Client, Future, LocalCluster

from ..analyze.dates import infer_publication_dates
from ..clean import BoilerplateModel, build_boilerplate, clean_page, host_key, split_lines
from ..dedup import (
    MINHASH_PERMUTATIONS,
    MINHASH_SCHEME,
    MINHASH_SEED,
    NEAR_DUPLICATE_JACCARD,
    DuplicateReport,
    Fingerprint,
    components,
    fingerprint,
)
from ..incremental import record_groups
from ..ingest import read_inputs
from ..model import Article, Page, Rejection, Story
from ..pipeline import (
    COMMIT_EVERY,
    MAX_ANALYSED_CHARS,
    PoolPage,
    Result,
    Settings,
    Summary,
    analyse_story,
    grouping_input,
    run_result,
    store_pool_page,
)
from ..store.base import Store
from ..stories import GroupingInput, group

# Pages per task: large enough that scheduling costs little beside cleaning (~5-20 ms a page),
# small enough that a 2-worker cluster gets many tasks from a thousand pages.
BATCH_PAGES = 64
# Shards per worker for each shuffle: a few, so one slow shard does not hold the others up.
SHARDS_PER_WORKER = 2


@dataclass(frozen=True, slots=True)
class _Item:
    """One input document on its way to a worker: the page read, its stored outcome if any."""

    read: Page | Rejection
    stored: Article | Rejection | None
    repeated: bool


@dataclass(frozen=True, slots=True)
class _Cleaned:
    """A batch after the per-page stages; it stays on the worker that made it."""

    outcomes: tuple[tuple[Article | Rejection, bool], ...]
    fingerprints: dict[str, Fingerprint]
    grouping: dict[str, GroupingInput]


def run(inputs: Sequence[str], store: Store, *, settings: Settings | None = None,
        stdin: BinaryIO | None = None, on_page: Callable[[], None] | None = None,
        skip: Sequence[str] = (), scheduler: str | None = None, client: Client | None = None,
        workers: int = 2) -> Result:
    """`pipeline.run` on a Dask cluster: the same stored rows and the same `Result`.

    `client` uses a cluster the caller already holds; else `scheduler` is the address of a
    running scheduler ("tcp://host:8786"); else a local cluster of `workers` processes is
    started for this run. A script that starts a local cluster needs the
    `if __name__ == "__main__":` guard (its workers re-import the main module).
    """
    skip = [*skip, store.path] if store.path != ":memory:" else list(skip)
    settings = settings or Settings()
    summary = Summary()
    run_id = store.start_run(_now())
    with _connected(client, scheduler, workers) as dask:
        batches, order = _send_pages(dask, inputs, store, stdin, skip, summary, on_page)
        shards = max(1, min(len(batches), SHARDS_PER_WORKER * max(1, len(dask.nthreads()))))
        model = None
        if settings.learn_boilerplate and "-" not in inputs:
            model = _learn_boilerplate(dask, batches, shards)
        cleaned = [dask.submit(_clean_batch, batch, model, pure=False) for batch in batches]
        rejections = _store_outcomes(dask, cleaned, store, summary)
        meta = [row for part in dask.gather([dask.submit(_page_keys, c) for c in cleaned]) for row in part]
        duplicates = _near_duplicates(dask, cleaned, meta, shards)
        summary.duplicates = sum(len(g) - 1 for g in duplicates)
        groups = _group(dask, cleaned, duplicates, sorted({language for *_, language in meta}), settings)
        analysed = _analyse(dask, cleaned, groups, shards, settings)
    with store.transaction():
        outcome = record_groups(store, groups, settings, reanalyse_all=True, at=_now(),
                                analyse=analysed.pop)
        summary.syndicated_groups = len(outcome.syndication)
        summary.common_source_groups = len(outcome.common_sources)
        summary.stories = len(outcome.story_ids)
        store.finish_run(run_id, _now(), summary.as_dict())
    return run_result(store, order, rejections, duplicates, outcome, summary)


@contextmanager
def _connected(client: Client | None, scheduler: str | None, workers: int) -> Iterator[Client]:
    if client is not None:
        yield client
    elif scheduler:
        with Client(scheduler) as remote:
            yield remote
    else:
        with local_cluster(workers) as cluster, Client(cluster) as local:
            yield local


def local_cluster(workers: int = 2, *, processes: bool = True) -> LocalCluster:
    """A cluster on this machine: `workers` single-threaded workers, listening on loopback only.

    No dashboard, and the scheduler's small HTTP endpoint (health, metrics) takes a free port:
    its default 8787 is often taken by another cluster on the same machine.
    """
    # Threads talk in-process (no host to give); processes over TCP on the loopback interface.
    return LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes,
                        host="127.0.0.1" if processes else None,
                        dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})


# 1. Reading -------------------------------------------------------------------------------------

def _send_pages(dask: Client, inputs: Sequence[str], store: Store, stdin: BinaryIO | None,
                skip: Sequence[str], summary: Summary, on_page: Callable[[], None] | None,
                ) -> tuple[list[Future], list[str]]:
    seen: set[str] = set()
    order: list[str] = []
    batches: list[Future] = []
    batch: list[_Item] = []
    with store.batches(COMMIT_EVERY) as writes:
        for item in read_inputs(inputs, stdin=stdin, skip=skip):
            summary.pages_read += 1
            if on_page:
                on_page()
            repeated = item.id in seen
            if repeated:
                summary.repeated_inputs += 1
            else:
                seen.add(item.id)
                order.append(item.id)
            stored = None if repeated else (store.get_article(item.id) or store.get_rejection(item.id))
            if not repeated and stored is None and isinstance(item, Page):
                store.put_raw(item.sha256, item.format, item.content)
                writes.tick()
            batch.append(_Item(item, stored, repeated))
            if len(batch) >= BATCH_PAGES:
                batches.extend(dask.scatter([tuple(batch)], hash=False))
                batch = []
    if batch:
        batches.extend(dask.scatter([tuple(batch)], hash=False))
    return batches, order


# 2. Boilerplate, shuffled by outlet ----------------------------------------------------------------

def _learn_boilerplate(dask: Client, batches: list[Future], shards: int) -> Future:
    split = [dask.submit(_outlet_lines, batch, shards) for batch in batches]
    parts = [dask.submit(_learn_outlets, *[dask.submit(_pick, s, shard) for s in split])
             for shard in range(shards)]
    return dask.submit(_merge_models, *parts)


def _outlet_lines(batch: tuple[_Item, ...], shards: int) -> list[list[tuple[str, list[str]]]]:
    """(outlet key, lines) of the batch's text pages, split into shards by outlet key."""
    out: list[list[tuple[str, list[str]]]] = [[] for _ in range(shards)]
    for item in batch:
        page = item.read
        if isinstance(page, Rejection) or page.format != "text":
            continue
        key = host_key(page.outlet, page.url)
        if key:
            out[_shard(key, shards)].append((key, [text for text, _ in split_lines(page.content)]))
    return out


def _learn_outlets(*parts: list[tuple[str, list[str]]]) -> tuple[tuple[str, frozenset[str]], ...]:
    return build_boilerplate(pair for part in parts for pair in part).entries


def _merge_models(*parts: tuple[tuple[str, frozenset[str]], ...]) -> BoilerplateModel:
    # Each outlet key lives in exactly one shard, so the entries never clash.
    return BoilerplateModel(tuple(sorted(entry for part in parts for entry in part)))


# 3. Per-page stages --------------------------------------------------------------------------------

def _clean_batch(batch: tuple[_Item, ...], model: BoilerplateModel | None) -> _Cleaned:
    outcomes = []
    fingerprints: dict[str, Fingerprint] = {}
    grouping: dict[str, GroupingInput] = {}
    for item in batch:
        if item.repeated:
            continue
        if item.stored is not None:
            outcome = item.stored
        elif isinstance(item.read, Rejection):
            outcome = item.read
        else:
            outcome = clean_page(item.read, boilerplate=model)
        outcomes.append((outcome, item.stored is not None))
        if isinstance(outcome, Article):
            fingerprints[outcome.id] = fingerprint(_analysed_part(outcome))
            grouping[outcome.id] = grouping_input(outcome)
    return _Cleaned(tuple(outcomes), fingerprints, grouping)


def _analysed_part(article: Article) -> Article:
    # pipeline's rule for what duplicate detection reads: the first MAX_ANALYSED_CHARS (a prefix
    # keeps every offset valid).
    if len(article.body) <= MAX_ANALYSED_CHARS:
        return article
    return replace(article, body=article.body[:MAX_ANALYSED_CHARS])


def _outcomes(cleaned: _Cleaned) -> list[tuple[Article | Rejection, bool, PoolPage | None]]:
    """Each outcome, whether it was reused, and for an article its page features (the grouping
    view without its body: the store keeps the body already)."""
    out: list[tuple[Article | Rejection, bool, PoolPage | None]] = []
    for outcome, reused in cleaned.outcomes:
        features = None
        if isinstance(outcome, Article):
            features = PoolPage(grouping=replace(cleaned.grouping[outcome.id], body=""),
                                fingerprint=replace(cleaned.fingerprints[outcome.id], sentences=()))
        out.append((outcome, reused, features))
    return out


def _store_outcomes(dask: Client, cleaned: list[Future], store: Store, summary: Summary,
                    ) -> dict[str, Rejection]:
    """Write each batch's outcomes and page features in input order, as the local engine does,
    one batch at a time; returns the rejections."""
    rejections: dict[str, Rejection] = {}
    with store.batches(COMMIT_EVERY) as batch:
        for future in cleaned:
            for outcome, reused, features in dask.submit(_outcomes, future).result():
                if reused:
                    summary.reused += 1
                elif isinstance(outcome, Article):
                    store.put_article(outcome)
                    summary.cleaned += 1
                else:
                    store.put_rejection(outcome)
                if features is not None:
                    store_pool_page(store, features)
                else:
                    rejections[outcome.id] = outcome
                    summary.rejected[outcome.reason] += 1
                batch.tick()
    return rejections


def _page_keys(cleaned: _Cleaned) -> list[tuple[str, str, int, str]]:
    """(document, body key, words, language) per article: the little the driver needs."""
    return [(doc, fp.body_key, fp.words, cleaned.grouping[doc].language)
            for doc, fp in cleaned.fingerprints.items()]


# 4. Near-duplicates, shuffled by LSH band ----------------------------------------------------------

def _near_duplicates(dask: Client, cleaned: list[Future], meta: list[tuple[str, str, int, str]],
                     shards: int) -> tuple[tuple[str, ...], ...]:
    by_key: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for doc, body_key, words, _ in sorted(meta):
        by_key[body_key].append((doc, words))
    edges: set[tuple[str, str]] = set()
    representatives = set()
    for docs in by_key.values():
        # As dedup.near_duplicate_groups: the first page (by id) of a body stands for it in LSH.
        if docs[0][1] > 0:
            representatives.add(docs[0][0])
        edges.update((docs[0][0], other) for other, _ in docs[1:])
    wanted = _share(dask, representatives) if representatives else None
    split = [dask.submit(_band_shards, c, wanted, shards) for c in cleaned]
    pairs = [dask.submit(_verified_pairs, *[dask.submit(_pick, s, shard) for s in split])
             for shard in range(shards)]
    for part in dask.gather(pairs):
        edges.update(part)
    return tuple(components(edges))


def _band_shards(cleaned: _Cleaned, wanted: set[str] | None, shards: int,
                 ) -> list[list[tuple[int, tuple[int, ...], str, tuple[int, ...]]]]:
    bands, rows = _lsh_bands()
    out: list[list[tuple[int, tuple[int, ...], str, tuple[int, ...]]]] = [[] for _ in range(shards)]
    for doc, fp in cleaned.fingerprints.items():
        if not wanted or doc not in wanted:
            continue
        for band in range(bands):
            values = fp.minhash[band * rows:(band + 1) * rows]
            out[_shard(f"{band}:{values}", shards)].append((band, values, doc, fp.minhash))
    return out


def _verified_pairs(*parts: list[tuple[int, tuple[int, ...], str, tuple[int, ...]]]) -> set[tuple[str, str]]:
    buckets: dict[tuple[int, tuple[int, ...]], dict[str, tuple[int, ...]]] = defaultdict(dict)
    for part in parts:
        for band, values, doc, minhash in part:
            buckets[(band, values)][doc] = minhash
    pairs: set[tuple[str, str]] = set()
    signatures: dict[str, MinHash] = {}
    for members in buckets.values():
        docs = sorted(members)
        pairs.update((a, b) for i, a in enumerate(docs) for b in docs[i + 1:])
        for doc in docs:
            if doc not in signatures:
                signatures[doc] = MinHash(num_perm=MINHASH_PERMUTATIONS, seed=MINHASH_SEED,
                                          hashvalues=members[doc], scheme=MINHASH_SCHEME)
    # The verdict dedup gives a pair LSH proposes: the Jaccard estimate of the two signatures.
    return {(a, b) for a, b in pairs if signatures[a].jaccard(signatures[b]) >= NEAR_DUPLICATE_JACCARD}


@lru_cache(maxsize=1)
def _lsh_bands() -> tuple[int, int]:
    """(bands, rows): the banding MinHashLSH picks for the near-duplicate threshold, as dedup uses."""
    lsh = MinHashLSH(threshold=NEAR_DUPLICATE_JACCARD, num_perm=MINHASH_PERMUTATIONS)
    return lsh.b, lsh.r


# 5. Grouping, shuffled by language ------------------------------------------------------------------

def _group(dask: Client, cleaned: list[Future], duplicates: tuple[tuple[str, ...], ...],
           languages: list[str], settings: Settings) -> list[tuple[str, ...]]:
    """Stories as sorted member tuples in `pipeline.group_pool`'s order: canonical pages are
    grouped (each counting its copies), then each group takes its pages' near-duplicates."""
    followers = {grp[0]: grp[1:] for grp in duplicates}
    hidden = {doc for grp in duplicates for doc in grp[1:]}
    copies = {head: 1 + len(rest) for head, rest in followers.items()}
    shared = _share(dask, (hidden, copies)) if duplicates else None
    split = [dask.submit(_by_language, c, shared) for c in cleaned]
    per_language = [dask.submit(_group_pool, settings, *[dask.submit(_pick, s, lang) for s in split])
                    for lang in languages]
    groups = sorted((g for part in dask.gather(per_language) for g in part), key=lambda g: g[0])
    return [tuple(sorted({*g, *(f for m in g for f in followers.get(m, ()))})) for g in groups]


def _by_language(cleaned: _Cleaned, shared: tuple[set[str], dict[str, int]] | None,
                 ) -> dict[str, list[GroupingInput]]:
    hidden, copies = shared or (set(), {})
    out: dict[str, list[GroupingInput]] = defaultdict(list)
    for doc, view in cleaned.grouping.items():
        if doc not in hidden:
            out[view.language].append(replace(view, copies=copies.get(doc, 1)))
    return dict(out)


def _group_pool(settings: Settings, *parts: list[GroupingInput]) -> list[list[str]]:
    return group([view for part in parts for view in part], settings.grouping)


# 6. Story analysis, shuffled by story ---------------------------------------------------------------

def _analyse(dask: Client, cleaned: list[Future], groups: list[tuple[str, ...]], shards: int,
             settings: Settings) -> dict[tuple[str, ...], tuple[Story, DuplicateReport, list[Article]]]:
    """Each story's analysis by its member tuple, as `pipeline.analyse_members` makes it."""
    story_of = {doc: index for index, docs in enumerate(groups) for doc in docs}
    located = _share(dask, story_of) if story_of else None
    split = [dask.submit(_story_shards, c, located, shards) for c in cleaned]
    parts = [dask.submit(_analyse_shard, settings,
                         [(i, docs) for i, docs in enumerate(groups) if i % shards == shard],
                         *[dask.submit(_pick, s, shard) for s in split])
             for shard in range(shards)]
    done: dict[tuple[str, ...], tuple[Story, DuplicateReport, list[Article]]] = {}
    for part in dask.gather(parts):
        done.update((groups[index], analysis) for index, analysis in part.items())
    return done


def _story_shards(cleaned: _Cleaned, story_of: dict[str, int] | None, shards: int,
                  ) -> list[list[tuple[Article, Fingerprint]]]:
    out: list[list[tuple[Article, Fingerprint]]] = [[] for _ in range(shards)]
    if not story_of:
        return out
    for outcome, _ in cleaned.outcomes:
        if isinstance(outcome, Article) and outcome.id in story_of:
            out[story_of[outcome.id] % shards].append((outcome, cleaned.fingerprints[outcome.id]))
    return out


def _analyse_shard(settings: Settings, stories: list[tuple[int, tuple[str, ...]]],
                   *parts: list[tuple[Article, Fingerprint]],
                   ) -> dict[int, tuple[Story, DuplicateReport, list[Article]]]:
    articles = {a.id: a for part in parts for a, _ in part}
    fingerprints = {a.id: fp for part in parts for a, fp in part}
    out = {}
    for index, docs in stories:
        dated = infer_publication_dates([articles[d] for d in docs])
        story, report = analyse_story(dated, fingerprints, settings)
        out[index] = (story, report, dated)
    return out


# Shuffle helpers ------------------------------------------------------------------------------------

def _share(dask: Client, value: Any) -> Future:
    """One future for the whole value on every worker (scatter alone would split a collection)."""
    [future] = dask.scatter([value], broadcast=True, hash=False)
    return future


def _pick(split: Any, key: Any) -> Any:
    """One shard of a split: a list index, or a dict key (absent keys are empty shards)."""
    return split.get(key, []) if isinstance(split, dict) else split[key]


def _shard(key: str, shards: int) -> int:
    # crc32, not hash(): string hashes differ between worker processes.
    return zlib.crc32(key.encode("utf-8", "surrogatepass")) % shards


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
