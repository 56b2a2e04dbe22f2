"""`python -m dpf indicators` on a tiny fixture set."""

from __future__ import annotations

import json

from dpf.commands.main import main
from tests.extract_builder import write_set
from tests.test_indicators import AS_OF, QUOTE_NAME, TABLES


def test_json_export_for_a_township(tmp_path, capsys):
    folder = write_set(tmp_path / "set", TABLES, AS_OF)
    assert (
        main(["indicators", "--year", "2024", "--township", "城关街道", "--data", str(folder), "--format", "json"]) == 0
    )
    rows = {row["indicator"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["nursing_subsidy_amount"]["value"] == 258
    assert rows["nursing_subsidy_amount"]["unit"] == "元"
    assert rows["training_person_times"]["target"] == 6
    assert rows["training_person_times"]["completion"] == 50
    assert rows["rehab_needs_met_rate"]["value"] == 66.6667
    assert rows["auxiliary_employment_projects"]["target"] is None


def test_repeated_townships_and_csv(tmp_path, capsys):
    folder = write_set(tmp_path / "set", TABLES, AS_OF)
    args = ["indicators", "--year", "2024", "--township", "龙山镇", "--township", QUOTE_NAME]
    assert main([*args, "--data", str(folder), "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "indicator,name,unit,value,previous,target,completion"
    total = next(line for line in lines if line.startswith("subsidies_total_amount,"))
    assert total.split(",")[3] == "8086.0"  # 86 nursing + 6000 greenhouse + 2000 base


def test_unknown_township_lists_valid_names(tmp_path, capsys):
    folder = write_set(tmp_path / "set", TABLES, AS_OF)
    assert main(["indicators", "--year", "2024", "--township", "火星镇", "--data", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "火星镇" in err and "城关街道" in err and "龙山镇" in err


def test_a_year_whose_previous_year_is_not_in_the_data_has_no_previous(demo_dir, capsys):
    """The demo starts in 2023: 2023's 上年同期 is unknown (null), not 0; the certified persons (a stock) keep theirs."""
    assert main(["indicators", "--year", "2023", "--data", str(demo_dir), "--format", "json"]) == 0
    rows = {row["indicator"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["nursing_subsidy_amount"]["value"] == 3696000 and rows["nursing_subsidy_amount"]["previous"] is None
    assert rows["certified_persons"]["previous"] is not None
