"""Property-based fuzzing (hypothesis) of everything Scrivox reads from a file: ink JSON,
speech manifests, WAV/FLAC headers and checkpoint settings. The property is the promise of
issue 14: a reader either returns usable data or raises its own one-line error type, never
anything else, and quickly. Bounded in time: a fixed number of derandomized examples per
test (the whole module runs in well under a minute; CI runs it with the rest)."""

from __future__ import annotations

import io
import json
import struct

import numpy as np
import pytest
import soundfile as sf
import torch

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from recognizers.audio import AudioFileError, iter_audio_blocks, load_audio  # noqa: E402
from recognizers.checkpoint import CheckpointError, load_checkpoint  # noqa: E402
from recognizers.features import InkFeatureConfig, ink_features  # noqa: E402
from recognizers.ink import SampleFormatError, read_ink_samples  # noqa: E402
from recognizers.manifest import ManifestError, ManifestReport, iter_manifest  # noqa: E402

from .ckptgen import tiny_checkpoint  # noqa: E402

import scipy.signal  # noqa: E402,F401  (imported once here, not inside the first timed example)

# deadline=None: the budget is the example count; a busy CI machine must not fail on timing
FUZZ = settings(max_examples=100, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large])

numbers = st.one_of(st.integers(-10**12, 10**12), st.floats(allow_nan=True, allow_infinity=True), st.just(1e308), st.just(-0.0))
scalars = st.one_of(st.none(), st.booleans(), numbers, st.text(max_size=8))
json_values = st.recursive(scalars, lambda kids: st.one_of(st.lists(kids, max_size=4), st.dictionaries(st.text(max_size=6), kids, max_size=4)), max_leaves=25)
points = st.lists(st.one_of(st.lists(numbers, min_size=0, max_size=4), scalars), max_size=12)
ink_like = st.fixed_dictionaries(
    {"strokes": st.one_of(st.lists(points, max_size=4), json_values)},
    optional={"label": st.one_of(st.text(max_size=10), scalars), "writer": scalars, "source": scalars, "extra": json_values},
)


def _dump(obj) -> str:
    return json.dumps(obj, allow_nan=True)


def _check_ink(path) -> None:
    try:
        samples = list(read_ink_samples(path))
    except SampleFormatError:
        return
    for s in samples:
        assert isinstance(s.label, str)
        feats = ink_features(s.strokes, InkFeatureConfig())
        assert feats.dtype == np.float32 and np.isfinite(feats).all() and len(feats) <= InkFeatureConfig().max_points


@FUZZ
@given(obj=st.one_of(ink_like, json_values))
def test_fuzz_ink_json_file(tmp_path_factory, obj):
    p = tmp_path_factory.mktemp("ink") / "s.json"
    p.write_text(_dump(obj))
    _check_ink(p)


@FUZZ
@given(lines=st.lists(st.one_of(ink_like.map(_dump), json_values.map(_dump), st.text(max_size=30)), max_size=5))
def test_fuzz_ink_jsonl(tmp_path_factory, lines):
    p = tmp_path_factory.mktemp("ink") / "s.jsonl"
    p.write_text("\n".join(l.replace("\n", " ") for l in lines) + "\n")
    _check_ink(p)
    list(read_ink_samples(p, tolerant=True))  # tolerant: never raises for a bad line


manifest_entry = st.fixed_dictionaries({}, optional={"audio": scalars, "text": scalars, "speaker": scalars})


@FUZZ
@given(raw=st.lists(st.one_of(manifest_entry.map(_dump), json_values.map(_dump), st.binary(max_size=30)), max_size=6))
def test_fuzz_manifest(tmp_path_factory, raw):
    p = tmp_path_factory.mktemp("m") / "m.jsonl"
    p.write_bytes(b"\n".join(r.encode() if isinstance(r, str) else r.replace(b"\n", b" ") for r in raw) + b"\n")
    try:
        items = list(iter_manifest(p))
    except ManifestError:
        items = None
    report = ManifestReport()
    tolerant = list(iter_manifest(p, tolerant=True, report=report))
    for it in tolerant:
        assert isinstance(it.audio_path, str) and isinstance(it.text, str)
    if items is not None:
        assert len(items) == len(tolerant) and not report.skipped


def _wav(n: int = 800, channels: int = 1) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, (np.sin(np.arange(n * channels) / 7) * 0.3).reshape(n, channels).astype(np.float32), 16_000, format="WAV", subtype="PCM_16")
    return buf.getvalue()


WAV = _wav()


def _check_audio(path) -> None:
    for read in (lambda: [load_audio(path)], lambda: list(iter_audio_blocks(path))):
        try:
            blocks = read()
        except AudioFileError:
            continue
        for b in blocks:
            assert b.dtype == np.float32 and b.ndim == 1 and np.isfinite(b).all()


@FUZZ
@given(rate=st.integers(0, 2**32 - 1), channels=st.integers(0, 2**16 - 1), bits=st.sampled_from([0, 1, 8, 16, 24, 32, 64, 65535]),
       fmt=st.sampled_from([0, 1, 3, 6, 7, 0xFFFE, 0x1234]), data_size=st.integers(0, 2**32 - 1))
def test_fuzz_wav_header_fields(tmp_path_factory, rate, channels, bits, fmt, data_size):
    b = bytearray(WAV)
    struct.pack_into("<HHIIHH", b, 20, fmt, channels, rate, rate * max(channels, 1) * max(bits, 8) // 8 % 2**32, max(channels, 1) * max(bits, 8) // 8 % 2**16, bits)
    struct.pack_into("<I", b, 40, data_size)
    p = tmp_path_factory.mktemp("wav") / "f.wav"
    p.write_bytes(bytes(b))
    _check_audio(p)


@FUZZ
@given(edits=st.lists(st.tuples(st.integers(0, 43), st.integers(0, 255)), min_size=1, max_size=8))
def test_fuzz_wav_header_bytes(tmp_path_factory, edits):
    b = bytearray(WAV)
    for pos, val in edits:
        b[pos] = val
    p = tmp_path_factory.mktemp("wav") / "f.wav"
    p.write_bytes(bytes(b))
    _check_audio(p)


def _flac() -> bytes:
    buf = io.BytesIO()
    sf.write(buf, (np.sin(np.arange(4000) / 7) * 0.3).astype(np.float32), 16_000, format="FLAC")
    return buf.getvalue()


FLAC = _flac()


@FUZZ
@given(edits=st.lists(st.tuples(st.integers(8, 41), st.integers(0, 255)), min_size=1, max_size=6))
def test_fuzz_flac_streaminfo(tmp_path_factory, edits):
    """The STREAMINFO block (bytes 8-41): block sizes, sample rate, channels, bits, length."""
    b = bytearray(FLAC)
    for pos, val in edits:
        b[pos] = val
    p = tmp_path_factory.mktemp("flac") / "f.flac"
    p.write_bytes(bytes(b))
    _check_audio(p)


MODEL_KEYS = {"input_dim": st.integers(-5, 10**9), "num_classes": st.integers(-5, 10**9), "conv_channels": st.integers(-5, 10**9),
              "conv_kernel": st.integers(-5, 10**4), "conv_strides": st.lists(st.integers(-2, 10**4), max_size=10),
              "hidden": st.integers(-5, 10**9), "layers": st.integers(-5, 10**5), "dropout": st.floats(allow_nan=True)}
FEATURE_KEYS = {"sample_rate": st.integers(-5, 10**9), "n_mels": st.integers(-5, 10**7), "win_ms": st.floats(allow_nan=True, allow_infinity=True),
                "hop_ms": st.floats(allow_nan=True, allow_infinity=True), "n_fft": st.integers(-5, 10**10)}


@FUZZ
@given(model=st.dictionaries(st.sampled_from(sorted(MODEL_KEYS)), st.one_of(scalars, json_values), max_size=3).flatmap(
           lambda d: st.fixed_dictionaries({k: MODEL_KEYS[k] for k in d}) if d else st.just({})),
       feats=st.dictionaries(st.sampled_from(sorted(FEATURE_KEYS)), scalars, max_size=2).flatmap(
           lambda d: st.fixed_dictionaries({k: FEATURE_KEYS[k] for k in d}) if d else st.just({})),
       junk=st.one_of(st.none(), st.dictionaries(st.sampled_from(["model_config", "feature_config", "alphabet", "modality", "info"]), json_values, max_size=1)))
def test_fuzz_checkpoint_settings(tmp_path_factory, model, feats, junk):
    obj = tiny_checkpoint("speech").to_obj()
    obj["model_config"].update(model)
    obj["feature_config"].update(feats)
    obj.update(junk or {})
    p = tmp_path_factory.mktemp("ck") / "m.pt"
    torch.save(obj, p)
    try:
        ck = load_checkpoint(p)
    except CheckpointError:
        return
    from recognizers.recognizer import Recognizer

    rec = Recognizer(ck, "cpu", "greedy")
    rec.recognize(np.zeros(8000, np.float32))
