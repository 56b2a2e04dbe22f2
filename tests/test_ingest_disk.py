"""A full or read-only disk (issue 17.8): a Chinese message on the CLI and the page, no traceback, old set kept.

The disk is real: a small tmpfs, filled up or remounted read-only. The CLI runs in its own mount namespace
(`unshare -m`), so nothing stays mounted; the page test mounts in this process and unmounts afterwards.
Both are skipped where mounting is not allowed (not root, no unshare).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from dpf.manifest import read_manifest
from tests.apptest_helpers import admin_session, no_exception, rerun, run_page
from tests.ingest_helpers import KEY, PAY_HEADERS, all_bytes, base_set, cert, csv_bytes, write_file

REPO = Path(__file__).resolve().parent.parent
ROWS = [PAY_HEADERS, ["王测试", cert(1), "城关镇", "重度残疾人护理补贴", "2024-04", 80]]
FILL = "head -c 64M /dev/zero > {mnt}/filler 2>/dev/null || true"
READ_ONLY = "mount -o remount,ro {mnt}"


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
def read_only_disk(tmp_path):
    if not can_mount():
        pytest.skip("mounting a tmpfs needs root and unshare")
    mnt = tmp_path / "disk"
    mnt.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)], check=True)
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_page_says_the_disk_is_read_only(read_only_disk, tmp_path, monkeypatch):
    admin = admin_session(monkeypatch, tmp_path)
    monkeypatch.setenv("DASHBOARD_SECRET_KEY", KEY)
    monkeypatch.setenv("DASHBOARD_CACHE_DIR", str(tmp_path / "cache"))
    data = base_set(read_only_disk / "extracts")
    subprocess.run(["mount", "-o", "remount,ro", str(read_only_disk)], check=True)
    at = run_page(data, "data_import.py", account=admin)
    at.file_uploader(key="import_files").set_value(("四月.csv", csv_bytes(ROWS), "text/csv"))
    rerun(at, data)  # the import lock lives beside the data: a read-only disk is found before anything is shown
    assert not [b for b in at.button if b.key == "import_confirm"]
    assert no_exception(at)
    errors = [e.value for e in at.error]
    assert any("导入未完成：无法写入文件" in e and "磁盘或文件夹是只读的" in e for e in errors), errors
    assert read_manifest(data).as_of == date(2024, 3, 31)
