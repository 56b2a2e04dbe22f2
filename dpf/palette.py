"""Every colour the dashboard, its 简报模式 slides and the slide deck draw, each with one meaning.

A colour here means one thing wherever it appears: a programme (and its group) has one colour on every page and
slide; this year and last year have one colour each; the status colours stand for a target's status and nothing
else; the chosen townships are marked in a colour no status or programme uses. `MEANINGS` lists every data colour
with what it means (a test walks every figure the pages and the deck build and checks each colour against it), and
no module outside this one writes a colour literal (tests/test_palette.py greps for them).

Pure Python: no Streamlit, no Plotly.
"""

from __future__ import annotations

# --- Years --------------------------------------------------------------------------------------------------------
THIS_YEAR = "#1f5f8b"  # the year shown: its bars, lines and rankings
LAST_YEAR = "#5b93c7"  # 上年同期 beside this year's figures (a lighter shade of the same blue, 3.3:1 on white)

# --- Target status (dpf.figures.schedule.Status: reserved, nothing else uses them) ----------------------------------------
SEVERELY_BEHIND = "#c0392b"
BEHIND = "#c8820f"
AHEAD = "#1f7a8c"
DONE = "#2e7d32"
NOT_STARTED = "#666d77"
NO_TARGET = "#8b929b"
STATUS_COLOURS = {
    "severely_behind": SEVERELY_BEHIND,
    "behind": BEHIND,
    "ahead": AHEAD,
    "done": DONE,
    "not_started": NOT_STARTED,
    "no_target": NO_TARGET,
}

# --- The chosen townships (a ranking's bars, a map's outline): no status or programme uses it ---------------------
CHOSEN = "#111111"

# --- Programmes (dpf.contract.catalogue.PROGRAMS) and their groups: one hue family per group, the group in its first
# programme's colour, so 两项补贴 on 总览 and 护理补贴 on 资金发放 read as one family ----------------------------------
PROGRAM_COLOURS = {
    "nursing_subsidy": "#5e3c99",  # 两项补贴: purple
    "living_subsidy": "#9a86c9",
    "entrepreneurship": "#3e2723",  # 就业创业扶持: brown
    "sunshine_greenhouse": "#6d4c41",
    "assistance_base": "#8d6e63",
    "auxiliary_employment": "#a1887f",
    "student_aid": "#b08a0c",  # 教育资助: yellow (a dark gold: 3:1 on white)
    "cochlear_implant": "#c2185b",  # 康复救助: pink
    "psychiatric_medication": "#e8588a",
    "sunshine_home": "#1a9aaa",  # 阳光家园托养: cyan
    "accessibility_retrofit": "#8f8e21",  # 无障碍改造: olive
    "wheelchair_fuel": "#689a32",  # 燃油补贴: lime
}
OTHER_PROGRAM = "#7d7d7d"  # a programme code the catalogue does not know (an extract's own)
GROUP_FIRST_PROGRAM = {
    "两项补贴": "nursing_subsidy",
    "就业创业扶持": "entrepreneurship",
    "教育资助": "student_aid",
    "康复救助": "cochlear_implant",
    "阳光家园托养": "sunshine_home",
    "无障碍改造": "accessibility_retrofit",
    "燃油补贴": "wheelchair_fuel",
}
GROUP_COLOURS = {group: PROGRAM_COLOURS[code] for group, code in GROUP_FIRST_PROGRAM.items()}

# --- Disability grades (一级 … 四级, then 未匹配): one blue-grey ramp, darker = more severe; 未匹配 a mauve grey -------
GRADE_COLOURS = ("#263238", "#455a64", "#607d8b", "#7f96a1", "#8c7b8c")

# --- Scales: a township's value on a map or a heat map, light (low) to dark (high), in this year's hue -------------
SCALE_LOW = "#6a97c7"  # the lowest value still 3:1 on white (every tile a visible mark)
SCALE_HIGH = THIS_YEAR
NO_VALUE = "#ffffff"  # a tile or heat-map cell without a figure: white with an outline, never a grey field

# --- Chrome: text, grid, reference lines and marks (not data; never a bar's or a series' fill) ---------------------
INK = "#1f2933"  # text, and a target or 序时进度 mark
MUTED = "#5f6670"  # secondary text, footers, the county line and the 100% line (5.8:1 on white, 5.4:1 on FAINT)
GRID = "#eef1f4"  # grid lines, and a bullet chart's 0–100 % track
FAINT = "#f3f6f9"  # a title block's or a deck card's background
BORDER = "#868f9b"  # an empty tile's outline (3:1 on white: the tile is seen)
WHITE = "#ffffff"
BLACK = "#000000"  # words on a mid-tone fill (a scale tile) where neither ink nor white reaches 4.5:1
GAP_FILL, GAP_TEXT = "#fde2e1", "#b42318"  # 数据状况: a 缺报 cell of the reporting grid
MASTHEAD_RED = "#c00000"  # the Word 简报's 版头 (red title and rule, as a 公文 has them; not data)
FOCUS_RING = INK  # the keyboard's focus ring round a link, button, tab or field (14:1 on white)
TARGET_LINE = INK  # a target's level across a chart (年度目标, 培训累计)
SCHEDULE_LINE = MUTED  # the straight-line schedule (序时进度) drawn across months

# One meaning per data colour (a bar's fill, a series' line, a tile's outline): what a reader takes it for.
MEANINGS: dict[str, str] = {
    THIS_YEAR: "本年",
    LAST_YEAR: "上年同期",
    **{colour: f"状态：{code}" for code, colour in STATUS_COLOURS.items()},
    CHOSEN: "所选乡镇",
    **{colour: f"项目：{code}" for code, colour in PROGRAM_COLOURS.items()},
    OTHER_PROGRAM: "项目：其他",
    **{colour: f"残疾等级：{index + 1}" for index, colour in enumerate(GRADE_COLOURS)},
    SCALE_LOW: "色阶：低",
}
CHROME = frozenset({INK, MUTED, GRID, FAINT, BORDER, WHITE, BLACK, NO_VALUE, GAP_FILL, GAP_TEXT, MASTHEAD_RED})


def program_colour(code: str) -> str:
    """A programme's colour on every page and slide (an unknown code: OTHER_PROGRAM)."""
    return PROGRAM_COLOURS.get(code, OTHER_PROGRAM)


def group_colour(group: str) -> str:
    """A programme group's colour: its first programme's (so the family reads the same on 总览 and 资金发放)."""
    return GROUP_COLOURS.get(group, OTHER_PROGRAM)


def scale_colour(share: float) -> str:
    """The colour `share` (0 = low … 1 = high) of the way along the value scale from SCALE_LOW to SCALE_HIGH."""
    low = [int(SCALE_LOW[i : i + 2], 16) for i in (1, 3, 5)]
    high = [int(SCALE_HIGH[i : i + 2], 16) for i in (1, 3, 5)]
    share = min(1.0, max(0.0, share))
    return "#" + "".join(f"{round(a + (b - a) * share):02x}" for a, b in zip(low, high, strict=True))


def relative_luminance(colour: str) -> float:
    """WCAG 2.1's relative luminance of '#rrggbb' (0 black … 1 white)."""
    channels = [value / 255 for value in rgb(colour)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(one: str, other: str) -> float:
    """WCAG 2.1's contrast ratio of two colours (1 … 21); text needs 4.5, large text and chart marks 3."""
    light, dark = sorted((relative_luminance(one), relative_luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def readable_on(fill: str) -> str:
    """The text colour for words on `fill`: INK or WHITE, whichever contrasts more (white on amber is 2.8:1, ink
    5.2:1; ink on red is 2.7:1, white 5.4:1), or BLACK on a mid tone where neither reaches 4.5:1."""
    best = INK if contrast_ratio(INK, fill) >= contrast_ratio(WHITE, fill) else WHITE
    return best if contrast_ratio(best, fill) >= 4.5 else BLACK


def plotly_scale() -> list[list]:
    """The value scale as a Plotly colorscale (a heat map's, a choropleth's)."""
    return [[0, SCALE_LOW], [1, SCALE_HIGH]]


def rgb(colour: str) -> tuple[int, int, int]:
    """'#1f5f8b' → (31, 95, 139) (the deck's RGBColor)."""
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)
