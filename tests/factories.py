"""Small factories for test data. Each adds and flushes; the test's transaction is rolled back."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cache

from portal.auth import totp
from portal.auth.models import User
from portal.auth.passwords import hash_password
from portal.core.models import Municipality
from portal.core.time import now_utc
from portal.employers.models import Employer, Workplace
from portal.extensions import db

PASSWORD = "brug naar werk voor iedereen"  # noqa: S105
#: The authenticator-app secret of every test user that uses a code (staff by default).
TOTP_SECRET = "JBSWY3DPEHPK3PXPWERKBRUGTEST2345"  # noqa: S105
_seq = itertools.count(1)


def _n() -> int:
    return next(_seq)


def current_code(secret: str = TOTP_SECRET) -> str:
    """The code an authenticator app with ``secret`` shows now (the app's clock: time-machine moves it)."""
    return totp.code_for(secret, totp.step_at(now_utc()))


def next_code(secret: str = TOTP_SECRET) -> str:
    """The code the app shows in the next time step (accepted as clock drift; not yet used by a login)."""
    return totp.code_for(secret, totp.step_at(now_utc()) + 1)


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
    mfa: bool | None = None,
    **kw,
) -> User:
    """A user; staff get an app linked with TOTP_SECRET unless ``mfa=False`` (employers when ``mfa=True``)."""
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
    if mfa if mfa is not None else role != "employer":
        user.totp_secret = TOTP_SECRET
        user.totp_enrolled_at = now_utc()
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
    #: Filled by two_tenants(): a submitted request, a shareable candidate proposed for it, a placement.
    request: object = None
    candidate: object = None
    proposal: object = None
    placement: object = None
    visit: object = None
    task: object = None
    checkin: object = None
    alert: object = None
    followup: object = None

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
    tenants = TwoTenants(a=make_tenant("Gemeente A"), b=make_tenant("Gemeente B"))
    for tenant in (tenants.a, tenants.b):
        matching = make_matching(tenant)
        tenant.request = matching.request
        tenant.candidate = matching.candidate
        tenant.proposal = matching.proposal
        tenant.placement = make_placement(tenant, request=matching.request)
        tenant.visit = make_visit(tenant.placement, tenant.jobcoach)
        tenant.task = make_task(tenant.placement, visit=tenant.visit)
        tenant.checkin = make_checkin(tenant.placement)
        tenant.alert = make_alert(tenant.placement)
        exit_row = make_exit(make_candidate(tenant.municipality), employer_id=tenant.employer.id)
        tenant.followup = make_followup(exit_row)
    return tenants


@dataclass
class Matching:
    """A submitted request of tenant's employer, a shareable candidate and a proposal of it."""

    request: object
    candidate: object
    proposal: object


def make_matching(tenant: Tenant) -> Matching:
    request = make_request(tenant.workplace, created_by=tenant.employer_user)
    candidate = make_candidate(tenant.municipality)
    make_consent(candidate, employer=tenant.employer, recorded_by=tenant.municipal)
    proposal = make_proposal(request, candidate, proposed_by=tenant.municipal)
    return Matching(request=request, candidate=candidate, proposal=proposal)


# Requests, candidates, proposals ------------------------------------------------------------------------


def placement_type(municipality: Municipality, code: str = "taalstage"):
    """The municipality's placement type with this code (the defaults are added when missing)."""
    import sqlalchemy as sa

    from portal.requests.defaults import ensure_default_types
    from portal.requests.models import PlacementType

    ensure_default_types(municipality.id)
    return db.session.scalar(
        sa.select(PlacementType).where(
            PlacementType.municipality_id == municipality.id, PlacementType.code == code
        )
    )


def make_request(
    workplace: Workplace | None = None, code: str = "taalstage", status: str = "submitted", **kw
):
    from datetime import date, timedelta

    from portal.core.time import now_utc
    from portal.requests.models import PlacementRequest

    workplace = workplace or make_workplace()
    employer = db.session.get(Employer, workplace.employer_id)
    municipality = db.session.get(Municipality, employer.municipality_id)
    kind = placement_type(municipality, code)
    creator = kw.pop("created_by", None) or make_user("employer", employer=employer)
    request = PlacementRequest(
        municipality_id=municipality.id,
        employer_id=employer.id,
        workplace_id=workplace.id,
        placement_type_id=kind.id,
        created_by_id=creator.id,
        role_title=kw.pop("role_title", "Medewerker magazijn"),
        tasks=kw.pop("tasks", "Orderpicken, inpakken en opruimen"),
        positions=kw.pop("positions", 1),
        hours_per_week=kw.pop("hours_per_week", 16),
        days_per_week=kw.pop("days_per_week", 2),
        dutch_level=kw.pop("dutch_level", kind.default_dutch_level),
        desired_start=kw.pop("desired_start", date.today() + timedelta(days=21)),
        duration_weeks=kw.pop("duration_weeks", max(kind.min_weeks, 13)),
        learning_goals=kw.pop("learning_goals", "Werkinstructies in het Nederlands begrijpen"),
        supervisor_name=kw.pop("supervisor_name", workplace.buddy_name),
        status=status,
        submitted_at=kw.pop("submitted_at", now_utc() if status != "draft" else None),
        **kw,
    )
    db.session.add(request)
    db.session.flush()
    return request


def make_candidate(municipality: Municipality | None = None, **kw):
    from portal.candidates.models import Candidate

    n = _n()
    municipality = municipality or make_municipality()
    candidate = Candidate(
        municipality_id=municipality.id,
        # A prefix of its own: never collides with the pseudonyms the app generates (K-<year>-<number>).
        pseudonym=kw.pop("pseudonym", f"K-TEST-{n:05d}"),
        first_name=kw.pop("first_name", f"Voornaam{n}"),
        last_name=kw.pop("last_name", f"Achternaam{n}"),
        email=kw.pop("email", f"kandidaat{n}@test.werkbrug.nl"),
        phone=kw.pop("phone", f"06 {10000000 + n}"),
        home_town=kw.pop("home_town", "Eindhoven"),
        education_level=kw.pop("education_level", "mbo"),
        dutch_level=kw.pop("dutch_level", "A2"),
        english_level=kw.pop("english_level", "B1"),
        available_days=kw.pop("available_days", "ma,di,do"),
        class_days=kw.pop("class_days", "wo,vr"),
        hours_per_week=kw.pop("hours_per_week", 16),
        work_readiness=kw.pop("work_readiness", "direct"),
        **kw,
    )
    db.session.add(candidate)
    db.session.flush()
    return candidate


def make_consent(
    candidate, kind: str = "share_profile", employer: Employer | None = None, recorded_by=None, **kw
):
    from portal.candidates.models import Consent
    from portal.core.time import now_utc

    recorded_by = recorded_by or make_user(
        "municipal", db.session.get(Municipality, candidate.municipality_id)
    )
    consent = Consent(
        candidate_id=candidate.id,
        kind=kind,
        employer_id=employer.id if employer else None,
        given_at=kw.pop("given_at", now_utc()),
        method=kw.pop("method", "conversation"),
        text_version=kw.pop("text_version", "2026-1"),
        recorded_by_id=recorded_by.id,
        **kw,
    )
    db.session.add(consent)
    db.session.flush()
    return consent


def make_proposal(request, candidate, status: str = "proposed", proposed_by=None, **kw):
    from portal.requests.models import Proposal

    proposed_by = proposed_by or make_user("municipal", db.session.get(Municipality, request.municipality_id))
    proposal = Proposal(
        request_id=request.id,
        candidate_id=candidate.id,
        proposed_by_id=proposed_by.id,
        note=kw.pop("note", "Gemotiveerd en leert snel."),
        status=status,
        **kw,
    )
    db.session.add(proposal)
    db.session.flush()
    return proposal


def make_placement(tenant: Tenant, status: str = "planned", **kw):
    """A placement at the tenant's workplace from an accepted proposal of a fresh candidate."""
    from datetime import date, timedelta

    from portal.placements.models import Placement

    request = kw.pop("request", None) or make_request(tenant.workplace, created_by=tenant.employer_user)
    candidate = kw.pop("candidate", None) or make_candidate(tenant.municipality)
    proposal = make_proposal(request, candidate, status="accepted", proposed_by=tenant.municipal)
    start = kw.pop("start_date", date.today() + timedelta(days=14))
    placement = Placement(
        municipality_id=tenant.municipality.id,
        request_id=request.id,
        proposal_id=proposal.id,
        candidate_id=candidate.id,
        employer_id=request.employer_id,
        workplace_id=request.workplace_id,
        placement_type_id=request.placement_type_id,
        contact_id=tenant.municipal.id,
        start_date=start,
        planned_end_date=kw.pop("planned_end_date", start + timedelta(weeks=request.duration_weeks)),
        status=status,
        **kw,
    )
    db.session.add(placement)
    db.session.flush()
    return placement


def make_visit(placement, jobcoach, **kw):
    """A workplace visit by ``jobcoach`` a week ago (``assign=True`` makes them the placement's jobcoach)."""
    from datetime import date, timedelta

    from portal.visits.models import Visit

    if kw.pop("assign", False):
        placement.jobcoach_id = jobcoach.id
    values = {
        "visit_date": date.today() - timedelta(days=7),
        "duration_minutes": 45,
        "mode": "on_site",
        "spoken_with": "candidate supervisor",
        "contact_made": True,
        "observations": "Gaat goed.",
        "risk": "low",
    }
    values.update(kw)
    visit = Visit(placement_id=placement.id, jobcoach_id=jobcoach.id, **values)
    db.session.add(visit)
    db.session.flush()
    return visit


def make_task(placement, **kw):
    """An open action on ``placement`` (owner: the employer), due in a week; visible to the employer
    when the employer carries it out, unless ``visible_to_employer`` says otherwise."""
    from datetime import date, timedelta

    from portal.tasks.models import Task

    visit = kw.pop("visit", None)
    values = {
        "kind": "action",
        "title": "Werkrooster delen met de kandidaat",
        "owner": "employer",
        "due_date": date.today() + timedelta(days=7),
        "status": "open",
    }
    values.update(kw)
    values.setdefault("visible_to_employer", values["owner"] == "employer")
    task = Task(
        municipality_id=placement.municipality_id,
        placement_id=placement.id,
        candidate_id=placement.candidate_id,
        visit_id=visit.id if visit is not None else None,
        **values,
    )
    db.session.add(task)
    db.session.flush()
    return task


def make_checkin(placement, number: int = 1, **kw):
    """A planned aftercare check-in of ``placement`` (week 1, due in a week unless given)."""
    from datetime import date, timedelta

    from portal.aftercare.models import CheckIn

    values = {"week": number, "due_date": date.today() + timedelta(days=7), "status": "planned"}
    values.update(kw)
    checkin = CheckIn(placement_id=placement.id, number=number, **values)
    db.session.add(checkin)
    db.session.flush()
    return checkin


def make_alert(placement, rule: str = "concern", **kw):
    """An open alert on ``placement`` (a concern in a weekly log unless told otherwise)."""
    from portal.alerts.models import Alert

    values = {
        "evidence_key": f"log:{_n()}",
        "severity": "high" if rule in ("concern", "low_score", "high_risk") else "normal",
        "status": "open",
        "reason": "De werkgever maakt zich zorgen in het weekverslag van de week van 2 maart.",
        "evidence_path": f"/plaatsingen/{placement.id}#tijdlijn",
    }
    values.update(kw)
    alert = Alert(municipality_id=placement.municipality_id, placement_id=placement.id, rule=rule, **values)
    db.session.add(alert)
    db.session.flush()
    return alert


def make_exit(candidate, **kw):
    """A confirmed exit of ``candidate`` to part-time work (60 days ago unless given)."""
    from datetime import date, timedelta

    from portal.journey.models import Exit

    values = {
        "status": "confirmed",
        "exit_on": date.today() - timedelta(days=60),
        "kind": "work_parttime",
        "contract_type": "fixed_term",
        "hours_per_week": 24,
    }
    values.update(kw)
    exit_row = Exit(municipality_id=candidate.municipality_id, candidate_id=candidate.id, **values)
    db.session.add(exit_row)
    db.session.flush()
    return exit_row


def make_followup(exit_row, months: int = 6, **kw):
    """A retention follow-up of ``exit_row`` (not started: no task, no question), due in 120 days."""
    from datetime import date, timedelta

    from portal.journey.models import RetentionFollowUp

    values = {"due_on": date.today() + timedelta(days=120), "employer_id": exit_row.employer_id}
    values.update(kw)
    followup = RetentionFollowUp(
        municipality_id=exit_row.municipality_id,
        candidate_id=exit_row.candidate_id,
        exit_id=exit_row.id,
        months=months,
        **values,
    )
    db.session.add(followup)
    db.session.flush()
    return followup
