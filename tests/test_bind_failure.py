"""A table with a column of the wrong type (or a summary set that fails) is reported where it is needed; the rest works.

Each case writes real Parquet with one column of a type the contract does not allow: the table is flagged with a
Chinese message naming the column and both types, bound as an empty view with the contract's columns (so every
query stays valid) and its summaries are skipped; every other table keeps its rows and its figures.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import dpf.data.summary
from dpf.contract.catalogue import NULL_WHEN_ABSENT, TABLE_NAMES_ZH, TABLE_SCHEMAS
from dpf.data.db import open_extracts
from dpf.figures.indicators import compute_indicators
from tests.apptest_helpers import metric_values, no_exception, run_page
from tests.check_fixture import build_clean_folder
from tests.extract_builder import refresh_manifest

Mutation = Callable[[Path], None]
OK_ROWS = {
    "townships": 3,
    "persons": 4,
    "payments": 5,
    "services": 4,
    "rehab_needs": 2,
    "satisfaction": 2,
    "targets": 2,
}


def retype(relative: str, column: str, to: pa.DataType) -> Mutation:
    """Rewrite one Parquet file of the folder with `column` cast to `to` (text, a number, a timestamp)."""

    def mutate(folder: Path) -> None:
        path = folder / relative
        table = pq.read_table(path, partitioning=None)
        index = table.column_names.index(column)
        table = table.set_column(index, column, table.column(column).cast(to))
        pq.write_table(table, path)
        refresh_manifest(folder)

    return mutate


# id: (file, column, the type it is rewritten with, that type and the contract's as the message names them)
CASES = {
    "services_served_on_text": (
        "services.parquet",
        "served_on",
        pa.string(),
        "VARCHAR（文本）",
        "DATE（日期，不含时间）",
    ),
    "one_payments_part_amount_text": (
        "payments/year=2024/part-0.parquet",
        "amount_yuan",
        pa.string(),
        "VARCHAR（文本）",
        "DECIMAL(12,2)（定点小数）",
    ),
    "persons_certified_on_text": ("persons.parquet", "certified_on", pa.string(), "VARCHAR（文本）", "DATE"),
    "persons_category_text": ("persons.parquet", "category", pa.string(), "VARCHAR（文本）", "整数"),
    "targets_target_text": ("targets.parquet", "target", pa.string(), "VARCHAR（文本）", "DOUBLE（数值）"),
    "townships_code_number": ("townships.parquet", "code", pa.int64(), "BIGINT（整数）", "VARCHAR（文本）"),
    "rehab_needs_recorded_on_timestamp": (
        "rehab_needs.parquet",
        "recorded_on",
        pa.timestamp("us"),
        "TIMESTAMP（日期时间）",
        "DATE",
    ),
}
WITNESS = {  # a figure of another table that must stay right
    "services": ("subsidies_total_amount", 10960.5),
    "payments": ("training_person_times", 1.0),
    "persons": ("devices_issued", 2.0),
    "targets": ("training_person_times", 1.0),
    "townships": ("rehab_needs_met_rate", 50.0),
    "rehab_needs": ("accessibility_amount", 5800.5),
}


@pytest.mark.parametrize(("file", "column", "to", "actual", "expected"), CASES.values(), ids=CASES.keys())
def test_a_mistyped_column_flags_only_its_table(tmp_path, file, column, to, actual, expected):
    folder = build_clean_folder(tmp_path / "data")
    retype(file, column, to)(folder)
    flagged = file.split("/")[0].removesuffix(".parquet")
    extracts = open_extracts(folder)
    problem = extracts.tables[flagged].problem
    assert not extracts.tables[flagged].ok and problem
    assert (
        f"“{TABLE_NAMES_ZH[flagged]}”表（{flagged}）的 {column} 列类型为 {actual}，数据约定要求 {expected}" in problem
    )
    assert ("见文件 payments/year=2024/part-0.parquet" in problem) == (flagged == "payments")
    assert "year=2023" not in problem  # the part that is fine is not blamed
    assert {t: s.rows for t, s in extracts.tables.items() if s.ok} == {t: n for t, n in OK_ROWS.items() if t != flagged}
    # The flagged table is an empty view with the contract's columns and types (and the optional ones every query may
    # name, persons' hardship): queries on it stay valid.
    relation = extracts.con.table(flagged)
    assert relation.columns == [*TABLE_SCHEMAS[flagged].names, *NULL_WHEN_ABSENT.get(flagged, ())]
    assert relation.aggregate("count(*)").fetchall() == [(0,)]
    indicators = compute_indicators(extracts, 2024).set_index("indicator")
    code, value = WITNESS[flagged]
    assert indicators.loc[code, "value"] == value and pd.isna(indicators.loc[code, "problem"])
    if flagged in ("payments", "services"):
        affected = indicators[indicators["table"] == flagged]
        assert affected["value"].isna().all() and (affected["problem"] == problem).all()


def test_summaries_of_a_mistyped_table_are_skipped(tmp_path):
    folder = build_clean_folder(tmp_path / "data")
    retype("services.parquet", "served_on", pa.string())(folder)
    extracts = open_extracts(folder)
    assert extracts.service_summary.path is None and extracts.service_summary.problem is None
    assert extracts.con.sql("SELECT count(*) FROM summary_service_firsts").fetchall() == [(0,)]
    assert extracts.summary.path is not None  # the payments' store is built and attached as usual
    assert extracts.con.sql("SELECT sum(amount_yuan) FROM summary_payments_monthly").fetchall()[0][0] == 11040.5


def test_a_failing_summary_set_blanks_only_its_table(tmp_path, monkeypatch):
    """Any error while building one summary set (here injected into the services set) leaves the open working."""
    folder = build_clean_folder(tmp_path / "data")
    real = dpf.data.summary._create_tables

    def failing(con, summaries, schema, empty=False):
        if summaries is dpf.data.summary.SERVICE_SUMMARIES and not empty:
            raise RuntimeError("injected failure")
        real(con, summaries, schema, empty)

    monkeypatch.setattr(dpf.data.summary, "_create_tables", failing)
    extracts = open_extracts(folder)
    problem = extracts.tables["services"].problem
    assert (
        not extracts.tables["services"].ok and "服务记录" in problem and "汇总无法生成（injected failure）" in problem
    )
    assert extracts.con.sql("SELECT count(*) FROM services").fetchall() == [(0,)]
    assert extracts.con.sql("SELECT count(*) FROM summary_service_firsts").fetchall() == [(0,)]
    indicators = compute_indicators(extracts, 2024).set_index("indicator")
    assert indicators.loc["subsidies_total_amount", "value"] == 10960.5
    assert indicators.loc["training_person_times", "problem"] == problem
    assert all(extracts.tables[t].ok for t in OK_ROWS if t != "services")


# --- Every page, on the demo set with one mistyped table ------------------------------------

PAGES = {
    "overview.py": ["资金发放", "乡镇地图"],
    "funds.py": ["逐月发放", "各项目", "各乡镇（街道）", "乡镇×项目", "项目明细", "应补尽补"],
    "employment.py": ["培训进度", "培训班次", "就业服务", "扶持项目", "各乡镇（街道）"],
    "rehab.py": ["乡镇覆盖", "覆盖地图", "需求类型", "类别等级", "儿童康复"],
    "targets.py": ["完成情况", "逐月累计", "各乡镇（街道）", "乡镇地图"],
    "data_status.py": [None],
}
EVERY_SECTION = [(page, section) for page, sections in PAGES.items() for section in sections]


def _demo_with(tmp_path_factory, demo_dir: Path, mutate: Mutation) -> Path:
    folder = tmp_path_factory.mktemp("mistyped") / "demo"
    shutil.copytree(demo_dir, folder)
    mutate(folder)
    return folder


@pytest.fixture(scope="module")
def services_as_text(tmp_path_factory, demo_dir) -> Path:
    return _demo_with(tmp_path_factory, demo_dir, retype("services.parquet", "served_on", pa.string()))


@pytest.fixture(scope="module")
def payments_part_as_text(tmp_path_factory, demo_dir) -> Path:
    return _demo_with(
        tmp_path_factory, demo_dir, retype("payments/year=2023/part-0.parquet", "amount_yuan", pa.string())
    )


def _messages(at) -> str:
    return " ".join(e.value for kind in ("warning", "info", "caption") for e in at.get(kind))


@pytest.mark.parametrize(("page", "section"), EVERY_SECTION)
def test_every_page_runs_with_services_mistyped(services_as_text, page, section):
    at = run_page(services_as_text, page, section=section)
    assert no_exception(at), [e.message for e in at.exception]
    if page == "employment.py" or (page == "rehab.py" and section in ("乡镇覆盖", "儿童康复")):
        assert "served_on 列类型为 VARCHAR（文本）" in _messages(at)


@pytest.mark.parametrize(("page", "section"), EVERY_SECTION)
def test_every_page_runs_with_one_payments_part_mistyped(payments_part_as_text, page, section):
    at = run_page(payments_part_as_text, page, section=section)
    assert no_exception(at), [e.message for e in at.exception]
    if page in ("overview.py", "funds.py"):
        assert "amount_yuan 列类型为 VARCHAR（文本）" in _messages(at)
        assert "payments/year=2023/part-0.parquet" in _messages(at)


def test_other_pages_keep_their_figures(services_as_text, payments_part_as_text, demo_dir):
    funds = run_page(services_as_text, "funds.py")
    assert metric_values(funds) == metric_values(run_page(demo_dir, "funds.py"))
    assert metric_values(funds)["资金发放合计"] not in ("", "—")
    rehab = metric_values(run_page(payments_part_as_text, "rehab.py", section="需求类型"))
    clean = metric_values(run_page(demo_dir, "rehab.py", section="需求类型"))
    from_payments = {"救助困难精神残疾人", "药费补助金额"}  # the page's two payment cards go blank
    assert {label: rehab[label] for label in from_payments} == dict.fromkeys(from_payments, "—")
    assert {k: v for k, v in rehab.items() if k not in from_payments} == {
        k: v for k, v in clean.items() if k not in from_payments
    }
    assert len(rehab) == len(clean) == 13


def test_status_page_names_the_mistyped_table(services_as_text):
    at = run_page(services_as_text, "data_status.py")
    assert no_exception(at)
    tables = at.dataframe[0].value.set_index("数据表")
    assert "served_on 列类型为 VARCHAR（文本）" in tables.loc["服务记录", "状态"]
    assert tables.loc["服务记录", "行数"] == "—"
    assert tables.loc["资金发放", "状态"] == "正常"
    assert any("检查未通过" in e.value for e in at.error)
    assert any("services）的 served_on 列类型为 VARCHAR（文本）" in m.value for m in at.markdown)
