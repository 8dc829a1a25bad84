"""The text area's draft: what the person has in the window, kept on disk so that a quit,
a crash or a power cut does not lose it. Qt-free (the window throttles the writes).

Written atomically (temporary file, fsync, rename): the draft on disk is always a whole
earlier version, never half of one. An empty text removes the file.
"""

from __future__ import annotations

import os
from pathlib import Path

from recognizers.atomic import atomic_write_text
from recognizers.workspace.userfiles import notify, set_aside

MAX_DRAFT_BYTES = 64 << 20  # far beyond any text typed or spoken into the window


class Draft:
    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)

    def load(self) -> str:
        """The saved text ("" when there is none). A damaged draft (not UTF-8, absurdly
        large) is set aside with a timestamp and reported; what could be read is returned."""
        try:
            if not self.path.is_file():
                return ""
            raw = self.path.read_bytes() if self.path.stat().st_size <= MAX_DRAFT_BYTES else None
        except OSError as exc:
            notify(f"The text from your last session ({self.path}) could not be read: {exc.strerror or exc}.")
            return ""
        if raw is None:
            kept = set_aside(self.path)
            notify(f"The text from your last session was too large to restore; it was set aside as {kept or self.path}.")
            return ""
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            kept = set_aside(self.path)
            notify(f"The text from your last session was damaged; what could be read is restored and the file was kept as {kept.name if kept else self.path}.")
            return raw.decode("utf-8", errors="replace")

    def save(self, text: str) -> None:
        """Write the text (atomically); an empty text removes the draft. Raises OSError."""
        if text:
            atomic_write_text(self.path, text)
        else:
            try:
                self.path.unlink()
            except FileNotFoundError:
                pass
