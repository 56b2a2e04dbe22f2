"""The header every page starts with, so a screenshot says what, where, when and from which data."""

from __future__ import annotations

from html import escape

import streamlit as st

from dpf.exports.brief import source_label as source_text
from dpf.formatting import fmt_date
from ui.briefing import apply_briefing_style, exit_button, title_block
from ui.briefing_frame import start_frame, table_css, topic_nav
from ui.context import View


def source_label(view: View) -> str:
    return source_text(view.source)


SEPARATOR = "　·　"


def caption_parts(view: View) -> list[str]:
    """范围：全县, 2024年 (or 2024年6月, 2024年9月（截至9月15日）), 数据截至 2024年9月30日"""
    as_of = fmt_date(view.as_of) if view.as_of else "未知"
    return [f"范围：{view.scope}", view.period_label, f"数据截至 {as_of}"]


def caption_line(view: View) -> str:
    """范围：全县 · 2024年 · 数据截至 2024年9月30日 (a year that has ended: 2023年全年, the extract's date kept)"""
    return SEPARATOR.join(caption_parts(view))


def caption_html(view: View) -> str:
    """The caption line in bold, each part kept on one line (a phone breaks it between the parts, never inside
    2024年9月30日)."""
    parts = (
        f'<span class="dpf-nowrap" style="white-space: nowrap">{escape(part)}</span>' for part in caption_parts(view)
    )
    return f"<strong>{SEPARATOR.join(parts)}</strong>"


def page_header(view: View, title: str, topic: str | None = None) -> bool:
    """Title, scope, year, 数据截至 and source. Returns False (after saying why) when no data can be shown. In
    简报模式 the title block names the page's `topic` too (the section the frame shows)."""
    if view.briefing:
        apply_briefing_style(table_css())
        start_frame()
    if view.problem:
        st.title(title, anchor=False)
        st.error(view.problem, icon=":material/error:")
        return False
    if view.briefing:
        title_block(f"{title} · {topic}" if topic else title, caption_line(view), f"数据来源：{source_label(view)}")
        return True
    st.title(title, anchor=False)
    st.markdown(caption_html(view), unsafe_allow_html=True)
    demo = "　:orange-badge[演示数据]" if view.is_demo else ""
    st.caption(f"数据来源：{source_label(view)}{demo}")
    return True


def page_footer(view: View) -> None:
    """Bottom of every page: in briefing mode the page's other topics and the way back, below the frame."""
    if view.briefing:
        topic_nav(exit_button)
