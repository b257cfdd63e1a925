"""A run killed half way and run again stores every page once."""

import json
import signal
import sqlite3
import subprocess
import sys
import time

import newsfuse

from .seeds import seed_text


def _corpus(path, n_pages: int) -> None:
    # Real article text, varied per page so no two pages are the same document.
    paragraphs = [p for p in seed_text("003").split("\n\n") if len(p) > 200][:8]
    with open(path, "w", encoding="utf-8") as out:
        for i in range(n_pages):
            body = "\n\n".join(f"Report {i}: {p}" for p in paragraphs[i % 3:] + paragraphs[:i % 3])
            out.write(json.dumps({"id": f"page-{i}", "text": body}) + "\n")


def test_killed_run_resumes_without_duplicates_or_losses(tmp_path):
    corpus = tmp_path / "pages.jsonl"
    _corpus(corpus, 1500)
    db = tmp_path / "store.sqlite"
    command = [sys.executable, "-m", "newsfuse.cli", "run", str(corpus), "--out", str(tmp_path / "out"),
               "--db", str(db), "--no-progress"]
    victim = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and victim.poll() is None:
        if db.exists() and _stored(db) >= 400:
            break
        time.sleep(0.05)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    stored_before = _stored(db)
    assert 0 < stored_before < 1500, "the kill should land half way; make the corpus larger if not"
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    store = newsfuse.open_store(db)
    try:
        assert store.count_documents() == {"ok": 1500}
        assert store.integrity_check() == []
        stories = list(store.stories())
        story_docs = [d for s in stories for d in s["documents"]]
        assert sorted(story_docs) == sorted(set(story_docs))
    finally:
        store.close()
    assert f"reused from store {stored_before}" in done.stderr


def _stored(db) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    except sqlite3.Error:
        return 0
