"""Tidying up the app's run folders (Qt-free; the app calls it, app/training.py).

Each Start makes a run folder (a fine-tune's state and models: about 47 MB) and the panel
offers one run of a kind (modality and preset) to resume, so stopped runs would pile up.
Kept: the newest stopped run of each kind, which the panel offers. Removed: a run that ended
before it saved any state (nothing to resume from), and the older stopped runs of a kind once
a newer run of that kind has saved a periodic state (it has trained; not the state a run saves
as it stops, which a Cancel or a failure at step 0 also writes: app/training.py).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from recognizers.workspace.runs import RunPlan, find_runs

ENDED_STATUSES = ("cancelled", "failed")  # recorded by the app only once the run's process is gone


def _forms(p: str | os.PathLike) -> tuple[Path, Path]:
    """A path as written, made absolute (links kept), and resolved (links followed)."""
    return Path(os.path.abspath(p)), Path(p).resolve()


def _holds(folder: Path, paths: Iterable[str | os.PathLike]) -> bool:
    """Whether one of `paths` lies in `folder`, or `folder` in one of them, as written or with
    links followed (a link in the folder to a model elsewhere is as much in use as the model)."""
    try:
        roots = _forms(folder)
    except (OSError, ValueError, TypeError):
        return True
    for p in paths:
        try:
            for q in _forms(p):
                for root in roots:
                    if q.is_relative_to(root) or root.is_relative_to(q):
                        return True
        except (OSError, ValueError, TypeError):
            return True  # a path that cannot be told apart is kept safe
    return False


def in_runs_folder(run_dir: str | os.PathLike, runs_dir: str | os.PathLike) -> bool:
    """Whether `run_dir` lies directly in `runs_dir`, both as written and with links followed."""
    try:
        (d_abs, d_real), (r_abs, r_real) = _forms(run_dir), _forms(runs_dir)
    except (OSError, ValueError, TypeError):
        return False
    return d_abs.parent == r_abs and d_real.parent == r_real


def removable_run(run_dir: str | os.PathLike, runs_dir: str | os.PathLike, keep: Iterable[str | os.PathLike] = ()) -> RunPlan | None:
    """The run in `run_dir` if its folder may be deleted, else None: a real folder directly in
    `runs_dir`, as written and with links followed (never a link, never anything else), whose run.json, read again now, says that
    it ended (cancelled or failed: a process that still writes there is "running"), and which
    holds none of the paths in `keep` (the models in use, the samples, files a run reads) and
    lies in none of them, again as written and with links followed."""
    d = Path(run_dir)
    try:
        if d.is_symlink() or not d.is_dir() or not in_runs_folder(d, runs_dir):
            return None
        plan = RunPlan.load(d)
    except (OSError, ValueError, TypeError):
        return None
    if plan.status not in ENDED_STATUSES or _holds(d, keep):
        return None
    return plan


def remove_run(run_dir: str | os.PathLike, runs_dir: str | os.PathLike, keep: Iterable[str | os.PathLike] = ()) -> bool:
    """Delete a run's folder if `removable_run` allows it; True when it is gone."""
    if removable_run(run_dir, runs_dir, keep) is None:
        return False
    shutil.rmtree(run_dir, ignore_errors=True)
    return not Path(run_dir).exists()


def remove_if_nothing_saved(run_dir: str | os.PathLike, runs_dir: str | os.PathLike, keep: Iterable[str | os.PathLike] = ()) -> bool:
    """A run that ended before it saved a state (``state.pt``) can never be resumed: delete it.
    Call once its process has ended. True when its folder is gone."""
    if (Path(run_dir) / "state.pt").exists():
        return False
    return remove_run(run_dir, runs_dir, keep)


def remove_replaced_runs(current: RunPlan, runs_dir: str | os.PathLike, keep: Iterable[str | os.PathLike] = ()) -> list[RunPlan]:
    """Delete the stopped runs of `current`'s kind (modality and preset) older than it: call
    once `current` has saved a periodic state (it has trained), when it is the run of that kind
    to resume. Runs of other
    kinds stay (a cancelled full training is not replaced by a quick fine-tune). The runs
    removed, oldest last."""
    keep = list(keep)
    return [p for p in _older_of_kind(current, runs_dir) if remove_run(p.dir, runs_dir, keep)]


def older_resumable_run(current: RunPlan, runs_dir: str | os.PathLike) -> RunPlan | None:
    """The newest run of `current`'s kind (modality and preset) created before it that can be
    resumed, or None. A fresh run that stops before its first periodic state gives way to it
    (`remove_if_superseded`): its few steps are not worth hiding an older run's training."""
    return next((p for p in _older_of_kind(current, runs_dir) if p.resumable), None)


def _older_of_kind(current: RunPlan, runs_dir: str | os.PathLike) -> list[RunPlan]:
    """The runs of `current`'s kind (modality and preset) created before it, newest first."""
    me = (current.created, Path(current.run_dir).name)
    return [p for p in find_runs(runs_dir)
            if (p.modality, p.preset) == (current.modality, current.preset) and (p.created, p.dir.name) < me]


def config_paths(config: dict) -> list[str]:
    """The files a run's configuration reads: the model it starts from and its data files
    (what follows a spec's colon; for a spec without a path, a harmless name)."""
    out = [config["init_from"]] if config.get("init_from") else []
    specs = list(config.get("data") or []) + list(config.get("val_data") or []) + list(config.get("replay_data") or [])
    return out + [str(s).partition(":")[2] for s in specs if str(s).partition(":")[2]]


@dataclass
class RunTidier:
    """The tidying around the one run a window trains (app/training.py tells it what happened,
    each call once the run's process is gone or at a periodic save). Nothing is removed until
    `runs_dir` and `keep_paths` are set (the panel sets both), nor around a run outside that
    folder; kept as well, the model a run started from or is compared with (its `base_model`)."""

    runs_dir: Callable[[], str | os.PathLike] | None = None  # where the app keeps its runs
    keep_paths: Callable[[], list[str]] | None = None  # what no removal may touch: models in use, samples
    resumed: bool = False  # this run went on from a saved state (never removed as superseded)
    replaced_done: bool = False  # older runs of this kind removed (once this run saved a periodic state)
    removed: bool = False  # this run's folder removed: nothing may write it again

    def begin(self, resumed: bool) -> None:
        self.resumed, self.replaced_done, self.removed = resumed, False, False

    def scope(self, plan: RunPlan) -> tuple[Path, list[str]] | None:
        """(the runs folder, the paths no removal may touch) around `plan`, or None: nothing
        may be removed."""
        if self.runs_dir is None or self.keep_paths is None:
            return None
        runs = Path(self.runs_dir())
        if not in_runs_folder(plan.dir, runs):
            return None
        return runs, list(self.keep_paths()) + ([str(plan.base_model)] if plan.base_model else [])

    def remove_if_nothing_saved(self, plan: RunPlan) -> bool:
        """A run that ended before it saved a state can never be resumed: its folder goes."""
        scope = None if self.removed else self.scope(plan)
        if scope is not None:
            self.removed = remove_if_nothing_saved(plan.dir, *scope)
        return self.removed and scope is not None

    def remove_if_superseded(self, plan: RunPlan) -> RunPlan | None:
        """A fresh run that stopped (cancelled or failed) before its first periodic state, when an
        older run of its kind can be resumed: its folder goes, so that the older run, not these
        few steps, is the one offered (resuming this one would replace the older run's training).
        The older run, or None when nothing was removed."""
        scope = None if (self.removed or self.resumed or self.replaced_done) else self.scope(plan)
        if scope is None:
            return None
        runs, keep = scope
        try:
            older = older_resumable_run(plan, runs)
            if older is None or not remove_run(plan.dir, runs, keep + config_paths(plan.config)):
                return None
        except OSError:  # tidying is never worth failing over
            return None
        self.removed = True
        return older

    def remove_replaced(self, plan: RunPlan, step: int) -> None:
        """Once a run has saved a periodic state (past step 0: it has trained) it is the one of
        its kind to resume: the older stopped runs of that kind go. Never on the state a run saves
        as it stops: a Start by mistake then Cancel, or a first-batch failure, must not cost an
        older run its hours of training."""
        if self.replaced_done or step <= 0 or not (plan.dir / "state.pt").exists():
            return
        scope = self.scope(plan)
        if scope is None:
            return
        self.replaced_done = True
        runs, keep = scope
        try:
            # nor the files this run reads (a model or data an older run's folder holds)
            remove_replaced_runs(plan, runs, keep + config_paths(plan.config))
        except OSError:  # tidying is never worth failing a run for
            pass
