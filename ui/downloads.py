"""A displayed table with its download buttons, one per dpf.exports.formats.TABLE_FORMATS (Excel, CSV), written by
dpf.exports.table_files (formula cells neutralised)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from dpf import palette
from dpf.auth import audit
from dpf.exports.formats import TABLE_FORMATS
from dpf.figures.schedule import Status
from dpf.formatting import fmt_date, safe_filename, table_formats
from ui.briefing import briefing_on
from ui.briefing_frame import slide_table
from ui.charts import text_px
from ui.context import View

NO_VALUE = "—"  # a table cell without a figure (合计 of mixed units, a blank import cell); Streamlit would say None
# A table of up to this many rows is shown whole (one county's 23 townships and 合计), so a screenshot holds its 合计;
# a longer one keeps Streamlit's box of ten rows and scrolls.
WHOLE_TABLE_ROWS = 30


def table_size(rows: int) -> dict:
    """st.dataframe's height for a table of `rows` on the page: the whole table when it is short, else Streamlit's
    box of ten rows (简报模式 draws a slide table instead, ui.briefing_frame.slide_table)."""
    return {"height": "content"} if rows <= WHOLE_TABLE_ROWS else {}


# A page's table wider than this (one column of the 1440×900 screen beside the sidebar holds ≈1,070 px) is drawn as a
# static table whose headers and sentences wrap, so its last column (合计, 为什么) is on screen and in a screenshot.
PAGE_TABLE_PX = 1_000
CELL_PAD_PX, TABLE_FONT_PX = 16, 14  # st.dataframe's cell padding and type size, for the width estimate
_PYTHON_FORMATS = {"%,.2f": "{:,.2f}", "%,d": "{:,.0f}", "%.1f%%": "{:.1f}%", "%,.0f": "{:,.0f}", "%,.1f": "{:,.1f}"}
_PYTHON_FORMATS["%.1f"] = "{:.1f}"
STATUS_BY_TEXT = {status.text: status for status in Status}


def natural_px(frame: pd.DataFrame) -> float:
    """About how wide st.dataframe draws `frame` with every header and cell whole: per column its widest text."""
    formats = table_formats(frame)
    total = 0.0
    for header in frame.columns:
        column = frame[header]
        printf = formats.get(str(header))
        cells = [_PYTHON_FORMATS.get(printf, "{}").format(v) if printf else str(v) for v in column.dropna().head(60)]
        widest = max([text_px(str(header), TABLE_FONT_PX)] + [text_px(cell, TABLE_FONT_PX) for cell in cells])
        total += min(widest, 400) + CELL_PAD_PX
    return total


def status_mark(text: object) -> str:
    """A status cell as the page shows it: ● and the label, on the status's colour (set by styled()); the data
    (and the downloads) keep the emoji text."""
    status = STATUS_BY_TEXT.get(str(text))
    return f"● {status.label}" if status else ("" if text is None or text != text else str(text))


def styled(frame: pd.DataFrame) -> Styler:
    """`frame` with its numbers written as dpf.formatting's column formats (— for no value) and each target
    status in the status's colour (dpf.palette), as the charts draw it."""
    formats = {header: _PYTHON_FORMATS[printf] for header, printf in table_formats(frame).items()}
    statuses = [header for header in frame.columns if str(header) == "状态"]
    styler = frame.style.format(formats, na_rep=NO_VALUE).format(status_mark, subset=statuses)
    # the cell in the status's colour, its word in ink or white (amber or grey text on white is below 4.5:1)
    colour = {
        status.text: f"background-color: {status.color}; color: {palette.readable_on(status.color)}; font-weight: 600"
        for status in Status
    }
    return styler.map(lambda text: colour.get(str(text), ""), subset=statuses)


def shown_table(frame: pd.DataFrame, key: str, column_config: dict | None = None, room_px: int = PAGE_TABLE_PX) -> None:
    """A table as shown (click a header to sort), numbers formatted by dpf.formatting (千分位, 万元 to two decimals,
    rates with %); `column_config` adds or overrides columns' settings. On the page a table too wide for the screen
    is a static table whose headers and sentences wrap (nothing cut on the right, no sorting); `room_px` is the
    width it has (a table in a column beside a chart has less). 简报模式 draws a slide table instead."""
    if briefing_on():
        slide_frame(frame, key)
        return
    if natural_px(frame) > room_px:
        st.table(styled(frame), hide_index=True, width="stretch")
        return
    size = table_size(len(frame))
    config = {header: st.column_config.NumberColumn(format=printf) for header, printf in table_formats(frame).items()}
    has_status = "状态" in frame.columns
    st.dataframe(
        styled(frame) if has_status else frame,
        hide_index=True,
        width="stretch",
        key=key,
        column_config={**config, **(column_config or {})},
        placeholder=NO_VALUE,
        **size,
    )


def slide_frame(frame: pd.DataFrame, key: str) -> None:
    """简报模式: the table in slide type (ui.briefing_frame.slide_table), numbers as the page writes them, a wide
    table of amounts with its unit said once (slide_headers)."""
    formats = table_formats(frame)
    labels = {header: config["label"] for header, config in slide_headers(frame, {}).items()}
    formats = {labels.get(header, header): printf for header, printf in formats.items()}
    slide_table(frame.rename(columns=labels), key, formats=formats)


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
    return safe_filename(f"{page}_{table}_{view.scope}_{view.span}_截至{as_of}") + suffix


def table_downloads(frame: pd.DataFrame, page: str, table: str, view: View, key: str) -> None:
    """Two buttons under a table; headers should already be Chinese with units, e.g. 金额（万元）.

    The files are written when a button is clicked (a deferred download), not on every run of the page. None in
    简报模式 (a slide has no buttons). Every download button of the app says on_click="ignore": a click that also
    reruns the page can lose the file's answer (Streamlit 1.67 clears the session's outgoing queue, answer included,
    when the rerun starts) and leave the button spinning for 180 s.
    """
    if briefing_on():
        return
    # one row of buttons as wide as their words (narrow columns would cut 下载 Excel to 下载 ⋯)
    with st.container(horizontal=True, key=f"{key}_buttons"):
        for fmt in TABLE_FORMATS.values():  # one button each, in the registry's order (tests/test_export_formats.py)
            name = download_name(page, table, view, fmt.suffix)
            st.download_button(
                f"下载 {fmt.label}",
                audited(partial(fmt.writer, frame, table), view, name),
                file_name=name,
                mime=fmt.mime,
                key=f"{key}_{fmt.name}",
                on_click="ignore",
                icon=":material/download:",
            )


def table_with_downloads(
    frame: pd.DataFrame, page: str, table: str, view: View, key: str, download_key: str, room_px: int = PAGE_TABLE_PX
) -> None:
    """The table as shown (click a header to sort) with its two download buttons below."""
    shown_table(frame, key, room_px=room_px)
    table_downloads(frame, page, table, view, key=download_key)
