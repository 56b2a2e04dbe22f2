"""The project's number rule, in one place: every card, table, chart and download formats through here.

- Amounts in 万元 to two decimals. Cards and running text drop a trailing zero (369.6万元, 308.89万元, 39.1万元);
  table columns always show two decimals with 千分位 (369.60, 1,138.10); chart axes in 万元 with 千分位, never
  SI suffixes ("10k").
- Counts are whole numbers with 千分位 (46,197人次); a projection or a "每月还需" figure is rounded UP (约12户;
  below one unit: 约1户).
- Rates with one decimal and % (96.2%); differences of rates in 个百分点.
- 同比 +11.8% / -3.0%; a change that rounds to 0.0 is 同比持平; no previous value (or 0) gives no 同比.
- Dates 2024年9月30日.
"""

from __future__ import annotations

import math
import re
from datetime import date

import pandas as pd

from dpf.numbers import is_missing, number_or_none

MISSING = "—"
FLAT = "持平"

# Column formats by the unit in a table header's brackets: st.column_config printf strings (sprintf-js; "," is the
# thousands separator) and Excel number formats. Rates are stored as 96.2 (not 0.962), so "%" is a literal suffix.
WAN_COLUMN = "%,.2f"
COUNT_COLUMN = "%,d"
RATE_COLUMN = "%.1f%%"
YUAN_COLUMN = "%,.0f"
PER_1000_COLUMN = "%,.1f"
PP_COLUMN = "%.1f"
EXCEL_FORMATS = {WAN_COLUMN: "#,##0.00", COUNT_COLUMN: "#,##0", RATE_COLUMN: '0.0"%"', YUAN_COLUMN: "#,##0"}
EXCEL_FORMATS[PER_1000_COLUMN] = EXCEL_FORMATS[PP_COLUMN] = "#,##0.0"

# Plotly (d3-format) equivalents for axes and hover templates.
AXIS_TICKFORMAT = ",.2~f"  # 1,200 / 0.5: 千分位, no SI suffix, no trailing zeros
HOVER_WAN = ",.2f"
HOVER_COUNT = ",.0f"
HOVER_RATE = ".1f"
SEPARATORS = ".,"  # Plotly's decimal point and thousands separator

COUNT_UNITS = ("人次", "家次", "人", "户", "个", "次", "件", "例", "条", "笔", "期", "家", "名", "份", "小时", "行")


def fmt_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def fmt_year(year: int, as_of: date | None) -> str:
    """The period a year's figures cover: 2024年 while it runs, 2023年全年 once the data reach its last day."""
    return f"{year}年全年" if as_of is not None and as_of >= date(year, 12, 31) else f"{year}年"


def _strip_zeros(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def fmt_count(value: float | None, unit: str = "") -> str:
    """A count: whole, with 千分位 (12345 -> '12,345人次'); a missing value reads '—'."""
    if is_missing(value):
        return MISSING
    return f"{round(float(value)):,}{unit}"


def fmt_estimate(value: float | None, unit: str = "") -> str:
    """A projected or still-needed count, rounded up to a whole unit: 11.7 -> '约12户', 0.3 -> '约1户', 12 -> '12户'.

    Amounts (元) and rates (%) keep their own formats (fmt_value)."""
    if unit in ("元", "%"):
        return fmt_value(value, unit)
    if is_missing(value):
        return MISSING
    number = round(float(value), 6)
    whole = round_up_units(number)
    return f"{whole:,}{unit}" if whole == number else f"约{whole:,}{unit}"


def fmt_projection(value: float | None, unit: str, target: float | None) -> str:
    """A projected year-end count as fmt_estimate writes it (whole, rounded up), unless rounding up would reach a
    target the unrounded projection misses (1.7 of 2: '约1.7个', never '约2个' beside 不能); then one decimal,
    rounded down, so the figure and the decision (made on the unrounded value) agree."""
    text = fmt_estimate(value, unit)
    if unit in ("元", "%") or is_missing(value) or is_missing(target):
        return text
    number = round(float(value), 6)
    if number >= float(target) or round_up_units(number) < float(target):
        return text
    return f"约{math.floor(number * 10) / 10:,.1f}{unit}"


def round_up_units(value: float) -> int:
    """A projection or a 每月还需 figure in whole units, rounded up (12.0000001 from float arithmetic is 12, not 13);
    anything above zero is at least 1, nothing below zero is needed."""
    return max(0, math.ceil(round(float(value), 6)))


SMALL_YUAN = 1_000  # below 0.1万元 an amount is written in 元 (never "0万元" or "0.04万元")
EXACT_TO_TEN_BELOW = 100_000  # below 10万元 a figure exact to the 10元 keeps its third decimal (2.548万元)


def fmt_wan(yuan: float | None, unit: bool = True) -> str:
    """Yuan as 万元 for cards and text: two decimals, a trailing zero dropped (3696000 -> '369.6万元',
    3088900 -> '308.89万元', 11381000 -> '1,138.1万元', 630000 -> '63万元'). With its unit, a figure below
    10万元 that is exact to the 10元 keeps three decimals as the report writes it (25480 -> '2.548万元'), and one
    below 0.1万元 is written in whole 元 (400 -> '400元'; 0 stays '0万元')."""
    if is_missing(yuan):
        return MISSING
    amount = float(yuan)
    if unit and 0 < abs(amount) < SMALL_YUAN:
        return f"{round(amount):,}元"
    decimals = 2
    if unit and abs(amount) < EXACT_TO_TEN_BELOW and round(amount, 6) % 10 == 0 and round(amount, 6) % 100 != 0:
        decimals = 3
    text = _strip_zeros(f"{amount / 10_000:,.{decimals}f}")
    return ("0" if text in ("-0", "") else text) + ("万元" if unit else "")


def wan(yuan: float | None) -> float | None:
    """Yuan as a number of 万元 with two decimals, for table cells: 25480 -> 2.55 (missing stays None)."""
    amount = number_or_none(yuan)
    return None if amount is None else round(amount / 10_000, 2)


def fmt_yuan(yuan: float | None) -> str:
    """A per-head amount in whole 元 with 千分位: 1234.5 -> '1,235元'."""
    return MISSING if is_missing(yuan) else f"{round(float(yuan)):,}元"


def fmt_per_thousand(value: float | None) -> str:
    """A count per 1,000 persons, one decimal with 千分位, its unit said elsewhere: 1234.56 -> '1,234.6'."""
    return MISSING if is_missing(value) else f"{float(value):,.1f}"


def fmt_pct(value: float | None, decimals: int = 1) -> str:
    """A rate (already in percent): 96.24 -> '96.2%'."""
    if is_missing(value):
        return MISSING
    return f"{float(value):.{decimals}f}%"


def fmt_pp(value: float | None, signed: bool = False) -> str:
    """A difference of rates: 1.24 -> '1.2个百分点' (signed: '+1.2个百分点')."""
    if is_missing(value):
        return MISSING
    return f"{float(value):{'+' if signed else ''}.1f}个百分点"


def fmt_value(value: float | None, unit: str) -> str:
    """An indicator value in its unit: 元 as 万元, % with one decimal, counts whole with 千分位."""
    if unit == "元":
        return fmt_wan(value)
    if unit == "%":
        return fmt_pct(value)
    return fmt_count(value, unit)


def fmt_rate_with_n(numerator: float, denominator: float, unit: str, small: int = 10) -> str:
    """A rate, with how many it is of when the denominator is small: (4, 6, '条') -> '66.7%（共6条）'."""
    if not denominator:
        return MISSING
    rate = 100.0 * numerator / denominator
    text = fmt_pct(rate)
    return f"{text}（共{fmt_count(denominator, unit)}）" if denominator < small else text


def yoy_change(value: float | None, previous: float | None, unit: str) -> float | None:
    """同比 as shown, rounded to one decimal: the % change (个百分点 for rates); None when there is none to show
    (no previous value, or a previous amount or count of 0)."""
    if is_missing(value) or is_missing(previous):
        return None
    if unit == "%":
        change = float(value) - float(previous)
    elif float(previous) == 0:
        return None
    else:
        change = 100.0 * (float(value) - float(previous)) / float(previous)
    rounded = round(change, 1)
    return 0.0 if rounded == 0 else rounded  # -0.0 is 持平 too


def yoy_delta(value: float | None, previous: float | None, unit: str) -> str | None:
    """同比 for a table cell: '+12.3%', '-3.0%', '+1.2个百分点' for rates, '持平', or None."""
    change = yoy_change(value, previous, unit)
    if change is None:
        return None
    if change == 0:
        return FLAT
    return fmt_pp(change, signed=True) if unit == "%" else f"{change:+.1f}%"


def yoy_text(value: float | None, previous: float | None, unit: str, word: str = "同比") -> str | None:
    """同比 for a card: '同比 +12.3%' or '同比持平' (None: no 同比); `word` 环比 against the month before."""
    delta = yoy_delta(value, previous, unit)
    if delta is None:
        return None
    return f"{word}{delta}" if delta == FLAT else f"{word} {delta}"


_BRACKET_UNIT = re.compile(r"（([^（）]*)）\s*$")


def column_format(header: str) -> str | None:
    """The display format of a numeric table column, read from the unit in its header's brackets:
    （万元） two decimals with 千分位; a count unit whole with 千分位; （%） or a 率 column one decimal with %;
    （元…） whole 元; anything else (text columns, per-1000 figures) None or one decimal."""
    match = _BRACKET_UNIT.search(header)
    unit = match.group(1) if match else ""
    if unit == "万元":
        return WAN_COLUMN
    if unit == "%" or (not unit and header.endswith("率")):
        return RATE_COLUMN
    if unit.startswith("元"):
        return YUAN_COLUMN
    if unit == "个百分点":
        return PP_COLUMN
    if header.startswith("每千"):
        return PER_1000_COLUMN
    main = unit.split("，")[0]
    if main in COUNT_UNITS:
        return COUNT_COLUMN
    return None


def table_formats(frame: pd.DataFrame) -> dict[str, str]:
    """{column: printf format} for the numeric columns of a table as shown and downloaded: column_format() of the
    header, else whole numbers with 千分位 when every value is whole, else two decimals with 千分位."""
    formats = {}
    for header in frame.columns:
        column = frame[header]
        if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            continue
        chosen = column_format(str(header))
        if chosen is None:
            values = column.dropna().astype(float)
            chosen = COUNT_COLUMN if bool((values == values.round()).all()) else WAN_COLUMN
        formats[str(header)] = chosen
    return formats


def scope_label(names: list[str], limit: int = 3) -> str:
    """全县, the names joined, or '城关街道等5个乡镇（街道）' when there are many."""
    if not names:
        return "全县"
    if len(names) <= limit:
        return "、".join(names)
    return f"{names[0]}等{len(names)}个乡镇（街道）"


# --- Running text (dpf.narrative.sentences, the 简报): the number rule's wording ------------------------------------------


def yoy_words(value: float | None, previous: float | None, is_rate: bool = False, word: str = "同比") -> str | None:
    """同比 in words: '同比增长11.8%' / '同比下降3.0%' / '同比持平' (rounds to 0.0); a rate changes in 个百分点
    ('同比提高1.2个百分点'). None without a previous value, or when it was 0 (a count or amount). `word` 环比 says the
    change against the month before in the same words ('环比增长0.4%')."""
    change = yoy_change(value, previous, "%" if is_rate else "")
    if change is None:
        return None
    if change == 0:
        return f"{word}持平"
    if is_rate:
        return f"{word}{'提高' if change > 0 else '降低'}{fmt_pp(abs(change))}"
    return f"{word}{'增长' if change > 0 else '下降'}{abs(change):.1f}%"


def safe_filename(text: str) -> str:
    """A file name from words: path separators, characters Windows refuses and spaces become _."""
    return re.sub(r"[\\/:*?\"<>|\s]+", "_", text).strip("_")
