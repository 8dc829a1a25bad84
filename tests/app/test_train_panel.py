"""Training from the settings panel: a real (tiny) run in a separate process.

The runs use the tiny-handwriting preset (a small model, one torch thread) on ink the test
writes with tests/recognizers/inkgen.py, cut to a few dozen steps, so each takes seconds.
"""

from __future__ import annotations

import html
import json
import os
import sys

import pytest
from PySide6.QtCore import QProcess, Qt

from recognizers.workspace.registry import ModelRegistry
from recognizers.workspace.runs import RunPlan
from recognizers.ink import write_ink_jsonl
from tests.recognizers.inkgen import make_samples



@pytest.fixture
def ink_file(tmp_path):
    p = tmp_path / "ink.jsonl"
    write_ink_jsonl(p, make_samples(60, seed=1))
    return p


def tiny_run_form(win, ink_file, steps: int):
    d = win.show_settings(tab="Training")
    tp = d.training
    tp.set_modality("handwriting")
    tp.set_preset("tiny")
    tp.form.synth_check.setChecked(False)
    tp.form.mine_check.setChecked(False)
    tp.form.dataset_edit.setText(str(ink_file))
    tp.form.steps_spin.setValue(steps)
    return d, tp


def stopped_run(win, ink_file, qtbot, steps: int):
    """The Training panel after a tiny run of `steps` started from its form was cancelled past
    its fifth step (its state saved there)."""
    _, tp = tiny_run_form(win, ink_file, steps=steps)
    assert tp.start_from_form()
    assert tp.form_scroll.isVisibleTo(tp)  # the form shows the run it started
    qtbot.waitUntil(lambda: tp.proc.last_progress is not None and tp.proc.last_progress["step"] >= 5, timeout=60_000)
    with qtbot.waitSignal(tp.proc.cancelled, timeout=30_000):
        tp.proc.cancel()
    return tp


def not_running(p: QProcess | None) -> bool:
    return p is None or p.state() == QProcess.ProcessState.NotRunning


def test_train_tiny_run_from_the_panel_becomes_active(make_window, standin_models, user_dirs, ink_file, qtbot):
    win = make_window(handwriting_model=standin_models["handwriting"], data_dir=user_dirs)
    d, tp = tiny_run_form(win, ink_file, steps=30)
    events: list[dict] = []
    tp.proc.runEvent.connect(events.append)
    with qtbot.waitSignal(tp.proc.finished, timeout=120_000) as done:
        qtbot.mouseClick(tp.start_button, Qt.MouseButton.LeftButton)
        assert tp.proc.state in ("starting", "running")
        assert not tp.start_button.isEnabled() and tp.cancel_button.isEnabled()
    result = done.args[0]
    kinds = {e["kind"] for e in events}
    assert {"progress", "eval", "done"} <= kinds
    assert tp.progress.value() == tp.progress.maximum() == 30
    assert tp.plot.loss and tp.plot.val  # the live plot got the loss and the validation figures
    plan = tp.plan
    assert plan.config["total_steps"] == 30 and plan.config["data"][0].startswith("ink:")
    # validation: 1 in 10 of the file, held out of training; before and after measured on it
    assert result["after"]["n"] == 6
    assert result["before_source"] == "measured" and result["before"]["n"] == 6
    assert tp.result_box.isVisible() and "Before" in tp.result_label.text()
    assert not_running(tp.proc.proc) and not_running(tp.proc.eval_proc)

    old_path = win.hw_worker.recognizer.path
    with qtbot.waitSignal(win.hw_worker.loaded, timeout=30_000):
        qtbot.mouseClick(tp.use_button, Qt.MouseButton.LeftButton)
    reg = ModelRegistry(user_dirs / "models")  # a new object reads what a restart would
    active = reg.active("handwriting")
    assert active.origin == "trained" and active.figures["n"] == 6
    assert active.path.startswith(str(user_dirs / "models" / "handwriting"))
    assert win.model_paths["handwriting"] == active.path != old_path
    assert win.hw_worker.recognizer.path == active.path
    assert win.model_status["handwriting"].startswith(plan.config["name"])
    assert not (plan.dir / "state.pt").exists()  # the run's files are tidied away
    # the previous model stays and can be restored
    d.tabs.setCurrentIndex(0)
    lst = d.model_lists["handwriting"]
    assert any(e.id == active.id for e in lst.entries)
    if reg.previous("handwriting") is not None:
        assert lst.restore_button.isEnabled()


def test_train_cancel_stops_the_run_and_keeps_the_active_model(make_window, standin_models, user_dirs, ink_file, qtbot, monkeypatch):
    win = make_window(handwriting_model=standin_models["handwriting"], data_dir=user_dirs)
    before_id = ModelRegistry(user_dirs / "models").active_id("handwriting")
    before_path = win.hw_worker.recognizer.path
    d, tp = tiny_run_form(win, ink_file, steps=100_000)
    assert tp.start_from_form()
    # the process is recorded as it starts, before any other window could look at the run
    assert RunPlan.load(tp.plan.dir).pid == int(tp.proc.proc.processId()) > 0
    qtbot.waitUntil(lambda: tp.proc.last_progress is not None, timeout=60_000)
    # while it lives, another window neither offers nor removes this run
    live = RunPlan.load(tp.plan.dir)
    assert live.process_alive() and not live.resumable

    # pause: the process is stopped, no step is made; resume: it goes on
    assert tp.proc.pause() and tp.pause_button.text() == "Resume"
    qtbot.wait(300)
    step = tp.proc.last_progress["step"]
    qtbot.wait(700)
    assert tp.proc.last_progress["step"] == step
    qtbot.mouseClick(tp.pause_button, Qt.MouseButton.LeftButton)
    assert tp.proc.state == "running"
    qtbot.waitUntil(lambda: tp.proc.last_progress["step"] > step, timeout=30_000)

    with qtbot.waitSignal(tp.proc.cancelled, timeout=30_000):
        qtbot.mouseClick(tp.cancel_button, Qt.MouseButton.LeftButton)
    assert not_running(tp.proc.proc)
    assert tp.proc.state == "cancelled" and tp.start_button.isEnabled()
    plan = tp.plan
    assert (plan.dir / "state.pt").exists()  # saved at the step it was at: resumable
    import torch

    saved = torch.load(plan.dir / "state.pt", weights_only=True)["step"]
    assert plan.steps_done == saved  # the step a resume goes on from, as the banner says
    assert f"saved its state at step {saved} of" in tp.resume_label.text()
    assert "Cancelled" in tp.status_label.text()
    assert "left" not in tp.time_label.text()  # no time left is promised for a stopped run
    assert tp.resume_frame.isVisible()
    # the active model is untouched, in the registry and in the window
    assert ModelRegistry(user_dirs / "models").active_id("handwriting") == before_id
    assert win.hw_worker.recognizer.path == before_path
    assert not list((user_dirs / "models").glob("handwriting/*.pt"))
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Discard))  # asked first
    assert tp.plot.loss and "step" in tp.progress.format()
    tp.discard_interrupted()
    assert not plan.dir.exists() and not tp.resume_frame.isVisible()
    assert not tp.plot.loss and "step" not in tp.progress.format()  # the discarded run's progress and plot go too


def test_closing_the_window_mid_run_saves_the_state_and_records_a_cancel(make_window, standin_models, user_dirs, ink_file, qtbot):
    """A tester closed the window while a run trained: run.json then said "failed", since the
    run's exit on the closing window's SIGINT (130) was taken for a failure."""

    win = make_window(handwriting_model=standin_models["handwriting"], data_dir=user_dirs)
    d, tp = tiny_run_form(win, ink_file, steps=100_000)
    assert tp.start_from_form()
    qtbot.waitUntil(lambda: tp.proc.last_progress is not None, timeout=60_000)
    plan = tp.plan
    tp.proc.shutdown(wait_ms=20_000)
    assert not_running(tp.proc.proc) and tp.proc.state == "idle"
    assert (plan.dir / "state.pt").exists()
    assert json.loads((plan.dir / "run.json").read_text())["status"] == "cancelled"


def test_train_personalization_fine_tunes_the_active_model(make_window, standin_models, user_dirs, qtbot):
    """Enrolment samples -> quick-finetune of the model in use (with synthetic replay) -> active."""
    from recognizers.workspace.enrol import enrolment_store

    win = make_window(handwriting_model=standin_models["handwriting"], data_dir=user_dirs)
    store = enrolment_store(win.store.root)
    for s in make_samples(14, seed=5):
        store.save_ink(s.strokes, s.label)
    d = win.show_settings(tab="Personalize")
    tp = d.training
    with qtbot.waitSignal(tp.proc.finished, timeout=120_000) as done:
        assert d.start_personalization("handwriting", total_steps=12)  # the preset's 300, cut for the test
        assert d.tabs.currentWidget() is tp
        assert not tp.form_scroll.isVisibleTo(tp)  # the form's preset and data are not this run's
    cfg = tp.plan.config
    assert tp.form_scroll.isVisibleTo(tp)  # back once it has ended, for the next run
    assert cfg["init_from"] == str(standin_models["handwriting"])
    assert cfg["lr"] == 2e-4 and cfg["holdout"] == []  # handwriting's own rate (QUICK_FINETUNE_LR)
    assert cfg["val_data"][0].endswith("enrol-val.jsonl") and cfg["data"][0].endswith("enrol-train.jsonl")
    result = done.args[0]
    n_val = sum(1 for ln in open(cfg["val_data"][0].split(":", 1)[1], encoding="utf-8") if ln.strip())
    assert 2 <= n_val <= 4  # about one in five held out (`enrol_split`)
    assert result["before_source"] == "measured" and result["before"]["n"] == result["after"]["n"] == n_val
    # the first try fails after the model was listed (a full disk when the choice is saved):
    # a message, and the retry lists it no second time
    reg = tp.ctx.registry
    real_activate = reg.activate

    def full_disk(*_a, **_k):
        raise OSError(28, "No space left on device")

    reg.activate = full_disk
    tp.use_new_model()
    assert "Could not use the new model" in tp.banner.text() and "No space" in tp.banner.text()
    reg.activate = real_activate
    with qtbot.waitSignal(win.hw_worker.loaded, timeout=30_000):
        tp.use_new_model()
    mine = [e for e in ModelRegistry(user_dirs / "models").entries("handwriting", read_info=False) if not e.builtin]
    assert len(mine) == 1
    active = ModelRegistry(user_dirs / "models").active("handwriting")
    assert active.origin == "fine-tuned" and win.hw_worker.recognizer.path == active.path
    assert active.figures_on == f"{n_val} of your own samples, held out"


def test_a_cancel_that_ends_before_the_save_names_the_step_a_resume_goes_on_from(qtbot, tmp_path):
    """A tester's run died on Cancel before saving; the panel still said "Cancelled at step
    116 ... can be resumed" while the state held step 100. The step of the saved state is what
    a resume goes on from (`checkpoint` events carry it), and the message says so."""

    from app.training import TrainingProcess
    from recognizers.workspace.runs import RunPlan

    plan = RunPlan(modality="handwriting", preset="quick-finetune", run_dir=str(tmp_path / "run"), config={"total_steps": 300})
    plan.save()
    (plan.dir / "state.pt").write_bytes(b"saved at step 100")
    tp = TrainingProcess()
    tp.plan, tp.state = plan, "cancelling"
    for ev in ({"kind": "progress", "step": 100}, {"kind": "checkpoint", "step": 100}, {"kind": "progress", "step": 116}):
        tp._handle(ev)
    said = []
    tp.statusMessage.connect(said.append)
    tp._train_finished(134, QProcess.ExitStatus.CrashExit)
    assert tp.state == "cancelled" and plan.steps_done == 100
    assert said[-1] == "Cancelled at step 116. The active model is unchanged. The run can be resumed from step 100, where it last saved its state."
    assert json.loads((plan.dir / "run.json").read_text())["steps_done"] == 100


def test_the_training_tab_counts_samples_saved_while_it_was_open(make_window, standin_models, user_dirs, qtbot):
    """A tester saved samples in the window with the settings open; the Training tab still
    counted only the enrolment ones. Coming back to the dialog counts them again."""
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    win = make_window(handwriting_model=standin_models["handwriting"], data_dir=user_dirs)
    d = win.show_settings(tab="Training")
    form = d.training.form
    assert "none yet" in form.mine_note.text() and not form.mine_check.isEnabled()
    win.store.save_ink(make_samples(1, seed=4)[0].strokes, "later")  # written in the window meanwhile
    d.activateWindow()
    qtbot.waitUntil(d.isActiveWindow, timeout=5_000)
    QApplication.sendEvent(d, QEvent(QEvent.Type.ActivationChange))
    assert form.mine_note.text().startswith("1 saved while using the app") and form.mine_check.isEnabled()


@pytest.mark.parametrize("spec,needle", [
    ("foo:bar", "not an ink data spec"),
    ("unipen:wrod", "no UNIPEN set 'wrod'"),
    ("ink:no/such/samples.jsonl", "no such file or folder"),
    ("synth-ink:many", "needs a number of samples"),
])
def test_an_invalid_dataset_spec_is_refused_once_before_any_process_starts(make_window, standin_models, user_dirs, ink_file, qtbot, spec, needle):
    """A tester typed a data spec the training command cannot read: the run's process started,
    failed, and its error was shown twice (status line and banner). The spec is now checked by
    the parser the run reads it with, before anything starts; one message says why."""
    win = make_window(handwriting_model=standin_models["handwriting"], data_dir=user_dirs)
    d, tp = tiny_run_form(win, ink_file, steps=5)
    tp.form.dataset_edit.setText(spec)
    assert not tp.start_from_form()
    assert tp.proc.proc is None and tp.proc.state == "idle" and tp.start_button.isEnabled()
    shown = [tp.status_label.text(), html.unescape(tp.banner.text())]  # the banner is rich text
    assert sum(t.count(needle) for t in shown) == 1, shown
    assert tp.banner.text().startswith("Cannot start:")
    assert not (user_dirs / "runs").exists() or not list((user_dirs / "runs").iterdir())  # no run folder left
    tp.set_preset("quick-finetune")  # a tester: the refusal outlived a change of preset
    assert tp.banner.isHidden() and tp.banner.text() == ""


def test_a_failure_the_run_reports_is_shown_once(make_window, standin_models, user_dirs, ink_file, qtbot, tmp_path):
    """The run's own error (here: its data file went away after the run was planned) is shown
    in the banner, and the status line only says that the run failed."""
    from recognizers.workspace.runs import RunPlan, recognizer_preset

    win = make_window(handwriting_model=standin_models["handwriting"], data_dir=user_dirs)
    d, tp = tiny_run_form(win, ink_file, steps=5)
    run_dir = user_dirs / "runs" / "handwriting-gone"
    cfg = {**recognizer_preset("handwriting", "tiny"), "data": [f"ink:{tmp_path / 'gone.jsonl'}"], "val_data": [f"ink:{ink_file}"], "out_dir": str(run_dir), "total_steps": 5}
    with qtbot.waitSignal(tp.proc.failed, timeout=60_000) as failed:
        tp.start_plan(RunPlan(modality="handwriting", preset="tiny", run_dir=str(run_dir), config=cfg))
    message = failed.args[0]
    assert "no such file or folder" in message
    first = message.splitlines()[0]
    assert first == "The training process failed (exit code 2)."
    shown = [tp.status_label.text(), html.unescape(tp.banner.text())]
    assert sum(t.count(first) for t in shown) == 1 and "no such file or folder" in shown[1], shown
    assert tp.status_label.text() == "The run failed."
    assert not run_dir.exists()  # it saved nothing to resume from: its folder does not pile up


def test_stopped_runs_do_not_pile_up(make_window, standin_models, user_dirs, ink_file, qtbot):
    """A tester's cancelled fine-tunes each left a run folder (~47 MB) and only the newest was
    offered to resume. A run cancelled before it saved anything leaves no folder; once a new run
    of a kind saves its state, the older stopped runs of that kind go; other kinds, the active
    model and the samples stay, and each kept run can be offered."""
    import torch

    win = make_window(handwriting_model=standin_models["handwriting"], data_dir=user_dirs)
    runs = user_dirs / "runs"
    full = RunPlan(modality="handwriting", preset="full", run_dir=str(runs / "handwriting-20000101-000000"), config={"total_steps": 10_000}, status="cancelled", created="2000-01-01 00:00", steps_done=4000)
    full.save()
    (full.dir / "state.pt").write_bytes(b"hours of training")  # another kind: never replaced by a tiny run
    d, tp = tiny_run_form(win, ink_file, steps=100_000)
    samples_before = sorted(p.name for p in ink_file.parent.iterdir())

    # cancelled before it saved anything: its folder goes
    assert tp.start_from_form()
    first = tp.plan
    qtbot.waitUntil(lambda: tp.proc.proc.processId() > 0, timeout=10_000)
    with qtbot.waitSignal(tp.proc.cancelled, timeout=30_000):
        tp.proc.cancel()
    assert not first.dir.exists() and "its folder was removed" in tp.status_label.text()

    def cancelled_run(periodic: bool = False):
        """A run cancelled after its first step (it saves its state as it stops), or once it
        has saved a periodic state (`periodic`: it has trained)."""
        assert tp.start_from_form()
        plan = tp.plan
        saved: list[dict] = []
        tp.proc.runEvent.connect(saved.append)
        try:
            if periodic:
                qtbot.waitUntil(lambda: any(e["kind"] == "checkpoint" and not e.get("on_stop") for e in saved), timeout=120_000)
            else:
                qtbot.waitUntil(lambda: tp.proc.last_progress is not None, timeout=60_000)
            with qtbot.waitSignal(tp.proc.cancelled, timeout=30_000):
                tp.proc.cancel()
        finally:
            tp.proc.runEvent.disconnect(saved.append)
        assert (plan.dir / "state.pt").exists()
        return plan

    second = cancelled_run()
    assert tp._resumable.run_dir == second.run_dir and tp.resume_frame.isVisible()
    assert "replaces it once it has saved its own state" in tp.resume_label.text()
    # Start, not Resume, then Cancel before it saved a periodic state: the second run stays
    early = cancelled_run()
    assert (second.dir / "state.pt").exists() and tp._resumable.run_dir == early.run_dir
    third = cancelled_run(periodic=True)  # it replaces the older ones once it saved a periodic state
    assert not second.dir.exists() and not early.dir.exists()
    assert tp._resumable.run_dir == third.run_dir
    assert f"at step {torch.load(third.dir / 'state.pt', weights_only=True)['step']} of" in tp.resume_label.text()
    assert sorted(p.name for p in runs.iterdir()) == sorted([full.dir.name, third.dir.name])
    # the full training is offered when the form asks for one
    tp.set_preset("full")
    assert tp._resumable.run_dir == full.run_dir and "step 4000 of 10000" in tp.resume_label.text()
    tp.set_preset("tiny")
    assert tp._resumable.run_dir == third.run_dir
    # nothing else was touched
    assert win.hw_worker.recognizer.path == str(standin_models["handwriting"]) and standin_models["handwriting"].exists()
    assert ink_file.exists() and sorted(p.name for p in ink_file.parent.iterdir()) == samples_before


def test_a_resumed_runs_plot_shows_the_loss_from_the_first_step(make_window, standin_models, user_dirs, ink_file, qtbot):
    """A tester resumed a run and its loss plot started at the resumed step. The panel reads the
    run's loss log (loss.jsonl, written with each saved state) when it resumes."""
    win = make_window(handwriting_model=standin_models["handwriting"], data_dir=user_dirs)
    tp = stopped_run(win, ink_file, qtbot, steps=100_000)
    plan, live = tp.plan, list(tp.plot.loss)
    saved = plan.steps_done
    assert saved >= 5 and [s for s, _ in live][:saved] == list(range(1, saved + 1))
    assert tp._resumable.run_dir == plan.run_dir
    tp.resume_interrupted()
    # at once, before the process says anything: every step up to the saved state
    assert [s for s, _ in tp.plot.loss] == list(range(1, saved + 1))
    assert [v for _, v in tp.plot.loss] == pytest.approx([v for _, v in live[:saved]], rel=1e-5)
    qtbot.waitUntil(lambda: tp.proc.last_progress is not None and tp.proc.last_progress["step"] >= saved + 3, timeout=60_000)
    steps = [s for s, _ in tp.plot.loss]
    assert steps[:saved + 3] == list(range(1, saved + 4))  # then the resumed steps, none twice
    with qtbot.waitSignal(tp.proc.cancelled, timeout=30_000):
        tp.proc.cancel()


def test_a_resumed_run_says_the_steps_it_made_since(make_window, standin_models, user_dirs, ink_file, qtbot):
    """A tester's resumed run said "since it was resumed (80 steps)" where it had made 60 since:
    the time is since the resume, and now the steps are too."""
    win = make_window(handwriting_model=standin_models["handwriting"], data_dir=user_dirs)
    tp = stopped_run(win, ink_file, qtbot, steps=40)
    saved = tp.plan.steps_done
    assert 5 <= saved < 40
    with qtbot.waitSignal(tp.proc.finished, timeout=120_000):
        tp.resume_interrupted()
        assert not tp.form_scroll.isVisibleTo(tp)  # the form's numbers are not the resumed run's
    assert tp.form_scroll.isVisibleTo(tp)
    assert f"since it was resumed ({40 - saved} steps from step {saved}" in tp.time_label.text()
    assert json.loads((tp.plan.dir / "run.json").read_text())["steps_done"] == 40  # its record says where it ended


def _old_run_and_a_new_one(tmp_path):
    """An older stopped run with hours of training, and a new run of the same kind (a
    TrainingProcess watching it, as the panel's does)."""
    from app.training import TrainingProcess

    runs = tmp_path / "runs"
    old = RunPlan(modality="handwriting", preset="tiny", run_dir=str(runs / "handwriting-20261201-100000"), config={"total_steps": 20_000}, status="cancelled", created="2026-12-01 10:00", steps_done=15_000)
    old.save()
    (old.dir / "state.pt").write_bytes(b"5 hours of training")
    new = RunPlan(modality="handwriting", preset="tiny", run_dir=str(runs / "handwriting-20261201-150000"), config={"total_steps": 20_000}, status="running", created="2026-12-01 15:00")
    new.save()
    tp = TrainingProcess()
    tp.plan = new
    tp.tidier.runs_dir, tp.tidier.keep_paths = (lambda: runs), (lambda: [])  # as the panel sets them
    return runs, old, new, tp


def test_only_a_periodic_checkpoint_replaces_the_older_run_of_its_kind(qtbot, tmp_path):
    """A reviewer's probe: a new run's first `checkpoint` event removed the older resumable run
    of its kind, and the loop sends one as it stops (a Cancel, a failure), even at step 0. The
    state saved as a run stops (`on_stop`) never replaces anything; a periodic one does."""
    runs, old, new, tp = _old_run_and_a_new_one(tmp_path)
    (new.dir / "state.pt").write_bytes(b"step 0")  # what the stop-time save wrote
    for ev in ({"kind": "checkpoint", "step": 0, "on_stop": True}, {"kind": "checkpoint", "step": 0}, {"kind": "checkpoint", "step": 40, "on_stop": True}):
        tp._handle(ev)
        assert (old.dir / "state.pt").exists(), ev
    tp._handle({"kind": "checkpoint", "step": 75})  # saved as it went on: it has trained
    assert not old.dir.exists() and new.dir.exists()


@pytest.mark.slow
@pytest.mark.parametrize("how", ["cancel", "first-batch failure"])
def test_a_new_run_stopped_at_once_leaves_the_older_run_in_place(qtbot, tmp_path, ink_file, monkeypatch, how):
    """Start by mistake then Cancel, or a run whose first batch fails, deleted the older run of
    its kind (15,000 steps): the loop's stop-time save is marked `on_stop`, and the app keeps
    the older run. The real loop's events, as the app reads them."""
    import signal

    from recognizers.training import faults, loop
    from recognizers.training.presets import PRESETS

    runs, old, new, tp = _old_run_and_a_new_one(tmp_path)
    cfg = loop.TrainConfig.from_dict({**PRESETS["tiny-handwriting"], "data": [f"ink:{ink_file}"], "out_dir": str(new.dir), "threads": 1})
    events: list[dict] = []

    def callback(ev: dict) -> None:
        events.append(ev)
        tp._handle(ev)
        if how == "cancel" and ev["kind"] == "progress":
            raise faults.StopRequested(signal.SIGINT)  # a Cancel's SIGINT lands as the first step ends

    if how == "first-batch failure":
        def broken(*a, **k):
            raise RuntimeError("CUDA error: an illegal memory access was encountered")

        monkeypatch.setattr(loop.F, "ctc_loss", broken)
    with pytest.raises(faults.StopRequested if how == "cancel" else RuntimeError):
        loop.train(cfg, callback)
    assert (new.dir / "state.pt").exists() and events[-1]["kind"] == "checkpoint" and events[-1]["on_stop"] is True
    assert (old.dir / "state.pt").read_bytes() == b"5 hours of training"


def _panel_offering_a_stopped_run(make_window, standin_models, user_dirs):
    """The Training tab of a window whose runs folder holds a cancelled tiny run (saved at step
    75 of 300), with the form on that kind: (the panel, the run)."""
    win = make_window(handwriting_model=standin_models["handwriting"], data_dir=user_dirs)
    plan = RunPlan(modality="handwriting", preset="tiny", run_dir=str(user_dirs / "runs" / "handwriting-20261201-100000"), config={"total_steps": 300}, status="cancelled", created="2026-12-01 10:00", steps_done=75)
    plan.save()
    (plan.dir / "state.pt").write_bytes(b"state")
    tp = win.show_settings(tab="Training").training
    tp.set_modality("handwriting")
    tp.set_preset("tiny")
    return tp, plan


def test_resuming_a_run_whose_folder_is_gone_says_so(make_window, standin_models, user_dirs, qtbot):
    """A reviewer: when another window removed the offered run's folder, Resume raised
    FileNotFoundError inside the button's slot and nothing visible happened. It now says why,
    starts nothing and offers what is left."""
    import shutil

    tp, plan = _panel_offering_a_stopped_run(make_window, standin_models, user_dirs)
    assert tp.resume_frame.isVisible() and tp._resumable.run_dir == plan.run_dir
    assert "A new run of this kind (tiny run) replaces it" in tp.resume_label.text()  # the preset's name alone
    shutil.rmtree(plan.dir)  # another window's Discard
    qtbot.mouseClick(tp.resume_button, Qt.MouseButton.LeftButton)
    said = html.unescape(tp.banner.text())
    assert "Cannot resume the interrupted handwriting run from 2026-12-01 10:00" in said and plan.run_dir in said, said
    assert not tp.proc.busy and tp.proc.proc is None and not plan.dir.exists()
    assert tp._resumable is None and not tp.resume_frame.isVisible()


class _Unkillable:
    """A training process as QProcess shows it, which outlives its kill (or, `dies`, ends on it)."""

    def __init__(self, dies: bool = False) -> None:
        self.dies, self.alive = dies, True

    def state(self):
        return QProcess.ProcessState.Running if self.alive else QProcess.ProcessState.NotRunning

    def processId(self) -> int:
        return 0  # no real process to signal

    def waitForFinished(self, ms: int) -> bool:
        return not self.alive

    def kill(self) -> None:
        self.alive = not self.dies


@pytest.mark.parametrize("dies", [False, True])
def test_closing_the_window_records_cancelled_only_once_the_process_is_gone(qtbot, tmp_path, dies):
    """A reviewer: shutdown() recorded "cancelled" even when the kill failed and the process
    might still write; a run recorded as ended may be removed. It stays "running" then."""

    from app.training import TrainingProcess

    runs = tmp_path / "runs"
    plan = RunPlan(modality="handwriting", preset="tiny", run_dir=str(runs / "handwriting-20261201-100000"), config={"total_steps": 300}, status="running")
    plan.save()  # nothing saved yet: a run recorded as cancelled would have its folder removed
    tp = TrainingProcess()
    tp.tidier.runs_dir, tp.tidier.keep_paths = (lambda: runs), (lambda: [])
    tp.plan, tp.state, tp.proc = plan, "running", _Unkillable(dies)
    tp.shutdown(wait_ms=10)
    assert tp.state == "idle"
    if dies:
        assert not plan.dir.exists()  # cancelled with nothing to resume from: removed
    else:
        assert json.loads((plan.dir / "run.json").read_text())["status"] == "running"


def test_tidying_keeps_to_the_apps_runs_folder_and_what_the_panel_says_is_in_use(qtbot, tmp_path):
    """A reviewer: the run's own parent was passed as the runs folder (so "directly in runs/"
    always held), nothing was kept until the panel said what is in use, and a full run's
    "before" model was not kept. Nothing is removed until the panel has set the runs folder and
    the paths in use, nor around a run outside that folder; a full run keeps its base model."""
    from app.training import TrainingProcess

    # not told yet: nothing is removed, neither the older run nor a run that saved nothing
    runs, old, new, tp = _old_run_and_a_new_one(tmp_path / "a")
    tp.tidier.runs_dir = tp.tidier.keep_paths = None
    (new.dir / "state.pt").write_bytes(b"step 75")
    tp._handle({"kind": "checkpoint", "step": 75})
    assert (old.dir / "state.pt").exists()
    empty = RunPlan(modality="handwriting", preset="tiny", run_dir=str(runs / "handwriting-20261201-160000"), config={}, status="cancelled")
    empty.save()
    tp2 = TrainingProcess()
    tp2.plan = empty
    assert not tp2._remove_if_nothing_saved() and empty.dir.exists()
    tp2.tidier.runs_dir, tp2.tidier.keep_paths = (lambda: runs), (lambda: [])
    assert tp2._remove_if_nothing_saved() and not empty.dir.exists()

    # a run outside the app's runs folder tidies nothing where it is
    runs, old, new, tp = _old_run_and_a_new_one(tmp_path / "b")
    tp.tidier.runs_dir = lambda: tmp_path / "b" / "elsewhere"
    (new.dir / "state.pt").write_bytes(b"step 75")
    tp._handle({"kind": "checkpoint", "step": 75})
    assert (old.dir / "state.pt").exists()

    # a full run's "before" model in an older run's folder stays
    runs, old, new, tp = _old_run_and_a_new_one(tmp_path / "c")
    (old.dir / "best.pt").write_bytes(b"the model in use")
    new.preset = old.preset = "full"
    old.save()
    new.base_model = str(old.dir / "best.pt")
    (new.dir / "state.pt").write_bytes(b"step 75")
    tp._handle({"kind": "checkpoint", "step": 75})
    assert (old.dir / "best.pt").exists()


def test_a_run_training_in_another_window_is_neither_offered_nor_discarded(make_window, standin_models, user_dirs, qtbot):
    """A tester: a second window offered a run that the first was still training as
    "interrupted", and its Discard deleted the folder under the live process. A run records its
    process; while that process lives, other windows neither offer nor remove the run."""
    import socket
    import subprocess

    win = make_window(handwriting_model=standin_models["handwriting"], data_dir=user_dirs)
    runs = user_dirs / "runs"
    # a stand-in for the other window's training process: its command line as the app starts one
    plan = RunPlan(modality="handwriting", preset="tiny", run_dir=str(runs / "handwriting-20261201-100000"), config={"total_steps": 300},
                   status="running", created="2026-12-01 10:00", steps_done=100, host=socket.gethostname())
    plan.save()
    (plan.dir / "state.pt").write_bytes(b"state")
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "-m", "recognizers", "train", "handwriting"], cwd=plan.dir)
    elsewhere = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "-m", "recognizers", "train", "handwriting"], cwd=runs)
    try:
        # another run's training (the id reused after a crash) is not this run's process
        assert not RunPlan(**{**plan.__dict__, "pid": elsewhere.pid}).process_alive()
        plan.pid = live.pid
        plan.save()
        assert plan.process_alive() and not plan.resumable
        d = win.show_settings(tab="Training")
        tp = d.training
        tp.set_modality("handwriting")
        tp.set_preset("tiny")
        assert tp._resumable is None and not tp.resume_frame.isVisible()
        # offered before the other window resumed it: Resume and Discard read the run again and refuse
        tp._resumable = RunPlan.load(plan.dir)
        tp.resume_interrupted()
        assert not tp.proc.busy and tp.proc.proc is None
        assert "training in another window" in html.unescape(tp.banner.text())
        tp.banner.clear()
        tp._resumable = RunPlan.load(plan.dir)
        tp.discard_interrupted()
        assert plan.dir.is_dir() and (plan.dir / "state.pt").exists()
        assert "training in another window" in html.unescape(tp.banner.text())
    finally:
        for p in (live, elsewhere):
            p.kill()
            p.wait()
    # once that process is gone (a crashed window never recorded the end), the run is offered
    assert not plan.process_alive() and plan.resumable
    tp.refresh_resumable()
    assert tp._resumable is not None and tp._resumable.run_dir == plan.run_dir and tp.resume_frame.isVisible()
    # an id the system has since given to another program does not count as the run's process
    other = RunPlan.load(plan.dir)
    other.pid = os.getpid()  # this test's own process (its arguments may name tests/recognizers/...)
    assert not other.process_alive()


def test_a_banner_renders_its_escaped_quotes(qtbot):
    """A tester: "Cannot start: not an ink data spec: &#x27;foo:bar&#x27;": a message without
    a tag was shown as plain text, escapes and all. Banners are always rich text."""
    from PySide6.QtGui import QTextDocument

    from app.widgets import Banner

    b = Banner()
    qtbot.addWidget(b)
    b.show_message(f"Cannot start: {html.escape(repr('foo:bar'))}", "error")
    assert b.label.textFormat() == Qt.TextFormat.RichText
    doc = QTextDocument()
    doc.setHtml(b.label.text())
    assert doc.toPlainText() == "Cannot start: 'foo:bar'"


def test_a_resumed_run_cancelled_while_loading_names_the_step_it_was_saved_at(qtbot, tmp_path):
    """A tester: Cancel pressed while a resumed run (saved at step 150) still loaded its data
    said "Cancelled at step 0"; the run is where its state was saved."""
    from app.training import TrainingProcess

    plan = RunPlan(modality="handwriting", preset="tiny", run_dir=str(tmp_path / "run"), config={"total_steps": 300}, status="running", steps_done=150)
    plan.save()
    (plan.dir / "state.pt").write_bytes(b"saved at step 150")
    tp = TrainingProcess()
    tp.plan, tp.state = plan, "cancelling"  # no progress line yet
    said = []
    tp.statusMessage.connect(said.append)
    tp._train_finished(130, QProcess.ExitStatus.NormalExit)
    assert said[-1] == "Cancelled at step 150. The active model is unchanged. The run can be resumed."


def test_discarding_a_finished_result_offers_the_stopped_run_again(make_window, standin_models, user_dirs, qtbot):
    """A tester: after Discard on a finished fine-tune's result, the stopped run of that kind
    was offered only once the preset was changed."""
    tp, old = _panel_offering_a_stopped_run(make_window, standin_models, user_dirs)
    runs = user_dirs / "runs"
    done = RunPlan(modality="handwriting", preset="tiny", run_dir=str(runs / "handwriting-20261201-110000"), config={"total_steps": 300}, status="finished", created="2026-12-01 11:00", steps_done=300)
    done.save()
    tp.plan = done
    tp._resumable = None  # as it was while the finished run's result was shown
    tp.resume_frame.hide()
    tp.discard_new_model()
    assert not done.dir.exists()
    assert tp._resumable is not None and tp._resumable.run_dir == old.run_dir and tp.resume_frame.isVisible()


@pytest.mark.parametrize("resumed", [False, True])
def test_a_fresh_run_stopped_before_its_first_save_point_gives_way_to_the_older_run(qtbot, tmp_path, resumed):
    """A tester: a fresh run cancelled at step 9 hid an older run of its kind (step 109), and
    resuming the step-9 run would have replaced the older one. A fresh run that stops before its
    first periodic state is removed when an older run of its kind can be resumed, and the older
    one is offered again; a resumed run (it went on from a save) is always kept."""
    runs, old, new, tp = _old_run_and_a_new_one(tmp_path)
    tp.tidier.resumed = resumed
    tp.state = "cancelling"
    (new.dir / "state.pt").write_bytes(b"saved as it stopped, step 9")
    tp._handle({"kind": "progress", "step": 9})
    tp._handle({"kind": "checkpoint", "step": 9, "on_stop": True})
    said = []
    tp.statusMessage.connect(said.append)
    tp._train_finished(130, QProcess.ExitStatus.NormalExit)
    assert (old.dir / "state.pt").read_bytes() == b"5 hours of training"
    if resumed:
        assert new.dir.is_dir() and said[-1].endswith("The run can be resumed.")
    else:
        assert not new.dir.exists()
        assert "the earlier run from 2026-12-01 10:00 (saved at step 15000) is offered to resume again" in said[-1]


def _bare_panel(qtbot, tmp_path, ini):
    """A Training tab on its own, with its settings in `ini` (a file of the test's, never the
    user's Scrivox.conf) and no model anywhere: what a fresh start of the app builds."""
    from types import SimpleNamespace

    from PySide6.QtCore import QSettings

    from app.context import AppContext
    from app.training_panel import TrainingPanel
    from recognizers.workspace.samples import SampleStore

    settings = QSettings(str(ini), QSettings.Format.IniFormat)
    ctx = AppContext(
        settings=settings, store=SampleStore(tmp_path / "samples"), data_dir=tmp_path / "userdata",
        workers={m: SimpleNamespace(recognizer=None) for m in ("handwriting", "speech")},
        registry_of=lambda: ModelRegistry(tmp_path / "userdata" / "models", builtin_dir=tmp_path / "no-shipped-models"),
        load_model=lambda *a: None, show_status=lambda text: None, audio_input=lambda: (None, None),
    )
    tp = TrainingPanel(ctx)
    qtbot.addWidget(tp)
    return tp, settings


def test_the_training_form_remembers_the_recognizer_and_preset_across_a_restart(qtbot, tmp_path, user_dirs):
    """A user: the recognizer and preset picked in the Training tab were back to the defaults
    at the next start. They are kept in the window's settings; steps, learning rate and batch
    frames follow the preset, as they do whenever the preset changes."""
    from recognizers.workspace.runs import recognizer_preset, synthetic_status

    ini = tmp_path / "settings.ini"
    tp, settings = _bare_panel(qtbot, tmp_path, ini)
    assert (tp.modality, tp.preset) == ("handwriting", "quick-finetune")  # the defaults
    tp.form.modality_combo.setCurrentIndex(tp.form.modality_combo.findData("speech"))
    tp.form.preset_combo.setCurrentIndex(tp.form.preset_combo.findData("tiny"))
    tp.form.steps_spin.setValue(7)  # a number typed in: the preset's own comes back
    tp.shutdown()
    settings.sync()  # what the app's exit does
    del settings

    again, _ = _bare_panel(qtbot, tmp_path, ini)  # the app started again, on the same settings file
    assert (again.modality, again.preset) == ("speech", "tiny")
    assert again.form.synth_note.text() == synthetic_status("speech")[1]  # the form shows the speech data
    assert again.form.steps_spin.value() == int(recognizer_preset("speech", "tiny")["total_steps"]) != 7
    assert "A small model" in again.form.preset_note.text()  # the note is the restored preset's
    again.shutdown()


def test_a_stale_remembered_preset_falls_back_to_the_default(qtbot, tmp_path, user_dirs):
    """A preset name that no longer exists (renamed, or a hand-edited file) and a value of the
    wrong kind give the default, without an error; a valid recognizer beside it is kept."""
    from PySide6.QtCore import QSettings

    ini = tmp_path / "settings.ini"
    old = QSettings(str(ini), QSettings.Format.IniFormat)
    old.setValue("training/modality", "speech")
    old.setValue("training/preset", "turbo-run")  # a preset of an older version
    old.sync()
    tp, settings = _bare_panel(qtbot, tmp_path, ini)
    assert (tp.modality, tp.preset) == ("speech", "quick-finetune")
    assert tp.form.preset_combo.currentIndex() == 0
    tp.shutdown()

    settings.setValue("training/modality", "braille")  # a recognizer there is not
    settings.setValue("training/preset", ["full", "tiny"])  # not a name at all
    settings.sync()
    tp2, settings2 = _bare_panel(qtbot, tmp_path, ini)
    assert (tp2.modality, tp2.preset) == ("handwriting", "quick-finetune")
    tp2.set_preset("full")  # a choice made now replaces the stale value
    assert settings2.value("training/preset") == "full"
    tp2.shutdown()
