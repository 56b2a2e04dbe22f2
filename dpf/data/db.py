"""Open a data folder as DuckDB views, one per contract table, and say which tables work."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from dpf.contract.catalogue import (
    NULL_WHEN_ABSENT,
    OPTIONAL_COLUMNS,
    OPTIONAL_TABLES,
    REQUIRED_TABLES,
    TABLE_NAMES_ZH,
    TABLE_SCHEMAS,
)
from dpf.contract.column_types import type_verdict, wrong_type_text, wrong_types
from dpf.config import QUERIES_DIR
from dpf.contract.manifest import Manifest, ManifestError, read_manifest, table_files, table_location
from dpf.data.summary import PAYMENT_SUMMARIES, SERVICE_SUMMARIES, SummarySet, SummaryState, attach_summaries

MAX_NAMED_FILES = 3  # a wrong-typed table names at most this many of its files


@dataclass(frozen=True)
class TableStatus:
    table: str
    ok: bool
    rows: int | None = None
    problem: str | None = None  # Chinese, user-facing; None when ok


@dataclass
class Extracts:
    """A data folder opened for querying: the connection, the manifest and each table's state."""

    folder: Path
    con: duckdb.DuckDBPyConnection
    manifest: Manifest | None
    manifest_problem: str | None
    tables: dict[str, TableStatus] = field(default_factory=dict)
    summary: SummaryState | None = None  # payments
    service_summary: SummaryState | None = None
    memo: dict[str, Any] = field(default_factory=dict, repr=False)  # figures read once per opened folder

    def known_manifest(self) -> Manifest:
        """The manifest, for a caller that has refused a folder without one (brief_command does)."""
        if self.manifest is None:
            raise ValueError(self.manifest_problem or f"{self.folder} has no manifest")
        return self.manifest

    def available(self, table: str) -> bool:
        status = self.tables.get(table)
        return bool(status and status.ok)

    def problem(self, *tables: str) -> str | None:
        """The first Chinese problem message among `tables`, or None when all can be queried."""
        if self.manifest_problem:
            return self.manifest_problem
        for table in tables:
            status = self.tables.get(table)
            if status is None or not status.ok:
                return status.problem if status else f"未找到{TABLE_NAMES_ZH.get(table, table)}表。"
        return None


def _missing_message(table: str, folder: Path) -> str:
    zh = TABLE_NAMES_ZH[table]
    if table in OPTIONAL_TABLES:
        return f"数据中没有“{zh}”表，相关内容暂不显示。"
    return f"数据中缺少“{zh}”表（{table}.parquet），请在数据文件夹 {folder} 中补齐后刷新页面。"


def _open_table(con: duckdb.DuckDBPyConnection, folder: Path, table: str) -> TableStatus:
    schema = TABLE_SCHEMAS[table]
    zh = TABLE_NAMES_ZH[table]
    try:
        location = table_location(folder, table)
        files = [str(p) for p in table_files(location)] if location is not None else []
        if not files or location is None:  # no location: no files
            # An empty view with the contract's columns keeps every query valid.
            return _unusable(con, table, _missing_message(table, folder))
        relation = con.read_parquet(files, hive_partitioning=location.is_dir(), union_by_name=True)
        types = dict(zip(relation.columns, (str(t) for t in relation.types), strict=True))
        missing_cols = [name for name in schema.names if name not in types]
        if missing_cols:
            cols = "、".join(missing_cols)
            return _unusable(con, table, f"“{zh}”表缺少必需的列：{cols}。请按数据约定重新导出。")
        wrong = wrong_types(schema, types)
        if wrong:
            return _unusable(con, table, _wrong_type_message(con, folder, table, files, wrong))
        rows = relation.aggregate("count(*)").fetchall()[0][0]
        _with_optional(con, relation, table, types).create_view(table)
        return TableStatus(table, True, int(rows))
    except (duckdb.Error, pa.ArrowException, OSError) as exc:
        detail = str(exc).splitlines()[0][:160]
        return _unusable(con, table, f"“{zh}”表文件已损坏或无法读取（{detail}）。请重新复制或导出该表。")


def _with_optional(
    con: duckdb.DuckDBPyConnection, relation: duckdb.DuckDBPyRelation, table: str, types: dict[str, str]
) -> duckdb.DuckDBPyRelation:
    """The table with its NULL_WHEN_ABSENT columns: as they are when present in a type the contract allows, else NULL
    of the contract's type (a wrong-typed one the check warns about), so every query may name them."""
    optional = OPTIONAL_COLUMNS.get(table)
    absent, wrong = [], []
    for name in NULL_WHEN_ABSENT.get(table, ()):
        assert optional is not None
        expected = optional.field(name).type
        if name not in types:
            absent.append(name)
        elif type_verdict(expected, types[name]) == "bad":
            wrong.append(name)
    if not absent and not wrong:
        return relation
    kinds = con.from_arrow(pa.schema([optional.field(name) for name in absent + wrong]).empty_table())  # type: ignore[union-attr]
    cast = dict(zip(kinds.columns, (str(kind) for kind in kinds.types), strict=True))
    replaced = f" REPLACE ({', '.join(f'NULL::{cast[name]} AS {name}' for name in wrong)})" if wrong else ""
    added = "".join(f", NULL::{cast[name]} AS {name}" for name in absent)
    return relation.project(f"*{replaced}{added}")


def _unusable(con: duckdb.DuckDBPyConnection, table: str, problem: str) -> TableStatus:
    _bind_empty(con, table)
    return TableStatus(table, False, None, problem)


def _bind_empty(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Bind `table` as an empty view with the contract's columns and types (and the NULL_WHEN_ABSENT ones), so every
    query stays valid."""
    schema = TABLE_SCHEMAS[table]
    filled = NULL_WHEN_ABSENT.get(table, ())
    if filled:
        schema = pa.schema([*schema, *(OPTIONAL_COLUMNS[table].field(name) for name in filled)])
    con.from_arrow(schema.empty_table()).create_view(table)


def _wrong_type_message(
    con: duckdb.DuckDBPyConnection, folder: Path, table: str, files: list[str], wrong: dict[str, str]
) -> str:
    """Which columns have a type the contract does not allow and, for a table of several files, in which files."""
    schema = TABLE_SCHEMAS[table]
    columns = "；".join(wrong_type_text(schema, column, actual) for column, actual in wrong.items())
    where = ""
    if len(files) > 1:
        culprits = [
            Path(path).relative_to(folder).as_posix()
            for path in files
            if wrong_types(schema, _file_types(con, path)).keys() & wrong.keys()
        ]
        if culprits:
            more = f"等 {len(culprits)} 个文件" if len(culprits) > MAX_NAMED_FILES else ""
            where = f"（见文件 {'、'.join(culprits[:MAX_NAMED_FILES])}{more}）"
    return (
        f"“{TABLE_NAMES_ZH[table]}”表（{table}）的 {columns}{where}。该表暂不能使用，相关内容不显示；"
        "请按数据约定的类型重新导出该表。"
    )


def _file_types(con: duckdb.DuckDBPyConnection, path: str) -> dict[str, str]:
    relation = con.read_parquet(path)  # reads the file's footer only
    return dict(zip(relation.columns, (str(t) for t in relation.types), strict=True))


def open_extracts(folder: Path) -> Extracts:
    """Open every contract table in `folder` as a view on one in-memory DuckDB connection."""
    folder = Path(folder)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    manifest: Manifest | None = None
    manifest_problem: str | None = None
    if not folder.is_dir():
        manifest_problem = f"找不到数据文件夹 {folder}。请检查环境变量 DASHBOARD_DATA_DIR 是否指向数据所在的文件夹。"
    else:
        try:
            manifest = read_manifest(folder)
        except ManifestError as exc:
            manifest_problem = str(exc)
    tables = {table: _open_table(con, folder, table) for table in (*REQUIRED_TABLES, *OPTIONAL_TABLES)}
    if manifest is not None:
        tables = {table: _against_manifest(status, manifest) for table, status in tables.items()}
    summary = _summaries(con, folder, PAYMENT_SUMMARIES, usable=tables["payments"].ok, cacheable=tables["persons"].ok)
    service_summary = _summaries(con, folder, SERVICE_SUMMARIES, usable=tables["services"].ok)
    for table, state in (("payments", summary), ("services", service_summary)):
        if state.problem:
            tables[table] = TableStatus(table, False, tables[table].rows, state.problem)
    # After the views: a table macro binds the tables it reads when it is created.
    con.execute((QUERIES_DIR / "_macros.sql").read_text(encoding="utf-8"))
    return Extracts(folder, con, manifest, manifest_problem, tables, summary, service_summary)


def _summaries(
    con: duckdb.DuckDBPyConnection, folder: Path, summaries: SummarySet, usable: bool, cacheable: bool = True
) -> SummaryState:
    """attach_summaries for one set; a failure it does not foresee blanks only the set's source table.

    The source is rebound empty and the set's tables created empty, so every query on them stays valid while
    the table's TableStatus carries the Chinese problem; the other set and every other table keep working.
    """
    try:
        return attach_summaries(con, folder, usable, cacheable, summaries)
    except Exception as exc:  # one set must never take every page down
        logging.getLogger(__name__).exception("summary set %s failed on %s", summaries.prefix, folder)
        source = summaries.sources[0]
        _bind_empty(con, source)
        with contextlib.suppress(duckdb.Error):  # only when the set's own views were half made
            attach_summaries(con, folder, usable=False, summaries=summaries)
        detail = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        problem = (
            f"“{TABLE_NAMES_ZH[source]}”表的汇总无法生成（{detail}），相关内容暂不显示。"
            "请刷新页面；若仍出现，请在“数据状况”页查看检查结果或联系数据管理员。"
        )
        return SummaryState(None, True, problem)


def _against_manifest(status: TableStatus, manifest: Manifest) -> TableStatus:
    """A cheap integrity check on every open: the row count must be the manifest's (full sha256 in `dpf check`)."""
    listed = manifest.tables.get(status.table)
    if not status.ok or not listed or "rows" not in listed or int(listed["rows"]) == status.rows:
        return status
    zh = TABLE_NAMES_ZH[status.table]
    problem = (
        f"“{zh}”表的行数（{status.rows:,}）与 manifest.json 记录的（{int(listed['rows']):,}）不一致，"
        "文件可能复制不完整或已损坏。请重新复制该表，或在“数据状况”页查看检查结果。"
    )
    return TableStatus(status.table, False, status.rows, problem)
