"""Each municipality's aftercare settings: the check-in plan, its length and the risk thresholds.

A missing row means the defaults (the model's column defaults). Saving flushes and audits; the caller
commits once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import cache
from typing import Any

import sqlalchemy as sa

from portal.aftercare.models import DEFAULT_CHECKIN_WEEKS, AftercareSettings
from portal.aftercare.plan import aftercare_end, parse_weeks
from portal.auth.models import User
from portal.core.audit import record
from portal.core.errors import DomainError
from portal.core.sql import conflict_insert
from portal.extensions import db

MONTHS = (1, 24)
WEEK_RANGE = (1, 104)
MAX_CHECKINS = 15
#: The risk thresholds an administrator can set: (lowest, highest) as the database allows.
THRESHOLDS = {
    "absence_hours_threshold": (1, 60),
    "no_contact_days": (1, 90),
    "checkin_overdue_working_days": (0, 30),
    "end_without_decision_days": (1, 60),
    "ignored_reminders": (1, 10),
    "escalation_working_days": (1, 30),
}
#: Everything the settings page edits.
FIELDS = ("checkin_weeks", "aftercare_months", *THRESHOLDS)

WEEKS_EMPTY = "Vul ten minste één week in, bijvoorbeeld 1 2 4 6 8 12 16."
WEEKS_NOT_NUMBERS = "Gebruik alleen hele getallen met een spatie ertussen, zoals 1 2 4 6 8 12 16."
WEEKS_RANGE = f"Kies weken van {WEEK_RANGE[0]} tot en met {WEEK_RANGE[1]}."
WEEKS_TWICE = "Week {week} staat er meer dan één keer in. Noem elke week één keer."
WEEKS_TOO_MANY = f"Plan hoogstens {MAX_CHECKINS} nazorggesprekken."
WEEKS_TOO_LATE = (
    "Week {week} valt na het einde van de nazorg ({months} {unit}). Kies hoogstens week {latest},"
    " of maak de nazorg langer."
)
MONTHS_RANGE = f"Vul een aantal maanden van {MONTHS[0]} tot en met {MONTHS[1]} in."
THRESHOLD_RANGE = "Vul een getal van {low} tot en met {high} in."


def defaults() -> dict[str, Any]:
    """The model's column defaults (the settings of a municipality without a row)."""
    return {
        column.key: column.default.arg
        for column in AftercareSettings.__table__.columns
        if column.default is not None and column.default.is_scalar
    }


def settings_for(municipality_id: int) -> AftercareSettings:
    """The municipality's settings row, or an unsaved instance with the defaults (never added)."""
    row = db.session.scalar(
        sa.select(AftercareSettings).where(AftercareSettings.municipality_id == municipality_id)
    )
    return row or AftercareSettings(municipality_id=municipality_id, **defaults())


def settings_by_municipality(municipality_ids: Iterable[int]) -> dict[int, AftercareSettings]:
    """Settings per municipality in one query; municipalities without a row get the defaults."""
    ids = set(municipality_ids)
    rows = (
        db.session.scalars(
            sa.select(AftercareSettings).where(AftercareSettings.municipality_id.in_(ids))
        ).all()
        if ids
        else []
    )
    found = {row.municipality_id: row for row in rows}
    return {
        mid: found.get(mid) or AftercareSettings(municipality_id=mid, **defaults()) for mid in sorted(ids)
    }


def weeks_of(settings: AftercareSettings) -> tuple[int, ...]:
    """The plan's weeks (sorted, unique); the default plan when the stored text holds none."""
    return parse_weeks(settings.checkin_weeks or "") or DEFAULT_CHECKIN_WEEKS


def months_of(settings: AftercareSettings) -> int:
    """The aftercare's length in months (the default when the stored value is out of range)."""
    months = settings.aftercare_months
    return (
        months
        if isinstance(months, int) and MONTHS[0] <= months <= MONTHS[1]
        else defaults()["aftercare_months"]
    )


@cache
def latest_week(months: int) -> int:
    """The last week that falls inside an aftercare period of ``months`` months whatever its start.

    Months differ in length (and 31 January plus one month is 28 February), so this is the shortest
    period over four years of start dates (a leap year included).
    """
    first = date(2025, 1, 1)
    shortest = min(
        (aftercare_end(first + timedelta(days=n), months) - (first + timedelta(days=n))).days
        for n in range(4 * 366)
    )
    return shortest // 7


def check_weeks(text: Any, months: int) -> tuple[int, ...]:
    """The weeks typed as "1 2 4 6 8 12 16" (spaces or commas), checked; else a DomainError."""
    tokens = str(text or "").replace(",", " ").split()
    if not tokens:
        raise DomainError(WEEKS_EMPTY, "checkin_weeks")
    if any(not (token.isascii() and token.isdigit()) for token in tokens):
        raise DomainError(WEEKS_NOT_NUMBERS, "checkin_weeks")
    if any(len(token.lstrip("0")) > 3 for token in tokens):
        raise DomainError(WEEKS_RANGE, "checkin_weeks")
    weeks = [int(token) for token in tokens]
    if any(not WEEK_RANGE[0] <= week <= WEEK_RANGE[1] for week in weeks):
        raise DomainError(WEEKS_RANGE, "checkin_weeks")
    twice = sorted({week for week in weeks if weeks.count(week) > 1})
    if twice:
        raise DomainError(WEEKS_TWICE.format(week=twice[0]), "checkin_weeks")
    if len(weeks) > MAX_CHECKINS:
        raise DomainError(WEEKS_TOO_MANY, "checkin_weeks")
    latest = latest_week(months)
    too_late = [week for week in weeks if week > latest]
    if too_late:
        unit = "maand" if months == 1 else "maanden"
        raise DomainError(
            WEEKS_TOO_LATE.format(week=min(too_late), months=months, unit=unit, latest=latest),
            "checkin_weeks",
        )
    return tuple(sorted(weeks))


def _check(values: dict[str, Any]) -> dict[str, Any]:
    months = values.get("aftercare_months")
    if not _whole(months) or not MONTHS[0] <= months <= MONTHS[1]:
        raise DomainError(MONTHS_RANGE, "aftercare_months")
    checked = {
        "aftercare_months": months,
        "checkin_weeks": " ".join(str(w) for w in check_weeks(values.get("checkin_weeks"), months)),
    }
    for name, (low, high) in THRESHOLDS.items():
        value = values.get(name)
        if not _whole(value) or not low <= value <= high:
            raise DomainError(THRESHOLD_RANGE.format(low=low, high=high), name)
        checked[name] = value
    return checked


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _ensure_row(municipality_id: int) -> AftercareSettings:
    """The municipality's row, inserted with the defaults first when missing (safe when two admins save)."""
    row_values = {"municipality_id": municipality_id, **defaults()}
    db.session.execute(conflict_insert(AftercareSettings).values(**row_values).on_conflict_do_nothing())
    return db.session.scalar(
        sa.select(AftercareSettings)
        .where(AftercareSettings.municipality_id == municipality_id)
        .execution_options(populate_existing=True)
    )


def save_settings(actor: User, values: dict[str, Any]) -> tuple[AftercareSettings, list[str]]:
    """Store the actor's municipality's settings; returns the row and the names of what changed.

    The check-ins of placements in nazorg follow the new plan on the next sync (the view runs it now).
    """
    checked = _check(values)
    settings = _ensure_row(actor.municipality_id)
    changed = [name for name in FIELDS if getattr(settings, name) != checked[name]]
    for name in changed:
        setattr(settings, name, checked[name])
    db.session.flush()
    if changed:
        record(
            actor,
            "aftercare.settings_updated",
            settings,
            municipality_id=actor.municipality_id,
            changed=changed,
            **{name: checked[name] for name in changed},
        )
    return settings, changed
