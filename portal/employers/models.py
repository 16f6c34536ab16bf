"""Employers (organisations), their workplaces and invitations for colleagues."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.db import Base, TimestampMixin, str_enum_check
from portal.core.time import now_utc

if TYPE_CHECKING:
    from portal.auth.models import User
    from portal.core.models import Municipality

#: Sector codes with their Dutch labels (broad SBI-like groups that municipalities report on).
SECTORS = {
    "techniek": "Techniek en productie",
    "bouw": "Bouw en installatie",
    "logistiek": "Logistiek en transport",
    "zorg": "Zorg en welzijn",
    "horeca": "Horeca",
    "detailhandel": "Detailhandel",
    "schoonmaak": "Schoonmaak en facilitair",
    "groen": "Groen, land- en tuinbouw",
    "ict": "ICT",
    "zakelijk": "Zakelijke dienstverlening",
    "onderwijs": "Onderwijs en kinderopvang",
    "overheid": "Overheid en non-profit",
    "overig": "Anders",
}

#: Size classes by number of employees (MKB: up to 250).
SIZE_CLASSES = {
    "1-9": "1 tot 10 medewerkers",
    "10-49": "10 tot 50 medewerkers",
    "50-249": "50 tot 250 medewerkers",
    "250+": "250 medewerkers of meer",
}

EMPLOYER_STATUSES = ("pending", "approved", "rejected", "suspended")
EMPLOYER_STATUS_LABELS = {
    "pending": "Wacht op goedkeuring",
    "approved": "Goedgekeurd",
    "rejected": "Afgewezen",
    "suspended": "Geschorst",
}


class Employer(TimestampMixin, Base):
    __tablename__ = "employers"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(sa.ForeignKey("municipalities.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    #: Chamber of Commerce number: exactly 8 digits.
    kvk_number: Mapped[str] = mapped_column(sa.String(8))
    sector: Mapped[str] = mapped_column(sa.String(20))
    size_class: Mapped[str] = mapped_column(sa.String(10))
    street: Mapped[str] = mapped_column(sa.String(120))
    house_number: Mapped[str] = mapped_column(sa.String(12))
    #: Normalised as ``1234 AB``.
    postcode: Mapped[str] = mapped_column(sa.String(7))
    city: Mapped[str] = mapped_column(sa.String(80))
    phone: Mapped[str] = mapped_column(sa.String(30))
    website: Mapped[str | None] = mapped_column(sa.String(200))
    status: Mapped[str] = mapped_column(sa.String(10), default="pending", index=True)
    #: Why it was rejected or suspended (shown to the employer).
    status_reason: Mapped[str | None] = mapped_column(sa.Text)
    status_changed_at: Mapped[datetime | None] = mapped_column()
    status_changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", use_alter=True))
    #: The municipal contact who is this employer's fixed point of contact.
    #: (The two foreign keys to users are added after both tables exist: users also refer to employers.)
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", use_alter=True), index=True)

    municipality: Mapped[Municipality] = relationship()
    contact: Mapped[User | None] = relationship(foreign_keys=[contact_id])

    __table_args__ = (
        sa.UniqueConstraint("municipality_id", "kvk_number", name="uq_employers_municipality_kvk"),
        str_enum_check("status", EMPLOYER_STATUSES),
        str_enum_check("sector", SECTORS),
        str_enum_check("size_class", SIZE_CLASSES),
    )

    @property
    def status_label(self) -> str:
        return EMPLOYER_STATUS_LABELS[self.status]

    @property
    def sector_label(self) -> str:
        return SECTORS[self.sector]

    @property
    def size_label(self) -> str:
        return SIZE_CLASSES[self.size_class]

    def __repr__(self) -> str:
        return f"<Employer {self.id} {self.status}>"


class Workplace(TimestampMixin, Base):
    """A place where a candidate can work: a location with its work, buddy and capacity."""

    __tablename__ = "workplaces"

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(sa.ForeignKey("employers.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    street: Mapped[str] = mapped_column(sa.String(120))
    house_number: Mapped[str] = mapped_column(sa.String(12))
    postcode: Mapped[str] = mapped_column(sa.String(7))
    city: Mapped[str] = mapped_column(sa.String(80))
    work_description: Mapped[str] = mapped_column(sa.Text)
    #: Languages spoken on the work floor, comma separated in the order given (e.g. "Nederlands, Engels").
    languages: Mapped[str] = mapped_column(sa.String(200))
    #: The buddy / werkbegeleider who guides a candidate on the work floor.
    buddy_name: Mapped[str] = mapped_column(sa.String(120))
    buddy_phone: Mapped[str | None] = mapped_column(sa.String(30))
    buddy_email: Mapped[str | None] = mapped_column(sa.String(254))
    #: How many placements this workplace can take at the same time.
    capacity: Mapped[int] = mapped_column(default=1)
    reachable_by_public_transport: Mapped[bool] = mapped_column(default=True)
    #: Safety requirements such as VCA or safety shoes.
    safety_requirements: Mapped[str | None] = mapped_column(sa.Text)
    #: Archived workplaces stay for history but take no new requests.
    archived_at: Mapped[datetime | None] = mapped_column()

    employer: Mapped[Employer] = relationship()

    __table_args__ = (sa.CheckConstraint("capacity >= 1 AND capacity <= 100", name="capacity_range"),)

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def language_list(self) -> list[str]:
        return [part.strip() for part in self.languages.split(",") if part.strip()]


class Invitation(Base):
    """An invitation for a colleague to join an approved employer, by e-mailed single-use link."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(sa.ForeignKey("employers.id"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    invited_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    #: SHA-256 of the token; the token itself only ever exists in the e-mail.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column()
    accepted_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=now_utc)

    employer: Mapped[Employer] = relationship()
    invited_by: Mapped[User] = relationship()
