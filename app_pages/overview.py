"""总览: headline KPIs, the year's targets, monthly funds and the township ranking."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from dpf.catalogue import PROGRAM_GROUPS, PROGRAMS
from dpf.formatting import fmt_wan
from ui.cards import kpi_grid
from ui.charts import MONTH_LABELS, PALETTE, show_chart
from ui.context import View, current_view
from ui.header import page_header
from ui.targets import target_strip

HEADLINE = [
    "subsidies_total_amount",
    "nursing_subsidy_amount",
    "nursing_subsidy_person_times",
    "living_subsidy_amount",
    "living_subsidy_person_times",
    "training_person_times",
    "rehab_needs_met_rate",
    "child_rehab_persons",
    "accessibility_households",
    "certified_persons",
]


def monthly_params(view: View) -> dict:
    programs = {"programs": [p.code for p in PROGRAMS], "groups": [p.group for p in PROGRAMS]}
    return {"year": view.year, "townships": view.townships, "as_of": view.as_of, **programs}


view = current_view()
if page_header(view, "县残联工作总览"):
    view.prefetch("monthly_payments_by_group", **monthly_params(view))
    view.prefetch("township_funds_per_person", year=view.year, as_of=view.as_of)
    indicators = view.indicators()
    problems = indicators.loc[indicators["indicator"].isin(HEADLINE), "problem"].dropna().unique()
    for problem in problems:
        st.warning(problem, icon=":material/warning:")
    kpi_grid(indicators, HEADLINE, per_row=5)

    st.subheader("年度目标进度")
    target_strip(view)

    left, right = st.columns([3, 2])
    with left:
        problem = view.table_problem("payments")
        if problem:
            st.warning(problem, icon=":material/warning:")
        else:
            monthly = view.query("monthly_payments_by_group", **monthly_params(view))
            if monthly.empty:
                st.info(f"{view.scope}{view.year}年暂无资金发放记录。")
            else:
                this_year = monthly[monthly["year"] == view.year]
                last_year = monthly[monthly["year"] == view.year - 1]
                fig = go.Figure()
                for index, group in enumerate(PROGRAM_GROUPS):
                    rows = this_year[this_year["program_group"] == group]
                    if rows.empty:
                        continue
                    fig.add_bar(
                        x=[MONTH_LABELS[m - 1] for m in rows["month"]],
                        y=rows["amount_yuan"] / 10_000,
                        name=group,
                        marker_color=PALETTE[index % len(PALETTE)],
                        hovertemplate=f"{group}<br>%{{x}}：%{{y:,.2f}}万元<extra></extra>",
                    )
                if not last_year.empty:
                    totals = last_year.groupby("month", as_index=False)["amount_yuan"].sum()
                    fig.add_scatter(
                        x=[MONTH_LABELS[m - 1] for m in totals["month"]],
                        y=totals["amount_yuan"] / 10_000,
                        name=f"{view.year - 1}年同期合计",
                        mode="lines+markers",
                        line={"color": "#6b7280", "dash": "dot"},
                        hovertemplate=f"{view.year - 1}年%{{x}}：%{{y:,.2f}}万元<extra></extra>",
                    )
                fig.update_layout(barmode="stack", yaxis_title="万元")
                fig.update_xaxes(categoryorder="array", categoryarray=MONTH_LABELS)
                show_chart(fig, f"{view.year}年各月资金发放（按项目类别）", view, key="overview_monthly")
    with right:
        problem = view.table_problem("payments", "persons", "townships")
        if problem:
            st.warning(problem, icon=":material/warning:")
        else:
            ranking = view.query("township_funds_per_person", year=view.year, as_of=view.as_of)
            ranking = ranking[ranking["yuan_per_person"].notna()].sort_values("yuan_per_person")
            chosen = set(view.township_codes)
            colours = ["#c05746" if code in chosen else "#1f5f8b" for code in ranking["code"]]
            fig = go.Figure(
                go.Bar(
                    x=ranking["yuan_per_person"],
                    y=ranking["name"],
                    orientation="h",
                    marker_color=colours,
                    customdata=[
                        [fmt_wan(a), int(n)]
                        for a, n in zip(ranking["amount_yuan"], ranking["certified_persons"], strict=True)
                    ],
                    hovertemplate="%{y}<br>人均 %{x:,.0f}元<br>发放 %{customdata[0]}，持证 %{customdata[1]:,}人<extra></extra>",
                )
            )
            fig.update_layout(xaxis_title="元/持证残疾人", showlegend=False)
            note = "（红色为所选乡镇）" if chosen else ""
            show_chart(
                fig,
                f"各乡镇（街道）人均资金发放{note}",
                view,
                key="overview_ranking",
                height=max(380, 22 * len(ranking) + 100),
            )
