"""Quote-attribution baseline for PolNeAR: a cue-verb rule, and span-overlap scoring.

The rule: in each sentence, a reporting cue ("said", "told", "according to", ...) with a named
entity, pronoun or short noun phrase next to it is an attribution; the speaker is that phrase,
the content is the quoted text in the sentence, else the clause on the other side of the cue.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from newsfuse.bench.datasets import Attribution, Span, SpanSet
from newsfuse.bench.tokens import sentence_spans

_CUE_VERBS = (
    "said|says|say|saying|told|tells|tell|added|adds|adding|stated|states|explained|explains|"
    "noted|notes|wrote|writes|asked|asks|claimed|claims|argued|argues|arguing|insisted|insists|"
    "warned|warns|announced|announces|acknowledged|acknowledges|reported|reports|declared|"
    "suggested|suggests|believes|believed|recalled|responded|replied|tweeted|testified|"
    "admitted|conceded|contended|contends|maintained|maintains|predicted|confirmed|denied"
)
# Optional auxiliary/adverb between the speaker and the cue: "has said", "also said".
_CUE_RE = re.compile(
    rf"\b(?:(?:has|have|had|also|later|previously|repeatedly|once)\s+)?(?:{_CUE_VERBS})\b"
    r"|\baccording to\b",
    re.IGNORECASE,
)
_PRONOUNS = r"(?:he|she|they|I|we|it|He|She|They|We|It|who)"
_NAME = r"(?:[A-Z][\w'’.\-]*(?:\s+(?:of\s+the\s+|of\s+|de\s+|van\s+)?[A-Z][\w'’.\-]*)*)"
_NP = r"(?:(?:the|a|an|The|A|An)\s+(?:[\w'’\-]+\s+){0,2}[\w'’\-]+)"
_SPEAKER_BEFORE_RE = re.compile(rf"(?:{_NAME}|\b{_PRONOUNS}|{_NP})\s*,?\s*$")
_SPEAKER_AFTER_RE = re.compile(rf"\s*(?:{_NAME}|{_NP}|\b{_PRONOUNS}\b)")
_QUOTE_RE = re.compile(r"“([^”]+)”|\"([^\"]+)\"|``(.+?)''")
_TRIM = " ,;:.\"'“”‘’`"
# PolNeAR content spans keep quote marks and a leading "that", but not the sentence's final
# full stop nor the comma before a following "X said".
_CONTENT_TRIM = " \n\t\xa0,;:."
ROLES = ("source", "cue", "content")


def _trimmed(text: str, start: int, end: int, chars: str = _TRIM) -> Span | None:
    while start < end and text[start] in chars:
        start += 1
    while end > start and text[end - 1] in chars:
        end -= 1
    return (start, end) if end > start else None


def _span_set(text: str, span: Span | None) -> SpanSet | None:
    return SpanSet((span,), text[span[0] : span[1]]) if span else None


def _attribution_in(text: str, s0: int, s1: int) -> Attribution | None:
    sentence = text[s0:s1]
    cue = _CUE_RE.search(sentence)
    if cue is None:
        return None
    c0, c1 = s0 + cue.start(), s0 + cue.end()
    speaker: Span | None = None
    speaker_first = False
    if cue.group(0).lower() == "according to":
        after = _SPEAKER_AFTER_RE.match(text, c1, s1)
        speaker = _trimmed(text, after.start(), after.end()) if after else None
    else:
        before = _SPEAKER_BEFORE_RE.search(text, s0, c0)
        after = _SPEAKER_AFTER_RE.match(text, c1, s1)
        if before and before.end() == c0:
            speaker, speaker_first = _trimmed(text, before.start(), before.end()), True
        elif after:
            # Inversion: '"...," said Mr. Smith.'
            speaker = _trimmed(text, after.start(), after.end())
    if speaker is None:
        return None
    quotes = [m for m in _QUOTE_RE.finditer(sentence) if not (m.start() <= cue.start() < m.end())]
    content: Span | None
    if quotes:
        q = max(quotes, key=lambda m: m.end() - m.start())
        content = (s0 + q.start(), s0 + q.end())
    elif speaker_first and speaker[0] - s0 <= 3:
        # "X said (that) ..." at the start of the sentence: the rest is the content.
        content = _trimmed(text, c1, s1, _CONTENT_TRIM)
    elif c0 - s0 <= 3 and speaker[0] > c0:
        # "According to X, ...": the clause after the speaker.
        content = _trimmed(text, speaker[1], s1, _CONTENT_TRIM)
    else:
        # "..., X said." or "... according to X.": the clause before the speaker/cue.
        content = _trimmed(text, s0, min(speaker[0], c0), _CONTENT_TRIM)
    if content is None or (speaker[0] < content[1] and content[0] < speaker[1]):
        return None
    return Attribution(_span_set(text, speaker), _span_set(text, (c0, c1)), _span_set(text, content))


def cue_verb_attributions(text: str) -> list[Attribution]:
    """Rule-based attributions (speaker, cue, content) in an article text, one per sentence."""
    found = []
    for s0, s1 in sentence_spans(text):
        attribution = _attribution_in(text, s0, s1)
        if attribution is not None:
            found.append(attribution)
    return found


# --- scoring --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PRF:
    """Precision, recall and F1."""

    precision: float
    recall: float
    f1: float


@dataclass(frozen=True, slots=True)
class RoleScores:
    """One role's span agreement: exact match, any overlap, and overlap-proportional (soft)."""

    exact: PRF
    overlap: PRF
    soft: PRF
    gold: int
    predicted: int


def _prf(p_num: float, p_den: int, r_num: float, r_den: int) -> PRF:
    p = p_num / p_den if p_den else 0.0
    r = r_num / r_den if r_den else 0.0
    return PRF(p, r, 2 * p * r / (p + r) if p + r else 0.0)


def _chars(spans: SpanSet) -> frozenset[int]:
    return frozenset(i for s, e in spans.spans for i in range(s, e) if e > s)


def score_attributions(
    gold: Sequence[Sequence[Attribution]], predicted: Sequence[Sequence[Attribution]]
) -> dict[str, RoleScores]:
    """Per role (source/cue/content), micro-averaged span P/R/F1 over aligned documents.

    exact: same character set; overlap: shares at least one character; soft: each span scores
    its best overlap as a fraction of its own length (precision side) or the gold's (recall).
    """
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold documents but {len(predicted)} predicted")
    out = {}
    for role in ROLES:
        tallies = dict.fromkeys(("ep", "er", "op", "or", "sp", "sr"), 0.0)
        n_gold = n_pred = 0
        for gold_doc, pred_doc in zip(gold, predicted, strict=True):
            g_sets = [_chars(s) for a in gold_doc if (s := getattr(a, role)) is not None]
            p_sets = [_chars(s) for a in pred_doc if (s := getattr(a, role)) is not None]
            g_sets, p_sets = [g for g in g_sets if g], [p for p in p_sets if p]
            n_gold, n_pred = n_gold + len(g_sets), n_pred + len(p_sets)
            for p in p_sets:
                best = max((len(p & g) for g in g_sets), default=0)
                tallies["ep"] += any(p == g for g in g_sets)
                tallies["op"] += best > 0
                tallies["sp"] += best / len(p)
            for g in g_sets:
                best = max((len(p & g) for p in p_sets), default=0)
                tallies["er"] += any(p == g for p in p_sets)
                tallies["or"] += best > 0
                tallies["sr"] += best / len(g)
        out[role] = RoleScores(
            exact=_prf(tallies["ep"], n_pred, tallies["er"], n_gold),
            overlap=_prf(tallies["op"], n_pred, tallies["or"], n_gold),
            soft=_prf(tallies["sp"], n_pred, tallies["sr"], n_gold),
            gold=n_gold,
            predicted=n_pred,
        )
    return out
