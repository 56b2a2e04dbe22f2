"""K `streamlit run dashboard.py` processes on internal loopback ports and Caddy in front, sticky by cookie.

Streamlit keeps a session (its websocket, uploaded files, the /media files of its downloads, a login) in the memory
of the process that serves it, so every request of one browser must reach the same process: Caddy's `lb_policy
cookie` gives each browser a cookie naming its process on the first response (the app's HTML) and sends every later
request carrying it there — the websocket, /_stcore/upload_file, /media. Websockets are proxied as they come.
All processes get the same `server.cookieSecret` (signed cookies such as single sign-on's stay valid whichever
process reads them), from a file created once with owner-only rights and never committed. The accounts file, its
lockout counts (under a filelock), the audit trail and the summaries' cache are files every process shares.

Stdlib only, and nothing here is imported by the dashboard: this is a supervisor. It stops everything when one
process ends or on Ctrl+C / SIGTERM.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SECRET_FILE_ENV = "DASHBOARD_COOKIE_SECRET_FILE"
DEFAULT_SECRET_FILE = REPO / ".streamlit" / "cookie_secret"  # git-ignored
STICKY_COOKIE = "dpf_backend"
START_TIMEOUT_S = 120.0


@dataclass
class Child:
    name: str
    process: subprocess.Popen
    port: int


def cookie_secret(path: Path) -> str:
    """The shared cookie secret from `path`, created (owner-only) on first use."""
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_hex(32) + "\n")
    return path.read_text(encoding="utf-8").strip()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def caddyfile(address: str, port: int, backends: list[int]) -> str:
    """Caddy's config: plain HTTP on address:port, every request to one backend chosen by the sticky cookie."""
    upstreams = " ".join(f"127.0.0.1:{backend}" for backend in backends)
    return f"""{{
\tadmin off
\tauto_https off
}}

http://:{port} {{
\tbind {address}
\treverse_proxy {upstreams} {{
\t\tlb_policy cookie {STICKY_COOKIE}
\t\thealth_uri /_stcore/health
\t\thealth_interval 10s
\t}}
}}
"""


def streamlit_command(port: int, script: str = "dashboard.py") -> list[str]:
    """One dashboard process (or another `script`, e.g. the benchmark's empty app) on 127.0.0.1:port; also the
    tests' and the benchmark's server (tests/browser/harness)."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        script,
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]


def start(name: str, command: list[str], port: int, env: dict[str, str], log: Path) -> Child:
    """`command` started in the repository, its output appended to `log`, in its own process group."""
    with log.open("ab") as handle:
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped with its children
        )
    return Child(name, process, port)


def wait_healthy(child: Child, timeout: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.process.poll() is not None:
            raise RuntimeError(f"{child.name} exited with code {child.process.returncode} while starting")
        url = f"http://127.0.0.1:{child.port}/_stcore/health"
        with contextlib.suppress(urllib.error.URLError, OSError), urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200:
                return
        time.sleep(0.25)
    raise RuntimeError(f"{child.name} was not healthy on port {child.port} within {timeout:.0f} s")


def stop(children: list[Child], timeout: float = 10) -> None:
    """SIGTERM every child's process group, then SIGKILL what is left after `timeout` seconds."""
    for child in children:
        if child.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.process.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for child in children:
        try:
            child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.process.pid, signal.SIGKILL)
            child.process.wait(timeout=timeout)


def start_cluster(procs: int, port: int, address: str, workdir: Path, secret_file: Path) -> list[Child]:
    """The dashboard processes (healthy) and Caddy in front (healthy through the proxy); the last child is Caddy."""
    env = {**os.environ, "STREAMLIT_SERVER_COOKIE_SECRET": cookie_secret(secret_file)}
    children: list[Child] = []
    try:
        for index in range(procs):
            backend = free_port()
            name = f"dashboard-{index + 1}"
            children.append(start(name, streamlit_command(backend), backend, env, workdir / f"{name}.log"))
        for child in children:
            wait_healthy(child)
        config = workdir / "Caddyfile"
        config.write_text(caddyfile(address, port, [child.port for child in children]), encoding="utf-8")
        caddy_env = {**os.environ, "XDG_DATA_HOME": str(workdir / "caddy"), "XDG_CONFIG_HOME": str(workdir / "caddy")}
        command = ["caddy", "run", "--config", str(config), "--adapter", "caddyfile"]
        children.append(start("caddy", command, port, caddy_env, workdir / "caddy.log"))
        wait_healthy(children[-1], timeout=30)
    except BaseException:
        stop(children)
        raise
    return children


def log_tail(path: Path, lines: int = 20) -> str:
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m serve", description="多进程看板（Caddy 粘性会话）")
    parser.add_argument("--procs", type=int, default=2, help="dashboard processes (default 2)")
    parser.add_argument("--port", type=int, default=8501, help="the port browsers use (default 8501)")
    parser.add_argument("--address", default="0.0.0.0", help="the address Caddy listens on (default 0.0.0.0)")
    args = parser.parse_args(argv)
    secret_file = Path(os.environ.get(SECRET_FILE_ENV) or DEFAULT_SECRET_FILE)
    with tempfile.TemporaryDirectory(prefix="dpf-serve-") as tmp:
        workdir = Path(tmp)
        try:
            children = start_cluster(max(1, args.procs), args.port, args.address, workdir, secret_file)
        except (RuntimeError, OSError) as exc:
            print(f"启动失败：{exc}", file=sys.stderr)
            for log in sorted(workdir.glob("*.log")):
                print(f"--- {log.name}\n{log_tail(log)}", file=sys.stderr)
            return 1
        print(f"看板已启动：http://{args.address}:{args.port}（{args.procs} 个进程；Ctrl+C 停止）", flush=True)
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        try:
            while not stopping and all(child.process.poll() is None for child in children):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        ended = [child.name for child in children if child.process.poll() is not None]
        stop(children)
        if ended and not stopping:
            print(f"{'、'.join(ended)} 已退出，全部停止。", file=sys.stderr)
            return 1
    return 0
