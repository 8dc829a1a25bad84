"""normalize_text: the one normalisation speech targets and speech scores share."""

import re

import pytest

from recognizers.text_norm import (
    digits_to_words,
    normalize_text,
    number_to_words,
    ordinal_to_words,
)


@pytest.mark.parametrize(
    "n, words",
    [
        (0, "zero"),
        (7, "seven"),
        (13, "thirteen"),
        (20, "twenty"),
        (42, "forty two"),
        (100, "one hundred"),
        (105, "one hundred five"),
        (999, "nine hundred ninety nine"),
        (1000, "one thousand"),
        (1995, "one thousand nine hundred ninety five"),
        (20_000, "twenty thousand"),
        (1_204_017, "one million two hundred four thousand seventeen"),
        (3_000_000_000, "three billion"),
    ],
)
def test_number_to_words(n, words):
    assert number_to_words(n) == words


@pytest.mark.parametrize(
    "n, words",
    [(1, "first"), (2, "second"), (3, "third"), (5, "fifth"), (8, "eighth"), (9, "ninth"),
     (12, "twelfth"), (20, "twentieth"), (21, "twenty first"), (100, "one hundredth")],
)
def test_ordinal_to_words(n, words):
    assert ordinal_to_words(n) == words


def test_digits_to_words():
    assert digits_to_words("0427") == "zero four two seven"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Hello, World!", "hello world"),
        ("Turn LEFT at the 2nd light.", "turn left at the second light"),
        ("It's 1,500 m away", "it's one thousand five hundred m away"),
        ("25% off", "twenty five percent off"),
        ("pi is 3.14", "pi is three point one four"),
        ("call 0427", "call zero four two seven"),
        ("in 1995", "in one thousand nine hundred ninety five"),
        ("the 1990s", "the one thousand nine hundred nineties"),
        ("7", "seven"),
        ("four two seven one", "four two seven one"),
        ("Close beside him gleamed the white fangs of the wolf-dog.",
         "close beside him gleamed the white fangs of the wolf dog"),
        ("With my strength I slammed it full into Red-Eye's face.",
         "with my strength i slammed it full into red eye's face"),
        ("'Tis the dogs' bone", "tis the dogs bone"),
        ("rock 'n' roll", "rock n roll"),
        ("It\u2019s a caf\u00e9", "it's a cafe"),
        ("salt & pepper", "salt and pepper"),
        ("If you mean to insinuate -- Brentwood began hotly.",
         "if you mean to insinuate brentwood began hotly"),
        ("Author of the danger trail, Philip Steels, etc.",
         "author of the danger trail philip steels etc"),
        ("mp3", "mp three"),
        ("  lots \t of\n space  ", "lots of space"),
        ("", ""),
        ("?!...", ""),
    ],
)
def test_normalize_text(text, expected):
    assert normalize_text(text) == expected


@pytest.mark.parametrize("text", [
    "Turn LEFT at the 2nd light, it's 1,500 m -- 25% off!",
    "O'Brien's 3rd try; 'quoted' words -- and 007.",
    "Whiz-zip-bang. Lop-Ear screamed with sudden anguish.",
])
def test_idempotent_and_alphabet(text):
    once = normalize_text(text)
    assert normalize_text(once) == once
    assert re.fullmatch(r"[a-z' ]*", once)
    assert "  " not in once and once == once.strip()
    # apostrophes only ever between letters
    assert not re.search(r"(^|[^a-z])'|'([^a-z]|$)", once)


def test_reference_and_hypothesis_agree():
    # A recogniser writes words; a reference may have digits: both normalise alike.
    assert normalize_text("Call me at 5 o'clock") == normalize_text("call me at five o'clock")
