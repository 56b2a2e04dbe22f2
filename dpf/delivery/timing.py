"""When a schedule is due: its latest occurrence up to now (monthly on day N, weekly, after an import), whether
it is sent late (补发), and the month a 月度通报 covers.

Only the latest occurrence is ever due: a runner that was down over several occurrences sends the last one once,
marked 补发 (the briefing is of the data as they are now; three copies would say the same). An occurrence before
the schedule was created is never due.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dpf.delivery.schedules import AFTER_IMPORT, MONTHLY, WEEKLY, Schedule
from dpf.figures.schedule import month_end

LATE_AFTER = timedelta(minutes=10)  # first seen by a runner later than this after its time: 补发


@dataclass(frozen=True)
class Import:
    """A successful import of the import log: its id and when it was written."""

    id: str
    at: datetime


@dataclass(frozen=True)
class Occurrence:
    """One sending of a schedule: `key` names it in the delivery log (its time, or the import's id)."""

    key: str
    at: datetime


def monthly_at(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    """Day `day` of the month at HH:MM; a month shorter than `day` gives its last day."""
    return datetime(year, month, min(day, month_end(year, month).day), hour, minute)


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def latest_time(schedule: Schedule, now: datetime) -> datetime | None:
    """The latest time at or before `now` the schedule's clock names (None for after_import)."""
    if schedule.when == MONTHLY and schedule.day is not None:
        hour, minute = schedule.hour_minute
        this_month = monthly_at(now.year, now.month, schedule.day, hour, minute)
        if this_month <= now:
            return this_month
        return monthly_at(*previous_month(now.year, now.month), schedule.day, hour, minute)
    if schedule.when == WEEKLY and schedule.weekday is not None:
        hour, minute = schedule.hour_minute
        day = now.date() - timedelta(days=(now.weekday() - schedule.weekday) % 7)
        at = datetime.combine(day, datetime.min.time()).replace(hour=hour, minute=minute)
        return at if at <= now else at - timedelta(days=7)
    return None


def due(schedule: Schedule, now: datetime, imports: Sequence[Import] = ()) -> Occurrence | None:
    """The occurrence to send now, if any: the latest one at or before `now` and not before the schedule's creation."""
    if schedule.when == AFTER_IMPORT:
        done = [i for i in imports if schedule.created <= i.at <= now]
        if not done:
            return None
        last = max(done, key=lambda i: i.at)
        return Occurrence(f"import:{last.id}", last.at)
    at = latest_time(schedule, now)
    if at is None or at < schedule.created:
        return None
    return Occurrence(at.isoformat(timespec="minutes"), at)


def is_late(at: datetime, first_seen: datetime) -> bool:
    """A delivery first taken up more than LATE_AFTER after its time is a 补发."""
    return first_seen - at > LATE_AFTER


def report_month(at: date) -> tuple[int, int]:
    """The month a 月度通报 sent on `at` covers: the previous complete month (sent on 3 July: June)."""
    return previous_month(at.year, at.month)
