"""K `streamlit run dashboard.py` processes on internal loopback ports and Caddy in front, sticky by cookie.

Streamlit keeps a session (its websocket, uploaded files, the /media files of its downloads, a login) in the memory
of the process that serves it, so every request of one browser must reach the same process: Caddy's `lb_policy
cookie` gives each browser a cookie naming its process on the first response (the app's HTML) and sends every later
request carrying it there — the websocket, /_stcore/upload_file, /media. Websockets are proxied as they come.
All processes get the same `server.cookieSecret` (signed cookies such as single sign-on's stay valid whichever
process reads them), from a file created once with owner-only rights and never committed. The accounts file, its
lockout counts (under a filelock), the audit trail and the summaries' cache are files every process shares.

Caddy serves HTTPS on the address it is told (127.0.0.1 unless told otherwise): a certificate from its own
internal CA for the site's name (`tls internal`; the root to give leaders' computers is in the Caddy folder) or a
given certificate and key, with HSTS, and a plain-HTTP port that only redirects to HTTPS. The dashboard processes
listen on loopback only and run with Streamlit's agent API off (`server.enableAgentApi = false`, pinned on their
command line over any config file or environment). `--plain-http` (loopback only) is for the tests and benchmarks.

With `--reports` (`make serve` passes it) the 定时报告 runner, `python -m dpf schedule run`, runs beside them (the
systemd service runs it as a unit of its own instead).

Stdlib only, and nothing here is imported by the dashboard: this is a supervisor. It stops everything when one
process ends or on Ctrl+C / SIGTERM.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import ipaddress
import os
import re
import secrets
import signal
import socket
import ssl
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
CADDY_DIR_ENV = "DASHBOARD_CADDY_DIR"
DEFAULT_CADDY_DIR = REPO / ".caddy"  # git-ignored: Caddy's internal CA (its root key) and certificates
STICKY_COOKIE = "dpf_backend"
START_TIMEOUT_S = 120.0
HSTS = "max-age=31536000"  # one year; no includeSubDomains: other hosts under an intranet name are not ours
LOOPBACK = "127.0.0.1"
HOST_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*")
# Pinned on every dashboard process's command line (which wins over config files and STREAMLIT_* variables).
PINNED_OPTIONS = {"server.address": LOOPBACK, "server.enableAgentApi": "false"}


@dataclass(frozen=True)
class Site:
    """Where browsers reach the cluster: HTTPS on address:port for `host` (its own CA's certificate unless a
    certificate and key are given), and plain HTTP on address:http_port redirecting there (0: no redirect)."""

    host: str = "localhost"
    address: str = LOOPBACK
    port: int = 8443
    http_port: int = 8080
    cert: Path | None = None
    key: Path | None = None
    plain_http: bool = False  # the tests' and benchmarks' loopback mode: no TLS at all

    @property
    def url(self) -> str:
        if self.plain_http:
            return f"http://{self.address}:{self.port}"
        return f"https://{self.host}" + ("" if self.port == 443 else f":{self.port}")


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


def caddyfile(site: Site, backends: list[int]) -> str:
    """Caddy's config: HTTPS (with HSTS) for the site, every request to one backend chosen by the sticky cookie,
    and plain HTTP redirecting to it; or, for `plain_http`, HTTP on loopback alone."""
    upstreams = " ".join(f"{LOOPBACK}:{backend}" for backend in backends)
    proxy = f"""\treverse_proxy {upstreams} {{
\t\tlb_policy cookie {STICKY_COOKIE}
\t\thealth_uri /_stcore/health
\t\thealth_interval 10s
\t}}"""
    if site.plain_http:
        return f"{{\n\tadmin off\n\tauto_https off\n}}\n\nhttp://:{site.port} {{\n\tbind {site.address}\n{proxy}\n}}\n"
    tls = f'tls "{site.cert}" "{site.key}"' if site.cert and site.key else "tls internal"
    redirect = (
        f"""
http://:{site.http_port} {{
\tbind {site.address}
\tredir {site.url}{{uri}} 308
}}
"""
        if site.http_port
        else ""
    )
    return f"""{{
\tadmin off
\tauto_https disable_redirects
\tskip_install_trust
\tdefault_sni {site.host}
\thttp_port {site.http_port or 80}
\thttps_port {site.port}
}}

https://{site.host}:{site.port} {{
\tbind {site.address}
\t{tls}
\theader Strict-Transport-Security "{HSTS}"
{proxy}
}}
{redirect}"""


def internal_root(caddy_dir: Path) -> Path:
    """The root certificate of Caddy's internal CA (`tls internal`): the one file leaders' computers must trust."""
    return caddy_dir / "caddy" / "pki" / "authorities" / "local" / "root.crt"


def https_context(site: Site, caddy_dir: Path) -> ssl.SSLContext:
    """A client context trusting the site's certificate: Caddy's internal root, or the given certificate itself
    (a trust anchor even when it is not a CA's: partial chains allowed)."""
    context = ssl.create_default_context(cafile=str(site.cert or internal_root(caddy_dir)))
    context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    return context


def https_get(site: Site, path: str, context: ssl.SSLContext, timeout: float = 5) -> http.client.HTTPResponse:
    """GET `path` over HTTPS from the site's address (loopback when it listens on every address), verifying the
    certificate for the site's name whatever address it is reached on; the response, body read."""
    connect = LOOPBACK if ipaddress.ip_address(site.address).is_unspecified else site.address
    raw = socket.create_connection((connect, site.port), timeout=timeout)
    connection = http.client.HTTPSConnection(site.host, site.port, timeout=timeout, context=context)
    connection.sock = context.wrap_socket(raw, server_hostname=site.host)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response
    finally:
        connection.close()


def streamlit_command(port: int, script: str = "dashboard.py") -> list[str]:
    """One dashboard process (or another `script`, e.g. the benchmark's empty app) on 127.0.0.1:port; also the
    tests' and the benchmark's server (tests/browser/harness)."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        script,
        *(part for option, value in PINNED_OPTIONS.items() for part in (f"--{option}", value)),
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]


def reports_command() -> list[str]:
    """The 定时报告 runner (dpf.commands.schedule): it looks at what is due and sends it, until SIGTERM."""
    return [sys.executable, "-m", "dpf", "schedule", "run"]


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


def wait_healthy(child: Child, timeout: float = START_TIMEOUT_S, probe=None) -> None:
    """Until the child answers Streamlit's health route (over plain HTTP on loopback, or `probe()` → status)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.process.poll() is not None:
            raise RuntimeError(f"{child.name} exited with code {child.process.returncode} while starting")
        with contextlib.suppress(urllib.error.URLError, OSError, ssl.SSLError, http.client.HTTPException):
            if probe is not None:
                if probe() == 200:
                    return
            else:
                url = f"http://{LOOPBACK}:{child.port}/_stcore/health"
                with urllib.request.urlopen(url, timeout=2) as response:
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


def start_cluster(
    procs: int, site: Site, workdir: Path, secret_file: Path, caddy_dir: Path, reports: bool = False
) -> list[Child]:
    """The dashboard processes (healthy) and Caddy in front (healthy through the proxy, over verified HTTPS unless
    plain_http), its CA and certificates kept in `caddy_dir`; then the 定时报告 runner when `reports`."""
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
        config.write_text(caddyfile(site, [child.port for child in children]), encoding="utf-8")
        caddy_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        caddy_env = {**os.environ, "XDG_DATA_HOME": str(caddy_dir), "XDG_CONFIG_HOME": str(workdir / "caddy")}
        command = ["caddy", "run", "--config", str(config), "--adapter", "caddyfile"]
        children.append(start("caddy", command, site.port, caddy_env, workdir / "caddy.log"))
        probe = None
        if not site.plain_http:  # the root exists once Caddy has made its CA: the context is built on each try
            probe = lambda: https_get(site, "/_stcore/health", https_context(site, caddy_dir)).status  # noqa: E731
        wait_healthy(children[-1], timeout=60, probe=probe)
        if reports:
            children.append(start("reports", reports_command(), 0, dict(os.environ), workdir / "reports.log"))
    except BaseException:
        stop(children)
        raise
    return children


def log_tail(path: Path, lines: int = 20) -> str:
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m serve", description="多进程看板（Caddy 粘性会话）")
    parser.add_argument("--procs", type=int, default=2, help="dashboard processes (default 2)")
    parser.add_argument("--port", type=int, default=8443, help="the HTTPS port browsers use (default 8443)")
    parser.add_argument("--http-port", type=int, default=8080, help="plain HTTP, redirecting to HTTPS (0: none)")
    parser.add_argument("--address", default=LOOPBACK, help="the address Caddy listens on (default 127.0.0.1)")
    parser.add_argument("--host", default="localhost", help="the name browsers use (its certificate's name)")
    parser.add_argument("--cert", type=Path, help="a certificate (PEM) for --host instead of Caddy's internal CA")
    parser.add_argument("--key", type=Path, help="the certificate's private key (PEM)")
    parser.add_argument("--plain-http", action="store_true", help="no TLS, loopback only (tests, benchmarks)")
    parser.add_argument(
        "--reports", action="store_true", help="also run the 定时报告 runner (python -m dpf schedule run)"
    )
    args = parser.parse_args(argv)
    if (args.cert is None) != (args.key is None):
        parser.error("--cert 与 --key 须同时给出")
    try:
        address = ipaddress.ip_address(args.address)
    except ValueError:
        parser.error(f"--address 须为 IP 地址（如 127.0.0.1、0.0.0.0），不是 {args.address}")
    if not HOST_NAME.fullmatch(args.host):
        parser.error(
            f"--host 须为域名（字母、数字、- 和 .；中文域名请用 punycode，如 xn--…）或 IP 地址，不是 {args.host}"
        )
    if args.plain_http and not address.is_loopback:
        parser.error("--plain-http 只能用于本机回环地址（127.0.0.1）；对外请用 HTTPS")
    cert, key = (args.cert.resolve(), args.key.resolve()) if args.cert else (None, None)  # as given, from here
    site = Site(args.host, args.address, args.port, args.http_port, cert, key, args.plain_http)
    secret_file = Path(os.environ.get(SECRET_FILE_ENV) or DEFAULT_SECRET_FILE)
    caddy_dir = Path(os.environ.get(CADDY_DIR_ENV) or DEFAULT_CADDY_DIR)
    with tempfile.TemporaryDirectory(prefix="dpf-serve-") as tmp:
        workdir = Path(tmp)
        try:
            children = start_cluster(max(1, args.procs), site, workdir, secret_file, caddy_dir, args.reports)
        except (RuntimeError, OSError) as exc:
            print(f"启动失败：{exc}", file=sys.stderr)
            for log in sorted(workdir.glob("*.log")):
                print(f"--- {log.name}\n{log_tail(log)}", file=sys.stderr)
            return 1
        runner = "，定时报告已启动" if args.reports else ""
        print(f"看板已启动：{site.url}（{args.procs} 个进程{runner}；Ctrl+C 停止）", flush=True)
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
