"""Extractive summary baselines (sumy LexRank, TextRank, LSA) with our own tokenizer.

sumy's default tokenizer needs NLTK's punkt data, which cannot be downloaded here, so sentences
and words come from the small regex tokenizer below instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from newsfuse.bench.tokens import PARAGRAPH_RE, RegexTokenizer, split_sentences
from newsfuse.errors import MissingExtraError

SUMY_METHODS = ("lexrank", "textrank", "lsa")
SUMMARY_WORDS = 100
LANGUAGE = "english"


def _summarizer(method: str) -> Any:
    try:
        from sumy.nlp.stemmers import Stemmer
        from sumy.summarizers.lex_rank import LexRankSummarizer
        from sumy.summarizers.lsa import LsaSummarizer
        from sumy.summarizers.text_rank import TextRankSummarizer
        from sumy.utils import get_stop_words
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MissingExtraError("sumy summary baselines", "bench") from exc
    classes = {"lexrank": LexRankSummarizer, "textrank": TextRankSummarizer, "lsa": LsaSummarizer}
    if method not in classes:
        raise ValueError(f"unknown sumy method {method!r}; expected one of {SUMY_METHODS}")
    summarizer = classes[method](Stemmer(LANGUAGE))
    summarizer.stop_words = get_stop_words(LANGUAGE)
    return summarizer


def _document(texts: Sequence[str]) -> Any:
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence

    tokenizer = RegexTokenizer()
    paragraphs = []
    for text in texts:
        for block in PARAGRAPH_RE.split(text):
            sentences = [Sentence(s, tokenizer) for s in split_sentences(block)]
            if sentences:
                paragraphs.append(Paragraph(sentences))
    return ObjectDocumentModel(paragraphs)


class _UpToWords:
    """sumy count callable: best-rated sentences until the word budget is met."""

    def __init__(self, words: int) -> None:
        self.words = words

    def __call__(self, ranked: Sequence[Any]) -> list[Any]:
        chosen, total = [], 0
        for info in ranked:
            if total >= self.words:
                break
            chosen.append(info)
            total += len(str(info.sentence).split())
        return chosen


def sumy_summary(method: str, documents: Sequence[str], words: int = SUMMARY_WORDS) -> str:
    """Extractive summary of a document cluster by a sumy method, about `words` words long.

    Best-rated sentences are added until the budget is reached, then put in document order;
    the last sentence may overrun (score with a word cut, as DUC does).
    """
    summarizer = _summarizer(method)
    document = _document(documents)
    if not document.sentences:
        return ""
    chosen = summarizer(document, _UpToWords(words))
    return "\n".join(str(s) for s in chosen)
