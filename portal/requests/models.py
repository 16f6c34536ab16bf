"""Placement types (per municipality), employers' placement requests and the proposals made for them."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.codes import LANGUAGE_LEVELS
from portal.core.db import Base, TimestampMixin, str_enum_check

if TYPE_CHECKING:
    from portal.candidates.models import Candidate
    from portal.employers.models import Employer, Workplace


class PlacementType(TimestampMixin, Base):
    """A kind of placement a municipality offers (stage, taalstage, ...) and the rules requests must meet."""

    __tablename__ = "placement_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(sa.ForeignKey("municipalities.id"), index=True)
    #: Stable code: stage | taalstage | proefplaatsing | werkervaringsplaats (or a municipality's own).
    code: Mapped[str] = mapped_column(sa.String(30))
    name: Mapped[str] = mapped_column(sa.String(80))
    #: What the employer reads when choosing the type (Dutch, B1).
    description: Mapped[str] = mapped_column(sa.Text)
    min_weeks: Mapped[int] = mapped_column()
    max_weeks: Mapped[int] = mapped_column()
    min_days_per_week: Mapped[int] = mapped_column()
    max_days_per_week: Mapped[int] = mapped_column()
    max_hours_per_week: Mapped[int] = mapped_column()
    is_paid: Mapped[bool] = mapped_column()
    #: The person keeps the benefit (met behoud van uitkering).
    keeps_benefit: Mapped[bool] = mapped_column()
    #: Unpaid types always require learning goals (no productive work without pay or learning).
    learning_goals_required: Mapped[bool] = mapped_column()
    default_dutch_level: Mapped[str] = mapped_column(sa.String(4))
    is_active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (
        sa.UniqueConstraint("municipality_id", "code", name="uq_placement_types_municipality_code"),
        str_enum_check("default_dutch_level", LANGUAGE_LEVELS),
        sa.CheckConstraint(
            "min_weeks >= 1 AND max_weeks >= min_weeks AND max_weeks <= 104", name="weeks_range"
        ),
        sa.CheckConstraint(
            "min_days_per_week >= 1 AND max_days_per_week >= min_days_per_week AND max_days_per_week <= 5",
            name="days_range",
        ),
        sa.CheckConstraint("max_hours_per_week >= 1 AND max_hours_per_week <= 40", name="hours_range"),
        sa.CheckConstraint("is_paid OR learning_goals_required", name="unpaid_needs_learning_goals"),
    )


REQUEST_STATUSES = {
    "draft": "Concept",
    "submitted": "Ingediend",
    "in_progress": "In behandeling",
    "proposed": "Kandidaten voorgesteld",
    "filled": "Vervuld",
    "withdrawn": "Ingetrokken",
    "expired": "Verlopen",
}
#: Statuses in which an employer can still change what it asks for.
EDITABLE = ("draft",)
#: Statuses in which the municipality works on a request.
OPEN_STATUSES = ("submitted", "in_progress", "proposed")
#: Requests that wait for the municipality to propose someone (the contact's home page lists the newest).
WAITING_FOR_PROPOSALS = ("submitted", "in_progress")
_WAITING_SQL = "status IN ({})".format(", ".join(f"'{status}'" for status in WAITING_FOR_PROPOSALS))
#: Statuses from which the employer can withdraw its request.
WITHDRAWABLE = ("draft", *OPEN_STATUSES)


class PlacementRequest(TimestampMixin, Base):
    """An employer's request (aanvraag) for one or more placements on one of its workplaces."""

    __tablename__ = "placement_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(sa.ForeignKey("municipalities.id"), index=True)
    employer_id: Mapped[int] = mapped_column(sa.ForeignKey("employers.id"), index=True)
    workplace_id: Mapped[int] = mapped_column(sa.ForeignKey("workplaces.id"), index=True)
    placement_type_id: Mapped[int] = mapped_column(sa.ForeignKey("placement_types.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    role_title: Mapped[str] = mapped_column(sa.String(120))
    tasks: Mapped[str] = mapped_column(sa.Text)
    positions: Mapped[int] = mapped_column(default=1)
    hours_per_week: Mapped[int] = mapped_column()
    days_per_week: Mapped[int] = mapped_column()
    #: Preferred work days as codes ("ma,di,do"); empty means any.
    work_days: Mapped[str] = mapped_column(sa.String(40), default="")
    #: The days can move around the candidate's language classes.
    days_flexible: Mapped[bool] = mapped_column(default=True)
    dutch_level: Mapped[str] = mapped_column(sa.String(4))
    #: Which tasks need that level of Dutch (e.g. "klanten te woord staan").
    dutch_level_tasks: Mapped[str | None] = mapped_column(sa.Text)
    english_sufficient: Mapped[bool] = mapped_column(default=False)
    #: Required certificates, comma separated (e.g. "heftruck, VCA").
    certificates: Mapped[str] = mapped_column(sa.String(200), default="")
    desired_start: Mapped[date] = mapped_column()
    duration_weeks: Mapped[int] = mapped_column()
    learning_goals: Mapped[str | None] = mapped_column(sa.Text)
    #: Who guides the person on the work floor (defaults to the workplace's buddy).
    supervisor_name: Mapped[str] = mapped_column(sa.String(120))
    status: Mapped[str] = mapped_column(sa.String(12), default="draft", index=True)
    submitted_at: Mapped[datetime | None] = mapped_column()
    withdrawn_reason: Mapped[str | None] = mapped_column(sa.Text)
    closed_at: Mapped[datetime | None] = mapped_column()

    employer: Mapped[Employer] = relationship()
    workplace: Mapped[Workplace] = relationship()
    placement_type: Mapped[PlacementType] = relationship()

    __table_args__ = (
        str_enum_check("status", REQUEST_STATUSES),
        str_enum_check("dutch_level", LANGUAGE_LEVELS),
        sa.CheckConstraint("positions >= 1 AND positions <= 20", name="positions_range"),
        sa.CheckConstraint("hours_per_week >= 1 AND hours_per_week <= 40", name="hours_range"),
        sa.CheckConstraint("days_per_week >= 1 AND days_per_week <= 5", name="days_range"),
        sa.CheckConstraint("duration_weeks >= 1 AND duration_weeks <= 104", name="duration_range"),
        # The newest requests waiting for a proposal in a municipality, read in order (the home page needs
        # ten of the hundreds a large city has waiting).
        sa.Index(
            "ix_placement_requests_waiting",
            "municipality_id",
            "submitted_at",
            "id",
            sqlite_where=sa.text(_WAITING_SQL),
            postgresql_where=sa.text(_WAITING_SQL),
        ),
    )

    @property
    def status_label(self) -> str:
        return REQUEST_STATUSES[self.status]


PROPOSAL_STATUSES = {
    "proposed": "Voorgesteld",
    "meeting": "Kennismaking gepland",
    "accepted": "Aangenomen",
    "declined": "Afgewezen door werkgever",
    "withdrawn": "Ingetrokken door gemeente",
}

DECLINE_REASONS = {
    "language": "De Nederlandse taal is nog niet voldoende voor dit werk",
    "experience": "Ervaring of opleiding past niet bij het werk",
    "availability": "Beschikbare dagen of uren passen niet",
    "travel": "De reisafstand is te groot",
    "certificates": "Een verplicht certificaat ontbreekt",
    "position_filled": "De plek is al vervuld",
    "after_meeting": "Het klikte niet tijdens de kennismaking",
    "other": "Een andere reden",
}


class Proposal(TimestampMixin, Base):
    """A candidate proposed for a request by the municipal contact; the employer invites or declines."""

    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("placement_requests.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("candidates.id"), index=True)
    proposed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    #: The municipal contact's note for the employer (shown with the pseudonymised profile).
    note: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(10), default="proposed", index=True)
    meeting_at: Mapped[datetime | None] = mapped_column()
    meeting_place: Mapped[str | None] = mapped_column(sa.String(200))
    decline_reason: Mapped[str | None] = mapped_column(sa.String(20))
    decline_text: Mapped[str | None] = mapped_column(sa.Text)
    decided_at: Mapped[datetime | None] = mapped_column()

    request: Mapped[PlacementRequest] = relationship()
    candidate: Mapped[Candidate] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("request_id", "candidate_id", name="uq_proposals_request_candidate"),
        str_enum_check("status", PROPOSAL_STATUSES),
        str_enum_check("decline_reason", DECLINE_REASONS, nullable=True),
    )

    @property
    def status_label(self) -> str:
        return PROPOSAL_STATUSES[self.status]
