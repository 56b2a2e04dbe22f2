"""Synthetic, deterministic demo extracts for a fictional county (data contract version 1).

Everything here is made up: person keys are hashes of a seed-derived counter, townships are
fictional, and the manifest says ``"source": "demo"``. The full year 2023 reproduces the 2023
work report exactly (``dpf.contract.catalogue.REPORT_2023``), N times over at ``scale`` N; 2024 runs up
to the as-of date with the targets of ``dpf.contract.catalogue.TARGETS_2024``.

At scale N the county is copied N times (23 townships and ~22,000 persons per copy); each copy
draws from its own random stream ``SeedSequence(seed, spawn_key=(copy,))``, so copy 0 is the
same at every scale. All generation is vectorised numpy; Parquet is written with fixed settings
so that the same arguments give byte-identical files and manifest.
"""

from __future__ import annotations

import hashlib
import math
import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from dpf.contract.catalogue import OPTIONAL_COLUMNS, PROGRAMS, REPORT_2023, SERVICES, TABLE_SCHEMAS, TARGETS_2024
from dpf.contract.manifest import write_manifest

EPOCH = date(1970, 1, 1)
TOWNSHIPS_WITH_GRID = pa.schema([*TABLE_SCHEMAS["townships"], *OPTIONAL_COLUMNS["townships"]])
PERSONS_WITH_HARDSHIP = pa.schema([*TABLE_SCHEMAS["persons"], *OPTIONAL_COLUMNS["persons"]])
# 低保/困难 persons the 生活补贴 has not reached yet (应补未补): this share of the certified persons never paid it.
UNPAID_HARDSHIP_SHARE = 0.03
NEVER = np.iinfo(np.int64).max  # cancelled_on of a valid certificate
CHUNK_ROWS = 5_000_000  # at most about this many payment rows per part file
ID_WIDTH = 8
PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 3,
    "use_dictionary": True,
    "write_statistics": True,
    "row_group_size": 1 << 20,
    "data_page_size": 1 << 20,
    "version": "2.6",
}

# (code suffix, name, kind, relative population). Codes: 街道 0xx, 镇 1xx, 乡 2xx.
TOWNSHIPS: tuple[tuple[str, str, str, float], ...] = (
    ("001", "城关街道", "街道", 5.0),
    ("002", "凤城街道", "街道", 3.6),
    ("003", "东湖街道", "街道", 2.9),
    ("101", "龙山镇", "镇", 3.2),
    ("102", "青石镇", "镇", 2.5),
    ("103", "白沙镇", "镇", 2.2),
    ("104", "桃源镇", "镇", 2.6),
    ("105", "梅林镇", "镇", 1.9),
    ("106", "双河镇", "镇", 2.4),
    ("107", "石桥镇", "镇", 1.7),
    ("108", "柳溪镇", "镇", 2.0),
    ("109", "云岭镇", "镇", 1.5),
    ("110", "枫林镇", "镇", 1.8),
    ("111", "金竹镇", "镇", 1.4),
    ("112", "清泉镇", "镇", 2.1),
    ("113", "凤鸣镇", "镇", 1.6),
    ("201", "松岗乡", "乡", 1.2),
    ("202", "杏花乡", "乡", 1.0),
    ("203", "竹园乡", "乡", 1.3),
    ("204", "高峰乡", "乡", 1.0),
    ("205", "兰溪乡", "乡", 1.1),
    ("206", "茶坪乡", "乡", 1.2),
    ("207", "鹤山乡", "乡", 1.4),
)
N_TOWNSHIPS = len(TOWNSHIPS)
# The tile map's hand-made grid (grid_row, grid_col) of one county: 街道 in the middle, 乡 on the western edge.
TOWNSHIP_GRID: dict[str, tuple[int, int]] = {
    "松岗乡": (0, 1), "杏花乡": (0, 2), "云岭镇": (0, 3), "枫林镇": (0, 4),
    "竹园乡": (1, 0), "龙山镇": (1, 1), "青石镇": (1, 2), "金竹镇": (1, 3), "清泉镇": (1, 4),
    "高峰乡": (2, 0), "白沙镇": (2, 1), "城关街道": (2, 2), "凤城街道": (2, 3), "凤鸣镇": (2, 4),
    "兰溪乡": (3, 0), "桃源镇": (3, 1), "东湖街道": (3, 2), "梅林镇": (3, 3), "双河镇": (3, 4),
    "茶坪乡": (4, 1), "鹤山乡": (4, 2), "石桥镇": (4, 3), "柳溪镇": (4, 4),
}  # fmt: skip
GRID_BLOCK = 6  # one county's 5×5 grid and a blank row/column between counties at scale > 1
TOWNSHIP_WEIGHTS = np.array([t[3] for t in TOWNSHIPS]) / sum(t[3] for t in TOWNSHIPS)
DEMO_ISSUER = "XX县残疾人联合会办公室"  # the manifest's optional 编发单位
COUNTY_CODE_BASE = 349001  # fictional 6-digit county code of copy 0; copy c gets +c

CATEGORY_VALUES = np.array([1, 2, 3, 4, 5, 6, 7])
CATEGORY_P = np.array([0.09, 0.09, 0.005, 0.50, 0.07, 0.20, 0.045])
GRADE_P = {
    1: [0.12, 0.23, 0.30, 0.35],
    2: [0.10, 0.22, 0.30, 0.38],
    3: [0.10, 0.25, 0.35, 0.30],
    4: [0.08, 0.20, 0.30, 0.42],
    5: [0.12, 0.38, 0.30, 0.20],
    6: [0.08, 0.42, 0.35, 0.15],
    7: [0.35, 0.40, 0.15, 0.10],
}

PROGRAM_CODES = [p.code for p in PROGRAMS]
PROGRAM_INDEX = {code: i for i, code in enumerate(PROGRAM_CODES)}
SERVICE_CODES = list(SERVICES)
SERVICE_INDEX = {code: i for i, code in enumerate(SERVICE_CODES)}

# The subsidy rates, 元 per person per month.
MONTHLY_RATE = {2023: 80, 2024: 86}

# Vocational training classes: (batch, month, day, courses, trainees).
TRAINING = {
    2023: (
        ("2023年第1期", 4, 11, ("稻虾共生技术", "茶树（油茶）种植技术"), 45),
        ("2023年第2期", 5, 16, ("蓝莓种植技术",), 38),
        ("2023年第3期", 10, 17, ("手工技术", "缝纫机操作"), 41),
    ),
    2024: (
        ("2024年第1期", 4, 9, ("稻虾共生技术", "蓝莓种植技术"), 43),
        ("2024年第2期", 6, 18, ("电商客服", "手工技术"), 38),
        ("2024年第3期", 10, 15, ("缝纫机操作", "茶树（油茶）种植技术"), 40),
    ),
}
# Job fairs: (month, day, enterprises, county-level).
JOB_FAIRS = {
    2023: ((2, 22, 8, True), (4, 20, 5, False), (9, 14, 6, False), (10, 19, 6, True)),
    2024: ((2, 27, 9, True), (5, 16, 6, False), (9, 12, 5, False), (11, 7, 7, True)),
}
DEVICES = {
    1: ("盲杖", "助视器"),
    2: ("助听器",),
    3: ("助听器",),
    4: ("轮椅", "助行器", "拐杖", "坐便椅", "护理床"),
    5: ("坐便椅", "防走失手环"),
    6: ("防走失手环",),
    7: ("轮椅", "护理床", "防褥疮垫"),
}


def _reported(indicator: str) -> int:
    """An exact figure of the 2023 work report (dpf.contract.catalogue.REPORT_2023), which 2023 reproduces."""
    low, high = REPORT_2023[indicator]
    assert low == high, indicator
    return int(low)


def _day(d: date) -> int:
    return (d - EPOCH).days


def _month_start(year: int, months) -> np.ndarray:
    """Days since 1970-01-01 of the first day of each month (1..12, may run past 12)."""
    months = np.asarray(months, dtype=np.int64)
    return (np.datetime64(f"{year}-01", "M") + (months - 1)).astype("datetime64[D]").astype(np.int64)


def _split_total(rng: np.random.Generator, total: int, k: int, unit: int = 1, spread: float = 0.3) -> np.ndarray:
    """k positive multiples of `unit` summing exactly to `total` (a multiple of unit), roughly equal."""
    units = total // unit
    weights = rng.uniform(1 - spread, 1 + spread, k)
    raw = units * weights / weights.sum()
    base = np.floor(raw).astype(np.int64)
    rest = units - int(base.sum())
    order = np.argsort(-(raw - base), kind="stable")
    base[order[:rest]] += 1
    assert base.min() >= 1 and int(base.sum()) == units
    return base * unit


class _County:
    """One copy of the fictional county: its persons and every record about them."""

    def __init__(self, seed: int, copy: int, as_of: date):
        self.rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(copy,)))
        # The hardship flags draw from a stream of their own, so every other figure is as without them.
        self.flag_rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(copy, 1)))
        self.copy = copy
        self.as_of = as_of
        self.as_of_day = _day(as_of)
        self.n_months = 12 + as_of.month  # months from 2023-01 to the as-of month
        self.month_days = _month_start(2023, np.arange(1, self.n_months + 1))
        self.payments: dict[int, list[dict]] = {2023: [], 2024: []}
        self.services: dict[int, list[dict]] = {2023: [], 2024: []}
        self.needs: dict[int, list[dict]] = {2023: [], 2024: []}
        self.surveys: dict[int, list[dict]] = {2023: [], 2024: []}
        self.home_rehab: dict[int, np.ndarray] = {}  # persons served at home, by year (surveyed later)
        self.projects: list[str] = []  # project keys, indexed by the payments' project column
        self.strings: list[str] = []  # batch and detail labels, indexed by the services' columns
        self._string_index: dict[str, int] = {}
        self._persons()

    # --- helpers ----------------------------------------------------------------------------

    def _label(self, text: str) -> int:
        if text not in self._string_index:
            self._string_index[text] = len(self.strings)
            self.strings.append(text)
        return self._string_index[text]

    def pool(self, year: int) -> np.ndarray:
        """Persons certified before 1 January of `year` and still certified at the as-of date."""
        return (self.cert < _day(date(year, 1, 1))) & (self.canc == NEVER)

    def age(self, year: int) -> np.ndarray:
        return year - self.birth_year

    def pick(self, mask: np.ndarray, k: int) -> np.ndarray:
        candidates = np.flatnonzero(mask)
        if candidates.size < k:
            raise RuntimeError(f"demo: only {candidates.size} candidates for {k} persons")
        return np.sort(self.rng.choice(candidates, size=k, replace=False))

    def dates(self, year: int, k: int, month_weights=None) -> np.ndarray:
        if month_weights is None:
            months = self.rng.integers(1, 13, k)
        else:
            w = np.asarray(month_weights, dtype=float)
            months = self.rng.choice(12, size=k, p=w / w.sum()) + 1
        return _month_start(year, months) + self.rng.integers(0, 28, k)

    def township_picks(self, k: int) -> np.ndarray:
        return self.rng.choice(N_TOWNSHIPS, size=k, p=TOWNSHIP_WEIGHTS)

    def pay(self, year, program, days, amounts, persons=None, projects=None, townships=None) -> None:
        days = np.asarray(days, dtype=np.int64)
        k = days.size
        keep = days <= self.as_of_day
        persons = np.full(k, -1, np.int64) if persons is None else np.asarray(persons, np.int64)
        projects = np.full(k, -1, np.int64) if projects is None else np.asarray(projects, np.int64)
        if townships is None:
            townships = self.township[persons]
        piece = {
            "program": np.full(k, PROGRAM_INDEX[program], np.int8),
            "person": persons,
            "project": projects,
            "township": np.asarray(townships, np.int64),
            "period": days,
            "amount": np.broadcast_to(np.asarray(amounts, np.int64), (k,)).copy(),
        }
        self.payments[year].append({name: col[keep] for name, col in piece.items()})

    def serve(self, year, service, days, persons=None, townships=None, quantity=1, batch=None, detail=None) -> None:
        days = np.asarray(days, dtype=np.int64)
        k = days.size
        keep = days <= self.as_of_day
        persons = np.full(k, -1, np.int64) if persons is None else np.asarray(persons, np.int64)
        if townships is None:
            townships = self.township[persons]

        def labels(value):
            if value is None:
                return np.full(k, -1, np.int64)
            if isinstance(value, str):
                return np.full(k, self._label(value), np.int64)
            return np.array([self._label(v) for v in value], np.int64)

        piece = {
            "service": np.full(k, SERVICE_INDEX[service], np.int8),
            "person": persons,
            "township": np.asarray(townships, np.int64),
            "day": days,
            "quantity": np.broadcast_to(np.asarray(quantity, np.int64), (k,)).copy(),
            "batch": labels(batch),
            "detail": labels(detail),
        }
        self.services[year].append({name: col[keep] for name, col in piece.items()})

    def project(self, key: str) -> int:
        self.projects.append(key)
        return len(self.projects) - 1

    # --- persons ----------------------------------------------------------------------------

    def _persons(self) -> None:
        rng, as_of = self.rng, self.as_of
        n = int(rng.integers(21_700, 22_300))
        self.n = n
        self.township = rng.choice(N_TOWNSHIPS, size=n, p=TOWNSHIP_WEIGHTS).astype(np.int64)
        self.male = rng.random(n) < 0.56
        self.category = rng.choice(CATEGORY_VALUES, size=n, p=CATEGORY_P)
        self.grade = np.zeros(n, np.int64)
        for cat, probs in GRADE_P.items():
            mask = self.category == cat
            self.grade[mask] = rng.choice([1, 2, 3, 4], size=int(mask.sum()), p=probs)
        band = rng.choice(4, size=n, p=[0.045, 0.06, 0.375, 0.52])
        age = rng.integers(np.array([1, 15, 30, 60])[band], np.array([14, 29, 59, 95])[band] + 1)
        self.birth_year = as_of.year - age

        d2023, d2024, last = _day(date(2023, 1, 1)), _day(date(2024, 1, 1)), self.as_of_day
        elapsed_2024 = (last - d2024 + 1) / 366
        p23, p24 = 0.052, 0.055 * elapsed_2024
        segment = rng.choice(3, size=n, p=[1 - p23 - p24, p23, p24])
        lo = np.array([_day(date(2000, 1, 1)), d2023, d2024])[segment]
        hi = np.array([d2023 - 1, d2024 - 1, last])[segment]
        born = (self.birth_year + 1 - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)
        lo = np.maximum(lo, born)  # certified at the earliest in the year after birth
        late = lo > hi
        lo[late] = np.maximum(born[late], d2024)
        hi[late] = last
        u = rng.random(n)
        shape = np.where(segment == 0, np.sqrt(u), u)  # more certificates in recent years
        self.cert = (lo + np.floor((hi - lo + 1) * shape).clip(0, hi - lo)).astype(np.int64)

        # Cancellations (deaths, moves) of persons who are in no programme: most before 2023.
        self.canc = np.full(n, NEVER, np.int64)
        old = self.cert < d2023 - 60
        gone = old & (rng.random(n) < 0.10)
        span = (d2023 - 1) - (self.cert + 30)
        self.canc[gone] = self.cert[gone] + 30 + np.floor(rng.random(int(gone.sum())) * span[gone]).astype(np.int64)
        recent = old & ~gone & (rng.random(n) < 0.015)
        self.canc[recent] = d2023 + rng.integers(0, last - d2023 + 1, int(recent.sum()))
        self.locked = np.zeros(n, bool)  # persons whose certificate must stay valid to the as-of date

    def hardship(self) -> np.ndarray:
        """低保/困难 (persons.hardship), after generate(): every 生活补贴 payee, and a few certified persons never paid
        it (UNPAID_HARDSHIP_SHARE), so the coverage of 生活补贴 is high but not complete."""
        living = PROGRAM_INDEX["living_subsidy"]
        flagged = np.zeros(self.n, bool)
        for pieces in self.payments.values():
            for piece in pieces:
                flagged[piece["person"][piece["program"] == living]] = True
        others = ~flagged & (self.canc == NEVER)
        flagged |= others & (self.flag_rng.random(self.n) < UNPAID_HARDSHIP_SHARE)
        return flagged

    def month_index(self, days: np.ndarray) -> np.ndarray:
        """Months since 2023-01 of each day (days from 2023 on)."""
        return np.searchsorted(self.month_days, days, side="right") - 1

    # --- monthly subsidies ------------------------------------------------------------------

    def monthly(self, program: str, eligible: np.ndarray, rows_2023: int, amount_2023: int, join_share: float):
        """One row per person per month; exactly `rows_2023` rows summing to `amount_2023` in 2023."""
        rng, n_months = self.rng, self.n_months
        d2023 = _day(date(2023, 1, 1))
        leave_rate = 0.035
        leaver_pool = eligible & (self.cert < d2023) & (self.canc == NEVER) & ~self.locked

        leavers = self.pick(leaver_pool, round(rows_2023 / 12 * leave_rate))
        leaver_end = rng.integers(0, 11, leavers.size)  # last paid month, Jan..Nov 2023
        new = np.flatnonzero(eligible & (self.cert >= d2023) & (self.canc == NEVER))
        joiners = new[rng.random(new.size) < join_share]
        joiner_start = self.month_index(self.cert[joiners]) + 1 + rng.integers(0, 2, joiners.size)
        keep = joiner_start <= n_months - 1
        joiners, joiner_start = joiners[keep], joiner_start[keep]

        covered = int((leaver_end + 1).sum() + np.clip(12 - joiner_start, 0, None).sum())
        n_steady, rest = divmod(rows_2023 - covered, 12)
        if rest:
            taken = np.zeros(self.n, bool)
            taken[leavers] = True
            extra = self.pick(leaver_pool & ~taken, 1)
            leavers = np.concatenate([leavers, extra])
            leaver_end = np.concatenate([leaver_end, [rest - 1]])
        self.canc[leavers] = self.month_days[leaver_end] + rng.integers(1, 28, leavers.size)

        steady = self.pick(eligible & (self.cert < d2023) & (self.canc == NEVER), n_steady)
        steady_end = np.full(steady.size, n_months - 1)
        if n_months >= 14:  # some leave during 2024, before the as-of month
            free = np.flatnonzero(~self.locked[steady])
            k = min(free.size, round(steady.size * leave_rate * (n_months - 12) / 12))
            chosen = np.sort(rng.choice(free, size=k, replace=False))
            steady_end[chosen] = rng.integers(12, n_months - 1, k)
            self.canc[steady[chosen]] = self.month_days[steady_end[chosen]] + rng.integers(1, 28, k)
        self.locked[steady[steady_end == n_months - 1]] = True
        self.locked[joiners] = True

        person = np.concatenate([leavers, joiners, steady])
        start = np.concatenate([np.zeros(leavers.size, np.int64), joiner_start, np.zeros(steady.size, np.int64)])
        end = np.concatenate([leaver_end, np.full(joiners.size, n_months - 1), steady_end])
        lengths = end - start + 1
        first_row = np.cumsum(lengths) - lengths
        rows = np.repeat(person, lengths)
        month = np.repeat(start, lengths) + (np.arange(lengths.sum()) - np.repeat(first_row, lengths))
        amount = np.where(month < 12, MONTHLY_RATE[2023], MONTHLY_RATE[2024]).astype(np.int64)

        # Back pay (补发) of the month before the first payment for a few new beneficiaries.
        extra_2023, remainder = divmod(amount_2023 - rows_2023 * MONTHLY_RATE[2023], MONTHLY_RATE[2023])
        assert remainder == 0 and extra_2023 >= 0
        is_joiner = np.zeros(person.size, bool)
        is_joiner[leavers.size : leavers.size + joiners.size] = True
        late_2023 = np.flatnonzero(is_joiner & (start >= 1) & (start <= 11))
        amount[first_row[rng.choice(late_2023, size=extra_2023, replace=False)]] += MONTHLY_RATE[2023]
        late_2024 = np.flatnonzero(is_joiner & (start >= 12))
        k = min(late_2024.size, int(rng.integers(1, 4)))
        amount[first_row[rng.choice(late_2024, size=k, replace=False)]] += MONTHLY_RATE[2024]

        for year, in_year in ((2023, month < 12), (2024, month >= 12)):
            self.pay(year, program, self.month_days[month[in_year]], amount[in_year], persons=rows[in_year])

    # --- everything ---------------------------------------------------------------------------

    def generate(self) -> None:
        rng = self.rng
        grade, cat = self.grade, self.category
        for program, eligible, join_share in (
            ("nursing_subsidy", grade <= 2, 0.6),
            ("living_subsidy", np.ones(self.n, bool), 0.55),
        ):
            rows, amount = _reported(f"{program}_person_times"), _reported(f"{program}_amount")
            self.monthly(program, eligible, rows, amount, join_share=join_share)

        # 燃油补贴: 130 元 twice a year to holders of a motorised wheelchair.
        for year, k in ((2023, 98), (2024, 101)):
            who = self.pick(self.pool(year) & (cat == 4) & (grade <= 2) & (self.age(year) >= 18), k)
            for month in (6, 12):
                self.pay(year, "wheelchair_fuel", np.full(k, _month_start(year, month)), 130, persons=who)

        # 就业创业扶持: 3,000 元 each, in spring and autumn.
        spring_autumn = [0, 0, 10, 15, 18, 12, 5, 8, 12, 12, 8, 0]
        for year, k in ((2023, _reported("entrepreneurship_persons")), (2024, 118)):
            age = self.age(year)
            who = self.pick(self.pool(year) & (age >= 18) & (age <= 59) & (grade >= 2), k)
            periods = _month_start(year, self.rng.choice(12, size=k, p=np.divide(spring_autumn, 100)) + 1)
            self.pay(year, "entrepreneurship", periods, 3000, persons=who)

        # Projects: 阳光大棚 3,000 元, 助残基地 19,000 元, 辅助性就业机构 20,000 元.
        county = COUNTY_CODE_BASE + self.copy
        greenhouses = [self.project(f"GH-{county}-{i:03d}") for i in range(1, 24)]
        gh_township = self.township_picks(len(greenhouses))
        n_2023 = _reported("sunshine_greenhouse_projects")
        gh_2023 = np.arange(n_2023)
        gh_2024 = np.concatenate([np.sort(rng.choice(n_2023, 2, replace=False)), np.arange(n_2023, len(greenhouses))])
        for year, which, months in ((2023, gh_2023, (5, 6, 11)), (2024, gh_2024, (5, 6, 8, 9, 11))):
            periods = _month_start(year, rng.choice(months, size=which.size))
            self.pay(
                year,
                "sunshine_greenhouse",
                periods,
                3000,
                projects=np.take(greenhouses, which),
                townships=gh_township[which],
            )
        bases = [self.project(f"JD-{county}-{i:02d}") for i in (1, 2)]
        base_township = self.township_picks(2)
        for year, month in ((2023, 8), (2024, 6)):
            self.pay(
                year,
                "assistance_base",
                np.full(2, _month_start(year, month)),
                19_000,
                projects=bases,
                townships=base_township,
            )
        aux = [self.project(f"FJ-{county}-{i:02d}") for i in (1, 2)]
        self.pay(
            2024,
            "auxiliary_employment",
            _month_start(2024, [8, 11]),
            20_000,
            projects=aux,
            townships=self.township_picks(2),
        )

        # 残疾学生资助: 2,000 元 (本科) or 1,000 元 (专科), in September and October.
        for year, k, undergrad in ((2023, _reported("student_aid_persons"), 44), (2024, 74, 45)):
            age = self.age(year)
            who = self.pick(self.pool(year) & (age >= 18) & (age <= 24), k)
            amounts = np.where(rng.permutation(k) < undergrad, 2000, 1000)
            periods = _month_start(year, np.where(rng.random(k) < 0.65, 9, 10))
            self.pay(year, "student_aid", periods, amounts, persons=who)

        # 人工耳蜗补贴: 17,000 元 per young deaf child.
        taken = np.zeros(self.n, bool)
        for year, k in ((2023, 9), (2024, 7)):
            who = self.pick(self.pool(year) & (cat == 2) & (self.age(year) <= 8) & ~taken, k)
            taken[who] = True
            self.pay(year, "cochlear_implant", _month_start(year, rng.integers(1, 13, k)), 17_000, persons=who)

        # 精神残疾人药费补助: 1,000 元 once a year, quarterly batches; most continue into 2024.
        def medication(year: int, who: np.ndarray) -> None:
            quarters = _month_start(year, rng.choice([3, 6, 9, 12], who.size))
            self.pay(year, "psychiatric_medication", quarters, 1000, persons=who)

        psych_2023 = self.pick(self.pool(2023) & (cat == 6), _reported("psychiatric_medication_persons"))
        medication(2023, psych_2023)
        again = psych_2023[self.canc[psych_2023] == NEVER]
        again = np.sort(rng.choice(again, size=900, replace=False))
        fresh = np.ones(self.n, bool)
        fresh[psych_2023] = False
        medication(2024, np.concatenate([again, self.pick(self.pool(2024) & (cat == 6) & fresh, 160)]))

        # 阳光家园: 750 元 in June and in December.
        home_pool = np.isin(cat, (5, 6, 7)) & (grade <= 2)
        home_2023 = self.pick(self.pool(2023) & home_pool, _reported("sunshine_home_persons"))
        again = np.sort(rng.choice(home_2023, size=330, replace=False))
        fresh = np.ones(self.n, bool)
        fresh[home_2023] = False
        home_2024 = np.concatenate([again, self.pick(self.pool(2024) & home_pool & fresh, 30)])
        for year, who in ((2023, home_2023), (2024, home_2024)):
            for month in (6, 12):
                self.pay(year, "sunshine_home", np.full(who.size, _month_start(year, month)), 750, persons=who)

        # 无障碍改造: one payment per household when the retrofit is accepted, late in the year.
        households = _reported("accessibility_households")
        retro_2023 = self.pick(self.pool(2023) & (grade <= 2), households)
        amount = 5000 + 100 * rng.integers(0, 16, households)
        total = int(rng.integers(5710, 5790)) * 100
        diff = (total - int(amount.sum())) // 100
        steps = rng.choice(households, size=abs(diff), replace=True)
        np.add.at(amount, steps, 100 if diff > 0 else -100)
        assert int(amount.sum()) == total and amount.min() > 0
        self.pay(
            2023,
            "accessibility_retrofit",
            _month_start(2023, rng.choice([10, 11, 12], households, p=[0.3, 0.4, 0.3])),
            amount,
            persons=retro_2023,
        )
        fresh = np.ones(self.n, bool)
        fresh[retro_2023] = False
        retro_2024 = self.pick(self.pool(2024) & (grade <= 2) & fresh, 66)
        months = rng.choice([7, 8, 9, 10, 11, 12], 66, p=[0.09, 0.11, 0.12, 0.22, 0.27, 0.19])
        self.pay(
            2024,
            "accessibility_retrofit",
            _month_start(2024, months),
            5000 + 100 * rng.integers(0, 16, 66),
            persons=retro_2024,
        )

        self._services()
        self._needs_and_surveys()

    def _services(self) -> None:
        rng, cat, grade = self.rng, self.category, self.grade
        d2023, d2024 = _day(date(2023, 1, 1)), _day(date(2024, 1, 1))
        for year in (2023, 2024):
            pool, age = self.pool(year), self.age(year)
            working = pool & (age >= 18) & (age <= 59)
            children = pool & (age <= 14)

            for batch, month, day, courses, k in TRAINING[year]:
                who = self.pick(working & (grade >= 2) & np.isin(cat, (1, 2, 4)), k)
                self.serve(
                    year,
                    "vocational_training",
                    np.full(k, _day(date(year, month, day))),
                    who,
                    batch=batch if self.copy == 0 else f"{self.copy + 1}县{batch}",  # one class per county copy
                    detail=[courses[i] for i in rng.integers(0, len(courses), k)],
                )

            registered = self.pick(working, _reported("job_registrations") if year == 2023 else 190)
            self.serve(
                year,
                "job_registration",
                self.dates(year, registered.size, [6, 12, 14, 10, 9, 8, 7, 7, 8, 8, 6, 5]),
                registered,
            )
            fairs = JOB_FAIRS[year]
            fair_days = np.array([_day(date(year, m, d)) for m, d, _, _ in fairs])
            fair_township = np.where([c for *_, c in fairs], -1, self.township_picks(len(fairs)))
            self.serve(year, "job_fair", fair_days, townships=fair_township, quantity=[q for _, _, q, _ in fairs])
            intents = _reported("job_intentions") if year == 2023 else 60
            intent = np.sort(rng.choice(registered, size=intents, replace=False))
            self.serve(year, "job_intention", rng.choice(fair_days, intent.size), intent)

            # 政策宣传: 6 events, 3000余份 leaflets; the 全国助残日 event is county-level.
            days = np.array([_day(date(year, m, d)) for m, d in ((3, 5), (5, 19), (6, 20), (9, 12), (11, 8), (12, 3))])
            towns = self.township_picks(6)
            towns[1] = -1
            leaflets = _split_total(rng, int(rng.integers(301, 309)) * 10, 6, unit=10)
            self.serve(year, "policy_outreach", days, townships=towns, quantity=leaflets)

            # 集中评残 once a month, at the county hospital except four sessions held in townships.
            days = _month_start(year, np.arange(1, 13)) + rng.integers(7, 20, 12)
            towns = np.full(12, -1, np.int64)
            towns[[2, 5, 8, 10]] = self.township_picks(4)
            self.serve(year, "assessment_centralized", days, townships=towns)

            # 上门评残 and 办证: new certificates are issued on the day of certification.
            start = d2023 if year == 2023 else d2024
            new = np.flatnonzero(
                (self.cert >= start) & (self.cert < _day(date(year + 1, 1, 1))) & (self.cert <= self.as_of_day)
            )
            k = _reported("assessments_home") if year == 2023 else 26
            home = self.pick(np.isin(np.arange(self.n), new) & (grade <= 2), k)
            self.serve(year, "assessment_home", self.cert[home], home)
            renewals = (int(rng.integers(2010, 2090)) if year == 2023 else 2040) - new.size
            renewed = self.pick(pool, renewals)
            issued = np.concatenate([new, renewed])
            issued_on = np.concatenate([self.cert[new], self.dates(year, renewed.size)])
            self.serve(year, "certificate_issued", issued_on, issued)

            # 家庭医生上门康复: distinct persons, 1-4 visits each.
            k = _reported("home_rehab_persons") if year == 2023 else 1480
            home_rehab = self.pick(pool & ((age >= 60) | (grade <= 2)), k)
            visits = rng.choice([1, 2, 3, 4], home_rehab.size, p=[0.45, 0.3, 0.17, 0.08])
            visitors = np.repeat(home_rehab, visits)
            nth = np.arange(visitors.size) - np.repeat(np.cumsum(visits) - visits, visits)
            month = (np.repeat(rng.integers(0, 12, home_rehab.size), visits) + 3 * nth) % 12 + 1  # a quarter apart
            self.serve(year, "home_rehab", _month_start(year, month) + rng.integers(0, 28, visitors.size), visitors)
            self.home_rehab[year] = home_rehab

            fitted = self.pick(children & (cat == 4), _reported("prosthesis_fittings") if year == 2023 else 12)
            self.serve(year, "prosthesis_fitting", self.dates(year, fitted.size), fitted)
            fitted = self.pick(
                children & np.isin(cat, (2, 4, 5, 7)), _reported("device_fittings") if year == 2023 else 8
            )
            self.serve(year, "device_fitting", self.dates(year, fitted.size), fitted)

            # 辅助器具发放: the report's number of pieces in 2023.
            k = 90 if year == 2023 else 96
            who = self.pick(pool & ((age >= 55) | (grade <= 2)), k)
            pieces = 1 + (rng.random(k) < 0.35) + (rng.random(k) < 0.08)
            target = _reported("devices_issued") if year == 2023 else 140
            while (diff := target - int(pieces.sum())) != 0:
                if diff > 0:
                    pieces[rng.choice(k, size=min(diff, k), replace=False)] += 1
                else:
                    candidates = np.flatnonzero(pieces > 1)
                    pieces[rng.choice(candidates, size=min(-diff, candidates.size), replace=False)] -= 1
            detail = [DEVICES[c][i % len(DEVICES[c])] for c, i in zip(cat[who], rng.integers(0, 6, k), strict=True)]
            self.serve(year, "device_issued", self.dates(year, k), who, quantity=pieces, detail=detail)

            # 残疾儿童康复救助: referrals to designated centres.
            k = _reported("child_rehab_persons") if year == 2023 else 138
            rescued = self.pick(children & np.isin(cat, (2, 4, 5, 6, 7)), k)
            self.serve(year, "child_rehab", self.dates(year, rescued.size), rescued)

            # 重度智力残疾人托养: distinct (person, month) cells; the centres opened mid-2023.
            months = np.arange(6, 13) if year == 2023 else np.arange(1, 13)
            cared = self.pick(pool & (cat == 5) & (grade <= 2), 110 if year == 2023 else 95)
            cells = cared.size * months.size
            k = _reported("respite_care_person_times") if year == 2023 else 760
            chosen = np.sort(rng.choice(cells, size=k, replace=False))
            who, month = cared[chosen // months.size], months[chosen % months.size]
            self.serve(year, "respite_care", _month_start(year, month) + rng.integers(0, 28, k), who)

            # 志愿助残活动 (20余次, 近3000小时); a quarter are county-level.
            k = int(rng.integers(22, 28))
            anchors = [(1, 18), (3, 3), (3, 5), (5, 19), (12, 3)]
            days = np.concatenate([[_day(date(year, m, d)) for m, d in anchors], self.dates(year, k - len(anchors))])
            towns = np.where(rng.random(k) < 0.25, -1, self.township_picks(k))
            towns[[0, 3]] = -1
            hours = _split_total(rng, int(rng.integers(2760, 2980)), k, spread=0.6)
            self.serve(year, "volunteer_activity", days, townships=towns, quantity=hours)

    def _needs_and_surveys(self) -> None:
        rng = self.rng
        plans = {
            2023: {need: _reported(f"rehab_needs_{need}") for need in ("basic_medical", "assistive_device")},
            2024: {"basic_medical": 1850, "assistive_device": 42, "rehab_training": 36, "nursing": 22},
        }
        weights = {2023: [6, 10, 16, 16, 12, 9, 7, 6, 6, 5, 4, 3], 2024: [8, 9, 11, 10, 9, 9, 8, 8, 8, 7, 7, 6]}
        for year, plan in plans.items():
            total = sum(plan.values())
            who = self.pick(self.pool(year), total)
            rng.shuffle(who)
            need = np.repeat(np.arange(len(plan)), list(plan.values()))
            recorded = self.dates(year, total, weights[year])
            met = np.where(
                rng.random(total) < (0.9 if year == 2023 else 0.8), recorded + rng.integers(7, 200, total), NEVER
            )
            met[met > self.as_of_day] = NEVER
            keep = recorded <= self.as_of_day
            self.needs[year].append(
                {
                    "need": need[keep],
                    "person": who[keep],
                    "township": self.township[who[keep]],
                    "recorded": recorded[keep],
                    "met": met[keep],
                    "labels": list(plan),
                }
            )

            # 满意度回访 of persons served at home; about 95-96% satisfied.
            k = 620 if year == 2023 else 640
            surveyed = np.sort(rng.choice(self.home_rehab[year], size=k, replace=False))
            satisfied = rng.permutation(k) < round(k * rng.uniform(0.945, 0.968))
            days = self.dates(year, k)
            keep = days <= self.as_of_day
            self.surveys[year].append(
                {
                    "person": surveyed[keep],
                    "township": self.township[surveyed[keep]],
                    "day": days[keep],
                    "satisfied": satisfied[keep],
                }
            )

    def target_shares(self, total: float) -> np.ndarray:
        """Integer shares of `total` for the 23 townships, by population with noise, summing exactly."""
        weights = TOWNSHIP_WEIGHTS * self.rng.uniform(0.75, 1.25, N_TOWNSHIPS)
        raw = total * weights / weights.sum()
        shares = np.floor(raw).astype(np.int64)
        order = np.argsort(-(raw - shares), kind="stable")
        shares[order[: round(total) - int(shares.sum())]] += 1
        return shares


# --- Arrow and Parquet -------------------------------------------------------------------------


def _ids(prefix: str, first: int, n: int) -> pa.Array:
    numbers = pc.cast(pa.array(np.arange(first, first + n, dtype=np.int64)), pa.string())
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(numbers, width=ID_WIDTH, padding="0"), "")


def _dates(days: np.ndarray) -> pa.Array:
    days = np.asarray(days, dtype=np.int64)
    missing = days == NEVER
    return pa.array(np.where(missing, 0, days).astype(np.int32), mask=missing if missing.any() else None).cast(
        pa.date32()
    )


def _decimal_yuan(yuan: np.ndarray) -> pa.Array:
    """Whole yuan as DECIMAL(12,2): the 128-bit little-endian value in cents."""
    cents = np.asarray(yuan, dtype=np.int64) * 100
    words = np.empty((cents.size, 2), np.int64)
    words[:, 0] = cents
    words[:, 1] = cents >> 63
    return pa.Array.from_buffers(pa.decimal128(12, 2), cents.size, [None, pa.py_buffer(words.tobytes())])


def _take(values: pa.Array, index: np.ndarray) -> pa.Array:
    """values[index], null where index < 0."""
    index = np.asarray(index, dtype=np.int64)
    missing = index < 0
    if not missing.any():
        return values.take(pa.array(index))
    return values.take(pa.array(np.where(missing, 0, index), mask=missing))


def _merge(pieces: list[dict], order_keys: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Concatenate pieces and sort by `order_keys` (first key most significant)."""
    merged = {name: np.concatenate([p[name] for p in pieces]) for name in pieces[0]}
    order = np.lexsort(tuple(merged[k] for k in reversed(order_keys)))
    return {name: col[order] for name, col in merged.items()}


class _PaymentsWriter:
    """payments/year=YYYY/part-K.parquet, row groups of ~1M rows, files of ~CHUNK_ROWS rows."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.schema = TABLE_SCHEMAS["payments"]
        self.buffers: dict[int, list[pa.Table]] = {}
        self.buffered: dict[int, int] = {}
        self.next_id: dict[int, int] = {}
        self.writer: dict[int, pq.ParquetWriter] = {}
        self.file_rows: dict[int, int] = {}
        self.parts: dict[int, int] = {}
        self.rows = 0

    def add(self, year: int, table: pa.Table) -> None:
        self.buffers.setdefault(year, []).append(table)
        self.buffered[year] = self.buffered.get(year, 0) + table.num_rows
        if self.buffered[year] >= PARQUET_OPTIONS["row_group_size"]:
            self._flush(year)

    def _flush(self, year: int) -> None:
        if not self.buffered.get(year):
            return
        table = pa.concat_tables(self.buffers[year])
        self.buffers[year], self.buffered[year] = [], 0
        first = self.next_id.get(year, 1)
        self.next_id[year] = first + table.num_rows
        table = table.set_column(0, "payment_id", _ids(f"P{year}-", first, table.num_rows)).cast(self.schema)
        if year not in self.writer:
            part = self.parts.get(year, 0)
            self.parts[year] = part + 1
            path = self.folder / "payments" / f"year={year}" / f"part-{part}.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            options = {k: v for k, v in PARQUET_OPTIONS.items() if k != "row_group_size"}
            self.writer[year] = pq.ParquetWriter(path, self.schema, **options)
            self.file_rows[year] = 0
        self.writer[year].write_table(table, row_group_size=PARQUET_OPTIONS["row_group_size"])
        self.file_rows[year] += table.num_rows
        self.rows += table.num_rows
        if self.file_rows[year] >= CHUNK_ROWS:
            self.writer.pop(year).close()

    def close(self) -> None:
        for year in sorted(self.buffers):
            self._flush(year)
        for year in sorted(self.writer):
            self.writer.pop(year).close()


def _write_table(
    folder: Path, name: str, tables: list[pa.Table], id_prefix: str | None = None, schema: pa.Schema | None = None
) -> int:
    schema = schema or TABLE_SCHEMAS[name]
    table = pa.concat_tables(tables) if tables else schema.empty_table()
    if id_prefix is not None:
        # Ids are numbered per year ({year} in the prefix), in year order then generation order.
        years = table.column("_year").to_numpy()
        order = np.argsort(years, kind="stable")
        table = table.take(pa.array(order)).drop_columns(["_year"])
        years = years[order]
        ids = [_ids(id_prefix.format(year=int(y)), 1, int((years == y).sum())) for y in np.unique(years)]
        table = table.add_column(0, schema.names[0], pa.concat_arrays(ids) if ids else pa.array([], pa.string()))
    table = table.select(schema.names).cast(schema)
    pq.write_table(table, folder / f"{name}.parquet", **PARQUET_OPTIONS)
    return table.num_rows


def _person_rows(
    piece: dict, day: str, year: int, keys: pa.Array, township_codes: pa.Array, base: int
) -> tuple[dict[str, np.ndarray], dict[str, pa.Array]]:
    """A needs or surveys piece in (day, person) order, and its first columns: year, person_key, township_code."""
    order = np.lexsort((piece["person"], piece[day]))
    rows = {name: value[order] for name, value in piece.items() if isinstance(value, np.ndarray)}
    columns = {
        "_year": pa.array(np.full(order.size, year, np.int16)),
        "person_key": _take(keys, rows["person"]),
        "township_code": _take(township_codes, base + rows["township"]),
    }
    return rows, columns


def _write_all(folder: Path, seed: int, scale: int, as_of: date) -> dict[str, int]:
    codes, names, kinds, grid_rows, grid_cols = [], [], [], [], []
    counties_per_row = math.ceil(math.sqrt(scale))
    for copy in range(scale):
        county = COUNTY_CODE_BASE + copy
        block_row, block_col = divmod(copy, counties_per_row)
        for suffix, name, kind, _ in TOWNSHIPS:
            codes.append(f"{county}{suffix}")
            names.append(name if copy == 0 else f"{copy + 1}县{name}")
            kinds.append(kind)
            grid_rows.append(block_row * GRID_BLOCK + TOWNSHIP_GRID[name][0])
            grid_cols.append(block_col * GRID_BLOCK + TOWNSHIP_GRID[name][1])
    order = np.argsort(codes, kind="stable")
    townships = pa.table(
        {
            "code": pa.array(codes).take(pa.array(order)),
            "name": pa.array(names).take(pa.array(order)),
            "kind": pa.array(kinds).take(pa.array(order)),
            "sort_order": pa.array(np.arange(1, len(codes) + 1, dtype=np.int32)),
            "grid_row": pa.array(grid_rows).take(pa.array(order)),
            "grid_col": pa.array(grid_cols).take(pa.array(order)),
        }
    )
    township_codes = pa.array(codes)
    program_codes, service_codes = pa.array(PROGRAM_CODES), pa.array(SERVICE_CODES)

    payments = _PaymentsWriter(folder)
    persons: list[pa.Table] = []
    services: list[pa.Table] = []
    needs: list[pa.Table] = []
    surveys: list[pa.Table] = []
    targets = [
        {"year": 2024, "indicator": indicator, "township_code": None, "target": float(target) * scale, "note": note}
        for indicator, target, note in TARGETS_2024
    ]
    for copy in range(scale):
        county = _County(seed, copy, as_of)
        county.generate()
        base = copy * N_TOWNSHIPS
        keys = pa.array(
            [hashlib.sha256(f"dpf-demo/{seed}/{copy}/{i}".encode("ascii")).hexdigest() for i in range(county.n)]
        )
        persons.append(
            pa.table(
                {
                    "person_key": keys,
                    "township_code": township_codes.take(pa.array(base + county.township)),
                    "sex": pa.array(np.where(county.male, "男", "女")),
                    "birth_year": pa.array(county.birth_year.astype(np.int16)),
                    "category": pa.array(county.category.astype(np.int16)),
                    "grade": pa.array(county.grade.astype(np.int16)),
                    "certified_on": _dates(county.cert),
                    "cancelled_on": _dates(county.canc),
                    "hardship": pa.array(county.hardship()),
                }
            )
        )
        projects, labels = pa.array(county.projects, pa.string()), pa.array(county.strings, pa.string())

        def townships_of(local: np.ndarray, base: int = base) -> np.ndarray:
            return np.where(local < 0, -1, base + local)

        for year in (2023, 2024):
            if county.payments[year]:
                p = _merge(county.payments[year], ("period", "program", "person", "project"))
                n = p["period"].size
                payments.add(
                    year,
                    pa.table(
                        {
                            "payment_id": pa.nulls(n, pa.string()),
                            "program": program_codes.take(pa.array(p["program"].astype(np.int64))),
                            "person_key": _take(keys, p["person"]),
                            "project_key": _take(projects, p["project"]),
                            "township_code": _take(township_codes, townships_of(p["township"])),
                            "period": _dates(p["period"]),
                            "amount_yuan": _decimal_yuan(p["amount"]),
                        }
                    ),
                )
            if county.services[year]:
                s = _merge(county.services[year], ("day", "service", "township", "person"))
                services.append(
                    pa.table(
                        {
                            "_year": pa.array(np.full(s["day"].size, year, np.int16)),
                            "service": service_codes.take(pa.array(s["service"].astype(np.int64))),
                            "person_key": _take(keys, s["person"]),
                            "township_code": _take(township_codes, townships_of(s["township"])),
                            "served_on": _dates(s["day"]),
                            "quantity": pa.array(s["quantity"].astype(np.int32)),
                            "batch": _take(labels, s["batch"]),
                            "detail": _take(labels, s["detail"]),
                        }
                    )
                )
            for piece in county.needs[year]:
                rows, columns = _person_rows(piece, "recorded", year, keys, township_codes, base)
                columns["need"] = pa.array(piece["labels"]).take(pa.array(rows["need"]))
                columns["recorded_on"], columns["met_on"] = _dates(rows["recorded"]), _dates(rows["met"])
                needs.append(pa.table(columns))
            for piece in county.surveys[year]:
                rows, columns = _person_rows(piece, "day", year, keys, township_codes, base)
                columns["surveyed_on"], columns["satisfied"] = _dates(rows["day"]), pa.array(rows["satisfied"])
                surveys.append(pa.table(columns))
        for indicator, total in (("training_person_times", 100), ("accessibility_households", 60)):
            for local, share in enumerate(county.target_shares(total)):
                targets.append(
                    {
                        "year": 2024,
                        "indicator": indicator,
                        "township_code": codes[base + local],
                        "target": float(share),
                        "note": "乡镇（街道）分解任务",
                    }
                )
    payments.close()

    rows = {"payments": payments.rows}
    pq.write_table(townships.cast(TOWNSHIPS_WITH_GRID), folder / "townships.parquet", **PARQUET_OPTIONS)
    rows["townships"] = townships.num_rows
    rows["persons"] = _write_table(folder, "persons", persons, schema=PERSONS_WITH_HARDSHIP)
    rows["services"] = _write_table(folder, "services", services, "S{year}-")
    rows["rehab_needs"] = _write_table(folder, "rehab_needs", needs, "N{year}-")
    rows["satisfaction"] = _write_table(folder, "satisfaction", surveys, "V{year}-")
    rows["targets"] = _write_table(folder, "targets", [pa.Table.from_pylist(targets, TABLE_SCHEMAS["targets"])])
    return rows


def _swap_into_place(new: Path, out: Path) -> None:
    """Replace `out` by `new` (same parent) so that `out` is always either the old or the new set."""
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f"{out.name}.old-", dir=out.parent))
        old.rmdir()
        out.rename(old)
    try:
        new.rename(out)
    except OSError:
        if old is not None:
            old.rename(out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def generate_demo(out: Path, seed: int = 2024, scale: int = 1, as_of: date = date(2024, 9, 30)) -> Path:
    """Write a complete synthetic extract set (contract version 1) into `out` and return it.

    The same arguments give byte-identical Parquet files and manifest. 2023 matches the 2023
    work report exactly (times `scale`); 2024 runs to `as_of`, which must lie in 2024.
    """
    out = Path(out)
    if not 1 <= scale <= 999:
        raise ValueError("scale must be between 1 and 999")
    if not date(2024, 1, 1) <= as_of <= date(2024, 12, 31):
        raise ValueError("as_of must lie in 2024 (the demo covers 2023 in full and 2024 up to as_of)")
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"{out.name}.tmp-", dir=out.parent))
    work.chmod(0o755)  # mkdtemp makes it private; the data folder is an ordinary one
    try:
        rows = _write_all(work, seed, scale, as_of)
        generated_at = f"{(as_of + timedelta(days=2)).isoformat()}T08:00:00+08:00"
        # the Word 简报's header: 编发单位 and 期号 (the county's name stays XX县, as the work report writes it)
        issue_no = f"{as_of.year}年第{as_of.month}期"
        write_manifest(work, as_of, "demo", rows, generated_at=generated_at, issuer=DEMO_ISSUER, issue_no=issue_no)
        _swap_into_place(work, out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return out
