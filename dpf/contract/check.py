"""The contract check: does a data folder follow docs/data-contract.md?

`check_folder` opens every table with DuckDB, compares columns and types with the
catalogue, then runs the per-row rules of each table as one aggregate query (a count per
rule) and fetches at most five example keys for the rules that fail. Duplicates are found
with GROUP BY queries. Nothing but counts and examples is fetched, so the check stays fast
on tens of millions of payment rows. All values reach SQL as `$named` parameters; only
table and column names from the catalogue are composed into the statements.

Violations break the contract (exit 1); warnings are suspicious but legal (exit 0); a
folder that cannot be read at all (no folder, no manifest) is exit 2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from dpf.contract.catalogue import (
    CATEGORIES,
    CONTRACT_VERSION,
    EVENT_SERVICES,
    GRADES,
    INDICATOR_BY_CODE,
    NEEDS,
    OPTIONAL_COLUMNS,
    OPTIONAL_TABLES,
    PRIMARY_KEYS,
    PROGRAM_BY_CODE,
    PROJECT_PROGRAMS,
    REQUIRED_TABLES,
    SERVICES,
    SEXES,
    TABLE_NAMES_ZH,
    TABLE_SCHEMAS,
    TOWNSHIP_KINDS,
)
from dpf.contract.column_types import type_verdict, wrong_type_text
from dpf.contract.manifest import (
    GRADES_FIELD,
    GRADES_PROBLEM,
    Manifest,
    ManifestError,
    read_manifest,
    table_files,
    table_location,
    table_sha256,
)

MAX_EXAMPLES = 5
ALL_TABLES = (*REQUIRED_TABLES, *OPTIONAL_TABLES)
MANIFEST_TABLE = "manifest.json"
PERSON_KEY_PATTERN = "[0-9a-f]{64}"

# Column names that suggest personal data the contract forbids (names, ID/certificate
# numbers, phone numbers, addresses).
_PERSONAL_COLUMN = re.compile(
    r"(^|_)(name|full_?name|id_?card|id_?no|id_?number|phone|mobile|tel|telephone|address|addr"
    r"|cert(ificate)?_?(no|number))($|_)|姓名|身份证|证号|电话|手机|地址|住址",
    re.IGNORECASE,
)


@dataclass
class Finding:
    table: str
    column: str | None
    rule: str
    count: int
    examples: list[str]
    message: str  # Chinese, user-facing: table, column, count and what to do


@dataclass
class CheckResult:
    folder: Path
    violations: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    unreadable: str | None = None  # Chinese reason when the folder cannot be read at all
    tables: list[str] = field(default_factory=list)  # contract tables found in the folder
    as_of: date | None = None

    @property
    def exit_code(self) -> int:
        if self.unreadable:
            return 2
        return 1 if self.violations else 0


# --- Rules --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _RowRule:
    """A per-row rule: `predicate` is true for an offending row.

    `needs` are the columns the predicate reads (the rule is skipped when one is missing or
    of the wrong type); `join` names the lookup it needs ("township" or "person").
    """

    rule: str
    column: str | None
    needs: tuple[str, ...]
    predicate: str
    message: str  # may use {zh}, {table}, {column}, {count}, {as_of}
    params: tuple[tuple[str, object], ...] = ()
    warning: bool = False
    join: str | None = None


@dataclass(frozen=True)
class _GroupRule:
    """A duplicate rule: groups of `columns` (rows passing `where`) with more than one row."""

    rule: str
    column: str | None
    columns: tuple[str, ...]
    where: str
    label: str  # SQL over the group columns: the example shown for a group
    message: str
    warning: bool = False


def _where(table: str, column: str | None) -> str:
    zh = TABLE_NAMES_ZH.get(table, table)
    return f"“{zh}”表（{table}）的 {column} 列" if column else f"“{zh}”表（{table}）"


def _null_key(column: str) -> _RowRule:
    return _RowRule(
        "null_key",
        column,
        (column,),
        f'"{column}" IS NULL',
        "{where}有 {count} 行为空。它是每行的唯一标识，不能为空，请补齐后重新导出。",
    )


def _not_null(column: str) -> _RowRule:
    return _RowRule(
        "null_value",
        column,
        (column,),
        f'"{column}" IS NULL',
        "{where}有 {count} 行为空，数据约定要求该列必填。请补齐后重新导出。",
    )


def _in_set(column: str, param: str, values: list, allowed: str) -> _RowRule:
    return _RowRule(
        "bad_value",
        column,
        (column,),
        f'"{column}" IS NULL OR NOT list_contains(${param}, "{column}")',
        "{where}有 {count} 行取值为空或不在允许范围内（" + allowed + "）。请按数据约定更正后重新导出。",
        ((param, values),),
    )


def _after_as_of(column: str) -> _RowRule:
    return _RowRule(
        "after_as_of",
        column,
        (column,),
        f'"{column}" > $as_of',
        "{where}有 {count} 行日期晚于数据截至日 {as_of}。请核对这些日期；若数据确已更新，请同时更新 manifest.json 的 as_of。",
        (("as_of", None),),  # filled in with the manifest's as_of
    )


def _known_township(column: str = "township_code") -> _RowRule:
    return _RowRule(
        "unknown_township",
        column,
        (column,),
        f'"{column}" IS NOT NULL AND __township IS NULL',
        "{where}有 {count} 行的乡镇代码在乡镇（街道）表（townships.code）中找不到。"
        "请核对乡镇代码，或在 townships 表中补上该乡镇后重新导出。",
        join="township",
    )


def _key_format(column: str = "person_key") -> _RowRule:
    return _RowRule(
        "person_key_format",
        column,
        (column,),
        f'"{column}" IS NOT NULL AND NOT regexp_full_match("{column}", $person_key_pattern)',
        "{where}有 {count} 行不是 64 位小写十六进制的加密编号（HMAC-SHA256）。"
        "数据中不得出现残疾人证号等原始号码，请用本部署的密钥转换后重新导出。",
        (("person_key_pattern", PERSON_KEY_PATTERN),),
    )


def _known_person(column: str = "person_key") -> _RowRule:
    return _RowRule(
        "unknown_person",
        column,
        (column,),
        f'"{column}" IS NOT NULL AND __person IS NULL',
        "{where}有 {count} 行在持证残疾人表（persons）中找不到。"
        "如属已注销或外地人员可忽略，否则请核对两张表是否出自同一部署密钥。",
        warning=True,
        join="person",
    )


def _duplicate_key(column: str) -> _GroupRule:
    return _GroupRule(
        "duplicate_key",
        column,
        (column,),
        f'"{column}" IS NOT NULL',
        f'CAST("{column}" AS VARCHAR)',
        "{where}有 {count} 个值重复出现，该列必须唯一。请删除重复行后重新导出。",
    )


def _personal_record() -> list[_RowRule]:
    """The rules of a record about one person in one township (rehab needs, satisfaction surveys)."""
    return [_not_null("person_key"), _key_format(), _known_person(), _not_null("township_code"), _known_township()]


def _row_rules(table: str) -> list[_RowRule]:
    """The per-row rules of one table, in report order."""
    rules: list[_RowRule] = []
    key = PRIMARY_KEYS.get(table)
    if key:
        rules.append(_null_key(key))
    if table == "townships":
        rules += [
            _null_key("name"),
            _in_set("kind", "kinds", list(TOWNSHIP_KINDS), "、".join(TOWNSHIP_KINDS)),
        ]
    elif table == "persons":
        rules += [
            _key_format(),
            _not_null("township_code"),
            _known_township(),
            _in_set("sex", "sexes", list(SEXES), "、".join(SEXES)),
            _RowRule(
                "bad_value",
                "birth_year",
                ("birth_year",),
                '"birth_year" IS NULL OR "birth_year" < $min_birth_year OR "birth_year" > $as_of_year',
                "{where}有 {count} 行出生年份为空或不在 1900 至 {as_of_year} 年之间。请核对后重新导出。",
                (("min_birth_year", 1900), ("as_of_year", None)),
            ),
            _in_set("category", "categories", list(CATEGORIES), "1 至 7，按 GB/T 26341-2010"),
            _in_set("grade", "grades", list(GRADES), "1 至 4"),
            _not_null("certified_on"),
            _after_as_of("certified_on"),
            _after_as_of("cancelled_on"),
            _RowRule(
                "cancelled_before_certified",
                "cancelled_on",
                ("certified_on", "cancelled_on"),
                '"cancelled_on" < "certified_on"',
                "{where}有 {count} 行注销日期早于办证日期（certified_on）。请核对这两个日期后重新导出。",
            ),
        ]
    elif table == "payments":
        rules += [
            _in_set("program", "programs", list(PROGRAM_BY_CODE), "数据约定中的资金项目代码，如 nursing_subsidy"),
            _RowRule(
                "payment_keys",
                "person_key/project_key",
                ("person_key", "project_key"),
                '("person_key" IS NULL) = ("project_key" IS NULL)',
                "{where}有 {count} 行 person_key 与 project_key 同时填写或同时为空。"
                "每笔发放必须且只能填其中一个：发给个人填 person_key，发给项目（大棚、基地、机构）填 project_key。",
            ),
            _RowRule(
                "payee_kind",
                "person_key/project_key",
                ("program", "person_key", "project_key"),
                '("person_key" IS NULL) <> ("project_key" IS NULL) AND list_contains($programs, "program")'
                ' AND list_contains($project_programs, "program") <> ("project_key" IS NOT NULL)',
                "{where}有 {count} 行收款方与资金项目不符：阳光大棚、助残基地、辅助性就业机构扶持应填 project_key，"
                "其余项目应填 person_key。请更正后重新导出。",
                (("programs", list(PROGRAM_BY_CODE)), ("project_programs", sorted(PROJECT_PROGRAMS))),
            ),
            _key_format(),
            _known_person(),
            _not_null("township_code"),
            _known_township(),
            _not_null("period"),
            _after_as_of("period"),
            _RowRule(
                "period_not_first_day",
                "period",
                ("period",),
                'day("period") <> 1',
                "{where}有 {count} 行不是某月的 1 日。period 应填发放所属月份的第一天（如 2024-03-01），请更正后重新导出。",
            ),
            _not_null("amount_yuan"),
            _RowRule(
                "amount_not_positive",
                "amount_yuan",
                ("amount_yuan",),
                '"amount_yuan" <= 0',
                "{where}有 {count} 行金额小于或等于 0，发放金额必须大于 0。"
                "请核对这些记录（退回、冲销请在导出前与原发放相抵）后重新导出。",
            ),
        ]
    elif table == "services":
        rules += [
            _in_set("service", "services", list(SERVICES), "数据约定中的服务代码，如 vocational_training"),
            _key_format(),
            _RowRule(
                "missing_person_key",
                "person_key",
                ("service", "person_key"),
                '"person_key" IS NULL AND list_contains($services, "service") AND NOT list_contains($events, "service")',
                "{where}有 {count} 行为空，但这些服务是面向个人的（只有招聘会、政策宣传、集中评残、志愿活动可不填）。"
                "请补齐 person_key 后重新导出。",
                (("services", list(SERVICES)), ("events", sorted(EVENT_SERVICES))),
            ),
            _RowRule(
                "event_with_person",
                "person_key",
                ("service", "person_key"),
                '"person_key" IS NOT NULL AND list_contains($events, "service")',
                "{where}有 {count} 行填了人员，但招聘会、政策宣传、集中评残、志愿活动按场次记录，person_key 应为空。"
                "统计不受影响，请核对。",
                (("events", sorted(EVENT_SERVICES)),),
                warning=True,
            ),
            _known_person(),
            _RowRule(
                "null_value",
                "township_code",
                ("service", "township_code"),
                '"township_code" IS NULL AND NOT list_contains($events, "service")',
                "{where}有 {count} 行为空。只有县级组织的活动（招聘会、政策宣传、集中评残、志愿活动）可以不填乡镇，"
                "请补齐后重新导出。",
                (("events", sorted(EVENT_SERVICES)),),
            ),
            _known_township(),
            _not_null("served_on"),
            _after_as_of("served_on"),
            _RowRule(
                "bad_value",
                "quantity",
                ("quantity",),
                '"quantity" IS NULL OR "quantity" < 1',
                "{where}有 {count} 行为空或小于 1，数量至少为 1（未说明含义的服务填 1）。请更正后重新导出。",
            ),
        ]
    elif table == "rehab_needs":
        rules += [
            *_personal_record(),
            _in_set("need", "needs", list(NEEDS), "basic_medical、assistive_device、rehab_training、nursing"),
            _not_null("recorded_on"),
            _after_as_of("recorded_on"),
            _after_as_of("met_on"),
            _RowRule(
                "met_before_recorded",
                "met_on",
                ("recorded_on", "met_on"),
                '"met_on" < "recorded_on"',
                "{where}有 {count} 行满足日期早于登记日期（recorded_on）。请核对这两个日期后重新导出。",
            ),
        ]
    elif table == "satisfaction":
        rules += [
            *_personal_record(),
            _not_null("surveyed_on"),
            _after_as_of("surveyed_on"),
            _not_null("satisfied"),
        ]
    elif table == "targets":
        rules += [
            _not_null("year"),
            _in_set("indicator", "indicators", list(INDICATOR_BY_CODE), "数据约定中的指标代码"),
            _known_township(),
            _not_null("target"),
        ]
    return rules


def _group_rules(table: str) -> list[_GroupRule]:
    rules: list[_GroupRule] = []
    key = PRIMARY_KEYS.get(table)
    if key:
        rules.append(_duplicate_key(key))
    if table == "townships":
        rules.append(_duplicate_key("name"))
    elif table == "payments":
        rules.append(
            _GroupRule(
                "duplicate_payment",
                "person_key/program/period",
                ("person_key", "program", "period"),
                '"person_key" IS NOT NULL',
                "left(\"person_key\", 12) || '… ' || \"program\" || ' ' || strftime(\"period\", '%Y-%m')",
                "{where}有 {count} 组同一人、同一项目、同一月份发放了不止一次。"
                "如属补发可以忽略；否则请核对是否重复导入。",
                warning=True,
            )
        )
    elif table == "targets":
        rules.append(
            _GroupRule(
                "duplicate_target",
                "year/indicator/township_code",
                ("year", "indicator", "township_code"),
                "true",
                'concat_ws(\' \', "year", "indicator", coalesce("township_code", \'全县\'))',
                "{where}有 {count} 组年度、指标、乡镇相同的目标，无法判断以哪个为准。请每组只保留一行后重新导出。",
            )
        )
    return rules


def _example_expr(table: str, usable: set[str]) -> str | None:
    """SQL for the key shown as an example of an offending row, or None when there is none."""
    key = PRIMARY_KEYS.get(table)
    if key:
        return f'CAST("{key}" AS VARCHAR)' if key in usable else None
    if table == "targets" and {"year", "indicator"} <= usable:
        township = "coalesce(\"township_code\", '全县')" if "township_code" in usable else "'?'"
        return f'concat_ws(\' \', "year", "indicator", {township})'
    return None


# --- The check ----------------------------------------------------------------------------


class _Checker:
    def __init__(self, folder: Path, manifest: Manifest, result: CheckResult):
        self.folder = folder
        self.manifest = manifest
        self.result = result
        self.con = duckdb.connect()
        self.usable: dict[str, set[str]] = {}  # table -> columns present with a usable type
        self.rows: dict[str, int] = {}
        self.broken: set[str] = set()  # tables already reported as unreadable

    # findings

    def add(
        self, table: str, column: str | None, rule: str, count: int, examples: list[str], message: str, *, warning=False
    ):
        finding = Finding(table, column, rule, int(count), [str(e) for e in examples][:MAX_EXAMPLES], message)
        (self.result.warnings if warning else self.result.violations).append(finding)

    def text(self, template: str, table: str, column: str | None, count: int) -> str:
        return template.format(
            where=_where(table, column),
            count=count,
            as_of=self.manifest.as_of.isoformat(),
            as_of_year=self.manifest.as_of.year,
        )

    # steps

    def run(self) -> None:
        if self.manifest.contract != CONTRACT_VERSION:
            self.add(
                MANIFEST_TABLE,
                "contract",
                "manifest_contract",
                1,
                [],
                f"manifest.json 的数据约定版本（contract）为 {self.manifest.contract}，本看板按第 {CONTRACT_VERSION} 版读取。"
                f"请按第 {CONTRACT_VERSION} 版数据约定重新导出数据。",
            )
        if not self.manifest.nursing_subsidy_grades:  # given, but not a non-empty list of grades 1..4
            self.add(MANIFEST_TABLE, GRADES_FIELD, "manifest_grades", 1, [], GRADES_PROBLEM)
        locations = {}
        for table in ALL_TABLES:
            location = table_location(self.folder, table)
            if location is not None and not table_files(location):
                location = None
            locations[table] = location
            if location is None:
                if table in REQUIRED_TABLES:
                    zh = TABLE_NAMES_ZH[table]
                    self.add(
                        table,
                        None,
                        "missing_table",
                        1,
                        [],
                        f"缺少必需的“{zh}”表（{table}）：数据文件夹中既没有 {table}.parquet，也没有含 Parquet 文件的 "
                        f"{table}/ 文件夹。请把该表导出到数据文件夹后重新检查。",
                    )
                continue
            self.result.tables.append(table)
            self.open_table(table, location)
        for table in ALL_TABLES:
            if table in self.usable:
                self.check_table(table)
        self.check_manifest(locations)

    def open_table(self, table: str, location: Path) -> None:
        files = table_files(location)
        try:
            relation = self.con.read_parquet(
                [str(p) for p in files], hive_partitioning=location.is_dir(), union_by_name=True
            )
            columns = list(relation.columns)
            types = [str(t) for t in relation.types]
            relation.create_view(table)
            self.rows[table] = int(relation.aggregate("count(*)").fetchall()[0][0])
        except (duckdb.Error, pa.ArrowException, OSError) as exc:
            self.unreadable_files(table, files, exc)
            return
        schema = TABLE_SCHEMAS[table]
        actual = dict(zip(columns, types, strict=True))
        usable: set[str] = set()
        for name in schema.names:
            if name not in actual:
                self.add(
                    table,
                    name,
                    "missing_column",
                    1,
                    [],
                    f"{_where(table, None)}缺少必需的列 {name}。请按数据约定重新导出该表。",
                )
                continue
            verdict = type_verdict(schema.field(name).type, actual[name])
            if verdict == "bad":
                self.add(
                    table,
                    name,
                    "wrong_type",
                    1,
                    [],
                    f"{_where(table, None)}的 {wrong_type_text(schema, name, actual[name])}。"
                    "请按数据约定的类型重新导出该表。",
                )
                continue
            if verdict == "warn":
                self.add(
                    table,
                    name,
                    "inexact_type",
                    1,
                    [],
                    f"{_where(table, None)}的 {wrong_type_text(schema, name, actual[name])}。"
                    "金额合计可能出现分位误差，建议按数据约定重新导出。",
                    warning=True,
                )
            usable.add(name)
        optional = OPTIONAL_COLUMNS.get(table, pa.schema([]))
        for name in optional.names:
            if name in actual and type_verdict(optional.field(name).type, actual[name]) == "bad":
                self.add(
                    table,
                    name,
                    "wrong_type",
                    1,
                    [],
                    f"{_where(table, None)}的可选列 {wrong_type_text(optional, name, actual[name])}。"
                    "该列暂不使用，请按数据约定的类型重新导出该表。",
                    warning=True,
                )
        for name in columns:
            if name not in schema.names and _PERSONAL_COLUMN.search(name):
                self.add(
                    table,
                    name,
                    "personal_data",
                    1,
                    [],
                    f"{_where(table, name)}疑似个人信息（姓名、证件号、电话或地址）。"
                    "数据中不得出现此类信息，请删除该列后重新导出。",
                )
        self.usable[table] = usable

    def unreadable_files(self, table: str, files: list[Path], exc: Exception | None) -> None:
        """Report the files of `table` that cannot be read in full (`exc`: the error already seen).

        With `exc` None this is only a probe (after a checksum mismatch): nothing is reported
        when every file reads.
        """
        probe = exc is None
        bad: list[Path] = []
        for path in files:
            try:
                # Read every value, not just the footer, so damaged data pages show up too.
                self.con.read_parquet(str(path)).aggregate("bit_xor(hash(COLUMNS(*)))").fetchall()
            except (duckdb.Error, pa.ArrowException, OSError) as error:
                bad.append(path)
                exc = exc or error
        if exc is None:
            return
        bad = bad or files
        names = [p.relative_to(self.folder).as_posix() for p in bad]
        detail = str(exc).splitlines()[0][:160]
        self.add(
            table,
            None,
            "unreadable_file",
            len(bad),
            names,
            f"{_where(table, None)}有 {len(bad)} 个文件已损坏或无法读取（{detail}）。"
            + ("" if probe else "该表其余规则未检查；")
            + "请重新复制或重新导出该表。",
        )
        self.usable.pop(table, None)
        self.broken.add(table)

    def check_table(self, table: str) -> None:
        usable = self.usable[table]
        joins: list[str] = []
        if "townships" in self.usable and "code" in self.usable["townships"]:
            joins.append("township")
        if "persons" in self.usable and "person_key" in self.usable["persons"]:
            joins.append("person")
        rules = [r for r in _row_rules(table) if set(r.needs) <= usable and (r.join is None or r.join in joins)]
        example = _example_expr(table, usable)
        source = self.source(table, {r.join for r in rules if r.join})
        try:
            self.run_row_rules(table, rules, source, example)
            for group in _group_rules(table):
                if set(group.columns) <= usable:
                    self.run_group_rule(table, group)
        except (duckdb.Error, pa.ArrowException, OSError) as exc:
            location = table_location(self.folder, table)
            self.unreadable_files(table, table_files(location) if location else [], exc)

    def source(self, table: str, joins: set[str]) -> str:
        """A subquery of the table's usable columns plus the lookups the rules need.

        `__township` / `__person` are non-null exactly when the row's township_code /
        person_key exists in townships / persons; the lookups are de-duplicated so a
        duplicated code cannot multiply rows.
        """
        columns = [f't."{c}"' for c in TABLE_SCHEMAS[table].names if c in self.usable[table]]
        sql = f'"{table}" AS t'
        if "township" in joins:
            columns.append("tw.__township")
            sql += (
                " LEFT JOIN (SELECT DISTINCT code AS __township FROM townships WHERE code IS NOT NULL) AS tw"
                " ON t.township_code = tw.__township"
            )
        if "person" in joins:
            columns.append("pe.__person")
            sql += (
                " LEFT JOIN (SELECT DISTINCT person_key AS __person FROM persons WHERE person_key IS NOT NULL) AS pe"
                " ON t.person_key = pe.__person"
            )
        return f"(SELECT {', '.join(columns)} FROM {sql})"

    def params_for(self, rules: list[_RowRule]) -> dict[str, object]:
        params: dict[str, object] = {}
        for rule in rules:
            for name, value in rule.params:
                if name == "as_of":
                    value = self.manifest.as_of
                elif name == "as_of_year":
                    value = self.manifest.as_of.year
                params[name] = value
        return params

    def run_row_rules(self, table: str, rules: list[_RowRule], source: str, example: str | None) -> None:
        if not rules:
            return
        counts_sql = ", ".join(f"count_if(coalesce({r.predicate}, false))" for r in rules)
        counts = self.con.execute(f"SELECT {counts_sql} FROM {source}", self.params_for(rules)).fetchall()[0]
        for rule, count in zip(rules, counts, strict=True):
            if not count:
                continue
            examples: list[str] = []
            if example is not None and rule.rule != "null_key":
                rows = self.con.execute(
                    f"SELECT DISTINCT {example} AS ex FROM {source} WHERE coalesce({rule.predicate}, false)"
                    f" ORDER BY ex LIMIT {MAX_EXAMPLES}",
                    self.params_for([rule]),
                ).fetchall()
                examples = [r[0] for r in rows if r[0] is not None]
            message = self.text(rule.message, table, rule.column, count)
            self.add(table, rule.column, rule.rule, count, examples, message, warning=rule.warning)

    def run_group_rule(self, table: str, rule: _GroupRule) -> None:
        """Count groups with more than one row, in two passes to stay cheap on large tables.

        The first pass groups 64-bit hashes of the columns (much lighter than grouping long
        strings) and usually finds nothing; only when it finds candidates does the second,
        exact pass group the real values of the candidate rows.
        """
        cols = ", ".join(f'"{c}"' for c in rule.columns)
        candidates = f'SELECT hash({cols}) AS h FROM "{table}" WHERE {rule.where} GROUP BY h HAVING count(*) > 1'
        if not self.con.execute(f"SELECT count(*) FROM ({candidates})").fetchall()[0][0]:
            return
        rows = self.con.execute(
            f"SELECT count(*) OVER () AS n, {rule.label} AS ex FROM "
            f'(SELECT {cols} FROM "{table}" WHERE {rule.where} AND hash({cols}) IN ({candidates}) '
            f"GROUP BY {cols} HAVING count(*) > 1) "
            f"ORDER BY ex LIMIT {MAX_EXAMPLES}"
        ).fetchall()
        if not rows:
            return
        count = int(rows[0][0])
        message = self.text(rule.message, table, rule.column, count)
        self.add(table, rule.column, rule.rule, count, [r[1] for r in rows], message, warning=rule.warning)

    def check_manifest(self, locations: dict[str, Path | None]) -> None:
        listed = self.manifest.tables
        for table, location in locations.items():
            entry = listed.get(table)
            if location is None:
                if entry is not None and table not in REQUIRED_TABLES:
                    self.add(
                        table,
                        None,
                        "manifest_table_absent",
                        1,
                        [],
                        f"manifest.json 登记了{_where(table, None)}，但数据文件夹中找不到该表，可能漏复制了。"
                        "请核对后重新复制数据文件夹。",
                        warning=True,
                    )
                continue
            if not isinstance(entry, dict):
                self.add(
                    table,
                    None,
                    "manifest_unlisted",
                    1,
                    [],
                    f"{_where(table, None)}存在，但 manifest.json 没有登记，无法核对文件是否完整。"
                    "请重新导出数据以生成完整的 manifest.json。",
                    warning=True,
                )
                continue
            expected_rows = entry.get("rows")
            if table in self.rows and expected_rows is not None and int(expected_rows) != self.rows[table]:
                self.add(
                    table,
                    None,
                    "manifest_rows",
                    abs(self.rows[table] - int(expected_rows)),
                    [],
                    f"{_where(table, None)}实有 {self.rows[table]} 行，manifest.json 登记为 {int(expected_rows)} 行。"
                    "文件可能没有复制完整或被改动过，请重新复制或重新导出该表。",
                )
            expected_sha = entry.get("sha256")
            if expected_sha and table_sha256(location) != str(expected_sha).lower():
                if table not in self.broken:
                    # The rules read only the columns they need; read everything to tell
                    # a damaged file from one that was merely rewritten.
                    self.unreadable_files(table, table_files(location), None)
                self.add(
                    table,
                    None,
                    "manifest_sha256",
                    1,
                    [],
                    f"{_where(table, None)}的文件校验值（sha256）与 manifest.json 登记的不一致，"
                    "文件可能损坏、没有复制完整或被改动过。请重新复制整个数据文件夹或重新导出。",
                )
            if expected_rows is None or not expected_sha:
                self.add(
                    table,
                    None,
                    "manifest_incomplete",
                    1,
                    [],
                    f"manifest.json 中{_where(table, None)}缺少行数（rows）或校验值（sha256），无法核对文件是否完整。"
                    "请重新导出数据以生成完整的 manifest.json。",
                    warning=True,
                )
        for table in sorted(set(listed) - set(ALL_TABLES)):
            if table_location(self.folder, table) is None:
                self.add(
                    table,
                    None,
                    "manifest_table_absent",
                    1,
                    [],
                    f"manifest.json 登记了“{table}”表，但数据文件夹中找不到该表，可能漏复制了。请核对。",
                    warning=True,
                )


def check_folder(folder: Path) -> CheckResult:
    """Check a data folder against the contract; never raises for bad data."""
    folder = Path(folder)
    result = CheckResult(folder)
    if not folder.exists():
        result.unreadable = f"找不到数据文件夹 {folder}。请检查 --data 参数或环境变量 DASHBOARD_DATA_DIR。"
        return result
    if not folder.is_dir():
        result.unreadable = f"{folder} 不是文件夹。请把 --data 或 DASHBOARD_DATA_DIR 指向存放数据文件的文件夹。"
        return result
    try:
        manifest = read_manifest(folder)
    except ManifestError as exc:
        result.unreadable = str(exc)
        return result
    except OSError as exc:
        result.unreadable = f"无法读取 {folder} 中的 manifest.json（{exc}）。请检查文件权限或重新复制数据。"
        return result
    result.as_of = manifest.as_of
    checker = _Checker(folder, manifest, result)
    try:
        checker.run()
    finally:
        checker.con.close()
    return result


_LONG_KEY = re.compile(r"[0-9a-f]{32,}")


def _shorten(example: str) -> str:
    """Long hex keys (person_key) shortened to their first 12 characters for the report."""
    return _LONG_KEY.sub(lambda m: m.group(0)[:12] + "…", example)


def format_report(result: CheckResult) -> str:
    """The Chinese report: a header, one line per finding, and a summary line."""
    if result.unreadable:
        return f"无法检查数据文件夹：{result.unreadable}"
    lines = [f"检查数据文件夹 {result.folder}（数据截至 {result.as_of.isoformat() if result.as_of else '未知'}）"]
    for label, findings in (("问题", result.violations), ("提醒", result.warnings)):
        for f in findings:
            line = f"【{label}】{f.message}"
            if f.examples:
                line += " 示例：" + "、".join(_shorten(e) for e in f.examples[:MAX_EXAMPLES])
                if f.count > len(f.examples) and f.rule not in ("unreadable_file",):
                    line += " 等"
            line += f"（{f.table}{'.' + f.column if f.column else ''}，{f.rule}，{f.count}）"
            lines.append(line)
    n_tables, n_bad, n_warn = len(result.tables), len(result.violations), len(result.warnings)
    verdict = "检查通过" if not result.violations else "检查未通过"
    lines.append(f"{verdict}：{n_tables} 张表，{n_bad} 项问题，{n_warn} 项提醒。")
    return "\n".join(lines)
