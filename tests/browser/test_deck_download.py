"""总览's two briefing downloads in a real Chromium: the Word 工作简报 and the 汇报材料 (PPT) arrive and open."""

from __future__ import annotations

import pytest
from docx import Document
from pptx import Presentation

from tests.browser import harness

pytestmark = pytest.mark.browser


def overview_download(browser, server, name: str, target):
    """One download from 总览, saved to `target`, in a fresh browser context: the server makes the file after the
    click, and when that takes longer than Chromium's user-activation window a second download of the same page
    counts as script-started, which headless Chromium drops; a context per download keeps each the page's first."""
    context = harness.new_context(browser)
    try:
        page = context.new_page()
        harness.open_page(page, server.url)
        download = harness.download(page, page.get_by_role("button", name=name))
        download.save_as(target)
        return download.suggested_filename
    finally:
        context.close()


def test_word_and_slides_download_from_the_overview(browser, server, tmp_path):
    word, slides = tmp_path / "brief.docx", tmp_path / "deck.pptx"
    overview_download(browser, server, "下载工作简报（Word）", word)
    assert any("资金发放" in paragraph.text for paragraph in Document(str(word)).paragraphs)
    name = overview_download(browser, server, "下载汇报材料（PPT）", slides)
    assert name.startswith("汇报材料_全县_2024年") and name.endswith(".pptx")
    presentation = Presentation(str(slides))
    assert len(presentation.slides) >= 8
    assert sum(shape.has_chart for slide in presentation.slides for shape in slide.shapes) >= 5
