"""`python -m serve` as deployed: a real Caddy serving HTTPS from its internal CA on 127.0.0.1 (the default), HSTS,
plain HTTP redirecting, two real dashboard processes behind it on loopback with the agent API off.

The test client trusts Caddy's internal root (the file leaders' computers are given), so the certificate is checked
for the site's name (localhost) as a browser would check it.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from serve.cluster import REPO, free_port, internal_root
from serve.cluster import main as serve_main
from tests.browser.harness import NO_ACCOUNTS_ENV

STICKY_COOKIE = "dpf_backend"


@contextlib.contextmanager
def serving_https(
    data: Path, folder: Path, procs: int = 2, env: dict[str, str] | None = None, args: tuple[str, ...] = ()
):
    """`python -m serve` with its defaults (HTTPS for localhost on 127.0.0.1) on free ports, Caddy's CA in
    `folder`; yields what the tests need, stops it after."""
    if shutil.which("caddy") is None:
        pytest.fail("Caddy is not installed: `make proxy-deps` (apt-get install caddy)", pytrace=False)
    port, http_port = free_port(), free_port()
    env = {
        **os.environ,
        **NO_ACCOUNTS_ENV,
        "DASHBOARD_DATA_DIR": str(data),
        "DASHBOARD_COOKIE_SECRET_FILE": str(folder / "cookie_secret"),
        "DASHBOARD_CADDY_DIR": str(folder / "caddy"),
        **(env or {}),
    }
    command = [sys.executable, "-m", "serve", "--procs", str(procs), "--port", str(port), "--http-port", str(http_port)]
    command += args
    with subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as run:
        try:
            line = run.stdout.readline()
            assert "看板已启动" in line, line + run.stdout.read()[-3000:]
            trusted = args[args.index("--cert") + 1] if "--cert" in args else internal_root(folder / "caddy")
            context = ssl.create_default_context(cafile=str(trusted))
            yield {"line": line, "port": port, "http_port": http_port, "context": context, "pid": run.pid}
        finally:
            run.send_signal(signal.SIGTERM)
            run.wait(timeout=60)


@pytest.fixture(scope="module")
def cluster(demo_dir, tmp_path_factory):
    # what an operator's environment might say: the agent API is pinned off anyway
    env = {"STREAMLIT_SERVER_ENABLE_AGENT_API": "true"}
    with serving_https(demo_dir, tmp_path_factory.mktemp("serve-https"), env=env) as running:
        yield running


def get(cluster, path: str) -> http.client.HTTPResponse:
    """GET https://localhost:PORT/path, the certificate verified against Caddy's internal root; body read."""
    connection = http.client.HTTPSConnection("localhost", cluster["port"], context=cluster["context"], timeout=60)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.body = response.read()
        return response
    finally:
        connection.close()


def listeners(port: int) -> set[str]:
    """The local addresses listening on TCP `port` (Linux /proc/net/tcp and tcp6, state 0A = LISTEN)."""
    found = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        with open(table, encoding="ascii") as handle:
            for row in list(handle)[1:]:
                local, state = row.split()[1], row.split()[3]
                address, hex_port = local.split(":")
                if state == "0A" and int(hex_port, 16) == port and len(address) == width:
                    found.add(address)
    return found


def test_the_dashboard_answers_over_verified_https_with_hsts(cluster):
    assert cluster["line"].startswith(f"看板已启动：https://localhost:{cluster['port']}（2 个进程")
    health = get(cluster, "/_stcore/health")
    assert health.status == 200 and health.body == b"ok"
    page = get(cluster, "/")
    assert page.status == 200 and b"<html" in page.body.lower()
    assert page.getheader("Strict-Transport-Security") == "max-age=31536000"
    assert health.getheader("Strict-Transport-Security") == "max-age=31536000"


def test_an_unverified_name_is_refused_by_a_checking_client(cluster):
    """The certificate names localhost only: a client checking it for another name refuses the connection."""
    connection = http.client.HTTPSConnection("127.0.0.1", cluster["port"], context=cluster["context"], timeout=30)
    with pytest.raises(ssl.SSLCertVerificationError):
        connection.request("GET", "/_stcore/health")
    connection.close()


def test_plain_http_only_redirects_to_https(cluster):
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as answer:
        opener.open(f"http://127.0.0.1:{cluster['http_port']}/funds?year=2023", timeout=30)
    assert answer.value.code == 308
    assert answer.value.headers["Location"] == f"https://localhost:{cluster['port']}/funds?year=2023"


def test_caddy_and_the_dashboards_listen_on_loopback_only(cluster):
    """Caddy's HTTPS and HTTP ports on 127.0.0.1 by default (0100007F in /proc/net/tcp), nothing on any other
    address or on IPv6; the dashboard processes likewise (their ports are the ones Caddy proxies to)."""
    assert listeners(cluster["port"]) == {"0100007F"}
    assert listeners(cluster["http_port"]) == {"0100007F"}
    children = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(cluster["pid"])], capture_output=True, text=True, check=True
    ).stdout.split()
    commands = [Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0") for pid in children]
    dashboards = [words for words in commands if "dashboard.py" in words]
    assert len(dashboards) == 2
    for words in dashboards:
        assert words[words.index("--server.address") + 1] == "127.0.0.1"
        assert listeners(int(words[words.index("--server.port") + 1])) == {"0100007F"}


def test_every_dashboard_process_has_the_agent_api_off(cluster):
    """Fresh clients until both processes answered (Caddy's cookie names the one): each one's agent API document
    says disabled, though the environment asked for it on, and its interact route is not served."""
    seen: dict[str, str] = {}
    for _ in range(40):
        answer = get(cluster, "/_stcore/agent/openapi.json")
        backend = next(
            part.split("=", 1)[1]
            for header in answer.headers.get_all("Set-Cookie")
            for part in header.split(";")
            if part.strip().startswith(f"{STICKY_COOKIE}=")
        )
        seen[backend] = json.loads(answer.body)["info"]["x-streamlit-agent-api"]
        if len(seen) == 2:
            break
    assert seen and set(seen.values()) == {"disabled"} and len(seen) == 2


def test_the_projects_config_pins_the_agent_api_off():
    """The effective configuration Streamlit reads in the repository (`streamlit config show`) takes
    enableAgentApi = false from .streamlit/config.toml."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("STREAMLIT_")}
    shown = subprocess.run(
        [sys.executable, "-m", "streamlit", "config", "show"], cwd=REPO, env=env, capture_output=True, text=True
    ).stdout.splitlines()
    at = shown.index("enableAgentApi = false")
    assert shown[at - 1] == f"# The value below was set in {REPO / '.streamlit' / 'config.toml'}"


def test_a_given_certificate_is_the_one_served(demo_dir, tmp_path):
    """`--cert/--key` (make serve CERT=… KEY=…): Caddy serves that certificate (a self-signed one made here with
    openssl, trusted by the client as its own root) instead of its internal CA's, with HSTS."""
    cert, key = tmp_path / "dpf.crt", tmp_path / "dpf.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    with serving_https(demo_dir, tmp_path, procs=1, args=("--cert", str(cert), "--key", str(key))) as running:
        health = get(running, "/_stcore/health")
        assert health.status == 200 and health.getheader("Strict-Transport-Security") == "max-age=31536000"
        raw = socket.create_connection(("127.0.0.1", running["port"]))
        with running["context"].wrap_socket(raw, server_hostname="localhost") as tls:
            served = tls.getpeercert(binary_form=True)
        assert served == ssl.PEM_cert_to_DER_cert(cert.read_text(encoding="ascii"))


@pytest.mark.parametrize(
    "args",
    [
        ("--host", "a b{"),
        ("--host", "看板.local"),
        ("--address", "example.org"),
        ("--plain-http", "--address", "0.0.0.0"),
    ],
    ids=["host-with-config-syntax", "host-not-punycode", "address-not-ip", "plain-http-off-loopback"],
)
def test_a_wrong_name_or_address_is_refused_before_anything_starts(args, capsys):
    with pytest.raises(SystemExit) as ended:
        serve_main(list(args))
    assert ended.value.code == 2 and "python -m serve: error: --" in capsys.readouterr().err
