"""The model registry under failing writes: a full disk, a damaged model file, a second
window. Nothing is half written, nothing the list names goes missing, and the person is told."""

from __future__ import annotations

import errno
import json

import pytest
import torch

from recognizers import atomic
from recognizers.alphabet import Alphabet
from recognizers.checkpoint import Checkpoint, save_checkpoint
from recognizers.features import InkFeatureConfig
from recognizers.model import CTCModel, ModelConfig
from recognizers.workspace.registry import BUILTIN_ID, ModelRegistry, RegistryError
from recognizers.workspace.userfiles import take_notices


@pytest.fixture(autouse=True)
def _no_stale_notices():
    take_notices()
    yield
    take_notices()


def _model(path, name="mine"):
    torch.manual_seed(0)
    m = CTCModel(ModelConfig(4, 10, conv_channels=8, hidden=6, layers=2, dropout=0.0))
    save_checkpoint(path, Checkpoint("handwriting", m.cfg, InkFeatureConfig(), Alphabet("abcdefghi"), m.state_dict(), {"name": name, "val": {"cer": 0.2, "n": 5}}))
    return path


def _files(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _full_disk(*_a, **_k):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_add_model_on_a_full_disk_leaves_no_copy_and_no_entry(tmp_path, monkeypatch):
    src = _model(tmp_path / "run" / "best.pt")
    root = tmp_path / "models"
    reg = ModelRegistry(root, builtin_dir=tmp_path / "none")
    reg.save()
    before = _files(root)
    # the copy fails half-way
    monkeypatch.setattr(atomic.shutil, "copyfileobj", _full_disk)
    with pytest.raises(OSError):
        reg.add_model("handwriting", src, "trained")
    monkeypatch.undo()
    assert _files(root) == before and src.exists()
    # the copy works but the list cannot be saved: the copy goes again, nothing is listed
    monkeypatch.setattr(reg, "save", _full_disk)
    with pytest.raises(OSError):
        reg.add_model("handwriting", src, "trained")
    monkeypatch.undo()
    assert _files(root) == before and src.exists()
    assert [e.id for e in ModelRegistry(root, builtin_dir=tmp_path / "none").entries("handwriting", read_info=False)] == []
    # and with room again it is added once, whole
    e = reg.add_model("handwriting", src, "trained")
    assert e.id == "mine" and (root / "handwriting" / "mine.pt").read_bytes() == src.read_bytes()
    assert e.figures["cer"] == pytest.approx(0.2)


def test_a_damaged_recovered_model_is_reported_once_and_stays_listed(tmp_path):
    root = tmp_path / "models"
    (root / "handwriting").mkdir(parents=True)
    (root / "handwriting" / "torn.pt").write_bytes(b"PK\x03\x04 half a zip")
    reg = ModelRegistry(root, builtin_dir=tmp_path / "none")  # no registry.json: rebuilt from the files
    assert [e.id for e in reg.entries("handwriting")] == ["torn"]
    notes = take_notices()
    assert len(notes) == 1 and "torn" in notes[0] and "could not be read" in notes[0]
    reg.entries("handwriting")
    ModelRegistry(root, builtin_dir=tmp_path / "none").entries("handwriting")
    assert take_notices() == []  # said once, not at every listing


def test_reading_figures_does_not_undo_another_windows_activation(tmp_path):
    builtin = tmp_path / "builtin"
    _model(builtin / "handwriting.pt", name="shipped hand")
    root = tmp_path / "models"
    first = ModelRegistry(root, builtin_dir=builtin)  # a window open since before
    second = ModelRegistry(root, builtin_dir=builtin)
    mine = second.add_model("handwriting", _model(tmp_path / "best.pt"), "trained")
    second.activate("handwriting", mine.id)
    # the first window now reads the shipped model's figures and caches them in the file
    assert first.entries("handwriting")[0].name == "shipped hand"
    again = ModelRegistry(root, builtin_dir=builtin)
    assert again.active_id("handwriting") == mine.id and again.previous_id("handwriting") == BUILTIN_ID
    assert json.loads((root / "registry.json").read_text())["builtin"]["handwriting"]["name"] == "shipped hand"


@pytest.mark.parametrize("bad", [
    json.dumps({"format": "scrivox-models-1", "active": ["handwriting"], "previous": {}, "models": {}}),  # the wrong shape
    '{"format": "scrivox-models-1", "active": {"speech": "mi',  # cut off: not JSON
])
def test_a_repair_that_cannot_be_written_keeps_the_original_in_place(tmp_path, monkeypatch, bad):
    root = tmp_path / "models"
    (root / "handwriting").mkdir(parents=True)
    (root / "handwriting" / "found.pt").write_bytes(b"not a model")  # listed again, its figures unreadable
    (root / "registry.json").write_text(bad)
    monkeypatch.setattr(atomic.os, "replace", _refuse_registry(atomic.os.replace))
    reg = ModelRegistry(root, builtin_dir=tmp_path / "none")
    reg.entries("handwriting")  # reads the found file's figures: nothing written over the original
    assert (root / "registry.json").read_text() == bad  # not set aside with nothing in its place
    assert not list(root.glob("registry.broken-*"))
    notes = take_notices()
    assert any("left in place" in n for n in notes) and not any("kept as" in n for n in notes)
    monkeypatch.undo()  # room again: the next start repairs it and keeps the original
    ModelRegistry(root, builtin_dir=tmp_path / "none")
    assert len(list(root.glob("registry.broken-*"))) == 1 and "kept as" in take_notices()[0]


def _refuse_registry(real):
    """os.replace that fails for registry.json alone, as a full disk fails the new list's write."""
    def replace(src, dst, *a, **k):
        if str(dst).endswith("registry.json") and ".tmp" in str(src):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(src, dst, *a, **k)
    return replace


def test_a_file_that_cannot_be_deleted_is_reported(tmp_path):
    root = tmp_path / "models"
    reg = ModelRegistry(root, builtin_dir=tmp_path / "none")
    e = reg.add_model("handwriting", _model(tmp_path / "best.pt"), "trained")
    path = root / "handwriting" / f"{e.id}.pt"
    path.unlink()
    path.mkdir()  # stands for a file the system refuses to remove
    reg.delete("handwriting", e.id)
    assert [x.id for x in reg.entries("handwriting", read_info=False)] == []
    note = take_notices()
    assert len(note) == 1 and "could not be deleted" in note[0]


def test_a_models_own_figures_say_what_they_were_measured_on():
    """The Models tab's CER is the training run's own check, a mix harder than the app's
    reading of words: the description names the mix, so 9 % there and 4 % in the README do not
    look like a contradiction (a tester's question)."""
    from pathlib import Path

    from recognizers.workspace.model_info import _summary_of

    info = {"name": "hw", "holdout": ["art", "imp"], "val": {"n": 2000, "cer": 0.09},
            "train_data": ["unipen:word,upper", "unipen-lines-varied:16000", "synth-ink:3000"]}
    on = _summary_of("handwriting", info, Path("hw.pt"))["figures_on"]
    assert on.startswith("held-out writers art, imp: 2000 samples (words, capitals, composed lines) read once and greedily")
    assert "docs/handwriting.md" in on
    assert _summary_of("handwriting", {"val": {"cer": 0.1}}, Path("x.pt"))["figures_on"] == "its validation data"
    speech = _summary_of("speech", {"val": {"n": 600, "cer": 0.09, "wer": 0.28}}, Path("s.pt"))["figures_on"]
    assert speech.startswith("600 samples of its validation data read once and greedily") and "language model" in speech


def test_importing_a_file_already_listed_is_refused_but_training_results_are_kept(tmp_path):
    src = _model(tmp_path / "run" / "best.pt")
    reg = ModelRegistry(tmp_path / "models", builtin_dir=tmp_path / "none")
    first = reg.add_model("handwriting", src, "imported", name="mine")
    with pytest.raises(RegistryError, match="already in the list, as mine"):
        reg.add_model("handwriting", src, "imported")
    other = _model(tmp_path / "other.pt", name="other")  # the same size, other bytes (its name)
    assert reg.add_model("handwriting", other, "imported").id != first.id
    assert reg.add_model("handwriting", src, "fine-tuned").id not in (first.id,)  # a run's own result: listed again
    assert len(reg.entries("handwriting")) == 3


def test_a_draft_whose_marks_cannot_be_written_is_still_saved(tmp_path):
    from recognizers.workspace.draft import Draft

    d = Draft(tmp_path / "text-draft.txt")
    d.marks_path.mkdir()  # a directory where the marks file should go: writing it fails
    d.save("kept text", [(0, "kept", 0.1)])  # no error: only underlines are at stake
    assert d.path.read_text() == "kept text" and d.load_marks("kept text") == []
    d.marks_path.rmdir()
    d.save("kept text", [(0, "kept", 0.1)])
    assert d.load_marks("kept text") == [(0, "kept", 0.1)] and d.load_marks("other text") == []
