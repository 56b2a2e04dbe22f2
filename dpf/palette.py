"""The project's chart colours (the dashboard's Plotly charts and the slide deck's native charts share them)."""

PALETTE = ["#1f5f8b", "#3a9d8f", "#e0a458", "#c05746", "#7b6d8d", "#5b8e7d", "#b5838d", "#6c757d", "#2a9d8f"]
LAST_YEAR_COLOR = "#9aa5b1"  # 上年同期 beside this year's bars
CHOSEN_COLOR = "#c05746"  # the chosen townships in a ranking of all
