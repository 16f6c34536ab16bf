"""Jinja filters and globals: Dutch dates and times in Europe/Amsterdam."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime

from flask import Flask
from markupsafe import Markup, escape

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


#: The opening tag of a table row or cell (not <thead>, <tbody> or <tfoot>).
ROW_OR_CELL_RE = re.compile(r"<(tr|td|th)\b([^>]*)>", re.IGNORECASE)
COLSPAN_RE = re.compile(r"""\bcolspan\s*=\s*["']?(\d+)""", re.IGNORECASE)
CELL_ROLES = {"td": "cell", "th": "rowheader"}


def label_cells(rows: str, headers: Sequence[str]) -> Markup:
    """Give every cell of the table rows in ``rows`` its column header as ``data-label`` and an explicit
    ARIA role. On a phone the rows show as stacked cards: CSS puts the label before each value, and the
    roles keep the table's meaning for screen readers even when the cells no longer display as a table.
    """
    column = 0

    def label(match: re.Match) -> str:
        nonlocal column
        tag, attributes = match.group(1), match.group(2)
        name = tag.lower()
        if name == "tr":
            column = 0
            extra = "" if "role=" in attributes else ' role="row"'
            return f"<{tag}{attributes}{extra}>"
        index = column
        span = COLSPAN_RE.search(attributes)
        column += int(span.group(1)) if span else 1
        extra = "" if "role=" in attributes else f' role="{CELL_ROLES[name]}"'
        if index < len(headers) and "data-label=" not in attributes:
            extra += f' data-label="{escape(headers[index])}"'
        return f"<{tag}{attributes}{extra}>"

    # Only attributes are added, with escaped values, to rows the template already escaped.
    return Markup(ROW_OR_CELL_RE.sub(label, str(rows)))  # noqa: S704


def iso_datetime(value: datetime | None) -> str:
    """The machine-readable moment for a ``<time datetime="...">``: Amsterdam time with its offset."""
    if value is None:
        return ""
    return to_local(value).isoformat(timespec="minutes")


def init_app(app: Flask) -> None:
    app.jinja_env.filters["datum"] = format_date
    app.jinja_env.filters["datumtijd"] = format_datetime
    app.jinja_env.filters["label_cells"] = label_cells
    app.jinja_env.filters["iso"] = iso_datetime
    from portal.core.chart import score_chart_data  # imported here: chart.py imports this module

    app.jinja_env.globals["score_chart_data"] = score_chart_data
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
