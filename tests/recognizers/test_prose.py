"""Running English from fortunes and The Devil's Dictionary (recognizers/synth/prose.py): the
text rules that decide what the speech word model counts and what the synthetic voices read."""

from __future__ import annotations

import numpy as np
import pytest

from recognizers.synth import prose as P
from recognizers.synth import spoken as SP
from recognizers.text_norm import normalize_text


def test_a_fortune_loses_its_attribution():
    fortune = ("Man is the only animal that blushes.  Or needs to.\n"
               "\t\t-- Mark Twain,\n\t\t   Following the Equator")
    assert P.fortune_text(fortune).split() == "Man is the only animal that blushes. Or needs to.".split()
    assert P.fortune_text("Brevity is the soul of wit. -- Shakespeare").strip() == "Brevity is the soul of wit."
    # a dash inside the text is not an attribution
    assert "-- or so" in P.fortune_text("It was late -- or so it seemed.")


def test_sentences_end_at_stops_and_closing_quotes_not_after_titles():
    got = P.sentences_of('He said "Go home." Then Mr. Smith left! Did J. Doe stay? Yes.')
    assert got == ['He said "Go home."', "Then Mr. Smith left!", "Did J. Doe stay?", "Yes."]


def test_sentences_holding_held_out_text_are_dropped():
    held_out = {"the quick brown fox", "ask not"}
    kept, dropped = P.without_held_out(
        ["And so, The quick brown fox! jumped.", "A quick brown foxtrot.", "Ask not what.", "Nothing here."], held_out)
    # whole words only: "foxtrot" is another word
    assert kept == ["A quick brown foxtrot.", "Nothing here."]
    assert dropped == 2


needs_fortunes = pytest.mark.skipif(not P.FORTUNES_MARKER.is_file() or not P.DEVIL_DICT.is_file(),
                                    reason="Debian's fortunes and dict-devil (scripts/setup.sh test installs them)")


@needs_fortunes
def test_voices_read_prose_only_when_asked_and_never_held_out_text():
    default = SP.TextBank(None, wordnet_dir=None)
    assert "prose" not in default.kinds("train")  # existing caches keep their plans

    bank = SP.TextBank(None, wordnet_dir=None, train_kinds={"prose": 1.0})
    pool = bank.prose_train()
    assert len(pool) > 10000
    # a held-out sentence inside a fortune takes that fortune's sentence out of the pool
    victim = pool[len(pool) // 2]
    bank2 = SP.TextBank(None, wordnet_dir=None, train_kinds={"prose": 1.0})
    bank2.excluded = {normalize_text(victim)}
    assert victim not in bank2.prose_train() and len(bank2.prose_train()) < len(pool)

    rng = np.random.default_rng(3)
    drawn = [bank.draw(rng, "train") for _ in range(200)]
    assert {k for k, _ in drawn} == {"prose"}
    for _, text in drawn:  # what a voice reads the way normalize_text writes it
        assert SP._speakable(text) and len(text.split()) >= 3 and not any(c.isdigit() for c in text)
    assert len({t for _, t in drawn}) > 190
    # validation text never comes from prose
    assert "prose" not in bank.kinds("val")
    with pytest.raises(ValueError):
        bank._prose(rng, "val")


def test_unknown_training_kinds_are_refused():
    with pytest.raises(ValueError):
        SP.TextBank(None, wordnet_dir=None, train_kinds={"poetry": 1.0})
    with pytest.raises(ValueError):
        SP.TextBank(None, wordnet_dir=None, train_kinds={"prose": 0.0})


@needs_fortunes
def test_dictation_says_the_marks_of_prose_only_when_asked():
    """Training text for spoken punctuation: prose sentences with each mark said as the app
    reads it ("comma", "period" or "full stop"...), so the voices say the words it turns back."""
    from app.formatting import dictate
    from recognizers.text_norm import SPOKEN_MARKS

    assert "dictation" not in SP.TextBank(None, wordnet_dir=None).kinds("train")
    bank = SP.TextBank(None, wordnet_dir=None, train_kinds={"dictation": 1.0})
    rng = np.random.default_rng(5)
    drawn = [bank.draw(rng, "train")[1] for _ in range(200)]
    said = {w for phrase in SPOKEN_MARKS for w in phrase}
    assert all(not any(c in ".,:;?!" for c in t) for t in drawn)  # every mark is said
    assert sum(any(w in said for w in normalize_text(t).split()) for t in drawn) == 200
    assert any("full stop" in t for t in drawn) and any(" period" in t for t in drawn) and any(" comma " in t for t in drawn)
    # and the app writes a drawn sentence back with its marks
    back = dictate([(w, 1.0) for w in normalize_text(drawn[0]).split()], "", True)[0]
    assert any(c in back for c in ".,:;?!")
    with pytest.raises(ValueError):
        bank._dictation(rng, "val")
