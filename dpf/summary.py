"""Pre-aggregated payment tables, built once per data folder and kept in a cache file.

A province roll-up has tens of millions of payment rows; every page figure needs only monthly sums
per township and programme, and each person's first payment of a year. Those two small tables are
built from the `payments` view the first time a data folder is opened, written to a DuckDB file in
the cache folder (keyed by the folder, its manifest and the payment files' sizes and times, so a
new export builds a new one), and attached read-only on every later open. When the cache folder
cannot be written the tables are built in memory instead.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dpf.config import QUERIES_DIR, cache_dir
from dpf.manifest import manifest_fingerprint, table_files, table_location

SUMMARY_TABLES = ("summary_payments_monthly", "summary_payments_by_grade", "summary_payment_firsts")
STORE_ALIAS = "summary_store"
KEEP_STORES = 6


@dataclass(frozen=True)
class SummaryState:
    path: Path | None  # the store file, None when built in memory
    built: bool  # built by this open (False: an existing store was attached)


def _definition_hash() -> str:
    digest = hashlib.sha256()
    for name in SUMMARY_TABLES:
        digest.update((QUERIES_DIR / f"{name}.sql").read_bytes())
    return digest.hexdigest()[:16]


def store_key(folder: Path) -> str:
    """A key that changes with the folder, its manifest, the payment files and the summary SQL."""
    digest = hashlib.sha256()
    digest.update(str(Path(folder).resolve()).encode())
    digest.update(manifest_fingerprint(folder).encode())
    digest.update(_definition_hash().encode())
    location = table_location(folder, "payments")
    for path in table_files(location) if location is not None else []:
        stat = path.stat()
        digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:32]


def _create_tables(con: duckdb.DuckDBPyConnection, schema: str, empty: bool = False) -> None:
    for name in SUMMARY_TABLES:
        select = (QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8")
        if empty:
            select = f"SELECT * FROM ({select}) LIMIT 0"
        con.execute(f"CREATE TABLE {schema}.{name} AS {select}")  # identifiers are constants, no values


def _prune(folder: Path, keep: int = KEEP_STORES) -> None:
    stores = sorted(folder.glob("summary-*.duckdb"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in stores[keep:]:
        old.unlink(missing_ok=True)


def attach_summaries(con: duckdb.DuckDBPyConnection, folder: Path, usable: bool = True) -> SummaryState:
    """Make `summary_payments_monthly` and `summary_payment_firsts` queryable on `con`.

    `usable` False (payments missing, unreadable or half-copied): empty tables, nothing cached.
    """
    if not usable:
        _create_tables(con, "main", empty=True)
        return SummaryState(None, True)
    target = cache_dir() / f"summary-{store_key(folder)}.duckdb"
    built = False
    partial = None
    try:
        if not target.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, partial = tempfile.mkstemp(prefix="summary-", suffix=".partial", dir=target.parent)
            os.close(handle)
            os.unlink(partial)  # DuckDB creates the file itself
            con.execute("ATTACH $path AS summary_build", {"path": partial})
            try:
                _create_tables(con, "summary_build")
            finally:
                con.execute("DETACH summary_build")
            os.replace(partial, target)
            built = True
            _prune(target.parent)
        con.execute(f"ATTACH $path AS {STORE_ALIAS} (READ_ONLY)", {"path": str(target)})
    except (OSError, duckdb.Error):
        if partial:
            Path(partial).unlink(missing_ok=True)
        _create_tables(con, "main")
        return SummaryState(None, True)
    for name in SUMMARY_TABLES:
        con.execute(f"CREATE VIEW {name} AS FROM {STORE_ALIAS}.{name}")
    return SummaryState(target, built)
