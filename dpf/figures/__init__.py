"""Figures computed from the data: indicators, progress, targets, schedule, rankings, the map's tiles."""
