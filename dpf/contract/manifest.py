"""manifest.json: reading it, hashing tables the contract's way, and writing a new one."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from dpf.contract.catalogue import CONTRACT_VERSION, DEFAULT_NURSING_GRADES, GRADES

MANIFEST_NAME = "manifest.json"


TEXT_FIELDS = ("county", "issuer", "issue_no")  # text a folder may leave out: the 简报 then falls back
GRADES_FIELD = "nursing_subsidy_grades"  # the grades 护理补贴 is for (absent: DEFAULT_NURSING_GRADES)
OPTIONAL_FIELDS = (*TEXT_FIELDS, GRADES_FIELD)
GRADES_PROBLEM = (
    "manifest.json 的 nursing_subsidy_grades（重度残疾人护理补贴的残疾等级）无效：应为 1 至 4 的整数组成的非空列表，"
    "如 [1, 2]。请改正后重新导出数据。"
)


@dataclass(frozen=True)
class Manifest:
    as_of: date
    generated_at: str
    source: str
    contract: int
    tables: dict[str, dict] = field(default_factory=dict)
    county: str = ""  # the county's name (怀宁县); the 简报's and the deck's title, else XX县
    issuer: str = ""  # 编发单位 of the Word 简报 (怀宁县残疾人联合会), else the county's 残疾人联合会
    issue_no: str = ""  # 期号 of the Word 简报 (2024年第9期, or 9), else left blank to be filled in
    nursing_subsidy_grades: tuple[int, ...] = DEFAULT_NURSING_GRADES  # () when the field is invalid (GRADES_PROBLEM)

    @property
    def is_demo(self) -> bool:
        return self.source == "demo"


class ManifestError(Exception):
    """The manifest is missing or cannot be read; the message is Chinese and user-facing."""


def read_manifest(folder: Path) -> Manifest:
    path = Path(folder) / MANIFEST_NAME
    if not path.is_file():
        raise ManifestError(f"数据文件夹 {folder} 中没有 manifest.json，无法确定数据截至日期。")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return Manifest(
            as_of=date.fromisoformat(raw["as_of"]),
            generated_at=str(raw.get("generated_at", "")),
            source=str(raw.get("source", "")),
            contract=int(raw.get("contract", 0)),
            tables=dict(raw.get("tables", {})),
            **{name: _text(raw.get(name)) for name in TEXT_FIELDS},
            nursing_subsidy_grades=nursing_grades(raw.get(GRADES_FIELD)),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise ManifestError(f"manifest.json 无法读取（{exc}），请重新导出数据。") from exc


def _text(value: object) -> str:
    """An optional text field: its text stripped ("" when absent or not text; a number such as an 期号 9 is text)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return ""
    return str(value).strip()


def nursing_grades(value: object) -> tuple[int, ...]:
    """The grades of nursing_subsidy_grades in order: the default when absent, () when it is not a non-empty list of
    integers 1..4 (the check reports that; 护理补贴's coverage is then 无法计算, never computed for a guessed set)."""
    if value is None:
        return DEFAULT_NURSING_GRADES
    if not isinstance(value, list) or not value:
        return ()
    if any(isinstance(grade, bool) or not isinstance(grade, int) or grade not in GRADES for grade in value):
        return ()
    return tuple(sorted(set(value)))


def manifest_fingerprint(folder: Path) -> str:
    """A cheap key that changes whenever a new manifest is written (cache invalidation)."""
    path = Path(folder) / MANIFEST_NAME
    try:
        stat = path.stat()
    except OSError:
        return f"{folder}:missing"
    return f"{Path(folder).resolve()}:{stat.st_mtime_ns}:{stat.st_size}"


def export_stamp(folder: Path, tables: Iterable[str]) -> str:
    """The folder, its manifest and every file of `tables` (path, size, time): what a cache of results derived from
    those tables is keyed on, so a new export or a re-copied file gives a new key."""
    lines = [str(Path(folder).resolve()), manifest_fingerprint(folder)]
    for table in tables:
        location = table_location(folder, table)
        for path in table_files(location) if location is not None else []:
            stat = path.stat()
            lines.append(f"{path}:{stat.st_size}:{stat.st_mtime_ns}")
    return "\n".join(lines)


def table_location(folder: Path, table: str) -> Path | None:
    """`NAME.parquet` or the folder `NAME/`, whichever exists."""
    single = Path(folder) / f"{table}.parquet"
    if single.is_file():
        return single
    tree = Path(folder) / table
    if tree.is_dir():
        return tree
    return None


def table_files(location: Path) -> list[Path]:
    if location.is_file():
        return [location]
    return sorted(p for p in location.rglob("*.parquet") if p.is_file())


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def table_sha256(location: Path) -> str:
    """The file's sha256, or for a folder the sha256 of its files' hashes in name order."""
    if location.is_file():
        return file_sha256(location)
    names = sorted(table_files(location), key=lambda p: p.relative_to(location).as_posix())
    joined = "".join(file_sha256(p) for p in names)
    return hashlib.sha256(joined.encode("ascii")).hexdigest()


def write_manifest(
    folder: Path,
    as_of: date,
    source: str,
    rows: dict[str, int],
    generated_at: str | None = None,
    nursing_subsidy_grades: Sequence[int] | None = None,
    **optional: str,
) -> Path:
    """Write manifest.json for the tables present in `folder` (rows given by the writer); `optional`: TEXT_FIELDS
    to write (an empty one is left out); `nursing_subsidy_grades` written when given."""
    unknown = set(optional) - set(TEXT_FIELDS)
    if unknown:
        raise ValueError(f"not a manifest field: {sorted(unknown)}")
    tables = {}
    for table, count in sorted(rows.items()):
        location = table_location(folder, table)
        if location is not None:
            tables[table] = {"rows": int(count), "sha256": table_sha256(location)}
    body = {
        "contract": CONTRACT_VERSION,
        "as_of": as_of.isoformat(),
        "generated_at": generated_at or datetime.now().astimezone().isoformat(timespec="seconds"),
        "source": source,
        "tables": tables,
        **{name: optional[name] for name in TEXT_FIELDS if optional.get(name)},
        **({GRADES_FIELD: [int(grade) for grade in nursing_subsidy_grades]} if nursing_subsidy_grades else {}),
    }
    path = Path(folder) / MANIFEST_NAME
    path.write_text(json.dumps(body, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path
