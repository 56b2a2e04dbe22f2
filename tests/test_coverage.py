"""应补尽补 (dpf.figures.coverage, queries/subsidy_coverage_by_township.sql) on the hand-made county of
tests/coverage_fixture.py, June 2024 as of 2024-09-30 (cut day 30 June)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from dpf.contract.catalogue import TABLE_SCHEMAS
from dpf.contract.manifest import MANIFEST_NAME
from dpf.data.db import open_extracts
from dpf.data.sql import run_query
from dpf.figures.coverage import (
    QUERY,
    Unpaid,
    coverage_params,
    month_label,
    subsidy_coverage,
    unpaid_by_program,
    view_month,
)
from dpf.narrative.facts import collect_for_extracts
from dpf.narrative.sentences import NarrativeInput, alert_sentences, unpaid_sentence
from tests.coverage_fixture import AS_OF, FLAGS, tables
from tests.extract_builder import A, B, read_rows, write_set, write_table


@pytest.fixture(scope="module")
def flagged(tmp_path_factory) -> Path:
    return write_set(tmp_path_factory.mktemp("flagged"), tables(True), AS_OF)


@pytest.fixture(scope="module")
def unflagged(tmp_path_factory) -> Path:
    return write_set(tmp_path_factory.mktemp("unflagged"), tables(False), AS_OF)


def figures(frame: pd.DataFrame, program: str) -> dict[str, tuple]:
    """name -> (eligible, paid, unpaid, coverage rounded to one decimal; None where unknown)."""
    rows = frame[frame["program"] == program]

    def known(value):
        return None if pd.isna(value) else value

    return {
        row.name: (
            known(row.eligible),
            known(row.paid),
            known(row.unpaid),
            known(row.coverage) and round(row.coverage, 1),
        )
        for row in rows.itertuples()
    }


def test_nursing_coverage_counts_the_certified_grades_of_the_month_end_and_each_payee_once(flagged) -> None:
    table = subsidy_coverage(open_extracts(flagged), 2024, 6)
    assert figures(table, "nursing_subsidy") == {
        "城关街道": (2, 1, 1, 50.0),  # n1 (paid twice: once), n2 unpaid; n3 三级 and n4 (July) not eligible
        "龙山镇": (1, 1, 0, 100.0),  # n6 certified on the cut day; n5 cancelled before it, n7 on it
        "合计": (3, 2, 1, 66.7),
    }


def test_living_coverage_needs_the_flag_and_an_unknown_flag_is_not_eligible(flagged) -> None:
    assert figures(subsidy_coverage(open_extracts(flagged), 2024, 6), "living_subsidy") == {
        "城关街道": (2, 1, 1, 50.0),  # n1 paid, n2 not; n3 paid but its flag unknown
        "龙山镇": (0, 0, 0, None),  # no eligible person: no rate (—), not 0%
        "合计": (2, 1, 1, 50.0),
    }


def test_without_the_column_living_coverage_cannot_be_computed(unflagged) -> None:
    table = subsidy_coverage(open_extracts(unflagged), 2024, 6)
    assert figures(table, "living_subsidy") == {
        name: (None, None, None, None) for name in ("城关街道", "龙山镇", "合计")
    }
    assert figures(table, "nursing_subsidy")["合计"] == (3, 2, 1, 66.7)  # 护理补贴 does not need it


def test_a_mistyped_flag_column_is_read_as_absent(tmp_path) -> None:
    folder = write_set(tmp_path, tables(False), AS_OF)
    arrow = pa.Table.from_pylist(read_rows(folder, "persons"), schema=TABLE_SCHEMAS["persons"])
    write_table(folder, "persons", arrow.append_column("hardship", pa.array(["是"] * arrow.num_rows)))
    extracts = open_extracts(folder)
    assert extracts.available("persons")  # the table stays usable; only the flag is unknown
    assert figures(subsidy_coverage(extracts, 2024, 6), "living_subsidy")["合计"] == (None, None, None, None)


def _with_grades(folder: Path, grades) -> None:
    path = folder / MANIFEST_NAME
    body = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**body, "nursing_subsidy_grades": grades}), encoding="utf-8")


def test_the_manifests_grades_decide_who_is_eligible_for_nursing(tmp_path) -> None:
    folder = write_set(tmp_path, tables(True), AS_OF)
    _with_grades(folder, [1, 2, 3])
    assert figures(subsidy_coverage(open_extracts(folder), 2024, 6), "nursing_subsidy") == {
        "城关街道": (3, 2, 1, 66.7),  # n3 三级 now eligible and paid
        "龙山镇": (1, 1, 0, 100.0),
        "合计": (4, 3, 1, 75.0),
    }
    _with_grades(folder, [5])  # invalid: never computed for a guessed set
    assert figures(subsidy_coverage(open_extracts(folder), 2024, 6), "nursing_subsidy")["合计"] == (None,) * 4


def test_a_month_not_complete_is_cut_at_the_as_of_date(tmp_path) -> None:
    folder = write_set(tmp_path, tables(True, date(2024, 6, 15)), date(2024, 6, 15))
    table = subsidy_coverage(open_extracts(folder), 2024, 6)
    assert set(table["cut"].dt.date) == {date(2024, 6, 15)}
    # n5 cancelled on 15 June: not certified that day; n6 not yet; n7 (cancelled 30 June) still is, and was not paid
    assert figures(table, "nursing_subsidy")["龙山镇"] == (1, 0, 1, 0.0)
    assert month_label(2024, 6, date(2024, 6, 15)) == "2024年6月（截至6月15日）"
    assert month_label(2024, 6, AS_OF) == "2024年6月"


def test_a_township_scope_returns_its_rows_only(flagged) -> None:
    table = subsidy_coverage(open_extracts(flagged), 2024, 6, [B])
    assert figures(table, "nursing_subsidy") == {"龙山镇": (1, 1, 0, 100.0), "合计": (1, 1, 0, 100.0)}
    assert list(table["code"].dropna().unique()) == [B]


def test_the_unpaid_per_programme_and_township(flagged) -> None:
    found = unpaid_by_program(subsidy_coverage(open_extracts(flagged), 2024, 6))
    assert [(u.program, u.eligible, u.paid, u.unpaid, u.townships) for u in found] == [
        ("nursing_subsidy", 3, 2, 1, ((A, "城关街道", 1),)),
        ("living_subsidy", 2, 1, 1, ((A, "城关街道", 1),)),
    ]


@pytest.mark.parametrize(("year", "as_of", "month"), [(2024, AS_OF, 9), (2023, AS_OF, 12), (2024, date(2024, 1, 3), 1)])
def test_the_month_of_a_year_to_date_view(year, as_of, month) -> None:
    assert view_month(year, as_of) == month


def test_the_query_takes_only_a_month_of_the_year(flagged) -> None:
    with pytest.raises(ValueError, match=r"1\.\.12"):
        coverage_params(2024, 13, AS_OF, (1, 2))
    frame = run_query(open_extracts(flagged).con, QUERY, **coverage_params(2024, 5, AS_OF, (1, 2)))
    may = frame[(frame["program"] == "nursing_subsidy") & (frame["name"] == "城关街道")]
    assert (int(may["eligible"].iloc[0]), int(may["paid"].iloc[0])) == (2, 1)  # n2 was paid in May, n1 not


def test_the_alerts_count_the_unpaid_per_township_and_name_no_person(flagged) -> None:
    data = collect_for_extracts(open_extracts(flagged), 2024)  # a 年初至今 view as of 30 September: September
    assert data.coverage_month == 9
    june = replace(data, coverage_month=6, unpaid=unpaid_by_program(subsidy_coverage(open_extracts(flagged), 2024, 6)))
    said = [s.text for s in alert_sentences(june) if "应补未补" in s.text]
    assert said == [
        "重度残疾人护理补贴2024年6月应补未补1人（覆盖率66.7%）：城关街道1人，请核实是否漏发。",
        "困难残疾人生活补贴2024年6月应补未补1人（覆盖率50.0%）：城关街道1人，请核实是否漏发。",
    ]
    assert not any(key in text for text in said for key in FLAGS)  # counts only, never a person


def test_beyond_five_townships_the_rest_are_counted_together() -> None:
    counts = {"甲镇": 9, "乙镇": 7, "丙镇": 5, "丁镇": 4, "戊镇": 3, "己镇": 2, "庚镇": 1}
    towns = tuple((f"t{index}", name, count) for index, (name, count) in enumerate(counts.items()))
    unpaid = Unpaid("nursing_subsidy", 100, 69, 31, 69.0, towns)
    data = NarrativeInput(2024, AS_OF, (), pd.DataFrame(), pd.DataFrame(), coverage_month=9)
    sentence = unpaid_sentence(unpaid, data)
    assert sentence.text == (
        "重度残疾人护理补贴2024年9月应补未补31人（覆盖率69.0%）：甲镇9人、乙镇7人、丙镇5人、丁镇4人、戊镇3人，"
        "其余2个乡镇（街道）共3人，请核实是否漏发。"
    )
    assert [fact.value for fact in sentence.facts] == [31, 69.0, 9, 7, 5, 4, 3, 2, 3]
    one = replace(data, townships=("甲镇",))
    assert (
        unpaid_sentence(unpaid, one).text == "重度残疾人护理补贴2024年9月应补未补31人（覆盖率69.0%），请核实是否漏发。"
    )
