"""The README's layout section names every module of dpf/, dpf/ingest/ and ui/ (a new module is described there)."""

from __future__ import annotations

import re

import pytest

from dpf.config import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
LAYOUT = README[README.index("## Layout") : README.index("What we keep on purpose")]
MODULES = [
    path.relative_to(REPO_ROOT)
    for folder in ("dpf", "ui")
    for path in sorted((REPO_ROOT / folder).rglob("*.py"))
    if not path.stem.startswith("__")
]
PACKAGES = sorted(path.parent.relative_to(REPO_ROOT) for path in (REPO_ROOT / "dpf").glob("*/__init__.py"))


@pytest.mark.parametrize("module", MODULES, ids=[str(m) for m in MODULES])
def test_the_layout_names_the_module(module) -> None:
    stem = module.stem
    named = re.search(rf"\b{re.escape(stem)}\b", LAYOUT) or (stem.endswith("_tables") and "*_tables" in LAYOUT)
    assert named, f"README's layout section does not name {module}"


@pytest.mark.parametrize("package", PACKAGES, ids=[str(p) for p in PACKAGES])
def test_the_layout_names_each_group_of_the_core(package) -> None:
    assert re.search(rf"^  {re.escape(package.name)}/ ", LAYOUT, re.M), f"README's layout has no line for {package}/"
