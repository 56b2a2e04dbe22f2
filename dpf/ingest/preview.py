"""The before → after preview of an import in Chinese: one line per programme/service × month × township."""

from __future__ import annotations

from dpf.contract.catalogue import INDICATOR_BY_CODE, NEEDS, PROGRAM_BY_CODE, SERVICES
from dpf.ingest.merge import Change

_ITEM_NAMES = {
    "payments": lambda code: PROGRAM_BY_CODE[code].name,
    "services": lambda code: SERVICES[code],
    "rehab_needs": lambda code: NEEDS[code],
    "targets": lambda code: INDICATOR_BY_CODE[code].name,
    "persons": lambda code: "持证残疾人",
    "satisfaction": lambda code: "满意度回访",
}


def _when(text: str) -> str:
    if len(text) == 7:  # 2024-04
        return f"{text[:4]}年{int(text[5:])}月"
    return f"{text}年" if text else "—"


def _amount(value) -> str:
    return "—" if value is None else f"{value:,.2f}"


def change_rows(changes: list[Change], township_names: dict[str, str]) -> list[dict]:
    """Table rows (no personal data): 项目, 月份, 乡镇（街道）, 导入前/后行数 and, for payments, 金额."""
    return [
        {
            "项目": _ITEM_NAMES[c.table](c.item),
            "月份": _when(c.when),
            "乡镇（街道）": township_names.get(c.township, c.township) if c.township else "全县",
            "导入前行数": c.before,
            "导入后行数": c.after,
            "导入前金额（元）": _amount(c.amount_before),
            "导入后金额（元）": _amount(c.amount_after),
        }
        for c in changes
    ]


def change_lines(changes: list[Change], township_names: dict[str, str]) -> list[str]:
    """The same as text lines for the command line."""
    lines = []
    for row in change_rows(changes, township_names):
        line = f"  {row['项目']} · {row['月份']} · {row['乡镇（街道）']}：{row['导入前行数']} → {row['导入后行数']} 行"
        if row["导入前金额（元）"] != "—":
            line += f"（金额 {row['导入前金额（元）']} → {row['导入后金额（元）']} 元）"
        lines.append(line)
    return lines
