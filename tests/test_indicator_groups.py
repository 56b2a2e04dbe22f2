"""dpf.contract.catalogue's named indicator groups (pages' cards, the deck's KPIs) and the sets derived from the entries."""

from __future__ import annotations

import ast

import pytest

from dpf.config import REPO_ROOT
from dpf.contract.catalogue import (
    CARD_GROUPS,
    COUNTY_LEVEL_CODES,
    EVENT_SERVICES,
    INDICATOR_BY_CODE,
    INDICATORS,
    RATE_CODES,
    _check_groups,
)


def test_the_derived_sets_follow_the_entries() -> None:
    assert {"rehab_needs_met_rate", "rehab_satisfaction_rate"} == RATE_CODES
    assert {"volunteer_activities", "volunteer_hours", "job_fairs", "assessments_centralized"} <= COUNTY_LEVEL_CODES
    for indicator in INDICATORS:
        assert (indicator.code in RATE_CODES) == (indicator.unit == "%")
        events_only = indicator.table == "services" and bool(indicator.sources)
        events_only = events_only and set(indicator.sources) <= EVENT_SERVICES
        assert (indicator.code in COUNTY_LEVEL_CODES) == events_only


@pytest.mark.parametrize(
    "groups", [{"cards": ("subsidies_total_amount", "no_such_code")}, {"cards": ("job_fairs", "job_fairs")}]
)
def test_a_group_of_an_unknown_or_repeated_code_is_refused(groups) -> None:
    with pytest.raises(ValueError, match="indicator group cards"):
        _check_groups(groups)


def test_every_group_is_of_catalogued_codes() -> None:
    for codes in CARD_GROUPS.values():
        assert codes and all(code in INDICATOR_BY_CODE for code in codes)


def hand_lists(path) -> list[str]:
    """Literal lists, tuples and sets of two or more indicator codes in a file (not a frame's columns, frame[[…]])."""
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    columns = {id(node.slice) for node in ast.walk(tree) if isinstance(node, ast.Subscript)}
    for node in ast.walk(tree):
        if isinstance(node, ast.List | ast.Tuple | ast.Set) and len(node.elts) >= 2 and id(node) not in columns:
            values = [e.value for e in node.elts if isinstance(e, ast.Constant)]
            if len(values) == len(node.elts) and all(v in INDICATOR_BY_CODE for v in values):
                found.append(f"{path.name}:{node.lineno}")
    return found


def test_no_page_or_deck_lists_indicator_codes_by_hand() -> None:
    files = [*sorted((REPO_ROOT / "app_pages").glob("*.py")), REPO_ROOT / "dpf" / "exports" / "deck.py"]
    assert [place for path in files for place in hand_lists(path)] == []
