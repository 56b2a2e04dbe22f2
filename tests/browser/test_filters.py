"""The sidebar filters in a real Chromium: choosing a township, deep links, and hostile URL values."""

from __future__ import annotations

from urllib.parse import unquote_plus, urlencode

import pytest

from dpf.contract.catalogue import INDICATOR_BY_CODE
from dpf.data.db import open_extracts
from dpf.figures.indicators import codes_for_names, compute_indicators, township_table
from dpf.formatting import fmt_value
from tests.browser import harness

pytestmark = pytest.mark.browser

CARD = "nursing_subsidy_person_times"  # an overview KPI that differs between townships
OTHER_CARDS = ("subsidies_total_amount", "certified_persons")


def card_label(code: str) -> str:
    """The label 总览 gives an indicator's card: the catalogue's short label (else its name)."""
    return INDICATOR_BY_CODE[code].label


def shown_cards(page) -> dict[str, str]:
    """{indicator code: value on the card} for the overview cards this test reads."""
    metrics = harness.metric_values(page)
    return {code: metrics[card_label(code)] for code in (CARD, *OTHER_CARDS)}


def expected_cards(folder, year: int, names=()) -> dict[str, str]:
    """{indicator code: formatted value} straight from dpf on the same folder."""
    extracts = open_extracts(folder)
    frame = compute_indicators(extracts, year, codes_for_names(extracts, list(names)))
    return {row.indicator: fmt_value(row.value, row.unit) for row in frame.itertuples()}


def township_chips(page) -> list[str]:
    chips = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"] [data-tag]')
    return [text.strip() for text in chips.all_inner_texts()]


@pytest.fixture(scope="module")
def first_township(demo_dir) -> str:
    return str(township_table(open_extracts(demo_dir))["name"].iloc[0])


def test_choosing_a_township_changes_the_numbers(page, server, demo_dir, first_township):
    harness.open_page(page, f"{server.url}/")
    county = shown_cards(page)
    assert county[CARD] == expected_cards(demo_dir, 2024)[CARD]

    page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').click()
    names = [text.strip() for text in page.get_by_role("option").all_inner_texts()]
    assert first_township in names
    # The first township in the list (streamlit may put a "Select all" entry before the townships).
    name = next(text for text in names if text in {first_township})
    page.get_by_role("option", name=name, exact=True).click()
    page.keyboard.press("Escape")
    page.locator('[data-testid="stMain"] [data-testid="stMarkdown"]', has_text=f"范围：{name}").first.wait_for()
    harness.wait_idle(page)

    shown = shown_cards(page)
    expected = expected_cards(demo_dir, 2024, [name])
    assert shown[CARD] == expected[CARD] != county[CARD]
    assert shown["subsidies_total_amount"] == expected["subsidies_total_amount"] != county["subsidies_total_amount"]
    assert township_chips(page) == [name]
    assert f"township={name}" in unquote_plus(page.url)  # the choice is in the URL, so the link can be shared
    assert harness.page_problems(page) == []


def test_deep_link_opens_township_and_year(page, server, demo_dir, first_township):
    harness.open_page(page, f"{server.url}/?{urlencode({'township': first_township, 'year': 2023})}")

    assert township_chips(page) == [first_township]
    header = harness.header_line(page)
    assert f"范围：{first_township}" in header
    assert "2023年" in header
    assert page.get_by_role("combobox", name="年度").input_value().startswith("2023")
    expected = expected_cards(demo_dir, 2023, [first_township])
    shown = shown_cards(page)
    for code in (CARD, *OTHER_CARDS):
        assert shown[code] == expected[code], code
    assert harness.page_problems(page) == []


HOSTILE = ["'; DROP TABLE payments; --", "<script>alert(1)</script>", '"quoted"']
CASES = {
    "unknown": [("township", "不存在镇")],
    # several township values in one URL (the multiselect reads every one), and a hostile year
    "hostile": [*(("township", value) for value in HOSTILE), ("year", "<script>alert(1)</script>")],
}


@pytest.mark.parametrize("case", list(CASES))
def test_unknown_or_hostile_url_values_show_the_county(page, server, demo_dir, case):
    harness.open_page(page, f"{server.url}/?{urlencode(CASES[case])}")

    header = harness.header_line(page)
    assert "范围：全县" in header
    assert "2024年" in header  # an unusable year falls back to the as-of year
    assert township_chips(page) == []
    assert shown_cards(page)[CARD] == expected_cards(demo_dir, 2024)[CARD]
    assert harness.page_problems(page) == []
    assert page.dialogs == []  # no alert() ran
    assert not page.evaluate("[...document.scripts].some(s => s.text.includes('alert(1)'))")  # not injected
