"""The Send-to-window mode, the compact input panel and the remembered window state, in the
main window (offscreen Qt; a stand-in typer records what would be typed: the real typing
backend is tested against an X server in test_send_keys.py)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from app.send_keys import Choice

EDITOR, OTHER = 0x4200001, 0x5100001


class FakeTyper:
    name = "fake"
    can_track_focus = True

    def __init__(self, active: int | None = EDITOR) -> None:
        self.active = active
        self.typed: list[tuple[int | None, str]] = []
        self.activated: list[int] = []
        self.names = {EDITOR: "notes.txt - Editor", OTHER: "Terminal"}
        self.pids: dict[int, int] = {EDITOR: 4242, OTHER: 4343}

    def type_text(self, text: str) -> None:
        self.typed.append((self.active, text))

    def active_window(self):
        return self.active

    def activate(self, window: int, timeout: float = 1.0) -> bool:
        self.activated.append(window)
        self.active = window
        return True

    def window_name(self, window: int) -> str:
        return self.names.get(window, "")

    def window_pid(self, window: int) -> int | None:
        return self.pids.get(window)

    def close(self) -> None:
        pass


@pytest.fixture
def window(qtbot, tmp_path):
    """A MainWindow (no models) with its own settings file; `build()` makes another on the same file."""
    from app.audio_input import FakeBackend
    from app.main_window import MainWindow

    made = []
    ini = tmp_path / "settings.ini"

    def build(show: bool = True):
        settings = QSettings(str(ini), QSettings.Format.IniFormat)
        win = MainWindow(str(tmp_path / "absent-hw.pt"), str(tmp_path / "absent-sp.pt"), device="cpu",
                         audio_backend=FakeBackend({}), settings=settings, samples_dir=tmp_path / "samples",
                         load_models=False, data_dir=tmp_path / "data")
        qtbot.addWidget(win)
        made.append(win)
        if show:
            win.show()
            qtbot.waitExposed(win)
        return win

    yield build
    for w in made:
        w.shutdown()


def use(win, typer) -> FakeTyper:
    win.modes.sender.chooser = lambda: Choice(typer, "x11", "") if typer is not None else \
        Choice(None, "wayland", "Wayland does not let one program type into another")
    return typer


def test_committed_handwriting_and_final_speech_are_typed_into_the_other_window(window, qtbot):
    win = window()
    typer = use(win, FakeTyper(active=EDITOR))
    win.modes.act_send.setChecked(True)
    qtbot.waitUntil(lambda: win.modes.sender.target == EDITOR, timeout=5000)
    # the sender's thread sets the target, then signals the label through the GUI thread's queue
    qtbot.waitUntil(lambda: "Editor" in win.modes.status_label.text(), timeout=5000)

    win.handwriting.committed.emit("hello", [])
    win.speech.finalTranscript.emit(1, "world", np.zeros(160, np.float32))
    win.speech.fileTranscribed.emit("/tmp/x.wav", "not typed")  # a file's text stays in Scrivox
    assert win.modes.sender.wait_idle()
    assert typer.typed == [(EDITOR, "hello"), (EDITOR, " world")]
    assert "hello world" in win.text.toPlainText()  # still kept in the text area


def test_focus_is_given_back_to_the_window_used_before_scrivox(window, qtbot):
    win = window()
    typer = use(win, FakeTyper(active=EDITOR))
    win.modes.act_send.setChecked(True)
    qtbot.waitUntil(lambda: win.modes.sender.target == EDITOR, timeout=5000)
    own = next(iter(win.modes.own_windows()))
    typer.active = own  # the person clicked into Scrivox to write
    assert win.modes.sender.wait_idle()
    assert win.modes.sender.target == EDITOR  # Scrivox's own window is never the target
    win.handwriting.committed.emit("note", [])
    assert win.modes.sender.wait_idle()
    assert typer.activated == [EDITOR] and typer.typed == [(EDITOR, "note")]


def test_a_window_of_ours_not_yet_listed_is_never_the_target(window, qtbot):
    """Switching to the compact panel recreates the native window under a new id; if it is
    active before the list of Scrivox's windows is refreshed, its process id still tells."""
    import os

    win = window()
    typer = use(win, FakeTyper(active=EDITOR))
    win.modes.act_send.setChecked(True)
    qtbot.waitUntil(lambda: win.modes.sender.target == EDITOR, timeout=5000)
    fresh = 0x6600001
    assert fresh not in win.modes.own_windows()
    typer.pids[fresh] = os.getpid()
    typer.active = fresh
    assert win.modes.sender.wait_idle()
    qtbot.wait(600)  # a few polls of the focus
    assert win.modes.sender.target == EDITOR
    win.handwriting.committed.emit("kept", [])
    assert win.modes.sender.wait_idle()
    assert typer.activated == [EDITOR] and typer.typed == [(EDITOR, "kept")]


def test_nothing_is_typed_while_the_mode_is_off(window):
    win = window()
    typer = use(win, FakeTyper())
    win.handwriting.committed.emit("private", [])
    assert typer.typed == [] and not win.modes.act_send.isChecked()


def test_without_a_way_to_type_the_text_goes_to_the_clipboard_with_the_reason(window, qtbot):
    win = window()
    use(win, None)
    QApplication.clipboard().clear()
    win.modes.act_send.setChecked(True)
    win.handwriting.committed.emit("pasted", [])
    assert win.modes.sender.wait_idle()
    qtbot.waitUntil(lambda: QApplication.clipboard().text() == "pasted", timeout=5000)
    note = win.modes.last_note
    assert "Wayland" in note and "clipboard" in note
    assert win.statusBar().currentMessage().startswith("Send to window: on the clipboard, Ctrl+V pastes it. Wayland")
    assert win.modes.sender.method == "clipboard"


def test_no_target_yet_goes_to_the_clipboard(window, qtbot):
    win = window()
    typer = use(win, FakeTyper(active=None))
    win.modes.act_send.setChecked(True)
    win.handwriting.committed.emit("early", [])
    assert win.modes.sender.wait_idle()
    qtbot.waitUntil(lambda: QApplication.clipboard().text() == "early", timeout=5000)
    assert typer.typed == [] and "click in the window" in win.modes.last_note


def test_the_clipboard_fallback_is_said_first_in_the_status_bar(window, qtbot):
    """At the default width (980 px) a tester read "...click in the window the text s…": the
    status bar had cut off "This text is on the clipboard"."""
    win = window()
    assert win.width() == 980
    use(win, FakeTyper(active=None))
    win.modes.act_send.setChecked(True)
    win.handwriting.committed.emit("early", [])
    assert win.modes.sender.wait_idle()
    qtbot.waitUntil(lambda: win.statusBar().currentMessage() != "", timeout=5000)
    qtbot.wait(20)  # the cut is made again once the permanent labels are placed
    shown = win.statusBar().currentMessage()
    assert "on the clipboard, Ctrl+V pastes it" in shown and "No window to type into" in shown
    assert win.modes.last_note.startswith("The text is on the clipboard") and "click in the window" in win.modes.last_note


def test_compact_panel_is_small_on_top_and_takes_no_focus(window):
    win = window()
    modes = win.modes
    modes.act_compact.setChecked(True)
    assert modes.compact and win.isVisible()
    flags = win.windowFlags()
    assert flags & Qt.WindowType.WindowStaysOnTopHint and flags & Qt.WindowType.WindowDoesNotAcceptFocus
    assert not win.menuBar().isVisible() and not win.text.isVisible()
    assert win.handwriting.canvas.isVisible() and win.speech.isVisible() and modes.toolbar.isVisible()
    assert win.testAttribute(Qt.WidgetAttribute.WA_AlwaysShowToolTips)  # never active, so Qt would hide its tooltips
    modes.act_full.trigger()
    assert not modes.compact and win.menuBar().isVisible() and win.text.isVisible()
    assert not (win.windowFlags() & Qt.WindowType.WindowStaysOnTopHint) and not modes.toolbar.isVisible()


def test_compact_panel_says_where_the_text_went_while_send_is_off(window):
    """The compact panel hides the text area: with Send to window off, its toolbar says the
    text goes there and shows the last piece committed."""
    win = window()
    modes = win.modes
    modes.act_compact.setChecked(True)
    assert modes.target_label.text() == "→ the text (Full window)"
    assert "Send to window" in modes.target_label.toolTip()
    win.handwriting.committed.emit("bread\nbutter", [])  # a list of two lines stays on the label's one line
    assert modes.target_label.text() == "“bread butter” → the text"
    win.text.clear()
    win.handwriting.committed.emit("hello there", [])
    assert modes.target_label.text() == "“hello there” → the text"
    assert win.text.toPlainText() == "hello there"
    use(win, FakeTyper())
    modes.act_send.setChecked(True)
    assert "the text" not in modes.target_label.text()  # names the target window (or asks for a click)
    modes.act_send.setChecked(False)
    assert modes.target_label.text() == "“hello there” → the text"
    win.text.undo()  # the commit undone: the toolbar does not name text that is gone
    modes.act_compact.setChecked(False)
    modes.act_compact.setChecked(True)
    assert win.text.toPlainText() == "" and modes.target_label.text() == "→ the text (Full window)"


def test_compact_panel_never_points_at_the_buttons_it_lacks(window):
    win = window()
    win.speech.devices = []
    win.speech.model_ready = True  # the hints are for a loaded model; this window loads none
    win.speech.mic_error = "No microphone was found."
    win.speech.refresh_messages()
    assert "Transcribe file" in win.speech.live_label.text()
    assert "Transcribe file… still works" in win.speech.banner.text()
    win.modes.act_compact.setChecked(True)
    assert win.speech.file_button.isHidden()
    assert "Transcribe file" not in win.speech.banner.text() and "full window" in win.speech.banner.text()
    assert win.speech.refresh_button.isHidden() and "press ↻ in the full window" in win.speech.banner.text()
    assert "Transcribe file" not in win.speech.live_label.text()
    win.modes.act_full.trigger()
    assert "Transcribe file… still works" in win.speech.banner.text()


def test_compact_panel_names_its_full_window_button_not_a_shortcut_that_cannot_reach_it(window):
    """The panel's messages said to press Ctrl+Shift+P, but the panel never takes the keyboard
    focus (it must not take it from the window it types into), so no shortcut reaches it (a
    tester). They name the toolbar's "Full window" button instead, which does the switch."""
    win = window()
    win.speech.model_ready = True  # the hints are for a loaded model; this window loads none
    win.modes.act_compact.setChecked(True)
    assert win.windowFlags() & Qt.WindowType.WindowDoesNotAcceptFocus
    full = win.modes.toolbar.widgetForAction(win.modes.act_full)
    assert full.isVisible() and full.text() == "Full window"
    for error in ("No microphone was found.", "The microphone is unavailable (PortAudio is missing)."):
        win.speech.mic_error = error
        win.speech.refresh_messages()
        for said in (win.speech.banner.text(), win.modes.target_label.toolTip()):
            assert "Ctrl+Shift+P" not in said and "“Full window” button" in said, said
    full.click()
    assert not win.modes.compact and win.text.isVisible()


def test_geometry_panel_and_send_switch_are_remembered(window, qtbot):
    win = window()
    # sizes that fit an 800 x 800 screen (restoring keeps a window on its screen)
    win.resize(790, 700)
    full = (win.width(), win.height())
    assert full == (790, 700)
    win.modes.act_send.setChecked(True)
    win.close()

    again = window()
    assert (again.width(), again.height()) == full
    assert again.modes.act_send.isChecked() and not again.modes.compact
    again.modes.act_compact.setChecked(True)
    again.resize(again.minimumSizeHint().width() + 2, again.minimumSizeHint().height() + 20)
    compact = (again.width(), again.height())
    assert compact[0] < full[0] and compact[1] < full[1]
    again.close()

    third = window()
    assert third.modes.compact and (third.width(), third.height()) == compact
    assert third.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    third.modes.act_compact.setChecked(False)
    assert (third.width(), third.height()) == full  # the full window's own size
    third.close()

    fourth = window()
    assert not fourth.modes.compact and (fourth.width(), fourth.height()) == full


def test_settings_dialog_opens_on_the_last_tab(window):
    win = window()
    d = win.show_settings()
    last = d.tabs.count() - 1
    d.tabs.setCurrentIndex(last)
    name = d.tabs.tabText(last)
    d.close()
    win.close()
    again = window()
    assert again.show_settings().tabs.tabText(again.show_settings().tabs.currentIndex()) == name


def test_compact_panel_keeps_its_width_when_long_readings_come(window):
    """Readings of a written line used to widen the compact panel (560 -> 835 px): the
    candidates have a row of their own and are cut to fit."""
    from app.send_to_window import COMPACT_SIZE

    win = window()
    win.modes.act_compact.setChecked(True)
    win.handwriting.candidates.set_candidates(["the quick brown fox jumps", "the quick brown fax jumps", "The quick brown fox jumps",
                                               "the quiek brown fox jumps", "tho quick brown fox jumps"])
    QApplication.processEvents()
    assert win.minimumSizeHint().width() <= COMPACT_SIZE[0]
    assert win.width() <= COMPACT_SIZE[0]


def test_compact_candidates_for_a_line_show_where_they_differ(window):
    """Five readings of a line that differ only at its end all showed "BAKE…": a cut
    alternative now keeps its first difference from the best reading in view."""
    win = window()
    win.modes.act_compact.setChecked(True)
    bar = win.handwriting.candidates
    bar.set_candidates(["BAKE THE CAKE NOW", "BAKE THE CAKE NOw", "BAKE THE CAKE Now", "BAKE THF CAKE NOW", "BAKE THE CAKE"])
    QApplication.processEvents()
    shown = [b.shown_text() for b in bar.buttons[:5]]
    assert shown[0].endswith("NOW")  # the best keeps its end in view: the next likeliest differs only there
    assert all(s != t for s, t in zip(shown, bar.texts())), shown  # this panel is too narrow for any of them whole
    for s, diff in zip(shown[1:], ("NOw", "Now", "THF")):
        assert diff in s, shown
    assert shown[4].startswith("…") and shown[4].endswith("E")  # it stops where the best goes on: its end is shown
    assert "Ctrl+" not in bar.buttons[0].toolTip()  # the panel never has the focus, so no shortcut is offered
    win.modes.act_compact.setChecked(False)
    assert "(Ctrl+1)" in bar.buttons[0].toolTip()
    assert len(set(shown)) == 5


def test_switching_panels_keeps_each_readings_share_in_its_tooltip(window):
    """Turning the compact panel on or off rewrote the tooltips without the readings' shares."""
    win = window()
    bar = win.handwriting.candidates
    bar.set_candidates(["clock", "cluck", "Clock"], [0.7, 0.2, 0.1])
    assert "70% of the candidates' probability" in bar.buttons[0].toolTip()
    win.modes.act_compact.setChecked(True)
    assert "Ctrl+" not in bar.buttons[0].toolTip()
    assert "70% of the candidates' probability" in bar.buttons[0].toolTip()
    assert "20% of the candidates' probability" in bar.buttons[1].toolTip()
    win.modes.act_compact.setChecked(False)
    assert "(Ctrl+2)" in bar.buttons[1].toolTip() and "20% of" in bar.buttons[1].toolTip()
