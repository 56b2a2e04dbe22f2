"""Masking 证号 and names in what the import writes or prints (reports, log, dry-run lines).

证号 and other long numbers keep their first and last 4 characters (3408**********1234), enough for
staff to find the row together with the row number; a name keeps its first and last character (陈*红;
two characters: 陈*). Names are masked wherever they occur in the text, including inside free text
such as 合计：陈小红等2人.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# A run of 9 or more digits (an 证号 may end in X and carry category and grade digits after it).
_LONG_NUMBER = re.compile(r"\d{8,}[\dXx]*")
# A name inside a 合计/小计 line: 合计：陈小红等2人, 小计(陈小红、李四)
_TOTAL_NAMES = re.compile(r"(?<=[：:（(、,，])([\u4e00-\u9fff·]{2,4})(?=等|[、,，）)]|$)")


def mask_number(number: str) -> str:
    """3408021990010112341 -> 3408***********2341; shorter than 9 characters: unchanged."""
    if len(number) < 9:
        return number
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_name(name: str) -> str:
    """陈小红 -> 陈*红, 欧阳小红 -> 欧**红, 陈红 -> 陈*, 陈 -> *."""
    name = name.strip()
    if len(name) <= 1:
        return "*" * len(name)
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_text(text: str, names: Iterable[str] = ()) -> str:
    """`text` with every long number and every one of `names` masked (longest names first)."""
    text = _LONG_NUMBER.sub(lambda m: mask_number(m.group()), text)
    for name in sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True):
        text = text.replace(name, mask_name(name))
    return text


def mask_total_line(text: str) -> str:
    """Names written into a 合计/小计 line (合计：陈小红等2人 -> 合计：陈*红等2人)."""
    return _TOTAL_NAMES.sub(lambda m: mask_name(m.group()), text)
