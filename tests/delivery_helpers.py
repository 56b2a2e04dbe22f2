"""Real servers on loopback for the 定时报告 tests: an SMTP server (aiosmtpd) that keeps what it accepted and can
hold a message until the test lets go, and an HTTP server standing in for the 企业微信 and 钉钉 robots."""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
import subprocess
import threading
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from dpf.auth.accounts import add_account
from dpf.delivery.schedules import parse_schedule, save_schedules

SMTP_USER, SMTP_PASSWORD = "reports@county.example", "smtp-password-123"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Inbox:
    """The SMTP server's handler: `messages` it accepted (250), `logins` it saw. With `hold` set up, the first
    message waits in DATA until `release()` and is then refused (451): its client is gone, nothing was accepted."""

    messages: list[EmailMessage] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    held: threading.Event = field(default_factory=threading.Event)
    gate: threading.Event | None = None
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    refused: tuple[str, ...] = ()  # addresses answered 550 at RCPT

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address in self.refused:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    def hold_first(self) -> None:
        self.gate = threading.Event()

    def release(self) -> None:
        if self.gate is not None:
            self.gate.set()

    async def handle_DATA(self, server, session, envelope) -> str:
        gate = self.gate
        if gate is not None and not gate.is_set() and not self.held.is_set():
            self.held.set()
            await asyncio.get_running_loop().run_in_executor(None, gate.wait)
            return "451 4.3.0 the client went away"
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == SMTP_PASSWORD.encode()
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok)

    def to(self) -> list[str]:
        return sorted(str(m["To"]) for m in self.messages)


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost (openssl), and its key."""
    cert, key = folder / "smtp.crt", folder / "smtp.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@contextmanager
def smtp_server(inbox: Inbox, security: str = "none", cert: Path | None = None, key: Path | None = None):
    """The SMTP server on loopback: plain (a login allowed without TLS), STARTTLS required before the login, or
    TLS from the first byte, with the given certificate."""
    port = free_port()
    # aiosmtpd counts only STARTTLS as TLS for AUTH; with TLS from the first byte the whole session is encrypted
    options: dict = {"authenticator": inbox.authenticate, "auth_require_tls": security == "starttls"}
    if security != "none" and cert and key:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        options |= {"tls_context": context, "require_starttls": True} if security == "starttls" else {}
        options |= {"ssl_context": context} if security == "tls" else {}
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield port
    finally:
        inbox.release()
        controller.stop()


@dataclass
class Robot:
    """What the stand-in robot received: (path, query, body) per request; it answers `status` (200 = errcode 0)."""

    requests: list[tuple[str, dict, dict]] = field(default_factory=list)
    status: int = 200


@contextmanager
def robot_server(robot: Robot):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length).decode("utf-8"))
            parts = urllib.parse.urlsplit(self.path)
            robot.requests.append((parts.path, urllib.parse.parse_qs(parts.query), body))
            answer = {"errcode": 0, "errmsg": "ok"} if robot.status == 200 else {"errcode": -1, "errmsg": "busy"}
            payload = json.dumps(answer).encode()
            self.send_response(robot.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def deployment(tmp_path: Path, monkeypatch, smtp_port: int | None = None) -> dict[str, str]:
    """Accounts (zhang: 凤城街道's township account; boss: county), the files beside them, a private audit folder,
    fast retries, and the SMTP settings when a port is given; the environment as set (for a runner process)."""
    etc = tmp_path / "etc"
    users = etc / "users.toml"
    add_account(users, "zhang", "township", ("349001002",), "password-zhang")  # 凤城街道 in the demo set
    add_account(users, "boss", "county", (), "password-boss")
    env = {
        "DASHBOARD_USERS_FILE": str(users),
        "DASHBOARD_SCHEDULES_FILE": str(etc / "schedules.toml"),
        "DASHBOARD_AUDIT_DIR": str(tmp_path / "audit"),
        "DASHBOARD_DELIVERY_ATTEMPTS": "3",
        "DASHBOARD_DELIVERY_BACKOFF_SECONDS": "0.05",
        "DASHBOARD_SCHEDULE_TICK_SECONDS": "0.2",
    }
    if smtp_port is not None:
        env |= {
            "DASHBOARD_SMTP_HOST": "127.0.0.1",
            "DASHBOARD_SMTP_PORT": str(smtp_port),
            "DASHBOARD_SMTP_SECURITY": "none",
            "DASHBOARD_SMTP_USER": SMTP_USER,
            "DASHBOARD_SMTP_PASSWORD": SMTP_PASSWORD,
        }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def write_schedules(path: Path, **entries: dict) -> None:
    """Schedules NAME=entry (created long ago unless the entry says when)."""
    schedules = {name: parse_schedule(name, {"created": "2020-01-01T00:00:00", **e}) for name, e in entries.items()}
    save_schedules(path, schedules)
