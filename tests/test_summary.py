"""Payment summaries (dpf.data.summary): their contents, the on-disk store and its reuse, and multi-cut indicators.

Every test writes real Parquet with tests.extract_builder and opens it with dpf.data.db.open_extracts; tests that look
at the store use a private cache folder ($DASHBOARD_CACHE_DIR) so other tests' stores do not interfere.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections import Counter
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from dpf.contract.manifest import read_manifest, write_manifest
from dpf.data.db import open_extracts
from dpf.data.summary import KEEP_STORES, SUMMARY_TABLES, SummaryState, store_key
from dpf.figures.indicators import compute_indicators, indicator_values
from tests.extract_builder import A, B, day, need, payment, person, service, survey, town, write_set, write_table

AS_OF = date(2025, 3, 1)
CJK = re.compile(r"[\u4e00-\u9fff]")


TOWNSHIPS = [town(A, "城关街道", "街道", 1), town(B, "龙山镇", "镇", 2)]
REHAB_NEEDS = [need("r1", "p1", "basic_medical", "2024-01-05", "2024-03-01")]

# --- 1. contents --------------------------------------------------------------------------------------------

PAYMENTS = [
    payment("n1", "nursing_subsidy", "2024-01-01", 86, person="p1"),
    payment("n2", "nursing_subsidy", "2024-03-01", 86, person="p1"),
    payment("n3", "nursing_subsidy", "2025-02-01", 90, person="p1"),  # next year: its own first payment
    payment("n4", "nursing_subsidy", "2024-01-01", 86, person="p3"),
    payment("n5", "nursing_subsidy", "2024-03-01", 86.5, person="p2", township=B),
    payment("m1", "psychiatric_medication", "2024-03-01", 300.25, person="p1"),
    payment("m2", "psychiatric_medication", "2024-03-01", 100, person="p1"),  # same person, month and programme
    payment("g1", "sunshine_greenhouse", "2024-03-01", 5000, project="g-1", township=B),  # person_key NULL
    payment("g2", "sunshine_greenhouse", "2024-06-01", 1000, project="g-1", township=B),
    payment("e1", "entrepreneurship", "2024-06-01", 1000, person="p9", township=B),  # p9 is not in `persons`
]
PERSONS = [
    person("p1", A, category=6, grade=2),
    person("p2", B, category=1, grade=3),
    person("p3", A, category=4, grade=1),
]
TABLES = {
    "townships": TOWNSHIPS,
    "persons": PERSONS,
    "payments": PAYMENTS,
    "services": [service("h1", "home_rehab", "2024-02-01", person="p1")],
    "rehab_needs": REHAB_NEEDS,
}

# (period, township_code, program, payment_rows, amount_yuan), in the table's order.
EXPECTED_MONTHLY = [
    (day("2024-01-01"), A, "nursing_subsidy", 2, 172.0),
    (day("2024-03-01"), A, "nursing_subsidy", 1, 86.0),
    (day("2024-03-01"), A, "psychiatric_medication", 2, 400.25),
    (day("2024-03-01"), B, "nursing_subsidy", 1, 86.5),
    (day("2024-03-01"), B, "sunshine_greenhouse", 1, 5000.0),
    (day("2024-06-01"), B, "entrepreneurship", 1, 1000.0),
    (day("2024-06-01"), B, "sunshine_greenhouse", 1, 1000.0),
    (day("2025-02-01"), A, "nursing_subsidy", 1, 90.0),
]
# (year, program, township_code, payee, category, grade, first_period); payee stands for the integer id.
EXPECTED_FIRSTS = [
    (2024, "entrepreneurship", B, "person p9", None, None, day("2024-06-01")),
    (2024, "nursing_subsidy", A, "person p1", 6, 2, day("2024-01-01")),  # paid Jan and Mar: first is Jan
    (2024, "nursing_subsidy", A, "person p3", 4, 1, day("2024-01-01")),
    (2024, "nursing_subsidy", B, "person p2", 1, 3, day("2024-03-01")),
    (2024, "psychiatric_medication", A, "person p1", 6, 2, day("2024-03-01")),
    (2024, "sunshine_greenhouse", B, "project g-1", None, None, day("2024-03-01")),  # paid Mar and Jun
    (2025, "nursing_subsidy", A, "person p1", 6, 2, day("2025-02-01")),
]
# (period, township_code, program, to_person, category, grade, payment_rows, amount_yuan)
EXPECTED_BY_GRADE = [
    (day("2024-01-01"), A, "nursing_subsidy", True, 4, 1, 1, 86.0),
    (day("2024-01-01"), A, "nursing_subsidy", True, 6, 2, 1, 86.0),
    (day("2024-03-01"), A, "nursing_subsidy", True, 6, 2, 1, 86.0),
    (day("2024-03-01"), A, "psychiatric_medication", True, 6, 2, 2, 400.25),
    (day("2024-03-01"), B, "nursing_subsidy", True, 1, 3, 1, 86.5),
    (day("2024-03-01"), B, "sunshine_greenhouse", False, None, None, 1, 5000.0),
    (day("2024-06-01"), B, "entrepreneurship", True, None, None, 1, 1000.0),
    (day("2024-06-01"), B, "sunshine_greenhouse", False, None, None, 1, 1000.0),
    (day("2025-02-01"), A, "nursing_subsidy", True, 6, 2, 1, 90.0),
]


def monthly_rows(extracts) -> list[tuple]:
    return extracts.con.execute(
        "SELECT period, township_code, program, payment_rows, amount_yuan FROM summary_payments_monthly"
        " ORDER BY period, township_code, program"
    ).fetchall()


def firsts_as_payees(extracts) -> list[tuple]:
    """summary_payment_firsts with each integer id replaced by the payee it stands for.

    Every row of the fixture is told apart by (year, program, township, category, grade, first_period) and
    whether it is a person or a project; an id must stand for one payee only, and one payee have one id.
    """
    rows = extracts.con.execute(
        "SELECT year, program, township_code, person_id, project_id, category, grade, first_period"
        " FROM summary_payment_firsts ORDER BY ALL"
    ).fetchall()
    payee_of = {(y, p, t, payee.split()[0], c, g, f): payee for y, p, t, payee, c, g, f in EXPECTED_FIRSTS}
    ids_of_payee: dict[str, set] = {}
    payees_of_id: dict[tuple, set] = {}
    result = []
    for year, program, township, person_id, project_id, category, grade, first in rows:
        assert (person_id is None) != (project_id is None), "each fixture payment has a person or a project"
        kind, number = ("person", person_id) if person_id is not None else ("project", project_id)
        payee = payee_of.get((year, program, township, kind, category, grade, first), f"unexpected {kind}")
        ids_of_payee.setdefault(payee, set()).add((kind, number))
        payees_of_id.setdefault((kind, number), set()).add(payee)
        result.append((year, program, township, payee, category, grade, first))
    assert all(len(ids) == 1 for ids in ids_of_payee.values()), ids_of_payee
    assert all(len(payees) == 1 for payees in payees_of_id.values()), payees_of_id
    return result


@pytest.fixture
def private_cache(tmp_path, monkeypatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("DASHBOARD_CACHE_DIR", str(cache))
    return cache


def stores(cache: Path) -> list[Path]:
    return sorted(cache.glob("summary-*.duckdb")) if cache.is_dir() else []


@pytest.mark.parametrize("partition", [False, True], ids=["single-file", "hive-partitioned"])
def test_summary_contents_by_hand(tmp_path, private_cache, partition):
    folder = write_set(tmp_path / "set", TABLES, AS_OF, partition_payments=partition)
    for expect_built in (True, False):  # built now, then read back from the store
        extracts = open_extracts(folder)
        assert extracts.summary.built is expect_built
        assert monthly_rows(extracts) == EXPECTED_MONTHLY
        assert Counter(firsts_as_payees(extracts)) == Counter(EXPECTED_FIRSTS)
        by_grade = extracts.con.execute(
            "SELECT period, township_code, program, to_person, category, grade, payment_rows, amount_yuan"
            " FROM summary_payments_by_grade"
        ).fetchall()
        assert Counter(by_grade) == Counter(EXPECTED_BY_GRADE)


def test_summary_column_types(tmp_path, private_cache):
    extracts = open_extracts(write_set(tmp_path / "set", TABLES, AS_OF))
    types = {
        name: dict(extracts.con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {name})").fetchall())
        for name in ("summary_payments_monthly", "summary_payment_firsts")
    }
    assert types["summary_payments_monthly"] == {
        "period": "DATE",
        "township_code": "VARCHAR",
        "program": "VARCHAR",
        "payment_rows": "BIGINT",
        "amount_yuan": "DOUBLE",
    }
    assert types["summary_payment_firsts"] == {
        "year": "SMALLINT",
        "program": "VARCHAR",
        "township_code": "VARCHAR",
        "person_id": "INTEGER",
        "project_id": "INTEGER",
        "category": "SMALLINT",
        "grade": "SMALLINT",
        "first_period": "DATE",
    }


# --- 2. written once, reused --------------------------------------------------------------------------------


def test_store_written_once_and_reused(tmp_path, private_cache):
    folder = write_set(tmp_path / "set", TABLES, AS_OF)
    first = open_extracts(folder)
    assert first.summary.built is True
    path = first.summary.path
    assert path is not None and path.is_file()
    assert path.parent == private_cache
    assert path.name == f"summary-{store_key(folder)}.duckdb"
    assert stores(private_cache) == [path]
    assert not list(private_cache.glob("*.partial*"))  # the half-written file was renamed, not left behind
    written = path.stat()
    os.utime(path, (written.st_atime - 100, written.st_mtime - 100))

    second = open_extracts(folder)
    assert second.summary == SummaryState(path, False)
    assert path.stat().st_ino == written.st_ino  # attached, not rewritten (a rebuild renames a new file in)
    assert path.stat().st_mtime > written.st_mtime - 50  # touched: a store in use is the last to be pruned
    assert stores(private_cache) == [path]
    assert monthly_rows(second) == EXPECTED_MONTHLY

    # The store is a plain DuckDB file holding every summary table.
    with duckdb.connect(str(path), read_only=True) as con:
        tables = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        assert tables == set(SUMMARY_TABLES)
        assert con.execute("SELECT sum(amount_yuan) FROM summary_payments_monthly").fetchone()[0] == pytest.approx(
            sum(row[4] for row in EXPECTED_MONTHLY)
        )


def test_same_data_in_another_folder_gets_its_own_store(tmp_path, private_cache):
    folder = write_set(tmp_path / "set", TABLES, AS_OF)
    first = open_extracts(folder).summary.path
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    other = open_extracts(copy)
    assert other.summary.built is True
    assert other.summary.path != first
    assert stores(private_cache) == sorted([first, other.summary.path])


# --- 3. a changed payments file builds a new store --------------------------------------------------------


def subsidies_total(extracts, year=2024, as_of=date(2024, 12, 31)) -> float:
    frame = compute_indicators(extracts, year, as_of=as_of).set_index("indicator")
    return frame.loc["subsidies_total_amount", "value"]


def amount_in(extracts, period: str, township: str, program: str) -> float | None:
    row = extracts.con.execute(
        "SELECT amount_yuan FROM summary_payments_monthly WHERE period = $p AND township_code = $t AND program = $g",
        {"p": day(period), "t": township, "g": program},
    ).fetchone()
    return row[0] if row else None


TOTAL_2024 = sum(row[4] for row in EXPECTED_MONTHLY if row[0].year == 2024)  # 7830.75


@pytest.mark.parametrize(
    "change",
    ["extra-row", "extra-row-partitioned", "new-amount-manifest-untouched"],
)
def test_changed_payments_build_a_new_store(tmp_path, private_cache, change):
    partition = change == "extra-row-partitioned"
    folder = write_set(tmp_path / "set", TABLES, AS_OF, partition_payments=partition)
    before = open_extracts(folder)
    assert subsidies_total(before) == pytest.approx(TOTAL_2024)
    assert amount_in(before, "2024-06-01", B, "sunshine_greenhouse") == 1000.0
    time.sleep(0.02)  # file times must be able to differ

    if change == "new-amount-manifest-untouched":
        # Only the payments file is replaced (same row count, so the manifest check still passes).
        manifest_before = (folder / "manifest.json").read_bytes()
        payments = [dict(row) for row in PAYMENTS]
        for row in payments:
            if row["payment_id"] == "g2":
                row["amount_yuan"] = 1234.5
        write_table(folder, "payments", payments)
        assert (folder / "manifest.json").read_bytes() == manifest_before
        added, greenhouse_june = 234.5, 1234.5
    else:
        tables = dict(
            TABLES,
            payments=[*PAYMENTS, payment("g3", "sunshine_greenhouse", "2024-06-01", 250, project="g-2", township=B)],
        )
        write_set(folder, tables, AS_OF, partition_payments=partition)
        added, greenhouse_june = 250.0, 1250.0

    after = open_extracts(folder)
    assert after.problem("payments") is None
    assert after.summary.built is True
    assert after.summary.path != before.summary.path
    assert after.summary.path.is_file()
    assert amount_in(after, "2024-06-01", B, "sunshine_greenhouse") == pytest.approx(greenhouse_june)
    assert subsidies_total(after) == pytest.approx(TOTAL_2024 + added)
    if change != "new-amount-manifest-untouched":
        projects = compute_indicators(after, 2024, as_of=date(2024, 12, 31)).set_index("indicator")
        assert projects.loc["sunshine_greenhouse_projects", "value"] == 2  # g-1 and the new g-2

    again = open_extracts(folder)
    assert again.summary == SummaryState(after.summary.path, False)
    assert subsidies_total(again) == pytest.approx(TOTAL_2024 + added)


# --- 4. a cache folder that cannot be written -------------------------------------------------------------


def test_unwritable_cache_builds_in_memory(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a regular file", encoding="utf-8")
    monkeypatch.setenv("DASHBOARD_CACHE_DIR", str(blocker / "cache"))  # mkdir below a file fails
    folder = write_set(tmp_path / "set", TABLES, AS_OF)
    for _ in range(2):  # nothing is cached, so every open builds again
        extracts = open_extracts(folder)
        assert extracts.summary == SummaryState(None, True)
        assert monthly_rows(extracts) == EXPECTED_MONTHLY
        assert Counter(firsts_as_payees(extracts)) == Counter(EXPECTED_FIRSTS)
        assert subsidies_total(extracts) == pytest.approx(TOTAL_2024)
    assert blocker.read_text(encoding="utf-8") == "a regular file"


# --- 5. payments that cannot be trusted: empty summaries, nothing cached ----------------------------------


def wrong_row_count(folder: Path, delta: int) -> None:
    manifest = read_manifest(folder)
    rows = {table: entry["rows"] for table, entry in manifest.tables.items()}
    rows["payments"] += delta
    write_manifest(folder, manifest.as_of, manifest.source, rows)


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        (lambda folder: wrong_row_count(folder, +1), ("行数", "manifest.json")),
        (lambda folder: wrong_row_count(folder, -3), ("行数", "manifest.json")),
        (lambda folder: (folder / "payments.parquet").unlink(), ("缺少", "payments.parquet")),
        (lambda folder: (folder / "payments.parquet").write_bytes(b"PAR1 half a file"), ("损坏",)),
    ],
    ids=["manifest-rows-too-many", "manifest-rows-too-few", "missing", "unreadable"],
)
def test_untrusted_payments_give_empty_summaries(tmp_path, private_cache, damage, words):
    folder = write_set(tmp_path / "set", TABLES, AS_OF)
    damage(folder)
    extracts = open_extracts(folder)
    problem = extracts.problem("payments")
    assert problem is not None and CJK.search(problem)
    for word in words:
        assert word in problem
    assert extracts.summary == SummaryState(None, True)
    for name in SUMMARY_TABLES:
        assert extracts.con.execute(f"SELECT count(*) FROM {name}").fetchone()[0] == 0
    assert {
        r[0] for r in extracts.con.execute("SELECT column_name FROM (DESCRIBE summary_payment_firsts)").fetchall()
    } >= {
        "year",
        "first_period",
    }
    assert stores(private_cache) == []
    frame = compute_indicators(extracts, 2024, as_of=date(2024, 12, 31)).set_index("indicator")
    assert pd.isna(frame.loc["subsidies_total_amount", "value"])
    assert frame.loc["subsidies_total_amount", "problem"] == problem
    # Other tables are still computed.
    assert frame.loc["home_rehab_persons", "value"] == 1


# --- 6. old stores are pruned -----------------------------------------------------------------------------


def test_only_the_newest_stores_are_kept(tmp_path, private_cache):
    private_cache.mkdir()
    unrelated = private_cache / "notes.duckdb"
    unrelated.write_text("not a summary store", encoding="utf-8")
    base = time.time() - 10_000
    built = []
    for number in range(KEEP_STORES + 3):
        extracts = open_extracts(write_set(tmp_path / f"set{number}", TABLES, AS_OF))
        path = extracts.summary.path
        assert extracts.summary.built is True and path.is_file()  # the store just built is never pruned
        assert len(stores(private_cache)) == min(number + 1, KEEP_STORES)
        # Distinct, increasing times (all older than the next build), whatever the file system's clock granularity.
        os.utime(path, (base + number, base + number))
        built.append(path)
    assert stores(private_cache) == sorted(built[-KEEP_STORES:])
    assert unrelated.is_file()
    # A pruned folder is simply built again.
    reopened = open_extracts(tmp_path / "set0")
    assert reopened.summary == SummaryState(built[0], True)
    assert len(stores(private_cache)) == KEEP_STORES
    assert built[3] not in stores(private_cache)  # then the oldest of those kept: pruned in its place


# --- 7. several cuts in one query agree with one query per cut ---------------------------------------------

CUTS = [date(2024, 1, 31), date(2024, 3, 31), date(2024, 6, 15)]

CUT_TABLES = {
    "townships": TOWNSHIPS,
    "persons": [
        person("q1", A, category=6, certified="2010-01-01"),
        person("q2", B, category=6, certified="2024-02-10"),  # certified between the first two cuts
        person("q3", B, category=6, certified="2015-01-01", cancelled="2024-05-01"),
        person("q4", A, category=4, certified="2020-01-01"),
    ],
    "payments": [
        payment("m1", "psychiatric_medication", "2024-01-01", 200, person="q1"),
        payment("m2", "psychiatric_medication", "2024-03-01", 200, person="q1"),  # counted once
        payment("m3", "psychiatric_medication", "2024-05-01", 200, person="q1", township=B),  # moved to B
        payment("m4", "psychiatric_medication", "2024-06-01", 150, person="q2", township=B),
        payment("m5", "psychiatric_medication", "2024-07-01", 150, person="q4"),  # after every cut
        payment("o1", "psychiatric_medication", "2023-02-01", 180, person="q1"),
        payment("o2", "psychiatric_medication", "2023-03-01", 180, person="q1"),
        payment("o3", "psychiatric_medication", "2023-05-01", 180, person="q3", township=B),
        payment("n1", "nursing_subsidy", "2024-01-01", 86, person="q4"),
        payment("n2", "nursing_subsidy", "2024-02-01", 86, person="q4"),
        payment("n3", "nursing_subsidy", "2024-06-01", 86, person="q4"),
        payment("n4", "nursing_subsidy", "2023-06-01", 80, person="q4"),
        payment("e1", "entrepreneurship", "2024-03-01", 1000, person="q2", township=B),
        payment("e2", "entrepreneurship", "2024-04-01", 1000, person="q2", township=B),
        payment("g1", "sunshine_greenhouse", "2024-02-01", 5000, project="g-1", township=B),
        payment("g2", "sunshine_greenhouse", "2024-06-01", 1000, project="g-1", township=B),
        payment("b1", "assistance_base", "2024-03-01", 2000, project="b-1"),
    ],
    "services": [
        service("t1", "vocational_training", "2024-01-15", person="q1", batch="2024-1"),
        service("t2", "vocational_training", "2024-03-20", person="q4", batch="2024-2"),
        service("t3", "vocational_training", "2024-06-15", person="q2", township=B, batch="2024-3"),  # on the cut
        service("t4", "vocational_training", "2023-03-01", person="q1", batch="2023-1"),
        service("h1", "home_rehab", "2024-01-10", person="q1"),
        service("h2", "home_rehab", "2024-03-10", person="q1"),
        service("h3", "home_rehab", "2024-06-01", person="q3", township=B),
        service("f1", "job_fair", "2024-03-01", quantity=4),
        service("f2", "job_fair", "2024-06-01", township=None, quantity=6),
    ],
    "rehab_needs": [
        *REHAB_NEEDS,
        need("r2", "q2", "assistive_device", "2024-02-20", "2024-06-01", township=B),
    ],
    "satisfaction": [
        survey("s1", "q1", "2024-01-20", True),
        survey("s2", "q2", "2024-04-20", False, township=B),
    ],
}

# (townships, indicator, [value at each cut], [previous at each cut]), computed by hand from CUT_TABLES.
BY_HAND = [
    ((), "psychiatric_medication_persons", [1, 1, 2], [0, 1, 2]),  # q1 Jan+Mar+May is one person; q2 Jun
    ((A,), "psychiatric_medication_persons", [1, 1, 1], [0, 1, 1]),
    ((B,), "psychiatric_medication_persons", [0, 0, 2], [0, 0, 1]),  # q1 (May, in B) and q2
    ((), "psychiatric_medication_amount", [200, 400, 750], [0, 360, 540]),
    ((), "nursing_subsidy_person_times", [1, 2, 3], [0, 0, 1]),
    ((), "entrepreneurship_persons", [0, 1, 1], [0, 0, 0]),
    ((), "sunshine_greenhouse_projects", [0, 1, 1], [0, 0, 0]),
    ((), "subsidies_total_amount", [286, 8572, 11008], [0, 360, 620]),
    ((), "training_person_times", [1, 2, 3], [0, 1, 1]),
    ((), "home_rehab_persons", [1, 1, 2], [0, 0, 0]),
    ((), "certified_persons", [3, 4, 3], [3, 3, 3]),
]


def cut_extracts(tmp_path) -> object:
    return open_extracts(write_set(tmp_path / "cuts", CUT_TABLES, date(2024, 6, 15)))


def same_number(left, right) -> bool:
    if left is None or pd.isna(left):
        return right is None or pd.isna(right)
    return right is not None and not pd.isna(right) and float(left) == pytest.approx(float(right))


def assert_cuts_match_separate_runs(extracts, year, townships, cuts) -> pd.DataFrame:
    frame, _ = indicator_values(extracts, year, townships, cuts)
    assert sorted(set(frame["cut"])) == sorted(cuts)
    assert not frame.duplicated(["cut", "indicator"]).any()
    for cut in cuts:
        alone = compute_indicators(extracts, year, townships, as_of=cut).set_index("indicator")
        at_cut = frame[frame["cut"] == cut].set_index("indicator")
        computable = alone.index[alone["problem"].isna()]
        assert set(at_cut.index) == set(computable)
        for indicator in computable:
            for column in ("value", "previous"):
                assert same_number(at_cut.loc[indicator, column], alone.loc[indicator, column]), (
                    cut,
                    indicator,
                    column,
                    at_cut.loc[indicator, column],
                    alone.loc[indicator, column],
                )
    return frame


@pytest.mark.parametrize("townships", [(), (A,), (B,), (A, B)], ids=["county", "A", "B", "A+B"])
def test_several_cuts_equal_one_run_per_cut(tmp_path, townships):
    extracts = cut_extracts(tmp_path)
    frame = assert_cuts_match_separate_runs(extracts, 2024, townships, CUTS)
    indexed = frame.set_index(["cut", "indicator"])
    for scope, indicator, values, previous in BY_HAND:
        # Every fixture row has township A or B, so the county figures are also those of A+B.
        if scope != townships and not (scope == () and townships == (A, B)):
            continue
        for cut, value, before in zip(CUTS, values, previous, strict=True):
            assert indexed.loc[(cut, indicator), "value"] == pytest.approx(value), (cut, indicator)
            assert indexed.loc[(cut, indicator), "previous"] == pytest.approx(before), (cut, indicator)


def test_cut_order_and_duplicates_do_not_matter(tmp_path):
    extracts = cut_extracts(tmp_path)
    ordered, _ = indicator_values(extracts, 2024, (), CUTS)
    shuffled, _ = indicator_values(extracts, 2024, (), [CUTS[2], CUTS[0], CUTS[2], CUTS[1]])
    key = ["cut", "indicator"]
    pd.testing.assert_frame_equal(
        ordered.sort_values(key).reset_index(drop=True), shuffled.sort_values(key).reset_index(drop=True)
    )


def test_demo_cuts_match_separate_runs_and_raw_payments(demo):
    """On the demo set: several cuts agree with one run per cut, and both with counts over the raw payment rows."""
    cuts = [date(2024, 1, 31), date(2024, 3, 31), date(2024, 6, 15), date(2024, 9, 30)]
    township = demo.con.execute("SELECT code FROM townships ORDER BY sort_order LIMIT 1").fetchone()[0]
    for townships in ((), (township,)):
        frame = assert_cuts_match_separate_runs(demo, 2024, townships, cuts).set_index(["cut", "indicator"])
        for cut in cuts:
            for span, year, ends in (("value", 2024, cut), ("previous", 2023, cut.replace(year=2023))):
                raw = demo.con.execute(
                    """
                    SELECT
                        count(DISTINCT person_key) FILTER (WHERE program = 'psychiatric_medication'),
                        count(DISTINCT person_key) FILTER (WHERE program = 'entrepreneurship'),
                        count(DISTINCT person_key) FILTER (WHERE program = 'sunshine_home'),
                        count(DISTINCT project_key) FILTER (WHERE program = 'sunshine_greenhouse'),
                        count(*) FILTER (WHERE program = 'nursing_subsidy'),
                        sum(amount_yuan)::DOUBLE
                    FROM payments
                    WHERE period BETWEEN make_date($year, 1, 1) AND $ends
                        AND (len($townships) = 0 OR list_contains($townships, township_code))
                    """,
                    {"year": year, "ends": ends, "townships": list(townships)},
                ).fetchone()
                names = [
                    "psychiatric_medication_persons",
                    "entrepreneurship_persons",
                    "sunshine_home_persons",  # paid monthly: each person many times a year
                    "sunshine_greenhouse_projects",
                    "nursing_subsidy_person_times",
                    "subsidies_total_amount",
                ]
                for name, expected in zip(names, raw, strict=True):
                    assert frame.loc[(cut, name), span] == pytest.approx(expected or 0), (townships, cut, span, name)


# --- 8. the store follows `persons` too; damaged pages; a damaged or half-written store --------------------


def grade_of_p1(extracts) -> int | None:
    """p1 is the only payee of psychiatric_medication in the fixture."""
    return extracts.con.execute(
        "SELECT grade FROM summary_payment_firsts WHERE program = 'psychiatric_medication'"
    ).fetchone()[0]


def test_a_new_persons_file_builds_a_new_store(tmp_path, private_cache):
    folder = write_set(tmp_path / "set", TABLES, AS_OF)
    before = open_extracts(folder)
    assert grade_of_p1(before) == 2
    regraded = [{**row, "grade": 4} if row["person_key"] == "p1" else row for row in PERSONS]
    write_table(folder, "persons", regraded)  # manifest untouched, same rows
    after = open_extracts(folder)
    assert after.summary.built is True and after.summary.path != before.summary.path
    assert grade_of_p1(after) == 4


def test_untrusted_persons_are_summarised_in_memory_only(tmp_path, private_cache):
    folder = write_set(tmp_path / "set", TABLES, AS_OF)
    (folder / "persons.parquet").unlink()
    missing = open_extracts(folder)
    assert missing.summary == SummaryState(None, True)
    assert stores(private_cache) == []  # nothing cached that lacks categories and grades
    assert grade_of_p1(missing) is None
    assert subsidies_total(missing) == pytest.approx(TOTAL_2024)  # amounts do not need persons
    write_table(folder, "persons", PERSONS)
    restored = open_extracts(folder)
    assert restored.summary.built is True and restored.summary.path is not None
    assert grade_of_p1(restored) == 2


def damage_a_data_page(path: Path, column: str) -> None:
    """Overwrite bytes inside `column`'s compressed dictionary page: the footer and row count stay readable."""
    metadata = pq.ParquetFile(path).metadata
    names = [metadata.schema.column(i).name for i in range(metadata.num_columns)]
    chunk = metadata.row_group(0).column(names.index(column))
    start = chunk.dictionary_page_offset + 20
    data = bytearray(path.read_bytes())
    data[start : start + 25] = b"\xff" * 25
    path.write_bytes(bytes(data))


def test_damaged_payment_pages_are_reported_not_raised(tmp_path, private_cache):
    folder = write_set(tmp_path / "set", TABLES, AS_OF)
    damage_a_data_page(folder / "payments.parquet", "amount_yuan")
    extracts = open_extracts(folder)  # the row count matches the manifest; the build is what fails
    problem = extracts.problem("payments")
    assert problem is not None and "损坏" in problem and CJK.search(problem)
    assert extracts.summary.path is None and extracts.summary.problem == problem
    assert stores(private_cache) == []
    for name in SUMMARY_TABLES:
        assert extracts.con.execute(f"SELECT count(*) FROM {name}").fetchone()[0] == 0
    frame = compute_indicators(extracts, 2024, as_of=date(2024, 12, 31)).set_index("indicator")
    assert frame.loc["subsidies_total_amount", "problem"] == problem
    assert frame.loc["home_rehab_persons", "value"] == 1  # services are still computed


def test_damaged_store_is_replaced(tmp_path, private_cache):
    folder = write_set(tmp_path / "set", TABLES, AS_OF)
    private_cache.mkdir()
    target = private_cache / f"summary-{store_key(folder)}.duckdb"
    target.write_bytes(b"not a duckdb file" * 100)
    extracts = open_extracts(folder)
    assert extracts.summary == SummaryState(target, True)  # rebuilt in place, not left to fail every open
    assert monthly_rows(extracts) == EXPECTED_MONTHLY
    assert open_extracts(folder).summary == SummaryState(target, False)


def test_half_written_stores_are_removed_once_stale(tmp_path, private_cache):
    private_cache.mkdir()
    stale, recent = private_cache / "summary-dead.partial", private_cache / "summary-building.partial"
    for path in (stale, recent):
        path.write_bytes(b"half")
    old = time.time() - 2 * 3600
    os.utime(stale, (old, old))
    open_extracts(write_set(tmp_path / "set", TABLES, AS_OF))
    assert not stale.exists()  # left by a build that died
    assert recent.exists()  # perhaps another process building right now


# --- 8. service summaries: each person's first service of a year ---------------------------------------------

SERVICES = [
    service("h1", "home_rehab", "2024-02-01", person="p1"),
    service("h2", "home_rehab", "2024-03-01", person="p1"),  # again: first is Feb
    service("h3", "home_rehab", "2024-04-01", person="p1", township=B),  # moved: B's own first
    service("h4", "home_rehab", "2024-03-15", person="p2", township=B),
    service("h5", "home_rehab", "2023-05-01", person="p2", township=B),  # last year's first
    service("j1", "job_registration", "2024-02-10", person="p2", township=B),
    service("f1", "job_fair", "2024-02-10", township=None, quantity=6),  # an event: no person, no township
]
SERVICE_TABLES = dict(TABLES, services=SERVICES)
# (year, service, township_code, person, first_day)
EXPECTED_SERVICE_FIRSTS = [
    (2023, "home_rehab", B, "p2", day("2023-05-01")),
    (2024, "home_rehab", A, "p1", day("2024-02-01")),
    (2024, "home_rehab", B, "p1", day("2024-04-01")),
    (2024, "home_rehab", B, "p2", day("2024-03-15")),
    (2024, "job_registration", B, "p2", day("2024-02-10")),
]


def service_firsts_as_persons(extracts) -> list[tuple]:
    """summary_service_firsts with person_id replaced by the person; ids must be one per person across services."""
    rows = extracts.con.execute("SELECT year, service, township_code, person_id, first_day FROM summary_service_firsts")
    rows = rows.fetchall()
    by_first = {(y, s, t, f): p for y, s, t, p, f in EXPECTED_SERVICE_FIRSTS}
    person_of_id: dict[int, str] = {}
    result = []
    for year, code, township, person_id, first in rows:
        person = by_first.get((year, code, township, first), "unexpected")
        assert person_of_id.setdefault(person_id, person) == person
        result.append((year, code, township, person, first))
    assert len(set(person_of_id.values())) == len(person_of_id)
    return result


def service_stores(cache: Path) -> list[Path]:
    return sorted(cache.glob("service-summary-*.duckdb")) if cache.is_dir() else []


def home_rehab(extracts, townships=(), as_of=date(2024, 12, 31)) -> tuple[float, float]:
    frame = compute_indicators(extracts, 2024, townships, as_of=as_of).set_index("indicator")
    return frame.loc["home_rehab_persons", "value"], frame.loc["home_rehab_persons", "previous"]


@pytest.mark.parametrize(
    ("townships", "as_of", "expected"),
    [
        ((), date(2024, 12, 31), (2, 1)),  # p1 in A and B counts once; p2 last year
        ((), date(2024, 3, 1), (1, 0)),  # p2's first this year is 15 March
        ((A,), date(2024, 12, 31), (1, 0)),
        ((B,), date(2024, 3, 31), (1, 0)),  # p1's first in B is in April
        ((B,), date(2024, 12, 31), (2, 1)),
    ],
)
def test_service_firsts_by_hand_and_persons_counted_from_them(tmp_path, private_cache, townships, as_of, expected):
    folder = write_set(tmp_path / "set", SERVICE_TABLES, AS_OF)
    for expect_built in (True, False):
        extracts = open_extracts(folder)
        assert extracts.service_summary.built is expect_built
        assert Counter(service_firsts_as_persons(extracts)) == Counter(EXPECTED_SERVICE_FIRSTS)
        assert home_rehab(extracts, townships, as_of) == expected
    assert len(service_stores(private_cache)) == 1 and len(stores(private_cache)) == 1


def test_a_new_services_file_builds_only_a_new_service_store(tmp_path, private_cache):
    folder = write_set(tmp_path / "set", SERVICE_TABLES, AS_OF)
    before = open_extracts(folder)
    assert home_rehab(before) == (2, 1)
    time.sleep(0.02)
    moved = [{**row, "person_key": "p3"} if row["service_id"] == "h3" else row for row in SERVICES]
    write_table(folder, "services", moved)  # same rows: manifest still agrees
    after = open_extracts(folder)
    assert after.service_summary.built is True and after.service_summary.path != before.service_summary.path
    assert after.summary == SummaryState(before.summary.path, False)  # the payment summaries are reused
    assert home_rehab(after) == (3, 1)  # p1 (A), p2 and now p3 (B)


def test_damaged_service_pages_are_reported_not_raised(tmp_path, private_cache):
    folder = write_set(tmp_path / "set", SERVICE_TABLES, AS_OF)
    damage_a_data_page(folder / "services.parquet", "person_key")
    extracts = open_extracts(folder)
    problem = extracts.problem("services")
    assert problem is not None and "损坏" in problem and "服务记录" in problem
    assert extracts.service_summary.problem == problem and service_stores(private_cache) == []
    frame = compute_indicators(extracts, 2024, as_of=date(2024, 12, 31)).set_index("indicator")
    assert frame.loc["home_rehab_persons", "problem"] == problem
    assert frame.loc["subsidies_total_amount", "value"] == pytest.approx(TOTAL_2024)  # payments still computed
