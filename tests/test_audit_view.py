"""The 访问记录 table's words for the trail's codes: a known code its label, anything else as today."""

import pytest

from dpf.auth.accounts import ROLE_LABELS
from dpf.auth.audit import EVENT_LABELS
from ui.audit_view import _worded


@pytest.mark.parametrize(
    ("labels", "value", "otherwise", "shown"),
    [
        (EVENT_LABELS, "login_ok", "login_ok", "登录"),
        (EVENT_LABELS, "an_older_event", "an_older_event", "an_older_event"),  # kept as written
        (EVENT_LABELS, None, None, None),  # a line without an event
        (ROLE_LABELS, "admin", "", "数据管理员"),
        (ROLE_LABELS, None, "", ""),
        (ROLE_LABELS, 3, "", ""),  # not a code at all
    ],
)
def test_a_code_is_worded_by_its_label_else_kept(labels, value, otherwise, shown):
    assert _worded(labels, value, otherwise) == shown
