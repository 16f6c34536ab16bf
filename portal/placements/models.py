"""Placements: a candidate working at a workplace under a placement type, from planned to closed."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.db import Base, TimestampMixin, str_enum_check

if TYPE_CHECKING:
    from portal.candidates.models import Candidate
    from portal.employers.models import Employer, Workplace
    from portal.requests.models import PlacementType

PLACEMENT_STATUSES = {
    "planned": "Gepland",
    "onboarding": "Inwerken",
    "nazorg": "Nazorg",
    "closed": "Afgesloten",
    "interrupted": "Uitgevallen",
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
    status: Mapped[str] = mapped_column(sa.String(12), default="planned", index=True)

    candidate: Mapped[Candidate] = relationship()
    employer: Mapped[Employer] = relationship()
    workplace: Mapped[Workplace] = relationship()
    placement_type: Mapped[PlacementType] = relationship()

    __table_args__ = (
        str_enum_check("status", PLACEMENT_STATUSES),
        sa.CheckConstraint("planned_end_date >= start_date", name="dates_in_order"),
    )

    @property
    def status_label(self) -> str:
        return PLACEMENT_STATUSES[self.status]
