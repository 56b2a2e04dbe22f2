"""ui.accessibility: the script that says lang="zh-CN" and reads Streamlit's English names in Chinese."""

from __future__ import annotations

import re

import pytest

from ui.accessibility import NAMES, PATTERNS, chinese_names_js


def test_script_holds_no_markup_the_sanitiser_would_drop_it_for():
    """Streamlit passes st.html through DOMPurify, which removes a <script> whose text holds a tag (a comment
    mentioning <a> once silenced the whole script)."""
    body = chinese_names_js().split("<script>", 1)[1].removesuffix("</script>")
    assert "<" not in body.replace("<=", "")


def test_every_name_is_chinese():
    """Each replacement is Chinese (a file format's name, CSV, aside)."""
    english = [name for name, chinese in NAMES.items() if re.search(r"[A-Za-z]{2,}", chinese.replace("CSV", ""))]
    assert english == []


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("Help for 乡镇（街道）", "乡镇（街道）的说明"),
        ("Remove 龙山镇", "移除龙山镇"),
        ("Limit 20MB per file • XLSX, CSV", "单个文件不超过20MB • XLSX, CSV"),
    ],
)
def test_patterns_keep_the_widget_label(english, chinese):
    """The JavaScript's patterns, read here with Python's re (the same syntax for these)."""
    for source, to in PATTERNS:
        if re.search(source, english):
            assert re.sub(source, to.replace("$1", r"\1").replace("$2", r"\2"), english) == chinese
            return
    raise AssertionError(f"no pattern for {english}")
