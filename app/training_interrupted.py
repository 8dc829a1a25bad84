"""The Training tab's interrupted runs: the one stopped run it offers (the newest of the form's
kind), and Resume and Discard it. A part of TrainingPanel (app/training_panel.py), kept apart
because it is its own concern: which run a person can go on with, and never losing one."""

from __future__ import annotations

import html
import shutil
from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from recognizers.workspace.runs import PRESET_CHOICES, RunPlan, find_runs


class InterruptedRuns:
    """Mixed into TrainingPanel: uses its ctx, proc, plan, form, banner and labels."""

    _resumable: RunPlan | None = None

    def refresh_resumable(self) -> None:
        runs = [p for p in find_runs(self.ctx.runs_dir) if p.resumable and not (self.proc.busy and self.plan and p.run_dir == self.plan.run_dir)]
        # one run is offered: the newest of the form's kind (modality and preset), else of its
        # modality, else the newest; each kind keeps one stopped run, so each can be reached
        m, preset = self.modality, self.preset
        mine = [p for p in runs if p.modality == m]
        self._resumable = next((p for p in mine if p.preset == preset), None) or (mine or runs or [None])[0]
        if self._resumable is None or self.proc.busy:
            self.resume_frame.hide()
            return
        p = self._resumable
        total = p.config.get("total_steps", "?")
        # the preset's name without its explanation: "tiny run", not "tiny run (try the pipeline in seconds)"
        what = dict(PRESET_CHOICES).get(p.preset, "personalization" if p.preset == "enrolment" else p.preset).split(" (")[0].lower()
        self.resume_label.setText(
            f"An interrupted {p.modality} run from {p.created} saved its state at step {p.saved_step} of {total}. It can go on from there."
            f" A new run of this kind ({what}) replaces it once it has saved its own state."
        )
        self.resume_frame.show()

    def resume_interrupted(self) -> None:
        if self._resumable is None or self.proc.busy:
            return
        offered = self._resumable
        self.banner.clear()
        try:  # read again now: another window may have removed or replaced it since it was offered
            plan = RunPlan.load(offered.run_dir)
            if plan.process_alive():
                self._training_elsewhere(offered, "it was not started here.")
                return
            if not plan.resumable:
                raise FileNotFoundError(f"it no longer has a saved state to go on from (status: {plan.status})")
            self.start_plan(plan, resume=True)
        except (OSError, ValueError, TypeError) as exc:
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self.banner.show_message(
                f"Cannot resume the interrupted {html.escape(offered.modality)} run from {html.escape(offered.created)}: "
                f"{html.escape(why)} ({html.escape(offered.run_dir)}). Another window may have removed it. The active model is unchanged.",
                "error",
            )
            self.refresh_resumable()

    def _training_elsewhere(self, run: RunPlan, not_done: str) -> None:
        """Say that `run` is training in another window (so `not_done`), and offer afresh."""
        self.banner.show_message(
            f"The {html.escape(run.modality)} run from {html.escape(run.created)} is training in another window now; {not_done}", "warning")
        self.refresh_resumable()

    def discard_interrupted(self) -> None:
        gone = self._resumable
        if gone is not None:
            try:  # read again now: another window may have resumed it since it was offered
                live = RunPlan.load(gone.run_dir).process_alive()
            except (OSError, ValueError, TypeError):
                live = False  # gone or unreadable: nothing trains there
            if live:
                self._training_elsewhere(gone, "it was not discarded. Cancel it there first.")
                return
            total = gone.config.get("total_steps", "?")
            answer = QMessageBox.question(
                self, "Discard the interrupted run?",
                f"The {gone.modality} run from {gone.created} saved its state at step {gone.saved_step} of {total}. "
                "Discarding it deletes that training for good; the active model is unchanged.",
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
            if answer != QMessageBox.StandardButton.Discard:
                return
            shutil.rmtree(gone.run_dir, ignore_errors=True)
            # "Cancelled at step N ... The run can be resumed." no longer holds
            self.status_label.setText(f"Discarded the interrupted {gone.modality} run (its state was saved at step {gone.saved_step}); the active model is unchanged.")
            if self.plan is not None and Path(self.plan.run_dir) == Path(gone.run_dir):
                self.plan = None
                self.title_label.setText("No training run yet.")
                self.time_label.setText("")
                self.clear_run_view()
        self.refresh_resumable()
