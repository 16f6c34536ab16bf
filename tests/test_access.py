"""Access rules across every route: declarations, role matrix, tenant isolation (404, nothing changed)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Blueprint

from portal import create_app
from portal.core.security import ROLES, access_of
from portal.extensions import db
from portal.models import Base

#: The intended access of every endpoint. A new route must be added here on purpose.
POLICY = {
    "main.home": ("public",),
    "main.healthz": ("public",),
    "auth.login": ("public",),
    "auth.logout": ("pending",),
    "auth.mfa_code": ("pending",),
    "auth.mfa_recovery": ("pending",),
    "auth.mfa_enrol": ("pending",),
    "auth.confirm": ("login",),
    "auth.account_app": ("login",),
    "auth.renew_recovery_codes": ("login",),
    "auth.waiting": ("login",),
    "auth.forgot_password": ("public",),
    "auth.reset_password": ("public",),
    "auth.setup_account": ("public",),
    "auth.account": ("login",),
    "auth.change_password": ("login",),
    "auth.update_profile": ("login",),
    "employers.register": ("public",),
    "employers.registered": ("public",),
    "employers.accept_invitation": ("public",),
    "employers.registrations": ("roles", "municipal", "admin"),
    "employers.index": ("roles", "municipal", "admin"),
    "employers.detail": ("roles", "municipal", "admin"),
    "employers.decide": ("roles", "municipal", "admin"),
    "employers.change_contact": ("roles", "municipal", "admin"),
    "employers.organisation": ("roles", "employer"),
    "employers.workplaces": ("roles", "employer"),
    "employers.workplace_new": ("roles", "employer"),
    "employers.workplace_edit": ("roles", "employer"),
    "employers.workplace_archive": ("roles", "employer"),
    "employers.workplace_restore": ("roles", "employer"),
    "employers.workplace_detail": ("roles", "employer", "municipal", "admin"),
    "employers.colleagues": ("roles", "employer"),
    "employers.invite": ("roles", "employer"),
    "employers.revoke_invitation": ("roles", "employer"),
    "admin.users": ("roles", "admin"),
    "admin.user_new": ("roles", "admin"),
    "admin.user_deactivate": ("roles", "admin"),
    "admin.user_activate": ("roles", "admin"),
    "admin.user_reset_mfa": ("roles", "admin"),
    "admin.security": ("roles", "admin"),
    "admin.outbox": ("roles", "admin"),
    "admin.outbox_retry": ("roles", "admin"),
    "admin.outbox_retry_all": ("roles", "admin"),
    "admin.audit": ("roles", "admin"),
    "candidates.index": ("roles", "municipal"),
    "candidates.new": ("roles", "municipal"),
    "candidates.detail": ("roles", "municipal"),
    "candidates.edit": ("roles", "municipal"),
    "candidates.consent_new": ("roles", "municipal"),
    "candidates.set_availability": ("roles", "municipal"),
    "candidates.consent_withdraw": ("roles", "municipal"),
    "candidates.import_upload": ("roles", "municipal"),
    "candidates.import_confirm": ("roles", "municipal"),
    "requests.types": ("roles", "admin"),
    "requests.type_edit": ("roles", "admin"),
    "requests.index": ("roles", "employer", "municipal", "admin"),
    "requests.new": ("roles", "employer"),
    "requests.detail": ("roles", "employer", "municipal", "admin"),
    "requests.edit": ("roles", "employer"),
    "requests.submit": ("roles", "employer"),
    "requests.withdraw": ("roles", "employer"),
    "requests.take": ("roles", "municipal"),
    "matching.candidates_for": ("roles", "municipal"),
    "matching.propose": ("roles", "municipal"),
    "matching.proposal": ("roles", "employer", "municipal"),
    "matching.invite": ("roles", "employer"),
    "matching.decline": ("roles", "employer"),
    "matching.accept": ("roles", "employer"),
    "matching.withdraw": ("roles", "municipal"),
    "placements.index": ("roles", "employer", "jobcoach", "municipal"),
    "placements.detail": ("roles", "employer", "jobcoach", "municipal"),
    "placements.start": ("roles", "employer", "municipal"),
    "placements.assign_jobcoach": ("roles", "municipal"),
    "placements.log_week": ("roles", "employer"),
    "ending.decide": ("roles", "municipal"),
    "ending.dropout": ("roles", "municipal", "jobcoach"),
    "ending.preference": ("roles", "employer"),
    "visits.new": ("roles", "jobcoach"),
    "visits.confirm": ("roles", "employer"),
    "tasks.index": ("roles", "employer", "jobcoach", "municipal"),
    "tasks.complete": ("roles", "employer", "jobcoach", "municipal"),
    "aftercare.settings": ("roles", "admin"),
    "aftercare.contract": ("roles", "municipal"),
    "aftercare.checkin": ("roles", "municipal"),
    "aftercare.outcome": ("roles", "municipal"),
    "calendar.index": ("roles", "municipal", "jobcoach"),
    "calendar.reset": ("roles", "municipal", "jobcoach"),
    "calendar.new_address": ("roles", "municipal", "jobcoach"),
    "calendar.stop": ("roles", "municipal", "jobcoach"),
    "calendar.feed": ("public",),
    "alerts.index": ("roles", "municipal", "jobcoach"),
    "alerts.acknowledge": ("roles", "municipal", "jobcoach"),
    "alerts.resolve": ("roles", "municipal", "jobcoach"),
    "privacy.access": ("roles", "municipal", "admin"),
    "privacy.access_json": ("roles", "municipal", "admin"),
    "privacy.request_new": ("roles", "municipal", "admin"),
    "privacy.request_handled": ("roles", "municipal", "admin"),
    "monitoring.index": ("roles", "municipal", "admin"),
    "monitoring.candidates": ("roles", "municipal", "admin"),
    "monitoring.placements": ("roles", "municipal", "admin"),
    "monitoring.export": ("roles", "municipal", "admin"),
    "journey.detail": ("roles", "municipal"),
    "journey.stage_new": ("roles", "municipal"),
    "journey.screening_new": ("roles", "municipal"),
    "journey.plan_save": ("roles", "municipal"),
    "journey.plan_step": ("roles", "municipal"),
    "journey.specialist": ("roles", "municipal"),
    "journey.exit_new": ("roles", "municipal"),
    "journey.exit_confirm": ("roles", "municipal"),
    "journey.exit_dismiss": ("roles", "municipal"),
    "journey.caseload": ("roles", "municipal", "admin"),
    "journey.reassign": ("roles", "municipal", "admin"),
    "journey.team_settings": ("roles", "admin"),
    "journey.retention": ("roles", "municipal", "admin"),
    "followups.index": ("roles", "municipal"),
    "followups.record": ("roles", "municipal"),
    "followups.answer": ("public",),
}


def iter_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def url_args(rule, tenant) -> dict:
    """Fill a rule's arguments with objects of ``tenant``."""
    values = {
        "employer_id": tenant.employer.id,
        "workplace_id": tenant.workplace.id,
        "user_id": tenant.jobcoach.id,
        "invitation_id": 987654,
        "message_id": 987654,
        "token": "no-such-token",
        "request_id": tenant.request.id,
        "candidate_id": tenant.candidate.id,
        "proposal_id": tenant.proposal.id,
        "placement_id": tenant.placement.id,
        "type_id": tenant.request.placement_type_id,
        "consent_id": 987654,
        "privacy_request_id": 987654,
        "exit_id": 987654,
        "week_start": "2026-03-09",
        "visit_id": tenant.visit.id,
        "task_id": tenant.task.id,
        "checkin_id": tenant.checkin.id,
        "alert_id": tenant.alert.id,
        "followup_id": tenant.followup.id,
    }
    return {name: values[name] for name in rule.arguments}


def build_url(app, rule, tenant) -> str:
    return app.url_map.bind("localhost").build(rule.endpoint, url_args(rule, tenant), method=None)


def test_every_route_declares_access(app):
    undeclared = [
        rule.endpoint for rule, _ in iter_routes(app) if access_of(app.view_functions[rule.endpoint]) is None
    ]
    assert undeclared == []


def test_declarations_match_the_policy(app):
    actual = {rule.endpoint: access_of(app.view_functions[rule.endpoint]) for rule, _ in iter_routes(app)}
    assert actual == POLICY


def test_an_undeclared_route_is_refused_for_everyone():
    app = create_app("testing")
    extra = Blueprint("extra", __name__)

    @extra.get("/vergeten")
    def forgotten():
        return "should never be served"

    app.register_blueprint(extra)
    response = app.test_client().get("/vergeten")
    assert response.status_code == 403
    assert b"should never be served" not in response.data


def test_anonymous_visitors_are_sent_to_login(app, seed, client):
    for rule, method in iter_routes(app):
        if POLICY[rule.endpoint] == ("public",):
            continue
        url = build_url(app, rule, seed.a)
        response = client.open(url, method=method)
        assert response.status_code == 302, (rule.rule, method)
        assert response.headers["Location"].startswith("/login"), (rule.rule, method)


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(app, seed, login_as, role):
    """Roles outside a route's declaration get 403; allowed roles never get 403 or an error."""
    client = login_as(seed.a.user(role))
    mismatches = []
    for rule, method in iter_routes(app):
        policy = POLICY[rule.endpoint]
        if rule.endpoint == "auth.logout":
            continue
        url = build_url(app, rule, seed.a)
        status = client.open(url, method=method).status_code
        allowed = policy[0] != "roles" or role in policy[1:]
        if (not allowed and status != 403) or (allowed and status in (403, 500)):
            mismatches.append((rule.rule, method, status))
    assert mismatches == []


#: Tables a request may write for reasons unrelated to the object asked for (a trail, a counter).
NOT_SNAPSHOTTED = {"audit_events", "login_failures", "scheduler_heartbeats"}
#: How rows of tables without a municipality_id belong to a tenant: (column, parent table).
OWNED_THROUGH = {
    "workplaces": ("employer_id", "employers"),
    "invitations": ("employer_id", "employers"),
    "proposals": ("request_id", "placement_requests"),
    "consents": ("candidate_id", "candidates"),
    "candidate_versions": ("candidate_id", "candidates"),
    "password_tokens": ("user_id", "users"),
    "recovery_codes": ("user_id", "users"),
    "placement_status_changes": ("placement_id", "placements"),
    "weekly_logs": ("placement_id", "placements"),
    "weekly_log_versions": ("log_id", "weekly_logs"),
    "log_reminders": ("placement_id", "placements"),
    "visits": ("placement_id", "placements"),
    "end_decisions": ("placement_id", "placements"),
    "checkins": ("placement_id", "placements"),
}


def _owned_by(table, municipality_id: int):
    """A WHERE clause selecting the rows of ``table`` that belong to the municipality."""
    if "municipality_id" in table.c:
        return table.c.municipality_id == municipality_id
    if table.name == "municipalities":
        return table.c.id == municipality_id
    if table.name not in OWNED_THROUGH:
        raise AssertionError(f"table {table.name} has no known owner: add it to OWNED_THROUGH")
    column, parent_name = OWNED_THROUGH[table.name]
    parent = Base.metadata.tables[parent_name]
    return table.c[column].in_(sa.select(parent.c.id).where(_owned_by(parent, municipality_id)))


def _tenant_b_snapshot(seed) -> list:
    """Every row that belongs to tenant B, in a stable order."""
    municipality_id = seed.b.municipality.id
    rows = []
    for table in Base.metadata.sorted_tables:
        if table.name in NOT_SNAPSHOTTED:
            continue
        where = _owned_by(table, municipality_id)
        query = sa.select(table).where(where).order_by(*table.primary_key.columns)
        rows.extend((table.name, *row) for row in db.session.execute(query))
    return rows


@pytest.mark.parametrize("role", ROLES)
def test_other_tenants_objects_answer_404_and_stay_unchanged(app, seed, login_as, role):
    client = login_as(seed.a.user(role))
    before = _tenant_b_snapshot(seed)
    leaks = []
    for rule, method in iter_routes(app):
        policy = POLICY[rule.endpoint]
        ids = set(rule.arguments) - {"token", "invitation_id", "message_id", "consent_id", "exit_id"}
        if not ids or (policy[0] == "roles" and role not in policy[1:]):
            continue
        url = build_url(app, rule, seed.b)
        status = client.open(url, method=method, data={"reason": "x", "decision": "approve"}).status_code
        if status != 404:
            leaks.append((rule.rule, method, status))
    assert leaks == []
    db.session.expire_all()
    assert _tenant_b_snapshot(seed) == before


@pytest.mark.parametrize("role", ROLES)
def test_ids_beyond_the_database_range_answer_404(app, seed, login_as, role):
    """An id no INTEGER column can hold names nothing: 404, never a database error (PostgreSQL)."""
    client = login_as(seed.a.user(role))
    problems = []
    for rule, method in iter_routes(app):
        if method != "GET" or not any(name.endswith("_id") for name in rule.arguments):
            continue
        if role not in POLICY[rule.endpoint][1:]:
            continue
        args = url_args(rule, seed.a)
        for huge in (2**31, 2**40, 2**63):
            url = app.url_map.bind("localhost").build(
                rule.endpoint, {k: huge if k.endswith("_id") else v for k, v in args.items()}
            )
            status = client.get(url).status_code
            if status != 404:
                problems.append(f"{url}: {status}")
    assert problems == []


# Inside one municipality: another employer, another jobcoach ---------------------------------------------

#: Rule arguments that name no object of the tenant (or are not ids).
NOT_OBJECTS = {"token", "invitation_id", "message_id", "consent_id", "exit_id", "week_start"}


def _neighbour(seed, role: str):
    """A user of tenant A's municipality who has nothing to do with tenant A's employer and placement."""
    from tests.factories import make_employer, make_user

    municipality = seed.a.municipality
    if role == "employer":
        return make_user("employer", employer=make_employer(municipality, contact_id=seed.a.municipal.id))
    return make_user("jobcoach", municipality)


def _tenant_a_snapshot(seed) -> list:
    rows = []
    for table in Base.metadata.sorted_tables:
        if table.name in NOT_SNAPSHOTTED or table.name == "users":
            continue
        query = sa.select(table).where(_owned_by(table, seed.a.municipality.id))
        rows.extend((table.name, *row) for row in db.session.execute(query.order_by(*table.primary_key)))
    return rows


@pytest.mark.parametrize("role", ["employer", "jobcoach"])
def test_another_employer_or_jobcoach_of_the_same_municipality_gets_404(app, seed, login_as, role):
    """Tenant A's employer objects and its jobcoach's placement are not a neighbour's: 404, unchanged."""
    client = login_as(_neighbour(seed, role))
    before = _tenant_a_snapshot(seed)
    leaks, checked = [], set()
    for rule, method in iter_routes(app):
        policy = POLICY[rule.endpoint]
        if not set(rule.arguments) - NOT_OBJECTS or role not in policy[1:]:
            continue
        checked.add(rule.endpoint)
        url = build_url(app, rule, seed.a)
        status = client.open(url, method=method, data={"reason": "x", "decision": "approve"}).status_code
        if status != 404:
            leaks.append((rule.rule, method, status))
    assert leaks == []
    expected = {"employer": "placements.log_week", "jobcoach": "visits.new"}[role]
    assert expected in checked
    assert "placements.detail" in checked
    db.session.expire_all()
    assert _tenant_a_snapshot(seed) == before
