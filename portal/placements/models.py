"""Placements: a candidate working at a workplace under a placement type, from planned to closed."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.db import Base, TimestampMixin, str_enum_check
from portal.core.time import now_utc

if TYPE_CHECKING:
    from portal.candidates.models import Candidate
    from portal.employers.models import Employer, Workplace
    from portal.requests.models import PlacementRequest, PlacementType

PLACEMENT_STATUSES = {
    "planned": "Gepland",
    "onboarding": "Inwerken",
    "nazorg": "Nazorg",
    "closed": "Afgesloten",
    "interrupted": "Uitgevallen",
}
#: Statuses of a placement that still runs: a jobcoach can be (re)assigned, uitval registered, visits
#: recorded.
OPEN_STATUSES = ("planned", "onboarding", "nazorg")
#: Why a placement was interrupted (uitval). "other_work" is also a stop reason (the same code, so the
#: database's end_reason check needs no change).
DROPOUT_REASONS = {
    "absence": "Te vaak afwezig",
    "conflict": "Conflict op het werk",
    "language": "De taal was een te grote drempel",
    "health": "Gezondheid of persoonlijke omstandigheden",
    "motivation": "Motivatie",
    "employer_ended": "De werkgever heeft de plaatsing beëindigd",
    "other_work": "Ander werk gevonden",
    "other": "Andere reden",
}
#: Why a placement stopped at its end without a contract.
STOP_REASONS = {
    "no_vacancy": "De werkgever heeft geen passende baan",
    "more_language": "De kandidaat moet eerst meer Nederlands leren",
    "education": "De kandidaat gaat een opleiding volgen",
    "other_work": "De kandidaat heeft ander werk gevonden",
    "not_suitable": "Het werk past niet bij de kandidaat",
    "goal_reached": "Het doel is bereikt, er is hier geen vervolg",
    "other": "Andere reden",
}
CONTRACT_TYPES = {
    "fixed_term": "Tijdelijk contract",
    "permanent": "Vast contract",
    "temp_agency": "Uitzendcontract",
    "on_call": "Oproepcontract",
}
DECISION_KINDS = {"contract": "Contract", "extend": "Verlengen", "stop": "Stoppen"}


#: How the aftercare of a placement ended (recorded by the municipal contact; the dossier then closes).
AFTERCARE_OUTCOMES = {
    "employed": "Werkt nog, met contract",
    "dropped_out": "Uitgevallen",
    "moved": "Naar een andere werkplek",
}


class Placement(TimestampMixin, Base):
    __tablename__ = "placements"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(sa.ForeignKey("municipalities.id"), index=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("placement_requests.id"), index=True)
    #: The accepted proposal this placement came from (one placement per proposal).
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"), unique=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("candidates.id"), index=True)
    employer_id: Mapped[int] = mapped_column(sa.ForeignKey("employers.id"), index=True)
    workplace_id: Mapped[int] = mapped_column(sa.ForeignKey("workplaces.id"), index=True)
    placement_type_id: Mapped[int] = mapped_column(sa.ForeignKey("placement_types.id"))
    #: The fixed municipal contact for this placement.
    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    start_date: Mapped[date] = mapped_column()
    planned_end_date: Mapped[date] = mapped_column()
    #: The day work actually began (onboarding starts then); empty while planned.
    actual_start_date: Mapped[date | None] = mapped_column()
    #: The jobcoach assigned by the municipal contact.
    jobcoach_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: Work days per week as agreed (for the weekly log's planned days).
    days_per_week: Mapped[int] = mapped_column(default=2, server_default="2")
    status: Mapped[str] = mapped_column(sa.String(12), default="planned", index=True)
    #: The contract that followed (its start starts nazorg).
    contract_type: Mapped[str | None] = mapped_column(sa.String(12))
    contract_hours: Mapped[int | None] = mapped_column()
    contract_start_date: Mapped[date | None] = mapped_column()
    #: What the employer would like at the end (the municipal contact records the decision).
    employer_preference: Mapped[str | None] = mapped_column(sa.String(10))
    employer_preference_note: Mapped[str | None] = mapped_column(sa.Text)
    employer_preference_at: Mapped[datetime | None] = mapped_column()
    #: How it ended: a DROPOUT_REASONS code (interrupted) or a STOP_REASONS code (closed by decision).
    end_reason: Mapped[str | None] = mapped_column(sa.String(20))
    end_note: Mapped[str | None] = mapped_column(sa.Text)
    ended_on: Mapped[date | None] = mapped_column()
    #: The end of the aftercare period, recorded by the municipal contact (the dossier then closes).
    outcome: Mapped[str | None] = mapped_column(sa.String(12))
    outcome_contract_type: Mapped[str | None] = mapped_column(sa.String(12))
    outcome_hours: Mapped[int | None] = mapped_column()
    outcome_note: Mapped[str | None] = mapped_column(sa.Text)
    outcome_recorded_at: Mapped[datetime | None] = mapped_column()

    candidate: Mapped[Candidate] = relationship()
    employer: Mapped[Employer] = relationship()
    workplace: Mapped[Workplace] = relationship()
    placement_type: Mapped[PlacementType] = relationship()
    #: The request the placement fills (read by the weekly log for a taalstage's language goals).
    request: Mapped[PlacementRequest] = relationship()

    __table_args__ = (
        str_enum_check("status", PLACEMENT_STATUSES),
        sa.CheckConstraint("planned_end_date >= start_date", name="dates_in_order"),
        str_enum_check("contract_type", CONTRACT_TYPES, nullable=True),
        sa.CheckConstraint(
            "contract_hours IS NULL OR contract_hours BETWEEN 1 AND 40", name="contract_hours_range"
        ),
        str_enum_check("employer_preference", DECISION_KINDS, nullable=True),
        str_enum_check("end_reason", {**DROPOUT_REASONS, **STOP_REASONS}, nullable=True),
        str_enum_check("outcome", AFTERCARE_OUTCOMES, nullable=True),
    )

    @property
    def status_label(self) -> str:
        return PLACEMENT_STATUSES[self.status]


class EndDecision(Base):
    """What happens at the end of onboarding: contract (→ nazorg), extend once, or stop (→ closed).

    One row per kind per placement, so the database itself refuses a second extension.
    """

    __tablename__ = "end_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placements.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    contract_type: Mapped[str | None] = mapped_column(sa.String(12))
    contract_hours: Mapped[int | None] = mapped_column()
    contract_start: Mapped[date | None] = mapped_column()
    #: For an extension: the planned end before and after.
    previous_end_date: Mapped[date | None] = mapped_column()
    new_end_date: Mapped[date | None] = mapped_column()
    stop_reason: Mapped[str | None] = mapped_column(sa.String(20))
    note: Mapped[str | None] = mapped_column(sa.Text)
    decided_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(default=now_utc)

    __table_args__ = (
        sa.UniqueConstraint("placement_id", "kind", name="uq_end_decisions_placement_kind"),
        str_enum_check("kind", DECISION_KINDS),
        sa.CheckConstraint(
            "kind <> 'contract' OR (contract_type IS NOT NULL AND contract_hours IS NOT NULL"
            " AND contract_start IS NOT NULL)",
            name="contract_complete",
        ),
        sa.CheckConstraint(
            "kind <> 'extend' OR (new_end_date IS NOT NULL AND previous_end_date IS NOT NULL)",
            name="extension_complete",
        ),
        sa.CheckConstraint("kind <> 'stop' OR stop_reason IS NOT NULL", name="stop_complete"),
    )

    @property
    def kind_label(self) -> str:
        return DECISION_KINDS[self.kind]


class PlacementStatusChange(Base):
    """Every status change of a placement: who, why, when."""

    __tablename__ = "placement_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placements.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(sa.String(12))
    to_status: Mapped[str] = mapped_column(sa.String(12))
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(default=now_utc)
    reason: Mapped[str | None] = mapped_column(sa.Text)


#: Four-point scale of the weekly log (worded for the employer, never only a number).
SCALE = {1: "Slecht", 2: "Matig", 3: "Goed", 4: "Heel goed"}
SCORED_ASPECTS = {
    "punctuality": "Op tijd komen",
    "task_progress": "Vooruitgang in het werk",
    "dutch_at_work": "Nederlands op de werkvloer",
    "teamwork": "Samenwerken met collega's",
    "motivation": "Motivatie",
}


class WeeklyLog(TimestampMixin, Base):
    """The employer's progress log (voortgangsverslag) for one ISO week of onboarding."""

    __tablename__ = "weekly_logs"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placements.id"), index=True)
    #: Monday of the ISO week the log is about.
    week_start: Mapped[date] = mapped_column()
    days_planned: Mapped[int] = mapped_column()
    days_present: Mapped[int] = mapped_column()
    hours_absent: Mapped[int] = mapped_column(default=0)
    absence_reason: Mapped[str | None] = mapped_column(sa.String(200))
    punctuality: Mapped[int] = mapped_column()
    task_progress: Mapped[int] = mapped_column()
    dutch_at_work: Mapped[int] = mapped_column()
    teamwork: Mapped[int] = mapped_column()
    motivation: Mapped[int] = mapped_column()
    #: Optional words per aspect: {"punctuality": "...", ...}.
    notes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    #: Taalstage language goals of this placement ticked off this week.
    language_goals_met: Mapped[str | None] = mapped_column(sa.Text)
    #: "Ik maak me zorgen": the employer is worried.
    has_concern: Mapped[bool] = mapped_column(default=False)
    concern_text: Mapped[str | None] = mapped_column(sa.Text)
    needs_from_municipality: Mapped[str | None] = mapped_column(sa.Text)
    submitted_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    #: Bumped on every edit; edits after the week has ended keep the earlier version.
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (
        sa.UniqueConstraint("placement_id", "week_start", name="uq_weekly_logs_placement_week"),
        sa.CheckConstraint(
            "days_present >= 0 AND days_present <= days_planned AND days_planned <= 7", name="days"
        ),
        sa.CheckConstraint("hours_absent >= 0 AND hours_absent <= 60", name="hours_absent_range"),
        *(sa.CheckConstraint(f"{name} BETWEEN 1 AND 4", name=f"{name}_scale") for name in SCORED_ASPECTS),
    )


class WeeklyLogVersion(Base):
    """An earlier version of a weekly log, kept when it was changed after its week ended."""

    __tablename__ = "weekly_log_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    log_id: Mapped[int] = mapped_column(sa.ForeignKey("weekly_logs.id"), index=True)
    version: Mapped[int] = mapped_column()
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    replaced_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    replaced_at: Mapped[datetime] = mapped_column(default=now_utc)

    __table_args__ = (sa.UniqueConstraint("log_id", "version", name="uq_weekly_log_versions_version"),)


class LogReminder(Base):
    """A weekly-log reminder sent to one employer user about one placement's week (one row per user).

    The reminder job's own bookkeeping (so nothing needs the outbox to remember it, and the outbox can
    be pruned): unique per placement, week and user. The rules count a reminder once its e-mail was sent:
    ``outbox_email_id`` points at the message while the outbox keeps it; it becomes empty when a sent
    message is pruned (only sent messages are pruned, see ``portal.core.outbox.prune_sent``).
    """

    __tablename__ = "log_reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placements.id"))
    #: Monday of the ISO week without a log.
    week_start: Mapped[date] = mapped_column()
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    outbox_email_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("outbox_emails.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=now_utc)

    __table_args__ = (
        sa.UniqueConstraint("placement_id", "week_start", "user_id", name="uq_log_reminders_week_user"),
    )
