"""大字模式: a sidebar switch, kept in the URL (?text=large: 125 %, ?text=larger: 150 %), that scales the page's
text and the charts' type for a low-vision reader. 简报模式 keeps its own slide sizes."""

from __future__ import annotations

import streamlit as st

TEXT_KEY = "text"  # the URL parameter
SCALES = {"large": 1.25, "larger": 1.5}
LABELS = {"large": "125%", "larger": "150%"}
_TOGGLE_KEY = "large_text_toggle"
_SIZE_KEY = "large_text_size"
BASE_PX = 16  # Streamlit's root font size: its type is in rem


def text_scale() -> float:
    """1.0, or 1.25 / 1.5 as the URL asks (an unknown value: 1.0)."""
    return SCALES.get(st.query_params.get(TEXT_KEY, "").strip().lower(), 1.0)


def _code_of(label: str) -> str:
    return next(code for code, shown in LABELS.items() if shown == label)


def _sync_toggle() -> None:
    if st.session_state[_TOGGLE_KEY]:
        st.query_params[TEXT_KEY] = "large"
    else:
        st.query_params.pop(TEXT_KEY, None)


def _sync_size() -> None:
    st.query_params[TEXT_KEY] = _code_of(st.session_state[_SIZE_KEY])


def text_size_control(briefing: bool) -> float:
    """The 大字模式 switch (and, when on, 125% / 150%) in the sidebar; returns the scale and sets the page's root
    font size to it, so every rem-sized text grows (cards keep to their width: container-query type). Not in
    简报模式 (no sidebar; a slide has its own sizes)."""
    scale = text_scale()
    if briefing:
        return 1.0
    st.session_state[_TOGGLE_KEY] = scale > 1
    st.sidebar.toggle(
        "大字模式", key=_TOGGLE_KEY, on_change=_sync_toggle, help="放大页面文字和图表文字，便于低视力读者阅读。"
    )
    if scale > 1:
        current = next(code for code, value in SCALES.items() if value == scale)
        st.session_state[_SIZE_KEY] = LABELS[current]
        st.sidebar.radio("文字放大", list(LABELS.values()), key=_SIZE_KEY, on_change=_sync_size, horizontal=True)
        st.html(f"<style>html {{ font-size: {round(BASE_PX * scale)}px !important; }}</style>")
    return scale
