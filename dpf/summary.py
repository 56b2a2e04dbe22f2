"""Pre-aggregated payment tables, built once per data folder and kept in a cache file.

A province roll-up has tens of millions of payment rows; every page figure needs only monthly sums
per township and programme (`summary_payments_monthly`, `summary_payments_by_grade`) and each
person's first payment of a year (`summary_payment_firsts`). Those small tables are built from the
`payments` and `persons` views the first time a data folder is opened, written to a DuckDB file in
the cache folder (keyed by the folder, its manifest, the payment and person files' sizes and times
and the summary SQL, so a new export builds a new one), and attached read-only on every later open.
When the cache folder cannot be written, or `persons` cannot be trusted, they are built in memory.
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

from dpf.catalogue import TABLE_NAMES_ZH
from dpf.config import QUERIES_DIR, cache_dir
from dpf.manifest import manifest_fingerprint, table_files, table_location

SUMMARY_TABLES = ("summary_payments_monthly", "summary_payments_by_grade", "summary_payment_firsts")
SOURCE_TABLES = ("payments", "persons")
STORE_ALIAS = "summary_store"
KEEP_STORES = 6
STALE_PARTIAL_SECONDS = 3600  # a half-written store older than this was left by a build that died


@dataclass(frozen=True)
class SummaryState:
    path: Path | None  # the store file, None when built in memory
    built: bool  # built by this open (False: an existing store was attached)
    problem: str | None = None  # Chinese, user-facing: the payments could not be summarised


def _definition_hash() -> str:
    digest = hashlib.sha256()
    for name in SUMMARY_TABLES:
        digest.update((QUERIES_DIR / f"{name}.sql").read_bytes())
    return digest.hexdigest()[:16]


def store_key(folder: Path) -> str:
    """A key that changes with the folder, its manifest, the payment and person files and the summary SQL."""
    digest = hashlib.sha256()
    digest.update(str(Path(folder).resolve()).encode())
    digest.update(manifest_fingerprint(folder).encode())
    digest.update(_definition_hash().encode())
    for table in SOURCE_TABLES:
        location = table_location(folder, table)
        for path in table_files(location) if location is not None else []:
            stat = path.stat()
            digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:32]


def _create_tables(con: duckdb.DuckDBPyConnection, schema: str, empty: bool = False) -> None:
    for name in SUMMARY_TABLES:
        select = (QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8")
        if empty:
            select = f"SELECT * FROM ({select}) LIMIT 0"
        con.execute(f"CREATE OR REPLACE TABLE {schema}.{name} AS {select}")  # identifiers are constants


def _build_store(con: duckdb.DuckDBPyConnection, target: Path) -> None:
    """Write the summaries to a temporary file beside `target`, then rename it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(prefix="summary-", suffix=".partial", dir=target.parent)
    os.close(handle)
    os.unlink(partial)  # DuckDB creates the file itself
    try:
        con.execute("ATTACH $path AS summary_build", {"path": partial})
        try:
            _create_tables(con, "summary_build")
        finally:
            con.execute("DETACH summary_build")
        os.replace(partial, target)
    finally:
        Path(partial).unlink(missing_ok=True)


def _attach_store(con: duckdb.DuckDBPyConnection, target: Path) -> bool:
    """Attach `target` read-only; False (and the file removed) when it is unreadable or incomplete."""
    try:
        con.execute(f"ATTACH $path AS {STORE_ALIAS} (READ_ONLY)", {"path": str(target)})
        attached = {
            row[0]
            for row in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = $db", {"db": STORE_ALIAS}
            ).fetchall()
        }
        if attached >= set(SUMMARY_TABLES):
            return True
        con.execute(f"DETACH {STORE_ALIAS}")
    except duckdb.Error:
        pass
    target.unlink(missing_ok=True)
    return False


def _tidy(folder: Path, keep: int = KEEP_STORES) -> None:
    """Keep the `keep` most recently used stores; remove half-written files left by builds that died."""
    stores = sorted(folder.glob("summary-*.duckdb"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in stores[keep:]:
        old.unlink(missing_ok=True)
    for partial in folder.glob("summary-*.partial*"):
        if time.time() - partial.stat().st_mtime > STALE_PARTIAL_SECONDS:
            partial.unlink(missing_ok=True)


def _in_memory(con: duckdb.DuckDBPyConnection) -> SummaryState:
    try:
        _create_tables(con, "main")
        return SummaryState(None, True)
    except duckdb.Error as exc:  # e.g. a damaged data page that the row count did not reveal
        _create_tables(con, "main", empty=True)
        detail = str(exc).splitlines()[0][:160]
        zh = TABLE_NAMES_ZH["payments"]
        return SummaryState(None, True, f"“{zh}”表文件已损坏或无法读取（{detail}）。请重新复制或导出该表。")


def attach_summaries(
    con: duckdb.DuckDBPyConnection, folder: Path, usable: bool = True, cacheable: bool = True
) -> SummaryState:
    """Make the SUMMARY_TABLES queryable on `con`.

    `usable` False (payments missing, unreadable or half-copied): empty tables, nothing cached.
    `cacheable` False (persons cannot be trusted): built in memory, so a fixed `persons` is picked up.
    A build that fails on the payment rows gives empty tables and a `problem` for the caller to show.
    """
    if not usable:
        _create_tables(con, "main", empty=True)
        return SummaryState(None, True)
    if not cacheable:
        return _in_memory(con)
    target = cache_dir() / f"summary-{store_key(folder)}.duckdb"
    built = False
    try:
        if target.is_file() and _attach_store(con, target):
            os.utime(target)  # recently used: kept when older stores are pruned
        else:
            _build_store(con, target)
            built = True
            if not _attach_store(con, target):
                return _in_memory(con)
    except (OSError, duckdb.Error):
        return _in_memory(con)
    with contextlib.suppress(OSError):  # pruning is housekeeping; the store just attached is fine
        _tidy(target.parent)
    for name in SUMMARY_TABLES:
        con.execute(f"CREATE VIEW {name} AS FROM {STORE_ALIAS}.{name}")
    return SummaryState(target, built)
