"""The 要点 block on 总览, 资金发放, 就业培训, 康复服务 and 年度目标 (AppTest on the demo set): it says what dpf.narrative
says for the view, changes with the township, offers 复制要点; 总览 adds 预警 and the 工作简报 download."""

from __future__ import annotations

import pytest

from dpf.db import open_extracts
from dpf.indicators import codes_for_names
from dpf.narrative import alert_sentences, key_points
from dpf.narrative_data import collect_for_extracts
from tests.apptest_helpers import no_exception, rerun, run_page

PAGES = {"overview.py": "overview", "funds.py": "funds", "employment.py": "employment", "rehab.py": "rehab"}
PAGES["targets.py"] = "targets"
TOWNSHIP = "凤城街道"


def expected(demo_dir, page, names=()):
    extracts = open_extracts(demo_dir)
    data = collect_for_extracts(extracts, 2024, codes_for_names(extracts, list(names)))
    return data, "\n".join(f"- {s.text}" for s in key_points(data, page))


def bullets(at):
    return [m.value for m in at.markdown if m.value.startswith("- ")]


@pytest.mark.parametrize("page", list(PAGES))
def test_key_points_follow_the_township(demo_dir, page):
    at = run_page(demo_dir, page)
    assert no_exception(at)
    _, county = expected(demo_dir, PAGES[page])
    assert 3 <= county.count("\n- ") + 1 <= 6
    assert county in bullets(at)
    assert any(m.value == "**要点**" for m in at.markdown)
    copy = [c.value for c in at.code]
    assert county.replace("- ", "") in copy  # the 复制要点 popover holds the same sentences

    at.multiselect(key="township").select(TOWNSHIP)
    rerun(at, demo_dir)
    _, township = expected(demo_dir, PAGES[page], [TOWNSHIP])
    assert township != county and TOWNSHIP in township
    assert township in bullets(at)


def test_overview_alerts_and_brief_download(demo_dir):
    at = run_page(demo_dir)
    data, _ = expected(demo_dir, "overview")
    alerts = "\n".join(f"- {s.text}" for s in alert_sentences(data))
    assert alerts.startswith(
        "- 无障碍改造：完成年度目标的41.7%，低于序时进度33.2个百分点，凤城街道等5个乡镇尚无完成户。"
    )
    assert alerts in bullets(at)
    assert any(m.value == "**预警**" for m in at.markdown)
    buttons = [b for b in at.get("download_button") if "工作简报" in b.proto.label]
    assert len(buttons) == 1


def test_briefing_mode_keeps_the_key_points(demo_dir):
    at = run_page(demo_dir, "funds.py", query={"briefing": "1"})
    _, county = expected(demo_dir, "funds")
    assert county in bullets(at)
