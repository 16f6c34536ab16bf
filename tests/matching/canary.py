"""A candidate with canary values in every column, proposed to and placed with one employer, and a crawl
of every route that employer can reach (from the url_map and the access POLICY)."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from portal.candidates import disclosure
from portal.candidates.models import Candidate, Consent
from portal.core.time import now_utc
from portal.extensions import db
from tests import factories
from tests.test_access import POLICY

#: Identifying (staff-only) columns: never before the employer's identity consent, never after withdrawal.
IDENTITY = {
    "first_name": "Qzxfirstcanary",
    "last_name": "Qzxlastcanary",
    "phone": "06 97531864",
}
#: Columns no employer ever sees, whatever the consent.
STAFF_ONLY = {
    "email": "qzx.mail.canary@example.org",
    "home_town": "Qzxtowncanary",
    "education_country": "Qzxcountrycanary",
    "retention_extension_reason": "Qzxretentioncanary",
}
#: The care flag must never show, in any words.
CARE_WORDS = ("Zorg gaat eerst", "Zorg gaat voor", "zorg gaat voor", "care_first")
#: Profile columns: an employer sees them on a proposal only while the candidate shares the profile.
PROFILE = {
    "diploma_evaluation": "Qzxdiplomacanary",
    "other_languages": "Qzxlanguagecanary",
    "certificates": "Qzxcertificatecanary",
    "plan_a": "Qzxplanacanary",
    "plan_b": "Qzxplanbcanary",
    "plan_c": "Qzxplanccanary",
    "motivation": "Qzxmotivationcanary",
}
OCCUPATION = "Qzxoccupationcanary"
#: Any day of the frozen week of tests.matching.conftest.T0 (Tuesday 10 March 2026): its Monday.
THIS_WEEK = date(2026, 3, 9)


def identifying_columns() -> set[str]:
    """Every text column of Candidate the pseudonymised profile does not carry: each needs a canary."""
    profile = set(disclosure.pseudonymised_profile(Candidate(work_experience=[])))
    text_columns = {
        column.name
        for column in Candidate.__table__.columns
        if isinstance(column.type, sa.String) and column.name not in profile and not column.foreign_keys
    }
    # Codes (status, levels, readiness, journey stage) are not free text; they never identify anyone.
    codes = {"status", "education_level", "dutch_level", "english_level", "work_readiness", "stage"}
    return text_columns - codes


@dataclass
class Canary:
    candidate: Candidate
    share: Consent
    reveal: Consent
    proposal: object
    placement: object
    visit: object
    task: object


def make_canary(tenant) -> Canary:
    """A candidate of ``tenant`` sharing the profile and revealed to its employer, proposed (kennismaking
    planned) and in onboarding with that employer, with a visit and an open action for the employer."""
    candidate = factories.make_candidate(
        tenant.municipality,
        care_first=True,
        work_experience=[{"occupation": OCCUPATION, "sector": "horeca", "years": 2}],
        **IDENTITY,
        **STAFF_ONLY,
        **PROFILE,
    )
    share = factories.make_consent(candidate, employer=tenant.employer, recorded_by=tenant.municipal)
    reveal = factories.make_consent(
        candidate, "reveal_identity", tenant.employer, recorded_by=tenant.municipal
    )
    request = factories.make_request(tenant.workplace, created_by=tenant.employer_user)
    proposal = factories.make_proposal(request, candidate, status="meeting", proposed_by=tenant.municipal)
    proposal.meeting_at, proposal.meeting_place = now_utc(), "Kantoor"
    placement = factories.make_placement(
        tenant,
        candidate=candidate,
        status="onboarding",
        start_date=date(2026, 2, 23),
        actual_start_date=date(2026, 2, 23),
        planned_end_date=date(2026, 6, 1),
    )
    visit = factories.make_visit(placement, tenant.jobcoach, assign=True)
    task = factories.make_task(placement, visit=visit)
    db.session.flush()
    return Canary(candidate, share, reveal, proposal, placement, visit, task)


def withdraw(consent: Consent) -> None:
    """Withdraw a consent in the database only (what a race or an old row leaves behind)."""
    consent.withdrawn_at = now_utc()
    db.session.flush()


def leaks(body: str, values) -> list[str]:
    body = html.unescape(body)
    return [value for value in values if value in body]


def employer_routes() -> list[tuple[str, str]]:
    """(endpoint, method) of every route an employer user may open, from the access POLICY."""
    from portal import create_app

    app = create_app("testing")
    routes = []
    for rule in app.url_map.iter_rules():
        policy = POLICY.get(rule.endpoint)
        if policy is None or rule.endpoint in ("auth.logout", "main.healthz", "calendar.feed"):
            continue
        if policy[0] == "roles" and "employer" not in policy[1:]:
            continue
        routes += [(rule.endpoint, method) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return sorted(set(routes))


def employer_url(app, endpoint: str, tenant, canary: Canary) -> str:
    """The endpoint's URL with the canary's own objects (its proposal, placement, visit, task)."""
    rule = next(rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint)
    values = {
        "workplace_id": tenant.workplace.id,
        "request_id": canary.proposal.request_id,
        "proposal_id": canary.proposal.id,
        "placement_id": canary.placement.id,
        "visit_id": canary.visit.id,
        "task_id": canary.task.id,
        "week_start": THIS_WEEK.isoformat(),
        "invitation_id": 987654,
        "token": "no-such-token",
    }
    return app.url_map.bind("localhost").build(endpoint, {name: values[name] for name in rule.arguments})
