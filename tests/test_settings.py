"""dpf.settings: one table of the DASHBOARD_* variables, read afresh, documented in the README."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from dpf import settings
from dpf.auth.accounts import oidc_claim, users_file
from dpf.auth.audit import audit_file
from dpf.config import REPO_ROOT, cache_dir, data_dir
from dpf.ingest.report import retention_days
from serve import cluster
from ui.auth import idle_seconds

README = REPO_ROOT / "README.md"


def test_the_readme_holds_the_settings_table_as_generated() -> None:
    assert settings.markdown_table() in README.read_text(encoding="utf-8")


def test_every_dashboard_variable_the_code_names_is_a_setting() -> None:
    """A DASHBOARD_* string anywhere in the project's code is a row of the table (none read past it)."""
    named: set[str] = set()
    for folder in ("dpf", "ui", "serve", "app_pages"):
        for path in (REPO_ROOT / folder).rglob("*.py"):
            named |= set(re.findall(r"DASHBOARD_[A-Z_]+", path.read_text(encoding="utf-8")))
    assert named == {setting.name for setting in settings.SETTINGS}
    assert settings.COOKIE_SECRET_FILE.name == cluster.SECRET_FILE_ENV


def test_no_module_but_settings_reads_the_environment_for_a_dashboard_variable() -> None:
    readers = []
    for folder in ("dpf", "ui", "app_pages"):
        for path in (REPO_ROOT / folder).rglob("*.py"):
            if path.name == "settings.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and ast.unparse(node.func) in {"os.environ.get", "os.getenv"}:
                    readers.append(f"{path.relative_to(REPO_ROOT)}: {ast.unparse(node)}")
    assert readers == ["dpf/config.py: os.environ.get('XDG_CACHE_HOME', '')"]


def test_audit_learns_its_folder_without_the_importer() -> None:
    tree = ast.parse((REPO_ROOT / "dpf" / "auth" / "audit.py").read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(name and name.startswith("dpf.ingest") for name in imported)


@pytest.mark.parametrize(
    ("variable", "raw", "read", "expected"),
    [
        ("DASHBOARD_DATA_DIR", "  /srv/x  ", lambda: data_dir(), Path("/srv/x")),
        ("DASHBOARD_DATA_DIR", "   ", lambda: data_dir(), REPO_ROOT / "data" / "demo"),
        ("DASHBOARD_CACHE_DIR", "/tmp/c", cache_dir, Path("/tmp/c")),
        ("DASHBOARD_USERS_FILE", "", users_file, REPO_ROOT / ".streamlit" / "users.toml"),
        ("DASHBOARD_USERS_FILE", "/etc/u.toml", users_file, Path("/etc/u.toml")),
        ("DASHBOARD_OIDC_CLAIM", "", oidc_claim, "sub"),
        ("DASHBOARD_OIDC_CLAIM", " email ", oidc_claim, "email"),
        ("DASHBOARD_AUDIT_DIR", "", lambda: audit_file(Path("/d/x")), Path("/d/x.imports/audit.jsonl")),
        ("DASHBOARD_AUDIT_DIR", "/a", lambda: audit_file(Path("/d/x")), Path("/a/audit.jsonl")),
        ("DASHBOARD_REPORT_RETENTION_DAYS", "", retention_days, 30),
        ("DASHBOARD_REPORT_RETENTION_DAYS", "7", retention_days, 7),
        ("DASHBOARD_IDLE_MINUTES", "", idle_seconds, 1800.0),
        ("DASHBOARD_IDLE_MINUTES", "2.5", idle_seconds, 150.0),
        ("DASHBOARD_IDLE_MINUTES", "半小时", idle_seconds, 1800.0),  # lenient: the default
        ("DASHBOARD_ALLOW_ANONYMOUS", "YES", settings.ALLOW_ANONYMOUS.given, True),
        ("DASHBOARD_ALLOW_ANONYMOUS", "0", settings.ALLOW_ANONYMOUS.given, False),
    ],
)
def test_each_reader_gets_the_setting_as_set_now(monkeypatch, variable, raw, read, expected) -> None:
    monkeypatch.setenv(variable, raw)
    assert read() == expected


@pytest.mark.parametrize("raw", ["0", "三十", "-1", "1.5"])
def test_a_strict_setting_says_its_name_and_value(monkeypatch, raw) -> None:
    monkeypatch.setenv("DASHBOARD_REPORT_RETENTION_DAYS", raw)
    with pytest.raises(
        ValueError, match=f"DASHBOARD_REPORT_RETENTION_DAYS 应为不小于 1 的整数（天数），当前为“{raw}”。"
    ):
        retention_days()
