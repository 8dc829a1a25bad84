"""A tiny X client of its own for the "Send to window" test: a line edit that prints its
window id, ``FOCUS`` when it gets the keyboard focus, and its text (JSON) whenever it changes.

    QT_QPA_PLATFORM=xcb DISPLAY=:N python tests/app/typing_target.py
"""

import json
import sys

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLineEdit


def main() -> int:
    app = QApplication(sys.argv[:1])
    edit = QLineEdit()
    edit.setWindowTitle("typing target")
    edit.resize(480, 40)
    edit.textChanged.connect(lambda t: print("TEXT " + json.dumps(t), flush=True))

    def focus_changed(window) -> None:
        if window is not None and window == edit.windowHandle():
            print("FOCUS", flush=True)

    QGuiApplication.instance().focusWindowChanged.connect(focus_changed)
    edit.show()
    QTimer.singleShot(0, lambda: print(f"WID {int(edit.winId())}", flush=True))
    QTimer.singleShot(60_000, app.quit)  # never outlives a stuck test
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
