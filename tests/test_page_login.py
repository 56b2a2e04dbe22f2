"""Login, logout, lock, idle timeout and roles in AppTest, on the demo set with an accounts file."""

from __future__ import annotations

import json
import time

import pytest
from filelock import FileLock
from streamlit.testing.v1 import AppTest

from dpf.auth import lockout
from dpf.auth.lockout import MAX_FAILURES
from dpf.auth.login import LOCKED, WRONG
from dpf.auth.sessions import sessions_file
from dpf.figures.indicators import township_table
from tests.apptest_helpers import REPO, data_folder, declared_sections, no_exception, run_page, with_accounts
from tests.ingest_helpers import base_set

LONGSHAN = "349001101"  # 龙山镇 in the demo set


@pytest.fixture
def accounts(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_AUDIT_DIR", str(tmp_path / "audit"))
    # the page's growing wait before a wrong password's answer (tests/test_lockout.py holds its figures) would add
    # 0.25 + 0.5 + 1 + 2 + 4 s per locked name here
    monkeypatch.setattr(lockout, "delay_seconds", lambda failures: 0.0)
    return with_accounts(
        monkeypatch,
        tmp_path,
        boss=("county", ()),
        longshan=("township", (LONGSHAN,)),
        clerk=("admin", ()),
    )


def app(folder, query: dict | None = None) -> AppTest:
    with data_folder(folder):
        at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=60)
        for key, value in (query or {}).items():
            at.query_params[key] = value
        at.run()
    return at


def login(at: AppTest, folder, name: str, password: str | None = None) -> AppTest:
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(password or f"password-{name}")
    with data_folder(folder):
        next(b for b in at.button if b.label == "登录").click().run()
    return at


def events(tmp_path) -> list[dict]:
    lines = (tmp_path / "audit" / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def other_names(demo_dir) -> set[str]:
    towns = township_table_of(demo_dir)
    return {name for code, name in towns if code != LONGSHAN}


def township_table_of(folder) -> list[tuple[str, str]]:
    from dpf.data.db import open_extracts

    table = township_table(open_extracts(folder))
    return list(zip(table["code"], table["name"], strict=True))


def shown_text(at: AppTest) -> str:
    """Every markdown, metric, chart spec and table the run produced, as one text."""
    parts = [m.value for m in at.markdown] + [f"{m.label} {m.value}" for m in at.metric]
    parts += [c.value for c in at.caption] + [i.value for i in at.info] + [w.value for w in at.warning]
    parts += [json.dumps(json.loads(chart.proto.spec), ensure_ascii=False) for chart in at.get("plotly_chart")]
    parts += [frame.value.to_csv() for frame in at.dataframe]
    return "\n".join(parts)


def test_not_logged_in_shows_only_the_form(accounts, demo_dir):
    at = app(demo_dir, {"township": "城关街道"})
    assert no_exception(at)
    assert [t.label for t in at.text_input] == ["用户名", "密码"]
    assert not at.metric and not at.dataframe and not at.get("plotly_chart")
    assert "数据截至" not in shown_text(at)


def test_wrong_passwords_lock_without_telling_whether_the_account_exists(accounts, demo_dir, tmp_path):
    for name in ("boss", "nobody"):
        at = app(demo_dir)
        for _ in range(MAX_FAILURES - 1):
            login(at, demo_dir, name, "wrong-password")
            assert [e.value for e in at.error] == [WRONG]
        login(at, demo_dir, name, "wrong-password")
        assert [e.value for e in at.error] == [LOCKED]
    login(at, demo_dir, "boss")  # the right password is refused while locked
    assert [e.value for e in at.error] == [LOCKED] and not at.metric
    logged = [(e["event"], e["account"]) for e in events(tmp_path)]
    assert logged.count(("login_failed", "boss")) == 4 and ("login_locked", "boss") in logged
    assert ("login_failed", None) in logged  # an unknown name is not written down
    assert "wrong-password" not in (tmp_path / "audit" / "audit.jsonl").read_text(encoding="utf-8")


def test_township_account_sees_only_its_township(accounts, demo_dir, tmp_path):
    at = login(app(demo_dir, {"township": "城关街道"}), demo_dir, "longshan")  # the URL names another township
    assert no_exception(at)
    assert at.sidebar.multiselect[0].options == ["龙山镇"]
    assert any("范围：龙山镇" in m.value for m in at.markdown)
    assert any("账号：longshan（乡镇）" in c.value for c in at.sidebar.caption)
    text = shown_text(at)
    assert "龙山镇（第" in text and "/23）" in text  # its own rank in the ranking
    leaked = [name for name in other_names(demo_dir) if name in text]
    assert leaked == []
    titles = [b.label for b in at.sidebar.button]
    assert "退出登录" in titles
    views = [e for e in events(tmp_path) if e["event"] == "page_view"]
    assert views[-1]["scope"] == "龙山镇" and views[-1]["role"] == "township" and views[-1]["page"] == "总览"


def test_county_sees_every_township_and_admin_alone_imports(accounts, demo_dir):
    county = login(app(demo_dir), demo_dir, "boss")
    assert len(county.sidebar.multiselect[0].options) == 23
    text = shown_text(county)
    assert all(name in text for name in other_names(demo_dir))  # the ranking lists them all
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        county.switch_page("app_pages/data_import.py")  # not a page of the county's navigation
    admin = login(app(demo_dir), demo_dir, "clerk")
    with data_folder(demo_dir):
        admin.switch_page("app_pages/data_import.py").run()
    assert any(t.value == "数据导入" for t in admin.title)
    with data_folder(demo_dir):
        county.switch_page("app_pages/data_status.py").run()
    assert not any("访问记录" in s.value for s in county.header)  # the audit section is the admin's
    with data_folder(demo_dir):
        admin.switch_page("app_pages/data_status.py").run()
    assert any("访问记录" in s.value for s in admin.header)


def test_logout_and_idle_timeout_end_the_session(accounts, demo_dir, tmp_path, monkeypatch):
    at = login(app(demo_dir), demo_dir, "boss")
    assert at.metric
    with data_folder(demo_dir):
        next(b for b in at.sidebar.button if b.label == "退出登录").click().run()
    assert not at.metric and [t.label for t in at.text_input] == ["用户名", "密码"]
    login(at, demo_dir, "boss")
    seen_long_ago(accounts, 31 * 60)  # default: 30 minutes
    with data_folder(demo_dir):
        at.run()
    assert not at.metric and any("已自动退出登录" in i.value for i in at.info)
    ended = [e["event"] for e in events(tmp_path) if e["event"] in {"logout", "idle_logout"}]
    assert ended == ["logout", "idle_logout"]


def seen_long_ago(users, seconds: float) -> None:
    """Every session of the accounts file last seen `seconds` ago (dpf.auth.sessions' file, under its lock)."""
    path = sessions_file(users)
    with FileLock(str(path) + ".lock"):
        state = json.loads(path.read_text(encoding="utf-8"))
        for entry in state["sessions"].values():
            entry["last_seen"] = time.time() - seconds
        path.write_text(json.dumps(state), encoding="utf-8")


def test_removed_account_is_logged_out(accounts, demo_dir):
    from dpf.auth.accounts import remove_account

    at = login(app(demo_dir), demo_dir, "boss")
    remove_account(accounts, "boss")
    with data_folder(demo_dir):
        at.run()
    assert not at.metric and at.text_input


def test_real_data_without_accounts_is_closed_unless_opened(tmp_path, monkeypatch):
    data = base_set(tmp_path / "extracts")
    monkeypatch.delenv("DASHBOARD_ALLOW_ANONYMOUS")
    at = app(data)
    assert no_exception(at)
    assert any("python -m dpf users add" in e.value for e in at.error)
    assert not at.metric and not at.text_input
    monkeypatch.setenv("DASHBOARD_ALLOW_ANONYMOUS", "1")
    opened = app(data)
    assert opened.metric and any("未启用登录" in w.value for w in opened.sidebar.warning)


def test_demo_without_accounts_runs_open_with_a_notice(demo_dir, monkeypatch):
    monkeypatch.delenv("DASHBOARD_ALLOW_ANONYMOUS")
    at = app(demo_dir)
    assert at.metric and any("未启用登录" in w.value for w in at.sidebar.warning)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/data_import.py")


SCOPED_PAGES = [
    (page, section)
    for page in ("overview.py", "funds.py", "employment.py", "rehab.py", "targets.py")
    for section in (declared_sections(page) or [None])
]


@pytest.mark.parametrize(("page", "section"), SCOPED_PAGES, ids=[f"{p}-{s}" for p, s in SCOPED_PAGES])
def test_township_account_on_every_page_and_tab(accounts, demo_dir, page, section):
    """Every chart spec, table, card and caption of every tab names no other township, with two in the URL."""
    at = run_page(demo_dir, page, {"township": ["城关街道", "凤城街道"]}, section=section, account="longshan")
    assert no_exception(at)
    assert any("范围：龙山镇" in m.value for m in at.markdown)
    text = shown_text(at)
    assert [name for name in other_names(demo_dir) if name in text] == []


def test_township_accounts_key_points_state_its_rank_among_all_townships(accounts, demo_dir):
    """要点 of a township account: its place among all 23 townships (as for a county user choosing it), never a
    place among the one township it may see, and no other township's name."""
    from dpf.data.db import open_extracts
    from dpf.narrative.facts import collect_for_extracts
    from dpf.narrative.sentences import key_points

    at = login(app(demo_dir), demo_dir, "longshan")
    points = next(m.value for m in at.markdown if m.value.startswith("- "))
    expected = collect_for_extracts(open_extracts(demo_dir), 2024, [LONGSHAN])
    assert expected.ranks and max(expected.ranks.values()) > 1  # a place other than 第1位 is stated somewhere
    for sentence in key_points(expected, "overview"):
        assert sentence.text in points
    assert [name for name in other_names(demo_dir) if name in points] == []


def test_a_lock_is_in_the_audit_trail_and_a_new_password_ends_the_session(accounts, demo_dir, tmp_path):
    from dpf.auth.accounts import set_password

    at = app(demo_dir)
    for _ in range(MAX_FAILURES):
        login(at, demo_dir, "clerk", "wrong-password")
    locks = [e for e in events(tmp_path) if e["event"] == "lockout"]
    assert {(e["account"], e["scope"]) for e in locks} == {("clerk", "pair"), ("clerk", "name")}
    assert all(e["until"] > e["time"] for e in locks)
    login(at, demo_dir, "boss")
    assert at.metric
    set_password(accounts, "boss", "a-new-password-1")  # e.g. on the server, while the leader looks
    with data_folder(demo_dir):
        at.run()
    assert not at.metric and any("登录已失效" in i.value for i in at.info)
