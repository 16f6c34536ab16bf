"""Jinja filters and globals: Dutch dates and times in Europe/Amsterdam."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask

from portal.core.time import to_local

MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = to_local(value)
    return f"{format_date(local.date())} om {local:%H:%M}"


def iso_datetime(value: datetime | None) -> str:
    """The machine-readable moment for a ``<time datetime="...">``: Amsterdam time with its offset."""
    if value is None:
        return ""
    return to_local(value).isoformat(timespec="minutes")


def init_app(app: Flask) -> None:
    app.jinja_env.filters["datum"] = format_date
    app.jinja_env.filters["datumtijd"] = format_datetime
    app.jinja_env.filters["iso"] = iso_datetime
    from portal.placements.chart import score_chart_data  # imported here: chart.py imports this module

    app.jinja_env.globals["score_chart_data"] = score_chart_data
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
