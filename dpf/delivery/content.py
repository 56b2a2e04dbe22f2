"""What one delivery holds: the subject with its period, the 要点, the text for a robot, the attachments.

`render` is the one place that turns (what, the occurrence's day, a scope, formats) into a message, with the very
functions `python -m dpf brief` uses (dpf.exports.brief.brief_for, dpf.exports.deck.deck_for, the writers of
dpf.exports.formats), so a township recipient's files are cut to its townships as its dashboard is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from dpf.auth.access import OPEN_SCOPE, Scope
from dpf.auth.accounts import TOWNSHIP
from dpf.data.db import Extracts
from dpf.delivery.schedules import MONTH_BRIEF, WHAT_LABELS
from dpf.delivery.timing import report_month
from dpf.exports.brief import brief_for, brief_markdown
from dpf.exports.brief_masthead import masthead_for
from dpf.exports.deck import deck_for
from dpf.exports.formats import BRIEF_FORMATS, DECK_FORMATS
from dpf.figures.period import Period, period_for
from dpf.formatting import fmt_date, fmt_year, safe_filename
from dpf.narrative.facts import collect_for_extracts
from dpf.narrative.sentences import key_points

MOST_POINTS = 6
ROBOT_BYTES = 4000  # 企业微信's markdown holds at most 4096 bytes; 钉钉's a little more


@dataclass(frozen=True)
class Attachment:
    filename: str
    mime: str
    content: bytes


@dataclass(frozen=True)
class Rendered:
    """A delivery's content. `period`: 2024年 / 2024年6月; `as_of`: 数据截至 as written; `text`: the whole
    briefing's text when the schedule asks for it (format text), else ""."""

    subject: str
    period: str
    as_of: str
    scope: str
    points: tuple[str, ...]
    text: str
    attachments: tuple[Attachment, ...]

    def summary_lines(self) -> list[str]:
        """The message's opening: what, for whom, up to when, then the 要点 one per line."""
        lines = [f"{self.subject}", f"范围：{self.scope}　期间：{self.period}　数据截至{self.as_of}", "", "要点："]
        return lines + [f"{i}. {point}" for i, point in enumerate(self.points, 1)]

    def mail_body(self) -> str:
        lines = self.summary_lines()
        if self.attachments:
            lines += ["", "附件：" + "、".join(a.filename for a in self.attachments)]
        if self.text:
            lines += ["", self.text]
        lines += ["", "（县残联工作数据看板定时发送，数据不含个人信息。）"]
        return "\n".join(lines) + "\n"

    def markdown(self) -> str:
        """The robots' markdown: the subject as a heading, scope and period, the 要点 (cut to fit their limit)."""
        head = [f"### {self.subject}", f"> 范围：{self.scope}　数据截至{self.as_of}", ""]
        tail = [""] + (["完整简报可在看板下载。"] if self.attachments else [])
        points: list[str] = []
        for point in self.points:
            candidate = "\n".join([*head, *points, f"- {point}", *tail])
            if len(candidate.encode("utf-8")) > ROBOT_BYTES:
                break
            points.append(f"- {point}")
        return "\n".join([*head, *points, *tail])


def _as_of_text(as_of: date, month: tuple[int, int] | None) -> str:
    """数据截至 as the subject says it: 2024年9月30日 for the year, 6月30日 for a month (its end, or the data's)."""
    if month is None:
        return fmt_date(as_of)
    cut = Period(*month).cut(as_of)
    return f"{cut.month}月{cut.day}日"


def render(extracts: Extracts, what: str, sent_on: date, codes: Sequence[str], formats: Sequence[str]) -> Rendered:
    """The delivery of `what` (dpf.delivery.schedules.WHAT_LABELS) sent on `sent_on` for the township `codes`
    (() = 全县) in `formats`, every figure cut to those townships as their session's dashboard cuts it. The 年度简报 covers the data's year up to its as-of date; the 月度通报 the month
    before `sent_on` (the one place to change when its functions change)."""
    manifest = extracts.known_manifest()
    month = report_month(sent_on) if what == MONTH_BRIEF else None
    year = month[0] if month else manifest.as_of.year
    if month:  # a month the data do not reach yet is refused in Chinese (the delivery fails with that reason)
        period_for(year, f"{month[0]:04d}-{month[1]:02d}", manifest.as_of)
    access = Scope(frozenset(codes), TOWNSHIP) if codes else OPEN_SCOPE  # as a session of those townships sees
    options: dict[str, Any] = {"month": month[1] if month else None, "access": access}
    # the 要点 (of the year; the 通报's month for a 月度通报)
    data = collect_for_extracts(extracts, year, codes, access=access, month=options["month"])
    scope = data.scope
    as_of_text = _as_of_text(manifest.as_of, month)
    period = Period(*month).name if month else fmt_year(year, manifest.as_of)
    subject = f"{scope if codes else ''}{period}残联工作简报（数据截至{as_of_text}）"
    points = tuple(s.text for s in key_points(data, "overview", MOST_POINTS))
    brief = brief_for(extracts, year, codes, **options) if {"docx", "text"} & set(formats) else None
    deck = deck_for(extracts, year, codes, **options) if set(DECK_FORMATS) & set(formats) else None
    attachments = []
    for fmt in formats:
        if fmt == "docx" and brief is not None:
            masthead = masthead_for(manifest)  # as `python -m dpf brief`: the manifest's county, else XX县
            name = safe_filename(f"{WHAT_LABELS[what]}_{scope}_{period}_截至{as_of_text}") + BRIEF_FORMATS[fmt].suffix
            attachments.append(Attachment(name, BRIEF_FORMATS[fmt].mime, BRIEF_FORMATS[fmt].writer(brief, masthead)))
        elif fmt in DECK_FORMATS and deck is not None:
            spec = DECK_FORMATS[fmt]
            name = safe_filename(f"汇报材料_{scope}_{period}_截至{as_of_text}") + spec.suffix
            attachments.append(Attachment(name, spec.mime, spec.writer(deck)))
    text = brief_markdown(brief) if brief is not None and "text" in formats else ""
    return Rendered(subject, period, as_of_text, scope, points, text, tuple(attachments))
