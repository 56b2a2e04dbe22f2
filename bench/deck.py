"""Build times of the 汇报材料 (PPTX and PDF) and of the Word 工作简报 on a data folder, cold and warm.

Each format is built the way `python -m dpf brief --format F` builds it (dpf.commands.brief): cold is the first
build in a fresh process (data folder opened, DuckDB views new, nothing cached: bench.run runs each format in its
own process), warm the same build again in that process. `python -m bench.deck [FOLDER]` prints the figures.
"""

from __future__ import annotations

import multiprocessing
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from bench.figures import mark, report_section
from dpf.commands.brief import SLIDE_FORMATS, brief_bytes, deck_bytes
from dpf.data.db import open_extracts
from dpf.exports.brief import brief_for
from dpf.exports.deck import deck_for
from dpf.exports.deck_pdf import ConversionFailed

BUILD_FORMATS = ("pptx", "pdf", "docx")  # 汇报材料 as PowerPoint and as PDF (LibreOffice), 简报 as Word
DECK_GOAL_S = 10.0  # issue 24: a full deck under 10 s (marked on every figure of the table)


def worker_build(folder: Path, views: list, fmt: str) -> dict:
    """Seconds: cold (open the folder and build the first view's file: the whole county this year) and warm (the
    same build again); `error` instead when it cannot be built (LibreOffice missing or failing)."""
    start = time.perf_counter()
    extracts = open_extracts(folder)
    year, codes = (views[0].year, tuple(views[0].codes)) if views else (extracts.manifest.as_of.year, ())
    timings = []
    try:
        for _ in range(2):
            if fmt in SLIDE_FORMATS:
                deck_bytes(deck_for(extracts, year, codes), fmt)
            else:
                brief_bytes(brief_for(extracts, year, codes), fmt)
            timings.append(time.perf_counter() - start)
            start = time.perf_counter()
    except ConversionFailed as exc:
        return {"error": str(exc)}
    return {"cold": timings[0], "warm": timings[1]}


DECK_TEXT = (
    "Each file built as `python -m dpf brief --format pptx|pdf|docx` builds it. Cold: the first build in a fresh "
    "process (data folder opened, nothing cached); warm: the same build again in that process. PDF: the deck "
    "built and converted by LibreOffice (a private profile per conversion). Goal (issue 24): a full deck under "
    f"{DECK_GOAL_S:.0f} s."
)


def deck_table(runs: list[dict]) -> list[str]:
    """The 汇报材料 and 简报 table as lines (scales whose deck was measured)."""
    measured, lines = report_section(
        runs, "builds", "汇报材料 (deck) and Word 简报 (whole county this year)", DECK_TEXT
    )
    if not measured:
        return []
    lines += [
        "",
        "| scale | PPTX cold | PPTX warm | PDF cold | PDF warm | 简报 Word cold | 简报 Word warm |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in measured:
        builds = run["builds"]
        cells = [mark(builds[fmt].get(key), DECK_GOAL_S) for fmt in BUILD_FORMATS for key in ("cold", "warm")]
        lines.append(f"| {run['scale']} | " + " | ".join(cells) + " |")
    for run in measured:
        for fmt in BUILD_FORMATS:
            if run["builds"][fmt].get("error"):
                lines += ["", f"{fmt.upper()} at scale {run['scale']} not measured: {run['builds'][fmt]['error']}"]
    return lines


def main(folder: Path) -> None:
    """Print each format's figures, each built in a fresh (spawned) process so that its cold build is cold."""
    for fmt in BUILD_FORMATS:
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
            print(fmt, pool.submit(worker_build, folder, [], fmt).result(), flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "data/demo").resolve())
