"""dpf.figures.schedule: every expected value below is computed by hand (day counts written out)."""

from __future__ import annotations

from datetime import date, datetime
from itertools import pairwise

import pytest

from dpf.figures.schedule import (
    Status,
    TargetProgress,
    completed_months,
    completion_pct,
    days_in_year,
    elapsed_days,
    evaluate_target,
    gap_points,
    later_months_share,
    needed_per_month,
    project_year_end,
    projection_path,
    schedule_line,
    schedule_share,
    status_for,
)

# Day-of-year of month ends. 2024 (leap): Jan 31, Feb 60, Mar 91, Apr 121, May 152, Jun 182,
# Jul 213, Aug 244, Sep 274. 2023 (common): one less from March on.


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2024, 366), (2023, 365), (2000, 366), (1900, 365)],
)
def test_days_in_year(year: int, expected: int) -> None:
    assert days_in_year(year) == expected


@pytest.mark.parametrize(
    ("year", "as_of", "expected"),
    [
        (2024, date(2024, 1, 1), 1),
        (2024, date(2024, 2, 29), 60),
        (2024, date(2024, 6, 15), 167),  # 152 + 15
        (2024, date(2024, 9, 30), 274),
        (2024, date(2024, 12, 31), 366),
        (2023, date(2023, 3, 1), 60),  # 31 + 28 + 1
        (2023, date(2023, 9, 30), 273),
        (2023, date(2023, 12, 31), 365),
        (2024, date(2023, 12, 31), 0),  # before the year
        (2024, date(2025, 1, 1), 366),  # after the year
        (2024, datetime(2024, 9, 30, 18, 0), 274),  # a datetime is taken by its date
    ],
)
def test_elapsed_days(year: int, as_of: date, expected: int) -> None:
    assert elapsed_days(year, as_of) == expected


@pytest.mark.parametrize(
    ("year", "as_of", "expected"),
    [
        # by day, as-of inclusive
        (2024, date(2024, 1, 1), 0.27),  # 1/366
        (2024, date(2024, 2, 29), 16.39),  # 60/366
        (2024, date(2024, 6, 15), 45.63),  # 167/366
        (2024, date(2024, 9, 30), 74.86),  # 274/366, displayed 74.9%
        (2024, date(2024, 12, 31), 100.0),
        (2023, date(2023, 1, 1), 0.27),  # 1/365 = 0.274
        (2023, date(2023, 6, 15), 45.48),  # 166/365
        (2023, date(2023, 9, 30), 74.79),  # 273/365
        (2023, date(2023, 12, 31), 100.0),
        (2024, date(2023, 12, 31), 0.0),
        (2024, date(2025, 6, 30), 100.0),
    ],
)
def test_schedule_share_by_day(year: int, as_of: date, expected: float) -> None:
    assert schedule_share(year, as_of) == pytest.approx(expected, abs=0.005)
    assert schedule_share(year, as_of, "day") == schedule_share(year, as_of)


def test_schedule_share_display() -> None:
    assert f"{schedule_share(2024, date(2024, 9, 30)):.1f}%" == "74.9%"
    assert f"{schedule_share(2024, date(2024, 9, 30), 'month'):.1f}%" == "75.0%"


@pytest.mark.parametrize(
    ("year", "as_of", "months", "expected"),
    [
        (2024, date(2024, 1, 1), 0, 0.0),
        (2024, date(2024, 1, 31), 1, 8.33),  # 1/12
        (2024, date(2024, 2, 28), 1, 8.33),  # not the last day of a leap February
        (2024, date(2024, 2, 29), 2, 16.67),
        (2023, date(2023, 2, 28), 2, 16.67),  # last day of a common February
        (2024, date(2024, 9, 15), 8, 66.67),
        (2024, date(2024, 9, 30), 9, 75.0),
        (2024, date(2024, 12, 30), 11, 91.67),
        (2024, date(2024, 12, 31), 12, 100.0),
        (2024, date(2023, 12, 31), 0, 0.0),
        (2024, date(2025, 1, 1), 12, 100.0),
    ],
)
def test_schedule_share_by_month(year: int, as_of: date, months: int, expected: float) -> None:
    assert completed_months(year, as_of) == months
    assert schedule_share(year, as_of, "month") == pytest.approx(expected, abs=0.005)


def test_schedule_share_unknown_basis() -> None:
    with pytest.raises(ValueError):
        schedule_share(2024, date(2024, 9, 30), "week")  # type: ignore[arg-type]


def test_schedule_line_leap_year() -> None:
    line = schedule_line(2024)
    assert len(line) == 12
    month_lengths = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]  # 2024 is a leap year
    assert [d for d, _ in line] == [date(2024, month, days) for month, days in enumerate(month_lengths, start=1)]
    assert line[0][1] == pytest.approx(8.47, abs=0.005)  # 31/366
    assert line[1][1] == pytest.approx(16.39, abs=0.005)  # 60/366
    assert line[8][1] == pytest.approx(74.86, abs=0.005)  # 274/366
    assert line[11][1] == 100.0
    assert all(a[1] < b[1] for a, b in pairwise(line))


def test_schedule_line_common_year() -> None:
    line = schedule_line(2023)
    assert line[1] == (date(2023, 2, 28), pytest.approx(16.16, abs=0.005))  # 59/365
    assert line[11] == (date(2023, 12, 31), 100.0)


@pytest.mark.parametrize(
    ("value", "target", "expected"),
    [
        (93.2, 95, 98.11),  # satisfaction rate: 93.2/95
        (93.1, 95, 98.0),
        (50, 100, 50.0),
        (124, 100, 124.0),
        (60, 60, 100.0),
        (0, 60, 0.0),
        (None, 60, 0.0),  # no data yet reads 0
        (5, None, None),  # no target
        (5, 0, None),  # a zero target is no target
    ],
)
def test_completion_pct(value: float | None, target: float | None, expected: float | None) -> None:
    result = completion_pct(value, target)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected, abs=0.005)


@pytest.mark.parametrize(
    ("completion", "schedule", "expected"),
    [(98.0, 74.86, 23.14), (50.0, 75.0, -25.0), (75.0, 75.0, 0.0)],
)
def test_gap_points(completion: float, schedule: float, expected: float) -> None:
    assert gap_points(completion, schedule) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("completion", "schedule", "expected"),
    [
        (100.0, 74.86, Status.DONE),  # exactly 100
        (124.0, 74.86, Status.DONE),
        (100.0, 100.0, Status.DONE),
        (100.0, 0.0, Status.DONE),
        (99.99, 74.86, Status.AHEAD),
        (74.86, 74.86, Status.AHEAD),  # exactly on schedule
        (74.85, 74.86, Status.BEHIND),  # just behind
        (54.86, 74.86, Status.BEHIND),  # exactly schedule − 20
        (12.2, 32.2, Status.BEHIND),  # exactly 20 points, though 32.2 − 12.2 = 20.000000000000004 in floats
        (54.85, 74.86, Status.SEVERELY_BEHIND),  # just beyond 20 points
        (0.0, 74.86, Status.SEVERELY_BEHIND),
        (80.0, 100.0, Status.BEHIND),
        (79.9, 100.0, Status.SEVERELY_BEHIND),
        (0.0, 20.0, Status.BEHIND),
        (0.0, 20.1, Status.SEVERELY_BEHIND),
        (0.0, 0.27, Status.BEHIND),  # 1 January, nothing yet: 0.27 points behind
        (0.0, 0.0, Status.NOT_STARTED),
        (5.0, 0.0, Status.AHEAD),  # something done before any time elapsed
        (None, 0.0, Status.NO_TARGET),
        (None, 74.86, Status.NO_TARGET),
    ],
)
def test_status_for(completion: float | None, schedule: float, expected: Status) -> None:
    assert status_for(completion, schedule) is expected


def test_status_attributes() -> None:
    assert [s.label for s in sorted(Status, key=lambda s: s.rank)] == [
        "严重滞后",
        "低于序时",
        "超序时",
        "已完成",
        "未开始",
        "无目标",
    ]
    assert len({s.code for s in Status}) == len(Status)
    assert len({s.color for s in Status}) == len(Status)
    for s in Status:
        assert s.color.startswith("#") and len(s.color) == 7
        assert s.icon.startswith(":material/") and s.icon.endswith(":")
        assert s.emoji and s.text == f"{s.emoji} {s.label}"
        assert Status.from_code(s.code) is s
    assert Status.DONE.code == "done"
    assert Status.DONE.icon == ":material/check_circle:"
    with pytest.raises(ValueError):
        Status.from_code("nope")


# Last-year monthly patterns used below.
FLAT_10 = [10.0] * 12
SEP_HEAVY = [5, 5, 5, 5, 5, 5, 5, 5, 12, 20, 8, 4]
FEB_PATTERN = [1, 29, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10]


@pytest.mark.parametrize(
    ("year", "as_of", "value", "monthly", "is_rate", "expected"),
    [
        # last year's pattern, as-of on a month end: 80 + Oct..Dec 3 × 10
        (2024, date(2024, 9, 30), 80, FLAT_10, False, 110.0),
        # mid-month: 70 + 12 × (30−15)/30 + (20 + 8 + 4) = 70 + 6 + 32
        (2024, date(2024, 9, 15), 70, SEP_HEAVY, False, 108.0),
        # leap February: 3 + 29 × (29−10)/29 + 10 = 3 + 19 + 10
        (2024, date(2024, 2, 10), 3, FEB_PATTERN, False, 32.0),
        # 31 December: nothing left to add
        (2024, date(2024, 12, 31), 123, FLAT_10, False, 123.0),
        # run-rate fallback: 137 / 274 × 366
        (2024, date(2024, 9, 30), 137, None, False, 183.0),
        (2024, date(2024, 9, 30), 137, [0] * 12, False, 183.0),  # all-zero last year = no data
        # common year: 83 / 166 × 365
        (2023, date(2023, 6, 15), 83, None, False, 182.5),
        # 1 January: 2 / 1 × 366
        (2024, date(2024, 1, 1), 2, None, False, 732.0),
        # no data at all
        (2024, date(2024, 9, 30), None, None, False, 0.0),
        (2024, date(2024, 9, 30), 0, FLAT_10, False, 30.0),
        # a rate projects to its current value
        (2024, date(2024, 9, 30), 93.1, None, True, 93.1),
        (2024, date(2024, 9, 30), 93.1, FLAT_10, True, 93.1),
        # after the year: the value is final
        (2024, date(2025, 1, 15), 95, FLAT_10, False, 95.0),
        (2024, date(2025, 1, 15), 95, None, False, 95.0),
        # before the year: the whole of last year's pattern; no run rate without elapsed days
        (2024, date(2023, 12, 31), 0, FLAT_10, False, 120.0),
        (2024, date(2023, 12, 31), 0, None, False, 0.0),
    ],
)
def test_project_year_end(
    year: int, as_of: date, value: float | None, monthly: list[float] | None, is_rate: bool, expected: float
) -> None:
    assert project_year_end(year, as_of, value, monthly, is_rate) == pytest.approx(expected)


def test_project_year_end_needs_twelve_months() -> None:
    with pytest.raises(ValueError):
        project_year_end(2024, date(2024, 9, 30), 10, [1.0] * 11)


@pytest.mark.parametrize(
    ("year", "as_of", "value", "target", "is_rate", "expected"),
    [
        (2024, date(2024, 9, 30), 80, 100, False, 20 / 3),  # 3 months left
        (2024, date(2024, 9, 15), 80, 100, False, 5.0),  # September still counts: 20 / 4
        (2024, date(2024, 1, 1), 0, 60, False, 5.0),  # 60 / 12
        (2024, date(2024, 1, 1), None, 60, False, 5.0),  # no data reads 0
        (2024, date(2024, 9, 30), 100, 100, False, 0.0),  # exactly met
        (2024, date(2024, 9, 30), 124, 100, False, 0.0),  # over-achieved
        (2024, date(2024, 12, 31), 90, 100, False, 10.0),  # no month left: the whole shortfall
        (2024, date(2025, 3, 1), 90, 100, False, 10.0),  # after the year
        (2024, date(2023, 12, 1), 0, 100, False, 100 / 12),  # before the year
        (2024, date(2024, 9, 30), 80, None, False, None),  # no target
        (2024, date(2024, 9, 30), 93.1, 95, True, None),  # a rate
    ],
)
def test_needed_per_month(
    year: int, as_of: date, value: float | None, target: float | None, is_rate: bool, expected: float | None
) -> None:
    result = needed_per_month(year, as_of, value, target, is_rate)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected)


def test_evaluate_target_met() -> None:
    # training_person_times: 124 against 100 at 2024-09-30, no last-year pattern
    p = evaluate_target(2024, date(2024, 9, 30), 124, 100, "100人次以上", False, None)
    assert isinstance(p, TargetProgress)
    assert p.value == 124.0
    assert p.completion == pytest.approx(124.0)
    assert p.schedule == pytest.approx(74.863, abs=0.001)  # 274/366
    assert p.gap == pytest.approx(49.137, abs=0.001)
    assert p.status is Status.DONE
    assert p.projection == pytest.approx(165.635, abs=0.001)  # 124 / 274 × 366
    assert p.projection_reaches_target is True
    assert p.needed_per_month == 0.0
    assert p.note == "100人次以上"


def test_evaluate_target_rate() -> None:
    # rehab_satisfaction_rate 93.1% against 95%: a rate does not accumulate, so it is held against the target
    # itself, not against 序时进度 (74.9% on 30 September would have called it 超序时 although it is below target).
    p = evaluate_target(2024, date(2024, 9, 30), 93.1, 95, "力争100%", True, None)
    assert p.completion == pytest.approx(98.0)
    assert p.gap == pytest.approx(-1.9)  # value − target, 个百分点
    assert p.status is Status.BEHIND and p.status_label == "低于目标"
    assert p.projection == pytest.approx(93.1)
    assert p.projection_reaches_target is False
    assert p.needed_per_month is None
    assert p.outlook == "比率指标不按月累计，直接与目标比较：当前低于目标1.9个百分点。"
    # the same on the first day of the year and at its end: the schedule plays no part
    for as_of in (date(2024, 1, 1), date(2024, 12, 31)):
        assert evaluate_target(2024, as_of, 93.1, 95, None, True, None).status is Status.BEHIND
    met = evaluate_target(2024, date(2024, 3, 31), 96.0, 95, None, True, None)
    assert met.status is Status.DONE and met.status_label == "已达目标" and met.gap == pytest.approx(1.0)
    far = evaluate_target(2024, date(2024, 9, 30), 70.0, 95, None, True, None)
    assert far.status is Status.SEVERELY_BEHIND and far.status_label == "严重低于目标"


# Last year's 无障碍改造 by month: little until September, most households accepted in the last quarter.
LATE_PATTERN = [1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0, 5.0, 20.0, 30.0, 25.0]


def test_a_target_behind_schedule_that_last_year_caught_up_says_why() -> None:
    # 60 households, 20 by 30 September (33% at 74.9%: 严重滞后); last year 75 of 99 came after September.
    p = evaluate_target(2024, date(2024, 9, 30), 20, 60, None, False, LATE_PATTERN)
    assert p.status is Status.SEVERELY_BEHIND
    assert p.projection == pytest.approx(95.0) and p.projection_reaches_target is True
    assert later_months_share(LATE_PATTERN, date(2024, 9, 30)) == pytest.approx(75 / 99 * 100)
    assert p.outlook == (
        "目前落后于序时进度，但上年9月底以后完成了全年的76%，按上年各月节奏推算全年仍可完成；需保持上年后几个月的进度。"
    )
    assert p.projection_surprises is True


def test_a_target_ahead_of_schedule_that_last_year_slowed_says_why() -> None:
    early = list(reversed(LATE_PATTERN))  # most of last year's work came early
    p = evaluate_target(2024, date(2024, 9, 30), 48, 60, None, False, early)
    assert p.status is Status.AHEAD  # 80% at 74.9%
    assert p.projection == pytest.approx(52.0) and p.projection_reaches_target is False
    assert p.outlook.startswith("目前不落后于序时进度，但上年9月底以后完成了全年的4%")
    assert p.outlook.endswith("按上年各月节奏推算全年难以完成。")
    assert p.projection_surprises is True
    on_course = evaluate_target(2024, date(2024, 9, 30), 50, 60, None, False, LATE_PATTERN)
    assert on_course.status is Status.AHEAD and on_course.projection_reaches_target
    assert on_course.projection_surprises is False


def test_outlook_without_last_year_and_after_the_year() -> None:
    run_rate = evaluate_target(2024, date(2024, 6, 30), 30, 60, None, False, None)
    assert run_rate.outlook == "上年没有逐月数据，按今年已过天数的平均进度推算，预计全年可以完成。"
    assert evaluate_target(2023, date(2024, 6, 30), 30, 60, None, False, None).outlook.startswith("全年已结束")
    assert evaluate_target(2024, date(2024, 6, 30), 60, 60, None, False, None).outlook == "已完成全年目标。"


@pytest.mark.parametrize("value", [None, 0, float("nan")])
def test_evaluate_target_without_data(value: float | None) -> None:
    # accessibility_households with no data at 2024-09-30: 0, 严重滞后, never an error
    p = evaluate_target(2024, date(2024, 9, 30), value, 60, "60户以上", False, None)
    assert p.value == 0.0
    assert p.completion == 0.0
    assert p.gap == pytest.approx(-74.863, abs=0.001)
    assert p.status is Status.SEVERELY_BEHIND
    assert p.projection == 0.0
    assert p.projection_reaches_target is False
    assert p.needed_per_month == pytest.approx(20.0)  # 60 / 3


def test_evaluate_target_without_data_before_time_elapsed() -> None:
    p = evaluate_target(2024, date(2023, 12, 31), None, 60, None, False, FLAT_10)
    assert p.schedule == 0.0
    assert p.status is Status.NOT_STARTED
    assert p.projection == pytest.approx(120.0)
    assert p.projection_reaches_target is True
    assert p.needed_per_month == pytest.approx(5.0)
    # by month, mid-January has no complete month yet either
    p = evaluate_target(2024, date(2024, 1, 15), 0, 60, None, False, None, basis="month")
    assert p.schedule == 0.0
    assert p.status is Status.NOT_STARTED


def test_evaluate_target_month_basis_with_pattern() -> None:
    # 60 of 100 at 2024-09-15 by month: schedule 8/12 = 66.67%, 6.67 points behind
    p = evaluate_target(2024, date(2024, 9, 15), 60, 100, None, False, SEP_HEAVY, basis="month")
    assert p.schedule == pytest.approx(66.667, abs=0.001)
    assert p.gap == pytest.approx(-6.667, abs=0.001)
    assert p.status is Status.BEHIND
    assert p.projection == pytest.approx(98.0)  # 60 + 6 + 32
    assert p.projection_reaches_target is False
    assert p.needed_per_month == pytest.approx(10.0)  # 40 / 4


@pytest.mark.parametrize("target", [None, 0])
def test_evaluate_target_without_target(target: float | None) -> None:
    p = evaluate_target(2024, date(2024, 9, 30), 137, target, None, False, None)
    assert p.target == target
    assert p.completion is None
    assert p.gap is None
    assert p.status is Status.NO_TARGET
    assert p.projection == pytest.approx(183.0)
    assert p.projection_reaches_target is False
    assert p.needed_per_month is None


def test_evaluate_target_after_the_year() -> None:
    p = evaluate_target(2024, date(2025, 2, 1), 90, 100, None, False, FLAT_10)
    assert p.schedule == 100.0
    assert p.status is Status.BEHIND
    assert p.projection == 90.0
    assert p.needed_per_month == pytest.approx(10.0)


# ---------------------------------------------------------------------------
# projection_path (the projected cumulative line of the 年度目标 chart)


def test_projection_path_with_pattern_mid_month() -> None:
    # 70 at 2024-09-15: + 12 × 15/30 = 76 at Sep 30, then + 20, + 8, + 4
    path = projection_path(2024, date(2024, 9, 15), 70, SEP_HEAVY)
    assert path == [
        (date(2024, 9, 15), 70.0),
        (date(2024, 9, 30), 76.0),
        (date(2024, 10, 31), 96.0),
        (date(2024, 11, 30), 104.0),
        (date(2024, 12, 31), 108.0),
    ]
    assert path[-1][1] == project_year_end(2024, date(2024, 9, 15), 70, SEP_HEAVY)


def test_projection_path_on_month_end_and_run_rate() -> None:
    # on a month end the as-of month is not repeated: 80, then 90, 100, 110
    path = projection_path(2024, date(2024, 9, 30), 80, FLAT_10)
    assert [v for _, v in path] == [80.0, 90.0, 100.0, 110.0]
    assert [d for d, _ in path][1:] == [date(2024, 10, 31), date(2024, 11, 30), date(2024, 12, 31)]
    # run rate 137 / 274 per day: Oct 31 is day 305, Dec 31 is day 366
    path = projection_path(2024, date(2024, 9, 30), 137, None)
    assert path[1][1] == pytest.approx(152.5)
    assert path[-1][1] == pytest.approx(183.0)
    # a rate stays flat
    assert {v for _, v in projection_path(2024, date(2024, 9, 30), 93.1, FLAT_10, True)} == {93.1}


def test_projection_path_outside_the_year() -> None:
    assert projection_path(2024, date(2024, 12, 31), 123, FLAT_10) == [(date(2024, 12, 31), 123.0)]
    assert projection_path(2024, date(2025, 1, 15), 95, FLAT_10) == []
    assert projection_path(2024, date(2023, 12, 31), 0, FLAT_10) == []
