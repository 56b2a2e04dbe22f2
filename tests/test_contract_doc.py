"""docs/data-contract.md and the code say the same: every table, column, type, code, indicator and manifest
field the code knows is documented, and everything documented exists (as datasette checks its settings docs)."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
from datetime import date
from pathlib import Path
from typing import NamedTuple

import duckdb
import pytest

from dpf.contract.catalogue import (
    CONTRACT_VERSION,
    INDICATORS,
    NEEDS,
    OPTIONAL_TABLES,
    PROGRAMS,
    REQUIRED_TABLES,
    SERVICES,
    TABLE_SCHEMAS,
)
from dpf.contract.manifest import MANIFEST_NAME, OPTIONAL_FIELDS, Manifest, read_manifest, write_manifest
from tests.extract_builder import write_set

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "data-contract.md"


class DocTable(NamedTuple):
    section: str  # the `##` heading above the table
    heading: str  # the nearest heading above it (`###` or `##`)
    header: list[str]
    rows: list[dict[str, str]]

    def column(self, name: str) -> list[str]:
        return [row[name] for row in self.rows]


_SEPARATOR = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")


def _cells(line: str) -> list[str]:
    """A table line's cells: split on `|` (not `\\|`), outer pipes optional, `code` and **bold** unwrapped."""
    cells = re.split(r"(?<!\\)\|", line.strip())
    if cells and not cells[0].strip():
        cells = cells[1:]
    if cells and not cells[-1].strip():
        cells = cells[:-1]
    return [re.sub(r"^(`|\*\*)(.*)\1$", r"\2", c.strip().replace("\\|", "|")).strip() for c in cells]


def markdown_tables(text: str) -> list[DocTable]:
    """Every pipe table of a Markdown text (outside code fences), with the headings it stands under."""
    tables: list[DocTable] = []
    section = heading = ""
    lines = text.splitlines()
    index, fenced = 0, False
    while index < len(lines):
        line = lines[index].strip()
        index += 1
        if line.startswith("```"):
            fenced = not fenced
        elif fenced:
            continue
        elif match := re.match(r"^(#{1,6})\s+(.*?)\s*#*$", line):
            heading = match.group(2)
            if len(match.group(1)) <= 2:
                section = heading
        elif "|" in line and index < len(lines) and _SEPARATOR.match(lines[index].strip()):
            header = [c.lower() for c in _cells(line)]
            index += 1
            rows = []
            while index < len(lines) and "|" in lines[index] and lines[index].strip():
                cells = _cells(lines[index])
                rows.append(dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=False)))
                index += 1
            tables.append(DocTable(section, heading, header, rows))
    return tables


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def tables(doc) -> list[DocTable]:
    return markdown_tables(doc)


def the_table(tables: list[DocTable], first_column: str, section: str = "") -> DocTable:
    """The one table whose first header is `first_column`, in a section whose heading contains `section`."""
    found = [t for t in tables if t.header[0] == first_column and section.lower() in t.section.lower()]
    assert len(found) == 1, f"expected one table headed {first_column!r} in {section!r}, found {len(found)}"
    return found[0]


def documented(table: DocTable, key: str) -> list[str]:
    codes = table.column(key)
    assert len(codes) == len(set(codes)), f"a {key} is documented twice"
    return codes


def codes(registry) -> set[str]:
    """The codes of a catalogue registry: a dict's keys or the `.code` of each entry."""
    return set(registry) if isinstance(registry, dict) else {entry.code for entry in registry}


def test_the_parser_reads_tables_robustly() -> None:
    text = (
        "## Section\n### `alpha` — required\n"
        "| Column | Type |\n|:---|---:|\n| `a` | VARCHAR |\n|b|DECIMAL(12,2)|\n| c \\| d | **x** |\n\n"
        "```\n| not | a table |\n|---|---|\n```\n"
        "column | type\n--- | ---\ne | DATE\n"
    )
    first, second = markdown_tables(text)
    assert first.section == "Section" and first.heading == "`alpha` — required"
    assert first.header == ["column", "type"]
    assert first.rows == [
        {"column": "a", "type": "VARCHAR"},
        {"column": "b", "type": "DECIMAL(12,2)"},
        {"column": "c | d", "type": "x"},
    ]
    assert second.rows == [{"column": "e", "type": "DATE"}]


def test_the_doc_states_the_catalogue_version(doc) -> None:
    stated = re.search(r"^Version (\d+)\b", doc, re.MULTILINE)
    assert stated, "the doc must open with a line 'Version N.'"
    assert int(stated.group(1)) == CONTRACT_VERSION
    history = doc.split("## History", 1)[1]
    assert f"Version {CONTRACT_VERSION}:" in history  # every version has its line in the history


def column_tables(tables: list[DocTable]) -> dict[str, DocTable]:
    """The documented tables (a `column | type | rule` table under a heading that starts with its name)."""
    return {t.heading.split()[0].strip("`"): t for t in tables if t.header[:2] == ["column", "type"]}


def test_the_documented_tables_are_the_catalogue_tables(tables) -> None:
    assert set(column_tables(tables)) == set(TABLE_SCHEMAS)


@pytest.mark.parametrize("name", list(TABLE_SCHEMAS))
def test_every_column_is_documented_with_its_type(tables, name) -> None:
    schema = TABLE_SCHEMAS[name]
    types = duckdb.from_arrow(schema.empty_table()).types  # the contract's types as DuckDB names them
    expected = [(column, str(kind)) for column, kind in zip(schema.names, types, strict=True)]
    documented_table = column_tables(tables).get(name)
    assert documented_table, f"docs/data-contract.md has no column table for {name}"
    assert list(zip(documented_table.column("column"), documented_table.column("type"), strict=True)) == expected


def test_required_and_optional_tables_are_as_documented(tables) -> None:
    status = {}
    for name, table in column_tables(tables).items():
        found = re.findall(r"\b(required|optional)\b", table.heading)
        assert len(found) == 1, table.heading
        status[name] = found[0]
    assert {t for t, s in status.items() if s == "required"} == set(REQUIRED_TABLES)
    assert {t for t, s in status.items() if s == "optional"} == set(OPTIONAL_TABLES)


def test_every_indicator_is_documented(tables) -> None:
    assert set(documented(the_table(tables, "indicator", "Indicators"), "indicator")) == codes(INDICATORS)


def test_documented_targets_name_known_indicators(tables) -> None:
    targets = the_table(tables, "indicator", "targets")
    assert targets.rows
    assert set(targets.column("indicator")) <= codes(INDICATORS)


@pytest.mark.parametrize(
    ("key", "registry"),
    [("program", PROGRAMS), ("service", SERVICES), ("need", NEEDS)],
    ids=["programmes", "services", "needs"],
)
def test_every_code_is_documented(tables, key, registry) -> None:
    assert set(documented(the_table(tables, key, "Tables"), key)) == codes(registry)


@pytest.fixture(scope="module")
def written_manifest(tmp_path_factory) -> dict:
    """manifest.json as the project writes it, for a folder with one table."""
    township = {"code": "1", "name": "城关镇", "kind": "镇", "sort_order": 1}
    folder = write_set(tmp_path_factory.mktemp("manifest"), {"townships": [township]}, date(2024, 9, 30))
    return json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))


def test_every_manifest_field_is_documented(tables, written_manifest) -> None:
    table = the_table(tables, "field", "manifest.json")
    fields = set(documented(table, "field"))
    top = {f for f in fields if "." not in f}
    per_table = {f.removeprefix("tables.NAME.") for f in fields if f.startswith("tables.NAME.")}
    assert fields == top | {f"tables.NAME.{f}" for f in per_table}, "fields are top-level or tables.NAME.*"
    optional = {row["field"] for row in table.rows if "optional" in row["type"]}
    assert optional == set(OPTIONAL_FIELDS)  # the doc says which the code may find absent
    assert top - optional == set(written_manifest)  # a manifest written without them holds every other field
    assert top == {f.name for f in dataclasses.fields(Manifest)}
    assert per_table == set(written_manifest["tables"]["townships"])
    assert written_manifest["contract"] == CONTRACT_VERSION


def test_the_manifest_example_reads(doc, tmp_path) -> None:
    example = re.search(r"## manifest\.json\s*```json\n(.*?)```", doc, re.DOTALL)
    assert example
    (tmp_path / MANIFEST_NAME).write_text(example.group(1), encoding="utf-8")
    manifest = read_manifest(tmp_path)
    assert manifest.contract == CONTRACT_VERSION
    assert manifest.as_of == date(2024, 9, 30)
    assert set(json.loads(example.group(1))) == {f.name for f in dataclasses.fields(Manifest)} - set(OPTIONAL_FIELDS)
    assert (manifest.county, manifest.issuer, manifest.issue_no) == ("", "", "")  # optional: absent reads as ""


@pytest.mark.parametrize(
    ("written", "read"),
    [
        (
            {"county": " 怀宁县 ", "issuer": "怀宁县残疾人联合会", "issue_no": "2024年第9期"},
            ("怀宁县", "怀宁县残疾人联合会", "2024年第9期"),
        ),
        ({"issue_no": 9}, ("", "", "9")),  # an integer 期号 is read as its text
        ({"issuer": ["not", "text"], "issue_no": True}, ("", "", "")),  # neither text nor a number: absent
    ],
)
def test_the_optional_manifest_fields_read_as_text(tmp_path, written, read) -> None:
    body = {"contract": CONTRACT_VERSION, "as_of": "2024-09-30", "source": "demo", "tables": {}, **written}
    (tmp_path / MANIFEST_NAME).write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    manifest = read_manifest(tmp_path)
    assert (manifest.county, manifest.issuer, manifest.issue_no) == read


def test_the_optional_manifest_fields_are_written_when_given(tmp_path) -> None:
    write_manifest(tmp_path, date(2024, 9, 30), "import", {}, issuer="怀宁县残疾人联合会", issue_no="")
    raw = json.loads((tmp_path / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert raw["issuer"] == "怀宁县残疾人联合会" and "issue_no" not in raw and "county" not in raw
    with pytest.raises(ValueError, match="not a manifest field"):
        write_manifest(tmp_path, date(2024, 9, 30), "import", {}, issuer_name="x")


def tracked_files() -> list[Path]:
    try:
        command = ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"]  # new files count too
        out = subprocess.run(command, cwd=REPO, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):  # not a git checkout: every file but the generated ones
        skip = {".git", ".venv", "data", "test-output", "__pycache__", ".pytest_cache", ".ruff_cache"}
        return [p for p in REPO.rglob("*") if p.is_file() and not skip & set(p.relative_to(REPO).parts)]
    return [REPO / name for name in out.decode().split("\0") if name]


def test_nothing_refers_to_the_old_contract_location() -> None:
    old = "../" + "shared"  # spelled apart so this file does not match itself
    files = tracked_files()
    assert REPO / "README.md" in files and DOC in files
    offending = [str(p.relative_to(REPO)) for p in files if p.is_file() and old.encode() in p.read_bytes()]
    assert offending == []


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ({}, (1, 2)),  # absent: 一级、二级
        ({"nursing_subsidy_grades": [3, 1, 2, 2]}, (1, 2, 3)),
        ({"nursing_subsidy_grades": []}, ()),  # invalid: () (the check reports it, coverage says 无法计算)
        ({"nursing_subsidy_grades": [1, 5]}, ()),
        ({"nursing_subsidy_grades": [True]}, ()),
        ({"nursing_subsidy_grades": "1,2"}, ()),
    ],
)
def test_the_nursing_grades_field_reads(tmp_path, written, read) -> None:
    body = {"contract": CONTRACT_VERSION, "as_of": "2024-09-30", "source": "demo", "tables": {}, **written}
    (tmp_path / MANIFEST_NAME).write_text(json.dumps(body), encoding="utf-8")
    assert read_manifest(tmp_path).nursing_subsidy_grades == read


def test_the_nursing_grades_are_written_when_given(tmp_path) -> None:
    write_manifest(tmp_path, date(2024, 9, 30), "import", {}, nursing_subsidy_grades=(1, 2, 3))
    assert json.loads((tmp_path / MANIFEST_NAME).read_text(encoding="utf-8"))["nursing_subsidy_grades"] == [1, 2, 3]
    assert read_manifest(tmp_path).nursing_subsidy_grades == (1, 2, 3)
