"""Recognition off the GUI thread: one worker thread per model, with coalescing.

The GUI submits `Job`s and gets them back through the `done` signal, in the GUI thread.
A job marked `droppable` (a live request: the ink after a stroke, a partial transcript)
replaces any droppable job of the same channel still waiting, and any job of the channel
submitted later replaces it too: while the recognizer is busy, only the newest input is
kept (DESIGN.md, "Live recognition coalesces requests"). Other jobs (a final transcript, a
file, loading a model) always run, in order.

The recognizers package (and with it torch) is imported on the worker thread the first
time a model loads, so the window opens without waiting for it.
"""

from __future__ import annotations

import ctypes
import gc
import os
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from recognizers.audio import AudioFileError, cut_short_note
from recognizers.modality import Modality

_torch_configured = False
_torch_lock = threading.Lock()
# Models load one at a time: reading a checkpoint, building the lexicon beam (word list,
# language model) and the speech encoder's first load each peak well above where they
# settle, and two of them at once on two threads would add their peaks together.
_load_lock = threading.Lock()


class _SpeechFirst:
    """A speech load asked for goes before a handwriting load: the speech encoder's first
    reading peaks about 100 MB above where it settles, and with the handwriting model and
    the word models already resident that peak was the app's (measured in one process:
    1,110 MB with handwriting first, 1,012 MB with speech first)."""

    def __init__(self) -> None:
        self._cv = threading.Condition()
        self._pending = 0  # speech loads asked for and not finished

    def asked(self, n: int = 1) -> None:
        with self._cv:
            self._pending = max(0, self._pending + n)
            self._cv.notify_all()

    def wait(self, timeout_s: float = 120.0) -> None:
        """Until no speech load is waiting or running (never longer than `timeout_s`)."""
        with self._cv:
            self._cv.wait_for(lambda: self._pending == 0, timeout_s)


_speech_first = _SpeechFirst()


def release_freed_memory() -> None:
    """Hand the heap that a load freed (its temporaries: the word list and language model read
    for the lexicon beam, the encoder's float16 copy) back to the system, so that it does not
    stay resident under the next step's peak (glibc's malloc keeps it otherwise; a no-op
    elsewhere). No gc.collect() here: cyclic garbage is collected on the GUI thread only
    (GuiThreadCollector, below); what a load frees, reference counting has freed."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):  # another C library
            pass


_collector: "GuiThreadCollector | None" = None


class GuiThreadCollector(QObject):
    """Python's cyclic garbage collection, run on the GUI thread only.

    Automatic collection runs in whichever thread happens to allocate: in a recognizer
    thread it may destroy a Qt object that belongs to the GUI thread, which crashes the
    process (seen here: a segfault while "Garbage-collecting" inside an LSTM forward). So
    automatic collection is switched off and a timer on the GUI thread collects with the
    usual generation thresholds instead (the remedy calibre and pyqtgraph use).
    """

    def __init__(self, interval_ms: int = 500) -> None:
        super().__init__(QCoreApplication.instance())
        self.threshold = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(interval_ms)

    def check(self) -> None:
        c0, c1, c2 = gc.get_count()
        if c0 > self.threshold[0]:
            gc.collect(0)
            if c1 > self.threshold[1]:
                gc.collect(1)
                if c2 > self.threshold[2]:
                    gc.collect(2)


def collect_garbage_on_gui_thread() -> None:
    """Switch automatic collection off and collect on the GUI thread (workers call this).

    Once no worker thread is left, `gc.enable()` may turn automatic collection back on.
    """
    global _collector
    app = QCoreApplication.instance()
    if app is None:
        return
    if _collector is None or _collector.parent() is not app:
        _collector = GuiThreadCollector()
    gc.disable()


def configure_torch() -> None:
    """One intra-op thread per recognizer (SCRIVOX_THREADS to change it).

    The live inputs are small (a word, a few seconds of audio): one thread reads them in
    about 10 ms, while letting torch's pool spread over busy cores stalls it for hundreds
    of milliseconds at a time (measured on a 2-core machine with a training run beside it).
    The two recognizers run on their own threads, so they still use two cores together.
    """
    global _torch_configured
    with _torch_lock:  # once, before any model runs: changing it under a running op is unsafe
        if _torch_configured:
            return
        import torch

        try:
            n = int(os.environ.get("SCRIVOX_THREADS", "1"))
        except ValueError:
            n = 1
        torch.set_num_threads(max(1, n))
        _torch_configured = True


@dataclass
class Job:
    kind: str  # "recognize", "file", "check" or "load"
    payload: Any = None  # ink, audio, a file path, (sample, label) to check, or a model path
    channel: str = "live"
    droppable: bool = False
    tag: Any = None  # whatever the submitter needs to match the answer (ink version, utterance id)
    charset: str | None = None  # restrict the reading (recognizers.recognizer.CHARSETS), e.g. "digits"
    submitted: float = field(default_factory=time.perf_counter)
    started: float = 0.0
    finished: float = 0.0
    result: Any = None  # a recognizers.recognizer.Recognition, a str for "file", a LabelCheck for "check"
    error: str | None = None
    extra: dict = field(default_factory=dict)


class RecognizerWorker(QObject):
    """Owns one Recognizer and runs its jobs, in order, on a private thread.

    The thread is a Python thread, not a QThread: torch frees numpy-backed tensors
    through pybind11's GIL handling, which crashed (in tstate_delete_common, seen under
    gdb with PySide6 6.12 on X11) when the calling thread's Python state had been made by
    PySide for a slot call on a QThread. A thread started by Python has a proper state.
    The signals are emitted from that thread and so reach the GUI thread queued.
    """

    done = Signal(object)  # a finished Job (result or error set)
    loaded = Signal(str, str, str, str)  # modality, description, device, path
    loadFailed = Signal(str, str)  # modality, message for the user (the model loaded before, if any, stays)
    progress = Signal(str)  # a line for the status bar

    def __init__(self, modality: str, device: str = "auto", parent: QObject | None = None) -> None:
        super().__init__(parent)
        collect_garbage_on_gui_thread()
        self.modality = modality
        self.device = device
        # recognizers.recognizer.Recognizer: set only on the worker thread (a load that works);
        # the window reads it after a failed load to name the model still in use
        self.recognizer = None
        self.loading_path: str | None = None  # a model asked for and not loaded yet (Models tab)
        self._cv = threading.Condition()
        self._queue: list[Job] = []
        self._stopping = False
        self._reading_file = False  # a recording is being transcribed now
        self._stop_file = False  # ... and was asked to stop (it ends with what it has read)
        self.dropped = 0  # droppable jobs replaced before they ran
        self.ran = 0  # recognition and file jobs run (a load is not counted: it ends after its signal)
        self._thread = threading.Thread(target=self._run, name=f"{modality}-recognizer", daemon=True)
        self._thread.start()

    # -- GUI thread -----------------------------------------------------------------

    def submit(self, job: Job) -> Job:
        with self._cv:
            if self._stopping:
                return job
            if job.kind == "recognize":
                kept = [j for j in self._queue if not (j.droppable and j.channel == job.channel)]
                self.dropped += len(self._queue) - len(kept)
                self._queue = kept
            if job.kind == "load" and self.modality == Modality.SPEECH:
                _speech_first.asked()  # until it has run (`_load`) or is dropped (`shutdown`)
            self._queue.append(job)
            self._cv.notify()
        return job

    def load(self, path: str | None) -> Job:
        """Load a model (None: the shipped one for this modality); answers loaded/loadFailed."""
        self.loading_path = path  # until it has loaded or failed: what the window is about to run
        return self.submit(Job("load", path, channel="load"))

    def stop_files(self) -> list[Job]:
        """Stop transcribing recordings: the one being read ends with the text read so far
        (marked `extra["stopped_s"]`), and the ones waiting are taken off the queue and
        returned, not run."""
        with self._cv:
            waiting = [j for j in self._queue if j.kind == "file"]
            self._queue = [j for j in self._queue if j.kind != "file"]
            self._stop_file = self._reading_file
        return waiting

    def pending(self) -> int:
        with self._cv:
            return len(self._queue)

    def shutdown(self, timeout_s: float = 10.0) -> None:
        """Drop waiting jobs, let a running one finish, end the thread (safe to call twice)."""
        with self._cv:
            self._stopping = True
            if self.modality == Modality.SPEECH:  # loads that will not run: a handwriting load waits for none
                _speech_first.asked(-sum(j.kind == "load" for j in self._queue))
            self._queue.clear()
            self._cv.notify_all()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout_s)

    # -- worker thread --------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._cv:
                while not self._queue and not self._stopping:
                    self._cv.wait()
                if self._stopping:
                    return
                job = self._queue.pop(0)
                if job.kind == "file":  # current from the moment it leaves the queue: a Stop is never lost between
                    self._reading_file, self._stop_file = True, False
            job.started = time.perf_counter()
            try:
                self._before_job(job)
                if job.kind == "load":
                    self._load(job)
                elif job.kind == "recognize":
                    self._recognize(job)
                elif job.kind == "file":
                    self._transcribe_file(job)
                elif job.kind == "check":
                    self._check_label(job)
                else:
                    raise ValueError(f"unknown job kind {job.kind!r}")
            except Exception as exc:  # shown to the user, never kills the thread
                # a file the person chose that cannot be read is said plainly; anything else
                # keeps its type, which is what a bug report needs
                job.error = (exc.reason or str(exc)) if isinstance(exc, AudioFileError) else f"{exc.__class__.__name__}: {exc}"
                job.extra["traceback"] = traceback.format_exc()
            job.finished = time.perf_counter()
            if job.kind == "file":
                with self._cv:
                    self._reading_file, self._stop_file = False, False
            if job.kind != "load":
                self.ran += 1
                if not self._stopping:
                    self.done.emit(job)

    def _load(self, job: Job) -> None:
        try:
            self._load_model(job)
        finally:
            if self.modality == Modality.SPEECH:
                _speech_first.asked(-1)
            if self.loading_path == job.payload:  # not a later load asked for meanwhile
                self.loading_path = None

    def _load_model(self, job: Job) -> None:
        try:
            configure_torch()
            from recognizers.checkpoint import CheckpointError
            from recognizers.recognizer import Recognizer, default_model_path
        except Exception as exc:  # a broken installation: torch missing, ...
            self.loadFailed.emit(self.modality, f"The recognizers could not be imported ({exc}).")
            return
        path = job.payload or str(default_model_path(self.modality))
        if self.modality != Modality.SPEECH:
            _speech_first.wait()
        try:
            with _load_lock:
                if self._stopping:  # the app closed while another model was loading
                    return
                try:
                    rec = Recognizer.load(path, modality=self.modality, device=self.device)
                    if rec.modality != self.modality:
                        raise CheckpointError(f"{path} is a {rec.modality} model, not a {self.modality} model")
                    self._warm_up(rec)
                finally:
                    release_freed_memory()
        # a failed load keeps the model loaded before (if any): a wrong file picked by mistake
        # must not take away the one that worked; `recognizer` tells the window which it is
        except CheckpointError as exc:
            self.loadFailed.emit(self.modality, str(exc))
            return
        except Exception as exc:
            self.loadFailed.emit(self.modality, f"{path} could not be loaded ({exc.__class__.__name__}: {exc})")
            return
        self.recognizer = rec
        self.loaded.emit(self.modality, rec.describe(), rec.device, str(path))

    def _before_job(self, job: Job) -> None:
        """A subclass's chance to bring the loaded recognizer up to date (worker thread)."""

    def _warm_up(self, rec) -> None:
        """One throw-away recognition, so the user's first one is not the slow one."""
        import numpy as np

        if self.modality == Modality.HANDWRITING:
            t = np.linspace(0, 1, 30, dtype=np.float32)
            rec.recognize([np.stack([t * 100, 50 + 20 * np.sin(t * 12), t * 300], axis=1)])
        else:
            rec.recognize(np.zeros(8000, np.float32))

    def _recognize(self, job: Job) -> None:
        if self.recognizer is None:
            raise RuntimeError(f"no {self.modality} model is loaded")
        partial = isinstance(job.tag, tuple) and job.tag[:1] == ("partial",)
        # a partial of a growing utterance reuses the encoder frames of the previous partial
        read = getattr(self.recognizer, "recognize_partial", None) if partial else None
        job.result = (read or self.recognizer.recognize)(job.payload, charset=job.charset)

    def _check_label(self, job: Job) -> None:
        """payload (sample, label): the recognizer's LabelCheck, whether the label fits the sample."""
        if self.recognizer is None:
            raise RuntimeError(f"no {self.modality} model is loaded")
        sample, label = job.payload
        job.result = self.recognizer.check_label(sample, label)

    def _transcribe_file(self, job: Job) -> None:
        """A whole recording: cut at pauses by the VAD, each piece recognized, joined."""
        if self.recognizer is None:
            raise RuntimeError(f"no {self.modality} model is loaded")
        texts, words, n, end_s = [], [], 0, 0.0
        # the one long-audio path (the CLI's too); AudioFileError names the file
        for seg in self.recognizer.transcribe_long(job.payload):
            n, end_s = n + 1, seg.end_s
            self.progress.emit(f"Transcribing {job.payload}: {seg.end_s:.0f} s read")
            if self._stopping:
                return
            if seg.text.strip():
                texts.append(seg.text.strip())
                words += seg.recognition.word_confidence  # the doubtful ones get marked in the text
            if self._stop_file:  # the person pressed Stop: keep what was read
                job.extra["stopped_s"] = end_s
                break
        job.extra["duration_s"] = end_s
        job.extra["utterances"] = n
        job.extra["words"] = words
        job.extra["note"] = cut_short_note(job.payload)  # read, but less than the file promised
        job.result = " ".join(texts)
