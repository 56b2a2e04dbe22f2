"""What a file may hold (issue 17.7 and 8): size and row limits, every sheet, duplicated headers, unreadable files."""

from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile
from datetime import date

import pytest
from openpyxl import Workbook

from dpf.commands.ingest import run_import
from dpf.ingest.ledgers import LIMITS, LedgerError, Limits, read_ledgers
from dpf.ingest.merge import read_table
from tests.ingest_helpers import PAY_HEADERS, all_bytes, cert, csv_bytes, write_file, xlsx_bytes

TODAY = date(2024, 6, 15)
CARE = "重度残疾人护理补贴"
SHEET = "xl/worksheets/sheet1.xml"
SHEET_START = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def pay_rows(first: int, count: int, township: str = "城关镇") -> list[list[object]]:
    return [[f"测试{n}", cert(n), township, CARE, "2024-04", 80] for n in range(first, first + count)]


def with_sheet(chunks, dimension: str = "A1") -> bytes:
    """A real workbook whose first sheet's XML is replaced by the streamed `chunks` (never held whole)."""
    book = Workbook()
    book.active.append(["x"])
    source, out = zipfile.ZipFile(io.BytesIO(_save(book))), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != SHEET:
                target.writestr(item, source.read(item))
        with target.open(SHEET, "w", force_zip64=True) as sheet:
            sheet.write(SHEET_START + f'<dimension ref="{dimension}"/><sheetData>'.encode())
            for chunk in chunks:
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def bomb() -> bytes:
    """~136 MiB of sheet XML (one cell of 'A's) in a file of a few hundred KB."""
    megabyte = b"A" * (1 << 20)
    cell = (b'<row r="1"><c r="A1" t="inlineStr"><is><t>', *([megabyte] * 136), b"</t></is></c></row>")
    return with_sheet(cell)


def test_decompression_bomb_is_refused_before_parsing(data, tmp_path, capsys):
    content = bomb()
    assert len(content) < 1 << 20
    tracemalloc.start()
    with pytest.raises(LedgerError) as refused:
        read_ledgers("炸弹.xlsx", content)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "解压后约 136 MB，超过上限 128 MB" in str(refused.value)
    assert peak < 16 << 20  # nothing was expanded
    before = all_bytes(data)
    assert run_import([write_file(tmp_path, "炸弹.xlsx", content)], data, today=TODAY) == 2
    out = capsys.readouterr().out
    assert "超过上限 128 MB" in out and "没有可以导入的文件" in out
    assert all_bytes(data) == before


def test_a_bomb_that_under_declares_its_size_is_refused_not_expanded():
    content = bytearray(bomb())
    name = SHEET.encode()
    at = content.find(b"PK\x01\x02")
    while content[at + 46 : at + 46 + len(name)] != name:  # the sheet's central directory record
        at = content.find(b"PK\x01\x02", at + 4)
    content[at + 24 : at + 28] = struct.pack("<I", 1000)  # "1,000 bytes uncompressed"
    tracemalloc.start()
    with pytest.raises(LedgerError, match="Excel 文件无法"):
        read_ledgers("谎报.xlsx", bytes(content))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 16 << 20  # zipfile stops at the declared size, then the checksum fails


def test_a_cell_at_the_last_row_of_the_sheet_stops_at_the_row_limit():
    far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    content = with_sheet([far], dimension="A1:XFD1048576")
    with pytest.raises(LedgerError, match=f"超过 {LIMITS.rows:,} 行"):
        read_ledgers("远.xlsx", content)


def test_rows_per_file_are_capped_while_streaming():
    rows = [PAY_HEADERS, *pay_rows(1, 30)]
    small = Limits(rows=20)
    with pytest.raises(LedgerError, match="超过 20 行"):
        read_ledgers("a.xlsx", xlsx_bytes(rows), small)
    with pytest.raises(LedgerError, match="超过 20 行"):
        read_ledgers("a.csv", csv_bytes(rows), small)
    assert len(read_ledgers("a.csv", csv_bytes(rows), Limits(rows=31))[0].rows) == 30
    with pytest.raises(LedgerError, match="超过 0 MB"):
        read_ledgers("a.csv", csv_bytes(rows), Limits(csv_bytes=100))
    with pytest.raises(LedgerError, match="第 2 行格式有误"):
        read_ledgers("a.csv", ",".join(PAY_HEADERS).encode() + b'\n"' + b"x" * 200_000 + b'"\n')
    with pytest.raises(LedgerError, match="部件"):
        read_ledgers("a.xlsx", xlsx_bytes(rows), Limits(xlsx_entries=3))


def workbook(sheets: dict[str, list[list[object]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    return _save(book)


def test_every_ledger_sheet_is_imported_and_another_sheet_with_rows_is_named(data, tmp_path, capsys):
    content = workbook(
        {
            "城关1": [PAY_HEADERS, *pay_rows(1, 40)],
            "东城": [["东城街道 2024年4月"], PAY_HEADERS, *pay_rows(41, 30, "东城街道")],
            "填写说明": [["表头文字请勿修改"]],
            "汇总": [["乡镇", "人数"], ["城关镇", 70]],
            "空白": [],
        }
    )
    assert run_import([write_file(tmp_path, "四月.xlsx", content)], data, today=TODAY) == 1
    out = capsys.readouterr().out
    assert "四月.xlsx（工作表“城关1”）（资金发放花名册）：接受 40 行" in out
    assert "四月.xlsx（工作表“东城”）（资金发放花名册）：接受 30 行" in out
    assert "四月.xlsx（工作表“汇总”）：无法导入（工作表“汇总”有内容但未导入" in out
    assert "填写说明" not in out and "空白" not in out
    april = [r for r in read_table(data, "payments").to_pylist() if r["period"] == date(2024, 4, 1)]
    assert len(april) == 70


def test_one_ledger_sheet_beside_the_template_sheets_keeps_the_file_name(data, tmp_path, capsys):
    content = workbook({"资金发放花名册": [PAY_HEADERS, *pay_rows(1, 3)], "填写说明": [["说明"]], "可选值": [["项目"]]})
    assert run_import([write_file(tmp_path, "四月.xlsx", content)], data, today=TODAY) == 0
    assert "四月.xlsx（资金发放花名册）：接受 3 行，拒绝 0 行" in capsys.readouterr().out


def test_a_duplicated_header_is_refused_not_silently_used(data, tmp_path, capsys):
    rows = [[*PAY_HEADERS, "金额（元）"], *[[*r, 800] for r in pay_rows(1, 2)]]
    before = all_bytes(data)
    assert run_import([write_file(tmp_path, "两列金额.csv", csv_bytes(rows))], data, today=TODAY) == 2
    out = capsys.readouterr().out
    assert "表头重复：“金额（元）”出现 2 次（第 F、G 列）" in out
    assert all_bytes(data) == before


def test_an_unreadable_file_exits_2_and_does_not_claim_it_was_imported(data, tmp_path, capsys):
    before = all_bytes(data)
    assert run_import([write_file(tmp_path, "随便.csv", csv_bytes([["甲", "乙"], [1, 2]]))], data, today=TODAY) == 2
    out = capsys.readouterr().out
    assert "找不到台账的表头" in out and "没有可以导入的文件，未写入数据" in out and "此前已导入" not in out
    assert all_bytes(data) == before
    good = write_file(tmp_path, "好.csv", csv_bytes([PAY_HEADERS, *pay_rows(1, 2)]))
    bad = write_file(tmp_path, "坏.xlsx", b"PK\x03\x04 not a workbook")
    assert run_import([good, bad], data, today=TODAY) == 1  # one file in, one refused: not a clean 0
    assert "坏.xlsx：无法导入（Excel 文件无法打开" in capsys.readouterr().out
