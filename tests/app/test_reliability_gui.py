"""Issue 14 in the window: ink that produced no text is never cleared, the candidate bar
does not pass an alternative off as the reading, the text area is autosaved (atomic,
throttled) and restored, quitting asks before discarding, and damaged files are reported."""

from __future__ import annotations

import json

import pytest

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from app import safety
from app.replay import draw_ink
from app.workers import Job
from recognizers.decoding.hypothesis import Hypothesis
from recognizers.recognizer import Recognition

from .test_handwriting import reference_text, zigzag


def _reading(panel, *texts: str) -> None:
    """Deliver a reading of the ink on the canvas, as the worker would."""
    hyps = [Hypothesis(t, -1.0 - i, [1.0] * len(t) if i == 0 else []) for i, t in enumerate(texts)]
    panel._job_done(Job("recognize", panel.canvas.ink(), channel="ink", tag=panel.canvas.version, result=Recognition(hyps, 1.0)))


def test_enter_never_clears_ink_that_produced_no_text(make_window, standin_models, qtbot):
    win = make_window(handwriting_model=standin_models["handwriting"])
    panel = win.handwriting
    panel.pause_ms = 0
    draw_ink(panel.canvas, zigzag(2))
    qtbot.waitUntil(lambda: panel._result_version == panel.canvas.version, timeout=10_000)
    _reading(panel, "", "hello", "hallo")  # the lexicon beam's best reading is empty
    assert panel.candidates.texts() == ["hello", "hallo"]
    assert not panel.candidates.best_highlighted  # "hello" is an alternative, not the reading
    QTest.keyClick(panel.canvas, Qt.Key.Key_Return)
    assert len(panel.canvas.ink()) == 2 and win.text.toPlainText() == ""
    assert "nothing read" in panel.status.text()
    panel._want_commit("best")  # the pause commit and the button take the same path
    assert len(panel.canvas.ink()) == 2
    panel.choose(0)  # a candidate chosen on purpose is committed
    assert win.text.toPlainText() == "hello" and panel.canvas.is_empty()
    draw_ink(panel.canvas, zigzag(1))
    qtbot.waitUntil(lambda: panel._result_version == panel.canvas.version, timeout=10_000)
    _reading(panel, "world", "word")
    assert panel.candidates.best_highlighted
    QTest.keyClick(panel.canvas, Qt.Key.Key_Return)
    assert win.text.toPlainText() == "hello world" and panel.canvas.is_empty()


def test_text_is_autosaved_throttled_and_restored(make_window, tmp_path, qtbot):
    win = make_window()
    draft = tmp_path / "userdata" / safety.DRAFT_NAME
    for i in range(20):  # a burst of typing
        win.text.appendPlainText(f"line {i}")
    assert not draft.exists() and win.autosave.writes == 0  # not one write per keystroke
    qtbot.waitUntil(draft.exists, timeout=safety.AUTOSAVE_MS * 3)
    assert win.autosave.writes == 1
    assert draft.read_text().splitlines()[-1] == "line 19"
    assert not list(draft.parent.glob(".*.tmp"))  # written through a temporary file and a rename
    win.text.appendPlainText("the last words")
    win.close()  # Ctrl+Q: nothing to discard, so no question; the last change is flushed
    assert not win.isVisible()
    again = make_window()
    assert again.text.toPlainText().endswith("the last words")
    again.text.clear()
    again.autosave.flush()
    assert not draft.exists()  # an empty text leaves no draft


def test_doubted_words_keep_their_underline_across_a_restart(make_window, tmp_path, qtbot):
    """The draft keeps which words the recognizer doubted; a mark whose word is no longer at
    its place (the text changed on disk) is dropped, not put on other letters."""
    win = make_window()
    win.append_text("the quick brown fox", [("the", 0.99), ("quick", 0.2), ("brown", 0.95), ("fox", 0.3)])
    assert win.text.doubtful_words() == ["quick", "fox"]
    win.close()  # flushes the draft
    draft = tmp_path / "userdata" / safety.DRAFT_NAME
    assert json.loads(draft.with_name(draft.name + ".marks.json").read_text()) == {"length": 19, "marks": [[4, "quick", 0.2], [16, "fox", 0.3]]}
    again = make_window()
    assert again.text.toPlainText() == "the quick brown fox"
    assert again.text.doubtful_words() == ["quick", "fox"]
    again.text.clear()
    again.close()
    assert not draft.exists() and not draft.with_name(draft.name + ".marks.json").exists()
    marks = draft.with_name(draft.name + ".marks.json")
    draft.write_text("the quick brown cat")  # edited elsewhere, same length: "fox" is gone
    marks.write_text('{"length": 19, "marks": [[4, "quick", 0.2], [16, "fox", 0.3]]}')
    third = make_window()
    assert third.text.doubtful_words() == ["quick"]
    third.close()
    draft.write_text("a quick fix")  # a text of another length than the marks were saved with: none of them
    marks.write_text('{"length": 19, "marks": [[2, "quick", 0.2]]}')
    assert make_window().text.doubtful_words() == []


def test_the_restored_text_notice_is_not_cut_short(make_window, tmp_path, qtbot):
    """The notice is shown while the window is being built; once the window has its size the
    message is fitted again, so it is read whole where it fits (it was cut to "The t…")."""
    draft = tmp_path / "userdata" / safety.DRAFT_NAME
    draft.parent.mkdir(parents=True)
    draft.write_text("yesterday's words")
    win = make_window()
    bar = win.statusBar()
    assert bar.full_message == "The text from your last session is back."
    qtbot.waitUntil(lambda: bar.currentMessage() == bar.full_message, timeout=2000)
    long = "Saved /home/someone/Documents/" + "a-rather-deep-folder/" * 12 + "scrivox.txt"
    win.resize(win.minimumSizeHint().width(), win.height())
    bar.showMessage(long, 10_000)  # too long: cut with an ellipsis, whole in the tooltip
    qtbot.waitUntil(lambda: bar.currentMessage().endswith("…"), timeout=2000)
    assert bar.toolTip() == long
    narrow = bar.currentMessage()
    win.resize(win.width() + 400, win.height())  # a wider window shows more of it
    qtbot.waitUntil(lambda: len(bar.currentMessage()) > len(narrow), timeout=2000)


def test_the_restored_text_notice_shows_in_the_compact_panel_too(make_window, tmp_path):
    """Started in the compact panel (it remembers it was open last), which has no status bar."""
    from PySide6.QtCore import QSettings

    draft = tmp_path / "userdata" / safety.DRAFT_NAME
    draft.parent.mkdir(parents=True)
    draft.write_text("yesterday's words")
    QSettings(str(tmp_path / "settings0.ini"), QSettings.Format.IniFormat).setValue("window/panel", "compact")
    win = make_window()
    assert win.modes.compact and win.text.toPlainText() == "yesterday's words"
    status = win.handwriting.status
    # whole in the narrow panel (a tester read "Your text from last tim…")
    assert status.text() == "Your last text is back" and status.fontMetrics().horizontalAdvance(status.text()) <= status.width()
    assert win.text.textCursor().position() == len("yesterday's words")  # at the end, where the next commit lands


def test_a_long_restored_text_shows_its_end(make_window, tmp_path, qtbot):
    """A tester restarted with more text than fits and saw its top: the end, where the next
    commit lands, is in view once the window is shown."""
    draft = tmp_path / "userdata" / safety.DRAFT_NAME
    draft.parent.mkdir(parents=True)
    draft.write_text("\n".join(f"line {i}" for i in range(80)))
    win = make_window()
    win.show()
    qtbot.waitExposed(win)
    bar = win.text.verticalScrollBar()
    assert bar.maximum() > 0
    qtbot.waitUntil(lambda: bar.value() == bar.maximum(), timeout=2000)


def test_a_damaged_marks_file_loses_no_text(make_window, tmp_path):
    draft = tmp_path / "userdata" / safety.DRAFT_NAME
    draft.parent.mkdir(parents=True)
    draft.write_text("kept words")
    draft.with_name(draft.name + ".marks.json").write_bytes(b"\x00{not json")
    win = make_window()
    assert win.text.toPlainText() == "kept words" and win.text.doubtful_words() == []


def test_clear_text_can_be_undone(make_window, qtbot):
    """Clear text empties the text as one edit; Ctrl+Z brings it all back (the widget's own
    clear() would drop the undo history with the text)."""
    win = make_window()
    win.show()
    qtbot.waitExposed(win)
    win.text.setPlainText("a page of dictation\nand a second line")
    win.handwriting.canvas.setFocus()
    win.resize(win.minimumSizeHint().width(), win.height())  # the narrowest window still shows the hint whole
    qtbot.waitUntil(lambda: win.width() == win.minimumSizeHint().width(), timeout=2000)
    win.clear_text_button.click()
    assert win.text.toPlainText() == ""
    assert win.statusBar().currentMessage() == "Text cleared. Ctrl+Z brings it back."
    assert not win.models_label.isVisible()  # the models' names give the message their room while it shows
    qtbot.waitUntil(win.text.hasFocus, timeout=2000)  # so Ctrl+Z goes to the text, not to a stroke
    assert "Ctrl+Z brings it back" in win.statusBar().currentMessage()
    win.act_undo.trigger()  # Ctrl+Z
    assert win.text.toPlainText() == "a page of dictation\nand a second line"
    assert win.statusBar().currentMessage() == ""  # the hint is done once the text is back (it has no timeout)
    assert win.models_label.isVisible()


def test_ctrl_y_redoes_what_ctrl_z_undid_in_the_text(make_window, qtbot):
    """A tester undid two dictated pieces and pressed Ctrl+Y: nothing (the text area redoes
    with Ctrl+Shift+Z only, on Linux)."""
    from PySide6.QtGui import QKeySequence

    win = make_window()
    win.append_text("Dear Sam,")
    win.append_text("\nThanks.")
    win.text.setFocus()
    qtbot.waitUntil(win.text.hasFocus, timeout=2000)
    win.act_undo.trigger()
    win.act_undo.trigger()
    assert win.text.toPlainText() == ""
    assert QKeySequence("Ctrl+Y") in win.act_redo.shortcuts()
    win.act_redo.trigger()
    assert win.text.toPlainText() == "Dear Sam,"
    win.act_redo.trigger()
    assert win.text.toPlainText() == "Dear Sam,\nThanks."


def test_dictation_writes_the_persons_own_spellings(make_window, qtbot):
    """The speech model writes lower case: a name in the personal vocabulary ("Sam") is
    written as the person spells it when an utterance is committed."""
    from app.settings import user_words_path, write_user_words

    win = make_window()
    write_user_words(user_words_path(win.data_dir), ["Sam", "McArthur"])
    win.speech.last_final_words = [("dear", 0.9), ("sam", 0.4), ("comma", 0.9)]
    win._speech_final(1, "dear sam comma", None)
    assert win.text.toPlainText() == "Dear Sam,"
    assert win.text.doubtful_words() == ["Sam"]  # its confidence follows it


def test_quit_asks_before_discarding_ink(make_window, qtbot, monkeypatch):
    win = make_window()
    win.ask_before_close = True  # the fixture turns the question off; the app has it on
    draw_ink(win.handwriting.canvas, zigzag(1))
    asked = []

    def answer(button):
        def question(*args, **kwargs):
            asked.append(args[2])
            return button
        return question

    monkeypatch.setattr(safety, "ask", answer(QMessageBox.StandardButton.Cancel))
    win.close()
    assert win.isVisible() and not win.handwriting.canvas.is_empty()
    assert "not been committed" in asked[0]
    monkeypatch.setattr(safety, "ask", answer(QMessageBox.StandardButton.Discard))
    win.close()
    assert not win.isVisible()


def _quit_answered(make_window, standin_models, monkeypatch, button):
    """A window that asks before quitting (no pause commit), every question answered with
    `button`: the window, its handwriting panel and the (text, buttons) of each question."""
    win = make_window(handwriting_model=standin_models["handwriting"])
    win.ask_before_close = True
    win.handwriting.pause_ms = 0
    asked = []

    def question(*args, **kwargs):
        asked.append((args[2], args[3]))
        return button

    monkeypatch.setattr(safety, "ask", question)
    return win, win.handwriting, asked


def test_quit_can_save_the_ink_into_the_text_first(make_window, standin_models, tmp_path, qtbot, monkeypatch):
    """A new user with ink on the canvas pressed Ctrl+Q and was offered only Discard and Cancel.
    Save commits the best reading of the ink (waiting for it), the text is saved, and the
    window closes; ink that reads as nothing stays, and so does the window."""
    win, panel, asked = _quit_answered(make_window, standin_models, monkeypatch, QMessageBox.StandardButton.Save)
    win.show()
    draw_ink(panel.canvas, zigzag(3))
    qtbot.waitUntil(lambda: panel._result_version == panel.canvas.version, timeout=10_000)
    _reading(panel, "", "hello")  # read as nothing: Save cannot commit it
    win.close()
    assert win.isVisible() and not panel.canvas.is_empty() and win.text.toPlainText() == ""
    panel.clear()

    got = []
    panel.committed.connect(lambda text, ink: got.append((text, ink)))
    draw_ink(panel.canvas, zigzag(2))  # closed at once: the reading may not be there yet
    win.close()
    assert asked[-1][1] & QMessageBox.StandardButton.Save and "Commit and quit puts the handwriting" in asked[-1][0]
    assert not win.isVisible() and panel.canvas.is_empty()
    (text, ink), = got
    assert text and text == reference_text(standin_models["handwriting"], ink) == win.text.toPlainText()
    assert (tmp_path / "userdata" / safety.DRAFT_NAME).read_text().strip() == text


def _answer_the_box(seen: list, label: str | None) -> None:
    """When the next message box opens, note its (text, button labels, default button's label)
    in `seen` and click the button labelled `label` (None: the default button, Enter's)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    def look(tries: int) -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            if tries:
                QTimer.singleShot(20, lambda: look(tries - 1))
            return
        default = box.defaultButton()
        seen.append((box.text(), [b.text() for b in box.buttons()], default.text() if default else ""))
        # the default button is clicked, not Enter pressed: offscreen, the box never takes the
        # focus from the canvas, whose own Enter would commit
        chosen = [default] if label is None and default else [b for b in box.buttons() if b.text() == label]
        chosen[0].click() if chosen else box.reject()  # no such button: Esc, and the test's asserts say so

    QTimer.singleShot(0, lambda: look(500))


def test_the_quit_question_says_commit_and_quit_and_it_is_the_default(make_window, standin_models, qtbot):
    """A tester read the quit question's "Save" as saving to a file; it commits the ink to the
    text, then quits. Its button says so, and stays the one Enter presses."""
    win = make_window(handwriting_model=standin_models["handwriting"])
    win.ask_before_close = True
    panel = win.handwriting
    panel.pause_ms = 0
    draw_ink(panel.canvas, zigzag(2))
    qtbot.waitUntil(lambda: panel._result_version == panel.canvas.version, timeout=10_000)
    _reading(panel, "take")
    seen = []
    _answer_the_box(seen, None)
    win.close()
    (text, labels, default), = seen
    assert default == "Commit and quit" and "Save" not in labels and "Commit and quit puts the handwriting into the text" in text
    assert not win.isVisible() and win.text.toPlainText() == "take"


def test_quit_during_a_training_run_asks_first_and_cancel_keeps_it_going(make_window, standin_models, user_dirs, tmp_path, qtbot):
    """A tester's Ctrl+Q during a training run quit at once, stopping the run unasked."""
    from PySide6.QtCore import QProcess

    from recognizers.ink import write_ink_jsonl
    from tests.recognizers.inkgen import make_samples

    ink = tmp_path / "ink.jsonl"
    write_ink_jsonl(ink, make_samples(60, seed=1))
    win = make_window(handwriting_model=standin_models["handwriting"], data_dir=user_dirs)
    win.ask_before_close = True
    tp = win.show_settings(tab="Training").training  # a tiny run that goes on until stopped
    tp.set_modality("handwriting")
    tp.set_preset("tiny")
    tp.form.synth_check.setChecked(False)
    tp.form.mine_check.setChecked(False)
    tp.form.dataset_edit.setText(str(ink))
    tp.form.steps_spin.setValue(100_000)
    assert tp.start_from_form()
    qtbot.waitUntil(lambda: tp.proc.last_progress is not None, timeout=60_000)
    seen = []
    _answer_the_box(seen, "Cancel")
    win.close()
    (text, labels, default), = seen
    assert "The handwriting training run will stop" in text and "resume it the next time" in text
    assert sorted(labels) == ["Cancel", "Quit"] and default == "Cancel"
    assert win.isVisible() and tp.proc.state == "running" and tp.proc.proc.state() == QProcess.ProcessState.Running
    assert tp.proc.pause()
    _answer_the_box(seen, "Quit")
    win.close()
    assert "The paused handwriting training run will stop" in seen[1][0]
    assert not win.isVisible() and tp.proc.state == "idle"
    assert tp.proc.proc.state() == QProcess.ProcessState.NotRunning  # no process is left behind


def test_quit_offers_save_only_with_a_model_and_gives_up_on_a_reading_that_never_comes(make_window, standin_models, qtbot, monkeypatch):
    """Save needs a reading: without a model it is not offered; and a reading that never
    comes (a failed job) is given up after the wait, the ink kept and the commit called off,
    so a late reading cannot commit behind the person's back."""
    win, panel, asked = _quit_answered(make_window, standin_models, monkeypatch, QMessageBox.StandardButton.Cancel)
    draw_ink(panel.canvas, zigzag(2))
    qtbot.waitUntil(lambda: panel._result_version == panel.canvas.version, timeout=10_000)
    monkeypatch.setattr(panel, "model_ready", False)
    win.close()
    assert win.isVisible() and not asked[-1][1] & QMessageBox.StandardButton.Save
    monkeypatch.setattr(panel, "model_ready", True)
    panel._result_version = -1  # the newest ink's reading is still to come ...
    monkeypatch.setattr(panel.worker, "submit", lambda *a, **k: None)  # ... and never will
    assert not safety.commit_ink_now(win, timeout_ms=300)
    assert not panel.canvas.is_empty() and panel._commit_wanted is None and "too long" in panel.status.text()


def test_the_auto_commit_waits_while_quit_asks_about_the_ink(make_window, standin_models, tmp_path, qtbot, monkeypatch):
    """A tester wrote "cat" and pressed Ctrl+Q: behind the question the pause committed it
    (and saved it as a sample); Discard quit with "cat" in the autosaved text all the same."""
    win = make_window(handwriting_model=standin_models["handwriting"])
    win.ask_before_close = True
    win.set_save_samples(True)
    panel = win.handwriting

    def write(word: str) -> None:
        panel.pause_ms = 0
        draw_ink(panel.canvas, zigzag(2))
        qtbot.waitUntil(lambda: panel._result_version == panel.canvas.version, timeout=10_000)
        _reading(panel, word)
        panel.pause_ms = 300
        panel.pause_timer.start(panel.pause_ms)  # the pen has just been lifted

    seen = []

    def answer(button):
        def question(*args, **kwargs):
            qtbot.wait(3 * panel.pause_ms)  # the person reads the question; the event loop runs
            seen.append((len(panel.canvas.ink()), win.text.toPlainText()))
            return button
        return question

    write("cat")
    monkeypatch.setattr(safety, "ask", answer(QMessageBox.StandardButton.Cancel))
    win.close()
    assert seen == [(2, "")]  # what the question described was still so when it was answered
    qtbot.waitUntil(panel.canvas.is_empty, timeout=3000)  # staying: the pause commits it after all
    assert win.text.toPlainText() == "cat" and win.last_saved is not None
    saved = win.last_saved
    write("dog")
    monkeypatch.setattr(safety, "ask", answer(QMessageBox.StandardButton.Discard))
    win.close()
    assert not win.isVisible() and seen[1] == (2, "cat")
    assert win.text.toPlainText() == "cat" and win.last_saved == saved  # no "dog" sample either
    assert (tmp_path / "userdata" / safety.DRAFT_NAME).read_text().split() == ["cat"]


def test_quit_asks_when_the_text_cannot_be_saved(make_window, qtbot, monkeypatch):
    win = make_window()
    win.ask_before_close = True
    win.text.setPlainText("precious")

    def full(self, text, marks=None):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(safety.Draft, "save", full)
    asked = []
    monkeypatch.setattr(safety, "ask", lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Cancel)
    win.close()
    assert win.isVisible() and "No space left" in asked[0]
    monkeypatch.undo()
    win.ask_before_close = False


def test_samples_that_cannot_be_saved_are_said_until_the_person_acts(make_window, standin_models, qtbot, monkeypatch):
    """A read-only data folder with Save my samples on: "Could not save the sample" flashed in
    the status bar for a moment, and every later commit failed the same way unsaid."""
    import numpy as np

    win = make_window(handwriting_model=standin_models["handwriting"])
    win.set_save_samples(True)
    panel = win.handwriting
    panel.pause_ms = 0

    def read_only(*args, **kwargs):
        raise OSError(30, "Read-only file system")

    def commit(word: str) -> None:
        draw_ink(panel.canvas, zigzag(2))
        qtbot.waitUntil(lambda: panel._result_version == panel.canvas.version, timeout=10_000)
        _reading(panel, word)
        panel.commit()

    monkeypatch.setattr(win.store, "save_ink", read_only)
    monkeypatch.setattr(win.store, "save_utterance", read_only)
    commit("cat")
    assert win.text.toPlainText() == "cat"  # the text goes in all the same
    shown = panel.status.text()
    assert "not saved" in shown and "Read-only file system" in shown and "writable" in shown and "Save my samples" in shown
    win.copy_text()  # another message in the status bar: the notice stays
    qtbot.wait(200)
    assert panel.status.text() == shown and panel.status.isVisible()
    draw_ink(panel.canvas, zigzag(1))  # the line says "reading…" a moment, then the notice again
    qtbot.waitUntil(lambda: panel._result_version == panel.canvas.version, timeout=10_000)
    panel.clear()
    assert panel.status.text() == shown
    win._speech_final(1, "hello", np.zeros(1600, np.float32))  # a recording, the same way
    assert "recordings are not being saved" in win.speech.banner.text()
    win.set_save_samples(False)  # the person acts: the notices go
    assert panel.status.text() == "" and "not being saved" not in win.speech.banner.text()
    win.set_save_samples(True)
    commit("dog")
    assert panel.status.text() == shown
    monkeypatch.undo()  # the folder is writable again: the next sample is saved and the notice goes
    commit("cow")
    assert win.last_saved is not None and panel.status.text() == ""


def test_the_samples_notice_leaves_the_canvas_where_it_is_and_says_when_the_disk_is_full(make_window, standin_models, qtbot, monkeypatch):
    """A tester's full disk: the notice, a banner above the canvas, pushed the canvas and its
    guides 48 px down while they wrote ("good" read "od"), and told them to make the folder writable."""
    import errno

    import numpy as np
    from PySide6.QtCore import QPoint

    win = make_window(handwriting_model=standin_models["handwriting"])
    win.set_save_samples(True)
    panel = win.handwriting
    panel.pause_ms = 0

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(win.store, "save_ink", full)
    monkeypatch.setattr(win.store, "save_utterance", full)
    qtbot.wait(100)  # the window laid out
    where = panel.canvas.mapTo(win, QPoint(0, 0)), panel.canvas.height(), panel.canvas.guide_ys()
    draw_ink(panel.canvas, zigzag(2))
    qtbot.waitUntil(lambda: panel._result_version == panel.canvas.version, timeout=10_000)
    _reading(panel, "good")
    panel.commit()
    qtbot.wait(100)  # a banner would have been laid out by now
    assert (panel.canvas.mapTo(win, QPoint(0, 0)), panel.canvas.height(), panel.canvas.guide_ys()) == where
    shown = panel.status.text()
    assert "the disk is full" in shown and "Free some space" in shown and "Save my samples" in shown
    assert "writable" not in shown and panel.status.isVisible() and panel.banner.isHidden()
    win._speech_final(1, "hello", np.zeros(1600, np.float32))
    assert "the disk is full" in win.speech.banner.text() and "writable" not in win.speech.banner.text()


def test_damaged_files_are_reported_at_start(make_window, tmp_path, qtbot):
    models = tmp_path / "userdata" / "models"
    models.mkdir(parents=True)
    (models / "registry.json").write_text(json.dumps({"format": "scrivox-models-1", "models": {"handwriting": []}}))
    win = make_window(wait_models=False, load_models=False)
    win.registry  # the settings panel and start-up read it
    qtbot.waitUntil(lambda: bool(win.notices_shown), timeout=safety.NOTICE_POLL_MS * 3)
    assert "model list" in win.notices_shown[0]
    assert win._notice_box.isVisible()


def test_a_saved_gpu_that_is_gone_falls_back_to_the_cpu(standin_models, qtbot):
    import torch

    from app.workers import RecognizerWorker

    if torch.cuda.device_count() > 3:
        pytest.skip("this machine has a cuda:3")
    w = RecognizerWorker("handwriting", "cuda:3")
    try:
        with qtbot.waitSignal(w.loaded, timeout=30_000) as blocker:
            w.load(str(standin_models["handwriting"]))
        _modality, description, device, _path = blocker.args
        assert device == "cpu" and "cuda:3 is not available here; using the CPU" in description
    finally:
        w.shutdown()


def test_file_dialogs_open_at_home_then_where_the_person_last_was(make_window, tmp_path, monkeypatch):
    """Not in the folder the app was started from (a checkout, /usr/bin...)."""
    from pathlib import Path

    from PySide6.QtWidgets import QFileDialog

    from app import widgets

    monkeypatch.setattr(widgets, "_last_dir", None)
    win = make_window()
    asked = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda parent, title, start, filt: (asked.append(start), (str(tmp_path / "notes.txt"), ""))[1])
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda parent, title, start, filt: (asked.append(start), ("", ""))[1])
    win.text.setPlainText("kept")
    win.save_text()
    assert asked[0] == str(Path.home() / "scrivox.txt")
    assert (tmp_path / "notes.txt").read_text() == "kept\n"
    win.speech.choose_file()  # cancelled
    assert asked[1] == str(tmp_path)


def test_the_speech_model_loads_before_the_handwriting_model(make_window, standin_models, qtbot):
    """The speech encoder's first reading peaks about 100 MB above where it settles; loaded
    first, that peak comes while little else is resident (with handwriting first it was the
    app's peak). The window asks for speech first, and a handwriting load waits while a
    speech load is asked for, whichever worker thread gets going first."""
    from app import workers

    order: list[str] = []
    with workers._load_lock:  # both loads asked for, neither can run yet
        win = make_window(handwriting_model=standin_models["handwriting"], speech_model=standin_models["speech"], wait_models=False)
        win.hw_worker.loaded.connect(lambda m, *_: order.append(m))
        win.sp_worker.loaded.connect(lambda m, *_: order.append(m))
    qtbot.waitUntil(lambda: len(order) == 2, timeout=30_000)
    assert order == ["speech", "handwriting"]
    # a handwriting model asked for alone does not wait for anything
    win.load_model("handwriting", str(standin_models["handwriting"]))
    qtbot.waitUntil(lambda: len(order) == 3, timeout=30_000)


def test_ctrl_z_on_the_empty_canvas_undoes_the_commit_in_the_text(make_window, standin_models, qtbot):
    """A tester committed a word and pressed Ctrl+Z: nothing happened, since the focus was still
    on the emptied canvas, where Ctrl+Z undoes a stroke. Now Ctrl+Z there undoes the text's last
    change (the commit) and the status bar says so; with ink on the canvas it undoes a stroke."""
    from .test_handwriting import zigzag

    win = make_window(handwriting_model=standin_models["handwriting"])
    panel, canvas = win.handwriting, win.handwriting.canvas
    win.set_pause_ms(0)
    win.append_text("Dear Sam,")
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=5000)
    draw_ink(canvas, zigzag(2))
    canvas.setFocus()
    with qtbot.waitSignal(panel.committed, timeout=10_000) as done:
        qtbot.keyClick(canvas, Qt.Key.Key_Return)
    word = done.args[0]
    assert win.text.toPlainText() == f"Dear Sam, {word}" and canvas.is_empty() and canvas.hasFocus()

    qtbot.keyClick(canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert win.text.toPlainText() == "Dear Sam,"
    assert win.statusBar().full_message == f"Undid “{word}” at the end of the text. Ctrl+Y puts it back."

    draw_ink(canvas, zigzag(3))  # with ink on the canvas, Ctrl+Z undoes a stroke and leaves the text alone
    qtbot.keyClick(canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert canvas.stroke_count() == 2 and win.text.toPlainText() == "Dear Sam,"
