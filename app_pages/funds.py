"""资金发放: how much went out, to how many, for what, where, and compared with last year."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dpf import palette
from dpf.contract.catalogue import CARD_GROUPS, GRADES, PROGRAM_BY_CODE, PROGRAM_GROUPS, PROGRAM_INDICATORS, PROGRAMS
from dpf.figures.coverage import QUERY as COVERAGE_QUERY
from dpf.formatting import fmt_count, fmt_wan, fmt_yuan, yoy_text
from ui.briefing import tip
from ui.briefing_frame import setting_box
from ui.cards import kpi_card
from ui.charts import MONTH_LABELS, add_last_year_wan, add_month_bar_wan, add_row_labels, show_chart
from ui.context import View, current_view
from ui.coverage_section import show_coverage
from ui.downloads import table_with_downloads
from ui.funds_tables import (
    ALL_PROGRAMS,
    PER_HEAD_LABEL,
    catalogue_params,
    category_grade_table,
    program_label,
    program_table,
    short_name,
    township_program_table,
)
from ui.header import page_header
from ui.key_points import key_points_slot
from ui.page_table import page_spec
from ui.sections import Frames, Query, Section, Sections, section_heading, tables_ready
from ui.township_ranking import AXIS_ROOM, label_px, per_person, show_ranking, year_on_year

SPEC = page_spec(__file__)
PAGE = SPEC.title
MONTHLY_CARDS = CARD_GROUPS["funds_monthly"]  # 简报模式: the cards of the 逐月发放 topic


@dataclass
class Funds:
    """What the sections draw from: the view, the programme chosen ("" = all) and the page's figures."""

    view: View
    program: str

    def scope_params(self) -> dict[str, Any]:
        return self.view.scope_params()

    def program_params(self) -> dict[str, Any]:
        return {**self.view.scope_params(), "program": self.program}

    def trend_params(self) -> dict[str, Any]:
        """funds_monthly_by_program's parameters: the year so far up to a month view's month end, the programme."""
        return {**self.view.trend_params(), "program": self.program}

    def coverage_params(self) -> dict[str, Any]:
        """应补尽补's parameters: the view's year, the month it speaks of (the as-of month), as-of and grades."""
        return self.view.coverage_params()

    def by_program_params(self) -> dict[str, Any]:
        """funds_by_program's parameters: the view's scope and the catalogue's programmes."""
        return {**self.view.scope_params(), **catalogue_params()}

    @cached_property
    def indicators(self) -> pd.DataFrame:
        return self.view.indicators()

    @cached_property
    def by_program(self) -> pd.DataFrame:
        """Every programme, group and the total: amount, beneficiaries, persons, projects, 同比 (funds_by_program);
        a year whose previous year the data do not hold has no previous_ figures (—, never 0)."""
        frame = SECTIONS.frames(self.view, self)["funds_by_program"]
        if self.view.last_year_known():
            return frame
        return frame.assign(**{column: float("nan") for column in frame.columns if column.startswith("previous_")})


def card(label: str, value: float | None, previous: float | None, unit: str, name: str) -> None:
    """A KPI card for a figure from a funds_ query, drawn like the indicator cards."""
    row = {"indicator": "", "name": name, "unit": unit, "value": value, "previous": previous, "problem": None}
    kpi_card(pd.Series(row), label)


def row_card(label: str, row: pd.Series | None, column: str, unit: str, name: str) -> None:
    """A card for `column` of a funds_by_program row against its previous_ column (no row: nothing paid, 0)."""
    if row is None:
        card(label, 0.0, 0.0, unit, name)
    else:
        card(label, float(row[column]), float(row[f"previous_{column}"]), unit, name)


def indicator_card(indicators: pd.DataFrame, code: str, label: str) -> None:
    kpi_card(indicators.set_index("indicator").loc[code], label)


def program_cards(indicators: pd.DataFrame, rows: pd.DataFrame, code: str, label: str) -> None:
    """Amount and count (in the programme's unit) of one programme: catalogue indicator where there is one."""
    program = PROGRAM_BY_CODE[code]
    amount_code, count_code = PROGRAM_INDICATORS.get(code, (None, None))
    row = rows.loc[code] if code in rows.index else None
    if amount_code:
        indicator_card(indicators, amount_code, f"{label} 金额")
    else:
        row_card(f"{label} 金额", row, "amount_yuan", "元", program.name)
    if count_code:
        indicator_card(indicators, count_code, f"{label} {program.unit}")
    else:
        row_card(f"{label} {program.unit}", row, "beneficiaries", program.unit, program.name)


def kpi_section(funds: Funds) -> None:
    """The headline cards: total paid, persons and projects supported (each programme: the 各项目 tab)."""
    indicators = funds.indicators  # computed while funds_by_program runs in the background
    by_program = funds.by_program
    total = by_program[by_program["level"] == "total"]
    total_row = total.iloc[0] if len(total) else None
    if total_row is None or float(total_row["amount_yuan"]) == 0:
        st.info(f"{funds.view.scope}{funds.view.span}（截至数据日）暂无资金发放记录。", icon=":material/info:")
    top = st.columns(4)
    with top[0]:
        indicator_card(indicators, "subsidies_total_amount", "资金发放合计")
    with top[1]:
        row_card("受益残疾人", total_row, "persons", "人", "各项目受益残疾人（去重）")
    with top[2]:
        row_card("扶持项目", total_row, "projects", "个", "阳光大棚、助残基地、辅助性就业机构（去重）")
    st.divider()


def program_cards_section(funds: Funds) -> None:
    """Every programme's amount and count (in its unit) with 同比, grouped as in the catalogue (简报模式: one chart)."""
    if funds.view.briefing:
        program_amounts_chart(funds)
        return
    st.header("各项目发放", anchor=False)
    indicators, by_program = funds.indicators, funds.by_program
    programs = by_program[by_program["level"] == "program"].set_index("program")
    groups = by_program[by_program["level"] == "group"].set_index("program_group")
    singles = []
    for group in PROGRAM_GROUPS:
        members = [p.code for p in PROGRAMS if p.group == group]
        if len(members) == 1:
            singles.append((group, members[0]))
            continue
        st.markdown(f"**{group}**")
        columns = st.columns(max(4, len(members) + 1))
        grow = groups.loc[group] if group in groups.index else None
        with columns[0]:
            row_card(f"{group}合计 金额", grow, "amount_yuan", "元", group)
            units = {PROGRAM_BY_CODE[c].unit for c in members}
            if len(units) == 1:
                unit = units.pop()
                row_card(f"{group}合计 {unit}", grow, "beneficiaries", unit, group)
        for column, code in zip(columns[1:], members, strict=False):
            with column:
                program_cards(indicators, programs, code, short_name(code))
    if singles:
        # A group of one programme is labelled by the programme, in the report's words (阳光家园托养, not 托养).
        st.markdown("**" + "、".join(short_name(code) for _, code in singles) + "**")
        columns = st.columns(5)
        for column, (_, code) in zip(columns, singles, strict=False):
            with column:
                program_cards(indicators, programs, code, short_name(code))


def program_amounts_chart(funds: Funds) -> None:
    """简报模式's 各项目 on one slide: each programme's amount beside last year's same span, the largest at the top,
    each labelled with its amount, count and 同比 (what the page's 24 cards say)."""
    view = funds.view
    rows = funds.by_program[funds.by_program["level"] == "program"]
    rows = rows[(rows["amount_yuan"] > 0) | (rows["previous_amount_yuan"].fillna(0) > 0)].sort_values("amount_yuan")
    if rows.empty:
        st.info(f"{view.scope}{view.span}（截至数据日）暂无资金发放记录。", icon=":material/info:")
        return
    names = [short_name(code) for code in rows["program"]]
    labels = [
        "　".join(
            part
            for part in (
                fmt_wan(amount),
                fmt_count(count, PROGRAM_BY_CODE[code].unit if code in PROGRAM_BY_CODE else ""),
                yoy_text(amount, previous, "元"),
            )
            if part
        )
        for code, amount, previous, count in zip(
            rows["program"], rows["amount_yuan"], rows["previous_amount_yuan"], rows["beneficiaries"], strict=True
        )
    ]
    fig = go.Figure()
    last_year = view.period.last_year_name
    known = view.last_year_known()  # else no 上年同期 bars (unknown, not 0)
    for column, name, colour, hover in (  # last year's bar, then this year's, in each programme's pair
        ("previous_amount_yuan", last_year, palette.LAST_YEAR, f"%{{y}}<br>{last_year} %{{x:,.2f}}万元<extra></extra>"),
        ("amount_yuan", view.span, palette.THIS_YEAR, "%{y}<br>%{x:,.2f}万元<extra></extra>"),
    )[0 if known else 1 :]:
        fig.add_bar(
            y=names, x=rows[column] / 10_000, name=name, orientation="h", marker_color=colour, hovertemplate=hover
        )
    add_row_labels(fig, names, labels, label_px(view))  # amount, count and 同比 beside each programme's pair
    top = float(rows[["amount_yuan", "previous_amount_yuan"]].max().max()) / 10_000
    fig.update_layout(barmode="group", xaxis_title="万元", xaxis_range=[0, top * AXIS_ROOM], bargap=0.25)
    title = f"{view.span}各项目发放金额" + (f"（与{view.same_span_last_year}比较）" if known else "")
    show_chart(fig, title, view, key="funds_program_amounts")


def monthly_chart(funds: Funds, frames: Frames) -> None:
    view, program = funds.view.through_month_end(), funds.program  # a month view: the year up to its month
    monthly = frames["funds_monthly_by_program"]
    what = "" if not program else program_label(program)
    this_year = monthly[(monthly["year"] == view.year) & monthly["program"].notna()]
    if this_year.empty:
        st.info(f"{view.scope}{view.year}年{what}暂无资金发放记录，无法绘制月度图。", icon=":material/info:")
        return
    last_year = monthly[(monthly["year"] == view.year - 1) & monthly["program"].isna()]
    fig = go.Figure()
    order = [p.code for p in PROGRAMS] + sorted(set(this_year["program"]) - set(PROGRAM_BY_CODE))
    for code in order:
        rows = this_year[this_year["program"] == code]
        if rows.empty:
            continue
        add_month_bar_wan(fig, rows, short_name(code), palette.program_colour(code))
    if not last_year.empty:
        name = f"{view.year - 1}年同期{'合计' if not program else ''}"
        add_last_year_wan(fig, last_year, view.year - 1, name, palette.LAST_YEAR)
    # Up to 12 programmes: the legend wraps into rows under the title (show_chart keeps it clear of the title).
    fig.update_layout(barmode="stack", yaxis_title="万元", margin={"l": 60})
    fig.update_xaxes(categoryorder="array", categoryarray=MONTH_LABELS)
    title = f"{view.year}年各月资金发放（{what or '按项目'}）"
    show_chart(fig, title, view, key="funds_monthly", height=420)


def township_section(funds: Funds, frames: Frames) -> None:
    view, program = funds.view, funds.program
    if not section_heading(view, "各乡镇（街道）", "payments", "persons", "townships"):
        return
    what = program_label(program) if program else "全部项目"
    ranking = frames["funds_by_township"]
    if ranking.empty or not (ranking["amount_yuan"] > 0).any():
        st.info(f"{view.span}各乡镇（街道）暂无{what}发放记录。", icon=":material/info:")
        return
    note = "；黑色为所选乡镇" if view.township_codes else ""
    st.caption(f"各乡镇（街道）对比，{what}{note}。人均 = 发放金额 ÷ 期末持证残疾人数。")
    left, right = st.columns(2)
    with left:
        by_amount = ranking.sort_values(["amount_yuan", "sort_order"], ascending=[True, False])
        title = f"各乡镇（街道）发放金额排名（{what}）"
        amounts = year_on_year(title, "funds_rank_amount", "amount_yuan", fmt_wan, "发放", "万元", ",.2f", scale=1e-4)
        show_ranking(view, by_amount, amounts)
    with right:
        counted = ranking[ranking["yuan_per_person"].notna()]  # townships with certified persons
        counted = counted.sort_values(["yuan_per_person", "sort_order"], ascending=[True, False])
        per_head = per_person(
            f"各乡镇（街道）人均发放排名（{what}）",
            "funds_rank_per_person",
            "持证残疾人 %{customdata:,}人",
            lambda rows: rows["certified_persons"],
        )
        show_ranking(view, counted, per_head)


def township_table_section(funds: Funds, frames: Frames) -> None:
    view = funds.view
    section_heading(view, "乡镇（街道）× 项目发放金额")
    long = frames["funds_township_program"]
    if not long["code"].notna().any():  # only the (empty) grand-total row
        st.info(f"{view.scope}{view.span}暂无资金发放记录，无乡镇分项目金额。", icon=":material/info:")
        return
    ranking = None
    if not view.table_problem("persons"):
        ranking = view.query("funds_by_township", **view.county_params(), townships=[], program="")
    table = township_program_table(long, ranking)
    st.caption("金额单位：万元；最后一行为合计。")
    table_with_downloads(table, PAGE, "乡镇分项目发放金额", view, "funds_township_table", "funds_township_table_dl")


def detail_section(view: View, program: str, by_program: pd.DataFrame) -> None:
    info = PROGRAM_BY_CODE[program]
    st.header(f"项目详情：{info.name}", anchor=False)
    rows = by_program[(by_program["level"] == "program") & (by_program["program"] == program)]
    if rows.empty or float(rows["amount_yuan"].iloc[0]) == 0:
        st.info(f"{view.scope}{view.span}暂无“{info.name}”发放记录。", icon=":material/info:")
        return
    row = rows.iloc[0]
    columns = st.columns(4)
    with columns[0]:
        row_card("项目金额", row, "amount_yuan", "元", info.name)
    with columns[1]:
        row_card(f"项目{info.unit}", row, "beneficiaries", info.unit, info.name)
    per_head = PER_HEAD_LABEL.get(info.unit, "人均")
    with columns[2]:
        st.metric(
            f"{per_head}发放",
            fmt_yuan(row["yuan_per_head"]),
            help=tip(f"发放金额 ÷ {'扶持项目数' if info.unit == '个' else '受益人数（去重）'}"),
            border=True,
        )
    if info.unit == "人次":
        with columns[3]:
            row_card("受益人数（去重）", row, "persons", "人", info.name)
    if info.unit == "个":
        st.info("该项目按项目（个）扶持，发放对象不是个人，因此没有残疾类别和等级分布。", icon=":material/info:")
        return
    if not tables_ready(view, "persons"):
        return
    persons = view.query("funds_program_persons", **view.scope_params(), program=program)
    table = category_grade_table(persons, info.unit)
    left, right = st.columns([3, 2])
    with left:
        fig = go.Figure()
        for index, grade in enumerate([*GRADES.values(), "未匹配"]):
            part = table[table["残疾等级"] == grade]
            if part.empty:
                continue
            fig.add_bar(
                x=part["残疾类别"],
                y=part["人数（人）"],
                name=grade,
                marker_color=palette.GRADE_COLOURS[index],
                hovertemplate=f"%{{x}}·{grade}：%{{y:,}}人<extra></extra>",
            )
        fig.update_layout(barmode="stack", yaxis_title="人", margin={"t": 90, "l": 60})
        show_chart(fig, f"{info.name}：受益人按残疾类别和等级", view, key="funds_detail_chart")
    with right:
        table_with_downloads(
            table,
            PAGE,
            f"{short_name(program)}按残疾类别和等级",
            view,
            "funds_detail_table",
            "funds_detail_dl",
            room_px=400,  # two fifths of the page's column
        )


def monthly_section(funds: Funds, frames: Frames) -> None:
    monthly_chart(funds, frames)
    if funds.program and not funds.view.briefing:  # 简报模式: the chosen programme's months are the slide
        detail_section(funds.view, funds.program, funds.by_program)


def program_table_section(funds: Funds) -> None:
    view = funds.view
    section_heading(view, "项目明细")
    table = program_table(funds.by_program, view.last_year_known())
    st.caption(f"{view.scope}{view.span}与{view.same_span_last_year}；受益数量按各项目计数单位（人次、人、个、户）。")
    table_with_downloads(table, PAGE, "项目明细", view, "funds_program_table", "funds_program_table_dl")


def coverage_section(funds: Funds, frames: Frames) -> None:
    show_coverage(funds.view, frames[COVERAGE_QUERY], PAGE)


SECTIONS = Sections(
    SPEC.section_key,
    [
        Section("逐月发放", monthly_section, (Query("funds_monthly_by_program", Funds.trend_params),), MONTHLY_CARDS),
        Section("各项目", program_cards_section, cards=()),  # its own cards are the slide
        Section("各乡镇（街道）", township_section, (Query("funds_by_township", Funds.program_params),), ()),
        Section("乡镇×项目", township_table_section, (Query("funds_township_program", Funds.scope_params),), ()),
        Section("项目明细", program_table_section, cards=()),
        Section("应补尽补", coverage_section, (Query(COVERAGE_QUERY, Funds.coverage_params),), ()),
    ],
    needs=(Query("funds_by_program", Funds.by_program_params),),  # the cards above the tabs
)

view = current_view()
if page_header(view, SPEC.header, SECTIONS.url_label()) and tables_ready(view, "payments"):
    points = key_points_slot(view, SPEC.topic, SECTIONS.topic_codes())
    cards = st.container()
    choices = [ALL_PROGRAMS, *(p.code for p in PROGRAMS)]
    program = setting_box(
        view.briefing,
        "查看项目",
        choices,
        "program",
        program_label,
        bind="query-params",
        help="选择一个项目后，“逐月发放”和“各乡镇（街道）”只显示该项目，并给出人均/个均和受益人构成。",
    )
    SECTIONS.show(view, Funds(view, "" if program == ALL_PROGRAMS else program), kpi_section, top=cards, first=points)
