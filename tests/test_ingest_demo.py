"""Import into a copy of the demo set: the contract check passes and the indicators move by exactly the rows imported."""

from __future__ import annotations

from datetime import date

from dpf.commands.ingest import run_import
from dpf.contract.check import check_folder
from dpf.contract.manifest import read_manifest
from dpf.data.db import open_extracts
from dpf.figures.indicators import compute_indicators
from dpf.ingest.merge import read_table
from tests.ingest_helpers import KEY, PAY_HEADERS, cert, csv_bytes, write_file


def test_october_ledger_into_the_demo_set(demo_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_SECRET_KEY", KEY)
    names = read_table(demo_copy, "townships").sort_by("sort_order").column("name").to_pylist()
    before = compute_indicators(open_extracts(demo_copy), 2024, []).set_index("indicator")["value"]
    rows = [
        PAY_HEADERS,
        ["测试甲", cert(11), names[0], "重度残疾人护理补贴", "2024-10", 80],
        ["测试乙", cert(12), names[1], "重度残疾人护理补贴", "2024-10", 80],
        ["测试丙", cert(13), names[1], "困难残疾人生活补贴", "2024-10", 100],
    ]
    path = write_file(tmp_path, "十月.csv", csv_bytes(rows))
    assert run_import([path], demo_copy, today=date(2025, 1, 10)) == 0
    assert read_manifest(demo_copy).as_of == date(2024, 10, 31)
    assert read_manifest(demo_copy).source == "demo"  # a demo set stays marked as demo
    assert check_folder(demo_copy).exit_code == 0
    after = compute_indicators(open_extracts(demo_copy), 2024, []).set_index("indicator")["value"]
    assert after["nursing_subsidy_person_times"] == before["nursing_subsidy_person_times"] + 2
    assert after["nursing_subsidy_amount"] == before["nursing_subsidy_amount"] + 160
    assert after["living_subsidy_amount"] == before["living_subsidy_amount"] + 100
    assert after["subsidies_total_amount"] == before["subsidies_total_amount"] + 260
