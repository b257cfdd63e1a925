"""Check any text against the stored sources, claim by claim.

`verify(store, text)` splits the text into claims (its sentences) and, for each, looks up the
stored sentences that share its words, then judges:

* **supported** — one source sentence, or up to MAX_PARTS sentences of one story read together
  (each carrying PART_COVERAGE), states SUPPORT_COVERAGE of the claim's content words and its
  names ("Paris": a place the sources never name is the claim's own fact), with no negation or
  antonym between them, every figure of the claim matched by a figure of the same measure
  ("some 5,200 troops" by "5,200 troops"); a quotation found word for word with its speaker
  supports its claim too. Who reported a claim ("..., the Independent reports") is left out;
* **conflicting** — a sentence about the same thing (CONFLICT_COVERAGE of the claim's words)
  says the opposite: a negation on one side only bearing on what the claim says ("a binding
  resolution" / "a non-binding resolution", "a timeline ... was agreed" / "a timeline ... was
  not discussed"), an antonym ("rose" / "fell"), a figure of the same measure that cannot be the
  claim's in a sentence saying nearly the same ("9,000 troops" / "5,200 troops"), another day
  or month ("launched talks on Friday" / "... on Thursday"), or the claim's quotation in other
  words (a reworded quote);
* **misattributed** — the claim's quotation stands in the sources, word for word or nearly, but
  the sources give it to another named person;
* **no_evidence** — nothing above.

Figures that agree only loosely ("more than 5,000" beside "some 5,200") are shown as conflicts
of kind `compatible-imprecise` without changing a verdict; a speaker named another way ("Kadhimi"
for "Mustafa al-Kadhimi") is shown as kind `alias`. Every support and conflict entry carries the
citation of its source span (clean body and raw page offsets) and the story that holds it.

Retrieval never scans the store: sentences are kept in an SQLite FTS5 table (porter stemming)
beside the store's own tables, filled once per stored document and ranked by BM25; only the
best RETRIEVED sentences of each claim are read. A PostgreSQL store keeps them in its own
full-text search (`english` configuration: Snowball stemming), ranked by the summed BM25 weight
of the claim's words each sentence holds. Word rules are deliberately light: a suffix
stemmer, a short synonym list (expel/oust, troops/forces, Iraqi/Iraq), negation cues, antonym
pairs. No model is used.
"""

from __future__ import annotations

import math
import re
import sqlite3
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from .analyze.figures import Figure, compare, figures
from .analyze.quotes import quotes
from .model import Article, Metadata, to_plain
from .pipeline import MAX_ANALYSED_CHARS
from .store.base import Store, is_postgres_url, open_store
from .text import fold_quotes, sentence_spans, stopwords, word_spans, words

VERDICTS = ("supported", "conflicting", "misattributed", "no_evidence")
# Sentences read per claim, best BM25 first: enough to hold every page's wording of one fact.
RETRIEVED = 40
# Share of a claim's content words a source must state to support it. Multi-News summary
# sentences against their own and another cluster's store (the bench): precision 0.997, recall
# 0.62 at 0.5; raising it to 0.6 costs about 5 points of recall for no precision.
SUPPORT_COVERAGE = 0.5
# Share a source sentence must share with the claim to be "about the same thing" when it
# negates it, or states another figure for the same measure.
CONFLICT_COVERAGE = 0.6
# Another figure for the same measure contradicts only a sentence saying nearly the same thing:
# "12% of couples paid" and "71% of couples accessed" are two facts, not one in dispute.
FIGURE_CONFLICT_COVERAGE = 0.7
# A support read from several sentences of one story: each must carry this share on its own.
PART_COVERAGE = 0.15
MAX_PARTS = 3
# ... and at least this many of its words: one shared word is a coincidence, not a part.
PART_WORDS = 2
# A claim with fewer content words than this ("I have to look out for him.") is supported only
# by a sentence holding its words verbatim: a few words are found on too many pages.
MIN_CONTENT_WORDS = 4
# A negation cue counts for the shared words when it stands this many words around them.
NEGATION_REACH = 4
# Quotations: the same quote when their content words overlap this much (as analyze.quotes).
QUOTE_MATCH = 0.6
# A quotation with one content word in this many that the speaker did not say is still theirs.
QUOTE_EDIT_EVERY = 8
# Quotations shorter than this (in words) are phrases, not statements (as in analyze.quotes).
MIN_QUOTE_WORDS = 4
# Days and months: a sentence saying the same as the claim on another day is a conflict ("may"
# is left out: it is more often a verb). As names they do not count: sources give dates many ways.
_WEEKDAYS = frozenset(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))
_MONTHS = frozenset(("january", "february", "march", "april", "june", "july", "august", "september",
                     "october", "november", "december"))
_CALENDAR = _WEEKDAYS | _MONTHS | {"may", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
                                   "oct", "nov", "dec"}
# Lowercase parts of personal names ("Mustafa al-Kadhimi", "Ludwig van Beethoven").
_NAME_PARTICLES = frozenset(("al", "el", "bin", "ibn", "van", "von", "de", "da", "del", "der", "di", "du",
                             "le", "la"))
# Cues of a written source rather than a speaker ("..., notes USA Today").
_WRITTEN_CUES = frozenset(("notes", "noted", "writes", "wrote", "reads", "read", "reports", "reported"))
# Two spellings of one word ("honor"/"honour", "Tulowitzki"/"Tulowizki"), rapidfuzz ratio.
SPELLING_RATIO = 80
# Words after a figure that name what it counts ("5,200 US troops": us, troops).
MEASURE_WORDS = 3

_NEGATIONS = frozenset(("no", "not", "never", "nowhere", "nt", "without", "none", "nor", "neither", "non",
                        "nobody", "nothing", "cannot", "didnt", "doesnt", "dont", "isnt", "wasnt", "werent",
                        "arent", "wont", "hasnt", "havent", "hadnt", "couldnt", "wouldnt", "denied",
                        "denies", "deny", "refused", "rejected"))
# Stems of participles a statement turns on: "was agreed", "was not discussed".
_PARTICIPLES = frozenset((
    "agre", "discuss", "decid", "approv", "reject", "sign", "accept", "confirm", "announc", "reach",
    "settl", "resolv", "set", "chosen", "elect", "pass", "adopt", "ratifi", "finaliz", "conclud", "plann",
    "schedul", "arrang", "negotiat", "order", "charg", "arrest", "convict", "found", "kill",
))
# "no matter", "not only", "no doubt", "No. 21": a negation word that negates nothing.
_NOT_NEGATING = frozenset(("matter", "only", "doubt", "less", "sooner"))
# Pairs of words (stems) that cannot both hold of one thing.
_ANTONYMS = (
    ("agre", "reject"), ("accept", "reject"), ("approv", "reject"), ("rise", "fall"),
    ("rose", "fell"), ("increas", "decreas"), ("rais", "cut"), ("win", "lose"), ("won", "lost"),
    ("allow", "ban"), ("higher", "lower"), ("more", "fewer"), ("gain", "loss"),
    ("acquit", "convict"), ("guilty", "innocent"), ("resign", "appoint"), ("arriv", "depart"),
    ("includ", "exclud"), ("legal", "illegal"), ("confirm", "deni"), ("success", "fail"),
)
_ANTONYM = {a: b for pair in _ANTONYMS for a, b in (pair, pair[::-1])}
# Words news copy uses for one another; each maps to one canonical stem.
_SYNONYMS = {
    "oust": "expel", "remov": "expel", "forc": "troop", "soldier": "troop", "lawmak": "parliament",
    "legislator": "parliament", "legislatur": "parliament", "negotiat": "talk", "dialogu": "talk",
    "iraqi": "iraq", "iranian": "iran", "american": "usa", "america": "usa",
    "slain": "kill", "died": "kill", "dead": "kill", "death": "kill", "said": "say", "says": "say",
    "held": "hold", "met": "meet", "meeting": "meet", "began": "begin", "begun": "begin",
    "chose": "choos", "elected": "elect", "ballot": "vote",
    "pct": "percent", "mln": "million", "bn": "billion",
    "kilometr": "kilometer", "km": "kilometer", "childr": "child", "peopl": "person",
    "persons": "person", "men": "man", "women": "woman",
    # Demonyms: "Iraqi lawmakers" state something about Iraq.
    "british": "britain", "uk": "britain", "french": "france", "german": "germany", "chinese": "china",
    "russian": "russia", "japanese": "japan", "israeli": "israel", "syrian": "syria", "afghan": "afghanistan",
    "pakistani": "pakistan", "mexican": "mexico", "canadian": "canada", "european": "europe",
    "african": "africa", "italian": "italy", "spanish": "spain", "swedish": "sweden", "danish": "denmark",
    "korean": "korea", "indian": "india", "turkish": "turkey", "egyptian": "egypt", "australian": "australia",
    "palestinian": "palestin", "ukrainian": "ukraine", "swiss": "switzerland", "dutch": "netherland",
    "norwegian": "norway", "irish": "ireland", "scottish": "scotland", "brazilian": "brazil",
}
_SUFFIXES = ("ations", "ation", "ions", "ion", "ings", "ing", "ers", "ies", "ied", "ed", "es", "ly", "s", "e")
_COUNTRY_PHRASES = re.compile(r"\bUnited States(?: of America)?\b|\bU\.S\.A?\.?(?=\W|$)")
# The sentence index: a contentless FTS5 table (the words only; the text stays in the store's
# bodies) whose rowids are the sentences' spans, and the documents indexed so far.
_INDEX_SCHEMA = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS verify_sentences USING fts5("
    "text, content = '', tokenize = 'porter unicode61 remove_diacritics 2')",
    "CREATE TABLE IF NOT EXISTS verify_spans (id INTEGER PRIMARY KEY, document TEXT NOT NULL,"
    " start INTEGER NOT NULL, stop INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS verify_documents (id TEXT PRIMARY KEY)",
)
_QUERY_WORD = re.compile(r"\w{2,}")
# Who reported a claim is not part of it: "..., the Independent reports", "According to the AP,",
# "she tells Smithsonian", "per the Times". Sources never name the outlet that retold them, so
# these words are left out of what a source must state.
_NAME_RUN = r"(?:the\s+)?[A-Z][\w.&'\u2019-]*(?:\s+(?:of\s+)?[A-Z][\w.&'\u2019-]*){0,4}"
_REPORTING = (r"reports?|reported|notes?|noted|explains?|explained|writes?|wrote|says?|said|tells?|told"
              r"|adds?|added|observes?|points out|recalls?|quips?|per")
_ATTRIBUTION = re.compile(
    rf",?\s*{_NAME_RUN}\s+(?:{_REPORTING})(?=\s*[.;:!?\u201d\"]*\s*$)"
    rf"|,?\s*(?:{_REPORTING})\s+{_NAME_RUN}(?=\s*[.;:!?]*\s*$)"
    rf"|\b(?:[Aa]ccording to|[Pp]er)\s+{_NAME_RUN},?"
    rf"|\b(?:tells?|told|reports?|reported)\s+{_NAME_RUN}"
    rf"|\bvia\s+{_NAME_RUN}")


def stem(token: str) -> str:
    """A light stem of a lowercased token, mapped through the synonym list."""
    if token in _SYNONYMS:
        return _SYNONYMS[token]
    if token.endswith("s") and token[:-1] in _SYNONYMS:  # "soldiers" before "-ers" cuts it
        return _SYNONYMS[token[:-1]]
    base = token
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            base = token[: -len(suffix)]
            break
    return _SYNONYMS.get(base, base)


@dataclass(frozen=True, slots=True)
class _Tokens:
    """A text's word tokens (with offsets), stems and which are content words."""

    spans: tuple[tuple[int, int, str], ...]
    stems: tuple[str, ...]

    @classmethod
    def of(cls, text: str) -> _Tokens:
        # "United States", "U.S." and "US" are one word for comparison, "usa" (not the pronoun
        # "us", a stopword); offsets are kept, so spans still point into text.
        folded = _COUNTRY_PHRASES.sub(lambda m: "US".ljust(len(m.group())), fold_quotes(text))
        spans = tuple((a, b, "usa" if folded[a:b] == "US" else t) for a, b, t in word_spans(folded))
        return cls(spans, tuple(stem(t) for _, _, t in spans))

    def content(self) -> list[str]:
        stop = stopwords()
        return [s for (_, _, t), s in zip(self.spans, self.stems, strict=True)
                if t not in stop and s not in stop and t not in _NEGATIONS and not t[0].isdigit()
                and len(t) > 1]


# --- the sentence index ------------------------------------------------------------------------


def _query_terms(text: str) -> list[str]:
    """The words a claim is looked up by: lower-cased, no stopwords ("US" is the country, but as
    a word it is the pronoun's spelling)."""
    return sorted({w.lower() for w in _QUERY_WORD.findall(text)} - stopwords() - {"us"})


class SentenceIndex:
    """Every stored document's sentences in an FTS5 table, filled as documents arrive.

    The tables live in the store's file (tables of this module's own, created here), so the
    index is built once and grows with the store; an in-memory store gets a private in-memory
    index (":memory:" opens a new database on every connection).
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self._db = sqlite3.connect(store.path, isolation_level=None, timeout=30)
        for statement in _INDEX_SCHEMA:
            self._db.execute(statement)

    def close(self) -> None:
        """Close the index connection (the store stays open)."""
        self._db.close()

    def sync(self) -> int:
        """Index the stored documents not indexed yet; returns how many were added."""
        known = {row[0] for row in self._db.execute("SELECT id FROM verify_documents")}
        fresh = [d for d in self._store.document_ids() if d not in known]
        if not fresh:
            return 0
        self._db.execute("BEGIN IMMEDIATE")
        try:
            for document_id in fresh:
                article = self._store.get_article(document_id)
                if article is not None:
                    body = article.body[:MAX_ANALYSED_CHARS]
                    for a, b in sentence_spans(body):
                        rowid = self._db.execute(
                            "INSERT INTO verify_spans (document, start, stop) VALUES (?, ?, ?)",
                            (document_id, a, b)).lastrowid
                        self._db.execute("INSERT INTO verify_sentences (rowid, text) VALUES (?, ?)",
                                         (rowid, body[a:b]))
                self._db.execute("INSERT INTO verify_documents (id) VALUES (?)", (document_id,))
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
        return len(fresh)

    def size(self) -> int:
        """How many sentences are indexed."""
        return int(self._db.execute("SELECT COUNT(*) FROM verify_spans").fetchone()[0])

    def search(self, text: str, limit: int = RETRIEVED) -> list[tuple[str, int, int]]:
        """(document, start, end) of the sentences sharing most (rare) words with text, best first."""
        terms = _query_terms(text)
        if not terms:
            return []
        query = " OR ".join(f'"{t}"' for t in terms)
        rows = self._db.execute(
            "SELECT s.document, s.start, s.stop FROM verify_sentences JOIN verify_spans s"
            " ON s.id = verify_sentences.rowid WHERE verify_sentences MATCH ?"
            " ORDER BY bm25(verify_sentences) LIMIT ?", (query, limit))
        return [(d, int(a), int(b)) for d, a, b in rows]


_PG_INDEX_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS verify_spans (id BIGSERIAL PRIMARY KEY, document TEXT NOT NULL,"
    " start INTEGER NOT NULL, stop INTEGER NOT NULL, tsv TSVECTOR NOT NULL)",
    "CREATE INDEX IF NOT EXISTS verify_spans_tsv ON verify_spans USING GIN (tsv)",
    "CREATE TABLE IF NOT EXISTS verify_documents (id TEXT PRIMARY KEY)",
)
# Serialises syncs of one database: two verifiers filling the index at once would store a
# document's sentences twice.
_PG_SYNC_LOCK = 0x7E51F1ED


class PostgresSentenceIndex:
    """SentenceIndex for a PostgreSQL store: the same tables in the store's database (or schema),
    searched with PostgreSQL's full-text search instead of FTS5.

    A claim's words are weighed as BM25 weighs them (rare words count most: ln(1 + (N - df + 0.5)
    / (df + 0.5)) over the N indexed sentences), and a sentence ranks by the summed weight of the
    words it holds, shorter first on a tie. BM25's term-frequency and length terms are left out:
    sentences are short, and a claim's word rarely stands twice in one.
    """

    def __init__(self, store: Store) -> None:
        from .store.postgres import connect, has_table

        self._store = store
        self._db = connect(store.path)
        if not has_table(self._db, "verify_spans"):
            for statement in _PG_INDEX_SCHEMA:
                self._db.execute(statement)
        self._size: int | None = None

    def close(self) -> None:
        """Close the index connection (the store stays open)."""
        self._db.close()

    def sync(self) -> int:
        """Index the stored documents not indexed yet; returns how many were added."""
        with self._db.transaction():
            self._db.execute("SELECT pg_advisory_xact_lock(%s)", (_PG_SYNC_LOCK,))
            known = {row[0] for row in self._db.execute("SELECT id FROM verify_documents")}
            fresh = [d for d in self._store.document_ids() if d not in known]
            with self._db.cursor() as cursor:
                for document_id in fresh:
                    article = self._store.get_article(document_id)
                    if article is not None:
                        body = article.body[:MAX_ANALYSED_CHARS].replace("\x00", " ")
                        cursor.executemany(
                            "INSERT INTO verify_spans (document, start, stop, tsv)"
                            " VALUES (%s, %s, %s, to_tsvector('english', %s))",
                            [(document_id, a, b, body[a:b]) for a, b in sentence_spans(body)])
                    cursor.execute("INSERT INTO verify_documents (id) VALUES (%s)", (document_id,))
        self._size = None
        return len(fresh)

    def size(self) -> int:
        """How many sentences are indexed."""
        if self._size is None:
            self._size = int(self._db.execute("SELECT COUNT(*) FROM verify_spans").fetchone()[0])
        return self._size

    def search(self, text: str, limit: int = RETRIEVED) -> list[tuple[str, int, int]]:
        """(document, start, end) of the sentences sharing most (rare) words with text, best first."""
        terms = _query_terms(text)
        if not terms:
            return []
        # Each word as the lexemes PostgreSQL stems it to, with the sentences holding it.
        rows = self._db.execute(
            "SELECT q::text, (SELECT COUNT(*) FROM verify_spans WHERE tsv @@ q)"
            " FROM unnest(%s::text[]) AS t, plainto_tsquery('english', t) AS q WHERE numnode(q) > 0",
            (terms,)).fetchall()
        weights = {query: math.log(1 + (self.size() - df + 0.5) / (df + 0.5)) for query, df in rows if df}
        if not weights:
            return []
        queries = sorted(weights)
        score = " + ".join("CASE WHEN tsv @@ %s::tsquery THEN %s ELSE 0 END" for _ in queries)
        found = self._db.execute(
            f"SELECT document, start, stop FROM verify_spans WHERE tsv @@ %s::tsquery"
            f" ORDER BY {score} DESC, stop - start, id LIMIT %s",
            (" | ".join(f"({q})" for q in queries), *[v for q in queries for v in (q, weights[q])], limit))
        return [(d, int(a), int(b)) for d, a, b in found]


def sentence_index(store: Store) -> SentenceIndex | PostgresSentenceIndex:
    """The sentence index of a store: in PostgreSQL's full-text search for a PostgreSQL store,
    else in FTS5 tables of the SQLite file."""
    return PostgresSentenceIndex(store) if is_postgres_url(store.path) else SentenceIndex(store)


# --- claims -------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Evidence:
    document: str
    start: int
    end: int
    text: str
    coverage: float
    kind: str = ""
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class _Claim:
    text: str
    start: int
    end: int
    tokens: _Tokens
    bare: _Tokens  # without who reported it
    content: list[str]
    names: set[str]
    quotes: list[dict[str, Any]]
    figures: list[Figure]


def _claim_content(sentence: str) -> tuple[_Tokens, list[str], set[str]]:
    """The sentence less who reported it (as tokens), the content stems a source must state, and
    its names.

    Names are the capitalised words inside the sentence ("Paris", "Kadhimi"): a place, person
    or body the sources never mention is the claim's own fact, however many other words match.
    Days, months and demonyms ("Iraqi") are left out: sources say them in other words.
    """
    # Blanked one character for one, so token offsets still point into the sentence.
    tokens = _Tokens.of(_ATTRIBUTION.sub(lambda m: " " * len(m.group()), sentence))
    content = set(tokens.content())
    names = {s for i, ((a, _, t), s) in enumerate(zip(tokens.spans, tokens.stems, strict=True))
             if i > 0 and sentence[a].isupper() and s in content and t not in _CALENDAR
             and t not in _SYNONYMS}
    return tokens, tokens.content(), names


def _names_stated(names: set[str], stated: set[str]) -> bool:
    """Every name of the claim stated; one in three (a first name, a state, an outlet) may be missing."""
    return len(names - stated) <= len(names) // 3


def split_claims(text: str) -> list[tuple[int, int]]:
    """Offsets of the claims of a text: its sentences."""
    return sentence_spans(text)


def _claim_quotes(text: str, start: int, end: int, context: int) -> list[dict[str, Any]]:
    """The quotations of text[start:end] with their speakers, read as analyze.quotes reads a page.

    The page given to analyze.quotes is the claim and the sentence before it (from `context`),
    so "he said" resolves to a name just given, while the same words quoted in another claim
    are not merged into this one's record (analyze.quotes merges a quotation's occurrences).
    """
    # Quotation marks before the claim are blanked (one character for one, offsets kept): names
    # there still resolve pronouns, but an earlier quote cannot lend this one its speaker.
    before = re.sub('[\u201c\u201d"]', " ", text[context:start])
    page = Article(id="claim", source="claim", body=before + text[start:end], language="en",
                   meta=Metadata(), segments=(), raw_sha256="", cleaner="verify")
    found = []
    for record in quotes([page]):
        for variant in record["variants"]:
            for citation in variant["citations"]:
                if citation["start"] + context >= start:
                    # Words an outlet "notes" or "writes" are its reading, not someone's speech:
                    # such a quote is checked for its words, never for its speaker.
                    written = (record["cue"] or "").split(" ")[0] in _WRITTEN_CUES
                    found.append({"text": variant["text"], "speaker": None if written else record["speaker"]})
    return found


# --- judging ------------------------------------------------------------------------------------


class Verifier:
    """Judges claims against one store; reuse it for many texts (articles are cached)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.index = sentence_index(store)
        self.index.sync()
        self._articles: dict[str, Article | None] = {}
        self._story_of: dict[str, dict[str, Any]] | None = None

    def close(self) -> None:
        """Close the index connection."""
        self.index.close()

    def verify(self, text: str) -> dict[str, Any]:
        """The claims of text with verdicts, support and conflicts, as JSON-ready values."""
        claims = []
        context = 0
        for start, end in split_claims(text):
            sentence = text[start:end]
            claim = _Claim(sentence, start, end, _Tokens.of(sentence), *_claim_content(sentence),
                           _claim_quotes(text, start, end, context), figures(sentence))
            context = start
            claims.append(self._judge(claim))
        counts = {v: sum(c["verdict"] == v for c in claims) for v in VERDICTS}
        return {"claims": claims, "counts": counts}

    # -- per claim --

    def _judge(self, claim: _Claim) -> dict[str, Any]:
        content = claim.content
        # A negation near two or three shared words ("no details yet on troop levels") is no
        # denial of a short claim ("The US has 5,200 troops in Iraq"); nor are a few words support.
        short = len(set(content)) < MIN_CONTENT_WORDS
        support: list[_Evidence] = []
        conflicts: list[_Evidence] = []
        partial: list[tuple[_Evidence, set[str], set[str]]] = []
        candidates = [c for c in (self._candidate(d, a, b) for d, a, b in self.index.search(claim.text))
                      if c is not None]
        for document, start, end, sentence in candidates:
            tokens = _Tokens.of(sentence)
            shared = set(content) & set(tokens.stems)
            coverage = _coverage(shared, content)
            if coverage < PART_COVERAGE:
                continue
            evidence = _Evidence(document, start, end, sentence, round(coverage, 3))
            kinds = _figure_check(claim, sentence)
            if coverage >= CONFLICT_COVERAGE:
                opposite = "" if short else _opposition(claim.tokens, tokens, shared)
                other_figures = [k for k, v in kinds.items() if v == "contradiction"
                                 and coverage >= FIGURE_CONFLICT_COVERAGE]
                other_date = _date_clash(claim.tokens, tokens)
                if opposite or other_figures or other_date:
                    evidence.kind = "contradiction"
                    evidence.note = opposite or other_date or ("another figure for the same measure: "
                                                               + ", ".join(other_figures))
                    conflicts.append(evidence)
                    continue
                loose = [k for k, v in kinds.items() if v == "compatible"]
                if loose:
                    conflicts.append(_Evidence(document, start, end, sentence, evidence.coverage,
                                               "compatible-imprecise",
                                               "the same measure, stated loosely: " + ", ".join(loose)))
            figures_met = all(kinds.get(f.text, "contradiction") != "contradiction" for f in claim.figures)
            stated = (not short or _verbatim(claim.bare, sentence)) and _names_stated(claim.names, shared)
            if coverage >= SUPPORT_COVERAGE and figures_met and stated:
                support.append(evidence)
            elif not short:
                partial.append((evidence, shared, {k for k, v in kinds.items() if v != "contradiction"}))
        support_cover = max((e.coverage for e in support), default=0.0)
        contradictions = [c for c in conflicts if c.kind == "contradiction"]
        if not support and not contradictions:
            support, support_cover = _joined_support(partial, content, claim.names,
                                                     [f.text for f in claim.figures], self._group)
        quote_support, quote_conflicts, misattributed = self._check_quotes(claim, candidates)
        conflicts.extend(quote_conflicts)
        if quote_support:
            support += quote_support
            support_cover = 1.0
        reworded = any(c.kind == "wording variant" for c in quote_conflicts)
        denied = bool(contradictions) and max(c.coverage for c in contradictions) >= support_cover
        if misattributed:
            verdict = "misattributed"
        elif reworded or denied:
            verdict = "conflicting"
        else:
            verdict = "supported" if support else "no_evidence"
        return {"text": claim.text, "start": claim.start, "end": claim.end, "verdict": verdict,
                "support": [self._plain(e) for e in _best(support)],
                "conflicts": [self._plain(e) for e in _best(conflicts)]}

    def _candidate(self, document: str, start: int, end: int) -> tuple[str, int, int, str] | None:
        article = self._article(document)
        return (document, start, end, article.body[start:end]) if article else None

    def _article(self, document: str) -> Article | None:
        if document not in self._articles:
            self._articles[document] = self.store.get_article(document)
        return self._articles[document]

    def _story(self, document: str) -> dict[str, Any] | None:
        if self._story_of is None:
            self._story_of = {}
            for story in self.store.stories():
                for doc in story["documents"]:
                    self._story_of[doc] = story
        return self._story_of.get(document)

    def _group(self, document: str) -> str:
        story = self._story(document)
        return story["id"] if story else document

    def _plain(self, evidence: _Evidence) -> dict[str, Any]:
        article = self._article(evidence.document)
        assert article is not None  # only articles become evidence
        story = self._story(evidence.document)
        entry = {"text": evidence.text, "coverage": evidence.coverage,
                 "citations": [to_plain(article.cite(evidence.start, evidence.end))],
                 "story": {"id": story["id"], "title": story["title"]} if story else None}
        if evidence.kind:
            entry["kind"] = evidence.kind
        if evidence.note:
            entry["note"] = evidence.note
        entry.update(evidence.extra)
        return entry

    # -- quotations --

    def _check_quotes(self, claim: _Claim, candidates: Sequence[tuple[str, int, int, str]]
                      ) -> tuple[list[_Evidence], list[_Evidence], bool]:
        """Each quotation of the claim against the stories' quotes on the candidate pages.

        Returns (quotes found with their words and speaker, conflicts, any misattributed).
        A quotation shorter than MIN_QUOTE_WORDS is a phrase ("wildly entertaining"), not a
        statement: it is left to the sentence's word check. A claim quoting part of a longer
        quotation quotes it word for word.
        """
        support: list[_Evidence] = []
        conflicts: list[_Evidence] = []
        misattributed = False
        checked = [q for q in claim.quotes if len(words(q["text"])) >= MIN_QUOTE_WORDS]
        if not checked:
            return support, conflicts, misattributed
        records = self._source_quotes({d for d, _, _, _ in candidates})
        for quote in checked:
            found = _matching_quote(quote["text"], records)
            if found is None:
                continue
            score, verbatim, record, variant = found
            citation = variant["citations"][0]
            evidence = _Evidence(citation["document"], citation["start"], citation["end"], variant["text"],
                                 round(score, 3), extra={"speaker": record["speaker"],
                                                         "speaker_role": record["speaker_role"]})
            speaker = _same_speaker(quote["speaker"], record["speaker"])
            if speaker is False:
                misattributed = True
                evidence.kind = "misattributed"
                who = record["speaker"] or record["speaker_role"]
                evidence.note = f"the sources give these words to {who}"
                conflicts.append(evidence)
            elif not verbatim:
                evidence.kind, evidence.note = "wording variant", "the sources quote it in other words"
                conflicts.append(evidence)
            else:
                if speaker == "alias":
                    conflicts.append(_Evidence(evidence.document, evidence.start, evidence.end, evidence.text,
                                               evidence.coverage, "alias",
                                               f"the speaker is named {record['speaker']} in the sources",
                                               dict(evidence.extra)))
                support.append(evidence)
        return support, conflicts, misattributed

    def _source_quotes(self, documents: set[str]) -> list[dict[str, Any]]:
        seen: dict[str, dict[str, Any]] = {}
        for document in sorted(documents):
            story = self._story(document)
            if story is not None:
                seen.setdefault(story["id"], story)
        if seen:
            return [q for story in seen.values() for q in story.get("analysis", {}).get("quotes", [])]
        # A store without stories: read the quotes of the candidate pages themselves.
        return quotes([a for a in (self._article(d) for d in sorted(documents)) if a is not None])


def _coverage(shared: set[str], content: Sequence[str]) -> float:
    distinct = set(content)
    return len(shared & distinct) / len(distinct) if distinct else 0.0


def _joined_support(partial: list[tuple[_Evidence, set[str], set[str]]], content: Sequence[str],
                    names: set[str], claim_figures: Sequence[str], group_of: Callable[[str], str]
                    ) -> tuple[list[_Evidence], float]:
    """Up to MAX_PARTS sentences of one story that together state the claim, and their coverage.

    A summary sentence often joins facts that the pages state apart ("X happened on Monday" /
    "X was the first since 2009"): each part must carry PART_COVERAGE of the claim's words,
    together they must carry SUPPORT_COVERAGE and every name, and each figure of the claim must
    stand in one.
    """
    groups: dict[str, list[tuple[_Evidence, set[str], set[str]]]] = {}
    for item in partial:
        if item[0].coverage >= PART_COVERAGE and len(item[1]) >= PART_WORDS:
            groups.setdefault(group_of(item[0].document), []).append(item)
    best: list[_Evidence] = []
    best_cover = 0.0
    for items in groups.values():
        chosen: list[_Evidence] = []
        covered: set[str] = set()
        figures_met: set[str] = set()
        for _ in range(MAX_PARTS):
            gain, evidence, shared, met = max(
                ((_coverage(covered | sh, content), ev, sh, mt) for ev, sh, mt in items if ev not in chosen),
                default=(0.0, None, set(), set()), key=lambda x: x[0])
            if evidence is None or gain <= _coverage(covered, content):
                break
            chosen.append(evidence)
            covered |= shared
            figures_met |= met
        cover = _coverage(covered, content)
        if (len(chosen) > 1 and cover >= SUPPORT_COVERAGE and cover > best_cover
                and _names_stated(names, covered)
                and set(claim_figures) <= figures_met):
            best, best_cover = chosen, cover
    for evidence in best:
        evidence.note = f"one of {len(best)} sentences that state the claim together"
    return best, best_cover


def _verbatim(claim: _Tokens, sentence: str) -> bool:
    """True when the claim's words stand in the sentence in the same order, one after another."""
    mine = " " + " ".join(t for _, _, t in claim.spans) + " "
    return mine.strip() != "" and mine in " " + " ".join(t for _, _, t in _Tokens.of(sentence).spans) + " "


def _opposition(claim: _Tokens, source: _Tokens, shared: set[str]) -> str:
    """Why the source says the opposite of the claim about their shared words, or ''."""
    if not shared:
        return ""
    claim_neg = _negated(claim, shared)
    source_neg = _negated(source, shared)
    if bool(claim_neg) != bool(source_neg):
        negated = claim if claim_neg else source
        cue_at, cue = (claim_neg or source_neg)
        scope = negated.stems[cue_at + 1:cue_at + 1 + NEGATION_REACH]
        # The negation must bear on what the claim says: on a shared word right after it
        # ("non-binding" / "binding"); or, in the source, on a participle where the claim has
        # another ("was not discussed" / "was agreed"). A claim's own "no stranger to", "not
        # clear whether" is a manner of speaking, so there only the first reading counts.
        if set(scope[:2]) & shared:
            return f"negation on one side only: '{cue}'"
        if negated is source and _participle(scope[:2]) and _participle(set(claim.content()) - shared):
            return f"negation on one side only: '{cue}'"
    claim_stems, source_stems = set(claim.stems), set(source.stems)
    for stem_ in source_stems:
        other = _ANTONYM.get(stem_)
        if other and other in claim_stems and stem_ not in claim_stems and other not in source_stems:
            return f"antonyms: '{other}' / '{stem_}'"
    return ""


def _date_clash(claim: _Tokens, source: _Tokens) -> str:
    """A day or month of the claim where the source, saying the same, names another; or ''."""
    for names in (_WEEKDAYS, _MONTHS):
        mine = {t for _, _, t in claim.spans if t in names}
        theirs = {t for _, _, t in source.spans if t in names}
        if mine and theirs and not mine & theirs:
            return f"another date: {', '.join(sorted(mine))} / {', '.join(sorted(theirs))}"
    return ""


def _participle(stems: Iterable[str]) -> bool:
    """Any past participle among these stems? The stemmer cut "-ed"; the synonym list keeps "agre"."""
    return any(s in _PARTICIPLES for s in stems)


def _negated(tokens: _Tokens, shared: set[str]) -> tuple[int, str] | None:
    """(position, cue) of the negation among or right around the shared words, or None."""
    positions = [i for i, s in enumerate(tokens.stems) if s in shared]
    if not positions:
        return None
    lo, hi = max(0, positions[0] - NEGATION_REACH), positions[-1] + NEGATION_REACH + 1
    spans = tokens.spans
    cues = [(i, t) for i, (_, _, t) in enumerate(spans) if lo <= i < hi and t in _NEGATIONS
            and not (i + 1 < len(spans) and (spans[i + 1][2] in _NOT_NEGATING or spans[i + 1][2].isdigit()))]
    # Two negations cancel ("not without", "did not deny").
    return cues[0] if len(cues) % 2 else None


def _measure(text: str, figure: Figure) -> set[str]:
    """What a figure counts: its unit, or the content words right after it."""
    if figure.unit:
        return {stem(w) for w in words(figure.unit)}
    after = _Tokens.of(text[figure.end:]).content()
    return set(after[:MEASURE_WORDS])


def _figure_check(claim: _Claim, sentence: str) -> dict[str, str]:
    """For each figure of the claim, how the source sentence's figure of the same measure compares."""
    if not claim.figures:
        return {}
    theirs = [(f, _measure(sentence, f)) for f in figures(sentence)]
    found: dict[str, str] = {}
    rank = {"same": 0, "compatible": 1, "contradiction": 2}
    for mine in claim.figures:
        measure = _measure(claim.text, mine)
        for other, other_measure in theirs:
            if measure & other_measure:
                kind = compare(mine, other)
            elif mine.value == other.value and not (measure and other_measure):
                kind = "same"  # "in 2011" / "since 2011": one number, nothing said of what it counts
            else:
                continue
            if mine.text not in found or rank[kind] < rank[found[mine.text]]:
                found[mine.text] = kind
    return found


def _matching_quote(text: str, records: Sequence[dict[str, Any]]
                    ) -> tuple[float, bool, dict[str, Any], dict[str, Any]] | None:
    """The source quotation holding these words: (overlap, word for word?, record, variant), or None.

    Word for word: every content word of the claim's quotation is in the variant. Otherwise the
    same quotation reworded when QUOTE_MATCH of the content words of the longer of the two are
    shared (so a few shared words in a long quote do not make it the same quote).
    """
    mine = {stem(t) for t in words(text) if t not in stopwords()}
    sequence = " " + " ".join(words(text)) + " "
    best = None
    for record in records:
        for variant in record["variants"]:
            theirs = {stem(t) for t in words(variant["text"]) if t not in stopwords()}
            said = {w for w in mine if _said(w, theirs)}
            if len(mine) < MIN_CONTENT_WORDS:
                # "Now is the time for us to do something for him": too few content words to
                # tell quotes apart; only the same words in the same order are the same quote.
                if sequence in " " + " ".join(words(variant["text"])) + " ":
                    return 1.0, True, record, variant
                continue
            if len(mine - said) <= len(mine) // QUOTE_EDIT_EVERY:
                # Every word of the claim's quotation is the speaker's (a part of a longer quote,
                # "[in]" for "and", "honor" for "honour"), but for one edit in QUOTE_EDIT_EVERY
                # words ("the middle man" for "the middleman"): the same words.
                return 1.0, True, record, variant
            score = len(said) / max(len(mine), len(theirs)) if mine and theirs else 0.0
            if score >= QUOTE_MATCH and (best is None or score > best[0]):
                best = (score, False, record, variant)
    return best


def _said(word: str, spoken: set[str]) -> bool:
    """The word is among the spoken ones, or one of them spelled another way ("honor"/"honour")."""
    return word in spoken or (len(word) >= 5 and any(
        len(other) >= 5 and fuzz.ratio(word, other) >= SPELLING_RATIO for other in spoken))


def _same_speaker(claimed: str | None, source: str | None) -> bool | str:
    """True when the names agree, "alias" when they name one person two ways, False when not.

    Only two personal names can disagree: a claim crediting an outlet ("reports CNN: ...") or
    a role ("said his mother") with a quote does not contradict the person the sources name.
    """
    a, b = words(_ascii(claimed or "")), words(_ascii(source or ""))
    if not a or not b or a == b:
        return True
    if a[-1] == b[-1] or (set(a) & set(b) and _personal_name(claimed) and _personal_name(source)):
        return "alias"
    return not (_personal_name(claimed) and _personal_name(source))


def _personal_name(name: str | None) -> bool:
    parts = (name or "").split()
    return len(parts) >= 2 and all(p[0].isupper() or re.split(r"[-\s]", p.lower())[0] in _NAME_PARTICLES
                                   for p in parts)


def _ascii(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _best(entries: list[_Evidence], keep: int = 5) -> list[_Evidence]:
    seen: set[tuple[str, int, int, str]] = set()
    ranked = []
    for entry in sorted(entries, key=lambda e: (-e.coverage, e.document, e.start)):
        key = (entry.document, entry.start, entry.end, entry.kind)
        if key not in seen:
            seen.add(key)
            ranked.append(entry)
    return ranked[:keep]


def verify(store: Store | str | Path, text: str) -> dict[str, Any]:
    """Check text against a store (an open store, a SQLite path or a PostgreSQL URL): claims with
    verdicts."""
    own = isinstance(store, str | Path)
    opened = open_store(store) if own else store
    try:
        verifier = Verifier(opened)
        try:
            return verifier.verify(text)
        finally:
            verifier.close()
    finally:
        if own:
            opened.close()
