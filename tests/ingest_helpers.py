"""Synthetic ledgers for the import tests: valid fake 证号, CSV/XLSX writers and a tiny base set."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from openpyxl import Workbook

from dpf.ingest.idcard import make_certificate
from tests.extract_builder import payment, town, write_set

KEY = "test-only-key-0123456789abcdef"  # set with monkeypatch.setenv; not a deployment key
TOWN = "990001100"  # 城关镇
TOWNSHIPS = [
    town(TOWN, "城关镇", "镇", 1),
    town("990001001", "东城街道", "街道", 2),
    town("990001200", "西河乡", "乡", 3),
]
BASE_AS_OF = date(2024, 3, 31)
PAY_HEADERS = ["姓名", "残疾人证号", "乡镇（街道）", "项目", "发放月份", "金额（元）"]


def cert(n: int, category: int = 4, grade: int = 1, female: bool = False) -> str:
    """A valid synthetic 证号: fake region 990001, birth 1970-01-01 + n days, sequence encodes sex."""
    birth = date.fromordinal(date(1970, 1, 1).toordinal() + n)
    sequence = 2 * n + (0 if female else 1)
    return make_certificate("990001", birth, sequence % 1000, category, grade)


def bad_check(number: str) -> str:
    """The same number with a wrong check character."""
    wrong = "0" if number[17] != "0" else "1"
    return number[:17] + wrong + number[18:]


def base_set(folder: Path) -> Path:
    """Townships plus one March greenhouse payment, so imports have something to merge with."""
    greenhouse = payment("BASE-0001", "sunshine_greenhouse", "2024-03-01", 100, project="base-project", township=TOWN)
    tables = {"townships": TOWNSHIPS, "persons": [], "payments": [greenhouse], "services": [], "rehab_needs": []}
    return write_set(folder, tables, BASE_AS_OF)


def csv_bytes(rows: list[list[object]], encoding: str = "utf-8-sig") -> bytes:
    text = "\n".join(",".join("" if v is None else str(v) for v in row) for row in rows) + "\n"
    return text.encode(encoding)


def xlsx_bytes(rows: list[list[object]], title_rows: int = 0) -> bytes:
    book = Workbook()
    sheet = book.active
    width = max(len(r) for r in rows)
    for index in range(title_rows):
        sheet.append(["2024年县残联资金发放花名册" if index == 0 else "填报单位：县残联（盖章）"])
        sheet.merge_cells(start_row=index + 1, start_column=1, end_row=index + 1, end_column=width)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_file(folder: Path, name: str, content: bytes) -> Path:
    path = folder / name
    path.write_bytes(content)
    return path


def all_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())
