"""A hand-made county of five townships for the narrative's golden sentences (as of 2024-06-30).

Chosen so that each rule shows: 护理补贴 +10.0%, 生活补贴 -10.0%, 燃油补贴 同比持平, “阳光家园” with nothing last
year, 助残基地 just met (1 of 1), 就业创业 exceeded (3 of 2), 技能培训 exactly on 序时进度 by month (2 of 4 = 50.0%),
儿童康复 behind (4 of 10), 无障碍改造 severely behind (1 of 12), 满意率 80.0% against 75%, a county-level job fair,
青石镇 without any record, 龙山镇 without 护理补贴 in June (it had some before) and 2023 a year that has ended.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.extract_builder import A, B, payment, person, service, survey, target, town, write_set

C, D, E = "340000003", "340000004", "340000005"
AS_OF = date(2024, 6, 30)


def _monthly(prefix, program, person_key, township, year, months, amount):
    return [
        payment(f"{prefix}{year}-{m}", program, f"{year}-{m:02d}-01", amount, person=person_key, township=township)
        for m in months
    ]


TABLES = {
    "townships": [
        town(A, "城关街道", "街道", 1),
        town(B, "龙山镇", "镇", 2),
        town(C, "青石镇", "镇", 3),
        town(D, "高峰乡", "乡", 4),
        town(E, "凤城街道", "街道", 5),
    ],
    "persons": [
        person("p1", A),
        person("p2", B),
        person("p3", A),
        person("p4", A),
        person("p5", D),
    ],
    "payments": [
        *_monthly("n1-", "nursing_subsidy", "p1", A, 2024, range(1, 7), 1000),
        *_monthly("n2-", "nursing_subsidy", "p2", B, 2024, range(1, 6), 1000),  # nothing in June
        *_monthly("n1-", "nursing_subsidy", "p1", A, 2023, range(1, 13), 1000),
        *_monthly("n2-", "nursing_subsidy", "p2", B, 2023, range(1, 5), 1000),
        *_monthly("l3-", "living_subsidy", "p3", A, 2024, range(1, 4), 900),
        *_monthly("l3-", "living_subsidy", "p3", A, 2023, range(1, 4), 1000),
        payment("f24", "wheelchair_fuel", "2024-03-01", 10001, person="p4"),
        payment("f23", "wheelchair_fuel", "2023-03-01", 10000, person="p4"),
        payment("h24", "sunshine_home", "2024-02-01", 3000, person="p5", township=D),
        payment("e1", "entrepreneurship", "2024-04-01", 1000, person="p1"),
        payment("e2", "entrepreneurship", "2024-04-01", 1000, person="p2", township=B),
        payment("e3", "entrepreneurship", "2024-04-01", 1000, person="p3"),
        payment("b1", "assistance_base", "2024-05-01", 2000, project="b-1", township=B),
        payment("a1", "accessibility_retrofit", "2024-05-01", 5000, person="p4"),
    ],
    "services": [
        service("t1", "vocational_training", "2024-03-10", person="p1", batch="2024-1"),
        service("t2", "vocational_training", "2024-03-10", person="p2", township=B, batch="2024-1"),
        service("t3", "vocational_training", "2023-05-01", person="p1", batch="2023-1"),
        service("t4", "vocational_training", "2023-08-01", person="p3", batch="2023-2"),
        service("j1", "job_fair", "2024-04-01", township=None, quantity=6),  # county-level
        service("c1", "child_rehab", "2024-02-01", person="p1"),
        service("c2", "child_rehab", "2024-02-01", person="p3"),
        service("c3", "child_rehab", "2024-03-01", person="p4"),
        service("c4", "child_rehab", "2024-03-01", person="p2", township=B),
    ],
    "rehab_needs": [],
    "satisfaction": [survey(f"s{i}", "p1", "2024-04-01", i != 5) for i in range(1, 6)],
    "targets": [
        target("entrepreneurship_persons", 2),
        target("assistance_base_projects", 1),
        target("accessibility_households", 12),
        target("training_person_times", 4),
        target("child_rehab_persons", 10),
        target("rehab_satisfaction_rate", 75),
        target("training_person_times", 5, year=2023),
    ],
}


def write_narrative_set(folder: Path, without: tuple[str, ...] = ()) -> Path:
    """The set above as real Parquet files and a manifest, leaving out the tables in `without`."""
    return write_set(folder, {name: rows for name, rows in TABLES.items() if name not in without}, AS_OF)
