"""Summaries and formats of the benchmark's figures (seconds), shared by its report tables."""

from __future__ import annotations

import statistics
from collections.abc import Sequence


def report_section(runs: list[dict], key: str, title: str, text: str) -> tuple[list[dict], list[str]]:
    """The runs that measured `key` and, when there are any, the first lines of their report section: a blank
    line, `### title`, a blank line and the paragraph `text` (no lines when no run measured it)."""
    measured = [run for run in runs if run.get(key)]
    return measured, (["", f"### {title}", "", text] if measured else [])


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def p95(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    position = 0.95 * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def fmt_s(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def mark(value: float | None, goal: float | None) -> str:
    """Seconds with ✓ (under the goal) or ✗; without a goal or a value, the figure alone."""
    if value is None or goal is None:
        return fmt_s(value)
    return f"{fmt_s(value)} {'✓' if value < goal else '✗'}"


def ratio(value: float | None, floor: float | None) -> float | None:
    return value / floor if value is not None and floor else None


def mark_ratio(value: float | None, goal: float) -> str:
    """A ratio as 1.34× with ✓ (at most the goal) or ✗; – without one."""
    if value is None:
        return "–"
    return f"{value:.2f}× {'✓' if value <= goal else '✗'}"
