"""Bounded memory: a run holds one story's bodies at a time, not every page it has read."""

import json
import tracemalloc

import pytest

from newsfuse.pipeline import run
from newsfuse.render.files import write_outputs
from newsfuse.store.sqlite import SQLiteStore

from .seeds import EVAL, EXAMPLES

DUC = EVAL / "duc2004" / "clusters.jsonl"
# Peak traced memory a run may grow by per character of body it reads. Measured on DUC 2004
# pages (a cluster's ten articles as one page): 9 bytes per character from 4 to 12 pages (4 from
# 6 to 24), against 26 (27) when every article and its sentence fingerprints were kept until
# grouping ended. With the story analysis (entities, facts, timeline, ...) the run also returns
# every story's analysis records, which grow with the text: 20 bytes per character.
MAX_BYTES_PER_BODY_CHAR = 24
# Writing the outputs (stories.json, the JSONL files, stories.md, the HTML report) holds one story
# at a time: 5 bytes of peak per body character from 4 to 12 DUC pages, against 86 when the
# whole run's records and every HTML page were built before the first byte was written.
MAX_OUTPUT_BYTES_PER_BODY_CHAR = 20


def _duc_pages(path, count: int) -> str:
    with DUC.open(encoding="utf-8") as rows, open(path, "w", encoding="utf-8") as out:
        for _, line in zip(range(count), rows, strict=False):
            cluster = json.loads(line)
            text = "\n\n".join(doc["text"] for doc in cluster["docs"])
            out.write(json.dumps({"id": cluster["cluster_id"], "text": text}) + "\n")
    return str(path)


def _peak_run(tmp_path, name: str, inputs: list[str]) -> tuple[int, int]:
    """(peak traced bytes of a run, characters of body it stored)."""
    store = SQLiteStore(tmp_path / f"{name}.sqlite")
    try:
        peak, result = _traced(lambda: run(inputs, store))
    finally:
        store.close()
    return peak, sum(len(article.body) for article in result.articles.values())


def _traced(work):
    """(peak traced bytes while `work()` ran, what it returned)."""
    tracemalloc.start()
    try:
        done = work()
        return tracemalloc.get_traced_memory()[1], done
    finally:
        tracemalloc.stop()


@pytest.mark.skipif(not DUC.exists(), reason="needs ../shared/eval/duc2004")
def test_peak_memory_grows_by_less_than_the_bodies_read(tmp_path):
    # A first run loads what every run loads once (language data, stopwords): not counted.
    run([str(next(EXAMPLES.glob("*.txt")))], SQLiteStore(":memory:"))
    small_peak, small_chars = _peak_run(tmp_path, "small", [_duc_pages(tmp_path / "small.jsonl", 4)])
    large_peak, large_chars = _peak_run(tmp_path, "large", [_duc_pages(tmp_path / "large.jsonl", 12)])
    assert large_chars > 2.5 * small_chars
    growth = (large_peak - small_peak) / (large_chars - small_chars)
    assert growth < MAX_BYTES_PER_BODY_CHAR, f"{growth:.1f} bytes of peak memory per body character"


@pytest.mark.skipif(not DUC.exists(), reason="needs ../shared/eval/duc2004")
def test_writing_the_outputs_holds_a_story_at_a_time_not_the_run(tmp_path):
    peaks = []
    for count in (4, 12):
        store = SQLiteStore(tmp_path / f"{count}.sqlite")
        result = run([_duc_pages(tmp_path / f"{count}.jsonl", count)], store)
        store.close()
        write_outputs(result, tmp_path / f"first-{count}")  # templates and caches load once
        peak, _ = _traced(lambda: write_outputs(result, tmp_path / f"out-{count}"))  # noqa: B023
        peaks.append((peak, sum(len(article.body) for article in result.articles.values())))
    (small_peak, small_chars), (large_peak, large_chars) = peaks
    assert large_chars > 2.5 * small_chars
    growth = (large_peak - small_peak) / (large_chars - small_chars)
    assert growth < MAX_OUTPUT_BYTES_PER_BODY_CHAR, f"{growth:.1f} bytes of peak memory per body character"


def test_result_articles_are_read_back_from_a_closed_file_store(tmp_path):
    store = SQLiteStore(tmp_path / "store.sqlite")
    result = run([str(EXAMPLES)], store)
    store.close()
    (story,) = result.stories
    for sentence in story.brief:
        for cite in sentence.citations:
            assert result.articles[cite.document].body[cite.start:cite.end] == sentence.text
    assert len(result.articles) == 5 and set(result.articles) == set(story.documents)
