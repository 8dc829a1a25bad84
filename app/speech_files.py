"""The speech panel's Transcribe file…: the file chooser, the queue of recordings and its Stop,
and what the panel shows when one is read. A part of SpeechPanel."""

from __future__ import annotations

import html
import os

from PySide6.QtWidgets import QFileDialog

from app.widgets import AUDIO_FILTER, dialog_start, remember_dir
from app.workers import Job


class FileTranscription:
    """SpeechPanel's recordings read from files (a mixin: it uses the panel's worker, banner,
    file button and signals)."""

    def choose_file(self) -> None:
        path = remember_dir(QFileDialog.getOpenFileName(self, "Transcribe a recording", dialog_start(), AUDIO_FILTER)[0])
        if path:
            self.transcribe_file(path)

    def _file_clicked(self) -> None:
        """The file button starts a transcription, and stops the ones under way."""
        if self._files_pending:
            self.stop_files()
        else:
            self.choose_file()

    def transcribe_file(self, path: str) -> None:
        if not self.model_ready:
            self.banner.show_message("<b>No speech model</b> is loaded, so the file cannot be transcribed.", "error")
            return
        if self._file_failed:
            self._show_state()  # an earlier file's failure is not this one's
            self._file_failed = False
        self._files_pending += 1
        name, before = os.path.basename(path), self._files_pending - 1
        self.message.emit(f"{name} is queued: {before} recording{'s' if before > 1 else ''} before it" if before else f"Transcribing {name}…")
        self.worker.submit(Job("file", path, channel="file", tag=path))
        self._update_file_button()

    def stop_files(self) -> None:
        """Stop transcribing: the recording under way ends with what has been read (it goes
        into the text), and the ones waiting are not read."""
        dropped = self.worker.stop_files()
        self._files_pending -= len(dropped)
        if dropped:
            self.message.emit(f"Not transcribed: {', '.join(os.path.basename(j.tag) for j in dropped)}")
        self._update_file_button()

    def _update_file_button(self) -> None:
        busy = self._files_pending > 0
        self.file_button.setEnabled(self.model_ready or busy)  # Stop stays pressable
        self.file_button.setText("Stop transcribing" if busy else "Transcribe file…")
        self.file_button.setToolTip("Stop: the text read so far is kept" if busy else "Transcribe a WAV, FLAC or OGG recording (Ctrl+O)")

    def _file_done(self, job: Job) -> None:
        """A recording read (or not): the text goes to the window, the banner says what failed."""
        self._files_pending -= 1
        self._update_file_button()
        if job.error:
            self.banner.show_message(f"<b>Could not transcribe {html.escape(os.path.basename(job.tag))}.</b> {html.escape(job.error)}", "error")
            self._file_failed = True
            self.message.emit("Transcription failed")
            return
        self._show_state()  # an earlier failure is over
        if job.extra.get("note"):
            self.banner.show_message(html.escape(job.extra["note"]), "warning")
        name, dur = os.path.basename(job.tag), job.extra.get("duration_s", 0)
        if "stopped_s" in job.extra:
            kept = "the text read so far is kept" if (job.result or "").strip() else "no speech had been found in it"
            self.message.emit(f"Stopped transcribing {name} after {job.extra['stopped_s']:.0f} s; {kept}")
        elif not (job.result or "").strip():  # a click, a cough, a 0.14 s clip: say so, not "Transcribed"
            self.message.emit(f"No speech found in {name} ({dur:.2f} s)")
        else:
            self.message.emit(f"Transcribed {name} ({dur:.1f} s) in {(job.finished - job.started):.1f} s")
        self.recognitionTime.emit((job.finished - job.started) * 1000)
        self.last_file_words = job.extra.get("words", [])
        self.fileTranscribed.emit(job.tag, job.result)
