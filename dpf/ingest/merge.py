"""Merging a run's validated rows into the existing tables, in one of two modes.

- ADD (新增, the default) never removes or changes a stored row. A row whose key (its stable id;
  person_key for persons; year, indicator and township for targets) is already stored or earlier in
  the run is skipped when its content is the same and rejected when it differs (a correction needs
  更正替换). A payment for a person (or project), programme and month that already has a payment,
  stored or earlier in the run, is rejected unless its 备注 marks it 补发.
- REPLACE (更正替换) first removes the stored rows the run covers (programme/service, month and
  township; persons by person_key; targets by year, indicator and township) and the stored rows with
  the run's keys, then adds the run's rows. The files of one run never replace each other.
Both modes report, per programme/service × month × township, the rows before and after.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from dpf.contract.catalogue import OPTIONAL_COLUMNS, TABLE_SCHEMAS
from dpf.contract.manifest import table_files, table_location
from dpf.ingest.validate import ID_COLUMNS, FileResult, Rejection

ADD, REPLACE = "add", "replace"
MODE_NAMES = {ADD: "新增", REPLACE: "更正替换"}

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
CHANGED_ROW = "与{where}是同一条记录，但内容不同，未导入。如需更正已导入的数据，请选择“更正替换”导入"
STORED = "已导入的数据"
DOUBLE_PAYMENT = (
    "疑似重复发放：{payee}该项目该月已有一笔相同金额的发放（{where}），同一项目每月一笔，未导入。"
    "如确为补发，请在备注中填写“补发”"
)
OTHER_AMOUNT = (
    "{payee}该项目该月已有发放记录（{where}，金额 {amount} 元），与本行金额不同，未导入。"
    "如为更正已导入的金额，请选择“更正替换”导入；如为补发，请在备注中填写“补发”"
)


def table_schema(table: str, names: set[str] | frozenset[str] = frozenset()) -> pa.Schema:
    """The contract's columns of `table` and its optional columns (OPTIONAL_COLUMNS) among `names`."""
    optional = [field for field in OPTIONAL_COLUMNS.get(table, pa.schema([])) if field.name in names]
    return pa.schema([*TABLE_SCHEMAS[table], *optional])


def conform(data: pa.Table, schema: pa.Schema) -> pa.Table:
    """`data` with the columns of `schema` in its order and types, a column it lacks all null."""
    columns = [
        data.column(field.name) if field.name in data.column_names else pa.nulls(data.num_rows, field.type)
        for field in schema
    ]
    return pa.Table.from_arrays(columns, schema.names).cast(schema)


def read_table(folder: Path, table: str) -> pa.Table | None:
    """The table's contract columns and the optional ones any of its files holds (partition columns left out), or
    None when absent."""
    location = table_location(folder, table)
    if location is None or not table_files(location):
        return None
    files = table_files(location)
    present = {name for path in files for name in pq.read_schema(path).names}
    schema = table_schema(table, present)
    parts = []
    for path in files:
        names = [name for name in schema.names if name in pq.read_schema(path).names]
        parts.append(conform(pq.read_table(path, columns=names), schema))
    return pa.concat_tables(parts)


def _month(column: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.utf8_slice_codeunits(pc.cast(column, pa.string()), 0, 7)


def _text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.fill_null(pc.cast(column, pa.string()), "")


def _join(*parts: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.binary_join_element_wise(*parts, "|")


def coverage_keys(table: str, data: pa.Table) -> pa.ChunkedArray:
    """The same coverage key validate.py gives a new row, computed for existing rows."""
    c = data.column
    if table == "persons":
        return _text(c("person_key"))
    if table == "satisfaction":
        return _join(_month(c("surveyed_on")), _text(c("township_code")))
    if table == "targets":
        return _join(_text(c("year")), _text(c("indicator")), _text(c("township_code")))
    return group_keys(table, data)


def group_keys(table: str, data: pa.Table) -> pa.ChunkedArray:
    """What a before → after line is about: item|month (year for targets)|township."""
    c, blank = data.column, pa.chunked_array([pa.array([""] * data.num_rows, pa.string())])
    parts = {
        "payments": lambda: (c("program"), _month(c("period"))),
        "services": lambda: (c("service"), _month(c("served_on"))),
        "rehab_needs": lambda: (c("need"), _month(c("recorded_on"))),
        "satisfaction": lambda: (blank, _month(c("surveyed_on"))),
        "persons": lambda: (blank, blank),
        "targets": lambda: (c("indicator"), _text(c("year"))),
    }
    item, when = parts[table]()
    return _join(_text(item), when, _text(c("township_code")))


def row_keys(table: str, data: pa.Table) -> pa.ChunkedArray:
    """The key a row is recognised by on a re-import."""
    return _text(data.column(ID_COLUMNS[table])) if table in ID_COLUMNS else coverage_keys(table, data)


def payee_keys(data: pa.Table) -> pa.ChunkedArray:
    """programme|payee|month of payments: one payment per key unless marked 补发."""
    c = data.column
    payee = pc.coalesce(c("person_key"), c("project_key"), "")
    return _join(_text(c("program")), payee, _month(c("period")))


def ordered(table: str, data: pa.Table) -> pa.Table:
    return data.sort_by([(k, "ascending") for k in SORT_KEYS[table]])


def records_table(table: str, records: list[dict], schema: pa.Schema | None = None) -> pa.Table:
    """Validated records as a table of `schema` (default: the contract's columns and the optional ones they hold)."""
    schema = schema or table_schema(table, {name for record in records for name in record})
    return pa.Table.from_pylist([{n: r.get(n) for n in schema.names} for r in records], schema=schema)


def _keep_stored_optional(table: str, current: pa.Table, records: list[dict], schema: pa.Schema) -> list[dict]:
    """Records of a ledger without an optional column (a 名册 without 低保/困难) take the stored row's value of it, so
    re-importing such a 名册 neither changes nor clashes with what is stored."""
    missing = [name for name in schema.names if name not in TABLE_SCHEMAS[table].names]
    if not missing or not current.num_rows or all(name in r for r in records for name in missing):
        return records
    keys = row_keys(table, records_table(table, records, schema)).to_pylist()
    stored = _first_by_key(row_keys(table, current), current, sorted(set(keys)))
    kept = []
    for record, key in zip(records, keys, strict=True):
        earlier = stored.get(key, ({}, ""))[0]
        kept.append({**{name: earlier.get(name) for name in missing if name not in record}, **record})
    return kept


def same_rows(table: str, a: pa.Table | None, b: pa.Table | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a.num_rows == b.num_rows and ordered(table, a).equals(ordered(table, b))


@dataclass
class FileMerge:
    """What the merge did with one file's validated rows."""

    added: int = 0
    already: int = 0  # skipped: the same row is stored or earlier in this run
    reissued: int = 0  # 补发 rows among the added
    conflicts: list[Rejection] = field(default_factory=list)  # rejected by the merge (one per row)


@dataclass(frozen=True)
class Change:
    """Rows of one table × item × month × township before and after the import (amounts for payments)."""

    table: str
    item: str  # programme/service/need/indicator code; "" for persons and surveys
    when: str  # 2024-04, or the year for targets; "" for persons
    township: str  # code; "" for county-level rows
    before: int
    after: int
    amount_before: Decimal | None = None
    amount_after: Decimal | None = None


@dataclass
class Merged:
    mode: str
    files: list[FileMerge]
    tables: dict[str, pa.Table] = field(default_factory=dict)  # every table whose rows change, complete
    changes: list[Change] = field(default_factory=list)
    removed: int = 0  # stored rows removed (replace mode; a replaced row counts as removed and added)

    @property
    def added(self) -> int:
        return sum(f.added for f in self.files)

    @property
    def conflicts(self) -> list[Rejection]:
        return [r for f in self.files for r in f.conflicts]


def _counts(table: str, data: pa.Table, groups: pa.Array) -> dict[str, tuple[int, Decimal | None]]:
    keys = group_keys(table, data)
    inside = pc.is_in(keys, value_set=groups)
    subset = data.filter(inside).append_column("_group", keys.filter(inside))
    counts: dict[str, tuple[int, Decimal | None]] = {}
    for row in subset.select(["_group", *(["amount_yuan"] if table == "payments" else [])]).to_pylist():
        rows, amount = counts.get(row["_group"], (0, None))
        if "amount_yuan" in row:
            amount = (amount or Decimal("0")) + row["amount_yuan"]
        counts[row["_group"]] = (rows + 1, amount)
    return counts


def _changes(table: str, before: pa.Table, removed: pa.Table, added: pa.Table, after: pa.Table) -> list[Change]:
    touched = pa.concat_arrays(
        [group_keys(table, removed).combine_chunks(), group_keys(table, added).combine_chunks()]
    ).unique()
    was, now = _counts(table, before, touched), _counts(table, after, touched)
    changes = []
    for key in sorted(touched.to_pylist()):
        item, when, township = key.split("|")
        (b, amount_b), (a, amount_a) = was.get(key, (0, None)), now.get(key, (0, None))
        if table == "payments":
            amount_b, amount_a = amount_b or Decimal("0"), amount_a or Decimal("0")
        changes.append(Change(table, item, when, township, b, a, amount_b, amount_a))
    return changes


def _conflict(table: str, row: dict, earlier: dict, where: str) -> tuple[str, str, str]:
    """(column, value, reason) for a row that clashes with `earlier` (stored, or earlier in the run)."""
    same_amount = table == "payments" and earlier["amount_yuan"] == row["amount_yuan"]
    if table != "payments" or (same_amount and earlier["payment_id"] == row["payment_id"]):
        return "", "", CHANGED_ROW.format(where=where)
    payee = "该项目" if row["project_key"] else "该残疾人"
    if same_amount:
        return "金额（元）", f"{row['amount_yuan']}", DOUBLE_PAYMENT.format(payee=payee, where=where)
    amount = f"{earlier['amount_yuan']:,.2f}"
    return "金额（元）", f"{row['amount_yuan']}", OTHER_AMOUNT.format(payee=payee, where=where, amount=amount)


def _first_by_key(keys: pa.ChunkedArray, data: pa.Table, wanted: list) -> dict[str, tuple[dict, str]]:
    """{key: (first stored row with it, STORED)} for the keys in `wanted` (only those rows leave Arrow)."""
    inside = pc.is_in(keys, value_set=pa.array(wanted, pa.string()))
    found: dict[str, tuple[dict, str]] = {}
    for key, row in zip(keys.filter(inside).to_pylist(), data.filter(inside).to_pylist(), strict=True):
        found.setdefault(key, (row, STORED))
    return found


def _merge_table(table: str, current: pa.Table, runs: list[tuple[FileResult, FileMerge]], mode: str):
    """(rows kept from `current`, rows removed from it, rows added) for one table."""
    names = set(current.column_names) | {name for result, _ in runs for record in result.records for name in record}
    schema = table_schema(table, names)
    current = conform(current, schema)
    new = pa.concat_tables(
        [
            records_table(table, _keep_stored_optional(table, current, result.records, schema), schema)
            for result, _ in runs
        ]
    )
    new_keys = row_keys(table, new)
    base, dropped = current, current.slice(0, 0)
    if mode == REPLACE and current.num_rows:
        covered = pc.is_in(coverage_keys(table, current), value_set=coverage_keys(table, new).unique())
        replaced = pc.or_(covered, pc.is_in(row_keys(table, current), value_set=new_keys.unique()))
        base, dropped = current.filter(pc.invert(replaced)), current.filter(replaced)
    # Keys (row ids; programme|payee|month for payments) -> (the row holding it, where it is).
    by_id = _first_by_key(row_keys(table, base), base, new_keys.unique().to_pylist())
    payments = table == "payments"
    new_payees = payee_keys(new).to_pylist() if payments else [None] * new.num_rows
    by_payee = _first_by_key(payee_keys(base), base, sorted(set(new_payees))) if payments else {}
    rows = enumerate(zip(new.to_pylist(), new_keys.to_pylist(), new_payees, strict=True))
    keep: list[int] = []
    for result, merge in runs:
        for record, number in zip(result.records, result.row_numbers, strict=True):
            position, (row, key, payee) = next(rows)
            single = payee is not None and not record.get("reissue")  # one payment per payee and month
            earlier, where = by_id.get(key) or (by_payee.get(payee) if single else None) or (None, "")
            if earlier == row:
                merge.already += 1
            elif earlier is not None:
                merge.conflicts.append(Rejection(result.name, number, *_conflict(table, row, earlier, where)))
            else:
                here = (row, f"本次导入的“{result.name}”第 {number} 行")
                by_id[key] = here
                if single:
                    by_payee[payee] = here
                keep.append(position)
                merge.added += 1
                merge.reissued += bool(record.get("reissue"))
    return base, dropped, new.take(pa.array(keep, pa.int64()))


def merge_run(results: list[FileResult], read: Callable[[str], pa.Table | None], mode: str = ADD) -> Merged:
    """Merge every file's validated rows (in file order) into the tables `read` gives; nothing is written."""
    if mode not in MODE_NAMES:
        raise ValueError(mode)
    merged = Merged(mode, [FileMerge() for _ in results])
    by_table: dict[str, list[tuple[FileResult, FileMerge]]] = {}
    for result, merge in zip(results, merged.files, strict=True):
        if result.table and result.records:
            by_table.setdefault(result.table, []).append((result, merge))
    for table, runs in by_table.items():
        current = read(table)
        if current is None:
            current = TABLE_SCHEMAS[table].empty_table()
        base, dropped, added = _merge_table(table, current, runs, mode)
        after = pa.concat_tables([base, added])
        if same_rows(table, current, after):
            continue
        merged.removed += dropped.num_rows
        merged.tables[table] = after
        merged.changes += _changes(table, current, dropped, added, after)
    return merged
