"""Reading ink in several views: slanted and stretched copies vote on the text."""

from __future__ import annotations

import numpy as np
import torch

from recognizers.alphabet import Alphabet
from recognizers.decoding.ctc import GreedyDecoder, ctc_log_likelihood
from recognizers.decoding.views import read_views
from recognizers.ink_views import VIEWS, ink_views
from recognizers.recognizer import Recognizer

from .inkgen import word_ink
from .test_ink_lines import place, real_word

ALPHABET = Alphabet.handwriting()


def frames(*peaks: tuple[str, float]) -> torch.Tensor:
    """Log-probabilities of frames each peaked on one character ("" is the blank) with the
    given probability, the rest spread over the other classes."""
    C = len(ALPHABET)
    rows = []
    for ch, p in peaks:
        row = np.full(C, (1 - p) / (C - 1))
        row[ALPHABET.encode(ch)[0] if ch else 0] = p
        rows.append(row)
    return torch.tensor(np.log(np.array(rows)), dtype=torch.float32)


def test_views_are_the_ink_and_slanted_and_stretched_copies():
    ink = word_ink("olv", np.random.default_rng(0))
    views = ink_views(ink)
    assert len(views) == len(VIEWS) + 1
    for k, v in enumerate(views):
        assert [len(s) for s in v] == [len(s) for s in ink]
        for s, orig in zip(v, ink):
            np.testing.assert_array_equal(s[:, 1:], orig[:, 1:])  # height and time stay
        if k == 0:
            for s, orig in zip(v, ink):
                np.testing.assert_array_equal(s, orig)
    pts = np.concatenate(ink)
    widths = [float(np.ptp(np.concatenate(v)[:, 0])) for v in views]
    assert widths[3] < widths[0] < widths[4]  # narrower, wider
    top, bottom = pts[:, 1].argmin(), pts[:, 1].argmax()
    lean = [np.concatenate(v)[top, 0] - np.concatenate(v)[bottom, 0] for v in views[:3]]
    assert lean[1] > lean[0] > lean[2]  # slanted one way and the other
    assert ink_views([]) == [[]] * (len(VIEWS) + 1)  # one per view, always


def test_one_view_or_views_that_agree_give_the_decoder_answer():
    dec = GreedyDecoder(ALPHABET)
    lp = frames(("o", 0.9), ("", 0.9), ("l", 0.8))
    (alone,) = read_views(dec, ALPHABET, [lp])
    assert (alone.text, alone.score) == (dec.decode(lp)[0].text, dec.decode(lp)[0].score)
    (agreed,) = read_views(dec, ALPHABET, [lp, lp.clone()])
    assert (agreed.text, agreed.score) == (alone.text, alone.score)


def test_the_views_outvote_a_misreading():
    # the ink itself says "cl" by a hair; the four other views say "ol" clearly
    dec = GreedyDecoder(ALPHABET)
    first = frames(("c", 0.45), ("", 0.9), ("l", 0.9))
    first[0, ALPHABET.encode("o")[0]] = float(np.log(0.40))
    others = [frames(("o", 0.85), ("", 0.9), ("l", 0.9)) for _ in VIEWS]
    best = read_views(dec, ALPHABET, [first, *others])
    assert dec.decode(first)[0].text == "cl"
    assert [h.text for h in best] == ["ol"]  # as many hypotheses as the decoder gives
    mean = np.mean([ctc_log_likelihood(lp, ["ol"], ALPHABET)[0] for lp in [first, *others]])
    assert abs(best[0].score - mean) < 1e-4
    assert len(best[0].char_confidence) == 2 and 0 < best[0].char_confidence[0] < 0.5  # from the ink's own frames


def test_a_view_too_short_for_a_text_sits_out_instead_of_vetoing_it():
    # the ink itself clearly says "oll"; the copies have too few frames to spell it (l, blank, l)
    dec = GreedyDecoder(ALPHABET)
    first = frames(("o", 0.9), ("", 0.9), ("l", 0.9), ("", 0.9), ("l", 0.9))
    short = [frames(("o", 0.9), ("l", 0.9)) for _ in VIEWS]
    assert ctc_log_likelihood(short[0], ["oll"], ALPHABET)[0] == float("-inf")
    best = read_views(dec, ALPHABET, [first, *short])
    assert best[0].text == "oll"
    # a text the ink itself cannot spell is no candidate, however the copies read it
    tiny = frames(("o", 0.9), ("l", 0.9))
    longer = [frames(("o", 0.9), ("", 0.9), ("l", 0.9), ("", 0.9), ("l", 0.9)) for _ in VIEWS]
    assert read_views(dec, ALPHABET, [tiny, *longer])[0].text == "ol"


def test_without_views_a_reading_is_the_decoder_on_the_model_output():
    word = real_word()
    rec = Recognizer.load(device="cpu", decoder="prefix")
    rec.ink_views = False
    direct = rec.decoder.decode(rec.log_probs(rec.features(word)))
    got = rec.recognize(word, split=False).hypotheses
    assert [(h.text, h.score) for h in got] == [(h.text, h.score) for h in direct]
    # a line of two words: each word on its own, joined with a space
    gap = 1.5 * float(np.ptp(np.concatenate(word)[:, 1]))
    second = place(word, dx=float(np.concatenate(word)[:, 0].max()) + gap)
    line = rec.recognize(word + second).text
    assert line == f"{direct[0].text} {rec.decoder.decode(rec.log_probs(rec.features(second)))[0].text}"


def test_a_real_word_reads_the_same_with_views_and_a_hint_still_holds():
    word = real_word()  # "there"
    for decoder in ("greedy", "beam"):
        rec = Recognizer.load(device="cpu", decoder=decoder)
        rec.ink_views = True
        assert rec.recognize(word).text == "there"
        assert rec.recognize(place(word, shear=0.3)).text == "there"
        assert set(rec.recognize(word, charset="digits").text) <= set("0123456789")
    # a line of two words: each word read with its views, one batch
    gap = 1.5 * float(np.ptp(np.concatenate(word)[:, 1]))
    second = place(word, dx=float(np.concatenate(word)[:, 0].max()) + gap)
    rec = Recognizer.load(device="cpu", decoder="greedy")
    rec.ink_views = True
    assert rec.recognize(word + second).text == "there there"
