"""Reliability at full size: a bad-input corpus, SIGKILL at random points, the web app under load.

Run by hand (`python -m newsfuse.bench.reliability [--out RELIABILITY.md] [--workdir DIR]`); it
writes RELIABILITY.md with what was tried and what held. The test suite runs the same functions
on smaller stand-ins (tests/test_bad_input.py, test_crash_safety.py, test_web_attacks.py).

Rules the checks follow:
- Every run is a separate `newsfuse run` process, as a user starts it; its peak memory is that
  process's VmHWM (read from /proc/self/status at exit), never this process's.
- A bad document must come out as one record with `status: rejected` and a reason (or as an
  article), the run must exit 0, and the five seed pages must come out exactly as they do alone.
- Peak memory must stay under `memory_bound_mb`: the fixed cost plus a per-page cost fitted by
  the speed benchmark (BENCHMARKS.md section 5), plus the largest accepted page times a factor.
- After any SIGKILL the store passes its integrity check, holds whole batches of pages only and
  no half-written set of stories; a final run then gives the stories a run never killed gives.
- Under load the app answers every request without a 5xx; p50 and p99 latency are reported.
"""

from __future__ import annotations

import argparse
import atexit
import gzip
import io
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..ingest import MAX_PAGE_BYTES
from ..pipeline import COMMIT_EVERY
from .report import shown_args
from .runner import peak_rss_kb

REPO_ROOT = Path(__file__).resolve().parents[3]
SEEDS = REPO_ROOT / "examples"

# Memory bound (MB) of a run: fixed + per article + per rejected document + the largest read.
# - fixed: a run over the five seed pages peaks at 255 MB (imports, the HTML and analysis stacks);
# - per article: the speed benchmark (BENCHMARKS.md section 5) measured 288 MB at 1,000 pages and
#   135 MB after imports, 153 KB a page (89 KB at 10,000): its worst figure;
# - per rejection: a rejected document is kept in the run's record and stories.json; 100,000
#   one-line pages cost ~3.6 KB each here, so 10 KB;
# - the largest read, one at a time: a page read whole has its bytes, decoded text, raw copy,
#   clean body and line features at once (a 5 MB one-line page raised the peak by ~90 MB, 18x:
#   so 30x); a document read up to the ingest cap and then rejected (a gzip bomb) holds the
#   chunks read and their join, twice the cap.
FIXED_MB = 350.0
PER_ARTICLE_MB = 0.153
PER_REJECTION_MB = 0.010
LARGEST_PAGE_FACTOR = 30.0
CAPPED_READ_FACTOR = 2.0

# The UDHR's first articles in official translations: real text in scripts and languages the
# text cleaner's rules were never tuned on.
UDHR_ZH = ("人人生而自由，在尊严和权利上一律平等。他们赋有理性和良心，并应以兄弟关系的精神相对待。\n"
           "人人有资格享有本宣言所载的一切权利和自由，不分种族、肤色、性别、语言、宗教、政治或其他见解、"
           "国籍或社会出身、财产、出生或其他身分等任何区别。\n"
           "人人有权享有生命、自由和人身安全。\n")
UDHR_JA = ("すべての人間は、生まれながらにして自由であり、かつ、尊厳と権利とについて平等である。"
           "人間は、理性と良心とを授けられており、互いに同胞の精神をもって行動しなければならない。\n"
           "すべて人は、生命、自由及び身体の安全に対する権利を有する。\n")
UDHR_FR = ("Tous les êtres humains naissent libres et égaux en dignité et en droits. Ils sont doués de "
           "raison et de conscience et doivent agir les uns envers les autres dans un esprit de "
           "fraternité.\n"
           "Tout individu a droit à la vie, à la liberté et à la sûreté de sa personne.\n")
UDHR_MI = ("Ko te katoa o nga tangata i te whanaungatanga mai e watea ana i nga here katoa; e tauriterite "
           "ana hoki nga mana me nga tika. E whakawhiwhia ana hoki ki a ratou te ngakau whai whakaaro me "
           "te hinengaro mohio ki te tika me te he, a e tika ana kia meinga te mahi a tetahi ki tetahi me "
           "ma roto atu i te wairua o te noho tahi, ano he teina he tuakana i ringa i te toto.\n")
BOILERPLATE_ONLY = "\n".join([
    "Home", "News", "World", "Politics", "Business", "Sport", "Subscribe", "Sign in", "Share",
    "Facebook", "Twitter", "Email", "Most Read", "Related Articles", "Advertisement",
    "Privacy Policy", "Terms of Use", "Contact us", "© 2020 Example Media Group. All rights reserved.",
])
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00" + bytes(64)
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + bytes(range(256))
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x02\x00\x3e\x00" + bytes(range(200))


# --- the bad-input corpus ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Corpus:
    """A corpus on disk and what each document in it must become.

    `expected` maps a document's source (as `newsfuse run` reports it, relative to `root`) to the
    outcomes allowed for it: "article" or rejection reasons. `largest_page` is the size in bytes
    of the largest page that is read whole (its memory counts in the bound).
    """

    root: Path
    expected: dict[str, frozenset[str]]
    pages: int
    largest_page: int
    seeds: tuple[str, ...]


def seed_texts() -> dict[str, str]:
    """The five seed pages: file name -> text."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}


def build_bad_corpus(root: Path, *, huge_line_bytes: int = 5_000_000, one_line_pages: int = 2_000,
                     bomb_bytes: int = 80 << 20) -> Corpus:
    """Write the bad-input corpus under root, with the seed pages beside it in good/."""
    root.mkdir(parents=True, exist_ok=True)
    expected: dict[str, frozenset[str]] = {}

    def put(name: str, data: bytes, *outcomes: str) -> None:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        expected[name] = frozenset(outcomes)

    seeds = seed_texts()
    for name, text in seeds.items():
        put(f"good/{name}", text.encode(), "article")

    put("bad/empty.txt", b"", "empty")
    put("bad/blank.html", b" \n\t\r\n ", "empty")
    put("bad/image.txt", PNG, "binary")
    put("bad/paper.html", PDF, "binary")
    put("bad/a.out", ELF, "binary")

    # Legacy charsets, with and without a declaration.
    reprint = "Reprinted – “AFP” © 2020\n" + seeds["004_f614fc235d106158.txt"]
    put("charsets/cp1252-undeclared.txt", reprint.encode("cp1252"), "article")
    put("charsets/cp1252-declared.html", html_page("Talks", reprint, "windows-1252").encode("cp1252"),
        "article")
    put("charsets/latin1-undeclared.txt", UDHR_FR.encode("latin-1"), "article")
    put("charsets/latin1-declared.html", html_page("Droits", UDHR_FR, "ISO-8859-1").encode("latin-1"),
        "article")
    put("charsets/gb2312-undeclared.txt", UDHR_ZH.encode("gb2312"), "article")
    put("charsets/gb2312-declared.html", html_page("人权", UDHR_ZH, "gb2312").encode("gb2312"), "article")
    put("charsets/shiftjis-undeclared.txt", UDHR_JA.encode("shift_jis"), "article")
    put("charsets/shiftjis-declared.html", html_page("人権", UDHR_JA, "Shift_JIS").encode("shift_jis"),
        "article")
    # UTF-8 with a stretch of latin-1 pasted in (a CMS that joined two sources).
    mixed = (seeds["001_176960dc1a0d3cc9.txt"][:3000].encode() + b"\n"
             + UDHR_FR.encode("latin-1") + seeds["001_176960dc1a0d3cc9.txt"][3000:].encode())
    put("charsets/mixed-utf8-latin1.txt", mixed, "article")

    # A page with no line breaks: real sentences run together.
    sentences = " ".join(seeds["003_66749b0dc7020f7a.txt"].split())
    line = (sentences + " ") * (huge_line_bytes // (len(sentences.encode()) + 1) + 1)
    put("huge/one-line.txt", line.encode()[:huge_line_bytes],
        "article" if huge_line_bytes <= 64 << 20 else "too_large")
    largest = huge_line_bytes if huge_line_bytes <= 64 << 20 else 0

    depth = 100_000
    deep = ("<html><head><title>Deep</title></head><body>" + "<div>" * depth + "<p>"
            + seeds["002_3d54352d0b6124c9.txt"].split("\n\n")[0] + "</p>" + "</div>" * depth
            + "</body></html>")
    put("html/nested-100000.html", deep.encode(), "too_deep")
    put("html/boilerplate-only.txt", BOILERPLATE_ONLY.encode(), "no_article")
    put("html/unseen-language.txt", (UDHR_MI * 2).encode(), "article")

    # gzip: a bomb, and a page cut half way (what was decompressed is kept, with a note).
    bomb = io.BytesIO()
    with gzip.GzipFile(fileobj=bomb, mode="wb", compresslevel=9) as packed:
        chunk = b" " * (1 << 20)
        for _ in range(bomb_bytes >> 20):
            packed.write(chunk)
    put("gzip/bomb.html.gz", bomb.getvalue(), "too_large")
    long_text = seeds["000_7afb7eac06d813b6.txt"].encode()
    whole = gzip.compress(long_text)
    put("gzip/cut.txt.gz", whole[: len(whole) * 2 // 3], "article", "no_article")
    put("gzip/cut-before-data.html.gz", whole[:12], "truncated")

    # A WARC cut inside its second record's body: what arrived of it is kept, with a note.
    both = warc_bytes([("https://news.example/one", html_page("One", seeds["002_3d54352d0b6124c9.txt"])),
                       ("https://news.example/two", html_page("Two", seeds["001_176960dc1a0d3cc9.txt"]))])
    second = record_offsets(both)[1]
    (root / "warc").mkdir(exist_ok=True)
    (root / "warc/cut.warc.gz").write_bytes(both[: second + (len(both) - second) // 2])
    expected["warc/cut.warc.gz#0"] = frozenset({"article"})
    expected[f"warc/cut.warc.gz#{second}"] = frozenset({"article", "truncated", "corrupt"})

    # JSON lines: good, broken and wrongly typed records, and ids that cannot name a file.
    lines = [
        json.dumps({"id": "jsonl-good", "text": seeds["001_176960dc1a0d3cc9.txt"]}),
        '{"text": "a line cut short',
        json.dumps([1, 2, 3]),
        json.dumps({"text": 5}),
        json.dumps({"title": "no body"}),
        json.dumps({"id": {"nested": True}, "text": "id of the wrong type"}),
        json.dumps({"id": "../../escape", "text": "Déclaration universelle\n" + UDHR_FR, "title": 7}),
        json.dumps({"id": "x" * 5000, "text": UDHR_FR + UDHR_FR}),
        "[" * 100_000,
        json.dumps({"html": "   "}),
    ]
    (root / "jsonl").mkdir(exist_ok=True)
    (root / "jsonl/records.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    outcomes = ["article", "invalid_json", "bad_record", "bad_record", "bad_record", "bad_record", "article",
                "article", "invalid_json", "empty"]
    for number, outcome in enumerate(outcomes, 1):
        expected[f"jsonl/records.jsonl:{number}"] = frozenset({outcome})

    # Many one-line pages: headline-sized lines, each its own file.
    words = seeds["000_7afb7eac06d813b6.txt"].split()
    many = root / "many"
    many.mkdir(exist_ok=True)
    for i in range(one_line_pages):
        start = (i * 7) % (len(words) - 10)
        name = f"many/{i // 1000:03d}/{i:06d}.txt"
        (root / name).parent.mkdir(exist_ok=True)
        (root / name).write_text(f"Update {i}: " + " ".join(words[start:start + 8]) + "\n", encoding="utf-8")
        expected[name] = frozenset({"no_article"})
    return Corpus(root=root, expected=expected, pages=len(expected), largest_page=largest,
                  seeds=tuple(f"good/{n}" for n in seeds))


def html_page(title: str, text: str, charset: str | None = None) -> str:
    """A plain news page around text (one <p> per line), with a <meta charset> when given."""
    meta = f'<meta charset="{charset}">' if charset else ""
    paragraphs = "".join(f"<p>{line}</p>" for line in text.split("\n") if line.strip())
    return (f"<!DOCTYPE html><html><head>{meta}<title>{title}</title></head><body>"
            f"<article><h1>{title}</h1>{paragraphs}</article></body></html>")


def warc_bytes(pages: Sequence[tuple[str, str]]) -> bytes:
    """A gzipped WARC of HTML responses."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    for url, html in pages:
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                   protocol="HTTP/1.1")
        record = writer.create_warc_record(url, "response", payload=io.BytesIO(html.encode()),
                                           http_headers=headers)
        writer.write_record(record)
        record.raw_stream.close()
    return out.getvalue()


def record_offsets(warc: bytes) -> list[int]:
    """Where each record of a WARC starts."""
    from warcio.archiveiterator import ArchiveIterator

    records = ArchiveIterator(io.BytesIO(warc))
    offsets = []
    for record in records:
        record.content_stream().read()
        offsets.append(records.get_record_offset())
    return offsets


def memory_bound_mb(articles: int, rejections: int, largest_page_bytes: int, capped_read: bool) -> float:
    """The most a run may hold at its peak that keeps `articles` and rejects `rejections`
    documents, the largest page it reads whole being `largest_page_bytes`, and with `capped_read`
    when some document is read up to MAX_PAGE_BYTES before its rejection (see FIXED_MB)."""
    largest = max(LARGEST_PAGE_FACTOR * largest_page_bytes, CAPPED_READ_FACTOR * MAX_PAGE_BYTES * capped_read)
    return FIXED_MB + PER_ARTICLE_MB * articles + PER_REJECTION_MB * rejections + largest / 1e6


# --- running newsfuse in a child process ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """A finished `newsfuse run` child: exit code, seconds, peak RSS (MB) and its stderr."""

    returncode: int
    seconds: float
    peak_mb: float | None
    stderr: str


def cli_reporting_peak(argv: Sequence[str]) -> None:
    """The newsfuse command line, printing this process's peak RSS as its very last stderr line."""
    from ..cli import main

    atexit.register(lambda: print(f"\npeak_rss_kb={peak_rss_kb()}", file=sys.stderr, flush=True))
    sys.argv = ["newsfuse", *argv]
    main()


def child_command(*args: str) -> list[str]:
    """The command that runs `newsfuse ARGS` in a fresh interpreter and reports its peak memory."""
    code = ("import sys; from newsfuse.bench.reliability import cli_reporting_peak; "
            "cli_reporting_peak(sys.argv[1:])")
    return [sys.executable, "-c", code, *args]


def run_cli(*args: str, timeout: float = 3600) -> RunOutcome:
    """Run `newsfuse ARGS` to the end in a child process."""
    started = time.monotonic()
    done = subprocess.run(child_command(*args), capture_output=True, text=True, timeout=timeout,
                          env=_child_env(), check=False)
    return RunOutcome(done.returncode, time.monotonic() - started, _peak_mb(done.stderr), done.stderr)


def _peak_mb(stderr: str) -> float | None:
    for line in reversed(stderr.splitlines()):
        if line.startswith("peak_rss_kb="):
            return int(line.split("=", 1)[1]) / 1024
    return None


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT / "src"), env.get("PYTHONPATH")]))
    env["COLUMNS"] = "200"  # rich wraps the closing summary at the terminal width otherwise
    return env


def documents_by_source(out: Path, root: Path) -> dict[str, dict[str, Any]]:
    """documents.jsonl of a run keyed by source relative to root."""
    found = {}
    with (out / "documents.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            source = record["source"]
            found[os.path.relpath(source, root) if source.startswith(str(root)) else source] = record
    return found


def outcome_of(record: dict[str, Any]) -> str:
    """"article" or the rejection reason of one documents.jsonl record."""
    return "article" if record["status"] == "ok" else record["reason"]


@dataclass(slots=True)
class CorpusReport:
    """What a run over the bad-input corpus did with each kind of document."""

    run: RunOutcome
    pages: int
    outcomes: Counter = field(default_factory=Counter)
    wrong: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    bound_mb: float = 0.0
    seeds_unchanged: bool = False
    seeds_together: bool = False
    rows: list[tuple[str, str, str]] = field(default_factory=list)


def check_corpus_run(corpus: Corpus, out: Path, run: RunOutcome, alone: dict[str, Any]) -> CorpusReport:
    """Compare a run's documents with what the corpus expects; `alone` is the seed run's documents."""
    report = CorpusReport(run=run, pages=corpus.pages)
    found = documents_by_source(out, corpus.root)
    for source, allowed in sorted(corpus.expected.items()):
        record = found.get(source)
        if record is None:
            report.missing.append(source)
            continue
        outcome = outcome_of(record)
        report.outcomes[outcome] += 1
        if outcome not in allowed:
            report.wrong.append(f"{source}: {outcome} ({record.get('error')}), expected {sorted(allowed)}")
        if not source.startswith("many/"):
            report.rows.append((source, outcome, (record.get("error") or _notes(record))[:90]))
    articles = report.outcomes["article"]
    report.bound_mb = memory_bound_mb(articles, sum(report.outcomes.values()) - articles, corpus.largest_page,
                                      capped_read=True)  # the gzip bomb
    report.seeds_unchanged = all(s in found and same_document(found[s], alone[s]) for s in corpus.seeds)
    seed_ids = {found[s]["id"] for s in corpus.seeds if s in found}
    stories = json.loads((out / "stories.json").read_text(encoding="utf-8"))["stories"]
    report.seeds_together = any(seed_ids <= set(story["documents"]) for story in stories)
    return report


def same_document(one: dict[str, Any], other: dict[str, Any]) -> bool:
    """Two records of one page alike but for their source and what was inferred from their story
    (a date inferred from the story's dated pages depends on which pages share the story)."""
    evidence = {**(one.get("evidence") or {}), **(other.get("evidence") or {})}
    inferred = {name for name, e in evidence.items() if e.get("inferred")}

    def kept(record: dict[str, Any]) -> dict[str, Any]:
        plain = {k: v for k, v in record.items() if k != "source" and k not in inferred}
        plain["evidence"] = {k: v for k, v in (record.get("evidence") or {}).items() if k not in inferred}
        return plain

    return kept(one) == kept(other)


def _notes(record: dict[str, Any]) -> str:
    notes = record.get("notes") or []
    language = record.get("language")
    return "; ".join([f"language {language}", *notes]) if language else "; ".join(notes)


def seeds_alone(workdir: Path) -> dict[str, Any]:
    """The seed pages' documents from a run of them alone, keyed like a corpus's sources."""
    out = workdir / "seeds-alone"
    folder = workdir / "seeds-input" / "good"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in seed_texts().items():
        (folder / name).write_text(text, encoding="utf-8")
    run = run_cli("run", str(folder.parent), "--out", str(out), "--no-progress")
    if run.returncode != 0:
        raise RuntimeError(f"seed run failed: {run.stderr[-2000:]}")
    return documents_by_source(out, folder.parent)


def run_bad_corpus(workdir: Path, *, huge_line_bytes: int, one_line_pages: int) -> CorpusReport:
    """Build the corpus, run newsfuse over it in a child process, and check every document."""
    corpus = build_bad_corpus(workdir / "corpus", huge_line_bytes=huge_line_bytes,
                              one_line_pages=one_line_pages)
    alone = seeds_alone(workdir)
    out = workdir / "out"
    run = run_cli("run", str(corpus.root), "--out", str(out), "--no-progress")
    if run.returncode != 0:
        return CorpusReport(run=run, pages=corpus.pages)
    return check_corpus_run(corpus, out, run, alone)


# --- crash safety ----------------------------------------------------------------------------------


def news_corpus(path: Path, pages: int, seed: int = 0) -> str:
    """JSONL of `pages` news pages; returns what they are. From the evaluation data (Multi-News,
    DUC 2004, NeuS, then reprints, as the speed benchmark reads them) when ../shared/eval is
    there, else reprints of the seed pages (their paragraphs shuffled, a credit line of their own)."""
    from .datasets import default_eval_dir
    from .runner import Context, speed_corpus

    eval_dir = default_eval_dir()
    with path.open("w", encoding="utf-8") as out:
        if (eval_dir / "multinews").exists():
            ctx = Context(eval_dir=eval_dir, quick=False, log=lambda _: None, sizes=(pages,),
                          workdir=path.parent)
            for record in speed_corpus(ctx, pages, seed):
                out.write(json.dumps(record) + "\n")
            return "Multi-News, DUC 2004 and NeuS pages (the speed benchmark's corpus)"
        rng = random.Random(seed)
        texts = list(seed_texts().values())
        for i in range(pages):
            paragraphs = [p for p in texts[i % len(texts)].split("\n\n") if p.strip()]
            rng.shuffle(paragraphs)
            body = f"Wire copy {i}, filed by desk {rng.randrange(1000)}\n\n" + "\n\n".join(paragraphs)
            out.write(json.dumps({"id": f"page-{i:06d}", "text": body}) + "\n")
        return "reprints of the five seed pages"


@dataclass(slots=True)
class KillReport:
    """SIGKILLs sent during runs over one corpus, what the store held each time, the final check."""

    pages: int
    corpus: str
    kills: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    final_documents: dict[str, int] = field(default_factory=dict)
    reference_documents: dict[str, int] = field(default_factory=dict)
    stories: int = 0
    same_as_unkilled: bool = False
    reference_seconds: float = 0.0


def store_state(db: Path) -> dict[str, Any]:
    """Documents and live stories in a store, read from a separate read-only connection."""
    if not db.exists():
        return {"documents": 0, "stories": 0, "problems": []}
    from ..store.sqlite import SQLiteStore

    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
        documents = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        stories = conn.execute("SELECT COUNT(*) FROM stories WHERE state = 'live'").fetchone()[0]
    store = SQLiteStore(db)
    try:
        problems = store.integrity_check()
    finally:
        store.close()
    return {"documents": documents, "stories": stories, "problems": problems}


def stories_of(db: Path) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """(id, documents, brief sentences) of every live story in a store."""
    from ..store.sqlite import SQLiteStore

    store = SQLiteStore(db)
    try:
        return sorted((s["id"], tuple(s["documents"]), tuple(b["text"] for b in s["brief"]))
                      for s in store.stories())
    finally:
        store.close()


def _count_documents(db: Path) -> dict[str, int]:
    from ..store.sqlite import SQLiteStore

    store = SQLiteStore(db)
    try:
        return store.count_documents()
    finally:
        store.close()


def kill_loop(workdir: Path, *, pages: int, kills: int, seed: int = 0) -> KillReport:
    """Run newsfuse over a corpus and SIGKILL it `kills` times at random moments (uniform over the
    time a run works on the store), each run resuming the store the last left; check the store
    after each kill, then finish the run and compare its stories with an unkilled run's."""
    workdir.mkdir(parents=True, exist_ok=True)
    corpus = workdir / "pages.jsonl"
    report = KillReport(pages=pages, corpus=news_corpus(corpus, pages, seed))
    started = time.monotonic()
    reference = subprocess.Popen(
        child_command("run", str(corpus), "--out", str(workdir / "ref"), "--no-progress"),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_child_env())
    # Kills are spread over the time a run works on the store, not over the interpreter's start.
    while not (workdir / "ref" / "newsfuse.sqlite").exists() and reference.poll() is None:
        time.sleep(0.02)
    opened = time.monotonic() - started
    if reference.wait() != 0:
        raise RuntimeError("the unkilled reference run failed")
    report.reference_seconds = time.monotonic() - started
    expected = stories_of(workdir / "ref" / "newsfuse.sqlite")
    report.reference_documents = _count_documents(workdir / "ref" / "newsfuse.sqlite")
    total = sum(report.reference_documents.values())
    db = workdir / "killed" / "newsfuse.sqlite"
    command = child_command("run", str(corpus), "--out", str(workdir / "killed"), "--no-progress")
    rng = random.Random(seed)
    # A kill lands within 90% of the time a run takes; a run that resumes a store does less work,
    # so when one finishes before its kill, the next kills are drawn within its shorter time.
    window = report.reference_seconds
    landed = attempts = 0
    while landed < kills and attempts < 3 * kills:
        attempts += 1
        delay = rng.uniform(opened, max(opened, 0.9 * window))
        victim_started = time.monotonic()
        victim = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  env=_child_env())
        try:
            victim.wait(delay)
            finished = True
            window = time.monotonic() - victim_started
        except subprocess.TimeoutExpired:
            victim.send_signal(signal.SIGKILL)
            victim.wait()
            finished = False
            landed += 1
        state = store_state(db)
        state.update(after_s=round(delay, 2), finished=finished)
        report.kills.append(state)
        for problem in state["problems"]:
            report.problems.append(f"after a kill at {delay:.1f} s: {problem}")
        if state["documents"] != total and state["documents"] % COMMIT_EVERY:
            report.problems.append(f"after a kill at {delay:.1f} s: {state['documents']} documents, "
                                   f"not whole batches of {COMMIT_EVERY}")
        if state["stories"] not in (0, len(expected)):
            report.problems.append(f"after a kill at {delay:.1f} s: {state['stories']} stories, "
                                   "a partial set")
    final = run_cli("run", str(corpus), "--out", str(workdir / "killed"), "--no-progress")
    if final.returncode != 0:
        report.problems.append(f"final run failed: {final.stderr[-1000:]}")
        return report
    report.problems += store_state(db)["problems"]
    report.final_documents = _count_documents(db)
    got = stories_of(db)
    report.stories = len(got)
    report.same_as_unkilled = got == expected
    members = [d for _, docs, _ in got for d in docs]
    if len(members) != len(set(members)):
        report.problems.append("a document belongs to two stories")
    return report


# --- the web app under load ----------------------------------------------------------------------


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`newsfuse serve` in a child process on a free loopback port (started and stopped by us)."""

    def __init__(self, db: Path, startup_timeout: float = 600) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._process = subprocess.Popen(
            [sys.executable, "-m", "newsfuse.cli", "serve", "--db", str(db), "--port", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_child_env())
        deadline = time.monotonic() + startup_timeout
        while True:
            if self._process.poll() is not None:
                raise RuntimeError(f"server exited: {self._process.stderr.read().decode()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/api/openapi.json", timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("server did not start") from None
                time.sleep(0.2)

    def stop(self) -> None:
        """Stop the server process we started."""
        self._process.send_signal(signal.SIGTERM)
        try:
            self._process.wait(30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process.stderr.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def request(url: str, *, data: bytes | None = None, timeout: float = 60,
            headers: dict[str, str] | None = None) -> tuple[int, str]:
    """(status, body) of one request; HTTP errors are statuses, not exceptions."""
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.read().decode("utf-8", "replace")


def load_paths(db: Path, rng: random.Random, count: int = 200) -> list[str]:
    """A mix of what readers ask for: story and document pages, search, the JSON API."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        stories = [r[0] for r in conn.execute("SELECT id FROM stories WHERE state = 'live' ORDER BY id")]
        documents = [r[0] for r in conn.execute("SELECT id FROM documents WHERE status = 'ok' ORDER BY id")]
    words = ["troops", "Iraq", "talks", "Kadhimi", "strategic dialogue", "withdrawal", "president",
             "\"NEAR(", "' OR 1=1 --", "economy", "election"]
    makers = [
        lambda: "/",
        lambda: "/api/stories",
        lambda: f"/stories/{rng.choice(stories)}",
        lambda: f"/api/stories/{rng.choice(stories)}",
        lambda: f"/documents/{rng.choice(documents)}",
        lambda: f"/api/documents/{rng.choice(documents)}",
        lambda: "/search?q=" + urllib.parse.quote(rng.choice(words)),
        lambda: "/api/search?q=" + urllib.parse.quote(rng.choice(words)),
    ]
    return [rng.choice(makers)() for _ in range(count)]


@dataclass(slots=True)
class LoadReport:
    """Requests made under load, their statuses and latencies (ms)."""

    clients: int
    seconds: float
    documents: int
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)

    @property
    def requests(self) -> int:
        """Requests answered or failed."""
        return sum(self.statuses.values()) + sum(self.errors.values())

    @property
    def server_errors(self) -> int:
        """Responses with a 5xx status."""
        return sum(n for status, n in self.statuses.items() if status >= 500)

    def percentile(self, share: float) -> float:
        """Latency (ms) under which `share` of the answered requests came back."""
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def load_test(url: str, paths: Sequence[str], *, clients: int, seconds: float, documents: int) -> LoadReport:
    """`clients` threads asking for `paths` (each from its own random place) for `seconds`."""
    report = LoadReport(clients=clients, seconds=seconds, documents=documents)
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(offset: int) -> None:
        i = offset
        while time.monotonic() < stop_at:
            path = paths[i % len(paths)]
            i += 1
            started = time.perf_counter()
            try:
                status, _ = request(url + path, timeout=120)
            except OSError as exc:
                with lock:
                    report.errors[type(exc).__name__] += 1
                continue
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                report.statuses[status] += 1
                report.latencies_ms.append(elapsed)

    threads = [threading.Thread(target=client, args=(i * 7,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return report


def load_store(workdir: Path, pages: int) -> Path:
    """A store of `pages` news pages (see news_corpus); returns its path."""
    workdir.mkdir(parents=True, exist_ok=True)
    corpus = workdir / "load.jsonl"
    news_corpus(corpus, pages)
    run = run_cli("run", str(corpus), "--out", str(workdir / "out"), "--no-progress")
    if run.returncode != 0:
        raise RuntimeError(f"load store run failed: {run.stderr[-2000:]}")
    return workdir / "out" / "newsfuse.sqlite"


def run_load(workdir: Path, *, pages: int, clients: int, seconds: float, seed: int = 0) -> LoadReport:
    """Build a store of `pages` pages, serve it, and load it with `clients` clients for `seconds`."""
    db = load_store(workdir, pages)
    with Server(db) as server:
        paths = load_paths(db, random.Random(seed))
        return load_test(server.url, paths, clients=clients, seconds=seconds, documents=pages)


# --- RELIABILITY.md ----------------------------------------------------------------------------------


def machine_load() -> str:
    """The 1-, 5- and 15-minute load averages and the core count, for the record."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} on {os.cpu_count()} cores"


def render_markdown(corpus: CorpusReport, kills: KillReport, load: LoadReport, *, started: str,
                    seconds: float, load_before: str, load_after: str, huge_line_bytes: int,
                    one_line_pages: int, command: str) -> str:
    """RELIABILITY.md from the three reports."""
    out = ["# Reliability", "",
           f"_Full run {started}, took {seconds / 60:.1f} min; `{command}`. "
           f"The machine is shared: {load_before} at the start, {load_after} at the end._", "",
           "CI runs the same checks in a reduced form (`pytest`); this is the full form (`pytest -m slow` "
           "runs it too, without writing this file).", "",
           "## 1. Bad input", "",
           f"One `newsfuse run` over {corpus.pages:,} documents: the five seed pages and every kind of bad "
           f"input below, including a {huge_line_bytes / 1e6:.0f} MB page with no line break and "
           f"{one_line_pages:,} one-line pages (each its own file; headline-sized, so each is rejected as "
           "`no_article`).", "",
           f"- exit code **{corpus.run.returncode}**, {corpus.run.seconds:.0f} s",
           f"- peak RSS **{_mb(corpus.run.peak_mb)} MB**, bound {corpus.bound_mb:.0f} MB "
           f"({FIXED_MB:.0f} MB fixed + {PER_ARTICLE_MB * 1000:.0f} KB an article + "
           f"{PER_REJECTION_MB * 1000:.0f} KB a rejected document + the largest read: "
           f"{LARGEST_PAGE_FACTOR:.0f}× a page read whole or {CAPPED_READ_FACTOR:.0f}× the "
           f"{MAX_PAGE_BYTES >> 20} MiB ingest cap for the gzip bomb)",
           f"- documents with the wrong outcome: **{len(corpus.wrong)}**, missing from the output: "
           f"**{len(corpus.missing)}**",
           "- the seed pages come out byte for byte as in a run of them alone: "
           f"**{_yes(corpus.seeds_unchanged)}** (but for dates inferred from their story); the five "
           f"still share one story: **{_yes(corpus.seeds_together)}**",
           f"- outcomes: {', '.join(f'{k} {v:,}' for k, v in sorted(corpus.outcomes.items()))}", "",
           "| input | outcome | reason or notes |", "|:---|:---|:---|"]
    out += [f"| `{source}` | {outcome} | {detail.replace('|', '/')} |"
            for source, outcome, detail in corpus.rows]
    out += [f"| `many/…` ({one_line_pages:,} files) | no_article | one line of 10 words each |", ""]
    out += corpus.wrong + corpus.missing
    total = sum(kills.reference_documents.values())
    # What the store held when the kill landed (a resumed run regroups every story in one
    # transaction, so the stories of an earlier run stay until it commits).
    phases = Counter("nothing stored yet" if k["documents"] == 0 else
                     "part of the pages stored" if k["documents"] < total else
                     "every page stored, no stories yet" if k["stories"] == 0 else
                     "every page and a whole set of stories stored (regrouping or writing the outputs)"
                     for k in kills.kills if not k["finished"])
    out += ["## 2. Crash safety", "",
            f"{len(kills.kills)} runs over {kills.pages:,} pages ({kills.corpus}), each sent SIGKILL at a "
            f"random moment (uniform over the {kills.reference_seconds:.0f} s an unkilled run takes, or "
            "over the time of the last run that finished before its kill), each resuming the store the "
            "last one left; then one run to the end.", "",
            "| where the kill landed | kills |", "|:---|---:|"]
    out += [f"| {phase} | {n} |" for phase, n in phases.most_common()]
    finished = sum(1 for k in kills.kills if k["finished"])
    if finished:
        out.append(f"| (the run had finished before its kill time) | {finished} |")
    out += ["",
            f"- after every kill: integrity check clean, only whole {COMMIT_EVERY}-page batches stored, "
            f"no partial set of stories: **{_yes(not kills.problems)}**",
            f"- final store: {kills.final_documents} (unkilled run: {kills.reference_documents}), "
            f"{kills.stories} stories; the same stories, ids and briefs as the unkilled run: "
            f"**{_yes(kills.same_as_unkilled)}**"]
    out += [f"- problem: {p}" for p in kills.problems]
    out += ["", "## 3. Web app under load", "",
            f"`newsfuse serve` over a store of {load.documents:,} pages, {load.clients} concurrent clients "
            f"for {load.seconds:.0f} s on loopback (story list, story and document pages, search, JSON API).",
            "",
            f"- requests: {load.requests:,} ({load.requests / load.seconds:.1f}/s); "
            f"5xx: **{load.server_errors}**; "
            f"connection errors: {sum(load.errors.values())}"
            + (f" ({', '.join(f'{k} {v}' for k, v in sorted(load.errors.items()))})" if load.errors else ""),
            f"- latency p50 **{load.percentile(0.5):.0f} ms**, p99 **{load.percentile(0.99):.0f} ms**, "
            f"max {max(load.latencies_ms, default=float('nan')):.0f} ms",
            f"- statuses: {', '.join(f'{k} {v:,}' for k, v in sorted(load.statuses.items()))}", "",
            "## 4. Attacks (CI, every run)", "",
            "`tests/test_web_attacks.py`: XSS payloads in page text, titles and outlet names never reach a "
            "page as markup; path traversal in document ids and static paths answers 404; SQL and FTS5 "
            "metacharacters and 100 KB strings in search and verify answer without a 5xx and leave the "
            "store intact. `tests/test_properties.py`: hypothesis on the cleaners, the sentence splitter, "
            "the date resolvers and citation offsets.", "",
            "## 5. What did not hold", ""]
    failures = what_failed(corpus, kills, load)
    out += [f"- {failure}" for failure in failures] or ["Nothing: every check above held."]
    out.append("")
    return "\n".join(out)


def what_failed(corpus: CorpusReport, kills: KillReport, load: LoadReport) -> list[str]:
    """Each check of the three reports that did not hold, in words."""
    failed = []
    if corpus.run.returncode != 0:
        failed.append(f"the bad-input run exited {corpus.run.returncode}")
    if corpus.run.peak_mb is not None and corpus.run.peak_mb > corpus.bound_mb:
        failed.append(f"the bad-input run peaked at {corpus.run.peak_mb:.0f} MB, over its "
                      f"{corpus.bound_mb:.0f} MB bound")
    if corpus.wrong or corpus.missing:
        failed.append(f"{len(corpus.wrong)} document(s) had the wrong outcome and {len(corpus.missing)} "
                      "were missing from the output")
    if not corpus.seeds_unchanged:
        failed.append("a seed page came out differently than in a run of the seeds alone")
    if not corpus.seeds_together:
        failed.append("the five seed pages did not share one story")
    failed += [f"crash safety: {problem}" for problem in kills.problems]
    if not kills.same_as_unkilled:
        failed.append("the killed and resumed runs did not end with the unkilled run's stories")
    if load.server_errors:
        failed.append(f"{load.server_errors} request(s) under load answered 5xx")
    if load.errors:
        failed.append(f"{sum(load.errors.values())} request(s) under load failed at the connection")
    return failed


def _mb(value: float | None) -> str:
    return f"{value:.0f}" if value is not None else "?"


def _yes(value: bool) -> str:
    return "yes" if value else "NO"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the full checks and write RELIABILITY.md."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "RELIABILITY.md")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--huge-line-mb", type=int, default=100)
    parser.add_argument("--one-line-pages", type=int, default=100_000)
    parser.add_argument("--kill-pages", type=int, default=3_000)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--load-pages", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args(argv)
    import tempfile

    started = datetime.now(UTC)
    load_before = machine_load()
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        work = Path(tmp)
        print("bad-input corpus ...", file=sys.stderr, flush=True)
        corpus = run_bad_corpus(work / "bad", huge_line_bytes=args.huge_line_mb * 1_000_000,
                                one_line_pages=args.one_line_pages)
        print("kill loop ...", file=sys.stderr, flush=True)
        kills = kill_loop(work / "kill", pages=args.kill_pages, kills=args.kills)
        print("load test ...", file=sys.stderr, flush=True)
        load = run_load(work / "load", pages=args.load_pages, clients=args.clients, seconds=args.seconds)
    markdown = render_markdown(corpus, kills, load, started=started.strftime("%Y-%m-%d %H:%M UTC"),
                               seconds=(datetime.now(UTC) - started).total_seconds(), load_before=load_before,
                               load_after=machine_load(), huge_line_bytes=args.huge_line_mb * 1_000_000,
                               one_line_pages=args.one_line_pages,
                               command=" ".join(["python -m newsfuse.bench.reliability",
                                                 *shown_args(sys.argv[1:] if argv is None else argv,
                                                             dropped=("--workdir",))]))
    args.out.write_text(markdown, encoding="utf-8")
    print(markdown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
