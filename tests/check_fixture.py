"""A tiny contract-conformant data folder for the contract-check tests (built with tests/extract_builder.py).

Payments are written hive-partitioned (`payments/year=YYYY/part-0.parquet`) so the check
also sees the extra partition column; every other table is a single `NAME.parquet`.
"""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from pathlib import Path

from tests.extract_builder import row, survey, target, town, write_set

AS_OF = date(2024, 9, 30)


def person_key(certificate: str) -> str:
    """A stand-in for the deployment's HMAC: 64 lowercase hex characters."""
    return hashlib.sha256(certificate.encode()).hexdigest()


P1, P2, P3, P4 = (person_key(f"34012219800101{i:04d}11") for i in range(1, 5))
T1, T2, T3 = "340122100", "340122001", "340122200"  # 城关镇, 东城街道, 西河乡


def clean_rows() -> dict[str, list[dict]]:
    return {
        "townships": [
            town(T1, "城关镇", "镇", 1),
            town(T2, "东城街道", "街道", 2),
            town(T3, "西河乡", "乡", 3),
        ],
        "persons": [
            row("persons", P1, T1, "男", 1960, 4, 2, date(2010, 5, 1), None),
            row("persons", P2, T2, "女", 1985, 1, 1, date(2015, 3, 2), None),
            row("persons", P3, T3, "男", 2012, 5, 3, date(2020, 7, 9), date(2023, 1, 31)),
            row("persons", P4, T1, "女", 1950, 6, 1, date(2008, 1, 1), None),
        ],
        "payments": [
            row("payments", "PAY-0001", "nursing_subsidy", P1, None, T1, date(2023, 12, 1), Decimal("80.00")),
            row("payments", "PAY-0002", "nursing_subsidy", P1, None, T1, date(2024, 1, 1), Decimal("80.00")),
            row("payments", "PAY-0003", "living_subsidy", P2, None, T2, date(2024, 1, 1), Decimal("80.00")),
            row("payments", "PAY-0004", "sunshine_greenhouse", None, "GH-01", T3, date(2024, 3, 1), Decimal("5000.00")),
            row("payments", "PAY-0005", "accessibility_retrofit", P4, None, T1, date(2024, 9, 1), Decimal("5800.50")),
        ],
        "services": [
            row("services", "SV-0001", "vocational_training", P1, T1, date(2024, 4, 10), 1, "2024-1", "电商"),
            row("services", "SV-0002", "job_fair", None, None, date(2024, 5, 20), 6, None, None),
            row("services", "SV-0003", "policy_outreach", None, T2, date(2024, 3, 5), 500, None, None),
            row("services", "SV-0004", "device_issued", P2, T2, date(2024, 9, 30), 2, None, "轮椅"),
        ],
        "rehab_needs": [
            row("rehab_needs", "RN-0001", P1, T1, "basic_medical", date(2024, 2, 1), date(2024, 3, 1)),
            row("rehab_needs", "RN-0002", P2, T2, "assistive_device", date(2024, 6, 1), None),
        ],
        "satisfaction": [
            survey("SF-0001", P1, date(2024, 8, 1), True, township=T1),
            survey("SF-0002", P2, date(2024, 8, 2), False, township=T2),
        ],
        "targets": [
            target("training_person_times", 100.0, note="100人次以上"),
            target("training_person_times", 40.0, township=T1),
        ],
    }


def build_clean_folder(folder: Path) -> Path:
    """Write the clean folder and its manifest; returns `folder`."""
    return write_set(folder, clean_rows(), AS_OF, partition_payments=True, generated_at="2024-10-02T08:00:00+08:00")
