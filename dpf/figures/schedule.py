"""Elapsed-time schedule (序时进度), target statuses and year-end projections.

Pure Python (no Streamlit, no DuckDB): the logic of the 年度目标 page, shared by every
page that shows a target status, so that the same words, colours and icons are used
everywhere. All percentages are floats on a 0..100 scale and are never rounded here;
rounding is a display concern (one decimal for percentages).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import Enum
from typing import Literal

from dpf import palette
from dpf.numbers import is_missing, number_or_zero

Basis = Literal["day", "month"]

# Behind schedule by more than this many percentage points is 严重滞后.
SEVERE_LAG_POINTS = 20.0

# Tolerance for float noise when comparing percentages (e.g. 74.86 - 54.86 = 20.000000000000007).
_EPS = 1e-9


class Status(Enum):
    """A target's status. Each member carries code, label, color, icon, emoji and rank.

    `rank` sorts laggards first (严重滞后 = 0). `icon` is a Streamlit material icon;
    `emoji` is a plain character for text (exports, briefings, table cells).
    """

    SEVERELY_BEHIND = ("severely_behind", "严重滞后", palette.SEVERELY_BEHIND, ":material/error:", "🔴", 0)
    BEHIND = ("behind", "低于序时", palette.BEHIND, ":material/schedule:", "🟠", 1)  # amber, as its bars
    AHEAD = ("ahead", "超序时", palette.AHEAD, ":material/trending_up:", "🔵", 2)
    DONE = ("done", "已完成", palette.DONE, ":material/check_circle:", "🟢", 3)
    NOT_STARTED = ("not_started", "未开始", palette.NOT_STARTED, ":material/hourglass_empty:", "⚪", 4)
    NO_TARGET = ("no_target", "无目标", palette.NO_TARGET, ":material/remove:", "➖", 5)

    def __init__(self, code: str, label: str, color: str, icon: str, emoji: str, rank: int) -> None:
        self.code = code
        self.label = label
        self.color = color
        self.icon = icon
        self.emoji = emoji
        self.rank = rank

    @property
    def text(self) -> str:
        """Emoji and label for plain-text use, e.g. "🔴 严重滞后"."""
        return f"{self.emoji} {self.label}"

    @classmethod
    def from_code(cls, code: str) -> Status:
        """The status whose `code` is `code` (ValueError if none)."""
        for status in cls:
            if status.code == code:
                return status
        raise ValueError(f"unknown status code: {code!r}")


# ---------------------------------------------------------------------------
# Calendar helpers


def _as_date(value: date) -> date:
    """Accept datetime / pandas Timestamp as well as date."""
    return value.date() if isinstance(value, datetime) else value


def days_in_year(year: int) -> int:
    """365, or 366 in a leap year."""
    return 366 if calendar.isleap(year) else 365


def month_end(year: int, month: int) -> date:
    """The last day of the month: month_end(2024, 2) -> 2024-02-29."""
    return date(year, month, calendar.monthrange(year, month)[1])


def month_ends(year: int) -> list[date]:
    """The 12 month-end dates of `year`."""
    return [month_end(year, month) for month in range(1, 13)]


def elapsed_days(year: int, as_of: date) -> int:
    """Days of `year` elapsed at `as_of`, as-of inclusive (1 January -> 1), clamped to 0..days_in_year."""
    as_of = _as_date(as_of)
    if as_of.year < year:
        return 0
    if as_of.year > year:
        return days_in_year(year)
    return as_of.timetuple().tm_yday


def completed_months(year: int, as_of: date) -> int:
    """Months of `year` complete at `as_of`; the as-of month counts when as-of is its last day."""
    as_of = _as_date(as_of)
    if as_of.year < year:
        return 0
    if as_of.year > year:
        return 12
    return as_of.month if as_of == month_end(year, as_of.month) else as_of.month - 1


def schedule_share(year: int, as_of: date, basis: Basis = "day") -> float:
    """序时进度 in % (0..100): elapsed days / days in year, or completed months / 12."""
    if basis == "day":
        return elapsed_days(year, as_of) / days_in_year(year) * 100.0
    if basis == "month":
        return completed_months(year, as_of) / 12 * 100.0
    raise ValueError(f"unknown schedule basis: {basis!r}")


def schedule_line(year: int, basis: Basis = "day") -> list[tuple[date, float]]:
    """The 12 month-end points (date, schedule share in %) of the straight-line schedule.

    The line always spans the whole year: it is the reference the cumulative actuals (which
    stop at as-of) are drawn against, so it does not depend on the as-of date.
    """
    return [(end, schedule_share(year, end, basis)) for end in month_ends(year)]


# ---------------------------------------------------------------------------
# Completion and status


def completion_pct(value: float | None, target: float | None) -> float | None:
    """完成率 = value / target in %; None when there is no target (None or 0). A missing value counts as 0."""
    if is_missing(target) or target == 0:
        return None
    return number_or_zero(value) / target * 100.0


def gap_points(completion: float, schedule: float) -> float:
    """完成率 − 序时进度, in 个百分点 (positive = ahead of schedule)."""
    return completion - schedule


def status_for(completion: float | None, schedule: float) -> Status:
    """The status of a target with this completion (%) at this schedule (%).

    None completion means no target (see `completion_pct`) -> 无目标. Otherwise, in order:
    >= 100 -> 已完成; nothing done and no time elapsed -> 未开始; >= schedule -> 超序时;
    behind by up to 20 points (inclusive) -> 低于序时; behind by more -> 严重滞后.
    """
    if is_missing(completion):
        return Status.NO_TARGET
    if completion >= 100.0:
        return Status.DONE
    if schedule <= 0.0 and completion <= 0.0:
        return Status.NOT_STARTED
    if completion >= schedule - _EPS:
        return Status.AHEAD
    if schedule - completion <= SEVERE_LAG_POINTS + _EPS:
        return Status.BEHIND
    return Status.SEVERELY_BEHIND


# ---------------------------------------------------------------------------
# Projection and what is still needed


def project_year_end(
    year: int,
    as_of: date,
    value_so_far: float | None,
    monthly_last_year: Sequence[float] | None,
    is_rate: bool = False,
) -> float:
    """Projected year-end value.

    The value so far plus the rest of the year at last year's monthly pattern
    (`monthly_last_year`: 12 per-month increments; the rest of the as-of month is prorated
    by days, later months are added whole). Without last-year data (None or all zero) the
    year's run rate is used: value_so_far / elapsed days * days in year. A rate indicator
    projects to its current value; after the year the value so far is final.
    """
    as_of = _as_date(as_of)
    value = number_or_zero(value_so_far)
    if is_rate or as_of.year > year:
        return value

    pattern = _pattern(monthly_last_year)
    if pattern is not None:
        if as_of.year < year:
            return value + sum(pattern)
        return value + _rest_of_month(pattern, as_of) + sum(pattern[as_of.month :])

    elapsed = elapsed_days(year, as_of)
    if elapsed == 0:
        return value
    return value / elapsed * days_in_year(year)


def projection_path(
    year: int,
    as_of: date,
    value_so_far: float | None,
    monthly_last_year: Sequence[float] | None,
    is_rate: bool = False,
) -> list[tuple[date, float]]:
    """The projected cumulative path from as-of to 31 December, for a progress chart.

    Starts at (as-of, value so far) and adds each later month end, by the same rule as
    `project_year_end` (whose value the last point equals). Empty when as-of is outside
    the year (nothing left to project, or nothing started).
    """
    as_of = _as_date(as_of)
    value = number_or_zero(value_so_far)
    if as_of.year != year:
        return []
    points = [(as_of, value)]
    pattern = None if is_rate else _pattern(monthly_last_year)
    elapsed = elapsed_days(year, as_of)
    running = value
    for month in range(as_of.month, 13):
        end = month_end(year, month)
        if end <= as_of:
            continue
        if is_rate:
            running = value
        elif pattern is not None:
            running += _rest_of_month(pattern, as_of) if month == as_of.month else pattern[month - 1]
        else:
            running = value / elapsed * end.timetuple().tm_yday
        points.append((end, running))
    return points


def needed_per_month(
    year: int,
    as_of: date,
    value_so_far: float | None,
    target: float | None,
    is_rate: bool = False,
) -> float | None:
    """What is still needed per remaining month to reach the target.

    Remaining months = 12 − completed months (a partly elapsed month counts as remaining).
    0 when the target is already met; the whole shortfall when no month remains; None when
    there is no target or the indicator is a rate (a rate is not accumulated month by month).
    """
    if is_missing(target) or is_rate:
        return None
    shortfall = target - number_or_zero(value_so_far)
    if shortfall <= 0:
        return 0.0
    remaining = 12 - completed_months(year, as_of)
    if remaining <= 0:
        return shortfall
    return shortfall / remaining


# ---------------------------------------------------------------------------
# Everything for one target


def rate_status(value: float | None, target: float) -> Status:
    """A rate target (满意率) is not accumulated over the year: its value is held against the target itself.

    >= target -> DONE (已达目标); below it by up to 20% of the target -> BEHIND (低于目标); further below ->
    SEVERELY_BEHIND (严重低于目标).
    """
    return status_for(completion_pct(value, target), 100.0)


def later_months_share(monthly_last_year: Sequence[float] | None, as_of: date) -> float | None:
    """The share (%) of last year's total that last year's months after `as_of` brought (None without a pattern).

    Why a target behind schedule can still be reached: work that is done mostly late in the year (无障碍改造 is
    accepted in the autumn) lags the straight-line schedule every year and catches up in the last months.
    """
    pattern = _pattern(monthly_last_year)
    if pattern is None:
        return None
    as_of = _as_date(as_of)
    later = _rest_of_month(pattern, as_of) + sum(pattern[as_of.month :])
    return later / sum(pattern) * 100.0


def outlook_text(progress: TargetProgress, monthly_last_year: Sequence[float] | None = None) -> str:
    """Why the projection says what it says, in plain Chinese, consistent with the status beside it."""
    p = progress
    if p.target is None:
        return ""
    if p.is_rate:
        if p.value >= p.target:
            return "比率指标不按月累计，直接与目标比较：当前已达到目标。"
        return f"比率指标不按月累计，直接与目标比较：当前低于目标{p.target - p.value:.1f}个百分点。"
    if p.as_of.year > p.year:
        return "全年已结束，以全年实际完成为准。"
    if p.value >= p.target:
        return "已完成全年目标。"
    later = later_months_share(monthly_last_year, p.as_of) if p.as_of.year == p.year else None
    if later is None:
        how = "上年没有逐月数据，按今年已过天数的平均进度推算"
        return f"{how}，预计全年{'可以' if p.projection_reaches_target else '难以'}完成。"
    months = f"上年{p.as_of.month}月底以后完成了全年的{later:.0f}%"
    behind = p.status in (Status.BEHIND, Status.SEVERELY_BEHIND)
    if p.projection_reaches_target and behind:
        return f"目前落后于序时进度，但{months}，按上年各月节奏推算全年仍可完成；需保持上年后几个月的进度。"
    if not p.projection_reaches_target and not behind:
        return f"目前不落后于序时进度，但{months}，后几个月完成较少，按上年各月节奏推算全年难以完成。"
    return f"{months}，按上年各月节奏推算全年{'可以' if p.projection_reaches_target else '难以'}完成。"


@dataclass(frozen=True)
class TargetProgress:
    """A target's progress at an as-of date, as shown on the 年度目标 page.

    A rate target (is_rate) is held against the target itself, not against 序时进度: its gap is value − target
    in 个百分点 and its status comes from `rate_status`; `outlook` says why the projection reads as it does.
    """

    year: int
    as_of: date
    value: float  # so far; 0 when the indicator has no data yet
    target: float | None
    completion: float | None  # %; None without a target
    schedule: float  # 序时进度, %
    gap: float | None  # completion − schedule, 个百分点; None without a target
    status: Status
    projection: float  # projected year-end value
    projection_reaches_target: bool
    needed_per_month: float | None
    note: str | None
    is_rate: bool = False
    outlook: str = ""

    @property
    def status_label(self) -> str:
        """The status in words that fit the target: a rate is 已达目标 / 低于目标 / 严重低于目标, not 已完成 /
        低于序时 / 严重滞后 (it is not held against 序时进度)."""
        rate_labels = {Status.DONE: "已达目标", Status.BEHIND: "低于目标", Status.SEVERELY_BEHIND: "严重低于目标"}
        return rate_labels.get(self.status, self.status.label) if self.is_rate else self.status.label

    @property
    def projection_surprises(self) -> bool:
        """True when status and projection seem to disagree (behind schedule yet projected to reach the target, or
        on schedule yet not): the page then says why beside it (`outlook`)."""
        if self.is_rate or self.target is None or self.status in (Status.DONE, Status.NOT_STARTED, Status.NO_TARGET):
            return False
        behind = self.status in (Status.BEHIND, Status.SEVERELY_BEHIND)
        return behind == self.projection_reaches_target

    @property
    def status_text(self) -> str:
        """Emoji and status_label for plain-text use, e.g. "🔴 严重滞后"."""
        return f"{self.status.emoji} {self.status_label}"


def evaluate_target(
    year: int,
    as_of: date,
    value: float | None,
    target: float | None,
    note: str | None = None,
    is_rate: bool = False,
    monthly_last_year: Sequence[float] | None = None,
    basis: Basis = "day",
) -> TargetProgress:
    """Bundle completion, schedule, gap, status, projection and need for one target.

    Never raises for missing data: a value of None reads 0 (严重滞后 once the schedule is
    more than 20 points in, 未开始 before any time has elapsed); a target of None or 0
    reads 无目标.
    """
    as_of = _as_date(as_of)
    value_num = number_or_zero(value)
    if is_missing(target):
        target = None
    completion = completion_pct(value_num, target)
    schedule = schedule_share(year, as_of, basis)
    projection = project_year_end(year, as_of, value_num, monthly_last_year, is_rate)
    has_target = completion is not None
    if completion is None or target is None:  # the same: completion_pct is None without a target
        gap, status = None, Status.NO_TARGET
    elif is_rate:  # a rate is due all year: held against the target, not against 序时进度
        gap, status = value_num - target, rate_status(value_num, target)
    else:
        gap, status = gap_points(completion, schedule), status_for(completion, schedule)
    progress = TargetProgress(
        year=year,
        as_of=as_of,
        value=value_num,
        target=target,
        completion=completion,
        schedule=schedule,
        gap=gap,
        status=status,
        projection=projection,
        projection_reaches_target=has_target and target is not None and projection >= target,
        needed_per_month=needed_per_month(year, as_of, value_num, target, is_rate) if has_target else None,
        note=note,
        is_rate=is_rate,
    )
    return replace(progress, outlook=outlook_text(progress, monthly_last_year))


# ---------------------------------------------------------------------------
# Internals


def _rest_of_month(pattern: Sequence[float], as_of: date) -> float:
    """Last year's increment of the as-of month, prorated by the days of it still to come."""
    month_days = month_end(as_of.year, as_of.month).day
    return pattern[as_of.month - 1] * (month_days - as_of.day) / month_days


def _pattern(monthly: Sequence[float] | None) -> list[float] | None:
    """Last year's 12 monthly increments, or None when there is no usable data."""
    if monthly is None:
        return None
    values = [number_or_zero(x) for x in monthly]
    if len(values) != 12:
        raise ValueError(f"monthly_last_year needs 12 values, got {len(values)}")
    if all(v == 0 for v in values):
        return None
    return values
