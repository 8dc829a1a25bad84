"""Issue 14, hostile or huge input: every CLI error is one line on stderr, exit status 2,
never a traceback, and memory stays bounded."""

from __future__ import annotations

import gzip
import io
import json
import struct
import subprocess
import sys
import tracemalloc

import numpy as np
import pytest
import soundfile as sf
import torch

from recognizers.checkpoint import CheckpointError, load_checkpoint
from recognizers.cli import main
from recognizers.ink import write_ink_jsonl

from .ckptgen import tiny_checkpoint, write_tiny
from .inkgen import make_samples


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    d = tmp_path_factory.mktemp("models")
    return {"handwriting": write_tiny(d / "hw.pt", "handwriting"), "speech": write_tiny(d / "sp.pt", "speech")}


def one_line_error(capsys, rc: int, *needles: str) -> str:
    err = capsys.readouterr().err.strip()
    assert rc == 2, err
    assert len(err.splitlines()) == 1 and err.startswith("error: "), err
    assert "Traceback" not in err
    for n in needles:
        assert n in err, err
    return err


def wav_bytes(rate: int, n: int = 1600, channels: int = 1) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, np.zeros((n, channels), np.float32), 16_000, format="WAV", subtype="PCM_16")
    b = bytearray(buf.getvalue())
    struct.pack_into("<I", b, 24, rate)  # the fmt chunk's sample rate
    struct.pack_into("<I", b, 28, rate * 2 * channels)
    return bytes(b)


def test_deeply_nested_json_everywhere(tmp_path, models, capsys):
    deep = "[" * 100_000 + "]" * 100_000
    (tmp_path / "deep.json").write_text(deep)
    (tmp_path / "deep.jsonl").write_text(deep + "\n")
    (tmp_path / "deep-m.jsonl").write_text('{"audio": ' + deep + "}\n")
    one_line_error(capsys, main(["transcribe", "handwriting", str(tmp_path / "deep.json"), "--model", str(models["handwriting"])]), "nested too deeply")
    one_line_error(capsys, main(["evaluate", "handwriting", "--data", str(tmp_path / "deep.jsonl"), "--model", str(models["handwriting"])]), "deep.jsonl:1")
    one_line_error(capsys, main(["evaluate", "speech", "--data", str(tmp_path / "deep-m.jsonl"), "--model", str(models["speech"])]), "deep-m.jsonl:1")


@pytest.mark.parametrize("line,needle", [
    ('["audio", "text"]', "not list"),
    ('{"audio": 7, "text": "x"}', '"audio"'),
    ('{"audio": "a.wav", "text": null}', '"text" must be a string'),
    ("7", "not int"),
])
def test_bad_manifest_lines(tmp_path, models, capsys, line, needle):
    (tmp_path / "m.jsonl").write_text(line + "\n")
    one_line_error(capsys, main(["evaluate", "speech", "--data", str(tmp_path / "m.jsonl"), "--model", str(models["speech"])]), needle, "m.jsonl:1")


def test_ink_label_null_is_an_error_not_none(tmp_path, models, capsys):
    (tmp_path / "i.jsonl").write_text(json.dumps({"label": None, "strokes": [[[0, 0, 0], [1, 1, 1]]]}) + "\n")
    one_line_error(capsys, main(["evaluate", "handwriting", "--data", str(tmp_path / "i.jsonl"), "--model", str(models["handwriting"])]), '"label"')


def test_manifest_that_is_a_folder_and_empty_data(tmp_path, models, capsys):
    one_line_error(capsys, main(["evaluate", "speech", "--data", str(tmp_path), "--model", str(models["speech"])]), "folder")
    (tmp_path / "empty.jsonl").write_text("\n\n")
    one_line_error(capsys, main(["evaluate", "speech", "--data", str(tmp_path / "empty.jsonl"), "--model", str(models["speech"])]), "no samples")
    (tmp_path / "ink").mkdir()
    one_line_error(capsys, main(["evaluate", "handwriting", "--data", str(tmp_path / "ink"), "--model", str(models["handwriting"])]), "no samples")
    (tmp_path / "e.jsonl.gz").write_bytes(gzip.compress(b""))
    one_line_error(capsys, main(["evaluate", "handwriting", "--data", str(tmp_path / "e.jsonl.gz"), "--model", str(models["handwriting"])]), "no samples")


def test_wrong_modality_model(tmp_path, models, capsys):
    write_ink_jsonl(tmp_path / "one.jsonl", make_samples(1, seed=4))
    (tmp_path / "a.wav").write_bytes(wav_bytes(16_000))
    one_line_error(capsys, main(["transcribe", "handwriting", str(tmp_path / "one.jsonl"), "--model", str(models["speech"])]), "is a speech model, not a handwriting model")
    one_line_error(capsys, main(["transcribe", "speech", str(tmp_path / "a.wav"), "--model", str(models["handwriting"])]), "is a handwriting model, not a speech model")
    one_line_error(capsys, main(["evaluate", "speech", "--data", str(tmp_path / "one.jsonl"), "--model", str(models["handwriting"])]), "handwriting model")


@pytest.mark.parametrize("where,key,value", [
    ("feature_config", "n_fft", 10**9),
    ("feature_config", "n_mels", 10**6),
    ("feature_config", "hop_ms", 0),
    ("feature_config", "sample_rate", "16000"),
    ("model_config", "hidden", 10**7),
    ("model_config", "layers", 10**4),
    ("model_config", "conv_strides", [0]),
    ("model_config", "conv_strides", [2] * 100),
    ("model_config", "conv_kernel", -3),
])
def test_edited_checkpoint_settings_are_bounded_on_load(tmp_path, capsys, where, key, value):
    obj = tiny_checkpoint("speech").to_obj()
    obj[where][key] = value
    torch.save(obj, tmp_path / "edited.pt")
    tracemalloc.start()
    with pytest.raises(CheckpointError, match=key):
        load_checkpoint(tmp_path / "edited.pt")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 50 << 20
    (tmp_path / "a.wav").write_bytes(wav_bytes(16_000))
    one_line_error(capsys, main(["transcribe", "speech", str(tmp_path / "a.wav"), "--model", str(tmp_path / "edited.pt")]), "damaged", key)


def test_missing_files_are_named(tmp_path, models, capsys):
    one_line_error(capsys, main(["transcribe", "speech", str(tmp_path / "nope.wav"), "--model", str(models["speech"])]), "no such file", "nope.wav")
    one_line_error(capsys, main(["transcribe", "handwriting", str(tmp_path / "nope.json"), "--model", str(models["handwriting"])]), "no such file", "nope.json")
    one_line_error(capsys, main(["evaluate", "speech", "--data", str(tmp_path / "nope.jsonl"), "--model", str(models["speech"])]), "no such file", "nope.jsonl")
    one_line_error(capsys, main(["transcribe", "speech", str(tmp_path / "x.wav"), "--model", str(tmp_path / "nope.pt")]), "nope.pt")
    (tmp_path / "m.jsonl").write_text(json.dumps({"audio": "gone.flac", "text": "x"}) + "\n")
    one_line_error(capsys, main(["evaluate", "speech", "--data", str(tmp_path / "m.jsonl"), "--model", str(models["speech"])]), "no such audio file", "gone.flac")
    (tmp_path / "words.txt").write_bytes(b"caf\xe9\n")
    write_ink_jsonl(tmp_path / "one.jsonl", make_samples(1, seed=4))
    one_line_error(capsys, main(["transcribe", "handwriting", str(tmp_path / "one.jsonl"), "--model", str(models["handwriting"]), "--decoder", "beam", "--user-words", str(tmp_path / "words.txt")]), "not UTF-8")


def test_a_wav_cut_short_is_transcribed_with_a_note(tmp_path, models, capsys):
    import soundfile as sf

    from recognizers.audio import cut_short_note

    sf.write(tmp_path / "whole.wav", np.zeros(32_000, np.float32), 16_000, subtype="PCM_16")  # 2.0 s
    data = (tmp_path / "whole.wav").read_bytes()
    (tmp_path / "cut.wav").write_bytes(data[:24_044])  # the header and 0.75 s of the samples
    assert cut_short_note(tmp_path / "whole.wav") == ""
    assert cut_short_note(tmp_path / "cut.wav") == ("cut.wav is cut short: its header promises 2.0 s of audio "
                                                    "but the file holds 0.8 s; the part that is there was read.")
    sf.write(tmp_path / "a.ogg", np.zeros(16_000, np.float32), 16_000, format="OGG")
    assert cut_short_note(tmp_path / "a.ogg") == "" and cut_short_note(tmp_path / "gone.wav") == ""
    assert main(["transcribe", "speech", str(tmp_path / "cut.wav"), "--model", str(models["speech"]), "--decoder", "greedy"]) == 0
    assert "note: cut.wav is cut short" in capsys.readouterr().err


def test_a_wav_that_is_only_a_header_is_said_to_hold_no_audio(tmp_path, models, capsys):
    """A tester's 44-byte WAV (the header of a 1.7 s file) was said to be "cut short: its header
    promises 1.7 s of audio but the file holds 0.0 s; the part that is there was read"."""
    import wave

    import soundfile as sf

    from recognizers.audio import cut_short_note

    with wave.open(str(tmp_path / "empty.wav"), "wb") as w:  # a header saying 0 frames
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16_000)
        w.writeframes(b"")
    sf.write(tmp_path / "whole.wav", np.zeros(27_200, np.float32), 16_000, subtype="PCM_16")  # 1.7 s
    (tmp_path / "header.wav").write_bytes((tmp_path / "whole.wav").read_bytes()[:44])  # its header alone
    for name in ("empty.wav", "header.wav"):
        assert cut_short_note(tmp_path / name) == f"{name} holds no audio: the file is only a header, with no recording after it."
    assert main(["transcribe", "speech", str(tmp_path / "header.wav"), "--model", str(models["speech"]), "--decoder", "greedy"]) == 0
    err = capsys.readouterr().err
    assert "note: header.wav holds no audio" in err and "promises" not in err


@pytest.mark.parametrize("rate", [1, 7, 999, 768_001, 2**31 - 1])
def test_wav_with_an_impossible_sample_rate(tmp_path, models, capsys, rate):
    (tmp_path / "r.wav").write_bytes(wav_bytes(rate))
    one_line_error(capsys, main(["transcribe", "speech", str(tmp_path / "r.wav"), "--model", str(models["speech"])]), "sample rate")


@pytest.mark.parametrize("rate", [7919, 44_101, 99_991, 700_001])
def test_wav_with_a_prime_sample_rate_is_read_in_bounded_memory(tmp_path, models, capsys, rate):
    (tmp_path / "p.wav").write_bytes(wav_bytes(rate, n=rate * 3))  # three seconds
    tracemalloc.start()
    rc = main(["transcribe", "speech", str(tmp_path / "p.wav"), "--model", str(models["speech"])])
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert rc == 0, capsys.readouterr().err
    assert peak < 200 << 20


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf, 1e30])
@pytest.mark.parametrize("fmt", ["WAV", "FLAC"])
def test_nan_inf_and_absurd_audio(tmp_path, models, capsys, value, fmt):
    audio = np.zeros(16_000, np.float32)
    audio[8000] = value
    path = tmp_path / f"bad.{fmt.lower()}"
    if fmt == "WAV":
        sf.write(path, audio, 16_000, subtype="FLOAT")
    else:  # FLAC holds integers: a damaged float file is what carries NaN; FLAC must read clean
        sf.write(path, np.nan_to_num(audio, posinf=1.0, neginf=-1.0, nan=0.0).clip(-1, 1), 16_000)
        assert main(["transcribe", "speech", str(path), "--model", str(models["speech"])]) == 0
        capsys.readouterr()
        return
    one_line_error(capsys, main(["transcribe", "speech", str(path), "--model", str(models["speech"])]), "bad.wav")
    (tmp_path / "m.jsonl").write_text(json.dumps({"audio": path.name, "text": "x"}) + "\n")
    one_line_error(capsys, main(["evaluate", "speech", "--data", str(tmp_path / "m.jsonl"), "--model", str(models["speech"])]), "bad.wav")


def test_too_many_channels(tmp_path, models, capsys):
    buf = io.BytesIO()
    sf.write(buf, np.zeros((10, 100), np.float32), 16_000, format="WAV", subtype="PCM_16")
    (tmp_path / "c.wav").write_bytes(buf.getvalue())
    one_line_error(capsys, main(["transcribe", "speech", str(tmp_path / "c.wav"), "--model", str(models["speech"])]), "channels")


def test_one_giant_line_in_a_small_gzip_is_refused_in_bounded_memory(tmp_path, models, capsys):
    """The issue's 2 MB .jsonl.gz holding a 2 GiB line, scaled to 100 MB to keep the test quick:
    the reader stops at its line cap (32 MB) instead of reading the line whole."""
    line = b'{"label": "x", "strokes": [[' + b"[1,2,3]," * (100 << 20 >> 3) + b"]]}\n"
    (tmp_path / "big.jsonl.gz").write_bytes(gzip.compress(line, compresslevel=1))
    del line
    tracemalloc.start()
    rc = main(["evaluate", "handwriting", "--data", str(tmp_path / "big.jsonl.gz"), "--model", str(models["handwriting"])])
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    one_line_error(capsys, rc, "longer than")
    assert peak < 200 << 20, peak


def test_evaluate_limit_stops_reading(tmp_path, models, capsys):
    """--limit 1 reads one sample: a file whose second half is garbage (or huge) is never read."""
    good = make_samples(3, seed=2)
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb") as gz:
        for s in good:
            gz.write((json.dumps(s.to_json()) + "\n").encode())
        gz.write(b"not json at all\n" * 1000)
    (tmp_path / "many.jsonl.gz").write_bytes(buf.getvalue())
    out = tmp_path / "r.json"
    assert main(["evaluate", "handwriting", "--data", str(tmp_path / "many.jsonl.gz"), "--model", str(models["handwriting"]), "--limit", "1", "--json", str(out)]) == 0
    assert json.loads(out.read_text())["n"] == 1
    one_line_error(capsys, main(["evaluate", "handwriting", "--data", str(tmp_path / "many.jsonl.gz"), "--model", str(models["handwriting"])]), "many.jsonl.gz:4")
    one_line_error(capsys, main(["evaluate", "handwriting", "--data", str(tmp_path / "many.jsonl.gz"), "--model", str(models["handwriting"]), "--limit", "0"]), "--limit")


def test_unwritable_json_output(tmp_path, models, capsys):
    write_ink_jsonl(tmp_path / "one.jsonl", make_samples(1, seed=4))
    one_line_error(capsys, main(["evaluate", "handwriting", "--data", str(tmp_path / "one.jsonl"), "--model", str(models["handwriting"]), "--json", str(tmp_path / "no" / "dir" / "r.json")]), "r.json")


def test_a_real_process_prints_one_line(tmp_path, models):
    """The same through `python -m recognizers`: exit status 2, one line, no traceback."""
    (tmp_path / "m.jsonl").write_text("[1]\n")
    r = subprocess.run([sys.executable, "-m", "recognizers", "evaluate", "speech", "--data", str(tmp_path / "m.jsonl"), "--model", str(models["speech"])],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr, r.stderr
