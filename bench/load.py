"""`python -m bench.load --url http://127.0.0.1:PORT --sessions 1,5,10,20`: many leaders at once, without a browser.

N leaders at once on loopback, each opening a few pages with varied filters in turn. Each page load is what a
browser tab opening `/funds?year=2024&township=龙山镇` asks of the server: a websocket to /_stcore/stream (a new
Streamlit session) and a `rerun_script` BackMsg with the page's url path as `page_name` and the query string, as
the frontend sends it (streamlit/web/server/starlette/starlette_websocket.py, proto/BackMsg.proto, ClientState),
then ForwardMsgs until `script_finished`. A load's server-side time runs from the rerun sent to `script_finished`.
A leader first fetches the app's HTML and sends its cookies on every websocket, as a browser does (a sticky proxy
keeps the leader on one process by that cookie). A new session per load, rather than reruns on one socket: a
rerun on an open session keeps the year widget's value over the query string, so only a new session shows the
view the URL names. Figures per N: median, p95, max, loads per second and, when the generator started the server
itself (`--procs K`, or bench.run), the server's CPU seconds per load.

Bounded: every load has a timeout, every round a total deadline; unfinished sessions are cancelled (sockets closed).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

SESSIONS = (1, 5, 10, 20)
BENCH_PROCS = (1, 2)  # make bench: one process, and two behind Caddy
GOAL_MEDIAN_S = 2.0  # issue 24: server-side median under 2 s at N = 20
LOADS_PER_SESSION = 4
VIEW_POOL = 10  # (year, townships) views a round draws from, new ones each round; the first is the whole county
LOAD_TIMEOUT_S = 120.0
ROUND_DEADLINE_S = 600.0
SEED = 24
WARM_UP_LEADERS = 8  # with 2 processes, each is reached with probability 1 - 2**-7


@dataclass(frozen=True)
class Load:
    page: str  # url path of the page ("" = the default page)
    query: str  # year=2024&township=…


@dataclass
class RoundResult:
    sessions: int
    wall_s: float
    times: list[float] = field(default_factory=list)  # seconds per finished load
    errors: list[str] = field(default_factory=list)
    cpu_s: float | None = None  # CPU seconds the server's processes used in the round (None: not known)

    @property
    def cpu_per_load(self) -> float | None:
        return self.cpu_s / len(self.times) if self.cpu_s is not None and self.times else None

    @property
    def throughput(self) -> float:
        return len(self.times) / self.wall_s if self.wall_s > 0 else 0.0


def plan_loads(
    pages: list[str], views: list[tuple[int, tuple[str, ...]]], sessions: int, loads: int
) -> list[list[Load]]:
    """Each session's loads: pages in turn from a different start, views drawn from the pool (seeded)."""
    rng = random.Random(SEED + sessions)
    plans = []
    for index in range(sessions):
        plan = []
        for step in range(loads):
            year, names = rng.choice(views)
            query = urlencode({"year": year, "township": list(names)}, doseq=True)
            plan.append(Load(pages[(index + step) % len(pages)], query))
        plans.append(plan)
    return plans


def stream_url(url: str) -> str:
    parts = urlsplit(url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}/_stcore/stream"


def rerun_message(load: Load) -> bytes:
    from streamlit.proto.BackMsg_pb2 import BackMsg

    message = BackMsg()
    state = message.rerun_script
    state.query_string = load.query
    state.page_name = load.page
    return message.SerializeToString()


async def open_page(url: str, load: Load, headers: dict[str, str]) -> float:
    """Open one page as a browser tab does (a new websocket, one rerun) and return the seconds from the rerun sent
    to its `script_finished`; the socket is closed after."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.asyncio.client import connect

    async with connect(
        stream_url(url), subprotocols=["streamlit"], max_size=None, additional_headers=headers, open_timeout=60
    ) as socket:
        started = time.perf_counter()
        await socket.send(rerun_message(load))
        async with asyncio.timeout(LOAD_TIMEOUT_S):
            while True:
                message = ForwardMsg()
                message.ParseFromString(await socket.recv())
                kind = message.WhichOneof("type")
                if kind == "script_finished":
                    return time.perf_counter() - started
                if kind == "page_not_found":
                    raise RuntimeError(f"page not found: {load.page!r}")


async def run_session(url: str, plan: list[Load], result: RoundResult) -> None:
    """One leader: the app's HTML first (as a browser does; a sticky proxy sets its cookie there), then each load of
    `plan` in turn with that cookie, its seconds appended to `result.times`."""
    headers = {"Cookie": await asyncio.to_thread(session_cookie, url)}
    for load in plan:
        try:
            result.times.append(await open_page(url, load, headers))
        except TimeoutError:
            result.errors.append(f"timeout after {LOAD_TIMEOUT_S:.0f} s ({load.page or 'default'})")
            return


def session_cookie(url: str) -> str:
    """The Cookie header a browser would send after loading `url` (name=value of every Set-Cookie)."""
    with urllib.request.urlopen(url, timeout=60) as response:
        cookies = response.headers.get_all("Set-Cookie") or []
    return "; ".join(cookie.split(";", 1)[0] for cookie in cookies)


async def run_round(url: str, plans: list[list[Load]], deadline_s: float = ROUND_DEADLINE_S) -> RoundResult:
    """All sessions at once; whatever is unfinished at the deadline is cancelled (its sockets closed)."""
    result = RoundResult(len(plans), 0.0)
    started = time.perf_counter()
    tasks = [asyncio.create_task(run_session(url, plan, result)) for plan in plans]
    done, pending = await asyncio.wait(tasks, timeout=deadline_s)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    result.wall_s = time.perf_counter() - started
    for task in done:
        if task.exception() is not None:
            result.errors.append(f"{type(task.exception()).__name__}: {task.exception()}"[:200])
    if pending:
        result.errors.append(f"{len(pending)} sessions unfinished at the {deadline_s:.0f} s deadline")
    return result


def load_pages() -> list[str]:
    """Url paths of the pages a leader opens (tests.browser.harness: data_import is for admins only)."""
    from streamlit.logger import set_log_level

    set_log_level("error")  # ui.shell's caches are declared outside a Streamlit runtime here: no warning per cache
    from tests.browser.harness import existing_pages

    return [page.url_path for page in existing_pages()]


def load_views(folder: Path, seed: int, count: int = VIEW_POOL) -> list[tuple[int, tuple[str, ...]]]:
    """`count` views for one round: the whole county this year (every round) and random township sets."""
    from bench.views import pick_views

    return [(view.year, view.names) for view in pick_views(folder, count, seed)]


def measure_load(
    url: str,
    folder: Path,
    sessions: list[int],
    loads: int = LOADS_PER_SESSION,
    deadline_s: float = ROUND_DEADLINE_S,
    warm_up: bool = True,
    server_pid: int | None = None,
) -> list[RoundResult]:
    """One round per N in `sessions` against the server at `url` showing `folder`; a warm-up first opens every page
    for the whole county (the connection, summaries and the pages' code loaded, as on a server in use) with
    WARM_UP_LEADERS leaders at once (behind the proxy, a process none of them reached would start cold). Each round draws
    its views afresh, so most of its loads ask for a view the server has not computed yet, and some (the whole
    county, a view another leader opened) for one it has. With `server_pid`, the CPU seconds of that process and its
    descendants per round too: the work per load, which other programs on the machine do not inflate."""
    pages = load_pages()
    if warm_up:  # leaders land on processes at random: enough of them that each process is most likely warmed
        in_own_loop(run_round(url, [[Load(page, "") for page in pages]] * WARM_UP_LEADERS, deadline_s))
    results = []
    for count in sessions:
        plans = plan_loads(pages, load_views(folder, SEED + count), count, loads)
        before = tree_cpu_seconds(server_pid) if server_pid else None
        result = in_own_loop(run_round(url, plans, deadline_s))
        if before is not None:
            result.cpu_s = tree_cpu_seconds(server_pid) - before
        results.append(result)
    return results


def in_own_loop(coroutine):
    """asyncio.run in a thread of its own, so a caller's running loop (Playwright's sync API in tests) is no bar."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def tree_cpu_seconds(root: int) -> float:
    """User + system CPU seconds of process `root` and all its descendants now (Linux /proc)."""
    parents: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        pid = int(stat.parent.name)
        parents[pid] = int(fields[1])
        ticks[pid] = int(fields[11]) + int(fields[12])  # utime, stime
    tree, grown = {root}, True
    while grown:
        grown = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grown = True
    return sum(ticks.get(pid, 0) for pid in tree) / os.sysconf("SC_CLK_TCK")


@contextmanager
def serving(folder: Path, procs: int = 1, env: dict[str, str] | None = None):
    """A fresh dashboard on `folder`, (url, process id) yielded, stopped after: one streamlit process
    (tests.browser.harness), or `python -m serve --procs K` (K processes behind Caddy). Open (no accounts) unless
    `env` says otherwise."""
    from tests.browser.harness import NO_ACCOUNTS_ENV, REPO, free_port, start_server, stop_server

    if procs <= 1:
        server = start_server(folder, timeout=300, env=env)
        try:
            yield server.url, server.process.pid
        finally:
            stop_server(server)
        return
    port = free_port()
    child_env = {**os.environ, **NO_ACCOUNTS_ENV, "DASHBOARD_DATA_DIR": str(folder), **(env or {})}
    command = [sys.executable, "-m", "serve", "--procs", str(procs), "--port", str(port), "--address", "127.0.0.1"]
    command.append("--plain-http")  # loopback, no TLS: the load generator measures the dashboard, not the handshake
    with subprocess.Popen(
        command, cwd=REPO, env=child_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as run:
        try:
            line = run.stdout.readline()  # the supervisor prints one line once every process is healthy
            if "看板已启动" not in line:
                raise RuntimeError(f"python -m serve did not start: {line}{run.stdout.read()[-2000:]}")
            yield f"http://127.0.0.1:{port}", run.pid
        finally:
            run.send_signal(signal.SIGTERM)
            run.wait(timeout=60)


def load_figures(
    folder: Path, procs: tuple[int, ...] = BENCH_PROCS, sessions: tuple[int, ...] = SESSIONS
) -> list[dict]:
    """bench.run's load part: the rounds against a fresh server of each process count on `folder` (K > 1 needs
    Caddy: without it, or when a server fails, the entry says why)."""
    figures = []
    for count in procs:
        try:
            with serving(folder, count) as (url, pid):
                results = measure_load(url, folder, list(sessions), server_pid=pid)
        except Exception as exc:  # the report says what failed; the other figures still count
            figures.append({"procs": count, "error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"})
            continue
        figures.append({"procs": count, "rounds": [asdict(result) for result in results]})
    return figures


LOAD_TEXT = (
    f"N leaders at once, each opening {LOADS_PER_SESSION} pages one after another (views drawn from "
    f"{VIEW_POOL} per round: the whole county and random township sets, new each round), every page a new "
    "Streamlit session as a browser tab opening its URL. Time = server side, from the rerun sent to "
    "`script_finished`. Server CPU per load = CPU seconds of the server's processes (and Caddy) over the "
    f"round ÷ loads. 1 process = `streamlit run`; K > 1 = `python -m serve --procs K --plain-http` (Caddy, "
    f"sticky cookie; no TLS on loopback). Goal: median < {GOAL_MEDIAN_S:.0f} s at N = 20."
)


def load_section(runs: list[dict]) -> list[str]:
    """The report's section on many leaders at once (runs with a `load` entry, from load_figures)."""
    from bench.figures import report_section

    title = "Many leaders at once (bench/load.py: websocket sessions on loopback, no browser)"
    measured, lines = report_section(runs, "load", title, LOAD_TEXT)
    if not measured:
        return []
    for run in measured:
        for entry in run["load"]:
            lines += ["", f"Scale {run['scale']}, {entry['procs']} process{'es' if entry['procs'] > 1 else ''}:", ""]
            if entry.get("error"):
                lines.append(f"Not measured: {entry['error']}")
                continue
            lines += render_rounds([RoundResult(**values) for values in entry["rounds"]])
    return lines


def marked(result: RoundResult) -> str:
    """The round's median, with ✓ or ✗ against the goal at N = 20."""
    from bench.figures import fmt_s, median

    value = median(result.times)
    if result.sessions != 20 or value is None:
        return fmt_s(value)
    return f"{fmt_s(value)} {'✓' if value < GOAL_MEDIAN_S else '✗'}"


def render_rounds(results: list[RoundResult]) -> list[str]:
    from bench.figures import fmt_s, p95

    lines = [
        "| sessions | loads | median | p95 | max | loads per second | server CPU per load | errors |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for result in results:
        errors = "; ".join(sorted(set(result.errors)))[:200]
        lines.append(
            f"| {result.sessions} | {len(result.times)} | {marked(result)} | {fmt_s(p95(result.times))} "
            f"| {fmt_s(max(result.times, default=None))} | {result.throughput:.1f} | {fmt_s(result.cpu_per_load)} "
            f"| {errors} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    from dpf.config import data_dir

    parser = argparse.ArgumentParser(prog="python -m bench.load", description="多会话并发负载测试")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="a running dashboard, e.g. http://127.0.0.1:8501")
    where.add_argument("--procs", type=int, help="start a fresh one of K processes (K > 1: behind Caddy) on --data")
    parser.add_argument("--sessions", default="1,5,10,20", help="comma-separated session counts")
    parser.add_argument("--loads", type=int, default=LOADS_PER_SESSION, help="page loads per session")
    parser.add_argument("--data", type=Path, default=None, help="the folder the server shows (for township names)")
    parser.add_argument("--deadline", type=float, default=ROUND_DEADLINE_S, help="seconds per round at most")
    parser.add_argument("--no-warm-up", action="store_true")
    args = parser.parse_args(argv)
    counts = [int(part) for part in args.sessions.split(",") if part.strip()]
    folder = args.data or data_dir()
    if args.url:
        results = measure_load(args.url, folder, counts, args.loads, args.deadline, warm_up=not args.no_warm_up)
    else:
        with serving(folder, args.procs) as (url, pid):
            results = measure_load(
                url, folder, counts, args.loads, args.deadline, warm_up=not args.no_warm_up, server_pid=pid
            )
    print("\n".join(render_rounds(results)))
    return 1 if any(result.errors for result in results) else 0


if __name__ == "__main__":
    sys.exit(main())
