"""The weekly score chart: its geometry (portal/core/chart.py) and the SVG macro (macros/chart.html)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from html import unescape
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import render_template_string

from portal.core import chart
from portal.placements.models import SCALE, SCORED_ASPECTS
from tests.placements.conftest import FIRST_WEEK, LAST_WEEK, THIS_WEEK, log_url, text, valid_log
from tests.test_accessibility import page_problems

SVG = "{http://www.w3.org/2000/svg}"
CSS = Path(__file__).resolve().parents[2] / "portal" / "static" / "css" / "werkbrug.css"


def fake_log(week: date, **scores) -> SimpleNamespace:
    values = dict.fromkeys(SCORED_ASPECTS, 3)
    values.update(scores)
    return SimpleNamespace(week_start=week, **values)


def weeks(count: int, first: date = date(2026, 1, 5)) -> list[SimpleNamespace]:
    """`count` consecutive weekly logs with scores that go round 1..4 (different per aspect)."""
    return [
        fake_log(
            first + timedelta(weeks=i), **{name: 1 + (i + n) % 4 for n, name in enumerate(SCORED_ASPECTS)}
        )
        for i in range(count)
    ]


def render(app, logs) -> str:
    with app.test_request_context():
        return render_template_string(
            '{% import "macros/chart.html" as chart %}{{ chart.score_chart(logs, aspects, scale) }}',
            logs=logs,
            aspects=SCORED_ASPECTS,
            scale=SCALE,
        )


def svg_of(html: str) -> ET.Element:
    """The chart's SVG element (the first <svg> in the output; the legend swatches come after it)."""
    start = html.index("<svg")
    end = html.index("</svg>", start) + len("</svg>")
    return ET.fromstring(html[start:end])  # noqa: S314 - our own rendered markup


def series_of(svg: ET.Element) -> list[ET.Element]:
    return [g for g in svg.iter(f"{SVG}g") if "werkbrug-chart__series" in g.get("class", "")]


# --- Pure functions -------------------------------------------------------------------------------


def test_scores_run_from_the_bottom_to_the_top_of_the_plot():
    assert chart.score_y(1) == chart.PLOT_BOTTOM
    assert chart.score_y(4) == chart.PLOT_TOP
    assert chart.PLOT_BOTTOM > chart.score_y(2) > chart.score_y(3) > chart.PLOT_TOP


def test_week_positions_follow_time_and_stay_inside_the_plot():
    assert chart.week_positions([]) == []
    (single,) = chart.week_positions([date(2026, 3, 2)])
    assert single == (chart.PLOT_LEFT + chart.PLOT_RIGHT) / 2
    xs = chart.week_positions([date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 23)])
    assert xs[0] == chart.PLOT_LEFT + chart.INSET
    assert xs[-1] == chart.PLOT_RIGHT - chart.INSET
    # A missing week (16 March) leaves twice the room.
    assert xs[2] - xs[1] == pytest.approx(2 * (xs[1] - xs[0]))


def test_labels_keep_the_latest_week_and_never_overlap():
    assert chart.labelled_indexes([]) == []
    assert chart.labelled_indexes([100.0]) == [0]
    xs = chart.week_positions([log.week_start for log in weeks(30)])
    chosen = chart.labelled_indexes(xs)
    assert chosen[-1] == 29
    assert len(chosen) > 3
    assert all(xs[b] - xs[a] >= chart.LABEL_GAP for a, b in zip(chosen, chosen[1:], strict=False))
    # Few weeks: every week has its date.
    assert chart.labelled_indexes(chart.week_positions([log.week_start for log in weeks(4)])) == [0, 1, 2, 3]


def test_short_date_is_day_dash_month():
    assert chart.short_date(date(2026, 3, 9)) == "9-3"
    assert chart.short_date(date(2026, 12, 28)) == "28-12"


def test_every_marker_shape_is_a_closed_or_crossed_path_around_its_centre():
    paths = {shape: chart.marker_path(shape, 50, 60) for shape in chart.MARKERS}
    assert len(set(paths.values())) == len(chart.MARKERS)
    for shape, path in paths.items():
        assert path.startswith("M"), shape
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path)]
        assert numbers, shape
    assert paths["cross"].count("M") == 2
    with pytest.raises(ValueError, match="unknown marker"):
        chart.marker_path("star", 0, 0)


def test_the_same_scores_are_drawn_once_and_other_scores_anew():
    logs = weeks(8)
    first = chart.score_chart_data(logs, SCORED_ASPECTS, SCALE)
    assert chart.score_chart_data(list(reversed(weeks(8))), SCORED_ASPECTS, SCALE) is first
    changed = weeks(8)
    setattr(
        changed[-1],
        next(iter(SCORED_ASPECTS)),
        1 if getattr(changed[-1], next(iter(SCORED_ASPECTS))) != 1 else 4,
    )
    other = chart.score_chart_data(changed, SCORED_ASPECTS, SCALE)
    assert other is not first
    assert other["summary"] != first["summary"]


def test_line_path_needs_two_points():
    assert chart.line_path([]) is None
    assert chart.line_path([(10, 20)]) is None
    assert chart.line_path([(10, 20), (30.25, 40)]) == "M10 20L30.2 40"


def test_every_aspect_looks_different_without_colour():
    assert len(set(chart.MARKERS)) == len(chart.MARKERS) >= len(SCORED_ASPECTS)
    assert len(set(chart.DASHES)) == len(chart.DASHES) == len(chart.MARKERS)
    assert len(set(chart.LINE_LABELS)) == len(chart.LINE_LABELS) == len(chart.MARKERS)


def test_summary_names_the_weeks_and_the_latest_scores_in_words():
    logs = [fake_log(LAST_WEEK), fake_log(THIS_WEEK, punctuality=1, motivation=4)]
    summary = chart.summary(logs, SCORED_ASPECTS, SCALE)
    assert "2 weken" in summary
    assert "2 maart 2026" in summary
    assert "9 maart 2026" in summary
    assert "op tijd komen slecht" in summary
    assert "motivatie heel goed" in summary
    assert "vooruitgang in het werk goed" in summary
    assert "1 week" in chart.summary(logs[:1], SCORED_ASPECTS, SCALE)
    assert chart.summary([], SCORED_ASPECTS, SCALE) == "Er zijn nog geen weekverslagen."


def test_chart_data_sorts_the_weeks_and_nudges_lines_apart():
    logs = [fake_log(THIS_WEEK), fake_log(LAST_WEEK)]
    data = chart.score_chart_data(logs, SCORED_ASPECTS, SCALE)
    assert [tick["label"] for tick in data["x_ticks"]] == ["2-3", "9-3"]
    assert [tick["label"] for tick in data["y_ticks"]] == ["Slecht", "Matig", "Goed", "Heel goed"]
    # Every aspect scored 3: five lines at five slightly different heights, all close to "Goed".
    heights = {series["path"].split("L")[0] for series in data["series"]}
    assert len(heights) == len(SCORED_ASPECTS)
    for series in data["series"]:
        y = float(series["path"].split("L")[1].split()[1])
        assert abs(y - chart.score_y(3)) <= 2 * chart.DODGE + 0.1


def _boxes(data) -> list[tuple[str, int, float, float, float, float]]:
    """(aspect, week, left, top, right, bottom) of every marker: its centre plus the widest shape's reach."""
    reach = chart.MARKER_HALF * data["marker_size"]
    return [
        (series["name"], week, x - reach, y - reach, x + reach, y + reach)
        for series in data["series"]
        for week, (x, y) in enumerate(series["points"])
    ]


def _overlaps(boxes) -> list[tuple]:
    found = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if a[2] < b[4] and b[2] < a[4] and a[3] < b[5] and b[3] < a[5]:
                found.append((a[:2], b[:2]))
    return found


def _same(count: int, score: int, step: int = 1) -> list[SimpleNamespace]:
    return [
        fake_log(date(2026, 1, 5) + timedelta(weeks=i * step), **dict.fromkeys(SCORED_ASPECTS, score))
        for i in range(count)
    ]


def _random(count: int, seed: int) -> list[SimpleNamespace]:
    import random

    generator = random.Random(seed)
    return [
        fake_log(
            date(2026, 1, 5) + timedelta(weeks=i + (i > count // 2)),
            **{name: generator.choice((1, 2, 3, 3, 4)) for name in SCORED_ASPECTS},
        )
        for i in range(count)
    ]


CROWDED = {
    "one week, all goed": _same(1, 3),
    "one week, all heel goed": _same(1, 4),
    "two weeks, all slecht": _same(2, 1),
    "four weeks, all goed": _same(4, 3),
    "eight weeks, all heel goed": _same(8, 4),
    "twelve weeks, all goed": _same(12, 3),
    "twelve weeks, all slecht": _same(12, 1),
    "thirty weeks, all heel goed": _same(30, 4),
    "weeks going round": weeks(12),
    "thirty weeks going round": weeks(30),
    "a missing week": _same(3, 2, step=2),
    **{f"random {n}": _random(n, n) for n in (3, 6, 10, 13, 20, 26)},
}


@pytest.mark.parametrize("logs", CROWDED.values(), ids=CROWDED.keys())
def test_no_two_markers_overlap_and_all_stay_inside_the_plot(logs):
    data = chart.score_chart_data(logs, SCORED_ASPECTS, SCALE)
    boxes = _boxes(data)
    assert len(boxes) == len(logs) * len(SCORED_ASPECTS)
    assert _overlaps(boxes) == []
    for _, _, left, top, right, bottom in boxes:
        assert left >= chart.PLOT_LEFT
        assert right <= chart.PLOT_RIGHT
        assert top >= 0
        assert bottom <= data["axis_y"]


def test_markers_sharing_a_week_and_score_stand_side_by_side_near_their_week():
    data = chart.score_chart_data(_same(2, 3), SCORED_ASPECTS, SCALE)
    xs = chart.week_positions([date(2026, 1, 5), date(2026, 1, 12)])
    first_week = [series["points"][0] for series in data["series"]]
    assert len({round(x, 1) for x, _ in first_week}) == len(SCORED_ASPECTS)  # one column each
    for x, y in first_week:
        assert abs(x - xs[0]) < (xs[1] - xs[0]) / 2
        assert abs(y - chart.score_y(3)) <= 2 * chart.DODGE + 0.1
    # Different scores in one week need no room: they stay on their week.
    mixed = chart.score_chart_data(
        [fake_log(date(2026, 1, 5), punctuality=1, task_progress=2, dutch_at_work=3, teamwork=4)],
        {
            name: SCORED_ASPECTS[name]
            for name in ("punctuality", "task_progress", "dutch_at_work", "teamwork")
        },
        SCALE,
    )
    assert {series["points"][0][0] for series in mixed["series"]} == {
        chart.week_positions([date(2026, 1, 5)])[0]
    }


def test_the_svg_draws_each_marker_at_its_own_spot(app):
    svg = svg_of(render(app, _same(1, 4)))
    starts = set()
    for g in series_of(svg):
        (marker,) = [p for p in g.iter(f"{SVG}path") if "werkbrug-chart__marker" in p.get("class")]
        starts.add(tuple(re.findall(r"-?\d+(?:\.\d+)?", marker.get("d"))[:2]))
    assert len(starts) == len(SCORED_ASPECTS)


# --- The rendered SVG ------------------------------------------------------------------------------


def test_chart_svg_is_one_labelled_image_with_a_line_per_aspect(app):
    html = render(app, weeks(4))
    svg = svg_of(html)
    assert svg.get("role") == "img"
    assert svg.get("viewBox") == f"0 0 {chart.WIDTH} {chart.HEIGHT}"
    assert svg.get("width") == "100%"
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == "Grafiek van de scores per week"
    assert "4 weken" in desc.text
    assert "Scores in de laatste week" in desc.text
    groups = series_of(svg)
    assert [g.get("data-aspect") for g in groups] == list(SCORED_ASPECTS)
    for g in groups:
        lines = [p for p in g.iter(f"{SVG}path") if p.get("class") == "werkbrug-chart__line"]
        assert len(lines) == 1
    # Each line differs from the others in dash pattern and marker shape, not only in colour.
    dashes = [g.find(f"{SVG}path").get("stroke-dasharray") for g in groups]
    assert len(set(dashes)) == len(groups)
    markers = [g.get("data-marker") for g in groups]
    assert len(set(markers)) == len(groups)
    for g in groups:
        shapes = [p for p in g.iter(f"{SVG}path") if "werkbrug-chart__marker" in p.get("class")]
        assert len(shapes) == 4
        assert {p.get("class") for p in shapes} == {
            f"werkbrug-chart__marker werkbrug-chart__marker--{g.get('data-marker')}"
        }
    classes = [g.get("class").split()[-1] for g in groups]
    assert len(set(classes)) == len(groups)


def test_chart_axes_show_the_scale_words_and_the_week_dates(app):
    logs = weeks(3, first=date(2026, 2, 23))
    svg = svg_of(render(app, logs))
    labels = [t.text for t in svg.iter(f"{SVG}text")]
    for word in SCALE.values():
        assert word in labels
    assert {"23-2", "2-3", "9-3"} <= set(labels)
    assert "Week van (dag-maand)" in labels


def test_chart_has_a_legend_and_points_to_the_table(app):
    html = render(app, weeks(2))
    assert "De tabel hieronder laat dezelfde scores zien." in html
    legend = unescape(html[html.index('class="werkbrug-chart__legend"') :])
    for label in SCORED_ASPECTS.values():
        assert label in legend
    assert "doorgetrokken lijn met rondje" in legend
    assert "stippellijn met driehoek" in legend
    assert legend.count('aria-hidden="true"') == len(SCORED_ASPECTS)
    assert "<script" not in html


def test_chart_with_one_week_shows_points_only(app):
    svg = svg_of(render(app, weeks(1)))
    groups = series_of(svg)
    assert len(groups) == len(SCORED_ASPECTS)
    for g in groups:
        paths = list(g.iter(f"{SVG}path"))
        assert [p.get("class").split()[0] for p in paths] == ["werkbrug-chart__marker"]
    desc = svg.find(f"{SVG}desc").text
    assert "1 week" in desc


def test_chart_with_thirty_weeks_draws_every_week_and_thins_the_dates(app):
    logs = weeks(30)
    svg = svg_of(render(app, logs))
    for g in series_of(svg):
        line = next(p for p in g.iter(f"{SVG}path") if p.get("class") == "werkbrug-chart__line")
        assert line.get("d").count("L") == 29
        assert len([p for p in g.iter(f"{SVG}path") if "marker" in p.get("class")]) == 30
    dates = [t.text for t in svg.iter(f"{SVG}text") if re.fullmatch(r"\d{1,2}-\d{1,2}", t.text or "")]
    assert 4 <= len(dates) < 30
    assert dates[-1] == chart.short_date(logs[-1].week_start)
    # Nothing is drawn outside the viewBox.
    xs = [float(t.get("x")) for t in svg.iter(f"{SVG}text")]
    assert all(0 <= x <= chart.WIDTH for x in xs)


def test_chart_escapes_aspect_labels(app):
    aspects = {"punctuality": "<b>Op tijd</b>"}
    with app.test_request_context():
        html = render_template_string(
            '{% import "macros/chart.html" as chart %}{{ chart.score_chart(logs, aspects, scale) }}',
            logs=weeks(2),
            aspects=aspects,
            scale=SCALE,
        )
    assert "<b>" not in html
    assert "&lt;b&gt;Op tijd&lt;/b&gt;" in html


# --- CSS -------------------------------------------------------------------------------------------


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_chart_colours_contrast_with_white_and_forced_colours_keep_it_visible():
    css = CSS.read_text(encoding="utf-8")
    palette = dict(re.findall(r"--wb-([a-z-]+):\s*(#[0-9a-f]{6})", css))
    colours = dict(re.findall(r"\.werkbrug-chart__series--(\d) \{ color: var\(--wb-([a-z-]+)\); \}", css))
    assert sorted(colours) == ["1", "2", "3", "4", "5"]
    assert len(set(colours.values())) == 5
    for name in colours.values():
        contrast = (1 + 0.05) / (_luminance(palette[name]) + 0.05)
        assert contrast >= 4.5, name
    chart_css = css[css.index(".werkbrug-chart {") :]
    assert "stroke: currentColor" in chart_css
    forced = chart_css[chart_css.index("@media (forced-colors: active)") :]
    assert "CanvasText" in forced


# --- On the placement page -------------------------------------------------------------------------


def test_placement_page_shows_the_chart_above_the_score_table(seed, started, login_as):
    employer = login_as(seed.a.employer_user)
    assert employer.post(log_url(started, FIRST_WEEK), valid_log(punctuality="1")).status_code == 302
    assert employer.post(log_url(started, LAST_WEEK), valid_log()).status_code == 302
    for user in (seed.a.employer_user, seed.a.municipal):
        response = login_as(user).get(f"/plaatsingen/{started.id}")
        assert page_problems(response.get_data()) == []
        body = text(response)
        assert 'role="img"' in body
        assert "Grafiek van de scores per week" in body
        assert "De grafiek laat 2 weken zien" in body
        assert body.index("werkbrug-chart__svg") < body.index("Scores uit de weekverslagen")
        svg = svg_of(body[body.index('<svg class="werkbrug-chart__svg"') :])
        assert len(series_of(svg)) == len(SCORED_ASPECTS)


def test_placement_page_without_logs_has_no_chart(seed, started, login_as):
    body = text(login_as(seed.a.municipal).get(f"/plaatsingen/{started.id}"))
    assert "werkbrug-chart" not in body


def test_placement_page_chart_with_a_single_log(seed, started, login_as):
    employer = login_as(seed.a.employer_user)
    assert employer.post(log_url(started, FIRST_WEEK), valid_log()).status_code == 302
    body = text(employer.get(f"/plaatsingen/{started.id}"))
    assert "De grafiek laat 1 week zien" in body
    assert 'class="werkbrug-chart__line"' not in body.split('<ul class="werkbrug-chart__legend"')[0]
