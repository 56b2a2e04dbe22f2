"""dpf.figures.targets on hand-made numbers: a scope's targets evaluated, laggards first, and townships' shares.

2024 is a leap year: on 30 June 183 − 1 = 182 of 366 days have elapsed, 序时进度 49.73%.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from dpf.figures.schedule import Status
from dpf.figures.targets import evaluate_targets, laggards_first, last_year_pattern, township_targets, without_target

AS_OF = date(2024, 6, 30)
SCHEDULE = 182 / 366 * 100


def indicators(*rows: tuple[str, float | None, float | None]) -> pd.DataFrame:
    """A compute_indicators-shaped frame: (code, value, target)."""
    return pd.DataFrame(
        [{"indicator": c, "name": f"名称{c}", "unit": "人", "value": v, "target": t, "note": None} for c, v, t in rows]
    )


FRAME = indicators(
    ("training_person_times", 300.0, 1000.0),
    ("child_rehab_persons", 10.0, 100.0),
    ("rehab_needs_met_rate", 95.0, 90.0),
    ("certified_persons", 5000.0, None),
)


def test_only_targets_of_the_scope_are_evaluated_in_frame_order() -> None:
    rows = evaluate_targets(FRAME, 2024, AS_OF)
    assert [r.code for r in rows] == ["training_person_times", "child_rehab_persons", "rehab_needs_met_rate"]
    training, child, rate = (r.progress for r in rows)
    assert training.completion == pytest.approx(30.0)
    assert training.gap == pytest.approx(30.0 - SCHEDULE)  # −19.73: within 20 points
    assert training.status is Status.BEHIND
    assert training.needed_per_month == pytest.approx(700 / 6)  # six months complete on 30 June
    assert training.projection == pytest.approx(300 / 182 * 366)  # no last year: this year's run rate
    assert child.status is Status.SEVERELY_BEHIND  # 10% at 49.73%
    assert rate.completion == pytest.approx(95 / 90 * 100)
    assert rate.status is Status.DONE and rate.is_rate and rate.needed_per_month is None
    assert without_target(FRAME, FRAME["indicator"]) == ["certified_persons"]


def test_chosen_codes_in_frame_order_and_laggards_first() -> None:
    rows = evaluate_targets(
        FRAME, 2024, AS_OF, codes=["rehab_needs_met_rate", "certified_persons", "child_rehab_persons"]
    )
    assert [r.code for r in rows] == ["child_rehab_persons", "rehab_needs_met_rate"]
    ordered = laggards_first(evaluate_targets(FRAME, 2024, AS_OF))
    assert [r.code for r in ordered] == ["child_rehab_persons", "training_person_times", "rehab_needs_met_rate"]


def test_month_basis() -> None:
    (row,) = evaluate_targets(FRAME, 2024, AS_OF, basis="month", codes=["training_person_times"])
    assert row.progress.schedule == pytest.approx(50.0)
    assert row.progress.gap == pytest.approx(-20.0)
    assert row.progress.status is Status.BEHIND  # exactly 20 points behind is not yet 严重滞后


def test_last_year_pattern_drives_the_projection() -> None:
    last_year = pd.DataFrame(
        {"month": range(1, 13), "indicator": "training_person_times", "value": [100.0 * m for m in range(1, 13)]}
    )
    assert last_year_pattern(last_year, "training_person_times") == [100.0] * 12
    assert last_year_pattern(last_year, "rehab_needs_met_rate") is None  # a rate has no monthly pattern
    assert last_year_pattern(None, "training_person_times") is None
    (row,) = evaluate_targets(FRAME, 2024, AS_OF, codes=["training_person_times"], last_year=last_year)
    assert row.progress.projection == pytest.approx(300 + 6 * 100)  # July..December at last year's 100 a month
    assert not row.progress.projection_reaches_target


def test_township_shares_laggards_first() -> None:
    shares = pd.DataFrame(
        {"township_code": ["A", "B", "C"], "township_name": ["甲镇", "乙乡", "丙镇"], "target": [100.0, 200.0, 50.0]}
    )
    values = {"A": 60.0, "B": 20.0, "C": None}
    ranked = township_targets(2024, AS_OF, "training_person_times", shares, values)
    assert [(t.code, t.name) for t in ranked] == [("C", "丙镇"), ("B", "乙乡"), ("A", "甲镇")]
    c, b, a = (t.progress for t in ranked)
    assert (c.value, c.completion, c.status) == (0.0, 0.0, Status.SEVERELY_BEHIND)  # no value reads 0
    assert b.completion == pytest.approx(10.0) and b.status is Status.SEVERELY_BEHIND
    assert a.completion == pytest.approx(60.0) and a.status is Status.AHEAD
