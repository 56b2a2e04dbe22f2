"""The 工作简报 as a Word file (python-docx) in 公文 form (GB/T 9704's page and type): A4 with its margins, a header
block (版头) of red title, 期号, 编发单位 and date over a red rule, 黑体 三号 headings, 仿宋 三号 body at a fixed
28 pt line, a target table whose header row repeats on every page, page numbers — 1 — in the footer.

python-docx sets only the Latin font of a run; Word and WPS take Chinese text's font from `w:eastAsia`, so every
run written here carries it (`_run`), table cells included.
"""

from __future__ import annotations

import io
import unicodedata

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from dpf import palette
from dpf.exports.brief import TABLE_HEADER, Brief
from dpf.exports.brief_masthead import Masthead, masthead_for

HEADING_FONT = "黑体"
BODY_FONT = "仿宋"
MASTHEAD_FONT = "方正小标宋简体"  # the 版头's title, as 公文 print it (Word and WPS substitute where it is missing)
LATIN_FONT = "Times New Roman"
BODY_SIZE = Pt(16)  # 三号
MASTHEAD_SIZE = Pt(36)
TABLE_SIZE = Pt(12)  # 小四
CELL_PAD = Pt(3)  # above and below a table cell's line
FOOTER_SIZE = Pt(14)  # 四号
LINE = Pt(28)  # a fixed line: 22 lines of 三号 on the page
RED = RGBColor(*palette.rgb(palette.MASTHEAD_RED))
TEXT_WIDTH = Mm(156)  # A4's 210 mm less the 28 and 26 mm margins
COLUMN_WIDTHS = (Mm(46), Mm(22), Mm(22), Mm(22), Mm(22), Mm(22))  # 指标 … 状态, within the 156 mm of text


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


def _run(
    paragraph: Paragraph,
    text: str,
    font: str = BODY_FONT,
    size: Pt = BODY_SIZE,
    bold: bool = False,
    color: RGBColor | None = None,
) -> None:
    run = paragraph.add_run(text)
    run.font.size = size
    run.bold = bold
    if color is not None:
        run.font.color.rgb = color
    _fonts(run._element, font)


# w:pPr's children that come after w:autoSpaceDE/DN in the schema's order
_AFTER_AUTOSPACE = ("w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:jc")


def _no_asian_latin_gap(style) -> None:
    """No extra space between Chinese and digits or Latin letters (w:autoSpaceDE/DN off, which Word, WPS and
    LibreOffice honour): 2024年9月30日 and 9.1%。 as written, not 2024 年 9 月 30 日."""
    properties = style.element.get_or_add_pPr()
    later = next((child for tag in _AFTER_AUTOSPACE if (child := properties.find(qn(tag))) is not None), None)
    for tag in ("w:autoSpaceDE", "w:autoSpaceDN"):
        switch = OxmlElement(tag)
        switch.set(qn("w:val"), "0")
        if later is None:
            properties.append(switch)
        else:
            later.addprevious(switch)


def _page_number(paragraph: Paragraph) -> None:
    """— PAGE — centred: a PAGE field Word and WPS fill in."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(paragraph, "— ", size=FOOTER_SIZE)
    run = paragraph.add_run()
    run.font.size = FOOTER_SIZE
    _fonts(run._element, BODY_FONT)
    for kind, text in (("begin", ""), ("", " PAGE "), ("separate", ""), ("", "1"), ("end", "")):
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
    _run(paragraph, " —", size=FOOTER_SIZE)


def _a4(document: DocxDocument) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    _page_number(section.footer.paragraphs[0])


def _red_rule(paragraph: Paragraph) -> None:
    """The 版头's red line under the paragraph (its bottom border, 2.25 pt)."""
    properties = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for name, value in (
        ("w:val", "single"),
        ("w:sz", "18"),
        ("w:space", "4"),
        ("w:color", palette.MASTHEAD_RED.removeprefix("#").upper()),
    ):
        bottom.set(qn(name), value)
    borders.append(bottom)
    properties.append(borders)


def _masthead(document: DocxDocument, brief: Brief, masthead: Masthead) -> None:
    """Red title, 期号, then 编发单位 on the left and the date on the right over the red rule."""
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.line_spacing = 1.0
    _run(title, brief.title, MASTHEAD_FONT, MASTHEAD_SIZE, color=RED)
    issue = document.add_paragraph()
    issue.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(issue, masthead.issue)
    issued = document.add_paragraph()
    issued.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
    issued.paragraph_format.space_after = Pt(18)
    _run(issued, f"{masthead.issuer}编\t{masthead.issued_on}")
    _red_rule(issued)


def _body(paragraph: Paragraph) -> None:
    """A body paragraph: first line indented two characters, a fixed 28 pt line."""
    paragraph.paragraph_format.first_line_indent = Pt(32)
    paragraph.paragraph_format.line_spacing = LINE


def brief_docx(brief: Brief, masthead: Masthead | None = None) -> bytes:
    """The 简报 as .docx; `masthead`: its 版头 (期号, 编发单位, date), by default one with the 期号 left blank."""
    document = Document()
    normal = document.styles["Normal"]
    normal.font.size = BODY_SIZE
    _fonts(normal.element, BODY_FONT)
    _no_asian_latin_gap(normal)
    _a4(document)
    _masthead(document, brief, masthead or masthead_for(None))

    subtitle = document.add_paragraph()
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle.paragraph_format.line_spacing = LINE
    _run(subtitle, brief.subtitle)
    if brief.note:
        note = document.add_paragraph()
        _body(note)
        _run(note, brief.note)

    for section in brief.sections:
        heading = document.add_paragraph()
        _body(heading)
        heading.paragraph_format.keep_with_next = True
        heading.paragraph_format.space_before = Pt(8)  # apart from a table above it
        _run(heading, section.heading, HEADING_FONT)
        for text in section.paragraphs:
            paragraph = document.add_paragraph()
            _body(paragraph)
            _run(paragraph, text)
        if section.table:
            if section.caption:
                caption = document.add_paragraph()
                caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
                caption.paragraph_format.keep_with_next = True
                _run(caption, section.caption, HEADING_FONT, TABLE_SIZE)
            _table(document, section.header, section.table)

    closing = document.add_paragraph()
    _body(closing)
    closing.paragraph_format.space_before = Pt(14)
    _run(closing, brief.closing)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _row_flags(row, header: bool) -> None:
    """A row never split across pages; the header row repeated at the top of each page (w:tblHeader)."""
    properties = row._tr.get_or_add_trPr()
    properties.append(OxmlElement("w:cantSplit"))
    if header:
        properties.append(OxmlElement("w:tblHeader"))


HALF_EM_MM = 2.2  # half a 小四 character (12 pt = 4.23 mm) and a little: a digit's width
CELL_SIDES = 2  # a cell's left and right padding, in half-ems
FIGURE_COLUMN = 9  # the widest a column of figures grows (half-ems): a longer cell (-4.1个百分点) wraps


def text_units(text: str) -> float:
    """About how wide `text` is set in half-ems: a Chinese character two, a digit or sign one."""
    return sum(2.2 if unicodedata.east_asian_width(char) in "WF" else 1.0 for char in text)


def column_widths(header: tuple[str, ...], rows: tuple[tuple[str, ...], ...]) -> tuple[Mm, ...]:
    """The columns' widths within the text's 156 mm: the targets' table's fixed ones; else each column as wide as
    its longest cell (a header of more than four characters may wrap to three lines), the figures' columns at most
    FIGURE_COLUMN, and the column of the longest cells (the names) taking what is left when the figures leave too
    little."""
    if header == TABLE_HEADER:
        return COLUMN_WIDTHS
    cells = [max((text_units(row[index]) for row in rows), default=0.0) for index in range(len(header))]
    heads = [text_units(title) for title in header]
    natural = [max(cell, head if head <= 9 else head / 3) for cell, head in zip(cells, heads, strict=True)]
    names = cells.index(max(cells))
    units = [width if i == names else min(width, FIGURE_COLUMN) for i, width in enumerate(natural)]
    units = [width + CELL_SIDES for width in units]
    room = TEXT_WIDTH.mm / HALF_EM_MM
    if sum(units) > room:
        units[names] = max(room - (sum(units) - units[names]), room / 5)
    return tuple(Mm(round(TEXT_WIDTH.mm * width / sum(units), 1)) for width in units)


def _table(document: DocxDocument, header: tuple[str, ...], rows: tuple[tuple[str, ...], ...]) -> None:
    table = document.add_table(rows=1 + len(rows), cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = column_widths(header, rows)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # the grid LibreOffice and WPS lay out by
    for index, values in enumerate((header, *rows)):
        _row_flags(table.rows[index], header=index == 0)
        for column, (cell, value) in enumerate(zip(table.rows[index].cells, values, strict=True)):
            cell.width = widths[column]
            paragraph = cell.paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if column == 0 else WD_ALIGN_PARAGRAPH.CENTER
            paragraph.paragraph_format.space_before = paragraph.paragraph_format.space_after = CELL_PAD
            _run(paragraph, value, HEADING_FONT if index == 0 else BODY_FONT, TABLE_SIZE)
