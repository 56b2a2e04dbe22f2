"""简报模式's frame: one topic of a page per 1920×1080 screen, so a screenshot of the screen is a slide.

A topic is one section of a page (ui.sections), chosen by the URL (?rehab_section=需求类型&briefing=1). The frame
holds the title block, a short 要点, the topic's cards and its charts sized to the height that is left; no tab bar,
no control, no popover, no download button and no (?) icon. The way to the page's other topics and out of 简报模式
is below the frame (topic_nav), outside what the screenshot shows.

The frame's height is shared out in one run: each part above the charts reserves what it takes (`reserve`), and a
chart takes the rest (`chart_room`). Heights are CSS pixels at 1920×1080 (the parts' type is fixed in px or rem).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from pandas.io.formats.style import Styler

from dpf.formatting import MISSING as MISSING_CELL
from dpf.narrative.sentences import Sentence
from ui.cards import kpi_grid
from ui.context import View

T = TypeVar("T")

FRAME_PX = 1080
TOP_PX = 35  # the block container's padding and the page's style element (no height, one gap) above the title
TITLE_PX = 152  # the title block with its margin
GAP_PX = 16  # Streamlit's gap between two elements
POINTS_MOST = 3  # sentences of 要点 on a slide
POINT_LINE_PX = 29  # one sentence of 要点 at briefing type (one line at 1920 wide)
POINTS_BOX_PX = 73  # the 要点 box without its sentences: heading, padding, border
CARD_ROW_PX = 153  # one row of cards
SLACK_PX = 30  # what is not counted (sub-pixel rounding, a line that wraps): the frame keeps it free
MIN_CHART_PX = 320  # below this a chart is not worth drawing on a slide; it is drawn at this height (see test)
MAX_CARDS = 6  # cards of one topic, in one row
ALERT_PX = 58  # one st.success / st.warning line
CHART_CHROME_PX = 160  # a slide chart's height outside its plot: title, x axis with its title, footer line
LABEL_ROW_SHARE = 0.9  # a category label's type size as a share of its row on the plot (CJK ink is about 1 em)
MIN_LABEL_PX, MAX_LABEL_PX = 11, 16  # a slide's category labels (16: the briefing template's tick type)
TABLE_TYPE_PX = (18, 28)  # a slide table's type, smallest and largest: read from across a meeting room
TABLE_LINE = 1.2  # its line height, in em
TABLE_CELL_PX = 3  # a cell's padding (top and bottom) and its border
TABLE_HEADER_LINES = 2  # a slide table's header may wrap to two lines (18 columns across 1,840 px)
TABLE_KEY = "dpf_slide_table"  # a slide table's container: st-key-dpf_slide_table_{type px}_{table's key}
FRAME_START_PX = TOP_PX + TITLE_PX + GAP_PX  # taken before any part: the padding and the title block

_ROOM_KEY = "dpf_frame_used"
_TOPICS_KEY = "dpf_frame_topics"
_CHARTED_KEY = "dpf_frame_charted"
NAV_KEY = "dpf_briefing_nav"  # the container below the frame (its CSS class: st-key-dpf_briefing_nav)


def start_frame() -> None:
    """A new frame: nothing reserved yet but the padding and the title block."""
    st.session_state[_ROOM_KEY] = FRAME_START_PX
    st.session_state.pop(_TOPICS_KEY, None)
    st.session_state.pop(_CHARTED_KEY, None)


def reserve(px: int) -> None:
    """A part of the frame above the charts takes `px` (and the gap below it)."""
    st.session_state[_ROOM_KEY] = st.session_state.get(_ROOM_KEY, FRAME_START_PX) + px + GAP_PX


def chart_room() -> int:
    """The height left for the topic's charts (charts side by side each take it)."""
    used = st.session_state.get(_ROOM_KEY, FRAME_START_PX)
    return max(MIN_CHART_PX, FRAME_PX - used - SLACK_PX)


def chart_height() -> int:
    """A chart's height on the frame: the room left (noted, so a table after it is left off the frame)."""
    st.session_state[_CHARTED_KEY] = True
    return chart_room()


def table_height() -> int | None:
    """A table's height on the frame: the room left, or None (left off) once a chart has taken it; the table
    and its downloads are on the page outside 简报模式."""
    return None if st.session_state.get(_CHARTED_KEY) else chart_room()


def every_label(fig: go.Figure) -> None:
    """Each category of the chart's (first) y axis labelled, as a slide must: Plotly would leave out every other
    township name when the labels stand close. The labels' type is made small enough for each to keep to its own
    row of the chart's height on the frame (chart_room), so none overlaps its neighbours."""
    for trace in fig.data:
        y = getattr(trace, "y", None)
        if trace.yaxis in (None, "y") and y is not None and len(y) and isinstance(y[0], str):
            row_px = (chart_room() - CHART_CHROME_PX) / len(y)
            size = max(MIN_LABEL_PX, min(MAX_LABEL_PX, int(row_px * LABEL_ROW_SHARE)))
            fig.update_layout(yaxis_dtick=1, yaxis_tickfont_size=size)
            return


def table_type_px(lines: int, room: int) -> int:
    """The type size (px) of a slide table of `lines` (its header and rows) that fills `room`: as large as the rows
    allow, within TABLE_TYPE_PX (a longer table scrolls at the smallest)."""
    fitted = (room / max(lines, 1) - TABLE_CELL_PX) / TABLE_LINE
    return int(max(TABLE_TYPE_PX[0], min(TABLE_TYPE_PX[1], fitted)))


def table_css() -> str:
    """The rules of 简报模式's style for slide tables: one per type size, chosen by the container's key."""
    rules = []
    for px in range(TABLE_TYPE_PX[0], TABLE_TYPE_PX[1] + 1):
        scope = f'[class*="st-key-{TABLE_KEY}_{px}_"]'
        rules.append(
            f"{scope} th, {scope} td {{ font-size: {px}px !important; line-height: {TABLE_LINE} !important;"
            f" padding: 1px 0.4em !important; }}"
        )
    return "\n".join(rules)


def cell_format(printf: str) -> str:
    """A column's printf format (dpf.formatting's, as st.column_config takes it: %,.2f, %,d, %.1f%%) as Python's."""
    body = printf.removeprefix("%")
    suffix = "%" if body.endswith("%%") else ""
    return f"{{:{body.removesuffix('%%').replace('d', '.0f')}}}{suffix}"


def slide_table(
    data: pd.DataFrame | Styler,
    key: str,
    rows: int | None = None,
    formats: dict | None = None,
    hide_index: bool | None = True,
) -> None:
    """A table on the frame (`rows`: a Styler's row count): a static table whose type (TABLE_TYPE_PX) fills the room
    left with its header and rows, every cell as written (`formats`: a column's printf format, see cell_format; a
    missing cell —); left off once a chart took the room. st.dataframe draws on a canvas in 14 px type, which no
    style reaches."""
    room = table_height()
    if room is None:
        return
    lines = TABLE_HEADER_LINES + (rows if rows is not None else len(data))
    px = table_type_px(lines, room)
    if isinstance(data, pd.DataFrame):
        data = data.style.format(
            {column: cell_format(printf) for column, printf in (formats or {}).items()}, na_rep=MISSING_CELL
        )
    fits = lines * (px * TABLE_LINE + TABLE_CELL_PX) <= room
    with st.container(key=f"{TABLE_KEY}_{px}_{key}"):
        st.table(data, hide_index=hide_index, height="content" if fits else room)


def url_choice(key: str, options: Sequence[T], default: T, label: Callable[[T], Any] = str) -> T:
    """A page setting read from the URL (?key=label, as a control bound to the URL writes it) where its control is
    not drawn: the option whose label the URL names, else `default`."""
    wanted = st.query_params.get(key)
    return next((option for option in options if str(label(option)) == wanted), default)


def setting(
    briefing: bool, key: str, options: Sequence[T], default: T, label: Callable[[T], Any], control: Callable[[], T]
) -> T:
    """A page setting: its control (`control()`) normally; in 简报模式 no control, the URL's choice."""
    return url_choice(key, options, default, label) if briefing else control()


def setting_box(
    briefing: bool, label: str, options: Sequence[T], key: str, label_of: Callable[[T], Any], index: int = 0, **box: Any
) -> T:
    """A page setting's selectbox (placeholder 请选择: Streamlit's is English; `box`: more of st.selectbox's
    arguments); in 简报模式 no box: the option the URL names, else the box's default."""
    if briefing:
        return url_choice(key, options, options[index], label_of)
    return st.selectbox(label, options, index=index, format_func=label_of, key=key, placeholder="请选择", **box)


def topic_sentences(
    sentences: Iterable[Sentence], codes: Sequence[str] | None, most: int = POINTS_MOST
) -> list[Sentence]:
    """The 要点 of a topic: the page's sentences that state one of the topic's indicators (`codes`), in the page's
    order; the page's first ones when none does (or the topic names no indicator)."""
    sentences = list(sentences)
    wanted = set(codes or ())
    about = [sentence for sentence in sentences if wanted & set(sentence.codes)]
    return (about or sentences)[:most]


def points_height(sentences: int) -> int:
    return POINTS_BOX_PX + POINT_LINE_PX * max(sentences, 1)


def topic_cards(view: View, codes: Sequence[str]) -> None:
    """The topic's cards in one row (at most MAX_CARDS), after a warning for each table they cannot be read from."""
    if not codes:
        return
    codes = list(codes)[:MAX_CARDS]
    indicators = view.indicators()
    for problem in indicators.loc[indicators["indicator"].isin(codes), "problem"].dropna().unique():
        st.warning(problem, icon=":material/warning:")
        reserve(CARD_ROW_PX // 2)
    kpi_grid(indicators, codes, per_row=max(4, len(codes)), townships=bool(view.township_codes))
    reserve(CARD_ROW_PX)


def register_topics(key: str, labels: Sequence[str], chosen: str) -> None:
    """The page's topics, for the navigation below the frame."""
    st.session_state[_TOPICS_KEY] = (key, list(labels), chosen)


def topic_nav(exit_button: Callable[[], None]) -> None:
    """Below the frame: a button per topic of the page (the open one marked) and the way out of 简报模式."""
    topics = st.session_state.get(_TOPICS_KEY)
    with st.container(key=NAV_KEY):
        st.divider()
        if topics and len(topics[1]) > 1:
            key, labels, chosen = topics
            columns = st.columns(len(labels) + 1)
            for column, label in zip(columns, labels, strict=False):
                with column:
                    st.button(
                        label,
                        key=f"topic_{key}_{label}",
                        on_click=_open_topic,
                        args=(key, label),
                        type="primary" if label == chosen else "secondary",
                        width="stretch",
                    )
            with columns[-1]:
                exit_button()
        else:
            exit_button()


def _open_topic(key: str, label: str) -> None:
    st.query_params[key] = label
