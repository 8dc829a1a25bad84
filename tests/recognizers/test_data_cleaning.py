"""Load-time cleaning of UNIPEN: ink stored under several labels is dropped, repeats kept once."""

import numpy as np

from recognizers.ink import InkSample, write_ink_jsonl
from recognizers.training.datasets import clean_ink_samples, load_ink_spec, load_unipen_clean

from .inkgen import make_samples, word_ink


def _fixture(tmp_path, monkeypatch):
    """A tiny UNIPEN folder: a word whose ink is also stored as each of its letters (in the
    word set and the lower-case set), a word written twice under the same label, and clean ink."""
    rng = np.random.default_rng(3)
    broken = word_ink("olv", rng)
    twice = word_ink("vo", rng)
    clean = make_samples(4, seed=5, writer="abc/w1")
    words = [InkSample("olv", broken, "abc/w1"), InkSample("vo", twice, "abc/w1"), InkSample("vo", twice, "abc/w1")] + clean
    lower = [InkSample(c, broken, "abc/w1") for c in "olv"] + [InkSample("o", word_ink("o", rng), "abc/w2")]
    folder = tmp_path / "unipen"
    folder.mkdir()
    write_ink_jsonl(folder / "unipen-word.jsonl.gz", words)
    write_ink_jsonl(folder / "unipen-lower.jsonl.gz", lower)
    monkeypatch.setenv("SCRIVOX_SHARED_DATA", str(tmp_path))
    return broken, clean


def test_conflicting_ink_dropped_everywhere_and_repeats_kept_once(tmp_path, monkeypatch, capsys):
    broken, clean = _fixture(tmp_path, monkeypatch)
    samples, rep = load_unipen_clean(["word"])
    labels = [s.label for s in samples]
    assert "olv" not in labels  # its ink is also stored as "o", "l" and "v" in the lower-case file
    assert labels.count("vo") == 1
    assert labels[1:] == [s.label for s in clean]
    assert (rep.read, rep.conflicting, rep.repeats, rep.kept) == (7, 1, 1, 5)
    assert "dropped 1 whose ink occurs under several labels, 1 repeated copies, 0 from sessions" in capsys.readouterr().err

    lower = load_ink_spec("unipen:lower")
    assert [s.label for s in lower] == ["o"]  # the three letters carrying the word's ink are gone
    both = load_ink_spec("unipen:word,lower")
    assert len(both) == 6 and all(s.extra["set"] in ("word", "lower") for s in both)


def test_sessions_with_shifted_labels_dropped_from_their_set(tmp_path, monkeypatch):
    """A session listed in MISALIGNED_SESSIONS for the word set loses its words, not the
    letters it wrote in another set."""
    rng = np.random.default_rng(4)
    folder = tmp_path / "unipen"
    folder.mkdir()
    write_ink_jsonl(folder / "unipen-word.jsonl.gz", [InkSample("vo", word_ink("vo", rng), "lex/mccup1"),
                                                       InkSample("ol", word_ink("ol", rng), "lex/robip1")])
    write_ink_jsonl(folder / "unipen-lower.jsonl.gz", [InkSample("v", word_ink("v", rng), "lex/mccup1")])
    monkeypatch.setenv("SCRIVOX_SHARED_DATA", str(tmp_path))
    samples, rep = load_unipen_clean(["word", "lower"])
    assert [(s.label, s.writer) for s in samples] == [("ol", "lex/robip1"), ("v", "lex/mccup1")]
    assert (rep.read, rep.misaligned, rep.kept) == (3, 1, 2)


def test_letters_cut_out_of_words_dropped_from_the_letter_set_only(tmp_path, monkeypatch):
    """A contributor listed in CUT_FROM_WORDS for the lower-case set loses those letters (each
    carries its neighbours' ink), not its words; other contributors' letters stay."""
    rng = np.random.default_rng(5)
    folder = tmp_path / "unipen"
    folder.mkdir()
    vo = word_ink("vo", rng)
    write_ink_jsonl(folder / "unipen-word.jsonl.gz", [InkSample("vo", vo, "cea/gb2911")])
    # "o" cut out of "vo" with all of its ink: the word, rightly labelled, must stay
    write_ink_jsonl(folder / "unipen-lower.jsonl.gz", [InkSample("o", vo, "cea/gb2911"),
                                                        InkSample("l", word_ink("ol", rng), "ceb/hc0715"),
                                                        InkSample("v", word_ink("v", rng), "pri/0")])
    monkeypatch.setenv("SCRIVOX_SHARED_DATA", str(tmp_path))
    samples, rep = load_unipen_clean(["word", "lower"])
    assert [(s.label, s.writer) for s in samples] == [("vo", "cea/gb2911"), ("v", "pri/0")]
    assert (rep.read, rep.conflicting, rep.cut_from_words, rep.kept) == (4, 0, 2, 2)
    assert "and 2 letters cut out of cursive words, kept 2" in rep.line()
    words, _ = load_unipen_clean(["word"])
    assert [s.label for s in words] == ["vo"]  # also when the letter set is not loaded


def test_clean_in_memory():
    rng = np.random.default_rng(0)
    a, b = word_ink("lo", rng), word_ink("ov", rng)
    s = [InkSample("lo", a), InkSample("l", a), InkSample("ov", b), InkSample("ov", [x.copy() for x in b])]
    out, rep = clean_ink_samples(s)
    assert [x.label for x in out] == ["ov"] and (rep.conflicting, rep.repeats) == (2, 1)


def test_composed_lines_varied_and_stacked():
    from recognizers.ink_lines import split_lines
    from recognizers.training.ink_compose import compose_lines, join_ink, stack_lines

    words = make_samples(40, seed=2, writer="abc/w1")
    words = [w for w in words if len(w.label) >= 2]
    rng = np.random.default_rng(0)
    plain = join_ink(words[:5], np.random.default_rng(1))
    again = join_ink(words[:5], np.random.default_rng(1), varied=False)
    assert all(np.array_equal(a, b) for a, b in zip(plain.strokes, again.strokes))  # the old lines are unchanged
    varied = compose_lines(words, 20, rng, varied=True)
    assert varied and all(" " in s.label for s in varied)
    page = stack_lines([join_ink(words[i : i + 4], rng, varied=True) for i in (0, 4, 8)], rng)
    assert page.label.count("\n") == 2
    assert len(split_lines(page.strokes)) == 3
