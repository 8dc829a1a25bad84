"""Synthetic speech pipeline: split rules, text, voice plan, rendering and the resumable cache.

Needs no shared data: a tiny Cathy-like manifest is written here. Rendering tests skip
where a synthesiser is not installed.
"""

import json
import re
import shutil
import zlib
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from recognizers.manifest import iter_manifest_entries
from recognizers.synth import speech as S
from recognizers.synth import spoken as SP
from recognizers.synth import text as T
from recognizers.synth import voices as V
from recognizers.text_norm import normalize_text

CATHY_LINES = [
    "Author of the danger trail, Philip Steels, etc.",
    "Not at this particular case, Tom, apologized Whittemore.",
    "For the twentieth time that evening the two men shook hands.",
    "Lord, but I'm glad to see you again, Phil.",
    "Will we ever forget it.",
    "God bless 'em, I hope I'll go on seeing them forever.",
    "And you always want to see it in the superlative degree.",
    "Gad, your letter came just in time.",
    "He turned sharply, and faced Gregson across the table.",
    "I'm playing a single hand in what looks like a losing game.",
    "If I ever needed a fighter in my life I need one now.",
    "Gregson shoved back his chair and rose to his feet.",
]


def norm_ws(t: str) -> str:
    return " ".join(t.lower().split())


@pytest.fixture(scope="module")
def cathy_manifest(tmp_path_factory):
    path = tmp_path_factory.mktemp("cathy") / "manifest.jsonl"
    with open(path, "w") as f:
        for i, text in enumerate(CATHY_LINES * 2):  # two takes of each sentence
            f.write(json.dumps({"audio": f"audio/{i}.opus", "text": text,
                                "speaker": "cathy"}) + "\n")
    return path


@pytest.fixture(scope="module")
def bank(cathy_manifest):
    return SP.TextBank(cathy_manifest)


def test_cathy_split_rule():
    for text in CATHY_LINES:
        assert T.is_cathy_validation(text) == (zlib.crc32(norm_ws(text).encode()) % 5 == 0)
        # case and whitespace do not matter
        assert T.is_cathy_validation("  " + text.upper().replace(" ", "  \t")) == \
            T.is_cathy_validation(text)
    flags = [T.is_cathy_validation(t) for t in CATHY_LINES]
    assert any(flags) and not all(flags)  # the fixture has both sides


def test_cathy_validation_sentences_never_used(bank):
    val = {normalize_text(t) for t in CATHY_LINES if T.is_cathy_validation(t)}
    train = [t for t in CATHY_LINES if not T.is_cathy_validation(t) and "etc." not in t]
    assert val and set(bank.cathy_train) == set(train)
    assert val <= bank.excluded
    items = S.plan_items(bank, 1500, "train", seed=3, families=["espeak"])
    assert Counter(it.kind for it in items)["cathy"] > 50
    assert not {normalize_text(it.text) for it in items} & val
    with pytest.raises(ValueError):
        bank.draw(np.random.default_rng(0), "val", kind="cathy")


def test_text_mix(bank):
    items = S.plan_items(bank, 3000, "train", seed=0, families=["espeak"])
    kinds = Counter(it.kind for it in items)
    numeric = sum(kinds[k] for k in ("digit", "digits", "number", "date")) / len(items)
    assert 0.33 < numeric < 0.5, kinds
    assert kinds["digit"] > 300 and kinds["command"] > 200
    digits = {it.text.lower().strip(".") for it in items if it.kind == "digit"}
    assert digits == set(T.DIGIT_WORDS)  # every spoken digit, zero..nine
    for it in items:
        # written as it is spoken: no digits or symbols left for an engine to expand
        assert not re.search(r"[0-9%$&@#/()\"]", it.text), it.text
        target = normalize_text(it.text)
        assert target and re.fullmatch(r"[a-z' ]+", target)
        assert len(it.text) <= 200
    for it in items:
        if it.kind == "digits":
            assert set(normalize_text(it.text).split()) - set(T.DIGIT_WORDS) <= {
                "my", "number", "is", "the", "code", "dial", "pin", "extension", "account"}


def test_text_bank_without_system_word_lists():
    bank = SP.TextBank(None, words_file=None, wordnet_dir=None)
    assert "cathy" not in bank.kinds("train") and "wordnet" not in bank.kinds("train")
    assert sum(bank.kinds("train").values()) == pytest.approx(1.0)
    rng = np.random.default_rng(0)
    for _ in range(200):
        kind, text = bank.draw(rng, "train")
        assert kind in bank.kinds("train") and normalize_text(text)


def test_plan_is_deterministic_and_holds_out_flite(bank):
    fams = ["espeak", "festival", "pico", "piper"]
    a = S.plan_items(bank, 400, "train", seed=5, families=fams)
    b = S.plan_items(bank, 400, "train", seed=5, families=fams)
    c = S.plan_items(bank, 400, "train", seed=6, families=fams)
    assert a == b and a != c
    # a later start continues the same plan (resuming a bigger --n)
    assert S.plan_items(bank, 400, "train", seed=5, families=fams, start=300) == a[300:]
    assert {S.family_of(it.voice.speaker) for it in a} == set(fams)
    assert V.VALIDATION_FAMILY == "flite" and "flite" not in V.TRAIN_FAMILIES
    with pytest.raises(ValueError):
        S.plan_items(bank, 10, "train", families=["espeak", "flite"])
    val = S.plan_items(bank, 200, "val", seed=5)
    assert {S.family_of(it.voice.speaker) for it in val} == {"flite"}
    assert {it.voice.name for it in val} <= set(V.FLITE_VOICES)
    # validation sentences come from the held-out WordNet part, never from training text
    if bank.wordnet_val:
        train_wn = set(bank.wordnet_train)
        assert not any(it.text in train_wn for it in val if it.kind == "wordnet")
    assert all(it.audio_rel.startswith("audio/val/") for it in val)


def test_voices_and_speaker_ids():
    rng = np.random.default_rng(0)
    for fam in V.FAMILIES:
        for _ in range(30):
            v = V.sample_voice(fam, rng)
            assert S.family_of(v.speaker) == fam
            assert S.voice_of(v.speaker) == f"{fam}/{v.name}"
            assert "mb-" not in v.name and "mbrola" not in v.name
    v = V.Voice("espeak", "en-gb-scotland+m3", (("s", 165.0), ("p", 60.0)))
    assert v.speaker == "espeak/en-gb-scotland+m3:s165:p60"
    with pytest.raises(ValueError):
        V.sample_voice("mbrola", rng)


def test_append_line_repairs_torn_manifest(tmp_path):
    m = tmp_path / "m.jsonl"
    m.write_text('{"audio": "a.flac", "text": "one"}\n{"audio": "b.fl')  # crash mid-line
    S._append_line(m, {"audio": "c.flac", "text": "three"})
    entries = list(iter_manifest_entries(m, tolerant=True))
    assert [Path(e["audio"]).name for e in entries] == ["a.flac", "c.flac"]


def _check_cache(out, manifest_name, n, family):
    entries = list(iter_manifest_entries(out / manifest_name, tolerant=True))
    assert len(entries) == n
    for e in entries:
        assert set(e) >= {"audio", "text", "speaker"}
        assert S.family_of(e["speaker"]) == family
        audio, sr = sf.read(out / e["audio"], dtype="float32")
        assert sr == 16000 and audio.ndim == 1
        assert e["audio"].endswith(".flac")
        assert abs(len(audio) / sr - e["duration"]) < 0.01
        assert V.MIN_SECONDS <= e["duration"] <= V.MAX_SECONDS
        assert 0.5 < np.max(np.abs(audio)) <= 1.0
    return entries


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_render_and_resume_espeak(tmp_path, bank):
    out = tmp_path / "cache"
    s1 = S.render_dataset(out, 6, "train", seed=1, families=["espeak"], bank=bank)
    assert s1["rendered"] == 6 and s1["failed"] == 0 and s1["skipped"] == 0
    entries = _check_cache(out, "train.jsonl", 6, "espeak")
    plan = S.plan_items(bank, 6, "train", seed=1, families=["espeak"])
    assert [e["text"] for e in entries] == [it.text for it in plan]
    # a rerun renders nothing; a larger --n renders only the new items
    s2 = S.render_dataset(out, 6, "train", seed=1, families=["espeak"], bank=bank)
    assert s2["rendered"] == 0 and s2["skipped"] == 6
    # simulate a crash that lost the last manifest line: only that item is redone
    lines = (out / "train.jsonl").read_text().splitlines(keepends=True)
    (out / "train.jsonl").write_text("".join(lines[:-1]) + lines[-1][:10])
    s3 = S.render_dataset(out, 8, "train", seed=1, families=["espeak"], bank=bank)
    assert s3["rendered"] == 3 and s3["skipped"] == 5
    _check_cache(out, "train.jsonl", 8, "espeak")


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_render_with_two_jobs_matches_plan(tmp_path, bank):
    out = tmp_path / "cache"
    stats = S.render_dataset(out, 6, "train", seed=2, jobs=2, families=["espeak"], bank=bank)
    assert stats["rendered"] == 6
    entries = _check_cache(out, "train.jsonl", 6, "espeak")
    plan = {it.audio_rel: it.text for it in S.plan_items(bank, 6, "train", 2, ["espeak"])}
    assert {str(Path(e["audio"]).relative_to(out)): e["text"] for e in entries} == plan


@pytest.mark.skipif(shutil.which("flite") is None, reason="flite not installed")
def test_render_flite_validation(tmp_path, bank):
    out = tmp_path / "cache"
    stats = S.render_dataset(out, 3, "val", seed=0, bank=bank)
    assert stats["rendered"] == 3
    _check_cache(out, "val_flite.jsonl", 3, "flite")
    assert not (out / "train.jsonl").exists()


@pytest.mark.parametrize("family", ["festival", "pico", "piper"])
def test_each_training_family_renders(family, bank):
    status = V.available_families()[family]
    if status != "ok":
        pytest.skip(status)
    rng = np.random.default_rng(0)
    with V.Renderer() as r:
        for k in range(2):  # festival: both voices in one persistent process
            voice = V.sample_voice(family, rng)
            if family == "festival":
                voice = V.Voice("festival", V.FESTIVAL_VOICES[k], voice.params)
            item = S.Item(k, "train", "digits", "Four two seven one.", voice)
            audio = r.render(item)
            assert audio.dtype == np.float32 and audio.ndim == 1
            assert 0.5 < len(audio) / S.SAMPLE_RATE < 6.0
            assert np.max(np.abs(audio)) == pytest.approx(V.PEAK, rel=1e-3)
