"""A candidate's journey with the municipal team: dated stages, screenings, the ABC plan's steps up, the
exit (uitstroom) and the retention follow-ups after it, and the team's own settings.

Everything here is staff-only (municipal contacts and admins of the candidate's municipality). Every row
says who recorded it and when, so waiting times per stage and the team's figures can be computed, and
every change also writes an audit event.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.codes import EXIT_KINDS, JOURNEY_ROUTES, JOURNEY_STAGES
from portal.core.db import Base, TimestampMixin, str_enum_check
from portal.core.time import now_utc

#: The stages of a journey (kept in core: a candidate carries its current stage).
STAGES = JOURNEY_STAGES
#: Stages the system records by itself (from a placement or a confirmed exit), never by hand.
SYSTEM_STAGES = ("plaatsing", "nazorg", "uitstroom")
#: Where a candidate was referred from (aanmelding).
REFERRAL_SOURCES = {
    "coa_tvs": "COA / TVS",
    "banenbalie": "Banenbalie van het COA",
    "vluchtelingenwerk": "VluchtelingenWerk",
    "self": "Zelf gemeld",
    "other": "Anders",
}
#: The route chosen at trajectbepaling (kept in core: the candidates' import reads it).
ROUTES = JOURNEY_ROUTES
SCREENING_INSTRUMENTS = {
    "incheck": "InCheck",
    "noa": "NOA",
    "pps_v": "PPS-V",
    "brede_intake": "Brede intake",
    "leerbaarheidstoets": "Leerbaarheidstoets",
    "other": "Ander instrument",
}
#: Plan levels of a step up (C = work tomorrow, B = a step towards A, A = the desired occupation).
PLAN_LEVELS = {"c": "Plan C", "b": "Plan B", "a": "Plan A"}
#: Exit kinds that count as work (Eindhoven counts BBL as work: "29% naar werk, incl. BBL").
WORK_EXITS = ("work_fulltime", "work_parttime", "leerwerk")
#: A proposed exit (from a placement that ended in a contract) waits for the contact to confirm it.
EXIT_STATUSES = {"proposed": "Voorstel", "confirmed": "Vastgelegd", "dismissed": "Niet van toepassing"}
#: Contract kinds of an exit (the same codes as a placement's contract).
EXIT_CONTRACT_TYPES = {
    "fixed_term": "Tijdelijk contract",
    "permanent": "Vast contract",
    "temp_agency": "Uitzendcontract",
    "on_call": "Oproepcontract",
    "bbl": "BBL-leerwerkovereenkomst",
}
FOLLOWUP_ANSWERED_VIA = {"employer": "Werkgever", "specialist": "Specialist"}

DEFAULT_CASELOAD_NORM = 100
DEFAULT_FOLLOWUP_MONTHS = "6 12"
DEFAULT_PLAN_REVIEW_WEEKS = 8
#: Months a closed dossier is kept before it is anonymised (VNG Selectielijst: 2 years after the end of the
#: municipality's involvement), and the range a team may choose.
DEFAULT_RETENTION_MONTHS = 24
RETENTION_MONTHS_RANGE = (6, 120)


class StageChange(Base):
    """A candidate entered a stage on a date; the latest one is the current stage.

    Waiting time per stage is the time between a stage and the next. Stages can be entered again (back to
    the vervolgtraject after uitval); ``plaatsing``, ``nazorg`` and ``uitstroom`` come from the system.
    """

    __tablename__ = "candidate_stage_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(sa.ForeignKey("municipalities.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("candidates.id"), index=True)
    stage: Mapped[str] = mapped_column(sa.String(24))
    entered_on: Mapped[date] = mapped_column()
    #: Aanmelding only: where the candidate came from.
    source: Mapped[str | None] = mapped_column(sa.String(20))
    #: Trajectbepaling only: the route chosen.
    route: Mapped[str | None] = mapped_column(sa.String(12))
    #: Voortraject (or vervolgtraject): who provides it, and when it ends (planned or actual).
    provider: Mapped[str | None] = mapped_column(sa.String(120))
    ends_on: Mapped[date | None] = mapped_column()
    #: Plaatsing and nazorg: the placement that caused the stage.
    placement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("placements.id"), index=True)
    note: Mapped[str | None] = mapped_column(sa.String(500))
    #: Empty when the system recorded it.
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=now_utc)

    __table_args__ = (
        str_enum_check("stage", STAGES),
        str_enum_check("source", REFERRAL_SOURCES, nullable=True),
        str_enum_check("route", ROUTES, nullable=True),
        sa.CheckConstraint("source IS NULL OR stage = 'aanmelding'", name="source_at_aanmelding"),
        sa.CheckConstraint("route IS NULL OR stage = 'trajectbepaling'", name="route_at_trajectbepaling"),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= entered_on", name="ends_after_start"),
        sa.Index("ix_candidate_stage_changes_candidate_entered", "candidate_id", "entered_on"),
        sa.Index("ix_candidate_stage_changes_municipality_stage", "municipality_id", "stage", "entered_on"),
    )

    @property
    def stage_label(self) -> str:
        return STAGES[self.stage]


class Screening(Base):
    """A screening instrument used with a candidate: which, when, its outcome in words, who. Staff only."""

    __tablename__ = "screenings"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(sa.ForeignKey("municipalities.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("candidates.id"), index=True)
    instrument: Mapped[str] = mapped_column(sa.String(20))
    #: The instrument's name when it is "other".
    instrument_name: Mapped[str | None] = mapped_column(sa.String(80))
    done_on: Mapped[date] = mapped_column()
    #: The outcome in a few words (never medical detail; care comes first is the candidate's flag).
    outcome: Mapped[str] = mapped_column(sa.String(1000))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=now_utc)

    __table_args__ = (
        str_enum_check("instrument", SCREENING_INSTRUMENTS),
        sa.CheckConstraint(
            "(instrument = 'other') = (instrument_name IS NOT NULL)", name="name_for_other_instrument"
        ),
    )


class PlanStep(Base):
    """The candidate moved up the ABC plan (from C to B or A, or from B to A): an event the team counts."""

    __tablename__ = "plan_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(sa.ForeignKey("municipalities.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("candidates.id"), index=True)
    from_level: Mapped[str] = mapped_column(sa.String(1))
    to_level: Mapped[str] = mapped_column(sa.String(1))
    stepped_on: Mapped[date] = mapped_column()
    note: Mapped[str | None] = mapped_column(sa.String(500))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=now_utc)

    __table_args__ = (
        sa.CheckConstraint(
            "(from_level = 'c' AND to_level IN ('b', 'a')) OR (from_level = 'b' AND to_level = 'a')",
            name="step_up",
        ),
    )


class Exit(TimestampMixin, Base):
    """A candidate left the team's caseload (uitstroom): when, to what, why, and with which employer.

    A placement that ends in a contract proposes one (status ``proposed``); the contact confirms it. Paid
    work found without a Werkbrug placement (a direct hire) is recorded by hand, with the employer's name.
    """

    __tablename__ = "exits"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(sa.ForeignKey("municipalities.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("candidates.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(10), default="confirmed", index=True)
    exit_on: Mapped[date] = mapped_column()
    kind: Mapped[str] = mapped_column(sa.String(14))
    reason: Mapped[str | None] = mapped_column(sa.String(500))
    #: The Werkbrug placement that led to it (one exit per placement), and its employer.
    placement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("placements.id"), unique=True)
    employer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("employers.id"), index=True)
    #: An employer outside Werkbrug (a direct hire), by name.
    employer_name: Mapped[str | None] = mapped_column(sa.String(160))
    direct_hire: Mapped[bool] = mapped_column(default=False)
    contract_type: Mapped[str | None] = mapped_column(sa.String(12))
    hours_per_week: Mapped[int | None] = mapped_column()
    #: Empty for a proposal the system made.
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (
        str_enum_check("status", EXIT_STATUSES),
        str_enum_check("kind", EXIT_KINDS),
        str_enum_check("contract_type", EXIT_CONTRACT_TYPES, nullable=True),
        sa.CheckConstraint("hours_per_week IS NULL OR hours_per_week BETWEEN 1 AND 40", name="hours_range"),
        sa.CheckConstraint("NOT direct_hire OR placement_id IS NULL", name="direct_hire_without_placement"),
        sa.Index("ix_exits_municipality_exit_on", "municipality_id", "exit_on"),
    )

    @property
    def kind_label(self) -> str:
        return EXIT_KINDS[self.kind]

    @property
    def is_work(self) -> bool:
        return self.kind in WORK_EXITS


class RetentionFollowUp(TimestampMixin, Base):
    """Does the candidate still work, N months after an exit to work (duurzame uitstroom)?

    A task for the specialist and one short question to the employer by e-mail, answered through a link
    (only the SHA-256 of the link's secret is stored) or recorded by the specialist.
    """

    __tablename__ = "retention_followups"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(sa.ForeignKey("municipalities.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("candidates.id"), index=True)
    exit_id: Mapped[int] = mapped_column(sa.ForeignKey("exits.id"), index=True)
    #: Months after the contract start (or the exit date) that the question is asked.
    months: Mapped[int] = mapped_column()
    due_on: Mapped[date] = mapped_column(index=True)
    #: The employer asked (a Werkbrug employer; none for an employer outside Werkbrug).
    employer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("employers.id"), index=True)
    #: The specialist's task for this follow-up.
    task_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tasks.id"))
    question_sent_at: Mapped[datetime | None] = mapped_column()
    token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    token_expires_at: Mapped[datetime | None] = mapped_column()
    answered_at: Mapped[datetime | None] = mapped_column()
    answered_via: Mapped[str | None] = mapped_column(sa.String(10))
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    still_employed: Mapped[bool | None] = mapped_column()
    hours_per_week: Mapped[int | None] = mapped_column()
    contract_extended: Mapped[bool | None] = mapped_column()
    note: Mapped[str | None] = mapped_column(sa.String(500))

    __table_args__ = (
        sa.UniqueConstraint("exit_id", "months", name="uq_retention_followups_exit_months"),
        str_enum_check("answered_via", FOLLOWUP_ANSWERED_VIA, nullable=True),
        sa.CheckConstraint("months BETWEEN 1 AND 60", name="months_range"),
        sa.CheckConstraint("hours_per_week IS NULL OR hours_per_week BETWEEN 0 AND 40", name="hours_range"),
        sa.CheckConstraint(
            "(answered_at IS NULL) = (answered_via IS NULL)"
            " AND (answered_at IS NULL) = (still_employed IS NULL)",
            name="answer_complete",
        ),
    )


class TeamSettings(TimestampMixin, Base):
    """A municipal team's own settings (a missing row means the defaults)."""

    __tablename__ = "team_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(sa.ForeignKey("municipalities.id"), unique=True)
    #: Candidates one specialist can follow well (the evaluation recommends 100).
    caseload_norm: Mapped[int] = mapped_column(default=DEFAULT_CASELOAD_NORM)
    #: Space-separated months after the start of work at which retention is asked, e.g. "6 12".
    followup_months: Mapped[str] = mapped_column(sa.String(20), default=DEFAULT_FOLLOWUP_MONTHS)
    #: Weeks after the ABC plan is agreed before it is revised.
    plan_review_weeks: Mapped[int] = mapped_column(default=DEFAULT_PLAN_REVIEW_WEEKS)
    #: Months after the dossier closed before the candidate is anonymised (``portal.privacy.retention``).
    retention_months: Mapped[int] = mapped_column(
        default=DEFAULT_RETENTION_MONTHS, server_default=str(DEFAULT_RETENTION_MONTHS)
    )

    __table_args__ = (
        sa.CheckConstraint("caseload_norm BETWEEN 1 AND 1000", name="caseload_norm_range"),
        sa.CheckConstraint("plan_review_weeks BETWEEN 1 AND 52", name="plan_review_range"),
        sa.CheckConstraint("retention_months BETWEEN 6 AND 120", name="retention_months_range"),
    )
