"""Issue 14, damaged user files at start-up: validated, set aside with a timestamp, the app
starts, and a notice tells the person."""

from __future__ import annotations

import json
import os

import pytest

from recognizers.workspace.registry import BUILTIN_ID, FORMAT, ModelRegistry, RegistryError
from recognizers.workspace.userfiles import read_user_words, take_notices, write_user_words


@pytest.fixture(autouse=True)
def _no_stale_notices():
    take_notices()
    yield
    take_notices()


def _registry_file(root, **over) -> None:
    data = {"format": FORMAT, "active": {}, "previous": {}, "models": {"handwriting": {}, "speech": {}}, "builtin": {}}
    data.update(over)
    root.mkdir(parents=True, exist_ok=True)
    (root / "registry.json").write_text(json.dumps(data))


def _broken_copies(root):
    return sorted(p.name for p in root.glob("registry.broken-*.json"))


@pytest.mark.parametrize("bad", [
    {"models": {"handwriting": []}},
    {"models": {"handwriting": {"mine": "handwriting/mine.pt"}}},  # an entry that is a string
    {"models": {"handwriting": {"mine": {"name": ["a", "list"], "file": "handwriting/mine.pt"}}}},
    {"models": {"handwriting": {"mine": {"file": "handwriting/mine.pt", "figures": {"cer": "low"}}}}},
    {"active": {"handwriting": ["mine"]}},  # a list where a name belongs
    {"active": ["handwriting"]},
    {"models": ["handwriting"]},
])
def test_registry_of_the_wrong_shape_is_repaired_and_reported(tmp_path, bad):
    root = tmp_path / "models"
    _registry_file(root, **bad)
    reg = ModelRegistry(root, builtin_dir=tmp_path / "none")
    for m in ("handwriting", "speech"):
        reg.entries(m, read_info=False)
        assert reg.active_id(m) == BUILTIN_ID
    assert len(_broken_copies(root)) == 1  # the original is kept, timestamped
    notes = take_notices()
    assert len(notes) == 1 and "repaired" in notes[0]
    ModelRegistry(root, builtin_dir=tmp_path / "none")  # the repaired file reads cleanly
    assert take_notices() == []


def test_valid_parts_of_a_damaged_registry_are_kept(tmp_path):
    root = tmp_path / "models"
    (root / "handwriting").mkdir(parents=True)
    (root / "handwriting" / "good.pt").write_bytes(b"x")
    _registry_file(root, models={"handwriting": {"good": {"name": "My hand", "file": "handwriting/good.pt", "figures": {"cer": 0.1, "wer": 0.2}}, "bad": 7}},
                   active={"handwriting": "good"})
    reg = ModelRegistry(root, builtin_dir=tmp_path / "none")
    assert reg.active_id("handwriting") == "good"
    assert [e.name for e in reg.entries("handwriting", read_info=False)] == ["My hand"]
    assert "'bad'" in take_notices()[0]


def test_truncated_registry_is_set_aside_rebuilt_from_files_and_reported(tmp_path):
    root = tmp_path / "models"
    (root / "speech").mkdir(parents=True)
    (root / "speech" / "mine.pt").write_bytes(b"x")
    (root / "registry.json").write_text('{"format": "scrivox-models-1", "active": {"speech": "mi')
    reg = ModelRegistry(root, builtin_dir=tmp_path / "none")
    assert [e.id for e in reg.entries("speech", read_info=False)] == ["mine"]
    assert len(_broken_copies(root)) == 1
    note = take_notices()
    assert len(note) == 1 and "damaged" in note[0] and "1 model file" in note[0]


def test_deeply_nested_registry_does_not_crash(tmp_path):
    root = tmp_path / "models"
    root.mkdir()
    (root / "registry.json").write_text("[" * 100_000 + "]" * 100_000)
    ModelRegistry(root, builtin_dir=tmp_path / "none")
    assert take_notices()


def test_delete_never_removes_a_file_outside_the_models_folder(tmp_path):
    root = tmp_path / "data" / "models"
    victim = tmp_path / "precious.pt"
    victim.write_bytes(b"keep me")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "other.pt").write_bytes(b"keep me too")
    (root / "handwriting").mkdir(parents=True)
    os.symlink(outside / "other.pt", root / "handwriting" / "link.pt")  # a link out of the folder
    _registry_file(root, models={"handwriting": {
        "evil": {"name": "evil", "file": "../../precious.pt"},
        "abs": {"name": "abs", "file": str(victim)},
        "link": {"name": "link", "file": "handwriting/link.pt"},
    }})
    reg = ModelRegistry(root, builtin_dir=tmp_path / "none")
    assert "outside the models folder" in take_notices()[0]
    for mid in ("evil", "abs", "link"):
        with pytest.raises(RegistryError):
            reg.delete("handwriting", mid)
    # even when the entry is put back in memory behind the validation's back
    reg.data["models"]["handwriting"]["evil"] = {"name": "evil", "file": "../../precious.pt"}
    reg.reload = lambda: None
    with pytest.raises(RegistryError, match="outside"):
        reg.delete("handwriting", "evil")
    assert victim.read_bytes() == b"keep me" and (outside / "other.pt").exists()


def test_non_utf8_word_list_is_set_aside_and_its_readable_lines_kept(tmp_path):
    p = tmp_path / "user-words.txt"
    p.write_bytes("Ngozi\nMcArthur\n".encode() + b"caf\xe9\n" + b"Zo\xeb # latin-1\nkubectl\n")
    words = read_user_words(p)
    assert words == ["Ngozi", "McArthur", "kubectl"]
    assert read_user_words(p) == words  # the rewritten file is clean UTF-8
    assert len(list(tmp_path.glob("user-words.broken-*.txt"))) == 1
    notes = take_notices()
    assert len(notes) == 1 and "2 line(s)" in notes[0]


def test_word_list_round_trip_keeps_words_with_hash(tmp_path):
    p = tmp_path / "w.txt"
    write_user_words(p, ["C#", "a b", "a"])
    assert p.read_text() == "C#\na\nb\n"


def test_beam_decoder_accepts_any_user_words(tmp_path):
    """Words with characters outside the alphabet (the shipped list may hold anything the person typed)."""
    pytest.importorskip("torchaudio")
    from recognizers.alphabet import Alphabet
    from recognizers.decoding import DecoderSettings, make_decoder

    words = ["naïve", "日本", "a\u200bb", "x" * 300, "#", "--", "'", "Ünïcödé"]
    for modality, alphabet in (("handwriting", Alphabet.handwriting()), ("speech", Alphabet.speech())):
        make_decoder(DecoderSettings("beam", user_words=tuple(words)), alphabet, modality)
