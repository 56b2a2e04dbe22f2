"""`python -m serve --procs 2`: two real dashboard processes behind a real Caddy, sticky by cookie.

Each leader is a fresh cookie jar, as a new browser: the app's HTML gives it Caddy's cookie naming one process,
Streamlit's health route its XSRF cookie. A session opened over the websocket with that cookie can upload a file
to /_stcore/upload_file (Streamlit accepts an upload only for a session of its own process) and its next rerun
comes back from the same process. The same upload with the other leader's cookie goes to the other process and is
refused there, so the two processes are really two and the cookie is what keeps a session on its own.
"""

from __future__ import annotations

import http.cookiejar
import shutil
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import connect

from bench.load import serving

STICKY_COOKIE = "dpf_backend"
XSRF_COOKIE = "_streamlit_xsrf"


@pytest.fixture(scope="module")
def proxy(demo_dir, tmp_path_factory):
    if shutil.which("caddy") is None:
        pytest.fail("Caddy is not installed: `make proxy-deps` (apt-get install caddy)", pytrace=False)
    secret = tmp_path_factory.mktemp("serve") / "cookie_secret"
    with serving(demo_dir, procs=2, env={"DASHBOARD_COOKIE_SECRET_FILE": str(secret)}) as (base, _pid):
        yield base, secret


@dataclass
class Leader:
    base: str
    jar: http.cookiejar.CookieJar

    def cookie(self, name: str) -> str:
        return next(c.value for c in self.jar if c.name == name)

    def header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


def new_leader(base: str) -> Leader:
    """A browser's first steps: the app's HTML, then Streamlit's health route (which sets the XSRF cookie)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    for path in ("/", "/_stcore/health"):
        with opener.open(base + path, timeout=60) as response:
            assert response.status == 200
    return Leader(base, jar)


def run_session(leader: Leader, socket, query: str = "") -> str:
    """Rerun the default page on the open websocket; the session id the process gave it."""
    message = BackMsg()
    message.rerun_script.query_string = query
    message.rerun_script.page_name = ""
    socket.send(message.SerializeToString())
    session_id = ""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        reply = ForwardMsg()
        reply.ParseFromString(socket.recv(timeout=120))
        kind = reply.WhichOneof("type")
        if kind == "new_session" and reply.new_session.initialize.session_id:
            session_id = reply.new_session.initialize.session_id
        if kind == "script_finished":
            return session_id
    raise TimeoutError("no script_finished within 120 s")


def upload(leader: Leader, session_id: str, cookie_header: str) -> int:
    """PUT one small file to the session's upload route as the frontend does (XSRF header = cookie); the status."""
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="台账.csv"\r\n'
        f"Content-Type: text/csv\r\n\r\n姓名,金额\r\n--{boundary}--\r\n"
    ).encode()
    request = urllib.request.Request(
        f"{leader.base}/_stcore/upload_file/{session_id}/{uuid.uuid4().hex}",
        data=body,
        method="PUT",
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "X-Xsrftoken": leader.cookie(XSRF_COOKIE),
            "Cookie": cookie_header,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def two_leaders_on_two_processes(base: str) -> tuple[Leader, Leader]:
    """Fresh leaders until two got different processes (Caddy picks at random for a browser without its cookie)."""
    first = new_leader(base)
    for _ in range(30):
        other = new_leader(base)
        if other.cookie(STICKY_COOKIE) != first.cookie(STICKY_COOKIE):
            return first, other
    raise AssertionError("30 new browsers all landed on one process: is the second one serving?")


def stream(leader: Leader):
    url = leader.base.replace("http://", "ws://") + "/_stcore/stream"
    return connect(url, subprotocols=["streamlit"], additional_headers={"Cookie": leader.header()}, max_size=None)


def test_a_session_its_upload_and_its_rerun_stay_on_one_of_two_processes(proxy):
    base, secret = proxy
    first, second = two_leaders_on_two_processes(base)
    with stream(first) as socket_a, stream(second) as socket_b:
        session_a = run_session(first, socket_a)
        session_b = run_session(second, socket_b)
        assert session_a and session_b and session_a != session_b

        # with its own cookie each upload reaches the process holding its session
        assert upload(first, session_a, first.header()) == 204
        assert upload(second, session_b, second.header()) == 204
        # the same session's upload sent with the other leader's process cookie reaches the other process: refused
        foreign = first.header().replace(first.cookie(STICKY_COOKIE), second.cookie(STICKY_COOKIE))
        assert upload(first, session_a, foreign) == 400

        # after a rerun with filters the session is still the one its process holds: its next upload is accepted
        assert run_session(first, socket_a, "year=2023&township=龙山镇") in ("", session_a)
        assert upload(first, session_a, first.header()) == 204
    # one cookie secret for both processes, created owner-only
    assert secret.is_file() and oct(secret.stat().st_mode & 0o777) == "0o600"
    assert len(secret.read_text(encoding="utf-8").strip()) == 64


def test_the_load_generator_opens_every_planned_page_through_the_proxy(proxy, demo_dir):
    """bench/load.py against the two processes: every load of every leader finishes, none is lost or an error."""
    from bench.load import measure_load, plan_loads, render_rounds

    base, _secret = proxy
    plans = plan_loads(["", "funds", "rehab"], [(2024, ()), (2023, ("龙山镇",))], sessions=3, loads=2)
    assert [[load.page for load in plan] for plan in plans] == [["", "funds"], ["funds", "rehab"], ["rehab", ""]]
    [result] = measure_load(base, demo_dir, [3], loads=2, warm_up=False)
    assert result.errors == [] and len(result.times) == 6
    assert render_rounds([result])[2].startswith("| 3 | 6 | ")
