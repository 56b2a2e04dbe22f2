"""A displayed table with its download buttons, one per dpf.export_formats.TABLE_FORMATS (Excel, CSV), written by
dpf.table_files (formula cells neutralised)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pandas as pd
import streamlit as st

from dpf import audit
from dpf.export_formats import TABLE_FORMATS
from dpf.formatting import fmt_date, table_formats
from dpf.table_files import csv_bytes, excel_bytes  # noqa: F401  the writers' old home, for their callers
from ui.briefing import briefing_on
from ui.briefing_frame import fitted_table
from ui.charts import safe_filename
from ui.context import View

NO_VALUE = "—"  # a table cell without a figure (合计 of mixed units, a blank import cell); Streamlit would say None
# A table of up to this many rows is shown whole (one county's 23 townships and 合计), so a screenshot holds its 合计;
# a longer one keeps Streamlit's box of ten rows and scrolls.
WHOLE_TABLE_ROWS = 30


def table_size(rows: int, briefing: bool) -> dict | None:
    """st.dataframe's height for a table of `rows`: in 简报模式 fitted to the frame (None: left off, a chart took the
    room); on the page the whole table when it is short, else Streamlit's box of ten rows."""
    if briefing:
        return fitted_table(rows)
    return {"height": "content"} if rows <= WHOLE_TABLE_ROWS else {}


def shown_table(frame: pd.DataFrame, key: str, column_config: dict | None = None) -> None:
    """A table as shown (click a header to sort), numbers formatted by dpf.formatting (千分位, 万元 to two decimals,
    rates with %); `column_config` adds or overrides columns' settings."""
    briefing = briefing_on()
    size = table_size(len(frame), briefing)
    if size is None:
        return
    config = {header: st.column_config.NumberColumn(format=printf) for header, printf in table_formats(frame).items()}
    if briefing:
        config.update(slide_headers(frame, config))
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        key=key,
        column_config={**config, **(column_config or {})},
        placeholder=NO_VALUE,
        **size,
    )


SLIDE_WIDE_TABLE = 8  # columns beyond which a slide's table says its unit once instead of in every header
_WAN = "（万元）"


def slide_headers(frame: pd.DataFrame, config: dict) -> dict:
    """简报模式: a wide table of 万元 columns fits the 1920 px frame with its headers' unit said once, in the first
    column's header (乡镇（街道）　单位：万元), and each amount column headed by its name alone."""
    headers = [str(header) for header in frame.columns]
    amounts = [header for header in headers if header.endswith(_WAN)]
    if len(headers) <= SLIDE_WIDE_TABLE or len(amounts) < 2:
        return {}
    shortened = {
        header: {**config.get(header, st.column_config.Column()), "label": header.removesuffix(_WAN)}
        for header in amounts
    }
    return {**shortened, headers[0]: st.column_config.Column(f"{headers[0]}　单位：万元")}


def audited(make: Callable[[], bytes], view: View, file_name: str) -> Callable[[], bytes]:
    """The deferred file maker of a download that also writes the download to the audit trail (when logged in)."""
    if view.account is None:
        return make
    role, scope, folder = view.access.role, view.scope, view.folder

    def logged() -> bytes:
        audit.record(folder, "download", view.account, role, file=file_name, scope=scope, year=view.year)
        return make()

    return logged


def download_name(page: str, table: str, view: View, suffix: str) -> str:
    as_of = fmt_date(view.as_of) if view.as_of else ""
    return safe_filename(f"{page}_{table}_{view.scope}_{view.year}年_截至{as_of}") + suffix


def table_downloads(frame: pd.DataFrame, page: str, table: str, view: View, key: str) -> None:
    """Two buttons under a table; headers should already be Chinese with units, e.g. 金额（万元）.

    The files are written when a button is clicked (a deferred download), not on every run of the page. None in
    简报模式 (a slide has no buttons). Every download button of the app says on_click="ignore": a click that also
    reruns the page can lose the file's answer (Streamlit 1.67 clears the session's outgoing queue, answer included,
    when the rerun starts) and leave the button spinning for 180 s.
    """
    if briefing_on():
        return
    xlsx, csv = TABLE_FORMATS["xlsx"], TABLE_FORMATS["csv"]  # one button each (tests/test_export_formats.py)
    left, right, _ = st.columns([1, 1, 4])
    xlsx_name, csv_name = download_name(page, table, view, xlsx.suffix), download_name(page, table, view, csv.suffix)
    with left:
        st.download_button(
            f"下载 {xlsx.label}",
            audited(partial(xlsx.writer, frame, table), view, xlsx_name),
            file_name=xlsx_name,
            mime=xlsx.mime,
            key=f"{key}_{xlsx.name}",
            on_click="ignore",
            icon=":material/download:",
        )
    with right:
        st.download_button(
            f"下载 {csv.label}",
            audited(partial(csv.writer, frame, table), view, csv_name),
            file_name=csv_name,
            mime=csv.mime,
            key=f"{key}_{csv.name}",
            on_click="ignore",
            icon=":material/download:",
        )


def table_with_downloads(frame: pd.DataFrame, page: str, table: str, view: View, key: str, download_key: str) -> None:
    """The table as shown (click a header to sort) with its two download buttons below."""
    shown_table(frame, key)
    table_downloads(frame, page, table, view, key=download_key)
