"""Merging validated rows into the existing tables: replace what a file covers, keep the rest."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from dpf.catalogue import TABLE_SCHEMAS
from dpf.ingest.validate import ID_COLUMNS, FileResult
from dpf.manifest import table_files, table_location

# The columns a table is ordered by (so the same rows always give the same file).
SORT_KEYS = {
    "townships": ["sort_order", "code"],
    "persons": ["person_key"],
    "payments": ["payment_id"],
    "services": ["service_id"],
    "rehab_needs": ["need_id"],
    "satisfaction": ["survey_id"],
    "targets": ["year", "indicator", "township_code"],
}


def read_table(folder: Path, table: str) -> pa.Table | None:
    """The table's contract columns (partition columns left out), or None when absent."""
    location = table_location(folder, table)
    if location is None or not table_files(location):
        return None
    schema = TABLE_SCHEMAS[table]
    parts = [
        pq.read_table(path, columns=schema.names).select(schema.names).cast(schema) for path in table_files(location)
    ]
    return pa.concat_tables(parts)


def _month(column: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.utf8_slice_codeunits(pc.cast(column, pa.string()), 0, 7)


def _text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.fill_null(pc.cast(column, pa.string()), "")


def coverage_keys(table: str, data: pa.Table) -> pa.ChunkedArray:
    """The same coverage key validate.py gives a new row, computed for existing rows."""
    c = data.column
    if table == "payments":
        parts = [_text(c("program")), _month(c("period")), _text(c("township_code"))]
    elif table == "services":
        parts = [_text(c("service")), _month(c("served_on")), _text(c("township_code"))]
    elif table == "rehab_needs":
        parts = [_text(c("need")), _month(c("recorded_on")), _text(c("township_code"))]
    elif table == "satisfaction":
        parts = [_month(c("surveyed_on")), _text(c("township_code"))]
    elif table == "persons":
        return _text(c("person_key"))
    elif table == "targets":
        parts = [_text(c("year")), _text(c("indicator")), _text(c("township_code"))]
    else:
        raise ValueError(table)
    return pc.binary_join_element_wise(*parts, "|")


def ordered(table: str, data: pa.Table) -> pa.Table:
    return data.sort_by([(k, "ascending") for k in SORT_KEYS[table]])


def apply_file(table: str, current: pa.Table | None, result: FileResult) -> pa.Table:
    """`current` without the rows `result` covers (or re-delivers by id), plus `result`'s rows."""
    schema = TABLE_SCHEMAS[table]
    new = pa.Table.from_pylist([{n: r.get(n) for n in schema.names} for r in result.records], schema=schema)
    if current is None or current.num_rows == 0:
        return new
    drop = pc.is_in(coverage_keys(table, current), value_set=pa.array(sorted(result.coverage), pa.string()))
    id_column = ID_COLUMNS.get(table)
    if id_column and new.num_rows:
        drop = pc.or_(drop, pc.is_in(current.column(id_column), value_set=new.column(id_column).combine_chunks()))
    kept = current.filter(pc.invert(pc.fill_null(drop, False)))
    return pa.concat_tables([kept, new])


def same_rows(table: str, a: pa.Table | None, b: pa.Table | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a.num_rows == b.num_rows and ordered(table, a).equals(ordered(table, b))
