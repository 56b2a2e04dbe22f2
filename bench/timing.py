"""Query timings for the benchmark and tests, through dpf.data.sql's query observer hook."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from dpf.data.sql import observe_queries


@contextmanager
def timed_queries() -> Iterator[list[tuple[str, float, float]]]:
    """Collect (query name, seconds, perf_counter start) of every run_query inside the block, in finishing order."""
    collected: list[tuple[str, float, float]] = []
    with observe_queries(lambda name, seconds, started: collected.append((name, seconds, started))):
        yield collected


def busy_seconds(collected: list[tuple[str, float, float]]) -> float:
    """Wall time during which at least one query ran (queries that overlap count once)."""
    total, covered_to = 0.0, float("-inf")
    for _, elapsed, started in sorted(collected, key=lambda item: item[2]):
        ended = started + elapsed
        if ended > covered_to:
            total += ended - max(started, covered_to)
            covered_to = ended
    return total
