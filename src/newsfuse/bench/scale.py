"""Bench section `scale`: engine throughput, the cost of adding one page to a grown store, and
what 1M and 10M pages would cost.

What is measured, on this machine, in this process:

- Batch throughput: pages/s of `pipeline.run` (the local engine) and of the Dask engine on a local
  cluster of 1 and of 2 single-threaded worker processes, each into a fresh SQLite file, on the
  speed corpus (`runner.speed_corpus`: Multi-News, DUC 2004 and NeuS texts, then reprinted
  copies) at the scale sizes: the speed sizes up to 10,000 (1,000 and 10,000 in a full run, 80
  and 240 in quick mode, so that the section takes well under a minute), `--scale-sizes` for
  others (100,000 by hand).
  A cluster's start-up is timed apart: a long-lived cluster pays it once. The Dask stories are
  checked against the local engine's (B-cubed F1 and the story ids).
- One page added: `incremental.measure_add` on the store each local run wrote (N pages), pages
  held out of the corpus added one at a time: p50 / p95 seconds with the time split by stage,
  then a few more adds under tracemalloc for their traced peak memory (tracing slows an add, so
  times and memory come from different adds). Then, as `newsfuse watch` adds, through one
  long-lived placer: its first add regroups and fits it, and later adds are placed without a
  regroup when the evidence is clear.
- Projection to 1M and 10M pages: each cost is scaled from the largest measured size by a power
  law whose exponent is fitted over the measured sizes. With one size the exponent is taken as
  1, which under-states any cost that grows faster than linearly; the table says which exponent
  it used; a fitted exponent below 1 (fixed costs dominate small runs) is raised to 1. Quick
  sizes are small enough that fixed costs hide the growth: read a projection from a full run.
"""

from __future__ import annotations

import json
import math
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsfuse.bench.metrics import bcubed
from newsfuse.bench.report import SectionReport, Target, num, secs

if TYPE_CHECKING:
    from distributed import Client

    from newsfuse.bench.runner import Context
    from newsfuse.pipeline import Result

DASK_WORKERS = (1, 2)
# The Dask engine runs at scale sizes up to this: above it a size is built by the local engine
# only, since each engine builds the store anew (three builds of 100,000 pages take hours here).
DASK_MAX_PAGES = 10_000
# Per store size: adds timed, adds traced for memory (tracemalloc makes each several times
# slower), and adds timed through a long-lived placer (what `newsfuse watch` does) after one add
# that fits it. Fewer above DASK_MAX_PAGES, where an add that regroups takes minutes.
QUICK_ADDS = (3, 1, 3)
FULL_ADDS = (12, 3, 12)
LARGE_ADDS = (3, 1, 4)
PROJECTED = (1_000_000, 10_000_000)
# Functions of incremental.add timed apart (exclusive times): looked up as module globals there.
ADD_STAGES = ("ingest", "load_pool", "group_pool", "record_groups", "analyse_members", "thread_stories")
ADD_STAGE_LABELS = {
    "ingest": "read, clean, store the page", "load_pool": "read the pool's features from the store",
    "group_pool": "near-duplicates + regroup the language pool",
    "record_groups": "match stories, store, events", "analyse_members": "analyse the changed stories",
    "thread_stories": "thread (TF-IDF over live stories)", "rest": "rest",
}


@dataclass(slots=True)
class SizeRun:
    """The figures of one corpus size."""

    pages: int
    local_s: float = 0.0
    stories: int = 0
    dask_s: dict[int, float] = field(default_factory=dict)
    dask_startup_s: dict[int, float] = field(default_factory=dict)
    dask_recording_s: dict[int, float] = field(default_factory=dict)
    dask_f1: dict[int, float] = field(default_factory=dict)
    dask_same_ids: dict[int, bool] = field(default_factory=dict)
    add: dict[str, float] = field(default_factory=dict)
    add_stages: dict[str, float] = field(default_factory=dict)
    placed: dict[str, float] = field(default_factory=dict)


def section_scale(ctx: Context, report: SectionReport) -> None:
    """Batch pages/s of both engines, the cost of one add at N pages, and a projection to 10M."""
    runs = {n: SizeRun(pages=n) for n in sorted(ctx.scale_sizes)}
    counts = {n: QUICK_ADDS if ctx.quick else FULL_ADDS if n <= DASK_MAX_PAGES else LARGE_ADDS for n in runs}
    corpora = {n: _write_corpus(ctx, n, sum(counts[n]) + 1) for n in runs}
    local_results = {}
    for n, run in runs.items():
        ctx.log(f"  scale: {n:,} pages, local engine")
        local_results[n], run.local_s = _local_run(corpora[n][0], _store_path(ctx, n, "local"))
        run.stories = len(local_results[n].stories)
    for workers in DASK_WORKERS:
        # One cluster per worker count for every size: its start-up is paid (and timed) once.
        with _cluster(workers) as (client, startup):
            for n, run in runs.items():
                if n > DASK_MAX_PAGES:
                    continue
                ctx.log(f"  scale: {n:,} pages, Dask engine on {workers} worker(s)")
                store_path = _store_path(ctx, n, f"dask{workers}")
                distributed, run.dask_s[workers], run.dask_recording_s[workers] = _dask_run(
                    corpora[n][0], store_path, client)
                run.dask_startup_s[workers] = startup
                run.dask_f1[workers] = bcubed(_labels(local_results[n]), _labels(distributed))[2]
                run.dask_same_ids[workers] = ([s.id for s in distributed.stories]
                                              == [s.id for s in local_results[n].stories])
    local_results.clear()
    for n, run in runs.items():
        adds, traced, placed = counts[n]
        ctx.log(f"  scale: {adds} + {traced} pages added one at a time to {n:,}")
        held_out = corpora[n][1]
        run.add, run.add_stages = _measure_adds(_store_path(ctx, n, "local"), held_out[:adds],
                                                held_out[adds:adds + traced])
        ctx.log(f"  scale: 1 + {placed} pages added through a placer to {n:,}")
        run.placed = _measure_placed(_store_path(ctx, n, "local"), held_out[adds + traced:])
    _report(report, list(runs.values()))


def _report(report: SectionReport, runs: list[SizeRun]) -> None:
    report.intro = (
        "Batch runs into a fresh SQLite file per engine on the speed corpus of section 5 (text "
        "pages: Multi-News, DUC 2004 and NeuS texts, then reprinted copies); the Dask engine on a "
        "local cluster of single-threaded worker processes, its start-up timed apart. Then pages "
        "held out of the corpus are added one at a time to the store the local run wrote "
        "(`incremental.measure_add`): each add stores the page, regroups the stored pool of its "
        "language from the kept features, analyses the stories that changed and threads them. "
        "Memory is tracemalloc's peak during one add (other adds than the timed ones). This "
        f"machine has {_cores()} cores, shared with whatever else runs on it.")
    report.add_table("Batch throughput by engine (pages/s)", (
        "pages", "local", *(f"Dask, {w} worker{'s' if w > 1 else ''}" for w in DASK_WORKERS),
        *(f"cluster start, {w}w (s)" for w in DASK_WORKERS), f"Dask {max(DASK_WORKERS)}w: driver recording",
        "stories", "Dask B-cubed F1 vs local"),
        [(f"{r.pages:,}", f"{r.pages / r.local_s:.1f}",
          *(f"{r.pages / r.dask_s[w]:.1f}" if r.dask_s else "not run" for w in DASK_WORKERS),
          *(secs(r.dask_startup_s[w]) if r.dask_s else "—" for w in DASK_WORKERS),
          f"{100 * r.dask_recording_s[max(DASK_WORKERS)] / r.dask_s[max(DASK_WORKERS)]:.0f}%"
          if r.dask_s else "—", r.stories,
          " / ".join(num(r.dask_f1[w], 3) for w in DASK_WORKERS) if r.dask_s else "—") for r in runs],
        note="Seconds exclude the cluster start; a run's time includes storing every page, its "
             "features and its stories. Driver recording: the share of the Dask run spent in "
             "`incremental.record_groups` in this process (matching story ids, storing stories, "
             "relations and events, threading), which no worker can take. The Dask engine runs "
             f"at sizes up to {DASK_MAX_PAGES:,} pages (each engine builds its own store).")
    report.add_table("Adding one page to a store of N pages", (
        "N", "adds timed", "p50 s", "p95 s", "adds traced", "p50 traced peak MB", "p95 traced peak MB",
        "bench process peak RSS MB"),
        [(f"{r.pages:,}", int(r.add["pages"]), secs(r.add["p50_s"]), secs(r.add["p95_s"]),
          int(r.add["traced_pages"]), f"{r.add['p50_mb']:.1f}", f"{r.add['p95_mb']:.1f}",
          f"{r.add['max_rss_mb']:.0f}") for r in runs])
    report.add_table("Adding one page to a store of N pages through a long-lived placer (`newsfuse watch`)", (
        "N", "first add: regroup + fit the placer (s)", "adds timed after it", "p50 s", "p95 s",
        "placed without a regroup"),
        [(f"{r.pages:,}", secs(r.placed["first_s"]), int(r.placed["pages"]), secs(r.placed["p50_s"]),
          secs(r.placed["p95_s"]), f"{100 * (1 - r.placed['regrouped']):.0f}%") for r in runs],
        note="`newsfuse add` is a new process each time: it holds no placer and regroups the pool, as "
             "in the table above. `newsfuse watch` keeps one placer: after the first batch it places "
             "a page whose evidence is clear on its story (or alone) without regrouping, and "
             "regroups when the evidence is unclear or enough pages were placed (placement.py).")
    biggest = runs[-1]
    total = sum(biggest.add_stages.values())
    report.add_table(f"Where one add's time goes at N = {biggest.pages:,} (mean over the timed adds)", (
        "stage", "seconds", "share"),
        [(ADD_STAGE_LABELS[k], secs(v), f"{100 * v / total:.0f}%")
         for k, v in sorted(biggest.add_stages.items(), key=lambda kv: -kv[1])])
    projection = _projection(runs)
    report.add_table("Projection to 1M and 10M pages", (
        "pages", "local batch", "Dask 2 workers batch", "one add p50", "one add p95",
        "one add traced peak"),
        [(f"{n:,}", _duration(p["local_s"]), _duration(p["dask_s"]), _duration(p["add_p50_s"]),
          _duration(p["add_p95_s"]), _megabytes(p["add_mb"])) for n, p in projection["rows"].items()],
        note=f"Scaled from N = {biggest.pages:,} with exponents: local batch "
             f"{num(projection['exp_local'], 2)}, Dask batch {num(projection['exp_dask'], 2)}, "
             f"add time {num(projection['exp_add'], 2)}, "
             f"add memory {num(projection['exp_mem'], 2)} "
             + ("(fitted over the measured sizes, never below 1)." if len(runs) > 1 else
                "(1 assumed: one size measured)."))
    report.targets.extend(_targets(runs))
    report.analysis = _analysis(runs, projection)


def _write_corpus(ctx: Context, n: int, held: int) -> tuple[Path, list[str]]:
    """The batch corpus of n pages (one JSONL) and `held` more pages, one JSONL each, to add."""
    from newsfuse.bench.runner import speed_corpus

    corpus = ctx.workdir / f"scale-{n}.jsonl"
    held_out: list[str] = []
    with corpus.open("w", encoding="utf-8") as batch:
        for index, record in enumerate(speed_corpus(ctx, n + held)):
            if index < n:
                batch.write(json.dumps(record) + "\n")
                continue
            single = ctx.workdir / f"scale-{n}-add-{index}.jsonl"
            single.write_text(json.dumps(record) + "\n", encoding="utf-8")
            held_out.append(str(single))
    return corpus, held_out


def _store_path(ctx: Context, n: int, engine: str) -> Path:
    return ctx.workdir / f"scale-{n}-{engine}.sqlite"


def _local_run(corpus: Path, store_path: Path) -> tuple[Result, float]:
    from newsfuse.pipeline import run
    from newsfuse.store.sqlite import SQLiteStore

    store = SQLiteStore(store_path)
    try:
        started = time.perf_counter()
        result = run([str(corpus)], store)
        return result, time.perf_counter() - started
    finally:
        store.close()


@contextmanager
def _cluster(workers: int) -> Iterator[tuple[Client, float]]:
    """A local cluster of `workers` worker processes, and the seconds it took to be ready."""
    from distributed import Client

    from newsfuse.engines.dask import local_cluster

    started = time.perf_counter()
    with local_cluster(workers) as cluster, Client(cluster) as client:
        client.wait_for_workers(workers)
        yield client, time.perf_counter() - started


def _dask_run(corpus: Path, store_path: Path, client: Client) -> tuple[Result, float, float]:
    """The Dask engine's result, its seconds, and the seconds of those spent recording the stories
    in the driver (incremental.record_groups: kept ids, stories, events, threads)."""
    from newsfuse.engines import dask as engine
    from newsfuse.store.sqlite import SQLiteStore

    recording = 0.0
    record_groups = engine.record_groups

    def timed_record_groups(*args: Any, **kwargs: Any) -> Any:
        nonlocal recording
        started = time.perf_counter()
        try:
            return record_groups(*args, **kwargs)
        finally:
            recording += time.perf_counter() - started

    store = SQLiteStore(store_path)
    engine.record_groups = timed_record_groups
    try:
        started = time.perf_counter()
        result = engine.run([str(corpus)], store, client=client)
        return result, time.perf_counter() - started, recording
    finally:
        engine.record_groups = record_groups
        store.close()


def _labels(result: Result) -> dict[str, str]:
    return {doc: story.id for story in result.stories for doc in story.documents}


def _measure_adds(store_path: Path, timed: Sequence[str], traced: Sequence[str]
                  ) -> tuple[dict[str, float], dict[str, float]]:
    """measure_add's figures (p50 / p95 seconds of `timed`, MB of `traced`) and the mean seconds per
    add of each stage."""
    from newsfuse.incremental import measure_add
    from newsfuse.store.sqlite import SQLiteStore

    store = SQLiteStore(store_path)
    try:
        with _add_stage_timer() as stages:
            figures = measure_add(store, timed)
        memory = measure_add(store, traced, memory=True)
    finally:
        store.close()
    figures |= {"p50_mb": memory["p50_mb"], "p95_mb": memory["p95_mb"], "traced_pages": memory["pages"],
                "max_rss_mb": memory["max_rss_mb"]}
    per_add = {k: v / len(timed) for k, v in stages.items()}
    return figures, per_add


def _measure_placed(store_path: Path, pages: Sequence[str]) -> dict[str, float]:
    """The first add through a fresh placer (a full regroup that fits it), then measure_add's
    figures for the other pages through the same placer."""
    from newsfuse.incremental import add, measure_add
    from newsfuse.placement import PlacementSettings, Placer
    from newsfuse.store.sqlite import SQLiteStore

    store = SQLiteStore(store_path)
    try:
        placer = Placer(PlacementSettings())
        started = time.perf_counter()
        add(pages[:1], store, placer=placer)
        first = time.perf_counter() - started
        return measure_add(store, pages[1:], placer=placer) | {"first_s": first}
    finally:
        store.close()


@contextmanager
def _add_stage_timer() -> Iterator[dict[str, float]]:
    """Exclusive seconds of each ADD_STAGES function while incremental.add runs; `rest` is add's
    own time outside them."""
    from newsfuse import incremental

    totals: dict[str, float] = defaultdict(float)
    open_frames: list[float] = []  # time of the callees of each open call

    def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            open_frames.append(0.0)
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - started
                totals[name] += elapsed - open_frames.pop()
                if open_frames:
                    open_frames[-1] += elapsed

        return wrapper

    names = (*ADD_STAGES, "add")
    originals = {name: getattr(incremental, name) for name in names}
    for name, fn in originals.items():
        setattr(incremental, name, timed("rest" if name == "add" else name, fn))
    try:
        yield totals
    finally:
        for name, fn in originals.items():
            setattr(incremental, name, fn)


def _exponent(sizes: Sequence[float], values: Sequence[float]) -> float:
    """The fitted growth exponent, never below 1: fixed costs (imports, a cluster's tasks, the
    first grouping calibration) make small runs look sublinear, and every cost projected here
    reads each stored page at least once, so it grows at least linearly."""
    from newsfuse.bench.runner import fit_exponent

    fitted = fit_exponent(sizes, values) if len(sizes) > 1 else 1.0
    return max(1.0, fitted) if not math.isnan(fitted) else 1.0


def _projection(runs: Sequence[SizeRun]) -> dict[str, Any]:
    sizes = [r.pages for r in runs]
    dask_workers = max(DASK_WORKERS)
    dask_runs = [r for r in runs if r.dask_s]
    exps = {
        "exp_local": _exponent(sizes, [r.local_s for r in runs]),
        "exp_dask": _exponent([r.pages for r in dask_runs], [r.dask_s[dask_workers] for r in dask_runs]),
        "exp_add": _exponent(sizes, [r.add["p50_s"] for r in runs]),
        "exp_mem": _exponent(sizes, [r.add["p95_mb"] for r in runs]),
    }
    last, last_dask = runs[-1], dask_runs[-1]
    rows = {}
    for n in PROJECTED:
        scale = n / last.pages
        rows[n] = {"local_s": last.local_s * scale ** exps["exp_local"],
                   "dask_s": last_dask.dask_s[dask_workers] * (n / last_dask.pages) ** exps["exp_dask"],
                   "add_p50_s": last.add["p50_s"] * scale ** exps["exp_add"],
                   "add_p95_s": last.add["p95_s"] * scale ** exps["exp_add"],
                   "add_mb": last.add["p95_mb"] * scale ** exps["exp_mem"]}
    return {"rows": rows, **exps}


def _targets(runs: Sequence[SizeRun]) -> list[Target]:
    dask_runs = [r for r in runs if r.dask_s]
    same = all(r.dask_f1[w] == 1.0 and r.dask_same_ids[w] for r in dask_runs for w in DASK_WORKERS)
    biggest = runs[-1]
    return [
        Target("Dask engine: the local engine's stories and ids (B-cubed F1 1.0) on every size and cluster",
               same, ", ".join(f"{r.pages:,}: " + " / ".join(num(r.dask_f1[w], 3) for w in DASK_WORKERS)
                               for r in dask_runs)),
        Target(f"one add at N = {biggest.pages:,} costs less than the batch run that built N (p95)",
               biggest.add["p95_s"] < biggest.local_s,
               f"{secs(biggest.add['p95_s'])} s vs {secs(biggest.local_s)} s"),
    ]


def _analysis(runs: Sequence[SizeRun], projection: dict[str, Any]) -> str:
    biggest, dasked = runs[-1], [r for r in runs if r.dask_s][-1]
    speedup = dasked.dask_s[1] / dasked.dask_s[2]
    stages = dict(biggest.add_stages)
    top = max(stages, key=stages.get)
    share = stages[top] / sum(stages.values())
    million = projection["rows"][PROJECTED[0]]
    ten = projection["rows"][PROJECTED[1]]
    workers = max(DASK_WORKERS)
    recording = dasked.dask_recording_s[workers] / dasked.dask_s[workers]
    text = (
        f"At {dasked.pages:,} pages the local engine runs {dasked.pages / dasked.local_s:.0f} pages/s and "
        f"the Dask engine {dasked.pages / dasked.dask_s[1]:.0f} on one worker and "
        f"{dasked.pages / dasked.dask_s[workers]:.0f} on {workers} ({speedup:.2f}× from the second "
        f"worker). Recording the stories in the driver takes {100 * recording:.0f}% of the "
        f"{workers}-worker run, and the driver also reads and sends every page and stores every "
        f"outcome; those serial parts, and the {_cores()} cores of this machine being shared with "
        "the driver and other jobs, bound the speed-up. "
        f"Adding one page to {biggest.pages:,} takes {secs(biggest.add['p50_s'])} s at the median "
        f"(p95 {secs(biggest.add['p95_s'])} s); the largest part is "
        f"'{ADD_STAGE_LABELS[top]}' ({100 * share:.0f}%). Through the long-lived placer of `watch` "
        f"it takes {secs(biggest.placed['p50_s'])} s at the median (p95 {secs(biggest.placed['p95_s'])} s), "
        f"{100 * (1 - biggest.placed['regrouped']):.0f}% of those adds placed without a regroup; the "
        "others regrouped (evidence unclear, a regroup due, or a pool too small to place on). "
        "Without a placer, an add reads the whole language pool's "
        "features back and regroups it, and threading refits TF-IDF on every live story of the "
        "language, so its cost grows with the store, not with the page: projected "
        f"{_duration(million['add_p50_s'])} per add at 1M pages and {_duration(ten['add_p50_s'])} at 10M, "
        f"holding about {_megabytes(million['add_mb'])} and {_megabytes(ten['add_mb'])} while it runs, "
        f"against a batch run of {_duration(million['local_s'])} and {_duration(ten['local_s'])} "
        f"(local engine). At 1M pages, pages arriving more often than one per "
        f"{_duration(million['add_p50_s'])} cannot be added one at a time: they have to be added in "
        "batches (`watch` takes every file that landed since its last look in one add), and the "
        "regrouping pass would have to become local to the stories a page can join (blocking on "
        "the stored features) rather than the whole language pool.")
    if len(runs) == 1:
        text += (" These projections assume linear growth from one measured size; grouping's "
                 "blocking and the thread TF-IDF grow faster than linearly at worst.")
    return text


def _duration(seconds: float) -> str:
    if math.isnan(seconds):
        return "—"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.2f} s"


def _megabytes(value: float) -> str:
    return f"{value / 1024:.1f} GB" if value >= 1024 else f"{value:.0f} MB"


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1

