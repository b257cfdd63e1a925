"""The one orchestrator: pages in, stored articles, duplicates, stories and briefs out."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import BinaryIO

from .analyze.brief import BriefSettings, brief
from .analyze.dates import infer_publication_dates, page_date
from .analyze.story import analyse
from .clean import BoilerplateModel, build_boilerplate, clean_page, host_key, split_lines
from .dedup import DuplicateReport, Fingerprint, find_duplicates, fingerprint, near_duplicate_groups
from .ingest import read_inputs
from .model import (
    Article,
    CommonSource,
    Rejection,
    SharedPassage,
    Story,
    Syndication,
    content_id,
    to_plain,
)
from .store.sqlite import SQLiteStore
from .stories import GroupingInput, GroupingSettings, group

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

    articles: dict[str, Article]
    rejections: dict[str, Rejection]
    order: tuple[str, ...]
    duplicates: tuple[tuple[str, ...], ...]
    syndication: tuple[Syndication, ...]
    common_sources: tuple[CommonSource, ...]
    stories: tuple[Story, ...]
    summary: Summary


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
           on_page: Callable[[], None] | None = None,
           ) -> tuple[dict[str, Article], dict[str, Rejection], list[str]]:
    """Read, clean and store every page; pages stored by an earlier run are reused, not re-cleaned."""
    model = None
    if settings.learn_boilerplate and "-" not in inputs:
        model = learn_boilerplate(inputs, skip)
    articles: dict[str, Article] = {}
    rejections: dict[str, Rejection] = {}
    order: list[str] = []
    with store.batches(COMMIT_EVERY) as batch:
        for item in read_inputs(inputs, stdin=stdin, skip=skip):
            summary.pages_read += 1
            if on_page:
                on_page()
            if item.id in articles or item.id in rejections:
                summary.repeated_inputs += 1
                continue
            order.append(item.id)
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
                articles[outcome.id] = outcome
            else:
                rejections[outcome.id] = outcome
                summary.rejected[outcome.reason] += 1
            batch.tick()
    return articles, rejections, order


def _stored(store: SQLiteStore, document_id: str) -> Article | Rejection | None:
    return store.get_article(document_id) or store.get_rejection(document_id)


def run(inputs: Sequence[str], store: SQLiteStore, *, settings: Settings | None = None,
        stdin: BinaryIO | None = None, on_page: Callable[[], None] | None = None,
        skip: Sequence[str] = ()) -> Result:
    """Ingest the inputs, find duplicates and stories, write a brief per story; store it all.

    `skip` names paths never read as input (the output folder); the store itself is always skipped.
    """
    skip = [*skip, store.path] if store.path != ":memory:" else list(skip)
    settings = settings or Settings()
    summary = Summary()
    run_id = store.start_run(_now())
    articles, rejections, order = ingest(inputs, store, settings=settings, stdin=stdin,
                                         summary=summary, on_page=on_page, skip=skip)
    fingerprints = {doc_id: fingerprint(_analysed_part(article)) for doc_id, article in articles.items()}
    duplicates = near_duplicate_groups(list(fingerprints.values()))
    summary.duplicates = sum(len(g) - 1 for g in duplicates)
    stories, syndication, common = assemble_stories(articles, fingerprints, duplicates, settings)
    summary.syndicated_groups = len(syndication)
    summary.common_source_groups = len(common)
    summary.stories = len(stories)
    with store.transaction():
        store.replace_stories((to_plain(s) for s in stories), articles)
        for synd in syndication:
            store.put_relation(synd.id, "syndication", to_plain(synd))
        for rel in common:
            store.put_relation(content_id(*rel.documents, prefix="c"), "common-source", to_plain(rel))
        store.finish_run(run_id, _now(), summary.as_dict())
    return Result(articles=articles, rejections=rejections, order=tuple(order),
                  duplicates=duplicates, syndication=syndication, common_sources=common,
                  stories=stories, summary=summary)


def assemble_stories(articles: dict[str, Article], fingerprints: dict[str, Fingerprint],
                     duplicates: tuple[tuple[str, ...], ...], settings: Settings
                     ) -> tuple[tuple[Story, ...], tuple[Syndication, ...], tuple[CommonSource, ...]]:
    """Group canonical pages into stories, then per story: syndication, origins and brief."""
    canonical_of = {doc: grp[0] for grp in duplicates for doc in grp}
    canonical = [a for a in articles.values() if canonical_of.get(a.id, a.id) == a.id]
    groups = group([grouping_input(a) for a in canonical], settings.grouping)
    followers: dict[str, list[str]] = defaultdict(list)
    for doc, head in canonical_of.items():
        if doc != head:
            followers[head].append(doc)
    stories, syndication, common = [], [], []
    for members in groups:
        doc_ids = sorted({*members, *(f for m in members for f in followers[m])})
        dated = infer_publication_dates([articles[d] for d in doc_ids])
        articles.update((a.id, a) for a in dated)
        story, report = analyse_story(dated, fingerprints, settings)
        stories.append(story)
        syndication.extend(report.syndication)
        common.extend(report.common_sources)
    stories.sort(key=lambda s: (-len(s.documents), s.id))
    return tuple(stories), tuple(syndication), tuple(common)


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
