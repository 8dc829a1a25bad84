"""Scrivox's desktop app (PySide6): draw or speak, and watch the text appear.

``python -m app`` or the ``scrivox`` command (``app.main:main``) opens the window.
The GUI imports ``recognizers``; ``recognizers`` never imports Qt.
"""
