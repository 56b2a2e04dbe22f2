"""年度目标: every target of the year against the calendar (序时进度), laggards first.

Figures come from dpf (compute_indicators for values and scope targets, dpf.figures.targets and dpf.figures.schedule for
schedule, status, projection and need, dpf.figures.progress for month-by-month cumulative values); the charts and
tables are in ui.target_charts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import pandas as pd
import streamlit as st

from dpf.contract.catalogue import COUNTY_LEVEL_TEXT, INDICATOR_BY_CODE, INDICATORS, Indicator
from dpf.figures.progress import series_for
from dpf.figures.schedule import Basis
from dpf.figures.targets import (
    TargetRow,
    TownshipTarget,
    evaluate_targets,
    laggards_first,
    last_year_pattern,
    target_unit,
    township_targets,
    without_target,
)
from dpf.formatting import fmt_date, fmt_value
from dpf.numbers import number_or_none
from ui.briefing_frame import setting, setting_box
from ui.context import View, current_view
from ui.downloads import shown_table, table_downloads
from ui.header import page_header
from ui.key_points import key_points_slot
from ui.page_table import page_spec
from ui.sections import Frames, MonthEnds, Query, Section, Sections, section_heading
from ui.target_charts import (
    BASIS_LABELS,
    bullet_chart,
    cumulative_chart,
    summary,
    target_table,
    township_chart,
    township_table,
)
from ui.tile_map import indicator_name, target_map

SPEC = page_spec(__file__)
PAGE = SPEC.title


@dataclass
class Targets:
    """What the sections draw from: the view, the 序时进度 basis and the year's targets for the scope."""

    view: View
    basis: Basis
    targets: pd.DataFrame  # queries/targets_for_scope.sql
    codes: list[str]  # the catalogue's indicators among them, in catalogue order

    def this_year(self) -> int:
        return self.view.year

    def projection_year(self) -> int | None:
        """The year whose monthly pattern the projections follow: last year, while the year is running."""
        view = self.view
        return view.year - 1 if view.as_of.year == view.year else None

    def shares_params(self) -> dict[str, int]:
        return self.view.year_params()

    @cached_property
    def indicators(self) -> pd.DataFrame:
        return self.view.indicators()

    @cached_property
    def last_year(self) -> pd.DataFrame | None:
        """Last year's month-end values, the projection's monthly pattern (only while the year is running)."""
        year = self.projection_year()
        return None if year is None else self.view.cumulative(year)

    @cached_property
    def rows(self) -> list[TargetRow]:
        """The scope's evaluated targets, laggards first."""
        view = self.view
        rows = evaluate_targets(self.indicators, view.year, view.as_of, self.basis, self.codes, self.last_year)
        return laggards_first(rows)


def no_rows_note(view: View) -> None:
    st.info(f"{view.scope}没有分解到的{view.year}年度目标。", icon=":material/info:")


def county_only_note(page: Targets) -> None:
    """The targets set for the county only, when townships are chosen: what the county expects, what they did."""
    view, codes = page.view, without_target(page.indicators, page.codes)
    if not codes:
        return
    frame = page.indicators.set_index("indicator")
    by_code = page.targets.set_index("indicator")
    lines = []
    for code in codes:
        county_target = number_or_none(by_code.loc[code, "county_target"])
        shares = int(by_code.loc[code, "shares"])
        target_text = (
            f"全县目标 {fmt_value(county_target, target_unit(code))}" if county_target is not None else "无全县目标"
        )
        partial = f"，只有{shares}个所选乡镇（街道）分解了该目标" if shares else ""
        value = number_or_none(frame.loc[code, "value"])
        if INDICATOR_BY_CODE[code].county_level:  # the county's work (招聘会, 集中评残), never credited to a township
            done = COUNTY_LEVEL_TEXT
        else:
            done = f"{view.scope}已完成 {fmt_value(value or 0, target_unit(code))}"
        lines.append(f"- **{INDICATOR_BY_CODE[code].label}**：{target_text}{partial}；{done}")
    st.info(
        f"以下目标只下达到全县，没有分解到{view.scope}，不计算所选范围的完成率和状态"
        "（查看全县进度请清空乡镇选择）：\n" + "\n".join(lines),
        icon=":material/info:",
    )


def completion_section(page: Targets) -> None:
    view, rows = page.view, page.rows
    if not rows:
        no_rows_note(view)
    elif view.briefing:  # the slide: the chart; its table, notes and downloads are on the page
        bullet_chart(view, rows, rows[0].progress.schedule)
    else:
        bullet_chart(view, rows, rows[0].progress.schedule)
        table = target_table(rows)
        st.markdown("**目标完成情况明细（含全年预计和剩余每月需完成）**")
        reason = st.column_config.TextColumn("为什么", width="large")  # the projection's reason, a sentence
        shown_table(table, key="targets_table", column_config={"为什么": reason})
        table_downloads(table, PAGE, "年度目标完成情况", view, key="targets_table_dl")
        surprises = [r for r in rows if r.progress.projection_surprises]
        if surprises:
            st.markdown(
                "**状态与全年预计看似矛盾的目标：**\n"
                + "\n".join(
                    f"- **{r.name}**（{r.progress.status_label}，预计全年"
                    f"{'能' if r.progress.projection_reaches_target else '不能'}完成）：{r.progress.outlook}"
                    for r in surprises
                )
            )
        counted = [f"{r.name}：{r.counted_as}" for r in rows if r.counted_as]
        if counted:  # a target set in the plan's unit (个人创业项目100个), counted from the persons supported
            st.caption("目标按工作谋划的口径计数，" + "；".join(counted) + "。")
        st.caption(
            "完成率 = 完成值 ÷ 目标；差距 = 完成率 − 序时进度（个百分点）。状态：已完成（≥100%）、超序时（不低于序时进度）、"
            "低于序时（落后不超过20个百分点）、严重滞后（落后超过20个百分点）。全年预计 = 已完成 + 剩余月份按上年同月节奏"
            "（上年无数据时按今年日均进度），所以一项工作若往年多在年底完成，眼下落后于序时也可能预计全年能完成，"
            "“为什么”一列说明原因。满意率等比率指标不随月份累计：直接与目标比较，差距 = 当前值 − 目标（个百分点），"
            "达到目标为“已达目标”，否则为“低于目标”。"
        )
    county_only_note(page)


def cumulative_section(page: Targets) -> None:
    view, rows = page.view, page.rows
    if not rows:
        no_rows_note(view)
        return
    section_heading(view, "逐月累计进度")
    codes = [r.code for r in rows]
    code = setting_box(view.briefing, "查看指标", codes, "target", indicator_name, bind="query-params")
    row = next(r for r in rows if r.code == code)
    this_year = series_for(view.cumulative(view.year), code)
    last_year = series_for(view.cumulative(view.year - 1), code)
    cumulative_chart(view, row, this_year, last_year, last_year_pattern(page.last_year, code), page.basis)


def township_records(page: Targets, frames: Frames) -> tuple[Indicator, list[TownshipTarget]] | None:
    """The chosen target's shares by township and where each stands (None, with a note, when none is shared out)."""
    view = page.view
    shares = frames["township_target_shares"]
    shares = shares[shares["indicator"].isin(INDICATOR_BY_CODE) & shares["township_name"].notna()]
    if shares.empty:
        st.info(f"{view.year}年的目标都只下达到全县，没有分解到乡镇（街道），暂无乡镇排名。")
        return None
    codes = [i.code for i in INDICATORS if i.code in set(shares["indicator"])]
    code = setting_box(
        view.briefing, "排名指标", codes, "rank_target", indicator_name, help="只列出已分解到乡镇（街道）的目标。"
    )
    ranked = shares[shares["indicator"] == code]
    values = view.township_values(code, tuple(ranked["township_code"]))
    return INDICATOR_BY_CODE[code], township_targets(view.year, view.as_of, code, ranked, values, page.basis)


def township_section(page: Targets, frames: Frames) -> None:
    view = page.view
    section_heading(view, "各乡镇（街道）完成情况")
    chosen = township_records(page, frames)
    if chosen is None:
        return
    indicator, records = chosen
    township_chart(view, indicator.label, target_unit(indicator.code), records)
    if view.briefing:
        return
    table = township_table(target_unit(indicator.code), records)
    with st.expander("各乡镇（街道）明细表"):
        shown_table(table, key="targets_township_table")
        table_downloads(table, PAGE, f"{indicator.label}乡镇完成情况", view, key="targets_township_dl")


def map_section(page: Targets, frames: Frames) -> None:
    """乡镇地图: each township's share of the chosen target, coloured by its status against 序时进度."""
    section_heading(page.view, "各乡镇（街道）完成情况地图")
    chosen = township_records(page, frames)
    if chosen is not None:
        indicator, records = chosen
        target_map(page.view, indicator.label, records)


SECTIONS = Sections(  # the month-end series of the year itself is drawn in 逐月累计 only
    SPEC.section_key,
    [
        Section("完成情况", completion_section),
        Section("逐月累计", cumulative_section, (MonthEnds(Targets.this_year),)),
        Section(  # 简报模式: the full township ranking (and the map) take the room of the cards
            "各乡镇（街道）", township_section, (Query("township_target_shares", Targets.shares_params),), ()
        ),
        Section("乡镇地图", map_section, (Query("township_target_shares", Targets.shares_params),), ()),
    ],
    needs=(MonthEnds(Targets.projection_year),),  # every section's projections follow last year's months
)


def cards(page: Targets) -> None:
    """How many targets stand where, after the warnings of tables that could not be read."""
    with st.spinner("正在计算各月进度…"):
        rows = page.rows
    problems = page.indicators.loc[page.indicators["indicator"].isin(page.codes), "problem"].dropna().unique()
    for message in problems:
        st.warning(f"{message}（相关目标暂按0计）", icon=":material/warning:")
    if rows:
        summary(rows, rows[0].progress.schedule, page.basis)


def render(view: View, points: Callable[[], None]) -> None:
    """The page below its header; `points()` draws its 要点 (once the page's queries have started)."""
    problem = view.table_problem("targets")
    if problem:
        points()
        st.info(problem, icon=":material/info:")
        return
    targets = view.query("targets_for_scope", year=view.year, townships=view.townships)
    if targets.empty:
        points()
        st.info(f"未导入{view.year}年目标。", icon=":material/info:")
        return
    unknown = sorted(set(targets["indicator"]) - set(INDICATOR_BY_CODE))
    if unknown:
        st.warning(f"年度目标表中有无法识别的指标，已略过：{'、'.join(unknown)}。", icon=":material/warning:")
    codes = [i.code for i in INDICATORS if i.code in set(targets["indicator"])]
    if not codes:
        points()
        st.info(f"{view.year}年没有可以识别的年度目标。", icon=":material/info:")
        return

    basis = setting(
        view.briefing,
        "basis",
        list(BASIS_LABELS),
        "day",
        BASIS_LABELS.get,
        lambda: st.segmented_control(
            "序时进度计算方式",
            list(BASIS_LABELS),
            default="day",
            format_func=BASIS_LABELS.get,
            key="basis",
            bind="query-params",
            required=True,
            help="序时进度：按天为已过天数 ÷ 全年天数；按月为已过完整月数 ÷ 12。",
        ),
    )
    SECTIONS.show(view, Targets(view, basis if basis in BASIS_LABELS else "day", targets, codes), cards, first=points)


view = current_view()
if page_header(view, SPEC.header, SECTIONS.url_label()):
    year_so_far = view.through_month_end()  # a month view: the targets as they stood at the month's end
    if year_so_far is not view:
        st.caption(f"年度目标按截至{fmt_date(year_so_far.as_of)}的累计数与该日序时进度比较。")
    render(year_so_far, key_points_slot(year_so_far, SPEC.topic))
