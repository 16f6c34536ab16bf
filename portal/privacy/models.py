"""A request of a candidate about their personal data, and how it was handled."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.db import Base, str_enum_check
from portal.core.time import now_utc

#: AVG art. 12(3): a request is answered within one month of receipt.
ANSWER_MONTHS = 1

REQUEST_KINDS = {
    "access": "Inzage (artikel 15)",
    "rectification": "Correctie (artikel 16)",
    "erasure": "Verwijdering (artikel 17)",
}


class PrivacyRequest(Base):
    """A request by the candidate to see, correct or remove their data: received on, handled on, outcome."""

    __tablename__ = "privacy_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(sa.ForeignKey("municipalities.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("candidates.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    received_on: Mapped[date] = mapped_column()
    #: Empty while the request is open.
    handled_on: Mapped[date | None] = mapped_column()
    #: What was done (or why not), in the staff member's words; required once handled.
    outcome: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=now_utc)
    handled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    __table_args__ = (
        str_enum_check("kind", REQUEST_KINDS),
        sa.CheckConstraint("handled_on IS NULL OR handled_on >= received_on", name="handled_after_received"),
    )

    @property
    def kind_label(self) -> str:
        return REQUEST_KINDS.get(self.kind, self.kind)

    @property
    def answer_due(self) -> date:
        """The day by which the request must be answered."""
        from portal.aftercare.plan import add_months

        return add_months(self.received_on, ANSWER_MONTHS)
