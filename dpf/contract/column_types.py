"""Column types against the contract's: which DuckDB types a contract column may have, said in Chinese.

Shared by the contract check (dpf.contract.check, which reports every column) and the dashboard's binding of the
extracts (dpf.data.db, which keeps a table with a wrong-typed column out of every query).
"""

from __future__ import annotations

import pyarrow as pa

INTEGER_TYPES = frozenset(
    {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT"}
)
FLOAT_TYPES = frozenset({"FLOAT", "DOUBLE"})
_TYPE_WORDS = {"VARCHAR": "文本", "DATE": "日期", "BOOLEAN": "是/否", "DECIMAL": "定点小数"}


def _base(actual: str) -> str:
    return actual.split("(")[0].strip().upper()


def type_verdict(expected: pa.DataType, actual: str) -> str:
    """'ok', 'warn' (works, but inexact) or 'bad' for a DuckDB type against the contract's."""
    base = _base(actual)
    if pa.types.is_string(expected):
        ok = base == "VARCHAR"
    elif pa.types.is_integer(expected):
        ok = base in INTEGER_TYPES
    elif pa.types.is_date(expected):
        ok = base == "DATE"
    elif pa.types.is_boolean(expected):
        ok = base == "BOOLEAN"
    elif pa.types.is_decimal(expected):
        if base in FLOAT_TYPES:
            return "warn"
        ok = base == "DECIMAL" or base in INTEGER_TYPES
    elif pa.types.is_floating(expected):
        ok = base in FLOAT_TYPES or base == "DECIMAL" or base in INTEGER_TYPES
    else:
        ok = True
    return "ok" if ok else "bad"


def contract_type(expected: pa.DataType) -> str:
    """The contract's type of a column, as a data manager reads it."""
    if pa.types.is_string(expected):
        return "VARCHAR（文本）"
    if pa.types.is_integer(expected):
        return "整数（如 SMALLINT、INTEGER）"
    if pa.types.is_date(expected):
        return "DATE（日期，不含时间）"
    if pa.types.is_boolean(expected):
        return "BOOLEAN（是/否）"
    if pa.types.is_decimal(expected):
        return f"DECIMAL({expected.precision},{expected.scale})（定点小数）"
    if pa.types.is_floating(expected):
        return "DOUBLE（数值）"
    return str(expected)


def actual_type(actual: str) -> str:
    """A DuckDB type with a Chinese word for what it holds: VARCHAR（文本）, BIGINT（整数）, TIMESTAMP（日期时间）."""
    base = _base(actual)
    if base in INTEGER_TYPES:
        word = "整数"
    elif base in FLOAT_TYPES:
        word = "浮点数"
    elif base.startswith("TIMESTAMP"):
        word = "日期时间"
    else:
        word = _TYPE_WORDS.get(base)
    return f"{actual}（{word}）" if word else actual


def wrong_types(schema: pa.Schema, types: dict[str, str]) -> dict[str, str]:
    """The contract columns present in `types` (column -> DuckDB type) whose type the contract does not allow."""
    return {
        name: types[name]
        for name in schema.names
        if name in types and type_verdict(schema.field(name).type, types[name]) == "bad"
    }


def wrong_type_text(schema: pa.Schema, column: str, actual: str) -> str:
    """'served_on 列类型为 VARCHAR（文本），数据约定要求 DATE（日期，不含时间）'."""
    return f"{column} 列类型为 {actual_type(actual)}，数据约定要求 {contract_type(schema.field(column).type)}"
