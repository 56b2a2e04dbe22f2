"""`python -m dpf backup --out FILE` and `python -m dpf restore FILE [--yes]`: everything a deployment keeps, in one
gzip tar with a manifest of checksums.

Parts (each a folder in the archive; a part that does not exist yet is simply left out):
  data      the extracts folder (Parquet files, manifest.json), swapped back in whole, as an import swaps it;
  imports   `<data>.imports/`: the import log, rejection reports and the audit trail when it lives there;
  audit     the audit trail, when DASHBOARD_AUDIT_DIR puts it elsewhere;
  accounts  the accounts file and its siblings (`users.toml.*`: lock state and whatever else the login keeps);
  schedules, mappings  the 定时报告 and 台账列映射 files beside the accounts, where they exist (KEPT_FILES).
Lock files (`*.lock`), temporary files and an import's journal are never taken (nor restored: a journal names
folders the next import would move). The deployment's secrets (DASHBOARD_SECRET_KEY, the
cookie secret, Caddy's CA key) are not in a backup: they are kept apart, so a stolen archive holds no key.

A backup is taken under the import lock (after the recovery every import runs first), and each shared file under
its own lock, so it holds the state before an import or after it, never half. A restore reads the archive twice:
first it checks every member (regular files only, no links, no absolute path or `..`, only known parts, sizes
within limits, every checksum matching the manifest, nothing missing or extra) and says what it will replace, with
rows and files before → after; after the confirmation it extracts into staging folders (checking the checksums
again) and, under the import lock, moves what is there now to `<data>.before-restore-<time>/` (nothing is deleted)
and the archive's files into place. Where a backup is restored is decided by this deployment's settings, never by
paths in the archive.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import tomllib
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from filelock import FileLock

from dpf import settings
from dpf.auth.accounts import users_file
from dpf.auth.audit import audit_file
from dpf.contract.manifest import MANIFEST_NAME
from dpf.ingest.lock import import_lock
from dpf.ingest.report import imports_dir
from dpf.ingest.write import JOURNAL_NAME, recover

ARCHIVE_MANIFEST = "backup-manifest.json"
FORMAT = 1
MAX_MEMBERS = 200_000
MAX_BYTES = 8_000_000_000  # all files together, unpacked (a county's set is tens of MB; a province's a few GB)
MAX_MANIFEST_BYTES = 64_000_000
CHUNK = 1024 * 1024
SKIPPED_SUFFIXES = (".lock", ".tmp")
# Other files a deployment keeps beside the accounts (with their `NAME.*` siblings, e.g. a delivery log), taken
# when they exist: (part, label, the setting that moves it, its default name). A new kept file is one line here.
KEPT_FILES = (
    ("schedules", "定时报告", settings.SCHEDULES_FILE, "schedules.toml"),
    ("mappings", "台账列映射", settings.MAPPINGS_FILE, "mappings.toml"),
)


class BackupError(RuntimeError):
    """A backup or restore that cannot go on; the message is Chinese and says nothing was changed."""


@dataclass(frozen=True)
class Part:
    name: str  # its folder in the archive
    label: str  # Chinese, for the plan
    folder: Path  # where it lives in this deployment
    prefix: str | None = None  # None: the whole folder (recursively); else the files named prefix or prefix.*
    whole: bool = False  # restored by renaming the folder (the extracts), else file by file
    lock: Path | None = None  # the lock its writers hold

    def files(self) -> dict[str, Path]:
        """The part's files now, by their path inside the part (POSIX)."""
        if not self.folder.is_dir():
            return {}
        if self.prefix is None:
            found = (p for p in self.folder.rglob("*") if p.is_file() and not p.is_symlink())
        else:
            found = (
                p
                for p in self.folder.iterdir()
                if p.is_file()
                and not p.is_symlink()
                and (p.name == self.prefix or p.name.startswith(self.prefix + "."))
            )
        chosen = {}
        for path in sorted(found):
            inside = path.relative_to(self.folder)
            hidden = any(piece.startswith(".") for piece in inside.parts)  # temporary and staging files
            if not hidden and not path.name.endswith(SKIPPED_SUFFIXES) and path.name != JOURNAL_NAME:
                chosen[inside.as_posix()] = path
        return chosen


def parts(data: Path) -> list[Part]:
    """This deployment's parts, from its settings (the data folder, the accounts file, the audit folder)."""
    data = Path(data)
    imports = imports_dir(data)
    audit = audit_file(data)
    users = users_file()
    found = [
        Part("data", "数据文件", data, whole=True),
        Part("imports", "导入记录（导入日志、未导入的行）", imports),
    ]
    if audit.parent.resolve() != imports.resolve():
        found.append(Part("audit", "访问记录", audit.parent, prefix=audit.name, lock=Path(str(audit) + ".lock")))
    kept = [(users, "accounts", "账号与登录锁定状态")]  # its lock is accounts_lock's, users.toml.lock
    for name, label, setting, default in KEPT_FILES:
        kept.append((setting.value() or users.parent / default, name, label))
    for path, name, label in kept:
        found.append(Part(name, label, path.parent, prefix=path.name, lock=Path(str(path) + ".lock")))
    return found


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _counts(part: str, files: Mapping[str, bytes | Path]) -> dict[str, int]:
    """What the plan counts in a part besides files: rows per table of the data's manifest, lines of each JSON
    Lines file (import log, audit trail), accounts in the accounts file."""

    def read(key: str) -> bytes:
        value = files[key]
        return value if isinstance(value, bytes) else value.read_bytes()

    counts: dict[str, int] = {}
    with contextlib.suppress(KeyError, ValueError, OSError, AttributeError, TypeError, UnicodeError):
        if part == "data" and MANIFEST_NAME in files:
            tables = json.loads(read(MANIFEST_NAME))["tables"]
            counts |= {f"{table} 行": int(entry["rows"]) for table, entry in sorted(tables.items())}
        for key in files:
            if key.endswith(".jsonl"):
                counts[f"{key} 行"] = read(key).count(b"\n")
            elif part == "accounts" and key.endswith(".toml"):
                counts["账号"] = len(tomllib.loads(read(key).decode("utf-8")).get("users", {}))
    return counts


@contextlib.contextmanager
def _held(data: Path, found: list[Part], on_wait: Callable[[str], None] | None) -> Iterator[None]:
    """The import lock (after the recovery an import runs first) and every part's own lock."""
    with import_lock(data, on_wait), contextlib.ExitStack() as stack:
        recover(data)
        for part in found:
            if part.lock is not None and part.lock.parent.is_dir():
                stack.enter_context(FileLock(str(part.lock), timeout=30))
        yield


def create_backup(data: Path, out: Path, on_wait: Callable[[str], None] | None = None) -> dict:
    """Write the archive to `out` (owner-only, replaced atomically); its manifest."""
    data, out = Path(data), Path(out)
    if not (data / MANIFEST_NAME).is_file():
        raise BackupError(f"数据文件夹 {data} 中没有 manifest.json，未备份。")
    found = parts(data)
    out.parent.mkdir(parents=True, exist_ok=True)
    with _held(data, found, on_wait):
        files: dict[str, Path] = {}
        summary: dict[str, dict] = {}
        for part in found:
            current = part.files()
            if not current:
                continue
            files |= {f"{part.name}/{key}": path for key, path in current.items()}
            summary[part.name] = {"label": part.label, "files": len(current), "counts": _counts(part.name, current)}
        entries = {name: {"size": path.stat().st_size, "sha256": _sha256(path)} for name, path in files.items()}
        manifest = {
            "format": FORMAT,
            "created": datetime.now().astimezone().isoformat(timespec="seconds"),
            "parts": summary,
            "files": entries,
        }
        descriptor, temporary = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
        try:
            with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
                body = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
                info = tarfile.TarInfo(ARCHIVE_MANIFEST)
                info.size, info.mode, info.mtime = len(body), 0o600, int(datetime.now().timestamp())
                tar.addfile(info, io.BytesIO(body))
                for name, path in files.items():
                    info = tar.gettarinfo(str(path), arcname=name)
                    info.uid = info.gid = 0
                    info.uname = info.gname = ""
                    if info.size != entries[name]["size"]:
                        raise BackupError(f"{name} 在备份过程中被改动，未备份。")
                    with path.open("rb") as handle:
                        tar.addfile(info, handle)
            os.chmod(temporary, 0o600)
            os.replace(temporary, out)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    return manifest


# --- restore ---------------------------------------------------------------------------------------------------


def _refuse(why: str) -> BackupError:
    return BackupError(f"备份文件不可用：{why}。未恢复，现有数据未改动。")


def _member_name(member: tarfile.TarInfo, known: set[str]) -> str:
    """The member's path once it is a regular file under a known part, with no absolute path or `..`."""
    name = member.name
    path = PurePosixPath(name)
    if not (member.isfile() or member.isdir()):
        raise _refuse(f"{name} 是链接或特殊文件")
    if name.startswith("/") or "\\" in name or path.is_absolute() or ".." in path.parts or name != path.as_posix():
        raise _refuse(f"{name} 的路径不安全（绝对路径或 ..）")
    if name != ARCHIVE_MANIFEST and path.parts[0] not in known:
        raise _refuse(f"{name} 不属于任何备份内容")
    if path.name.endswith(SKIPPED_SUFFIXES) or path.name == JOURNAL_NAME:
        raise _refuse(f"{name} 是锁文件或导入日志（journal），备份中不应有")
    return name


def _read_manifest(tar: tarfile.TarFile) -> dict:
    first = tar.next()
    if first is None or first.name != ARCHIVE_MANIFEST or not first.isfile():
        raise _refuse(f"第一个文件不是 {ARCHIVE_MANIFEST}")
    if first.size > MAX_MANIFEST_BYTES:
        raise _refuse("清单过大")
    try:
        handle = tar.extractfile(first)
        assert handle is not None  # a regular file (first.isfile() above) always has contents to read
        manifest = json.loads(handle.read())
        files = manifest["files"]
        if manifest.get("format") != FORMAT or not isinstance(files, dict):
            raise ValueError("format")
        for entry in files.values():
            if not (isinstance(entry["size"], int) and isinstance(entry["sha256"], str)):
                raise ValueError("entry")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise _refuse("清单无法读取") from exc
    if len(files) > MAX_MEMBERS or sum(entry["size"] for entry in files.values()) > MAX_BYTES:
        raise _refuse(f"文件过多或过大（上限 {MAX_MEMBERS:,} 个、{MAX_BYTES / 1e9:g} GB）")
    return manifest


def _members(path: Path, known: set[str]) -> Iterator[tuple[dict, tarfile.TarFile, tarfile.TarInfo | None]]:
    """The archive's manifest, then each file member (checked as it comes): (manifest, tar, member); member None
    once, first, for the manifest alone. Any damage becomes a BackupError."""
    try:
        with tarfile.open(path, mode="r:*") as tar:
            manifest = _read_manifest(tar)
            yield manifest, tar, None
            count = total = 0
            while (member := tar.next()) is not None:
                name = _member_name(member, known)
                count += 1
                total += member.size
                if count > MAX_MEMBERS or total > MAX_BYTES:
                    raise _refuse(f"文件过多或过大（上限 {MAX_MEMBERS:,} 个、{MAX_BYTES / 1e9:g} GB）")
                if member.isfile():
                    if name not in manifest["files"] or manifest["files"][name]["size"] != member.size:
                        raise _refuse(f"{name} 不在清单中或大小不符")
                    yield manifest, tar, member
    except (*DAMAGED, OSError) as exc:
        raise _refuse(f"文件已损坏或不是备份（{type(exc).__name__}）") from exc


DAMAGED = (tarfile.TarError, EOFError, zlib.error)


def _copy_checked(source, target, expected: dict) -> None:
    """Read a member (into `target` when given), its size and SHA-256 matching the manifest's `expected`."""
    digest = hashlib.sha256()
    size = 0
    while True:
        try:
            chunk = source.read(CHUNK)
        except DAMAGED as exc:
            raise _refuse(f"文件已损坏（{type(exc).__name__}）") from exc
        if not chunk:
            break
        digest.update(chunk)
        size += len(chunk)
        if target is not None:
            target.write(chunk)
    if size != expected["size"] or digest.hexdigest() != expected["sha256"]:
        raise _refuse("校验和与清单不符")


def check_archive(path: Path, known: set[str]) -> dict:
    """Read the whole archive once without writing anything: its manifest when every member is sound."""
    seen: set[str] = set()
    manifest: dict = {}
    for manifest, tar, member in _members(path, known):
        if member is None:
            continue
        if member.name in seen:
            raise _refuse(f"{member.name} 出现两次")
        seen.add(member.name)
        _copy_checked(tar.extractfile(member), None, manifest["files"][member.name])
    missing = sorted(set(manifest.get("files", {})) - seen)
    if missing:
        raise _refuse(f"缺少清单中的文件 {missing[0]} 等{len(missing)}个")
    return manifest


@dataclass(frozen=True)
class Change:
    part: Part
    now_files: int
    archive_files: int
    counts: list[tuple[str, int | None, int | None]]  # what, now, in the archive

    def line(self) -> str:
        figures = "；".join(f"{what} {_n(now)} → {_n(then)}" for what, now, then in self.counts)
        return f"- {self.part.label}（{self.part.folder}）：文件 {self.now_files:,} → {self.archive_files:,}" + (
            f"；{figures}" if figures else ""
        )


def _n(value: int | None) -> str:
    return "无" if value is None else f"{value:,}"


def plan_restore(found: list[Part], manifest: dict) -> list[Change]:
    """Per part in the archive: what is there now and what the archive holds (files, rows, lines)."""
    changes = []
    for part in found:
        archived = manifest["parts"].get(part.name)
        current = part.files()
        if archived is None and not current:
            continue
        now = _counts(part.name, current)
        then = archived["counts"] if archived else {}
        keys = list(dict.fromkeys([*then, *now]))
        counts = [(key, now.get(key), then.get(key)) for key in keys]
        changes.append(Change(part, len(current), archived["files"] if archived else 0, counts))
    return changes


def _stage(path: Path, found: list[Part], stamp: str) -> dict[str, Path]:
    """Extract the archive into one staging folder per part (beside its destination), checking every checksum
    again; the staging folders by part name."""
    staging: dict[str, Path] = {}
    by_name = {part.name: part for part in found}
    try:
        for manifest, tar, member in _members(path, set(by_name)):
            if member is None:
                continue
            part_name, _, inside = member.name.partition("/")
            part = by_name[part_name]
            if part_name not in staging:
                base = part.folder.parent if part.whole else part.folder
                base.mkdir(mode=0o700, parents=True, exist_ok=True)
                staging[part_name] = Path(tempfile.mkdtemp(prefix=f".restore-{part_name}-{stamp}-", dir=base))
            target = staging[part_name] / inside
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as out:
                _copy_checked(tar.extractfile(member), out, manifest["files"][member.name])
            if part.whole:
                os.chmod(target, member.mode & 0o644 | 0o600)
    except BaseException:
        for folder in staging.values():
            shutil.rmtree(folder, ignore_errors=True)
        raise
    return staging


def _put_in_place(part: Part, staged: Path | None, hold: Path) -> None:
    """Move the part's current files into `hold` and the staged ones into place (a whole folder by rename)."""
    if part.whole:
        if part.folder.exists():
            hold.mkdir(mode=0o700, parents=True, exist_ok=True)
            part.folder.rename(hold / part.name)
        if staged is not None:
            os.chmod(staged, 0o755)
            staged.rename(part.folder)
        return
    current = part.files()
    for key, path in current.items():
        target = hold / part.name / key
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        shutil.move(path, target)
    if staged is None:
        return
    for path in sorted(p for p in staged.rglob("*") if p.is_file()):
        target = part.folder / path.relative_to(staged)
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.replace(path, target)
    shutil.rmtree(staged, ignore_errors=True)


def hold_folder(data: Path, stamp: str) -> Path:
    return Path(data).parent / f"{Path(data).name}.before-restore-{stamp}"


def restore_backup(
    path: Path,
    data: Path,
    ask: Callable[[list[Change], Path], bool],
    on_wait: Callable[[str], None] | None = None,
) -> tuple[list[Change], Path] | None:
    """Check the archive, show `ask` the changes and where what is there now will be kept (False: nothing happens,
    None returned), then put it in place; the changes and that folder."""
    data = Path(data)
    found = parts(data)
    manifest = check_archive(Path(path), {part.name for part in found})
    changes = plan_restore(found, manifest)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    hold = hold_folder(data, stamp)
    if not ask(changes, hold):
        return None
    staging = _stage(Path(path), found, stamp)
    try:
        with _held(data, found, on_wait):
            for change in changes:
                _put_in_place(change.part, staging.pop(change.part.name, None), hold)
    finally:
        for folder in staging.values():
            shutil.rmtree(folder, ignore_errors=True)
    return changes, hold
