"""总览's two briefing downloads in a real Chromium: the Word 工作简报 and the 汇报材料 (PPT) arrive and open."""

from __future__ import annotations

import pytest
from docx import Document
from pptx import Presentation

from tests.browser import harness

pytestmark = pytest.mark.browser


def test_word_and_slides_download_from_the_overview(page, server, tmp_path):
    harness.open_page(page, server.url)
    word = tmp_path / "brief.docx"
    harness.download(page, page.get_by_role("button", name="下载工作简报（Word）")).save_as(word)
    assert any("资金发放" in paragraph.text for paragraph in Document(str(word)).paragraphs)
    slides = tmp_path / "deck.pptx"
    deck = harness.download(page, page.get_by_role("button", name="下载汇报材料（PPT）"))
    assert deck.suggested_filename.startswith("汇报材料_全县_2024年") and deck.suggested_filename.endswith(".pptx")
    deck.save_as(slides)
    presentation = Presentation(str(slides))
    assert len(presentation.slides) >= 8
    assert sum(shape.has_chart for slide in presentation.slides for shape in slide.shapes) >= 5
