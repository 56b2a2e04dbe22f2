"""A full or read-only disk (issue 17.8): a Chinese message on the CLI and the page, no traceback, old set kept.

The disk is real: a small tmpfs, filled up or remounted read-only. The CLI runs in its own mount namespace
(`unshare -m`), so nothing stays mounted; the page test mounts in this process and unmounts afterwards.
Both are skipped where mounting is not allowed (not root, no unshare).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from dpf.commands.ingest import run_import
from dpf.contract.manifest import read_manifest
from dpf.ingest.report import log_entries
from dpf.ingest.write import backup_dir
from tests.apptest_helpers import admin_session, no_exception, rerun, run_page
from tests.ingest_helpers import KEY, REPO, all_bytes, base_set, csv_bytes, pay_rows, payments, write_file

ROWS = pay_rows([1], program="重度残疾人护理补贴", month="2024-04", amount=80)
FILL = "head -c 64M /dev/zero > {mnt}/filler 2>/dev/null || true"
ALMOST_FULL = FILL + "; truncate -s -8K {mnt}/filler"  # room for a log line, not for a new set
READ_ONLY = "mount -o remount,ro {mnt}"
TODAY = date(2024, 6, 15)


def can_mount() -> bool:
    if os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"], capture_output=True)
    return probe.returncode == 0


needs_mount = pytest.mark.skipif(not can_mount(), reason="mounting a tmpfs needs root and unshare")


def digest(folder: Path) -> str:
    return hashlib.sha256(all_bytes(folder)).hexdigest()


@needs_mount
@pytest.mark.parametrize(
    ("fault", "cause"), [(FILL, "磁盘空间已满"), (READ_ONLY, "磁盘或文件夹是只读的")], ids=["full", "read-only"]
)
def test_cli_says_what_is_wrong_and_keeps_the_old_set(tmp_path, fault, cause):
    data = base_set(tmp_path / "extracts")
    ledger = write_file(tmp_path, "四月.csv", csv_bytes(ROWS))
    mnt, out = tmp_path / "disk", tmp_path / "out.txt"
    mnt.mkdir()
    script = "\n".join(
        [
            f"mount -t tmpfs -o size=1m tmpfs {mnt}",
            f"cp -a {data} {mnt}/extracts",
            fault.format(mnt=mnt),
            f"{sys.executable} -m dpf import {ledger} --data {mnt}/extracts > {out} 2>&1",
            f"echo rc=$? >> {out}",
            f"find {mnt}/extracts -type f | LC_ALL=C sort | xargs cat | sha256sum | cut -d' ' -f1 >> {out}",
        ]
    )
    env = {**os.environ, "DASHBOARD_SECRET_KEY": KEY, "DASHBOARD_CACHE_DIR": str(tmp_path / "cache")}
    subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script], cwd=REPO, env=env, check=True)
    text = out.read_text(encoding="utf-8")
    assert "Traceback" not in text
    assert f"导入未完成：无法写入文件（{mnt}/extracts" in text and cause in text and "rc=2" in text
    assert text.strip().splitlines()[-1] == digest(data)  # the old set, byte for byte (flat folder: same order)


@pytest.fixture
def small_disk(tmp_path):
    if not can_mount():
        pytest.skip("mounting a tmpfs needs root and unshare")
    mnt = tmp_path / "disk"
    mnt.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)], check=True)
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_page_says_the_disk_is_read_only(small_disk, tmp_path, monkeypatch):
    admin = admin_session(monkeypatch, tmp_path)
    monkeypatch.setenv("DASHBOARD_SECRET_KEY", KEY)
    monkeypatch.setenv("DASHBOARD_CACHE_DIR", str(tmp_path / "cache"))
    data = base_set(small_disk / "extracts")
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    at = run_page(data, "data_import.py", account=admin)
    at.file_uploader(key="import_files").set_value(("四月.csv", csv_bytes(ROWS), "text/csv"))
    rerun(at, data)  # the import lock lives beside the data: a read-only disk is found before anything is shown
    assert not [b for b in at.button if b.key == "import_confirm"]
    assert no_exception(at)
    errors = [e.value for e in at.error]
    assert any("导入未完成：无法写入文件" in e and "磁盘或文件夹是只读的" in e for e in errors), errors
    assert read_manifest(data).as_of == date(2024, 3, 31)


@needs_mount
def test_a_disk_full_during_the_write_is_logged_as_failed_and_data_backup_and_log_agree(tmp_path, monkeypatch):
    """The disk fills up while the new set is staged: the old set and its backup stay byte for byte, the log says
    failed (with the Chinese reason), nothing is left behind; with space again the same import lands once."""
    monkeypatch.setenv("DASHBOARD_SECRET_KEY", KEY)
    source = base_set(tmp_path / "before" / "extracts")
    april = write_file(tmp_path, "四月.csv", csv_bytes(ROWS))
    may = write_file(tmp_path, "五月.csv", csv_bytes(pay_rows([2, 3])))
    assert run_import([april], source, today=TODAY) == 0  # so there is a backup to keep
    mnt, out = tmp_path / "disk", tmp_path / "out.txt"
    mnt.mkdir()
    import_may = f"{sys.executable} -m dpf import {may} --data {mnt}/extracts >> {out} 2>&1; echo rc=$? >> {out}"
    script = "\n".join(
        [
            f"mount -t tmpfs -o size=1m tmpfs {mnt}",
            f"cp -a {source.parent}/. {mnt}/",
            ALMOST_FULL.format(mnt=mnt),
            import_may,
            f"mkdir {tmp_path}/full && cp -a {mnt}/. {tmp_path}/full/",
            f"rm {mnt}/filler",
            import_may,
            f"mkdir {tmp_path}/freed && cp -a {mnt}/. {tmp_path}/freed/",
        ]
    )
    env = {**os.environ, "DASHBOARD_SECRET_KEY": KEY, "DASHBOARD_CACHE_DIR": str(tmp_path / "cache")}
    subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script], cwd=REPO, env=env, check=True)
    text = out.read_text(encoding="utf-8")
    assert "Traceback" not in text and "磁盘空间已满" in text
    assert re.findall(r"rc=(\d)", text) == ["2", "0"]
    full, freed = tmp_path / "full" / "extracts", tmp_path / "freed" / "extracts"
    assert digest(full) == digest(source) and digest(backup_dir(full)) == digest(backup_dir(source))
    assert sorted(p.name for p in full.parent.iterdir()) == ["extracts", "extracts.bak", "extracts.imports", "filler"]
    failed = log_entries(full)[-1]
    assert [e["status"] for e in log_entries(full)] == ["ok", "failed"]
    assert failed["as_of"] == read_manifest(full).as_of.isoformat() == "2024-04-30"
    assert "磁盘空间已满" in failed["error"] and failed["added"] == 2
    assert [e["status"] for e in log_entries(freed)] == ["ok", "failed", "ok"]
    assert len(payments(freed)) == 1 + 1 + 2 and digest(backup_dir(freed)) == digest(source)
    assert log_entries(freed)[-1]["as_of"] == read_manifest(freed).as_of.isoformat() == "2024-05-31"


def test_page_says_the_disk_is_full_when_it_writes_and_the_log_says_failed(small_disk, tmp_path, monkeypatch):
    """The preview needs no space; the confirm does: a Chinese error where the import is, the old set kept."""
    admin = admin_session(monkeypatch, tmp_path)
    monkeypatch.setenv("DASHBOARD_SECRET_KEY", KEY)
    monkeypatch.setenv("DASHBOARD_CACHE_DIR", str(tmp_path / "cache"))
    data = base_set(small_disk / "extracts")
    before = digest(data)
    subprocess.run(["sh", "-c", ALMOST_FULL.format(mnt=small_disk)], check=True)
    at = run_page(data, "data_import.py", account=admin)
    at.file_uploader(key="import_files").set_value(("四月.csv", csv_bytes(ROWS), "text/csv"))
    rerun(at, data)
    at.button(key="import_confirm").click()
    rerun(at, data)
    assert no_exception(at)
    errors = [e.value for e in at.error]
    assert any("导入未完成：无法写入文件" in e and "磁盘空间已满" in e for e in errors), errors
    assert not any("已写入新数据" in s.value for s in at.success)
    assert digest(data) == before and not backup_dir(data).exists()
    assert [(e["status"], e["added"], e["as_of"]) for e in log_entries(data)] == [("failed", 1, "2024-03-31")]
    assert sorted(p.name for p in small_disk.iterdir()) == ["extracts", "extracts.imports", "filler"]
