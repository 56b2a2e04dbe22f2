"""定时报告 (shown to the 数据管理员 role only, ui.page_table): the schedules, the delivery log with each item's
result (已发送 / 补发 / 发送失败 with the server's reason) and a 发送测试 button per schedule.

A page read from top to bottom; the schedules are managed with `python -m dpf schedule add|remove` (the file holds
only the names of secrets, which stay on the server)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import streamlit as st

from dpf.auth import audit
from dpf.auth.access import may_import
from dpf.delivery.deliveries import FAILED, KIND_LABELS, SENT, Delivery, DeliveryLog, store_path
from dpf.delivery.runner import Runner
from dpf.delivery.schedules import (
    CHANNEL_LABELS,
    FORMAT_LABELS,
    WHAT_LABELS,
    Schedule,
    ScheduleError,
    load_schedules,
    schedules_file,
)
from ui.context import View, current_view
from ui.downloads import NO_VALUE
from ui.header import page_header
from ui.page_table import page_spec
from ui.sections import Section, Sections

SPEC = page_spec(__file__)
LOG_ROWS = 100
_RESULT = "delivery_test_result"


def _time(stamp: float | None) -> str:
    return datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M") if stamp else ""


def _latest(items: list[Delivery], schedule: str) -> str:
    """The schedule's most recent result in words: 已发送 3 / 发送失败 1 (of its latest sending)."""
    mine = [item for item in items if item.schedule == schedule]
    if not mine:
        return "尚未发送"
    period = mine[0].period
    counts = pd.Series([item.status_label for item in mine if item.period == period]).value_counts()
    return "，".join(f"{label} {count}" for label, count in counts.items())


def schedules_table(schedules: dict[str, Schedule], items: list[Delivery]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "名称": list(schedules),
            "发送时间": [s.when_text for s in schedules.values()],
            "内容": [WHAT_LABELS[s.what] for s in schedules.values()],
            "格式": ["、".join(FORMAT_LABELS[f] for f in s.formats) for s in schedules.values()],
            "收件人": ["；".join(r.label for r in s.recipients) for s in schedules.values()],
            "最近一次": [_latest(items, name) for name in schedules],
        }
    )


def log_table(items: list[Delivery]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "时间": [_time(item.sent_at or item.updated) for item in items],
            "定时报告": [item.schedule for item in items],
            "应发时间": [item.due_at.strftime("%Y-%m-%d %H:%M") for item in items],
            "类型": [KIND_LABELS.get(item.kind, item.kind) for item in items],
            "范围": [item.scope for item in items],
            "账号": [item.account or "" for item in items],
            "渠道": [CHANNEL_LABELS.get(item.channel, item.channel) for item in items],
            "状态": [item.status_label for item in items],
            "尝试次数": [item.attempts for item in items],
            "原因": [item.reason for item in items],
        }
    )


def send_test(view: View, path: Path, name: str) -> None:
    """One attempt at each recipient now, marked 发送测试 (what fails is retried by the runner)."""
    audit.record(view.folder, "delivery_test", view.account, view.access.role, page=SPEC.title, schedule=name)
    try:
        items = Runner(path, Path(view.folder)).send_now(name, test=True, patience=0)
    except ScheduleError as problem:
        st.session_state[_RESULT] = (name, [], str(problem))
        return
    rows = [(i.scope, CHANNEL_LABELS.get(i.channel, i.channel), i.status, i.status_label, i.reason) for i in items]
    st.session_state[_RESULT] = (name, rows, "")


def test_result() -> None:
    found = st.session_state.get(_RESULT)
    if not found:
        return
    name, rows, problem = found
    if problem:
        st.error(problem, icon=":material/error:")
        return
    for scope, channel, status, label, reason in rows:
        words = f"发送测试 {name} → {scope}（{channel}）：{label}{'，' + reason if reason else ''}"
        if status == SENT:
            st.success(words, icon=":material/check_circle:")
        elif status == FAILED:
            st.error(words, icon=":material/error:")
        else:
            st.warning(words + "（稍后由定时发送重试）", icon=":material/schedule:")


def intro(view: View) -> None:
    st.caption(
        "按时把各收件人范围内的简报发到邮箱、企业微信群、钉钉群或文件夹：乡镇账号只收到本乡镇（街道）的简报。"
        "用 python -m dpf schedule add 添加，python -m dpf schedule run 发送（make serve 已随看板启动）。"
    )


def _schedules() -> dict[str, Schedule] | None:
    """The schedules file's schedules; None (after saying why in Chinese) when it cannot be read."""
    try:
        return load_schedules(schedules_file())
    except ScheduleError as problem:
        st.error(str(problem), icon=":material/error:")
        return None


def schedules_section(view: View) -> None:
    st.subheader("已设置的定时报告")
    if not may_import(view.access):  # the navigation offers the page to the 数据管理员 only
        st.info("定时报告仅数据管理员登录后可见。", icon=":material/lock:")
        return
    path = schedules_file()
    schedules = _schedules()
    if schedules is None:
        return
    if not schedules:
        st.info(f"还没有定时报告（{path}）。", icon=":material/info:")
        return
    items = DeliveryLog(store_path(path)).recent(LOG_ROWS)
    st.dataframe(schedules_table(schedules, items), hide_index=True, width="stretch", key="reports_schedules")
    columns = st.columns(min(len(schedules), 4))
    for index, name in enumerate(schedules):
        if columns[index % len(columns)].button(f"发送测试：{name}", key=f"reports_test_{index}"):
            with st.spinner(f"正在发送测试：{name}…"):
                send_test(view, path, name)
            st.rerun()  # the tables show the result too
    test_result()


def log_section(view: View) -> None:
    st.subheader(f"发送记录（最近{LOG_ROWS}条）")
    if not may_import(view.access):
        return
    items = DeliveryLog(store_path(schedules_file())).recent(LOG_ROWS)
    if not items:
        st.info("暂无发送记录。", icon=":material/info:")
        return
    st.dataframe(log_table(items), hide_index=True, width="stretch", key="reports_log", placeholder=NO_VALUE)


SECTIONS = Sections(  # read from top to bottom: Sections.show_all, no tabs
    SPEC.section_key,
    [Section("定时报告", schedules_section), Section("发送记录", log_section, slide=False)],
)


view = current_view()
if page_header(view, SPEC.header):
    SECTIONS.show_all(view, view, intro)
