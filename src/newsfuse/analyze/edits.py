"""What a republisher changed in wire copy: each copy of a syndicated group against its origin.

Rules:

- Sentences are compared as folded word lists (`text.folded_word_spans`: case, periods in
  "U.S.", curly quotes and dashes do not count), so only changed words are edits; a changed
  comma or "U.S." printed as "US" is not.
- Every copy sentence is paired with the origin sentence it shares most words with, one to one,
  in any order (a moved paragraph is still the same sentence); a pair needs a word-sequence
  similarity of at least PAIR_RATIO. Paired sentences that differ are "changed", with each run
  of changed words cited on both sides ("Near Eastern" → "Middle East") and its kind: reworded,
  inserted, removed, or respelled (the same words spelt or abbreviated otherwise: "Tehran" →
  "Teheran", "Gen." → "general"), so a reader can set house style apart from rewording.
- An origin sentence left unpaired is "dropped", a copy sentence left unpaired is "added" —
  unless its words already stand in the other page (a sentence split in two, or two merged):
  then nothing was lost or added, only cut differently, and it is not reported.
- A change is `quoted` when its words lie inside quotation marks on either side: a quotation
  reworded under its quote marks is a finding in itself, so these are also counted apart.

Only the first MAX_ANALYSED_CHARS characters of each body are read, as everywhere in analysis.
"""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..model import Article, Syndication, to_plain
from ..text import fold_quotes, folded_word_spans, quoted_ranges, sentence_spans

# Word-sequence similarity (difflib ratio) two sentences need to be one sentence edited.
PAIR_RATIO = 0.5
# Share of a leftover sentence's words found in one sentence of the other page for it to be a
# re-cut (split or merged) sentence rather than a dropped or added one.
RECUT_SHARE = 0.8
# Character similarity of two words taken as one word spelt two ways (Tehran / Teheran).
RESPELLED_RATIO = 0.8
# A word in more sentences than this is stock phrasing ("the", "said"): it proposes no pairs.
MAX_POSTINGS = 64
# Sentences of the other page examined per sentence: those sharing the most less-common words.
MAX_CANDIDATES = 8


@dataclass(frozen=True, slots=True)
class _Sentence:
    start: int
    end: int
    tokens: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]


def republication_edits(syndication: Syndication, articles: Mapping[str, Article]) -> list[dict]:
    """For each copy in the group, what it changed against the origin: one record per copy.

    A record: `syndication` (group id), `origin` and `copy` (document ids), `changed` (sentence
    pairs, each with its word `changes`, every one cited on both sides), `dropped` (origin
    sentences the copy lacks), `added` (copy sentences the origin lacks), `quote_changes` (how
    many word changes lie inside quotation marks).
    """
    origin_id = syndication.origin_document or syndication.documents[0]
    if origin_id not in articles:
        return []
    out = []
    for copy_id in syndication.documents:
        if copy_id == origin_id or copy_id not in articles:
            continue
        record = compare(articles[origin_id], articles[copy_id])
        out.append({"syndication": syndication.id, **record})
    return out


def compare(origin: Article, copy: Article) -> dict:
    """The edits that turn `origin`'s text into `copy`'s (see the module rules)."""
    from ..pipeline import MAX_ANALYSED_CHARS

    o_body, c_body = origin.body[:MAX_ANALYSED_CHARS], copy.body[:MAX_ANALYSED_CHARS]
    o_sentences, c_sentences = _sentences(o_body), _sentences(c_body)
    o_postings, c_postings = _postings(o_sentences), _postings(c_sentences)
    pairs = _pair(o_sentences, c_sentences, o_postings)
    o_quoted, c_quoted = quoted_ranges(o_body), quoted_ranges(c_body)
    changed = []
    for oi, ci in sorted(pairs.items()):
        o, c = o_sentences[oi], c_sentences[ci]
        if o.tokens == c.tokens:
            continue
        changes = []
        matcher = difflib.SequenceMatcher(a=o.tokens, b=c.tokens, autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                continue
            o_span = (o.starts[i1], o.ends[i2 - 1]) if i2 > i1 else None
            c_span = (c.starts[j1], c.ends[j2 - 1]) if j2 > j1 else None
            quoted = _inside(o_span, o_quoted) or _inside(c_span, c_quoted)
            changes.append({"origin": _cited(origin, o_body, o_span), "copy": _cited(copy, c_body, c_span),
                            "quoted": quoted, "kind": _kind(o.tokens[i1:i2], c.tokens[j1:j2])})
        changed.append({"origin": _cited(origin, o_body, (o.start, o.end)),
                        "copy": _cited(copy, c_body, (c.start, c.end)),
                        "quoted": any(ch["quoted"] for ch in changes), "changes": changes})
    paired_c = set(pairs.values())
    dropped = [_whole(origin, o_body, s, o_quoted) for i, s in enumerate(o_sentences)
               if i not in pairs and not _recut(s, c_sentences, c_postings)]
    added = [_whole(copy, c_body, s, c_quoted) for i, s in enumerate(c_sentences)
             if i not in paired_c and not _recut(s, o_sentences, o_postings)]
    return {"origin": origin.id, "copy": copy.id, "changed": changed, "dropped": dropped, "added": added,
            "quote_changes": sum(ch["quoted"] for pair in changed for ch in pair["changes"])}


def _sentences(body: str) -> list[_Sentence]:
    folded = fold_quotes(body)
    out = []
    for start, end in sentence_spans(body):
        spans = folded_word_spans(folded, start, end)
        if spans:
            starts, ends, tokens = zip(*spans, strict=True)
            out.append(_Sentence(start, end, tokens, starts, ends))
    return out


def _postings(sentences: Sequence[_Sentence]) -> dict[str, list[int]]:
    """Word -> indices of the sentences holding it, stock words (in over MAX_POSTINGS) left out."""
    postings: dict[str, list[int]] = defaultdict(list)
    for i, sentence in enumerate(sentences):
        for token in set(sentence.tokens):
            postings[token].append(i)
    return {token: ids for token, ids in postings.items() if len(ids) <= MAX_POSTINGS}


def _candidates(sentence: _Sentence, postings: dict[str, list[int]]) -> list[int]:
    """Sentences of the other page sharing the most of this one's less common words, best first."""
    shared = Counter(i for token in set(sentence.tokens) for i in postings.get(token, ()))
    return [i for i, _ in shared.most_common(MAX_CANDIDATES)]


def _pair(origin: Sequence[_Sentence], copy: Sequence[_Sentence],
          postings: dict[str, list[int]]) -> dict[int, int]:
    """Origin index -> copy index, one to one, best similarity first."""
    scored = []
    for j, sentence in enumerate(copy):
        for i in _candidates(sentence, postings):
            matcher = difflib.SequenceMatcher(a=origin[i].tokens, b=sentence.tokens, autojunk=False)
            # The quick ratios bound the ratio from above: most candidates stop there.
            if matcher.real_quick_ratio() < PAIR_RATIO or matcher.quick_ratio() < PAIR_RATIO:
                continue
            ratio = matcher.ratio()
            if ratio >= PAIR_RATIO:
                scored.append((-ratio, i, j))
    pairs: dict[int, int] = {}
    used: set[int] = set()
    for _, i, j in sorted(scored):
        if i not in pairs and j not in used:
            pairs[i] = j
            used.add(j)
    return pairs


def _kind(removed: Sequence[str], inserted: Sequence[str]) -> str:
    """reworded, inserted, removed, or respelled: the same words spelt or abbreviated otherwise."""
    if not removed:
        return "inserted"
    if not inserted:
        return "removed"
    if len(removed) == len(inserted) and all(map(_same_word, removed, inserted)):
        return "respelled"
    return "reworded"


def _same_word(a: str, b: str) -> bool:
    """"Tehran"/"Teheran", "Qasem"/"Qassem", "Gen."/"general": one word written two ways."""
    short, long = sorted((a, b), key=len)
    if len(short) >= 3 and long.startswith(short):
        return True
    return difflib.SequenceMatcher(a=a, b=b).ratio() >= RESPELLED_RATIO


def _recut(sentence: _Sentence, other: Sequence[_Sentence], postings: dict[str, list[int]]) -> bool:
    need = Counter(sentence.tokens)
    total = sum(need.values())
    return any((need & Counter(other[i].tokens)).total() >= RECUT_SHARE * total
               for i in _candidates(sentence, postings))


def _inside(span: tuple[int, int] | None, quoted: Sequence[tuple[int, int]]) -> bool:
    return span is not None and any(a <= span[0] and span[1] <= b for a, b in quoted)


def _cited(article: Article, body: str, span: tuple[int, int] | None) -> dict | None:
    if span is None:
        return None
    return {"text": body[span[0]:span[1]], "citation": to_plain(article.cite(*span))}


def _whole(article: Article, body: str, sentence: _Sentence, quoted: Sequence[tuple[int, int]]) -> dict:
    return {**_cited(article, body, (sentence.start, sentence.end)),
            "quoted": _inside((sentence.start, sentence.end), quoted)}


_QUOTED = "The changed words lie inside quotation marks on either side."


