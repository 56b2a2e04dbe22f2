"""The opened extracts and cached query results, keyed by the manifest so a new one invalidates them."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from dpf.config import data_dir
from dpf.contract.catalogue import INDICATOR_BY_CODE
from dpf.contract.check import CheckResult
from dpf.contract.check_store import checked_folder
from dpf.contract.manifest import manifest_fingerprint
from dpf.data.db import Extracts, open_extracts
from dpf.data.sql import run_query
from dpf.figures.indicators import (
    compute_indicators,
    data_years,
    township_frame,
    township_table,
    township_values,
    values_in,
)
from dpf.figures.progress import cumulative_by_month
from dpf.figures.tile_grid import read_grid
from dpf.figures.township_shapes import Shapes, read_shapes, shape_file

# Cached computations a page will ask for later, started early so they overlap with its other queries (DuckDB
# releases the GIL while it works). The page's own call then waits for the running computation (Streamlit computes
# each cache key once, under a lock) or finds it cached.
PREFETCH_WORKERS = 2
_PREFETCH = ThreadPoolExecutor(max_workers=PREFETCH_WORKERS, thread_name_prefix="dpf-prefetch")


def prefetch(cached: Callable[..., Any], *args: Any) -> None:
    """Start `cached(*args)` (an st.cache_data function) in the background; errors surface at the page's own call."""
    _PREFETCH.submit(_quietly, cached, *args)


def _quietly(cached: Callable[..., Any], *args: Any) -> None:
    with contextlib.suppress(Exception):  # not cached, so the page's own call raises it where the page handles it
        cached(*args)


@st.cache_resource(show_spinner=False, max_entries=4)
def open_cached(folder: str, fingerprint: str) -> Extracts:
    """One DuckDB connection per data folder and manifest; queries take their own cursor."""
    return open_extracts(Path(folder))


def current_source() -> tuple[str, str]:
    """(folder, manifest fingerprint) of the data folder in use."""
    folder = data_dir()
    return str(folder), manifest_fingerprint(folder)


@st.cache_data(show_spinner=False, max_entries=512)
def cached_indicators(
    folder: str,
    fingerprint: str,
    year: int,
    townships: tuple[str, ...],
    month: int | None = None,
    as_of: date | None = None,
) -> pd.DataFrame:
    """compute_indicators for a period, up to `as_of` (None: the manifest's)."""
    return compute_indicators(open_cached(folder, fingerprint), year, list(townships), as_of, month=month)


@st.cache_data(show_spinner=False, max_entries=256)
def cached_township_values(
    folder: str,
    fingerprint: str,
    year: int,
    code: str,
    townships: tuple[str, ...],
    month: int | None = None,
    as_of: date | None = None,
) -> dict[str, float | None]:
    return township_values(open_cached(folder, fingerprint), year, code, list(townships), as_of, month=month)


@st.cache_data(show_spinner=False, max_entries=32)
def cached_county_township_frame(
    folder: str, fingerprint: str, year: int, table: str, month: int | None = None, as_of: date | None = None
) -> pd.DataFrame | None:
    """Every indicator of source `table` in each township of the township table (dpf.figures.indicators.township_frame): one
    query for all of the table's indicators (at scale 100 one by-township query on services takes ≈ 4 s)."""
    everyone = list(cached_townships(folder, fingerprint)["code"])
    return township_frame(open_cached(folder, fingerprint), year, table, everyone, as_of, month=month)


@st.cache_data(show_spinner=False, max_entries=256)
def cached_county_township_values(
    folder: str, fingerprint: str, year: int, code: str, month: int | None = None, as_of: date | None = None
) -> dict[str, float | None]:
    """Indicator `code` in every township of the township table: keyed without the codes (at scale 100 hashing
    2,300 of them for the key costs ≈ 9 ms a call)."""
    frame = cached_county_township_frame(folder, fingerprint, year, INDICATOR_BY_CODE[code].table, month, as_of)
    return values_in(frame, code, tuple(cached_townships(folder, fingerprint)["code"]))


@st.cache_data(show_spinner=False, max_entries=64)
def cached_cumulative(
    folder: str, fingerprint: str, year: int, townships: tuple[str, ...], as_of: date | None
) -> pd.DataFrame:
    """Cumulative value of every indicator at each month end (dpf.figures.progress.cumulative_by_month)."""
    return cumulative_by_month(open_cached(folder, fingerprint), year, list(townships), as_of)


@st.cache_data(show_spinner=False, max_entries=2048)
def cached_query(folder: str, fingerprint: str, name: str, params: tuple[tuple[str, Any], ...]) -> pd.DataFrame:
    """queries/NAME.sql with `params` (name, value) pairs; lists travel as tuples for hashing."""
    values = {key: list(value) if isinstance(value, tuple) else value for key, value in params}
    return run_query(open_cached(folder, fingerprint).con, name, **values)


@st.cache_data(show_spinner=False, max_entries=8)
def cached_years(folder: str, fingerprint: str) -> list[int]:
    """The year filter's options (dpf.figures.indicators.data_years): one query per manifest, not per rerun."""
    return data_years(open_cached(folder, fingerprint))


@st.cache_data(show_spinner=False, max_entries=8)
def cached_townships(folder: str, fingerprint: str) -> pd.DataFrame:
    """Townships in official order (dpf.figures.indicators.township_table), per manifest."""
    return township_table(open_cached(folder, fingerprint))


@st.cache_data(show_spinner="正在检查数据文件（新数据首次检查，较大数据可能需要数十秒）……", max_entries=8)
def cached_check(folder: str, fingerprint: str) -> CheckResult:
    """The full contract check, once per manifest (dpf.contract.check_store keeps it on disk across restarts). A check that
    an import's swap interrupted raises FolderChanged, which is not cached: the next run checks the new data."""
    return checked_folder(Path(folder))


@st.cache_data(show_spinner=False, max_entries=8)
def cached_grid(folder: str, fingerprint: str) -> dict[str, tuple[int, int]] | None:
    """The townships' tile positions from the optional grid columns (dpf.figures.tile_grid.read_grid), per manifest."""
    return read_grid(open_cached(folder, fingerprint))


@st.cache_data(show_spinner=False, max_entries=8)
def cached_shapes(path: str, stamp: tuple[int, int], townships: tuple[tuple[str, str], ...]) -> tuple:
    """The boundary file read and checked, once per file version (`stamp`: mtime and size) and township table."""
    return read_shapes(Path(path), dict(townships))


def township_boundaries(folder: str, fingerprint: str) -> tuple[Shapes | None, str | None]:
    """The optional boundary file beside the extracts, checked against the whole township table (None, None without
    one); the map draws only the session's townships of it."""
    path = shape_file(Path(folder))
    if path is None:
        return None, None
    towns = cached_townships(folder, fingerprint)
    stat = path.stat()
    return cached_shapes(
        str(path), (stat.st_mtime_ns, stat.st_size), tuple(zip(towns["code"], towns["name"], strict=True))
    )
