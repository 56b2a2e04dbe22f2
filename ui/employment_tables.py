"""The 就业培训 page's tables: query results reshaped and labelled in Chinese (no sums here; SQL sums).

Pure functions on the frames of queries/employment_*.sql, so tests build exactly what the page shows and
offers for download.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from dpf.contract.catalogue import PROGRAMS
from dpf.formatting import fmt_date, wan
from ui.funds_tables import short_name

NO_BATCH = "（未填期次）"
NO_COURSE = "（未填课程）"

# The funnel's steps: (step in queries/employment_funnel.sql, label, unit, what is counted).
FUNNEL_STEPS = [
    ("registered", "就业登记", "人", "年内办理就业登记的残疾人（去重）"),
    ("fairs", "专项招聘会", "次", "年内举办的专项招聘会（活动，不记录参会个人）"),
    ("fair_enterprises", "参会企业", "家次", "各场招聘会参会企业数之和"),
    ("intentions", "达成就业意向", "人", "年内达成就业意向的残疾人（去重）"),
    ("registered_with_intention", "登记且达成意向", "人", "年内既办理就业登记、又达成就业意向的残疾人（去重）"),
]


def day_span(first: date, last: date) -> str:
    first, last = pd.Timestamp(first).date(), pd.Timestamp(last).date()
    return fmt_date(first) if first == last else f"{fmt_date(first)}至{fmt_date(last)}"


def class_table(classes: pd.DataFrame) -> pd.DataFrame:
    """培训班次: one row per 期次 × 课程 (queries/employment_training_classes.sql, level 'class')."""
    rows = classes[classes["level"] == "class"]
    return pd.DataFrame(
        {
            "期次": rows["batch"].map(lambda b: b or NO_BATCH),
            "课程": rows["course"].map(lambda c: c or NO_COURSE),
            "培训日期": [day_span(a, b) for a, b in zip(rows["first_day"], rows["last_day"], strict=True)],
            "学员（人次）": rows["trainees"].astype(int),
            "学员（人，去重）": rows["persons"].astype(int),
            "覆盖乡镇（个）": rows["townships"].astype(int),
        }
    ).reset_index(drop=True)


def course_table(classes: pd.DataFrame) -> pd.DataFrame:
    """Trainees per course over all classes (level 'course'), most trainees first."""
    rows = classes[classes["level"] == "course"].sort_values(["trainees", "course"], ascending=[False, True])
    return pd.DataFrame(
        {
            "课程": rows["course"].map(lambda c: c or NO_COURSE),
            "学员（人次）": rows["trainees"].astype(int),
            "学员（人，去重）": rows["persons"].astype(int),
        }
    ).reset_index(drop=True)


def township_table(
    services: pd.DataFrame,
    startup: pd.DataFrame | None,
    shares: pd.DataFrame | None,
    last_year_known: bool = True,
) -> pd.DataFrame:
    """乡镇（街道）就业培训: queries/employment_by_township.sql, optionally joined with start-up support
    (employment_startup_by_township.sql) and the township training target shares (township_target_shares.sql).
    Only the chosen townships when some are chosen (the query marks them), else every township. Without last year
    in the data (`last_year_known` False) its 上年同期 is unknown: empty (—), never 0."""
    rows = services[services["chosen"]] if services["chosen"].any() else services
    previous = rows["previous_trainees"].astype("Int64")
    if not last_year_known:
        previous = pd.Series(pd.NA, index=rows.index, dtype="Int64")
    frame = pd.DataFrame(
        {
            "乡镇（街道）": rows["name"],
            "技能培训（人次）": rows["trainees"].astype(int),
            "上年同期（人次）": previous,
        }
    )
    if shares is not None:
        target = shares.set_index("township_code")["target"]
        frame["培训目标（人次）"] = rows["code"].map(target).astype("Float64")
        frame["培训完成率（%）"] = (100.0 * frame["技能培训（人次）"] / frame["培训目标（人次）"]).round(1)
    frame["就业登记（人）"] = rows["registered"].astype(int)
    frame["达成就业意向（人）"] = rows["intentions"].astype(int)
    frame["登记且达成意向（人）"] = rows["registered_with_intention"].astype(int)
    if startup is not None:
        extra = startup.set_index("code")
        frame["扶持残疾人就业创业（人）"] = rows["code"].map(extra["startup_persons"]).astype("Int64")
        frame["创业扶持资金（万元）"] = rows["code"].map(extra["startup_amount_yuan"]).map(wan)
        frame["扶持项目（个）"] = rows["code"].map(extra["projects"]).astype("Int64")
        frame["项目扶持资金（万元）"] = rows["code"].map(extra["project_amount_yuan"]).map(wan)
    return frame.reset_index(drop=True)


def project_table(projects: pd.DataFrame) -> pd.DataFrame:
    """扶持项目明细 (queries/employment_projects.sql), in catalogue programme order."""
    order = {p.code: i for i, p in enumerate(PROGRAMS)}
    rows = projects.assign(_order=projects["program"].map(order).fillna(len(order)))
    rows = rows.sort_values(["_order", "sort_order", "project_key"], na_position="last")
    return pd.DataFrame(
        {
            "项目编号": rows["project_key"],
            "扶持类别": rows["program"].map(short_name),
            "乡镇（街道）": rows["township_name"].fillna(rows["township_code"]),
            "扶持金额（万元）": rows["amount_yuan"].map(wan),
            "发放笔数（笔）": rows["payments"].astype(int),
            "发放月份": [month_span(a, b) for a, b in zip(rows["first_period"], rows["last_period"], strict=True)],
        }
    ).reset_index(drop=True)


def month_span(first: date, last: date) -> str:
    first, last = pd.Timestamp(first), pd.Timestamp(last)
    start = f"{first.year}年{first.month}月"
    return start if (first.year, first.month) == (last.year, last.month) else f"{start}至{last.year}年{last.month}月"
