"""The login throttle (dpf.auth.lockout, dpf.auth.login): its state machine case by case, and guesses fired in parallel from
two real processes with real password hashing."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from dpf.auth import lockout
from dpf.auth.accounts import add_account
from dpf.auth.login import LOCKED, attempt_login

REPO = Path(__file__).resolve().parent.parent
T0 = datetime(2024, 9, 30, 9, 0, tzinfo=timezone(timedelta(hours=8)))
A, B, C = "10.0.0.1", "10.0.0.2", "10.0.0.3"


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def fails(name: str, client: str | None, *seconds: float) -> list[tuple]:
    return [(s, "fail", name, client) for s in seconds]


MIN15 = 15 * 60
# (events before the question, (when, name, client) asked, when that client may try again: None = now)
CASES = {
    "fresh client may try": ([], (0, "boss", A), None),
    "four failures: still may try": (fails("boss", A, 0, 1, 2, 3), (4, "boss", A), None),
    "the fifth failure locks the pair for 15 minutes": (fails("boss", A, 0, 1, 2, 3, 4), (5, "boss", A), 4 + MIN15),
    "a failure in flight while locked keeps the lock": (
        fails("boss", A, 0, 1, 2, 3, 4, 10),  # the sixth was checked before the fifth was recorded
        (11, "boss", A),
        4 + MIN15,
    ),
    "an ended lock starts a fresh count": (fails("boss", A, 0, 1, 2, 3, 4), (4 + MIN15 + 1, "boss", A), None),
    "failures older than the window are forgotten": (fails("boss", A, 0, 1, 2, 3), (MIN15 + 4, "boss", A), None),
    "the name's budget holds a client that failed": (
        fails("boss", A, 0, 2, 4) + fails("boss", B, 1, 3),
        (5, "boss", B),
        MIN15,  # until the first of the five leaves the window
    ),
    "the name's budget lets a fresh client try": (
        fails("boss", A, 0, 2, 4) + fails("boss", B, 1, 3),
        (5, "boss", C),
        None,
    ),
    "the budget frees as failures leave the window": (
        fails("boss", A, 0, 2, 4) + fails("boss", B, 1, 3),
        (MIN15 + 2.5, "boss", B),
        None,
    ),
    "an owner's success keeps the budget for the attackers": (
        [*fails("boss", A, 0, 1, 2, 3, 4), (5, "ok", "boss", C)],
        (6, "boss", A),
        4 + MIN15,
    ),
    "a success forgets the client's own failures": (
        [*fails("boss", A, 0, 1, 2, 3), (4, "ok", "boss", A), *fails("boss", A, 5, 6, 7, 8)],
        (9, "boss", A),
        None,
    ),
    "other names are not held": (fails("boss", A, 0, 1, 2, 3, 4), (5, "clerk", A), None),
    "twenty failures on many names lock the client": (
        [(i, "fail", f"name{i}", A) for i in range(20)],
        (20, "someone", A),
        19 + MIN15,
    ),
    "the client lock is the client's only": ([(i, "fail", f"name{i}", A) for i in range(20)], (20, "name1", B), None),
    "unlock lifts the pair and the budget": (
        [*fails("boss", A, 0, 1, 2, 3, 4), *fails("boss", B, 5), (6, "unlock", "boss", None)],
        (7, "boss", B),
        None,
    ),
    "unlock lifts the lock of a client that failed on the name": (
        [*[(i, "fail", f"name{i}", A) for i in range(19)], *fails("boss", A, 19), (20, "unlock", "boss", None)],
        (21, "someone", A),
        None,
    ),
    "an unknown address counts as one client": (fails("boss", None, 0, 1, 2, 3, 4), (5, "boss", None), 4 + MIN15),
}


@pytest.mark.parametrize(("events", "asked", "expected"), CASES.values(), ids=CASES.keys())
def test_gate_after_events(events, asked, expected):
    state = lockout.read_state(Path("/nonexistent/users.toml"))
    for seconds, kind, name, client in events:
        if kind == "fail":
            lockout.after_failure(state, name, client, at(seconds))
        elif kind == "ok":
            lockout.after_success(state, name, client)
        else:
            assert lockout.unlock_name(state, name)
        state = json.loads(json.dumps(state))  # what the file holds between two attempts
    when, name, client = asked
    until = lockout.gate(state, name, client, at(when))
    assert until == (None if expected is None else at(expected))


def test_failures_set_locks_once_and_grow_the_delay():
    state = lockout.read_state(Path("/nonexistent/users.toml"))
    locks = [lockout.after_failure(state, "boss", A, at(i)) for i in range(6)]
    assert locks[:4] == [[], [], [], []]
    assert {lock.scope for lock in locks[4]} == {lockout.PAIR, lockout.NAME}
    assert locks[5] == []  # a failure while locked sets no second lock
    assert [lockout.delay_seconds(n) for n in range(7)] == [0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 4.0]


GUESSER = """
import sys, time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from dpf.auth.login import attempt_login
users, client, start = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3])
time.sleep(max(0.0, start - time.time()))
def guess(i):
    return attempt_login(users, "boss", f"wrong-guess-{client}-{i}", datetime.now().astimezone(), client)
with ThreadPoolExecutor(8) as pool:
    results = list(pool.map(guess, range(8)))
print(sum(r.checked for r in results), sum(r.account is not None for r in results), flush=True)
"""


def test_parallel_guesses_from_two_processes_check_at_most_five_and_the_owner_gets_in(tmp_path):
    users = tmp_path / "users.toml"
    add_account(users, "boss", "county", (), "right-password-1")
    start = time.time() + 3  # both processes are up and guess at once
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", GUESSER, str(users), client, str(start)], cwd=REPO, stdout=subprocess.PIPE, text=True
        )
        for client in (A, B)
    ]
    counts = [tuple(int(n) for n in p.communicate(timeout=300)[0].split()) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert sum(checked for checked, _ in counts) == lockout.NAME_BUDGET  # 16 guesses, 5 passwords checked
    assert sum(logged_in for _, logged_in in counts) == 0
    now = datetime.now().astimezone()
    attacker = attempt_login(users, "boss", "right-password-1", now, A)
    assert attacker.account is None and attacker.message == LOCKED and not attacker.checked
    owner = attempt_login(users, "boss", "right-password-1", now, "192.168.5.20")
    assert owner.account is not None and owner.event == "login_ok"
