"""`python -m dpf brief --format pptx|pdf`: the 汇报材料 deck, opened with python-pptx and read with poppler.

The figures are hand-computed from tests/narrative_fixture.py (five townships, as of 2024-06-30).
"""

from __future__ import annotations

import io
import re
import subprocess
import zipfile

import pandas as pd
import pytest
from openpyxl import load_workbook
from pptx import Presentation
from pptx.oxml.ns import qn

from dpf.commands.main import main
from dpf.exports.deck import deck_for, ranking_rows
from dpf.figures.ranking import MOST_BARS, RANK_ENDS
from dpf.figures.schedule import Status
from tests.extract_builder import write_set
from tests.narrative_fixture import AS_OF, TABLES, write_narrative_set

CJK = re.compile(r"[\u3400-\u9fff]")


def deck_file(tmp_path, folder, fmt="pptx", *townships: str):
    out = tmp_path / f"deck.{fmt}"
    args = ["brief", "--year", "2024", "--data", str(folder), "--format", fmt, "--out", str(out)]
    assert main(args + [a for name in townships for a in ("--township", name)]) == 0
    return out


def slide_texts(slide) -> list[str]:
    return [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame and shape.text_frame.text]


def charts_by_title(presentation) -> dict[str, object]:
    """Each content slide's chart under the slide's title (its first text box)."""
    charts = {}
    for slide in presentation.slides:
        for shape in slide.shapes:
            if shape.has_chart:
                charts[slide_texts(slide)[0]] = shape.chart
    return charts


def series(chart) -> dict[str, tuple[float, ...]]:
    return {s.name: tuple(s.values) for s in chart.plots[0].series}


def slide_charts(presentation, title: str) -> dict[str, object]:
    """The charts of the slide titled `title`, by their value axis's title (the unit)."""
    slide = next(slide for slide in presentation.slides if slide_texts(slide)[0] == title)
    return {shape.chart.value_axis.axis_title.text_frame.text: shape.chart for shape in slide.shapes if shape.has_chart}


@pytest.fixture(scope="module")
def fixture_set(tmp_path_factory):
    return write_narrative_set(tmp_path_factory.mktemp("deck") / "set")


@pytest.fixture(scope="module")
def deck(fixture_set, tmp_path_factory):
    return Presentation(str(deck_file(tmp_path_factory.mktemp("out"), fixture_set)))


def test_slides_each_say_data_date_and_scope(deck):
    assert len(deck.slides) >= 8
    assert deck.slide_width * 9 == deck.slide_height * 16
    titles = [slide_texts(slide)[0] for slide in deck.slides]
    assert titles[0] == "XX县残联工作汇报"
    assert titles[1:] == [
        "总览",
        "年度目标完成情况",
        "资金发放",
        "就业培训",
        "康复服务",
        "各乡镇（街道）资金发放排名",
        "需关注的问题",
        "口径说明",
    ]
    for page, slide in enumerate(deck.slides, start=1):
        text = "\n".join(slide_texts(slide))
        assert "数据截至2024年6月30日" in text
        assert "范围：全县" in text and f"第{page}页" in text


def test_native_charts_hold_the_hand_computed_figures(deck):
    charts = charts_by_title(deck)
    assert len(charts) >= 5
    overview = charts["总览"]
    assert tuple(overview.plots[0].categories) == ("两项补贴", "就业创业扶持", "阳光家园托养", "无障碍改造", "燃油补贴")
    # 两项补贴: 护理 6×1000 + 5×1000 and 生活 3×900 = 13,700元; 2023 Jan–Jun: 6×1000 + 4×1000 + 3×1000 = 13,000元
    assert series(overview) == {"2024年": (1.37, 0.5, 0.3, 0.5, 1.0), "2023年同期": (1.3, 0.0, 0.0, 0.0, 1.0)}
    funds = charts["资金发放"]
    assert tuple(funds.plots[0].categories) == ("1月", "2月", "3月", "4月", "5月", "6月")
    assert series(funds)["两项补贴"] == (0.29, 0.29, 0.29, 0.2, 0.2, 0.1)
    assert series(funds)["就业创业扶持"] == (0.0, 0.0, 0.0, 0.3, 0.2, 0.0)
    assert series(charts["就业培训"]) == {"2024年": (0, 0, 2, 0, 0, 0), "2023年同期": (0, 0, 0, 0, 1, 0)}
    rehab = slide_charts(deck, "康复服务")["人"]
    at = list(rehab.plots[0].categories).index("儿童康复救助")
    assert series(rehab)["2024年"][at] == 4 and series(rehab)["2023年同期"][at] == 0
    ranking = charts["各乡镇（街道）资金发放排名"]
    assert tuple(ranking.plots[0].categories)[:3] == ("城关街道", "龙山镇", "高峰乡")
    # 城关街道: 6,000 + 2,700 + 10,001 + 2×1,000 + 5,000 = 25,701元; 龙山镇 5,000 + 1,000 + 2,000; 高峰乡 3,000
    assert series(ranking)["2024年"] == (2.57, 0.8, 0.3, 0.0, 0.0)
    targets = charts["年度目标完成情况"]
    # One series per status (blank where a target has another), so the legend names each status in its bars' colour
    by_status = series(targets)
    completion = {
        name: next(values[index] for values in by_status.values() if values[index] is not None)
        for index, name in enumerate(targets.plots[0].categories)
    }
    # 1 of 12 households, 4 of 10 children, 2 of 4 trainees, 1 of 1 base, 3 of 2 persons; the rate target is not drawn
    assert completion == {
        "无障碍改造": 8.3,  # the catalogue's labels, as the 要点 and the page name them
        "儿童康复救助": 40.0,
        "技能培训": 50.0,
        "助残基地": 100.0,
        "扶持残疾人就业创业": 150.0,
    }
    assert all(sum(values[i] is not None for values in by_status.values()) == 1 for i in range(len(completion)))
    # against 49.7%: 8.3% is 20+ points behind, 40% behind, 50% ahead, 100% and 150% done
    assert list(by_status) == ["严重滞后", "低于序时", "超序时", "已完成"]
    assert targets.has_legend
    fills = [str(s.format.fill.fore_color.rgb) for s in targets.plots[0].series]
    assert fills == [status.color.lstrip("#").upper() for status in Status if status.rank < 4]
    assert "序时进度 49.7%" in targets.chart_title.text_frame.text  # 182 of 366 days


def test_chart_figures_are_in_the_data_sheet(deck):
    chart = charts_by_title(deck)["就业培训"]
    sheet = pd.read_excel(io.BytesIO(chart.part.chart_workbook.xlsx_part.blob))
    assert list(sheet.columns[1:]) == ["2024年", "2023年同期"]
    assert sheet["2024年"].tolist() == [0, 0, 2, 0, 0, 0]


HOSTILE_NAMES = {"城关街道": '=HYPERLINK("https://evil.example","点此")', "龙山镇": "=1+1", "青石镇": "@SUM(1)"}


def test_no_cell_of_any_embedded_workbook_is_a_formula(tmp_path):
    """Townships named =HYPERLINK(…), =1+1 and @SUM(1): in every ppt/embeddings/*.xlsx of the deck (what Excel opens
    on 编辑数据) they are text cells, as the downloads write them; python-pptx's writer alone made them formulas."""
    towns = [{**row, "name": HOSTILE_NAMES.get(row["name"], row["name"])} for row in TABLES["townships"]]
    folder = write_set(tmp_path / "set", {**TABLES, "townships": towns}, AS_OF)
    with zipfile.ZipFile(deck_file(tmp_path, folder)) as deck_zip:
        books = [name for name in deck_zip.namelist() if re.fullmatch(r"ppt/embeddings/[^/]+\.xlsx", name)]
        cells = [
            cell
            for name in books
            for sheet in load_workbook(io.BytesIO(deck_zip.read(name))).worksheets
            for row in sheet.iter_rows()
            for cell in row
            if cell.value is not None
        ]
    assert len(books) >= 5
    assert not [cell.value for cell in cells if cell.data_type == "f"]
    hostile = [cell for cell in cells if cell.value in HOSTILE_NAMES.values()]
    assert {cell.value for cell in hostile} == set(HOSTILE_NAMES.values())  # the ranking charts name them
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in hostile)
    assert any(isinstance(cell.value, float | int) for cell in cells)  # the figures stay numbers


def test_every_chinese_run_and_chart_text_carries_an_east_asian_font(deck):
    for slide in deck.slides:
        runs = slide.shapes._spTree.iter(qn("a:r"))
        chinese = [run for run in runs if CJK.search("".join(run.itertext()))]
        assert chinese
        for run in chinese:
            assert run.find(qn("a:rPr")).find(qn("a:ea")).get("typeface") == "微软雅黑"
        for shape in slide.shapes:
            if shape.has_chart:
                space = shape.chart._chartSpace
                assert space.find(qn("c:txPr")).find(f".//{qn('a:ea')}") is not None
                for run in space.iter(qn("a:r")):
                    assert run.find(qn("a:rPr")).find(qn("a:ea")) is not None


def test_a_missing_table_is_one_line_on_its_slides_and_the_rest_is_built(tmp_path):
    folder = write_narrative_set(tmp_path / "set", without=("payments",))
    deck = Presentation(str(deck_file(tmp_path, folder)))
    by_title = {slide_texts(slide)[0]: "\n".join(slide_texts(slide)) for slide in deck.slides}
    for title in ("资金发放", "各乡镇（街道）资金发放排名"):
        notes = [line for line in by_title[title].splitlines() if line.startswith("数据暂不可用：")]
        assert len(notes) == 1 and "payments" in notes[0]
    assert series(charts_by_title(deck)["就业培训"])["2024年"] == (0, 0, 2, 0, 0, 0)


def test_a_long_ranking_keeps_the_ends_and_the_chosen():
    count = 2_300
    ranking = pd.DataFrame(
        {
            "name": [f"镇{i}" for i in range(count)],
            "sort_order": range(count),
            "amount_yuan": [float(count - i) for i in range(count)],
            "chosen": [i == 1_000 for i in range(count)],
        }
    )
    shown = ranking_rows(ranking)
    assert len(shown) == 2 * RANK_ENDS + 1 <= MOST_BARS
    assert shown["place"].tolist() == [*range(1, 11), 1_001, *range(2_291, 2_301)]


def test_pdf_holds_every_headline_with_a_cjk_font_embedded(fixture_set, deck, tmp_path):
    pdf = deck_file(tmp_path, fixture_set, "pdf")
    text = re.sub(r"\s", "", subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout)
    for slide in list(deck.slides)[1:]:
        headline = re.sub(r"\s", "", slide_texts(slide)[1])
        assert headline in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout.splitlines()[2:]
    assert any("CJK" in line and line.split()[-5] == "yes" for line in fonts)


def test_a_year_without_last_year_in_the_extract_draws_no_zero_last_year(demo):
    """2023 on the demo: the extract starts in 2023, so its 上年同期 is unknown, never a row of zeros."""
    deck = deck_for(demo, 2023)
    assert deck.subtitle == "2023年全年　范围：全县"
    charts = [chart for slide in deck.slides for chart in slide.all_charts]
    assert charts and not any(name.endswith("年同期") for chart in charts for name, _ in chart.series)
    overview = deck.slides[0]
    assert all(change == "" for label, _, change in overview.kpis if label != "持证残疾人")  # a stock keeps its 同比
    assert overview.chart.title == "各类资金发放（万元）"
    assert deck.slides[1].headline == "未导入2023年目标。"


def test_every_axis_holds_one_unit(deck):
    units = {"万元", "人", "人次", "件", "例", "户", "个", "%"}
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.has_chart:
                assert shape.chart.value_axis.axis_title.text_frame.text in units, slide_texts(slide)[0]
    # 康复服务: 家庭医生上门康复 and 儿童康复救助 are persons, 托养 person-times, devices 件, fittings 例
    assert sorted(slide_charts(deck, "康复服务")) == sorted(["人", "人次", "件", "例"])


def test_an_empty_month_has_no_label_and_bars_start_at_zero(deck):
    training = charts_by_title(deck)["就业培训"]
    labels = training.plots[0].data_labels
    assert labels.number_format == "#,##0;-#,##0;;"  # the third section, for 0, writes nothing
    assert series(training)["2024年"] == (0, 0, 2, 0, 0, 0)  # the figures stay in the data sheet
    for chart in slide_charts(deck, "康复服务").values():
        assert chart.value_axis.minimum_scale == 0


def test_digits_and_latin_letters_are_in_the_chinese_face(deck):
    for slide in deck.slides:
        for run in slide.shapes._spTree.iter(qn("a:r")):
            properties = run.find(qn("a:rPr"))
            assert properties.find(qn("a:latin")).get("typeface") == "微软雅黑"
            assert properties.find(qn("a:ea")).get("typeface") == "微软雅黑"


def test_a_wrapped_bullet_hangs_under_its_first_word(deck):
    alerts = next(slide for slide in deck.slides if slide_texts(slide)[0] == "口径说明")
    bullets = [p for shape in alerts.shapes if shape.has_text_frame for p in shape.text_frame.paragraphs]
    bullets = [p for p in bullets if p._p.find(qn("a:pPr")) is not None and p._p.pPr.find(qn("a:buChar")) is not None]
    assert len(bullets) == 6  # 口径说明's six lines (the sixth: how a rate is held against its target)
    for paragraph in bullets:
        margin, indent = int(paragraph._p.pPr.get("marL")), int(paragraph._p.pPr.get("indent"))
        assert margin > 0 and indent == -margin  # the bullet hangs in the margin; wrapped lines start at the text
        assert not paragraph.text.startswith("•")  # the bullet is the paragraph's, not a character of its text


def test_pdf_writes_chinese_and_digits_without_a_gap(fixture_set, deck, tmp_path):
    pdf = deck_file(tmp_path, fixture_set, "pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout.replace("\n", "")
    assert "数据截至2024年6月30日" in text and "数据截至 2024 年" not in text
    for slide in list(deck.slides)[1:]:
        assert slide_texts(slide)[1] in text  # the headline as written: no space beside a digit or a %
    assert not re.search(r"[0-9%] [，。、]", text)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout.splitlines()[2:]
    assert fonts and all("CJK" in line for line in fonts)  # no Latin face beside the Chinese one


def test_a_failed_gapless_conversion_still_gives_the_pdf(fixture_set, tmp_path, monkeypatch):
    from dpf.exports import deck_pdf

    broken = tmp_path / "broken_uno.py"
    broken.write_text("import sys\nsys.exit(3)\n", encoding="utf-8")  # the bridge fails before any PDF is written
    monkeypatch.setattr(deck_pdf, "UNO_SCRIPT", broken)
    slides = deck_file(tmp_path, fixture_set, "pptx").read_bytes()
    pdf = deck_pdf.pptx_to_pdf(slides)
    assert pdf.startswith(b"%PDF")  # soffice's own conversion, with its gaps, instead of none
