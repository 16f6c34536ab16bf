"""Aftercare (nazorg): the planned check-ins and each municipality's settings."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.db import Base, TimestampMixin, str_enum_check

#: Default plan: check-ins in these weeks after the contract's start, over four months.
DEFAULT_CHECKIN_WEEKS = (1, 2, 4, 6, 8, 12, 16)
DEFAULT_AFTERCARE_MONTHS = 4

CHECKIN_STATUSES = {"planned": "Gepland", "held": "Gehouden", "cancelled": "Vervallen"}
#: Who a check-in was held with (space-separated codes).
CHECKIN_WITH = {"employer": "Werkgever", "employee": "Werknemer", "both": "Samen"}
RISK_LEVELS = {"low": "Laag", "medium": "Middel", "high": "Hoog"}


class AftercareSettings(TimestampMixin, Base):
    """A municipality's aftercare plan and risk thresholds (a missing row means the defaults)."""

    __tablename__ = "aftercare_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(sa.ForeignKey("municipalities.id"), unique=True)
    #: Space-separated week numbers after the contract's start, e.g. "1 2 4 6 8 12 16".
    checkin_weeks: Mapped[str] = mapped_column(sa.String(100), default="1 2 4 6 8 12 16")
    aftercare_months: Mapped[int] = mapped_column(default=DEFAULT_AFTERCARE_MONTHS)
    #: Hours absent in one week above which an alert opens.
    absence_hours_threshold: Mapped[int] = mapped_column(default=8)
    #: Days without jobcoach contact (in the first three months) before an alert opens.
    no_contact_days: Mapped[int] = mapped_column(default=14)
    #: Working days a check-in may be overdue before an alert opens.
    checkin_overdue_working_days: Mapped[int] = mapped_column(default=3)
    #: Days before the planned end without a decision that open an alert.
    end_without_decision_days: Mapped[int] = mapped_column(default=7)
    #: Ignored reminders before an alert opens.
    ignored_reminders: Mapped[int] = mapped_column(default=2)
    #: Working days an open alert may stay unacknowledged before it escalates to the admins.
    escalation_working_days: Mapped[int] = mapped_column(default=2)

    __table_args__ = (
        sa.CheckConstraint("aftercare_months BETWEEN 1 AND 24", name="months_range"),
        sa.CheckConstraint("absence_hours_threshold BETWEEN 1 AND 60", name="absence_range"),
        sa.CheckConstraint("no_contact_days BETWEEN 1 AND 90", name="no_contact_range"),
        sa.CheckConstraint("checkin_overdue_working_days BETWEEN 0 AND 30", name="overdue_range"),
        sa.CheckConstraint("end_without_decision_days BETWEEN 1 AND 60", name="end_range"),
        sa.CheckConstraint("ignored_reminders BETWEEN 1 AND 10", name="reminders_range"),
        sa.CheckConstraint("escalation_working_days BETWEEN 1 AND 30", name="escalation_range"),
    )


class CheckIn(TimestampMixin, Base):
    """One planned aftercare conversation (nazorggesprek) of the fixed municipal contact."""

    __tablename__ = "checkins"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placements.id"), index=True)
    #: 1, 2, ... in the order of the plan.
    number: Mapped[int] = mapped_column()
    #: The plan's week after the contract start (1, 2, 4, ...).
    week: Mapped[int] = mapped_column()
    #: A working day; moves with the contract start while the check-in is not held.
    due_date: Mapped[date] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(sa.String(10), default="planned", index=True)
    held_on: Mapped[date | None] = mapped_column()
    held_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    held_with: Mapped[str | None] = mapped_column(sa.String(10))
    #: False when the contact only tried to reach them.
    contact_made: Mapped[bool | None] = mapped_column()
    #: Same four-point scales as the weekly log: {"punctuality": 3, ...}.
    scores: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    problems: Mapped[str | None] = mapped_column(sa.Text)
    agreements: Mapped[str | None] = mapped_column(sa.Text)
    risk: Mapped[str | None] = mapped_column(sa.String(6))

    __table_args__ = (
        sa.UniqueConstraint("placement_id", "number", name="uq_checkins_placement_number"),
        str_enum_check("status", CHECKIN_STATUSES),
        str_enum_check("held_with", CHECKIN_WITH, nullable=True),
        str_enum_check("risk", RISK_LEVELS, nullable=True),
        sa.CheckConstraint("status <> 'held' OR held_on IS NOT NULL", name="held_has_date"),
    )

    @property
    def is_held(self) -> bool:
        """The check-in took place and its answers are recorded (they can still be corrected)."""
        return self.status == "held"
