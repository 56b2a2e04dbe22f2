"""`python -m dpf service install`: the systemd unit's text (ExecStart, WorkingDirectory, Environment, Restart),
written into a unit folder, accepted by `systemd-analyze verify` where that tool exists."""

from __future__ import annotations

import argparse
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dpf.commands.main import build_parser, main
from dpf.config import REPO_ROOT
from dpf.operations.service import PASSED_ON, ServiceSpec, has_report_runner, unit_text, units

VENV_PYTHON = REPO_ROOT / ".venv" / "bin" / "python"


def keys(text: str) -> dict[str, list[str]]:
    """Every `Key=value` of a unit, values in order."""
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key, []).append(value)
    return found


@pytest.fixture
def installed(tmp_path, monkeypatch, capsys):
    for name in PASSED_ON:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DASHBOARD_DATA_DIR", "srv/extracts")  # relative: made absolute in the unit
    monkeypatch.setenv("DASHBOARD_USERS_FILE", str(tmp_path / "etc" / "users.toml"))
    monkeypatch.chdir(tmp_path)
    args = ["service", "install", "--unit-dir", str(tmp_path / "units"), "--host", "dpf.county.local"]
    assert main([*args, "--address", "0.0.0.0", "--user", "dpf", "--procs", "3"]) == 0
    said = capsys.readouterr().out
    return tmp_path, (tmp_path / "units" / "dpf-dashboard.service").read_text(encoding="utf-8"), said


def test_the_unit_runs_serve_from_the_repository_with_the_settings(installed):
    tmp_path, text, said = installed
    found = keys(text)
    python = VENV_PYTHON if VENV_PYTHON.exists() else Path(sys.executable)
    assert shlex.split(found["ExecStart"][0]) == [
        str(python), "-m", "serve", "--procs", "3", "--address", "0.0.0.0", "--host", "dpf.county.local",
        "--port", "443", "--http-port", "80",
    ]  # fmt: skip
    assert found["WorkingDirectory"] == [str(REPO_ROOT)]
    assert found["Environment"] == [
        f"DASHBOARD_DATA_DIR={tmp_path.resolve() / 'srv' / 'extracts'}",
        f"DASHBOARD_USERS_FILE={tmp_path / 'etc' / 'users.toml'}",
    ]
    assert found["Restart"] == ["on-failure"] and found["User"] == ["dpf"]
    assert found["AmbientCapabilities"] == ["CAP_NET_BIND_SERVICE"]  # ports 443/80 for a user that is not root
    assert found["EnvironmentFile"] == ["-/etc/dpf-dashboard.env"]  # secrets stay out of the world-readable unit
    assert found["WantedBy"] == ["multi-user.target"]
    assert "SECRET" not in text
    assert "systemctl daemon-reload && systemctl enable --now dpf-dashboard.service" in said
    assert oct((tmp_path / "units" / "dpf-dashboard.service").stat().st_mode & 0o777) == "0o644"


def test_a_dry_run_writes_nothing_and_a_changed_unit_is_replaced_only_when_confirmed(installed, capsys):
    tmp_path, text, _ = installed
    unit = tmp_path / "units" / "dpf-dashboard.service"
    assert main(["service", "install", "--unit-dir", str(tmp_path / "units"), "--dry-run"]) == 0
    assert "--host localhost" in capsys.readouterr().out and unit.read_text(encoding="utf-8") == text
    assert main(["service", "install", "--unit-dir", str(tmp_path / "units")]) == 2  # differs, no terminal
    assert "未确认，服务文件未改动。" in capsys.readouterr().out and unit.read_text(encoding="utf-8") == text
    assert main(["service", "install", "--unit-dir", str(tmp_path / "units"), "--yes"]) == 0
    assert "--host localhost" in unit.read_text(encoding="utf-8")


def test_paths_with_spaces_and_percent_signs_are_quoted_for_systemd():
    spec = ServiceSpec(repo=Path("/srv/县 残联"), python=Path("/opt/py 3/bin/python"), environment={"X": "a%b c"})
    found = keys(unit_text(spec))
    assert found["WorkingDirectory"] == ['"/srv/县 残联"']
    assert found["ExecStart"][0].startswith('"/opt/py 3/bin/python" -m serve')
    assert found["Environment"] == ['"X=a%%b c"']


def test_the_report_runner_gets_its_unit_now_that_the_command_exists():
    assert has_report_runner(build_parser()) is True  # `python -m dpf schedule run` (dpf.commands.schedule)
    without = argparse.ArgumentParser()
    without.add_subparsers().add_parser("brief")
    assert has_report_runner(without) is False
    files = units(ServiceSpec(), runner=True)
    runner = keys(files["dpf-dashboard-reports.service"])
    assert runner["ExecStart"][0].endswith("-m dpf schedule run")
    assert runner["PartOf"] == ["dpf-dashboard.service"] and runner["Restart"] == ["on-failure"]
    assert list(units(ServiceSpec(), runner=False)) == ["dpf-dashboard.service"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_analyze_verify_accepts_the_unit_and_refuses_a_broken_one(installed):
    tmp_path, text, _ = installed
    unit = tmp_path / "units" / "dpf-dashboard.service"
    unit.write_text(text.replace("User=dpf\n", ""), encoding="utf-8")  # the test machine has no user dpf
    verify = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True)
    assert verify.returncode == 0 and "dpf-dashboard.service" not in verify.stderr, verify.stderr
    broken = tmp_path / "units" / "broken.service"
    broken.write_text(text.replace("ExecStart=/", "ExecStart=relative/"), encoding="utf-8")
    refused = subprocess.run(["systemd-analyze", "verify", str(broken)], capture_output=True, text=True)
    assert refused.returncode != 0 and "bad unit file setting" in refused.stderr
