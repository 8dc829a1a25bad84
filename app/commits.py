"""What a commit does besides the text: the handwriting or recording saved as the user's
sample (Options ▸ Save my samples), a lasting notice while samples cannot be saved, and a
later correction of the committed text followed into its sample. A part of MainWindow."""

from __future__ import annotations

import errno
import html
import os
from pathlib import Path

import numpy as np
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from app.formatting import dictate, own_spellings
from app.settings import RecognitionOptions, read_user_words, user_words_path
from app.transcript_edit import CLINGING
from recognizers.modality import Modality


def samples_trouble(exc: BaseException, root: Path) -> tuple[str, str]:
    """(what is wrong, what to do) when a sample could not be saved under `root`. A full disk
    is said as such: a tester's full disk was answered with "Make … writable"."""
    if getattr(exc, "errno", None) == errno.ENOSPC or os.strerror(errno.ENOSPC) in str(exc):  # soundfile quotes it
        return "the disk is full", "Free some space on it, or turn off Options ▸ Save my samples."
    why = (exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)) or type(exc).__name__  # the path is in the advice
    return why, f"Make {root} writable, or turn off Options ▸ Save my samples."


class Commits:
    """MainWindow's commit handlers (a mixin: it uses the window's text, panels and store)."""

    @property
    def save_samples(self) -> bool:
        return self.act_save_samples.isChecked()

    def set_save_samples(self, on: bool) -> None:
        self.act_save_samples.setChecked(on)

    @property
    def own_spellings(self) -> dict[str, str]:
        """Settings ▸ Recognition ▸ Personal vocabulary: "Sam", "McArthur" spelt as written."""
        return own_spellings(read_user_words(user_words_path(self.data_dir)))

    @property
    def spoken_punctuation(self) -> bool:
        """Settings ▸ Recognition: "comma", "period", "new line"... said become marks."""
        return RecognitionOptions.load(self.settings).spoken_punctuation

    def _handwriting_committed(self, text: str, ink: list[np.ndarray]) -> None:
        # ink of several lines is lines of text, its last one ended: what is written next on the
        # cleared canvas starts a line of its own, unless the text changed since (a tester's list
        # written three lines at a time read "bread butter")
        after_lines = getattr(self, "_lines_commit", "")
        new_line = bool(after_lines) and not self.text.textCursor().hasSelection() and self.text.toPlainText().endswith(after_lines)
        self.append_text("\n" + text if new_line else text, self.handwriting.last_commit_words)
        self._lines_commit = text.strip() if "\n" in text.strip() else ""
        if self.save_samples:
            try:
                self.last_saved = self.store.save_ink(ink, text)
                self._follow_sample(text.strip(), text, False)
            except (OSError, ValueError) as exc:
                self._samples_failing("handwriting", exc)
            else:
                self._samples_failing("handwriting", None)

    def _save_samples_toggled(self, on: bool) -> None:
        if not on:  # the person acted on the notice: nothing is being lost any more
            for m in (Modality.HANDWRITING, Modality.SPEECH):
                self._samples_failing(m, None)

    def _samples_failing(self, modality: str, exc: Exception | None) -> None:
        """Why samples of `modality` cannot be saved (None: they can again), said until a save
        works or Save my samples is turned off: a status-bar message was gone in seconds while
        every later commit failed the same way. Handwriting's is said on the line under the
        canvas: a banner above it pushed the canvas down under the pen (a tester's "good" read "od")."""
        wrong, todo = samples_trouble(exc, self.store.root) if exc is not None else ("", "")
        if modality == Modality.SPEECH:
            self.speech.show_note("samples", f"<b>Your recordings are not being saved:</b> {html.escape(wrong)}. {html.escape(todo)}" if wrong else "")
        else:  # short: the line shares its row with the buttons (all of it in the tooltip)
            self.handwriting.set_note(f"Samples not saved: {wrong}. {todo}" if wrong else "")

    def _follow_sample(self, shown: str, label: str, speech: bool) -> None:
        """A correction of the commit just appended goes into its saved sample too."""
        whole = self.text.toPlainText()
        if shown and whole.endswith(shown) and self.store.last_key:
            self.sample_labels.track(len(whole) - len(shown), shown, label, speech, self.store.last_key)

    def _dictated(self, text: str, words: list[tuple[str, float]], own_line: bool = False) -> tuple[str, list[tuple[str, float]]]:
        """Append speech as people write it, its doubtful words marked (on a line of its own
        with `own_line`, unless it goes over a selection or starts with a mark said, which holds
        on to the word before: "comma how are you"); returns what was shown and its (word,
        confidence) pairs."""
        if [w for w, _ in words] != text.split():  # not this text's words: no confidences to show
            words = [(w, 1.0) for w in text.split()]
        before = self.text.text_before_commit()
        lead = "\n" if own_line and before.strip() and not before.endswith("\n") and not self.text.textCursor().hasSelection() else ""
        said = words
        shown, words = dictate(said, before + lead, self.spoken_punctuation, self.own_spellings)
        if lead and shown[:1] in CLINGING:  # a mark said first: written after the text before, as live
            lead = ""
            shown, words = dictate(said, before, self.spoken_punctuation, self.own_spellings)
        self.append_text(lead + shown, words)
        return shown, words

    def _file_transcribed(self, path: str, text: str) -> None:
        # a recording is a piece of its own: it starts a line, with a capital (a tester's file
        # ran on from the text before, "…before Friday dear john"); its doubtful words are
        # marked like live speech's (a tester's 34 s file had a fifth of its words wrong, none marked)
        self._dictated(text, self.speech.last_file_words, own_line=True)

    def _speech_final(self, uid: int, text: str, audio: np.ndarray) -> None:
        shown, words = self._dictated(text, self.speech.last_final_words)
        self.speechCommitted.emit(shown)  # what Send to window types: the text as shown
        if self.save_samples and text.strip() and audio is not None and len(audio):
            try:
                self.last_saved = self.store.save_utterance(audio, text.strip())
                if len(words) == len(text.split()):  # marks written for words said: the label keeps the words
                    self._follow_sample(shown.strip(), text.strip(), True)
            except Exception as exc:  # soundfile raises its own types
                self._samples_failing("speech", exc)
            else:
                self._samples_failing("speech", None)

    def open_samples_folder(self) -> None:
        self.store.root.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.store.root)))
