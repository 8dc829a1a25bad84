"""Text as the app shows it: durations and rates in the training panel, and how a committed
piece joins the text before it (in the text area and in another window alike)."""

from __future__ import annotations


def fmt_duration(s: float | None) -> str:
    if s is None or s != s or s < 0:
        return "—"
    s = int(round(s))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {(s % 3600) // 60:02d} min"


def fmt_rate(v) -> str:
    return "—" if v is None else f"{100 * float(v):.1f} %"


SENTENCE_ENDS = ".!?\n"
PRONOUN_I = {"i": "I", "i'm": "I'm", "i've": "I've", "i'll": "I'll", "i'd": "I'd"}
# days and months are always written with a capital; "may", "march" and "august" are also
# everyday words, so they stay as read
CALENDAR = {w: w.capitalize() for w in (
    "monday tuesday wednesday thursday friday saturday sunday "
    "january february april june july september october november december").split()}


def dictation_case(text: str, previous: str) -> str:
    """Speech as people write it: the speech model reads lower case only, so "i" (and "i'm",
    "i'll"...) becomes "I", days and months take their capital ("thursday", "january"; a
    word's "'s" too), and a piece that starts a sentence (the text before it is empty or ends
    in . ! ? or a line break) starts with a capital. Word for word: the words stay the same in
    number and order, so their confidences still match them."""
    words = [PRONOUN_I.get(w) or _calendar(w) for w in text.split(" ")]
    out = " ".join(words)
    before = previous.rstrip(" \t")
    if not before or before[-1] in SENTENCE_ENDS:
        out = out[:1].upper() + out[1:]
    return out


def _calendar(word: str) -> str:
    for end in ("'s", "s", ""):  # "thursday's", "mondays"
        stem = word[: len(word) - len(end)]
        if word.endswith(end) and stem in CALENDAR:
            return CALENDAR[stem] + end
    return word


def join_text(previous: str, text: str) -> str:
    """What to append after `previous`: `text` after a space between words, with none
    before punctuation or after a line break (or at the very start)."""
    if not text:
        return ""
    if previous and not previous[-1].isspace() and not text[0].isspace() and text[0] not in ".,;:!?)]}'\"":
        return " " + text
    return text
