"""`python -m dpf brief`: the 工作简报 as Markdown and Word, on the demo set and on hand-made fixtures."""

from __future__ import annotations

import json
import re

import pytest
from docx import Document
from docx.oxml.ns import qn

from dpf.commands.main import main
from dpf.contract.catalogue import INDICATOR_BY_CODE, TARGET_UNITS
from dpf.exports.brief import brief_for, brief_markdown
from tests.narrative_fixture import write_narrative_set

CJK = re.compile(r"[\u3400-\u9fff]")


def brief_text(tmp_path, *args: str) -> str:
    out = tmp_path / "brief.md"
    assert main(["brief", *args, "--format", "md", "--out", str(out)]) == 0
    return out.read_text(encoding="utf-8")


def test_2023_states_the_county_report_figures(demo_dir, tmp_path):
    text = brief_text(tmp_path, "--year", "2023", "--data", str(demo_dir))
    assert text.startswith("# XX县残联工作简报\n\n2023年全年　范围：全县　数据截至2024年9月30日")
    for words in (
        "发放重度残疾人护理补贴46,197人次、369.6万元",
        "发放困难残疾人生活补贴96,895人次、775.2万元",
        "“阳光家园”托养351人，发放补助资金52.65万元",
        "完成无障碍改造99户",
        "组织残疾人技能培训3期，累计培训124人次",
        "扶持残疾人就业创业210人，发放扶持资金63万元",
        "扶持“阳光大棚”19个、助残基地2个，发放扶持资金9.5万元",
        "资助家庭困难残疾学生71人，发放补助11.5万元",
        "举办专项招聘会4次，累计邀请企业25家次参与",
        "登记康复需求2,141条，其中基本医疗需求2,113条、辅助器具需求28条",
        "家庭医生上门康复服务1,443人",
        "救助困难精神残疾人1,053人，发放药费补助105.3万元",
        "残疾儿童康复救助161人",
        "开展集中评残12次",
    ):
        assert words in text
    for heading in (
        "## 一、资金发放",
        "## 二、就业培训",
        "## 三、康复服务",
        "## 四、年度目标进度",
        "## 五、需关注的问题",
    ):
        assert heading in text
    assert text.rstrip().endswith("序时进度按天计（截至数据日已过天数 ÷ 全年天数）。")


def indicators_json(capsys, demo_dir, year, *townships):
    capsys.readouterr()
    args = ["indicators", "--year", str(year), "--data", str(demo_dir), "--format", "json"]
    assert main(args + [a for name in townships for a in ("--township", name)]) == 0
    return {row["indicator"]: row for row in json.loads(capsys.readouterr().out)}


@pytest.mark.parametrize("townships", [(), ("凤城街道",)])
def test_2024_every_target_with_completion_and_schedule_equal_to_dpf_indicators(demo_dir, tmp_path, capsys, townships):
    args = ["--year", "2024", "--data", str(demo_dir)] + [a for n in townships for a in ("--township", n)]
    text = brief_text(tmp_path, *args)
    rows = [line.split(" | ") for line in text.splitlines() if line.startswith("| ") and "| 完成 |" not in line]
    indicators = indicators_json(capsys, demo_dir, 2024, *townships)
    with_targets = {c: r for c, r in indicators.items() if r["target"] is not None and r["value"] is not None}
    assert len(rows) == len(with_targets) > 0
    for row, (code, expected) in zip(rows, with_targets.items(), strict=True):
        unit = TARGET_UNITS.get(code, (expected["unit"],))[0]  # 个人创业项目: 100个
        assert row[0] == f"| {INDICATOR_BY_CODE[code].label}"
        assert row[1] == fmt(
            {**expected, "unit": unit}, "target"
        )  # the target in a cell of its own, not after the name
        assert row[2] == fmt({**expected, "unit": unit}, "value")
        if expected["unit"] != "%":
            assert row[3] == f"{expected['completion']:.1f}%"
            assert row[4] == "74.9%"  # 274 of 366 days
    nursing = indicators["nursing_subsidy_person_times"]["value"], indicators["nursing_subsidy_amount"]["value"]
    assert f"发放重度残疾人护理补贴{nursing[0]:,.0f}人次、{nursing[1] / 10_000:.2f}".rstrip("0") in text


def fmt(row, key):
    value = row[key]
    if row["unit"] == "元":
        return f"{value / 10_000:,.2f}".rstrip("0").rstrip(".") + "万元"
    if row["unit"] == "%":
        return f"{value:.1f}%"
    return f"{value:,.0f}{row['unit']}"


def runs_of(document):
    paragraphs = list(document.paragraphs)
    for table in document.tables:
        paragraphs += [p for row in table.rows for cell in row.cells for p in cell.paragraphs]
    for section in document.sections:
        paragraphs += section.footer.paragraphs
    return [run for paragraph in paragraphs for run in paragraph.runs]


def test_word_file_sets_an_east_asian_font_on_every_chinese_run(demo_dir, tmp_path):
    out = tmp_path / "简报.docx"
    assert main(["brief", "--year", "2024", "--data", str(demo_dir), "--format", "docx", "--out", str(out)]) == 0
    document = Document(str(out))
    chinese = [run for run in runs_of(document) if CJK.search(run.text)]
    assert len(chinese) > 20
    for run in chinese:
        fonts = run._element.rPr.find(qn("w:rFonts"))
        assert fonts is not None and fonts.get(qn("w:eastAsia")) in {"黑体", "仿宋", "方正小标宋简体"}, run.text
    headings = [p for p in document.paragraphs if p.text.startswith(("一、", "四、", "五、"))]
    assert [p.runs[0]._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) for p in headings] == ["黑体"] * 3
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml and 'w:fldCharType="begin"' in footer_xml
    table = document.tables[0]
    assert [cell.text for cell in table.rows[0].cells] == [
        "指标",
        "年度目标",
        "完成",
        "完成率或差距",
        "序时进度",
        "状态",
    ]
    assert ["无障碍改造", "60户", "25户"] in [[cell.text for cell in row.cells[:3]] for row in table.rows]
    rate = next(row for row in table.rows if row.cells[0].text == "精准康复服务满意率")
    assert [cell.text for cell in rate.cells][2:] == ["96.2%", "差距+1.2个百分点", "—", "已达目标"]  # never a 完成率


def test_unknown_township_names_the_valid_ones(demo_dir, tmp_path, capsys):
    out = tmp_path / "x.md"
    args = ["brief", "--year", "2024", "--township", "火星镇", "--data", str(demo_dir), "--format", "md"]
    assert main([*args, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "未知的乡镇（街道）：火星镇" in err and "凤城街道" in err and "Traceback" not in err
    assert not out.exists()


def test_a_folder_without_targets_says_so_in_one_line(tmp_path):
    folder = write_narrative_set(tmp_path / "set", without=("targets",))
    text = brief_text(tmp_path, "--year", "2024", "--data", str(folder))
    assert "## 四、年度目标进度" not in text and "| 目标 |" not in text
    assert text.count("数据中没有年度目标表，本简报不含年度目标进度。") == 1
    assert "## 四、需关注的问题" in text


def test_a_missing_folder_or_unwritable_out_is_a_chinese_message(tmp_path, capsys):
    assert main(["brief", "--year", "2024", "--data", str(tmp_path / "nowhere"), "--out", str(tmp_path / "b.md")]) == 2
    assert "找不到数据文件夹" in capsys.readouterr().err
    folder = write_narrative_set(tmp_path / "set")
    args = ["brief", "--year", "2024", "--data", str(folder), "--format", "md", "--out", str(tmp_path / "no" / "b.md")]
    assert main(args) == 2
    assert "无法写入" in capsys.readouterr().err


def test_a_missing_table_is_named_in_its_section(tmp_path):
    folder = write_narrative_set(tmp_path / "set", without=("payments",))
    text = brief_text(tmp_path, "--year", "2024", "--data", str(folder))
    funds = text.split("## 一、资金发放\n\n")[1].split("\n")[0]
    assert funds.startswith("数据暂不可用：") and "payments" in funds
    assert "组织残疾人技能培训1期" in text


def test_targets_are_counted_not_retold_and_next_steps_follow_the_alerts(demo):
    """四 counts the targets (the table lists them; the laggards are said in 五), 六 下一步工作 gives each lagging
    target's shortfall and what each of the 3 remaining months needs."""
    brief = brief_for(demo, 2024)
    sections = {section.heading: section for section in brief.sections}
    targets = sections["四、年度目标进度"]
    assert targets.paragraphs == (
        "截至2024年9月30日，全县年度目标序时进度为74.9%（按天计）。"
        "全县年度目标10项：严重滞后2项、低于序时1项、超序时4项、已达目标1项、已完成2项。",
    )
    assert len(targets.table) == 10
    assert sections["六、下一步工作"].paragraphs == (
        "无障碍改造：对照年度目标（60户）尚差35户，剩余3个月每月需完成约12户。",
        "辅助性就业机构：对照年度目标（2个）尚差1个，剩余3个月每月需完成约1个。",
        "儿童康复救助：对照年度目标（140人）尚差37人，剩余3个月每月需完成约13人。",
    )
    # A county target of 2 机构 among 23 townships: its 预警 does not list 22 townships without one.
    alerts = sections["五、需关注的问题"].paragraphs
    assert alerts[1] == "辅助性就业机构：完成年度目标的50.0%，低于序时进度24.9个百分点。"
    assert alerts[0].endswith("凤城街道等5个乡镇（街道）尚无完成户。")  # 60户: every township is expected to add


def test_the_report_items_the_brief_used_to_leave_out(demo):
    text = brief_markdown(brief_for(demo, 2023))
    for words in (
        "发放辅助器具129件、人工耳蜗补贴15.3万元",
        "开展困难重度智力残疾人托养服务673人次",
        "上门评残28次",
        "办、换证2,088份",
        "开展志愿助残活动26次，累计服务时长2,889小时",
        "发放残疾人机动轮椅车燃油补贴2.548万元",  # as the report writes it
    ):
        assert words in text, words
    assert "2023年全年　范围：全县" in text and "未导入2023年目标。" in text
    assert "下一步工作" not in text  # the year has ended
