"""The 汇报材料's build time on a data folder: the deck (PPTX) cold and warm in one process, and its PDF.

Cold is the first build in a fresh process (DuckDB views opened, nothing cached); warm the same build again.
`python -m bench.deck [FOLDER]` prints the figures; bench/run.py prints them for each scale it measures.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from dpf.db import open_extracts
from dpf.deck import deck_for
from dpf.deck_pdf import pptx_to_pdf
from dpf.deck_pptx import deck_pptx


def measure_deck(folder: Path, year: int | None = None) -> dict[str, float]:
    """Seconds: pptx_cold (open the folder and build), pptx_warm (build again), pdf (LibreOffice conversion)."""
    figures = {}
    start = time.perf_counter()
    extracts = open_extracts(folder)
    year = year or extracts.manifest.as_of.year
    slides = deck_pptx(deck_for(extracts, year))
    figures["pptx_cold"] = time.perf_counter() - start
    start = time.perf_counter()
    slides = deck_pptx(deck_for(extracts, year))
    figures["pptx_warm"] = time.perf_counter() - start
    start = time.perf_counter()
    pptx_to_pdf(slides)
    figures["pdf"] = time.perf_counter() - start
    return figures


def deck_line(folder: Path) -> str:
    figures = measure_deck(folder)
    return (
        f"汇报材料: PPTX cold {figures['pptx_cold']:.2f} s, warm {figures['pptx_warm']:.2f} s; "
        f"PDF (LibreOffice) {figures['pdf']:.2f} s"
    )


if __name__ == "__main__":
    print(deck_line(Path(sys.argv[1] if len(sys.argv) > 1 else "data/demo")))
