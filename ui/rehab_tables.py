"""The 康复服务 page's tables: query results labelled in Chinese (SQL counts; nothing is summed here)."""

from __future__ import annotations

import pandas as pd

from dpf.contract.catalogue import CATEGORIES, GRADES, NEEDS
from dpf.formatting import fmt_pct, fmt_rate_with_n


def coverage_table(coverage: pd.DataFrame) -> pd.DataFrame:
    """Township coverage, laggards first (lowest met rate; townships without needs last)."""
    ordered = coverage.sort_values(["met_rate", "home_rehab_per_1000"], na_position="last")
    return pd.DataFrame(
        {
            "乡镇（街道）": ordered["name"],
            "康复需求（条）": ordered["needs"].astype(int),
            "已满足（条）": ordered["needs_met"].astype(int),
            "满足率": [
                fmt_rate_with_n(m, n, "条") for m, n in zip(ordered["needs_met"], ordered["needs"], strict=True)
            ],
            "上门康复（人）": ordered["home_rehab_persons"].astype(int),
            "持证残疾人（人）": ordered["certified_persons"].astype(int),
            "每千名持证残疾人上门康复（人）": ordered["home_rehab_per_1000"].round(1),
        }
    )


def needs_heat_table(by_type: pd.DataFrame) -> pd.DataFrame:
    """Township × need type: recorded, met and rate (with the number of needs when few) in one cell each, townships in the
    query's order (a province roll-up may repeat a name: townships are told apart by their sort order)."""
    columns = ["name", "sort_order", "need", "recorded", "met"]
    cells = {
        (name, order, need): f"{int(met)}/{int(recorded)}　{fmt_rate_with_n(int(met), int(recorded), '条')}"
        for name, order, need, recorded, met in by_type[columns].itertuples(index=False)
    }
    townships = dict.fromkeys(zip(by_type["name"], by_type["sort_order"], strict=True))
    rows = [
        {"乡镇（街道）": name, **{label: cells.get((name, order, need), "—") for need, label in NEEDS.items()}}
        for name, order in townships
    ]
    return pd.DataFrame(rows, columns=["乡镇（街道）", *NEEDS.values()])


def category_table(by_category: pd.DataFrame) -> pd.DataFrame:
    """Certified persons by category (rows) and grade (columns), with the category's total and share."""
    wide = by_category.pivot_table(index="category", columns="grade", values="persons", aggfunc="first", fill_value=0)
    totals = by_category.groupby("category")[["category_persons", "category_share"]].first().reindex(wide.index)
    table = pd.DataFrame({"残疾类别": [CATEGORIES.get(int(c), str(c)) for c in wide.index]})
    for grade, label in GRADES.items():
        table[f"{label}（人）"] = wide[grade].astype(int).to_numpy() if grade in wide.columns else 0
    table["合计（人）"] = totals["category_persons"].astype(int).to_numpy()
    table["占比"] = [fmt_pct(value) for value in totals["category_share"]]
    return table


CHILD_COLUMNS = {
    "prosthesis_fitting": "假肢矫形器适配（例）",
    "device_fitting": "辅助器具适配（例）",
    "child_rehab": "康复救助安置（人）",
}


def children_table(monthly: pd.DataFrame) -> pd.DataFrame:
    """Month × children's service (amounts from SQL), months with no record left out."""
    wide = monthly.pivot_table(index="month", columns="service", values="amount", aggfunc="first", fill_value=0)
    table = pd.DataFrame({"月份": [f"{int(m)}月" for m in wide.index]})
    for service, label in CHILD_COLUMNS.items():
        table[label] = wide[service].astype(int).to_numpy() if service in wide.columns else 0
    return table
