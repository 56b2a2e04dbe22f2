"""What a session may see: the one place that turns a role into a scope, and a scope into rows.

Every township the dashboard shows passes through here: the sidebar offers `offered(scope, …)`, the view's
townships are `view_townships(scope, chosen, …)`, and every query result is cut by `restrict_rows(frame, scope)`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from dpf.auth.accounts import ADMIN, COUNTY, TOWNSHIP

# How the dashboard is reached: with a login, open (demo set, or opened on purpose), or not at all.
LOGIN, OPEN, CLOSED = "login", "open", "closed"
TOWNSHIP_COLUMNS = ("code", "township_code")  # the columns a query result names its township in
RANKS_ATTR = "township_ranks"


@dataclass(frozen=True)
class Scope:
    """The townships a session may see: None = every township (county, admin, login off)."""

    townships: frozenset[str] | None = None
    role: str | None = None  # None = login is off

    @property
    def is_restricted(self) -> bool:
        return self.townships is not None

    def allows(self, code: str | None) -> bool:
        """A township row is allowed when in scope; a row of no township (the county's) always is."""
        return code is None or self.townships is None or code in self.townships


OPEN_SCOPE = Scope()


def access_mode(has_accounts: bool, is_demo: bool, allow_anonymous: bool) -> str:
    """Deny by default: accounts → login; none → open only for the demo set or when opened on purpose."""
    if has_accounts:
        return LOGIN
    return OPEN if is_demo or allow_anonymous else CLOSED


def session_scope(role: str | None, account_townships: Iterable[str] = ()) -> Scope:
    """The scope of a logged-in role (None: login off, everything)."""
    if role is None:
        return OPEN_SCOPE
    if role in (COUNTY, ADMIN):
        return Scope(None, role)
    if role == TOWNSHIP:
        return Scope(frozenset(account_townships), role)
    return Scope(frozenset(), role)  # an unknown role sees nothing


def may_import(scope: Scope) -> bool:
    """数据导入 is for the data administrator only (never with login off)."""
    return scope.role == ADMIN


def offered(scope: Scope, ordered: Sequence[str]) -> list[str]:
    """The township codes the sidebar offers, in official order."""
    return [code for code in ordered if scope.allows(code)]


def view_townships(scope: Scope, chosen: Iterable[str], ordered: Sequence[str]) -> tuple[str, ...]:
    """The view's townships: the chosen ones within the scope, in official order. With nothing (allowed) chosen, a
    restricted session sees all of its own townships, an unrestricted one the whole county (empty)."""
    wanted = set(chosen)
    picked = tuple(code for code in ordered if code in wanted and scope.allows(code))
    if picked or not scope.is_restricted:
        return picked
    return tuple(code for code in ordered if scope.allows(code))


def township_column(frame: pd.DataFrame) -> str | None:
    return next((column for column in TOWNSHIP_COLUMNS if column in frame.columns), None)


def restrict_rows(frame: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    """The rows of a query result the scope may see (rows of no township stay). A restricted, one-row-per-township
    result keeps each allowed township's rank among all of them (1 = largest) per numeric column in
    `attrs["township_ranks"]`: {column: {code: (rank, count)}}, so a ranking can say 第5/23 without the others."""
    column = township_column(frame)
    if column is None or not scope.is_restricted:
        return frame
    codes = frame[column]
    keep = codes.isna() | codes.isin(scope.townships)
    ranks: dict[str, dict[str, tuple[int, int]]] = {}
    townships = frame[codes.notna()]
    if townships[column].is_unique:
        for name in townships.select_dtypes("number").columns:
            values = townships.set_index(column)[name].dropna()
            order = values.rank(ascending=False, method="min").astype(int)
            ranks[name] = {code: (int(order[code]), len(values)) for code in order.index if scope.allows(code)}
    restricted = frame[keep].reset_index(drop=True)
    restricted.attrs[RANKS_ATTR] = ranks
    return restricted


def rank_of(frame: pd.DataFrame, column: str, code: str) -> tuple[int, int] | None:
    """(rank, count) of a township in `column` kept by restrict_rows, or None when the frame was not restricted."""
    return frame.attrs.get(RANKS_ATTR, {}).get(column, {}).get(code)
