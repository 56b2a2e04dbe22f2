"""The frame every page lives in: page config, navigation, sidebar filters and the shared view."""

from __future__ import annotations

from functools import cache
from html import escape
from pathlib import Path

import streamlit as st

from dpf import palette
from dpf.auth.access import Scope, session_scope
from dpf.auth.accounts import ADMIN
from ui.accessibility import chinese_names_js
from ui.auth import audit_page_view, authenticate, session_sidebar
from ui.context import set_view
from ui.data import current_source, open_cached
from ui.filters import sidebar_filters
from ui.page_table import PAGES


def page_titles(scope: Scope) -> list[str]:
    """The pages the scope may open (ui.page_table: 数据导入 for the data administrator only, 数据状况 not for a
    township account)."""
    return [spec.title for spec in PAGES if spec.may_open(scope)]


def navigation_pages(scope: Scope) -> dict[str, list]:
    sections: dict[str, list] = {}
    for index, spec in enumerate(PAGES):
        if not spec.may_open(scope) or not spec.path.is_file():
            continue
        page = st.Page(str(spec.path), title=spec.title, icon=spec.icon, default=index == 0)
        sections.setdefault(spec.group, []).append(page)
    return sections


def sidebar_navigation(sections: dict[str, list]) -> None:
    """The pages as links in the sidebar, under their group's name. Streamlit's own grouped navigation puts its
    links in a list whose items sit in a <div> (axe-core: `list` and `listitem`, serious, a screen reader hears no
    list); page links are plain links, and the group's name a line of text before them."""
    for group, pages in sections.items():
        st.sidebar.markdown(f'<p class="dpf-nav-group">{escape(group)}</p>', unsafe_allow_html=True)
        for page in pages:
            st.sidebar.page_link(page, width="stretch")


# Cards shrink their type with their width (container query units) and wrap their labels, so no value or label is
# cut at 1280 wide; a phone shows two cards per row; Streamlit's English toolbars and running widget are hidden;
# printing gives A4 pages without the sidebar, each card row and chart kept whole.
BASE_CSS = """
<style>
[data-testid="stMetric"] { container-type: inline-size; }
/* a value such as 1,138.08万元 is about 6.5 em wide: its type follows the card's width, and a long text value wraps */
[data-testid="stMetricValue"] { font-size: clamp(1rem, calc((100cqi - 24px) / 7.2), 1.85rem); }
[data-testid="stMetricValue"], [data-testid="stMetricValue"] div, [data-testid="stMetricValue"] p {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important; height: auto !important; }
[data-testid="stMetricLabel"] p { font-size: clamp(0.8rem, 9cqi, 0.95rem); }
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] div, [data-testid="stMetricLabel"] p,
[data-testid="stMetricDelta"] div, [data-testid="stMetricDelta"] p {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  overflow-wrap: anywhere; }
[data-testid="stMetricDelta"] p { font-size: clamp(0.75rem, calc((100cqi - 40px) / 10), 0.95rem); }
/* ui.cards.kpi_grid: one wrapping row of cards, N a row (kpi_grid_N_…), two a row on a phone */
[class*="st-key-kpi_grid_"] { gap: 1rem !important; }
[class*="st-key-kpi_grid_"] > [data-testid="stElementContainer"] { min-width: 0 !important; }
[class*="st-key-kpi_grid_"] [data-testid="stMetric"] { width: 100%; }
[class*="st-key-kpi_grid_3_"] > [data-testid="stElementContainer"] { flex: 0 0 calc((100% - 2rem) / 3) !important; }
[class*="st-key-kpi_grid_4_"] > [data-testid="stElementContainer"] { flex: 0 0 calc((100% - 3rem) / 4) !important; }
[class*="st-key-kpi_grid_5_"] > [data-testid="stElementContainer"] { flex: 0 0 calc((100% - 4rem) / 5) !important; }
[data-testid="stElementToolbar"], [data-testid="stStatusWidget"] { display: none !important; }
@media (max-width: 1500px) {
  .block-container, [data-testid="stMainBlockContainer"] { padding: 3rem 2rem 2rem 2rem !important; }
}
@media (max-width: 640px) {
  [data-testid="stHorizontalBlock"]:has([data-testid="stMetric"]) { flex-flow: row wrap !important; gap: 0.5rem !important; }
  [data-testid="stHorizontalBlock"]:has([data-testid="stMetric"]) > [data-testid="stColumn"] {
    flex: 0 0 calc(50% - 0.25rem) !important; min-width: calc(50% - 0.25rem) !important;
    width: calc(50% - 0.25rem) !important; }
  [data-testid="stHorizontalBlock"]:has([data-testid="stMetric"]) > [data-testid="stColumn"]:has(> div:empty) {
    display: none !important; }
  [class*="st-key-kpi_grid_"] { gap: 0.5rem !important; }
  [class*="st-key-kpi_grid_"] > [data-testid="stElementContainer"] { flex: 0 0 calc(50% - 0.25rem) !important; }
  [data-testid="stMetricValue"] { font-size: clamp(1rem, calc((100cqi - 24px) / 7.2), 1.5rem); }
  .block-container, [data-testid="stMainBlockContainer"] { padding-left: 0.75rem !important;
    padding-right: 0.75rem !important; }
}
/* 信息无障碍: captions (Streamlit draws them at 60 % opacity, 4.0:1) and the sidebar's group names keep 4.5:1 */
[data-testid="stCaptionContainer"] { color: @muted; opacity: 1 !important; }
[data-testid="stCaptionContainer"] p { color: @muted; }
/* the names script's element (ui.accessibility) takes no room: no gap of an empty element above the page */
[data-testid="stElementContainer"]:has(.dpf-names-script) { display: none !important; }
/* a chart's description (ui.chart_text) for a screen reader only: out of the flow, so it adds no gap */
[data-testid="stElementContainer"]:has(.dpf-chart-text) { position: absolute !important; width: 1px !important;
  height: 1px !important; overflow: hidden !important; clip-path: inset(50%); white-space: nowrap; margin: 0; }
/* a visible focus ring wherever the keyboard is (Streamlit draws none round page links and select fields) */
a:focus-visible, button:focus-visible, summary:focus-visible, [role="tab"]:focus-visible, [role="switch"]:focus-visible,
.modebar-btn:focus-visible, [tabindex]:focus-visible:not(main):not(canvas) {
  outline: 3px solid @focus !important; outline-offset: 2px !important; }
[data-baseweb="select"]:focus-within > div, [data-baseweb="input"]:focus-within, [data-baseweb="textarea"]:focus-within {
  outline: 3px solid @focus !important; outline-offset: 1px; }
/* 收起侧边栏 shows always, not only under the mouse: the keyboard reaches it (more room at 200 % zoom) */
[data-testid="stSidebarCollapseButton"] { visibility: visible !important; }
/* Plotly's toolbar (下载图片) shows while the keyboard is on it, not only under the mouse */
.js-plotly-plot .modebar:focus-within, .js-plotly-plot .modebar-group:focus-within { opacity: 1 !important; }
/* a chart's data table wraps its cells to the page's width: no box that scrolls sideways (a phone) */
[class*="st-key-dpf_chart_data_"] table { table-layout: fixed; width: 100%; }
[class*="st-key-dpf_chart_data_"] th, [class*="st-key-dpf_chart_data_"] td {
  white-space: normal !important; overflow-wrap: anywhere; }
.dpf-nav-group { font-size: 0.875rem; font-weight: 600; color: @ink; margin: 0.6rem 0 0 0.5rem; }
@page { size: A4 portrait; margin: 10mm; }
@media print {
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
  [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stExpandSidebarButton"],
  [data-testid="stDownloadButton"], [data-testid="stBaseButton-tertiary"], [data-testid="stPopover"],
  [class*="st-key-dpf_chart_data_"],
  .modebar-container { display: none !important; }
  html, body, .stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"], [data-testid="stMainBlockContainer"] {
    overflow: visible !important; height: auto !important; min-height: 0 !important; position: static !important; }
  .block-container, [data-testid="stMainBlockContainer"] { padding: 0 !important; max-width: 100% !important; }
  [data-testid="stPlotlyChart"], [data-testid="stMetric"], [data-testid="stHorizontalBlock"]:not(:has(.js-plotly-plot)),
  [data-testid="stDataFrame"], .dpf-title-block { break-inside: avoid; page-break-inside: avoid; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
</style>
"""
BASE_CSS = BASE_CSS.replace("@muted", palette.MUTED).replace("@ink", palette.INK).replace("@focus", palette.FOCUS_RING)

# Charts are drawn at the screen's width; before printing, a chart wider than the A4 page (190 mm at 96 dpi) is
# scaled to fit and restored afterwards.
PRINT_FIT_JS = """
<script>
(() => {
  if (window.dpfPrintFit) return;
  window.dpfPrintFit = true;
  const PAGE_PX = 718;
  window.addEventListener("beforeprint", () => {
    document.querySelectorAll('[data-testid="stPlotlyChart"]').forEach((chart) => {
      const svg = chart.querySelector(".main-svg");
      const width = svg ? svg.getBoundingClientRect().width : 0;
      if (width > PAGE_PX) chart.style.zoom = (PAGE_PX / width).toFixed(3);
    });
  });
  window.addEventListener("afterprint", () => {
    document.querySelectorAll('[data-testid="stPlotlyChart"]').forEach((chart) => { chart.style.zoom = ""; });
  });
})();
</script>
"""


# Pages that draw no Plotly chart (they need not fetch Plotly's code early).
CHARTLESS_PAGES = frozenset(spec.title for spec in PAGES if not spec.charts)


@cache
def plotly_preload_js() -> str:
    """A script that starts loading Streamlit's Plotly chart code (a 4.7 MB module, fetched and compiled by the
    browser when the first chart arrives, i.e. near the end of a page's run) as soon as the run begins, so it is
    ready when the charts come. The module's URL is the one Streamlit's own lazy import uses (beside its index
    script); without the file (another Streamlit build) nothing is done."""
    found = sorted((Path(st.__file__).parent / "static" / "static" / "js").glob("PlotlyChart.*.js"))
    if len(found) != 1:
        return ""
    return f"""<script>
(() => {{
  if (window.dpfPlotlyPreload) return;
  const index = document.querySelector('script[type="module"][src*="/static/js/index."]');
  if (!index) return;
  window.dpfPlotlyPreload = import(new URL("{found[0].name}", index.src).href).catch(() => null);
}})();
</script>"""


def bootstrap() -> st.Page:
    """Set up the frame and return the page the URL asks for (the caller runs it)."""
    st.set_page_config(page_title="县残联工作数据看板", page_icon=":material/accessible:", layout="wide")
    st.html(BASE_CSS)
    st.html(chinese_names_js(), unsafe_allow_javascript=True)  # lang="zh-CN" and Chinese names, login page too
    folder, fingerprint = current_source()
    manifest = open_cached(folder, fingerprint).manifest
    is_demo = manifest.is_demo if manifest else False
    # Until the login every page is registered (hidden, none runs), so the URL's page opens after it.
    session = authenticate(folder, is_demo, navigation_pages(session_scope(ADMIN)), page_titles)
    st.html(PRINT_FIT_JS, unsafe_allow_javascript=True)
    sections = navigation_pages(session.scope)
    current = st.navigation(sections, position="hidden")
    sidebar_navigation(sections)
    if current.title not in CHARTLESS_PAGES and plotly_preload_js():
        st.html(plotly_preload_js(), unsafe_allow_javascript=True)
    view = sidebar_filters(session.scope, session.account_name)
    set_view(view)
    session_sidebar(session, folder)
    audit_page_view(session, folder, current.title, view.scope, view.year)
    return current
