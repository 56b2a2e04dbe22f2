"""The two HTTP routes that set and clear the login cookie, mounted in Streamlit's own server (st.App, dashboard.py).

Streamlit's script runs behind a websocket and cannot answer with a header, so after a login the page sends the
browser to `GET /api/session/open?ticket=…&next=…` (dpf.auth.sessions' one-time ticket); this route opens the session
and answers with the cookie — HttpOnly (no page script reads it), SameSite=Strict (no other site's page sends it),
Secure when the browser came over HTTPS — and a redirect back to the page. `GET /api/session/close` ends the
cookie's session and clears the cookie (退出登录). Starlette only: no Streamlit here.
"""

from __future__ import annotations

import time

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from dpf.auth import sessions
from dpf.auth.accounts import users_file

OPEN_PATH = "/api/session/open"
CLOSE_PATH = "/api/session/close"
_mounted: list[bool] = []  # set in the server's process when dashboard.py builds its st.App


def routes() -> list[Route]:
    """The routes for st.App(routes=…); after this call `mounted()` is true in this process."""
    _mounted.append(True)
    return [Route(OPEN_PATH, open_route, methods=["GET"]), Route(CLOSE_PATH, close_route, methods=["GET"])]


def mounted() -> bool:
    """Whether this process serves the routes (not under AppTest or a bare `streamlit run` of another script)."""
    return bool(_mounted)


def safe_next(target: str | None) -> str:
    """A path on this site to go back to; anything else (another site, //host, a scheme) is the home page."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")) or "\\" in target:
        return "/"
    return target


def _secure(request: Request) -> bool:
    """HTTPS to the browser, directly or through the proxy in front (which tells it in X-Forwarded-Proto)."""
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto", "").lower() == "https"


def _client(request: Request) -> str | None:
    """The browser's address as the page's script sees it (st.context.ip_address): None on loopback."""
    host = request.client.host if request.client else None
    return None if host in {None, "127.0.0.1", "::1"} else host


def _redirect(request: Request) -> RedirectResponse:
    response = RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the ticket in this URL goes nowhere else
    return response


async def open_route(request: Request) -> RedirectResponse:
    ticket = request.query_params.get("ticket", "")
    client = _client(request)
    token = (
        await run_in_threadpool(sessions.redeem_ticket, users_file(), ticket, time.time(), client) if ticket else None
    )
    response = _redirect(request)
    if token:
        response.set_cookie(sessions.COOKIE, token, path="/", httponly=True, samesite="strict", secure=_secure(request))
    return response


async def close_route(request: Request) -> RedirectResponse:
    token = request.cookies.get(sessions.COOKIE)
    if token:
        await run_in_threadpool(sessions.end_session, users_file(), token)
    response = _redirect(request)
    response.delete_cookie(sessions.COOKIE, path="/", httponly=True, samesite="strict", secure=_secure(request))
    return response
