"""Durations and rates as the training panel shows them."""

from __future__ import annotations


def fmt_duration(s: float | None) -> str:
    if s is None or s != s or s < 0:
        return "—"
    s = int(round(s))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {(s % 3600) // 60:02d} min"


def fmt_rate(v) -> str:
    return "—" if v is None else f"{100 * float(v):.1f} %"
