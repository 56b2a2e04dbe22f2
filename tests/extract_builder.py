"""Write tiny contract-conformant extract folders for tests (real Parquet, real manifest)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from dpf.catalogue import TABLE_SCHEMAS
from dpf.manifest import write_manifest


def to_arrow(table: str, rows: list[dict]) -> pa.Table:
    schema = TABLE_SCHEMAS[table]
    prepared = []
    for row in rows:
        row = {name: row.get(name) for name in schema.names}
        if table == "payments" and row["amount_yuan"] is not None:
            row["amount_yuan"] = Decimal(str(row["amount_yuan"])).quantize(Decimal("0.01"))
        prepared.append(row)
    return pa.Table.from_pylist(prepared, schema=schema)


def write_set(
    folder: Path,
    tables: dict[str, list[dict]],
    as_of: date,
    partition_payments: bool = False,
    source: str = "test",
) -> Path:
    """Write each table as NAME.parquet (payments optionally as payments/year=YYYY/) plus manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    for table, rows in tables.items():
        arrow = to_arrow(table, rows)
        if table == "payments" and partition_payments:
            for year in sorted({row["period"].year for row in rows}):
                part = folder / "payments" / f"year={year}"
                part.mkdir(parents=True, exist_ok=True)
                subset = to_arrow(table, [row for row in rows if row["period"].year == year])
                pq.write_table(subset, part / "part-0.parquet")
        else:
            pq.write_table(arrow, folder / f"{table}.parquet")
    write_manifest(folder, as_of, source, {table: len(rows) for table, rows in tables.items()})
    return folder
