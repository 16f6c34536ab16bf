"""Tasks: actions agreed at a visit (with an owner and due date) and follow-up work for staff."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.db import Base, TimestampMixin, str_enum_check

TASK_KINDS = {
    "action": "Afspraak",
    "intake": "Intakegesprek na uitval",
    #: The employer's preference at the end (contract, extend, stop): asked when the decision window
    #: opens, done when the employer gives it, lapsed when the decision is recorded.
    "preference": "Voorkeur voor het einde",
    #: The specialist asks, some months after an exit to work, whether the candidate still works.
    "followup": "Navraag: werkt de kandidaat nog?",
}
#: Kinds an employer's users may read (when visible to the employer): never staff work such as an intake.
EMPLOYER_KINDS = ("action", "preference")
#: Who is to carry out a task (an action can be the candidate's, who has no account).
TASK_OWNERS = {
    "employer": "Werkgever",
    "candidate": "Kandidaat",
    "jobcoach": "Jobcoach",
    "municipal": "Gemeente",
}
TASK_STATUSES = {"open": "Open", "done": "Gedaan", "cancelled": "Vervallen"}


class Task(TimestampMixin, Base):
    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(sa.ForeignKey("municipalities.id"), index=True)
    placement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("placements.id"), index=True)
    candidate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("candidates.id"), index=True)
    #: The visit at which an action was agreed.
    visit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("visits.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10), default="action")
    title: Mapped[str] = mapped_column(sa.String(300))
    owner: Mapped[str] = mapped_column(sa.String(10))
    #: Whether the employer's users may read this task. Staff only unless the employer carries it out
    #: (``portal.tasks.services.create_task``); health or care information is never employer-visible.
    visible_to_employer: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: The staff user who carries it out, where there is one (e.g. the contact for an intake).
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    due_date: Mapped[date | None] = mapped_column()
    status: Mapped[str] = mapped_column(sa.String(10), default="open", index=True)
    done_at: Mapped[datetime | None] = mapped_column()
    done_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: Why and when an open task lapsed (e.g. the placement was interrupted, the decision was recorded).
    cancelled_reason: Mapped[str | None] = mapped_column(sa.String(200))
    cancelled_at: Mapped[datetime | None] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    __table_args__ = (
        str_enum_check("kind", TASK_KINDS),
        str_enum_check("owner", TASK_OWNERS),
        str_enum_check("status", TASK_STATUSES),
    )

    @property
    def owner_label(self) -> str:
        return TASK_OWNERS[self.owner]

    @property
    def status_label(self) -> str:
        return TASK_STATUSES[self.status]

    @property
    def closed_by_answer(self) -> bool:
        """A follow-up after an exit (or other work without a placement): recording its answer on the
        candidate's follow-ups closes it, so it has no "Gedaan" button and nobody ticks it off."""
        return self.kind == "followup" or self.placement_id is None
