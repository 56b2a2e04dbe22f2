"""Build times of the 汇报材料 (PPTX, and its PDF) and of the Word 工作简报 on a data folder, cold and warm.

Cold is the first build in a fresh process (DuckDB views opened, nothing cached: bench.run runs each worker in
its own process), warm the same build again in that process. The PDF is the deck built and converted by
LibreOffice (what the 汇报材料's PDF download waits for). `python -m bench.deck [FOLDER]` prints the figures
(both parts in this one process, so the 简报's "cold" comes after the deck there).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench.figures import mark
from dpf.brief import brief_for
from dpf.brief_docx import brief_docx
from dpf.db import open_extracts
from dpf.deck import deck_for
from dpf.deck_pdf import ConversionFailed, pptx_to_pdf
from dpf.deck_pptx import deck_pptx

DECK_GOAL_S = 10.0  # issue 24: a full deck under 10 s (marked on every figure of the table)


def _view(views: list) -> tuple[int | None, tuple[str, ...]]:
    """The year and township codes of the first view (the whole county this year), or the folder's year."""
    return (views[0].year, tuple(views[0].codes)) if views else (None, ())


def _twice(build: Callable[[], bytes]) -> tuple[float, float, bytes]:
    """Seconds of the first and the second call of `build`, and what the second made."""
    timings = []
    made = b""
    for _ in range(2):
        start = time.perf_counter()
        made = build()
        timings.append(time.perf_counter() - start)
    return timings[0], timings[1], made


def worker_deck(folder: Path, views: list) -> dict:
    """Seconds: pptx_cold (open the folder and build), pptx_warm (build again), pdf_cold / pdf_warm (build and
    convert); pdf_error instead when LibreOffice cannot convert."""
    year, codes = _view(views)
    start = time.perf_counter()
    extracts = open_extracts(folder)
    year = year or extracts.manifest.as_of.year
    opened = time.perf_counter() - start
    cold, warm, _ = _twice(lambda: deck_pptx(deck_for(extracts, year, codes)))
    figures: dict = {"pptx_cold": opened + cold, "pptx_warm": warm}
    try:
        pdf_cold, pdf_warm, _ = _twice(lambda: pptx_to_pdf(deck_pptx(deck_for(extracts, year, codes))))
    except ConversionFailed as exc:
        figures["pdf_error"] = str(exc)
    else:
        figures.update(pdf_cold=pdf_cold, pdf_warm=pdf_warm)
    return figures


def worker_brief(folder: Path, views: list) -> dict:
    """Seconds: docx_cold (open the folder, gather the 简报 and write the Word file), docx_warm (again)."""
    year, codes = _view(views)
    start = time.perf_counter()
    extracts = open_extracts(folder)
    year = year or extracts.manifest.as_of.year
    opened = time.perf_counter() - start
    cold, warm, _ = _twice(lambda: brief_docx(brief_for(extracts, year, codes)))
    return {"docx_cold": opened + cold, "docx_warm": warm}


def deck_table(runs: list[dict]) -> list[str]:
    """The 汇报材料 and 简报 table as lines (scales whose deck was measured)."""
    measured = [run for run in runs if run.get("deck")]
    if not measured:
        return []
    lines = [
        "",
        "### 汇报材料 (deck) and Word 简报 (whole county this year)",
        "",
        "Cold: the first build in a fresh process (data folder opened, nothing cached); warm: the same build again in "
        "that process. PDF: the deck built and converted by LibreOffice (a private profile per conversion), as the "
        f"PDF download waits for it. Goal (issue 24): a full deck under {DECK_GOAL_S:.0f} s.",
        "",
        "| scale | PPTX cold | PPTX warm | PDF cold | PDF warm | 简报 Word cold | 简报 Word warm |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in measured:
        deck, brief = run["deck"], run.get("brief", {})
        cells = [mark(deck.get(key), DECK_GOAL_S) for key in ("pptx_cold", "pptx_warm", "pdf_cold", "pdf_warm")]
        cells += [mark(brief.get(key), DECK_GOAL_S) for key in ("docx_cold", "docx_warm")]
        lines.append(f"| {run['scale']} | " + " | ".join(cells) + " |")
    for run in measured:
        if run["deck"].get("pdf_error"):
            lines += ["", f"PDF at scale {run['scale']} not measured: {run['deck']['pdf_error']}"]
    return lines


if __name__ == "__main__":
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "data/demo")
    figures = {**worker_deck(folder, []), **worker_brief(folder, [])}
    print(
        "  ".join(
            f"{key} {value:.2f} s" if isinstance(value, float) else f"{key}: {value}" for key, value in figures.items()
        )
    )
