import pytest

from recognizers.metrics import error_rates


def test_handwriting_is_case_sensitive():
    r = error_rates([("Hello world", "hello world")], "handwriting")
    assert r.cer == pytest.approx(1 / 11) and r.wer == pytest.approx(1 / 2) and r.exact == 0


def test_corpus_level_rates():
    r = error_rates([("abc", "abc"), ("abcd efg", "abd efg")], "handwriting")
    assert r.n == 2 and r.cer == pytest.approx(1 / 11) and r.wer == pytest.approx(1 / 3) and r.exact == 0.5


def test_speech_is_scored_after_normalisation():
    r = error_rates([("Turn left, at 2 o'clock!", "turn left at two o'clock")], "speech")
    assert r.cer == 0 and r.wer == 0 and r.exact == 1
