"""Incremental mode: pages added to a store join its stories or start new ones, under kept ids.

Rules:

- One pool. `add` stores the new pages, then groups the stored pool of their languages again
  from the pages' kept features (grouping is order-free and never mixes languages: the same pool
  gives the same groups whatever order the pages came in, so an incremental store holds exactly
  the stories a batch run would find). This costs a grouping pass per add.
- Fast path. Given a `Placer` (kept across adds by `watch` or a caller's loop), an add whose
  pages all place clearly on a stored story or clearly alone (placement.py) records just the
  groups they touch, under the statistics of the last full regroup; any unclear page, a small
  pool, or enough pages placed since the last full regroup sends the add to the full regroup,
  which refits the placer and corrects earlier placements (as merges and splits on the log).
- Kept ids. Each new group is matched to the live stories whose documents it holds, largest
  overlap first (older story first on a tie); a stored story gives its id to one group at most.
  A group matched to a story keeps its id ("story.updated" when its documents changed; nothing
  at all when they did not). A group matched to none gets a new id, the content id of its
  documents at birth: "story.split" with `split_from` when it took documents from a story whose
  id went to another group, else "story.created". A story whose id went to no group was merged:
  its row stays with `merged_into` (the group holding most of its documents) and "story.merged".
- Only stories whose documents changed are analysed again (brief, quotes and whatever analysis
  pipeline.analyse_story adds); the others keep their stored record.
- Every change is a row of the store's event log with a sequence number that only grows
  (`SQLiteStore.events(after=seq)`), naming the vectoriser statistics version of the pass.
- Threads. A story that continues an earlier one is linked to it (`continues`): the earlier live
  story most similar to it (word TF-IDF over the stories' titles and leads, fitted on the live
  stories of its language) at THREAD_MIN_SIMILARITY or more, born earlier, and when both are
  dated, starting no later and at most THREAD_MAX_DAYS before it. Stories in one thread stay separate stories.
"""

from __future__ import annotations

import resource
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import BinaryIO, Literal, NamedTuple

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from .dedup import DuplicateReport
from .model import Article, CommonSource, Metadata, Story, Syndication, content_id, to_plain
from .pipeline import (
    Settings,
    Signature,
    Summary,
    analyse_members,
    group_pool,
    ingest,
    load_pool,
)
from .placement import PlacementSettings, Placer
from .store.sqlite import SQLiteStore
from .text import stopwords

# Word TF-IDF cosine between two stories' titles and leads at which the later one continues the
# earlier. On NeuS-AllSides (gold events, three outlets each) the Soleimani strike, Iran's missile
# retaliation and Trump's address that followed score 0.27-0.45 with each other; among 300 random
# other events, 0.1% of pairs reach 0.25, nearly all of them real continuations (a Kavanaugh
# hearing and the FBI probe, a recall petition and the recall vote).
THREAD_MIN_SIMILARITY = 0.25
# A follow-up starts at most this many days after the story it continues starts.
THREAD_MAX_DAYS = 30
# Characters of each member's body read for the thread similarity: the lead says what happened.
THREAD_LEAD_CHARS = 600

ChangeKind = Literal["created", "updated", "split", "unchanged"]


@dataclass(frozen=True, slots=True)
class Change:
    """What becomes of one group of a grouping pass: its kept or minted id and how it changed."""

    story_id: str
    documents: tuple[str, ...]
    kind: ChangeKind
    split_from: str | None = None
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Plan:
    """A grouping pass matched to the stored stories: one Change per group, and the merged stories
    as (merged id, id of the story it went into)."""

    changes: tuple[Change, ...]
    merged: tuple[tuple[str, str], ...]


@dataclass(slots=True)
class Recorded:
    """What recording a grouping pass produced: the ids of the stories analysed (biggest first;
    their records are in the store), their relations, the dates inferred for their members
    (document id -> metadata), and the events written."""

    story_ids: tuple[str, ...] = ()
    syndication: tuple[Syndication, ...] = ()
    common_sources: tuple[CommonSource, ...] = ()
    dated: dict[str, Metadata] = field(default_factory=dict)
    events: tuple[dict, ...] = ()
    stats_version: int | None = None


@dataclass(frozen=True, slots=True)
class AddReport:
    """What an `add` did: the ingest summary, the events it wrote, and the stories it touched."""

    summary: Summary
    events: tuple[dict, ...]
    touched: tuple[str, ...]
    stats_version: int
    # False when every page was placed by the fast path (see placement.py), no pool regrouped.
    regrouped: bool = True


def reconcile(stored: Mapping[str, Sequence[str]], groups: Sequence[Sequence[str]], *,
              born: Mapping[str, int] | None = None, taken: Callable[[str], bool] = lambda _: False
              ) -> Plan:
    """Match a grouping pass to the stored stories (see the module rules).

    `stored` maps live story ids to their documents; `born` gives each its birth sequence (older
    wins ties); `taken` says whether an id was ever minted, so a new id never reuses a retired one.
    Deterministic: the same inputs give the same plan.
    """
    born = born or {}
    story_of = {doc: sid for sid, docs in stored.items() for doc in docs}
    overlaps = [Counter(story_of[d] for d in g if d in story_of) for g in groups]
    candidates = sorted((-n, born.get(sid, 0), sid, index)
                        for index, counts in enumerate(overlaps) for sid, n in counts.items())
    id_of: dict[int, str] = {}
    given: set[str] = set()
    for _, _, sid, index in candidates:
        if index not in id_of and sid not in given:
            id_of[index] = sid
            given.add(sid)
    used = set(given)
    changes = []
    for index, members in enumerate(groups):
        members = tuple(sorted(members))
        if index in id_of:
            sid = id_of[index]
            before = set(stored[sid])
            added, removed = tuple(sorted(set(members) - before)), tuple(sorted(before - set(members)))
            kind: ChangeKind = "updated" if added or removed else "unchanged"
            changes.append(Change(sid, members, kind, added=added, removed=removed))
            continue
        sid = _mint(members, lambda x: x in used or taken(x))
        used.add(sid)
        counts = overlaps[index]
        source = min(counts, key=lambda s: (-counts[s], born.get(s, 0), s)) if counts else None
        changes.append(Change(sid, members, "split" if source else "created", split_from=source,
                              added=members))
    group_of = {doc: change.story_id for change in changes for doc in change.documents}
    merged = []
    for sid in sorted(set(stored) - given):
        into = Counter(group_of[d] for d in stored[sid] if d in group_of)
        if into:
            merged.append((sid, min(into, key=lambda s: (-into[s], s))))
    return Plan(changes=tuple(changes), merged=tuple(merged))


def _mint(members: Sequence[str], taken: Callable[[str], bool]) -> str:
    """The content id of the members at birth; salted when that id was minted before (a story
    split off, merged back and split off again)."""
    candidate, salt = content_id(*members, prefix="s"), 0
    while taken(candidate):
        salt += 1
        candidate = content_id(*members, str(salt), prefix="s")
    return candidate


# One story's analysis from its sorted member ids: what pipeline.analyse_members returns.
Analyser = Callable[[tuple[str, ...]], tuple[Story, DuplicateReport, list[Article]]]


def record_groups(store: SQLiteStore, groups: Sequence[Sequence[str]], settings: Settings, *,
                  reanalyse_all: bool, at: str, pool_size: int | None = None, placed: bool = False,
                  known: Mapping[str, Signature] | None = None, analyse: Analyser | None = None
                  ) -> Recorded:
    """Match a grouping pass to the store's live stories, analyse the changed stories (all of them
    with `reanalyse_all`), store them under their kept ids, retire merged ones, write the events
    and thread the changed stories. Call inside a store transaction. `placed` marks a pass of
    the fast path (only the groups its pages touched, under the statistics of the last full
    regroup) in the vectoriser version's settings.

    Only live stories sharing a document with `groups` take part, so a batch run over some pages
    leaves stories of other pages alone. `analyse` replaces reading a story's members back from
    the store and analysing them here: an engine that analysed the stories elsewhere (the Dask
    engine, on its workers) hands in its results, which must be what `analyse_members` gives.
    """
    pool_docs = {d for g in groups for d in g}
    stored = {sid: docs for sid, docs in store.live_stories().items() if pool_docs.intersection(docs)}
    births = store.story_births()
    plan = reconcile(stored, groups, born={sid: births[sid] for sid in stored}, taken=store.has_story)
    version = store.new_vectoriser_version(
        created=at, documents=pool_size if pool_size is not None else len(pool_docs),
        pool_key=content_id(*sorted(pool_docs), prefix="p"),
        settings=_plain_settings(settings) | ({"pass": "placed"} if placed else {}))
    first_event = store.last_event_seq()
    out = Recorded(stats_version=version)
    stories: list[tuple[int, str]] = []
    syndication: list[Syndication] = []
    common: list[CommonSource] = []
    for change in plan.changes:
        if change.kind == "unchanged" and not reanalyse_all:
            continue
        if analyse is not None:
            story, report, dated = analyse(change.documents)
        else:
            story, report, dated = analyse_members(store, change.documents, settings, known)
        story = replace(story, id=change.story_id)
        stories.append((-len(story.documents), story.id))
        syndication.extend(report.syndication)
        common.extend(report.common_sources)
        out.dated.update((a.id, a.meta) for a in dated if a.meta.published and a.meta.published.inferred)
        store.put_story(to_plain(story), members_key=content_id(*change.documents, prefix="m"),
                        stats_version=version, split_from=change.split_from)
        store.drop_relations(change.story_id)
        for synd in report.syndication:
            store.put_relation(synd.id, "syndication", to_plain(synd), story_id=change.story_id)
        for rel in report.common_sources:
            store.put_relation(content_id(*rel.documents, prefix="c"), "common-source", to_plain(rel),
                               story_id=change.story_id)
        if change.kind != "unchanged":
            store.add_event(f"story.{change.kind}", change.story_id, related=change.split_from,
                            stats_version=version, at=at,
                            detail={"documents": list(change.documents), "added": list(change.added),
                                    "removed": list(change.removed)})
    for merged, into in plan.merged:
        store.retire_story(merged, into)
        store.add_event("story.merged", merged, related=into, stats_version=version, at=at,
                        detail={"documents": list(stored[merged])})
    touched = [c.story_id for c in plan.changes if c.kind != "unchanged"]
    thread_stories(store, touched)
    out.story_ids = tuple(sid for _, sid in sorted(stories))
    out.syndication, out.common_sources = tuple(syndication), tuple(common)
    out.events = tuple(store.events(after=first_event))
    return out


def _plain_settings(settings: Settings) -> dict:
    return {"grouping": asdict(settings.grouping)}


def thread_stories(store: SQLiteStore, story_ids: Sequence[str]) -> dict[str, str | None]:
    """Link each of `story_ids` to the earlier live story it continues (see the module rules);
    returns story id -> the story it continues, or None.

    Candidates are the live stories in the languages of `story_ids` (a word TF-IDF cannot link
    stories across languages); each is read as its pages' titles and leads, from the store.
    """
    if not story_ids:
        return {}
    # Only what threading reads of a page: a store's feature rows also carry signatures.
    pages = {row["id"]: _ThreadPage(row["title"], row["body"], row["language"], row["published"])
             for row in store.features(THREAD_LEAD_CHARS)}
    live = store.live_stories()
    languages = {pages[d].language for sid in story_ids for d in live.get(sid, ()) if d in pages}
    live = {sid: [pages[d] for d in docs if d in pages] for sid, docs in live.items()}
    live = {sid: rows for sid, rows in live.items() if rows and rows[0].language in languages}
    births = store.story_births()
    ids = sorted(live, key=lambda s: (births[s], s))
    documents = ["\n".join(f"{p.title}\n{p.body}" for p in live[sid]) for sid in ids]
    matrix = TfidfVectorizer(sublinear_tf=True, stop_words=sorted(stopwords()), min_df=1,
                             dtype=np.float32).fit_transform(documents)
    row = {sid: i for i, sid in enumerate(ids)}
    starts = {sid: min((date.fromisoformat(p.published).toordinal() for p in live[sid] if p.published),
                       default=None) for sid in ids}
    links: dict[str, str | None] = {}
    for sid in story_ids:
        if sid not in row:
            continue
        sims = (matrix[row[sid]] @ matrix.T).toarray()[0][:row[sid]]
        best, best_sim = None, THREAD_MIN_SIMILARITY
        # Only earlier stories at the bar are looked at: every pair in Python was quadratic.
        for earlier in np.flatnonzero(sims >= THREAD_MIN_SIMILARITY).tolist():
            if sims[earlier] >= best_sim and _in_reach(starts[ids[earlier]], starts[sid]):
                best, best_sim = ids[earlier], float(sims[earlier])
        links[sid] = best
        store.set_continues(sid, best)
    return links


class _ThreadPage(NamedTuple):
    title: str
    body: str
    language: str
    published: str | None


def _in_reach(earlier: int | None, later: int | None) -> bool:
    if earlier is None or later is None:
        return True
    return 0 <= later - earlier <= THREAD_MAX_DAYS


def threads(store: SQLiteStore) -> list[list[str]]:
    """Every thread of live stories, each from the story that started it to its latest follow-up
    (a story continued by two follow-ups appears in both branches' threads)."""
    links = {sid: link["continues"] for sid, link in store.story_links().items() if link["state"] == "live"}
    followed = {parent for parent in links.values() if parent}
    out = []
    for leaf in sorted(sid for sid in links if sid not in followed):
        chain = [leaf]
        while links.get(chain[-1]) and links[chain[-1]] not in chain:
            chain.append(links[chain[-1]])
        if len(chain) > 1:
            out.append(chain[::-1])
    return out


# A hook run after an add with every thread holding a touched story, root first: where a ledger
# across threaded stories (an actor's pledges and what became of them) is kept up to date.
ThreadHook = Callable[[SQLiteStore, list[str]], None]


def add(inputs: Sequence[str], store: SQLiteStore, *, settings: Settings | None = None,
        stdin: BinaryIO | None = None, skip: Sequence[str] = (),
        on_thread: ThreadHook | None = None, placer: Placer | None = None) -> AddReport:
    """Add pages to a store: store them, place them on stories (with a `placer` whose evidence is
    clear) or regroup the stored pool, keep ids, analyse only the stories that changed, log the
    events, thread the changed stories."""
    settings = settings or Settings()
    skip = [*skip, store.path] if store.path != ":memory:" else list(skip)
    summary = Summary()
    done = ingest(inputs, store, settings=settings, stdin=stdin, summary=summary, skip=skip)
    new_pages = list(done.pool.values())
    done.pool.clear()
    languages = {page.grouping.language for page in new_pages}
    groups = None
    if placer is not None:
        story_of = {doc: sid for sid, docs in store.live_stories().items() for doc in docs}
        groups = placer.place(new_pages, story_of)
    regrouped = groups is None
    if groups is not None and placer is not None:
        pool_size = sum(len(placer.indexes[language]) for language in languages)
    else:
        # Grouping never mixes languages, so only the new pages' languages are regrouped: the
        # same groups as regrouping everything, for a fraction of the work when languages differ.
        pool = load_pool(store, languages)
        groups, duplicates = group_pool(pool, settings)
        summary.duplicates = sum(len(g) - 1 for g in duplicates)
        pool_size = len(pool)
        if placer is not None:
            placer.refit(pool.values(), settings.grouping)
        pool.clear()
    with store.transaction():
        recorded = record_groups(store, groups, settings, reanalyse_all=False, at=_now(),
                                 pool_size=pool_size, placed=not regrouped)
    summary.stories = len(store.live_stories())
    touched = tuple(sorted({e["story"] for e in recorded.events if e["kind"] != "story.merged"}))
    if on_thread is not None:
        for thread in threads(store):
            if set(thread) & set(touched):
                on_thread(store, thread)
    return AddReport(summary=summary, events=recorded.events, touched=touched,
                     stats_version=recorded.stats_version or 0, regrouped=regrouped)


def watch(directory: str | Path, store: SQLiteStore, *, settings: Settings | None = None,
          interval: float = 2.0, stop: Callable[[], bool] = lambda: False,
          on_thread: ThreadHook | None = None, placement: PlacementSettings | None = None
          ) -> Iterator[AddReport]:
    """Poll `directory` (recursively) and add files as they land; yields one report per batch.

    A file is taken once its size and modification time held still over one interval (so a
    file still being written is not read half way). Files present at start are added too: pages
    already stored are reused, so a restarted watch only costs a re-read. One placer lives as
    long as the watch: after its first full regroup, batches whose pages place clearly are added
    without regrouping the pool (see placement.py; `placement` tunes when).
    """
    placer = Placer(placement or PlacementSettings())
    root = Path(directory)
    # The store and its journal files may live in the watched folder: never read as pages.
    own = str(Path(store.path).resolve()) if store.path != ":memory:" else None
    seen: dict[Path, tuple[int, float]] = {}
    pending: dict[Path, tuple[int, float]] = {}
    while not stop():
        ready = []
        for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")
                           and not (own and str(p.resolve()).startswith(own))):
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            state = (stat.st_size, stat.st_mtime)
            if seen.get(path) == state:
                continue
            if pending.get(path) == state:
                ready.append(path)
                seen[path] = state
                pending.pop(path)
            else:
                pending[path] = state
        if ready:
            yield add([str(p) for p in ready], store, settings=settings, on_thread=on_thread, placer=placer)
        elif not stop():
            time.sleep(interval)


def measure_add(store: SQLiteStore, pages: Iterable[str], *, settings: Settings | None = None,
                memory: bool = False, placer: Placer | None = None) -> dict[str, float]:
    """Time (and with `memory`, traced peak memory) of adding each of `pages` (input paths) to
    `store` one at a time: p50 / p95 seconds and MB, the process's peak resident size, and with
    a `placer`, the share of adds that regrouped the pool."""
    seconds, peaks, regrouped = [], [], []
    for page in pages:
        if memory:
            tracemalloc.start()
        started = time.perf_counter()
        regrouped.append(add([page], store, settings=settings, placer=placer).regrouped)
        seconds.append(time.perf_counter() - started)
        if memory:
            peaks.append(tracemalloc.get_traced_memory()[1] / 2**20)
            tracemalloc.stop()
    out = {"pages": float(len(seconds)), "p50_s": float(np.percentile(seconds, 50)),
           "p95_s": float(np.percentile(seconds, 95)),
           "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
           "regrouped": float(np.mean(regrouped)) if regrouped else 0.0}
    if peaks:
        out |= {"p50_mb": float(np.percentile(peaks, 50)), "p95_mb": float(np.percentile(peaks, 95))}
    return out


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
