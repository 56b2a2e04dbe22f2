"""简报模式's map slide: beside the tiles, what the map says in words (the tiles alone leave half the frame empty)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dpf.formatting import fmt_count

SIDE_TOWNSHIPS = 5  # townships named at each end


def map_summary(frame: pd.DataFrame) -> list[tuple[str, list[str]]]:
    """Headed lists of lines about a map's rows (code, name, value and, for a status map, `status`: a Status):
    a status map counts its townships per status, laggards first, and names the lowest completions; a value map
    names the highest and the lowest values (every township, highest first, when there are few), each with its
    tile's `label` on one line; a row without a value is counted as 暂无数据."""
    valued = frame[frame["value"].notna()]
    missing = len(frame) - len(valued)
    highest = _lines(valued.sort_values(["value", "name"], ascending=[False, True]))
    lowest = _lines(valued.sort_values(["value", "name"]))[:SIDE_TOWNSHIPS]  # equal values by name either way
    if "status" in frame:
        counts = frame["status"].value_counts()
        by_status = [
            f"{status.emoji} {status.label}　{fmt_count(int(counts[status]), '个')}"
            for status in sorted(counts.index, key=lambda status: status.rank)
        ]
        return [("各状态乡镇（街道）数", by_status), (f"完成率最低的{len(lowest)}个", lowest)]
    parts = (
        [("由高到低", highest)]
        if len(highest) <= 2 * SIDE_TOWNSHIPS
        else [(f"最高的{SIDE_TOWNSHIPS}个", highest[:SIDE_TOWNSHIPS]), (f"最低的{SIDE_TOWNSHIPS}个", lowest)]
    )
    if missing:
        parts.append(("暂无数据", [fmt_count(missing, "个乡镇（街道）")]))
    return parts


def show_map_summary(parts: list[tuple[str, list[str]]]) -> None:
    """The headed lists in one bordered box, as the 要点 box beside it on the slide."""
    with st.container(border=True, key="dpf_box_map_summary"):
        for heading, lines in parts:
            st.markdown(f"**{heading}**")
            st.markdown("\n".join(f"- {line}" for line in lines))


def one_line(label: str) -> str:
    """A tile's label on one line: 40.0%<br>严重滞后 → 40.0%（严重滞后）."""
    first, *rest = label.split("<br>")
    return f"{first}（{'，'.join(rest)}）" if rest else first


def _lines(rows: pd.DataFrame) -> list[str]:
    return [f"{name}　{one_line(label)}" for name, label in rows[["name", "label"]].itertuples(index=False)]
