"""The 资金发放 page's tables: query results reshaped and labelled in Chinese (no sums here; SQL sums).

Pure functions on the frames of queries/funds_*.sql, so tests build exactly what the page shows and offers
for download.
"""

from __future__ import annotations

import pandas as pd

from dpf.contract.catalogue import CATEGORIES, GRADES, PROGRAM_BY_CODE, PROGRAMS, program_lists
from dpf.formatting import wan, yoy_delta

ALL_PROGRAMS = "全部项目"

PER_HEAD_LABEL = {"个": "个均", "户": "户均"}


def catalogue_params() -> dict[str, list[str]]:
    """The parallel programme lists queries/funds_by_program.sql takes."""
    return program_lists()


def short_name(code: str) -> str:
    """A programme's label on cards, legends and column headers (the catalogue's short name; other codes as they are)."""
    return PROGRAM_BY_CODE[code].short if code in PROGRAM_BY_CODE else code


def program_label(code: str) -> str:
    """Selectbox label: 全部项目 or the programme's full name."""
    return ALL_PROGRAMS if code == ALL_PROGRAMS else (PROGRAM_BY_CODE[code].name if code in PROGRAM_BY_CODE else code)


def program_table(by_program: pd.DataFrame, last_year_known: bool = True) -> pd.DataFrame:
    """项目明细: one row per catalogue programme (then any other code in the data), and the 合计 row. Without last
    year in the data (`last_year_known` False) its 上年同期 is unknown: — (None), never 0.00."""
    rows = by_program[by_program["level"] == "program"].set_index("program")
    known = [p.code for p in PROGRAMS]
    codes = known + sorted(code for code in rows.index if code not in known)
    records = []
    for code in codes:
        program = PROGRAM_BY_CODE.get(code)
        unit = program.unit if program else "人次"
        row = rows.loc[code] if code in rows.index else None
        amount = float(row["amount_yuan"]) if row is not None else 0.0
        previous = float(row["previous_amount_yuan"]) if row is not None else 0.0
        count = float(row["beneficiaries"]) if row is not None else 0.0
        per_head = row["yuan_per_head"] if row is not None else None
        records.append(
            {
                "项目类别": program.group if program else "其他",
                "项目": program.name if program else code,
                "发放金额（万元）": wan(amount),
                "上年同期（万元）": wan(previous) if last_year_known else None,
                "金额同比": yoy_delta(amount, previous, "元") or "—",
                "受益数量": int(count),
                "计数单位": unit,
                "人均/个均（元）": None if per_head is None or pd.isna(per_head) else round(float(per_head), 1),
            }
        )
    total = by_program[by_program["level"] == "total"]
    amount = float(total["amount_yuan"].iloc[0]) if len(total) else 0.0
    previous = float(total["previous_amount_yuan"].iloc[0]) if len(total) else 0.0
    records.append(
        {
            "项目类别": "合计",
            "项目": "全部项目",
            "发放金额（万元）": wan(amount),
            "上年同期（万元）": wan(previous) if last_year_known else None,
            "金额同比": yoy_delta(amount, previous, "元") or "—",
            "受益数量": None,
            "计数单位": "",
            "人均/个均（元）": None,
        }
    )
    return pd.DataFrame.from_records(records)


def township_program_table(long: pd.DataFrame, ranking: pd.DataFrame | None = None) -> pd.DataFrame:
    """乡镇 × 项目 (万元) from queries/funds_township_program.sql; the 合计 column and row come from SQL.

    `ranking` (queries/funds_by_township.sql for all programmes) adds 持证残疾人 and 人均 columns.
    """
    present = set(long["program"].dropna())
    known = [p.code for p in PROGRAMS]
    codes = [c for c in known if c in present] + sorted(c for c in present if c not in known)
    columns = {code: f"{short_name(code)}（万元）" for code in codes}
    cells = long[long["program"].notna()]
    totals = long[long["program"].isna()]

    amounts = dict(zip(zip(cells["code"], cells["program"], strict=True), cells["amount_yuan"], strict=True))
    town_totals = dict(zip(totals["code"], totals["amount_yuan"], strict=True))
    towns = long[long["code"].notna()].drop_duplicates("code").sort_values(["sort_order", "code"])
    records = []
    for town in towns.itertuples(index=False):
        record: dict[str, object] = {"乡镇（街道）": town.name}
        for code, header in columns.items():
            record[header] = wan(amounts.get((town.code, code), 0.0))
        record["合计（万元）"] = wan(town_totals[town.code])
        records.append(record)
    frame = pd.DataFrame.from_records(records, columns=["乡镇（街道）", *columns.values(), "合计（万元）"])
    if ranking is not None:
        extra = ranking.set_index("name")
        frame["持证残疾人（人）"] = frame["乡镇（街道）"].map(extra["certified_persons"]).astype("Int64")
        frame["人均发放（元/人）"] = frame["乡镇（街道）"].map(extra["yuan_per_person"]).round(1)

    scope_total = long[long["code"].isna() & long["program"].notna()].set_index("program")["amount_yuan"]
    total: dict[str, object] = {"乡镇（街道）": "合计"}
    for code, header in columns.items():
        total[header] = wan(scope_total.get(code, 0.0))
    grand = long[long["code"].isna() & long["program"].isna()]
    grand_yuan = float(grand["amount_yuan"].iloc[0]) if len(grand) else 0.0
    total["合计（万元）"] = wan(grand_yuan)
    if ranking is not None:  # the rows' persons, and the scope's amount per person (a blank cell read as None)
        persons = int(frame["持证残疾人（人）"].sum())
        total["持证残疾人（人）"] = persons
        total["人均发放（元/人）"] = round(grand_yuan / persons, 1) if persons else None
    return pd.concat([frame, pd.DataFrame([total])], ignore_index=True)


def category_grade_table(persons: pd.DataFrame, unit: str) -> pd.DataFrame:
    """A programme's beneficiaries by disability category and grade (queries/funds_program_persons.sql)."""
    frame = pd.DataFrame(
        {
            "残疾类别": persons["category"].map(lambda c: CATEGORIES.get(int(c), str(c)) if pd.notna(c) else "未匹配"),
            "残疾等级": persons["grade"].map(lambda g: GRADES.get(int(g), str(g)) if pd.notna(g) else "未匹配"),
            "人数（人）": persons["persons"].astype(int),
        }
    )
    if unit == "人次":
        frame["发放人次（人次）"] = persons["payment_rows"].astype(int)
    frame["发放金额（万元）"] = persons["amount_yuan"].map(wan)
    return frame
