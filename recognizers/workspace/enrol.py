"""Personalization: the prompts a person writes or reads, and the fine-tune that follows.

Qt-free (the dialog is app/enrol_dialog.py). Enrolment samples are saved with the app's
ordinary sample saving (app/samples.py) into their own files, next to the everyday ones::

    samples/enrolment/handwriting/samples.jsonl     one ink sample a line
    samples/enrolment/speech/manifest.jsonl         + samples/enrolment/speech/audio/*.flac

Fine-tuning (`enrolment_plan`) uses the ``quick-finetune`` preset (300 steps, lr 5e-4) from
the active model: about ten of the person's samples are held out as validation (written to
the run's ``data/enrol-val.*``), the rest are the training data (``data/enrol-train.*``),
and the built-in synthetic data is replayed beside them (handwriting ``synth-ink:2000``;
speech the synthetic voices cache when there is one), one replayed sample per own sample,
so the model keeps what it knew.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

from recognizers.modality import Modality
from recognizers.paths import resource_path
from recognizers.workspace.holdout import stable_split
from recognizers.workspace.runs import (
    PreparedData,
    RunPlan,
    make_config,
    read_records,
    spec_for,
    write_records,
)
from recognizers.workspace.samples import SampleStore

ENROL_PROMPTS = 50  # prompts in one enrolment session
ENROL_VAL = 10  # samples held out for the before/after figures
MIN_SAMPLES = 10  # fewer than this is not worth a fine-tune
WORDS_FILE = resource_path("lm", "en-words.txt")
LEFT_OUT_FILE = resource_path("lm", "enrol-left-out.txt")  # names etc., never prompted (docs/settings.md)

# Sentences written for Scrivox (no third-party text): everyday dictation, varied sounds.
SENTENCES = [
    "Please call me back after lunch.",
    "The meeting moved to Thursday afternoon.",
    "Turn left at the next corner.",
    "Remind me to water the plants tomorrow.",
    "We need more milk, bread and eggs.",
    "The train leaves from platform seven.",
    "Could you send the report by Friday?",
    "It looks like rain this evening.",
    "My brother lives near the old harbour.",
    "Open the window, it is warm in here.",
    "She found a quiet table by the window.",
    "The blue van is parked outside the shop.",
    "Add a note to buy stamps on the way home.",
    "Thank you for the lovely flowers.",
    "How far is the station from here?",
    "The children played in the garden all day.",
    "Set an alarm for six thirty.",
    "The price of coffee went up again.",
    "I will be ten minutes late.",
    "Write down the address before you forget.",
    "A cold wind blew across the field.",
    "The library closes early on Sundays.",
    "Move the meeting to next Monday morning.",
    "Check whether the door is locked.",
    "The soup needs a little more salt.",
    "Our flight lands just before midnight.",
    "Put the heavy boxes in the garage.",
    "The doctor can see you at four.",
    "Jack quickly fixed the broken zip.",
    "Those shoes are far too expensive.",
    "The judge asked the jury to return.",
    "Every Wednesday we walk to the river.",
    "Bring a pencil and a sheet of paper.",
    "The museum has a new exhibition on ships.",
    "Save the file and close the program.",
    "Yesterday the bus was very crowded.",
    "Pour the juice into the small glasses.",
    "The fox jumped over the garden fence.",
    "Read the first chapter before class.",
    "Switch off the lights when you leave.",
]
DIGIT_WORDS = "0123456789"


def enrolment_store(samples_root: str | os.PathLike) -> SampleStore:
    """The enrolment sample files: a SampleStore of their own under ``samples/enrolment``."""
    return SampleStore(Path(samples_root) / "enrolment")


SYSTEM_DICT = Path("/usr/share/dict/words")
AVOID = {"hate", "terror", "kill", "killed", "killing", "sex", "sexual", "porn", "death", "dead", "gun", "guns", "drug", "drugs", "rape", "murder", "bitcoin", "facebook", "google", "twitter", "youtube", "iphone", "ceo", "dont", "wont", "cant", "didnt", "doesnt", "isnt", "thats", "ive", "im"}


def _left_out() -> set[str]:
    """The shipped list of names (people, places, months, days) and abbreviations never
    prompted: the same words left out with or without a system word list."""
    try:
        text = LEFT_OUT_FILE.read_text(encoding="utf-8")
    except OSError:
        return set()
    return {w.strip().lower() for w in text.splitlines() if w.strip() and not w.startswith("#")}


def _common_words(limit: int = 5000) -> list[str]:
    """Frequent words from the shipped word list, without names (the shipped left-out list,
    and, when there is one, whatever the system word list knows only Capitalised) and without
    a few unpleasant ones."""
    try:
        lines = WORDS_FILE.read_text(encoding="utf-8").splitlines()[:limit]
    except OSError:
        lines = []
    known: set[str] | None = None
    try:
        known = {w.strip() for w in SYSTEM_DICT.read_text(encoding="utf-8", errors="replace").splitlines()}
    except OSError:
        known = None
    left_out = _left_out()
    words = []
    for w in (x.strip() for x in lines[40:]):
        if not (w.isalpha() and w.isascii() and 3 <= len(w) <= 10) or w in AVOID or w in left_out:
            continue
        if known is not None and w not in known:
            continue
        words.append(w)
    return words or ["hello", "world", "quick", "brown", "jumps", "lazy", "dog", "pack", "my", "box", "with", "five", "dozen", "liquor", "jugs"]


def handwriting_prompts(n: int = ENROL_PROMPTS, seed: int = 0) -> list[str]:
    """Words to write: common English words chosen so every letter comes up, some
    Capitalised or in CAPITALS, and some numbers, dates and prices."""
    rng = random.Random(seed)
    pool = _common_words()
    rng.shuffle(pool)
    n_numbers = max(1, round(n * 0.12))
    n_caps = max(1, round(n * 0.14))
    n_upper = max(1, round(n * 0.08))
    n_words = max(1, n - n_numbers - n_caps - n_upper)
    # greedy cover of the alphabet first, then random words
    words: list[str] = []
    missing = set("abcdefghijklmnopqrstuvwxyz")
    for w in pool:
        if len(words) >= n_words or not missing:
            break
        if set(w) & missing:
            words.append(w)
            missing -= set(w)
    for w in pool:
        if len(words) >= n_words + n_caps:
            break
        if w not in words:
            words.append(w)
    out = words[:n_words]
    out += [w.capitalize() for w in words[n_words : n_words + n_caps]]
    short = [w for w in pool if len(w) <= 5 and w not in words]
    out += [w.upper() for w in short[:n_upper]]
    makers = [
        lambda: str(rng.randint(10, 9999)),
        lambda: f"{rng.randint(1, 12)}:{rng.choice(['00', '15', '30', '45'])}",
        lambda: f"{rng.randint(1, 28)}/{rng.randint(1, 12)}",
        lambda: f"${rng.randint(2, 99)}",
        lambda: f"{rng.randint(2, 99)}%",
        lambda: "".join(rng.choice(DIGIT_WORDS) for _ in range(rng.randint(3, 6))),
    ]
    out += [makers[i % len(makers)]() for i in range(n_numbers)]
    rng.shuffle(out)
    return out[:n]


def speech_prompts(n: int = ENROL_PROMPTS, seed: int = 0) -> list[str]:
    """Sentences to read, and digit strings (read digit by digit)."""
    rng = random.Random(seed)
    n_digits = max(1, round(n * 0.25))
    sentences = list(SENTENCES)
    rng.shuffle(sentences)
    out = [sentences[i % len(sentences)] for i in range(n - n_digits)]
    out += [" ".join(rng.choice(DIGIT_WORDS) for _ in range(rng.randint(3, 7))) for _ in range(n_digits)]
    rng.shuffle(out)
    return out


def prompts(modality: str, n: int = ENROL_PROMPTS, seed: int = 0) -> list[str]:
    return handwriting_prompts(n, seed) if modality == Modality.HANDWRITING else speech_prompts(n, seed)


_SEQUENCES: dict[str, tuple[list[str], list[int]]] = {}  # modality: (prompts so far, [next block])


def prompt_at(modality: str, i: int) -> str:
    """The i-th prompt (from 0) of the whole enrolment: the first ENROL_PROMPTS are one
    session's prompts; after them come extra prompts, none repeating a prompt shown before
    while there are new ones (a person who goes on past 50 never starts again at prompt 1)."""
    seq, block = _SEQUENCES.setdefault(modality, ([], [0]))
    seen, stale = set(seq), 0
    while len(seq) <= i:
        fresh = [p for p in prompts(modality, ENROL_PROMPTS, seed=block[0]) if p not in seen or stale >= 5]
        stale = 0 if fresh else stale + 1
        for p in fresh:
            seq.append(p)
            seen.add(p)
        block[0] += 1
    return seq[i]


def prompt_counter(i: int) -> str:
    """What the dialog says about prompt i (from 0)."""
    if i < ENROL_PROMPTS:
        return f"Prompt {i + 1} of {ENROL_PROMPTS}"
    return f"Extra prompt {i - ENROL_PROMPTS + 1} (all {ENROL_PROMPTS} are done: Teach Scrivox whenever you like)"


def sample_count(store: SampleStore, modality: str) -> int:
    ink, utt = store.counts()
    return ink if modality == Modality.HANDWRITING else utt


def saved_prompts(store: SampleStore, modality: str) -> set[str]:
    """The texts of the enrolment samples saved so far."""
    if modality == Modality.SPEECH:
        return {u.text for u in store.read_utterances()}
    return {s.label for s in store.read_ink()}


def next_prompt(modality: str, done: set[str], start: int = 0) -> int:
    """The first prompt from `start` on with no saved sample (`done`): counting the samples
    instead showed prompts already written again after a skip."""
    i = start
    while prompt_at(modality, i) in done and i < start + len(done) + ENROL_PROMPTS:
        i += 1
    return i


def skipped_path(store: SampleStore, modality: str) -> Path:
    return store.root / f"skipped-{modality}.txt"


def skipped_prompts(store: SampleStore, modality: str) -> set[str]:
    """The prompts the person skipped in earlier sessions: the next session goes on past
    them (a tester met the symbol prompts they had skipped first, every time). A file that
    cannot be read means none: only the order of prompts depends on it."""
    try:
        return {line for line in skipped_path(store, modality).read_text(encoding="utf-8").splitlines() if line}
    except (OSError, UnicodeDecodeError):
        return set()


def remember_skipped(store: SampleStore, modality: str, prompt: str) -> None:
    """Add `prompt` to the skipped ones (atomically; a failure only forgets the skip)."""
    from recognizers.atomic import atomic_write_text

    skipped = skipped_prompts(store, modality) | {prompt}
    try:
        store.root.mkdir(parents=True, exist_ok=True)
        atomic_write_text(skipped_path(store, modality), "".join(p + "\n" for p in sorted(skipped)))
    except OSError:
        pass


def enrol_split(records: list[str]) -> tuple[list[str], list[str]]:
    """(train, val): about one sample in five held out for the before/after figures, at least
    two and at most ENROL_VAL, each sample on the same side however many more are added."""
    return stable_split(records, 0.2, 2, ENROL_VAL)


def enrolment_plan(
    modality: str,
    store: SampleStore,
    run_dir: str | os.PathLike,
    base_model: str | None,
    base_name: str = "",
    base_figures: dict | None = None,
    total_steps: int | None = None,
    replay: bool = True,
) -> RunPlan:
    """The fine-tune of the active model on the person's enrolment samples."""
    src = store.ink_path if modality == Modality.HANDWRITING else store.manifest_path
    records = read_records(modality, src) if src.exists() else []
    if len(records) < MIN_SAMPLES:
        raise ValueError(f"{len(records)} samples so far: write or read at least {MIN_SAMPLES} prompts first")
    if not base_model:
        raise ValueError(f"there is no active {modality} model to personalize")
    train, val = enrol_split(records)
    d = Path(run_dir) / "data"
    ext = ".jsonl"
    write_records(d / f"enrol-train{ext}", train)
    write_records(d / f"enrol-val{ext}", val)
    prep = PreparedData(
        data=[spec_for(modality, d / f"enrol-train{ext}")],
        val_data=[spec_for(modality, d / f"enrol-val{ext}")],
        n_train=len(train),
        n_val=len(val),
        val_description=f"{len(val)} of your own samples, held out",
    )
    who = "handwriting" if modality == Modality.HANDWRITING else "voice"
    cfg = make_config(modality, "enrolment", prep, run_dir, base_model=base_model, total_steps=total_steps, replay=replay, name=f"{modality}-personal-{Path(run_dir).name.split('-', 1)[-1]}")
    return RunPlan(
        modality=modality,
        preset="enrolment",
        run_dir=str(run_dir),
        config=cfg,
        base_model=str(base_model),
        base_name=base_name or Path(base_model).stem,
        base_figures=dict(base_figures or {}),
        origin="fine-tuned",
        figures_on=prep.val_description,
        title=f"Personalizing to your {who}: {len(train)} samples (+{len(val)} for validation), from {base_name or Path(base_model).stem}",
    )
