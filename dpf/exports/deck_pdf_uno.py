"""PPTX to PDF inside LibreOffice, without its spacing between Chinese and Latin text (run by LibreOffice's Python).

`python3 deck_pdf_uno.py SOURCE.pptx OUT.pdf PROFILE_URL SOFFICE`: starts SOFFICE headless on a private pipe with
its own profile, opens the deck, turns off "spacing between Asian and non-Asian text" (ParaIsCharacterDistance) in
every text box and every chart's titles, axes, legend and data labels, and exports the PDF. A PowerPoint file has no
such setting, so LibreOffice's default (on) would write "2024 年 9 月 30 日" and "9.1% 。" where the slide says
2024年9月30日. Only the standard library and LibreOffice's `uno` module are imported (dpf.exports.deck_pdf runs it with the
interpreter that has `uno`, Debian's python3-uno).
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import uno  # LibreOffice's Python bridge (python3-uno)
from com.sun.star.beans import PropertyValue

# A pyuno proxy: its UNO interfaces are resolved at run time, so it has no static type to check against.
Uno = Any

SPACING = "ParaIsCharacterDistance"
CONNECT_S = 60


def _property(name: str, value: object) -> PropertyValue:
    prop = PropertyValue()
    prop.Name, prop.Value = name, value
    return prop


def _no_spacing(thing: Uno) -> None:
    """Turn the spacing off where `thing` (a paragraph, a chart part) has the property."""
    try:
        if thing is not None and thing.getPropertySetInfo().hasPropertyByName(SPACING):
            thing.setPropertyValue(SPACING, False)
    except Exception:  # a part without properties: nothing to turn off
        pass


def _text(shape: Uno) -> None:
    try:
        paragraphs = shape.getText().createEnumeration()
    except Exception:  # a shape without text
        return
    while paragraphs.hasMoreElements():
        _no_spacing(paragraphs.nextElement())


def _title(owner: Uno) -> None:
    title = owner.getTitleObject() if owner is not None else None
    if title is not None:
        _no_spacing(title)
        for part in title.getText():
            _no_spacing(part)


def _chart(model: Uno) -> None:
    """A chart's title, legend, axes (tick labels and titles) and series (data labels)."""
    _title(model)
    diagram = model.getFirstDiagram()
    if diagram is None:
        return
    _no_spacing(diagram.getLegend())
    for system in diagram.getCoordinateSystems():
        for dimension in range(system.getDimension()):
            try:
                axis = system.getAxisByDimension(dimension, 0)
            except Exception:  # no axis in this dimension
                continue
            _no_spacing(axis)
            _title(axis)
        for kind in system.getChartTypes():
            for series in kind.getDataSeries():
                _no_spacing(series)


def _shape(shape: Uno) -> None:
    if shape.supportsService("com.sun.star.drawing.GroupShape"):
        for index in range(shape.getCount()):
            _shape(shape.getByIndex(index))
        return
    if shape.supportsService("com.sun.star.drawing.OLE2Shape"):
        model = shape.Model
        if model is not None and hasattr(model, "getFirstDiagram"):
            _chart(model)
            model.setModified(True)
        return
    _text(shape)


def _connect(pipe: str) -> Uno:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + CONNECT_S
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def convert(source: Path, out: Path, profile: str, soffice: str) -> None:
    pipe = f"dpf_deck_{uuid.uuid4().hex}"
    office = subprocess.Popen(
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        context = _connect(pipe)
        desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        document = desktop.loadComponentFromURL(source.resolve().as_uri(), "_blank", 0, (_property("Hidden", True),))
        pages = document.getDrawPages()
        for index in range(pages.getCount()):
            page = pages.getByIndex(index)
            for shape in range(page.getCount()):
                _shape(page.getByIndex(shape))
        document.storeToURL(out.resolve().as_uri(), (_property("FilterName", "impress_pdf_Export"),))
        document.close(True)
        with contextlib.suppress(Exception):  # the office ends as the bridge closes
            desktop.terminate()
        office.wait(timeout=30)
    finally:
        if office.poll() is None:
            office.kill()
            office.wait()


if __name__ == "__main__":
    convert(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4])
