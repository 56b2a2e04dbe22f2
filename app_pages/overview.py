"""总览: headline KPIs, the year's targets, monthly funds and the township ranking."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from dpf import palette
from dpf.contract.catalogue import CARD_GROUPS, PROGRAM_GROUPS, PROGRAMS
from dpf.formatting import fmt_wan, fmt_yuan
from dpf.numbers import number_or_none
from ui.briefing_frame import topic_cards
from ui.cards import kpi_grid
from ui.charts import MONTH_LABELS, add_last_year_wan, add_month_bar_wan, show_chart
from ui.context import View, current_view
from ui.header import page_header
from ui.key_points import key_points_slot
from ui.page_table import page_spec
from ui.sections import Frames, Query, Section, Sections, tables_ready
from ui.targets import target_strip
from ui.tile_map import indicator_map
from ui.township_ranking import per_person, show_ranking

SPEC = page_spec(__file__)
HEADLINE = list(CARD_GROUPS["overview_headline"])  # the first five: the 资金发放 topic's in 简报模式
WORK_CARDS = list(CARD_GROUPS["overview_work"])


def monthly_params(view: View) -> dict:
    programs = {"programs": [p.code for p in PROGRAMS], "groups": [p.group for p in PROGRAMS]}
    return {**view.trend_params(), **programs}


def monthly_chart(view: View, frames: Frames) -> None:
    view = view.through_month_end()  # a month view: the months of the year up to its month
    if not tables_ready(view, "payments"):
        return
    monthly = frames["monthly_payments_by_group"]
    if monthly.empty:
        st.info(f"{view.scope}{view.year}年暂无资金发放记录。")
        return
    this_year = monthly[monthly["year"] == view.year]
    last_year = monthly[monthly["year"] == view.year - 1]
    fig = go.Figure()
    for group in PROGRAM_GROUPS:
        rows = this_year[this_year["program_group"] == group]
        if not rows.empty:
            add_month_bar_wan(fig, rows, group, palette.group_colour(group))
    if not last_year.empty:
        totals = last_year.groupby("month", as_index=False)["amount_yuan"].sum()
        add_last_year_wan(fig, totals, view.year - 1, f"{view.year - 1}年同期合计", palette.LAST_YEAR)
    fig.update_layout(barmode="stack", yaxis_title="万元")
    fig.update_xaxes(categoryorder="array", categoryarray=MONTH_LABELS)
    show_chart(fig, f"{view.year}年各月资金发放（按项目类别）", view, key="overview_monthly")


def ranking_chart(view: View, frames: Frames) -> None:
    if not tables_ready(view, "payments", "persons", "townships"):
        return
    ranking = frames["township_funds_per_person"]
    ranking = ranking[ranking["yuan_per_person"].notna()].sort_values("yuan_per_person")
    county = county_per_person(view)
    spec = per_person(
        "各乡镇（街道）人均资金发放",
        "overview_ranking",
        "发放 %{customdata[0]}，持证 %{customdata[1]:,}人",
        lambda rows: [
            [fmt_wan(a), int(n)] for a, n in zip(rows["amount_yuan"], rows["certified_persons"], strict=True)
        ],
        county=(county, f"全县 {fmt_yuan(county)}"),
        room=120,
    )
    show_ranking(view, ranking, spec)


def county_per_person(view: View) -> float | None:
    """The whole county's funds per certified person (the ranking's county line), from the county's indicators."""
    county = view.county_indicators().set_index("indicator")["value"]
    amount, persons = (
        number_or_none(county.get("subsidies_total_amount")),
        number_or_none(county.get("certified_persons")),
    )
    return amount / persons if amount is not None and persons else None


def funds_section(view: View, frames: Frames) -> None:
    """Monthly funds by programme group beside the townships' funds per certified person. In 简报模式 the page's
    first row of cards stands above the monthly chart: the ranking, drawn first, keeps the frame's full height for
    its every township, and the monthly chart takes what the cards leave."""
    left, right = st.columns([3, 2])
    with right:
        ranking_chart(view, frames)
    with left:
        if view.briefing:
            topic_cards(view, HEADLINE[:5])
        monthly_chart(view, frames)


def map_section(view: View) -> None:
    """乡镇地图: every township coloured by the chosen indicator; a click chooses that township."""
    if tables_ready(view, "townships", "persons"):
        indicator_map(view, "overview_map")


SECTIONS = Sections(
    SPEC.section_key,
    [
        Section(
            "资金发放",
            funds_section,
            (
                Query("monthly_payments_by_group", monthly_params),
                Query("township_funds_per_person", View.county_params),
            ),
            cards=(),  # 简报模式: funds_section puts the cards above the monthly chart, beside the full ranking
            about=tuple(HEADLINE[:5]),
        ),
        # 简报模式: the map takes the room of cards; its 要点 speak of what it shows by default
        Section("乡镇地图", map_section, cards=(), about=CARD_GROUPS["overview_map"]),
    ],
)


def cards(view: View) -> None:
    """The headline indicators and the year's targets."""
    indicators = view.indicators()
    problems = indicators.loc[indicators["indicator"].isin(HEADLINE + WORK_CARDS), "problem"].dropna().unique()
    for problem in problems:
        st.warning(problem, icon=":material/warning:")
    townships = bool(view.township_codes)
    kpi_grid(indicators, HEADLINE, per_row=5, townships=townships)
    st.markdown("**评残办证与志愿助残**")
    kpi_grid(indicators, WORK_CARDS, per_row=5, townships=townships)

    st.header("年度目标进度", anchor=False)
    target_strip(view)


view = current_view()
if page_header(view, SPEC.header, SECTIONS.url_label()):
    points = key_points_slot(view, SPEC.topic, SECTIONS.topic_codes())
    SECTIONS.show(view, view, cards, first=points)
