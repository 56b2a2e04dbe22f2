"""dpf.auth.access: the one place a role becomes a scope and a scope cuts rows (roles × chosen × URL values)."""

from __future__ import annotations

import pandas as pd
import pytest

from dpf.auth.access import (
    CLOSED,
    LOGIN,
    OPEN,
    OPEN_SCOPE,
    access_mode,
    may_import,
    offered,
    rank_of,
    restrict_rows,
    session_scope,
    view_townships,
)

ORDER = ["101", "102", "103", "104"]  # official order
COUNTY = session_scope("county")
ADMIN = session_scope("admin")
ONE = session_scope("township", ["102"])
TWO = session_scope("township", ["104", "102"])


@pytest.mark.parametrize(
    ("scope", "chosen", "expected"),
    [
        # login off, county and admin: what is chosen (none = the whole county, empty)
        (OPEN_SCOPE, [], ()),
        (OPEN_SCOPE, ["103", "101"], ("101", "103")),
        (COUNTY, [], ()),
        (COUNTY, ["104"], ("104",)),
        (ADMIN, ["102", "103"], ("102", "103")),
        (COUNTY, ["999"], ()),  # an unknown value in the URL is dropped
        # a township account: its own, whatever the URL names
        (ONE, [], ("102",)),
        (ONE, ["102"], ("102",)),
        (ONE, ["101"], ("102",)),  # another township in the URL shows its own
        (ONE, ["101", "103"], ("102",)),
        (ONE, ["101", "102"], ("102",)),  # never the other one beside it
        (ONE, ["999"], ("102",)),
        (TWO, [], ("102", "104")),
        (TWO, ["104"], ("104",)),  # one of its own may be chosen
        (TWO, ["104", "101"], ("104",)),
        (TWO, ["103"], ("102", "104")),
    ],
)
def test_view_townships(scope, chosen, expected):
    assert view_townships(scope, chosen, ORDER) == expected


@pytest.mark.parametrize(
    ("scope", "expected"),
    [(OPEN_SCOPE, ORDER), (COUNTY, ORDER), (ADMIN, ORDER), (ONE, ["102"]), (TWO, ["102", "104"])],
)
def test_sidebar_offers_only_the_scope(scope, expected):
    assert offered(scope, ORDER) == expected


def test_unknown_role_and_empty_township_list_see_nothing():
    for scope in (session_scope("mayor"), session_scope("township", [])):
        assert offered(scope, ORDER) == []
        assert view_townships(scope, ["101"], ORDER) == ()
        assert restrict_rows(pd.DataFrame({"code": ["101"], "v": [1]}), scope).empty


@pytest.mark.parametrize(
    ("has_accounts", "is_demo", "anonymous", "mode"),
    [
        (True, True, False, LOGIN),
        (True, False, True, LOGIN),  # an accounts file always means login
        (False, True, False, OPEN),  # the demo set runs open
        (False, False, False, CLOSED),  # real data without accounts: nothing
        (False, False, True, OPEN),  # … unless opened on purpose
    ],
)
def test_deny_by_default(has_accounts, is_demo, anonymous, mode):
    assert access_mode(has_accounts, is_demo, anonymous) == mode


def test_only_the_admin_imports():
    assert may_import(ADMIN)
    assert not any(may_import(scope) for scope in (OPEN_SCOPE, COUNTY, ONE))


RANKING = pd.DataFrame(
    {
        "code": ["101", "102", "103", "104"],
        "name": ["甲镇", "乙镇", "丙镇", "丁镇"],
        "amount": [50.0, 80.0, 20.0, 80.0],
        "per_person": [3.0, 1.0, None, 2.0],
    }
)


def test_restricted_rows_keep_only_the_scope_and_its_rank():
    cut = restrict_rows(RANKING, ONE)
    assert list(cut["name"]) == ["乙镇"]
    assert rank_of(cut, "amount", "102") == (1, 4)  # tied first with 丁镇
    assert rank_of(cut, "per_person", "102") == (3, 3)  # 丙镇 has no value and is not counted
    assert rank_of(cut, "amount", "104") is None  # another township's rank is not kept either
    two = restrict_rows(RANKING, TWO)
    assert list(two["name"]) == ["乙镇", "丁镇"]
    assert rank_of(two, "per_person", "104") == (2, 3)


def test_sorting_and_filtering_keep_the_rank():
    cut = restrict_rows(RANKING, ONE)
    shown = cut[cut["amount"].notna()].sort_values("amount")
    assert rank_of(shown, "amount", "102") == (1, 4)


def test_unrestricted_rows_are_untouched():
    for scope in (OPEN_SCOPE, COUNTY, ADMIN):
        assert restrict_rows(RANKING, scope) is RANKING
        assert rank_of(RANKING, "amount", "102") is None


def test_county_rows_and_township_code_columns():
    long = pd.DataFrame({"township_code": ["101", None, "102", "102"], "target": [1, 10, 2, 3]})
    cut = restrict_rows(long, ONE)
    assert list(cut["target"]) == [10, 2, 3]  # the county's row (no township) stays; not unique: no ranks
    assert rank_of(cut, "target", "102") is None
    no_township = pd.DataFrame({"program": ["a"], "amount": [1]})
    assert restrict_rows(no_township, ONE) is no_township


CHOKE_POINT = {"ui/context.py", "ui/data.py"}  # View.query / View.township_values cut rows to the session's scope
RAW_QUERIES = ("cached_query", "cached_township_values", "run_query", "cached_townships", ".con.")


def test_pages_reach_the_data_only_through_the_view():
    """No page or building block runs a query past View.query, where restrict_rows is applied."""
    from pathlib import Path

    repo = Path(__file__).resolve().parent.parent
    files = [*repo.glob("app_pages/*.py"), *repo.glob("ui/*.py")]
    offenders = [
        f"{path.relative_to(repo)}: {word}"
        for path in files
        if str(path.relative_to(repo)) not in CHOKE_POINT
        for word in RAW_QUERIES
        if word in path.read_text(encoding="utf-8")
    ]
    assert offenders == ["ui/filters.py: cached_townships"]  # the sidebar's list, cut by dpf.auth.access.offered
