"""The main window's menus and keyboard shortcuts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMessageBox

if TYPE_CHECKING:
    from app.main_window import MainWindow

PAUSE_CHOICES_MS = (0, 1000, 1500, 2000, 3000)  # handwriting is committed after this pause (0: never)

SHORTCUTS = [
    ("Enter", "commit the handwriting (canvas focused)"),
    ("Ctrl+Enter", "commit the handwriting (anywhere)"),
    ("Ctrl+1 … Ctrl+5", "commit candidate 1 … 5"),
    ("Ctrl+Z", "undo the last stroke; on an empty canvas, the last change in the text (undo typing in the text area)"),
    ("Ctrl+Y, Ctrl+Shift+Z", "redo in the text area"),
    ("Esc", "clear the canvas"),
    ("Ctrl+R", "start or stop recording"),
    ("F8 (hold)", "push-to-talk"),
    ("Ctrl+O", "transcribe an audio file"),
    ("Ctrl+Shift+C", "copy all text to the clipboard"),
    ("Ctrl+S", "save the text"),
    ("Ctrl+,", "settings: models, recognition, training, personalization"),
    ("Ctrl+Shift+P", "compact input panel, always on top (and back)"),
    ("Ctrl+Shift+T", "send text to the window you were working in (on/off)"),
    ("Ctrl+Q", "quit"),
]


def show_shortcuts(w: "MainWindow") -> None:
    rows = "".join(f"<tr><td><b>{k}</b>&nbsp;&nbsp;</td><td>{v}</td></tr>" for k, v in SHORTCUTS)
    QMessageBox.information(w, "Keyboard shortcuts", f"<table>{rows}</table>")


def show_about(w: "MainWindow") -> None:
    QMessageBox.about(
        w,
        "About Scrivox",
        "<b>Scrivox</b> turns handwriting and speech into text, offline, with BiLSTM-CTC recognizers.<br>"
        f"Handwriting model: {w.model_status['handwriting']}<br>Speech model: {w.model_status['speech']}<br>"
        f"Your samples: {w.store.root}",
    )


def add_action(w: "MainWindow", text: str, slot, shortcut=None, menu=None, tip: str = "") -> QAction:
    """An action of the window (its shortcut works anywhere in it), optionally in a menu."""
    a = QAction(text, w)
    if shortcut is not None:
        if isinstance(shortcut, (list, tuple)):
            a.setShortcuts([QKeySequence(s) for s in shortcut])
        else:
            a.setShortcut(QKeySequence(shortcut))
        a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    if tip:
        a.setStatusTip(tip)
    a.triggered.connect(slot)
    w.addAction(a)
    if menu is not None:
        menu.addAction(a)
    return a


def build_menus(w: "MainWindow") -> None:
    """The menu bar; the actions the window acts on later are kept on it as act_*."""
    mb = w.menuBar()
    m_file = mb.addMenu("&File")
    w.act_transcribe = add_action(w, "&Transcribe audio file…", w.speech.choose_file, "Ctrl+O", m_file)
    w.act_save = add_action(w, "&Save text…", w.save_text, QKeySequence.StandardKey.Save, m_file)
    m_file.addSeparator()
    add_action(w, "Load &handwriting model…", lambda: w.choose_model("handwriting"), None, m_file)
    add_action(w, "Load s&peech model…", lambda: w.choose_model("speech"), None, m_file)
    add_action(w, "Use the &shipped models", w.load_default_models, None, m_file)
    m_file.addSeparator()
    add_action(w, "&Quit", w.close, QKeySequence.StandardKey.Quit, m_file)

    m_edit = mb.addMenu("&Edit")
    w.act_commit = add_action(w, "&Commit handwriting", w.handwriting.commit, ["Ctrl+Return", "Ctrl+Enter"], m_edit)
    w.act_undo = add_action(w, "&Undo", w.undo, QKeySequence.StandardKey.Undo, m_edit,
                            "Undo the last stroke; on an empty canvas, the last change in the text")
    # the text area redoes with Ctrl+Shift+Z itself; Ctrl+Y is what Windows users press (a tester)
    w.act_redo = add_action(w, "&Redo in the text", w.redo, "Ctrl+Y", m_edit)
    add_action(w, "C&lear canvas\tEsc", w.handwriting.clear, None, m_edit)  # Esc is the canvas's own shortcut
    add_action(w, "Clear &text", w.clear_text, None, m_edit, "Empty the text; Ctrl+Z in the text brings it back")
    for k in range(5):
        add_action(w, f"Commit candidate {k + 1}", lambda checked=False, k=k: w.handwriting.choose(k), f"Ctrl+{k + 1}")
    m_edit.addSeparator()
    w.act_copy = add_action(w, "Copy &all text", w.copy_text, "Ctrl+Shift+C", m_edit)

    m_speech = mb.addMenu("&Speech")
    w.act_record = add_action(w, "&Record", w.speech.toggle_recording, "Ctrl+R", m_speech, "Start or stop listening")
    m_speech.addAction(w.act_transcribe)
    add_action(w, "Look for &microphones again", w.speech.rescan_devices, None, m_speech)

    m_opt = mb.addMenu("&Options")
    w.act_settings = add_action(w, "S&ettings…", w.show_settings, "Ctrl+,", m_opt, "Models, recognition, training and personalization")
    m_opt.addSeparator()
    w.act_save_samples = QAction("&Save my samples (for personalization)", w, checkable=True)
    w.act_save_samples.setStatusTip("Keep each committed drawing and utterance with its text, to teach the recognizers your hand and voice")
    w.act_save_samples.toggled.connect(lambda on: w.settings.setValue("save_samples", on))
    m_opt.addAction(w.act_save_samples)
    add_action(w, "&Open the samples folder", w.open_samples_folder, None, m_opt)
    m_pause = m_opt.addMenu("Commit handwriting after a &pause")
    w.pause_group = QActionGroup(w)
    w.pause_actions: dict[int, QAction] = {}
    for ms in PAUSE_CHOICES_MS:
        a = QAction("never" if ms == 0 else f"{ms / 1000:g} s", w, checkable=True)
        a.triggered.connect(lambda checked=False, ms=ms: w.set_pause_ms(ms))
        w.pause_group.addAction(a)
        m_pause.addAction(a)
        w.pause_actions[ms] = a
    w.act_guide = QAction("Show the &guide line", w, checkable=True, checked=True)
    w.act_guide.toggled.connect(w._set_guide)
    m_opt.addAction(w.act_guide)

    m_help = mb.addMenu("&Help")
    add_action(w, "&Keyboard shortcuts", lambda *_: show_shortcuts(w), QKeySequence.StandardKey.HelpContents, m_help)
    add_action(w, "&About Scrivox", lambda *_: show_about(w), None, m_help)
