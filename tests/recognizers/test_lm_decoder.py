import pytest
import torch

from recognizers.alphabet import Alphabet
from recognizers.decoding.ctc import GreedyDecoder

pytest.importorskip("flashlight.lib.text")

from recognizers.decoding.lexicon import LexiconBeamDecoder  # noqa: E402


def emissions(alphabet: Alphabet, frames: list[dict[str, float]]) -> torch.Tensor:
    """(T, C) log-probs: each frame gives the listed characters their probabilities
    (" " is the space, "_" the blank) and spreads the rest over the blank."""
    lp = torch.full((len(frames), len(alphabet)), 1e-4)
    for t, f in enumerate(frames):
        for ch, p in f.items():
            lp[t, 0 if ch == "_" else alphabet.encode(ch)[0]] = p
        lp[t, 0] += max(0.0, 1 - float(lp[t].sum()))
    return (lp / lp.sum(1, keepdim=True)).log()


def spell(word_probs: list[dict[str, float]]) -> list[dict[str, float]]:
    out = []
    for f in word_probs:
        out += [f, {"_": 0.9}]
    return out


def test_lexicon_mode_corrects_a_misread_word():
    a = Alphabet.speech()
    # "house" with the o read more like an a: greedy says "hause"
    lp = emissions(a, spell([{"h": 0.9}, {"a": 0.5, "o": 0.4}, {"u": 0.9}, {"s": 0.9}, {"e": 0.9}]))
    assert GreedyDecoder(a).decode(lp)[0].text == "hause"
    hyps = LexiconBeamDecoder(a, "lexicon").decode(lp)
    assert hyps[0].text == "house"
    assert len(hyps[0].char_confidence) == len("house")
    assert all(h.score <= hyps[0].score for h in hyps)
    # lexicon-free mode keeps what it sees (names, codes)
    assert LexiconBeamDecoder(a, "free").decode(lp)[0].text == "hause"


def test_user_words_are_recognized_without_retraining():
    a = Alphabet.speech()
    # the writing hesitates between "scrlvox" and "scrivox"; neither is English
    lp = emissions(a, spell([{"s": 0.9}, {"c": 0.9}, {"r": 0.9}, {"l": 0.5, "i": 0.4}, {"v": 0.9}, {"o": 0.9}, {"x": 0.9}]))
    assert LexiconBeamDecoder(a, "lexicon").decode(lp)[0].text == "scrlvox"
    assert LexiconBeamDecoder(a, "lexicon", user_words=["scrivox"]).decode(lp)[0].text == "scrivox"


def test_the_decoders_files_are_gone_once_it_is_built(tmp_path, monkeypatch):
    """Its token, lexicon and LM files are read while flashlight builds the decoder: none is
    left in the temporary folder, even by a process that is killed later, and it still reads."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    a = Alphabet.speech()
    lp = emissions(a, spell([{"s": 0.9}, {"c": 0.9}, {"r": 0.9}, {"l": 0.5, "i": 0.4}, {"v": 0.9}, {"o": 0.9}, {"x": 0.9}]))
    dec = LexiconBeamDecoder(a, "lexicon", user_words=["scrivox"])
    assert list(tmp_path.iterdir()) == []
    assert dec.decode(lp)[0].text == "scrivox"


def test_handwriting_keeps_case_from_the_ink():
    a = Alphabet.handwriting()
    lp = emissions(a, spell([{"H": 0.9}, {"o": 0.9}, {"u": 0.5, "n": 0.4}, {"s": 0.9}, {"e": 0.9}]))
    assert LexiconBeamDecoder(a, "lexicon").decode(lp)[0].text == "House"


def test_handwriting_reads_a_word_whose_letters_waver_between_cases():
    """The search is case-folded: a letter's lower and upper case count together, and the
    word then takes the one form (lower, Capitalised, UPPER) its ink reads best as."""
    a = Alphabet.handwriting()
    # every letter of HOUSE is more upper than lower case, the lower case alone less likely
    # than the blank (so a fold that lost the upper-case columns finds nothing); the u could be an n
    shout = [{"H": 0.45, "h": 0.2}, {"O": 0.45, "o": 0.2}, {"U": 0.3, "u": 0.15, "N": 0.1, "n": 0.05},
             {"S": 0.45, "s": 0.2}, {"E": 0.45, "e": 0.2}]
    # No language model in the search, so that the ink alone decides what it finds first, and
    # a space after the word, which flashlight's lexicon spells at every word's end: then
    # candidates()[0] is flashlight's best (the folded search, not the prefix beam beside it).
    dec = LexiconBeamDecoder(a, "lexicon", lm_weight=0.0, word_score=0.0)
    end = [{" ": 0.9}]
    assert dec.candidates(emissions(a, spell(shout + end)))[0] == "HOUSE"
    # read as the app reads (the ranking's language model too), clearer ink says HOUSE as well
    clearer = [{"H": 0.5, "h": 0.4}, {"O": 0.5, "o": 0.4}, {"U": 0.3, "u": 0.25, "N": 0.2, "n": 0.15},
               {"S": 0.5, "s": 0.4}, {"E": 0.5, "e": 0.4}]
    assert LexiconBeamDecoder(a, "lexicon").decode(emissions(a, spell(clearer)))[0].text == "HOUSE"
    lower = [{k.lower(): sum(v for c, v in f.items() if c.lower() == k.lower()) for k in f} for f in shout]
    assert dec.candidates(emissions(a, spell(lower + end)))[0] == "house"
    # two words: each takes its own case
    the = [{"t": 0.9}, {"h": 0.9}, {"e": 0.9}, {" ": 0.9}]
    capital = [{"H": 0.8, "h": 0.1}] + lower[1:]
    assert dec.candidates(emissions(a, spell(the + capital + end)))[0] == "the House"


def test_a_word_in_mixed_case_does_not_borrow_the_dictionary_words_score():
    """Printed "fox" whose o is written large: the free search beside the lexicon finds "fOx";
    the word model must not score it as "fox", or the size of one letter decides the word."""
    a = Alphabet.handwriting()
    dec = LexiconBeamDecoder(a, "lexicon")
    lp = emissions(a, spell([{"f": 0.9}, {"O": 0.55, "o": 0.35}, {"x": 0.9}]))
    assert GreedyDecoder(a).decode(lp)[0].text == "fOx"
    assert dec.decode(lp)[0].text == "fox"
    assert dec.prior("the fox") == dec.prior("the Fox") == dec.prior("the FOX") > dec.prior("the fOx")
    mine = LexiconBeamDecoder(a, "lexicon", user_words=["McArthur"])
    assert mine.prior("McArthur") == mine.prior("mcarthur") > mine.prior("MCarthur")


def test_a_users_own_spelling_survives_the_folded_search():
    a = Alphabet.handwriting()
    ink = spell([{"M": 0.9}, {"c": 0.9}, {"A": 0.9}, {"r": 0.9}, {"t": 0.9}, {"h": 0.9}, {"u": 0.5, "n": 0.4}, {"r": 0.9}])
    dec = LexiconBeamDecoder(a, "lexicon", user_words=["McArthur"])
    assert dec.candidates(emissions(a, ink + [{" ": 0.9}]))[0] == "McArthur"  # flashlight's best
    assert dec.decode(emissions(a, ink))[0].text == "McArthur"


def test_the_search_keeps_more_candidates_than_it_returns_when_asked():
    """search_nbest widens what flashlight hands to the ranking; the output stays at nbest."""
    a = Alphabet.speech()
    # three doubtful letters: many spellings of a short phrase compete
    lp = emissions(a, spell([{"t": 0.6, "d": 0.3}, {"h": 0.9}, {"e": 0.5, "a": 0.4}, {" ": 0.9},
                             {"c": 0.6, "k": 0.3}, {"a": 0.5, "o": 0.4}, {"t": 0.9}]))
    narrow = LexiconBeamDecoder(a, "lexicon", nbest=2, search_nbest=2)
    wide = LexiconBeamDecoder(a, "lexicon", nbest=2, search_nbest=20, beam_size=100)
    assert len(wide.candidates(lp)) > len(narrow.candidates(lp))
    assert len(wide.decode(lp)) == 2
    # the search's LM weight is its own: it changes what the search finds, not the ranking's weight
    light = LexiconBeamDecoder(a, "lexicon", nbest=2, search_nbest=20, search_lm_weight=0.0, search_word_score=0.0)
    heavy = LexiconBeamDecoder(a, "lexicon", nbest=2, search_nbest=20, search_lm_weight=2.0, search_word_score=0.0)
    assert light.candidates(lp) != heavy.candidates(lp)
    assert light.lm_weight == heavy.lm_weight == 0.5


def test_kenlm_chatter_is_held_back_and_other_stderr_passes():
    """Every start printed KenLM's "build a binary file" advice and a progress ruler to the
    terminal; the decoder now holds those back, and only those (in a fresh process, whose
    stderr is a real file descriptor)."""
    import subprocess
    import sys

    code = (
        "import os\n"
        "from recognizers.decoding.lexicon import LexiconBeamDecoder, kenlm_quiet\n"
        "from recognizers.alphabet import Alphabet\n"
        "LexiconBeamDecoder(Alphabet.handwriting(), mode='lexicon')\n"
        "with kenlm_quiet():\n"
        "    os.write(2, b'a real warning\\n')\n"
        "os.write(2, b'after\\n')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stderr.splitlines() == ["a real warning", "after"]


def test_block_capitals_are_not_doubted_for_a_letter_whose_capital_is_its_shape_larger():
    """A tester's "NOW" was underlined as doubtful: its W was as likely a w, a letter whose
    capital is the same shape. The beam sets a word's case as a whole, and the N and the O
    say UPPER, so that is no doubt; "So" against "so", which the ink cannot settle, still is."""
    from recognizers.decoding.confidence import DOUBT_BELOW
    from recognizers.decoding.ctc import aligned_confidence

    a = Alphabet.handwriting()
    dec = LexiconBeamDecoder(a, "lexicon")
    lp = emissions(a, spell([{"N": 0.9}, {"O": 0.8, "o": 0.1}, {"W": 0.46, "w": 0.44}]))
    now = dec.decode(lp)[0]
    assert now.text == "NOW"
    assert [w for w, c in now.word_confidence if c < DOUBT_BELOW] == []
    assert min(aligned_confidence(lp, a.encode("NOW"))) < DOUBT_BELOW  # letter by letter, the W alone would doubt it
    so = dec.decode(emissions(a, spell([{"S": 0.46, "s": 0.44}, {"o": 0.9}])))[0]
    assert so.text.lower() == "so" and [c < DOUBT_BELOW for _, c in so.word_confidence] == [True]
    # a letter that may be another letter is doubted as before
    bar = dec.decode(emissions(a, spell([{"b": 0.9}, {"a": 0.45, "o": 0.45}, {"r": 0.9}])))[0]
    assert [c < DOUBT_BELOW for _, c in bar.word_confidence] == [True]


def test_a_case_form_the_frames_do_not_favour_has_no_confidence_below_zero():
    """The language model or the views may pick a case form the frames alone do not favour
    ("so" where the S reads 0.7 upper): its confidence is 0, never negative."""
    from recognizers.decoding.ctc import word_cased_confidence

    a = Alphabet.handwriting()
    conf = word_cased_confidence(emissions(a, spell([{"S": 0.7, "s": 0.2}, {"o": 0.9}])), "so", a)
    assert len(conf) == 2 and all(0.0 <= c <= 1.0 for c in conf) and min(conf) == 0.0


def test_ink_that_is_there_reads_as_something_a_lone_dot_as_a_period():
    """With the fold-tuned weights (word score 0) the beam ranks an empty reading first for a
    lone dot; the recognizer drops the empty readings of ink that is there, and the period is
    read, with its confidence."""
    import numpy as np

    from recognizers.decoding import DecoderSettings
    from recognizers.recognizer import Recognizer

    rec = Recognizer.load(None, "handwriting", device="cpu", decoder=DecoderSettings("beam"))
    assert rec.decoder.word_score == 0.0  # the shipped weights this guards
    dot = [np.array([[100.0, 100.0, 0.0]], np.float32)]
    assert "" in [h.text for h in rec._read(dot, None)]  # the decoder's own list has the empty reading
    r = rec.recognize(dot)
    assert r.text == "." and "" not in [t for t, _ in r.alternatives]
    assert [w for w, _ in r.word_confidence] == ["."] and 0.0 <= r.word_confidence[0][1] <= 1.0
    scores = [s for _, s in r.alternatives]
    assert scores == sorted(scores, reverse=True)


def test_the_shipped_handwriting_beam_knows_the_rarer_words_of_the_list():
    """Handwriting searches the whole word list, as speech does (session 27): a misread
    "fuchsia" (word 41,543 of 60,000) is corrected, where a 20,000-word search could not."""
    from recognizers.decoding import make_decoder

    a = Alphabet.handwriting()
    lp = emissions(a, spell([{"f": 0.9}, {"u": 0.9}, {"c": 0.9}, {"h": 0.9}, {"s": 0.9}, {"l": 0.5, "i": 0.4}, {"a": 0.9}]))
    assert GreedyDecoder(a).decode(lp)[0].text == "fuchsla"
    assert make_decoder("beam", a, "handwriting").decode(lp)[0].text == "fuchsia"
    assert LexiconBeamDecoder(a, "lexicon", max_words=20000, lm_weight=0.3, word_score=0.0, oov_logprob=-16.0).decode(lp)[0].text != "fuchsia"


def test_where_the_views_disagree_each_view_is_searched_in_the_lexicon_too():
    """Session 27: the lexicon search runs on the other views of the ink only where their best
    paths differ from the ink's (a clear word costs one search), and a word only another
    view's search finds joins the candidates."""
    from recognizers.decoding.views import read_views

    class Counting(LexiconBeamDecoder):
        searched = 0

        def candidates(self, em, free=True):
            Counting.searched += 1
            return super().candidates(em, free)

    a = Alphabet.handwriting()
    dec = Counting(a, "lexicon", lm_weight=0.3, word_score=0.0, oov_logprob=-16.0)
    clear = emissions(a, spell([{"h": 0.9}, {"o": 0.9}, {"u": 0.9}, {"s": 0.9}, {"e": 0.9}]))
    read_views(dec, a, [clear, clear, clear], search_views=True)
    assert Counting.searched == 1  # the ink's own reading only
    # the ink itself reads "hxusx"; a second view shows "house" with a doubtful o
    ink = emissions(a, spell([{"h": 0.9}, {"x": 0.9}, {"u": 0.9}, {"s": 0.9}, {"x": 0.9}]))
    other = emissions(a, spell([{"h": 0.9}, {"a": 0.5, "o": 0.4}, {"u": 0.9}, {"s": 0.9}, {"e": 0.9}]))
    Counting.searched = 0
    without = [h.text for h in read_views(dec, a, [ink, other], search_views=False)]
    assert Counting.searched == 1 and "house" not in without
    Counting.searched = 0
    found = [h.text for h in read_views(dec, a, [ink, other], search_views=True)]
    assert Counting.searched == 2 and "house" in found
    # free spelling has no word list to look up in the other views
    free = Counting(a, "free")
    Counting.searched = 0
    read_views(free, a, [ink, other], search_views=True)
    assert Counting.searched == 1


def test_a_personal_word_with_a_space_is_left_out_not_fatal():
    a = Alphabet.speech()
    lp = emissions(a, spell([{"s": 0.9}, {"c": 0.9}, {"r": 0.9}, {"l": 0.5, "i": 0.4}, {"v": 0.9}, {"o": 0.9}, {"x": 0.9}]))
    dec = LexiconBeamDecoder(a, "lexicon", user_words=["new york", "scrivox"])  # KenLM refused the first
    assert dec.decode(lp)[0].text == "scrivox"


def test_a_letter_misread_as_a_digit_does_not_win_as_a_number():
    """A digit inside a run of letters is not a number: "H1JKL" must not take a number's
    prior over "HIJKL" (the old rule priced any text with a digit as a number, so a letter
    half read as a digit beat the letter). Numbers, with their signs, and codes come through."""
    a = Alphabet.handwriting()
    dec = LexiconBeamDecoder(a, "lexicon", lm_weight=0.3, word_score=0.0, oov_logprob=-16.0)
    lp = emissions(a, spell([{"H": 0.9}, {"I": 0.55, "1": 0.4}, {"J": 0.9}, {"K": 0.9}, {"L": 0.9}]))
    assert dec.decode(lp)[0].text == "HIJKL"
    assert dec.lm_score("H1JKL", -16.0) == dec.lm_score("HIJKL", -16.0)
    for number in ("2-3+4", "$3.50", "510-874-3861", "21st"):
        assert dec.lm_score(number, -16.0) > dec.lm_score("qrst", -16.0), number
    digits = emissions(a, spell([{c: 0.9} for c in "2-3+4"]))
    assert dec.decode(digits)[0].text == "2-3+4"
    # a code of letters and digits side by side, written clearly, keeps its digits (a rule
    # that made every mix unknown read "CO2" as "COZ" and "5pm" as "Spm")
    for code, lookalike in (("CO2", "Z"), ("A4", "A"), ("5pm", "S"), ("MP3", "B"), ("B12", "Z")):
        frames = [{c: 0.6, lookalike: 0.35} if c.isdigit() else {c: 0.9} for c in code]
        assert dec.decode(emissions(a, spell(frames)))[0].text == code, code
    # but a number is likelier than a code: a 0 that looks a little more like a Q stays a 0
    # (a tester's "200" was committed as "20Q")
    frames = [{"2": 0.9}, {"0": 0.9}, {"Q": 0.5, "0": 0.45}]
    assert dec.decode(emissions(a, spell(frames)))[0].text == "200"


def test_a_personal_word_that_looks_like_a_code_keeps_its_boost():
    """A new user added "7pm" to their vocabulary and still got "7pn": a word that looks like
    a code (or a number) was priced as one whatever the person's list said."""
    a = Alphabet.handwriting()
    frames = spell([{"7": 0.9}, {"p": 0.9}, {"n": 0.55, "m": 0.4}])
    plain = LexiconBeamDecoder(a, "lexicon", max_words=5000, lm_weight=0.3, word_score=0.0, oov_logprob=-16.0)
    assert plain.decode(emissions(a, frames))[0].text == "7pn"  # both codes: the ink decides
    mine = LexiconBeamDecoder(a, "lexicon", max_words=5000, lm_weight=0.3, word_score=0.0, oov_logprob=-16.0, user_words=["7pm"])
    assert mine.lm_score("7pm", -16.0) > mine.lm_score("7pn", -16.0) == plain.lm_score("7pn", -16.0)
    assert mine.decode(emissions(a, frames))[0].text == "7pm"
    # and never below what it would get as a code or a number (odd case, after another word)
    assert mine.lm_score("7Pm", -16.0) == plain.lm_score("7Pm", -16.0)
    years = LexiconBeamDecoder(a, "lexicon", max_words=5000, lm_weight=0.3, word_score=0.0, oov_logprob=-16.0, user_words=["2024"])
    assert years.lm_score("in 2024", -16.0) >= plain.lm_score("in 2024", -16.0)


def test_the_handwriting_and_speech_beams_share_one_trie_and_word_model():
    """Both beams spell the same words with the same word model: one trie and one KenLM serve
    both (each held about 70 MB), and each still reads its own output. A decoder with the
    user's words has a search of its own; a search goes with the last decoder using it."""
    import gc
    import weakref

    hw_alphabet, sp_alphabet = Alphabet.handwriting(), Alphabet.speech()
    hw = LexiconBeamDecoder(hw_alphabet, "lexicon", max_words=5000)
    sp = LexiconBeamDecoder(sp_alphabet, "lexicon", max_words=5000)
    assert hw._search is sp._search
    house = [{"h": 0.9}, {"o": 0.5, "a": 0.4}, {"u": 0.9}, {"s": 0.9}, {"e": 0.9}]
    assert sp.decode(emissions(sp_alphabet, spell(house)))[0].text == "house"
    assert hw.decode(emissions(hw_alphabet, spell([{"H": 0.9}] + house[1:])))[0].text == "House"
    mine = LexiconBeamDecoder(sp_alphabet, "lexicon", max_words=5000, user_words=["scrivox"])
    assert mine._search is not sp._search
    gone = weakref.ref(sp._search)
    del hw, sp
    gc.collect()
    assert gone() is None


def test_a_personal_word_typed_with_punctuation_is_the_bare_word_too():
    """A tester typed "Scrivox," and "(McArthur)" into the vocabulary and neither was ever
    read: the lexicon held them with their punctuation, which the ink and the voice lack."""
    sp = Alphabet.speech()
    lp = emissions(sp, spell([{"s": 0.9}, {"c": 0.9}, {"r": 0.9}, {"l": 0.5, "i": 0.4}, {"v": 0.9}, {"o": 0.9}, {"x": 0.9}]))
    assert LexiconBeamDecoder(sp, "lexicon", user_words=["Scrivox,"]).decode(lp)[0].text == "scrivox"
    hw = Alphabet.handwriting()
    ink = spell([{"M": 0.9}, {"c": 0.9}, {"A": 0.9}, {"r": 0.9}, {"t": 0.9}, {"h": 0.9}, {"u": 0.5, "n": 0.4}, {"r": 0.9}])
    mine = LexiconBeamDecoder(hw, "lexicon", user_words=["(McArthur)"])
    assert mine.decode(emissions(hw, ink))[0].text == "McArthur"
    assert mine.prior("McArthur,") == mine.prior("McArthur") > LexiconBeamDecoder(hw, "lexicon").prior("McArthur")
    # a word whose signs are its own ("C++", "C#") does not make its letter a personal word
    coder = LexiconBeamDecoder(hw, "lexicon", user_words=["C++", "C#"])
    assert coder.personal == {"c++", "c#"} and coder.prior("c") == LexiconBeamDecoder(hw, "lexicon").prior("c")


def test_a_reading_the_beam_is_sure_of_is_not_doubtful():
    """A tester's "again" was read right yet underlined at 6 %: the network read "aguin" and
    the word list chose "again" far ahead of the rest. Where the best reading holds
    SURE_SHARE of the n-best, its letters are at least that sure (`share_floor`); a close
    call keeps the letter's own doubt."""
    from recognizers.decoding.confidence import SURE_SHARE, share_floor
    from recognizers.decoding.hypothesis import Hypothesis

    sure = [Hypothesis("again", -7.1, [1.0, 1.0, 0.01, 1.0, 1.0]), Hypothesis("aguin", -11.2), Hypothesis("agiin", -14.3)]
    assert min(share_floor(sure)[0].char_confidence) >= SURE_SHARE
    close = [Hypothesis("again", -7.1, [1.0, 1.0, 0.01, 1.0, 1.0]), Hypothesis("aguin", -7.6)]
    assert min(share_floor(close)[0].char_confidence) == 0.01
    a = Alphabet.speech()
    lp = emissions(a, spell([{"h": 0.9}, {"a": 0.5, "o": 0.4}, {"u": 0.9}, {"s": 0.9}, {"e": 0.9}]))
    hyps = LexiconBeamDecoder(a, "lexicon").decode(lp)
    assert hyps[0].text == "house" and len(hyps[0].char_confidence) == 5


def test_a_word_the_readings_dispute_is_doubtful_in_speech():
    """Speech's letters are often sure of a word that the next readings replace ("cat" read at
    75 % against "cut" and "at"): a word's confidence is capped by its share of the n-best
    (`cap_by_posteriors`), so the disputed word is underlined while the word every reading
    agrees on is not. Handwriting keeps its letters' and case measure."""
    from recognizers.decoding.confidence import DOUBT_BELOW, word_posteriors

    a = Alphabet.speech()

    def read(p_a: float, p_u: float, posteriors: bool = True) -> dict[str, float]:
        lp = emissions(a, spell([{"t": 0.95}, {"h": 0.95}, {"e": 0.95}, {" ": 0.95}, {"c": 0.95}, {"a": p_a, "u": p_u}, {"t": 0.95}]))
        d = LexiconBeamDecoder(a, "lexicon")
        assert d.word_posteriors
        d.word_posteriors = posteriors
        best = d.decode(lp)[0]
        assert best.text == "the cat"
        return dict(best.word_confidence)

    assert read(0.75, 0.2, posteriors=False)["cat"] >= DOUBT_BELOW  # the letters alone: not doubtful
    disputed = read(0.75, 0.2)
    assert disputed["cat"] < DOUBT_BELOW <= disputed["the"]
    clear = read(0.95, 0.01)
    assert min(clear.values()) >= DOUBT_BELOW
    assert not LexiconBeamDecoder(Alphabet.handwriting(), "lexicon").word_posteriors

    # every reading holds "i", "saw" and "dog"; "their" only the best one
    post = word_posteriors("i saw their dog", ["i saw their dog", "i saw there dog", "i saw the air dog"], [-1.0, -1.5, -2.0])
    assert post[0] == post[1] == post[3] == pytest.approx(1.0)
    assert post[2] == pytest.approx(1 / (1 + 2.718281828 ** -0.125 + 2.718281828 ** -0.25), rel=1e-6)


def test_a_long_unknown_word_costs_more_than_a_short_one():
    """Handwritten words run together read as one long unknown word ("thequickbrown"): past
    `oov_letters` letters an unknown word costs its price per that many letters; known words,
    numbers and short unknown words cost what they did."""
    a = Alphabet.handwriting()
    flat, scaled = LexiconBeamDecoder(a, "lexicon"), LexiconBeamDecoder(a, "lexicon", oov_letters=8)
    for text in ("the quick brown", "qzxvkjwq", "12345678901234", "the qzx"):
        assert scaled.lm_score(text, -16.0) == pytest.approx(flat.lm_score(text, -16.0))
    assert scaled.lm_score("qzxvkjwqqzxvkjwq", -16.0) == pytest.approx(2 * flat.lm_score("qzxvkjwqqzxvkjwq", -16.0))
