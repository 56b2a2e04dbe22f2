"""要点 (a page's briefing sentences, with 复制要点) and, on 总览, 预警 and the 工作简报 download."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from functools import partial
from typing import cast

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dpf.exports.brief import build_brief, build_month_brief, county_name
from dpf.exports.brief_masthead import masthead_for
from dpf.exports.deck import build_deck
from dpf.exports.formats import BRIEF_FORMATS, DECK_FORMATS
from dpf.figures.schedule import Basis
from dpf.formatting import fmt_date, safe_filename
from dpf.narrative.facts import collect
from dpf.narrative.sentences import BASIS_LABELS, NarrativeInput, Sentence, alert_sentences, key_points
from ui.briefing_frame import points_height, reserve, topic_sentences
from ui.context import View
from ui.downloads import audited

BRIEF_FORMAT, DECK_FORMAT = BRIEF_FORMATS["docx"], DECK_FORMATS["pptx"]  # 总览's two downloads


def _basis() -> Basis:
    """The 序时进度 basis the 年度目标 page's control keeps in the URL (按天 by default)."""
    basis = st.query_params.get("basis", "day")
    return cast(Basis, basis) if basis in BASIS_LABELS else "day"


def narrative_input(view: View) -> NarrativeInput:
    """The view's narrative input from its cached figures (the same figures its cards show), computed once for
    every session that shows the same data: the key is the view without its account and 简报模式 (neither changes a
    figure; the scope, which does, stays in it)."""
    return shared_narrative(shared_view(view), _basis(), view.extracts.available("targets"))


def shared_view(view: View) -> View:
    return replace(view, account=None, briefing=False)


@st.cache_data(show_spinner=False, max_entries=256)
def shared_narrative(view: View, basis: Basis, has_targets: bool) -> NarrativeInput:
    as_of = cast(date, view.as_of)  # key_points_block draws nothing for a view without data
    return collect(view, view.year, as_of, view.township_codes, basis, has_targets=has_targets, month=view.month)


@st.cache_data(show_spinner=False, max_entries=512)
def shared_sentences(view: View, basis: Basis, has_targets: bool, page: str) -> tuple[list[Sentence], list[Sentence]]:
    """The page's 要点 and (on 总览) 预警 of the view, once for every session showing it (keyed as narrative_input)."""
    data = shared_narrative(view, basis, has_targets)
    return key_points(data, page), alert_sentences(data) if page == "overview" else []


def _bullets(sentences: list[Sentence]) -> str:
    return "\n".join(f"- {sentence.text}" for sentence in sentences)


def _copy(label: str, sentences: list[Sentence], key: str) -> None:
    """A popover with the text and Streamlit's copy button (as 复制简报链接 does)."""
    with st.popover(label, icon=":material/content_copy:", key=key):
        st.caption("点击右上角的复制按钮，粘贴到汇报材料中：")
        st.code("\n".join(s.text for s in sentences), language=None, wrap_lines=True)


BOX_KEYS = {"要点": "points", "预警": "alerts"}  # the boxes' CSS classes: st-key-dpf_box_points, …


def _box(title: str, sentences: list[Sentence], empty: str, copy: tuple[str, str] | None) -> None:
    """A bordered box of sentences under `title` (`empty` when there are none), with a copy popover (label, key)
    unless `copy` is None (简报模式)."""
    with st.container(border=True, key=f"dpf_box_{BOX_KEYS.get(title, 'text')}"):
        st.markdown(f"**{title}**")
        if not sentences:
            st.caption(empty)
            return
        st.markdown(_bullets(sentences))
        if copy:
            _copy(copy[0], sentences, key=copy[1])


def _empty_points(view: View) -> str:
    return f"{view.scope}{view.period_label if view.month else f'{view.year}年'}暂无可概括的数据。"


NO_ALERTS = "暂未发现滞后目标和填报缺口。"
BRIEFING_ALERTS = 2  # 预警 on the 总览 slide (each wraps to two lines beside the 要点)


def _briefing_points(view: View, data: NarrativeInput, page: str, codes: Sequence[str] | None) -> None:
    """简报模式: at most three sentences about the topic's indicators, no copy button; on 总览 beside two 预警."""
    sentences = topic_sentences(key_points(data, page, most=12), codes)
    if page != "overview":
        _box("要点", sentences, _empty_points(view), None)
        reserve(points_height(len(sentences)))
        return
    alerts = alert_sentences(data)[:BRIEFING_ALERTS]
    _beside(("要点", sentences, _empty_points(view), None), ("预警", alerts, NO_ALERTS, None))
    reserve(points_height(max(len(sentences), 2 * len(alerts))))


def _beside(points: tuple, alerts: tuple) -> DeltaGenerator:
    """总览's 要点 box (3/5) beside its 预警 box (2/5), each `_box`'s arguments; the right column, for what goes
    under the 预警."""
    left, right = st.columns([3, 2])
    with left:
        _box(*points)
    with right:
        _box(*alerts)
    return right


def brief_file(view: View, data: NarrativeInput, kind: str) -> bytes:
    """The 工作简报 of the view as Word or Markdown (written when the download is clicked); a month view's is its
    月度通报."""
    county = county_name(view.extracts.folder)
    masthead = masthead_for(view.extracts.manifest, county)
    if view.month is None:
        brief = build_brief(data, county, view.source)
    else:
        brief = build_month_brief(view, data, view.township_codes, county, view.source)
    return BRIEF_FORMATS[kind].writer(brief, masthead)


def file_stem(view: View, what: str) -> str:
    """A download's name without its suffix: 工作简报_全县_2024年_截至2024年9月30日; a month view's
    2024年6月月度通报_全县 (截至 the as-of date only while the month runs)."""
    as_of = cast(date, view.as_of)
    if view.month is None:
        return safe_filename(f"{what}_{view.scope}_{view.year}年_截至{fmt_date(as_of)}")
    running = f"_截至{fmt_date(as_of)}" if view.period.is_partial(as_of) else ""
    return safe_filename(f"{view.span}{what}_{view.scope}{running}")


def deck_file(view: View, data: NarrativeInput) -> bytes:
    """The 汇报材料 of the view as PowerPoint (written when the download is clicked; figures cut to the scope)."""
    deck = build_deck(view, data, view.township_codes, county_name(view.extracts.folder), view.source)
    return DECK_FORMAT.writer(deck)


def key_points_block(view: View, page: str, codes: Sequence[str] | None = None) -> None:
    """The page's 要点; on 总览 beside the 预警, with the 工作简报 download. A failure says so here only. In 简报模式
    the topic's own (those about `codes`, its cards' indicators), without buttons."""
    if view.problem or view.as_of is None:
        return
    try:
        if view.briefing:
            _briefing_points(view, narrative_input(view), page, codes)
            return
        points, alerts = shared_sentences(shared_view(view), _basis(), view.extracts.available("targets"), page)
        data = narrative_input(view) if page == "overview" else None  # the downloads' input
    except Exception:  # the rest of the page must keep working
        st.info("要点暂时无法生成，请查看下方各项数据。", icon=":material/info:")
        return
    points_box = ("要点", points, _empty_points(view), ("复制要点", f"copy_points_{page}"))
    if page != "overview" or data is None:  # data: the overview's only
        _box(*points_box)
        return
    with _beside(points_box, ("预警", alerts, NO_ALERTS, ("复制预警", "copy_alerts"))):
        what = "工作简报" if view.month is None else "月度通报"
        name = file_stem(view, what) + BRIEF_FORMAT.suffix
        st.download_button(
            f"下载{what}（{BRIEF_FORMAT.label}）",
            audited(partial(brief_file, view, data, BRIEF_FORMAT.name), view, name),
            file_name=name,
            mime=BRIEF_FORMAT.mime,
            key=f"brief_{BRIEF_FORMAT.name}",
            on_click="ignore",
            icon=":material/description:",
        )
        deck_name = file_stem(view, "汇报材料") + DECK_FORMAT.suffix
        st.download_button(
            f"下载汇报材料（{DECK_FORMAT.label}）",
            audited(partial(deck_file, view, data), view, deck_name),
            file_name=deck_name,
            mime=DECK_FORMAT.mime,
            key=f"brief_{DECK_FORMAT.name}",
            on_click="ignore",
            icon=":material/slideshow:",
        )


def key_points_slot(view: View, page: str, codes: Sequence[str] | None = None) -> Callable[[], None]:
    """A place for the page's 要点 here, and the function that draws them into it: the page calls it once its own
    queries have started (Sections.show's `first`), so the 要点's figures and the page's are computed side by side."""
    slot = st.container()

    def draw() -> None:
        with slot:
            key_points_block(view, page, codes)

    return draw
