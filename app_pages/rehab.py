"""康复服务: needs and how many are met, where coverage lags, what was delivered, targets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from dpf import palette
from dpf.contract.catalogue import CARD_GROUPS, CATEGORIES, GRADES, INDICATOR_BY_CODE, NEEDS
from dpf.figures.ranking import PLACE, with_place
from dpf.formatting import fmt_count, fmt_pct, fmt_rate_with_n
from ui.cards import kpi_grid
from ui.charts import MONTH_LABELS, add_bars_by, month_axis, show_chart, wrapped_ticks
from ui.context import View, current_view
from ui.downloads import table_with_downloads
from ui.header import page_header
from ui.key_points import key_points_slot
from ui.page_table import page_spec
from ui.rehab_tables import CHILD_COLUMNS, category_table, children_table, coverage_table, needs_heat_table
from ui.sections import CountyIndicators, Frames, Query, Section, Sections, section_heading
from ui.targets import target_strip
from ui.tile_map import coverage_map
from ui.township_ranking import Ranking, show_ranking, shown_ranking

SPEC = page_spec(__file__)
PAGE = SPEC.title
NEED_CARDS = list(CARD_GROUPS["rehab_needs"])
SERVICE_CARDS = list(CARD_GROUPS["rehab_services"])
CHILD_CARDS = CARD_GROUPS["rehab_children"]  # children's figures only
AID_CARDS = list(CARD_GROUPS["rehab_aid"])
COVERAGE_CARDS = CARD_GROUPS["rehab_coverage"]  # 简报模式: what the coverage topics' 要点 speak of
TARGETS = list(CARD_GROUPS["rehab_targets"])
# This page's own card wording where the catalogue's short label says more than the page needs (康复 is implied).
LABELS = {"rehab_needs_met_rate": "需求满足率"}
MIN_NEEDS = 5  # a heatmap cell of fewer needs is left white instead of coloured by its rate
HEAT_TEXT_PX = 14  # the heat map's cell text


def kpi_section(view: View, indicators: pd.DataFrame) -> None:
    frame = indicators.set_index("indicator")
    for problem in (
        indicators.loc[indicators["indicator"].isin(NEED_CARDS + SERVICE_CARDS), "problem"].dropna().unique()
    ):
        st.warning(problem, icon=":material/warning:")
    kpi_grid(indicators, NEED_CARDS, per_row=4, labels=LABELS)
    needs = frame.loc["rehab_needs", "value"]
    met = frame.loc["rehab_needs_met_rate", "value"]
    if not pd.isna(needs) and 0 < needs < 10:
        st.caption(
            f"需求满足率基于 {int(needs)} 条需求：{fmt_rate_with_n(met * needs / 100, needs, '条')}，样本较少，请谨慎解读。"
        )
    kpi_grid(indicators, SERVICE_CARDS, per_row=5, labels=LABELS)
    kpi_grid(indicators, AID_CARDS, per_row=4, labels=LABELS)
    if not view.extracts.available("satisfaction"):
        st.caption(view.extracts.problem("satisfaction") or "")


def targets_section(view: View, indicators: pd.DataFrame) -> None:
    """The page's targets as on the targets page; says which have no target for this year and scope, and why."""
    st.header("本页相关年度目标", anchor=False)
    problem = view.table_problem("targets")
    if problem:
        st.info(problem)
        return
    frame = indicators.set_index("indicator")
    with_target = [code for code in TARGETS if not pd.isna(frame.loc[code, "target"])]
    if not with_target:
        names = "、".join(INDICATOR_BY_CODE[code].label for code in TARGETS)
        st.info(f"{view.scope}{view.year}年未导入本页相关的年度目标（{names}）。")
        return
    target_strip(view, with_target, per_row=3)
    without = [INDICATOR_BY_CODE[code].label for code in TARGETS if code not in with_target]
    if without:
        st.caption(f"{view.scope}{view.year}年未设定（或未分解到所选乡镇）的目标：{'、'.join(without)}。")
    if "rehab_satisfaction_rate" in with_target and not view.extracts.available("satisfaction"):
        st.caption(
            f"{INDICATOR_BY_CODE['rehab_satisfaction_rate'].label}目标暂无法评估：{view.extracts.problem('satisfaction')}"
        )


def coverage_section(view: View, frames: Frames) -> None:
    if not section_heading(view, "各乡镇（街道）康复覆盖", "rehab_needs", "services", "persons", "townships"):
        return
    coverage = frames["rehab_coverage_by_township"]
    county_rate = view.county_indicators().set_index("indicator").loc["rehab_needs_met_rate", "value"]
    home = frames["rehab_county_home_rehab_rate"]
    county_per_1000 = home["home_rehab_per_1000"].iloc[0]
    st.caption(
        "各乡镇与全县平均比较，排在最前的是滞后的乡镇；黑色为所选乡镇。"
        "需求少于10条的乡镇在满足率后注明条数，条数少时比率波动大。"
    )
    left, right = st.columns(2)
    with left:
        rated = coverage[coverage["met_rate"].notna()].sort_values("met_rate", ascending=False)
        if rated.empty:
            st.info(f"{view.span}各乡镇（街道）均无康复需求记录，无法计算满足率。", icon=":material/info:")
        else:
            met = Ranking(
                "康复需求满足率（低者在上）",
                "rehab_met_rate",
                "met_rate",
                lambda rows: [
                    fmt_rate_with_n(m, n, "条") for m, n in zip(rows["needs_met"], rows["needs"], strict=True)
                ],
                "%{y}<br>满足率 %{text}<extra></extra>",
                "康复需求满足率（%）",
                county=(county_rate, f"全县 {fmt_pct(county_rate)}"),
                room=120,
                inside=True,
            )
            show_ranking(view, rated, met)
    with right:
        served = coverage[coverage["home_rehab_per_1000"].notna()].sort_values("home_rehab_per_1000", ascending=False)
        home = Ranking(
            "家庭医生上门康复覆盖（低者在上）",
            "rehab_home_per_1000",
            "home_rehab_per_1000",
            lambda rows: [f"{value:.1f}" for value in rows["home_rehab_per_1000"]],
            "%{y}<br>每千人 %{x:.1f}人<br>上门康复 %{customdata[0]:,}人 / 持证 %{customdata[1]:,}人<extra></extra>",
            "每千名持证残疾人上门康复人数",
            customdata=lambda rows: rows[["home_rehab_persons", "certified_persons"]].to_numpy(),
            county=(county_per_1000, f"全县 每千人{county_per_1000:.1f}人"),
            room=120,
        )
        show_ranking(view, served, home)
    table = coverage_table(coverage)
    table_with_downloads(table, PAGE, "乡镇康复覆盖", view, "rehab_coverage_table", "rehab_coverage_dl")


def scoped_rows(view: View, title: str, tables: tuple[str, ...], frames: Frames, nothing: str) -> pd.DataFrame | None:
    """A section's heading and its one query (over the view's scope); None, after saying why, when there is nothing
    to draw (a table it reads cannot be used, or the query finds no rows: then `nothing` is said)."""
    if not section_heading(view, title, *tables):
        return None
    rows = frames.only()
    if rows.empty:
        st.info(nothing, icon=":material/info:")
        return None
    return rows


def needs_section(view: View, frames: Frames) -> None:
    nothing = f"{view.scope}{view.span}（截至数据日）没有登记康复需求，无需求可统计满足率。"
    by_type = scoped_rows(view, "康复需求：乡镇 × 需求类型", ("rehab_needs", "townships"), frames, nothing)
    if by_type is None:
        return
    drawn, note = heat_townships(view, by_type)
    names = list(dict.fromkeys(drawn["name"]))
    rates = drawn.pivot_table(index="name", columns="need", values="met_rate", aggfunc="first").reindex(names)
    recorded = drawn.pivot_table(index="name", columns="need", values="recorded", aggfunc="first").reindex(names)
    needs = [need for need in NEEDS if need in rates.columns]
    counts = recorded[needs].to_numpy()
    # A cell of fewer than MIN_NEEDS needs is left white, not coloured: one unmet need would read as a dark 0%. The
    # rate and the count are on two lines, so four columns of cells fit a phone's width.
    few = ~(counts >= MIN_NEEDS)
    cell = "{}（{}条）" if view.briefing else "{}<br>{}条"  # a slide's rows are low and its columns wide: one line
    text = [
        ["—" if pd.isna(n) else cell.format(fmt_pct(rate), int(n)) for rate, n in zip(rate_row, n_row, strict=True)]
        for rate_row, n_row in zip(rates[needs].to_numpy(), counts, strict=True)
    ]
    x, z = [NEEDS[need] for need in needs], rates[needs].to_numpy()
    font = {"size": HEAT_TEXT_PX + (2 if view.briefing else 0)}  # read projected: never below 14 px
    fig = go.Figure(
        go.Heatmap(
            z=np.where(few, np.nan, z).tolist(),
            x=x,
            y=names,
            colorscale=palette.plotly_scale(),
            zmin=0,
            zmax=100,
            colorbar={"title": "满足率%", "tickvals": [0, 25, 50, 75, 100], "ticksuffix": "%"},
            text=np.where(few, "", text).tolist(),
            texttemplate="%{text}",
            textfont=font,
            xgap=2,
            ygap=2,
            hoverongaps=False,
            hovertemplate="%{y} · %{x}<br>满足率 %{z:.1f}%<extra></extra>",
        )
    )
    fig.add_heatmap(  # the cells of few (or no) needs: white, their text in ink
        name=f"不足{MIN_NEEDS}条需求的格子（不着色）",
        z=np.where(few, 0.0, np.nan).tolist(),
        x=x,
        y=names,
        text=np.where(few, text, "").tolist(),
        texttemplate="%{text}",
        textfont={**font, "color": palette.INK},
        colorscale=[[0, palette.NO_VALUE], [1, palette.NO_VALUE]],
        showscale=False,
        xgap=2,
        ygap=2,
        hoverongaps=False,
        hovertemplate="%{y} · %{x}<br>%{text}<extra></extra>",
    )
    fig.update_layout(plot_bgcolor=palette.BORDER)  # shows between the cells: a white cell keeps its outline
    fig.update_yaxes(autorange="reversed")
    wrapped_ticks(fig, x)
    height = max(360, 44 * len(names) + 160)
    show_chart(fig, "各类康复需求满足率", view, key="rehab_needs_heat", height=height, subtitle=note)
    st.caption(
        f"格中为满足率和登记的需求条数，颜色越深满足率越高（0–100%）；不足{MIN_NEEDS}条的格子留白、不着色"
        "（条数太少，一条未满足就会显示为很低的比率）。"
    )
    table = needs_heat_table(by_type)
    st.caption("下表每格为 已满足条数/登记条数 与满足率；不足10条的在满足率后注明条数。")
    table_with_downloads(table, PAGE, "乡镇需求类型", view, "rehab_needs_table", "rehab_needs_dl")


def heat_townships(view: View, by_type: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The heatmap's rows in official order, or for a long list the townships of the ends of the ranking by all
    needs met (ui.township_ranking), the lowest on top, each name with its place; and what the title adds."""
    overall = by_type.groupby(["code", "name", "sort_order"], as_index=False)[["recorded", "met"]].sum()
    overall["rate"] = overall["met"] / overall["recorded"].where(overall["recorded"] > 0)
    shown = shown_ranking(view, overall.sort_values(["rate", "sort_order"]), "rate", "rehab_needs_heat")
    if PLACE not in shown.rows:
        return by_type.sort_values("sort_order"), ""
    labels = {
        code: with_place(name, place)
        for code, name, place in shown.rows[["code", "name", PLACE]].itertuples(index=False)
    }
    drawn = by_type[by_type["code"].isin(labels)].assign(name=lambda rows: rows["code"].map(labels))
    order = {code: index for index, code in enumerate(labels)}
    return drawn.sort_values("code", key=lambda codes: codes.map(order)), shown.note


def category_section(view: View, frames: Frames) -> None:
    nothing = f"{view.scope}在{view.span_end}（截至数据日）没有持证残疾人记录。"
    by_category = scoped_rows(view, "持证残疾人类别与等级", ("persons",), frames, nothing)
    if by_category is None:
        return
    fig = go.Figure()
    add_bars_by(
        fig,
        by_category,
        "grade",
        GRADES,
        palette.GRADE_COLOURS,
        lambda rows: [CATEGORIES.get(int(c), str(c)) for c in rows["category"]],
        "persons",
        "%{{x}} · {label}<br>%{{y:,}}人（占%{{customdata:.1f}}%）<extra></extra>",
        customdata="share",
    )
    fig.update_layout(barmode="stack", yaxis_title="人")
    fig.update_xaxes(categoryorder="array", categoryarray=list(CATEGORIES.values()))
    show_chart(fig, "持证残疾人按类别和等级", view, key="rehab_categories")
    grades = by_category.groupby("grade")[["grade_persons", "grade_share"]].first()
    st.caption(
        f"{view.scope}{view.span_end}（截至数据日）持证残疾人共 {fmt_count(by_category['total_persons'].iloc[0])} 人；按等级："
        + "、".join(
            f"{GRADES.get(int(g), str(g))} {fmt_count(r.grade_persons)}人（{fmt_pct(r.grade_share)}）"
            for g, r in grades.iterrows()
        )
        + "。"
    )
    table = category_table(by_category)
    table_with_downloads(table, PAGE, "类别等级", view, "rehab_category_table", "rehab_category_dl")


def children_section(view: View, frames: Frames) -> None:
    view = view.through_month_end()  # a month view: the months of the year up to its month
    nothing = f"{view.scope}{view.year}年（截至数据日）没有残疾儿童适配或康复救助记录。"
    monthly = scoped_rows(view, "残疾儿童康复：逐月", ("services",), frames, nothing)
    if monthly is None:
        return
    # One panel per service, each on its own axis in its unit (例, 人): counts of different things never share one.
    services = list(CHILD_COLUMNS)
    fig = make_subplots(
        rows=len(services),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.12,
        subplot_titles=[CHILD_COLUMNS[service] for service in services],
    )
    for row, service in enumerate(services, start=1):
        unit = CHILD_COLUMNS[service][-2]
        rows = monthly[monthly["service"] == service]
        fig.add_bar(
            x=month_axis(rows["month"]),
            y=rows["amount"],
            name=CHILD_COLUMNS[service],
            marker_color=palette.THIS_YEAR,
            text=[fmt_count(value) for value in rows["amount"]],
            textposition="outside",
            cliponaxis=False,
            hovertemplate=f"{CHILD_COLUMNS[service]}<br>%{{x}}：%{{y:,}}{unit}<extra></extra>",
            row=row,
            col=1,
        )
        top = float(rows["amount"].max()) if not rows.empty else 1.0
        fig.update_yaxes(title_text=unit, range=[0, top * 1.25], row=row, col=1)
    fig.update_layout(showlegend=False)
    fig.update_xaxes(categoryorder="array", categoryarray=MONTH_LABELS)
    show_chart(
        fig,
        "儿童假肢矫形器、辅助器具适配与康复救助（按月）",
        view,
        key="rehab_children",
        height=170 * len(services) + 140,
    )
    st.caption(
        "残疾儿童的假肢矫形器适配、辅助器具适配按例，康复救助安置按人，分别作图。康复救助安置每月按人数算"
        "（同一人一个月内只算1人）；全年人数见上方卡片（同一人全年只算1人）。发放辅助器具不分成人和儿童，见页首卡片。"
    )
    table = children_table(monthly)
    table_with_downloads(table, PAGE, "儿童康复逐月", view, "rehab_children_table", "rehab_children_dl")


def coverage_map_section(view: View, frames: Frames) -> None:
    """覆盖地图: each township's needs met or home rehab per 1,000 certified persons; a click chooses it."""
    if not section_heading(view, "各乡镇（街道）康复覆盖地图", "rehab_needs", "services", "persons", "townships"):
        return
    coverage_map(view, frames["rehab_coverage_by_township"])


SECTIONS = Sections(
    SPEC.section_key,
    [
        Section(
            "乡镇覆盖",
            coverage_section,
            (
                Query("rehab_coverage_by_township", View.county_params),
                Query("rehab_county_home_rehab_rate", View.county_params),
            ),
            cards=(),  # two full township rankings take the room of cards
            about=COVERAGE_CARDS,
        ),
        Section(
            "覆盖地图",
            coverage_map_section,
            (Query("rehab_coverage_by_township", View.county_params),),
            cards=(),  # the map takes the room of cards
            about=COVERAGE_CARDS,
        ),
        Section(
            "需求类型",
            needs_section,
            (Query("rehab_needs_by_township_and_type", View.scope_params),),
            cards=(),  # a row per township
            about=tuple(NEED_CARDS),
        ),
        Section(
            "类别等级",
            category_section,
            (Query("certified_by_category_grade", View.scope_params),),
            ("certified_persons",),
        ),
        Section(
            "儿童康复",
            children_section,
            (Query("rehab_children_monthly", View.trend_params),),
            CHILD_CARDS,
        ),
    ],
    needs=(CountyIndicators(),),  # 乡镇覆盖 compares the townships with the county
)


def cards(view: View) -> None:
    indicators = view.indicators()
    kpi_section(view, indicators)
    targets_section(view, indicators)


view = current_view()
if page_header(view, SPEC.header, SECTIONS.url_label()):
    points = key_points_slot(view, SPEC.topic, SECTIONS.topic_codes())
    SECTIONS.show(view, view, cards, first=points)
