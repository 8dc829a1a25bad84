"""The text area's draft: what the person has in the window, kept on disk so that a quit,
a crash or a power cut does not lose it. Qt-free (the window throttles the writes).

Written atomically (temporary file, fsync, rename): the draft on disk is always a whole
earlier version, never half of one. An empty text removes the file.

The words the recognizer doubted are kept beside it (`<name>.marks.json`: the text's length
and each mark's start, word and confidence), so that their underlines come back too. Marks
are only hints: marks saved with a text of another length (a crash between the two writes)
are all dropped, and the window drops any whose word is not at its place. Failing to write
them loses only underlines, so it is not reported as a failed save.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from recognizers.atomic import atomic_write_text
from recognizers.workspace.userfiles import notify, set_aside

MAX_DRAFT_BYTES = 64 << 20  # far beyond any text typed or spoken into the window


class Draft:
    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.marks_path = self.path.with_name(self.path.name + ".marks.json")

    def load_marks(self, text: str) -> list[tuple[int, str, float]]:
        """The doubted words saved with `text`: (start, word, confidence); [] when there are
        none, they were saved with another text, or the file is unreadable (losing underlines
        loses no text, so no notice)."""
        try:
            raw = json.loads(self.marks_path.read_text("utf-8"))
            if raw["length"] != len(text):
                return []
            return [(int(m[0]), str(m[1]), float(m[2])) for m in raw["marks"]][:100_000]
        except (OSError, ValueError, TypeError, IndexError, KeyError):
            return []

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

    def save(self, text: str, marks: list[tuple[int, str, float]] | None = None) -> None:
        """Write the text and its doubted words (atomically); an empty text removes the draft.
        Raises OSError."""
        if text:
            atomic_write_text(self.path, text)
        else:
            self.path.unlink(missing_ok=True)
        try:
            if text and marks:
                atomic_write_text(self.marks_path, json.dumps({"length": len(text), "marks": [[int(a), w, round(float(c), 4)] for a, w, c in marks]}))
            else:
                self.marks_path.unlink(missing_ok=True)
        except OSError:  # only underlines are at stake: drop the old ones rather than fail the save
            try:
                self.marks_path.unlink(missing_ok=True)
            except OSError:
                pass
