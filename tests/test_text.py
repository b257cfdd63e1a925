from newsfuse.text import normalize, quoted_ranges, sentence_spans, sentences, words

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
