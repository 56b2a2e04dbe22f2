"""The views a benchmark asks for: random (year, townships) combinations of a data set, seeded."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

YEARS = (2024, 2023)


@dataclass(frozen=True)
class ViewSpec:
    year: int
    names: tuple[str, ...]  # township names (the URL's township list); empty = whole county
    codes: tuple[str, ...]


def pick_views(folder: Path, count: int, seed: int) -> list[ViewSpec]:
    """`count` random (year, townships) views; the first is the whole county this year (the roll-up)."""
    import duckdb

    towns = duckdb.connect().execute(
        "SELECT code, name FROM read_parquet($path) ORDER BY sort_order", {"path": str(folder / "townships.parquet")}
    )
    rows = towns.fetchall()
    rng = random.Random(seed)
    views = [ViewSpec(YEARS[0], (), ())]
    while len(views) < count:
        k = rng.choices([0, 1, 2, 3], weights=[2, 5, 2, 1])[0]
        chosen = sorted(rng.sample(range(len(rows)), k))
        views.append(ViewSpec(rng.choice(YEARS), tuple(rows[i][1] for i in chosen), tuple(rows[i][0] for i in chosen)))
    return views[:count]
