"""Tiny contract-conformant extracts for tests: row builders, real Parquet files and a real manifest.

The row builders fill what a test does not care about with legal values, so a fixture names only what its
hand-computed answers depend on. Dates may be given as `date` or as ISO text.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from dpf.contract.catalogue import OPTIONAL_COLUMNS, TABLE_SCHEMAS
from dpf.contract.manifest import read_manifest, table_files, table_location, write_manifest

A, B = "340000001", "340000002"  # the township codes most hand-made sets use
ABSENT = object()  # an optional column a row leaves out (a table of such rows has no such column)

# --- Rows -----------------------------------------------------------------------------------------------------


def day(value: date | str | None) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def row(table: str, *values) -> dict:
    """A row given every column's value, in the contract's column order."""
    return dict(zip(TABLE_SCHEMAS[table].names, values, strict=True))


def town(code: str, name: str, kind: str, sort_order: int) -> dict:
    return row("townships", code, name, kind, sort_order)


def person(
    key,
    township=A,
    certified="2010-01-01",
    cancelled=None,
    category=4,
    grade=1,
    sex="男",
    birth_year=1970,
    hardship=ABSENT,
):
    """A persons row; `hardship` (True, False or None = unknown) adds the optional column."""
    values = row("persons", key, township, sex, birth_year, category, grade, day(certified), day(cancelled))
    return values if hardship is ABSENT else {**values, "hardship": hardship}


def payment(pid, program, period, amount, person=None, project=None, township=A) -> dict:
    return row("payments", pid, program, person, project, township, day(period), amount)


def service(sid, service, served_on, person=None, township=A, quantity=1, batch=None, detail=None) -> dict:
    return row("services", sid, service, person, township, day(served_on), quantity, batch, detail)


def need(nid, person, need, recorded_on, met_on=None, township=A) -> dict:
    return row("rehab_needs", nid, person, township, need, day(recorded_on), day(met_on))


def survey(sid, person, surveyed_on, satisfied, township=A) -> dict:
    return row("satisfaction", sid, person, township, day(surveyed_on), satisfied)


def target(indicator, value, township=None, note=None, year=2024) -> dict:
    return row("targets", year, indicator, township, value, note)


# --- Parquet and manifest -------------------------------------------------------------------------------------


def to_arrow(table: str, rows: list[dict]) -> pa.Table:
    """Rows as an Arrow table of the contract's schema and the optional columns any row names (missing columns null,
    amounts to the fen)."""
    named = {name for values in rows for name in values}
    optional = [field for field in OPTIONAL_COLUMNS.get(table, pa.schema([])) if field.name in named]
    schema = pa.schema([*TABLE_SCHEMAS[table], *optional])
    prepared = []
    for values in rows:
        values = {name: values.get(name) for name in schema.names}
        if table == "payments" and values["amount_yuan"] is not None:
            values["amount_yuan"] = Decimal(str(values["amount_yuan"])).quantize(Decimal("0.01"))
        prepared.append(values)
    return pa.Table.from_pylist(prepared, schema=schema)


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


def write_table(folder: Path, table: str, data: list[dict] | pa.Table, partition_payments: bool | None = None) -> None:
    """Replace `table` in `folder` (the manifest is left alone): rows, or a ready Arrow table of any shape.

    Payments with a date `period` may be written hive-partitioned (`payments/year=YYYY/part-0.parquet`, rows
    without a period under `year=0`); `partition_payments=None` keeps the layout the folder has now.
    """
    arrow = data if isinstance(data, pa.Table) else to_arrow(table, data)
    if partition_payments is None:
        partition_payments = (folder / table).is_dir()
    _remove(folder, table)
    period = arrow.schema.field("period").type if "period" in arrow.column_names else None
    if table == "payments" and partition_payments and period is not None and pa.types.is_date(period):
        years = sorted({d.year for d in arrow.column("period").to_pylist() if d is not None})
        for year in years:
            out = folder / "payments" / f"year={year}"
            out.mkdir(parents=True, exist_ok=True)
            pq.write_table(arrow.filter(pc.equal(pc.year(arrow.column("period")), year)), out / "part-0.parquet")
        nulls = arrow.filter(pc.is_null(arrow.column("period")))
        if nulls.num_rows or not years:
            out = folder / "payments" / "year=0"
            out.mkdir(parents=True, exist_ok=True)
            pq.write_table(nulls, out / "part-0.parquet")
        return
    pq.write_table(arrow, folder / f"{table}.parquet")


def read_rows(folder: Path, table: str) -> list[dict]:
    """The rows of `table` as written (without hive partition columns)."""
    parts = [pq.read_table(p) for p in table_files(table_location(folder, table))]
    return pa.concat_tables(parts).to_pylist()


def refresh_manifest(folder: Path) -> None:
    """Rewrite manifest.json for the tables now in `folder` (their real row counts), keeping the rest of it."""
    manifest = read_manifest(folder)
    rows = {}
    for table in TABLE_SCHEMAS:
        location = table_location(folder, table)
        if location is not None:
            rows[table] = sum(pq.ParquetFile(p).metadata.num_rows for p in table_files(location))
    write_manifest(folder, manifest.as_of, manifest.source, rows, generated_at=manifest.generated_at)


def write_set(
    folder: Path,
    tables: dict[str, list[dict]],
    as_of: date,
    partition_payments: bool = False,
    source: str = "test",
    generated_at: str | None = None,
) -> Path:
    """Write each table as NAME.parquet (payments optionally as payments/year=YYYY/) plus the manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    for table, rows in tables.items():
        write_table(folder, table, rows, partition_payments)
    write_manifest(folder, as_of, source, {table: len(rows) for table, rows in tables.items()}, generated_at)
    return folder
