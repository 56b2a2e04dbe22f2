"""Where the 定时报告 runner runs: beside the dashboard under `make serve` (serve --reports), as its own unit under
systemd (never both from one service)."""

from __future__ import annotations

import re

from dpf.commands.main import build_parser
from dpf.commands.schedule import schedule_run
from dpf.config import REPO_ROOT
from dpf.operations.service import ServiceSpec, serve_command, units
from serve.cluster import reports_command


def test_make_serve_starts_the_runner_that_the_dpf_command_line_runs():
    args = build_parser().parse_args(reports_command()[3:])
    assert args.schedule_action is schedule_run
    recipe = re.search(r"^serve:.*?(?=^\S)", (REPO_ROOT / "Makefile").read_text(encoding="utf-8"), re.M | re.S)
    assert recipe is not None and "--reports" in recipe.group(0)


def test_the_systemd_service_runs_the_runner_in_its_own_unit_only():
    assert "--reports" not in serve_command(ServiceSpec())
    assert sorted(units(ServiceSpec(), runner=True)) == ["dpf-dashboard-reports.service", "dpf-dashboard.service"]
