"""Pre-aggregated tables, built once per data folder and kept in cache files.

A province roll-up has tens of millions of payment rows; every page figure needs only monthly sums
per township and programme (`summary_payments_monthly`, `summary_payments_by_grade`) and each
person's first payment of a year (`summary_payment_firsts`). Likewise every distinct-person count of
services reads each person's first service of a year (`summary_service_firsts`), not a million
person keys. Each set is built from its source views the first time a data folder is opened,
written to a DuckDB file in the cache folder (keyed by the folder, its manifest, the source files'
sizes and times and the summary SQL, so a new export builds a new one), and attached read-only on
every later open. When the cache folder cannot be written, or a source cannot be trusted, a set is
built in memory.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dpf.contract.catalogue import TABLE_NAMES_ZH
from dpf.config import QUERIES_DIR, cache_dir, prune_cache
from dpf.contract.manifest import export_stamp

KEEP_STORES = 6  # of each set
STALE_PARTIAL_SECONDS = 3600  # a half-written store older than this was left by a build that died


@dataclass(frozen=True)
class SummarySet:
    tables: tuple[str, ...]  # queries/NAME.sql, each a table of the set
    sources: tuple[str, ...]  # the views they read; their files are part of the store key
    prefix: str  # store files are PREFIX-KEY.duckdb in the cache folder
    alias: str  # the attached store's database name


PAYMENT_SUMMARIES = SummarySet(
    ("summary_payments_monthly", "summary_payments_by_grade", "summary_payment_firsts"),
    ("payments", "persons"),
    "summary",
    "summary_store",
)
SERVICE_SUMMARIES = SummarySet(("summary_service_firsts",), ("services",), "service-summary", "service_store")
SUMMARY_TABLES = PAYMENT_SUMMARIES.tables


@dataclass(frozen=True)
class SummaryState:
    path: Path | None  # the store file, None when built in memory
    built: bool  # built by this open (False: an existing store was attached)
    problem: str | None = None  # Chinese, user-facing: the source rows could not be summarised


def store_key(folder: Path, summaries: SummarySet = PAYMENT_SUMMARIES) -> str:
    """A key that changes with the folder, its manifest, the set's source files and its SQL."""
    digest = hashlib.sha256(export_stamp(folder, summaries.sources).encode())
    for name in summaries.tables:
        digest.update((QUERIES_DIR / f"{name}.sql").read_bytes())
    return digest.hexdigest()[:32]


def _create_tables(con: duckdb.DuckDBPyConnection, summaries: SummarySet, schema: str, empty: bool = False) -> None:
    for name in summaries.tables:
        select = (QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8")
        if empty:
            select = f"SELECT * FROM ({select}) LIMIT 0"
        con.execute(f"CREATE OR REPLACE TABLE {schema}.{name} AS {select}")  # identifiers are constants


def _build_store(con: duckdb.DuckDBPyConnection, summaries: SummarySet, target: Path) -> None:
    """Write the summaries to a temporary file beside `target`, then rename it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(prefix=f"{summaries.prefix}-", suffix=".partial", dir=target.parent)
    os.close(handle)
    os.unlink(partial)  # DuckDB creates the file itself
    try:
        con.execute("ATTACH $path AS summary_build", {"path": partial})
        try:
            _create_tables(con, summaries, "summary_build")
        finally:
            con.execute("DETACH summary_build")
        os.replace(partial, target)
    finally:
        Path(partial).unlink(missing_ok=True)


def _attach_store(con: duckdb.DuckDBPyConnection, summaries: SummarySet, target: Path) -> bool:
    """Attach `target` read-only; False (and the file removed) when it is unreadable or incomplete."""
    try:
        con.execute(f"ATTACH $path AS {summaries.alias} (READ_ONLY)", {"path": str(target)})
        attached = {
            row[0]
            for row in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = $db", {"db": summaries.alias}
            ).fetchall()
        }
        if attached >= set(summaries.tables):
            return True
        con.execute(f"DETACH {summaries.alias}")
    except duckdb.Error:
        pass
    target.unlink(missing_ok=True)
    return False


def _tidy(folder: Path, prefix: str, keep: int = KEEP_STORES) -> None:
    """Keep the `keep` most recently used stores of a set; remove half-written files left by builds that died."""
    prune_cache(folder, f"{prefix}-*.duckdb", keep)
    for partial in folder.glob(f"{prefix}-*.partial*"):
        if time.time() - partial.stat().st_mtime > STALE_PARTIAL_SECONDS:
            partial.unlink(missing_ok=True)


def _in_memory(con: duckdb.DuckDBPyConnection, summaries: SummarySet) -> SummaryState:
    try:
        _create_tables(con, summaries, "main")
        return SummaryState(None, True)
    except duckdb.Error as exc:  # e.g. a damaged data page that the row count did not reveal
        _create_tables(con, summaries, "main", empty=True)
        detail = str(exc).splitlines()[0][:160]
        zh = TABLE_NAMES_ZH[summaries.sources[0]]
        return SummaryState(None, True, f"“{zh}”表文件已损坏或无法读取（{detail}）。请重新复制或导出该表。")


def attach_summaries(
    con: duckdb.DuckDBPyConnection,
    folder: Path,
    usable: bool = True,
    cacheable: bool = True,
    summaries: SummarySet = PAYMENT_SUMMARIES,
) -> SummaryState:
    """Make the tables of a summary set queryable on `con`.

    `usable` False (its first source missing, unreadable or half-copied): empty tables, nothing cached.
    `cacheable` False (another source cannot be trusted): built in memory, so a fixed file is picked up.
    A build that fails on the source rows gives empty tables and a `problem` for the caller to show.
    """
    if not usable:
        _create_tables(con, summaries, "main", empty=True)
        return SummaryState(None, True)
    if not cacheable:
        return _in_memory(con, summaries)
    target = cache_dir() / f"{summaries.prefix}-{store_key(folder, summaries)}.duckdb"
    built = False
    try:
        if target.is_file() and _attach_store(con, summaries, target):
            os.utime(target)  # recently used: kept when older stores are pruned
        else:
            _build_store(con, summaries, target)
            built = True
            if not _attach_store(con, summaries, target):
                return _in_memory(con, summaries)
    except (OSError, duckdb.Error):
        return _in_memory(con, summaries)
    with contextlib.suppress(OSError):  # pruning is housekeeping; the store just attached is fine
        _tidy(target.parent, summaries.prefix)
    for name in summaries.tables:
        con.execute(f"CREATE VIEW {name} AS FROM {summaries.alias}.{name}")
    return SummaryState(target, built)
