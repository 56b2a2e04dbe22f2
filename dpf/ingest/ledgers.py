"""Ledger kinds (花名册, 台账), their Chinese headers, reading .xlsx/.csv files and the templates."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from dpf.contract.catalogue import INDICATORS, NEEDS, PROGRAMS, PROJECT_PROGRAMS, SERVICES
from dpf.exports.safe_cells import neutralise_book

NAME, CERT, TOWNSHIP = "姓名", "残疾人证号", "乡镇（街道）"
HARDSHIP = "低保/困难"  # 持证残疾人名册's optional column: persons.hardship (困难残疾人生活补贴's 应补尽补)
HEADER_SCAN_ROWS = 30
REISSUE_NOTE = (
    "备注：本月已发过一笔、又为同一人（项目）同一项目同一月份补发时，在补发行的备注中填“补发”，该行作为另一笔发放导入，"
    "并在“数据状况”的疑似重复发放中列出。若是改正已导入的金额，不要填补发，请在导入时选择“更正替换”。"
)


@dataclass(frozen=True)
class LedgerKind:
    kind: str  # internal code, also the contract table it feeds
    title: str  # 资金发放花名册 …
    columns: tuple[str, ...]  # the template's headers, in order
    required: tuple[str, ...]  # headers that identify the kind (all must be present)
    notes: tuple[str, ...] = ()  # shown on the template's 填写说明 sheet


LEDGERS: tuple[LedgerKind, ...] = (
    LedgerKind(
        "payments",
        "资金发放花名册",
        (NAME, CERT, TOWNSHIP, "项目", "发放月份", "金额（元）", "备注"),
        ("项目", "发放月份", "金额（元）", TOWNSHIP),
        (
            "每行一人一月一笔；发放月份写 2024-03 或 2024年3月。",
            "项目填资金项目的中文名称（见“可选值”）。",
            REISSUE_NOTE,
        ),
    ),
    LedgerKind(
        "payments_projects",
        "项目扶持资金发放表",
        ("项目编号", TOWNSHIP, "项目", "发放月份", "金额（元）", "备注"),
        ("项目编号", "项目", "发放月份", "金额（元）", TOWNSHIP),
        ("用于发给项目（阳光大棚、助残基地、辅助性就业机构）的资金；项目编号为本单位给项目编的号。", REISSUE_NOTE),
    ),
    LedgerKind(
        "services",
        "服务台账",
        (NAME, CERT, TOWNSHIP, "服务项目", "服务日期", "数量", "期次", "备注"),
        ("服务项目", "服务日期"),
        (
            "招聘会、政策宣传、集中评残、志愿活动按场次登记，姓名、证号不填；县级活动乡镇可不填。",
            "数量：招聘会填参会企业数，政策宣传填发放材料份数，志愿活动填服务小时数，辅具发放填件数，其余填 1 或不填。",
        ),
    ),
    LedgerKind(
        "persons",
        "持证残疾人名册",
        (NAME, CERT, TOWNSHIP, "发证日期", "注销日期", HARDSHIP),
        (CERT, TOWNSHIP, "发证日期"),
        (
            "性别、出生年份、残疾类别和等级由证号自动得出，无需填写。",
            "注销日期：证件仍有效时不填。",
            "低保/困难：低保或其他困难家庭填“是”，不是填“否”，不清楚时不填（用于困难残疾人生活补贴的应补尽补统计）；"
            "没有这一列的名册照常导入，已导入的低保/困难情况不变。",
        ),
    ),
    LedgerKind(
        "rehab_needs",
        "康复需求台账",
        (NAME, CERT, TOWNSHIP, "需求类别", "登记日期", "满足日期"),
        ("需求类别", "登记日期"),
        ("需求类别：基本医疗、辅助器具、康复训练、护理照料。", "满足日期：需求尚未满足时不填。"),
    ),
    LedgerKind(
        "satisfaction",
        "满意度回访",
        (NAME, CERT, TOWNSHIP, "回访日期", "是否满意"),
        ("回访日期", "是否满意"),
        ("是否满意：填“是”或“否”（也可填 满意 / 不满意）。",),
    ),
    LedgerKind(
        "targets",
        "年度目标",
        ("年度", "指标", TOWNSHIP, "目标值", "备注"),
        ("年度", "指标", "目标值"),
        ("指标填指标的中文名称（见“可选值”）；乡镇（街道）不填表示全县目标。",),
    ),
)
LEDGER_BY_KIND = {k.kind: k for k in LEDGERS}
TABLE_OF_KIND = {"payments_projects": "payments"}


def table_of(kind: str) -> str:
    return TABLE_OF_KIND.get(kind, kind)


# --- Normalisation ------------------------------------------------------------------------

_QUOTES = "“”\"'‘’「」『』"


def norm_header(value: object) -> str:
    """Header text without spaces (half/full width) and with full-width brackets: 乡镇 (街道 ) -> 乡镇（街道）."""
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    text = re.sub(r"\s+", "", text).replace("(", "（").replace(")", "）")
    text = text.replace("*", "").replace("＊", "")  # 必填 markers
    return text


def norm_name(value: object) -> str:
    """A label for matching programme/service/township names: no spaces, quotes or bracket variants."""
    text = norm_header(value)
    return "".join(ch for ch in text if ch not in _QUOTES)


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- Reading ------------------------------------------------------------------------------


class LedgerError(ValueError):
    """The file cannot be read as a ledger; the message is Chinese."""


@dataclass(frozen=True)
class Limits:
    """What one file may hold before it is refused unread (a decompression bomb, a runaway export)."""

    rows: int = 200_000  # rows per file, all sheets together, counted while streaming
    columns: int = 100  # columns read per row (a ledger has at most 8; later columns are not read)
    xlsx_uncompressed: int = 128 * 1024 * 1024  # bytes of all zip entries together, before parsing
    xlsx_entries: int = 1_000  # zip entries (a real workbook has a few dozen)
    csv_bytes: int = 64 * 1024 * 1024


LIMITS = Limits()
# The template's own sheets: read past without a word when they hold no ledger header.
TEMPLATE_SHEETS = frozenset({"填写说明", "可选值"})


@dataclass
class Ledger:
    name: str  # the file name (no folder), with the sheet when a workbook holds several parts
    kind: LedgerKind
    headers: list[str]  # normalised header of each column ("" for unnamed)
    rows: list[tuple[int, dict[str, object]]] = field(default_factory=list)  # (sheet row number, {header: value})
    # sheet row number -> (column letter, value) of each filled cell right of the header's last column
    extra: dict[int, list[tuple[str, object]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Unreadable:
    """A file (or one sheet of it) that cannot be imported; nothing of it is imported."""

    name: str
    reason: str  # Chinese
    whole_file: bool = True


def _detect(cells: list[object]) -> LedgerKind | None:
    present = {norm_header(c) for c in cells if not is_blank(c)}
    # The most specific kind first (project payments also carry the payments headers).
    for kind in sorted(LEDGERS, key=lambda k: -len(k.required)):
        if set(kind.required) <= present:
            return kind
    return None


def _check_unique(headers: list[str]) -> None:
    seen: dict[str, list[str]] = {}
    for index, header in enumerate(headers, start=1):
        if header:
            seen.setdefault(header, []).append(get_column_letter(index))
    repeated = [(h, cols) for h, cols in seen.items() if len(cols) > 1]
    if repeated:
        which = "；".join(f"“{h}”出现 {len(cols)} 次（第 {'、'.join(cols)} 列）" for h, cols in repeated)
        raise LedgerError(f"表头重复：{which}，无法判断应使用哪一列。请删除或改名多余的列后重新导入。")


def _ledger_from_rows(name: str, rows: list[tuple[int, list[object]]]) -> Ledger:
    for index, (_, cells) in enumerate(rows[:HEADER_SCAN_ROWS]):
        kind = _detect(cells)
        if kind is None:
            continue
        headers = [norm_header(c) for c in cells]
        _check_unique(headers)
        ledger = Ledger(name, kind, headers)
        for number, values in rows[index + 1 :]:
            record = {h: (values[i] if i < len(values) else None) for i, h in enumerate(headers) if h}
            ledger.rows.append((number, record))
            width = len(headers)
            beyond = [
                (get_column_letter(i + 1), v) for i, v in enumerate(values[width:], start=width) if not is_blank(v)
            ]
            if beyond:
                ledger.extra[number] = beyond
        return ledger
    known = "、".join(k.title for k in LEDGERS)
    raise LedgerError(
        f"在前 {HEADER_SCAN_ROWS} 行中找不到台账的表头，无法判断是哪种台账（{known}）。"
        "请使用页面上提供的模板，保留表头文字。"
    )


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (what Chinese Excel writes)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise LedgerError("CSV 文件的编码无法识别（应为 UTF-8 或 GB18030/GBK）。请用 Excel 另存为“CSV UTF-8”后重试。")


def _too_many_rows(limits: Limits) -> LedgerError:
    return LedgerError(f"文件超过 {limits.rows:,} 行，未读取。请按月份或乡镇拆分成几个文件后分别导入。")


def _csv_rows(data: bytes, limits: Limits) -> list[tuple[int, list[object]]]:
    if len(data) > limits.csv_bytes:
        raise LedgerError(
            f"CSV 文件超过 {limits.csv_bytes // (1024 * 1024)} MB，未读取。请按月份或乡镇拆分成几个文件后分别导入。"
        )
    text = decode_csv(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows: list[tuple[int, list[object]]] = []
    try:
        for row in reader:
            if len(rows) >= limits.rows:
                raise _too_many_rows(limits)
            cells: list[object] = list(row[: limits.columns])
            rows.append((reader.line_num, cells))
    except csv.Error as exc:
        raise LedgerError(
            f"CSV 文件第 {reader.line_num} 行格式有误（引号不成对或单元格过长），未读取。请用 Excel 重新另存为 CSV。"
        ) from exc
    return rows


def _check_zip(data: bytes, limits: Limits) -> None:
    """Refuse a workbook whose zip would expand beyond the limits, before any XML is parsed."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as exc:
        raise LedgerError("Excel 文件无法打开（不是有效的 .xlsx 文件）。请确认是 .xlsx 格式且文件完整。") from exc
    if len(entries) > limits.xlsx_entries:
        raise LedgerError(f"Excel 文件内部包含 {len(entries):,} 个部件，远多于正常台账，未读取。")
    size = sum(e.file_size for e in entries)
    if size > limits.xlsx_uncompressed:
        mb = limits.xlsx_uncompressed // (1024 * 1024)
        raise LedgerError(
            f"Excel 文件解压后约 {size / (1024 * 1024):,.0f} MB，超过上限 {mb} MB，未读取"
            "（可能是异常文件）。请按月份或乡镇拆分，或另存为 CSV 后再导入。"
        )


def _xlsx_sheets(data: bytes, limits: Limits) -> list[tuple[str, list[tuple[int, list[object]]]]]:
    """(sheet title, rows) of every sheet, streamed read-only; trailing empty cells of a row dropped."""
    _check_zip(data, limits)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise LedgerError(f"Excel 文件无法打开（{type(exc).__name__}）。请确认是 .xlsx 格式且文件完整。") from exc
    sheets, count = [], 0
    try:
        for sheet in book.worksheets:
            sheet.reset_dimensions()  # the declared size may be a lie; read only the rows that are there
            rows = []
            for number, values in enumerate(sheet.iter_rows(max_col=limits.columns, values_only=True), start=1):
                count += 1
                if count > limits.rows:
                    raise _too_many_rows(limits)
                cells = list(values) if any(v is not None for v in values) else []
                while cells and is_blank(cells[-1]):
                    cells.pop()
                rows.append((number, cells))
            sheets.append((sheet.title, rows))
    except LedgerError:
        raise
    except Exception as exc:
        raise LedgerError(f"Excel 文件无法读取（{type(exc).__name__}）。请确认文件完整。") from exc
    finally:
        book.close()
    return sheets


def _has_content(rows: list[tuple[int, list[object]]]) -> bool:
    return any(not is_blank(c) for _, cells in rows for c in cells)


def _workbook_parts(name: str, sheets: list[tuple[str, list]]) -> list[Ledger | Unreadable]:
    """Every sheet with a ledger header is a part of its own; any other sheet with content is refused by name.

    The template's 填写说明 and 可选值 sheets are passed over. A workbook with one part keeps the file name;
    with several, each part is named 文件（工作表“…”） so staff can find its rows.
    """
    ledgers: list[tuple[str, Ledger]] = []
    errors: list[tuple[str, LedgerError]] = []
    for title, rows in sheets:
        if not _has_content(rows):
            continue
        try:
            ledgers.append((title, _ledger_from_rows(name, rows)))
        except LedgerError as exc:
            if title not in TEMPLATE_SHEETS:
                errors.append((title, exc))
    if not ledgers:
        if len(errors) == 1:
            raise errors[0][1]
        if not errors:
            raise LedgerError("Excel 文件中没有数据。")
    parts: list[Ledger | Unreadable] = []
    several = len(ledgers) + len(errors) > 1
    for title, ledger in ledgers:
        ledger.name = f"{name}（工作表“{title}”）" if several else name
        parts.append(ledger)
    for title, exc in errors:
        reason = f"工作表“{title}”有内容但未导入：{exc}若不是台账，请删除该工作表后重新导入。"
        parts.append(Unreadable(f"{name}（工作表“{title}”）", reason, whole_file=False))
    return parts


def read_ledgers(name: str, data: bytes, limits: Limits = LIMITS) -> list[Ledger | Unreadable]:
    """Read one uploaded/opened file: each ledger in it (below any title rows) and each sheet refused.

    Raises LedgerError when nothing of the file can be read (type, encoding, size, no header).
    """
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        return [_ledger_from_rows(name, _csv_rows(data, limits))]
    if suffix in (".xlsx", ".xlsm"):
        return _workbook_parts(name, _xlsx_sheets(data, limits))
    if suffix == ".xls":
        raise LedgerError("不支持旧版 .xls 文件。请在 Excel 中“另存为” .xlsx 或 CSV 后再导入。")
    raise LedgerError(f"不支持的文件类型“{suffix or '无扩展名'}”，请上传 .xlsx 或 .csv 文件。")


# --- Templates ----------------------------------------------------------------------------


def allowed_values(kind: str) -> list[tuple[str, list[str]]]:
    """(column, allowed Chinese values) shown on a template's 可选值 sheet."""
    if kind == "payments":
        return [("项目", [p.name for p in PROGRAMS if p.code not in PROJECT_PROGRAMS])]
    if kind == "payments_projects":
        return [("项目", [p.name for p in PROGRAMS if p.code in PROJECT_PROGRAMS])]
    if kind == "services":
        return [("服务项目", list(SERVICES.values()))]
    if kind == "rehab_needs":
        return [("需求类别", list(NEEDS.values()))]
    if kind == "satisfaction":
        return [("是否满意", ["是", "否"])]
    if kind == "targets":
        return [("指标", [i.name for i in INDICATORS])]
    return []


def template_bytes(kind: str, townships: list[str] | None = None) -> bytes:
    """An empty .xlsx template: the header row, a 填写说明 sheet and the allowed values."""
    ledger = LEDGER_BY_KIND[kind]
    book = Workbook()
    sheet = book.active
    sheet.title = ledger.title
    sheet.append(list(ledger.columns))
    for index, column in enumerate(ledger.columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        sheet.column_dimensions[get_column_letter(index)].width = max(12, 3 * len(column) + 4)
        if column == CERT:
            for row in range(2, 2001):  # text, so Excel keeps all 20 characters
                sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("填写说明")
    notes.append([f"{ledger.title}：填写说明"])
    for line in (
        *ledger.notes,
        "表头文字请勿修改；表头上方可以有标题行。",
        "残疾人证号为 20 位：18 位身份证号 + 残疾类别（1–7）+ 残疾等级（1–4），请把该列设为“文本”。",
        "日期可写 2024-03-05、2024/3/5、2024年3月5日，或使用 Excel 日期格式；月份可写 2024-03 或 2024年3月。",
        "金额单位为元，大于 0，最多两位小数。",
        "乡镇（街道）填全称，须与系统中的乡镇名称一致。",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    values = allowed_values(kind)
    if townships:
        values.append((TOWNSHIP, townships))
    if values:
        allowed = book.create_sheet("可选值")
        for col, (column, items) in enumerate(values, start=1):
            allowed.cell(row=1, column=col, value=column).font = Font(bold=True)
            allowed.column_dimensions[get_column_letter(col)].width = 32
            for row, item in enumerate(items, start=2):
                allowed.cell(row=row, column=col, value=item)
    neutralise_book(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_filename(kind: str) -> str:
    return f"模板_{LEDGER_BY_KIND[kind].title}.xlsx"


def cell_text(value: object) -> str:
    """A cell as text for reports and previews (dates as 2024-03-05)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
