"""Text normalisation for speech targets and speech scoring.

DESIGN.md scores speech after one normalisation applied to reference and hypothesis
alike: lower case, digits spelled out as words, punctuation dropped except apostrophes
inside words. :func:`normalize_text` implements exactly that, and the speech training
targets are made with the same function, so what the model learns is what it is scored on.

Decisions (where DESIGN.md is silent):

- Numbers are read as plain cardinals, US style without "and":
  ``"1995"`` -> ``"one thousand nine hundred ninety five"`` (years are not read as
  "nineteen ninety five"), ``"2,500"`` -> ``"two thousand five hundred"``,
  ``"3.14"`` -> ``"three point one four"``, ``"007"`` -> ``"zero zero seven"``
  (a leading zero means a digit string), ``"4th"`` -> ``"fourth"``,
  ``"1990s"`` -> ``"one thousand nine hundred nineties"``.
  Up to 999,999,999,999 is spelled; longer digit runs are read digit by digit.
- Hyphens, dashes, slashes and every other punctuation mark separate words
  (``"wolf-dog"`` -> ``"wolf dog"``); ``%`` after a number reads ``percent`` and
  ``&`` reads ``and``.
- Apostrophes (straight or curly) are kept only between two letters or digits
  (``"don't"``, ``"o'clock"``); leading and trailing ones are dropped.
- Accented letters are folded to ASCII (``"café"`` -> ``"cafe"``); anything left that
  is not ``a-z``, space or apostrophe is dropped. Whitespace is collapsed.

The output alphabet is therefore ``a-z``, space and apostrophe.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize_text", "number_to_words", "ordinal_to_words", "digits_to_words", "SPOKEN_MARKS"]

# what a person says for a mark when dictating, as desktop dictation takes it: the app writes
# the marks (app.formatting.dictate), the synthetic voices say them (synth.spoken, "dictation")
# and the word model knows the words (scripts/build_lm.py)
SPOKEN_MARKS: dict[tuple[str, ...], str] = {
    ("question", "mark"): "?", ("exclamation", "mark"): "!", ("exclamation", "point"): "!",
    ("full", "stop"): ".", ("new", "paragraph"): "\n\n", ("new", "line"): "\n",
    ("period",): ".", ("comma",): ",", ("colon",): ":", ("semicolon",): ";",
}

_ONES = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
    "seventeen", "eighteen", "nineteen",
]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SCALES = [(10**9, "billion"), (10**6, "million"), (10**3, "thousand")]
_MAX_SPELLED = 10**12 - 1

_ORDINAL_IRREGULAR = {
    "one": "first", "two": "second", "three": "third", "five": "fifth",
    "eight": "eighth", "nine": "ninth", "twelve": "twelfth",
}


def _below_thousand(n: int) -> list[str]:
    words: list[str] = []
    if n >= 100:
        words += [_ONES[n // 100], "hundred"]
        n %= 100
        if n == 0:
            return words
    if n < 20:
        words.append(_ONES[n])
    else:
        words.append(_TENS[n // 10])
        if n % 10:
            words.append(_ONES[n % 10])
    return words


def digits_to_words(digits: str) -> str:
    """Read a string of digits one by one: ``"0427"`` -> ``"zero four two seven"``."""
    return " ".join(_ONES[int(d)] for d in digits if d.isdigit())


def number_to_words(n: int) -> str:
    """Spell a non-negative integer as US English cardinal words, without "and".

    ``number_to_words(1_204_017)`` -> ``"one million two hundred four thousand seventeen"``.
    Numbers above 999,999,999,999 are read digit by digit.
    """
    if n < 0:
        return "minus " + number_to_words(-n)
    if n > _MAX_SPELLED:
        return digits_to_words(str(n))
    if n == 0:
        return "zero"
    words: list[str] = []
    for value, name in _SCALES:
        if n >= value:
            words += _below_thousand(n // value) + [name]
            n %= value
    if n:
        words += _below_thousand(n)
    return " ".join(words)


def ordinal_to_words(n: int) -> str:
    """Spell an ordinal: ``21`` -> ``"twenty first"``, ``100`` -> ``"one hundredth"``."""
    words = number_to_words(n).split()
    last = words[-1]
    if last in _ORDINAL_IRREGULAR:
        last = _ORDINAL_IRREGULAR[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last = last + "th"
    words[-1] = last
    return " ".join(words)


def _plural_number(words: str) -> str:
    """``"one thousand nine hundred ninety"`` -> ``"... nineties"`` (for "1990s")."""
    parts = words.split()
    last = parts[-1]
    parts[-1] = last[:-1] + "ies" if last.endswith("y") else last + "s"
    return " ".join(parts)


# A number token: digits with optional thousands separators and decimals, then an
# optional ordinal or plural suffix, then an optional percent sign.
_NUMBER_RE = re.compile(
    r"(?<![\w.])"                       # not glued to a preceding word or decimal
    r"(?P<int>\d{1,3}(?:,\d{3})+|\d+)"  # 1,234,567 or 1234567
    r"(?:\.(?P<frac>\d+))?"             # .25
    r"(?P<suffix>st|nd|rd|th|s|'s)?"    # 4th, 1990s, 90's
    r"(?P<pct>\s?%)?"
    r"(?!\w)",
    re.IGNORECASE,
)
_DIGIT_RUN_RE = re.compile(r"\d+")
_APOSTROPHES = "\u2019\u2018\u02bc\u0060\u00b4\u2032"


def _spell_number(match: re.Match[str]) -> str:
    int_part = match.group("int").replace(",", "")
    frac = match.group("frac")
    suffix = (match.group("suffix") or "").lower()
    pct = match.group("pct")
    if len(int_part) > 1 and int_part.startswith("0") and not frac:
        words = digits_to_words(int_part)  # "007", "0427": a digit string
    elif suffix in ("st", "nd", "rd", "th") and not frac:
        words = ordinal_to_words(int(int_part))
        suffix = ""
    else:
        words = number_to_words(int(int_part))
    if frac:
        words += " point " + digits_to_words(frac)
    if suffix in ("s", "'s"):
        words = _plural_number(words)
    if pct:
        words += " percent"
    return f" {words} "


def _fold_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalize_text(text: str) -> str:
    """Normalise text for speech training targets and scoring.

    Lower case, digits spelled out as words, punctuation dropped except apostrophes
    inside words, whitespace collapsed. The result contains only ``a-z``, space and
    ``'``. Idempotent: ``normalize_text(normalize_text(t)) == normalize_text(t)``.

    >>> normalize_text("Turn LEFT at the 2nd light, it's 1,500 m -- 25% off!")
    "turn left at the second light it's one thousand five hundred m twenty five percent off"
    """
    for ch in _APOSTROPHES:
        text = text.replace(ch, "'")
    text = _fold_accents(text).lower()
    text = _NUMBER_RE.sub(_spell_number, text)
    # Any digits still left (glued to letters, e.g. "mp3", "b12") are spelled too.
    text = _DIGIT_RUN_RE.sub(lambda m: " " + number_to_words(int(m.group())) + " "
                             if len(m.group()) < 13 and not m.group().startswith("0")
                             else " " + digits_to_words(m.group()) + " ", text)
    text = text.replace("&", " and ")
    # Keep letters, spaces and apostrophes; everything else separates words.
    text = re.sub(r"[^a-z' ]+", " ", text)
    # Apostrophes survive only between two letters.
    text = re.sub(r"(?<![a-z])'+|'+(?![a-z])", " ", text)
    text = re.sub(r"'{2,}", "'", text)
    return " ".join(text.split())
