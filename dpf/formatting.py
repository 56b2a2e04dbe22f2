"""Chinese display formats: 万元, thousands separators, 2024年9月30日, percentages, 同比."""

from __future__ import annotations

import math
from datetime import date

from dpf.numbers import is_missing, number_or_none


def fmt_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def fmt_count(value: float | None, unit: str = "") -> str:
    """12345 -> '12,345人次'; a missing value reads '—'."""
    if is_missing(value):
        return "—"
    rounded = round(float(value))
    text = f"{rounded:,}" if abs(float(value) - rounded) < 1e-9 else f"{float(value):,.1f}"
    return f"{text}{unit}"


def fmt_wan(yuan: float | None, decimals: int | None = None, unit: bool = True) -> str:
    """Yuan as 万元: 3696000 -> '369.6万元'; 25480 -> '2.55万元'. Decimals: 1 at 100万 and above, else 2."""
    if is_missing(yuan):
        return "—"
    wan = float(yuan) / 10_000
    if decimals is None:
        decimals = 1 if abs(wan) >= 100 else 2
    return f"{wan:,.{decimals}f}" + ("万元" if unit else "")


def wan(yuan: float | None) -> float | None:
    """Yuan as a number of 万元 with two decimals, for table cells: 25480 -> 2.55 (missing stays None)."""
    amount = number_or_none(yuan)
    return None if amount is None else round(amount / 10_000, 2)


def fmt_pct(value: float | None, decimals: int = 1) -> str:
    if is_missing(value):
        return "—"
    return f"{float(value):.{decimals}f}%"


def fmt_value(value: float | None, unit: str) -> str:
    """An indicator value in its unit: 元 as 万元, % with one decimal, counts with separators."""
    if unit == "元":
        return fmt_wan(value)
    if unit == "%":
        return fmt_pct(value)
    return fmt_count(value, unit)


def fmt_rate_with_n(numerator: float, denominator: float, small: int = 10) -> str:
    """A rate, with its n when the denominator is small: '66.7%（n=6）'."""
    if not denominator:
        return "—"
    rate = 100.0 * numerator / denominator
    text = fmt_pct(rate)
    return f"{text}（n={int(denominator)}）" if denominator < small else text


def yoy_delta(value: float | None, previous: float | None, unit: str) -> str | None:
    """同比 text for a KPI card: '+12.3%' for counts and amounts, '+1.2个百分点' for rates."""
    if is_missing(value) or is_missing(previous):
        return None
    if unit == "%":
        return f"{float(value) - float(previous):+.1f}个百分点"
    if float(previous) == 0:
        return None
    return f"{100.0 * (float(value) - float(previous)) / float(previous):+.1f}%"


def scope_label(names: list[str], limit: int = 3) -> str:
    """全县, the names joined, or '城关街道等5个乡镇' when there are many."""
    if not names:
        return "全县"
    if len(names) <= limit:
        return "、".join(names)
    return f"{names[0]}等{len(names)}个乡镇"


# --- Running text (dpf.narrative, the 简报): the number rule's wording ------------------------------------------


def fmt_wan_text(yuan: float | None) -> str:
    """An amount in running text: 万元 to the 百元 with 千分位, a trailing zero dropped (3,696,000 -> '369.6万元',
    3,088,900 -> '308.89万元', 630,000 -> '63万元')."""
    if is_missing(yuan):
        return "—"
    text = f"{round(float(yuan) / 10_000, 2):,.2f}".rstrip("0").rstrip(".")
    return f"{text}万元"


def fmt_points(points: float) -> str:
    """A difference of rates, without its sign: 1.23 -> '1.2个百分点'."""
    return f"{abs(float(points)):.1f}个百分点"


def round_up_units(value: float) -> int:
    """A projection or a 每月还需 figure in whole units, rounded up; anything above zero is at least 1."""
    return max(1, math.ceil(float(value) - 1e-9)) if float(value) > 0 else 0


def yoy_text(value: float | None, previous: float | None, is_rate: bool = False) -> str | None:
    """同比 in words: '同比增长11.8%' / '同比下降3.0%' / '同比持平' (rounds to 0.0); a rate changes in 个百分点
    ('同比提高1.2个百分点'). None without a previous value, or when it was 0 (a count or amount)."""
    if is_missing(value) or is_missing(previous):
        return None
    if is_rate:
        change = round(float(value) - float(previous), 1)
        if change == 0:
            return "同比持平"
        return f"同比{'提高' if change > 0 else '降低'}{fmt_points(change)}"
    if float(previous) == 0:
        return None
    change = round(100.0 * (float(value) - float(previous)) / float(previous), 1)
    if change == 0:
        return "同比持平"
    return f"同比{'增长' if change > 0 else '下降'}{abs(change):.1f}%"
