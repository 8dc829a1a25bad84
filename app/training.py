"""A training run in a separate process, watched from the GUI.

The run is ``python -m recognizers train MODALITY --config RUN/config.json --out RUN
--progress json`` in a QProcess: a crash, an out-of-memory kill or a CUDA error ends that
process, never the window. Each line it prints is one JSON event (status, progress, eval,
checkpoint, done); `TrainingProcess` parses them and re-emits them as signals.

- pause / resume: SIGSTOP / SIGCONT to the process (POSIX; elsewhere pausing is off);
- cancel: SIGINT first, so the run saves its resume state (``state.pt``) at the step it is
  at and exits; if it has not gone after a few seconds, terminate, then kill. The active
  model is never touched by a run: it only writes into its own directory;
- tidying (recognizers/workspace/run_tidying.py): a run that ends without a saved state has its folder
  removed once its process is gone; when a run first saves a periodic state (not the one it
  saves as it stops: a cancel or failure), the older stopped runs of its kind are removed
  (never a path in `keep_paths`, never a run still recorded as running; nothing at all until
  the panel has set `runs_dir` and `keep_paths`, nor around a run outside that folder); a fresh
  run that stops before its first periodic state gives way to an older resumable run of its kind;
- when training is done, a second short process (``python -m recognizers score-run``) scores
  the model that was active before and the new one on the run's validation data, so the
  "before" and "after" figures are measured the same way on the same samples.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, QTimer, Signal

import recognizers
from recognizers.workspace.run_tidying import RunTidier
from recognizers.workspace.runs import RunPlan

CAN_PAUSE = hasattr(signal, "SIGSTOP")
CANCEL_GRACE_MS = 8000  # after SIGINT, before terminate()
STDERR_KEEP = 60  # lines of the process's stderr kept for error messages


def python_env() -> QProcessEnvironment:
    env = QProcessEnvironment.systemEnvironment()
    path = env.value("PYTHONPATH", "")
    # the child runs `python -m recognizers`: give it the folder this process imported it from
    root = str(Path(recognizers.__file__).resolve().parent.parent)
    env.insert("PYTHONPATH", root + (os.pathsep + path if path else ""))
    env.insert("PYTHONUNBUFFERED", "1")
    env.remove("QT_QPA_PLATFORM")
    return env


class TrainingProcess(QObject):
    """One run at a time: start, pause, resume, cancel; events as signals.

    States: idle, starting, running, paused, cancelling, evaluating, finished, cancelled, failed.
    """

    stateChanged = Signal(str)
    runEvent = Signal(dict)  # every JSON event of the training process, as it comes
    statusMessage = Signal(str)  # a line for the panel
    finished = Signal(dict)  # {"best_path", "steps", "best", "before", "after", "before_source"}
    failed = Signal(str)  # a message for the user
    cancelled = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = "idle"
        self.plan: RunPlan | None = None
        self.device = "auto"
        self.proc: QProcess | None = None
        self.eval_proc: QProcess | None = None
        self.done_event: dict | None = None
        self.last_progress: dict | None = None
        self.evals: list[dict] = []
        self.stderr_tail: list[str] = []
        self.result: dict | None = None
        self._shutting_down = False  # the window is closing: a run that ends starts no evaluation
        self._plan_save_failed = False  # said once per failure streak (a full disk)
        self._out_buf = b""
        self._err_buf = b""
        self._kill_timer = QTimer(self)
        self._kill_timer.setSingleShot(True)
        self._kill_timer.timeout.connect(self._escalate)
        self._escalated = False
        # the panel sets where runs live and what is in use (tidier.runs_dir, tidier.keep_paths)
        self.tidier = RunTidier()

    # -- control ----------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self.state in ("starting", "running", "paused", "cancelling", "evaluating")

    def start(self, plan: RunPlan, device: str = "auto", resume: bool = False) -> None:
        if self.busy:
            raise RuntimeError("a training run is already going on")
        self.plan, self.device = plan, device or "auto"
        self.done_event, self.last_progress, self.result = None, None, None
        self.evals, self.stderr_tail = [], []
        self._out_buf = self._err_buf = b""
        self._escalated = False
        self.tidier.begin(resume)
        plan.status = "running"
        plan.pid, plan.host = 0, ""  # a resumed run's last process is not this one
        plan.save()
        args = ["-m", "recognizers", "train", plan.modality, "--config", str(plan.config_path), "--out", str(plan.dir), "--progress", "json", "--device", self.device]
        if resume:
            args.append("--resume")
        _let_children_be_interrupted()
        p = QProcess(self)
        p.setProgram(sys.executable)
        p.setArguments(args)
        p.setWorkingDirectory(str(plan.dir))
        p.setProcessEnvironment(python_env())
        p.readyReadStandardOutput.connect(self._read_stdout)
        p.readyReadStandardError.connect(self._read_stderr)
        p.finished.connect(self._train_finished)
        p.errorOccurred.connect(self._process_error)
        p.started.connect(self._record_process)
        self.proc = p
        self._set_state("starting")
        self.statusMessage.emit("Starting the training process…" if not resume else "Resuming the run…")
        p.start()
        if p.processId() > 0:  # known as start() returns: recorded before any other window can look
            self._record_process()

    def _record_process(self) -> None:
        """The run's process id in its run.json: another window then neither offers the run
        for resuming nor lets it be discarded while this process trains (RunPlan.process_alive)."""
        if self.plan is not None and self.proc is not None and self.plan.pid != int(self.proc.processId()):
            self.plan.pid, self.plan.host = int(self.proc.processId()), socket.gethostname()
            self._save_plan()

    def pause(self) -> bool:
        if self.state != "running" or not CAN_PAUSE or self.proc is None:
            return False
        os.kill(int(self.proc.processId()), signal.SIGSTOP)
        self._set_state("paused")
        self.statusMessage.emit("The run keeps its place; Resume continues it.")  # the time line says "Paused."
        return True

    def resume(self) -> bool:
        if self.state != "paused" or self.proc is None:
            return False
        os.kill(int(self.proc.processId()), signal.SIGCONT)
        self._set_state("running")
        self.statusMessage.emit("Training…")
        return True

    def cancel(self) -> None:
        """Stop the run; it keeps its resume state. The active model is not touched."""
        if self.state in ("starting", "running", "paused") and self.proc is not None:
            was = self.state
            self._set_state("cancelling")
            self.statusMessage.emit("Stopping the run (it saves its state to resume later)…")
            pid = int(self.proc.processId())
            if pid > 0 and hasattr(signal, "SIGINT"):
                if was == "paused":
                    os.kill(pid, signal.SIGCONT)
                try:
                    os.kill(pid, signal.SIGINT)
                except OSError:
                    pass
                self._kill_timer.start(CANCEL_GRACE_MS)
            else:
                self.proc.kill()
        elif self.state == "evaluating" and self.eval_proc is not None:
            self.eval_proc.kill()  # the figures fall back to what is known

    def shutdown(self, wait_ms: int = 3000) -> None:
        """Stop everything now (the window is closing): no process is left behind."""
        self._shutting_down = True
        self._kill_timer.stop()
        for p in (self.proc, self.eval_proc):
            if p is None or p.state() == QProcess.ProcessState.NotRunning:
                continue
            pid = int(p.processId())
            try:
                if CAN_PAUSE and pid > 0:
                    os.kill(pid, signal.SIGCONT)
                if pid > 0 and p is self.proc:
                    if self.state in ("starting", "running", "paused"):
                        self.state = "cancelling"  # its exit (130) while we wait is a cancel, not a failure
                    os.kill(pid, signal.SIGINT)  # a chance to save the resume state
            except OSError:
                pass
            if not p.waitForFinished(wait_ms):
                p.kill()
                p.waitForFinished(2000)
        if self.plan is not None and self.state in ("starting", "running", "paused", "cancelling"):
            # "cancelled" only once the process is known to be gone: one that outlived the kill
            # may still write its folder, so the run stays recorded as running (never removed)
            if self._process_gone():
                self.plan.status = "cancelled"
                self._save_plan()
                self._remove_if_nothing_saved() or self._remove_if_superseded()
        self.state = "idle"

    def _escalate(self) -> None:
        if self.proc is None or self.proc.state() == QProcess.ProcessState.NotRunning:
            return
        if not self._escalated:
            self._escalated = True
            self.proc.terminate()
            self._kill_timer.start(3000)
        else:
            self.proc.kill()

    # -- the training process -----------------------------------------------------------

    def _read_stdout(self) -> None:
        if self.proc is None:
            return
        self._out_buf += bytes(self.proc.readAllStandardOutput())
        *lines, self._out_buf = self._out_buf.split(b"\n")
        for raw in lines:
            line = raw.decode("utf-8", "replace").strip()
            if not line:
                continue
            try:
                ev = json.loads(line)
            except ValueError:
                self._keep_err(line)
                continue
            if isinstance(ev, dict) and "kind" in ev:
                self._handle(ev)

    def _read_stderr(self) -> None:
        if self.proc is None:
            return
        self._err_buf += bytes(self.proc.readAllStandardError())
        *lines, self._err_buf = self._err_buf.split(b"\n")
        for raw in lines:
            self._keep_err(raw.decode("utf-8", "replace").rstrip())

    def _keep_err(self, line: str) -> None:
        if line:
            self.stderr_tail = (self.stderr_tail + [line])[-STDERR_KEEP:]

    def _handle(self, ev: dict) -> None:
        kind = ev["kind"]
        if kind == "progress":
            self.last_progress = ev
            if self.state == "starting":
                self._set_state("running")
        elif kind == "status":
            self.statusMessage.emit(str(ev.get("message", "")).capitalize())
        elif kind == "eval":
            self.evals.append(ev)
        elif kind == "checkpoint":  # the state a resume goes on from: its step, not the last one shown
            if self.plan is not None:
                self.plan.steps_done = int(ev.get("step", self.plan.steps_done))
            self._save_plan()
            if not ev.get("on_stop") and self.plan is not None:  # a state saved as the run stops (cancel, failure) is no progress
                self.tidier.remove_replaced(self.plan, int(ev.get("step", 0)))
        elif kind == "done":
            self.done_event = ev
        self.runEvent.emit(ev)

    def _process_error(self, err) -> None:
        if err == QProcess.ProcessError.FailedToStart:
            self._fail(f"The training process could not be started ({self.proc.errorString() if self.proc else err}).")

    def _train_finished(self, code: int, status) -> None:
        self._kill_timer.stop()
        self._read_stdout()
        self._read_stderr()
        if self.state in ("failed", "idle"):
            return
        if self.done_event is not None and code == 0:
            if not self._shutting_down:
                self._evaluate()
            return
        if self.state == "cancelling":
            if self.plan is not None:
                self.plan.status = "cancelled"
                self._save_plan()
            self._set_state("cancelled")
            # before its first progress line (still loading data) a resumed run is where it was saved
            step = self.last_progress["step"] if self.last_progress else (self.plan.steps_done if self.plan is not None else 0)
            state = self.plan is not None and (self.plan.dir / "state.pt").exists()
            saved = self.plan.steps_done if self.plan is not None else 0
            older = self._remove_if_superseded() if state else None
            if not state:
                more = " It had saved nothing to resume from, so its folder was removed." if self._remove_if_nothing_saved() else ""
            elif older is not None:
                more = (f" It stopped before its first save point, so it was removed: the earlier run from {older.created}"
                        f" (saved at step {older.steps_done}) is offered to resume again.")
            elif saved >= step:
                more = " The run can be resumed."
            else:  # the process ended before it saved where it was
                more = f" The run can be resumed from step {saved}, where it last saved its state."
            self.statusMessage.emit(f"Cancelled at step {step}. The active model is unchanged." + more)
            self.cancelled.emit()
            return
        if status == QProcess.ExitStatus.CrashExit:
            msg = "The training process stopped unexpectedly (it was killed — perhaps it ran out of memory)."
        else:
            msg = f"The training process failed (exit code {code})."
        detail = _error_line(self.stderr_tail)
        self._fail(msg + (f"\n{detail}" if detail else "") + "\nThe window and the active model are not affected.")

    def _fail(self, message: str) -> None:
        if self.plan is not None:
            self.plan.status = "failed"
            self._save_plan()
            self._remove_if_nothing_saved() or self._remove_if_superseded()
        self._set_state("failed")
        # the message itself goes to `failed` (the panel's banner); the status line only says
        # that the run ended, so the person reads it once, not twice
        self.statusMessage.emit("The run failed.")
        self.failed.emit(message)

    def _process_gone(self) -> bool:
        return self.proc is None or self.proc.state() == QProcess.ProcessState.NotRunning

    def _remove_if_nothing_saved(self) -> bool:
        """A run that ended before it saved a state: its folder goes, once its process is gone."""
        return self.plan is not None and self._process_gone() and self.tidier.remove_if_nothing_saved(self.plan)

    def _remove_if_superseded(self) -> RunPlan | None:
        """A fresh run stopped before its first periodic state gives way to an older resumable
        run of its kind (RunTidier.remove_if_superseded), once its process is gone."""
        return self.tidier.remove_if_superseded(self.plan) if self.plan is not None and self._process_gone() else None

    def _save_plan(self) -> None:
        """Record the run's status; a full or read-only disk is said once, not raised: the
        run and its files go on, only a restart would show an older status."""
        if self.tidier.removed:  # saving would make the removed folder again
            return
        try:
            if self.plan is not None:
                self.plan.save()
                self._plan_save_failed = False
        except OSError as exc:
            if not self._plan_save_failed:
                self.statusMessage.emit(f"Could not record the run's status ({exc.strerror or exc}); the run goes on.")
            self._plan_save_failed = True

    # -- the before/after figures ---------------------------------------------------------

    def _evaluate(self) -> None:
        plan = self.plan
        assert plan is not None and self.done_event is not None
        best_path = self.done_event.get("best_path") or str(plan.dir / "best.pt")
        if not Path(best_path).exists():
            best_path = str(plan.dir / "last.pt")
        self.result = {
            "best_path": best_path,
            "steps": self.done_event.get("steps"),
            "finished": self.done_event.get("finished", True),
            "after": {k: v for k, v in (self.done_event.get("best") or {}).items() if k in ("n", "cer", "wer", "exact")},
            "before": dict(plan.base_figures) if plan.base_figures else None,
            "before_source": "stored" if plan.base_figures else "none",
        }
        plan.status = "finished"
        plan.steps_done = int(self.done_event.get("steps") or plan.steps_done)  # its record says where it ended
        self._save_plan()
        models = [m for m in (plan.base_model, best_path) if m]
        self._set_state("evaluating")
        self.statusMessage.emit("Training done. Scoring the previous model on the same validation data…" if plan.base_model else "Training done. Scoring the new model…")
        p = QProcess(self)
        p.setProgram(sys.executable)
        args = ["-m", "recognizers", "score-run", "--config", str(plan.config_path), "--json", str(plan.dir / "figures.json"), "--device", self.device]
        for m in models:
            args += ["--model", str(m)]
        p.setArguments(args)
        p.setWorkingDirectory(str(plan.dir))
        p.setProcessEnvironment(python_env())
        p.finished.connect(lambda code, status: self._eval_finished(p, code))
        p.errorOccurred.connect(lambda err: self._eval_finished(p, -1) if err == QProcess.ProcessError.FailedToStart else None)
        self.eval_proc = p
        p.start()

    def _eval_finished(self, p: QProcess, code: int) -> None:
        if self.state != "evaluating" or p is not self.eval_proc:
            return
        res = self.result or {}
        plan = self.plan
        figures: dict = {}
        try:
            figures = json.loads((plan.dir / "figures.json").read_text(encoding="utf-8")).get("models", {}) if plan else {}
        except (OSError, ValueError):
            figures = {}
        after = figures.get(res.get("best_path", ""))
        if after and "error" not in after:
            res["after"] = after
        if plan is not None and plan.base_model:
            before = figures.get(plan.base_model)
            if before and "error" not in before:
                res["before"], res["before_source"] = before, "measured"
            elif before:
                res["before_error"] = before["error"]
        self.result = res
        self._set_state("finished")
        self.statusMessage.emit("Done. Compare the figures, then use the new model or discard it.")
        self.finished.emit(res)

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.stateChanged.emit(state)


def _error_line(lines: list[str]) -> str:
    """The most telling line of a failed run's stderr: its `error:` line or the exception."""
    for line in reversed(lines):
        if line.startswith("error:"):
            return line
    for line in reversed(lines):
        s = line.strip()
        if s and not s.startswith(("File ", "^", "~")) and ("Error" in s or "Exception" in s or ":" in s):
            return s
    return lines[-1].strip() if lines else ""


def _let_children_be_interrupted() -> None:
    """A process started with SIGINT ignored (a background job) passes that on to its
    children, and the run could then not save its state on cancel: restore the default."""
    if hasattr(signal, "SIGINT"):
        try:
            if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
                signal.signal(signal.SIGINT, signal.default_int_handler)
        except (ValueError, OSError):  # not the main thread
            pass
