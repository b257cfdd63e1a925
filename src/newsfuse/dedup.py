"""Duplicates and syndication: near-duplicate pages, shared passages, wire origins, common sources."""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
from datasketch import MinHash, MinHashLSH

from .model import Article, Citation, CommonSource, SharedPassage, Syndication, content_id
from .text import (
    fold_quotes,
    folded_word_spans,
    folded_words,
    normalize,
    quoted_ranges,
    sentence_spans,
    shingles,
)

# MinHash over word 5-shingles: 128 permutations estimate Jaccard within about ±0.09.
MINHASH_PERMUTATIONS = 128
MINHASH_SEED = 1
# Stated, not defaulted: signatures are stored, and a changed default would silently mismatch.
MINHASH_SCHEME = "affine32"
# Pages at or above this Jaccard are the same text (re-posts, light edits, template changes).
NEAR_DUPLICATE_JACCARD = 0.8
# Sentences are compared when they share this many word 4-grams (a filter, not the verdict).
SENTENCE_SHINGLE = 4
MIN_SHARED_SHINGLES = 2
# A matched run shorter than this many words is a common phrase, not reused text.
MIN_MATCH_WORDS = 6
# Share of a sentence's words that must align to call the sentence shared; AP copy re-edited
# by another outlet ("on Thursday" -> "Thursday", "Gen." -> "general") keeps well above it.
SENTENCE_MATCH_RATIO = 0.6
# Two pages are syndicated copies when they share at least this much unquoted text in at
# least this many sentences. On the seed pages, the AP copy and its reprint share 12
# unquoted sentences (~300 words); pages that only quote one joint statement share none.
SYNDICATION_MIN_WORDS = 40
SYNDICATION_MIN_SENTENCES = 2
# Shared quoted text of this many words or more marks a common primary source.
COMMON_SOURCE_MIN_WORDS = 8
# A passage is quoted when this share of it lies inside quotation marks on both pages.
QUOTED_SHARE = 0.6
# A shingle that occurs in more sentences than this is stock phrasing; it blocks nothing.
MAX_SHINGLE_POSTINGS = 64


@dataclass(frozen=True, slots=True)
class SentenceFingerprint:
    """A sentence of a clean body: its offsets, folded tokens and whether it is quoted."""

    start: int
    end: int
    tokens: tuple[str, ...]
    token_starts: tuple[int, ...]
    token_ends: tuple[int, ...]
    quoted_mask: tuple[bool, ...]


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What duplicate detection needs of one article; computed per page, in parallel."""

    document: str
    body_key: str
    # A tuple; in a grouping pool an array("Q"): 1 KB a page instead of 5 (128 int objects), which
    # was a sixth of a 100,000-page run's peak.
    minhash: Sequence[int]
    sentences: tuple[SentenceFingerprint, ...]
    words: int


@dataclass(frozen=True, slots=True)
class DuplicateReport:
    """The relations found between pages."""

    duplicates: tuple[tuple[str, ...], ...]
    syndication: tuple[Syndication, ...]
    common_sources: tuple[CommonSource, ...]

    def origin_of(self) -> dict[str, str]:
        """Document id -> id of its independent text origin (itself unless it copies others)."""
        origin: dict[str, str] = {}
        for group in self.duplicates:
            for doc in group:
                origin[doc] = group[0]
        for synd in self.syndication:
            root = synd.origin_document or synd.documents[0]
            root = origin.get(root, root)
            for doc in synd.documents:
                origin[doc] = root
        return origin


def fingerprint(article: Article, known: Fingerprint | None = None, *, with_sentences: bool = True
                ) -> Fingerprint:
    """Per-page fingerprint: body key, MinHash signature and sentence token lists.

    `known` is an earlier fingerprint of this same article kept without its sentences (a run's
    grouping pool): its body key, MinHash and word count are taken as they are and only the
    sentences are computed, which saves the body normalisation and the hashing of every shingle.
    Without sentences (`with_sentences=False`, what a grouping pool keeps) only the tokens are
    read, the same tokens in the same order.
    """
    if known is not None:
        if known.document != article.id:
            raise ValueError(f"fingerprint of {known.document} given for {article.id}")
        return replace(known, sentences=tuple(_sentence_fingerprints(article.body)[0]))
    if with_sentences:
        sentences, all_tokens = _sentence_fingerprints(article.body)
    else:
        sentences, all_tokens = [], _sentence_tokens(article.body)
    minhash = MinHash(num_perm=MINHASH_PERMUTATIONS, seed=MINHASH_SEED, scheme=MINHASH_SCHEME,
                      permutations=_permutations())
    # One vectorised batch; the minimum over shingles is order-free, so this equals update() per value.
    minhash.update_batch([value.to_bytes(4, "little") for value in shingles(all_tokens, 5)])
    return Fingerprint(
        document=article.id,
        body_key=content_id(normalize(article.body), prefix="b"),
        minhash=tuple(minhash.hashvalues.tolist()),
        sentences=tuple(sentences),
        words=len(all_tokens),
    )


def _sentence_fingerprints(body: str) -> tuple[list[SentenceFingerprint], list[str]]:
    """The sentences of a body with their tokens, and all its tokens in order."""
    folded = fold_quotes(body)
    ranges = quoted_ranges(body)
    sentences = []
    all_tokens: list[str] = []
    # Quoted mask by one sweep over the sorted, disjoint quoted ranges: token offsets only grow
    # (sentences are in order), so the range pointer only moves forward (was a bisect per token).
    k, n_ranges = -1, len(ranges)
    for start, end in sentence_spans(body):
        spans = folded_word_spans(folded, start, end)
        if not spans:
            continue
        token_starts, token_ends, tokens = zip(*spans, strict=True)
        all_tokens.extend(tokens)
        if n_ranges:
            mask = []
            for a in token_starts:
                while k + 1 < n_ranges and ranges[k + 1][0] <= a:
                    k += 1
                mask.append(k >= 0 and a < ranges[k][1])
            quoted_mask = tuple(mask)
        else:
            quoted_mask = (False,) * len(tokens)
        sentences.append(SentenceFingerprint(
            start=start, end=end, tokens=tokens, token_starts=token_starts, token_ends=token_ends,
            quoted_mask=quoted_mask,
        ))
    return sentences, all_tokens


def _sentence_tokens(body: str) -> list[str]:
    """The tokens of _sentence_fingerprints(body)[1], without building the sentences."""
    folded = fold_quotes(body)
    tokens: list[str] = []
    for start, end in sentence_spans(body):
        tokens.extend(folded_words(folded, start, end))
    return tokens


@lru_cache(maxsize=1)
def _permutations() -> np.ndarray:
    """The MinHash permutation parameters for our seed and scheme, drawn once per process.

    MinHash() draws them from a seeded RandomState on every construction (~0.3 ms each); they
    depend only on (MINHASH_SEED, MINHASH_PERMUTATIONS, MINHASH_SCHEME), so sharing is exact.
    """
    template = MinHash(num_perm=MINHASH_PERMUTATIONS, seed=MINHASH_SEED, scheme=MINHASH_SCHEME)
    permutations = template.permutations
    permutations.setflags(write=False)
    return permutations


@lru_cache(maxsize=1)
def _lsh_params() -> tuple[int, int]:
    """(bands, rows) MinHashLSH picks for NEAR_DUPLICATE_JACCARD and MINHASH_PERMUTATIONS.

    datasketch finds them by numerically integrating false-positive and false-negative rates
    for every (b, r) with b*r <= num_perm: ~35 ms per MinHashLSH, and near_duplicate_groups
    builds one per story. Computed once with the library's own defaults, so results are the same.
    """
    lsh = MinHashLSH(threshold=NEAR_DUPLICATE_JACCARD, num_perm=MINHASH_PERMUTATIONS)
    return lsh.b, lsh.r


def find_duplicates(fingerprints: Sequence[Fingerprint],
                    credits: dict[str, str | None] | None = None) -> DuplicateReport:
    """Exact and near-duplicate pages, syndicated groups with origins, and common-source pairs.

    `credits` maps a document id to its own wire credit (agency) if any; it names the origin
    and flags reuse credited to someone else.
    """
    credits = credits or {}
    by_id = {fp.document: fp for fp in fingerprints}
    duplicates = near_duplicate_groups(fingerprints)
    passages = _shared_passages(fingerprints)
    syndicated_pairs: dict[tuple[str, str], list[SharedPassage]] = {}
    common_pairs: dict[tuple[str, str], list[SharedPassage]] = {}
    for pair, shared in sorted(passages.items()):
        unquoted = [p for p in shared if not p.quoted]
        if (sum(p.words for p in unquoted) >= SYNDICATION_MIN_WORDS
                and len(unquoted) >= SYNDICATION_MIN_SENTENCES):
            syndicated_pairs[pair] = shared
        elif sum(p.words for p in shared if p.quoted) >= COMMON_SOURCE_MIN_WORDS:
            common_pairs[pair] = [p for p in shared if p.quoted]
    syndication = tuple(
        _syndication_group(members, syndicated_pairs, by_id, credits, duplicates)
        for members in components(syndicated_pairs)
    )
    common = tuple(
        CommonSource(documents=members,
                     shared=tuple(p for pair in sorted(common_pairs) if pair[0] in members
                                  for p in common_pairs[pair]))
        for members in components(common_pairs)
    )
    return DuplicateReport(duplicates=duplicates, syndication=syndication, common_sources=common)


def near_duplicate_groups(fingerprints: Sequence[Fingerprint]) -> tuple[tuple[str, ...], ...]:
    """Groups of pages with the same or nearly the same body (MinHash LSH, verified Jaccard)."""
    index = CopyIndex()
    edges: dict[tuple[str, str], None] = {}
    for fp in sorted(fingerprints, key=lambda f: f.document):
        for other in index.copies_of(fp):
            edges[(min(other, fp.document), max(other, fp.document))] = None
        index.add(fp)
    return tuple(components(edges))


def is_near_duplicate(a: Fingerprint, b: Fingerprint) -> bool:
    """Whether two pages are copies of one text, as `near_duplicate_groups` decides a pair."""
    if a.body_key == b.body_key:
        return True
    return a.words > 0 and b.words > 0 and _same_text(np.asarray(a.minhash), np.asarray(b.minhash))


def _same_text(a: np.ndarray, b: np.ndarray) -> bool:
    """MinHash signatures whose Jaccard estimate reaches NEAR_DUPLICATE_JACCARD."""
    return np.count_nonzero(a == b) / MINHASH_PERMUTATIONS >= NEAR_DUPLICATE_JACCARD


class CopyIndex:
    """Pages indexed one at a time, each new page asking which indexed pages it nearly
    duplicates: `near_duplicate_groups` over a growing pool, as a long-lived `add` needs it.

    A page with the body key of an indexed page is its copy (and is not indexed again: the first
    page stands for the key); otherwise MinHash LSH proposes candidates and their Jaccard
    estimate decides. Holds the LSH buckets and a 1 KB signature per page.
    """

    def __init__(self) -> None:
        self._lsh = MinHashLSH(threshold=NEAR_DUPLICATE_JACCARD, num_perm=MINHASH_PERMUTATIONS,
                               params=_lsh_params())
        self._first_of_key: dict[str, str] = {}
        self._signatures: dict[str, np.ndarray] = {}

    def copies_of(self, fp: Fingerprint) -> list[str]:
        """Indexed pages `fp`'s page is a near-duplicate of, sorted."""
        first = self._first_of_key.get(fp.body_key)
        if first is not None:
            return [first]
        if fp.words == 0:
            return []
        signature = self._minhash(fp)
        return sorted(other for other in self._lsh.query(signature)
                      if _same_text(self._signatures[other], signature.hashvalues))

    def add(self, fp: Fingerprint) -> None:
        """Index a page (a page whose body key is indexed already stays represented by that page)."""
        if fp.body_key in self._first_of_key:
            return
        self._first_of_key[fp.body_key] = fp.document
        if fp.words == 0:
            return
        signature = self._minhash(fp)
        self._lsh.insert(fp.document, signature)
        self._signatures[fp.document] = signature.hashvalues

    @staticmethod
    def _minhash(fp: Fingerprint) -> MinHash:
        return MinHash(num_perm=MINHASH_PERMUTATIONS, seed=MINHASH_SEED, hashvalues=fp.minhash,
                       scheme=MINHASH_SCHEME, permutations=_permutations())


def components(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, ...]]:
    """Connected components of the pairs, each sorted, in sorted order (union-find)."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = defaultdict(list)
    for x in list(parent):
        groups[root(x)].append(x)
    return sorted(tuple(sorted(g)) for g in groups.values())


def _shared_passages(fingerprints: Sequence[Fingerprint]) -> dict[tuple[str, str], list[SharedPassage]]:
    """Sentence pairs on different pages that carry the same text, as aligned spans."""
    if len(fingerprints) < 2:  # a story of one page, the commonest kind
        return {}
    postings: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for d, fp in enumerate(fingerprints):
        for s, sentence in enumerate(fp.sentences):
            for value in shingles(sentence.tokens, SENTENCE_SHINGLE):
                postings[value].append((d, s))
    counts: dict[tuple[int, int, int, int], int] = defaultdict(int)
    for posting in postings.values():
        if len(posting) < 2 or len(posting) > MAX_SHINGLE_POSTINGS:
            continue
        for x in range(len(posting)):
            for y in range(x + 1, len(posting)):
                (d1, s1), (d2, s2) = posting[x], posting[y]
                if d1 != d2:
                    counts[(d1, s1, d2, s2)] += 1
    out: dict[tuple[str, str], list[SharedPassage]] = defaultdict(list)
    for (d1, s1, d2, s2), count in sorted(counts.items()):
        if count < MIN_SHARED_SHINGLES:
            continue
        f1, f2 = fingerprints[d1], fingerprints[d2]
        passage = _align(f1, f1.sentences[s1], f2, f2.sentences[s2])
        if passage is None:
            continue
        if f1.document > f2.document:
            passage = SharedPassage(left=passage.right, right=passage.left,
                                    words=passage.words, quoted=passage.quoted)
        out[tuple(sorted((f1.document, f2.document)))].append(passage)
    return {pair: sorted(ps, key=lambda p: p.left) for pair, ps in out.items()}


def _align(f1: Fingerprint, a: SentenceFingerprint, f2: Fingerprint,
           b: SentenceFingerprint) -> SharedPassage | None:
    n_a, n_b = len(a.tokens), len(b.tokens)
    if a.tokens == b.tokens:
        # Verbatim copies (most reprinted sentences): difflib would return the one whole block.
        if n_a < max(2, MIN_MATCH_WORDS):
            return None
        matched, a_lo, a_hi, b_lo, b_hi = n_a, 0, n_a - 1, 0, n_b - 1
    else:
        # Every aligned word is a word the two sentences share, so the multiset overlap bounds
        # `matched` from above: a pair that fails the tests on the bound fails them on difflib.
        shared = (Counter(a.tokens) & Counter(b.tokens)).total()
        if shared < MIN_MATCH_WORDS or shared < SENTENCE_MATCH_RATIO * min(n_a, n_b):
            return None
        matcher = difflib.SequenceMatcher(a=a.tokens, b=b.tokens, autojunk=False)
        blocks = [m for m in matcher.get_matching_blocks() if m.size >= 2]
        matched = sum(m.size for m in blocks)
        if matched < MIN_MATCH_WORDS or not blocks:
            return None
        if matched < SENTENCE_MATCH_RATIO * min(n_a, n_b):
            return None
        first, last = blocks[0], blocks[-1]
        a_lo, a_hi = first.a, last.a + last.size - 1
        b_lo, b_hi = first.b, last.b + last.size - 1
    quoted_a = sum(a.quoted_mask[a_lo:a_hi + 1]) / (a_hi - a_lo + 1)
    quoted_b = sum(b.quoted_mask[b_lo:b_hi + 1]) / (b_hi - b_lo + 1)
    return SharedPassage(
        left=Citation(f1.document, a.token_starts[a_lo], a.token_ends[a_hi]),
        right=Citation(f2.document, b.token_starts[b_lo], b.token_ends[b_hi]),
        words=matched,
        quoted=quoted_a >= QUOTED_SHARE and quoted_b >= QUOTED_SHARE,
    )


def _unshared_inside(fp: Fingerprint, shared: Sequence[Citation]) -> int:
    """Characters of the page's sentences that stand between its first and last shared passage
    with another page but share nothing with it."""
    if not shared:
        return 0
    first, last = min(c.start for c in shared), max(c.end for c in shared)
    return sum(sentence.end - sentence.start for sentence in fp.sentences
               if first <= sentence.start and sentence.end <= last
               and not any(c.start < sentence.end and sentence.start < c.end for c in shared))


def _syndication_group(members: tuple[str, ...],
                       pairs: dict[tuple[str, str], list[SharedPassage]],
                       by_id: dict[str, Fingerprint], credits: dict[str, str | None],
                       duplicates: tuple[tuple[str, ...], ...]) -> Syndication:
    """Name the likely origin: the copy that holds what the others cut, then the most complete.

    A republisher trims wire copy and adds lines of its own, so a reprint can be as long as its
    origin and contain as much of it. What gives it away is where its text differs: the sentences
    it cut stand in the origin between passages the two share, while the reprint reads straight
    through them. Of each pair, the copy with more of its own text inside the shared run holds the
    cut sentences; the origin is the copy that does so against the most others.
    """
    contained: dict[str, float] = defaultdict(float)
    holds_cuts: dict[str, int] = defaultdict(int)
    for (a, b), shared in pairs.items():
        if a not in members:
            continue
        words = sum(p.words for p in shared)
        # words/len(b) is how much of b stands in a: a "contains" b by that share.
        contained[a] += words / max(1, by_id[b].words)
        contained[b] += words / max(1, by_id[a].words)
        inside_a = _unshared_inside(by_id[a], [p.left for p in shared])
        inside_b = _unshared_inside(by_id[b], [p.right for p in shared])
        if inside_a != inside_b:
            holds_cuts[a if inside_a > inside_b else b] += 1
    member_credits = {d: credits.get(d) for d in members}
    credited = [d for d in members if member_credits[d]]
    # When exactly one copy carries a wire credit, the credit names the copy from the wire.
    sole_credit = credited[0] if len(credited) == 1 else None
    origin_doc = max(members, key=lambda d: (d == sole_credit, holds_cuts[d], contained[d],
                                             by_id[d].words, d))
    others = [d for d in members if d != origin_doc]
    share = contained[origin_doc] / max(1, len(others))
    reason = (f"holds on average {share:.0%} of the other copies' text and is the most complete "
              f"copy ({by_id[origin_doc].words} words)")
    if holds_cuts[origin_doc]:
        cutters = ("the other copy" if len(others) == 1
                   else f"{holds_cuts[origin_doc]} of the other {len(others)} copies")
        reason = (f"holds sentences {cutters} cut between passages they share, and on average "
                  f"{share:.0%} of the other copies' text")
    if origin_doc == sole_credit:
        reason = (f"the only copy credited to a wire ({member_credits[origin_doc]}); it holds on average "
                  f"{share:.0%} of the other copies' text")
    origin_agency = member_credits.get(origin_doc)
    if origin_agency is None:
        named = {c for c in member_credits.values() if c}
        origin_agency = named.pop() if len(named) == 1 else None
    miscredited = tuple(d for d in members
                        if origin_agency and member_credits[d] and member_credits[d] != origin_agency)
    shared = tuple(p for pair in sorted(pairs) if pair[0] in members for p in pairs[pair])
    near_copies = any(set(members) <= set(group) for group in duplicates)
    return Syndication(
        id=content_id(*members, prefix="s"),
        documents=members,
        origin=origin_agency or origin_doc,
        origin_document=origin_doc,
        origin_reason=reason,
        credits=member_credits,
        miscredited=miscredited,
        shared=shared,
        relation="near-duplicate" if near_copies else "syndicated",
    )
