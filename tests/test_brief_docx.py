"""The Word 简报 in 公文 form, read back with python-docx: 仿宋 三号 body, 黑体 headings, a 版头 of 期号, 编发单位 and date
from the manifest (with fallbacks), and a target table whose header row repeats on every page."""

from __future__ import annotations

import json
from datetime import date

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from dpf.commands.main import main
from dpf.contract.manifest import MANIFEST_NAME, Manifest
from dpf.exports.brief_masthead import Masthead, issue_text, masthead_for
from tests.narrative_fixture import write_narrative_set


def east_asian(run) -> str | None:
    fonts = run._element.rPr.find(qn("w:rFonts"))
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


@pytest.fixture(scope="module")
def brief(demo_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("brief") / "简报.docx"
    assert main(["brief", "--year", "2024", "--data", str(demo_dir), "--format", "docx", "--out", str(out)]) == 0
    return Document(str(out))


def test_the_body_is_fangsong_sanhao_and_headings_heiti(brief):
    normal = brief.styles["Normal"]
    assert normal.font.size == Pt(16)  # 三号
    assert normal.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋"
    headings = [p for p in brief.paragraphs if p.text[:2] in {"一、", "二、", "三、", "四、", "五、"}]
    assert len(headings) == 5
    for heading in headings:
        assert {east_asian(run) for run in heading.runs} == {"黑体"}
        assert {run.font.size for run in heading.runs} == {Pt(16)}
    body = [p for p in brief.paragraphs if p.text.startswith("截至2024年9月30日")]
    assert body
    for paragraph in body:
        assert {east_asian(run) for run in paragraph.runs} == {"仿宋"}
        assert {run.font.size for run in paragraph.runs} == {Pt(16)}
        assert paragraph.paragraph_format.first_line_indent == Pt(32)  # two characters
        assert paragraph.paragraph_format.line_spacing == Pt(28)
    spacing = normal.element.pPr
    assert spacing.find(qn("w:autoSpaceDE")).get(qn("w:val")) == "0"  # no gap in 2024年9月30日 (Word, WPS)


def test_the_header_block_holds_issue_issuer_and_date_from_the_manifest(brief, demo_dir):
    texts = [p.text for p in brief.paragraphs[:4]]
    assert texts[:3] == ["XX县残联工作简报", "2024年第9期", "XX县残疾人联合会办公室编\t2024年10月2日"]
    title = brief.paragraphs[0].runs[0]
    assert title.font.color.rgb == (0xC0, 0x00, 0x00) and title.font.size == Pt(36)
    rule = brief.paragraphs[2]._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:color")) == "C00000"  # the red line under the 版头
    manifest = json.loads((demo_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert (manifest["issuer"], manifest["issue_no"]) == ("XX县残疾人联合会办公室", "2024年第9期")


def test_the_table_repeats_its_header_and_gives_target_and_value_their_own_cells(brief):
    (table,) = brief.tables
    header = table.rows[0]
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated at the top of a new page
    assert all(row._tr.trPr.find(qn("w:tblHeader")) is None for row in table.rows[1:])
    assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows)
    assert [cell.text for cell in header.cells] == ["指标", "年度目标", "完成", "完成率或差距", "序时进度", "状态"]
    rows = {row.cells[0].text: [cell.text for cell in row.cells[1:]] for row in table.rows[1:]}
    assert rows["无障碍改造"] == ["60户", "25户", "41.7%", "74.9%", "严重滞后"]  # the catalogue label


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, Masthead("第　期", "XX县残疾人联合会", "2024年7月2日")),  # nothing given: blank 期号, the county's 残联
        ({"county": "怀宁县"}, Masthead("第　期", "怀宁县残疾人联合会", "2024年7月2日")),
        ({"issuer": "怀宁县残联办公室", "issue_no": "12"}, Masthead("第12期", "怀宁县残联办公室", "2024年7月2日")),
        ({"generated_at": "not a time"}, Masthead("第　期", "XX县残疾人联合会", "2024年6月30日")),  # then 数据截至
    ],
)
def test_the_header_falls_back_sensibly(fields, expected):
    base = {"as_of": date(2024, 6, 30), "generated_at": "2024-07-02T08:00:00+08:00", "source": "import", "contract": 1}
    assert masthead_for(Manifest(**{**base, **fields})) == expected


def test_a_folder_without_the_fields_still_gets_a_header(tmp_path):
    folder = write_narrative_set(tmp_path / "set")  # its manifest names no issuer or 期号
    out = tmp_path / "简报.docx"
    assert main(["brief", "--year", "2024", "--data", str(folder), "--format", "docx", "--out", str(out)]) == 0
    texts = [p.text for p in Document(str(out)).paragraphs[:3]]
    assert texts[1] == "第　期" and texts[2].startswith("XX县残疾人联合会编\t")


@pytest.mark.parametrize(("written", "shown"), [("9", "第9期"), ("2024年第9期", "2024年第9期"), (" ", "第　期")])
def test_the_issue_number_as_printed(written, shown):
    assert issue_text(written) == shown
