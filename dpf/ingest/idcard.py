"""残疾人证号: an 18-character 身份证号 (GB 11643, MOD 11-2 check character) + category + grade."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"  # index = sum % 11
_SHAPE = re.compile(r"\d{17}[\dX]\d{2}")


@dataclass(frozen=True)
class Certificate:
    number: str  # the normalised 20 characters (never written anywhere)
    sex: str  # 男 / 女
    birth_date: date
    category: int  # 1..7
    grade: int  # 1..4

    @property
    def birth_year(self) -> int:
        return self.birth_date.year


class CertificateError(ValueError):
    """The number is not a valid 残疾人证号; the message is Chinese and says why."""


def check_char(first17: str) -> str:
    """The GB 11643 MOD 11-2 check character of the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def normalise(value: object) -> str:
    text = "" if value is None else str(value)
    return re.sub(r"\s+", "", text).upper().replace("Ｘ", "X")


def parse_certificate(value: object, latest_birth: date | None = None) -> Certificate:
    """Validate a 残疾人证号 and derive sex, birth date, category and grade from it."""
    if isinstance(value, (int, float)):
        raise CertificateError("证号被存成了数字，末几位可能已丢失；请把该列设为“文本”格式后重新填写")
    number = normalise(value)
    if not number:
        raise CertificateError("残疾人证号为空")
    if len(number) != 20:
        raise CertificateError(f"残疾人证号应为 20 位（18 位身份证号 + 类别 + 等级），此处为 {len(number)} 位")
    if not _SHAPE.fullmatch(number):
        raise CertificateError("残疾人证号含有非法字符（只能是数字，第 18 位可为 X）")
    id18 = number[:18]
    if check_char(id18[:17]) != id18[17]:
        raise CertificateError("身份证号部分的校验位不正确（GB 11643），请核对号码是否抄错")
    try:
        birth = date(int(id18[6:10]), int(id18[10:12]), int(id18[12:14]))
    except ValueError:
        raise CertificateError("身份证号部分的出生日期不是真实日期") from None
    if birth.year < 1900 or (latest_birth is not None and birth > latest_birth):
        raise CertificateError("身份证号部分的出生日期不合理（早于1900年或晚于导入日期）")
    category, grade = int(number[18]), int(number[19])
    if not 1 <= category <= 7:
        raise CertificateError("证号第 19 位（残疾类别）应为 1–7")
    if not 1 <= grade <= 4:
        raise CertificateError("证号第 20 位（残疾等级）应为 1–4")
    sex = "男" if int(id18[16]) % 2 == 1 else "女"
    return Certificate(number, sex, birth, category, grade)


def make_certificate(region: str, birth: date, sequence: int, category: int, grade: int) -> str:
    """Build a valid (synthetic) 证号 — for tests and templates' examples only."""
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17) + f"{category}{grade}"
