"""数据状况's 访问记录: the audit trail's recent events, for the data administrator only."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from dpf.auth import audit
from dpf.auth.accounts import ADMIN, ROLE_LABELS
from ui.context import View
from ui.downloads import NO_VALUE

RECENT_EVENTS = 50


def _worded(labels: Mapping[str, str], value: object, otherwise: object) -> object:
    """The label of a known code, else `otherwise` (a line of the trail is whatever JSON it holds)."""
    return labels[value] if isinstance(value, str) and value in labels else otherwise


def audit_section(view: View) -> None:
    if view.access.role != ADMIN:
        if view.briefing:  # its own 简报模式 frame says why it is empty
            st.info("访问记录仅数据管理员登录后可见。", icon=":material/lock:")
        return
    st.header("访问记录（最近50条）", anchor=False)
    st.caption("登录、退出、查看页面和下载都会记录（不含密码和个人信息），完整记录见服务器上的 audit.jsonl。")
    events = audit.recent(view.folder, RECENT_EVENTS)
    if not events:
        st.info("暂无访问记录。", icon=":material/info:")
        return
    rows = pd.DataFrame(
        {
            "时间": [e.get("time", "")[:19].replace("T", " ") for e in events],
            "事件": [_worded(audit.EVENT_LABELS, e.get("event"), e.get("event")) for e in events],
            "账号": [e.get("account") or "（未知账号）" for e in events],
            "角色": [_worded(ROLE_LABELS, e.get("role"), "") for e in events],
            "页面": [e.get("page") or "" for e in events],
            "范围": [e.get("scope") or "" for e in events],
            "文件": [e.get("file") or "" for e in events],
        }
    )
    st.dataframe(rows, hide_index=True, width="stretch", key="status_audit", placeholder=NO_VALUE)
