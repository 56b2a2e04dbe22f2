"""Parsing ledger cells: months, dates, amounts, counts and the Chinese names of contract codes."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from dpf.contract.catalogue import INDICATORS, NEEDS, PROGRAMS, SERVICES
from dpf.ingest.ledgers import cell_text, is_blank, norm_name


class CellError(ValueError):
    """A cell that cannot be used; the message is the Chinese reason."""


_DATE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:月)?\s*(?:[-/.]?\s*(\d{1,2})\s*日?)?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"
)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})?")
EXCEL_EPOCH = date(1899, 12, 30)


def _parts(value: object) -> tuple[int, int, int | None]:
    if isinstance(value, datetime):
        return value.year, value.month, value.day
    if isinstance(value, date):
        return value.year, value.month, value.day
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 <= value <= 80000:  # an Excel date serial the cell format did not mark as a date
            day = EXCEL_EPOCH + timedelta(days=int(value))
            return day.year, day.month, day.day
        text = cell_text(value)
    else:
        text = str(value).strip()
    match = _DATE.fullmatch(text) or _COMPACT.fullmatch(text)
    if not match:
        raise CellError("无法识别的日期，请写成 2024-03-05、2024/3/5 或 2024年3月5日（月份写 2024-03 或 2024年3月）")
    year, month, day = match.groups()
    return int(year), int(month), int(day) if day else None


def parse_month(value: object, latest: date) -> date:
    """The first day of the month a cell names; not after `latest`'s month."""
    if is_blank(value):
        raise CellError("月份为空")
    year, month, _ = _parts(value)
    try:
        first = date(year, month, 1)
    except ValueError:
        raise CellError("不是真实的月份") from None
    if first.year < 2000:
        raise CellError("月份早于2000年，请核对")
    if first > latest.replace(day=1):
        raise CellError(f"月份晚于导入日期（{latest.isoformat()}），不能导入未来的月份")
    return first


def parse_day(value: object, latest: date, what: str = "日期") -> date:
    """A real calendar day, not after `latest`."""
    if is_blank(value):
        raise CellError(f"{what}为空")
    year, month, day = _parts(value)
    if day is None:
        raise CellError(f"{what}应精确到日（如 2024-03-05）")
    try:
        result = date(year, month, day)
    except ValueError:
        raise CellError(f"{what}不是真实的日期") from None
    if result.year < 1950:
        raise CellError(f"{what}早于1950年，请核对")
    if result > latest:
        raise CellError(f"{what}晚于导入日期（{latest.isoformat()}），不能导入未来的日期")
    return result


def parse_amount(value: object) -> Decimal:
    """Yuan > 0 with at most two decimals."""
    if is_blank(value):
        raise CellError("金额为空")
    if isinstance(value, float):
        text = repr(value)
    else:
        text = (
            str(value).strip().replace(",", "").replace("，", "").replace("元", "").replace("¥", "").replace("￥", "")
        )
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise CellError("金额不是数字") from None
    if not amount.is_finite():
        raise CellError("金额不是数字")
    if amount <= 0:
        raise CellError("金额必须大于 0")
    if amount != amount.quantize(Decimal("0.01")):
        raise CellError("金额最多两位小数（单位：元）")
    if amount >= Decimal("10000000000"):
        raise CellError("金额过大，请核对单位是否为元")
    return amount.quantize(Decimal("0.01"))


def parse_count(value: object, blank: int | None = 1) -> int:
    """A whole number >= 1 (blank gives `blank`)."""
    if is_blank(value):
        if blank is None:
            raise CellError("数量为空")
        return blank
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise CellError("数量不是整数") from None
    if not number.is_finite() or number != number.to_integral_value():
        raise CellError("数量应为整数")
    if number < 1:
        raise CellError("数量至少为 1")
    if number > 1_000_000:
        raise CellError("数量过大，请核对")
    return int(number)


def parse_number(value: object) -> float:
    if is_blank(value):
        raise CellError("目标值为空")
    try:
        number = float(str(value).strip().replace(",", "").replace("%", ""))
    except ValueError:
        raise CellError("目标值不是数字") from None
    if number < 0 or number != number:
        raise CellError("目标值不能为负数")
    return number


_YES = {"是", "满意", "非常满意", "比较满意", "基本满意", "y", "yes", "true", "1", "√"}
_NO = {"否", "不满意", "非常不满意", "n", "no", "false", "0", "×"}


def parse_yes_no(value: object) -> bool:
    text = norm_name(value).lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise CellError("请填“是”或“否”（也可填 满意 / 不满意）")


_FLAG_YES = {"是", "低保", "低保户", "困难", "困难户", "困难家庭", "y", "yes", "true", "1", "√"}
_FLAG_NO = {"否", "不是", "非", "n", "no", "false", "0", "×"}


def parse_hardship(value: object) -> bool | None:
    """低保/困难 of a 名册 row: yes, no, or unknown (blank)."""
    if is_blank(value):
        return None
    text = norm_name(value).lower()
    if text in _FLAG_YES:
        return True
    if text in _FLAG_NO:
        return False
    raise CellError("低保/困难请填“是”或“否”，不清楚时不填")


# --- Chinese names of contract codes ------------------------------------------------------

PROGRAM_ALIASES = {
    "护理补贴": "nursing_subsidy",
    "重度残疾人护理补贴": "nursing_subsidy",
    "生活补贴": "living_subsidy",
    "困难残疾人生活补贴": "living_subsidy",
    "燃油补贴": "wheelchair_fuel",
    "机动轮椅车燃油补贴": "wheelchair_fuel",
    "就业创业扶持": "entrepreneurship",
    "阳光大棚": "sunshine_greenhouse",
    "阳光大棚扶持": "sunshine_greenhouse",
    "助残基地": "assistance_base",
    "辅助性就业机构": "auxiliary_employment",
    "残疾学生资助": "student_aid",
    "残疾学生高等教育资助": "student_aid",
    "人工耳蜗": "cochlear_implant",
    "精神残疾人药费补助": "psychiatric_medication",
    "药费补助": "psychiatric_medication",
    "阳光家园": "sunshine_home",
    "阳光家园托养补助": "sunshine_home",
    "无障碍改造": "accessibility_retrofit",
}
SERVICE_ALIASES = {
    "职业技能培训": "vocational_training",
    "农村实用技术培训": "vocational_training",
    "技能培训": "vocational_training",
    "招聘会": "job_fair",
    "就业意向": "job_intention",
    "政策宣传": "policy_outreach",
    "办证": "certificate_issued",
    "换证": "certificate_issued",
    "上门康复": "home_rehab",
    "家庭医生上门康复": "home_rehab",
    "假肢矫形器适配": "prosthesis_fitting",
    "辅助器具适配": "device_fitting",
    "辅具发放": "device_issued",
    "辅具适配": "device_fitting",
    "托养服务": "respite_care",
    "志愿活动": "volunteer_activity",
}


def _lookup(names: dict[str, str], aliases: dict[str, str]) -> dict[str, str]:
    table = {norm_name(code): code for code in names}
    table.update({norm_name(name): code for code, name in names.items()})
    table.update({norm_name(alias): code for alias, code in aliases.items()})
    return table


PROGRAM_LOOKUP = _lookup({p.code: p.name for p in PROGRAMS}, PROGRAM_ALIASES)
SERVICE_LOOKUP = _lookup(SERVICES, SERVICE_ALIASES)
NEED_LOOKUP = _lookup(
    NEEDS, {"医疗": "basic_medical", "辅具": "assistive_device", "康复": "rehab_training", "护理": "nursing"}
)
INDICATOR_LOOKUP = _lookup({i.code: i.name for i in INDICATORS}, {})


def lookup_code(value: object, table: dict[str, str], what: str) -> str:
    if is_blank(value):
        raise CellError(f"{what}为空")
    code = table.get(norm_name(value))
    if code is None:
        raise CellError(f"“{cell_text(value)}”不是已知的{what}，请按模板“可选值”填写")
    return code
