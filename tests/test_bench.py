"""The benchmark tool: its figures come out (not how fast they are), and pandas gives the SQL's numbers."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date

import pandas as pd
import pytest

from bench.browser import FLOOR_SCRIPT, browser_tables
from bench.deck import deck_table
from bench.figures import mark_ratio, ratio
from bench.pandas_baseline import load_frames, pandas_indicators
from bench.run import bench_pages, ensure_set, p95, set_params, write_report
from bench.timing import busy_seconds, timed_queries
from dpf.data.db import open_extracts
from dpf.data.sql import run_query
from dpf.figures.indicators import indicator_query_params
from tests.apptest_helpers import with_accounts
from tests.conftest import DEMO_AS_OF


def test_timed_queries_collects_each_query_by_name(demo):
    with timed_queries() as outer:
        run_query(demo.con, "townships_in_order")
        with timed_queries() as inner:
            run_query(demo.con, "data_years", as_of=DEMO_AS_OF)
    run_query(demo.con, "townships_in_order")  # outside: not collected
    assert [name for name, _, _ in outer] == ["townships_in_order", "data_years"]
    assert [name for name, _, _ in inner] == ["data_years"]
    assert all(seconds > 0 for _, seconds, _ in outer)
    assert outer[0][2] < outer[1][2]  # start times in order


@pytest.mark.parametrize(
    ("intervals", "busy"),
    [
        ([], 0.0),
        ([(0.0, 1.0)], 1.0),
        ([(0.0, 1.0), (2.0, 0.5)], 1.5),  # apart: both count
        ([(0.0, 1.0), (0.5, 1.0)], 1.5),  # overlapping: the union
        ([(0.0, 3.0), (1.0, 1.0)], 3.0),  # one inside the other
        ([(1.0, 1.0), (0.0, 0.5)], 1.5),  # order does not matter
    ],
)
def test_busy_seconds_counts_overlapping_queries_once(intervals, busy):
    collected = [("q", elapsed, started) for started, elapsed in intervals]
    assert busy_seconds(collected) == pytest.approx(busy)


@pytest.mark.parametrize(
    ("year", "townships"),
    [(2024, []), (2023, []), (2024, ["349001001", "349001108"]), (2023, ["349001207"])],
)
def test_pandas_alternative_gives_the_sql_figures(demo_dir, demo, year, townships):
    sql = (
        pd.concat(
            run_query(
                demo.con,
                f"indicators_{table}",
                year=year,
                townships=townships,
                cuts=[DEMO_AS_OF],
                month=None,
                by_township=False,
                **indicator_query_params(table),
            )
            for table in ("payments", "services")
        )
        .drop(columns="cut")
        .sort_values("indicator", ignore_index=True)
    )
    frame = pandas_indicators(load_frames(demo_dir), year, townships, DEMO_AS_OF)
    assert list(frame["indicator"]) == list(sql["indicator"])
    assert frame["value"].tolist() == pytest.approx(sql["value"].tolist(), abs=1e-6)
    assert frame["previous"].tolist() == pytest.approx(sql["previous"].tolist(), abs=1e-6)
    assert frame["value"].sum() > 0


def test_p95_interpolates():
    assert p95([1.0] * 19 + [21.0]) == pytest.approx(20 * 0.05 + 1.0)
    assert p95([]) is None


def test_report_keeps_hand_written_history(tmp_path):
    out = tmp_path / "benchmarks.md"
    out.write_text("# Benchmarks\n\nintro\n\n<!-- bench:start -->\nold\n<!-- bench:end -->\n\n## History\nkept\n")
    write_report(out, "new table\n")
    text = out.read_text()
    assert "old" not in text and "new table" in text
    assert text.index("intro") < text.index("new table") < text.index("## History\nkept")


def test_bench_at_scale_1_writes_a_row_per_page(demo_dir, tmp_path):
    """Two views at scale 1 without the browser; the bench set is the demo set (same seed and scale)."""
    from bench.run import run_bench

    root = tmp_path / "bench"
    root.mkdir()
    shutil.copytree(demo_dir, root / "scale-1")
    (root / "scale-1.json").write_text(json.dumps(set_params(1)))
    assert ensure_set(root, 1) == (root / "scale-1", None)  # reused, not generated

    out = tmp_path / "benchmarks.md"
    assert run_bench([1], 2, out, root=root, browser=False) == 0
    text = out.read_text(encoding="utf-8")
    for file, title in bench_pages():
        row = next(line for line in text.splitlines() if line.startswith(f"| 1 | {title} ({file})"))
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert cells[2] == "2", row  # views measured
        assert int(cells[3]) > 0, row  # the page ran queries
        # cold queries, cold page, filter change page, the month view's filter change page: figures
        for cell in (cells[4], cells[6], cells[8], cells[12]):
            assert re.fullmatch(r"\d+ ms.*|\d+\.\d\d s.*", cell), row
        assert cells[-1] == "0", f"errors on {file}: {row}"
    ratio = next(line for line in text.splitlines() if line.startswith("| 1 | ") and "×" in line)
    assert re.search(r"\d+\.\d×", ratio)
    data_row = next(line for line in text.splitlines() if line.startswith("| 1 | 23 | 22,106 | 258,593 |"))
    cells = [cell.strip() for cell in data_row.strip("|").split("|")]  # townships, persons, payment rows, …
    for cell in (cells[5], cells[6]):  # summaries: first open (built), later open (attached)
        assert re.fullmatch(r"\d+ ms|\d+\.\d\d s", cell), data_row
    assert float(cells[7].removesuffix(" MB")) > 0, data_row  # the stores were written
    for cell in (cells[8], cells[9]):  # contract check: first (reads every row), again (read back from disk)
        assert re.fullmatch(r"\d+ ms|\d+\.\d\d s", cell), data_row
    (deck_row,) = _table(text.splitlines(), "汇报材料")  # the deck and 简报 built, cold and warm
    assert deck_row[0] == "1", deck_row
    for cell in (deck_row[1], deck_row[2], deck_row[5], deck_row[6]):  # PPTX cold, warm; Word cold, warm
        assert re.fullmatch(r"\d+ ms [✓✗]|\d+\.\d\d s [✓✗]", cell), deck_row
    assert "cores" in text and "DuckDB 2.0.1" in text
    assert open_extracts(root / "scale-1").manifest.as_of == date(2024, 9, 30)


def test_bench_pages_measure_the_pages_not_a_login_form(demo_dir, tmp_path, monkeypatch):
    """An accounts file where the dashboard would look for one (a real .streamlit/users.toml) must not turn the
    measured page runs into runs of the login form: the bench's own runs are open, without accounts."""
    from bench.run import ViewSpec, run_worker

    with_accounts(monkeypatch, tmp_path, admin=("admin", ()))
    result = run_worker("pages", demo_dir, [ViewSpec(2024, (), ())], ["overview.py"])
    record = result["pages"]["overview.py"]
    assert record["errors"] == []
    assert record["queries"][0] > 0  # the login form runs no query; 总览 does


def _table(lines: list[str], heading: str) -> list[list[str]]:
    """The cells of each row of the table under the `### heading…` line (header and rule left out)."""
    start = next(index for index, line in enumerate(lines) if line.startswith(f"### {heading}"))
    rows = []
    for line in lines[start + 1 :]:
        if line.startswith("###"):
            break
        if line.startswith("| ") and not line.startswith(("| scale", "| ---")):
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def _browser_run(scale: int, floor: dict, page: dict) -> dict:
    return {"scale": scale, "browser": {"floor": floor, "pages": {"overview.py": page}}}


def test_ratio_marks_hold_at_the_goal_and_fail_above_it():
    assert mark_ratio(1.2, 1.2) == "1.20× ✓"
    assert mark_ratio(1.21, 1.2) == "1.21× ✗"
    assert mark_ratio(None, 1.2) == "–"
    assert ratio(6.0, 4.0) == pytest.approx(1.5)
    assert ratio(6.0, None) is None and ratio(None, 4.0) is None


def test_browser_tables_give_each_page_its_ratio_to_the_floor_of_the_same_run():
    floor = {"first": [4.0, 5.0, 4.0, 4.0], "again": [2.0, 2.0, 2.0, 2.0]}  # medians 4.0 and 2.0
    page = {
        "first": [4.4, 5.0, 4.6],  # median 4.6 = 1.15× ✓
        "again": [3.0, 2.8],  # median 2.9 = 1.45× ✗
        "change": [0.4, 0.45, 0.7, 0.3],  # median 425 ms ✓ at scale 1
        "screen": [
            {"charts": 2, "above_fold": 1, "points": 46, "elements": 30},
            {"charts": 4, "above_fold": 1, "points": 2346, "elements": 34},
            {"charts": 2, "above_fold": 0, "points": 50, "elements": 40},
        ],
    }
    lines = browser_tables([_browser_run(1, floor, page)], {"overview.py": "总览"})
    assert _table(lines, "Page open") == [
        ["1", "empty app (floor)", "4.00 s", "1.00×", "2.00 s", "1.00×", ""],
        ["1", "总览", "4.60 s", "1.15× ✓", "2.90 s", "1.45× ✗", ""],
    ]
    assert _table(lines, "Filter change") == [["1", "总览", "4", "425 ms ✓", "700 ms"]]  # changes, median, max
    assert _table(lines, "First screen") == [["1", "总览", "4.60 s", "2", "1", "50", "34"]]  # medians of the counts
    assert sum(line.startswith("| ---: |") for line in lines) == 3  # one table per part
    page["screen"] = page["screen"][1:]  # two first opens: the medians fall between
    lines = browser_tables([_browser_run(1, floor, page)], {"overview.py": "总览"})
    assert _table(lines, "First screen") == [["1", "总览", "4.60 s", "3", "0.5", "1,198", "37"]]


def test_browser_tables_mark_the_scale_100_filter_goal_and_show_floor_drift_and_errors():
    floor = {"first": [4.0, 4.2, 6.0], "again": [2.0, 2.1, 2.0]}  # the load rose: start 4.00 s, end 6.00 s
    page = {"first": [12.0], "again": [], "change": [1.2, 0.9, 1.5], "screen": [], "error": "TimeoutError: slow"}
    lines = browser_tables([_browser_run(100, floor, page)], {"overview.py": "总览"})
    assert _table(lines, "Page open") == [
        ["100", "empty app (floor)", "4.20 s (start 4.00 s, end 6.00 s)", "1.00×", "2.00 s", "1.00×", ""],
        ["100", "总览", "12.00 s", "2.86× ✗", "–", "–", "TimeoutError: slow"],
    ]
    assert _table(lines, "Filter change") == [["100", "总览", "3", "1.20 s ✗", "1.50 s"]]  # goal 1 s at scale 100
    assert _table(lines, "First screen") == [["100", "总览", "12.00 s", "–", "–", "–", "–"]]  # nothing counted
    assert browser_tables([{"scale": 1, "pages": {}}], {}) == []  # no browser part: no tables


def test_deck_table_marks_the_ten_second_goal_and_names_a_missing_pdf():
    def builds(pptx: dict, pdf: dict, docx: dict) -> dict:
        return {"pptx": pptx, "pdf": pdf, "docx": docx}

    runs = [
        {"scale": 1, "builds": builds({"cold": 3.1, "warm": 0.8}, {"cold": 3.6, "warm": 1.9}, {"cold": 0.23, "warm": 0.19})},
        {"scale": 100, "builds": builds({"cold": 10.5, "warm": 7.3}, {"error": "未找到 LibreOffice"}, {"cold": 9.0, "warm": 6.5})},
    ]  # fmt: skip
    lines = deck_table(runs)
    assert _table(lines, "汇报材料") == [
        ["1", "3.10 s ✓", "800 ms ✓", "3.60 s ✓", "1.90 s ✓", "230 ms ✓", "190 ms ✓"],
        ["100", "10.50 s ✗", "7.30 s ✓", "–", "–", "9.00 s ✓", "6.50 s ✓"],
    ]
    assert "PDF at scale 100 not measured: 未找到 LibreOffice" in lines  # the reason, below the table
    assert deck_table([{"scale": 1}]) == []


def test_floor_app_is_one_figure_one_chart_and_the_header_the_browser_waits_for():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string(FLOOR_SCRIPT).run()
    assert not at.exception
    assert [metric.value for metric in at.metric] == ["1,234"]
    assert len(at.get("plotly_chart")) == 1
    assert "数据截至" in at.markdown[0].value and "范围：" in at.markdown[0].value


def test_a_page_is_opened_again_on_a_view_no_round_opens_first():
    from bench.browser import _again_view

    views = list(range(20))  # five rounds open views 0-4 first
    assert [_again_view(views, index, 5) for index in range(5)] == [5, 6, 7, 8, 9]
    assert [_again_view([0, 1, 2], index, 3) for index in range(3)] == [1, 2, 0]  # too few: the next round's


def test_a_report_section_starts_only_when_a_run_measured_it() -> None:
    from bench.figures import report_section

    assert report_section([{"load": [1]}, {"scale": 2}], "load", "标题", "段落") == (
        [{"load": [1]}],
        ["", "### 标题", "", "段落"],
    )
    assert report_section([{"load": []}], "load", "标题", "段落") == ([], [])
