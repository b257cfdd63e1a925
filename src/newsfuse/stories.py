"""Grouping articles into stories.

Per language (languages are never mixed):

1. Boilerplate: a line found verbatim in several pages of the pool (sharing buttons, archive
   notices, "Advertisement") is dropped; a short page made of nothing else stays alone. A page
   counts as many pages as it stands for (`GroupingInput.copies`), so near-duplicates set aside
   before grouping still mark their lines as furniture.
2. Similarity: word TF-IDF (title counted twice - for an untitled page, a short first line
   standing alone is its headline; plurals folded; figures kept as words) mixed with character
   4-gram TF-IDF over the content words, which matches inflections and spellings the words miss.
3. Blocking: two documents are compared only when they share one of their most distinctive
   terms (a sparse incidence product in row chunks); no all-pairs pass.
4. Calibration: each document's local density - its similarity to its 20th..50th nearest
   neighbours - is taken off its similarities, so the bar to join rises where the pool is
   crowded with near-identical reports and stays low where a document is alone on its subject.
   A pair blocking never compared counts at the two documents' background level (their mean
   similarity to a fixed random sample of the pool).
5. Average linkage over the sparse graph, recorded as a merge tree down to `floor`.
6. Stories are the groups of that tree that persist over the widest range of log-similarity
   (HDBSCAN's "excess of mass" choice), not the groups above one global threshold: a loose but
   isolated topic is kept whole while a dense run of related events is cut finer.

Cost, n documents: blocking emits at most n * block_terms * block_max_postings candidate pairs
(in practice far fewer: 3.1M for 10k synthetic documents, 13.4M for 100k, against 5e9 pairs in
all); similarities are read per candidate pair in blocks; the background is n x 200 dot
products; the linkage is O(E log E) on the E pairs at or above the floor. Measured: NeuS full
(8.3k, 4.2M candidate pairs) in about 7 s; 100k synthetic documents in 95 s and 2.4 GB peak memory.
"""

from __future__ import annotations

import heapq
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.preprocessing import normalize

from .text import stopwords


@dataclass(frozen=True, slots=True)
class GroupingSettings:
    """Knobs of the grouping stage: one setting for short and long texts, sparse and crowded pools.

    Figures are B-cubed F1 as DUC 2004 (250 docs) / Multi-News validation sample (690) /
    NeuS-AllSides validation (921) / NeuS-AllSides full (8,277), each set pooled on its own and
    grouped with this one setting. With every default: .945 / .875 / .871 / .773. "Tuned on all
    four" means one grid scored on all four sets, the setting chosen for the worst margin over
    the per-set oracle-tuned TF-IDF + average-linkage baseline (.936 / .845 / .857 / .748). The
    figures on the knobs from `floor` to `max_days_apart` were read before headlines and figures
    joined the word view (defaults then .948 / .872 / .863 / .769); rechecked since, one knob at a
    time: floor .025 -> .945/.869/.864/.774, .035 -> .932/.874/.875/.772; density_weight 2.25 ->
    .929/.874/.879/.761; char_weight 0.6 -> .932/.875/.874/.776: no move gains on every set.
    """

    # Lowest calibrated average similarity at which two groups may join: the root level of the
    # tree, and in effect the bar for a pair. Tuned on all four: 0.02 -> .954/.862/.864/.779,
    # 0.03 -> defaults, 0.04 -> .917/.874/.882/.777 (DUC topics split).
    floor: float = 0.03
    # Calibrated average similarity above which a group is one story without question: levels
    # above it add no stability. Tuned on all four: 0.3 -> .948/.866/.874/.779, 0.4 -> within
    # .001 of 0.5, 0.6 -> DUC .935.
    solid: float = 0.5
    # Share of a document's local density taken off each of its similarities, and the neighbour
    # ranks (0 = nearest) the density is read from. Tuned on all four: weight 0 merges nearly
    # everything (DUC .08, NeuS full .57), 1.5 -> .940/.854/.856/.754, 2.0 -> defaults,
    # 2.5 -> .894/.877/.889/.750; ranks 10..30 -> .834/.878/.887/.762 (a DUC topic holds 10
    # documents, so its own members would count as crowding). The nearest five (ranks 0..5) are
    # what separates NeuS's consecutive events best, but on the core issue's pooled check they take
    # DUC 2004 from .905 to .45-.78 (weight 1.0-0.7) for NeuS Iraq-Iran .838-.857; measured outside
    # each document's first-pass story instead, DUC still falls to .69-.81.
    density_weight: float = 2.0
    density_ranks: tuple[int, int] = (20, 50)
    # Weight of the character view in the combined similarity (the rest is the word view).
    # Tuned on all four: 0 -> .830/.877/.879/.764, 0.5 -> .933/.874/.880/.778, 0.7 -> defaults.
    char_weight: float = 0.7
    # Characters of content words the character view reads per document: bounds memory on long
    # pages (Multi-News bodies reach 20k characters). Whole texts -> .944/.864/.877/.780.
    char_lead: int = 3000
    # Pairs with less word similarity than this are not read in the character view (they stay
    # at background). Checked on all four: 0.05 -> .948/.863/.878/.780. At 0.08 the character
    # view reads 13.5% of NeuS full's 4.2M candidate pairs but 97.8% of its same-story ones
    # (Multi-News 18% / 92%, DUC 37% / 98%).
    char_min_word_similarity: float = 0.08
    # Times the title's tokens count in the word view. 1 -> .948/.867/.876/.777.
    title_weight: int = 2
    # Terms per document used for blocking. Tuned on all four: 12 -> .919/.853/.862/.780
    # (same-story pairs found: DUC 91%, Multi-News 75%), 20 -> .939/.859/.875/.779,
    # 30 -> defaults (DUC 98%, Multi-News 82%), 40 -> .929/.877/.877/.780.
    block_terms: int = 30
    # Terms in more than this many documents block nothing (they are topic-wide). A fixed number,
    # not a share of the pool, so that candidate pairs (at most this squared per listed term)
    # grow linearly with the pool: with 2% of n instead, 10k -> 50k synthetic documents went
    # from 2.2M to 55M pairs; with 200, 10k -> 100k went from 3.1M to 13.4M. Same cap as the
    # share gave on every evaluation pool (<= 10k documents).
    block_max_postings: int = 200
    # A line found verbatim in at least this many documents is boilerplate. Off -> Multi-News
    # .851 (its archive notices and "Tweet with a location" pages join each other); 2 would also
    # strip wire copy shared by two outlets.
    boilerplate_min_docs: int = 3
    # A page made only of repeated lines but at least this long is a syndicated copy of an
    # article, compared in full; shorter ones are notices. Multi-News notices have <= 45 content
    # tokens, articles >= 100.
    syndicated_min_tokens: int = 100
    # Size of the fixed random sample each document's background similarity is measured on, and
    # the unrelated documents (similarity 0) added to it, so that in a pool of a few documents -
    # where the sample is mostly the document's own story - the story does not read as
    # background. No effect on the four sets (<= .001); without it three reports of one strike,
    # grouped alone, come out as three stories (tests/test_stories.py).
    background_sample: int = 200
    background_prior: int = 20
    # Documents further apart than this in publication date are never one story: a group's
    # dated members never span more days. Not tuned: the evaluation sets carry no dates.
    max_days_apart: int = 10
    # A page without a title whose body opens with a line of at most this many words standing
    # alone (a headline kept as text, as on every NeuS page) has that line counted as its title in
    # the word view; 0 turns it off (.948/.872/.863/.769 against .948/.872/.875/.772 with 25; 15
    # and 40 within .003 of 25). The character view keeps reading the title only: with the
    # headline there as well, NeuS val .873 and Multi-News .870.
    headline_max_words: int = 25
    # Figures ("1,200", "3.5", "176") count as words in the word view: casualties, votes and sums
    # tell one development of a saga from the next. Off -> .948/.872/.875/.772; the pooled check's
    # DUC 2004 F1 goes from .893 to .909 with them.
    numbers: bool = True
    # Pages whose word views are at least this close are copies of one text (a reprint cut short,
    # a page with a passage pasted in) and weigh as one page together - in the background a
    # page is measured on, and when stories are chosen: three copies of one article are one
    # origin, not a dense sub-story that splits from the rest of its story, and in a small pool
    # ten reprints of one page do not make its story read as background. Near-duplicates are
    # already one page here; this catches the copies MinHash misses. On the core issue's pooled
    # check (Multi-News / DUC 2004 / NeuS Iraq-Iran / NeuS full) .866/.905/.835/.773 with it and
    # without it (1.01); the seeds with six cut copies of one of them, or among the reliability
    # run's damaged copies: one story with it, two without.
    copy_similarity: float = 0.7


@dataclass(frozen=True, slots=True)
class GroupingInput:
    """What grouping needs of one article."""

    id: str
    title: str
    body: str
    language: str = "en"
    published: date | None = None
    # Pages this one stands for: itself and the near-duplicates of it set aside before grouping.
    # Boilerplate is told by how many pages repeat a line, so the copies still count there.
    copies: int = 1


def group(docs: Sequence[GroupingInput], settings: GroupingSettings | None = None) -> list[list[str]]:
    """Stories as sorted lists of document ids; each language is grouped on its own, never mixed."""
    settings = settings or GroupingSettings()
    by_language: dict[str, list[GroupingInput]] = defaultdict(list)
    for doc in docs:
        by_language[doc.language].append(doc)
    groups: list[list[str]] = []
    for language in sorted(by_language):
        # Sorted by id so that the result does not depend on the order documents came in.
        pool = sorted(by_language[language], key=lambda d: d.id)
        groups.extend(_group_one_language(pool, settings))
    return sorted((sorted(g) for g in groups), key=lambda g: g[0])


# --- text -------------------------------------------------------------------------------------

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                         "\u2013": "-", "\u2014": "-", "\u00a0": " "})
_WORD = re.compile(r"[^\W\d_]+(?:[.'][^\W\d_]+)*", re.UNICODE)


def _prepare(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_QUOTES)


def _stem(word: str) -> str:
    """Plural to singular: the inflection that most often splits one story's vocabulary."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _words(text: str) -> list[str]:
    """Lowercased content words ("U.S." -> "us", possessives dropped), stopwords removed."""
    stop = stopwords()
    out = []
    for word in _WORD.findall(_prepare(text)):
        word = word.lower().replace(".", "").replace("'s", "").replace("'", "")
        if len(word) > 1 and word not in stop:
            out.append(word)
    return out


def _tokens(text: str) -> list[str]:
    return [_stem(w) for w in _words(text)]


_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*")


def _number_tokens(text: str) -> list[str]:
    """Figures as tokens ("1,200" -> "1200"): counts, sums and scores are often what tells one
    event from the next on the same subject."""
    return [f"#{m.group().replace(',', '')}" for m in _NUMBER.finditer(text)]


def _headline(doc: GroupingInput, body: str | None, settings: GroupingSettings) -> str:
    """The title, or when the page has none, a short first line of the body standing alone (a
    headline the cleaner kept as text); it is then counted once more, not removed from the body."""
    if doc.title or not body or settings.headline_max_words <= 0:
        return doc.title
    first = body.lstrip().split("\n", 1)[0]
    if len(first.split()) <= settings.headline_max_words and "\n" in body.lstrip():
        return first
    return ""


def _strip_shared_lines(bodies: list[str], settings: GroupingSettings, copies: Sequence[int] | None = None
                        ) -> list[str | None]:
    """Bodies without lines repeated across the pool; None for a page that is nothing else
    (an empty body stays empty: the title may still place the document).

    A line seen in `boilerplate_min_docs` documents or more is furniture of the sites, not news;
    a body counts as `copies` documents (one by default). A long page made only of such lines is
    a syndicated copy of a wire story and is kept whole.
    """
    def key(line: str) -> str:
        return " ".join(line.lower().split())

    lines = [[line for line in body.splitlines() if line.strip()] for body in bodies]
    seen: Counter[str] = Counter()
    for doc_lines, count in zip(lines, copies or [1] * len(bodies), strict=True):
        for k in {key(line) for line in doc_lines}:
            seen[k] += count
    return [body_without_shared(body, doc_lines,
                                [seen[key(line)] >= settings.boilerplate_min_docs for line in doc_lines],
                                settings)
            for body, doc_lines in zip(bodies, lines, strict=True)]


def body_without_shared(body: str, lines: Sequence[str], shared: Sequence[bool], settings: GroupingSettings
                        ) -> str | None:
    """A body's non-blank `lines` without the `shared` ones (see _strip_shared_lines); the whole
    body when it is mostly shared and article-long (a reprint: its lines are shared because the
    article is); None when nothing is left of a short page."""
    kept = [line for line, is_shared in zip(lines, shared, strict=True) if not is_shared]
    if len(kept) == len(lines):
        return "\n".join(kept)
    # Words never span lines, so the shared lines' words are counted on them alone: the short
    # furniture of most pages costs little, and the kept part is read only for a long shared part.
    shared_words = len(_words("\n".join(line for line, is_shared in zip(lines, shared, strict=True)
                                         if is_shared)))
    if shared_words >= settings.syndicated_min_tokens and shared_words >= len(_words("\n".join(kept))):
        return body
    return "\n".join(kept) if kept else None


# --- similarity -------------------------------------------------------------------------------

def _tfidf(counts: sparse.spmatrix) -> sparse.csr_matrix:
    """Sublinear TF x smoothed IDF, rows L2-normalised."""
    counts = counts.tocsr().astype(np.float32)
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = (np.log((1 + counts.shape[0]) / (1 + df)) + 1).astype(np.float32)
    counts.data = 1 + np.log(counts.data)
    return normalize(counts @ sparse.diags(idf)).tocsr()


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def _word_matrix_from_tokens(tokens: list[list[str]]) -> sparse.csr_matrix:
    return _tfidf(CountVectorizer(analyzer=_identity, dtype=np.float32).fit_transform(tokens))


def _doc_tokens(doc: GroupingInput, body: str, settings: GroupingSettings,
                body_words: list[str] | None = None) -> list[str]:
    """The word view's tokens: the headline's `title_weight` times, then the body's
    (`body_words` are _words(body) when the caller has them)."""
    body_tokens = [_stem(w) for w in (_words(body) if body_words is None else body_words)]
    return (_tokens(_headline(doc, body, settings)) * settings.title_weight + body_tokens
            + (_number_tokens(doc.title + "\n" + body) if settings.numbers else []))


def _word_matrix(docs: list[GroupingInput], bodies: list[str], settings: GroupingSettings
                 ) -> sparse.csr_matrix:
    """Word TF-IDF rows of the documents (see `_doc_tokens`)."""
    return _word_matrix_from_tokens([_doc_tokens(d, b, settings) for d, b in zip(docs, bodies, strict=True)])


def _char_text(doc: GroupingInput, body_words: list[str], settings: GroupingSettings) -> str:
    """What the character view reads: content words only (title twice), the body's cut short."""
    return (" ".join(_words(doc.title)) + " ") * 2 + " ".join(body_words)[:settings.char_lead]


def _char_matrix(texts: list[str]) -> sparse.csr_matrix:
    """Character 4-gram TF-IDF rows of the character view's texts (see `_char_text`)."""
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(4, 4), sublinear_tf=True,
                                 dtype=np.float32)
    return vectorizer.fit_transform(texts).tocsr()


def candidate_pairs(matrix: sparse.csr_matrix, settings: GroupingSettings,
                    chunk_rows: int = 2000) -> np.ndarray:
    """Pairs (i < j) that list a distinctive term in common: the blocking that keeps grouping
    sub-quadratic.

    Each document lists its `block_terms` heaviest terms that are neither unique nor topic-wide
    (in more than `block_max_postings` documents). Work and output are the sum over terms of
    (documents listing the term)^2 <= n * block_terms * block_max_postings, done in row chunks so
    memory stays bounded: linear in n, and far below n^2 / 2 in practice (rare terms are listed
    by few documents).
    """
    n_docs = matrix.shape[0]
    df = np.bincount(matrix.indices, minlength=matrix.shape[1])
    rows, cols = [], []
    for i in range(n_docs):
        start, end = matrix.indptr[i], matrix.indptr[i + 1]
        terms, weights = matrix.indices[start:end], matrix.data[start:end]
        usable = (df[terms] > 1) & (df[terms] <= settings.block_max_postings)
        terms, weights = terms[usable], weights[usable]
        if len(terms) > settings.block_terms:
            terms = terms[np.argpartition(-weights, settings.block_terms)[:settings.block_terms]]
        rows.append(np.full(len(terms), i, dtype=np.int64))
        cols.append(terms.astype(np.int64))
    row_ids = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    col_ids = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    listed = sparse.csr_matrix((np.ones(len(row_ids), dtype=np.float32), (row_ids, col_ids)),
                               shape=matrix.shape)
    listed_t = listed.T.tocsc()
    keys = []
    for lo in range(0, n_docs, chunk_rows):
        co = (listed[lo:lo + chunk_rows] @ listed_t).tocoo()
        left, right = co.row.astype(np.int64) + lo, co.col.astype(np.int64)
        keep = left < right  # each unordered pair once: (j, i) is also found from row j
        keys.append(left[keep] * n_docs + right[keep])
    if not keys:
        return np.zeros((0, 2), dtype=np.int64)
    keys = np.sort(np.concatenate(keys))  # entries of a sparse product are already distinct
    return np.stack([keys // n_docs, keys % n_docs], axis=1)


def _pair_similarities(matrix: sparse.csr_matrix, pairs: np.ndarray, max_rows: int = 512,
                       max_pairs: int = 20_000) -> np.ndarray:
    """Cosine similarity of each pair (rows are L2-normalised).

    Pairs are taken in blocks of consecutive left rows; each block is one sparse product with
    the rows it pairs with, read out densely (at most max_rows x max_pairs cells at a time).
    """
    out = np.empty(len(pairs), dtype=np.float32)
    if not len(pairs):
        return out
    order = np.argsort(pairs[:, 0], kind="stable")
    left_rows = pairs[order, 0]
    start = 0
    while start < len(order):
        first = left_rows[start]
        end = min(int(np.searchsorted(left_rows, first + max_rows)), start + max_pairs)
        part = pairs[order[start:end]]
        partners, where = np.unique(part[:, 1], return_inverse=True)
        block = (matrix[first:part[-1, 0] + 1] @ matrix[partners].T).toarray()
        out[order[start:end]] = block[part[:, 0] - first, where]
        start = end
    return out


def _background_sample(n_docs: int, size: int) -> np.ndarray:
    """A fixed pseudo-random sample of the pool: the background every document is measured on."""
    rng = np.random.default_rng(0)
    return np.sort(rng.choice(n_docs, size=min(size, n_docs), replace=False))


def _mean_similarity(matrix: sparse.csr_matrix, sample: np.ndarray, prior: int,
                     weights: np.ndarray) -> np.ndarray:
    """Each row's mean cosine similarity to the sample rows (itself left out), each sample row
    counted at its copy weight, with `prior` unrelated documents (similarity 0) added: in a pool
    of a handful the sample is mostly the document's own story, which is no background, and ten
    reprints of one page are one page of it."""
    sims = (matrix @ matrix[sample].T).toarray()
    sims[sample, np.arange(len(sample))] = 0.0
    sample_weights = weights[sample]
    own = np.zeros(matrix.shape[0])
    own[sample] = sample_weights
    return (sims @ sample_weights) / (sample_weights.sum() - own + prior)


def _neighbour_level(n_docs: int, pairs: np.ndarray, sims: np.ndarray, background: np.ndarray,
                     ranks: tuple[int, int]) -> np.ndarray:
    """Mean similarity of each document to its neighbours of rank ranks[0]..ranks[1]-1 (0 = the
    nearest), read from the candidate pairs; a rank with no candidate counts at the document's
    background level (blocking already found everything closer, or the pool is that small)."""
    lo, hi = ranks
    doc = np.concatenate([pairs[:, 0], pairs[:, 1]])
    sim = np.concatenate([sims, sims]).astype(np.float64)
    order = np.argsort(-sim, kind="stable")
    order = order[np.argsort(doc[order], kind="stable")]
    doc, sim = doc[order], sim[order]
    first = np.searchsorted(doc, np.arange(n_docs))
    rank = np.arange(len(doc)) - first[doc]
    inside = (rank >= lo) & (rank < hi)
    total = np.bincount(doc[inside], weights=sim[inside], minlength=n_docs)
    count = np.bincount(doc[inside], minlength=n_docs)
    return (total + (hi - lo - count) * np.maximum(background, 0)) / (hi - lo)


# --- clustering -------------------------------------------------------------------------------

def similarity_model(texts: Sequence[str], settings: GroupingSettings | None = None
                     ) -> Callable[[str, str], float]:
    """The pair similarity grouping uses (word and character TF-IDF mixed), fitted on `texts`."""
    settings = settings or GroupingSettings()
    unique = list(dict.fromkeys(texts))
    row = {t: i for i, t in enumerate(unique)}
    docs = [GroupingInput(id=str(i), title="", body=t) for i, t in enumerate(unique)]
    words = _word_matrix(docs, unique, settings)
    chars = _char_matrix([_char_text(d, _words(t), settings) for d, t in zip(docs, unique, strict=True)])
    weight = settings.char_weight

    def similarity(a: str, b: str) -> float:
        if a not in row or b not in row:
            return 0.0
        i, j = row[a], row[b]
        return float((1 - weight) * words[i].multiply(words[j]).sum()
                     + weight * chars[i].multiply(chars[j]).sum())

    return similarity


def _group_one_language(docs: list[GroupingInput], settings: GroupingSettings) -> list[list[str]]:
    stripped = _strip_shared_lines([d.body for d in docs], settings, [d.copies for d in docs])
    # Each body is read into words once, for both views.
    tokens: list[list[str]] = []
    char_texts: list[str] = []
    for doc, body in zip(docs, stripped, strict=True):
        body_words = _words(body) if body is not None else []
        tokens.append(_doc_tokens(doc, body, settings, body_words) if body is not None else [])
        if settings.char_weight > 0:
            char_texts.append(_char_text(doc, body_words, settings))
    live = [i for i in range(len(docs)) if tokens[i]]
    groups = [[docs[i].id] for i in sorted(set(range(len(docs))) - set(live))]
    if len(live) < 2:
        return groups + [[docs[i].id] for i in live]
    pool = [docs[i] for i in live]

    words = _word_matrix_from_tokens([tokens[i] for i in live])
    pairs = candidate_pairs(words, settings)
    word_sims = _pair_similarities(words, pairs)
    sample = _background_sample(len(pool), settings.background_sample)
    weights = _copy_weights(len(pool), pairs[word_sims >= settings.copy_similarity])
    word_background = _mean_similarity(words, sample, settings.background_prior, weights)
    sims, background = word_sims, word_background
    if settings.char_weight > 0:
        chars = _char_matrix([char_texts[i] for i in live])
        near = word_sims >= settings.char_min_word_similarity
        char_sims = np.full(len(pairs), -np.inf, dtype=np.float32)  # far pairs: background
        char_sims[near] = _pair_similarities(chars, pairs[near])
        w = settings.char_weight
        sims = (1 - w) * word_sims + w * char_sims
        char_background = _mean_similarity(chars, sample, settings.background_prior, weights)
        background = (1 - w) * word_background + w * char_background

    shift = settings.density_weight * _neighbour_level(
        len(pool), pairs, word_sims, word_background, settings.density_ranks)
    sims = sims - (shift[pairs[:, 0]] + shift[pairs[:, 1]]) / 2
    background = background - shift
    # Pairs below the floor or the background add little to any average: they count at the
    # background level like the pairs blocking never compared.
    keep = sims >= np.maximum((background[pairs[:, 0]] + background[pairs[:, 1]]) / 2, settings.floor)
    days = np.array([d.published.toordinal() if d.published else -1 for d in pool], dtype=np.int64)
    merges = average_linkage_tree(len(pool), pairs[keep], sims[keep], settings.floor, background,
                                  days, settings.max_days_apart)
    labels = stable_clusters(len(pool), merges, settings.floor, settings.solid,
                             weights=weights)
    out: dict[int, list[str]] = defaultdict(list)
    for index, label in enumerate(labels):
        out[label].append(pool[index].id)
    return groups + list(out.values())


def _copy_weights(n_items: int, copy_pairs: np.ndarray) -> np.ndarray:
    """1 / (pages in its copy set) per page: a set of copies weighs as one page."""
    if not len(copy_pairs):
        return np.ones(n_items)
    graph = sparse.coo_matrix((np.ones(len(copy_pairs)), (copy_pairs[:, 0], copy_pairs[:, 1])),
                              shape=(n_items, n_items))
    _, unit = connected_components(graph, directed=False)
    return 1.0 / np.bincount(unit)[unit]


def average_linkage_tree(n_items: int, pairs: np.ndarray, sims: np.ndarray, floor: float,
                         background: np.ndarray | None = None, days: np.ndarray | None = None,
                         max_days_apart: int = 0) -> list[tuple[int, int, float]]:
    """Average-linkage merges over a sparse similarity graph.

    A pair absent from `pairs` counts as the mean of its two items' `background` (0 when not
    given). With `days` (day ordinals, negative = unknown), two groups whose dated members would
    span more than `max_days_apart` days never merge. Returns the merges in order as
    (node_a, node_b, average similarity); leaves are 0..n-1 and the k-th merge makes node n+k.
    Merging stops when no two linked groups average `floor` or more. Ties break on the smaller
    ids, so the tree is deterministic.
    """
    bg = [0.0] * n_items if background is None else [float(x) for x in background]
    if days is None:
        days = np.full(n_items, -1, dtype=np.int64)
    first = [int(d) if d >= 0 else None for d in days]
    last = list(first)
    node = list(range(n_items))      # representative -> its current tree node
    size = [1] * n_items
    mass = bg[:]                     # sum of background over a group's members
    links: list[dict[int, float]] = [dict() for _ in range(n_items)]
    for (i, j), s in zip(pairs.tolist(), sims.tolist(), strict=True):
        excess = s - (bg[i] + bg[j]) / 2
        links[i][j] = links[i].get(j, 0.0) + excess
        links[j][i] = links[j].get(i, 0.0) + excess

    def average(a: int, b: int, excess: float) -> float:
        return (excess + (size[b] * mass[a] + size[a] * mass[b]) / 2) / (size[a] * size[b])

    def too_far(a: int, b: int) -> bool:
        if first[a] is None or first[b] is None:
            return False
        return max(last[a], last[b]) - min(first[a], first[b]) > max_days_apart

    heap = [(-average(i, j, links[i][j]), i, j) for i in range(n_items) for j in links[i] if i < j]
    heap = [entry for entry in heap if -entry[0] >= floor]
    heapq.heapify(heap)
    alive = [True] * n_items
    merges: list[tuple[int, int, float]] = []
    while heap:
        neg, a, b = heapq.heappop(heap)
        if not (alive[a] and alive[b]):
            continue
        current = average(a, b, links[a].get(b, 0.0))
        if abs(current + neg) > 1e-9 or current < floor:
            continue  # stale entry: the pair's average changed since it was pushed
        if too_far(a, b):
            continue  # date spans only grow, so this pair can never merge
        keep, gone = (a, b) if size[a] > size[b] or (size[a] == size[b] and a < b) else (b, a)
        merges.append((node[a], node[b], current))
        node[keep] = n_items + len(merges) - 1
        alive[gone] = False
        size[keep] += size[gone]
        mass[keep] += mass[gone]
        if first[gone] is not None:
            first[keep] = first[gone] if first[keep] is None else min(first[keep], first[gone])
            last[keep] = last[gone] if last[keep] is None else max(last[keep], last[gone])
        for other, excess in links[gone].items():
            if other == keep:
                continue
            links[keep][other] = links[keep].get(other, 0.0) + excess
            del links[other][gone]
            links[other][keep] = links[keep][other]
        links[keep].pop(gone, None)
        links[gone] = {}
        for other, excess in links[keep].items():
            avg = average(keep, other, excess)
            if avg >= floor:
                heapq.heappush(heap, (-avg, min(keep, other), max(keep, other)))
    return merges


def stable_clusters(n_items: int, merges: list[tuple[int, int, float]], floor: float,
                    solid: float, min_size: int = 2, weights: np.ndarray | None = None) -> list[int]:
    """A label per item: the most persistent groups of the merge tree ("excess of mass").

    Levels are log-similarities clipped to [log floor, log solid]. Walking down from each root,
    a group splits when both sides hold `min_size` items or more; otherwise the smaller side just
    leaves the group at that level. A group's stability is the sum over its items of (level it
    leaves at - level the group was born at). Bottom-up, a group is kept when its stability is
    at least the best total its descendants can offer. Items in no kept group stand alone.
    Log levels make the choice scale-free: what counts is how many times a group's similarity
    can rise before it splits, not by how much in absolute terms, so long texts (low cosines)
    and short ones (high cosines) are treated alike.
    With `weights`, an item counts as its weight in stabilities and in the `min_size` of a
    split (copies of one text weigh one item together); any merge of two items or more can
    still be a story.
    """
    top, bottom = math.log(solid), math.log(max(floor, 1e-12))
    n_nodes = n_items + len(merges)
    count = np.ones(n_nodes, dtype=np.int64)
    size = np.ones(n_nodes) if weights is None else np.concatenate([weights, np.zeros(len(merges))])
    min_size -= 1e-9  # weighted sizes are sums of fractions
    children: dict[int, tuple[int, int]] = {}
    level = np.full(n_nodes, top)
    has_parent = np.zeros(n_nodes, dtype=bool)
    for k, (a, b, s) in enumerate(merges):
        children[n_items + k] = (a, b)
        size[n_items + k] = size[a] + size[b]
        count[n_items + k] = count[a] + count[b]
        level[n_items + k] = min(max(math.log(max(s, 1e-12)), bottom), top)
        has_parent[a] = has_parent[b] = True
    roots = [x for x in range(n_nodes) if not has_parent[x] and count[x] >= 2]
    stability: dict[int, float] = {}
    below: dict[int, list[int]] = {}
    birth: dict[int, float] = {}
    for root in roots:
        birth[root], stability[root], below[root] = bottom, 0.0, []
        stack = [(root, root)]
        while stack:
            node, group_id = stack.pop()
            if node < n_items:  # an item that stays in the group up to the top level
                stability[group_id] += size[node] * (top - birth[group_id])
                continue
            a, b = children[node]
            here = level[node]
            if size[a] >= min_size and size[b] >= min_size:
                stability[group_id] += size[node] * (here - birth[group_id])
                for child in (a, b):
                    birth[child], stability[child], below[child] = here, 0.0, []
                    below[group_id].append(child)
                    stack.append((child, child))
            else:
                for child in (a, b):
                    if count[child] >= 2:
                        stack.append((child, group_id))
                    else:
                        stability[group_id] += size[child] * (here - birth[group_id])
    best: dict[int, tuple[float, list[int]]] = {}
    for group_id in sorted(stability, key=lambda g: (count[g], g)):  # children before parents
        own = stability[group_id]
        if below[group_id]:
            offered = sum(best[k][0] for k in below[group_id])
            if offered > own:
                best[group_id] = (offered, [g for k in below[group_id] for g in best[k][1]])
                continue
        best[group_id] = (own, [group_id])
    labels = list(range(n_items))
    for root in roots:
        for chosen in best[root][1]:
            stack = [chosen]
            while stack:
                node = stack.pop()
                if node < n_items:
                    labels[node] = n_items + chosen
                else:
                    stack.extend(children[node])
    return labels
