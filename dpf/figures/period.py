"""The span a view covers (期间): the year so far (年初至今) or one month of it, with its words and its neighbours.

Every figure of a view is computed over a Period: queries take its `year` and `month` (NULL = 年初至今; see
report_spans in queries/_macros.sql). A month view compares with the month before (环比; January with December of
the year before) and with the same month a year earlier (同比).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from dpf.figures.schedule import month_end
from dpf.formatting import fmt_date, fmt_year

YEAR_TO_DATE = "年初至今"
_MONTH_KEY = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Period:
    year: int
    month: int | None = None  # 1..12; None = 年初至今

    @property
    def is_month(self) -> bool:
        return self.month is not None

    @property
    def starts(self) -> date:
        return date(self.year, self.month or 1, 1)

    @property
    def ends(self) -> date:
        """The span's last day when complete: the month's last day, or 31 December."""
        return month_end(self.year, self.month or 12)

    @property
    def key(self) -> str | None:
        """The URL's ?month= value (2024-06), None for 年初至今."""
        return f"{self.year:04d}-{self.month:02d}" if self.month else None

    def cut(self, as_of: date) -> date:
        """The last day with figures: the span's last day, or the as-of date when the span is still running."""
        return min(self.ends, as_of)

    def is_partial(self, as_of: date) -> bool:
        """A month not complete at the as-of date (as-of 2024-06-15 for June)."""
        return self.month is not None and self.starts <= as_of < self.ends

    def prior(self) -> Period:
        """The month before (环比): January's is December of the year before. Only for a month."""
        if self.month is None:
            raise ValueError("年初至今没有环比")
        return Period(self.year - 1, 12) if self.month == 1 else Period(self.year, self.month - 1)

    def label(self, as_of: date | None) -> str:
        """2024年6月, 2024年6月（截至6月15日）for a month not complete yet; 2024年 / 2023年全年 for the year so far."""
        if self.month is None:
            return fmt_year(self.year, as_of)
        text = self.name
        if as_of is not None and self.is_partial(as_of):
            text += f"（截至{as_of.month}月{as_of.day}日）"
        return text

    @property
    def name(self) -> str:
        """The span in a title, a series or a file name: 2024年, or 2024年6月."""
        return f"{self.year}年{self.month}月" if self.month else f"{self.year}年"

    @property
    def last_year_name(self) -> str:
        """The span a year earlier, as a series name: 2023年同期, or 2023年6月."""
        return f"{self.year - 1}年{self.month}月" if self.month else f"{self.year - 1}年同期"

    @property
    def same_span_last_year(self) -> str:
        """What 同比 compares with: 上年同期, or 上年同月."""
        return "上年同月" if self.month else "上年同期"

    def short_label(self) -> str:
        """The 期间 filter's option: 年初至今 or 6月."""
        return YEAR_TO_DATE if self.month is None else f"{self.month}月"


def months_offered(year: int, as_of: date) -> list[int]:
    """The months of `year` a view may show: none after the as-of month (a year after as-of offers none)."""
    if year > as_of.year:
        return []
    last = as_of.month if year == as_of.year else 12
    return list(range(1, last + 1))


def parse_month_key(text: str) -> tuple[int, int]:
    """`2024-06` → (2024, 6); ValueError with a Chinese message otherwise."""
    found = _MONTH_KEY.match(text.strip())
    if not found or not 1 <= int(found.group(2)) <= 12:
        raise ValueError(f"月份应写作 年-月，例如 2024-06，而不是“{text}”。")
    return int(found.group(1)), int(found.group(2))


def period_for(year: int, month_key: str | None, as_of: date) -> Period:
    """The period a URL or command line asks for: `month_key` 2024-06 within `year`'s offered months, else the year
    so far. ValueError (Chinese) for a month outside the year or after the as-of month."""
    if not month_key:
        return Period(year)
    key_year, month = parse_month_key(month_key)
    if key_year != year:
        raise ValueError(f"月份 {month_key} 不在{year}年。")
    if month not in months_offered(year, as_of):
        raise ValueError(f"{key_year}年{month}月在数据截至日（{fmt_date(as_of)}）之后，尚无数据。")
    return Period(year, month)
