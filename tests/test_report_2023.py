"""The bundled demo set, through the official indicator API, reproduces the 2023 work report."""

from __future__ import annotations

import pytest

from dpf.contract.catalogue import REPORT_2023, TARGETS_2024
from dpf.contract.check import check_folder
from dpf.figures.indicators import compute_indicators


@pytest.fixture(scope="module")
def year_2023(demo):
    return compute_indicators(demo, 2023).set_index("indicator")


@pytest.mark.parametrize(("indicator", "bounds"), sorted(REPORT_2023.items()))
def test_2023_indicator_matches_the_report(year_2023, indicator, bounds):
    low, high = bounds
    assert low <= year_2023.loc[indicator, "value"] <= high


def test_2024_targets_are_the_reports(demo):
    frame = compute_indicators(demo, 2024).set_index("indicator")
    for indicator, target, note in TARGETS_2024:
        assert frame.loc[indicator, "target"] == target
        assert frame.loc[indicator, "note"] == note


def test_demo_set_passes_the_contract_check(demo_dir):
    result = check_folder(demo_dir)
    assert result.exit_code == 0, [finding.message for finding in result.violations]
