"""Placing new pages on stored stories without regrouping the pool: the fast path of `add`.

Rules:

- Index. Per language, the word view of grouping (headline twice, content words with plurals
  folded, figures) of every stored page as TF-IDF rows. The vocabulary, the IDF and the set of
  boilerplate lines (lines on `boilerplate_min_docs` pages or more) are fitted on the pool at a
  full regroup and then kept fixed - the statistics of that pass - until the next full regroup:
  a page placed since is a row under those statistics (terms first seen later do not count).
- Copies. A page that is a near-duplicate of indexed pages (same body key, or MinHash Jaccard
  estimate at the near-duplicate threshold) joins their story: the full grouping folds
  near-duplicates into one page, so they always share a story there too. Copies in two stories,
  or in none yet, are unclear. Many reprints read as furniture to the word view (their lines are
  on three pages or more), so without this a store of reprints placed almost nothing.
- Evidence. Otherwise, a new page's cosine to every indexed page of its language; a story
  scores as its best page. The page
  * joins story A when A scores `join_similarity` or more, every other story scores at least
    `margin` less, and its date keeps A's dated members within `max_days_apart` days;
  * starts a story of its own when no story scores `alone_similarity` or more (a page alone on
    its subject stays alone in the batch grouping too);
  * otherwise the evidence is unclear and the add falls back to the full regroup, which also
    refits the statistics.
  Pages of one add are placed one after another, so the second of two reports of a new event
  joins the story the first one started.
- Refit. A full regroup runs instead of placing when no index is held (a new process), the pool
  holds fewer than `min_pool` pages (regrouping it is cheap and exact), `full_every` pages were
  placed since the last full regroup, or the pool grew by `full_growth` since. Full regroups
  correct what placement got wrong, as merges and splits on the event log.

Thresholds were read on NeuS-AllSides (see tests/test_incremental.py): placements that disagree
with the batch grouping are rare at these settings, and most pages are placed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.preprocessing import normalize

from .dedup import CopyIndex, Fingerprint, is_near_duplicate
from .stories import GroupingInput, GroupingSettings, _doc_tokens, _strip_shared_lines, body_without_shared


@dataclass(frozen=True, slots=True)
class PlacementSettings:
    """When a new page is placed without a regroup, and when the pool is regrouped anyway."""

    # Word-view cosine to a story's best page at which a page joins it, and how far below it
    # every other story must score for the join to be clear. On 210 NeuS-AllSides pages placed
    # on the batch grouping of 1,890 others: 0.35 / 0.1 places 111, two of them wrongly;
    # 0.3 / 0.1 places 130 (3 wrong); 0.4 / 0.1 places 94 (none wrong); 0.5 / 0.25 places 45.
    join_similarity: float = 0.35
    margin: float = 0.1
    # Below this cosine to every story a page starts a story of its own.
    alone_similarity: float = 0.1
    # Below this many pages in a language the pool is regrouped on every add.
    min_pool: int = 500
    # A full regroup after this many placed pages ...
    full_every: int = 200
    # ... or once the pool grew by this share since the last full regroup.
    full_growth: float = 0.05


PlacementKind = Literal["join", "alone", "unclear"]


class Page(Protocol):
    """What placing reads of a page: its grouping view and its fingerprint (pipeline.PoolPage)."""

    @property
    def grouping(self) -> GroupingInput: ...

    @property
    def fingerprint(self) -> Fingerprint: ...


@dataclass(frozen=True, slots=True)
class Placement:
    """Where one new page goes: the story it joins (kind "join"), a story of its own ("alone"),
    or nowhere clear ("unclear"); with its best cosine to a story."""

    document: str
    kind: PlacementKind
    story: str | None
    similarity: float


def _line_key(line: str) -> str:
    return " ".join(line.lower().split())


@dataclass(slots=True)
class LanguageIndex:
    """Word TF-IDF rows of one language's pages under the statistics of one full regroup."""

    vocabulary: dict[str, int]
    idf: np.ndarray
    boilerplate: frozenset[str]
    settings: GroupingSettings
    ids: list[str] = field(default_factory=list)
    days: list[int | None] = field(default_factory=list)
    rows: list[sparse.csr_matrix] = field(default_factory=list)
    known: set[str] = field(default_factory=set)
    _matrix: sparse.csr_matrix | None = None

    @classmethod
    def fit(cls, docs: Sequence[GroupingInput], settings: GroupingSettings) -> LanguageIndex:
        """The index of a pool: statistics fitted on it and a row per page."""
        docs = sorted(docs, key=lambda d: d.id)
        stripped = _strip_shared_lines([d.body for d in docs], settings, [d.copies for d in docs])
        seen: dict[str, int] = {}
        for doc in docs:
            for key in {_line_key(line) for line in doc.body.splitlines() if line.strip()}:
                seen[key] = seen.get(key, 0) + doc.copies
        boilerplate = frozenset(k for k, n in seen.items() if n >= settings.boilerplate_min_docs)
        tokens = [_doc_tokens(d, body or "", settings) for d, body in zip(docs, stripped, strict=True)]
        vectorizer = CountVectorizer(analyzer=_identity, dtype=np.float32)
        counts = vectorizer.fit_transform(tokens).tocsr()
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        idf = (np.log((1 + counts.shape[0]) / (1 + df)) + 1).astype(np.float32)
        index = cls(vocabulary=dict(vectorizer.vocabulary_), idf=idf, boilerplate=boilerplate,
                    settings=settings)
        index.ids = [d.id for d in docs]
        index.known = set(index.ids)
        index.days = [_day(d) for d in docs]
        index._matrix = _weigh(counts, idf)
        return index

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, document_id: str) -> bool:
        return document_id in self.known

    def truncate(self, size: int) -> None:
        """Forget the pages indexed after the first `size` (a placement that fell through)."""
        matrix = self.matrix()
        self.known.difference_update(self.ids[size:])
        del self.ids[size:], self.days[size:]
        self._matrix = matrix[:size]

    def matrix(self) -> sparse.csr_matrix:
        """Every page's row, fitted and appended ones."""
        if self.rows:
            parts = [self._matrix] if self._matrix is not None else []
            self._matrix = sparse.vstack([*parts, *self.rows], format="csr")
            self.rows = []
        assert self._matrix is not None
        return self._matrix

    def vector(self, doc: GroupingInput) -> sparse.csr_matrix:
        """A page's row under the fitted statistics (boilerplate lines left out)."""
        lines = [line for line in doc.body.splitlines() if line.strip()]
        # Read as grouping reads it: a reprint whose lines the pool already holds is read whole.
        body = body_without_shared(doc.body, lines, [_line_key(line) in self.boilerplate for line in lines],
                                   self.settings)
        body = doc.body if body is None else body
        columns = [self.vocabulary[t] for t in _doc_tokens(doc, body, self.settings) if t in self.vocabulary]
        counts = sparse.csr_matrix((np.ones(len(columns), dtype=np.float32),
                                    (np.zeros(len(columns), dtype=np.int64), columns)),
                                   shape=(1, len(self.vocabulary)))
        counts.sum_duplicates()
        return _weigh(counts, self.idf)

    def append(self, doc: GroupingInput, vector: sparse.csr_matrix | None = None) -> None:
        """Index a page under the fitted statistics."""
        self.ids.append(doc.id)
        self.known.add(doc.id)
        self.days.append(_day(doc))
        self.rows.append(vector if vector is not None else self.vector(doc))

    def place(self, doc: GroupingInput, story_of: Mapping[str, str], placement: PlacementSettings
              ) -> tuple[Placement, sparse.csr_matrix]:
        """Where `doc` goes among the indexed pages' stories (see the module rules), and its row."""
        vector = self.vector(doc)
        if vector.nnz == 0:
            return Placement(doc.id, "unclear", None, 0.0), vector
        sims = (self.matrix() @ vector.T).toarray().ravel()
        best: dict[str, float] = {}
        for row in np.flatnonzero(sims >= placement.alone_similarity):
            story = story_of.get(self.ids[row])
            if story is None:  # a page of no story yet: nothing clear to say about it
                return Placement(doc.id, "unclear", None, float(sims[row])), vector
            best[story] = max(best.get(story, 0.0), float(sims[row]))
        if not best:
            return Placement(doc.id, "alone", None, float(sims.max(initial=0.0))), vector
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))
        story, score = ranked[0]
        rival = ranked[1][1] if len(ranked) > 1 else 0.0
        if (score >= placement.join_similarity and score - rival >= placement.margin
                and self._within_days(doc, story, story_of)):
            return Placement(doc.id, "join", story, score), vector
        return Placement(doc.id, "unclear", story, score), vector

    def _within_days(self, doc: GroupingInput, story: str, story_of: Mapping[str, str]) -> bool:
        day = _day(doc)
        if day is None:
            return True
        dated = [d for i, d in zip(self.ids, self.days, strict=True)
                 if d is not None and story_of.get(i) == story]
        if not dated:
            return True
        return max(*dated, day) - min(*dated, day) <= self.settings.max_days_apart


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def _weigh(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """Sublinear TF x the fitted IDF, rows L2-normalised: the grouping's word weighting."""
    counts = counts.tocsr().astype(np.float32)
    counts.data = 1 + np.log(counts.data)
    return normalize(counts @ sparse.diags(idf)).tocsr()


def _day(doc: GroupingInput) -> int | None:
    return doc.published.toordinal() if doc.published else None


@dataclass(slots=True)
class Placer:
    """The indexes of one process, kept across adds (a `watch` loop, a service), and when the
    pool was last regrouped in full."""

    settings: PlacementSettings = field(default_factory=PlacementSettings)
    indexes: dict[str, LanguageIndex] = field(default_factory=dict)
    copies: dict[str, CopyIndex] = field(default_factory=dict)
    fitted_size: dict[str, int] = field(default_factory=dict)
    placed_since_fit: dict[str, int] = field(default_factory=dict)

    def refit(self, pool: Iterable[Page], grouping: GroupingSettings) -> None:
        """Fit the indexes on a pool just regrouped in full (one per language it holds)."""
        by_language: dict[str, list[Page]] = {}
        for page in pool:
            by_language.setdefault(page.grouping.language, []).append(page)
        for language, pages in by_language.items():
            self.indexes[language] = LanguageIndex.fit([p.grouping for p in pages], grouping)
            self.copies[language] = CopyIndex()
            for page in sorted(pages, key=lambda p: p.grouping.id):
                self.copies[language].add(page.fingerprint)
            self.fitted_size[language] = len(pages)
            self.placed_since_fit[language] = 0

    def due(self, language: str) -> bool:
        """Whether the next add in `language` must regroup in full (see the module rules)."""
        index = self.indexes.get(language)
        if index is None or len(index) < self.settings.min_pool:
            return True
        grown = len(index) - self.fitted_size[language]
        return (self.placed_since_fit[language] >= self.settings.full_every
                or grown >= self.settings.full_growth * self.fitted_size[language])

    def place(self, pages: Sequence[Page], story_of: Mapping[str, str]) -> list[list[str]] | None:
        """The groups an add changes - each touched story's documents with the pages joining it,
        and each new story - or None when a page's evidence is unclear or a regroup is due.

        A page that is a near-duplicate of indexed pages joins their story, as near-duplicates
        follow their canonical page in the full grouping; copies in two stories are unclear.
        Pages already indexed are left where they are. The indexes take the placed pages only
        when every page was placed; after None they are as before.
        """
        fresh = [p for p in sorted(pages, key=lambda p: p.grouping.id)
                 if p.grouping.language not in self.indexes
                 or p.grouping.id not in self.indexes[p.grouping.language]]
        if not fresh:
            return []
        if any(self.due(p.grouping.language) for p in fresh):
            return None
        members: dict[str, list[str]] = {}
        for doc_id, sid in story_of.items():
            members.setdefault(sid, []).append(doc_id)
        assigned = dict(story_of)
        sizes = {language: len(index) for language, index in self.indexes.items()}
        staged: list[Page] = []
        touched: dict[str, list[str]] = {}
        for page in fresh:
            doc = page.grouping
            index = self.indexes[doc.language]
            copies = self.copies[doc.language].copies_of(page.fingerprint) + [
                s.grouping.id for s in staged
                if s.grouping.language == doc.language and is_near_duplicate(s.fingerprint, page.fingerprint)]
            if copies:
                copy_stories = {assigned.get(c) for c in copies}
                story = copy_stories.pop() if len(copy_stories) == 1 else None
                vector = None
            else:
                placement, vector = index.place(doc, assigned, self.settings)
                story = {"join": placement.story, "alone": f"new:{doc.id}"}.get(placement.kind)
            if story is None:  # copies in two stories or in none yet, or unclear evidence
                for language, size in sizes.items():
                    self.indexes[language].truncate(size)
                return None
            if story not in touched:
                touched[story] = list(members.get(story, []))
            touched[story].append(doc.id)
            assigned[doc.id] = story
            index.append(doc, vector)
            staged.append(page)
        for page in staged:
            self.copies[page.grouping.language].add(page.fingerprint)
            self.placed_since_fit[page.grouping.language] += 1
        return [sorted(docs) for docs in touched.values()]
