"""信息无障碍 in the browser: the page says it is Chinese (lang="zh-CN") and Streamlit's English accessible names are
read out in Chinese.

Streamlit 1.67 has no setting for either: its index.html says <html lang="en"> and its widgets name their icon
buttons in English (Help for 年度, Open, Sidebar, Skip to main content …). One small script, run once per browser
tab, sets the language and watches the page (a MutationObserver): every aria-label, title or text in `NAMES` or
`PATTERNS` is replaced by its Chinese, again whenever Streamlit draws it anew; a static table too wide for its
box (it scrolls sideways) becomes a focusable region the keyboard can scroll; and a chart's drawing is hidden from
a screen reader, which reads its description and data table instead (ui.chart_text). Only exact, known English
strings are touched, so a Streamlit upgrade that renames one leaves it English (tests/browser/test_accessibility.py lists
every accessible name of every page and fails on an English word) and never breaks a page.
"""

from __future__ import annotations

import json

LANG = "zh-CN"

# Streamlit's English names (aria-label, title, or a link's text) and what a Chinese screen reader says instead.
NAMES: dict[str, str] = {
    "Skip to main content": "跳到主要内容",
    "Sidebar": "侧边栏",
    "App pages": "页面",
    "Collapse sidebar": "收起侧边栏",
    "Expand sidebar": "展开侧边栏",
    "Navigate to home page": "回到首页",
    "Main menu": "主菜单",
    "Help": "说明",
    "Open": "展开选项",
    "Close": "关闭",
    "Clear all": "全部清除",
    "Clear value": "清除",
    "Selected values": "已选项",
    "Scroll tabs left": "向左滚动标签页",
    "Scroll tabs right": "向右滚动标签页",
    "Link to heading": "本节链接",
    "Copy to clipboard": "复制",
    "Fullscreen": "全屏显示",
    "Close fullscreen": "退出全屏",
    "Download as CSV": "下载 CSV",
    "Search": "搜索",
    "Show/hide columns": "显示或隐藏列",
    "Running...": "正在运行",
    "Stop script": "停止运行",
    "Notifications": "通知",
    "Increment": "增加",
    "Decrement": "减少",
    "Previous page": "上一页",
    "Next page": "下一页",
    "Show password": "显示密码",
    "Hide password": "隐藏密码",
    "No results": "没有匹配的选项",
    "Add files": "添加文件",
    "file upload": "上传文件",
    "Browse files": "选择文件",
    "Drag and drop file here": "将文件拖到此处",
    "Drag and drop files here": "将文件拖到此处",
}
# (regular expression, replacement in JavaScript's $1 syntax) for names that carry the widget's own label.
PATTERNS: tuple[tuple[str, str], ...] = (
    (r"^Help for (.+)$", "$1的说明"),
    (r"^Remove (.+)$", "移除$1"),
    (r"^Upload (.+)$", "上传$1"),
    (r"^Limit (\S+) per file(.*)$", "单个文件不超过$1$2"),
)

_SCRIPT = """<span class="dpf-names-script"></span><script>
(() => {
  document.documentElement.lang = @lang;
  if (window.dpfChineseNames) return;
  window.dpfChineseNames = true;
  const names = @names;
  const patterns = @patterns.map(([source, to]) => [new RegExp(source), to]);
  const chinese = (text) => {
    const trimmed = (text || "").trim();
    if (!trimmed || !/[A-Za-z]/.test(trimmed)) return null;
    if (Object.prototype.hasOwnProperty.call(names, trimmed)) return names[trimmed];
    for (const [pattern, to] of patterns) if (pattern.test(trimmed)) return trimmed.replace(pattern, to);
    return null;
  };
  // (no markup in this script: Streamlit's HTML sanitiser drops a script whose text holds a tag)
  const relabel = () => {
    if (document.documentElement.lang !== @lang) document.documentElement.lang = @lang;
    for (const attribute of ["aria-label", "title"]) {
      document.querySelectorAll(`[${attribute}]`).forEach((element) => {
        const to = chinese(element.getAttribute(attribute));
        if (to !== null) element.setAttribute(attribute, to);
      });
    }
    // texts Streamlit writes into the page itself: the skip link, an empty list's option, the file uploader's words
    document.querySelectorAll('[data-testid="stSkipToContent"], [role="option"] span, '
        + '[data-testid="stFileUploaderDropzone"] span, [data-testid="stFileUploaderDropzone"] small, '
        + '[data-testid="stFileUploaderDropzone"] button').forEach((element) => {
      for (const node of element.childNodes) {
        if (node.nodeType !== Node.TEXT_NODE) continue;
        const to = chinese(node.nodeValue);
        if (to !== null) node.nodeValue = to;
      }
    });
  };
  // a static table wider than its box scrolls sideways: the keyboard must reach it to scroll (axe-core's
  // scrollable-region-focusable), and a screen reader hears what it is
  const scrollable = () => {
    document.querySelectorAll('[data-testid="stTable"] > div').forEach((box) => {
      const wide = box.scrollWidth > box.clientWidth + 1;
      if (wide && box.getAttribute("tabindex") !== "0") {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", "表格（可左右滚动）");
      } else if (!wide && box.getAttribute("tabindex") === "0") {
        ["tabindex", "role", "aria-label"].forEach((name) => box.removeAttribute(name));
      }
    });
  };
  // a chart's drawing is its tick labels and shapes one by one: a screen reader hears its description (ui.chart_text,
  // just before it) and its data table instead; the chart's toolbar stays reachable
  const quietCharts = () => {
    document.querySelectorAll(".js-plotly-plot svg.main-svg:not([aria-hidden])").forEach((svg) => {
      svg.setAttribute("aria-hidden", "true");
    });
  };
  let queued = false;
  const later = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; relabel(); scrollable(); quietCharts(); });
  };
  new MutationObserver(later).observe(document.body, {
    subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ["aria-label", "title"],
  });
  window.addEventListener("resize", later);
  relabel();
  scrollable();
  quietCharts();
})();
</script>"""


def chinese_names_js() -> str:
    """The script (for st.html(..., unsafe_allow_javascript=True)) that sets lang and relabels in Chinese."""
    return (
        _SCRIPT.replace("@lang", json.dumps(LANG))
        .replace("@names", json.dumps(NAMES, ensure_ascii=False))
        .replace("@patterns", json.dumps([list(pair) for pair in PATTERNS], ensure_ascii=False))
    )
