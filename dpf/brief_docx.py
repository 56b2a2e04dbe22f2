"""The 工作简报 as a Word file (python-docx): A4, 黑体 headings, 仿宋 body, page numbers in the footer.

python-docx sets only the Latin font of a run; Word and WPS take Chinese text's font from `w:eastAsia`, so every
run written here carries it (`_run`), table cells included.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

from dpf.brief import TABLE_HEADER, Brief

HEADING_FONT = "黑体"
BODY_FONT = "仿宋"
LATIN_FONT = "Times New Roman"
BODY_SIZE = Pt(14)
COLUMN_WIDTHS = (Mm(64), Mm(26), Mm(22), Mm(22), Mm(22))  # 目标 … 状态, within A4's 156 mm of text


def _fonts(element, east_asian: str) -> None:
    """Set the Latin and East Asian fonts of a run's or style's properties."""
    properties = element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        properties.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi"):
        fonts.set(qn(attribute), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asian)


def _run(paragraph: Paragraph, text: str, font: str = BODY_FONT, size: Pt = BODY_SIZE, bold: bool = False) -> None:
    run = paragraph.add_run(text)
    run.font.size = size
    run.bold = bold
    _fonts(run._element, font)


def _page_number(paragraph: Paragraph) -> None:
    """— PAGE — centred: a PAGE field Word and WPS fill in."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(paragraph, "— ", size=Pt(12))
    run = paragraph.add_run()
    _fonts(run._element, BODY_FONT)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._element.append(char)
        elif text.strip() == "PAGE":
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = text
            run._element.append(instruction)
        else:
            shown = OxmlElement("w:t")
            shown.text = text
            run._element.append(shown)
    _run(paragraph, " —", size=Pt(12))


def _a4(document: Document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    _page_number(section.footer.paragraphs[0])


def brief_docx(brief: Brief) -> bytes:
    document = Document()
    normal = document.styles["Normal"]
    normal.font.size = BODY_SIZE
    _fonts(normal.element, BODY_FONT)
    _a4(document)

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, brief.title, HEADING_FONT, Pt(22))
    subtitle = document.add_paragraph()
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(subtitle, brief.subtitle, size=Pt(14))
    if brief.note:
        _run(document.add_paragraph(), brief.note)

    for section in brief.sections:
        heading = document.add_paragraph()
        heading.paragraph_format.space_before = Pt(12)
        _run(heading, section.heading, HEADING_FONT, Pt(16))
        for text in section.paragraphs:
            paragraph = document.add_paragraph()
            paragraph.paragraph_format.first_line_indent = Pt(28)
            paragraph.paragraph_format.line_spacing = Pt(28)
            _run(paragraph, text)
        if section.table:
            _table(document, section.table)

    closing = document.add_paragraph()
    closing.paragraph_format.space_before = Pt(18)
    _run(closing, brief.closing, size=Pt(12))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _table(document: Document, rows: tuple[tuple[str, ...], ...]) -> None:
    table = document.add_table(rows=1 + len(rows), cols=len(TABLE_HEADER))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, COLUMN_WIDTHS, strict=True):
        column.width = width  # the grid LibreOffice and WPS lay out by
    for index, values in enumerate((TABLE_HEADER, *rows)):
        for column, (cell, value) in enumerate(zip(table.rows[index].cells, values, strict=True)):
            cell.width = COLUMN_WIDTHS[column]
            paragraph = cell.paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if column == 0 else WD_ALIGN_PARAGRAPH.CENTER
            _run(paragraph, value, HEADING_FONT if index == 0 else BODY_FONT, Pt(11), bold=False)
