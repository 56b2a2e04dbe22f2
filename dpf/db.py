"""Open a data folder as DuckDB views, one per contract table, and say which tables work."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from dpf.catalogue import OPTIONAL_TABLES, REQUIRED_TABLES, TABLE_NAMES_ZH, TABLE_SCHEMAS
from dpf.config import QUERIES_DIR
from dpf.manifest import Manifest, ManifestError, read_manifest, table_files, table_location
from dpf.summary import SERVICE_SUMMARIES, SummaryState, attach_summaries


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
        return f"数据中没有“{zh}”表（{table}），相关内容暂不显示。"
    return f"数据中缺少“{zh}”表（{table}.parquet），请在数据文件夹 {folder} 中补齐后刷新页面。"


def _open_table(con: duckdb.DuckDBPyConnection, folder: Path, table: str) -> TableStatus:
    location = table_location(folder, table)
    schema = TABLE_SCHEMAS[table]
    if location is None or not table_files(location):
        # An empty view with the contract's columns keeps every query valid.
        con.from_arrow(schema.empty_table()).create_view(table)
        return TableStatus(table, False, None, _missing_message(table, folder))
    files = [str(p) for p in table_files(location)]
    zh = TABLE_NAMES_ZH[table]
    try:
        relation = con.read_parquet(files, hive_partitioning=location.is_dir(), union_by_name=True)
        missing_cols = [name for name in schema.names if name not in relation.columns]
        if missing_cols:
            con.from_arrow(schema.empty_table()).create_view(table)
            cols = "、".join(missing_cols)
            return TableStatus(table, False, None, f"“{zh}”表缺少必需的列：{cols}。请按数据约定重新导出。")
        relation.create_view(table)
        rows = relation.aggregate("count(*)").fetchall()[0][0]
        return TableStatus(table, True, int(rows))
    except (duckdb.Error, pa.ArrowException, OSError) as exc:
        con.from_arrow(schema.empty_table()).create_view(table)
        detail = str(exc).splitlines()[0][:160]
        return TableStatus(table, False, None, f"“{zh}”表文件已损坏或无法读取（{detail}）。请重新复制或导出该表。")


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
    summary = attach_summaries(con, folder, usable=tables["payments"].ok, cacheable=tables["persons"].ok)
    service_summary = attach_summaries(con, folder, usable=tables["services"].ok, summaries=SERVICE_SUMMARIES)
    for table, state in (("payments", summary), ("services", service_summary)):
        if state.problem:
            tables[table] = TableStatus(table, False, tables[table].rows, state.problem)
    # After the views: a table macro binds the tables it reads when it is created.
    con.execute((QUERIES_DIR / "_macros.sql").read_text(encoding="utf-8"))
    return Extracts(folder, con, manifest, manifest_problem, tables, summary, service_summary)


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
