"""The 汇报材料 as PDF: the PowerPoint file converted by LibreOffice headless (soffice), which embeds the fonts it
lays out with (Noto Sans CJK for Chinese) and needs no network. Measured against Chromium printing an HTML rendering
in the README: the same slides, native charts drawn by LibreOffice, no second layout to keep in step.

LibreOffice puts a gap between Chinese and Latin text ("2024 年 9 月 30 日") unless a paragraph says otherwise, and a
PowerPoint file cannot say it; so where LibreOffice's Python bridge (python3-uno) is installed the conversion runs
dpf/exports/deck_pdf_uno.py, which turns the gap off in every text box and chart, and plain `--convert-to pdf` elsewhere.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from functools import cache
from pathlib import Path

TIMEOUT_S = 120
FONTS = Path(__file__).with_name("deck_fonts.conf")  # 微软雅黑 -> Noto Sans CJK SC (not its Japanese cut)
UNO_SCRIPT = Path(__file__).with_name("deck_pdf_uno.py")
UNO_PYTHONS = ("/usr/lib/libreoffice/program/python", "/usr/bin/python3")  # LibreOffice's own, Debian's


class ConversionFailed(Exception):
    """The PDF could not be made (LibreOffice missing, failed or too slow); the message is Chinese."""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@cache
def uno_python() -> str | None:
    """An interpreter that imports LibreOffice's `uno` (LibreOffice's bundled one, else Debian's python3 with
    python3-uno), or None."""
    for candidate in UNO_PYTHONS:
        if Path(candidate).is_file():
            found = subprocess.run([candidate, "-c", "import uno"], capture_output=True, timeout=30, check=False)
            if found.returncode == 0:
                return candidate
    return None


def _commands(program: str, work: Path, source: Path) -> list[list[str]]:
    """The conversions to try in turn: through deck_pdf_uno.py where `uno` imports, then soffice's own --convert-to
    (with LibreOffice's gaps, but a PDF)."""
    profile = (work / "profile").as_uri()  # concurrent conversions do not share a profile
    plain = [
        program,
        f"-env:UserInstallation={profile}",
        "--headless",
        "--norestore",
        "--convert-to",
        "pdf",
        "--outdir",
        str(work),
        str(source),
    ]
    python = uno_python()
    if python is None:
        return [plain]
    return [[python, str(UNO_SCRIPT), str(source), str(work / "deck.pdf"), profile, program], plain]


def _environment(work: Path) -> dict[str, str]:
    """soffice's environment: the deck's font mapping and a private HOME (no shared state between conversions)."""
    return {**os.environ, "FONTCONFIG_FILE": str(FONTS), "HOME": str(work)}


def _run(command: list[str], env: dict[str, str]) -> None:
    """Run the conversion in its own process group, so a conversion that runs too long ends with every office
    process it started."""
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True
    )
    try:
        process.wait(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired as exc:
        raise ConversionFailed(f"生成 PDF 超时（超过{TIMEOUT_S}秒）。") from exc
    finally:
        with contextlib.suppress(ProcessLookupError):  # an office process left behind ends with the conversion
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def pptx_to_pdf(slides: bytes) -> bytes:
    """The PDF of a .pptx (each slide one page), by LibreOffice headless in a private profile (`_commands`)."""
    program = soffice()
    if program is None:
        raise ConversionFailed("生成 PDF 需要 LibreOffice（libreoffice-impress-nogui），本机未安装。")
    with tempfile.TemporaryDirectory(prefix="dpf-deck-") as folder:
        work = Path(folder)
        source = work / "deck.pptx"
        source.write_bytes(slides)
        result = work / "deck.pdf"
        for command in _commands(program, work, source):
            _run(command, _environment(work))
            if result.is_file() and result.stat().st_size > 0:
                return result.read_bytes()
        raise ConversionFailed("LibreOffice 未能生成 PDF，请改用 PPT 格式。")
