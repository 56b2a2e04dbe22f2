"""Missing values: the one rule for None, NaN (float or numpy) and pandas' NA/NaT across dpf and ui."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typing_extensions import TypeIs  # typing.TypeIs from Python 3.13


def is_missing(value: object) -> TypeIs[None]:
    """None, NaN, pd.NA or NaT: no value (a missing figure reads "—" or counts as "no data yet"). For the type
    checker a value that is not missing is not None (a NaN is missing too, but is typed as the float it is)."""
    if value is None:
        return True
    try:
        return bool(value != value)  # only NaN and NaT differ from themselves
    except TypeError:  # pd.NA: its comparison is NA again, which has no truth value
        return True


def number_or_none(value: Any) -> float | None:
    """float(value), or None when the value is missing."""
    return None if is_missing(value) else float(value)


def number_or_zero(value: Any) -> float:
    """float(value), or 0.0 when the value is missing (nothing done yet)."""
    return 0.0 if is_missing(value) else float(value)
