"""What becomes of a finished run's model in the Training tab: "Use the new model" (listed and
made active), "Keep it" (listed only) or "Discard". A part of TrainingPanel."""

from __future__ import annotations

import html
import shutil

from recognizers.workspace.registry import ModelEntry, RegistryError
from recognizers.workspace.run_figures import registry_figures


class TrainingOutcome:
    """TrainingPanel's result buttons (a mixin: it uses the panel's plan, result, context,
    banner and buttons)."""

    def _register(self) -> ModelEntry:
        plan, res = self.plan, self.result
        assert plan is not None and res is not None
        if res.get("registered") is not None:  # a retry after a later step failed: never a second copy
            return res["registered"]
        reg = self.ctx.registry
        figures = registry_figures(res.get("before"), res.get("after"), res.get("before_source", ""))  # + the old model's, on the same samples
        entry = reg.add_model(plan.modality, res["best_path"], plan.origin, name=plan.config.get("name"), figures=figures, figures_on=plan.figures_on, base=plan.base_name, steps=res.get("steps"))
        res["registered"] = entry
        plan.status = "kept"
        try:
            plan.save()
        except OSError:
            return entry  # the run's own files stay until its status says they were kept
        for f in ("state.pt", "last.pt", "best.pt"):  # the model now lives in the registry
            try:
                (plan.dir / f).unlink()
            except OSError:
                pass
        return entry

    def use_new_model(self) -> None:
        """Register the new model, make it active and load it into the window, now."""
        if self.result is None or self.plan is None:
            return
        try:
            entry = self._register()
            self.ctx.registry.activate(entry.modality, entry.id)
        except (RegistryError, OSError, ValueError) as exc:
            self.banner.show_message(f"Could not use the new model: {html.escape(str(exc))}", "error")
            return
        self.ctx.load_model(entry.modality, entry.path)
        prev = self.ctx.registry.previous(entry.modality)
        self._closed_result(f"Now using <b>{html.escape(entry.name)}</b>." + (f" The previous model ({html.escape(prev.name)}) is kept: Models ▸ Restore previous brings it back." if prev else ""))
        self.modelsChanged.emit(entry.modality)

    def keep_new_model(self) -> None:
        if self.result is None or self.plan is None:
            return
        try:
            entry = self._register()
        except (RegistryError, OSError, ValueError) as exc:
            self.banner.show_message(f"Could not keep the new model: {html.escape(str(exc))}", "error")
            return
        self._closed_result(f"Kept <b>{html.escape(entry.name)}</b> in the Models tab; the active model is unchanged.")
        self.modelsChanged.emit(entry.modality)

    def discard_new_model(self) -> None:
        if self.plan is None:
            return
        kept = (self.result or {}).get("registered")  # listed by a "Use" whose last step failed
        if kept is not None:
            try:
                self.ctx.registry.delete(kept.modality, kept.id)
                self.modelsChanged.emit(kept.modality)
            except (RegistryError, OSError):
                pass  # it stays in the Models tab, where it can be deleted
        shutil.rmtree(self.plan.dir, ignore_errors=True)
        self._closed_result("Discarded; the active model is unchanged.")
        self.refresh_resumable()  # a stopped run of this kind may be offered again

    def _closed_result(self, message: str) -> None:
        self.result = None
        for b in (self.use_button, self.keep_button, self.discard_button):
            b.setEnabled(False)
        self.result_box.hide()
        self.status_label.setText(message)
