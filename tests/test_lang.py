"""Language detection: ISO 639-1 codes on real sentences, "und" when there is too little text."""

from __future__ import annotations

import pytest

from newsfuse import lang
from newsfuse.lang import SAMPLE_CHARS, UNDETERMINED, detect_language


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("The president said on Thursday that the talks would continue next week.", "en"),
        ("Le président a déclaré jeudi que les discussions se poursuivraient.", "fr"),
        ("Der Präsident sagte am Donnerstag, dass die Gespräche fortgesetzt würden.", "de"),
        ("总统周四表示，会谈将在下周继续进行。", "zh"),
        ("قال الرئيس يوم الخميس إن المحادثات ستستمر الأسبوع المقبل.", "ar"),
        ("El presidente dijo el jueves que las conversaciones continuarían.", "es"),
        ("Президент заявил в четверг, что переговоры продолжатся.", "ru"),
    ],
)
def test_detects_the_language_of_a_sentence(text: str, code: str) -> None:
    assert detect_language(text) == code


@pytest.mark.parametrize("text", ["", "   ", "Hello", "ok", "12345 678 90", "Paris!", "— • —"])
def test_too_little_text_is_undetermined(text: str) -> None:
    assert detect_language(text) == UNDETERMINED


@pytest.mark.parametrize(
    ("text", "macro"),
    [
        ("佢哋話落個禮拜會繼續傾，政府都冇回應。", "zh"),  # Cantonese: the model says yue
        ("الراجل قال إن الكلام هيكمل الأسبوع الجاي وبعدين هنشوف.", "ar"),  # Egyptian: arz
    ],
)
def test_varieties_fold_into_their_iso_639_1_macro_language(text: str, macro: str) -> None:
    assert detect_language(text) == macro


def test_detection_is_deterministic() -> None:
    text = "Les négociateurs se réuniront de nouveau la semaine prochaine à Genève."
    assert {detect_language(text) for _ in range(5)} == {"fr"}


def test_only_a_bounded_prefix_is_read(monkeypatch) -> None:
    english = "The talks will continue next week, officials said on Thursday. "
    french = "Les discussions reprendront la semaine prochaine, selon les responsables. "
    text = english * (SAMPLE_CHARS // len(english) + 1) + french * 200_000  # ~15 MB
    kind = type(lang._identifier())
    read: list[int] = []
    classify = kind.classify

    def recording(self, sample: str):
        read.append(len(sample))
        return classify(self, sample)

    monkeypatch.setattr(kind, "classify", recording)
    assert detect_language(text) == "en"
    assert read == [SAMPLE_CHARS]
