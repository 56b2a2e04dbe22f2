"""ui.shell's early request for Plotly's chart code: the module it imports is the very file Streamlit's own lazy
import loads (same name, beside the index script), so the browser evaluates it once and the charts find it ready."""

from __future__ import annotations

import re
from pathlib import Path

import streamlit as st

from tests.apptest_helpers import run_page
from ui.shell import plotly_preload_js

STATIC_JS = Path(st.__file__).parent / "static" / "static" / "js"


def test_preload_imports_the_chunk_streamlits_index_script_loads():
    script = plotly_preload_js()
    names = re.findall(r'import\(new URL\("([^"]+)", index\.src\)', script)
    assert len(names) == 1 and names[0].startswith("PlotlyChart.")
    assert (STATIC_JS / names[0]).is_file()
    index = next(STATIC_JS.glob("index.*.js")).read_text(encoding="utf-8")
    assert f"import(`./{names[0]}`)" in index  # Streamlit's lazy import of the chart element, same relative URL


def _preload_scripts(at) -> int:
    return sum("dpfPlotlyPreload" in str(element.proto) for element in at.get("html"))


def test_chart_pages_request_it_and_pages_without_charts_do_not(demo_dir):
    assert _preload_scripts(run_page(demo_dir)) == 1  # 总览
    assert _preload_scripts(run_page(demo_dir, "data_status.py")) == 0
