"""Missing values: the one rule for None, NaN (float or numpy) and pandas' NA/NaT across dpf and ui."""

from __future__ import annotations


def is_missing(value: object) -> bool:
    """None, NaN, pd.NA or NaT: no value (a missing figure reads "—" or counts as "no data yet")."""
    if value is None:
        return True
    try:
        return bool(value != value)  # only NaN and NaT differ from themselves
    except TypeError:  # pd.NA: its comparison is NA again, which has no truth value
        return True


def number_or_none(value: object) -> float | None:
    """float(value), or None when the value is missing."""
    return None if is_missing(value) else float(value)


def number_or_zero(value: object) -> float:
    """float(value), or 0.0 when the value is missing (nothing done yet)."""
    return 0.0 if is_missing(value) else float(value)
