"""The Training tab of the settings dialog: what to train on, how, and the run itself.

Left: the recognizer, the preset (quick fine-tune of the active model, full training from
scratch, or a tiny run to try the pipeline), the data (built-in synthetic data, the user's
own samples, added sample folders or manifests, a dataset path or spec, an optional
validation file) and the main hyperparameters. Right: the run — a progress bar with the
time left, a live plot of the loss and the validation CER/WER, Pause/Resume and Cancel —
and when it ends, the figures before and after on the same validation data, with
"Use the new model", "Keep it" and "Discard".

The run itself is a separate process (app/training.py); this panel only watches it. The
interrupted run it offers to resume or discard: app/training_interrupted.py; the new model
used, kept or discarded: app/training_outcome.py.
"""

from __future__ import annotations

import html
import shutil
import time
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.formatting import fmt_duration, fmt_rate
from app.context import AppContext
from app.training import CAN_PAUSE, TrainingProcess
from app.training_form import TrainingForm
from app.training_interrupted import InterruptedRuns
from app.training_outcome import TrainingOutcome
from app.widgets import Banner
from recognizers.workspace.registry import BUILTIN_ID
from recognizers.workspace.run_figures import compare_figures
from recognizers.workspace.runs import (
    PRESET_CHOICES,
    RunPlan,
    make_config,
    new_run_dir,
    prepare_data,
)


class TrainingPanel(QWidget, InterruptedRuns, TrainingOutcome):
    modelsChanged = Signal(str)  # modality: the registry or the active model changed
    runStateChanged = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.proc = TrainingProcess(self)
        self.proc.tidier.runs_dir = lambda: self.ctx.runs_dir  # the only folder whose runs are tidied
        self.proc.tidier.keep_paths = self._paths_in_use
        self.plan: RunPlan | None = None
        self._form_run = True  # the run shown was started from the form (start_plan)
        self._resumed_from: int | None = None  # the step the run shown was resumed from
        self.result: dict | None = None

        self.form = TrainingForm(ctx, self.current_model)
        form = self.form
        self.start_button = self.form.start_button  # the form shows it; the panel acts on it

        # ---- the run --------------------------------------------------------------
        self.banner = Banner(self)
        self.resume_frame = QFrame()
        self.resume_frame.setFrameShape(QFrame.Shape.StyledPanel)
        self.resume_label = QLabel()
        self.resume_label.setWordWrap(True)
        self.resume_button = QPushButton("Resume")
        self.discard_old_button = QPushButton("Discard it")
        rl = QHBoxLayout(self.resume_frame)
        rl.addWidget(self.resume_label, 1)
        rl.addWidget(self.resume_button)
        rl.addWidget(self.discard_old_button)
        self.resume_frame.hide()
        self._resumable: RunPlan | None = None

        self.title_label = QLabel("No training run yet.")
        self.title_label.setWordWrap(True)
        tf = self.title_label.font()
        tf.setBold(True)
        self.title_label.setFont(tf)
        self.status_label = QLabel("Choose the data and a preset, then Start training.")
        self.status_label.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("%p %")
        self.time_label = QLabel("")
        from app.training_plot import TrainingPlot

        self.plot = TrainingPlot()
        self.pause_button = QPushButton("Pause")
        self.pause_button.setToolTip("Pause the run (it keeps its place)" if CAN_PAUSE else "Pausing needs a POSIX system")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the run; the active model stays as it is, and the run can be resumed later")

        self.result_box = QGroupBox("Result")
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setTextFormat(Qt.TextFormat.RichText)
        self.use_button = QPushButton("Use the new model")
        self.use_button.setToolTip("Make it the active model now; the previous one is kept and can be restored")
        self.keep_button = QPushButton("Keep it, don't use it yet")
        self.discard_button = QPushButton("Discard")
        rbl = QVBoxLayout(self.result_box)
        rbl.addWidget(self.result_label)
        rb = QHBoxLayout()
        rb.addStretch(1)
        rb.addWidget(self.discard_button)
        rb.addWidget(self.keep_button)
        rb.addWidget(self.use_button)
        rbl.addLayout(rb)
        self.result_box.hide()

        run = QWidget()
        rl2 = QVBoxLayout(run)
        rl2.setContentsMargins(0, 0, 0, 0)
        rl2.addWidget(self.banner)
        rl2.addWidget(self.resume_frame)
        rl2.addWidget(self.title_label)
        rl2.addWidget(self.status_label)
        pr = QHBoxLayout()
        pr.addWidget(self.progress, 1)
        pr.addWidget(self.pause_button)
        pr.addWidget(self.cancel_button)
        rl2.addLayout(pr)
        rl2.addWidget(self.time_label)
        rl2.addWidget(self.plot, 1)
        rl2.addWidget(self.result_box)

        # the form scrolls where the dialog is short: it needs 519 px, and on a 1280 x 800 screen
        # at scale 1.5 the dialog's Close and Start training were below the screen (a tester)
        self.form_scroll = QScrollArea()
        self.form_scroll.setWidget(form)
        self.form_scroll.setWidgetResizable(True)
        self.form_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.form_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a Tab stop that shows nothing otherwise
        self.form_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        bar = self.form_scroll.verticalScrollBar().sizeHint().width()
        self.form_scroll.setMinimumWidth(form.minimumWidth() + bar)
        self.form_scroll.setMaximumWidth(form.maximumWidth() + bar)
        lay = QHBoxLayout(self)
        lay.addWidget(self.form_scroll)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.VLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        lay.addWidget(line)
        lay.addWidget(run, 1)
        run.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

        # ---- wiring ---------------------------------------------------------------
        self.start_button.clicked.connect(self.start_from_form)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.cancel_button.clicked.connect(self.proc.cancel)
        self.resume_button.clicked.connect(self.resume_interrupted)
        self.discard_old_button.clicked.connect(self.discard_interrupted)
        for combo in (self.form.modality_combo, self.form.preset_combo):  # the run offered is the form's kind
            combo.currentIndexChanged.connect(self.refresh_resumable)
            combo.currentIndexChanged.connect(self._clear_refusal)
        self.use_button.clicked.connect(self.use_new_model)
        self.keep_button.clicked.connect(self.keep_new_model)
        self.discard_button.clicked.connect(self.discard_new_model)
        self.proc.runEvent.connect(self._run_event)
        self.proc.stateChanged.connect(self._state_changed)
        self.proc.statusMessage.connect(self.status_label.setText)
        self.proc.finished.connect(self._finished)
        self.proc.failed.connect(lambda msg: self.banner.show_message(html.escape(msg).replace("\n", "<br>"), "error"))
        self.proc.cancelled.connect(self.refresh_resumable)
        for stopped in (self.proc.cancelled, self.proc.failed):  # the time left no longer holds
            stopped.connect(self.time_label.clear)

        self.form.load()
        self._state_changed("idle")
        self.refresh_resumable()

    # -- helpers ----------------------------------------------------------------------

    def _clear_refusal(self) -> None:
        """A "Cannot start" about the form as it was goes once the form's kind changes."""
        if self.banner.level == "error" and self.banner.text().startswith("Cannot start"):
            self.banner.clear()

    @property
    def modality(self) -> str:
        return self.form.modality

    @property
    def preset(self) -> str:
        return self.form.preset

    def set_modality(self, modality: str) -> None:
        self.form.set_modality(modality)

    def set_preset(self, preset: str) -> None:
        self.form.set_preset(preset)

    def current_model(self, modality: str) -> tuple[str | None, str, dict]:
        """(path, name, stored figures) of the model in use for `modality`."""
        path = self.ctx.running_model(modality)
        reg = self.ctx.registry
        entry = reg.find_by_path(modality, path) if path else reg.active(modality, read_info=True)
        if path is None and entry is not None:
            path = entry.path
        if path is None:
            return None, "", {}
        if entry is not None:
            if entry.builtin:
                entry = reg.get(modality, BUILTIN_ID, read_info=True) or entry
            return path, entry.name, dict(entry.figures)
        return path, Path(path).stem, {}

    def _paths_in_use(self) -> list[str]:
        """What no tidying of run folders may delete: the models the window runs, the active
        and shipped ones, and the samples. When the registry cannot be read, the runs folder
        itself, so that nothing in it is removed."""
        out = [str(self.ctx.store.root)]
        for m in self.ctx.workers:
            out += [p for p in (self.ctx.running_model(m),) if p]
            try:
                reg = self.ctx.registry
                active = reg.active(m)
                out += [str(reg.builtin_path(m))] + ([active.path] if active is not None and active.path else [])
            except Exception:  # noqa: BLE001 - not knowing the active model means keeping everything
                out.append(str(self.ctx.runs_dir))
        return out

    # -- starting -------------------------------------------------------------------

    def start_from_form(self) -> bool:
        """Prepare the data and start a run with what the form says; False (and a message) if not."""
        if self.proc.busy:
            return False
        self.banner.clear()
        self.form._save_form()
        m, preset = self.modality, self.preset
        base, base_name, base_figures = self.current_model(m)
        if preset == "quick-finetune" and not base:
            self.banner.show_message(f"There is no active {m} model to fine-tune: choose Full training.", "error")
            return False
        run_dir = new_run_dir(self.ctx.runs_dir, m)
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            val = self.form.val_edit.text().strip() or None
            if val and not Path(val).exists():
                raise ValueError(f"the validation file {val} does not exist")
            prep = prepare_data(m, self.form.sources(), run_dir / "data", val)
            cfg = make_config(m, preset, prep, run_dir, base_model=base if preset == "quick-finetune" else None, total_steps=self.form.steps_spin.value(), lr=self.form.lr_spin.value(), batch_frames=self.form.batch_spin.value())
        except (ValueError, OSError) as exc:
            shutil.rmtree(run_dir, ignore_errors=True)
            self.banner.show_message(f"Cannot start: {html.escape(str(exc))}", "error")
            return False
        finally:
            QGuiApplication.restoreOverrideCursor()
        fine = preset == "quick-finetune"
        parts = [f"{prep.n_train} samples from files"] if prep.n_train else []
        parts += ["synthetic data" if d.startswith("synth-ink") or "speech_synth" in d else d for d in cfg["data"] if not d.startswith(("ink:", "speech:")) or "speech_synth" in d]
        if cfg.get("replay_data"):
            parts.append("synthetic replay")
        plan = RunPlan(
            modality=m,
            preset=preset,
            run_dir=str(run_dir),
            config=cfg,
            base_model=base,  # "before" is the model in use, also for a run from scratch
            base_name=base_name,
            base_figures=base_figures,
            origin="fine-tuned" if fine else "trained",
            figures_on=prep.val_description,
            title=f"{dict(PRESET_CHOICES)[preset]} ({m}): {' + '.join(parts)}",
        )
        if prep.notes:  # all of them (a missing validation font, a source with no samples)
            self.banner.show_message("<br>".join(html.escape(n) for n in prep.notes), "warning")
        self.start_plan(plan, from_form=True)
        return True

    def clear_run_view(self) -> None:
        """No run shown: the progress and the plot empty, as before any run (a tester's
        discarded run left its "step 30 of 300" and loss curve under "No training run yet.")."""
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("%p %")
        self.plot.clear(0)

    def start_plan(self, plan: RunPlan, resume: bool = False, from_form: bool = False) -> None:
        """Train `plan` (resumed from its saved state with `resume`); `from_form`: the run the
        form shows, which stays in view while it trains (a personalization or a resumed run
        is not what the form says, and the form is hidden meanwhile)."""
        from app.settings import RecognitionOptions

        self._form_run = from_form
        self.plan, self.result = plan, None
        self.result_box.hide()
        self.resume_frame.hide()
        self.title_label.setText(plan.title or f"{plan.modality} run")
        total = int(plan.config.get("total_steps", 0))
        self.plot.clear(total)
        if resume:  # the losses before the stop, from the run's own log: the plot shows the whole run
            from recognizers.training.loss_log import read_loss_log

            for step, loss in read_loss_log(plan.dir):
                self.plot.add_loss(step, loss)
        if resume:  # after a crash the record may lag the state saved as the run stopped
            plan.steps_done = plan.saved_step
        self._resumed_from = plan.steps_done if resume else None
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(plan.steps_done if resume else 0)
        self.progress.setFormat(f"%p %  (step {plan.steps_done if resume else 0} of {total})")
        self.time_label.setText("")
        self._t0 = time.monotonic()
        self.proc.start(plan, RecognitionOptions.load(self.ctx.settings).device, resume=resume)

    # -- the run --------------------------------------------------------------------

    def toggle_pause(self) -> None:
        if self.proc.state == "paused":
            self.proc.resume()
        else:
            self.proc.pause()

    def _run_event(self, ev: dict) -> None:
        kind = ev["kind"]
        if kind == "progress":
            step, total = int(ev["step"]), int(ev["total"])
            self.progress.setRange(0, max(total, 1))
            self.progress.setValue(step)
            self.progress.setFormat(f"%p %  (step {step} of {total})")
            sps = ev.get("samples_per_s")
            self.time_label.setText(f"About {fmt_duration(ev.get('eta_s'))} left  ·  loss {ev['loss']:.3f}  ·  {sps:.0f} samples/s" if sps else f"About {fmt_duration(ev.get('eta_s'))} left")
            self.plot.add_loss(step, float(ev["loss"]), total)
            if self.proc.state == "running" and not self.status_label.text().startswith("Step"):
                self.status_label.setText("Training…")
        elif kind == "eval":
            v = ev["val"]
            self.plot.add_eval(int(ev["step"]), float(v["cer"]), float(v["wer"]))
            if ev.get("replayed"):
                return  # a resumed run's earlier evaluation, back on the plot
            self.status_label.setText(f"Step {ev['step']}: validation CER {fmt_rate(v['cer'])}, WER {fmt_rate(v['wer'])} on {v.get('n', '?')} samples" + ("  (best so far)" if ev.get("improved") else ""))

    def _state_changed(self, state: str) -> None:
        busy = state in ("starting", "running", "paused", "cancelling", "evaluating")
        self.start_button.setEnabled(not busy)
        self.pause_button.setEnabled(CAN_PAUSE and state in ("running", "paused"))
        self.pause_button.setText("Resume" if state == "paused" else "Pause")
        self.cancel_button.setEnabled(state in ("starting", "running", "paused", "evaluating"))
        for w in (self.form.modality_combo, self.form.preset_combo):
            w.setEnabled(not busy)
        # a personalization or a resumed run is not the form's run: its preset, steps and data
        # are not what it trains on (testers read "Tiny run" beside a personalization, and
        # "Steps 150" beside a resumed run of 600)
        self.form_scroll.setVisible(not busy or self._form_run)
        if state == "paused":
            self.time_label.setText("Paused.")
        self.runStateChanged.emit(state)

    def _finished(self, result: dict) -> None:
        self.result = result
        took = time.monotonic() - getattr(self, "_t0", time.monotonic())
        sps = (self.proc.done_event or {}).get("samples_per_s")
        resumed_from = self._resumed_from
        steps = result.get("steps")
        if resumed_from is None:
            spent = f"in all ({steps} steps"
        else:  # the time before the stop is not known here: say the steps made since, not the run's
            spent = f"since it was resumed ({int(steps) - resumed_from if isinstance(steps, int) else '?'} steps from step {resumed_from}"
        self.time_label.setText(f"Took {fmt_duration(took)} {spent}" + (f", {sps:.0f} samples/s)" if sps else ")"))
        plan = self.plan
        before, after = result.get("before"), result.get("after") or {}
        src = {"measured": "measured now, on the same validation data", "stored": "its stored figures, measured on other data"}.get(result.get("before_source", ""), "")
        rows = [("", "CER", "WER", "exact")]
        if plan is not None and plan.base_model:
            rows.append((f"Before ({html.escape(plan.base_name)})", fmt_rate((before or {}).get("cer")), fmt_rate((before or {}).get("wer")), fmt_rate((before or {}).get("exact"))))
        rows.append(("After (new model)", fmt_rate(after.get("cer")), fmt_rate(after.get("wer")), fmt_rate(after.get("exact"))))
        cells = "".join("<tr>" + "".join(f"<td style='padding: 1px 10px 1px 0'>{'<b>' + c + '</b>' if i == 0 or r == 0 else c}</td>" for i, c in enumerate(row)) + "</tr>" for r, row in enumerate(rows))
        on = html.escape(plan.figures_on) if plan else ""
        n = after.get("n")
        verdict = ""
        if before and "cer" in before and "cer" in after and result.get("before_source") == "measured":
            b, a = float(before["cer"]), float(after["cer"])
            self.plot.set_reference(b)
            if b > 0:
                change = round(100 * (b - a) / b)
                color = "#1e7b34" if change > 0 else ("#b3261e" if change < 0 else "inherit")
                said = f"{'down' if change > 0 else 'up'} {abs(change)} % relative" if change else "unchanged"
                verdict = f"<br><span style='color:{color}'>Character errors {said}.</span>"
        cmp = compare_figures(before, after, result.get("before_source", ""))
        if plan is not None and plan.base_model:  # an old model to compare with
            warn = cmp.warnings(plan.base_name or "the model in use")
        else:  # nothing to compare with: only how sure the figure is
            warn = [w for w in cmp.warnings() if w.startswith("Measured on")]
        self.result_label.setText(
            f"<table>{cells}</table>Validation: {on}{f' ({n} samples)' if n else ''}." + (f"<br>Before: {src}." if src and before else "") + verdict
            + (f"<br><span style='color:#b3261e'>The previous model could not be scored: {html.escape(result['before_error'])}</span>" if result.get("before_error") else "")
            + "".join(f"<br><span style='color:{'#b3261e' if cmp.worse and i == 0 else '#7a4b00'}'><b>{html.escape(w)}</b></span>" for i, w in enumerate(warn))
        )
        self.use_button.setToolTip(
            "The new model is worse on the validation samples: keep using the current one" if cmp.worse else "Make it the active model now; the previous one is kept and can be restored"
        )
        self.result_box.show()
        for b in (self.use_button, self.keep_button, self.discard_button):
            b.setEnabled(True)

    def shutdown(self) -> None:
        self.proc.shutdown()
