"""The text rules of scripts/build_lm.py, which decide what the shipped word model is counted in."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


@pytest.fixture(scope="module")
def build_lm():
    sys.path.insert(0, str(SCRIPTS))  # the script imports its neighbour _checkout
    try:
        yield importlib.import_module("build_lm")
    finally:
        sys.path.remove(str(SCRIPTS))


def test_a_fortune_loses_its_attribution(build_lm):
    fortune = ("Man is the only animal that blushes.  Or needs to.\n"
               "\t\t-- Mark Twain,\n\t\t   Following the Equator")
    assert build_lm.fortune_text(fortune).split() == "Man is the only animal that blushes. Or needs to.".split()
    assert build_lm.fortune_text("Brevity is the soul of wit. -- Shakespeare").strip() == "Brevity is the soul of wit."
    # a dash inside the text is not an attribution
    assert "-- or so" in build_lm.fortune_text("It was late -- or so it seemed.")


def test_sentences_end_at_stops_and_closing_quotes_not_after_titles(build_lm):
    got = build_lm.sentences_of('He said "Go home." Then Mr. Smith left! Did J. Doe stay? Yes.')
    assert got == ['He said "Go home."', "Then Mr. Smith left!", "Did J. Doe stay?", "Yes."]


def test_sentences_holding_held_out_text_are_dropped(build_lm):
    held_out = {"the quick brown fox", "ask not"}
    kept, dropped = build_lm.without_held_out(
        ["And so, The quick brown fox! jumped.", "A quick brown foxtrot.", "Ask not what.", "Nothing here."], held_out)
    # whole words only: "foxtrot" is another word
    assert kept == ["A quick brown foxtrot.", "Nothing here."]
    assert dropped == 2
