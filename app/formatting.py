"""Text as the app shows it: durations and rates in the training panel, and how a committed
piece joins the text before it (in the text area and in another window alike)."""

from __future__ import annotations

from functools import cache

from recognizers.paths import resource_path
from recognizers.text_norm import SPOKEN_MARKS


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


@cache
def proper_nouns() -> dict[str, str]:
    """The shipped names and their spellings ("london" -> "London", "nasa" -> "NASA"):
    the word list's words that Debian's wamerican spells one way only, not in lower case
    (scripts/build_proper_nouns.py). Empty where the file is missing: words stay as read."""
    try:
        lines = resource_path("lm", "proper-nouns.txt").read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    return {w.lower(): w for w in lines if w and not w.startswith("#")}


# after these the same words name a thing ("a new line", "the full stop", "this period")
# (not "that", "no", "one", "her", "his" or "its", which often end a clause: "I know that period")
NAMING = set("a an the this these those each every any some my your our their".split())


def dictation_case(text: str, previous: str, punctuation: bool = False, spellings: dict[str, str] | None = None) -> str:
    """Speech as people write it (`dictate`), for a text without confidences."""
    return dictate([(w, 1.0) for w in text.split()], previous, punctuation, spellings)[0]


def own_spellings(words: list[str]) -> dict[str, str]:
    """The personal vocabulary's words that are not all lower case, by their lower case: the
    speech model writes "sam", the person's list says "Sam"."""
    bare = [w.strip(".,;:!?\"'()[]{}") for w in words]  # "Sam," typed in a list is "Sam"
    return {w.lower(): w for w in bare if w != w.lower()}


def dictate(words: list[tuple[str, float]], previous: str, punctuation: bool = False,
            spellings: dict[str, str] | None = None) -> tuple[str, list[tuple[str, float]]]:
    """The text to append for the speech model's (word, confidence) pairs, and the pairs of
    the words it shows. The model reads lower case only, so "i" (and "i'm", "i'll"...)
    becomes "I", days and months take their capital ("thursday", "january"; a word's "'s"
    too), so do names that are no everyday word ("london", "george's", "nasa": `proper_nouns`),
    and a word that starts a sentence (after . ! ? or a line break, or at the start of
    the text) takes one. With `punctuation`, spoken marks become marks: "comma" → ",",
    "question mark" → "?", "new line" → a line break (`SPOKEN_MARKS`), except after a word
    that makes them a name ("a new line"). `spellings` (lower case → the person's own, from
    their personal vocabulary: "sam" → "Sam", "mcarthur" → "McArthur") write their words as
    they spell them."""
    out, shown = "", []
    k = 0
    while k < len(words):
        w = words[k][0]
        mark = None
        if punctuation and (k == 0 or words[k - 1][0] not in NAMING):
            for said, m in SPOKEN_MARKS.items():
                if tuple(x for x, _ in words[k:k + len(said)]) == said:
                    mark, k = m, k + len(said)
                    break
        if mark is not None:
            if mark in ".," and (previous + out).rstrip(" \t")[-1:] in (".", "?", "!"):
                continue  # "really question mark period": "Really?", not "Really?."
            out = out.rstrip(" ") + mark  # a mark holds on to the word before it
            continue
        w = (spellings or {}).get(w) or PRONOUN_I.get(w) or _proper(w) or _calendar(w)
        before = (previous + out).rstrip(" \t")
        if not before or before[-1] in SENTENCE_ENDS:
            w = w[:1].upper() + w[1:]
        if out and not out[-1].isspace():
            out += " "
        out += w
        shown.append((w, words[k][1]))
        k += 1
    return out, shown


def _proper(word: str) -> str | None:
    names = proper_nouns()
    if word in names:
        return names[word]
    if word.endswith("'s") and word[:-2] in names:  # "pierre's": the list has "Pierre"
        return names[word[:-2]] + "'s"
    return None


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
