"""The contract check (`dpf.contract.check`, `python -m dpf check`) on a tiny folder and broken copies of it."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dpf.commands.main import main
from dpf.contract.catalogue import TABLE_SCHEMAS
from dpf.contract.check import CheckResult, check_folder, format_report
from dpf.contract.manifest import MANIFEST_NAME, table_files, table_location
from tests.check_fixture import P1, P2, build_clean_folder
from tests.extract_builder import read_rows, refresh_manifest, write_table

Mutation = Callable[[Path], None]


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    return build_clean_folder(tmp_path / "data")


def rows_of(table: str, change: Callable[[list[dict]], list[dict] | pa.Table | None]) -> Mutation:
    """A mutation: rewrite `table` through `change` (in place or returning new data), then the manifest."""

    def mutate(folder: Path) -> None:
        rows = read_rows(folder, table)
        out = change(rows)
        write_table(folder, table, rows if out is None else out)
        refresh_manifest(folder)

    return mutate


def set_value(table: str, column: str, value, row: int = 0) -> Mutation:
    def change(rows: list[dict]) -> None:
        rows[row][column] = value

    return rows_of(table, change)


def arrow_with(table: str, column: str, array: Callable[[list], pa.Array]) -> Mutation:
    """Replace one column with an Arrow array built from its values (to change its type)."""

    def change(rows: list[dict]) -> pa.Table:
        arrow = pa.Table.from_pylist(rows, schema=TABLE_SCHEMAS[table])
        index = arrow.column_names.index(column)
        return arrow.set_column(index, column, array(arrow.column(column).to_pylist()))

    return rows_of(table, change)


def drop_column(table: str, column: str) -> Mutation:
    def change(rows: list[dict]) -> pa.Table:
        return pa.Table.from_pylist(rows, schema=TABLE_SCHEMAS[table]).drop_columns([column])

    return rows_of(table, change)


def duplicate_row(table: str, row: int = 0, **changes) -> Mutation:
    def change(rows: list[dict]) -> None:
        rows.append({**rows[row], **changes})

    return rows_of(table, change)


def remove_table(table: str) -> Mutation:
    def mutate(folder: Path) -> None:
        location = table_location(folder, table)
        for path in table_files(location):
            path.unlink()
        refresh_manifest(folder)

    return mutate


def edit_manifest(change: Callable[[dict], None]) -> Mutation:
    def mutate(folder: Path) -> None:
        path = folder / MANIFEST_NAME
        body = json.loads(path.read_text(encoding="utf-8"))
        change(body)
        path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")

    return mutate


def _wrong_rows(body: dict) -> None:
    body["tables"]["persons"]["rows"] += 1


BAD_TOWNSHIP = "999999999"
RAW_CERTIFICATE = "34012219800101001111"  # a raw 20-character certificate number

# One value written into one row (row 0 unless given) and the rule reported on that same column:
# (id, table, column, value, expected rule, words the message must contain[, row])
# fmt: off
SET_VALUE_CASES = [
    ("null_key", "payments", "payment_id", None, "null_key", ["payment_id", "为空"]),
    ("dup_township_name", "townships", "name", "城关镇", "duplicate_key", ["name", "重复"], 1),
    ("null_township_code", "townships", "code", None, "null_key", ["code", "为空"], 2),
    ("kind", "townships", "kind", "村", "bad_value", ["kind", "镇"]),
    ("sex", "persons", "sex", "未知", "bad_value", ["sex", "男"]),
    ("category", "persons", "category", 8, "bad_value", ["category", "1 至 7"]),
    ("grade", "persons", "grade", 0, "bad_value", ["grade", "1 至 4"]),
    ("birth_year_old", "persons", "birth_year", 1890, "bad_value", ["birth_year", "1900"]),
    ("birth_year_future", "persons", "birth_year", 2025, "bad_value", ["2024"]),
    ("program", "payments", "program", "pension", "bad_value", ["program"]),
    ("service", "services", "service", "dance", "bad_value", ["service"]),
    ("need", "rehab_needs", "need", "food", "bad_value", ["need"]),
    ("quantity", "services", "quantity", 0, "bad_value", ["quantity", "1"]),
    ("indicator", "targets", "indicator", "happiness", "bad_value", ["indicator"]),
    ("payment_township_null", "payments", "township_code", None, "null_value", ["为空"]),
    ("person_township_null", "persons", "township_code", None, "null_value", ["为空"]),
    ("service_township_null_not_event", "services", "township_code", None, "null_value", ["township_code", "县级"]),
    ("amount_zero", "payments", "amount_yuan", Decimal("0.00"), "amount_not_positive", ["金额"]),
    ("amount_negative", "payments", "amount_yuan", Decimal("-80.00"), "amount_not_positive", ["大于 0"]),
    ("period_after", "payments", "period", date(2024, 10, 1), "after_as_of", ["2024-09-30"]),
    ("period_day", "payments", "period", date(2024, 3, 15), "period_not_first_day", ["1 日"]),
    ("served_after", "services", "served_on", date(2024, 10, 2), "after_as_of", ["截至"]),
    ("recorded_after", "rehab_needs", "recorded_on", date(2025, 1, 1), "after_as_of", ["截至"]),
    ("met_after", "rehab_needs", "met_on", date(2024, 10, 1), "after_as_of", ["截至"]),
    ("surveyed_after", "satisfaction", "surveyed_on", date(2024, 12, 1), "after_as_of", ["截至"]),
    ("certified_after", "persons", "certified_on", date(2024, 10, 1), "after_as_of", ["截至"]),
    ("cancelled_after", "persons", "cancelled_on", date(2024, 11, 1), "after_as_of", ["截至"]),
    ("met_before_recorded", "rehab_needs", "met_on", date(2024, 1, 1), "met_before_recorded", ["早于登记日期"]),
    ("cancelled_before_certified", "persons", "cancelled_on", date(2019, 1, 1), "cancelled_before_certified",
     ["早于办证日期"], 2),
    ("certified_null", "persons", "certified_on", None, "null_value", ["必填"]),
    ("satisfied_null", "satisfaction", "satisfied", None, "null_value", ["必填"]),
    ("target_null", "targets", "target", None, "null_value", ["必填"]),
    ("service_without_person", "services", "person_key", None, "missing_person_key", ["person_key"]),
    ("raw_certificate_number", "persons", "person_key", RAW_CERTIFICATE, "person_key_format", ["证号", "HMAC"]),
]
# A value written into row 0 of payments, reported on the payee pair: (id, column, value, expected rule, words)
PAYEE_CASES = [
    ("payment_both_keys", "project_key", "GH-99", "payment_keys", ["person_key", "project_key", "同时"]),
    ("payment_neither_key", "person_key", None, "payment_keys", ["同时为空"]),
    ("payee_kind", "program", "sunshine_greenhouse", "payee_kind", ["project_key"]),
]
# fmt: on

# (mutation, expected rule, table, column, words the message must contain)
VIOLATIONS = [
    pytest.param(
        remove_table("services"), "missing_table", "services", None, ["服务记录", "services"], id="missing_table"
    ),
    pytest.param(
        drop_column("persons", "sex"), "missing_column", "persons", "sex", ["缺少", "sex"], id="missing_column"
    ),
    pytest.param(
        arrow_with("persons", "certified_on", lambda v: pa.array([str(d) for d in v])),
        "wrong_type",
        "persons",
        "certified_on",
        ["certified_on", "VARCHAR", "DATE"],
        id="wrong_type_date_as_text",
    ),
    pytest.param(
        arrow_with("townships", "code", lambda v: pa.array([int(c) for c in v], pa.int64())),
        "wrong_type",
        "townships",
        "code",
        ["code", "BIGINT", "VARCHAR"],
        id="wrong_type_code_as_number",
    ),
    pytest.param(
        duplicate_row("persons"),
        "duplicate_key",
        "persons",
        "person_key",
        ["person_key", "重复", "1 个"],
        id="dup_person",
    ),
    pytest.param(
        duplicate_row("payments", 1, period=date(2024, 2, 1)),
        "duplicate_key",
        "payments",
        "payment_id",
        ["payment_id", "重复"],
        id="dup_payment_id",
    ),
    pytest.param(
        duplicate_row("targets", 0, target=120.0),
        "duplicate_target",
        "targets",
        "year/indicator/township_code",
        ["目标"],
        id="duplicate_target",
    ),
    pytest.param(
        edit_manifest(_wrong_rows), "manifest_rows", "persons", None, ["manifest.json", "行"], id="manifest_rows"
    ),
    pytest.param(
        edit_manifest(lambda body: body.update(contract=2)),
        "manifest_contract",
        "manifest.json",
        "contract",
        ["版本"],
        id="manifest_contract",
    ),
    *[
        pytest.param(set_value(table, column, value, *row), rule, table, column, words, id=case)
        for case, table, column, value, rule, words, *row in SET_VALUE_CASES
    ],
    *[
        pytest.param(set_value("payments", column, value), rule, "payments", "person_key/project_key", words, id=case)
        for case, column, value, rule, words in PAYEE_CASES
    ],
    *[
        pytest.param(
            set_value(table, "township_code", BAD_TOWNSHIP),
            "unknown_township",
            table,
            "township_code",
            ["township_code", "townships"],
            id=f"unknown_township_{table}",
        )
        for table in ("persons", "payments", "services", "rehab_needs", "satisfaction", "targets")
    ],
]


def _personal_column(folder: Path) -> None:
    rows = read_rows(folder, "persons")
    arrow = pa.Table.from_pylist(rows, schema=TABLE_SCHEMAS["persons"])
    write_table(folder, "persons", arrow.append_column("姓名", pa.array(["张三"] * arrow.num_rows)))
    refresh_manifest(folder)


VIOLATIONS.append(
    pytest.param(_personal_column, "personal_data", "persons", "姓名", ["个人信息", "姓名"], id="personal_data_column")
)


def only(result: CheckResult, rule: str) -> list:
    return [f for f in result.violations + result.warnings if f.rule == rule]


def test_clean_folder_passes(clean: Path) -> None:
    result = check_folder(clean)
    assert result.unreadable is None
    assert result.violations == [], format_report(result)
    assert result.warnings == [], format_report(result)
    assert result.exit_code == 0
    assert sorted(result.tables) == sorted(TABLE_SCHEMAS)
    report = format_report(result)
    assert report.splitlines()[-1] == "检查通过：7 张表，0 项问题，0 项提醒。"


@pytest.mark.parametrize(("mutate", "rule", "table", "column", "words"), VIOLATIONS)
def test_each_rule_is_reported(clean: Path, mutate: Mutation, rule, table, column, words) -> None:
    mutate(clean)
    result = check_folder(clean)
    report = format_report(result)
    assert result.exit_code == 1, report
    found = [f for f in result.violations if f.rule == rule and f.table == table and f.column == column]
    assert found, report
    finding = found[0]
    assert finding.count >= 1
    assert len(finding.examples) <= 5
    for word in words:
        assert word in finding.message, finding.message
    if table != "manifest.json":
        assert table in finding.message
    if column and "/" not in column:
        assert column in finding.message
    assert finding.message in report
    assert "检查未通过" in report.splitlines()[-1]


def test_counts_and_examples(clean: Path) -> None:
    def change(rows: list[dict]) -> None:
        for i, row in enumerate(rows):
            row["amount_yuan"] = Decimal("0.00") if i < 4 else row["amount_yuan"]

    rows_of("payments", change)(clean)
    result = check_folder(clean)
    [finding] = only(result, "amount_not_positive")
    assert finding.count == 4
    assert finding.examples == ["PAY-0001", "PAY-0002", "PAY-0003", "PAY-0004"]
    assert "有 4 行" in finding.message
    line = next(line for line in format_report(result).splitlines() if "amount_yuan" in line)
    assert "PAY-0001、PAY-0002、PAY-0003、PAY-0004" in line


def test_examples_are_capped_at_five(clean: Path) -> None:
    def change(rows: list[dict]) -> None:
        base = rows[0]
        rows.extend({**base, "payment_id": f"PAY-9{i:03d}", "amount_yuan": Decimal("-1.00")} for i in range(12))

    rows_of("payments", change)(clean)
    [finding] = only(check_folder(clean), "amount_not_positive")
    assert finding.count == 12
    assert finding.examples == [f"PAY-9{i:03d}" for i in range(5)]


def test_event_service_may_lack_township(clean: Path) -> None:
    # SV-0002 (job_fair) already has no township; a county-level outreach event is fine too.
    set_value("services", "township_code", None, 2)(clean)
    assert check_folder(clean).exit_code == 0


def test_targets_township_may_be_null(clean: Path) -> None:
    set_value("targets", "township_code", None, 1)(clean)
    result = check_folder(clean)
    assert only(result, "unknown_township") == []
    assert only(result, "duplicate_target")  # now two county-wide rows for one indicator


@pytest.mark.parametrize(
    ("make", "words"),
    [
        pytest.param(lambda tmp: tmp / "nowhere", ["找不到数据文件夹"], id="missing"),
        pytest.param(lambda tmp: _file(tmp / "a-file"), ["不是文件夹"], id="not_a_dir"),
        pytest.param(lambda tmp: _dir(tmp / "empty"), ["manifest.json"], id="no_manifest"),
        pytest.param(lambda tmp: _file(tmp / "bad" / MANIFEST_NAME, "{not json"), ["manifest.json"], id="bad_manifest"),
        pytest.param(
            lambda tmp: _file(tmp / "no_as_of" / MANIFEST_NAME, '{"contract": 1}'),
            ["manifest.json"],
            id="manifest_no_as_of",
        ),
    ],
)
def test_unreadable_folder_exits_2(tmp_path: Path, make, words) -> None:
    folder = make(tmp_path)
    if folder.name == MANIFEST_NAME:
        folder = folder.parent
    result = check_folder(folder)
    assert result.exit_code == 2
    assert result.unreadable
    for word in words:
        assert word in result.unreadable
    assert result.unreadable in format_report(result)


def _file(path: Path, text: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _dir(path: Path) -> Path:
    path.mkdir(parents=True)
    return path


def test_truncated_parquet_is_a_violation_and_the_check_continues(clean: Path) -> None:
    set_value("payments", "amount_yuan", Decimal("0.00"))(clean)
    path = clean / "persons.parquet"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # half-copied, after the manifest was written
    result = check_folder(clean)
    assert result.exit_code == 1
    [broken] = only(result, "unreadable_file")
    assert broken.table == "persons"
    assert broken.examples == ["persons.parquet"]
    assert "损坏" in broken.message and "persons" in broken.message
    assert only(result, "manifest_sha256")[0].table == "persons"
    assert only(result, "amount_not_positive")  # other tables are still checked
    assert only(result, "unknown_person") == []  # the lookup needs persons; skipped, not misreported


def test_corrupt_file_inside_a_partitioned_table(clean: Path) -> None:
    path = clean / "payments" / "year=2024" / "part-0.parquet"
    path.write_bytes(b"PAR1 this is not parquet")
    result = check_folder(clean)
    [broken] = only(result, "unreadable_file")
    assert broken.table == "payments"
    assert broken.examples == ["payments/year=2024/part-0.parquet"]


def test_changed_bytes_after_manifest_is_manifest_sha256(clean: Path) -> None:
    # The same rows written again differently: readable, same row count, other bytes.
    path = clean / "services.parquet"
    pq.write_table(pq.read_table(path), path, compression="gzip")
    result = check_folder(clean)
    assert result.exit_code == 1
    assert [f.rule for f in result.violations] == ["manifest_sha256"]
    finding = result.violations[0]
    assert finding.table == "services"
    assert "sha256" in finding.message and "重新复制" in finding.message


def test_duplicate_payment_is_only_a_warning(clean: Path) -> None:
    duplicate_row("payments", 1, payment_id="PAY-0099")(clean)
    result = check_folder(clean)
    assert result.exit_code == 0, format_report(result)
    [warning] = result.warnings
    assert warning.rule == "duplicate_payment"
    assert warning.count == 1
    assert warning.examples == [f"{P1[:12]}… nursing_subsidy 2024-01"]
    report = format_report(result)
    assert "【提醒】" in report and "不止一次" in report
    assert report.splitlines()[-1] == "检查通过：7 张表，0 项问题，1 项提醒。"


@pytest.mark.parametrize(
    ("mutate", "rule", "table"),
    [
        pytest.param(
            set_value("services", "person_key", P2, 1), "event_with_person", "services", id="event_with_person"
        ),
        pytest.param(
            set_value("rehab_needs", "person_key", "0" * 64), "unknown_person", "rehab_needs", id="unknown_person"
        ),
        pytest.param(
            arrow_with("payments", "amount_yuan", lambda v: pa.array([float(x) for x in v])),
            "inexact_type",
            "payments",
            id="amount_as_double",
        ),
    ],
)
def test_suspicious_but_legal_is_a_warning(clean: Path, mutate: Mutation, rule: str, table: str) -> None:
    mutate(clean)
    result = check_folder(clean)
    assert result.exit_code == 0, format_report(result)
    assert [(f.rule, f.table) for f in result.warnings] == [(rule, table)]


def test_optional_table_may_be_absent(clean: Path) -> None:
    for table in ("satisfaction", "targets"):
        (clean / f"{table}.parquet").unlink()
    refresh_manifest(clean)
    result = check_folder(clean)
    assert result.exit_code == 0
    assert result.warnings == []
    assert "5 张表" in format_report(result)


def test_manifest_lists_absent_table_and_misses_present_one(clean: Path) -> None:
    (clean / "satisfaction.parquet").unlink()  # listed in the manifest, now absent
    manifest = json.loads((clean / MANIFEST_NAME).read_text(encoding="utf-8"))
    del manifest["tables"]["targets"]  # present, but unlisted
    (clean / MANIFEST_NAME).write_text(json.dumps(manifest), encoding="utf-8")
    result = check_folder(clean)
    assert result.exit_code == 0
    assert sorted((f.rule, f.table) for f in result.warnings) == [
        ("manifest_table_absent", "satisfaction"),
        ("manifest_unlisted", "targets"),
    ]


def test_unlisted_extra_columns_and_partition_column_are_fine(clean: Path) -> None:
    # payments/ is hive-partitioned by year in the fixture, so the view has an extra `year`.
    def change(rows: list[dict]) -> pa.Table:
        arrow = pa.Table.from_pylist(rows, schema=TABLE_SCHEMAS["services"])
        return arrow.append_column("source_sheet", pa.array(["台账1"] * arrow.num_rows))

    rows_of("services", change)(clean)
    assert check_folder(clean).exit_code == 0


def test_cli_reports_in_chinese_and_exits_1(clean: Path, capsys) -> None:
    set_value("payments", "amount_yuan", Decimal("0.00"), 2)(clean)
    code = main(["check", "--data", str(clean)])
    out = capsys.readouterr().out
    assert code == 1
    assert "资金发放" in out and "amount_yuan" in out and "PAY-0003" in out
    assert "检查未通过：7 张表，1 项问题，0 项提醒。" in out


def test_cli_clean_and_unreadable(clean: Path, tmp_path: Path, capsys) -> None:
    assert main(["check", "--data", str(clean)]) == 0
    assert "检查通过" in capsys.readouterr().out
    assert main(["check", "--data", str(tmp_path / "missing")]) == 2
    assert "找不到数据文件夹" in capsys.readouterr().out


def test_damaged_data_pages_are_found_after_a_checksum_mismatch(clean: Path) -> None:
    # The footer is intact, so the table opens; only reading the values reveals the damage.
    rows = read_rows(clean, "services")
    many = [{**rows[0], "service_id": f"SV-{i:05d}", "detail": "课程" * 20 + str(i)} for i in range(3000)]
    path = clean / "services.parquet"
    pq.write_table(pa.Table.from_pylist(many, schema=TABLE_SCHEMAS["services"]), path, compression="none")
    refresh_manifest(clean)
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 2000] = b"\xff" * 2000
    path.write_bytes(bytes(data))
    result = check_folder(clean)
    rules = {f.rule for f in result.violations if f.table == "services"}
    assert {"unreadable_file", "manifest_sha256"} <= rules, format_report(result)


def _grid(folder: Path, rows: pa.Array, cols: pa.Array) -> None:
    arrow = pa.Table.from_pylist(read_rows(folder, "townships"), schema=TABLE_SCHEMAS["townships"])
    write_table(folder, "townships", arrow.append_column("grid_row", rows).append_column("grid_col", cols))
    refresh_manifest(folder)


def test_the_optional_grid_columns_pass_when_given(clean: Path) -> None:
    _grid(clean, pa.array([0, 0, 1], pa.int16()), pa.array([0, 1, 0], pa.int16()))
    result = check_folder(clean)
    assert result.violations == [] and result.warnings == [], format_report(result)


def test_a_mistyped_grid_column_is_a_warning_not_a_violation(clean: Path) -> None:
    _grid(clean, pa.array(["北", "北", "南"]), pa.array([0, 1, 0], pa.int16()))
    result = check_folder(clean)
    assert result.violations == [], format_report(result)
    assert [(f.table, f.column, f.rule) for f in result.warnings] == [("townships", "grid_row", "wrong_type")]
    assert "可选列 grid_row" in result.warnings[0].message


def _hardship(folder: Path, flags: pa.Array) -> None:
    arrow = pa.Table.from_pylist(read_rows(folder, "persons"), schema=TABLE_SCHEMAS["persons"])
    write_table(folder, "persons", arrow.append_column("hardship", flags))
    refresh_manifest(folder)


def test_the_optional_hardship_column_passes_as_a_boolean(clean: Path) -> None:
    _hardship(clean, pa.array([True, False, None, True]))
    result = check_folder(clean)
    assert result.violations == [] and result.warnings == [], format_report(result)


@pytest.mark.parametrize("flags", [pa.array(["是", "否", "", "是"]), pa.array([1, 0, 0, 1], pa.int8())])
def test_a_mistyped_hardship_column_is_a_warning_naming_the_boolean(clean: Path, flags: pa.Array) -> None:
    _hardship(clean, flags)
    result = check_folder(clean)
    assert result.violations == [], format_report(result)
    assert [(f.table, f.column, f.rule) for f in result.warnings] == [("persons", "hardship", "wrong_type")]
    assert "可选列 hardship" in result.warnings[0].message and "BOOLEAN" in result.warnings[0].message


@pytest.mark.parametrize(
    ("grades", "ok"),
    [([1, 2, 3], True), ([4], True), ([], False), ([0, 1], False), ([1, 5], False), (["1", "2"], False), (2, False)],
)
def test_the_manifests_nursing_grades_are_checked(clean: Path, grades, ok: bool) -> None:
    edit_manifest(lambda body: body.update(nursing_subsidy_grades=grades))(clean)
    found = only(check_folder(clean), "manifest_grades")
    assert (found == []) is ok
    if not ok:
        assert found[0].column == "nursing_subsidy_grades" and "1 至 4 的整数" in found[0].message
