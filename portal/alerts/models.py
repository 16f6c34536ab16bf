"""Alerts (signalen): a risk signal about one placement, opened by the risk rules."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.db import Base, TimestampMixin, str_enum_check
from portal.core.time import now_utc

ALERT_STATUSES = {"open": "Open", "acknowledged": "Opgepakt", "resolved": "Afgehandeld"}
ALERT_SEVERITIES = {"high": "Hoog", "normal": "Normaal"}
#: The risk rules (portal/alerts/rules.py), as stored in alerts.rule.
ALERT_RULES = {
    "logs_missing": "Twee weekverslagen achter elkaar ontbreken",
    "concern": "De werkgever maakt zich zorgen",
    "low_score": "Op tijd komen of aanwezigheid op het laagste niveau",
    "falling_score": "Op tijd komen of aanwezigheid gaat achteruit",
    "absence_hours": "Veel uren afwezig",
    "high_risk": "Hoog risico bij een bezoek of nazorggesprek",
    "no_jobcoach_contact": "Geen contact met de jobcoach",
    "checkin_overdue": "Nazorggesprek te laat",
    "end_without_decision": "Einddatum dichtbij zonder besluit",
    "reminders_ignored": "Werkgever reageert niet op herinneringen",
}


class Alert(TimestampMixin, Base):
    """A risk signal about one placement: open → acknowledged → resolved (with a note).

    Resolved by someone (``resolved_by_id``), or by the system when the condition behind it ended
    (a decision, uitval, a held check-in, ...): then ``resolved_by_id`` is empty and the note says why.

    At most one unresolved alert per rule per placement (a partial unique index), and never two for the
    same evidence (``evidence_key``), so a condition that persists after resolution does not reopen;
    new evidence (a new log, visit, week, ...) does.
    """

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(sa.ForeignKey("municipalities.id"), index=True)
    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placements.id"), index=True)
    rule: Mapped[str] = mapped_column(sa.String(30))
    #: What the alert is about, e.g. "log:12", "visit:3", "week:2026-03-09"; unique per rule and placement.
    evidence_key: Mapped[str] = mapped_column(sa.String(60))
    severity: Mapped[str] = mapped_column(sa.String(6), default="normal")
    status: Mapped[str] = mapped_column(sa.String(12), default="open", index=True)
    #: The reason in plain Dutch, as shown in the inbox and the e-mail.
    reason: Mapped[str] = mapped_column(sa.Text)
    #: Path inside the portal to the evidence (e.g. the placement page with an anchor).
    evidence_path: Mapped[str | None] = mapped_column(sa.String(200))
    opened_at: Mapped[datetime] = mapped_column(default=now_utc)
    acknowledged_at: Mapped[datetime | None] = mapped_column()
    acknowledged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column()
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    resolution_note: Mapped[str | None] = mapped_column(sa.Text)
    escalated_at: Mapped[datetime | None] = mapped_column()
    #: Set when included in an e-mail (immediately for high alerts, else in the daily digest).
    mailed_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (
        sa.UniqueConstraint("placement_id", "rule", "evidence_key", name="uq_alerts_evidence"),
        sa.Index(
            "uq_alerts_one_unresolved",
            "placement_id",
            "rule",
            unique=True,
            sqlite_where=sa.text("status <> 'resolved'"),
            postgresql_where=sa.text("status <> 'resolved'"),
        ),
        str_enum_check("status", ALERT_STATUSES),
        str_enum_check("severity", ALERT_SEVERITIES),
        sa.CheckConstraint("status <> 'resolved' OR resolved_at IS NOT NULL", name="resolved_has_time"),
    )

    @property
    def status_label(self) -> str:
        return ALERT_STATUSES[self.status]

    @property
    def rule_label(self) -> str:
        return ALERT_RULES.get(self.rule, self.rule)

    @property
    def closed_by_system(self) -> bool:
        """Resolved by no one: it closed itself when its condition ended (the note says why)."""
        return self.status == "resolved" and self.resolved_by_id is None

    @property
    def resolution_label(self) -> str:
        return "Vanzelf gesloten" if self.closed_by_system else "Afgehandeld"
