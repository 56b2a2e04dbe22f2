"""简报模式: a URL-bound toggle (?briefing=1) that turns every page into a slide-ready screenshot."""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

import streamlit as st

from dpf import palette

BRIEFING_KEY = "briefing"  # the URL parameter
_TOGGLE_KEY = "briefing_toggle"

_BRIEFING_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
[data-testid="stExpandSidebarButton"] { display: none !important; }
.block-container, [data-testid="stMainBlockContainer"] {
  padding-top: 1.2rem !important; padding-bottom: 1rem !important; max-width: 100% !important;
  padding-left: 2.5rem !important; padding-right: 2.5rem !important; }
[data-testid="stMetricValue"] { font-size: clamp(1.2rem, calc((100cqi - 24px) / 7.2), 2.6rem) !important; }
[data-testid="stMetricLabel"] p { font-size: 1.1rem !important; }
[data-testid="stMetricDelta"] { font-size: 1.05rem !important; }
.dpf-title-block { border-left: 8px solid @accent; background: @faint; padding: 0.8rem 1.4rem; margin-bottom: 0.6rem; }
.dpf-title-block h1 { font-size: 2.2rem; margin: 0; padding: 0; color: @ink; }
.dpf-title-block .dpf-meta { font-size: 1.15rem; color: @ink; margin-top: 0.3rem; }
.dpf-title-block .dpf-source { font-size: 0.95rem; color: @muted; margin-top: 0.15rem; }
/* one topic per 1920×1080 screen: the way to the other topics and out starts just below the first screen */
[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] {
  min-height: calc(100vh - 1.2rem + 6rem + 1rem); }
[data-testid="stLayoutWrapper"]:has(> .st-key-dpf_briefing_nav) { margin-top: auto; }
.st-key-dpf_briefing_nav { height: 6rem; }
/* a slide keeps its 要点 legible and leaves the page's footnotes and how-to-read lines to the page */
.st-key-dpf_box_points li p, .st-key-dpf_box_alerts li p { font-size: 1.15rem !important; }
/* a map slide's words beside its tiles (ui.map_summary), read from across a meeting room */
.st-key-dpf_box_map_summary p, .st-key-dpf_box_map_summary li { font-size: 1.3rem !important; }
[data-testid="stMain"] [data-testid="stElementContainer"]:has([data-testid="stCaptionContainer"]) { display: none; }
.st-key-dpf_box_points [data-testid="stElementContainer"]:has([data-testid="stCaptionContainer"]),
.st-key-dpf_box_alerts [data-testid="stElementContainer"]:has([data-testid="stCaptionContainer"]) { display: block; }
</style>
"""
for _token, _colour in {
    "@accent": palette.THIS_YEAR,
    "@faint": palette.FAINT,
    "@ink": palette.INK,
    "@muted": palette.MUTED,
}.items():
    _BRIEFING_CSS = _BRIEFING_CSS.replace(_token, _colour)  # the title block's colours, from dpf.palette


def briefing_on() -> bool:
    """Whether this run is in 简报模式 (the URL says so; the sidebar switch keeps the URL)."""
    return st.query_params.get(BRIEFING_KEY, "").strip().lower() in {"1", "true", "yes", "on"}


def tip(text: str | None) -> str | None:
    """A card's (?) help text, none in 简报模式: a slide has no icons to hover."""
    return None if briefing_on() else text


def _sync_url() -> None:
    if st.session_state[_TOGGLE_KEY]:
        st.query_params[BRIEFING_KEY] = "1"
    else:
        st.query_params.pop(BRIEFING_KEY, None)


def briefing_toggle() -> bool:
    """The sidebar switch, kept in the URL as ?briefing=1 so a copied link opens in briefing mode."""
    st.session_state[_TOGGLE_KEY] = briefing_on()
    return bool(
        st.sidebar.toggle(
            "简报模式",
            key=_TOGGLE_KEY,
            on_change=_sync_url,
            help="隐藏侧边栏和工具栏，放大数字和图表，页面顶部加标题块，适合截图放入汇报材料。",
        )
    )


def apply_briefing_style(more_css: str = "") -> None:
    """简报模式's style, with `more_css` (rules of the frame's parts, such as its tables') in the same element."""
    st.html(_BRIEFING_CSS.replace("</style>", f"{more_css}\n</style>"))


def title_block(title: str, meta: str, source: str) -> None:
    """The stamp at the top of a briefing page: subject, scope, year, 数据截至, source."""
    st.html(
        f'<div class="dpf-title-block"><h1>{escape(title)}</h1>'
        f'<div class="dpf-meta">{escape(meta)}</div><div class="dpf-source">{escape(source)}</div></div>'
    )


def exit_button() -> None:
    def leave() -> None:
        st.query_params.pop(BRIEFING_KEY, None)

    st.button("退出简报模式", key="leave_briefing", on_click=leave, type="tertiary", icon=":material/close:")


def briefing_link() -> str | None:
    """The URL of the current view with briefing=1 (page, filters and page settings kept)."""
    base = st.context.url
    if not base:
        return None
    pairs: list[tuple[str, str]] = []
    for key in st.query_params:
        if key == BRIEFING_KEY:
            continue
        pairs.extend((key, value) for value in st.query_params.get_all(key))
    pairs.append((BRIEFING_KEY, "1"))
    return f"{base}?{urlencode(pairs)}"


def copy_link_control() -> None:
    """复制简报链接: the briefing URL in a code box with Streamlit's copy button."""
    with st.sidebar.popover("复制简报链接", icon=":material/link:", width="stretch"):
        link = briefing_link()
        if link:
            st.caption("点击右上角的复制按钮，在浏览器中打开即为简报模式：")
            st.code(link, language=None, wrap_lines=True)
        else:
            st.caption("当前环境无法获取页面地址。请在地址栏末尾加上 ?briefing=1 打开简报模式。")
