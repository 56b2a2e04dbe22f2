"""The 汇报材料 as PDF: the PowerPoint file converted by LibreOffice headless (soffice), which embeds the fonts it
lays out with (Noto Sans CJK for Chinese) and needs no network. Measured against Chromium printing an HTML rendering
in the README: the same slides, native charts drawn by LibreOffice, no second layout to keep in step.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

TIMEOUT_S = 120
FONTS = Path(__file__).with_name("deck_fonts.conf")  # 微软雅黑 -> Noto Sans CJK SC (not its Japanese cut)


class ConversionFailed(Exception):
    """The PDF could not be made (LibreOffice missing, failed or too slow); the message is Chinese."""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _environment(work: Path) -> dict[str, str]:
    """soffice's environment: the deck's font mapping and a private HOME (no shared state between conversions)."""
    return {**os.environ, "FONTCONFIG_FILE": str(FONTS), "HOME": str(work)}


def pptx_to_pdf(slides: bytes) -> bytes:
    """The PDF of a .pptx (each slide one page), by `soffice --headless --convert-to pdf` in a private profile."""
    program = soffice()
    if program is None:
        raise ConversionFailed("生成 PDF 需要 LibreOffice（libreoffice-impress-nogui），本机未安装。")
    with tempfile.TemporaryDirectory(prefix="dpf-deck-") as folder:
        work = Path(folder)
        source = work / "deck.pptx"
        source.write_bytes(slides)
        command = [
            program,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",  # concurrent conversions do not share a profile
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(source),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=TIMEOUT_S, check=False, env=_environment(work))
        except subprocess.TimeoutExpired as exc:
            raise ConversionFailed(f"生成 PDF 超时（超过{TIMEOUT_S}秒）。") from exc
        result = work / "deck.pdf"
        if not result.is_file() or result.stat().st_size == 0:
            raise ConversionFailed("LibreOffice 未能生成 PDF，请改用 PPT 格式。")
        return result.read_bytes()
