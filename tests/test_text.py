from newsfuse.text import (
    fold_quotes,
    folded_word_spans,
    normalize,
    quoted_ranges,
    sentence_spans,
    sentences,
    word_spans,
    words,
)

from .seeds import seed_text


def test_sentences_keep_titles_initials_and_dates_inside():
    text = ("Maj. Gen. Qasem Soleimani was killed on Jan. 3. Then U.S. forces left the base. "
            "“Go,” he said. John F. Kerry met Mr. Lee at 3 p.m. Friday.")
    assert sentences(text) == [
        "Maj. Gen. Qasem Soleimani was killed on Jan. 3.",
        "Then U.S. forces left the base.",
        "“Go,” he said.",
        "John F. Kerry met Mr. Lee at 3 p.m. Friday.",
    ]



def test_plural_titles_do_not_end_a_sentence():
    text = "Only two Republicans voted no: Sens. Ted Cruz and Rand Paul. Reps. Jim Jordan objected."
    assert sentences(text) == ["Only two Republicans voted no: Sens. Ted Cruz and Rand Paul.",
                               "Reps. Jim Jordan objected."]


def test_sentence_spans_are_offsets_of_the_text():
    body = seed_text("002")
    for start, end in sentence_spans(body):
        piece = body[start:end]
        assert piece == piece.strip() and piece
        assert "\n" not in piece


def test_line_breaks_end_sentences():
    assert sentences("Economic crisis in Iraq\nIraq is facing a crisis.") == [
        "Economic crisis in Iraq", "Iraq is facing a crisis."]


def test_words_fold_outlet_spellings():
    assert words("U.S. troops") == words("US troops") == ["us", "troops"]
    assert words("Iraq’s parliament") == words("Iraq's parliament")


def test_normalize_folds_quotes_dashes_case_and_space():
    assert normalize("“The  ISIS threat” —  U.S.") == normalize('"the isis threat" - u.s.')


def test_quoted_ranges_cover_curly_and_straight_quotes():
    text = 'He said "no timeline" and “no bases” today.'
    spans = [text[a:b] for a, b in quoted_ranges(text)]
    assert spans == ['"no timeline"', "“no bases”"]


def test_folded_word_spans_match_word_spans_of_the_slice():
    text = "“U.S. officials’ talks,” he said — in Iraq's south.\nNext: Gen. Lee's 3.5% rise."
    folded = fold_quotes(text)
    assert len(folded) == len(text)
    for start, end in [(0, len(text)), *sentence_spans(text), (3, 17)]:
        expected = [(start + a, start + b, t) for a, b, t in word_spans(text[start:end])]
        assert folded_word_spans(folded, start, end) == expected


def test_quoted_ranges_close_at_line_ends_and_text_end():
    text = 'He said "go now" and “stay\nthere” then "open'
    assert quoted_ranges(text) == [(8, 16), (21, 26), (39, 44)]
