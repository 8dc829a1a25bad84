"""The settings panel: it opens, switches decoders at run time, keeps the model registry
across restarts, and collects enrolment samples.

Every test points the user-data directory at its own tmp folder (XDG_DATA_HOME and Qt's
test mode as well, in case anything asks QStandardPaths), so nothing is written into the
real user directory.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings, QStandardPaths, Qt

from recognizers.workspace.registry import BUILTIN_ID, ModelRegistry, RegistryError
from .helpers import make_standin_model



def zigzag(n: int = 2) -> list[np.ndarray]:
    out = []
    for k in range(n):
        x = k * 60 + np.linspace(0, 40, 12)
        y = 100 + 30 * np.sin(np.linspace(0, 3 * np.pi, 12))
        out.append(np.stack([x, y, 1000 * k + np.arange(12) * 15.0], axis=1).astype(np.float32))
    return out


def test_settings_panel_opens(make_window, standin_models, user_dirs, qtbot):
    win = make_window(handwriting_model=standin_models["handwriting"], data_dir=user_dirs)
    win.act_settings.trigger()  # Options ▸ Settings… (Ctrl+,)
    d = win._settings_dialog
    qtbot.waitExposed(d)
    assert d.isVisible()
    assert [d.tabs.tabText(i) for i in range(d.tabs.count())] == ["Models", "Recognition", "Training", "Personalize"]
    hw = d.model_lists["handwriting"]
    shipped = Path(ModelRegistry(user_dirs / "models").builtin_path("handwriting"))
    assert (BUILTIN_ID in [e.id for e in hw.entries]) == shipped.exists()
    # the window runs a model given on the command line, not the registry's: the panel says so
    assert d.window_model_path("handwriting") == str(standin_models["handwriting"])
    if shipped.exists():
        assert hw.note.text().startswith("This window runs handwriting.pt")
    assert [d.device_combo.itemData(i) for i in range(2)] == ["auto", "cpu"]
    assert d.decoder_combos["handwriting"].currentData() == "beam"  # the best reading is the default
    d.tabs.setCurrentWidget(d.training)
    tp = d.training
    assert tp.start_button.isEnabled() and not tp.cancel_button.isEnabled()
    tp.set_preset("quick-finetune")
    assert tp.form.steps_spin.value() == 300  # the quick-finetune preset, unchanged
    tp.set_preset("full")
    assert tp.form.steps_spin.value() > 1000
    # numbers typed stay through a look at another tab (a tester's 80 steps went back to 300,
    # and the run trained 300); another preset brings its own
    tp.form.steps_spin.setValue(80)
    d.tabs.setCurrentIndex(0)
    d.tabs.setCurrentWidget(d.training)
    assert tp.form.steps_spin.value() == 80
    tp.set_preset("quick-finetune")
    assert tp.form.steps_spin.value() == 300
    d.close()
    assert win.show_settings() is d  # made once and kept (a run goes on while it is closed)
    assert not (user_dirs / "runs").exists()  # opening it starts nothing


def test_tab_leaves_the_personal_vocabulary(make_window, user_dirs, qtbot):
    """A tester's Tab, then Space, typed a tab and a space into the vocabulary box instead of
    reaching the next setting: a word never holds a tab."""
    win = make_window(data_dir=user_dirs)
    d = win.show_settings(tab="Recognition")
    d.words_edit.setFocus()
    qtbot.keyClick(d.words_edit, Qt.Key.Key_Tab)
    assert "\t" not in d.words_edit.toPlainText()


def test_settings_switch_the_decoder_at_run_time(make_window, standin_models, user_dirs, qtbot):
    win = make_window(handwriting_model=standin_models["handwriting"], data_dir=user_dirs)
    d = win.show_settings(tab="Recognition")
    assert win.hw_worker.decoder.name == "beam"  # the default, and what the model decodes with
    assert win.hw_worker.decoder_error == ""  # flashlight-text is a required dependency
    assert type(win.hw_worker.recognizer.decoder).__name__ == "LexiconBeamDecoder"
    combo = d.decoder_combos["handwriting"]
    with qtbot.waitSignal(win.hw_worker.loaded, timeout=30_000):
        combo.setCurrentIndex(combo.findData("greedy"))
    assert type(win.hw_worker.recognizer.decoder).__name__ == "GreedyDecoder"
    assert win.hw_worker.recognizer.path == str(standin_models["handwriting"])  # the same model
    assert win.settings.value("recognition/decoder_handwriting") == "greedy"
    # the personal vocabulary is saved in the user-data dir and reaches the lexicon beam
    d.words_edit.setPlainText("Scrivox\nQuillfeather\nScrivox")
    d.save_words()
    assert (user_dirs / "user-words.txt").read_text().split() == ["Scrivox", "Quillfeather"]
    assert d.words_status.text() == "2 words saved"
    d.words_edit.setPlainText("Scrivox\nQuillfeather\nMaëlle\n日本")  # letters no alphabet has: said so
    d.save_words()
    assert d.words_status.text() == "4 words saved; 2 with letters neither recognizer can write (Maëlle, 日本): they will not be recognized"
    d.words_edit.setPlainText("Scrivox\nQuillfeather")
    d.save_words()
    with qtbot.waitSignal(win.hw_worker.loaded, timeout=30_000):
        combo.setCurrentIndex(combo.findData("beam"))
    assert win.hw_worker.decoder.name == "beam"
    assert win.hw_worker.decoder.user_words == ("Scrivox", "Quillfeather")
    assert win.hw_worker.decoder_error == ""
    assert type(win.hw_worker.recognizer.decoder).__name__ == "LexiconBeamDecoder"
    # a restart reads the choice back from the settings
    from app.settings import RecognitionOptions

    with qtbot.waitSignal(win.hw_worker.loaded, timeout=30_000):
        combo.setCurrentIndex(combo.findData("prefix"))
    assert RecognitionOptions.load(win.settings).decoders == {"handwriting": "prefix", "speech": "beam"}


def test_personal_vocabulary_is_kept_when_the_dialog_is_closed(make_window, standin_models, user_dirs, qtbot, monkeypatch):
    """A tester typed "Dogcat", pressed Close and restarted: the words were gone (only Save
    words wrote them, though the box still showed them after reopening)."""
    from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

    from app import safety, settings_dialog

    win = make_window(handwriting_model=standin_models["handwriting"], data_dir=user_dirs)
    d = win.show_settings(tab="Recognition")
    d.words_edit.setPlainText("Dogcat")
    d.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Close).click()
    assert not d.isVisible()
    assert (user_dirs / "user-words.txt").read_text().split() == ["Dogcat"]
    assert win.hw_worker.decoder.user_words == ("Dogcat",)  # the beam reloads with the word
    qtbot.waitUntil(lambda: win.model_status["handwriting"] != "loading…", timeout=30_000)
    # where the words cannot be written, the dialog stays open and says so
    win.show_settings()
    d.words_edit.setPlainText("Dogcat\nCatdog")

    def read_only(path, words):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(settings_dialog, "write_user_words", read_only)
    d.reject()  # Esc, Ctrl+W and the title bar's close end here too
    assert d.isVisible() and "Could not save the words" in d.banner.text()
    assert d.tabs.currentWidget() is d.recognition_tab
    d.reject()  # once said, a second close closes: the person is not held in the dialog
    assert not d.isVisible() and d.words_changed()
    asked = []
    monkeypatch.setattr(safety, "ask", lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Cancel)
    win.ask_before_close = True
    win.close()  # nor does Quit drop them unasked
    assert win.isVisible() and "Personal vocabulary could not be saved" in asked[0]
    win.ask_before_close = False
    monkeypatch.undo()
    win.close()  # quitting with the dialog open keeps them as well
    assert (user_dirs / "user-words.txt").read_text().split() == ["Dogcat", "Catdog"]
    again = make_window(data_dir=user_dirs)  # the restart
    assert again.hw_worker.decoder.user_words == ("Dogcat", "Catdog")
    assert again.show_settings(tab="Recognition").words_edit.toPlainText().split() == ["Dogcat", "Catdog"]


def test_settings_switch_the_views_of_each_recognizer_without_a_reload(make_window, standin_models, user_dirs, qtbot):
    from app.replay import draw_stroke
    from app.settings import RecognitionOptions

    win = make_window(handwriting_model=standin_models["handwriting"], speech_model=standin_models["speech"], data_dir=user_dirs)
    d = win.show_settings(tab="Recognition")
    panel, worker = win.handwriting, win.hw_worker
    assert d.views_check.isChecked() and worker.views  # on by default
    loads = []
    worker.loaded.connect(lambda *a: loads.append(a))
    d.views_check.setChecked(False)
    assert not worker.views and RecognitionOptions.load(win.settings).ink_views is False
    assert not win.sp_worker.views and not d.speech_views_check.isChecked()  # speech has its own switch, off by default
    assert win.settings.value("recognition/ink_views") == "false"
    for s in zigzag(2):
        draw_stroke(panel.canvas, s)
    qtbot.waitUntil(lambda: panel._result_version == panel.canvas.version, timeout=10_000)
    assert worker.recognizer.ink_views is False  # the reading used the switch
    d.views_check.setChecked(True)
    draw_stroke(panel.canvas, zigzag(3)[2])
    qtbot.waitUntil(lambda: panel._result_version == panel.canvas.version, timeout=10_000)
    assert worker.recognizer.ink_views is True
    assert loads == []  # the model was not reloaded for it
    # speech's speeds have their own switch, which leaves handwriting's views alone
    d.speech_views_check.setChecked(True)
    assert win.sp_worker.views and worker.views and win.settings.value("recognition/speech_views") == "true"
    assert RecognitionOptions.load(win.settings).speech_views is True
    from app.workers import Job

    qtbot.waitUntil(lambda: win.sp_worker.recognizer is not None, timeout=20_000)
    with qtbot.waitSignal(win.sp_worker.done, timeout=20_000):
        win.sp_worker.submit(Job("recognize", np.zeros(8000, np.float32), channel="test"))  # a channel no panel reads
    assert win.sp_worker.recognizer.speed_views  # the speech reading used the switch
    d.speech_views_check.setChecked(False)
    assert not win.sp_worker.views and RecognitionOptions.load(win.settings).speech_views is False
    win.settings.setValue("recognition/speech_views", "maybe")
    assert RecognitionOptions.load(win.settings).speech_views is False  # damaged: the default, off
    # a damaged value reads as the default
    win.settings.setValue("recognition/ink_views", "maybe")
    assert RecognitionOptions.load(win.settings).ink_views is True
    # spoken punctuation: on by default, its box writes the setting the next commit reads
    assert d.punctuation_check.isChecked() and win.spoken_punctuation
    d.punctuation_check.setChecked(False)
    assert win.settings.value("recognition/spoken_punctuation") == "false" and not win.spoken_punctuation


def test_a_prefix_decoder_saved_before_the_beam_became_the_default_is_read_as_the_default(tmp_path):
    from PySide6.QtCore import QSettings

    from app.settings import DEFAULT_DECODER, RecognitionOptions

    old = QSettings(str(tmp_path / "old.ini"), QSettings.Format.IniFormat)
    old.setValue("recognition/device", "cpu")  # what changing the device used to save
    old.setValue("recognition/decoder_handwriting", "prefix")
    old.setValue("recognition/decoder_speech", "greedy")  # never a default: a choice, kept
    o = RecognitionOptions.load(old)
    assert o.decoders == {"handwriting": DEFAULT_DECODER, "speech": "greedy"} and DEFAULT_DECODER == "beam"
    o.decoders["handwriting"] = "prefix"  # chosen now: saved with the version, and kept
    o.save(old)
    assert RecognitionOptions.load(old).decoders == {"handwriting": "prefix", "speech": "greedy"}
    old.setValue("recognition/decoders_version", "2x")  # damaged by hand: read as before version 2
    assert RecognitionOptions.load(old).decoders == {"handwriting": DEFAULT_DECODER, "speech": "greedy"}


def test_settings_registry_survives_a_restart(tmp_path, standin_models):
    builtin = tmp_path / "shipped"
    make_standin_model(builtin / "handwriting.pt", "handwriting", seed=3)
    reg = ModelRegistry(tmp_path / "models", builtin_dir=builtin)
    assert reg.active_id("handwriting") == BUILTIN_ID
    assert reg.active_path("handwriting") == str(builtin / "handwriting.pt")
    assert reg.active_path("speech") is None  # nothing shipped, nothing trained
    e = reg.add_model("handwriting", standin_models["handwriting"], "fine-tuned", name="my hand", figures={"n": 10, "cer": 0.1, "wer": 0.3, "exact": 0.6}, figures_on="10 of your samples")
    assert Path(e.path).parent == tmp_path / "models" / "handwriting" and Path(e.path).exists()
    reg.activate("handwriting", e.id)

    again = ModelRegistry(tmp_path / "models", builtin_dir=builtin)  # the app restarted
    assert again.active_id("handwriting") == e.id
    assert again.previous_id("handwriting") == BUILTIN_ID
    got = again.active("handwriting")
    assert (got.name, got.origin, got.figures["cer"], got.figures_on) == ("my hand", "fine-tuned", 0.1, "10 of your samples")
    assert got.date
    with pytest.raises(RegistryError):
        again.delete("handwriting", e.id)  # the active one stays
    with pytest.raises(RegistryError):
        again.delete("handwriting", BUILTIN_ID)
    assert again.restore_previous("handwriting").id == BUILTIN_ID

    third = ModelRegistry(tmp_path / "models", builtin_dir=builtin)
    assert third.active_id("handwriting") == BUILTIN_ID and third.previous_id("handwriting") == e.id
    assert [x.id for x in third.entries("handwriting")] == [BUILTIN_ID, e.id]
    assert third.entries("handwriting")[0].figures == {}  # the stand-in has no figures of its own
    data = json.loads((tmp_path / "models" / "registry.json").read_text())
    assert data["active"]["handwriting"] == BUILTIN_ID

    # a damaged registry is set aside and the model files are found again
    (tmp_path / "models" / "registry.json").write_text("{not json")
    fourth = ModelRegistry(tmp_path / "models", builtin_dir=builtin)
    assert [x.id for x in fourth.entries("handwriting")] == [BUILTIN_ID, e.id]
    assert list((tmp_path / "models").glob("registry.broken-*.json"))


def test_settings_active_model_is_loaded_after_a_restart(qtbot, tmp_path, standin_models, user_dirs):
    """A window started without a model argument loads the registry's active model."""
    from app.audio_input import FakeBackend
    from app.main_window import MainWindow

    reg = ModelRegistry(user_dirs / "models")
    e = reg.add_model("handwriting", standin_models["handwriting"], "trained", name="restart-me")
    reg.activate("handwriting", e.id)
    settings = QSettings(str(tmp_path / "restart.ini"), QSettings.Format.IniFormat)
    win = MainWindow(None, str(tmp_path / "absent-speech.pt"), device="cpu", audio_backend=FakeBackend({}), settings=settings, samples_dir=tmp_path / "samples", data_dir=user_dirs)
    qtbot.addWidget(win)
    try:
        if not win.models_settled:
            with qtbot.waitSignal(win.modelsSettled, timeout=30_000):
                pass
        assert win.model_paths["handwriting"] == e.path
        assert win.hw_worker.recognizer.path == e.path
        assert win.model_status["handwriting"].startswith("stand-in handwriting")
    finally:
        win.shutdown()
        import gc

        gc.collect()
        gc.enable()


def test_settings_enrolment_saves_prompts_as_samples(make_window, standin_models, user_dirs, qtbot):
    from recognizers.workspace.enrol import enrolment_plan, enrolment_store
    from app.replay import draw_ink
    from recognizers.ink import read_ink_samples

    win = make_window(handwriting_model=standin_models["handwriting"], data_dir=user_dirs)
    d = win.show_settings(tab="Personalize")
    dlg = d.open_enrolment("handwriting")
    qtbot.waitExposed(dlg)
    written = []
    for _ in range(12):
        written.append(dlg.current_prompt)
        draw_ink(dlg.canvas, zigzag(2))
        assert dlg.save_button.isEnabled()
        qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    dlg.skip()
    store = enrolment_store(win.store.root)
    samples = list(read_ink_samples(store.ink_path))
    assert [s.label for s in samples] == written
    assert store.ink_path == win.store.root / "enrolment" / "handwriting" / "samples.jsonl"
    assert not win.store.ink_path.exists()  # the everyday sample file is separate
    assert dlg.teach_button.isEnabled()
    dlg.reject()
    qtbot.waitUntil(lambda: "12 of 50" in d.enrol_labels["handwriting"].text())
    assert "only a few held-out samples" in d.enrol_labels["handwriting"].text()  # the figures will be rough

    plan = enrolment_plan("handwriting", store, user_dirs / "runs" / "enrol-test", str(standin_models["handwriting"]), "stand-in")
    cfg = plan.config
    assert cfg["init_from"] == str(standin_models["handwriting"])
    assert (cfg["total_steps"], cfg["lr"]) == (300, 2e-4)  # the quick-finetune preset at handwriting's rate
    assert cfg["replay_data"] == ["synth-ink:2000"] or not cfg["replay_data"]  # without fonts, no replay
    assert cfg["holdout"] == []
    train = list(read_ink_samples(cfg["data"][0].split(":", 1)[1]))
    val = list(read_ink_samples(cfg["val_data"][0].split(":", 1)[1]))
    assert len(train) + len(val) == 12 and 2 <= len(val) <= 4  # about one in five (`enrol_split`)
    assert not {s.label for s in val} - set(written)
    assert plan.origin == "fine-tuned" and plan.figures_on.startswith(f"{len(val)} of your own samples")


def test_settings_enrolment_records_speech(make_window, user_dirs, qtbot):
    from app.audio_input import FakeBackend
    from recognizers.workspace.enrol import enrolment_store
    from recognizers.training.datasets import read_manifest

    rng = np.random.default_rng(0)
    voice = (0.1 * np.sin(np.arange(16_000) * 2 * np.pi * 220 / 16_000) + 0.01 * rng.standard_normal(16_000)).astype(np.float32)
    win = make_window(backend=FakeBackend({"test mic": voice}, speed=0), data_dir=user_dirs)
    d = win.show_settings(tab="Personalize")
    dlg = d.open_enrolment("speech")
    prompt = dlg.current_prompt
    qtbot.mouseClick(dlg.record_button, Qt.MouseButton.LeftButton)  # Record
    qtbot.waitUntil(lambda: dlg._input is not None and dlg._input.finished.is_set(), timeout=5000)
    qtbot.wait(100)
    qtbot.mouseClick(dlg.record_button, Qt.MouseButton.LeftButton)  # Stop: saved
    store = enrolment_store(win.store.root)
    (item,) = read_manifest(store.manifest_path)
    assert item.text == prompt and Path(item.audio_path).exists()
    assert dlg.count == 1 and dlg.index == 1
    dlg.reject()


def test_a_failed_import_message_goes_once_an_import_works(make_window, standin_models, user_dirs, qtbot):
    """A tester imported the speech model as a handwriting one (refused, rightly), then as a
    speech one: the old error stayed above the tabs."""
    win = make_window(handwriting_model=standin_models["handwriting"], data_dir=user_dirs)
    d = win.show_settings()
    d.confirm = False
    d.model_lists["handwriting"].import_model(str(standin_models["speech"]))
    assert "is a speech model, not a handwriting model" in d.banner.text()
    d.model_lists["speech"].import_model(str(standin_models["speech"]))
    assert d.banner.text() == ""
    assert any(e.origin == "imported" for e in d.model_lists["speech"].entries)
    n = len(d.model_lists["speech"].entries)
    d.model_lists["speech"].import_model(str(standin_models["speech"]))  # the same file again: said, not listed twice
    assert "already in the list" in d.banner.text() and len(d.model_lists["speech"].entries) == n


def models_tab_with_another_model(make_window, standin_models, user_dirs):
    """A window on the stand-in model, its Models tab open, a second model imported and selected."""
    win = make_window(handwriting_model=standin_models["handwriting"], data_dir=user_dirs)
    d = win.show_settings(tab="Models")
    hw = d.model_lists["handwriting"]
    other = make_standin_model(user_dirs / "other.pt", "handwriting", seed=5)
    e = ModelRegistry(user_dirs / "models").add_model("handwriting", str(other), "imported")
    hw.refresh()
    hw.select(e.id)
    return win, d, hw, e


def test_the_models_tab_names_the_model_being_switched_to_not_the_one_still_loaded(make_window, standin_models, user_dirs, tmp_path, qtbot):
    """Right after Use (or Restore previous) the window still runs the old model while the new
    one loads; the tab said "This window runs <old> (chosen on the command line…)" until the
    tab was opened again. The model asked for counts as the one the window runs."""
    from app import workers

    win, d, hw, e = models_tab_with_another_model(make_window, standin_models, user_dirs)
    with workers._load_lock:  # the new model cannot finish loading yet
        hw.use_selected()
        assert win.hw_worker.recognizer.path == str(standin_models["handwriting"])  # still the old one
        assert not hw.note.text().startswith("This window runs"), hw.note.text()
        assert d.window_model_path("handwriting") == ModelRegistry(user_dirs / "models").active("handwriting").path
    qtbot.waitUntil(lambda: win.hw_worker.loading_path is None, timeout=30_000)
    assert Path(win.hw_worker.recognizer.path).resolve() == Path(d.window_model_path("handwriting")).resolve()


def test_deleting_asks_with_no_as_the_default(make_window, standin_models, user_dirs, qtbot, monkeypatch):
    """Deleting the enrolment samples or a model asked with Yes as the default button, so
    Enter deleted them."""
    from PySide6.QtWidgets import QMessageBox

    asked = []

    def question(parent, title, text, buttons=None, default=None):
        asked.append((title, default))
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    win, d, hw, e = models_tab_with_another_model(make_window, standin_models, user_dirs)
    hw.delete_selected()
    assert asked == [("Delete the model?", QMessageBox.StandardButton.No)]
    assert e.id in [x.id for x in ModelRegistry(user_dirs / "models").entries("handwriting")]  # No: kept


def test_speech_enrolment_without_a_microphone_takes_recordings_from_files(make_window, user_dirs, tmp_path, spoken_audio, qtbot):
    """Voice enrolment without a microphone was a dead end: Record was disabled and nothing else
    could add a sample. A file of the person reading the prompt (any rate, stereo too) is saved
    as that prompt's reading; a file too short, too long or not audio is refused with a reason
    and saves nothing."""
    import soundfile as sf

    from recognizers.training.datasets import read_manifest
    from recognizers.workspace.enrol import enrolment_store

    win = make_window(data_dir=user_dirs)  # the stand-in backend has no microphone
    d = win.show_settings(tab="Personalize")
    dlg = d.open_enrolment("speech")
    assert not dlg.record_button.isEnabled() and dlg.file_button.isEnabled()
    assert "Use a recording" in dlg.banner.text()
    store = enrolment_store(win.store.root)

    speech = spoken_audio
    stereo = tmp_path / "memo.wav"  # a phone memo: 44.1 kHz, two channels
    from recognizers.audio import resample
    at44 = resample(speech, 16_000, 44_100)
    sf.write(str(stereo), np.stack([at44, at44], 1), 44_100)
    short = tmp_path / "click.wav"
    sf.write(str(short), np.zeros(1600, np.float32), 16_000)
    long = tmp_path / "talk.flac"
    sf.write(str(long), np.zeros(16_000 * 40, np.float32), 16_000)
    junk = tmp_path / "notes.wav"
    junk.write_text("not audio")

    for bad, said in ((short, "too short"), (long, "40 s long"), (junk, "notes.wav")):
        assert not dlg.use_recording(str(bad))
        assert said in dlg.banner.text()
    assert not store.manifest_path.exists() and dlg.count == 0

    prompt = dlg.current_prompt
    assert dlg.use_recording(str(stereo))
    (item,) = read_manifest(store.manifest_path)
    assert item.text == prompt and dlg.count == 1 and dlg.current_prompt != prompt
    saved, rate = sf.read(item.audio_path, dtype="float32")
    assert rate == 16_000 and saved.ndim == 1 and abs(len(saved) - len(speech)) < 50
    assert f"Saved memo.wav as “{prompt}”" in dlg.banner.text()
    assert dlg.take_back() and store.counts()[1] == 0 and not Path(item.audio_path).exists()
    dlg.reject()


def test_enrolment_names_a_sample_that_reads_as_another_word(make_window, user_dirs, qtbot):
    """A tester wrote "horse" for the prompt "timing" and nothing said so: the sample would
    have taught the model that this ink is "timing". Each saved sample is now checked against
    its prompt by the model in use; real ink of "there" saved for another prompt is named,
    and Take back removes it."""
    import json

    from app.replay import draw_ink
    from recognizers.ink import read_ink_samples
    from recognizers.recognizer import default_model_path
    from recognizers.workspace.enrol import enrolment_store

    there = [np.asarray(s, np.float32) for s in json.loads((Path(__file__).parent / "fixtures" / "word.json").read_text())["strokes"]]
    win = make_window(handwriting_model=default_model_path("handwriting"), data_dir=user_dirs)
    assert win.handwriting.model_ready
    d = win.show_settings(tab="Personalize")
    dlg = d.open_enrolment("handwriting")
    prompt = dlg.current_prompt
    assert prompt.lower() != "there"
    draw_ink(dlg.canvas, there)
    assert dlg.save_ink()
    qtbot.waitUntil(lambda: dlg.banner.level == "warning", timeout=10_000)
    assert f"Saved as “{prompt}”, but it reads as “there”" in dlg.banner.text()
    assert dlg.take_back() and dlg.current_prompt == prompt
    assert list(read_ink_samples(enrolment_store(win.store.root).ink_path)) == []
    dlg.reject()
