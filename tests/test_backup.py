"""`python -m dpf backup` / `restore`: a real deployment in tmp_path (the demo set, a real import with its log and
rejection report, accounts, lock state and audit trail), restored and compared row for row with DuckDB; hostile
and damaged archives refused with nothing changed; a backup taken while an import holds the lock (two processes)
waits and holds the state after it, never half."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from dpf.auth.accounts import add_account, load_accounts, remove_account
from dpf.auth.audit import audit_file, record
from dpf.auth.lockout import lockout_file, record_failure
from dpf.commands.ingest import run_import
from dpf.commands.main import main
from dpf.contract.manifest import read_manifest
from dpf.ingest.lock import WAITING
from dpf.ingest.report import imports_dir, log_path
from dpf.operations import backup as backup_module
from tests.ingest_helpers import (
    KEY,
    PAY_HEADERS,
    REPO,
    base_set,
    cert,
    csv_bytes,
    paused_import,
    pay_rows,
    release,
    write_file,
)

PASSWORD = "一个足够长的测试密码"
TODAY = date(2025, 1, 10)


@pytest.fixture
def deployment(demo_dir, tmp_path, monkeypatch):
    """A demo copy with one real import (one row rejected: a report), two accounts, a lock state and audit lines."""
    monkeypatch.setenv("DASHBOARD_SECRET_KEY", KEY)
    monkeypatch.setenv("DASHBOARD_USERS_FILE", str(tmp_path / "etc" / "users.toml"))
    monkeypatch.delenv("DASHBOARD_AUDIT_DIR", raising=False)
    data = tmp_path / "srv" / "extracts"
    shutil.copytree(demo_dir, data)
    rows = [PAY_HEADERS, ["测试甲", cert(11), "龙山镇", "重度残疾人护理补贴", "2024-10", 80]]
    rows.append(["测试乙", cert(12), "龙山镇", "重度残疾人护理补贴", "2024-10", -5])  # rejected
    assert run_import([write_file(tmp_path, "十月.csv", csv_bytes(rows))], data, today=TODAY) == 1
    users = tmp_path / "etc" / "users.toml"
    add_account(users, "管理员", "admin", (), PASSWORD)
    add_account(users, "县领导", "county", (), PASSWORD)
    record_failure(users, "县领导", datetime(2025, 1, 10, 9, 0))
    record(data, "login_ok", "管理员", "admin")
    record(data, "page_view", "县领导", "county", page="总览")
    (tmp_path / "etc" / "schedules.toml").write_text("[schedules.monthly]\nday = 5\n", encoding="utf-8")
    return data, users


@pytest.fixture
def small(tmp_path, monkeypatch):
    """A three-township set and one account: enough for the archive checks."""
    monkeypatch.setenv("DASHBOARD_USERS_FILE", str(tmp_path / "etc" / "users.toml"))
    monkeypatch.delenv("DASHBOARD_AUDIT_DIR", raising=False)
    data = base_set(tmp_path / "srv" / "extracts")
    add_account(tmp_path / "etc" / "users.toml", "管理员", "admin", (), PASSWORD)
    record(data, "login_ok", "管理员", "admin")
    return data


def tables_of(folder: Path) -> dict[str, str]:
    """Each table of the manifest and the Parquet glob DuckDB reads it by (hive partitions included)."""
    globs = {}
    for table in read_manifest(folder).tables:
        single = folder / f"{table}.parquet"
        globs[table] = str(single) if single.is_file() else str(folder / table / "**" / "*.parquet")
    return globs


def differing_rows(a: Path, b: Path) -> dict[str, tuple[int, int, int]]:
    """Per table: rows in a, rows only in a, rows only in b (EXCEPT ALL keeps duplicates)."""
    con = duckdb.connect()
    out = {}
    for table, glob in tables_of(a).items():
        other = tables_of(b)[table]
        read = "read_parquet(?, hive_partitioning = true, union_by_name = true)"
        count = con.execute(f"SELECT count(*) FROM {read}", [glob]).fetchone()[0]
        only_a = con.execute(f"SELECT count(*) FROM (FROM {read} EXCEPT ALL FROM {read})", [glob, other]).fetchone()[0]
        only_b = con.execute(f"SELECT count(*) FROM (FROM {read} EXCEPT ALL FROM {read})", [other, glob]).fetchone()[0]
        out[table] = (count, only_a, only_b)
    return out


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_restore_gives_back_every_table_row_for_row_and_every_file(deployment, tmp_path, capsys):
    data, users = deployment
    archive = tmp_path / "backup" / "dpf.tar.gz"
    original = tmp_path / "original"
    shutil.copytree(data, original)
    imports_before = snapshot(imports_dir(data))
    accounts_before = users.read_bytes()
    lockout_before = lockout_file(users).read_bytes()

    assert main(["backup", "--out", str(archive), "--data", str(data)]) == 0
    said = capsys.readouterr().out
    assert "payments 行 258,594" in said and "账号 2" in said
    assert oct(archive.stat().st_mode & 0o777) == "0o600"

    # then everything changes: another import, an account removed, more audit lines, a new failure count
    rows = [PAY_HEADERS, ["测试丙", cert(13), "龙山镇", "困难残疾人生活补贴", "2024-11", 100]]
    assert run_import([write_file(tmp_path, "十一月.csv", csv_bytes(rows))], data, today=TODAY) == 0
    remove_account(users, "县领导")
    record(data, "logout", "管理员", "admin")
    record_failure(users, "管理员", datetime(2025, 1, 11, 9, 0))
    (users.parent / "schedules.toml").unlink()
    assert differing_rows(original, data)["payments"][2] == 1  # the November row

    assert main(["restore", str(archive), "--data", str(data), "--yes"]) == 0
    said = capsys.readouterr().out
    assert "payments 行 258,595 → 258,594" in said
    assert "账号 1 → 2" in said
    assert "imports.jsonl 行 2 → 1" in said and "audit.jsonl 行 3 → 2" in said
    assert f"- 定时报告（{users.parent}）：文件 0 → 1" in said

    compared = differing_rows(original, data)
    assert set(compared) == set(read_manifest(original).tables)
    assert all(only_a == only_b == 0 for _, only_a, only_b in compared.values())
    assert compared["payments"][0] == 258_594 and compared["persons"][0] > 0
    assert snapshot(data) == snapshot(original)  # byte for byte, manifest included
    assert snapshot(imports_dir(data)) == imports_before  # log, report, audit trail (locks untouched)
    assert any(name.startswith("rejections/") for name in imports_before)
    assert users.read_bytes() == accounts_before and set(load_accounts(users)) == {"管理员", "县领导"}
    assert lockout_file(users).read_bytes() == lockout_before
    assert (users.parent / "schedules.toml").read_text(encoding="utf-8") == "[schedules.monthly]\nday = 5\n"

    # nothing was deleted: what was replaced is kept beside the data
    [hold] = data.parent.glob("extracts.before-restore-*")
    assert differing_rows(hold / "data", data)["payments"][1] == 1
    assert len((hold / "imports" / "imports.jsonl").read_text(encoding="utf-8").splitlines()) == 2
    assert "县领导" not in load_accounts(hold / "accounts" / "users.toml")


def test_a_restore_asks_first_and_without_a_terminal_needs_yes(small, tmp_path, capsys, monkeypatch):
    data = small
    archive = tmp_path / "dpf.tar.gz"
    assert main(["backup", "--out", str(archive), "--data", str(data)]) == 0
    (data / "manifest.json").write_text("{}", encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # no terminal
    assert main(["restore", str(archive), "--data", str(data)]) == 2
    said = capsys.readouterr().out
    assert "数据文件" in said and "未确认，没有恢复，现有数据未改动。" in said
    assert (data / "manifest.json").read_text(encoding="utf-8") == "{}"
    assert not list(data.parent.glob("*.before-restore-*")) and not list(data.parent.glob(".restore-*"))


def archive_with(path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]], manifest_files=None) -> Path:
    """A gzip tar: a manifest listing `manifest_files` (default: every regular member, checksums right), then
    `members` as given."""
    if manifest_files is None:
        manifest_files = {
            info.name: {"size": len(body), "sha256": hashlib.sha256(body).hexdigest()}
            for info, body in members
            if info.isfile() and body is not None
        }
    manifest = json.dumps({"format": 1, "parts": {}, "files": manifest_files}).encode()
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo("backup-manifest.json")
        info.size = len(manifest)
        tar.addfile(info, io.BytesIO(manifest))
        for info, body in members:
            if body is not None:
                info.size = len(body)
            tar.addfile(info, io.BytesIO(body) if body is not None else None)
    return path


def member(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, link
    return info


def tampered(path: Path, good: Path) -> Path:
    """The real backup with one byte of a Parquet file changed, its manifest left as it was."""
    with tarfile.open(good) as source, tarfile.open(path, "w:gz") as out:
        for info in source.getmembers():
            body = source.extractfile(info).read()
            if info.name.endswith("townships.parquet"):
                body = body[:-20] + bytes([body[-20] ^ 1]) + body[-19:]
            out.addfile(info, io.BytesIO(body))
    return path


HOSTILE = {
    "traversal": lambda p, good: archive_with(p, [(member("data/../../evil.txt"), b"x")]),
    "absolute": lambda p, good: archive_with(p, [(member("/tmp/evil.txt"), b"x")]),
    "symlink": lambda p, good: archive_with(p, [(member("data/link", tarfile.SYMTYPE, "/etc/passwd"), None)]),
    "hardlink": lambda p, good: archive_with(p, [(member("data/link", tarfile.LNKTYPE, "/etc/passwd"), None)]),
    "device": lambda p, good: archive_with(p, [(member("data/null", tarfile.CHRTYPE), None)]),
    "unknown-part": lambda p, good: archive_with(p, [(member("secrets/key.txt"), b"x")]),
    "journal": lambda p, good: archive_with(p, [(member("imports/journal.json"), b'{"staging": "../../etc"}')]),
    "not-in-manifest": lambda p, good: archive_with(p, [(member("data/x.parquet"), b"x")], manifest_files={}),
    "missing-file": lambda p, good: archive_with(p, [], {"data/x.parquet": {"size": 1, "sha256": "0" * 64}}),
    "checksum": tampered,
    "truncated": lambda p, good: p.write_bytes(good.read_bytes()[: good.stat().st_size // 2]) and p,
    "not-a-tar": lambda p, good: p.write_bytes(b"PK\x03\x04 not a backup") and p,
    "no-manifest-first": lambda p, good: tarfile.open(p, "w:gz").close() or p,
}


@pytest.mark.parametrize("damage", list(HOSTILE), ids=list(HOSTILE))
def test_a_hostile_or_damaged_archive_is_refused_and_nothing_changes(small, tmp_path, capsys, damage):
    data = small
    good = tmp_path / "good.tar.gz"
    assert main(["backup", "--out", str(good), "--data", str(data)]) == 0
    before = snapshot(tmp_path)
    bad = HOSTILE[damage](tmp_path / "bad.tar.gz", good)
    before["bad.tar.gz"] = bad.read_bytes()
    capsys.readouterr()
    assert main(["restore", str(bad), "--data", str(data), "--yes"]) == 2
    said = capsys.readouterr().out
    assert said.startswith("备份文件不可用：") and said.strip().endswith("未恢复，现有数据未改动。")
    assert "将替换" not in said  # refused before any plan
    assert snapshot(tmp_path) == before  # not a byte written anywhere under the deployment
    assert not Path("/tmp/evil.txt").exists()


def test_an_archive_over_the_size_limit_is_refused(small, tmp_path, capsys, monkeypatch):
    data = small
    archive = tmp_path / "dpf.tar.gz"
    assert main(["backup", "--out", str(archive), "--data", str(data)]) == 0
    monkeypatch.setattr(backup_module, "MAX_BYTES", 1_000)  # the small set unpacks to ~15 kB
    assert main(["restore", str(archive), "--data", str(data), "--yes"]) == 2
    assert "文件过多或过大（上限 200,000 个、1e-06 GB）" in capsys.readouterr().out


def test_a_backup_during_an_import_waits_and_holds_the_state_after_it(data, tmp_path):
    """Two processes: an import paused after its swap (new data in place, its log line not yet written) holds the
    lock; `dpf backup` says it waits, and once the import ends the archive has the new rows and their log line."""
    ledger = write_file(tmp_path, "may.csv", csv_bytes(pay_rows(range(1, 4))))
    running = paused_import(data, ledger, "swapped", date(2024, 6, 15), tmp_path / "p")
    archive = tmp_path / "during.tar.gz"
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1", "DASHBOARD_USERS_FILE": str(tmp_path / "u")}
    command = [sys.executable, "-m", "dpf", "backup", "--out", str(archive), "--data", str(data)]
    backup = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert backup.stdout.readline().strip() == WAITING.replace("等待…", "备份/恢复等待它结束…")
    assert backup.poll() is None and not archive.exists()
    release(tmp_path / "p")
    out, err = backup.communicate(timeout=120)
    running.communicate(timeout=120)
    assert backup.returncode == 0, out + err
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("data/manifest.json").read())
        log_lines = tar.extractfile("imports/imports.jsonl").read().decode().splitlines()
    assert manifest["tables"]["payments"]["rows"] == 4  # the base set's one + the three imported
    assert manifest == json.loads((data / "manifest.json").read_text(encoding="utf-8"))
    assert len(log_lines) == 1 and json.loads(log_lines[0])["added"] == 3
    assert log_lines == log_path(data).read_text(encoding="utf-8").splitlines()
    assert audit_file(data).parent == imports_dir(data)


def test_a_backup_restores_onto_a_new_machine_where_nothing_exists_yet(small, tmp_path, capsys, monkeypatch):
    """The paths come from the new deployment's settings, not from the archive: another data folder and accounts
    file, none of them there before; nothing is moved aside because there was nothing."""
    archive = tmp_path / "dpf.tar.gz"
    assert main(["backup", "--out", str(archive), "--data", str(small)]) == 0
    new_users = tmp_path / "new" / "etc" / "users.toml"
    monkeypatch.setenv("DASHBOARD_USERS_FILE", str(new_users))
    new_data = tmp_path / "new" / "srv" / "extracts"
    assert main(["restore", str(archive), "--data", str(new_data), "--yes"]) == 0
    said = capsys.readouterr().out
    assert f"- 数据文件（{new_data}）：文件 0 → " in said and "账号 无 → 1" in said
    assert "此处尚无这些文件，不会移走任何文件。" in said and "此前没有这些文件。" in said
    assert not list(new_data.parent.glob("*.before-restore-*"))
    assert snapshot(new_data) == snapshot(small)
    assert new_users.read_bytes() == (tmp_path / "etc" / "users.toml").read_bytes()
    assert (imports_dir(new_data) / "audit.jsonl").read_bytes() == audit_file(small).read_bytes()
    assert differing_rows(small, new_data)["payments"] == (1, 0, 0)
