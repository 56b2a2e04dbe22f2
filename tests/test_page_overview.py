"""总览 in AppTest: demo set, an empty set, township filter, URL parameters, broken tables."""

from __future__ import annotations

from datetime import date

import pytest

from dpf.contract.catalogue import TABLE_SCHEMAS
from dpf.data.db import open_extracts
from dpf.figures.indicators import codes_for_names, compute_indicators
from dpf.formatting import fmt_value
from tests.apptest_helpers import metric_values, no_exception, rerun, run_page
from tests.extract_builder import town, write_set, write_table
from tests.test_indicators import AS_OF, TABLES


def expected_cards(folder, year, names=()):
    extracts = open_extracts(folder)
    frame = compute_indicators(extracts, year, codes_for_names(extracts, list(names)))
    by_code = {row.indicator: fmt_value(row.value, row.unit) for row in frame.itertuples()}
    return {label: by_code[code] for label, code in CARD_CODES.items()}


# Card label on 总览 -> indicator code.
CARD_CODES = {
    "资金发放合计": "subsidies_total_amount",
    "护理补贴金额": "nursing_subsidy_amount",
    "护理补贴人次": "nursing_subsidy_person_times",
    "技能培训": "training_person_times",
    "持证残疾人": "certified_persons",
}


@pytest.fixture(scope="module")
def overview(demo_dir):
    return run_page(demo_dir)


def test_overview_runs_on_demo_with_header(overview):
    assert no_exception(overview)
    header = [m.value for m in overview.markdown]
    assert any("范围：全县" in text and "数据截至 2024年9月30日" in text for text in header)
    assert any("演示数据" in c.value for c in overview.caption)


def test_overview_cards_equal_dpf_for_the_county(overview, demo_dir):
    shown = metric_values(overview)
    expected = expected_cards(demo_dir, 2024)
    for label in tuple(CARD_CODES):
        assert shown[label] == expected[label]


def test_choosing_a_township_changes_cards_to_its_figures(demo_dir):
    at = run_page(demo_dir)
    name = at.multiselect(key="township").options[1]
    county = metric_values(at)["护理补贴人次"]
    at.multiselect(key="township").select(name)
    rerun(at, demo_dir)
    shown = metric_values(at)
    expected = expected_cards(demo_dir, 2024, [name])
    assert shown["护理补贴人次"] == expected["护理补贴人次"] != county
    assert shown["资金发放合计"] == expected["资金发放合计"]
    assert any(f"范围：{name}" in m.value for m in at.markdown)


def test_url_preselects_township_and_year(demo_dir):
    name = (
        open_extracts(demo_dir)
        .con.cursor()
        .execute("SELECT name FROM townships ORDER BY sort_order LIMIT 1")
        .fetchall()[0][0]
    )
    at = run_page(demo_dir, query={"township": name, "year": "2023"})
    assert at.multiselect(key="township").value == [name]
    assert at.selectbox(key="year").value == 2023
    expected = expected_cards(demo_dir, 2023, [name])
    assert metric_values(at)["护理补贴金额"] == expected["护理补贴金额"]


@pytest.mark.parametrize("hostile", ["不存在镇", "'; DROP TABLE payments; --", "<script>alert(1)</script>"])
def test_unknown_url_values_are_dropped(demo_dir, hostile):
    at = run_page(demo_dir, query={"township": hostile, "year": "1999"})
    assert no_exception(at)
    assert at.multiselect(key="township").value == []
    assert at.selectbox(key="year").value == 2024


def test_overview_on_an_empty_but_valid_folder(tmp_path):
    tables = {name: [] for name in TABLE_SCHEMAS}
    tables["townships"] = [town("1", "城关街道", "街道", 1)]
    folder = write_set(tmp_path / "empty", tables, date(2024, 3, 31))
    at = run_page(folder)
    assert no_exception(at)
    assert metric_values(at)["资金发放合计"] == "0万元"
    assert any("暂无资金发放记录" in i.value for i in at.info)


def test_missing_table_shows_its_chinese_message(demo_copy):
    for part in sorted((demo_copy / "payments").rglob("*.parquet")):
        part.unlink()
    at = run_page(demo_copy)
    assert no_exception(at)
    assert any("资金发放" in w.value and "缺少" in w.value for w in at.warning)
    assert metric_values(at)["技能培训"] not in ("—", "")  # other tables still work


def test_corrupted_table_shows_its_chinese_message(demo_copy):
    (demo_copy / "services.parquet").write_bytes(b"PAR1 this is not parquet")
    at = run_page(demo_copy)
    assert no_exception(at)
    assert any("服务记录" in w.value and "损坏" in w.value for w in at.warning)
    assert metric_values(at)["技能培训"] == "—"
    assert metric_values(at)["护理补贴人次"] not in ("—", "")


def test_missing_folder_says_what_to_do(tmp_path):
    at = run_page(tmp_path / "nowhere")
    assert no_exception(at)
    assert any("DASHBOARD_DATA_DIR" in e.value for e in at.error)


def test_half_copied_table_is_flagged_by_row_count(tmp_path):
    folder = write_set(tmp_path / "set", TABLES, AS_OF)
    write_table(folder, "services", TABLES["services"][:3])  # half a copy
    extracts = open_extracts(folder)
    assert not extracts.available("services")
    assert "行数（3）" in extracts.problem("services") and "不一致" in extracts.problem("services")
    assert extracts.available("payments")


@pytest.mark.parametrize(("query", "font", "title_font"), [({}, 13, 16), ({"briefing": "1"}, 16, 20)])
def test_every_chart_is_titled_scoped_and_dated(demo_dir, query, font, title_font):
    """What a screenshot of a chart carries: its title, the scope and 数据截至, in the shared (or briefing) type."""
    import json

    name = str(open_extracts(demo_dir).con.execute("SELECT name FROM townships ORDER BY sort_order").fetchone()[0])
    at = run_page(demo_dir, query={"township": name, **query})
    charts = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    assert len(charts) >= 2
    for spec in charts:
        layout = spec["layout"]
        assert layout["title"]["text"]
        footers = [a["text"] for a in layout["annotations"] if "数据截至" in a["text"]]
        assert footers == [f"范围：{name}　2024年　数据截至 2024年9月30日"]
        template = layout["template"]["layout"]
        assert (template["font"]["size"], template["title"]["font"]["size"]) == (font, title_font)
