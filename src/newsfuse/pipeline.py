"""The one orchestrator: pages in, stored articles, duplicates, stories and briefs out.

Memory stays flat as input grows: pages are read, cleaned and stored one at a time, and what is
kept of each is only what grouping needs (its GroupingInput) and a fingerprint without sentences
(body key and MinHash, for near-duplicates). Stories are then analysed one at a time, their
members read back from the store, so full bodies and sentence fingerprints are held for one story
at a time. With a file store, `Result.articles` reads articles back from the store when asked, so
rendering does not need them all in memory either.

Story ids: a story keeps the id it was minted with (the content id of its first members) while it
grows; `run` and incremental `add` share one store and one id ledger (see incremental.py).
"""

from __future__ import annotations

import weakref
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, BinaryIO

from .analyze.brief import BriefSettings, brief
from .analyze.dates import infer_publication_dates, page_date
from .analyze.story import analyse
from .clean import BoilerplateModel, build_boilerplate, clean_page, host_key, split_lines
from .dedup import DuplicateReport, Fingerprint, find_duplicates, fingerprint, near_duplicate_groups
from .ingest import read_inputs
from .model import (
    Article,
    CommonSource,
    Metadata,
    Rejection,
    SharedPassage,
    Story,
    Syndication,
    content_id,
    story_from_record,
)
from .store.base import Store, open_store
from .store.sqlite import SQLiteStore
from .stories import GroupingInput, GroupingSettings, group

if TYPE_CHECKING:  # incremental builds on this module's stages
    from .incremental import Recorded

# Pages written to the store per transaction: small enough that a killed run loses little
# work, large enough that commits do not dominate (one fsync per batch under WAL).
COMMIT_EVERY = 200
# Sentence-level work reads at most this much of a body. The longest article body in the AEB
# gold is 53k characters and in Multi-News 48k; past that a "body" is a dump (a 54 MB one-line
# page took 81 s and 4.1 GB before this cap), and its first 100k characters say what it is about.
MAX_ANALYSED_CHARS = 100_000


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a run can be told, read once at the edge."""

    brief: BriefSettings = field(default_factory=BriefSettings)
    grouping: GroupingSettings = field(default_factory=GroupingSettings)
    learn_boilerplate: bool = True
    # A user's name variants (variant -> canonical name), overriding the entity rules.
    aliases: Mapping[str, str] | None = None


@dataclass(slots=True)
class Summary:
    """What a run did, for the closing report."""

    pages_read: int = 0
    cleaned: int = 0
    reused: int = 0
    repeated_inputs: int = 0
    rejected: Counter = field(default_factory=Counter)
    duplicates: int = 0
    syndicated_groups: int = 0
    common_source_groups: int = 0
    stories: int = 0

    def as_dict(self) -> dict:
        """Plain values for JSON and the store."""
        return {"pages_read": self.pages_read, "cleaned": self.cleaned, "reused": self.reused,
                "repeated_inputs": self.repeated_inputs, "rejected": dict(sorted(self.rejected.items())),
                "duplicates": self.duplicates, "syndicated_groups": self.syndicated_groups,
                "common_source_groups": self.common_source_groups, "stories": self.stories}


@dataclass(frozen=True, slots=True)
class Result:
    """A finished run: every document (article or rejection), relations and stories."""

    articles: Mapping[str, Article]
    rejections: dict[str, Rejection]
    order: tuple[str, ...]
    duplicates: tuple[tuple[str, ...], ...]
    syndication: tuple[Syndication, ...]
    common_sources: tuple[CommonSource, ...]
    stories: Sequence[Story]
    summary: Summary
    # Story id -> {"continues": id or None, "split_from": id or None}: its thread and lineage.
    lineage: dict[str, dict[str, str | None]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PoolPage:
    """What is kept in memory of one page between ingest and grouping."""

    grouping: GroupingInput
    fingerprint: Fingerprint  # without sentences: body key and MinHash only


@dataclass(slots=True)
class Ingested:
    """The pages of a run: ids in input order, rejections, and the pool kept for grouping."""

    order: list[str] = field(default_factory=list)
    rejections: dict[str, Rejection] = field(default_factory=dict)
    pool: dict[str, PoolPage] = field(default_factory=dict)


class _Reopened:
    """A store reopened on first use by a mapping that outlives the run's store handle (file or
    PostgreSQL URL); the mapping owns it, and it is closed with the mapping."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._reader: Store | None = None

    def __call__(self, owner: object) -> Store:
        if self._reader is None:
            self._reader = open_store(self._path)
            weakref.finalize(owner, self._reader.close)  # a PostgreSQL connection must be closed
        return self._reader


class StoredArticles(Mapping[str, Article]):
    """A run's articles in a file store, read back on access, with the dates inferred in the run."""

    def __init__(self, path: str, ids: Iterable[str], dated: Mapping[str, Metadata]) -> None:
        self._ids = tuple(ids)
        self._known = frozenset(self._ids)
        self._dated = dict(dated)
        self._store = _Reopened(path)

    def __getitem__(self, document_id: str) -> Article:
        if document_id not in self._known:
            raise KeyError(document_id)
        article = self._store(self).get_article(document_id)
        if article is None:
            raise KeyError(document_id)
        meta = self._dated.get(document_id)
        return replace(article, meta=meta) if meta is not None else article

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


class StoredStories(Sequence[Story]):
    """A run's stories in a file store, in the run's order, read back on access: at 100,000 pages
    the analysed stories held in memory were a fifth of the run's peak."""

    def __init__(self, path: str, ids: Iterable[str]) -> None:
        self._ids = tuple(ids)
        self._store = _Reopened(path)

    def __getitem__(self, index):  # type: ignore[no-untyped-def]  # int or slice, as a tuple takes
        if isinstance(index, slice):
            return tuple(self._read(sid) for sid in self._ids[index])
        return self._read(self._ids[index])

    def __iter__(self) -> Iterator[Story]:
        return (self._read(sid) for sid in self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]  # equal by content, like a list

    def _read(self, story_id: str) -> Story:
        found = self._store(self).story(story_id)
        if found is None:
            raise LookupError(f"story {story_id} is no longer in the store")
        return story_from_record(found["record"])


def run_result(store: Store, order: Sequence[str], rejections: dict[str, Rejection],
               duplicates: tuple[tuple[str, ...], ...], outcome: Recorded, summary: Summary) -> Result:
    """A finished run's Result: with a file store its articles and stories are read back when
    asked; an in-memory store cannot be reopened, so they are read out of it now."""
    article_ids = [d for d in order if d not in rejections]
    links = store.story_links()
    lineage = {sid: {"continues": links[sid]["continues"], "split_from": links[sid]["split_from"]}
               for sid in outcome.story_ids}
    articles: Mapping[str, Article]
    stories: Sequence[Story]
    if store.path == ":memory:":
        articles = {a.id: replace(a, meta=outcome.dated.get(a.id, a.meta))
                    for a in store.articles(article_ids)}
        stories = tuple(story_from_record(store.story(sid)["record"]) for sid in outcome.story_ids)
    else:
        articles = StoredArticles(store.path, article_ids, outcome.dated)
        stories = StoredStories(store.path, outcome.story_ids)
    return Result(articles=articles, rejections=rejections, order=tuple(order), duplicates=duplicates,
                  syndication=outcome.syndication, common_sources=outcome.common_sources, stories=stories,
                  summary=summary, lineage=lineage)


def learn_boilerplate(inputs: Sequence[str], skip: Sequence[str] = ()) -> BoilerplateModel:
    """First pass over re-readable inputs: lines that recur across one outlet's text pages."""
    def keyed_lines() -> Iterable[tuple[str | None, list[str]]]:
        for item in read_inputs(inputs, skip=skip):
            if isinstance(item, Rejection) or item.format != "text":
                continue
            key = host_key(item.outlet, item.url)
            if key:
                yield key, [text for text, _ in split_lines(item.content)]

    return build_boilerplate(keyed_lines())


def ingest(inputs: Sequence[str], store: SQLiteStore, *, settings: Settings,
           stdin: BinaryIO | None = None, summary: Summary, skip: Sequence[str] = (),
           on_page: Callable[[], None] | None = None) -> Ingested:
    """Read, clean and store every page, one at a time; pages stored by an earlier run are reused,
    not re-cleaned. Only each article's PoolPage is kept."""
    model = None
    if settings.learn_boilerplate and "-" not in inputs:
        model = learn_boilerplate(inputs, skip)
    done = Ingested()
    with store.batches(COMMIT_EVERY) as batch:
        for item in read_inputs(inputs, stdin=stdin, skip=skip):
            summary.pages_read += 1
            if on_page:
                on_page()
            if item.id in done.pool or item.id in done.rejections:
                summary.repeated_inputs += 1
                continue
            done.order.append(item.id)
            outcome = _stored(store, item.id)
            if outcome is not None:
                summary.reused += 1
            elif isinstance(item, Rejection):
                outcome = item
                store.put_rejection(item)
            else:
                outcome = clean_page(item, boilerplate=model)
                store.put_raw(item.sha256, item.format, item.content)
                if isinstance(outcome, Article):
                    store.put_article(outcome)
                    summary.cleaned += 1
                else:
                    store.put_rejection(outcome)
            if isinstance(outcome, Article):
                done.pool[outcome.id] = pool_page(outcome)
                store_pool_page(store, done.pool[outcome.id])
            else:
                done.rejections[outcome.id] = outcome
                summary.rejected[outcome.reason] += 1
            batch.tick()
    return done


def _stored(store: SQLiteStore, document_id: str) -> Article | Rejection | None:
    return store.get_article(document_id) or store.get_rejection(document_id)


def pool_page(article: Article) -> PoolPage:
    """What grouping and near-duplicate detection keep of an article."""
    full = fingerprint(_analysed_part(article), with_sentences=False)
    return PoolPage(grouping=grouping_input(article),
                    fingerprint=replace(full, minhash=array("Q", full.minhash)))


def store_pool_page(store: SQLiteStore, page: PoolPage) -> None:
    """Keep a page's features in the store, so later passes regroup it without re-reading it."""
    gi, fp = page.grouping, page.fingerprint
    store.put_features(gi.id, title=gi.title, language=gi.language,
                       published=gi.published.isoformat() if gi.published else None,
                       body_key=fp.body_key, minhash=fp.minhash, words=fp.words)


def load_pool(store: SQLiteStore, languages: Iterable[str] | None = None) -> dict[str, PoolPage]:
    """Every stored article's PoolPage (with `languages`, those in these languages), read from the
    store; features are computed first for pages stored before features were kept."""
    missing = store.missing_features()
    if missing:
        with store.transaction():
            for article in store.articles(missing):
                store_pool_page(store, pool_page(article))
    pool = {}
    for row in store.features(MAX_ANALYSED_CHARS, languages):
        published = date.fromisoformat(row["published"]) if row["published"] else None
        pool[row["id"]] = PoolPage(
            grouping=GroupingInput(id=row["id"], title=row["title"], body=row["body"],
                                   language=row["language"], published=published),
            fingerprint=Fingerprint(document=row["id"], body_key=row["body_key"], minhash=row["minhash"],
                                    sentences=(), words=row["words"]))
    return pool


def group_pool(pool: Mapping[str, PoolPage], settings: Settings
               ) -> tuple[list[tuple[str, ...]], tuple[tuple[str, ...], ...]]:
    """Stories of a pool as sorted member tuples (near-duplicates follow their canonical page),
    and the near-duplicate groups."""
    duplicates = near_duplicate_groups([p.fingerprint for p in pool.values()])
    canonical_of = {doc: grp[0] for grp in duplicates for doc in grp}
    followers: dict[str, list[str]] = defaultdict(list)
    for doc, head in canonical_of.items():
        if doc != head:
            followers[head].append(doc)
    # A canonical page stands for its near-duplicates too: boilerplate detection in grouping
    # counts a line on every page that carries it, copies included.
    canonical = [replace(p.grouping, copies=1 + len(followers[doc_id])) for doc_id, p in pool.items()
                 if canonical_of.get(doc_id, doc_id) == doc_id]
    groups = group(canonical, settings.grouping)
    return [tuple(sorted({*members, *(f for m in members for f in followers[m])})) for members in groups], \
        duplicates


def analyse_members(store: SQLiteStore, doc_ids: Sequence[str], settings: Settings,
                    known: Mapping[str, Signature] | None = None
                    ) -> tuple[Story, DuplicateReport, list[Article]]:
    """One story analysed from its members read back from the store: the story (with its content
    id; the caller sets the kept id), its relations, and the members with inferred dates.
    `known` holds the signatures of pages this run already fingerprinted (see Signature)."""
    dated = infer_publication_dates(list(store.articles(doc_ids)))
    known = known or {}
    fingerprints = {a.id: fingerprint(_analysed_part(a), _known_fingerprint(a.id, known.get(a.id)))
                    for a in dated}
    story, report = analyse_story(dated, fingerprints, settings)
    return story, report, dated


# Signature = (body key, MinHash as packed uint64s, words) of a page grouped by this run. `run`
# hands the signatures of the pages it grouped to record_groups, so analyse_members recomputes
# only the sentences and not the body key and MinHash of every member: every page used to be
# fingerprinted twice. Packed, a signature takes ~1 KB, a fifth of its tuple form, and the pool
# that held them (bodies included) has been freed by then, so peak memory does not grow.
Signature = tuple[str, bytes, int]


def _signature(fp: Fingerprint) -> Signature:
    return fp.body_key, array("Q", fp.minhash).tobytes(), fp.words


def _known_fingerprint(document_id: str, signature: Signature | None) -> Fingerprint | None:
    if signature is None:
        return None
    body_key, minhash, words = signature
    return Fingerprint(document=document_id, body_key=body_key, minhash=tuple(array("Q", minhash)),
                       sentences=(), words=words)


def run(inputs: Sequence[str], store: SQLiteStore, *, settings: Settings | None = None,
        stdin: BinaryIO | None = None, on_page: Callable[[], None] | None = None,
        skip: Sequence[str] = ()) -> Result:
    """Ingest the inputs, find duplicates and stories, write a brief per story; store it all.

    The pool grouped is this run's inputs. Story ids come from the store's ledger: a story that
    holds the documents of a stored story keeps its id (see incremental.py), so running again, or
    after `add`, keeps ids. `skip` names paths never read as input (the output folder); the store
    itself is always skipped.
    """
    # Function-level import: incremental builds on this module's stages.
    from .incremental import record_groups

    skip = [*skip, store.path] if store.path != ":memory:" else list(skip)
    settings = settings or Settings()
    summary = Summary()
    run_id = store.start_run(_now())
    done = ingest(inputs, store, settings=settings, stdin=stdin, summary=summary, on_page=on_page, skip=skip)
    groups, duplicates = group_pool(done.pool, settings)
    summary.duplicates = sum(len(g) - 1 for g in duplicates)
    signatures = {doc: _signature(page.fingerprint) for doc, page in done.pool.items()}
    done.pool.clear()  # grouping is done: the pool's bodies are not needed any more
    with store.transaction():
        outcome = record_groups(store, groups, settings, reanalyse_all=True, at=_now(), known=signatures)
        summary.syndicated_groups = len(outcome.syndication)
        summary.common_source_groups = len(outcome.common_sources)
        summary.stories = len(outcome.story_ids)
        store.finish_run(run_id, _now(), summary.as_dict())
    return run_result(store, done.order, done.rejections, duplicates, outcome, summary)


def analyse_story(members: Sequence[Article], fingerprints: dict[str, Fingerprint],
                  settings: Settings) -> tuple[Story, DuplicateReport]:
    """One story's syndication, independent origins and brief."""
    credits = {a.id: a.meta.agency.value if a.meta.agency else None for a in members}
    report = anchor_in_raw(find_duplicates([fingerprints[a.id] for a in members], credits),
                           {a.id: a for a in members})
    origins = report.origin_of()
    sentences = brief(members, fingerprints, origins, settings.brief)
    doc_ids = tuple(a.id for a in members)
    sections = analyse([_analysed_part(a) for a in members], origins, report.syndication, settings.aliases)
    story = Story(id=content_id(*doc_ids, prefix="s"), title=_story_title(members),
                  documents=doc_ids, language=members[0].language, brief=sentences,
                  analysis={"origins": len(set(origins.get(d, d) for d in doc_ids)), **sections})
    return story, report


def anchor_in_raw(report: DuplicateReport, articles: dict[str, Article]) -> DuplicateReport:
    """The report with each shared passage's citations anchored in the raw pages where possible."""
    def anchored(passage: SharedPassage) -> SharedPassage:
        left, right = passage.left, passage.right
        return replace(passage, left=articles[left.document].cite(left.start, left.end),
                       right=articles[right.document].cite(right.start, right.end))

    return replace(
        report,
        syndication=tuple(replace(s, shared=tuple(map(anchored, s.shared))) for s in report.syndication),
        common_sources=tuple(replace(c, shared=tuple(map(anchored, c.shared)))
                             for c in report.common_sources),
    )


def _story_title(members: Sequence[Article]) -> str:
    """The title sharing most words with the other titles: the story's most typical headline."""
    titles = [a.meta.title.value for a in members if a.meta.title]
    if not titles:
        return members[0].body[:80].split("\n")[0]
    bags = [set(t.lower().split()) for t in titles]
    return max(zip(titles, bags, strict=True),
               key=lambda tb: (sum(len(tb[1] & other) for other in bags), -len(tb[0]), tb[0]))[0]


def _analysed_part(article: Article) -> Article:
    """The article as duplicate detection, grouping and briefs read it: its first MAX_ANALYSED_CHARS."""
    if len(article.body) <= MAX_ANALYSED_CHARS:
        return article
    # A prefix keeps every offset valid, so citations into it still point into the stored body.
    return replace(article, body=article.body[:MAX_ANALYSED_CHARS])


def grouping_input(article: Article) -> GroupingInput:
    """What grouping reads of an article: title, the analysed part of its body, language, date."""
    return GroupingInput(id=article.id, title=article.meta.title.value if article.meta.title else "",
                         body=article.body[:MAX_ANALYSED_CHARS], language=article.language,
                         published=page_date(article))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
