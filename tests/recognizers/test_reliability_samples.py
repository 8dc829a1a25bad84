"""Issue 14, torn sample files: appends are whole lines, readers skip and report damage."""

from __future__ import annotations

import errno
import json
import os
import time

import numpy as np
import pytest

from recognizers import atomic
from recognizers.atomic import append_line
from recognizers.ink import ReadReport, SampleFormatError, read_ink_samples
from recognizers.manifest import ManifestReport
from recognizers.training.datasets import load_ink_spec, load_speech_spec
from recognizers.workspace.samples import SampleStore


def _ink(seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [np.cumsum(rng.normal(size=(20, 3)), axis=0).astype(np.float32) + [0, 0, 100]]


def test_append_after_a_torn_line_starts_a_new_line(tmp_path):
    store = SampleStore(tmp_path)
    store.save_ink(_ink(0), "one")
    with open(store.ink_path, "a") as fh:  # a crash cut the second sample short
        fh.write('{"label": "two", "strokes": [[[1, 2')
    store.save_ink(_ink(1), "three")
    store.save_ink(_ink(2), "four")
    report = ReadReport()
    labels = [s.label for s in store.read_ink(report)]
    assert labels == ["one", "three", "four"]
    assert len(report.skipped) == 1 and ":2:" in report.skipped[0]
    assert store.counts()[0] == 3
    # the strict reader (evaluation) names the line instead of a traceback
    with pytest.raises(SampleFormatError, match=":2:"):
        list(read_ink_samples(store.ink_path))
    # training on "my samples" keeps every readable sample and says what it skipped
    skipped: list[str] = []
    assert [s.label for s in load_ink_spec(f"ink:{store.ink_path}", skipped=skipped)] == ["one", "three", "four"]
    assert len(skipped) == 1


def test_a_failed_append_leaves_no_half_line(tmp_path, monkeypatch):
    """A full disk: the write stops half-way; the file is cut back to its old length."""
    path = tmp_path / "s.jsonl"
    append_line(path, json.dumps({"a": 1}))
    before = path.read_bytes()
    real_write = os.write

    def half_then_full(fd, data):
        real_write(fd, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "write", half_then_full)
    with pytest.raises(OSError):
        append_line(path, json.dumps({"b": "x" * 1000}))
    monkeypatch.undo()
    assert path.read_bytes() == before
    append_line(path, json.dumps({"c": 3}))
    assert [json.loads(x) for x in path.read_text().splitlines()] == [{"a": 1}, {"c": 3}]


def test_speech_store_survives_a_torn_manifest_and_cleans_leftovers(tmp_path):
    store = SampleStore(tmp_path)
    audio = np.zeros(1600, np.float32)
    store.save_utterance(audio, "first")
    with open(store.manifest_path, "a") as fh:
        fh.write('{"audio": "audio/x.fl')  # torn
    store.save_utterance(audio, "second")
    report = ManifestReport()
    assert [u.text for u in store.read_utterances(report)] == ["first", "second"]
    assert len(report.skipped) == 1
    skipped: list[str] = []
    assert len(load_speech_spec(f"speech:{store.manifest_path}", skipped=skipped)) == 2 and len(skipped) == 1
    assert store.counts()[1] == 2
    # a crash between writing the audio and renaming it leaves a .flac.tmp: cleaned when old
    old = store.manifest_path.parent / "audio" / ".20260101-000000-000.flac.tmp"
    new = store.manifest_path.parent / "audio" / ".20260101-000001-000.flac.tmp"
    old.write_bytes(b"x")
    new.write_bytes(b"x")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    SampleStore(tmp_path)
    assert not old.exists() and new.exists()  # a write in progress (recent) is left alone


def test_a_failed_manifest_append_leaves_no_orphan_audio(tmp_path, monkeypatch):
    store = SampleStore(tmp_path)
    import recognizers.workspace.samples as samples

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(samples, "append_line", full)
    with pytest.raises(OSError):
        store.save_utterance(np.zeros(1600, np.float32), "lost")
    assert list((store.manifest_path.parent / "audio").iterdir()) == []


def test_non_utf8_manifest_line_is_skipped_when_tolerant(tmp_path):
    from recognizers.manifest import ManifestError, read_manifest

    p = tmp_path / "m.jsonl"
    p.write_bytes(b'{"audio": "a.wav", "text": "ok"}\n\xff\xfe garbage\n{"audio": "b.wav", "text": "ok2"}\n')
    report = ManifestReport()
    assert [i.text for i in read_manifest(p, tolerant=True, report=report)] == ["ok", "ok2"]
    assert "not UTF-8" in report.skipped[0]
    with pytest.raises(ManifestError, match=":2:"):
        read_manifest(p)
