"""Entry point: ``python -m app`` / ``scrivox``."""

from __future__ import annotations

import argparse
import json
import sys
import time

T_IMPORT = time.time()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="scrivox", description="Turn handwriting and speech into text, offline.")
    p.add_argument("--handwriting-model", metavar="PATH", help="a handwriting model file (default: the shipped one)")
    p.add_argument("--speech-model", metavar="PATH", help="a speech model file (default: the shipped one)")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"], help="where the models run (default: CUDA when there is one)")
    p.add_argument("--samples-dir", metavar="DIR", help="where 'save my samples' stores them (default: the user-data directory)")
    p.add_argument("--startup-report", action="store_true", help=argparse.SUPPRESS)  # benchmark: print timings as JSON and quit
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    from PySide6.QtCore import QCoreApplication, QSettings, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    # no organization name: the user-data directory is then ~/.local/share/Scrivox (Linux)
    QCoreApplication.setApplicationName("Scrivox")
    # every mouse move reaches the canvas: while the window was busy (a file being transcribed),
    # Qt merged queued moves and a tester's letters lost a tenth of their points (tablet
    # events are not merged by default)
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_CompressHighFrequencyEvents, False)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationDisplayName("Scrivox")
    app.setDesktopFileName("scrivox")  # the menu entry `make install` writes (scrivox.desktop)
    from PySide6.QtGui import QIcon

    from recognizers.paths import resource_path

    app.setWindowIcon(QIcon(str(resource_path("icons", "scrivox.svg"))))

    from app.main_window import MainWindow

    settings = QSettings("Scrivox", "Scrivox")  # ~/.config/Scrivox/Scrivox.conf on Linux
    win = MainWindow(args.handwriting_model, args.speech_model, args.device, settings=settings, samples_dir=args.samples_dir)
    win.show()

    if args.startup_report:
        report: dict = {"t_import": T_IMPORT}

        def usable() -> None:  # the first event-loop turn after the window was shown and painted
            app.processEvents()
            report["t_usable"] = time.time()
            report["exposed"] = win.isVisible() and win.handwriting.canvas.isVisible()
            if win.models_settled:
                settled()

        def settled() -> None:
            report.setdefault("t_models", time.time())
            report["models"] = dict(win.model_status)
            if "t_usable" in report:
                print(json.dumps(report), flush=True)
                win.close()
                app.quit()

        win.modelsSettled.connect(settled)
        QTimer.singleShot(0, usable)
    try:
        return app.exec()
    finally:
        win.shutdown()
