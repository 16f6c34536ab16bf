"""Geometry for the dashboard's bar charts (templates/monitoring/_charts.html): pure, no database, no Flask.

A chart is a server-rendered SVG with one horizontal bar per row. Every bar has its label on the left
and its number written at its end, so nothing depends on colour; the table beside the chart holds the
same numbers with links to the lists behind them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

WIDTH = 400
#: Room for the labels on the left and the numbers on the right.
LABEL_WIDTH = 150
VALUE_WIDTH = 50
ROW_HEIGHT = 24
BAR_HEIGHT = 14
TOP = 6
#: Labels longer than this are shortened in the picture (the table has them in full).
LABEL_CHARS = 24


def _num(value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def short_label(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def bar_chart_data(rows: Sequence[dict[str, Any]], reference: float | None = None) -> dict[str, Any]:
    """Bars for ``rows`` ({"label", "value", "display"}); ``reference`` draws a dashed line (a norm)."""
    values = [row["value"] or 0 for row in rows]
    top = max([*values, reference or 0, 1])
    left, right = LABEL_WIDTH, WIDTH - VALUE_WIDTH
    span = right - left
    bars = []
    for index, row in enumerate(rows):
        value = row["value"] or 0
        y = TOP + index * ROW_HEIGHT
        length = span * value / top
        bars.append(
            {
                "label": short_label(str(row["label"])),
                "display": row["display"],
                "x": left,
                "y": _num(y + (ROW_HEIGHT - BAR_HEIGHT) / 2),
                "width": _num(max(length, 0)),
                "height": BAR_HEIGHT,
                "label_x": left - 6,
                "text_y": _num(y + ROW_HEIGHT / 2),
                "value_x": _num(left + length + 4),
            }
        )
    height = TOP * 2 + max(len(rows), 1) * ROW_HEIGHT
    line = None
    if reference:
        x = left + span * reference / top
        line = {"x": _num(x), "y1": TOP, "y2": height - TOP}
    return {"width": WIDTH, "height": height, "bars": bars, "reference": line, "axis_x": left}
