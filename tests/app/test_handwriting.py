"""The handwriting canvas and panel, driven by mouse events like a person's."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEvent, Qt
from PySide6.QtTest import QTest

from app.replay import draw_ink, draw_stroke
from app.transcript_edit import DOUBT_BELOW
from .helpers import FIXTURES
from recognizers.ink import read_ink_samples


def zigzag(n: int = 3, x0: float = 0.0) -> list[np.ndarray]:
    """n strokes of a small zigzag, left to right (ink for the plumbing tests)."""
    out = []
    for k in range(n):
        x = x0 + k * 60 + np.linspace(0, 40, 12)
        y = 100 + 30 * np.sin(np.linspace(0, 3 * np.pi, 12)) + k * 3
        t = 1000 * k + np.arange(12) * 15.0
        out.append(np.stack([x, y, t], axis=1).astype(np.float32))
    return out


def reference_text(model_path, ink) -> str:
    """What the model reads, decoded as the app decodes by default."""
    from app.settings import DEFAULT_DECODER
    from recognizers.recognizer import Recognizer

    return Recognizer.load(model_path, device="cpu", decoder=DEFAULT_DECODER).recognize(ink).text


def test_mouse_strokes_become_ink(make_window, qtbot):
    win = make_window()  # no models at all: drawing still works
    canvas = win.handwriting.canvas
    sent = draw_ink(canvas, zigzag(2))
    ink = canvas.ink()
    assert len(ink) == 2
    for got, want in zip(ink, sent):
        np.testing.assert_allclose(got[:, :2], want[:, :2])  # every point, in widget pixels
        assert np.all(np.diff(got[:, 2]) >= 0)  # time runs forward
    assert ink[1][0, 2] >= ink[0][-1, 2]
    assert canvas.undo() and len(canvas.ink()) == 1
    QTest.keyClick(canvas, Qt.Key.Key_Escape)
    assert canvas.is_empty()


def test_known_word_from_the_shipped_model(make_window, shipped_handwriting_model, qtbot):
    """A real word by a writer the model never saw, drawn with the mouse, read right."""
    (sample,) = read_ink_samples(FIXTURES / "word.json")
    win = make_window(handwriting_model=shipped_handwriting_model)
    assert win.model_status["handwriting"] not in ("none", "loading…")
    panel = win.handwriting
    readings: list[str] = []
    panel.transcriptionChanged.connect(lambda text, cands: readings.append(text))
    canvas = panel.canvas

    def read_so_far(i: int) -> None:  # the reading updates after every stroke
        qtbot.waitUntil(lambda: panel._result_version == canvas.version, timeout=10_000)

    draw_ink(canvas, sample.strokes, between_strokes=read_so_far)
    assert len(canvas.ink()) == len(sample.strokes)
    assert len(readings) == len(sample.strokes)
    assert readings[-1] == sample.label, readings
    assert panel.candidates.texts()[0] == sample.label
    assert panel.last_latency_ms is not None
    assert "ms" in win.time_label.text()
    canvas.setFocus()
    QTest.keyClick(canvas, Qt.Key.Key_Return)  # commit with Enter
    assert win.text.toPlainText() == sample.label
    assert canvas.is_empty() and panel.candidates.texts() == []


def test_after_clicking_undo_enter_still_commits(make_window, shipped_handwriting_model, qtbot):
    """A click on Undo stroke used to leave the keyboard focus on the button, so Enter, which
    commits from the canvas, did nothing."""
    (sample,) = read_ink_samples(FIXTURES / "word.json")
    win = make_window(handwriting_model=shipped_handwriting_model)
    win.set_pause_ms(0)
    win.show()
    qtbot.waitExposed(win)
    panel, canvas = win.handwriting, win.handwriting.canvas
    draw_ink(canvas, sample.strokes + [sample.strokes[-1] + np.array([0, 40, 0], np.float32)])  # a stray stroke
    QTest.mouseClick(panel.undo_button, Qt.MouseButton.LeftButton)
    assert len(canvas.ink()) == len(sample.strokes)
    qtbot.waitUntil(canvas.hasFocus, timeout=2000)
    qtbot.waitUntil(lambda: panel._result_version == canvas.version, timeout=10_000)
    QTest.keyClick(canvas, Qt.Key.Key_Return)
    assert win.text.toPlainText() == sample.label


def test_newest_ink_wins_while_the_recognizer_is_busy(make_window, standin_models, qtbot):
    win = make_window(handwriting_model=standin_models["handwriting"])
    panel, canvas, worker = win.handwriting, win.handwriting.canvas, win.hw_worker
    gate = threading.Event()
    real = worker.recognizer.recognize
    threads: set[int] = set()

    def slow(ink, **options):
        threads.add(threading.get_ident())
        gate.wait(5)  # hold the worker busy while more strokes arrive
        return real(ink, **options)

    worker.recognizer.recognize = slow
    ran_before, dropped_before = worker.ran, worker.dropped
    for s in zigzag(6):
        draw_stroke(canvas, s)
    assert worker.pending() <= 1  # five waiting requests became one
    gate.set()
    qtbot.waitUntil(lambda: panel._result_version == canvas.version, timeout=10_000)
    ran, dropped = worker.ran - ran_before, worker.dropped - dropped_before
    assert ran + dropped == 6
    assert ran <= 2  # perhaps the first stroke's ink (if the worker got it at once), then only the newest
    assert threading.get_ident() not in threads  # never on the GUI thread
    assert panel.candidates.texts()[0] == reference_text(standin_models["handwriting"], canvas.ink())


def test_commit_by_button_candidate_and_pause(make_window, standin_models, qtbot):
    win = make_window(handwriting_model=standin_models["handwriting"])
    panel, canvas = win.handwriting, win.handwriting.canvas
    win.set_pause_ms(0)
    draw_ink(canvas, zigzag(2))
    with qtbot.waitSignal(panel.committed, timeout=10_000) as blocker:
        panel.commit_button.click()
    first = blocker.args[0]
    assert first == reference_text(standin_models["handwriting"], blocker.args[1])
    assert win.text.toPlainText() == first and canvas.is_empty()

    draw_ink(canvas, zigzag(3))
    qtbot.waitUntil(lambda: len(panel.candidates.texts()) >= 2, timeout=10_000)
    second_best = panel.candidates.texts()[1]
    panel.candidates.buttons[1].click()
    assert win.text.toPlainText() == f"{first} {second_best}"

    win.set_pause_ms(300)
    assert win.settings.value("pause_ms") in (300, "300")
    draw_ink(canvas, zigzag(1))
    with qtbot.waitSignal(panel.committed, timeout=5_000) as third:
        pass  # nobody pressed anything: the pause committed it
    assert canvas.is_empty()
    assert third.args[0] == reference_text(standin_models["handwriting"], third.args[1])
    assert win.text.toPlainText() == f"{first} {second_best} {third.args[0]}"


def test_the_pause_commits_after_an_undo_and_waits_while_the_pointer_is_on_the_candidates(make_window, standin_models, qtbot):
    """A new user pressed Ctrl+Z once and the ink stayed on the canvas for good: the pause
    commits what is left. And with the pointer resting on the candidates (reading them to pick
    one) the pause waits, then commits a pause after the pointer has left."""
    from PySide6.QtGui import QCursor

    win = make_window(handwriting_model=standin_models["handwriting"])
    panel, canvas = win.handwriting, win.handwriting.canvas
    win.set_pause_ms(300)
    QCursor.setPos(win.mapToGlobal(win.rect().bottomRight()) + win.rect().bottomRight())  # away from the window
    draw_ink(canvas, zigzag(3))
    panel.undo()  # Ctrl+Z at once, before the pause
    assert canvas.stroke_count() == 2
    with qtbot.waitSignal(panel.committed, timeout=5_000) as done:
        pass  # nobody pressed anything: the pause committed what the undo left
    assert len(done.args[1]) == 2 and canvas.is_empty()

    draw_ink(canvas, zigzag(2))
    qtbot.waitUntil(lambda: bool(panel.candidates.texts()), timeout=10_000)
    bar = panel.candidates
    QCursor.setPos(bar.mapToGlobal(bar.buttons[0].geometry().center()))
    assert panel._choosing()
    qtbot.wait(1200)  # four pauses
    assert canvas.stroke_count() == 2  # still on the canvas: not committed
    committed_before = win.text.toPlainText()
    QCursor.setPos(win.mapToGlobal(win.rect().bottomRight()) + win.rect().bottomRight())
    with qtbot.waitSignal(panel.committed, timeout=5_000):
        pass  # the pointer left: the pause commits
    assert canvas.is_empty() and win.text.toPlainText() != committed_before


def test_the_pause_waits_while_the_keyboard_focus_is_on_a_candidate(make_window, standin_models, qtbot):
    """A tester wrote a word and pressed Tab to reach the second candidate: the pause committed
    the best reading from under the focus. Now focus on a candidate holds the pause; Enter (or
    Space) commits the focused one, and focus leaving the candidates starts a full pause."""
    import time

    from PySide6.QtGui import QCursor

    win = make_window(handwriting_model=standin_models["handwriting"])
    panel, canvas, bar = win.handwriting, win.handwriting.canvas, win.handwriting.candidates
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=5000)  # the keyboard focus is the active window's
    win.set_pause_ms(300)
    QCursor.setPos(win.mapToGlobal(win.rect().bottomRight()) + win.rect().bottomRight())  # the pointer is away
    draw_ink(canvas, zigzag(3))
    qtbot.waitUntil(lambda: len(bar.texts()) >= 2, timeout=10_000)
    bar.buttons[1].setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.wait(1200)  # four pauses
    assert canvas.stroke_count() == 3 and win.text.toPlainText() == ""  # still there: not committed
    second = bar.texts()[1]
    with qtbot.waitSignal(panel.committed, timeout=5_000) as chosen:
        qtbot.keyClick(bar.buttons[1], Qt.Key.Key_Return)
    assert chosen.args[0] == second and win.text.toPlainText() == second
    assert canvas.hasFocus()  # writing goes on where it was

    draw_ink(canvas, zigzag(2))
    qtbot.waitUntil(lambda: bool(bar.texts()), timeout=10_000)
    bar.buttons[0].setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.wait(600)
    assert canvas.stroke_count() == 2
    left = time.monotonic()
    canvas.setFocus(Qt.FocusReason.BacktabFocusReason)  # the focus leaves the candidates
    with qtbot.waitSignal(panel.committed, timeout=5_000):
        pass
    assert time.monotonic() - left >= 0.28  # a full pause from leaving, not what was left of one


def test_undo_rereads_the_ink(make_window, standin_models, qtbot):
    win = make_window(handwriting_model=standin_models["handwriting"])
    win.set_pause_ms(0)
    panel, canvas = win.handwriting, win.handwriting.canvas
    draw_ink(canvas, zigzag(3))
    qtbot.waitUntil(lambda: panel._result_version == canvas.version, timeout=10_000)
    with qtbot.waitSignal(panel.transcriptionChanged, timeout=10_000) as blocker:
        win.act_undo.trigger()  # Ctrl+Z
    assert canvas.stroke_count() == 2
    assert blocker.args[0] == reference_text(standin_models["handwriting"], canvas.ink())
    panel.clear_button.click()
    assert canvas.is_empty() and panel.candidates.texts() == []
    assert not panel.commit_button.isEnabled()


def test_saving_a_sample_writes_a_readable_file(make_window, standin_models, qtbot):
    win = make_window(handwriting_model=standin_models["handwriting"])
    win.set_pause_ms(0)
    assert not win.save_samples  # opt-in
    win.set_save_samples(True)
    canvas = win.handwriting.canvas
    sent = draw_ink(canvas, zigzag(3))
    with qtbot.waitSignal(win.handwriting.committed, timeout=10_000) as blocker:
        win.act_commit.trigger()  # Ctrl+Enter
    # the best reading carries its per-word confidence into the text area
    words = win.handwriting.last_commit_words
    assert [w for w, _ in words] == blocker.args[0].split()
    assert all(0.0 <= c <= 1.0 for _, c in words)
    assert win.text.doubtful_words() == [w for w, c in words if c < DOUBT_BELOW]
    path = win.store.ink_path
    assert path.exists() and path.name == "samples.jsonl"
    (sample,) = list(read_ink_samples(path))
    assert sample.label == blocker.args[0] != ""
    assert sample.writer == "user" and sample.source == "scrivox-app"
    assert len(sample.strokes) == 3
    for got, want in zip(sample.strokes, sent):
        np.testing.assert_allclose(got[:, :2], want[:, :2])
    assert sample.strokes[0][0, 2] == 0.0  # time counts from the first point
    assert json.loads(path.read_text().splitlines()[0])["label"] == sample.label


def test_loading_is_said_in_place_and_nothing_moves_when_the_models_arrive(make_window, standin_models, qtbot):
    """While the models load, the canvas and the speech panel's live line say so; no banner
    opens above the canvas (it moved the canvas 33 px down and back up when it closed)."""
    from app import workers

    with workers._load_lock:  # the models cannot load until the window has been looked at
        win = make_window(handwriting_model=standin_models["handwriting"], speech_model=standin_models["speech"], wait_models=False)
        panel = win.handwriting
        assert not win.models_settled
        assert panel.banner.isHidden() and "Loading" not in win.speech.banner.text()  # (it says there is no microphone)
        assert "loading" in panel.canvas.placeholder and "loading" in panel.status.text()
        assert win.speech.live_label.text() == "Loading the speech model…"
        top = panel.scroll.mapTo(win, panel.scroll.rect().topLeft()).y()
    qtbot.waitUntil(lambda: win.models_settled, timeout=30_000)
    assert panel.canvas.placeholder == "Write here" and "loading" not in panel.status.text()
    assert "Loading" not in win.speech.live_label.text()
    assert panel.scroll.mapTo(win, panel.scroll.rect().topLeft()).y() == top
    win.load_model("handwriting", str(standin_models["handwriting"]))  # another model replacing a working one:
    assert panel.model_ready and panel.canvas.placeholder == "Write here"  # writing and committing go on meanwhile


def test_ink_written_while_the_model_loads_is_committed_after_the_pause(make_window, standin_models, qtbot):
    """A tester wrote HELLO at start-up: it was read once the model came, but the pause never
    committed it (the pause timer starts at pen-up only when a model is there)."""
    from app import workers

    with workers._load_lock:  # start-up, the model not there yet
        win = make_window(handwriting_model=standin_models["handwriting"], wait_models=False)
        panel = win.handwriting
        panel.pause_ms = 300
        draw_ink(panel.canvas, zigzag(2))
        assert not panel.model_ready and not panel.pause_timer.isActive()
    qtbot.waitUntil(lambda: panel.model_ready, timeout=30_000)
    assert panel.pause_timer.isActive() or panel.canvas.is_empty()
    qtbot.waitUntil(panel.canvas.is_empty, timeout=10_000)  # read, then committed
    assert win.text.toPlainText()


def test_broken_model_shows_a_message_and_the_rest_works(make_window, standin_models, tmp_path, qtbot):
    broken = tmp_path / "handwriting.pt"
    broken.write_bytes(b"\x80\x02 this is not a model" * 10)
    win = make_window(handwriting_model=broken, speech_model=standin_models["speech"])
    banner = win.handwriting.banner
    assert not banner.isHidden()
    assert "No handwriting model" in banner.text() and "could not be loaded" in banner.text()
    assert str(broken) in banner.text()
    assert win.model_status["handwriting"] == "none"
    assert "Handwriting: none" in win.models_label.text()
    # drawing still works, there is just nothing to commit
    draw_ink(win.handwriting.canvas, zigzag(2))
    assert win.handwriting.canvas.stroke_count() == 2
    assert not win.handwriting.commit_button.isEnabled()
    # the speech side is unaffected
    assert win.speech.banner.text() == "" or "No speech model" not in win.speech.banner.text()
    assert win.speech.model_ready and win.speech.file_button.isEnabled()


def test_missing_model_says_how_to_get_one(make_window, tmp_path):
    win = make_window()
    text = win.handwriting.banner.text()
    assert "no model file at" in text and "python -m recognizers train handwriting" in text
    assert "No speech model" in win.speech.banner.text()


def test_wrong_kind_of_model_is_refused(make_window, standin_models):
    win = make_window(handwriting_model=standin_models["speech"])
    assert "is a speech model, not a handwriting model" in win.handwriting.banner.text()


def test_a_wrong_model_file_is_refused_and_the_working_model_stays(make_window, standin_models, tmp_path, qtbot):
    """A tester loaded 4 KB of random bytes over the working model: the banner said "No
    handwriting model" and handwriting stopped until File ▸ Use the shipped models."""
    junk = tmp_path / "junk.pt"
    junk.write_bytes(np.random.default_rng(0).bytes(4096))
    win = make_window(handwriting_model=standin_models["handwriting"], speech_model=standin_models["speech"])
    for modality, panel in (("handwriting", win.handwriting), ("speech", win.speech)):
        before = win.model_status[modality]
        win.load_model(modality, str(junk))
        qtbot.waitUntil(lambda: "could not be loaded" in panel.banner.text(), timeout=30_000)
        assert str(junk) in panel.banner.text() and f"Still using {before}" in panel.banner.text()
        assert f"No {modality} model" not in panel.banner.text() and panel.banner.level == "warning"
        assert panel.model_ready and win.model_status[modality] == before
        assert f"{modality.capitalize()}: {before}" in win.models_label.text()
        assert win.model_paths[modality] == str(standin_models[modality])
    assert win.speech.file_button.isEnabled()
    # handwriting is still read by the model that stayed
    draw_ink(win.handwriting.canvas, zigzag(2))
    qtbot.waitUntil(lambda: win.handwriting._result_version == win.handwriting.canvas.version, timeout=10_000)
    assert win.handwriting.commit_button.isEnabled() and "failed" not in win.handwriting.banner.text()
    # a model that loads ends the warning
    win.load_model("handwriting", str(standin_models["handwriting"]))
    qtbot.waitUntil(lambda: win.handwriting.banner.isHidden(), timeout=30_000)


def test_a_broken_saved_model_falls_back_to_the_shipped_one_at_start(standin_models, shipped_handwriting_model, tmp_path, qtbot):
    """The model chosen in Settings ▸ Models is damaged: start-up loads the shipped one and
    says why, rather than leaving handwriting without a model."""
    import gc

    from PySide6.QtCore import QSettings

    from app.audio_input import FakeBackend
    from app.main_window import MainWindow
    from recognizers.workspace.registry import ModelRegistry

    data = tmp_path / "userdata"
    reg = ModelRegistry(data / "models")
    mine = reg.add_model("handwriting", standin_models["handwriting"], "imported", name="my hand")
    reg.activate("handwriting", mine.id)
    Path(mine.path).write_bytes(b"\0" * 4096)  # damaged on disk since
    win = MainWindow(None, str(standin_models["speech"]), device="cpu", audio_backend=FakeBackend({}),
                     settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat),
                     samples_dir=tmp_path / "samples", data_dir=data)
    win.ask_before_close = False
    qtbot.addWidget(win)
    try:
        qtbot.waitUntil(lambda: win.models_settled, timeout=60_000)
        banner = win.handwriting.banner.text()
        assert win.handwriting.model_ready and win.model_paths["handwriting"] is None  # the shipped one
        assert "Your handwriting model could not be loaded" in banner and mine.path in banner
        assert "Using the shipped model" in banner and "No handwriting model" not in banner
        assert "Handwriting: none" not in win.models_label.text()
    finally:
        win.shutdown()
        gc.collect()
        gc.enable()


def test_loading_a_model_later_clears_the_message(make_window, standin_models, qtbot):
    win = make_window()
    assert not win.handwriting.banner.isHidden()
    win.load_model("handwriting", str(standin_models["handwriting"]))
    qtbot.waitUntil(lambda: win.handwriting.model_ready, timeout=10_000)
    assert win.handwriting.banner.isHidden()
    assert "stand-in handwriting (cpu)" in win.models_label.text()
    assert win.device_label.text() == "Device: CPU"


def test_text_copy_and_save(make_window, tmp_path, qtbot):
    from PySide6.QtWidgets import QApplication

    win = make_window()
    win.append_text("hello")
    win.append_text("world ")
    assert win.text.toPlainText() == "hello world"
    win.copy_button.click()
    assert QApplication.clipboard().text() == "hello world"
    out = tmp_path / "out.txt"
    win.save_text(str(out))
    assert out.read_text() == "hello world\n"


def test_push_to_talk_key_is_ignored_without_a_microphone(make_window, qtbot):
    win = make_window()
    QTest.keyPress(win.handwriting.canvas, Qt.Key.Key_F8)
    QTest.keyRelease(win.handwriting.canvas, Qt.Key.Key_F8)
    assert not win.speech.listening


def test_pen_pressure_is_recorded(make_window, qtbot):
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QInputDevice, QPointingDevice, QTabletEvent
    from PySide6.QtWidgets import QApplication

    win = make_window()
    canvas = win.handwriting.canvas
    pen = QPointingDevice(
        "test pen", 7, QInputDevice.DeviceType.Stylus, QPointingDevice.PointerType.Pen,
        QInputDevice.Capability.Position | QInputDevice.Capability.Pressure, 1, 3,
    )
    points = [(50, 80, 0.2), (60, 85, 0.5), (75, 90, 0.9), (90, 88, 0.0)]  # a pen lifts with no pressure
    kinds = [QEvent.Type.TabletPress] + [QEvent.Type.TabletMove] * (len(points) - 2) + [QEvent.Type.TabletRelease]
    for kind, (x, y, p) in zip(kinds, points):
        pos = QPointF(x, y)
        buttons = Qt.MouseButton.NoButton if kind == QEvent.Type.TabletRelease else Qt.MouseButton.LeftButton
        ev = QTabletEvent(kind, pen, pos, QPointF(canvas.mapToGlobal(pos)), p, 0.0, 0.0, 0.0, 0.0, 0.0, Qt.KeyboardModifier.NoModifier, Qt.MouseButton.LeftButton, buttons)
        QApplication.sendEvent(canvas, ev)
        assert ev.isAccepted()
    (stroke,) = canvas.strokes()
    assert [round(pt[3], 2) for pt in stroke] == [0.2, 0.5, 0.9, 0.9]  # the lift keeps the last pressure
    assert [(pt[0], pt[1]) for pt in stroke] == [(x, y) for x, y, _ in points]
    img = canvas.grab().toImage()
    ink, paper = img.pixelColor(75, 90), img.pixelColor(300, 90)  # clear of the ink and the guide lines
    assert ink.blue() > ink.red() + 40 and paper.red() > 240  # drawn in ink where the pen went


def test_field_hint_restricts_the_reading(qtbot, tmp_path):
    """With the field set to digits, the reading holds digits only (the hint reaches the recognizer)."""
    import numpy as np

    from app.handwriting_panel import FIELDS
    from app.workers import Job, RecognizerWorker
    from recognizers.recognizer import default_model_path

    if not default_model_path("handwriting").exists():
        import pytest

        pytest.skip("no shipped handwriting model")
    worker = RecognizerWorker("handwriting", "cpu")
    try:
        with qtbot.waitSignal(worker.loaded, timeout=30000):
            worker.load(str(default_model_path("handwriting")))
        # a tall narrow loop: read as a letter o/O without a hint
        t = np.linspace(0, 2 * np.pi, 40)
        ink = [np.stack([50 + 20 * np.cos(t), 50 + 30 * np.sin(t), t * 100], 1).astype(np.float32)]
        results = {}
        for label, charset in FIELDS:
            if charset in (None, "digits"):
                with qtbot.waitSignal(worker.done, timeout=30000) as blocker:
                    worker.submit(Job("recognize", ink, channel="ink", charset=charset))
                results[charset] = blocker.args[0].result.text
        assert results["digits"] and all(c.isdigit() for c in results["digits"])
        assert results[None] != results["digits"] or results[None].isdigit()
    finally:
        worker.shutdown()


def test_a_lone_click_is_not_committed_by_the_pause(make_window, standin_models, qtbot):
    """A click on the canvas (to focus it) leaves a dot; the pause must not type it into the
    text. Writing on commits the dot with the rest, as one reading."""
    win = make_window(handwriting_model=standin_models["handwriting"])
    panel, canvas = win.handwriting, win.handwriting.canvas
    win.set_pause_ms(200)
    QTest.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=canvas.rect().center())
    assert canvas.stroke_count() == 1 and canvas.is_lone_dot()
    with qtbot.assertNotEmitted(panel.committed, wait=800):
        pass
    assert win.text.toPlainText() == "" and not canvas.is_empty()

    draw_ink(canvas, zigzag(2, x0=20))
    assert not canvas.is_lone_dot()
    with qtbot.waitSignal(panel.committed, timeout=5_000) as done:
        pass  # the pause commits the dot and the writing together
    assert canvas.is_empty() and win.text.toPlainText() == done.args[0]

    # the compact panel takes no focus, so no click is needed there: a dot is a period
    win.modes.act_compact.setChecked(True)
    assert panel.commit_lone_dots
    QTest.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=canvas.rect().center())
    assert canvas.is_lone_dot()
    with qtbot.waitSignal(panel.committed, timeout=5_000):
        pass
    win.modes.act_compact.setChecked(False)
    assert not panel.commit_lone_dots


def test_writing_over_a_selected_word_replaces_it_and_corrects_its_sample(make_window, standin_models, qtbot):
    """Two testers selected a misread word ("20Q") and wrote it again: the new reading went to
    the end and the wrong word stayed. A commit now goes over the selection, in one undo step,
    says so, and the saved sample the word belongs to follows, as it follows typing."""
    from PySide6.QtGui import QTextCursor

    win = make_window(handwriting_model=standin_models["handwriting"])
    win.set_pause_ms(0)
    win.set_save_samples(True)
    read = []
    for n in (3, 2, 4):
        draw_ink(win.handwriting.canvas, zigzag(n))
        with qtbot.waitSignal(win.handwriting.committed, timeout=10_000) as blocker:
            win.act_commit.trigger()
        read.append(blocker.args[0])
    assert all(read) and win.text.toPlainText() == " ".join(read)
    c = win.text.textCursor()
    c.setPosition(len(read[0]) + 1)
    c.setPosition(len(read[0]) + 1 + len(read[1]), QTextCursor.MoveMode.KeepAnchor)
    win.text.setTextCursor(c)
    draw_ink(win.handwriting.canvas, zigzag(6))
    with qtbot.waitSignal(win.handwriting.committed, timeout=10_000) as blocker:
        win.act_commit.trigger()
    new = blocker.args[0]
    assert new and new != read[1]
    assert win.text.toPlainText() == f"{read[0]} {new} {read[2]}"
    assert f"over “{read[1]}”" in win.statusBar().currentMessage()
    win.sample_labels.apply()
    assert [s.label for s in read_ink_samples(win.store.ink_path)] == [read[0], new, read[2], new]
    win.text.undo()  # one step puts the word back
    assert win.text.toPlainText() == " ".join(read)


def test_a_reading_corrected_in_the_text_corrects_its_saved_sample(make_window, standin_models, qtbot):
    """A tester's "qjx" was read "9jx" and saved with that label; correcting the word in the
    text left the sample teaching "9jx". Now a correction reaches the sample; an edit that is
    not one (a selection across two commits, a "." written after a word, a word typed in
    front, Clear text) leaves the samples as they were."""
    from PySide6.QtGui import QTextCursor
    from PySide6.QtTest import QTest

    win = make_window(handwriting_model=standin_models["handwriting"])
    win.set_pause_ms(0)
    win.set_save_samples(True)
    read = []
    for n in (3, 2, 4, 3, 2):
        draw_ink(win.handwriting.canvas, zigzag(n))
        with qtbot.waitSignal(win.handwriting.committed, timeout=10_000) as blocker:
            win.act_commit.trigger()
        read.append(blocker.args[0])
    assert all(read) and win.text.toPlainText() == " ".join(read)
    labels = lambda: [s.label for s in read_ink_samples(win.store.ink_path)]  # noqa: E731

    def select(start: int, end: int) -> None:
        c = win.text.textCursor()
        c.setPosition(start)
        c.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        win.text.setTextCursor(c)

    at = [sum(len(r) + 1 for r in read[:k]) for k in range(len(read))]  # where each commit starts
    select(at[1], at[1] + len(read[1]))
    QTest.keyClicks(win.text, "qjx")  # the second retyped
    win.append_text(".")  # a period written on its own joins the word before it in the text only
    assert win.text.toPlainText().endswith(read[4] + ".")
    select(at[1] + 3, at[1] + 3)  # the end of "qjx": a letter typed against it
    QTest.keyClicks(win.text, "z")
    shift = 4 - len(read[1])
    select(at[3] + shift, at[4] + shift + len(read[4]))  # the fourth and fifth, selected together
    QTest.keyClicks(win.text, "gone")
    win.sample_labels.apply()  # (it also runs a moment after the last edit, and on closing)
    assert labels() == [read[0], "qjxz", read[2], read[3], read[4]]
    assert "now reads “qjxz”" in win.statusBar().currentMessage()  # the person is told
    # a word typed in front of the first, with a pause before its space (a tester's "at" in
    # front of "tin" became the label "attin"): not a correction, so its label stays
    c = win.text.textCursor()
    c.setPosition(0)
    win.text.setTextCursor(c)
    QTest.keyClicks(win.text, "big")
    assert win.sample_labels.apply() == 0 and labels()[0] == read[0]
    QTest.keyClicks(win.text, " ")
    assert win.sample_labels.apply() == 0 and labels()[0] == read[0]
    # nor letters typed against the end of a commit no one corrected
    assert win.text.toPlainText().startswith(f"big {read[0]} qjxz {read[2]} ")
    third_end = len(f"big {read[0]} qjxz {read[2]}")
    select(third_end, third_end)
    QTest.keyClicks(win.text, "ed")
    assert win.sample_labels.apply() == 0 and labels()[2] == read[2]
    # Clear text: nothing more is followed, nothing rewritten; a new commit is followed again
    win.clear_text()
    assert win.sample_labels.spans == [] and labels() == [read[0], "qjxz", read[2], read[3], read[4]]
    draw_ink(win.handwriting.canvas, zigzag(3))
    with qtbot.waitSignal(win.handwriting.committed, timeout=10_000) as blocker:
        win.act_commit.trigger()
    select(0, len(blocker.args[0]))
    QTest.keyClicks(win.text, "fixed")
    assert win.sample_labels.apply() == 1 and labels()[-1] == "fixed"
