"""Every page of the dashboard, declared once: its file, navigation title and icon, group, header, narrative topic,
whether it draws charts and who may open it.

The navigation (ui.shell), each page's header and 要点 (the page reads its own row with `page_spec(__file__)`), the
tests and the benchmark read this table; nothing else names a page. A page whose file does not exist yet is left
out of the navigation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dpf.auth.access import Scope, may_import

PAGES_DIR = Path(__file__).resolve().parent.parent / "app_pages"


def everyone(scope: Scope) -> bool:
    return True


def unrestricted(scope: Scope) -> bool:
    """Not for a township account (数据状况 lists every import file and the county's tables)."""
    return not scope.is_restricted


@dataclass(frozen=True)
class PageSpec:
    """One page. `file` is under app_pages/ (an absolute path for a page elsewhere, as a test's); `title` names it in
    the navigation, the audit trail and its downloads' file names; `heading` is its header's title when that says
    more; `topic` is its 要点's page in dpf.narrative.sentences ("": no 要点); `charts`: it draws Plotly charts."""

    file: str
    title: str
    icon: str
    group: str
    heading: str = ""
    topic: str = ""
    charts: bool = True
    may_open: Callable[[Scope], bool] = everyone

    @property
    def path(self) -> Path:
        return PAGES_DIR / self.file

    @property
    def header(self) -> str:
        return self.heading or self.title

    @property
    def section_key(self) -> str:
        """The key of its table of sections (ui.sections.Sections): its tabs' widget and URL parameter."""
        return f"{Path(self.file).stem}_section"


WORK = "工作概况"
DATA = "数据"
PAGES: tuple[PageSpec, ...] = (
    PageSpec("overview.py", "总览", ":material/dashboard:", WORK, "县残联工作总览", "overview"),
    PageSpec("funds.py", "资金发放", ":material/payments:", WORK, topic="funds"),
    PageSpec("employment.py", "就业培训", ":material/work:", WORK, topic="employment"),
    PageSpec("rehab.py", "康复服务", ":material/healing:", WORK, topic="rehab"),
    PageSpec("targets.py", "年度目标", ":material/flag:", WORK, "年度目标完成情况", "targets"),
    PageSpec("data_status.py", "数据状况", ":material/fact_check:", DATA, charts=False, may_open=unrestricted),
    PageSpec("data_import.py", "数据导入", ":material/upload_file:", DATA, charts=False, may_open=may_import),
    PageSpec("scheduled_reports.py", "定时报告", ":material/schedule_send:", DATA, charts=False, may_open=may_import),
)


def page_spec(file: str | Path) -> PageSpec:
    """The row of a page file (a page passes its own `__file__`)."""
    path = Path(file).resolve()
    for spec in PAGES:
        if spec.path.resolve() == path:
            return spec
    raise LookupError(f"{path} is not declared in ui.page_table.PAGES")


def existing_pages() -> list[PageSpec]:
    """The declared pages whose file exists, in navigation order."""
    return [spec for spec in PAGES if spec.path.is_file()]
