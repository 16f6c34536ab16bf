"""Small factories for test data. Each adds and flushes; the test's transaction is rolled back."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cache

from portal.auth.models import User
from portal.auth.passwords import hash_password
from portal.core.models import Municipality
from portal.employers.models import Employer, Workplace
from portal.extensions import db

PASSWORD = "brug naar werk voor iedereen"  # noqa: S105
_seq = itertools.count(1)


def _n() -> int:
    return next(_seq)


@cache
def _password_hash(password: str) -> str:
    return hash_password(password)


def make_municipality(name: str | None = None, **kw) -> Municipality:
    n = _n()
    m = Municipality(name=name or f"Testgemeente {n}", slug=kw.pop("slug", f"test-{n}"), **kw)
    db.session.add(m)
    db.session.flush()
    return m


def make_user(
    role: str = "municipal",
    municipality: Municipality | None = None,
    employer: Employer | None = None,
    password: str = PASSWORD,
    **kw,
) -> User:
    n = _n()
    if employer is not None:
        municipality = municipality or db.session.get(Municipality, employer.municipality_id)
    municipality = municipality or make_municipality()
    if role == "employer" and employer is None:
        employer = make_employer(municipality=municipality)
    user = User(
        email=kw.pop("email", f"{role}{n}@test.werkbrug.nl"),
        full_name=kw.pop("full_name", f"Test {role.title()} {n}"),
        role=role,
        municipality_id=municipality.id,
        employer_id=employer.id if employer else None,
        password_hash=_password_hash(password) if password else None,
        **kw,
    )
    db.session.add(user)
    db.session.flush()
    return user


def make_employer(municipality: Municipality | None = None, status: str = "approved", **kw) -> Employer:
    n = _n()
    municipality = municipality or make_municipality()
    employer = Employer(
        municipality_id=municipality.id,
        name=kw.pop("name", f"Testbedrijf {n} B.V."),
        kvk_number=kw.pop("kvk_number", f"{10000000 + n:08d}"),
        sector=kw.pop("sector", "techniek"),
        size_class=kw.pop("size_class", "10-49"),
        street=kw.pop("street", "Teststraat"),
        house_number=kw.pop("house_number", str(n)),
        postcode=kw.pop("postcode", "5611 AB"),
        city=kw.pop("city", "Eindhoven"),
        phone=kw.pop("phone", "040 123 45 67"),
        status=status,
        **kw,
    )
    db.session.add(employer)
    db.session.flush()
    return employer


def make_workplace(employer: Employer | None = None, **kw) -> Workplace:
    n = _n()
    employer = employer or make_employer()
    workplace = Workplace(
        employer_id=employer.id,
        name=kw.pop("name", f"Werkplaats {n}"),
        street=kw.pop("street", "Fabrieksweg"),
        house_number=kw.pop("house_number", str(n)),
        postcode=kw.pop("postcode", "5612 CD"),
        city=kw.pop("city", "Eindhoven"),
        work_description=kw.pop("work_description", "Orderpicken en inpakken"),
        languages=kw.pop("languages", "Nederlands, Engels"),
        buddy_name=kw.pop("buddy_name", "Bea Buddy"),
        capacity=kw.pop("capacity", 2),
        **kw,
    )
    db.session.add(workplace)
    db.session.flush()
    return workplace


@dataclass
class Tenant:
    municipality: Municipality
    employer: Employer
    workplace: Workplace
    employer_user: User
    jobcoach: User
    municipal: User
    admin: User
    pending_employer: Employer
    pending_user: User

    def user(self, role: str) -> User:
        return {
            "employer": self.employer_user,
            "jobcoach": self.jobcoach,
            "municipal": self.municipal,
            "admin": self.admin,
        }[role]


@dataclass
class TwoTenants:
    a: Tenant
    b: Tenant


def make_tenant(name: str) -> Tenant:
    municipality = make_municipality(name)
    municipal = make_user("municipal", municipality)
    employer = make_employer(municipality, contact_id=municipal.id)
    pending = make_employer(municipality, status="pending", contact_id=municipal.id)
    return Tenant(
        municipality=municipality,
        employer=employer,
        workplace=make_workplace(employer),
        employer_user=make_user("employer", employer=employer),
        jobcoach=make_user("jobcoach", municipality),
        municipal=municipal,
        admin=make_user("admin", municipality),
        pending_employer=pending,
        pending_user=make_user("employer", employer=pending),
    )


def two_tenants() -> TwoTenants:
    return TwoTenants(a=make_tenant("Gemeente A"), b=make_tenant("Gemeente B"))
