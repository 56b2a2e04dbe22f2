"""`python -m bench` (`make bench`): how fast each page answers a view, at scale 1, 10 and 100, against pandas.

For each scale the demo generator writes a set under data/bench/scale-N (reused while its seed, scale
and generator are unchanged). Each measurement runs in its own subprocess, so peak memory is that
part's alone:
- pages: every page of the dashboard run in streamlit's AppTest for random (year, townships) views:
  cold (st.cache_data and st.cache_resource cleared: fresh DuckDB connection, empty caches), warm
  (the same view again) and a filter change (another township set on the warm app), then the same filter change
  in a month view (期间 = BENCH_MONTH, ?month=); plus the SQL time inside (bench.timing.timed_queries).
- duckdb / pandas: the overview's payment and service figures, in SQL and in pandas (bench/pandas_baseline.py).
- builds: the 汇报材料 (PPTX, PDF) and the Word 简报, cold and warm, each in its own process (bench/deck.py).
- browser (scale 1 and 100): a real streamlit server and headless Chromium (bench/browser.py): each page's URL
  opened to the last chart drawn against an empty Streamlit app (the floor), a township change, and what the
  first screen shows.
- many leaders at once (scale 1, with the browser part): bench/load.py's websocket sessions against a fresh
  server of one process and of two behind Caddy (python -m serve), N = 1, 5, 10, 20.
The Markdown report goes between two markers in docs/benchmarks.md; text outside them is kept.
Benchmarks only print figures: nothing here fails on a time.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date, datetime
from functools import partial
from pathlib import Path

from bench.browser import browser_tables, measure_browser
from bench.deck import BUILD_FORMATS, deck_table, worker_build
from bench.figures import fmt_s, mark, median, p95
from bench.load import load_figures, load_section
from bench.views import ViewSpec, pick_views
from dpf.config import REPO_ROOT

BENCH_ROOT = REPO_ROOT / "data" / "bench"
SEED = 2024
AS_OF = date(2024, 9, 30)
BROWSER_SCALES = (1, 100)
LOAD_SCALES = (1,)  # many leaders at once (bench/load.py)
PANDAS_COLD_REPEATS = 3  # a cold pandas load is the same work for every view
PAGE_BUDGET_S = 60.0  # a page slower than this stops after the views measured so far (the row says how many)
RUN_TIMEOUT_S = 180.0  # one AppTest run longer than this is recorded as an error and ends that page
START, END = "<!-- bench:start -->", "<!-- bench:end -->"

# Goals of issue 10 (seconds, medians): scale 1 cold < 0.5, warm < 0.1; scale 100 cold < 3 (browser goals: bench.browser).
GOALS = {"cold_small": 0.5, "warm_small": 0.1, "cold_large": 3.0}
# Goals of issue 31 on a month view's filter change (seconds, page median): no slower than the year view's goals.
MONTH_GOALS = {1: 0.5, 100: 1.0}
BENCH_MONTH = 6  # the month view measured (June: in both years of the demo)


# --- data sets ---------------------------------------------------------------------------------------------------


def generator_hash() -> str:
    return hashlib.sha256((REPO_ROOT / "dpf" / "contract" / "demo.py").read_bytes()).hexdigest()[:16]


def set_params(scale: int, seed: int = SEED) -> dict:
    return {"seed": seed, "scale": scale, "as_of": AS_OF.isoformat(), "generator": generator_hash()}


def ensure_set(root: Path, scale: int, seed: int = SEED) -> tuple[Path, float | None]:
    """root/scale-N, generated unless an existing one was made with the same parameters; (folder, seconds)."""
    folder = root / f"scale-{scale}"
    stamp = root / f"scale-{scale}.json"
    wanted = set_params(scale, seed)
    if (folder / "manifest.json").is_file() and stamp.is_file():
        try:
            if json.loads(stamp.read_text(encoding="utf-8")) == wanted:
                return folder, None
        except ValueError:
            pass
    from dpf.contract.demo import generate_demo

    print(f"[bench] generating scale {scale} into {folder} …", flush=True)
    started = time.perf_counter()
    generate_demo(folder, seed=seed, scale=scale, as_of=AS_OF)
    stamp.write_text(json.dumps(wanted) + "\n", encoding="utf-8")
    return folder, time.perf_counter() - started


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())


def table_rows(folder: Path) -> dict[str, int]:
    manifest = json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))
    return {table: int(info["rows"]) for table, info in manifest["tables"].items()}


def bench_pages() -> list[tuple[str, str]]:
    """(file, title) of every page the navigation shows now (data_import is an upload form and scheduled_reports
    sends mail: both left out)."""
    from ui.page_table import PAGES

    left_out = ("data_import.py", "scheduled_reports.py")
    return [(spec.file, spec.title) for spec in PAGES if spec.file not in left_out and spec.path.is_file()]


# --- workers (each in its own process) ---------------------------------------------------------------------------


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def worker_pages(folder: Path, views: list[ViewSpec], pages: Sequence[str] | None = None) -> dict:
    """Run each page in AppTest: cold, warm and a filter change per view; totals and SQL seconds."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    import ui.data
    from bench.timing import busy_seconds, timed_queries
    from tests.apptest_helpers import data_folder, no_exception
    from tests.browser.harness import NO_ACCOUNTS_ENV

    os.environ.update(NO_ACCOUNTS_ENV)  # the pages are measured, not a login form (this is the worker's process)

    dashboard = str(REPO_ROOT / "dashboard.py")
    results: dict[str, dict] = {}
    files = list(pages) if pages else [file for file, _ in bench_pages()]

    def app_for(file: str, view: ViewSpec) -> AppTest:
        at = AppTest.from_file(dashboard, default_timeout=RUN_TIMEOUT_S)
        at.query_params["year"] = str(view.year)
        if view.names:
            at.query_params["township"] = list(view.names)
        at.switch_page(f"app_pages/{file}")
        return at

    opening: list[float] = []  # the fresh connection's set-up counts as query time of the cold run
    real_open = ui.data.open_extracts

    def timed_open(folder_path):
        started = time.perf_counter()
        try:
            return real_open(folder_path)
        finally:
            opening.append(time.perf_counter() - started)

    ui.data.open_extracts = timed_open

    def timed_run(at: AppTest) -> tuple[float, float, int, bool]:
        opening.clear()
        with timed_queries() as queries:
            started = time.perf_counter()
            try:
                at.run()
            except RuntimeError as exc:  # AppTest's timeout
                raise TimeoutError(str(exc)) from exc
            total = time.perf_counter() - started
        return total, busy_seconds(queries) + sum(opening), len(queries), no_exception(at)

    with data_folder(folder):
        app_for(files[0], views[0]).run()  # imports and first-run set-up, not measured
        for file in files:
            keys = (
                "cold",
                "cold_sql",
                "queries",
                "warm",
                "warm_sql",
                "change",
                "change_sql",
                "month_change",
                "month_change_sql",
                "errors",
            )
            record: dict[str, list] = {key: [] for key in keys}
            page_started = time.perf_counter()
            for index, view in enumerate(views):
                if time.perf_counter() - page_started > PAGE_BUDGET_S:
                    break
                st.cache_data.clear()
                st.cache_resource.clear()
                at = app_for(file, view)
                try:
                    total, sql, count, ok = timed_run(at)
                except TimeoutError:
                    record["errors"].append(
                        f"timeout > {RUN_TIMEOUT_S:.0f} s: {view.year} {','.join(view.names) or '全县'}"
                    )
                    break
                record["cold"].append(total)
                record["cold_sql"].append(sql)
                record["queries"].append(count)
                warm, warm_sql, _, ok_warm = timed_run(at)
                record["warm"].append(warm)
                record["warm_sql"].append(warm_sql)
                other = views[(index + 1) % len(views)]
                if other.names != view.names:
                    at.multiselect(key="township").set_value(list(other.names))
                    change, change_sql, _, ok_change = timed_run(at)
                    record["change"].append(change)
                    record["change_sql"].append(change_sql)
                    at.selectbox(key="period").set_value(BENCH_MONTH)  # into the month view (not measured)
                    timed_run(at)
                    at.multiselect(key="township").set_value(list(view.names))  # the month view's filter change
                    month_change, month_sql, _, ok_month = timed_run(at)
                    record["month_change"].append(month_change)
                    record["month_change_sql"].append(month_sql)
                    ok_change = ok_change and ok_month
                else:
                    ok_change = True
                if not (ok and ok_warm and ok_change):
                    record["errors"].append(f"{view.year} {','.join(view.names) or '全县'}")
            results[file] = record
    return {"pages": results, "peak_mb": _peak_mb()}


def _duckdb_figures(con, view: ViewSpec):
    import pandas as pd

    from dpf.data.sql import run_query
    from dpf.figures.indicators import indicator_query_params

    params = {"year": view.year, "townships": list(view.codes), "cuts": [AS_OF], "by_township": False, "month": None}
    frames = [
        run_query(con, f"indicators_{table}", **params, **indicator_query_params(table))
        for table in ("payments", "services")
    ]
    return pd.concat(frames).sort_values("indicator", ignore_index=True)


def worker_duckdb(folder: Path, views: list[ViewSpec]) -> dict:
    """The overview's payment and service figures in SQL: cold (fresh connection) and warm."""
    from dpf.data.db import open_extracts

    cold, warm = [], []
    for view in views:
        started = time.perf_counter()
        extracts = open_extracts(folder)
        _duckdb_figures(extracts.con, view)
        cold.append(time.perf_counter() - started)
        started = time.perf_counter()
        _duckdb_figures(extracts.con, view)
        warm.append(time.perf_counter() - started)
        extracts.con.close()
    return {"cold": cold, "warm": warm, "peak_mb": _peak_mb()}


def worker_pandas(folder: Path, views: list[ViewSpec]) -> dict:
    """The same figures in pandas: cold (read the Parquet files, then compute) and warm (frames in memory)."""
    from bench.pandas_baseline import load_frames, pandas_indicators

    cold, warm = [], []
    data = None
    for index, view in enumerate(views):
        if index < PANDAS_COLD_REPEATS:
            data = None
            started = time.perf_counter()
            data = load_frames(folder)
            pandas_indicators(data, view.year, view.codes, AS_OF)
            cold.append(time.perf_counter() - started)
        started = time.perf_counter()
        pandas_indicators(data, view.year, view.codes, AS_OF)
        warm.append(time.perf_counter() - started)
    return {"cold": cold, "warm": warm, "peak_mb": _peak_mb()}


def worker_summary(folder: Path, views: list[ViewSpec]) -> dict:
    """Opening a new export once, into an empty cache folder: building the payment and service summaries
    (dpf.data.summary), then the 数据状况 page's full contract check (dpf.contract.check_store); both are kept on disk."""
    from dpf.contract.check_store import checked_folder
    from dpf.data.db import open_extracts

    with tempfile.TemporaryDirectory(prefix="dpf-bench-cache-") as cache:
        os.environ["DASHBOARD_CACHE_DIR"] = cache
        started = time.perf_counter()
        extracts = open_extracts(folder)
        build = time.perf_counter() - started
        stores = [state.path for state in (extracts.summary, extracts.service_summary) if state and state.path]
        store_bytes = sum(path.stat().st_size for path in stores)
        extracts.con.close()
        started = time.perf_counter()
        open_extracts(folder).con.close()
        reopen = time.perf_counter() - started
        started = time.perf_counter()
        checked_folder(folder)
        check = time.perf_counter() - started
        started = time.perf_counter()
        checked_folder(folder)
        check_again = time.perf_counter() - started
    return {
        "build_s": build,
        "reopen_s": reopen,
        "store_bytes": store_bytes,
        "check_s": check,
        "check_again_s": check_again,
        "peak_mb": _peak_mb(),
    }


WORKERS = {
    "pages": worker_pages,
    "duckdb": worker_duckdb,
    "pandas": worker_pandas,
    "summary": worker_summary,
    **{f"build_{fmt}": partial(worker_build, fmt=fmt) for fmt in BUILD_FORMATS},  # 汇报材料 and 简报 files
}


def run_worker(kind: str, folder: Path, views: list[ViewSpec], pages: Sequence[str] | None = None) -> dict:
    """Run one worker in a fresh `python -m bench` process and return its JSON result."""
    with tempfile.TemporaryDirectory(prefix="dpf-bench-") as tmp:
        spec = Path(tmp) / "spec.json"
        result = Path(tmp) / "result.json"
        body = {"kind": kind, "folder": str(folder), "views": [asdict(v) for v in views], "pages": list(pages or [])}
        spec.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
        command = [sys.executable, "-m", "bench", "--worker", str(spec), str(result)]
        subprocess.run(command, cwd=REPO_ROOT, env=env, check=True)
        return json.loads(result.read_text(encoding="utf-8"))


def worker_main(spec_path: str, result_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    views = [ViewSpec(v["year"], tuple(v["names"]), tuple(v["codes"])) for v in spec["views"]]
    folder = Path(spec["folder"])
    if spec["kind"] == "pages":
        result = worker_pages(folder, views, spec["pages"] or None)
    else:
        result = WORKERS[spec["kind"]](folder, views)
    Path(result_path).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


# --- report ------------------------------------------------------------------------------------------------------


def machine_info() -> dict[str, str]:
    import duckdb
    import pandas as pd
    import pyarrow as pa
    import streamlit as st

    memory = "?"
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        commit = "?"
    return {
        "date": datetime.now().astimezone().isoformat(timespec="minutes"),
        "cores": str(os.cpu_count()),
        "memory": memory,
        "cpu": cpu,
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "pandas": pd.__version__,
        "pyarrow": pa.__version__,
        "streamlit": st.__version__,
        "commit": commit or "?",
    }


def render_report(info: dict[str, str], runs: list[dict], views: int) -> str:
    titles = dict(bench_pages())
    lines = [
        "## Latest run",
        "",
        f"- Date: {info['date']} · commit {info['commit']}",
        f"- Machine: {info['cores']} cores ({info['cpu']}), {info['memory']} memory; load average at start "
        f"{info['load']}",
        f"- Versions: Python {info['python']}, DuckDB {info['duckdb']}, pandas {info['pandas']}, "
        f"pyarrow {info['pyarrow']}, Streamlit {info['streamlit']}",
        f"- Views: {views} random (year, townships) combinations per page and scale (the first is the whole "
        "county this year); median / 95th percentile.",
        "",
        "### Data sets",
        "",
        "First open of a new export builds the payment and service summaries once (dpf.data.summary; then cached on disk, "
        "keyed on the manifest and files); every later open attaches them. The 数据状况 page's full contract check "
        "reads every row once per export (dpf.contract.check_store keeps the result on disk). Peak memory is each part's "
        "process (the summary build's includes the check).",
        "",
        "| scale | townships | persons | payment rows | extracts on disk | summaries: first open | later open "
        "| summary stores | contract check: first | again | peak memory: summary build | pages | duckdb figures "
        "| pandas figures |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in runs:
        rows = run["rows"]
        summary = run.get("summary", {})
        lines.append(
            f"| {run['scale']} | {rows.get('townships', 0):,} | {rows.get('persons', 0):,} | "
            f"{rows.get('payments', 0):,} | {run['bytes'] / 1e6:,.1f} MB | {fmt_s(summary.get('build_s'))} | "
            f"{fmt_s(summary.get('reopen_s'))} | {summary.get('store_bytes', 0) / 1e6:,.1f} MB | "
            f"{fmt_s(summary.get('check_s'))} | {fmt_s(summary.get('check_again_s'))} | "
            f"{summary.get('peak_mb', 0):,.0f} MB | {run['pages']['peak_mb']:,.0f} MB | "
            f"{run['duckdb']['peak_mb']:,.0f} MB | {run['pandas']['peak_mb']:,.0f} MB |"
        )
    lines += [
        "",
        "### Pages (server side, AppTest run of the whole app on that page)",
        "",
        "Page = the whole script run (sidebar, queries, charts) in AppTest; queries = opening the connection plus "
        "every dpf.data.sql.run_query of that run. Cold: st.cache_data and st.cache_resource cleared (fresh DuckDB "
        "connection, empty caches; the OS file cache stays warm). Filter change: another township selection on "
        "the open app (connection open, that view not yet cached); month view: the same change with 期间 = "
        f"{BENCH_MONTH}月 (?month=). Warm: the same view again (cached). "
        "Goals on the queries (median): scale 1 cold < 0.5 s and warm (filter change) < 0.1 s; scale 100 cold "
        "< 3 s; a month view's filter change (page median) ≤ 0.5 s at scale 1, ≤ 1 s at scale 100 (✓ met, ✗ missed).",
        "",
        "| scale | page | views | queries | cold: queries median | cold: queries p95 | cold: page median | "
        "filter change: queries median | filter change: page median | filter change: page p95 | "
        "warm: page median | month view filter change: queries median | month view filter change: page median | "
        "errors |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in runs:
        cold_goal = GOALS["cold_small"] if run["scale"] == 1 else GOALS["cold_large"] if run["scale"] >= 100 else None
        warm_goal = GOALS["warm_small"] if run["scale"] == 1 else None
        for file, record in run["pages"]["pages"].items():
            lines.append(
                f"| {run['scale']} | {titles.get(file, file)} ({file}) | {len(record['cold'])} | "
                f"{median(record['queries']) or 0:.0f} | {mark(median(record['cold_sql']), cold_goal)} | "
                f"{fmt_s(p95(record['cold_sql']))} | {fmt_s(median(record['cold']))} | "
                f"{mark(median(record.get('change_sql', [])), warm_goal)} | {fmt_s(median(record['change']))} | "
                f"{fmt_s(p95(record['change']))} | {fmt_s(median(record['warm']))} | "
                f"{fmt_s(median(record.get('month_change_sql', [])))} | "
                f"{mark(median(record.get('month_change', [])), MONTH_GOALS.get(run['scale']))} | "
                f"{len(record['errors'])} |"
            )
    lines += [
        "",
        "### DuckDB against pandas (the overview's payment and service figures for a view)",
        "",
        "pandas: `pd.read_parquet` of the same files into DataFrames, then filter and group (bench/pandas_baseline.py), "
        f"as a typical Streamlit app does. Cold = read + compute ({PANDAS_COLD_REPEATS} runs for pandas; DuckDB: "
        "fresh connection + queries); warm = compute only (frames in memory / connection open). Ratio = pandas ÷ "
        "DuckDB (above 1: DuckDB is faster).",
        "",
        "| scale | DuckDB cold | pandas cold | ratio cold | DuckDB warm | pandas warm | ratio warm |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in runs:
        dc, pc = median(run["duckdb"]["cold"]), median(run["pandas"]["cold"])
        dw, pw = median(run["duckdb"]["warm"]), median(run["pandas"]["warm"])
        lines.append(
            f"| {run['scale']} | {fmt_s(dc)} | {fmt_s(pc)} | {pc / dc:.1f}× | {fmt_s(dw)} | {fmt_s(pw)} | "
            f"{pw / dw:.1f}× |"
        )
    lines += browser_tables(runs, titles)
    lines += deck_table(runs)
    for run in runs:
        if run.get("browser_error"):
            lines += ["", f"Browser part at scale {run['scale']} failed: {run['browser_error']}"]
    lines += load_section(runs)
    return "\n".join(lines) + "\n"


def write_report(out: Path, report: str) -> None:
    """Replace the text between the bench markers in `out` (or write a new file); keep everything else."""
    out = Path(out)
    block = f"{START}\n{report}{END}\n"
    if out.is_file():
        text = out.read_text(encoding="utf-8")
        if START in text and END in text:
            head, rest = text.split(START, 1)
            tail = rest.split(END, 1)[1].lstrip("\n")
            out.write_text(head + block + ("\n" + tail if tail else ""), encoding="utf-8")
            return
        out.write_text(text.rstrip("\n") + "\n\n" + block, encoding="utf-8")
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    header = (
        "# Benchmarks\n\n"
        "Written by `make bench` (`python -m bench [--scale N] [--views 20]`); the part between the markers "
        "is replaced on every run, the rest is kept.\n\n"
    )
    out.write_text(header + block, encoding="utf-8")


def run_bench(
    scales: list[int],
    views: int,
    out: Path,
    root: Path = BENCH_ROOT,
    browser: bool = True,
) -> int:
    """Measure every scale in `scales` and write the Markdown report to `out`; 0 when every part ran."""
    info = machine_info()
    views = max(1, views)
    runs = []
    for scale in sorted(set(scales)):
        folder, generated = ensure_set(Path(root), scale)
        picked = pick_views(folder, views, SEED + scale)
        run: dict = {"scale": scale, "folder": str(folder), "generated_s": generated}
        run["rows"] = table_rows(folder)
        run["bytes"] = folder_bytes(folder)
        print(f"[bench] scale {scale}: summaries …", flush=True)
        run["summary"] = run_worker("summary", folder, picked)
        print(f"[bench] scale {scale}: pages …", flush=True)
        run["pages"] = run_worker("pages", folder, picked)
        print(f"[bench] scale {scale}: duckdb and pandas …", flush=True)
        run["duckdb"] = run_worker("duckdb", folder, picked)
        run["pandas"] = run_worker("pandas", folder, picked)
        print(f"[bench] scale {scale}: 汇报材料 and 简报 …", flush=True)
        run["builds"] = {fmt: run_worker(f"build_{fmt}", folder, picked) for fmt in BUILD_FORMATS}
        if browser and scale in BROWSER_SCALES:
            print(f"[bench] scale {scale}: browser …", flush=True)
            try:
                run["browser"] = measure_browser(folder, picked, list(run["pages"]["pages"]))
            except Exception as exc:  # the report says what failed; the other figures still count
                run["browser_error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
        if browser and scale in LOAD_SCALES:
            print(f"[bench] scale {scale}: many leaders at once …", flush=True)
            run["load"] = load_figures(folder)
        runs.append(run)
        report = render_report(info, runs, views)
        write_report(out, report)
        raw = Path(out).with_suffix(".json")
        raw.write_text(json.dumps({"machine": info, "runs": runs}, ensure_ascii=False, indent=1), encoding="utf-8")
    print(render_report(info, runs, views))
    print(f"[bench] written {out} (raw figures in {raw})")
    return 1 if any(run.get("browser_error") for run in runs) else 0
