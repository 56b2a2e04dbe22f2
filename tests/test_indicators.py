"""Indicator SQL on a tiny hand-made extract set with hand-computed answers."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from dpf.contract.catalogue import INDICATORS, PROGRAM_INDICATORS, Indicator
from dpf.data.db import open_extracts
from dpf.data.sql import QueryParameterError, run_query
from dpf.figures.indicators import (
    codes_for_names,
    compute_indicators,
    data_years,
    indicator_query_params,
    indicator_values,
    township_values,
)
from tests.extract_builder import A, B, day, need, payment, person, service, survey, target, town, write_set

AS_OF = date(2024, 6, 15)
Q = "340000003"
QUOTE_NAME = "石'桥\"乡"


TABLES = {
    "townships": [
        town(A, "城关街道", "街道", 1),
        town(B, "龙山镇", "镇", 2),
        town(Q, QUOTE_NAME, "乡", 3),
    ],
    "persons": [
        person("p1", A, "2010-01-01"),
        person("p2", A, "2024-06-16"),  # certified after the as-of date
        person("p3", B, "2015-01-01", cancelled="2024-05-01"),
        person("p4", Q, "2020-01-01"),
    ],
    "payments": [
        payment("n1", "nursing_subsidy", "2024-01-01", 86, person="p1"),
        payment("n2", "nursing_subsidy", "2024-02-01", 86, person="p1"),
        payment("n3", "nursing_subsidy", "2024-06-01", 86, person="p1"),
        payment("n4", "nursing_subsidy", "2024-07-01", 86, person="p1"),  # after the as-of month
        payment("n5", "nursing_subsidy", "2024-01-01", 86, person="p3", township=B),
        payment("o1", "nursing_subsidy", "2023-01-01", 80, person="p1"),
        payment("o2", "nursing_subsidy", "2023-06-01", 80, person="p1"),
        payment("o3", "nursing_subsidy", "2023-07-01", 80, person="p1"),  # after last year's span
        payment("e1", "entrepreneurship", "2024-03-01", 1000, person="p2"),
        payment("e2", "entrepreneurship", "2024-04-01", 2000, person="p2"),
        payment("g1", "sunshine_greenhouse", "2024-05-01", 5000, project="g-1", township=B),
        payment("g2", "sunshine_greenhouse", "2024-06-01", 1000, project="g-1", township=B),
        payment("b1", "assistance_base", "2024-02-01", 2000, project="b-1", township=Q),
    ],
    "services": [
        service("t1", "vocational_training", "2024-03-10", person="p1", batch="2024-1"),
        service("t2", "vocational_training", "2024-03-10", person="p2", batch="2024-1"),
        service("t3", "vocational_training", "2024-05-02", person="p1", batch="2024-2"),
        service("t4", "vocational_training", "2024-05-02", person="p3", township=B, batch="2024-2"),
        service("t5", "vocational_training", "2024-07-01", person="p4", township=Q, batch="2024-3"),
        service("t6", "vocational_training", "2023-06-15", person="p1", batch="2023-1"),
        service("t7", "vocational_training", "2023-06-16", person="p1", batch="2023-2"),
        service("f1", "job_fair", "2024-04-01", quantity=5),
        service("f2", "job_fair", "2024-05-01", township=None, quantity=7),  # county-level event
        service("h1", "home_rehab", "2024-02-01", person="p1"),
        service("h2", "home_rehab", "2024-03-01", person="p1"),
        service("h3", "home_rehab", "2024-03-01", person="p2"),
    ],
    "rehab_needs": [
        need("r1", "p1", "basic_medical", "2024-01-05", "2024-03-01"),
        need("r2", "p2", "basic_medical", "2024-02-05", "2024-07-01"),
        need("r3", "p3", "assistive_device", "2024-03-05", township=B),
        need("r4", "p1", "rehab_training", "2024-04-01", "2024-04-02"),
    ],
    "satisfaction": [
        survey("s1", "p1", "2024-03-01", True),
        survey("s2", "p2", "2024-03-01", False),
        survey("s3", "p3", "2024-04-01", True, township=B),
    ],
    "targets": [
        target("training_person_times", 10.0, note="10人次以上"),
        target("training_person_times", 6.0, A),
        target("training_person_times", 4.0, B),
        target("rehab_satisfaction_rate", 95.0, note="力争100%"),
    ],
}


@pytest.fixture(scope="module", params=[False, True], ids=["single-file", "hive-partitioned"])
def extracts(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("set")
    write_set(folder, TABLES, AS_OF, partition_payments=request.param)
    return open_extracts(folder)


def values(extracts, year=2024, townships=()):
    frame = compute_indicators(extracts, year, townships)
    return frame.set_index("indicator")


# (townships, indicator, column, expected) — every figure computed by hand from TABLES.
CASES = [
    ((), "nursing_subsidy_person_times", "value", 4),  # n1 n2 n3 n5; n4 is after the as-of month
    ((), "nursing_subsidy_amount", "value", 344),
    ((), "nursing_subsidy_person_times", "previous", 2),  # o1 o2 up to 2023-06-15
    ((), "nursing_subsidy_amount", "previous", 160),
    ((A,), "nursing_subsidy_person_times", "value", 3),
    ((A,), "nursing_subsidy_amount", "value", 258),
    ((B,), "nursing_subsidy_amount", "value", 86),
    ((), "entrepreneurship_persons", "value", 1),  # one person, two payments
    ((), "entrepreneurship_amount", "value", 3000),
    ((), "sunshine_greenhouse_projects", "value", 1),  # one project paid twice
    ((), "greenhouse_base_amount", "value", 8000),
    ((Q,), "assistance_base_projects", "value", 1),
    ((Q,), "greenhouse_base_amount", "value", 2000),
    ((), "subsidies_total_amount", "value", 11344),
    ((A, B), "subsidies_total_amount", "value", 9344),
    ((), "training_person_times", "value", 4),  # t5 is after the as-of date
    ((), "training_batches", "value", 2),
    ((A,), "training_person_times", "value", 3),
    ((B,), "training_batches", "value", 1),
    ((), "training_person_times", "previous", 1),  # t6 on 2023-06-15 counts, t7 the day after does not
    ((), "job_fairs", "value", 2),  # the county-level fair counts for the whole county
    ((), "job_fair_enterprises", "value", 12),
    ((A,), "job_fairs", "value", 1),  # ... but not for a chosen township
    ((A,), "job_fair_enterprises", "value", 5),
    ((), "home_rehab_persons", "value", 2),  # three visits, two persons
    ((), "rehab_needs", "value", 4),
    ((), "rehab_needs_basic_medical", "value", 2),
    ((), "rehab_needs_assistive_device", "value", 1),
    ((), "rehab_needs_met_rate", "value", 50.0),  # r2 is met only after the as-of date
    ((A,), "rehab_needs_met_rate", "value", 200 / 3),
    ((Q,), "rehab_needs_met_rate", "value", None),  # no needs: no rate, not a division by zero
    ((Q,), "rehab_needs", "value", 0),
    ((), "rehab_satisfaction_rate", "value", 200 / 3),
    ((B,), "rehab_satisfaction_rate", "value", 100.0),
    ((), "rehab_satisfaction_rate", "previous", None),
    ((), "certified_persons", "value", 2),  # p1, p4: p2 not yet, p3 cancelled
    ((), "certified_persons", "previous", 3),  # p1, p3, p4 on 2023-06-15
    ((A,), "certified_persons", "value", 1),
    ((), "training_person_times", "target", 10),
    ((A,), "training_person_times", "target", 6),
    ((A, B), "training_person_times", "target", 10),
    ((Q,), "training_person_times", "target", None),  # Q has no share: no target for it
    ((A,), "rehab_satisfaction_rate", "target", 95),  # a rate target applies to any scope
    ((), "training_person_times", "completion", 40.0),
    ((A,), "training_person_times", "completion", 50.0),
]


@pytest.mark.parametrize(("townships", "indicator", "column", "expected"), CASES)
def test_indicator_value(extracts, townships, indicator, column, expected):
    actual = values(extracts, townships=townships).loc[indicator, column]
    if expected is None:
        assert pd.isna(actual)
    else:
        assert actual == pytest.approx(expected)


def test_year_with_no_rows_reads_zero(extracts):
    frame = values(extracts, year=2022)
    assert frame.loc["nursing_subsidy_amount", "value"] == 0
    assert frame.loc["training_person_times", "value"] == 0
    assert pd.isna(frame.loc["rehab_needs_met_rate", "value"])
    assert pd.isna(frame.loc["training_person_times", "target"])  # targets are for 2024 only


def test_every_catalogue_indicator_is_computed(extracts):
    frame = values(extracts)
    assert list(frame.index) == [i.code for i in INDICATORS]
    computed = frame["value"].notna()
    # Only rates without a denominator may be undefined here.
    assert set(frame.index[~computed]) <= {"auxiliary_employment_projects"} | {i.code for i in INDICATORS if i.is_rate}


def test_township_names_with_quotes_resolve(extracts):
    assert codes_for_names(extracts, [QUOTE_NAME, "龙山镇"]) == [Q, B]
    with pytest.raises(ValueError, match="城关街道"):
        codes_for_names(extracts, ["不存在镇"])


def test_data_years_newest_first(extracts):
    assert data_years(extracts) == [2024, 2023]


@pytest.mark.parametrize(
    ("indicator", "expected"),
    [
        ("job_fairs", {A: 1, B: 0, Q: 0}),  # the county-level fair is in no township
        ("rehab_needs_met_rate", {A: 200 / 3, B: 0.0, Q: None}),  # Q has no needs: no rate
        ("certified_persons", {A: 1, B: 0, Q: 1}),  # p1 in A; p3 in B cancelled; p4 in Q
        ("nursing_subsidy_amount", {A: 3 * 86, B: 86, Q: 0}),  # n4 is after the as-of month
        ("entrepreneurship_persons", {A: 1, B: 0, Q: 0}),  # p2 paid twice
        ("sunshine_greenhouse_projects", {A: 0, B: 1, Q: 0}),  # g-1 paid twice
        ("training_person_times", {A: 3, B: 1, Q: 0}),  # t5 in Q is after the as-of date
        ("training_batches", {A: 2, B: 1, Q: 0}),  # batch 2024-2 has trainees in A and in B
        ("rehab_satisfaction_rate", {A: 50.0, B: 100.0, Q: None}),  # nobody surveyed in Q
    ],
)
def test_township_values_one_indicator_per_township(extracts, indicator, expected):
    values_by_township = township_values(extracts, 2024, indicator, [A, B, Q], as_of=AS_OF)
    assert list(values_by_township) == [A, B, Q]
    for township, value in expected.items():
        alone = compute_indicators(extracts, 2024, [township], as_of=AS_OF).set_index("indicator")
        assert values_by_township[township] == (None if value is None else pytest.approx(value))
        assert values_by_township[township] == (
            None if pd.isna(alone.loc[indicator, "value"]) else pytest.approx(alone.loc[indicator, "value"])
        )


def test_township_grain_gives_each_township_alone(extracts):
    """Every indicator, value and 同比, from one query per table with a township grain, as if asked per township."""
    frame, _ = indicator_values(extracts, 2024, [A, B, Q], [AS_OF], by_township=True)
    assert set(frame["township"]) == {A, B, Q}
    for township in (A, B, Q):
        alone = compute_indicators(extracts, 2024, [township], as_of=AS_OF).set_index("indicator")
        grained = frame[frame["township"] == township].set_index("indicator")
        assert sorted(grained.index) == sorted(alone.index)
        for column in ("value", "previous"):
            pd.testing.assert_series_equal(
                grained[column].astype("float64").sort_index(),
                alone.loc[grained.index, column].astype("float64").sort_index(),
                check_names=False,
            )


def test_in_scope_macro(extracts):
    """A row is in scope when the list is empty (whole county) or holds its code; a county-level row (no code) only
    for the whole county; duplicates in the list change nothing."""
    row = extracts.con.execute(
        "SELECT in_scope(NULL, []::VARCHAR[]), in_scope(NULL, ['a']), in_scope('a', []::VARCHAR[]),"
        " in_scope('a', ['b', 'a', 'a']), in_scope('c', ['a', 'b'])"
    ).fetchone()
    assert row == (True, False, True, True, False)


def test_township_values_of_a_missing_table_are_none(tmp_path):
    tables = {name: rows for name, rows in TABLES.items() if name != "services"}
    ex = open_extracts(write_set(tmp_path, tables, AS_OF))
    assert township_values(ex, 2024, "job_fairs", [A, B]) == {A: None, B: None}


def test_missing_table_blanks_only_its_indicators(tmp_path):
    tables = {name: rows for name, rows in TABLES.items() if name != "services"}
    ex = open_extracts(write_set(tmp_path, tables, AS_OF))
    frame = compute_indicators(ex, 2024).set_index("indicator")
    assert frame.loc["nursing_subsidy_amount", "value"] == 344
    assert pd.isna(frame.loc["training_person_times", "value"])
    assert "服务记录" in frame.loc["training_person_times", "problem"]


def test_query_loader_rejects_wrong_parameters(extracts):
    definitions = indicator_query_params("payments")
    with pytest.raises(QueryParameterError, match="missing parameters \\['by_township', 'cuts'\\]"):
        run_query(extracts.con, "indicators_payments", year=2024, townships=[], month=None, **definitions)
    with pytest.raises(QueryParameterError, match="unexpected \\['town'\\]"):
        run_query(
            extracts.con,
            "indicators_payments",
            year=2024,
            townships=[],
            cuts=[AS_OF],
            month=None,
            by_township=False,
            town="x",
            **definitions,
        )


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        # code: (startup_persons, startup_amount_yuan, projects, project_amount_yuan)
        (AS_OF, {A: (1, 3000, 0, 0), B: (0, 0, 1, 6000), Q: (0, 0, 1, 2000)}),
        (day("2024-03-31"), {A: (1, 1000, 0, 0), B: (0, 0, 0, 0), Q: (0, 0, 1, 2000)}),  # e2, g1, g2 come later
    ],
)
def test_startup_and_projects_by_township(extracts, as_of, expected):
    frame = run_query(extracts.con, "employment_startup_by_township", year=2024, as_of=as_of, month=None)
    assert list(frame["code"]) == [A, B, Q]
    got = {row.code: tuple(row[1:]) for row in frame.itertuples(index=False)}
    assert got == expected


# A new indicator is one registry entry: (entry, townships, value, previous), each figure by hand from TABLES.
NEW_INDICATORS = [
    # p1 (n1-n3) and p3 (n5) were paid in 2024 up to the as-of date; only p1 (o1, o2) a year earlier
    (
        Indicator(
            "nursing_persons", "护理补贴人数", "人", "领取护理补贴的人数", "payments", "persons", ("nursing_subsidy",)
        ),
        (),
        2,
        1,
    ),
    # two programmes: nursing n1 n2 n3 in A (258) and entrepreneurship e1 e2 in A (3000)
    (
        Indicator(
            "a_few_amounts",
            "两项金额",
            "元",
            "护理补贴与就业创业金额",
            "payments",
            "amount",
            ("nursing_subsidy", "entrepreneurship"),
        ),
        (A,),
        3258,
        160,
    ),
    # t1-t4 trainees and h1-h3 home rehab visits in 2024; t6 a year earlier
    (
        Indicator(
            "training_and_visits",
            "培训与上门",
            "人次",
            "培训与上门康复记录数",
            "services",
            "rows",
            ("vocational_training", "home_rehab"),
        ),
        (),
        7,
        1,
    ),
    # r4, the only rehab_training need, met the next day
    (
        Indicator(
            "training_needs_met",
            "康复训练需求满足率",
            "%",
            "康复训练需求满足率",
            "rehab_needs",
            "met_rate",
            ("rehab_training",),
        ),
        (),
        100.0,
        None,
    ),
    # r1 met by the as-of date, r2 only after it
    (
        Indicator(
            "medical_needs_met",
            "基本医疗需求满足率",
            "%",
            "基本医疗需求满足率",
            "rehab_needs",
            "met_rate",
            ("basic_medical",),
        ),
        (A,),
        50.0,
        None,
    ),
]


@pytest.mark.parametrize(
    ("entry", "townships", "value", "previous"), NEW_INDICATORS, ids=lambda v: getattr(v, "code", "")
)
def test_a_new_registry_entry_is_computed_with_no_other_change(extracts, entry, townships, value, previous):
    registry = (*INDICATORS, entry)
    frame = compute_indicators(extracts, 2024, townships, indicators=registry).set_index("indicator")
    assert list(frame.index) == [i.code for i in registry]
    row = frame.loc[entry.code]
    assert (row["name"], row["unit"], row["table"]) == (entry.name, entry.unit, entry.table)
    assert row["value"] == pytest.approx(value)
    assert pd.isna(row["previous"]) if previous is None else row["previous"] == pytest.approx(previous)
    # the catalogue's own entries are untouched by the new one
    assert frame.loc["nursing_subsidy_amount", "value"] == (258 if townships else 344)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("x", "x", "人", "x", "payments", "quantity"), "measure 'quantity'"),  # payments have no quantity
        (("x", "x", "人", "x", "services", "rows", ("nursing_subsidy",)), "unknown services codes"),
        (("x", "x", "人", "x", "rehab_needs", "met_rate"), "rate measure goes with the unit %"),
        (("x", "x", "%", "x", "persons", "certified"), "rate measure goes with the unit %"),
    ],
)
def test_a_registry_entry_the_queries_cannot_compute_is_refused(arguments, message):
    with pytest.raises(ValueError, match=message):
        Indicator(*arguments)


@pytest.mark.parametrize(
    ("program", "expected"),
    [
        ("nursing_subsidy", ("nursing_subsidy_amount", "nursing_subsidy_person_times")),  # 人次: payment rows
        ("accessibility_retrofit", ("accessibility_amount", "accessibility_households")),  # 户: distinct persons
        ("wheelchair_fuel", ("wheelchair_fuel_amount", None)),  # no count in the catalogue
        ("sunshine_greenhouse", (None, "sunshine_greenhouse_projects")),  # its amount is only counted with 助残基地
    ],
)
def test_program_indicators_come_from_the_registry(program, expected):
    assert PROGRAM_INDICATORS[program] == expected
