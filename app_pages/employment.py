"""就业培训: who was trained, in what, where; who registered, reached a job, got start-up support; targets."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dpf import palette
from dpf.contract.catalogue import CARD_GROUPS, COUNTY_LEVEL_TEXT, INDICATOR_BY_CODE
from dpf.figures.schedule import schedule_line
from dpf.formatting import fmt_count, fmt_rate_with_n
from ui.briefing import tip
from ui.cards import county_level_card, kpi_grid
from ui.charts import MONTH_LABELS, ranked_names, show_chart
from ui.context import View, current_view
from ui.downloads import table_with_downloads
from ui.employment_tables import FUNNEL_STEPS, class_table, course_table, project_table, township_table
from ui.header import page_header
from ui.key_points import key_points_slot
from ui.page_table import page_spec
from ui.sections import Frames, Query, Section, Sections, section_heading
from ui.targets import target_strip
from ui.township_ranking import show_ranking, year_on_year

SPEC = page_spec(__file__)
PAGE = SPEC.title
COUNTY_LEVEL_STEPS = ("fairs", "fair_enterprises")  # the funnel's steps that count county-level events

TRAINING_CARDS = list(CARD_GROUPS["employment_training"])
EVENT_CARDS = list(CARD_GROUPS["employment_events"])
SUPPORT_CARDS = list(CARD_GROUPS["employment_support"])
SUPPORT_TARGETS = list(CARD_GROUPS["employment_support_targets"])


def info(text: str) -> None:
    st.info(text, icon=":material/info:")


def warn(text: str) -> None:
    st.warning(text, icon=":material/warning:")


def span_text(view: View) -> str:
    return f"{view.scope}{view.span}（截至数据日）"


def missing_targets_note(view: View, indicators: pd.DataFrame, codes: list[str]) -> None:
    """Say which of `codes` have no target for this scope, instead of leaving a silent gap."""
    problem = view.table_problem("targets")
    if problem:
        st.caption(problem)
        return
    frame = indicators.set_index("indicator")
    missing = [INDICATOR_BY_CODE[c].label for c in codes if pd.isna(frame.loc[c, "target"])]
    if not missing:
        return
    where = "所选乡镇（街道）没有分解" if view.township_codes else "未导入"
    st.caption(f"{view.year}年{where}以下指标的目标：{'、'.join(missing)}。")


def kpi_section(view: View) -> None:
    indicators = view.indicators()
    problems = indicators.loc[indicators["indicator"].isin(TRAINING_CARDS + SUPPORT_CARDS), "problem"]
    for problem in problems.dropna().unique():
        warn(problem)
    townships = bool(view.township_codes)
    st.markdown("**技能培训与就业服务**")
    kpi_grid(indicators, TRAINING_CARDS, per_row=4, townships=townships)
    kpi_grid(indicators, EVENT_CARDS, per_row=4, townships=townships)
    if not townships:
        st.caption("招聘会和政策宣传含县级活动（不属于某个乡镇），只在“全县”范围内计入。")
    st.markdown("**就业创业扶持**")
    kpi_grid(indicators, SUPPORT_CARDS, per_row=3, townships=townships)


# --- Training -----------------------------------------------------------------------------


def course_chart(view: View, courses: pd.DataFrame) -> None:
    rows = courses.iloc[::-1]
    fig = go.Figure(
        go.Bar(
            x=rows["学员（人次）"],
            y=rows["课程"],
            orientation="h",
            marker_color=palette.THIS_YEAR,
            customdata=rows["学员（人，去重）"],
            hovertemplate="%{y}<br>学员 %{x:,}人次（%{customdata:,}人）<extra></extra>",
        )
    )
    fig.update_layout(xaxis_title="人次", showlegend=False, margin={"l": 150})
    show_chart(fig, "各课程培训人次", view, key="employment_courses", height=max(320, 40 * len(rows) + 140))


def monthly_chart(view: View, monthly: pd.DataFrame) -> None:
    this_year = monthly[monthly["year"] == view.year]
    last_year = monthly[monthly["year"] == view.year - 1]
    fig = go.Figure()
    fig.add_bar(
        x=[MONTH_LABELS[m - 1] for m in this_year["month"]],
        y=this_year["trainees"],
        name=f"{view.year}年",
        marker_color=palette.THIS_YEAR,
        customdata=this_year["classes"],
        hovertemplate="%{x}：%{y:,}人次（%{customdata}期）<extra></extra>",
    )
    if not last_year.empty:
        fig.add_bar(
            x=[MONTH_LABELS[m - 1] for m in last_year["month"]],
            y=last_year["trainees"],
            name=f"{view.year - 1}年同期",
            marker_color=palette.LAST_YEAR,
            hovertemplate=f"{view.year - 1}年%{{x}}：%{{y:,}}人次<extra></extra>",
        )
    fig.update_layout(barmode="group", yaxis_title="人次", margin={"l": 60})
    fig.update_xaxes(categoryorder="array", categoryarray=MONTH_LABELS)
    show_chart(fig, "各月培训人次", view, key="employment_monthly")


def shown_months(view: View) -> int:
    """How many months of the year the data covers (0: the year lies after the as-of date)."""
    if view.as_of is None or view.as_of.year < view.year:
        return 0
    return 12 if view.as_of.year > view.year else view.as_of.month


def progress_chart(view: View, monthly: pd.DataFrame, target: float) -> None:
    """Cumulative trainees at each month end against the target's straight-line schedule (序时进度)."""
    months = shown_months(view)
    if months == 0:
        return
    cumulative = monthly[monthly["year"] == view.year].set_index("month")["cumulative_trainees"]
    running, actual = 0.0, []
    for month in range(1, months + 1):  # a month without classes keeps the running total (no sums here)
        running = float(cumulative.get(month, running))
        actual.append(running)
    schedule = [share * target / 100.0 for _, share in schedule_line(view.year)]
    fig = go.Figure()
    fig.add_scatter(
        x=MONTH_LABELS,
        y=schedule,
        name="按序时应完成",
        mode="lines",
        line={"color": palette.SCHEDULE_LINE, "dash": "dash"},
        hovertemplate="%{x}底按序时应完成 %{y:,.0f}人次<extra></extra>",
    )
    fig.add_scatter(
        x=MONTH_LABELS[:months],
        y=actual,
        name="累计完成",
        mode="lines+markers",
        line={"color": palette.THIS_YEAR, "width": 3},
        hovertemplate="截至%{x}底累计 %{y:,}人次<extra></extra>",
    )
    fig.add_hline(
        y=target,
        line={"color": palette.TARGET_LINE, "dash": "dot"},
        annotation_text=f"年度目标 {fmt_count(target, '人次')}",
        annotation_position="top left",
    )
    fig.update_layout(yaxis_title="人次", yaxis_rangemode="tozero", margin={"l": 60})
    fig.update_xaxes(categoryorder="array", categoryarray=MONTH_LABELS)
    show_chart(fig, "培训累计完成与序时进度", view, key="employment_progress", height=360)


def township_chart(view: View, by_township: pd.DataFrame, shares: pd.DataFrame | None) -> None:
    rows = by_township.sort_values(["trainees", "sort_order"], ascending=[True, False])
    has_shares = shares is not None and not shares.empty

    def target_marks(fig: go.Figure, rows: pd.DataFrame) -> None:
        """Each township's share of the training target, a mark across its bar (the legend names it)."""
        fig.update_traces(name="培训人次", selector={"type": "bar"})
        if not has_shares:
            fig.update_layout(showlegend=False)
            return
        target = rows["code"].map(shares.set_index("township_code")["target"])
        fig.add_scatter(
            x=target,
            y=ranked_names(rows, "trainees"),
            mode="markers",
            name="乡镇分解目标",
            marker={"symbol": "line-ns-open", "size": 16, "color": palette.MUTED, "line": {"width": 3}},
            hovertemplate="%{y}<br>分解目标 %{x:,.0f}人次<extra></extra>",
        )
        fig.update_layout(showlegend=True)

    title = "各乡镇（街道）培训人次"
    spec = year_on_year(
        title, "employment_townships", "trainees", fmt_count, "培训", "人次", ",", decorate=target_marks
    )
    show_ranking(view, rows, spec)


def training_shares(view: View, frames: Frames) -> pd.DataFrame | None:
    """Township shares of the training target (None: no targets table or no shares this year)."""
    if view.table_problem("targets"):
        return None
    shares = frames["township_target_shares"]
    shares = shares[shares["indicator"] == "training_person_times"]
    return shares if not shares.empty else None


def training_section(view: View, frames: Frames) -> None:
    """Progress of the year's training: the target, month by month against last year, cumulative against 序时进度 (a
    month view: the year up to its month's end)."""
    view = view.through_month_end()
    if not section_heading(view, "技能培训：进度", "services"):
        return
    indicators = view.indicators()
    if not view.briefing:  # the slide's progress chart shows the target and 序时进度 beside the cards
        target_strip(view, ["training_person_times"])
        missing_targets_note(view, indicators, ["training_person_times"])
    monthly = frames["employment_training_monthly"]
    if not (monthly.loc[monthly["year"] == view.year, "trainees"] > 0).any():
        info(f"{span_text(view)}没有残疾人技能培训记录，因此没有月度分布和累计进度。")
        return
    target = indicators.set_index("indicator").loc["training_person_times", "target"]
    left, right = st.columns(2)
    with left:
        monthly_chart(view, monthly)
    with right:
        if pd.notna(target) and float(target) > 0:
            progress_chart(view, monthly, float(target))
        else:
            info(f"{view.scope}{view.year}年没有培训目标，不绘制序时进度图。")


def classes_section(view: View, frames: Frames) -> None:
    """Each class (期次 × 课程) and the trainees per course."""
    if not section_heading(view, "技能培训：班次与课程", "services"):
        return
    classes = frames["employment_training_classes"]
    if classes.empty:
        info(f"{span_text(view)}没有残疾人技能培训记录，因此没有课程和期次。")
        return
    st.caption(
        "人次：一人参加一期培训算1人次；人：参加培训的不同残疾人数（同一人参加多期只算1人）。"
        "期次和课程按培训台账填写的名称列出。"
    )
    left, right = st.columns([3, 2])
    with left:
        table = class_table(classes)
        st.markdown("**培训班次（期次 × 课程）**")
        table_with_downloads(
            table, PAGE, "培训班次", view, "employment_class_table", "employment_class_table_dl", room_px=600
        )  # three fifths of the page's column
    with right:
        course_chart(view, course_table(classes))


# --- Employment funnel ----------------------------------------------------------------------


def event_count(view: View, value: int) -> str:
    """A table cell counting county-level events: in a township scope a 0 says where they are counted instead."""
    return COUNTY_LEVEL_TEXT if view.township_codes and not value else fmt_count(value)


def event_card(view: View, label: str, value: int, unit: str, help_text: str) -> None:
    if view.township_codes and not value:
        county_level_card(label, label)
    else:
        st.metric(label, fmt_count(value, unit), border=True, help=tip(help_text))


def funnel_section(view: View, frames: Frames) -> None:
    if not section_heading(view, "就业服务：登记 → 招聘会 → 达成意向", "services"):
        return
    funnel = frames["employment_funnel"]
    steps = funnel.set_index("step")["value"].astype(int).to_dict()
    if not any(steps.values()):
        info(f"{span_text(view)}没有就业登记、招聘会或就业意向记录。")
        return
    registered, reached = steps["registered"], steps["registered_with_intention"]
    others = steps["intentions"] - reached
    st.caption(
        "就业登记和达成就业意向都按人数算，同一人多次只算1人。招聘会只记场次和参会企业，不记哪些人参加，"
        "所以图中不列“参加招聘会”的人数。"
        + ("县级招聘会不属于某个乡镇，只在“全县”范围内计入。" if view.township_codes else "")
    )
    left, right = st.columns([3, 2])
    with left:
        share = f"（占登记人数 {fmt_rate_with_n(reached, registered, '人')}）" if registered else ""
        fig = go.Figure(
            go.Bar(
                y=["就业登记", "登记且达成意向"],
                x=[registered, reached],
                orientation="h",
                marker_color=palette.THIS_YEAR,
                text=[fmt_count(registered, "人"), fmt_count(reached, "人") + share],
                textposition="auto",
                hovertemplate="%{y}：%{x:,}人<extra></extra>",
            )
        )
        fig.update_layout(xaxis_title="人", showlegend=False, margin={"l": 120})
        fig.update_yaxes(autorange="reversed")
        show_chart(fig, "就业登记到达成意向", view, key="employment_funnel", height=300)
        if others > 0:
            st.caption(
                f"为什么与上方卡片不同：图中“登记且达成意向”只算本年办过就业登记的人（{fmt_count(reached, '人')}）；"
                f"卡片“达成就业意向”（{fmt_count(steps['intentions'], '人')}）还包括本年没有办就业登记、"
                f"直接达成意向的{fmt_count(others, '人')}。"
            )
    with right:
        columns = st.columns(2)
        with columns[0]:
            event_card(view, "举办招聘会", steps["fairs"], "次", FUNNEL_STEPS[1][3])
        with columns[1]:
            event_card(view, "招聘会参会企业", steps["fair_enterprises"], "家次", FUNNEL_STEPS[2][3])
        rate = fmt_rate_with_n(reached, registered, "人")
        st.markdown(
            f"登记人员达成意向比例：**{rate}**  \n"
            f"达成就业意向共 **{fmt_count(steps['intentions'], '人')}**，"
            f"其中 {fmt_count(others, '人')}在本年未办理就业登记。"
        )
    table = pd.DataFrame(
        {
            "环节": [label for _, label, _, _ in FUNNEL_STEPS],
            "数量": [
                event_count(view, steps[step]) if step in COUNTY_LEVEL_STEPS else fmt_count(steps[step])
                for step, _, _, _ in FUNNEL_STEPS
            ],
            "单位": [unit for _, _, unit, _ in FUNNEL_STEPS],
            "怎么算": [meaning for _, _, _, meaning in FUNNEL_STEPS],
        }
    )
    if view.briefing:  # the table is on the page, not on the slide
        return
    with st.expander("各环节怎么算、有多少", expanded=False):
        table_with_downloads(
            table, PAGE, "就业服务各环节", view, "employment_funnel_table", "employment_funnel_table_dl"
        )


# --- Start-up support and projects ---------------------------------------------------------


def support_section(view: View, frames: Frames) -> None:
    if not section_heading(view, "就业创业扶持与扶持项目", "payments"):
        return
    target_strip(view, SUPPORT_TARGETS, per_row=4)
    missing_targets_note(view, view.indicators(), SUPPORT_TARGETS)
    projects = frames["employment_projects"]
    if projects.empty:
        info(f"{span_text(view)}没有扶持阳光大棚、助残基地或辅助性就业机构的记录。")
        return
    table = project_table(projects)
    st.caption(f"{span_text(view)}获得扶持的项目，按项目编号列出（一个项目年内多次发放合并为一行）；金额单位：万元。")
    table_with_downloads(table, PAGE, "扶持项目明细", view, "employment_project_table", "employment_project_table_dl")


def township_section(view: View, frames: Frames) -> None:
    if not section_heading(view, "乡镇（街道）就业培训情况", "services", "townships"):
        return
    by_township = frames["employment_by_township"]
    shares = training_shares(view, frames)
    if (by_township["trainees"] > 0).any():
        st.caption("各乡镇（街道）对比：按学员所属乡镇计；竖线为乡镇分解目标（如有）。")
        township_chart(view, by_township, shares)
    else:
        info(f"{view.span}（截至数据日）各乡镇（街道）都没有技能培训记录。")
    startup = None
    if view.table_problem("payments") is None:
        startup = frames["employment_startup_by_township"]
    table = township_table(by_township, startup, shares, view.last_year_known())
    st.caption("按人员或项目所属乡镇（街道）统计；县级活动（招聘会、宣传）不属于任何乡镇，未列入。")
    table_with_downloads(
        table, PAGE, "乡镇就业培训情况", view, "employment_township_table", "employment_township_table_dl"
    )


SECTIONS = Sections(
    SPEC.section_key,
    [
        Section(
            "培训进度",
            training_section,
            (Query("employment_training_monthly", View.trend_params),),
            tuple(TRAINING_CARDS[:2]),
        ),
        Section(
            "培训班次",
            classes_section,
            (Query("employment_training_classes", View.scope_params),),
            tuple(TRAINING_CARDS[:2]),
        ),
        Section(
            "就业服务", funnel_section, (Query("employment_funnel", View.scope_params),), tuple(TRAINING_CARDS[2:])
        ),
        Section("扶持项目", support_section, (Query("employment_projects", View.scope_params),), tuple(SUPPORT_CARDS)),
        Section(
            "各乡镇（街道）",
            township_section,
            (
                Query("employment_by_township", View.scope_params),
                Query("employment_startup_by_township", View.county_params),
                Query("township_target_shares", View.year_params),
            ),
            cards=(),  # the full township ranking takes the room of cards
            about=("training_person_times",),
        ),
    ],
)


view = current_view()
if page_header(view, SPEC.header, SECTIONS.url_label()):
    points = key_points_slot(view, SPEC.topic, SECTIONS.topic_codes())
    SECTIONS.show(view, view, kpi_section, first=points)
