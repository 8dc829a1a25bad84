"""Ink layout: stray points ignored, several lines found and read line by line."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from recognizers.features import InkFeatureConfig, ink_features
from recognizers.ink import read_ink_samples
from recognizers.ink_lines import DIGIT_ROW_GAP, DIGIT_ROW_MIN, SPACED_MAX, WORD_GAP, digit_groups, drop_outliers, reference_height, split_lines, split_words

from .inkgen import word_ink

WORD = Path(__file__).resolve().parent.parent / "app" / "fixtures" / "word.json"  # "there", a real writer's ink
# "pressure" printed with its letters apart (UNIPEN, phi/phil-writer-ber): gaps wider than WORD_GAP
SPACED = Path(__file__).resolve().parent.parent / "app" / "fixtures" / "spaced_word.json"
# '"I tried."' (UNIPEN text, bbd/dsf): the opening and closing quotes, four ticks, sit above the words
QUOTED = Path(__file__).resolve().parent.parent / "app" / "fixtures" / "quoted_line.json"
# "sullying" drawn from the held-out font kaushanscript, thinned: its y and g lose their tails
# to separate strokes below the word (recognizers/synth/ink.py)
DESCENDERS = Path(__file__).resolve().parent.parent / "app" / "fixtures" / "font_descenders.json"
# the digits 1, 2, 3 and 4 of one held-out writer (UNIPEN digits, imp/rila), one sample each
DIGITS = Path(__file__).resolve().parent.parent / "app" / "fixtures" / "digits_1234.jsonl"
# "the", "dog", "is" and "very" of one held-out writer (UNIPEN words, art/writer08)
SPACED_WORDS = Path(__file__).resolve().parent.parent / "app" / "fixtures" / "words_the_dog_is_very.jsonl"
QUICK_WORDS = Path(__file__).resolve().parent.parent / "app" / "fixtures" / "words_the_quick_brown.jsonl"  # art/writer03's


def real_word() -> list[np.ndarray]:
    (s,) = read_ink_samples(WORD)
    return s.strokes


def dot(x: float, y: float, t: float = 0.0) -> np.ndarray:
    return np.array([[x, y, t]], np.float32)


def place(strokes, dx=0.0, dy=0.0, slope=0.0, shear=0.0, scale=1.0):
    """Ink moved, tilted (baseline rising by `slope` per unit of x) and slanted."""
    out = []
    x0 = min(float(s[:, 0].min()) for s in strokes)
    for s in strokes:
        s = s.copy()
        x, y = (s[:, 0] - x0) * scale, s[:, 1] * scale
        s[:, 0] = x + shear * y + dx
        s[:, 1] = y - slope * x + dy
        out.append(s)
    return out


# ----------------------------------------------------------------------------- outliers


def test_far_dot_is_ignored_but_i_dots_and_periods_stay():
    word = word_ink("lovol", np.random.default_rng(0))
    h = reference_height(word)
    far = dot(float(word[-1][:, 0].max()) + 12 * h, float(word[0][:, 1].min()) - 9 * h)
    assert len(drop_outliers(word + [far])) == len(word)
    cfg = InkFeatureConfig()
    np.testing.assert_array_equal(ink_features(word + [far], cfg), ink_features(word, cfg))
    near = [dot(float(word[1][:, 0].mean()), float(word[1][:, 1].min()) - 0.3 * h),  # an i dot
            dot(float(word[-1][:, 0].max()) + 0.3 * h, float(word[-1][:, 1].max()))]  # a period
    assert len(drop_outliers(word + near)) == len(word) + 2
    assert len(drop_outliers([far])) == 1  # ink that is only a dot stays what it is


def test_glitch_point_inside_a_stroke_is_removed():
    word = word_ink("lol", np.random.default_rng(1))
    spiky = [s.copy() for s in word]
    s = spiky[1]
    spiky[1] = np.concatenate([s[:10], [[s[10, 0] + 5000, s[10, 1] - 3000, s[10, 2]]], s[10:]]).astype(np.float32)
    cleaned = drop_outliers(spiky)
    np.testing.assert_array_equal(cleaned[1], word[1])


def test_real_word_with_a_lone_dot_far_away_reads_the_same():
    from recognizers.recognizer import Recognizer

    rec = Recognizer.load(device="cpu", decoder="greedy")
    word = real_word()
    h = reference_height(word)
    right = float(max(s[:, 0].max() for s in word))
    top = float(min(s[:, 1].min() for s in word))
    want = rec.recognize(word).text
    assert want == "there"
    for x, y in ((right + 15 * h, top), (right, top - 20 * h), (right + 40 * h, top + 30 * h)):
        assert rec.recognize(word + [dot(x, y, 99_999.0)]).text == want
    # without the outlier pass the dot flattens the word to nothing readable
    rec.ckpt.feature_config = InkFeatureConfig(drop_outliers=False)
    assert rec.recognize(word + [dot(right + 40 * h, top + 30 * h)]).text != want


# ----------------------------------------------------------------------------- lines


def compose(lines_of_words: list[list[str]], rng, pitch=2.0, slope=0.0, shear=0.0, drift=0.0, dots=True):
    """Lines of inkgen words (glyphs 50 units high), set left to right with word gaps, the
    lines `pitch` heights apart; each line tilted by `slope` (+/- drift) and slanted.
    Returns the ink and, for each line, the indices of its strokes."""
    ink, groups = [], []
    for k, words in enumerate(lines_of_words):
        line, x = [], 0.0
        for w in words:
            strokes = place(word_ink(w, rng), dx=x)
            x = max(float(s[:, 0].max()) for s in strokes) + 25 + 20 * rng.random()
            line += strokes
            if dots and "l" in w:  # a dot over each l, like an i's
                j = strokes[w.index("l")]
                line.append(dot(float(j[:, 0].mean()), float(j[:, 1].min()) - 22))
        line.append(dot(x - 20, 52.0))  # a period on the baseline (glyphs sit on y = 50)
        s = slope + drift * (rng.random() * 2 - 1)
        line = place(line, dx=20 * rng.random(), dy=k * pitch * 90.0, slope=s, shear=shear)
        groups.append(list(range(len(ink), len(ink) + len(line))))
        ink += line
    return ink, groups


@pytest.mark.parametrize("pitch, slope, shear, drift", [(2.0, 0.0, 0.0, 0.0), (1.5, 0.0, 0.3, 0.0), (1.8, 0.06, -0.2, 0.04), (1.6, -0.05, 0.25, 0.05)])
def test_composed_lines_are_found(pitch, slope, shear, drift):
    rng = np.random.default_rng(int(pitch * 10))
    text = [["lov", "vol", "ol", "lolv"], ["vv", "lol", "ovo"], ["olo", "vlv", "ll", "ov", "lo"]]
    ink, want = compose(text, rng, pitch=pitch, slope=slope, shear=shear, drift=drift)
    assert split_lines(ink) == want


def test_two_words_each_written_in_one_stroke_on_two_lines_are_two_lines():
    """A tester's list, "make" and "come" (held-out imp/ostrowski, cursive, one stroke each)
    on two guide lines, read "in": ink of fewer than three strokes was never split."""
    (s,) = read_ink_samples(Path(__file__).resolve().parent.parent / "app" / "fixtures" / "two_cursive_words.jsonl")
    assert s.label == "make\ncome" and len(s.strokes) == 2
    assert split_lines(s.strokes) == [[0], [1]]


def test_one_line_stays_one_and_order_is_top_to_bottom():
    rng = np.random.default_rng(5)
    ink, want = compose([["lov", "vol", "ol", "lolv", "vv", "lol"]], rng, slope=0.08)
    assert split_lines(ink) == [list(range(len(ink)))]
    assert split_lines(word_ink("lol", rng)) == [[0, 1, 2]]
    eq = [np.array([[0, 0, 0], [40, 1, 10]], np.float32), np.array([[0, 20, 20], [40, 21, 30]], np.float32)]
    assert split_lines(eq) == [[0, 1]]  # "=" is not two lines
    ink, want = compose([["lov", "vol"], ["olv", "ll"]], rng)
    shuffled = [ink[i] for i in (len(ink) - 1, *range(len(ink) - 1))]  # written bottom line first
    got = split_lines(shuffled)
    assert len(got) == 2 and got[1][0] == 0  # the stroke written first is in the lower line
    assert np.mean([shuffled[i][:, 1].mean() for i in got[0]]) < np.mean([shuffled[i][:, 1].mean() for i in got[1]])


def test_real_word_written_on_three_lines_reads_as_three_lines():
    from recognizers.recognizer import Recognizer

    rec = Recognizer.load(device="cpu", decoder="greedy")
    word = real_word()
    h = reference_height(word)
    ink = word + place(word, dx=0.3 * h, dy=2.2 * h, slope=0.04) + place(word, dx=-0.2 * h, dy=4.3 * h, shear=0.2)
    r = rec.recognize(ink)
    assert r.text == "there\nthere\nthere"
    assert [w for w, _ in r.word_confidence] == ["there"] * 3
    assert all("\n" in t for t, _ in r.alternatives)
    single = rec.recognize(word)  # one line: the single-pass path, unchanged
    assert single.text == "there" and single.alternatives == Recognizer.load(device="cpu", decoder="greedy").recognize(word, split=False).alternatives


def test_two_tall_dots_far_apart_are_marks_but_a_word_of_two_strokes_is_a_line():
    word = place(real_word())  # "there", starting at x = 0
    h = reference_height(word)
    top = float(min(s[:, 1].min() for s in word))

    def bar(x: float, y0: float, tall: float) -> np.ndarray:
        ys = np.linspace(y0, y0 + tall * h, 6)
        return np.stack([np.full(6, x) + np.linspace(0, 0.1 * h, 6), ys, np.arange(6.0)], 1).astype(np.float32)

    # i dots written as short strokes, well above the word and three heights apart: they are
    # letter-sized, far from each other, and sparse, so marks of the word, not a line of their own
    dots = [bar(0.5 * h, top - 1.4 * h, 0.55), bar(3.5 * h, top - 1.4 * h, 0.55)]
    assert split_lines(word + dots) == [list(range(len(word) + 2))]
    # a short word written in two strokes, a capital and, a gap after it, the rest in one go,
    # on a line below: as sparse as the dots, but one stroke is as wide as a word
    bottom = float(max(s[:, 1].max() for s in word))
    xs = np.linspace(1.6 * h, 2.8 * h, 40)
    rest = np.stack([xs, bottom + 1.6 * h + 0.3 * h * (1 - np.cos(xs / h * 2 * np.pi)), np.arange(40.0)], 1).astype(np.float32)
    second = [bar(0.0, bottom + 1.2 * h, 1.0), rest]
    n = len(word)
    assert split_lines(word + second) == [list(range(n)), [n, n + 1]]


def test_a_row_of_quotes_just_above_a_line_is_its_marks_not_a_line():
    """Four short ticks in a row over "I tried." were a line of their own ('"1 "\nI tried'):
    narrow, short and far apart just above a line's body, they are its marks."""
    (s,) = read_ink_samples(QUOTED)
    assert split_lines(s.strokes) == [list(range(len(s.strokes)))]


def test_pieces_that_start_on_a_letter_are_that_line_but_a_tail_touching_a_line_below_is_not():
    """The tails of a font's y and g, cut off by the thinning, start where the letter stops:
    they are the word's, not a line below it (they read "sullvino\n, ,")."""
    (s,) = read_ink_samples(DESCENDERS)
    assert split_lines(s.strokes) == [list(range(len(s.strokes)))]
    # a word written in one stroke whose tail runs into the line below stays a line: a
    # word is wider than a letter's piece
    word = place(real_word())
    h = reference_height(word)
    below = place(real_word(), dy=2.2 * h)
    end, to = np.concatenate(word)[-1], below[0][len(below[0]) // 2]
    tail = np.stack([np.linspace(end[0], to[0], 12), np.linspace(end[1], to[1], 12), end[2] + np.arange(1.0, 13.0)], 1)
    one_go = np.concatenate(word + [tail]).astype(np.float32)
    assert split_lines([one_go] + below) == [[0], list(range(1, len(below) + 1))]


def test_a_line_read_as_marks_alone_joins_the_line_it_hangs_from():
    """The same tails moved a little off the word (so they no longer start on it) still look
    like a line below; read as marks alone (", ,"), they join the word, read again with them."""
    from recognizers.recognizer import Recognizer

    (s,) = read_ink_samples(DESCENDERS)
    h = reference_height(s.strokes)
    moved = [np.asarray(st, np.float32) + (np.array([0, 0.3 * h, 0], np.float32) if i in (6, 13) else 0) for i, st in enumerate(s.strokes)]
    assert len(split_lines(moved)) == 2
    for decoder in ("greedy", "beam"):
        assert Recognizer.load(device="cpu", decoder=decoder).recognize(moved).text == "sullying"


# ----------------------------------------------------------------------------- words of a line


def test_words_cut_at_wide_gaps_only_and_marks_never_stand_alone():
    word = place(real_word())  # starts at x = 0
    h = reference_height(word)
    w = float(max(s[:, 0].max() for s in word) - min(s[:, 0].min() for s in word))
    wide = word + place(word, dx=w + 1.6 * h, shear=0.15) + place(word, dx=2 * w + 2.8 * h, slope=0.03)
    groups = split_words(wide)
    n = len(word)
    assert groups == [list(range(n)), list(range(n, 2 * n)), list(range(2 * n, 3 * n))]
    narrow = word + place(word, dx=w + 0.5 * WORD_GAP * h)  # a gap under WORD_GAP: the model decides
    assert split_words(narrow) == [list(range(2 * n))]
    bottom = float(max(s[:, 1].max() for s in word))
    period = dot(w + 1.5 * WORD_GAP * h, bottom)  # far out, but a mark: stays with its word
    quote = dot(-1.5 * WORD_GAP * h, bottom - h)  # a mark before the first word: joins it
    assert split_words(word + [period, quote]) == [list(range(n + 2))]
    assert split_words(wide, gap=float("inf")) == [list(range(3 * n))]
    assert split_words([]) == [[]] and split_words(word[:1]) == [[0]]


def test_letters_written_apart_stay_one_word_and_wider_gaps_still_cut():
    from recognizers.recognizer import Recognizer

    (s,) = read_ink_samples(SPACED)
    word = place(s.strokes)
    h = reference_height(word)
    order = sorted(word, key=lambda st: float(st[:, 0].min()))
    ends = np.maximum.accumulate([float(st[:, 0].max()) for st in order])
    gaps = [float(st[:, 0].min()) - e for st, e in zip(order[1:], ends[:-1])]
    assert max(gaps) > WORD_GAP * h  # the fixed gap alone would cut this word into letters
    n = len(word)
    assert split_words(word) == [list(range(n))]
    w = float(max(st[:, 0].max() for st in word))
    near = word + place(word, dx=w + max(gaps))  # the next word as close as its letters: one piece
    assert split_words(near) == [list(range(2 * n))]
    far = word + place(word, dx=w + 3 * max(gaps))  # a gap that stands out from the spacing: a word gap
    assert split_words(far) == [list(range(n)), list(range(n, 2 * n))]
    # short words evenly far apart ("I'll be back"): as narrow as letters, but gaps this wide always cut
    p_, s_ = place(s.strokes[:2]), place(s.strokes[4:5])  # its "p" and an "s", letter-sized words
    x, line = 0.0, []
    h = max(float(np.ptp(st[:, 1])) for st in p_ + s_)  # the tallest stroke: no reference height is more
    for piece in (p_, s_, p_, s_):
        line += place(piece, dx=x)
        x = float(max(st[:, 0].max() for st in line)) + (SPACED_MAX + 0.5) * h
    assert [len(g) for g in split_words(line)] == [2, 1, 2, 1]
    rec = Recognizer.load(device="cpu", decoder="greedy")
    assert rec.recognize(word).text == "pressure"
    assert rec.recognize(far).text == "pressure pressure"


def digit_row(*gaps: float) -> list[np.ndarray]:
    """The fixture's four digits on one baseline, `gaps` digit heights apart (one for all,
    or one per gap)."""
    digits = [s.strokes for s in read_ink_samples(DIGITS)]
    gaps = gaps * 3 if len(gaps) == 1 else gaps
    h = float(np.median([np.ptp(np.concatenate(d)[:, 1]) for d in digits]))
    line, x = [], 0.0
    for d, gap in zip(digits, (0.0,) + tuple(gaps)):
        x += gap * h
        bottom = max(float(st[:, 1].max()) for st in d)
        line += place(d, dx=x, dy=-bottom)
        x = max(float(st[:, 0].max()) for st in line)
    return line


def test_digit_groups_cut_a_row_at_every_gap_and_numbers_at_wide_gaps_only():
    sizes = lambda ink: [len(g) for g in digit_groups(ink)]  # noqa: E731
    one, two, three, four = (len(s.strokes) for s in read_ink_samples(DIGITS))
    assert sizes(digit_row(0.3)) == [one + two + three + four]  # a number
    assert sizes(digit_row(DIGIT_ROW_MIN + 0.1)) == [one, two, three, four]  # a row
    assert sizes(digit_row(DIGIT_ROW_MIN + 0.1, DIGIT_ROW_MIN + 0.1, DIGIT_ROW_GAP + 1)) == [one, two, three, four]
    assert sizes(digit_row(0.3, DIGIT_ROW_GAP + 0.5, 0.3)) == [one + two, three + four]  # two numbers
    assert sizes(digit_row(0.3, DIGIT_ROW_MIN + 0.1, 0.3)) == [one + two + three + four]  # one wide gap: a number
    assert digit_groups([]) == [[]] and digit_groups(digit_row(0.3)[:1]) == [[0]]


@pytest.mark.parametrize("decoder", ["greedy", "beam"])
def test_digits_each_far_apart_are_a_row_and_a_number_written_wide_stays_one(decoder):
    """Digits are letter-sized pieces, which `split_words` keeps together (letters printed
    apart); read as digits alone, they are several numbers where every piece stands
    DIGIT_ROW_MIN apart or a gap is DIGIT_ROW_GAP wide, else one number."""
    from recognizers.recognizer import Recognizer

    rec = Recognizer.load(device="cpu", decoder=decoder)
    assert rec.recognize(digit_row(0.3)).text == "1234"
    assert rec.recognize(digit_row(DIGIT_ROW_MIN + 0.3)).text == "1 2 3 4"
    assert rec.recognize(digit_row(DIGIT_ROW_GAP + 0.5), charset="digits").text == "1 2 3 4"
    assert rec.recognize(digit_row(0.3, DIGIT_ROW_GAP + 0.5, 0.3)).text == "12 34"  # two numbers
    row = rec.recognize(digit_row(DIGIT_ROW_MIN + 0.3, DIGIT_ROW_MIN + 0.3, DIGIT_ROW_GAP + 0.5))
    assert row.text == "1 2 3 4"  # a row with one wider gap is still a row
    assert all(t.strip() == t and "  " not in t for t, _ in row.alternatives)  # no piece left out
    assert rec.recognize(digit_row(DIGIT_ROW_MIN + 0.3), charset="number").text == "1 2 3 4"
    # written wide, but not each digit on its own (UNIPEN numbers reach 0.6 apart): one number
    assert rec.recognize(digit_row(0.6)).text == "1234"


def word_line(gap: float, fixture: Path = SPACED_WORDS, labels: tuple[str, ...] = ("the", "dog", "is", "very")) -> list[np.ndarray]:
    """The fixture's "the dog is very" (one held-out writer's words) on one baseline, `gap`
    reference heights apart."""
    words = {s.label: s.strokes for s in read_ink_samples(fixture)}
    h = reference_height([st for w in words.values() for st in w])
    line, x = [], 0.0
    for label in labels:
        top, bottom = (f(float(f(st[:, 1])) for st in words[label]) for f in (min, max))
        base = top + 0.62 * (bottom - top) if set(label) & set("gjpqy") else bottom  # a descender's tail hangs below
        line += place(words[label], dx=x, dy=-base)
        x = max(float(st[:, 0].max()) for st in line) + gap * h
    return line


@pytest.mark.parametrize("decoder", ["beam"])
def test_words_a_little_apart_read_with_an_unknown_word_are_cut_into_known_words(decoder):
    """A tester wrote "the dog is very" with gaps of 0.7 heights, under a word gap, and the
    model ran three words into one: "the dogisvery". A piece read with an unknown word is cut
    at its narrower gaps when every part then reads as a known word (`_known_apart`)."""
    from recognizers import recognizer as R

    rec = R.Recognizer.load(device="cpu", decoder=decoder)
    line = word_line(0.7)
    assert len(split_words(line)) < 4  # not cut at the word gap
    read = rec.recognize(line)
    assert read.text == "the dog is very"
    assert any(" " not in t[4:] for t, _ in read.alternatives[1:])  # the reading as written stays a candidate
    assert rec.recognize(word_line(1.5)).text == "the dog is very"  # wide gaps: cut as before
    before, R.KNOWN_GAPS = R.KNOWN_GAPS, ()
    try:
        assert rec.recognize(line).text != "the dog is very"  # what the rule mends
    finally:
        R.KNOWN_GAPS = before
    # the greedy decoder knows no words: it never cuts on that ground
    assert R.Recognizer.load(device="cpu", decoder="greedy").recognize(line).text.count(" ") < 3


def test_words_run_together_are_not_read_as_one_long_unknown_word():
    """A tester wrote held-out "the quick brown" (art/writer03) with visible but narrow gaps
    (0.3 reference heights, about 0.8 of its letters' height) and got "thequickbrown": one
    unknown word cost one flat price, less than three words. An unknown word longer than
    `oov_letters` (8) now costs that price per 8 letters."""
    from recognizers import recognizer as R

    rec = R.Recognizer.load(device="cpu", decoder="beam")
    assert rec.decoder.oov_letters == 8  # the shipped setting (resources/lm/decoder.json)
    line = word_line(0.3, QUICK_WORDS, ("the", "quick", "brown"))
    assert len(split_words(line)) == 1 and len(split_words(line, 0.6, spaced=False)) == 1  # no gap cuts it
    assert rec.recognize(line).text == "the quick brown"
    rec.decoder.oov_letters = 0  # one price for any unknown word, as before
    assert rec.recognize(line).text == "thequickbrown"


def test_a_line_of_words_far_apart_reads_word_by_word_in_one_batch():
    from recognizers.recognizer import Recognizer

    rec = Recognizer.load(device="cpu", decoder="greedy")
    word = place(real_word())  # starts at x = 0
    h = reference_height(word)
    w = float(max(s[:, 0].max() for s in word) - min(s[:, 0].min() for s in word))
    words = [word, place(word, dx=w + 1.8 * h, slope=0.02), place(word, dx=2 * w + 3.4 * h)]
    line = [s for x in words for s in x]
    r = rec.recognize(line)
    assert r.text == "there there there"
    assert len(r.char_confidence) == len(r.text)
    # each word reads in the padded batch as it reads alone
    alone = sum(rec.recognize(x).hypotheses[0].score for x in words)
    assert abs(r.hypotheses[0].score - alone) < 1e-4
    two_lines = line + place(line, dx=0.2 * h, dy=2.3 * h)
    assert rec.recognize(two_lines).text == "there there there\nthere there there"


@pytest.mark.skipif(not os.environ.get("SCRIVOX_SHARED_DATA"), reason="needs the UNIPEN text set: set SCRIVOX_SHARED_DATA to the shared data folder")
def test_real_multi_line_unipen_samples_read_better_split():
    """UNIPEN lines whose ink spans several lines (their labels carry no line breaks; scoring
    folds newlines into spaces): reading them line by line must beat one pass."""
    import itertools

    from recognizers.metrics import error_rates
    from recognizers.paths import shared_data_dir
    from recognizers.recognizer import Recognizer

    path = shared_data_dir() / "unipen" / "unipen-text.jsonl.gz"
    if not path.exists():
        pytest.skip(f"{path} is missing")
    rec = Recognizer.load(device="cpu", decoder="greedy")
    multi = list(itertools.islice((s for s in read_ink_samples(path) if len(split_lines(s.strokes)) > 1), 60))
    assert len(multi) == 60
    whole = error_rates([(s.label, rec.recognize(s.strokes, split=False).text) for s in multi], "handwriting")
    split = error_rates([(s.label, rec.recognize(s.strokes).text) for s in multi], "handwriting")
    assert split.cer < 0.6 * whole.cer, (split, whole)
