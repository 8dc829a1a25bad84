"""Training faults found before the work, not after it: signals, the output folder, resume
state and option types. Qt-free; the CLI (which the settings panel runs as a subprocess)
calls these around ``train``.

- SIGINT and SIGTERM get explicit handlers (a shell that starts a job in the background
  ignores SIGINT for it; Python then installs no KeyboardInterrupt, and Ctrl-C and the
  app's cancel did nothing): the first signal asks the run to stop at its next step, which
  saves the resume state; a second one interrupts at once (the state is still saved).
- The output folder is checked for writing and free space before any data is loaded, and
  the temporary files of an interrupted save are removed.
- ``--resume`` needs a readable ``state.pt``: none, or a damaged one, is a clear error.
"""

from __future__ import annotations

import dataclasses
import errno
import logging
import os
import shutil
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

MIN_FREE_BYTES = 256 << 20  # a resume state, two models and a temporary copy, with room to spare
STATE_KEYS = ("model", "optimizer", "step", "best", "samples_seen", "train_time")


class TrainingFault(ValueError):
    """A problem with how a run was asked for, found before training; one line for the person."""


class StopRequested(KeyboardInterrupt):
    """Raised (through the progress callback) after SIGINT or SIGTERM: the run saves its state.

    A KeyboardInterrupt, so every layer that already treats Ctrl-C as "stop and keep the
    work" does the same here."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class StopSignals:
    """Explicit SIGINT/SIGTERM handlers for the life of a run (main thread only)."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self._old: dict[int, object] = {}

    def _handle(self, signum, frame) -> None:  # noqa: ARG002
        if self.signum is not None and not _held:  # a second signal: stop now (the loop still saves its state)
            raise StopRequested(signum)
        self.signum = self.signum or signum  # inside a step (or a save), a second one waits for its end too

    def install(self) -> "StopSignals":
        if threading.current_thread() is threading.main_thread():
            for s in (signal.SIGINT, signal.SIGTERM):
                self._old[s] = signal.signal(s, self._handle)  # replaces SIG_IGN too
        return self

    def restore(self) -> None:
        for s, h in self._old.items():
            signal.signal(s, h)
        self._old.clear()

    def check(self) -> None:
        """Raise StopRequested when a signal has come (call between steps)."""
        if self.signum is not None:
            raise StopRequested(self.signum)

    def wrap(self, callback: Callable[[dict], None]) -> Callable[[dict], None]:
        """The training callback, raising StopRequested at the first event after a signal
        (the loop calls it after every step, then saves its state and re-raises)."""

        def cb(ev: dict) -> None:
            callback(ev)
            self.check()

        return cb


_held = 0  # how many `signals_held` blocks are open: the handler then only records


@contextmanager
def signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM may not cut the body short: a training step, or the save of its state.

    A stop signal landing in the middle of a step's forward or backward pass aborted the
    process now and then with a corrupted heap ("corrupted size vs. prev_size", a tester's
    Cancel: 4 of 8 tries, and nothing saved). Inside the body the signals are blocked in the
    main thread, so the kernel never interrupts it there (one then goes to another thread, or
    waits until the body ends), and the handler, which Python may still run inside the body,
    only records a signal, never raises: the stop comes at the step's end, where the run
    checks for it. With the steps held, the same test stopped cleanly 8 times of 8."""
    global _held
    block = hasattr(signal, "pthread_sigmask") and threading.current_thread() is threading.main_thread()
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM}) if block else None
    _held += 1
    try:
        yield
    finally:
        if old is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)  # a waiting signal is handled here, still held
        _held -= 1


@contextmanager
def stop_on_signals() -> Iterator[StopSignals]:
    s = StopSignals().install()
    try:
        yield s
    finally:
        s.restore()


def _probe_write(folder: Path, n_bytes: int) -> None:
    probe = folder / f".write-probe-{os.getpid()}.tmp"
    try:
        with open(probe, "wb") as fh:
            fh.write(b"\0" * n_bytes)
            fh.flush()
            os.fsync(fh.fileno())
    finally:
        try:
            probe.unlink()
        except OSError:
            pass


def check_output_dir(out: str | os.PathLike, need_bytes: int = MIN_FREE_BYTES) -> list[Path]:
    """Make sure the run can write its results: the folder is created, written to (1 MB,
    synced) and has `need_bytes` free. Removes the temporary files an interrupted save left
    (``.state.pt.*.tmp``, ``.best.pt.*.tmp``...); returns those it removed."""
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        _probe_write(out, 1 << 20)
    except OSError as exc:
        why = "the disk is full" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else (exc.strerror or str(exc))
        raise TrainingFault(f"cannot write to the output folder {out}: {why}; choose another with --out") from None
    free = shutil.disk_usage(out).free
    if free < need_bytes:
        raise TrainingFault(f"the output folder {out} has {free >> 20} MB free; a run needs at least {need_bytes >> 20} MB (free some space or choose another with --out)")
    removed = []
    for f in out.glob(".*.tmp"):
        try:
            f.unlink()
            removed.append(f)
        except OSError:
            pass
    return removed


def check_resume_state(out: str | os.PathLike) -> Path:
    """The readable resume state of a run in `out`, or TrainingFault saying why not."""
    import torch

    p = Path(out) / "state.pt"
    if not p.is_file():
        raise TrainingFault(f"--resume: there is no saved state in {Path(out)} (state.pt); start without --resume")
    try:
        st = torch.load(p, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - torch raises many types for a damaged file
        raise TrainingFault(f"--resume: {p} is damaged ({exc.__class__.__name__}); delete it or move it away and start again without --resume") from None
    if not isinstance(st, dict) or any(k not in st for k in STATE_KEYS):
        raise TrainingFault(f"--resume: {p} is not a Scrivox training state; delete it or move it away and start again without --resume")
    return p


def check_device(name: str) -> str:
    """A device name a run can use: auto, cpu, cuda or cuda:N (N an existing device)."""
    import torch

    if name in ("auto", "cpu"):
        return name
    try:
        dev = torch.device(name)
    except (RuntimeError, ValueError):
        raise TrainingFault(f"--device {name!r}: not a device (use auto, cpu, cuda or cuda:N)") from None
    if dev.type == "cuda":
        n = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if n == 0:
            raise TrainingFault(f"--device {name}: no CUDA device is available here (use cpu or auto)")
        if dev.index is not None and dev.index >= n:
            raise TrainingFault(f"--device {name}: there {'is' if n == 1 else 'are'} only {n} CUDA device(s) (cuda:0{'' if n == 1 else f'..cuda:{n - 1}'})")
        return name
    if dev.type != "cpu":
        raise TrainingFault(f"--device {name!r}: Scrivox trains on cpu or cuda")
    return name


_SIMPLE = {"int": int, "float": (int, float), "str": str, "bool": bool, "dict": dict}


def check_config_types(cls, d: dict) -> None:
    """Each value of `d` has the type its TrainConfig field declares (``--set total_steps=abc``
    is an error here, not a traceback an hour later)."""
    fields = {f.name: str(f.type) for f in dataclasses.fields(cls)}
    for key, value in d.items():
        t = fields.get(key)
        if t is None:
            continue
        optional = "None" in t
        base = t.replace("| None", "").replace("None |", "").strip()
        if value is None:
            if optional:
                continue
            raise TrainingFault(f"training option {key} cannot be empty (null)")
        if base.startswith("list"):
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
            want = "a list of strings"
        elif base in _SIMPLE:
            ok = isinstance(value, _SIMPLE[base]) and (base == "bool" or not isinstance(value, bool))
            want = {"int": "a whole number", "float": "a number", "str": "text", "bool": "true or false", "dict": "a table"}[base]
        else:
            continue
        if not ok:
            raise TrainingFault(f"training option {key}={value!r} must be {want}")
        if base in ("int", "float") and isinstance(value, float) and value != value:
            raise TrainingFault(f"training option {key} must be a number, not NaN")


class StatusLog(logging.Handler):
    """Forwards the data readers' warnings (damaged lines skipped, ...) to the run's callback
    as status events, so the terminal and the settings panel both show them."""

    def __init__(self, callback: Callable[[dict], None]) -> None:
        super().__init__(logging.WARNING)
        self.callback = callback

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.callback({"kind": "status", "message": record.getMessage()})
        except Exception:  # noqa: BLE001 - a status line must never stop a run
            pass


