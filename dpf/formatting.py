"""Chinese display formats: 万元, thousands separators, 2024年9月30日, percentages, 同比."""

from __future__ import annotations

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
