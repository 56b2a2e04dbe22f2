"""A page's sections as tabs of which only the chosen one runs."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st
from streamlit.delta_generator import DeltaGenerator


def open_section(key: str, labels: Sequence[str]) -> tuple[str, DeltaGenerator]:
    """Draw one tab per label and return the chosen label and its container.

    Only the chosen section is computed and drawn (Streamlit's lazy tabs), so a filter change
    redraws the page's cards and one section instead of every chart on the page. The choice is
    kept in the URL (?key=label): a copied link or a reload opens the same section.
    """
    tabs = st.tabs(list(labels), key=key, bind="query-params")
    for label, tab in zip(labels, tabs, strict=True):
        if tab.open:
            return label, tab
    return labels[0], tabs[0]
