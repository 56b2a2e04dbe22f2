"""What the accessibility tests read from a page: axe-core's findings, every accessible name, the headings."""

from __future__ import annotations

import re

from axe_playwright_python.sync_playwright import Axe

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    "resultTypes": ["violations"],
}
SERIOUS = {"serious", "critical"}
# Streamlit's own markup that we cannot change, by axe rule id, each with why. Kept empty of our own findings.
ALLOWED: dict[str, str] = {}
# Words that are names of file formats, not English read to the user.
FORMAT_WORDS = {"Excel", "CSV", "PNG", "PDF", "Word", "PPT"}
# An aria snapshot line: "- role "name" [attributes]: text"
SNAPSHOT_LINE = re.compile(r'^\s*- (/?[\w-]+)(?: "((?:[^"\\]|\\.)*)")?(?: \[[^\]]*\])*:?\s*(.*)$')
HEADINGS_JS = (
    "() => [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].filter((h) => h.offsetParent !== null)"
    ".map((h) => [Number(h.tagName[1]), h.innerText.trim()])"
)


def english_words(text: str) -> list[str]:
    """Latin words of two letters or more that are no file-format name."""
    return [word for word in re.findall(r"[A-Za-z]{2,}", text) if word not in FORMAT_WORDS]


def accessible_names(snapshot: str) -> list[str]:
    """Every name and text of an aria snapshot (link targets left out)."""
    names = []
    for line in snapshot.splitlines():
        match = SNAPSHOT_LINE.match(line)
        if not match or match.group(1).startswith("/"):
            continue
        names += [part for part in (match.group(2), match.group(3)) if part]
    return names


def described(violations: list[dict]) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}, {len(v['nodes'])}×): {v['nodes'][0]['html'][:160]}"
        for v in violations
        if v["impact"] in SERIOUS and v["id"] not in ALLOWED
    ]


def serious_findings(page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is (the allow-list left out)."""
    return described(Axe().run(page, options=AXE_OPTIONS).response["violations"])


def english_names(page) -> list[str]:
    """Every accessible name or text of the page that holds an English word."""
    return [name for name in accessible_names(page.locator("body").aria_snapshot()) if english_words(name)]
