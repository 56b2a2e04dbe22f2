"""`python -m dpf brief`: the 工作简报 of a data folder written to a file, with Chinese errors (never a traceback)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import duckdb

from dpf.data.db import open_extracts
from dpf.exports.brief import Brief, brief_for
from dpf.exports.brief_masthead import Masthead, masthead_for
from dpf.exports.deck import Deck, deck_for
from dpf.exports.deck_pdf import ConversionFailed
from dpf.exports.formats import BRIEF_FORMATS, DECK_FORMATS
from dpf.figures.indicators import DataUnavailable, codes_for_names
from dpf.figures.period import Period, parse_month_key, period_for

SLIDE_FORMATS = tuple(DECK_FORMATS)


def brief_bytes(brief: Brief, fmt: str, masthead: Masthead | None = None) -> bytes:
    """The 简报 in one of dpf.exports.formats.BRIEF_FORMATS (Word "docx", with its 版头 `masthead`; UTF-8 Markdown
    "md")."""
    return BRIEF_FORMATS[fmt].writer(brief, masthead)


def deck_bytes(deck: Deck, fmt: str) -> bytes:
    """The 汇报材料 in one of dpf.exports.formats.DECK_FORMATS (PowerPoint "pptx", PDF of the same slides "pdf")."""
    return DECK_FORMATS[fmt].writer(deck)


def chosen_period(year: int | None, month_key: str | None, as_of: date) -> Period:
    """The period `--year` / `--month` ask for (the month's year when only --month is given); ValueError in Chinese
    for a malformed month, a month of another year or one after the as-of month."""
    if month_key:
        key_year, _ = parse_month_key(month_key)
        return period_for(year or key_year, month_key, as_of)
    if year is None:
        raise ValueError("请给出年度（--year 2024）或月份（--month 2024-06）。")
    return Period(year)


def write_brief(
    folder: Path,
    year: int | None,
    township_names: Sequence[str],
    fmt: str,
    out: Path,
    month_key: str | None = None,
) -> int:
    """`python -m dpf brief`: 0 written; 2 with a Chinese message (unknown township, a bad or future month, unusable
    folder, disk). With `month_key` (2024-06) the 月度通报 of that month."""
    try:
        extracts = open_extracts(folder)
        if extracts.manifest is None:
            raise DataUnavailable(extracts.manifest_problem or "数据缺少 manifest.json。")
        period = chosen_period(year, month_key, extracts.manifest.as_of)
        if township_names and extracts.problem("townships"):
            raise DataUnavailable(extracts.problem("townships"))
        codes = codes_for_names(extracts, list(township_names)) if township_names else []
        if fmt in SLIDE_FORMATS:
            content = deck_bytes(deck_for(extracts, period.year, codes, month=period.month), fmt)
        else:
            masthead = masthead_for(extracts.manifest)  # its `county`, else XX县
            content = brief_bytes(brief_for(extracts, period.year, codes, month=period.month), fmt, masthead)
        out.write_bytes(content)
    except (ValueError, DataUnavailable, ConversionFailed) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except duckdb.Error as exc:
        print(f"错误：数据无法读取（{exc}）。请先运行 python -m dpf check 检查数据。", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"错误：无法写入 {out}（{exc.strerror or exc}）。", file=sys.stderr)
        return 2
    what = "汇报材料" if fmt in SLIDE_FORMATS else ("月度通报" if period.is_month else "简报")
    print(f"{what}已写入 {out}")
    return 0
