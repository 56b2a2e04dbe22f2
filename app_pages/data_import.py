"""数据导入 (shown to the 数据管理员 role only, ui.shell):
templates, mode (新增 / 更正替换), upload, validation preview (before → after for 更正替换), confirm, summary.
Nothing is written before the confirm button; a wait for another import's lock is shown.

A form read from top to bottom (no tabs): each step shows only once the one before it is done."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.runtime.uploaded_file_manager import UploadedFile

from dpf.contract.catalogue import INDICATOR_BY_CODE, NEEDS, PROGRAM_BY_CODE, SERVICES
from dpf.exports.formats import XLSX_MIME
from dpf.formatting import fmt_count, fmt_date
from dpf.ingest.disk import disk_problem
from dpf.ingest.ledgers import LEDGERS, template_bytes, template_filename
from dpf.ingest.merge import ADD, MODE_NAMES, REPLACE
from dpf.ingest.pipeline import ImportRefused, Plan, commit, prepare
from dpf.ingest.preview import change_rows
from dpf.ingest.pseudonym import MissingKeyError, secret_key
from dpf.ingest.report import report_bytes
from dpf.ingest.validate import FileResult
from dpf.ingest.write import WriteError
from ui.context import View, current_view
from ui.downloads import NO_VALUE
from ui.header import page_header
from ui.page_table import page_spec
from ui.sections import Query, Section, Sections

SPEC = page_spec(__file__)
XLSX = XLSX_MIME
_PLAN, _OUTCOME = "import_plan", "import_outcome"


def _label(record: dict) -> str:
    for column, names in (("program", None), ("service", SERVICES), ("need", NEEDS), ("indicator", None)):
        code = record.get(column)
        if code:
            if column == "program":
                return PROGRAM_BY_CODE[code].name
            if column == "indicator":
                return INDICATOR_BY_CODE[code].name
            return names[code]
    return "持证残疾人" if "sex" in record else "满意度回访"


def _when(record: dict) -> str:
    for column in ("period", "served_on", "recorded_on", "surveyed_on", "certified_on"):
        if record.get(column):
            return f"{record[column]:%Y年%m月}"
    return f"{record['year']}年" if record.get("year") else ""


def preview(result: FileResult, names: dict[str, str]) -> pd.DataFrame:
    """The accepted rows of one file summarised by item, month and township (no personal data)."""
    rows = [
        {
            "项目": _label(r),
            "月份": _when(r),
            "乡镇（街道）": names.get(r.get("township_code") or "", "全县"),
            "amount": float(r.get("amount_yuan") or 0),
        }
        for r in result.records
    ]
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    summary = frame.groupby(["项目", "月份", "乡镇（街道）"], as_index=False).agg(
        行数=("amount", "size"), 金额=("amount", "sum")
    )
    summary["行数"] = summary["行数"].map(fmt_count)
    summary["金额（元）"] = summary.pop("金额").map(lambda v: f"{v:,.2f}" if v else "—")
    return summary


class _Wait:
    """Shows the lock's waiting message in `slot` (st.empty) while another import runs, and afterwards that
    the wait is over."""

    def __init__(self, slot):
        self.slot, self.waited = slot, False

    def __call__(self, message: str) -> None:
        self.waited = True
        self.slot.info(message, icon=":material/hourglass_top:")

    def over(self) -> None:
        if self.waited:
            self.slot.info("已等到另一个导入结束，随后完成了本次操作。", icon=":material/hourglass_bottom:")


def _fingerprint(files) -> str:
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.name.encode() + b"\0" + hashlib.sha256(f.getvalue()).digest())
    return digest.hexdigest()


MODE_CAPTIONS = [
    "只增加新的行：已导入过的行自动跳过，不会重复计数；不删除、不改动已有数据。",
    "用这些台账更正已导入的数据：其覆盖的项目、月份和乡镇的原有行全部换成台账中的行。确认前会列出导入前后的行数。",
]


def townships(view: View) -> pd.DataFrame:
    """The townships in official order (the templates' choices, the preview's names)."""
    return SECTIONS.frames(view, view)["townships_in_order"]


def templates_section(view: View) -> None:
    with st.expander("下载台账模板", expanded=False, icon=":material/download:"):
        st.caption("模板含表头、填写说明和可选值（项目名称、乡镇名称）。表头上方可以保留标题行。")
        names = list(townships(view)["name"])
        cols = st.columns(4)
        for index, ledger in enumerate(LEDGERS):
            cols[index % 4].download_button(
                ledger.title,
                data=template_bytes(ledger.kind, names),
                file_name=template_filename(ledger.kind),
                mime=XLSX,
                key=f"import_template_{ledger.kind}",
                on_click="ignore",
                icon=":material/table:",
            )


def key_problem() -> str | None:
    """Why nothing can be imported without the pseudonym key (None: the key is there)."""
    try:
        secret_key()
    except MissingKeyError as exc:
        return str(exc)
    return None


def checked_plan(
    view: View, uploads: list[UploadedFile], signature: str, mode: str, waiting: DeltaGenerator
) -> Plan | None:
    """The uploads checked row by row (kept in the session for these files and this mode); None after saying why
    they could not be checked."""
    plan: Plan | None = st.session_state.get(_PLAN, {}).get((signature, mode))
    if plan is not None:
        return plan
    try:
        with st.spinner("正在逐行检查……"):
            files = [(f.name, f.getvalue()) for f in uploads]
            wait = _Wait(waiting)
            plan = prepare(files, Path(view.folder), mode=mode, on_wait=wait)
            wait.over()
    except ImportRefused as exc:
        st.error(str(exc), icon=":material/error:")
        return None
    except OSError as exc:
        st.error(disk_problem(exc), icon=":material/hard_drive:")
        return None
    st.session_state[_PLAN] = {(signature, mode): plan}
    return plan


def results(plan: Plan, names: dict[str, str]) -> None:
    """Per file: its kind and how many rows can be imported; then each file's accepted rows summarised."""
    st.header("检查结果", anchor=False)
    rows = [
        {
            "文件": r.masked_name,
            "台账类型": r.label,
            "可导入行数": fmt_count(plan.accepted_in(index)),
            "有问题的行数": fmt_count(plan.rejected_in(index)),
        }
        for index, r in enumerate(plan.results)
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="import_results", placeholder=NO_VALUE)
    for index, result in enumerate(plan.results):
        if result.records:
            with st.expander(f"预览：{result.name}（{result.label}，{fmt_count(result.accepted)} 行）"):
                st.dataframe(
                    preview(result, names),
                    hide_index=True,
                    width="stretch",
                    key=f"import_preview_{index}",
                    placeholder=NO_VALUE,
                )


def rejections(plan: Plan) -> None:
    if not plan.rejections:
        return
    st.warning(
        f"共 {fmt_count(plan.rejected)} 行有问题，不会导入（其余行照常导入）。请按原因更正后重新导入这些行。",
        icon=":material/warning:",
    )
    table = pd.DataFrame(
        [{"文件": r.file, "行号": r.row, "列": r.column, "值": r.value, "原因": r.reason} for r in plan.rejections]
    )
    st.dataframe(table, hide_index=True, width="stretch", key="import_rejections", placeholder=NO_VALUE)
    st.download_button(
        "下载问题行清单（Excel）",
        data=report_bytes(plan.rejections),
        file_name="未导入的行.xlsx",
        mime=XLSX,
        key="import_report",
        on_click="ignore",
        icon=":material/download:",
    )


def replacements(plan: Plan) -> None:
    """更正替换: the rows of each programme, month and township before and after."""
    merged = plan.merged
    st.header("更正替换：导入前 → 导入后", anchor=False)
    if not merged.changes:
        st.info("这些台账与已有数据相同，更正替换不会改变任何行。", icon=":material/info:")
        return
    st.warning(
        f"确认后将删除（替换）已有的 {fmt_count(merged.removed)} 行，写入 {fmt_count(merged.added)} 行。"
        "请核对下表每个项目、月份和乡镇导入前后的行数。",
        icon=":material/warning:",
    )
    st.dataframe(
        pd.DataFrame(change_rows(merged.changes, plan.township_names)),
        hide_index=True,
        width="stretch",
        key="import_changes",
        placeholder=NO_VALUE,
    )


def confirm(plan: Plan, mode: str, signature: str, waiting: DeltaGenerator) -> None:
    """What the import will change and the button that writes it; after writing, the outcome and a rerun."""
    merged = plan.merged
    st.caption(
        f"导入后数据截至 {fmt_date(plan.new_as_of)}（原为 {fmt_date(plan.old_as_of)}）。"
        f"新增 {fmt_count(merged.added)} 行；此前已导入、自动跳过 "
        f"{fmt_count(sum(f.already for f in merged.files))} 行。"
    )
    label = (
        f"确认更正替换（删除 {fmt_count(merged.removed)} 行，写入 {fmt_count(merged.added)} 行）"
        if mode == REPLACE
        else f"确认导入（新增 {fmt_count(merged.added)} 行）"
    )
    if not st.button(label, type="primary", disabled=not merged.changes, key="import_confirm"):
        return
    try:
        with st.spinner("正在写入并检查新数据……"):
            done = commit(plan, on_wait=_Wait(waiting))
    except ImportRefused as exc:
        st.session_state.pop(_PLAN, None)
        st.error(str(exc), icon=":material/error:")
    except WriteError as exc:
        st.error(str(exc), icon=":material/error:")
    except OSError as exc:
        st.error(disk_problem(exc), icon=":material/hard_drive:")
    else:
        changed = "、".join(done.changed) if done.changed else "无"
        st.session_state[_OUTCOME] = {
            "signature": signature,
            "message": done.message,
            "detail": f"{MODE_NAMES[mode]}：接受 {fmt_count(plan.accepted)} 行，拒绝 {fmt_count(plan.rejected)} 行；"
            f"新增 {fmt_count(done.added)} 行，删除（替换） {fmt_count(done.removed)} 行；"
            f"更新的数据表：{changed}。看板各页面刷新后即显示新数据。",
        }
        st.session_state.pop(_PLAN, None)
        st.rerun()


def upload_section(view: View) -> None:
    """Mode, upload, the check's results, and the confirm button; the last import's outcome above them."""
    problem = key_problem()
    if problem:
        st.error(problem, icon=":material/key:")
        return
    mode = st.radio(
        "导入方式",
        [ADD, REPLACE],
        format_func=MODE_NAMES.get,
        captions=MODE_CAPTIONS,
        horizontal=True,
        key="import_mode",
    )
    waiting = st.empty()
    uploads = st.file_uploader(
        "上传台账（可多选；.xlsx 或 .csv）", type=["xlsx", "csv"], accept_multiple_files=True, key="import_files"
    )
    outcome = st.session_state.get(_OUTCOME)
    if outcome:
        st.success(outcome["message"], icon=":material/check_circle:")
        st.markdown(outcome["detail"])
    signature = _fingerprint(uploads) if uploads else None
    if outcome and signature == outcome["signature"]:
        st.info("以上文件已导入。如需导入其他台账，请先移除已上传的文件再上传。", icon=":material/info:")
        return
    if not uploads:
        return
    plan = checked_plan(view, uploads, signature, mode, waiting)
    if plan is None:
        return
    names = townships(view)
    results(plan, dict(zip(names["code"], names["name"], strict=True)))
    rejections(plan)
    if mode == REPLACE:
        replacements(plan)
    confirm(plan, mode, signature, waiting)


def intro(view: View) -> None:
    st.caption(
        "供数据管理员使用：把本月的花名册、台账（Excel .xlsx 或 CSV）导入看板。"
        "导入时逐行检查，有问题的行不导入并列出原因；姓名和证号不会写入看板数据。"
    )


SECTIONS = Sections(  # read from top to bottom: Sections.show_all, no tabs
    SPEC.section_key,
    [Section("台账模板", templates_section), Section("上传导入", upload_section)],
    needs=(Query("townships_in_order"),),  # the templates' choices and the preview's names
)


view = current_view()
if page_header(view, SPEC.header):
    SECTIONS.show_all(view, view, intro)
