"""Workplace visits (werkplekbezoeken) a jobcoach records for a placement."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.db import Base, TimestampMixin, str_enum_check

VISIT_MODES = {"on_site": "Op de werkplek", "phone": "Telefonisch", "video": "Videogesprek"}
#: Who the jobcoach spoke to (stored as space-separated codes).
SPOKEN_WITH = {
    "candidate": "Kandidaat",
    "supervisor": "Werkbegeleider",
    "manager": "Leidinggevende",
    "colleague": "Collega",
    "other": "Iemand anders",
}
RISK_LEVELS = {"low": "Laag", "medium": "Middel", "high": "Hoog"}


class Visit(TimestampMixin, Base):
    """One workplace visit, call or video call by the placement's jobcoach."""

    __tablename__ = "visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placements.id"), index=True)
    jobcoach_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    visit_date: Mapped[date] = mapped_column()
    duration_minutes: Mapped[int] = mapped_column()
    mode: Mapped[str] = mapped_column(sa.String(10))
    #: Space-separated codes from SPOKEN_WITH.
    spoken_with: Mapped[str] = mapped_column(sa.String(100), default="")
    #: False when the jobcoach only tried to make contact (nobody reached).
    contact_made: Mapped[bool] = mapped_column(default=True)
    observations: Mapped[str | None] = mapped_column(sa.Text)
    risk: Mapped[str] = mapped_column(sa.String(6))
    risk_reason: Mapped[str | None] = mapped_column(sa.Text)
    #: The employer's one-click confirmation that the visit took place.
    confirmed_at: Mapped[datetime | None] = mapped_column()
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    __table_args__ = (
        str_enum_check("mode", VISIT_MODES),
        str_enum_check("risk", RISK_LEVELS),
        sa.CheckConstraint("duration_minutes BETWEEN 1 AND 480", name="duration_range"),
    )

    @property
    def mode_label(self) -> str:
        return VISIT_MODES[self.mode]

    @property
    def risk_label(self) -> str:
        return RISK_LEVELS[self.risk]
