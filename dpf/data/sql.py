"""Load a named query from queries/ and run it with `$named` parameters only.

The loader checks that the parameters passed are exactly those the file uses, so a typo
or a forgotten filter fails loudly in tests instead of silently returning the wrong rows.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache

import duckdb
import pandas as pd

from dpf.config import QUERIES_DIR

_PARAM = re.compile(r"(?<![\w$])\$([A-Za-z_][A-Za-z0-9_]*)")
_COMMENT = re.compile(r"--[^\n]*")


class QueryParameterError(ValueError):
    pass


QueryObserver = Callable[[str, float, float], None]  # (query name, seconds, perf_counter start)

# Observers of every run_query (the benchmark's timings). Module-level, not thread-local, because Streamlit runs the
# page script in its own thread and queries may run in a pool.
_OBSERVERS: list[QueryObserver] = []


@contextmanager
def observe_queries(observer: QueryObserver) -> Iterator[None]:
    """Call `observer(name, seconds, started)` after every run_query inside the block."""
    _OBSERVERS.append(observer)
    try:
        yield
    finally:
        _OBSERVERS.remove(observer)


@cache
def load_query(name: str) -> tuple[str, frozenset[str]]:
    """The SQL text of queries/NAME.sql and the set of `$parameters` it uses."""
    path = QUERIES_DIR / f"{name}.sql"
    text = path.read_text(encoding="utf-8")
    body = _COMMENT.sub("", text)
    return text, frozenset(_PARAM.findall(body))


def run_query(con: duckdb.DuckDBPyConnection, name: str, **params) -> pd.DataFrame:
    """Run queries/NAME.sql on a fresh cursor of `con` and return a DataFrame."""
    text, expected = load_query(name)
    given = frozenset(params)
    if given != expected:
        missing = sorted(expected - given)
        extra = sorted(given - expected)
        raise QueryParameterError(f"{name}.sql: missing parameters {missing}, unexpected {extra}")
    started = time.perf_counter()
    cursor = con.cursor()
    try:
        return cursor.execute(text, params).df()
    finally:
        cursor.close()
        if _OBSERVERS:
            elapsed = time.perf_counter() - started
            for observer in list(_OBSERVERS):
                observer(name, elapsed, started)
