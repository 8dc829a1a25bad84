"""Drives the real main window on an X display for test_send_keys.py (Qt's xcb platform
cannot be chosen inside the offscreen test process): Send to window on, the target window
focused, then Scrivox takes the focus (as a click on its canvas would), handwriting is
committed, the compact panel opens and an utterance ends. Prints a JSON summary.

    DISPLAY=:N QT_QPA_PLATFORM=xcb python tests/app/send_window_driver.py TARGET_WID SETTINGS_INI
"""

import json
import sys
import time

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from app.audio_input import FakeBackend
from app.main_window import MainWindow
from app.send_keys import XTestTyper


def main() -> int:
    target, ini = int(sys.argv[1]), sys.argv[2]
    app = QApplication(sys.argv[:1])
    win = MainWindow("absent-hw.pt", "absent-sp.pt", device="cpu", audio_backend=FakeBackend({}),
                     settings=QSettings(ini, QSettings.Format.IniFormat), load_models=False,
                     data_dir=ini + ".data", samples_dir=ini + ".samples")
    win.show()

    def pump(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.02)

    x = XTestTyper()  # the test's own view of the X server
    out: dict = {}
    pump(0.5)
    x.activate(target, 5)  # the person works in the other window...
    win.modes.act_send.setChecked(True)
    pump(1.0)  # ...which Scrivox notices
    out["target_seen"] = win.modes.sender.target == target
    out["method"] = win.modes.sender.method
    x.activate(int(win.winId()), 5)  # then clicks into Scrivox to write
    pump(0.5)
    out["scrivox_had_focus"] = x.active_window() == int(win.winId())
    win.handwriting.committed.emit("hello", [])  # committed handwriting
    pump(1.0)
    out["focus_back_on_target"] = x.active_window() == target
    win.modes.act_compact.setChecked(True)  # the compact panel, on top, takes no focus
    pump(0.5)
    win.speech.finalTranscript.emit(1, "world", None)  # an utterance ends
    pump(1.0)
    out["label"] = win.modes.status_label.text() or win.modes.target_label.text()
    win.close()
    x.close()
    print("RESULT " + json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
