"""A tiny contract-conformant data folder for the contract-check tests, and helpers to break it.

Payments are written hive-partitioned (`payments/year=YYYY/part-0.parquet`) so the check
also sees the extra partition column; every other table is a single `NAME.parquet`.
"""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from dpf.catalogue import TABLE_SCHEMAS
from dpf.manifest import table_files, table_location, write_manifest

AS_OF = date(2024, 9, 30)


def person_key(certificate: str) -> str:
    """A stand-in for the deployment's HMAC: 64 lowercase hex characters."""
    return hashlib.sha256(certificate.encode()).hexdigest()


P1, P2, P3, P4 = (person_key(f"34012219800101{i:04d}11") for i in range(1, 5))


def clean_rows() -> dict[str, list[dict]]:
    return {
        "townships": [
            {"code": "340122100", "name": "城关镇", "kind": "镇", "sort_order": 1},
            {"code": "340122001", "name": "东城街道", "kind": "街道", "sort_order": 2},
            {"code": "340122200", "name": "西河乡", "kind": "乡", "sort_order": 3},
        ],
        "persons": [
            _person(P1, "340122100", "男", 1960, 4, 2, date(2010, 5, 1), None),
            _person(P2, "340122001", "女", 1985, 1, 1, date(2015, 3, 2), None),
            _person(P3, "340122200", "男", 2012, 5, 3, date(2020, 7, 9), date(2023, 1, 31)),
            _person(P4, "340122100", "女", 1950, 6, 1, date(2008, 1, 1), None),
        ],
        "payments": [
            _payment("PAY-0001", "nursing_subsidy", P1, None, "340122100", date(2023, 12, 1), "80.00"),
            _payment("PAY-0002", "nursing_subsidy", P1, None, "340122100", date(2024, 1, 1), "80.00"),
            _payment("PAY-0003", "living_subsidy", P2, None, "340122001", date(2024, 1, 1), "80.00"),
            _payment("PAY-0004", "sunshine_greenhouse", None, "GH-01", "340122200", date(2024, 3, 1), "5000.00"),
            _payment("PAY-0005", "accessibility_retrofit", P4, None, "340122100", date(2024, 9, 1), "5800.50"),
        ],
        "services": [
            _service("SV-0001", "vocational_training", P1, "340122100", date(2024, 4, 10), 1, "2024-1", "电商"),
            _service("SV-0002", "job_fair", None, None, date(2024, 5, 20), 6, None, None),
            _service("SV-0003", "policy_outreach", None, "340122001", date(2024, 3, 5), 500, None, None),
            _service("SV-0004", "device_issued", P2, "340122001", date(2024, 9, 30), 2, None, "轮椅"),
        ],
        "rehab_needs": [
            _need("RN-0001", P1, "340122100", "basic_medical", date(2024, 2, 1), date(2024, 3, 1)),
            _need("RN-0002", P2, "340122001", "assistive_device", date(2024, 6, 1), None),
        ],
        "satisfaction": [
            {
                "survey_id": "SF-0001",
                "person_key": P1,
                "township_code": "340122100",
                "surveyed_on": date(2024, 8, 1),
                "satisfied": True,
            },
            {
                "survey_id": "SF-0002",
                "person_key": P2,
                "township_code": "340122001",
                "surveyed_on": date(2024, 8, 2),
                "satisfied": False,
            },
        ],
        "targets": [
            {
                "year": 2024,
                "indicator": "training_person_times",
                "township_code": None,
                "target": 100.0,
                "note": "100人次以上",
            },
            {
                "year": 2024,
                "indicator": "training_person_times",
                "township_code": "340122100",
                "target": 40.0,
                "note": None,
            },
        ],
    }


def _person(key, township, sex, birth_year, category, grade, certified_on, cancelled_on) -> dict:
    return {
        "person_key": key,
        "township_code": township,
        "sex": sex,
        "birth_year": birth_year,
        "category": category,
        "grade": grade,
        "certified_on": certified_on,
        "cancelled_on": cancelled_on,
    }


def _payment(payment_id, program, person, project, township, period, amount) -> dict:
    return {
        "payment_id": payment_id,
        "program": program,
        "person_key": person,
        "project_key": project,
        "township_code": township,
        "period": period,
        "amount_yuan": Decimal(amount),
    }


def _service(service_id, service, person, township, served_on, quantity, batch, detail) -> dict:
    return {
        "service_id": service_id,
        "service": service,
        "person_key": person,
        "township_code": township,
        "served_on": served_on,
        "quantity": quantity,
        "batch": batch,
        "detail": detail,
    }


def _need(need_id, person, township, need, recorded_on, met_on) -> dict:
    return {
        "need_id": need_id,
        "person_key": person,
        "township_code": township,
        "need": need,
        "recorded_on": recorded_on,
        "met_on": met_on,
    }


def _remove(folder: Path, table: str) -> None:
    location = table_location(folder, table)
    if location is None:
        return
    for path in table_files(location):
        path.unlink()
    if location.is_dir():
        for sub in sorted(location.rglob("*"), reverse=True):
            sub.rmdir()
        location.rmdir()


def write_table(folder: Path, table: str, data: list[dict] | pa.Table) -> None:
    """Replace `table` in `folder`: a list of rows (contract types) or a ready Arrow table."""
    arrow = data if isinstance(data, pa.Table) else pa.Table.from_pylist(data, schema=TABLE_SCHEMAS[table])
    _remove(folder, table)
    if table == "payments" and "period" in arrow.column_names and pa.types.is_date(arrow.schema.field("period").type):
        years = sorted({d.year for d in arrow.column("period").to_pylist() if d is not None})
        for year in years:
            part = arrow.filter(pa.compute.equal(pa.compute.year(arrow.column("period")), year))
            out = folder / "payments" / f"year={year}"
            out.mkdir(parents=True, exist_ok=True)
            pq.write_table(part, out / "part-0.parquet")
        nulls = arrow.filter(pa.compute.is_null(arrow.column("period")))
        if nulls.num_rows or not years:
            out = folder / "payments" / "year=0"
            out.mkdir(parents=True, exist_ok=True)
            pq.write_table(nulls, out / "part-0.parquet")
        return
    pq.write_table(arrow, folder / f"{table}.parquet")


def read_rows(folder: Path, table: str) -> list[dict]:
    """The rows of `table` as written (without hive partition columns)."""
    location = table_location(folder, table)
    parts = [pq.read_table(p) for p in table_files(location)]
    return pa.concat_tables(parts).to_pylist()


def refresh_manifest(folder: Path) -> None:
    rows = {}
    for table in TABLE_SCHEMAS:
        location = table_location(folder, table)
        if location is not None:
            rows[table] = sum(pq.ParquetFile(p).metadata.num_rows for p in table_files(location))
    write_manifest(folder, AS_OF, "test", rows, generated_at="2024-10-02T08:00:00+08:00")


def build_clean_folder(folder: Path) -> Path:
    """Write the clean folder and its manifest; returns `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for table, rows in clean_rows().items():
        write_table(folder, table, rows)
    refresh_manifest(folder)
    return folder
