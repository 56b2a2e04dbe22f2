"""要点 (a page's briefing sentences, with 复制要点) and, on 总览, 预警 and the 工作简报 download."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import streamlit as st

from dpf.brief import build_brief, county_name
from dpf.brief_command import brief_bytes
from dpf.deck import build_deck
from dpf.deck_pptx import deck_pptx
from dpf.formatting import fmt_date
from dpf.narrative import BASIS_LABELS, NarrativeInput, Sentence, alert_sentences, key_points
from dpf.narrative_data import collect
from ui.charts import safe_filename
from ui.context import View
from ui.downloads import audited

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def _basis() -> str:
    """The 序时进度 basis the 年度目标 page's control keeps in the URL (按天 by default)."""
    basis = st.query_params.get("basis", "day")
    return basis if basis in BASIS_LABELS else "day"


def narrative_input(view: View) -> NarrativeInput:
    """The view's narrative input from its cached figures (the same figures its cards show)."""
    return collect(
        view, view.year, view.as_of, view.township_codes, _basis(), has_targets=view.extracts.available("targets")
    )


def _bullets(sentences: list[Sentence]) -> str:
    return "\n".join(f"- {sentence.text}" for sentence in sentences)


def _copy(label: str, sentences: list[Sentence], key: str) -> None:
    """A popover with the text and Streamlit's copy button (as 复制简报链接 does)."""
    with st.popover(label, icon=":material/content_copy:", key=key):
        st.caption("点击右上角的复制按钮，粘贴到汇报材料中：")
        st.code("\n".join(s.text for s in sentences), language=None, wrap_lines=True)


def _points(view: View, data: NarrativeInput, page: str) -> None:
    sentences = key_points(data, page)
    with st.container(border=True):
        st.markdown("**要点**")
        if not sentences:
            st.caption(f"{view.scope}{view.year}年暂无可概括的数据。")
            return
        st.markdown(_bullets(sentences))
        _copy("复制要点", sentences, key=f"copy_points_{page}")


def _alerts(data: NarrativeInput) -> None:
    alerts = alert_sentences(data)
    with st.container(border=True):
        st.markdown("**预警**")
        if not alerts:
            st.caption("暂未发现滞后目标和填报缺口。")
            return
        st.markdown(_bullets(alerts))
        _copy("复制预警", alerts, key="copy_alerts")


def brief_file(view: View, data: NarrativeInput, kind: str) -> bytes:
    """The 工作简报 of the view as Word or Markdown (written when the download is clicked)."""
    return brief_bytes(build_brief(data, county_name(view.extracts.folder), view.source), kind)


def deck_file(view: View, data: NarrativeInput) -> bytes:
    """The 汇报材料 of the view as PowerPoint (written when the download is clicked; figures cut to the scope)."""
    deck = build_deck(view, data, view.township_codes, county_name(view.extracts.folder), view.source)
    return deck_pptx(deck)


def key_points_block(view: View, page: str) -> None:
    """The page's 要点; on 总览 beside the 预警, with the 工作简报 download. A failure says so here only."""
    if view.problem or view.as_of is None:
        return
    try:
        data = narrative_input(view)
    except Exception:  # the rest of the page must keep working
        st.info("要点暂时无法生成，请查看下方各项数据。", icon=":material/info:")
        return
    if page != "overview":
        _points(view, data, page)
        return
    left, right = st.columns([3, 2])
    with left:
        _points(view, data, page)
    with right:
        _alerts(data)
        name = safe_filename(f"工作简报_{view.scope}_{view.year}年_截至{fmt_date(view.as_of)}")
        st.download_button(
            "下载工作简报（Word）",
            audited(partial(brief_file, view, data, "docx"), view, f"{name}.docx"),
            file_name=f"{name}.docx",
            mime=DOCX_MIME,
            key="brief_docx",
            icon=":material/description:",
        )
        deck_name = safe_filename(f"汇报材料_{view.scope}_{view.year}年_截至{fmt_date(view.as_of)}") + ".pptx"
        st.download_button(
            "下载汇报材料（PPT）",
            audited(partial(deck_file, view, data), view, deck_name),
            file_name=deck_name,
            mime=PPTX_MIME,
            key="brief_pptx",
            icon=":material/slideshow:",
        )


def key_points_slot(view: View, page: str) -> Callable[[], None]:
    """A place for the page's 要点 here, and the function that draws them into it: the page calls it once its own
    queries have started (Sections.show's `first`), so the 要点's figures and the page's are computed side by side."""
    slot = st.container()

    def draw() -> None:
        with slot:
            key_points_block(view, page)

    return draw
