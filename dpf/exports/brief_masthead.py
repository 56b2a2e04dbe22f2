"""The header block (版头) of the Word 简报 in 公文 form: 期号, 编发单位 and date, from the manifest's optional fields.

A folder whose manifest leaves them out still gets a header: 编发单位 from the county's name (XX县残疾人联合会), the
期号 left blank (第　期) to be filled in by hand, and the date the set was written (else 数据截至).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from dpf.contract.manifest import Manifest
from dpf.exports.brief import DEFAULT_COUNTY
from dpf.formatting import fmt_date

FEDERATION = "残疾人联合会"
BLANK_ISSUE = "第　期"


@dataclass(frozen=True)
class Masthead:
    issue: str  # 2024年第9期, 第9期, or 第　期
    issuer: str  # 怀宁县残疾人联合会
    issued_on: str  # 2024年10月2日 ('' when unknown)


def issue_text(issue_no: str) -> str:
    """The 期号 as printed: 9 → 第9期, 2024年第9期 as written, nothing → 第　期."""
    issue_no = issue_no.strip()
    if not issue_no:
        return BLANK_ISSUE
    return f"第{issue_no}期" if issue_no.isdigit() else issue_no


def _written_on(manifest: Manifest) -> date:
    """The day the set was written (generated_at), else its 数据截至."""
    try:
        return datetime.fromisoformat(manifest.generated_at).date()
    except ValueError:
        return manifest.as_of


def masthead_for(manifest: Manifest | None, county: str = DEFAULT_COUNTY) -> Masthead:
    """The 版头 of a folder's 简报 (`county`: the county's name when the manifest does not give one)."""
    if manifest is None:
        return Masthead(BLANK_ISSUE, f"{county}{FEDERATION}", "")
    name = manifest.county or county
    return Masthead(
        issue_text(manifest.issue_no), manifest.issuer or f"{name}{FEDERATION}", fmt_date(_written_on(manifest))
    )
