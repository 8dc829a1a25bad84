"""A run's before and after: the model it started from against the new one, on the run's
validation samples, in the words the training panel shows (Qt-free)."""

from __future__ import annotations

from dataclasses import dataclass

MIN_SURE_N = 30  # fewer validation samples than this: a figure (and a comparison) is uncertain


@dataclass
class Comparison:
    """The old model against the new on a run's validation data, in words the panel shows."""

    same_samples: bool  # both measured now on the run's validation samples
    n: int | None  # validation samples behind the "after" figure
    before_cer: float | None = None
    after_cer: float | None = None

    @property
    def uncertain(self) -> bool:
        return self.n is None or self.n < MIN_SURE_N

    @property
    def worse(self) -> bool | None:
        """True when the new model makes more character errors on the same samples; None
        when that cannot be told (not the same samples, or a figure is missing)."""
        if not self.same_samples or self.before_cer is None or self.after_cer is None:
            return None
        return self.after_cer > self.before_cer

    def warnings(self, base_name: str = "the model in use") -> list[str]:
        out = []
        if self.worse:
            out.append(f"The new model is worse than {base_name} on these samples (character errors {100 * self.before_cer:.1f} % → {100 * self.after_cer:.1f} %): keep using {base_name} (Discard, or Keep it without using it).")
        if not self.same_samples:
            out.append(f"{base_name[:1].upper()}{base_name[1:]} could not be measured on the same samples, so the two figures cannot be compared.")
        if self.uncertain:
            n = "an unknown number of" if self.n is None else f"only {self.n}"
            # a personalization keeps at most ten aside: say what the person can do instead
            out.append(f"Measured on {n} samples: too few to be sure, so a small difference may be chance. "
                       "Try the new model on a few words of your own before you rely on it.")
        return out


def compare_figures(before: dict | None, after: dict | None, before_source: str) -> Comparison:
    """`before_source` is "measured" when the old model was scored now on the same samples."""
    after = after or {}
    same = before_source == "measured" and bool(before) and before.get("n") == after.get("n")
    n = after.get("n")
    return Comparison(
        same_samples=same,
        n=int(n) if isinstance(n, (int, float)) else None,
        before_cer=float(before["cer"]) if same and "cer" in before else None,
        after_cer=float(after["cer"]) if "cer" in after else None,
    )


def registry_figures(before: dict | None, after: dict | None, before_source: str) -> dict:
    """The new model's figures as the registry keeps them: with the old model's measured on the
    same samples (``base_cer``, ``base_wer``), so the model list compares like with like."""
    fig = {k: v for k, v in (after or {}).items() if k in ("n", "cer", "wer", "exact")}
    if compare_figures(before, after, before_source).same_samples:
        fig.update({f"base_{k}": before[k] for k in ("cer", "wer") if k in before})
    return fig
