from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from dpf.config import DEMO_DATA_DIR
from dpf.data.db import open_extracts

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def summary_cache(tmp_path_factory) -> Path:
    """Payment summaries (dpf.data.summary) go to a private folder, not the user's ~/.cache."""
    folder = tmp_path_factory.mktemp("summary-cache")
    previous = os.environ.get("DASHBOARD_CACHE_DIR")
    os.environ["DASHBOARD_CACHE_DIR"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("DASHBOARD_CACHE_DIR", None)
    else:
        os.environ["DASHBOARD_CACHE_DIR"] = previous


@pytest.fixture(scope="session", autouse=True)
def open_access(tmp_path_factory):
    """Tests run without login (the accounts file points nowhere), opened on purpose for their own fixtures; the
    tests of accounts and login set DASHBOARD_USERS_FILE themselves."""
    saved = {name: os.environ.get(name) for name in ("DASHBOARD_USERS_FILE", "DASHBOARD_ALLOW_ANONYMOUS")}
    os.environ["DASHBOARD_USERS_FILE"] = str(tmp_path_factory.mktemp("no-accounts") / "users.toml")
    os.environ["DASHBOARD_ALLOW_ANONYMOUS"] = "1"
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session")
def demo_dir() -> Path:
    """The bundled demo set (data/demo), generated once if absent (make demo does the same)."""
    if not (DEMO_DATA_DIR / "manifest.json").is_file():
        from dpf.contract.demo import generate_demo

        generate_demo(DEMO_DATA_DIR)
    return DEMO_DATA_DIR


@pytest.fixture(scope="session")
def demo(demo_dir):
    return open_extracts(demo_dir)


@pytest.fixture
def demo_copy(demo_dir, tmp_path) -> Path:
    """A private copy of the demo set that a test may damage."""
    target = tmp_path / "demo"
    shutil.copytree(demo_dir, target)
    return target


@pytest.fixture
def data(tmp_path, monkeypatch) -> Path:
    """The import tests' tiny base set (tests.ingest_helpers.base_set) in tmp_path/extracts, the test key set."""
    from tests.ingest_helpers import KEY, base_set

    monkeypatch.setenv("DASHBOARD_SECRET_KEY", KEY)
    return base_set(tmp_path / "extracts")


DEMO_AS_OF = date(2024, 9, 30)
