"""The 汇报材料 as PowerPoint (python-pptx): 16:9 slides with native, editable charts (their figures in the chart's
data sheet), a headline sentence on each and a footer with 范围 · 数据截至 · 来源 · page number.

python-pptx writes only a run's Latin font (`a:latin`); PowerPoint and WPS take Chinese text's face from `a:ea`, so
every run and every chart's text properties written here carry it (`_east_asian`).
"""

from __future__ import annotations

import io

from lxml import etree
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_TICK_LABEL_POSITION
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Pt

from dpf import palette
from dpf.exports.deck import Chart, Deck, Slide
from dpf.exports.safe_cells import neutral_xlsx

EAST_ASIAN_FONT = "微软雅黑"
LATIN_FONT = EAST_ASIAN_FONT  # digits and Latin letters in the CJK face too: no font switch inside "2024年9月30日"
WIDTH, HEIGHT = Emu(12_192_000), Emu(6_858_000)  # 13.333 × 7.5 in, 16:9
MARGIN = Emu(457_200)  # 0.5 in


def _rgb(hex_color: str) -> RGBColor:
    return RGBColor(*palette.rgb(hex_color))


INK = _rgb(palette.INK)
MUTED = _rgb(palette.MUTED)
ACCENT = _rgb(palette.THIS_YEAR)
BULLET_INDENT_EM = 1.2  # a bullet's hanging indent, in ems of the text
NAMED_AXIS_MOST = 12  # a bar chart with more categories names them on the bars
CHART_TYPES = {
    "bar": XL_CHART_TYPE.BAR_CLUSTERED,
    "column": XL_CHART_TYPE.COLUMN_CLUSTERED,
    "stacked": XL_CHART_TYPE.COLUMN_STACKED,
    "line": XL_CHART_TYPE.LINE_MARKERS,
}


def _east_asian(font) -> None:
    """Give a font (a run's or a chart's) the project's Latin and East Asian faces."""
    font.name = LATIN_FONT
    properties = font._rPr
    ea = properties.find(qn("a:ea"))
    if ea is None:
        ea = etree.SubElement(properties, qn("a:ea"))
        properties.find(qn("a:latin")).addnext(ea)
    ea.set("typeface", EAST_ASIAN_FONT)
    properties.set("lang", "zh-CN")  # proofing, and the Chinese (not Japanese) glyph forms of a CJK font


def _text(
    slide, left, top, width, height, lines, size=18, bold=False, color=INK, align=PP_ALIGN.LEFT, gap=0, bullet=False
):
    """A text box with one paragraph per line (`bullet`: each a bulleted paragraph whose wrapped lines stand under
    its first word, not under the bullet)."""
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = MSO_ANCHOR.TOP
    for index, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.alignment = align
        paragraph.space_after = Pt(gap)
        if bullet:
            _hanging_bullet(paragraph, size)
        run = paragraph.add_run()
        run.text = line
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.color.rgb = color
        _east_asian(run.font)
    return box


def _hanging_bullet(paragraph, size: int) -> None:
    """A • bullet hanging in the paragraph's left margin (marL, and indent = -marL): the text of every line starts
    at the margin, so a wrapped line is indented under the first line's text."""
    margin = Pt(size * BULLET_INDENT_EM)
    properties = paragraph._p.get_or_add_pPr()
    properties.set("marL", str(int(margin)))
    properties.set("indent", str(-int(margin)))
    face = etree.SubElement(properties, qn("a:buFont"))
    face.set("typeface", EAST_ASIAN_FONT)
    etree.SubElement(properties, qn("a:buChar")).set("char", "•")


def _zero_hidden(number_format: str) -> str:
    """A data label's format that writes nothing for 0 (an empty month, a programme without payments last year):
    the third section of an Excel format is for zero. The figure stays 0 in the chart's data sheet."""
    return f"{number_format};-{number_format};;"


def _footer(slide, deck: Deck, page: int) -> None:
    top = HEIGHT - Emu(420_000)
    _text(slide, MARGIN, top, WIDTH - 2 * MARGIN - Emu(900_000), Emu(300_000), [deck.footer], 11, color=MUTED)
    _text(
        slide,
        WIDTH - MARGIN - Emu(900_000),
        top,
        Emu(900_000),
        Emu(300_000),
        [f"第{page}页"],
        11,
        color=MUTED,
        align=PP_ALIGN.RIGHT,
    )


def _chart(slide, chart: Chart, left, top, width, height) -> None:
    data = CategoryChartData(number_format=chart.number_format)
    data.categories = chart.categories
    for name, values in chart.series:
        data.add_series(name, values)
    shape = slide.shapes.add_chart(CHART_TYPES[chart.kind], left, top, width, height, data)
    _neutral_data_sheet(shape.chart)
    native = shape.chart
    native.font.size = Pt(12)
    native.font.color.rgb = INK
    _east_asian(native.font)
    native.has_title = True
    native.chart_title.text_frame.text = chart.title
    title_run = native.chart_title.text_frame.paragraphs[0].runs[0]
    title_run.font.size = Pt(14)
    title_run.font.bold = True
    _east_asian(title_run.font)
    native.has_legend = len(chart.series) > 1 or chart.overlap  # a status chart names its one status too
    if native.has_legend:
        native.legend.position = XL_LEGEND_POSITION.TOP
        native.legend.include_in_layout = False
    value_axis = native.value_axis
    if all(value is None or value >= 0 for _, values in chart.series for value in values):
        value_axis.minimum_scale = 0  # bars start at zero (LibreOffice would start 116 against 101 at 90)
    value_axis.has_major_gridlines = True
    value_axis.major_gridlines.format.line.color.rgb = _rgb(palette.GRID)
    value_axis.tick_labels.number_format = chart.number_format.replace(".00", "").replace(".0", "")
    value_axis.tick_labels.number_format_is_linked = False
    _east_asian(value_axis.tick_labels.font)
    value_axis.has_title = True
    value_axis.axis_title.text_frame.text = chart.axis_title
    axis_run = value_axis.axis_title.text_frame.paragraphs[0].runs[0]
    axis_run.font.size = Pt(12)
    _east_asian(axis_run.font)
    if chart.kind == "bar":
        native.category_axis.reverse_order = True  # the first category on top, as read
    _every_label(native.category_axis)
    many = len(chart.categories)
    category_font = native.category_axis.tick_labels.font
    category_font.size = Pt(12 if many <= 12 else 10 if many <= 18 else 9)
    _east_asian(category_font)
    plot = native.plots[0]
    if chart.overlap:
        plot.overlap = 100  # one bar per category: the series of its status
    if chart.kind != "stacked":
        plot.gap_width = 60
        plot.has_data_labels = chart.kind == "bar" or len(chart.categories) <= 12
        if plot.has_data_labels:
            labels = plot.data_labels
            labels.number_format = _zero_hidden(chart.number_format)
            labels.number_format_is_linked = False
            labels.font.size = Pt(10 if len(chart.categories) <= 18 else 9)
            _east_asian(labels.font)
            if chart.kind == "bar" and many > NAMED_AXIS_MOST:
                _names_on_bars(native, labels, chart)
    else:
        plot.gap_width = 50
        plot.overlap = 100
    for series, color in zip(plot.series, chart.colors, strict=True):
        series.format.fill.solid()
        series.format.fill.fore_color.rgb = _rgb(color)
    for index, color in enumerate(chart.point_colors):
        point = plot.series[0].points[index]
        point.format.fill.solid()
        point.format.fill.fore_color.rgb = _rgb(color)


def _neutral_data_sheet(native) -> None:
    """The chart's embedded workbook (编辑数据 in PowerPoint opens it in Excel) with a township named =1+1 as text."""
    workbook = native.part.chart_workbook
    workbook.update_from_xlsx_blob(neutral_xlsx(workbook.xlsx_part.blob))


def _names_on_bars(native, labels, chart: Chart) -> None:
    """A long ranking: each bar labelled 城关街道 119.42 at its end, the category axis without labels (a renderer
    would drop every other name of a crowded axis); the value axis leaves room for the longest label."""
    labels.show_category_name = True
    labels.show_value = True
    labels.position = XL_LABEL_POSITION.OUTSIDE_END
    element = labels._element
    _child(element, "c:separator", after="c:showBubbleSize").text = " "
    element.find(qn("c:txPr")).find(qn("a:bodyPr")).set("wrap", "none")  # one line per label
    native.category_axis.tick_label_position = XL_TICK_LABEL_POSITION.NONE
    largest = max((value for _, values in chart.series for value in values if value is not None), default=0)
    if largest > 0:
        native.value_axis.minimum_scale = 0
        native.value_axis.maximum_scale = largest * 1.3


def _every_label(axis) -> None:
    """Label every category (a renderer would otherwise skip every other township name)."""
    _child(axis._element, "c:tickLblSkip", after="c:lblOffset").set("val", "1")


def _child(element, tag: str, after: str):
    """`element`'s child `tag`, added after its child `after` (the schema's order) when missing."""
    child = element.find(qn(tag))
    if child is None:
        child = etree.SubElement(element, qn(tag))
        neighbour = element.find(qn(after))
        if neighbour is not None:
            neighbour.addnext(child)
    return child


def _kpis(slide, kpis, top) -> int:
    """A row of KPI cards (label, value, 同比); returns the height used."""
    if not kpis:
        return 0
    gap = Emu(120_000)
    width = (WIDTH - 2 * MARGIN - gap * (len(kpis) - 1)) // len(kpis)
    height = Emu(1_000_000)
    for index, (label, value, yoy) in enumerate(kpis):
        left = MARGIN + index * (width + gap)
        card = slide.shapes.add_shape(1, left, top, width, height)  # 1 = rectangle
        card.fill.solid()
        card.fill.fore_color.rgb = _rgb(palette.FAINT)
        card.line.fill.background()
        card.shadow.inherit = False
        _text(
            slide, left + Emu(80_000), top + Emu(40_000), width - Emu(160_000), Emu(300_000), [label], 12, color=MUTED
        )
        _text(
            slide,
            left + Emu(80_000),
            top + Emu(330_000),
            width - Emu(160_000),
            Emu(380_000),
            [value],
            18,
            bold=True,
            color=ACCENT,
        )
        if yoy:
            _text(
                slide,
                left + Emu(80_000),
                top + Emu(690_000),
                width - Emu(160_000),
                Emu(280_000),
                yoy.split(" · "),  # a month's 环比 and 同比 each on its own line
                11,
                color=MUTED,
            )
    return height + Emu(150_000)


def _content(presentation, deck: Deck, slide_spec: Slide, page: int) -> None:
    slide = presentation.slides.add_slide(presentation.slide_layouts[6])  # blank
    _text(
        slide, MARGIN, Emu(300_000), WIDTH - 2 * MARGIN, Emu(600_000), [slide_spec.title], 28, bold=True, color=ACCENT
    )
    _text(slide, MARGIN, Emu(950_000), WIDTH - 2 * MARGIN, Emu(800_000), [slide_spec.headline], 16)
    top = Emu(1_800_000)
    top += _kpis(slide, slide_spec.kpis, top)
    bottom = HEIGHT - Emu(500_000)
    charts = slide_spec.all_charts
    if charts:  # side by side, each as wide as its categories need (one more for its axis)
        gap = Emu(200_000)
        shares = [len(chart.categories) + 1 for chart in charts]
        room = WIDTH - 2 * MARGIN - gap * (len(charts) - 1)
        left = MARGIN
        for chart, share in zip(charts, shares, strict=True):
            width = Emu(room * share // sum(shares))
            _chart(slide, chart, left, top, width, bottom - top)
            left += width + gap
    elif slide_spec.note:
        _text(slide, MARGIN, top, WIDTH - 2 * MARGIN, Emu(500_000), [slide_spec.note], 16, color=MUTED)
    if slide_spec.bullets:
        _text(
            slide,
            MARGIN,
            top,
            WIDTH - 2 * MARGIN,
            bottom - top,
            list(slide_spec.bullets),
            18,
            gap=14,
            bullet=True,
        )
    _footer(slide, deck, page)


def _cover(presentation, deck: Deck) -> None:
    slide = presentation.slides.add_slide(presentation.slide_layouts[6])
    band = slide.shapes.add_shape(1, 0, Emu(2_000_000), WIDTH, Emu(1_500_000))
    band.fill.solid()
    band.fill.fore_color.rgb = ACCENT
    band.line.fill.background()
    _text(
        slide,
        MARGIN,
        Emu(2_250_000),
        WIDTH - 2 * MARGIN,
        Emu(1_000_000),
        [deck.title],
        40,
        bold=True,
        color=_rgb(palette.WHITE),
        align=PP_ALIGN.CENTER,
    )
    _text(
        slide,
        MARGIN,
        Emu(3_900_000),
        WIDTH - 2 * MARGIN,
        Emu(1_500_000),
        [deck.subtitle, deck.as_of, deck.source],
        20,
        align=PP_ALIGN.CENTER,
    )
    _footer(slide, deck, 1)


def deck_pptx(deck: Deck) -> bytes:
    presentation = Presentation()
    presentation.slide_width, presentation.slide_height = WIDTH, HEIGHT
    _cover(presentation, deck)
    for page, slide_spec in enumerate(deck.slides, start=2):
        _content(presentation, deck, slide_spec, page)
    buffer = io.BytesIO()
    presentation.save(buffer)
    return buffer.getvalue()
