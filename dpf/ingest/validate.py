"""Row-by-row validation of one ledger into contract rows, with a Chinese reason for every rejected row.

A row either becomes exactly one contract row or appears in the rejections (once per failing
column); nothing is dropped silently. Rules where the issue was silent:
- a row identical to an earlier accepted row of the same file is rejected as 重复行;
- blank rows between data rows are reported as 空行 (blank rows after the last data row are ignored);
- 合计/小计 rows are reported, not imported;
- 期次/备注 must not contain the row's 姓名 or a long number (they reach the extracts);
- free text (期次, 备注, 项目编号) must not start with = + - @ (a formula in Excel) nor hold control
  characters other than a line break;
- what a rejection shows (file, value, reason) has 证号 and the file's names masked (dpf.ingest.masking).
- a payment whose 备注 contains 补发 gets its own stable id (its identity adds 补发 and the amount), so it
  is a second payment beside the month's main one; its record carries `reissue=True` for the merge
  (not a contract column; the 备注 itself is not stored).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from dpf.contract.catalogue import EVENT_SERVICES, PROJECT_PROGRAMS
from dpf.exports.safe_cells import FORMULA_STARTS
from dpf.figures.schedule import month_end
from dpf.ingest.idcard import CertificateError, parse_certificate
from dpf.ingest.ledgers import (
    CERT,
    HARDSHIP,
    NAME,
    TOWNSHIP,
    Ledger,
    LedgerKind,
    Unreadable,
    cell_text,
    is_blank,
    norm_name,
    table_of,
)
from dpf.ingest.masking import mask_name, mask_number, mask_text, mask_total_line
from dpf.ingest.pseudonym import person_key, stable_id
from dpf.ingest.values import (
    INDICATOR_LOOKUP,
    NEED_LOOKUP,
    PROGRAM_LOOKUP,
    SERVICE_LOOKUP,
    CellError,
    lookup_code,
    parse_amount,
    parse_count,
    parse_day,
    parse_hardship,
    parse_month,
    parse_number,
    parse_yes_no,
)

_LONG_NUMBER = re.compile(r"\d{6,}")
_TOTAL = re.compile(r"^(合计|总计|小计|共计)")
REISSUE_MARK = "补发"  # in a payment's 备注: a second payment for the same person, programme and month


@dataclass(frozen=True)
class Rejection:
    file: str
    row: int | None  # the row number as the spreadsheet shows it; None for the whole file
    column: str
    value: str
    reason: str  # Chinese


@dataclass
class FileResult:
    name: str
    kind: LedgerKind | None
    records: list[dict] = field(default_factory=list)  # contract rows of table_of(kind)
    coverage: set[str] = field(default_factory=set)  # keys of existing rows this file replaces
    row_numbers: list[int] = field(default_factory=list)  # the sheet row of each record
    rejections: list[Rejection] = field(default_factory=list)
    rejected_rows: int = 0
    latest: date | None = None  # the latest day the accepted rows speak for
    problem: str | None = None  # the whole file could not be read
    names: frozenset[str] = frozenset()  # the 姓名 cells of the file, only to mask them in what is shown

    @property
    def masked_name(self) -> str:
        """The file name as reports and the log show it (证号 and the file's names masked)."""
        return mask_text(self.name, self.names)

    @property
    def table(self) -> str | None:
        return table_of(self.kind.kind) if self.kind else None

    @property
    def accepted(self) -> int:
        return len(self.records)

    @property
    def label(self) -> str:
        return self.kind.title if self.kind else "无法识别"


@dataclass(frozen=True)
class Context:
    key: bytes
    townships: dict[str, str]  # normalised name or code -> code
    today: date  # nothing may be dated after it


class RowError(Exception):
    def __init__(self, problems: list[tuple[str, object, str]]):
        super().__init__(problems)
        self.problems = problems  # (column, value, reason)


class _Row:
    """Collects the errors of one row so all of them are reported at once."""

    def __init__(self, values: dict[str, object]):
        self.values = values
        self.problems: list[tuple[str, object, str]] = []

    def get(self, column: str, parse, *args):
        value = self.values.get(column)
        try:
            return parse(value, *args)
        except (CellError, CertificateError) as exc:
            self.problems.append((column, value, str(exc)))
            return None

    def fail(self, column: str, reason: str) -> None:
        self.problems.append((column, self.values.get(column), reason))

    def done(self) -> None:
        if self.problems:
            raise RowError(self.problems)


def month_key(day: date) -> str:
    return day.isoformat()[:7]


def coverage_key(*parts: object) -> str:
    return "|".join("" if p is None else str(p) for p in parts)


def _township(row: _Row, ctx: Context, required: bool = True) -> str | None:
    value = row.values.get(TOWNSHIP)
    if is_blank(value):
        if required:
            row.fail(TOWNSHIP, "乡镇（街道）为空")
        return None
    code = ctx.townships.get(norm_name(value))
    if code is None:
        row.fail(TOWNSHIP, f"“{cell_text(value)}”不在乡镇（街道）名单中，请填写全称")
    return code


def _certificate(row: _Row, ctx: Context):
    return row.get(CERT, parse_certificate, ctx.today)


def _payee(row: _Row, ctx: Context) -> tuple[str | None, str | None]:
    """(证号, person_key) of the row's person; (None, None) when the 证号 is not valid."""
    cert = _certificate(row, ctx)
    return (cert.number, person_key(ctx.key, cert.number)) if cert is not None else (None, None)


def unsafe_text(text: str) -> str | None:
    """Why `text` may not go into the extracts as free text (a formula start, control characters), or None."""
    if text.startswith(FORMULA_STARTS):
        return f"不能以“{text[0]}”开头（Excel 会把它当作公式）；如需保留，请去掉开头的符号"
    if any(unicodedata.category(ch) == "Cc" and ch != "\n" for ch in text):
        return "含有不可见的控制字符（如制表符），请重新输入该单元格"
    return None


def _free_text(row: _Row, column: str, limit: int = 100) -> str | None:
    value = row.values.get(column)
    if is_blank(value):
        return None
    text = cell_text(value).replace("\r\n", "\n")
    if (unsafe := unsafe_text(text)) is not None:
        row.fail(column, f"{column}{unsafe}")
        return None
    name = cell_text(row.values.get(NAME))
    if (name and name in text) or _LONG_NUMBER.search(text):
        row.fail(column, f"{column}中不得填写姓名或证件号码（该列会进入统计数据）")
        return None
    return text[:limit]


# --- One parser per ledger kind: (record, identity for the id, coverage key, latest day) ----


def _payment(row: _Row, ctx: Context):
    program = row.get("项目", lookup_code, PROGRAM_LOOKUP, "资金项目")
    township = _township(row, ctx)
    period = row.get("发放月份", parse_month, ctx.today)
    amount = row.get("金额（元）", parse_amount)
    person = project = payee = None
    if program in PROJECT_PROGRAMS:
        code = cell_text(row.values.get("项目编号"))
        if not code:
            row.fail("项目编号", "该项目发给项目（阳光大棚、助残基地、辅助性就业机构），请填写项目编号")
        elif (unsafe := unsafe_text(code)) is not None:
            row.fail("项目编号", f"项目编号{unsafe}")
        else:
            payee = "project:" + norm_name(code)
            project = stable_id(ctx.key, "project", norm_name(code))
    elif program is not None:
        if CERT not in row.values:
            row.fail(CERT, "该项目发给个人，请使用资金发放花名册并填写残疾人证号")
        else:
            payee, person = _payee(row, ctx)
    note = cell_text(row.values.get("备注"))  # read for 补发 only, never stored; still no formula may pass
    if (unsafe := unsafe_text(note)) is not None:
        row.fail("备注", f"备注{unsafe}")
    reissue = REISSUE_MARK in note
    row.done()
    record = {
        "program": program,
        "person_key": person,
        "project_key": project,
        "township_code": township,
        "period": period,
        "amount_yuan": amount,
    }
    identity = ("payment", program, payee, month_key(period))
    if reissue:
        record["reissue"] = True
        identity = (*identity, REISSUE_MARK, amount)
    latest = month_end(period.year, period.month)
    return (
        record,
        identity,
        coverage_key(program, month_key(period), township),
        latest,
    )


def _service(row: _Row, ctx: Context):
    service = row.get("服务项目", lookup_code, SERVICE_LOOKUP, "服务项目")
    event = service in EVENT_SERVICES
    township = _township(row, ctx, required=not event)
    served_on = row.get("服务日期", parse_day, ctx.today, "服务日期")
    quantity = row.get("数量", parse_count)
    batch, detail = _free_text(row, "期次", 50), _free_text(row, "备注")
    person = payee = None
    if service is not None and not event:
        payee, person = _payee(row, ctx)
    row.done()
    record = {
        "service": service,
        "person_key": person,
        "township_code": township,
        "served_on": served_on,
        "quantity": quantity,
        "batch": batch,
        "detail": detail,
    }
    identity = ("service", service, payee, township, served_on.isoformat())
    return record, identity, coverage_key(service, month_key(served_on), township), served_on


def _later_day(row: _Row, ctx: Context, column: str, earlier: date | None, message: str) -> date | None:
    """An optional date column (None when blank) that may not fall before `earlier`: else the row fails."""
    if is_blank(row.values.get(column)):
        return None
    day = row.get(column, parse_day, ctx.today, column)
    if day and earlier and day < earlier:
        row.fail(column, message)
    return day


def _person(row: _Row, ctx: Context):
    cert = _certificate(row, ctx)
    township = _township(row, ctx)
    certified = row.get("发证日期", parse_day, ctx.today, "发证日期")
    cancelled = _later_day(row, ctx, "注销日期", certified, "注销日期早于发证日期")
    if cert is not None and certified is not None and certified < cert.birth_date:
        row.fail("发证日期", "发证日期早于证号中的出生日期")
    given = HARDSHIP in row.values  # a 名册 without the column leaves the stored flag as it is (dpf.ingest.merge)
    hardship = row.get(HARDSHIP, parse_hardship) if given else None
    row.done()
    key = person_key(ctx.key, cert.number)
    record = {
        "person_key": key,
        "township_code": township,
        "sex": cert.sex,
        "birth_year": cert.birth_year,
        "category": cert.category,
        "grade": cert.grade,
        "certified_on": certified,
        "cancelled_on": cancelled,
        **({"hardship": hardship} if given else {}),
    }
    return record, ("person", cert.number), key, max(d for d in (certified, cancelled) if d)


def _need(row: _Row, ctx: Context):
    cert = _certificate(row, ctx)
    township = _township(row, ctx)
    need = row.get("需求类别", lookup_code, NEED_LOOKUP, "需求类别")
    recorded = row.get("登记日期", parse_day, ctx.today, "登记日期")
    met = _later_day(row, ctx, "满足日期", recorded, "满足日期早于登记日期")
    row.done()
    record = {
        "person_key": person_key(ctx.key, cert.number),
        "township_code": township,
        "need": need,
        "recorded_on": recorded,
        "met_on": met,
    }
    identity = ("need", cert.number, need, recorded.isoformat())
    return record, identity, coverage_key(need, month_key(recorded), township), max(d for d in (recorded, met) if d)


def _survey(row: _Row, ctx: Context):
    cert = _certificate(row, ctx)
    township = _township(row, ctx)
    surveyed = row.get("回访日期", parse_day, ctx.today, "回访日期")
    satisfied = row.get("是否满意", parse_yes_no)
    row.done()
    record = {
        "person_key": person_key(ctx.key, cert.number),
        "township_code": township,
        "surveyed_on": surveyed,
        "satisfied": satisfied,
    }
    return record, ("survey", cert.number, surveyed.isoformat()), coverage_key(month_key(surveyed), township), surveyed


def _target(row: _Row, ctx: Context):
    year = row.get("年度", parse_count, None)
    if year is not None and not 2000 <= year <= ctx.today.year + 1:
        row.fail("年度", f"年度应在 2000 至 {ctx.today.year + 1} 之间")
    indicator = row.get("指标", lookup_code, INDICATOR_LOOKUP, "指标")
    township = _township(row, ctx, required=False)
    target = row.get("目标值", parse_number)
    note = _free_text(row, "备注")
    row.done()
    record = {"year": year, "indicator": indicator, "township_code": township, "target": target, "note": note}
    key = coverage_key(year, indicator, township)
    return record, ("target", key), key, None


PARSERS = {
    "payments": _payment,
    "payments_projects": _payment,
    "services": _service,
    "persons": _person,
    "rehab_needs": _need,
    "satisfaction": _survey,
    "targets": _target,
}
ID_COLUMNS = {"payments": "payment_id", "services": "service_id", "rehab_needs": "need_id", "satisfaction": "survey_id"}
# Kinds where a second row with the same identity is a contradiction, not a second event.
UNIQUE_IDENTITY = frozenset({"persons", "targets"})


def shown_value(column: str, value: object, names: frozenset[str]) -> str:
    """A rejected cell as the report shows it: names and 证号 masked, also inside free text."""
    text = cell_text(value)
    if column == NAME:
        return mask_name(text)
    if column == CERT:
        return mask_number(re.sub(r"\s", "", text))  # spaced or broken numbers too
    text = mask_text(text, names)
    return mask_total_line(text) if _TOTAL.match(text) else text


def unreadable_result(part: Unreadable) -> FileResult:
    """A file or sheet nothing of which is imported, as a result with one whole-part rejection."""
    result = FileResult(part.name, None, problem=part.reason)
    what = "整个文件" if part.whole_file else "该工作表"
    result.rejections.append(Rejection(result.masked_name, None, "", "", f"{what}未导入：{mask_text(part.reason)}"))
    return result


def beyond_header(letter: str, value: object) -> tuple[str, object, str]:
    """The rejection of a filled cell right of the header's last column: which column it belongs to is unknown."""
    return (
        f"第 {letter} 列",
        value,
        f"该行第 {letter} 列有内容，但表头没有这一列，无法判断属于哪一列，整行未导入。"
        "请检查是否多填了逗号、分隔符或错了列，改正后重新导入",
    )


def validate_ledger(ledger: Ledger, ctx: Context) -> FileResult:
    """Every data row of `ledger` either becomes a contract row or a rejection."""
    names = frozenset(n for _, v in ledger.rows if len(n := cell_text(v.get(NAME))) >= 2 and not _TOTAL.match(n))
    result = FileResult(ledger.name, ledger.kind, names=names)
    parse = PARSERS[ledger.kind.kind]
    table = table_of(ledger.kind.kind)
    rows = ledger.rows
    filled = [number in ledger.extra or any(not is_blank(x) for x in v.values()) for number, v in rows]
    last = max((i for i, full in enumerate(filled) if full), default=-1)
    seen: dict[tuple, int] = {}  # the row's cells -> the first accepted row number
    identities: Counter = Counter()
    first_of_identity: dict[tuple, int] = {}

    def reject(number: int, problems: list[tuple[str, object, str]]) -> None:
        result.rejected_rows += 1
        for column, value, reason in problems:
            shown = shown_value(column, value, names)
            result.rejections.append(Rejection(result.masked_name, number, column, shown, mask_text(reason, names)))

    for number, values in rows[: last + 1]:
        cells = tuple(cell_text(values.get(h)) for h in ledger.headers if h)
        if number in ledger.extra:
            reject(number, [beyond_header(letter, value) for letter, value in ledger.extra[number]])
            continue
        if not any(cells):
            reject(number, [("", "", "空行（表格中间的空白行，未导入）")])
            continue
        if any(_TOTAL.match(c) for c in cells[:3]):
            reject(number, [("", cells[0] if cells[0] else cells[1], "合计行，不作为记录导入")])
            continue
        try:
            record, identity, coverage, latest = parse(_Row(values), ctx)
        except RowError as exc:
            reject(number, exc.problems)
            continue
        if cells in seen:
            reject(number, [("", "", f"重复行：与第 {seen[cells]} 行完全相同，未重复计入")])
            continue
        if table in UNIQUE_IDENTITY and identity in first_of_identity:
            what = "同一证号" if table == "persons" else "同一年度、指标、乡镇的目标"
            reject(number, [("", "", f"{what}在本文件中已出现（第 {first_of_identity[identity]} 行），只能保留一行")])
            continue
        seen[cells] = number
        first_of_identity.setdefault(identity, number)
        occurrence = identities[identity]
        identities[identity] += 1
        if table in ID_COLUMNS:
            record[ID_COLUMNS[table]] = stable_id(ctx.key, *identity, occurrence)
        result.records.append(record)
        result.row_numbers.append(number)
        result.coverage.add(coverage)
        if latest is not None:
            result.latest = max(result.latest or latest, latest)
    return result
