"""The word bigram model: estimation, ARPA round trip, restriction, and its use in rescoring."""

from __future__ import annotations

import math

import pytest

from recognizers.decoding.word_lm import WordLM, estimate_bigrams

UNI = {"the": 0.3, "cat": 0.1, "dog": 0.1, "sat": 0.2, "ran": 0.2, "mat": 0.1}
CORPUS = [["the", "cat", "sat"], ["the", "cat", "sat"], ["the", "dog", "ran"], ["the", "dog", "ran"],
          ["the", "cat", "ran"], ["the", "mat"], ["zebra", "sat"]]


@pytest.fixture()
def lm() -> WordLM:
    return estimate_bigrams(UNI, CORPUS, min_count=2)


def test_each_context_is_a_distribution(lm: WordLM) -> None:
    for prev in ("the", "cat", "dog", "sat", None):
        assert sum(10 ** lm.logprob(prev, w) for w in UNI) == pytest.approx(1.0, abs=1e-6)


def test_seen_bigrams_beat_the_unigrams_and_rare_ones_back_off(lm: WordLM) -> None:
    assert lm.logprob("cat", "sat") > math.log10(UNI["sat"])
    assert ("cat", "ran") not in lm.bigram  # seen once: below min_count
    assert ("zebra", "sat") not in lm.bigram  # zebra is outside the vocabulary
    assert lm.logprob("cat", "sat") > lm.logprob("cat", "ran")
    assert lm.logprob(None, "cat") == pytest.approx(math.log10(UNI["cat"]))
    assert lm.logprob("the", "zebra") is None


def test_arpa_round_trip_and_restriction(lm: WordLM, tmp_path) -> None:
    path = tmp_path / "lm.arpa"
    lm.write_arpa(path)
    back = WordLM.read_arpa(path)
    for prev in ("the", "cat", None):
        for w in UNI:
            assert back.logprob(prev, w) == pytest.approx(lm.logprob(prev, w), abs=1e-4)
    # read back, the bigrams are packed (PackedBigrams) and answer as the dict did
    assert type(back.bigram) is not dict and len(back.bigram) == len(lm.bigram)
    assert {k: round(p, 4) for k, p in back.bigram.items()} == {k: round(p, 4) for k, p in lm.bigram.items()}
    assert ("cat", "sat") in back.bigram and ("cat", "ran") not in back.bigram and ("zebra", "sat") not in back.bigram
    assert back.bigram.get(("the", "zebra")) is None
    small = back.restricted(["the", "cat"], {"McArthur".lower(): -1.0})
    assert "dog" not in small and "mcarthur" in small
    assert all(a in small and b in small for a, b in small.bigram)
    assert small.logprob(None, "mcarthur") == -1.0
    assert "ngram 2=" in path.read_text()


def test_a_model_without_bigrams_still_writes_a_bigram_section(tmp_path) -> None:
    lm = WordLM({"<s>": -99.0, "</s>": 0.0, "<unk>": -9.0, "hello": -1.0})
    lines = lm.arpa_lines()
    assert "ngram 2=1" in lines and "-1.0000\t<s> hello" in lines


def test_the_beam_decoder_rescores_with_word_context() -> None:
    pytest.importorskip("torchaudio")
    from recognizers.alphabet import Alphabet
    from recognizers.decoding.lexicon import LexiconBeamDecoder

    dec = LexiconBeamDecoder(Alphabet.speech(), max_words=20000)
    bigram = dec.lm_score("of the", oov_logprob=-10.0)
    swapped = dec.lm_score("the of", oov_logprob=-10.0)
    assert bigram > swapped  # the same words, so only the bigram can tell them apart
    # a number breaks the chain; an unknown word costs oov_logprob
    assert dec.lm_score("qzxv", oov_logprob=-10.0) == pytest.approx(-10.0 * math.log(10))


def test_the_end_of_a_text_costs_nothing_and_a_boost_is_not_undone(lm: WordLM) -> None:
    assert lm.logprob("cat", "</s>") == 0.0  # KenLM would add the backoff weight otherwise
    with pytest.raises(ValueError):
        lm.restricted([])
    # "x" is seen after "a" twice, so a weak bigram lists it; boosted, "x" must not score
    # worse after "a" than its boost through a's backoff
    uni = {"a": 0.4, "b": 0.3, "x": 0.01, "c": 0.09, "d": 0.1, "e": 0.1}
    corpus = [["a", "b"]] * 30 + [["a", "x"]] * 2 + [["a", "c"], ["a", "d"], ["a", "e"], ["b", "c"], ["b", "c"]]
    weak = estimate_bigrams(uni, corpus)
    assert ("a", "x") in weak.bigram
    boosted = weak.restricted(list(uni), {"x": -0.5})
    assert boosted.logprob("a", "x") >= weak.backoff["a"] - 0.5 - 1e-9
    assert boosted.logprob("a", "b") == weak.logprob("a", "b")  # other words keep their bigrams


def test_a_boost_over_every_word_shares_the_tables_and_scores_as_a_copy_would(lm: WordLM, tmp_path) -> None:
    boost = {"mat": -0.2, "ran": -0.1, "mcarthur": -1.0}
    over = lm.restricted(list(UNI), boost)
    # a personal word must not copy the model (each recognizer held a copy of ~12 MB)
    assert over.unigram is lm.unigram and over.bigram is lm.bigram
    assert "mcarthur" in over and "mcarthur" not in lm
    # dropping a word still copies; on every other pair both must agree
    copy = lm.restricted([w for w in UNI if w != "dog"], boost)
    assert copy.bigram is not lm.bigram
    kept = [w for w in UNI if w != "dog"] + ["mcarthur"]
    for prev in (None, *kept):
        for w in kept:
            assert over.logprob(prev, w) == pytest.approx(copy.logprob(prev, w), abs=1e-12)
    # and KenLM reads what the rescoring scores
    path = tmp_path / "over.arpa"
    over.write_arpa(path)
    back = WordLM.read_arpa(path)
    for prev in (None, *UNI, "mcarthur"):
        for w in (*UNI, "mcarthur"):
            assert back.logprob(prev, w) == pytest.approx(over.logprob(prev, w), abs=1e-4)
    assert lm.restricted(list(UNI)) is lm
