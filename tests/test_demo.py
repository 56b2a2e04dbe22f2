"""The demo generator: contract types, the 2023 report reproduced exactly, determinism, as-of cut."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dpf.contract.catalogue import EVENT_SERVICES, OPTIONAL_COLUMNS, REPORT_2023, TABLE_SCHEMAS, TARGETS_2024
from dpf.contract.demo import generate_demo

AS_OF = date(2024, 9, 30)

# Ad-hoc SQL for each indicator of the report, written from the contract's definitions:
# indicator -> (table, measure, which rows), over 2023 by the table's date column.
REPORT_SQL = {
    "nursing_subsidy_person_times": ("payments", "count(*)", "program = 'nursing_subsidy'"),
    "nursing_subsidy_amount": ("payments", "sum(amount_yuan)", "program = 'nursing_subsidy'"),
    "living_subsidy_person_times": ("payments", "count(*)", "program = 'living_subsidy'"),
    "living_subsidy_amount": ("payments", "sum(amount_yuan)", "program = 'living_subsidy'"),
    "wheelchair_fuel_amount": ("payments", "sum(amount_yuan)", "program = 'wheelchair_fuel'"),
    "entrepreneurship_persons": ("payments", "count(DISTINCT person_key)", "program = 'entrepreneurship'"),
    "entrepreneurship_amount": ("payments", "sum(amount_yuan)", "program = 'entrepreneurship'"),
    "sunshine_greenhouse_projects": ("payments", "count(DISTINCT project_key)", "program = 'sunshine_greenhouse'"),
    "assistance_base_projects": ("payments", "count(DISTINCT project_key)", "program = 'assistance_base'"),
    "greenhouse_base_amount": ("payments", "sum(amount_yuan)", "program IN ('sunshine_greenhouse', 'assistance_base')"),
    "student_aid_persons": ("payments", "count(DISTINCT person_key)", "program = 'student_aid'"),
    "student_aid_amount": ("payments", "sum(amount_yuan)", "program = 'student_aid'"),
    "cochlear_implant_amount": ("payments", "sum(amount_yuan)", "program = 'cochlear_implant'"),
    "psychiatric_medication_persons": ("payments", "count(DISTINCT person_key)", "program = 'psychiatric_medication'"),
    "psychiatric_medication_amount": ("payments", "sum(amount_yuan)", "program = 'psychiatric_medication'"),
    "sunshine_home_persons": ("payments", "count(DISTINCT person_key)", "program = 'sunshine_home'"),
    "sunshine_home_amount": ("payments", "sum(amount_yuan)", "program = 'sunshine_home'"),
    "accessibility_households": ("payments", "count(DISTINCT person_key)", "program = 'accessibility_retrofit'"),
    "accessibility_amount": ("payments", "sum(amount_yuan)", "program = 'accessibility_retrofit'"),
    "training_person_times": ("services", "count(*)", "service = 'vocational_training'"),
    "training_batches": ("services", "count(DISTINCT batch)", "service = 'vocational_training'"),
    "job_registrations": ("services", "count(DISTINCT person_key)", "service = 'job_registration'"),
    "job_fairs": ("services", "count(*)", "service = 'job_fair'"),
    "job_fair_enterprises": ("services", "sum(quantity)", "service = 'job_fair'"),
    "job_intentions": ("services", "count(DISTINCT person_key)", "service = 'job_intention'"),
    "outreach_events": ("services", "count(*)", "service = 'policy_outreach'"),
    "outreach_leaflets": ("services", "sum(quantity)", "service = 'policy_outreach'"),
    "assessments_centralized": ("services", "count(*)", "service = 'assessment_centralized'"),
    "assessments_home": ("services", "count(*)", "service = 'assessment_home'"),
    "certificates_issued": ("services", "count(*)", "service = 'certificate_issued'"),
    "home_rehab_persons": ("services", "count(DISTINCT person_key)", "service = 'home_rehab'"),
    "prosthesis_fittings": ("services", "count(*)", "service = 'prosthesis_fitting'"),
    "device_fittings": ("services", "count(*)", "service = 'device_fitting'"),
    "devices_issued": ("services", "sum(quantity)", "service = 'device_issued'"),
    "child_rehab_persons": ("services", "count(DISTINCT person_key)", "service = 'child_rehab'"),
    "respite_care_person_times": ("services", "count(*)", "service = 'respite_care'"),
    "volunteer_activities": ("services", "count(*)", "service = 'volunteer_activity'"),
    "volunteer_hours": ("services", "sum(quantity)", "service = 'volunteer_activity'"),
    "rehab_needs": ("rehab_needs", "count(*)", "true"),
    "rehab_needs_basic_medical": ("rehab_needs", "count(*)", "need = 'basic_medical'"),
    "rehab_needs_assistive_device": ("rehab_needs", "count(*)", "need = 'assistive_device'"),
}
DATE_COLUMNS = {"payments": "period", "services": "served_on", "rehab_needs": "recorded_on"}


def connect(folder: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for table in TABLE_SCHEMAS:
        if table == "payments":
            con.execute(
                f"CREATE VIEW payments AS SELECT * FROM read_parquet('{folder}/payments/*/*.parquet', hive_partitioning = true)"
            )
        else:
            con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{folder}/{table}.parquet')")
    return con


def report_2023(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
    values = {}
    for indicator, (table, measure, rows) in REPORT_SQL.items():
        values[indicator] = con.execute(
            f"SELECT coalesce({measure}, 0) FROM {table} WHERE {rows} "
            f"AND {DATE_COLUMNS[table]} BETWEEN DATE '2023-01-01' AND DATE '2023-12-31'"
        ).fetchone()[0]
    return {k: float(v) for k, v in values.items()}


@pytest.fixture(scope="session")
def demo_set(tmp_path_factory) -> Path:
    return generate_demo(tmp_path_factory.mktemp("demo") / "set", seed=2024, scale=1, as_of=AS_OF)


@pytest.fixture(scope="session")
def con(demo_set):
    return connect(demo_set)


def test_every_report_indicator_is_reproduced(con):
    values = report_2023(con)
    assert set(values) == set(REPORT_2023)
    wrong = {
        k: (values[k], REPORT_2023[k]) for k in REPORT_2023 if not REPORT_2023[k][0] <= values[k] <= REPORT_2023[k][1]
    }
    assert not wrong


def test_files_follow_the_contract_schemas(demo_set):
    for table, schema in TABLE_SCHEMAS.items():
        if table == "payments":
            files = sorted((demo_set / "payments").glob("year=*/*.parquet"))
            assert [f.parent.name for f in files] == ["year=2023", "year=2024"]
        else:
            files = [demo_set / f"{table}.parquet"]
        full = pa.schema([*schema, *OPTIONAL_COLUMNS.get(table, [])])  # the demo ships every optional column
        for file in files:
            assert pq.read_schema(file).remove_metadata().equals(full), file  # no year column inside


def test_the_demo_grid_places_every_township_on_a_tile_of_its_own(con):
    rows = con.execute("SELECT name, grid_row, grid_col FROM townships").fetchall()
    places = {(r, c) for _, r, c in rows}
    assert len(rows) == 23 and len(places) == 23
    assert {name: (r, c) for name, r, c in rows}["城关街道"] == (2, 2)  # the county seat in the middle


def test_manifest_and_determinism(demo_set, tmp_path):
    manifest = json.loads((demo_set / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["source"] == "demo"
    assert manifest["as_of"] == "2024-09-30"
    assert set(manifest["tables"]) == set(TABLE_SCHEMAS)
    again = generate_demo(tmp_path / "again", seed=2024, scale=1, as_of=AS_OF)
    assert (again / "manifest.json").read_bytes() == (demo_set / "manifest.json").read_bytes()
    other = generate_demo(tmp_path / "other", seed=7, scale=1, as_of=AS_OF)
    other_manifest = json.loads((other / "manifest.json").read_text(encoding="utf-8"))
    assert other_manifest["tables"]["persons"]["sha256"] != manifest["tables"]["persons"]["sha256"]


def test_replacing_an_existing_set_leaves_no_leftovers(tmp_path):
    out = tmp_path / "set"
    out.mkdir()
    (out / "stale.txt").write_text("old")
    generate_demo(out, scale=1, as_of=date(2024, 3, 15))
    assert not (out / "stale.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["set"]


def test_nothing_after_as_of(con):
    checks = {
        "persons": "greatest(certified_on, coalesce(cancelled_on, certified_on))",
        "payments": "period",
        "services": "served_on",
        "rehab_needs": "greatest(recorded_on, coalesce(met_on, recorded_on))",
        "satisfaction": "surveyed_on",
    }
    for table, column in checks.items():
        latest = con.execute(f"SELECT max({column}) FROM {table}").fetchone()[0]
        assert latest <= AS_OF, table
    assert con.execute("SELECT max(birth_year) FROM persons").fetchone()[0] <= AS_OF.year


def test_keys_ids_and_references(con):
    for table, key in (
        ("persons", "person_key"),
        ("payments", "payment_id"),
        ("services", "service_id"),
        ("rehab_needs", "need_id"),
        ("satisfaction", "survey_id"),
        ("townships", "code"),
        ("townships", "name"),
    ):
        assert con.execute(f"SELECT count(*) = count(DISTINCT {key}) FROM {table}").fetchone()[0], (table, key)
    assert con.execute("SELECT bool_and(regexp_full_match(person_key, '[0-9a-f]{64}')) FROM persons").fetchone()[0]
    # Every person-based record points at a person certified on its date, in that person's township.
    for table, day in (("payments", "period"), ("services", "served_on"), ("rehab_needs", "recorded_on")):
        bad = con.execute(
            f"""SELECT count(*) FROM {table} AS t LEFT JOIN persons AS p USING (person_key)
                WHERE t.person_key IS NOT NULL AND (p.person_key IS NULL OR p.certified_on > t.{day}
                    OR p.cancelled_on <= t.{day} OR p.township_code <> t.township_code)"""
        ).fetchone()[0]
        assert bad == 0, table
    assert con.execute(
        "SELECT count(*) FROM payments WHERE (person_key IS NULL) = (project_key IS NULL) OR amount_yuan <= 0"
    ).fetchone() == (0,)
    events = "('" + "', '".join(sorted(EVENT_SERVICES)) + "')"
    assert con.execute(
        f"SELECT count(*) FROM services WHERE (service IN {events}) <> (person_key IS NULL) OR quantity < 1"
    ).fetchone() == (0,)
    county_level = con.execute(
        f"SELECT count(*) FROM services WHERE service IN {events} AND township_code IS NULL"
    ).fetchone()[0]
    assert county_level > 0
    assert con.execute(
        "SELECT count(*) FROM persons WHERE township_code NOT IN (SELECT code FROM townships)"
    ).fetchone() == (0,)
    # No duplicate-looking records: one service of a kind per person and day.
    assert con.execute(
        """SELECT count(*) FROM (SELECT service, person_key, served_on FROM services
           WHERE person_key IS NOT NULL GROUP BY ALL HAVING count(*) > 1)"""
    ).fetchone() == (0,)
    # Monthly subsidies: one row per person per month.
    assert con.execute(
        """SELECT count(*) FROM (SELECT program, person_key, period FROM payments
           WHERE program IN ('nursing_subsidy', 'living_subsidy') GROUP BY ALL HAVING count(*) > 1)"""
    ).fetchone() == (0,)
    assert con.execute(
        "SELECT count(*) FROM rehab_needs WHERE met_on IS NOT NULL AND met_on <= recorded_on"
    ).fetchone() == (0,)


def test_persons_and_townships_look_plausible(con):
    n, limb, psych, speech = con.execute(
        "SELECT count(*), avg((category = 4)::INT), avg((category = 6)::INT), avg((category = 3)::INT) FROM persons"
    ).fetchone()
    assert 21_000 <= n <= 23_000
    assert 0.45 <= limb <= 0.55 and 0.15 <= psych <= 0.25 and speech < 0.01
    kinds = [r[0] for r in con.execute("SELECT kind FROM townships ORDER BY sort_order").fetchall()]
    assert kinds == ["街道"] * 3 + ["镇"] * 13 + ["乡"] * 7
    smallest, largest = con.execute(
        "SELECT min(n), max(n) FROM (SELECT count(*) AS n FROM persons GROUP BY township_code)"
    ).fetchone()
    assert 3 <= largest / smallest <= 7
    assert con.execute("SELECT count(*) FROM persons WHERE cancelled_on <= certified_on").fetchone() == (0,)


def test_2024_targets_and_progress(con):
    county = dict(con.execute("SELECT indicator, target FROM targets WHERE township_code IS NULL").fetchall())
    assert county == {indicator: target for indicator, target, _ in TARGETS_2024}
    shares = dict(
        con.execute(
            "SELECT indicator, sum(target) FROM targets WHERE township_code IS NOT NULL GROUP BY indicator"
        ).fetchall()
    )
    assert shares == {"training_person_times": 100, "accessibility_households": 60}
    rates = dict(con.execute("SELECT year(surveyed_on), avg(satisfied::INT) FROM satisfaction GROUP BY ALL").fetchall())
    assert set(rates) == {2023, 2024} and all(0.93 <= r <= 0.97 for r in rates.values())
    amounts = dict(
        con.execute(
            "SELECT DISTINCT year(period), amount_yuan FROM payments WHERE program = 'nursing_subsidy' "
            "AND amount_yuan < 100"
        ).fetchall()
    )
    assert {k: float(v) for k, v in amounts.items()} == {2023: 80.0, 2024: 86.0}


def test_scale_two_doubles_2023(con, tmp_path):
    twice = connect(generate_demo(tmp_path / "x2", scale=2, as_of=AS_OF))
    query = "SELECT count(*), sum(amount_yuan) FROM payments WHERE program = 'nursing_subsidy' AND year(period) = 2023"
    one, two = con.execute(query).fetchone(), twice.execute(query).fetchone()
    assert two == (2 * one[0], 2 * one[1]) == (2 * 46197, 2 * 3696000)
    assert twice.execute("SELECT count(*), count(DISTINCT name) FROM townships").fetchone() == (46, 46)
    values = report_2023(twice)
    assert all(2 * low <= values[k] <= 2 * high for k, (low, high) in REPORT_2023.items())


def test_beneficiaries_fit_their_programme(con):
    rules = {
        "payments WHERE program = 'psychiatric_medication'": "p.category <> 6",
        "payments WHERE program = 'nursing_subsidy'": "p.grade > 2",
        "services WHERE service = 'respite_care'": "p.category <> 5 OR p.grade > 2",
        "services WHERE service IN ('child_rehab', 'prosthesis_fitting', 'device_fitting')": (
            "year(t.served_on) - p.birth_year > 14"
        ),
    }
    for source, wrong in rules.items():
        table, condition = source.split(" WHERE ")
        bad = con.execute(
            f"SELECT count(*) FROM {table} AS t JOIN persons AS p USING (person_key) WHERE {condition} AND ({wrong})"
        ).fetchone()[0]
        assert bad == 0, source
