"""The 要点 block on 总览, 资金发放, 就业培训, 康复服务 and 年度目标 (AppTest on the demo set): it says what dpf.narrative.sentences
says for the view, changes with the township, offers 复制要点; 总览 adds 预警 and the 工作简报 download."""

from __future__ import annotations

import io

import pytest
from docx import Document

from dpf.data.db import open_extracts
from dpf.figures.indicators import codes_for_names
from dpf.narrative.facts import collect, collect_for_extracts
from dpf.narrative.sentences import alert_sentences, key_points
from tests.apptest_helpers import no_exception, rerun, run_page
from tests.narrative_fixture import AS_OF
from ui.briefing_frame import topic_sentences
from ui.page_table import PAGES as DECLARED

PAGES = {spec.file: spec.topic for spec in DECLARED if spec.topic}  # the pages with 要点, and their topics
TOWNSHIP = "凤城街道"


def expected(demo_dir, page, names=()):
    extracts = open_extracts(demo_dir)
    data = collect_for_extracts(extracts, 2024, codes_for_names(extracts, list(names)))
    return data, "\n".join(f"- {s.text}" for s in key_points(data, page))


def bullets(at):
    return [m.value for m in at.markdown if m.value.startswith("- ")]


@pytest.mark.parametrize("page", list(PAGES))
def test_key_points_follow_the_township(demo_dir, page):
    at = run_page(demo_dir, page)
    assert no_exception(at)
    _, county = expected(demo_dir, PAGES[page])
    assert 3 <= county.count("\n- ") + 1 <= 6
    assert county in bullets(at)
    assert any(m.value == "**要点**" for m in at.markdown)
    copy = [c.value for c in at.code]
    assert county.replace("- ", "") in copy  # the 复制要点 popover holds the same sentences

    at.multiselect(key="township").select(TOWNSHIP)
    rerun(at, demo_dir)
    _, township = expected(demo_dir, PAGES[page], [TOWNSHIP])
    assert township != county and TOWNSHIP in township
    assert township in bullets(at)


def _in_order(node) -> list:
    """The app's elements in the order the page shows them (blocks walked depth first, children by position)."""
    children = getattr(node, "children", None)
    if not children:
        return [node]
    return [element for key in sorted(children) for element in _in_order(children[key])]


@pytest.mark.parametrize("page", ["overview.py", "targets.py"])
def test_key_points_stay_above_the_cards(demo_dir, page):
    """The 要点 are computed after the page's queries have started (Sections.show's `first`), but shown first."""
    elements = _in_order(run_page(demo_dir, page).main)
    kinds = [(element.type, getattr(element, "value", None)) for element in elements]
    points = kinds.index(("markdown", "**要点**"))
    first_card = next(i for i, (kind, _) in enumerate(kinds) if kind in ("metric", "plotly_chart", "tabs", "tab"))
    assert points < first_card


def test_overview_alerts_and_brief_download(demo_dir):
    at = run_page(demo_dir)
    data, _ = expected(demo_dir, "overview")
    alerts = "\n".join(f"- {s.text}" for s in alert_sentences(data))
    assert alerts.startswith(
        "- 无障碍改造：完成年度目标的41.7%，低于序时进度33.2个百分点，凤城街道等5个乡镇（街道）尚无完成户。"
    )
    assert alerts in bullets(at)
    assert any(m.value == "**预警**" for m in at.markdown)
    buttons = [b for b in at.get("download_button") if "工作简报" in b.proto.label]
    assert len(buttons) == 1


def test_briefing_mode_keeps_the_key_points_of_its_topic(demo_dir):
    """简报模式 shows one topic (逐月发放, the first): the page's sentences about its cards, at most three."""
    at = run_page(demo_dir, "funds.py", query={"briefing": "1"})
    data, _ = expected(demo_dir, "funds")
    cards = (
        "subsidies_total_amount",
        "nursing_subsidy_amount",
        "nursing_subsidy_person_times",
        "living_subsidy_amount",
    )
    cards += ("living_subsidy_person_times",)  # funds.py MONTHLY_CARDS
    topic = topic_sentences(key_points(data, "funds", most=12), cards)
    assert 1 <= len(topic) <= 3
    assert "\n".join(f"- {s.text}" for s in topic) in bullets(at)


def test_overview_offers_the_deck_beside_the_brief(demo_dir):
    at = run_page(demo_dir)
    labels = [b.proto.label for b in at.get("download_button")]
    assert "下载工作简报（Word）" in labels and "下载汇报材料（PPT）" in labels
    # a click must not rerun the page: the rerun's start would clear the file's answer from the outgoing queue
    assert [b.proto.ignore_rerun for b in at.get("download_button")] == [True] * len(labels)


def test_a_township_accounts_deck_names_no_other_township(tmp_path):
    from pptx import Presentation

    from dpf.auth.access import TOWNSHIP, session_scope
    from tests.extract_builder import B
    from tests.narrative_fixture import write_narrative_set
    from ui.context import View
    from ui.key_points import deck_file

    folder = write_narrative_set(tmp_path / "set")
    view = View(
        str(folder), "t", 2024, (B,), ("龙山镇",), AS_OF, "demo", True, None, access=session_scope(TOWNSHIP, [B])
    )
    data = collect(view, 2024, AS_OF, (B,))
    (tmp_path / "deck.pptx").write_bytes(deck_file(view, data))
    deck = Presentation(str(tmp_path / "deck.pptx"))
    text = "".join(shape.text_frame.text for s in deck.slides for shape in s.shapes if shape.has_text_frame)
    charts = [shape.chart for s in deck.slides for shape in s.shapes if shape.has_chart]
    ranking = next(c for c in charts if c.chart_title.text_frame.text.startswith("资金发放合计"))
    assert tuple(ranking.plots[0].categories) == ("龙山镇",)
    assert tuple(ranking.plots[0].series[0].values) == (0.8,)  # 5,000 + 1,000 + 2,000元
    for other in ("城关街道", "青石镇", "高峰乡", "凤城街道"):
        assert other not in text


def test_a_month_views_downloads_write_its_month_brief_and_deck(demo_dir, monkeypatch):
    """总览 in a month view (?month=2024-06): the buttons say 月度通报, the files are named for the month and hold its
    figures (the Word file's title and period; the deck's slide titles)."""
    from pptx import Presentation
    from streamlit.runtime.media_file_manager import MediaFileManager

    made = {}
    register = MediaFileManager.add_deferred

    def keep(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        made[file_name] = data_callable  # the file the button would write, to write it here
        return register(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", keep)
    at = run_page(demo_dir, query={"month": "2024-06"})
    assert no_exception(at)
    labels = [b.proto.label for b in at.get("download_button")]
    assert "下载月度通报（Word）" in labels and "下载汇报材料（PPT）" in labels
    assert {"2024年6月月度通报_全县.docx", "2024年6月汇报材料_全县.pptx"} <= set(made)
    document = Document(io.BytesIO(made["2024年6月月度通报_全县.docx"]()))
    paragraphs = [p.text for p in document.paragraphs]
    assert "XX县残联工作月度通报" in paragraphs
    assert any(p.startswith("2024年6月　范围：全县") for p in paragraphs)
    assert [c.text for c in document.tables[0].rows[0].cells] == ["指标", "本月", "上月", "环比", "上年同月", "同比"]
    deck = Presentation(io.BytesIO(made["2024年6月汇报材料_全县.pptx"]()))
    texts = [[shape.text_frame.text for shape in s.shapes if shape.has_text_frame] for s in deck.slides]
    assert "XX县残联工作月度汇报" in texts[0] and "2024年6月　范围：全县" in "\n".join(texts[0])  # the title slide
    assert "总览（2024年6月）" in texts[1] and any("各乡镇（街道）资金发放排名（2024年6月）" in t for t in texts)
    assert "范围：全县 · 2024年6月 · 数据截至2024年9月30日 · 来源：演示数据（合成数据，非真实个人信息）" in texts[1]


def test_briefing_mode_in_a_month_view_says_the_month(demo_dir):
    at = run_page(demo_dir, query={"month": "2024-06", "briefing": "1"})
    assert no_exception(at)
    block = next(h.proto.body for h in at.get("html") if "dpf-title-block" in h.proto.body)
    assert "2024年6月" in block
    points = "\n".join(bullets(at))
    assert points.startswith("- 2024年6月，全县") and "环比" in points


def test_a_township_accounts_month_brief_holds_only_its_rows(tmp_path):
    """A township account's 月度通报 (June 2024 of the hand-made county): its township's row only, its figures (龙山镇
    paid nothing in June: 0.00万元, and its 护理补贴 gap), no other township named."""
    from dpf.auth.access import TOWNSHIP, session_scope
    from tests.extract_builder import B
    from tests.narrative_fixture import write_narrative_set
    from ui.context import View
    from ui.key_points import brief_file

    folder = write_narrative_set(tmp_path / "set")
    view = View(
        str(folder),
        "t",
        2024,
        (B,),
        ("龙山镇",),
        AS_OF,
        "demo",
        True,
        None,
        access=session_scope(TOWNSHIP, [B]),
        month=6,
    )
    data = collect(view, 2024, AS_OF, (B,), month=6)
    document = Document(io.BytesIO(brief_file(view, data, "docx")))
    cells = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    text = "\n".join([p.text for p in document.paragraphs] + ["".join(row) for row in cells])
    assert cells[-1][:3] == ["1", "龙山镇", "0.00"]  # the ranking's one row
    assert "龙山镇6月尚无重度残疾人护理补贴发放记录" in text and "2024年6月　范围：龙山镇" in text
    for other in ("城关街道", "青石镇", "高峰乡", "凤城街道"):
        assert other not in text
