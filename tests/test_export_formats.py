"""dpf.exports.formats: the CLI's --format choices and the page's download buttons are the registry's rows."""

from __future__ import annotations

import argparse

import pytest
from streamlit.testing.v1 import AppTest

from dpf.commands.main import build_parser
from dpf.exports import formats as export_formats
from dpf.exports.formats import BRIEF_FORMATS, DECK_FORMATS, INDICATOR_FORMATS, TABLE_FORMATS
from tests.apptest_helpers import run_page


def format_choices(command: str) -> list[str]:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    option = next(a for a in sub.choices[command]._actions if "--format" in a.option_strings)
    return list(option.choices)


def test_the_cli_offers_exactly_the_registrys_formats() -> None:
    assert format_choices("brief") == ["md", "docx", "pptx", "pdf"] == [*BRIEF_FORMATS, *DECK_FORMATS]
    assert format_choices("indicators") == ["table", "csv", "json"] == list(INDICATOR_FORMATS)


def test_every_row_names_itself_and_has_a_dotted_suffix() -> None:
    for family in (BRIEF_FORMATS, DECK_FORMATS, TABLE_FORMATS, INDICATOR_FORMATS):
        for name, fmt in family.items():
            assert fmt.name == name and fmt.suffix.startswith(".") and "/" in fmt.mime and fmt.label


def table_page() -> None:
    """A table's download buttons, for a view of the whole county without an account (run by AppTest)."""
    from datetime import date
    from types import SimpleNamespace

    import pandas as pd

    from ui.downloads import table_downloads

    view = SimpleNamespace(as_of=date(2024, 9, 30), scope="全县", year=2024, span="2024年", account=None)
    table_downloads(pd.DataFrame({"乡镇（街道）": ["甲镇"]}), "资金发放", "各乡镇", view, key="t")


def button_labels(at: AppTest) -> list[str]:
    return [button.proto.label for button in at.get("download_button")]


def test_a_tables_buttons_are_the_registrys_table_formats() -> None:
    at = AppTest.from_function(table_page).run()
    assert button_labels(at) == ["下载 Excel", "下载 CSV"] == [f"下载 {f.label}" for f in TABLE_FORMATS.values()]


def test_the_overviews_brief_and_deck_buttons_are_registry_rows(demo_dir) -> None:
    labels = button_labels(run_page(demo_dir))
    brief, deck = export_formats.BRIEF_FORMATS["docx"], export_formats.DECK_FORMATS["pptx"]
    assert f"下载工作简报（{brief.label}）" in labels and f"下载汇报材料（{deck.label}）" in labels


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("csv", "indicator,name\r\nx,'=1+1\r\n"),
        ("json", '[\n {\n  "indicator": "x",\n  "name": "=1+1"\n }\n]\n'),
        ("table", "indicator name\n        x =1+1\n"),
    ],
)
def test_the_indicator_writers_print_as_before(fmt: str, expected: str) -> None:
    records = [{"indicator": "x", "name": "=1+1"}]
    assert INDICATOR_FORMATS[fmt].writer(records, ["indicator", "name"]) == expected
