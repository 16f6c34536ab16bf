"""Geometry for the weekly score chart (macros/chart.html): pure functions, no database, no Flask.

The chart is a server-rendered SVG line chart with one line per scored aspect. Every line has its own
dash pattern and marker shape, so it can be told apart without colour. The weeks run along the x axis
in real time (a missing week leaves a wider gap); the four scale words run up the y axis.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from portal.core.filters import format_date

#: The SVG's own coordinate system; it scales to the page width (see .werkbrug-chart in werkbrug.css).
WIDTH = 400
HEIGHT = 250
#: Room for the y axis words on the left, half a date label on the right, the dates and their title below.
PLOT_LEFT = 86
PLOT_RIGHT = WIDTH - 22
PLOT_TOP = 14
PLOT_BOTTOM = HEIGHT - 58
#: The x axis line sits below the lowest markers.
AXIS_GAP = 14
#: Keep markers off the plot's left and right edges.
INSET = 10
#: The least room between two week labels on the x axis (a label is about "30-12" wide).
LABEL_GAP = 42
MARKER_SIZE = 5.5
#: Smaller markers when the weeks sit close together.
SMALL_MARKER_SIZE = 4
MANY_WEEKS = 12
#: Lines sharing a score would hide each other: each aspect is nudged up or down by this much per step.
DODGE = 3
#: Half the width and height of the widest marker (the diamond), per unit of marker size.
MARKER_HALF = 1.2
#: The least room between two markers.
MARKER_GAP = 1
#: Markers never get smaller than this, however many weeks the chart has.
MIN_MARKER_SIZE = 1.5

#: One look per aspect (in order); a sixth aspect would reuse the first look.
MARKERS = ("circle", "square", "triangle", "diamond", "cross")
DASHES = ("", "8 4", "2 4", "12 4 2 4", "5 3 5 7")
MARKER_LABELS = {
    "circle": "rondje",
    "square": "vierkantje",
    "triangle": "driehoek",
    "diamond": "ruit",
    "cross": "kruisje",
}
LINE_LABELS = ("doorgetrokken lijn", "streepjeslijn", "stippellijn", "streep-stippellijn", "lange streepjes")


def _num(value: float) -> str:
    """A coordinate for SVG: at most one decimal, no trailing zeros (a chart needs a few thousand)."""
    rounded = round(value, 1)
    whole = int(rounded)
    return str(whole) if whole == rounded else repr(rounded)


def short_date(day: date) -> str:
    """A week date on the x axis, day-month: 9-3."""
    return f"{day.day}-{day.month}"


def score_y(score: float, low: int = 1, high: int = 4) -> float:
    """The y coordinate of a score: the lowest score at the bottom of the plot, the highest at the top."""
    span = max(high - low, 1)
    return PLOT_BOTTOM - (score - low) * (PLOT_BOTTOM - PLOT_TOP) / span


def week_positions(weeks: Sequence[date]) -> list[float]:
    """The x coordinate of each week (oldest first), in proportion to the time between them."""
    if not weeks:
        return []
    left, right = PLOT_LEFT + INSET, PLOT_RIGHT - INSET
    if len(weeks) == 1:
        return [(left + right) / 2]
    first = weeks[0]
    span = max((weeks[-1] - first).days, 1)
    return [left + (week - first).days * (right - left) / span for week in weeks]


def labelled_indexes(positions: Sequence[float], gap: float = LABEL_GAP) -> list[int]:
    """Which x positions get a date label: the latest always, then going back each one far enough away."""
    chosen: list[int] = []
    for index in range(len(positions) - 1, -1, -1):
        if not chosen or positions[chosen[-1]] - positions[index] >= gap:
            chosen.append(index)
    return sorted(chosen)


def marker_path(shape: str, x: float, y: float, size: float = MARKER_SIZE) -> str:
    """SVG path data for a marker centred on (x, y)."""
    s = size
    if shape == "circle":
        return (
            f"M{_num(x - s)} {_num(y)}a{_num(s)} {_num(s)} 0 1 0 {_num(2 * s)} 0"
            f"a{_num(s)} {_num(s)} 0 1 0 {_num(-2 * s)} 0Z"
        )
    if shape == "square":
        d = s * 0.85
        return f"M{_num(x - d)} {_num(y - d)}H{_num(x + d)}V{_num(y + d)}H{_num(x - d)}Z"
    if shape == "triangle":
        return f"M{_num(x)} {_num(y - s * 1.15)}L{_num(x + s * 1.1)} {_num(y + s * 0.8)}H{_num(x - s * 1.1)}Z"
    if shape == "diamond":
        d = s * 1.2
        return (
            f"M{_num(x)} {_num(y - d)}L{_num(x + d)} {_num(y)}"
            f"L{_num(x)} {_num(y + d)}L{_num(x - d)} {_num(y)}Z"
        )
    if shape == "cross":
        d = s * 0.9
        return (
            f"M{_num(x - d)} {_num(y - d)}L{_num(x + d)} {_num(y + d)}"
            f"M{_num(x - d)} {_num(y + d)}L{_num(x + d)} {_num(y - d)}"
        )
    raise ValueError(f"unknown marker shape: {shape}")


def line_path(points: Sequence[tuple[float, float]]) -> str | None:
    """SVG path data through the points, or None for fewer than two (a single week shows markers only)."""
    if len(points) < 2:
        return None
    return "M" + "L".join(f"{_num(x)} {_num(y)}" for x, y in points)


def _dodge(index: int, count: int) -> float:
    """The small vertical nudge of aspect number `index` out of `count`, centred on zero."""
    return (index - (count - 1) / 2) * DODGE


def marker_step(size: float) -> float:
    """The distance between the centres of two markers that sit next to each other without touching."""
    return 2 * MARKER_HALF * size + MARKER_GAP


def week_room(xs: Sequence[float]) -> list[tuple[float, float]]:
    """(left, right): how far the markers of each week may reach on the x axis, to the plot's edges and
    halfway to the neighbouring weeks, so the markers of two weeks never meet."""
    rooms = []
    for i, x in enumerate(xs):
        left = x - PLOT_LEFT if i == 0 else min(x - PLOT_LEFT, (x - xs[i - 1]) / 2)
        right = PLOT_RIGHT - x if i == len(xs) - 1 else min(PLOT_RIGHT - x, (xs[i + 1] - x) / 2)
        rooms.append((left, right))
    return rooms


def spread(
    members: Sequence[int], room: tuple[float, float], size: float, edge: int = 0
) -> dict[int, tuple[float, float]]:
    """(dx, dy) of each marker that shares one week and one score, so that none overlap.

    ``members`` are aspect indexes, highest first (the highest sits highest, like its line's nudge). They
    stand side by side as far as the week's ``room`` (see ``week_room``) allows, moved sideways when the
    week is near the edge of the plot, and in rows one under the other when there are more. ``edge``
    keeps the rows inside the plot: 1 at the top score (rows go down from it), -1 at the lowest score
    (rows go up), 0 centred on the score.
    """
    step = marker_step(size)
    left, right = room
    count = len(members)
    columns = max(1, min(count, int((left + right) // step)))
    rows = -(-count // columns)
    down = {1: (rows - 1) / 2, -1: -(rows - 1) / 2}.get(edge, 0)
    placed = {}
    for position, index in enumerate(members):
        row, column = divmod(position, columns)
        in_row = min(columns, count - row * columns)
        half = (in_row * step - MARKER_GAP) / 2
        centre = min(max(0.0, half + MARKER_GAP / 2 - left), right - MARKER_GAP / 2 - half)
        placed[index] = (centre + (column - (in_row - 1) / 2) * step, (row - (rows - 1) / 2 + down) * step)
    return placed


def marker_size(logs: Sequence[Any], aspects: Sequence[str], rooms: Sequence[tuple[float, float]]) -> float:
    """Big markers for a few weeks; smaller ones when markers of one week and score must stand in rows,
    and smaller still when the weeks sit so close that even one marker would reach the next week's."""
    size = MARKER_SIZE if len(logs) <= MANY_WEEKS else SMALL_MARKER_SIZE
    for log, (left, right) in zip(logs, rooms, strict=True):
        scores = [getattr(log, name) for name in aspects]
        most = max((scores.count(score) for score in set(scores)), default=0)
        if most > max(1, int((left + right) // marker_step(size))):
            size = min(size, SMALL_MARKER_SIZE)
    tightest = min((left + right for left, right in rooms), default=PLOT_RIGHT - PLOT_LEFT)
    return max(MIN_MARKER_SIZE, min(size, (tightest - MARKER_GAP) / (2 * MARKER_HALF)))


def _layout(logs, aspects, xs, low: int, high: int) -> tuple[list[list[tuple[float, float]]], float]:
    """The centre of every marker (per aspect, per week) and the marker size."""
    names = list(aspects)
    rooms = week_room(xs)
    size = marker_size(logs, names, rooms)
    points: list[list[tuple[float, float]]] = [[] for _ in names]
    for x, log, room in zip(xs, logs, rooms, strict=True):
        by_score: dict[int, list[int]] = {}
        for index in range(len(names) - 1, -1, -1):
            by_score.setdefault(getattr(log, names[index]), []).append(index)
        for score, members in by_score.items():
            edge = 1 if score >= high else -1 if score <= low else 0
            for index, (dx, dy) in spread(members, room, size, edge).items():
                y = score_y(score, low, high) - _dodge(index, len(names)) + dy
                points[index].append((x + dx, y))
    return points, size


def summary(logs: Sequence[Any], aspects: Mapping[str, str], scale: Mapping[int, str]) -> str:
    """The chart's text description: which weeks it covers and the latest week's scores in words."""
    if not logs:
        return "Er zijn nog geen weekverslagen."
    first, latest = logs[0], logs[-1]
    if len(logs) == 1:
        covers = f"De grafiek laat 1 week zien: de week van {format_date(latest.week_start)}."
    else:
        covers = (
            f"De grafiek laat {len(logs)} weken zien, van de week van {format_date(first.week_start)}"
            f" tot en met de week van {format_date(latest.week_start)}."
        )
    scores = ", ".join(
        f"{label.lower()} {scale[getattr(latest, name)].lower()}" for name, label in aspects.items()
    )
    return f"{covers} Scores in de laatste week: {scores}."


def score_chart_data(
    logs: Sequence[Any], aspects: Mapping[str, str], scale: Mapping[int, str]
) -> dict[str, Any]:
    """Everything macros/chart.html draws, for weekly logs given oldest week first.

    A pure function of the weeks and their scores: the same scores (a timeline viewed again, by the
    contact, the jobcoach and the employer) are drawn once per worker. The result is shared: read it only.
    """
    names = tuple(aspects)
    weeks = tuple(sorted((log.week_start, *(getattr(log, name) for name in names)) for log in logs))
    return _chart_data(weeks, tuple(aspects.items()), tuple(scale.items()))


@lru_cache(maxsize=256)
def _chart_data(weeks: tuple[tuple, ...], aspect_items: tuple, scale_items: tuple) -> dict[str, Any]:
    aspects, scale = dict(aspect_items), dict(scale_items)
    logs = [
        SimpleNamespace(week_start=week[0], **dict(zip(aspects, week[1:], strict=True))) for week in weeks
    ]
    low, high = min(scale), max(scale)
    xs = week_positions([log.week_start for log in logs])
    centres, size = _layout(logs, aspects, xs, low, high)
    series = []
    for index, (name, label) in enumerate(aspects.items()):
        look = index % len(MARKERS)
        points = centres[index]
        series.append(
            {
                "name": name,
                "label": label,
                "number": look + 1,
                "marker": MARKERS[look],
                "marker_label": MARKER_LABELS[MARKERS[look]],
                "line_label": LINE_LABELS[look],
                "dash": DASHES[look],
                "path": line_path(points),
                "points": points,
                "markers": [marker_path(MARKERS[look], x, y, size) for x, y in points],
                "legend_marker": marker_path(MARKERS[look], 22, 8, 4.5),
            }
        )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "plot": {"left": PLOT_LEFT, "right": PLOT_RIGHT, "top": PLOT_TOP, "bottom": PLOT_BOTTOM},
        "y_ticks": [{"y": _num(score_y(value, low, high)), "label": scale[value]} for value in sorted(scale)],
        "x_ticks": [
            {"x": _num(xs[index]), "label": short_date(logs[index].week_start)}
            for index in labelled_indexes(xs)
        ],
        "axis_y": PLOT_BOTTOM + AXIS_GAP,
        "x_label_y": PLOT_BOTTOM + AXIS_GAP + 20,
        "x_title_y": HEIGHT - 6,
        "series": series,
        "marker_size": size,
        "summary": summary(logs, aspects, scale),
        "weeks": len(logs),
    }
