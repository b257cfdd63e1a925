"""Loaders for the read-only evaluation sets in `<repo>/../shared/eval` (see its README.md).

Every loader takes `eval_dir` (None = `default_eval_dir()`) and raises `EvalDataMissing` with a
plain message when the folder or file is absent, so callers can skip rather than crash.
"""

from __future__ import annotations

import gzip
import html
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsfuse.errors import NewsfuseError

EVAL_DIR_ENV = "NEWSFUSE_EVAL_DIR"
# src/newsfuse/bench/datasets.py -> parents[3] is the repository root.
_REPO_ROOT = Path(__file__).resolve().parents[3]
CLUSTERING_SETS = ("duc2004", "multinews", "neus-val", "neus")

Span = tuple[int, int]


class EvalDataMissing(NewsfuseError):
    """An evaluation set is not where the bench looks for it."""


def default_eval_dir() -> Path:
    """`$NEWSFUSE_EVAL_DIR` if set, else `<repo>/../shared/eval`."""
    env = os.environ.get(EVAL_DIR_ENV)
    return Path(env) if env else _REPO_ROOT.parent / "shared" / "eval"


def _need(eval_dir: Path | str | None, *parts: str) -> Path:
    base = Path(eval_dir) if eval_dir is not None else default_eval_dir()
    path = base.joinpath(*parts)
    if not path.exists():
        raise EvalDataMissing(
            f"evaluation data not found: {path} (expected the shared eval folder at {base}; "
            f"pass eval_dir or set {EVAL_DIR_ENV})"
        )
    return path


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


# --- extraction sets ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExtractionPage:
    """One HTML page with its hand-made article body (AEB or CleanPortalEval)."""

    id: str
    html: bytes
    gold_body: str
    url: str | None


def load_aeb(eval_dir: Path | str | None = None) -> list[ExtractionPage]:
    """The 181 AEB pages, in ground-truth order."""
    truth = json.loads(_need(eval_dir, "aeb", "ground-truth.json").read_text(encoding="utf-8"))
    html_dir = _need(eval_dir, "aeb", "html")
    return [
        ExtractionPage(
            id=page_id,
            html=gzip.decompress((html_dir / f"{page_id}.html.gz").read_bytes()),
            gold_body=item.get("articleBody") or "",
            url=item.get("url"),
        )
        for page_id, item in truth.items()
    ]


def load_aeb_baselines(eval_dir: Path | str | None = None) -> dict[str, dict[str, str]]:
    """The other extractors' shipped AEB outputs: {extractor name: {page id: article body}}."""
    out: dict[str, dict[str, str]] = {}
    for path in sorted(_need(eval_dir, "aeb", "baseline-outputs").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        # Some files wrap their items as {"version": ..., "output": {...}}.
        items = data["output"] if isinstance(data.get("output"), dict) else data
        out[path.stem] = {k: (v.get("articleBody") or "") for k, v in items.items()}
    return out


_CPE_MARKER_RE = re.compile(r"^\s*<[phl]>", re.MULTILINE)
_CPE_URL_RE = re.compile(r"^\s*URL:\s*(\S*)\s*$", re.MULTILINE)


def parse_cleanportal_gold(raw: str) -> tuple[str, str | None]:
    """Gold body and URL of a CleanPortalEval file: markers and URL line gone, entities decoded."""
    match = _CPE_URL_RE.search(raw)
    url = match.group(1) if match else None
    body = _CPE_URL_RE.sub("", raw.replace("\r\n", "\n"))
    # The gold keeps HTML entities (&#8217;) that no extractor emits; decode them.
    blocks = (" ".join(html.unescape(b).split()) for b in _CPE_MARKER_RE.split(body))
    # Paragraphs are hard-wrapped in the gold: one marker starts one block, one line out.
    return "\n".join(b for b in blocks if b), url


def load_cleanportaleval(eval_dir: Path | str | None = None) -> list[ExtractionPage]:
    """The 71 CleanPortalEval pages, sorted by id."""
    in_dir = _need(eval_dir, "cleanportaleval", "input")
    gold_dir = _need(eval_dir, "cleanportaleval", "GoldStandard")
    pages = []
    for gold_path in sorted(gold_dir.glob("*.txt")):
        body, url = parse_cleanportal_gold(gold_path.read_text(encoding="utf-8", errors="replace"))
        html_bytes = gzip.decompress((in_dir / f"{gold_path.stem}.html.gz").read_bytes())
        pages.append(ExtractionPage(gold_path.stem, html_bytes, body, url))
    return pages


# --- summary / clustering sets -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DucDocument:
    """One DUC 2004 source article."""

    docno: str
    text: str


@dataclass(frozen=True, slots=True)
class DucCluster:
    """A DUC 2004 task-2 topic: 10 articles, 4 human summaries, 13 published systems' summaries."""

    cluster_id: str
    docs: list[DucDocument]
    references: dict[str, str]
    system_summaries: dict[str, str]


def load_duc2004(eval_dir: Path | str | None = None) -> list[DucCluster]:
    """The 25 DUC 2004 task-2 clusters."""
    return [
        DucCluster(
            cluster_id=row["cluster_id"],
            docs=[DucDocument(d["docno"], d["text"]) for d in row["docs"]],
            references=dict(row["reference_summaries"]),
            system_summaries=dict(row["system_summaries"]),
        )
        for row in _jsonl(_need(eval_dir, "duc2004", "clusters.jsonl"))
    ]


@dataclass(frozen=True, slots=True)
class MultiNewsCluster:
    """A Multi-News story: scraped source articles (possibly empty strings) and a human summary."""

    id: str
    documents: list[str]
    summary: str


def load_multinews(eval_dir: Path | str | None = None) -> list[MultiNewsCluster]:
    """The 250 Multi-News validation clusters; documents kept exactly as shipped."""
    return [
        MultiNewsCluster(row["id"], list(row["documents"]), row["summary"])
        for row in _jsonl(_need(eval_dir, "multinews", "clusters.jsonl"))
    ]


@dataclass(frozen=True, slots=True)
class TitledText:
    """A title and a short text (a NeuS outlet snippet or its neutral reference)."""

    title: str
    text: str


@dataclass(frozen=True, slots=True)
class NeusEvent:
    """A NeuS/AllSides event: left, centre and right coverage plus a neutral reference."""

    id: str
    split: str
    documents: list[TitledText]
    reference: TitledText


def load_neus(eval_dir: Path | str | None = None, split: str | None = None) -> list[NeusEvent]:
    """NeuS/AllSides events, optionally one split ("train" or "val")."""
    events = []
    for row in _jsonl(_need(eval_dir, "neus-allsides", "clusters.jsonl")):
        if split is not None and row["split"] != split:
            continue
        docs = [TitledText(d.get("title") or "", d.get("text") or "") for d in row["documents"]]
        ref = row.get("reference") or {}
        events.append(
            NeusEvent(row["id"], row["split"], docs, TitledText(ref.get("title", ""), ref.get("text", "")))
        )
    return events


def pooled_documents(set_name: str, eval_dir: Path | str | None = None) -> Iterator[tuple[str, str, str]]:
    """(doc id, gold story label, text) for every document of a clustering set, pooled.

    `set_name` is one of CLUSTERING_SETS; "neus-val" is the NeuS val split alone.
    """
    if set_name == "duc2004":
        for cluster in load_duc2004(eval_dir):
            for doc in cluster.docs:
                yield f"duc:{cluster.cluster_id}:{doc.docno}", cluster.cluster_id, doc.text
    elif set_name == "multinews":
        for mn in load_multinews(eval_dir):
            for i, text in enumerate(mn.documents):
                yield f"mn:{mn.id}:{i}", mn.id, text
    elif set_name in ("neus", "neus-val"):
        for event in load_neus(eval_dir, split="val" if set_name == "neus-val" else None):
            for i, doc in enumerate(event.documents):
                yield f"neus:{event.id}:{i}", event.id, f"{doc.title}\n\n{doc.text}"
    else:
        raise ValueError(f"unknown clustering set {set_name!r}; expected one of {CLUSTERING_SETS}")


# --- similarity, quotes, dates -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SemevalPair:
    """A SemEval-2022 task 8 pair; `overall` runs 1 (same story) to 4 (unrelated)."""

    pair_id: str
    text1: str
    text2: str
    lang1: str
    lang2: str
    overall: float


def load_semeval_pairs(eval_dir: Path | str | None = None) -> list[SemevalPair]:
    """All SemEval-2022 pairs as shipped (every language pair)."""
    return [
        SemevalPair(
            str(row["pair_id"]),
            row["text1"] or "",
            row["text2"] or "",
            row["lang1"],
            row["lang2"],
            float(row["Overall"]),
        )
        for row in _jsonl(_need(eval_dir, "semeval2022-pairs", "pairs.jsonl"))
    ]


@dataclass(frozen=True, slots=True)
class SpanSet:
    """Character spans into the article text, with the text they cover."""

    spans: tuple[Span, ...]
    text: str


@dataclass(frozen=True, slots=True)
class Attribution:
    """One PolNeAR attribution; any part the annotator left out is None."""

    source: SpanSet | None
    cue: SpanSet | None
    content: SpanSet | None


@dataclass(frozen=True, slots=True)
class PolnearDoc:
    """One annotator's attributions over one PolNeAR article."""

    article: str
    split: str
    annotator: str
    text: str
    attributions: list[Attribution]


def _span_set(raw: dict[str, Any] | None) -> SpanSet | None:
    if not raw or not raw.get("spans"):
        return None
    return SpanSet(tuple((int(s), int(e)) for s, e in raw["spans"]), raw.get("text", ""))


def load_polnear(eval_dir: Path | str | None = None, split: str | None = None) -> list[PolnearDoc]:
    """PolNeAR annotated articles ("train", "dev", "annotator-training"); one per annotator."""
    docs = []
    for row in _jsonl(_need(eval_dir, "polnear", "attributions.jsonl")):
        if split is not None and row["split"] != split:
            continue
        attrs = [
            Attribution(_span_set(a.get("source")), _span_set(a.get("cue")), _span_set(a.get("content")))
            for a in row["attributions"]
            if a  # a few records are empty objects
        ]
        docs.append(PolnearDoc(row["article"], row["split"], row["annotator"], row["text"], attrs))
    return docs


@dataclass(frozen=True, slots=True)
class Timex:
    """A TIMEX3 span in a TimeML document's plain text."""

    tid: str
    type: str
    value: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class TimemlDoc:
    """A TempEval-3 document: creation time, plain TEXT, and its TIMEX3 spans (offsets in text)."""

    doc_id: str
    dct: str
    title: str
    text: str
    timexes: list[Timex]


def parse_timeml(xml: bytes, doc_id: str) -> TimemlDoc:
    """Parse one TimeML document into its DCT, plain text and TIMEX3 spans."""
    from lxml import etree

    root = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    dct_el = root.find(".//DCT/TIMEX3")
    dct = dct_el.get("value", "") if dct_el is not None else ""
    title_el = root.find(".//TITLE")
    title = "".join(title_el.itertext()).strip() if title_el is not None else ""
    text_el = root.find(".//TEXT")
    parts: list[str] = []
    timexes: list[Timex] = []
    offset = 0

    def walk(el: Any) -> None:
        nonlocal offset
        start = offset
        if el.text:
            parts.append(el.text)
            offset += len(el.text)
        for child in el:
            walk(child)
            if child.tail:
                parts.append(child.tail)
                offset += len(child.tail)
        if el.tag == "TIMEX3":
            span_text = "".join(el.itertext())
            timexes.append(
                Timex(
                    el.get("tid", ""),
                    el.get("type", ""),
                    el.get("value", ""),
                    start,
                    offset,
                    span_text,
                )
            )

    if text_el is not None:
        walk(text_el)
    return TimemlDoc(doc_id, dct, title, "".join(parts), timexes)


def load_tempeval3(eval_dir: Path | str | None = None) -> list[TimemlDoc]:
    """The 20 TempEval-3 platinum documents, sorted by id."""
    folder = _need(eval_dir, "timeml", "tempeval3-platinum", "te3-platinum")
    return [parse_timeml(p.read_bytes(), p.stem) for p in sorted(folder.glob("*.tml"))]
