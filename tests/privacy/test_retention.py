"""Retention and purge (security.md PV-1): a closed dossier is kept for the team's retention period, its
specialist is warned 30 days before, and the nightly job then anonymises the candidate: names, contact
data and free text in every table about them, nothing that was not expired, nothing twice, the audit
trail untouched and the team's figures unchanged."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from portal.core import audit_chain
from portal.extensions import db
from portal.journey import queries as journey_queries
from portal.journey.models import StageChange, TeamSettings
from portal.models import AuditEvent, Base, Candidate, OutboxEmail, Placement
from portal.monitoring.figures import Period
from portal.monitoring.queries import dashboard
from portal.privacy import jobs, retention
from portal.privacy.queries import about_candidate, candidate_tables
from portal.scheduler import run_job
from tests.conftest import form_errors_in
from tests.privacy.test_access_request import T0, _fill

#: The subject's dossier closes on the last planned follow-up (6 months after the exit of 1 March 2026).
CLOSED_ON = date(2026, 9, 1)
#: Tenant A keeps a closed dossier 24 months (the default), tenant B 6 months.
PURGE_A = date(2028, 9, 1)
PURGE_B = date(2027, 3, 1)


def at_local(day: date, hour: int = 0, minute: int = 30) -> datetime:
    """``hour:minute`` on ``day`` in the Netherlands (summer or winter time), as UTC."""
    from portal.core.time import LOCAL_TZ

    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL_TZ).astimezone(UTC)


def _closed(tenant, tag: str) -> Candidate:
    """A candidate with a row in every table about candidates, who left the caseload on 1 March 2026: the
    placement ended, the exit is confirmed, the last follow-up was due on 1 September 2026."""
    candidate = _fill(tenant, tag)
    placement = db.session.scalar(sa.select(Placement).where(Placement.candidate_id == candidate.id))
    placement.status, placement.ended_on = "closed", date(2026, 3, 1)
    candidate.stage, candidate.stage_since = "uitstroom", date(2026, 3, 1)
    candidate.specialist_id = tenant.municipal.id
    for stage, day in (("aanmelding", date(2025, 6, 2)), ("uitstroom", date(2026, 3, 1))):
        db.session.add(
            StageChange(
                municipality_id=tenant.municipality.id, candidate_id=candidate.id, stage=stage, entered_on=day
            )
        )
    db.session.flush()
    return candidate


@pytest.fixture
def world(seed, time_machine):
    time_machine.move_to(T0, tick=False)
    seed.subject = _closed(seed.a, "ZICHTBAAR")
    # Same team, dossier still open (no exit): never purged.
    seed.other = _fill(seed.a, "ANDERE")
    db.session.get(Candidate, seed.other.id).specialist_id = seed.a.municipal.id
    # Helmond keeps closed dossiers 6 months.
    seed.helmond = _closed(seed.b, "HELMOND")
    db.session.add(TeamSettings(municipality_id=seed.b.municipality.id, retention_months=6))
    db.session.commit()
    return seed


def _texts(candidate_id: int) -> str:
    """Every value in every row about the candidate, as one text."""
    values = []
    for name in sorted(candidate_tables()):
        table = Base.metadata.tables[name]
        values += [
            json.dumps(list(row), default=str)
            for row in db.session.execute(sa.select(table).where(about_candidate(table, candidate_id)))
        ]
    return "\n".join(values)


def _snapshot() -> dict[str, list]:
    """Every row of every table about candidates, and of the audit trail."""
    tables = [*sorted(candidate_tables()), "audit_events"]
    return {
        name: [
            tuple(row)
            for row in db.session.execute(
                sa.select(Base.metadata.tables[name]).order_by(Base.metadata.tables[name].c.id)
            )
        ]
        for name in tables
    }


def _purge_at(time_machine, moment: datetime) -> dict:
    time_machine.move_to(moment, tick=False)
    summary = jobs.purge()
    db.session.commit()
    return summary


# The schema ----------------------------------------------------------------------------------------------


def test_pv1_every_text_column_about_a_candidate_is_purged_or_kept_with_a_reason():
    """A new column that can hold words about a person must be purged, or kept with a reason."""
    missing = []
    for name in sorted(candidate_tables()):
        table = Base.metadata.tables[name]
        decided = set(retention.PURGED.get(name, {})) | set(retention.KEPT.get(name, {}))
        missing += [f"{name}.{column}" for column in retention.text_columns(table) if column not in decided]
    assert missing == []
    for name, columns in retention.PURGED.items():
        assert set(columns) <= set(Base.metadata.tables[name].c.keys()), name
    assert set(retention.PURGED) <= candidate_tables()


# When a dossier closes and when it is due ------------------------------------------------------------------


def test_the_dossier_closes_on_the_latest_day_after_the_exit_and_is_due_after_the_teams_period(world):
    found = journey_queries.retention_of(db.session.get(Candidate, world.subject.id))
    assert (found.closed_on, found.purge_on) == (CLOSED_ON, PURGE_A)
    assert journey_queries.retention_of(db.session.get(Candidate, world.helmond.id)).purge_on == PURGE_B
    # An open dossier has no purge date.
    assert journey_queries.retention_of(db.session.get(Candidate, world.other.id)) is None


def test_a_running_placement_or_a_journey_that_started_again_keeps_the_dossier_open(world):
    subject = db.session.get(Candidate, world.subject.id)
    placement = db.session.scalar(sa.select(Placement).where(Placement.candidate_id == subject.id))
    placement.status = "nazorg"
    db.session.flush()
    assert journey_queries.retention_of(subject) is None
    assert journey_queries.expiring(world.a.municipality.id, 24, date(2099, 1, 1)) == []
    placement.status = "closed"
    subject.stage = "vervolgtraject"
    db.session.flush()
    assert journey_queries.retention_of(subject) is None


def test_a_purge_date_at_a_months_end_is_the_last_day_of_the_shorter_month():
    assert journey_queries.purge_date(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert journey_queries.purge_date(date(2026, 8, 31), 6, date(2027, 8, 31)) == date(2027, 8, 31)


# The warning on the specialist's home page -------------------------------------------------------------


def _home(login_as, user) -> str:
    """The user's home page, logged in at the frozen moment (a session does not outlive a jump in time)."""
    response = login_as(user).get("/")
    assert response.status_code == 200
    return response.data.decode()


def test_pv1_the_specialist_is_warned_from_exactly_30_days_before_the_purge_date(
    world, login_as, time_machine
):
    warn_from = PURGE_A - timedelta(days=30)
    time_machine.move_to(at_local(warn_from - timedelta(days=1), 23, 59), tick=False)
    assert "Bewaartermijn loopt af" not in _home(login_as, world.a.municipal)
    time_machine.move_to(at_local(warn_from, 0, 1), tick=False)
    body = _home(login_as, world.a.municipal)
    assert "Bewaartermijn loopt af (1)" in body
    assert "bewaartermijn loopt af op 1 september 2028" in body
    assert f"/kandidaten/{world.subject.id}/bewaartermijn" in body
    assert f'href="/kandidaten/{world.subject.id}"' in body
    # Only the specialist of the candidate sees it: Helmond's specialist sees Helmond's candidate only
    # (past the purge date, the job has not run yet).
    other_team = _home(login_as, world.b.municipal)
    assert "ZICHTBAAR" not in other_team
    assert "HELMOND-voornaam" in other_team
    assert "bewaartermijn loopt af op 1 maart 2027" in other_team


def test_the_warnings_are_newest_first(world, login_as, time_machine):
    later = _closed(world.a, "LATER")
    db.session.add(
        StageChange(
            municipality_id=world.a.municipality.id,
            candidate_id=later.id,
            stage="uitstroom",
            entered_on=date(2026, 9, 20),
        )
    )
    later.stage_since = date(2026, 9, 20)
    db.session.commit()
    time_machine.move_to(at_local(date(2028, 8, 25)), tick=False)
    warnings = journey_queries.retention_warnings(world.a.municipal, date(2028, 8, 25))
    assert [(item.candidate.id, item.purge_on) for item in warnings] == [
        (later.id, date(2028, 9, 20)),
        (world.subject.id, PURGE_A),
    ]


# The purge -------------------------------------------------------------------------------------------------


def test_pv1_the_purge_anonymises_exactly_on_the_purge_date(world, time_machine):
    # E-mails that name the candidate without being marked with their id, and one about another code.
    about, sent_to, not_about = (
        OutboxEmail(
            dedupe_key=f"test:retention:{n}",
            municipality_id=world.a.municipality.id,
            to_address=to,
            subject="Signaal",
            body_text=body,
        )
        for n, (to, body) in enumerate(
            [
                ("contact@test.werkbrug.nl", f"Er is een signaal over {world.subject.pseudonym}."),
                ("zichtbaar@test.werkbrug.nl", "Welkom bij Werkbrug."),
                ("contact@test.werkbrug.nl", f"Er is een signaal over {world.subject.pseudonym}7."),
            ]
        )
    )
    db.session.add_all([about, sent_to, not_about])
    db.session.commit()
    # The evening before: only Helmond's candidate (due since March 2027) goes.
    assert (
        _purge_at(time_machine, at_local(PURGE_A - timedelta(days=1), 23, 59))["candidates_anonymised"] == 1
    )
    subject = db.session.get(Candidate, world.subject.id)
    assert subject.anonymised_at is None
    assert "ZICHTBAAR-" in _texts(world.subject.id)

    summary = _purge_at(time_machine, at_local(PURGE_A, 0, 1))
    assert summary["candidates_anonymised"] == 1
    db.session.expire_all()
    subject = db.session.get(Candidate, world.subject.id)
    assert subject.anonymised_at is not None
    assert subject.full_name == "Geanonimiseerd"
    assert subject.status == "inactive"  # never proposed again
    assert db.session.get(OutboxEmail, about.id).body_text == retention.PURGED_TEXT
    assert db.session.get(OutboxEmail, sent_to.id).body_text == retention.PURGED_TEXT
    assert db.session.get(OutboxEmail, not_about.id).body_text.endswith(f"{world.subject.pseudonym}7.")
    assert (subject.email, subject.phone, subject.motivation) == (None, None, None)
    texts = _texts(world.subject.id)
    assert "ZICHTBAAR-" not in texts  # names, notes, logs, visits, check-ins, tasks, e-mails, requests
    assert "zichtbaar@test.werkbrug.nl" not in texts
    # Nothing that was not expired: the other candidate of the same team keeps everything.
    other = _texts(world.other.id)
    for part in ("voornaam", "visit", "checkin", "weeklog", "task", "mail", "request", "exit", "stage"):
        assert f"ANDERE-{part}" in other, part
    assert db.session.get(Candidate, world.other.id).anonymised_at is None


def test_pv1_each_team_has_its_own_retention_period(world, time_machine):
    """Helmond (6 months) is purged in March 2027; Eindhoven (24 months) keeps its dossier until 2028."""
    _purge_at(time_machine, at_local(PURGE_B - timedelta(days=1), 23, 0))
    assert db.session.get(Candidate, world.helmond.id).anonymised_at is None
    summary = _purge_at(time_machine, at_local(PURGE_B, 0, 1))
    assert summary["candidates_anonymised"] == 1
    db.session.expire_all()
    assert db.session.get(Candidate, world.helmond.id).anonymised_at is not None
    assert "HELMOND-" not in _texts(world.helmond.id)
    assert db.session.get(Candidate, world.subject.id).anonymised_at is None
    assert "ZICHTBAAR-voornaam" in _texts(world.subject.id)


def test_pv1_a_second_run_changes_nothing(world, time_machine):
    first = _purge_at(time_machine, at_local(PURGE_A, 3, 0))
    assert first["candidates_anonymised"] == 2
    assert first["rows_purged"] > 2 * len(retention.PURGED) - 4
    before = _snapshot()
    second = _purge_at(time_machine, at_local(PURGE_A + timedelta(days=1), 3, 0))
    assert second == {"candidates_anonymised": 0, "rows_purged": 0}
    assert _snapshot() == before


def test_pv1_the_audit_trail_says_what_was_purged_and_never_the_data(world, time_machine):
    _purge_at(time_machine, at_local(PURGE_A, 3, 0))
    event = db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.action == "candidate.anonymised", AuditEvent.object_id == world.subject.id
        )
    )
    assert (event.object_type, event.actor_id, event.municipality_id) == (
        "Candidate",
        None,
        world.a.municipality.id,
    )
    assert event.detail["purge_on"] == PURGE_A.isoformat()
    tables = event.detail["tables"]
    assert tables["candidates"] == {"rows": 1, "fields": sorted(retention.PURGED["candidates"])}
    for name in ("weekly_logs", "visits", "checkins", "tasks", "outbox_emails", "privacy_requests", "exits"):
        assert tables[name]["rows"] >= 1, name
    text = json.dumps(event.detail)
    assert "ZICHTBAAR" not in text
    assert "zichtbaar" not in text


def test_pv1_the_purge_leaves_the_audit_trail_intact(world, time_machine, app):
    before = db.session.execute(sa.select(AuditEvent.id, AuditEvent.row_hash).order_by(AuditEvent.id)).all()
    _purge_at(time_machine, at_local(PURGE_A, 3, 0))
    after = db.session.execute(sa.select(AuditEvent.id, AuditEvent.row_hash).order_by(AuditEvent.id)).all()
    assert after[: len(before)] == before
    assert len(after) == len(before) + 2  # one event per anonymised candidate
    result = app.test_cli_runner().invoke(args=["verify-audit"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"intact, {len(after)} rows")
    assert audit_chain.verify(db.session.connection())[1] is None


def test_pv1_the_teams_figures_do_not_change(world, time_machine):
    """Counts, dates, statuses and outcomes stay; only the free-text exit reasons are gone."""
    time_machine.move_to(at_local(PURGE_A, 3, 0), tick=False)
    period = Period(date(2025, 1, 1), date(2026, 12, 31))

    def figures():
        board = asdict(dashboard(world.a.municipality.id, period))
        board["exits"].pop("reasons")
        return board

    before = figures()
    assert before["registered"] >= 1
    assert before["exits"]["exited"] >= 1
    jobs.purge()
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Candidate, world.subject.id).anonymised_at is not None
    assert figures() == before


def test_the_scheduler_runs_the_purge_as_a_quiet_job(world, time_machine, app):
    time_machine.move_to(at_local(PURGE_B, 3, 0), tick=False)
    assert run_job(app, "privacy.purge")["candidates_anonymised"] == 1
    assert run_job(app, "privacy.purge") == {"candidates_anonymised": 0, "rows_purged": 0}


# An anonymised candidate on every page ---------------------------------------------------------------------


def test_an_anonymised_candidate_shows_as_geanonimiseerd_everywhere(world, login_as, time_machine):
    _purge_at(time_machine, at_local(PURGE_A, 3, 0))
    placement = db.session.scalar(sa.select(Placement).where(Placement.candidate_id == world.subject.id))
    client = login_as(world.a.municipal)
    for url in (
        f"/kandidaten/{world.subject.id}",
        f"/kandidaten/{world.subject.id}/traject",
        f"/kandidaten/{world.subject.id}/inzage",
        f"/kandidaten/{world.subject.id}/inzage.json",
        f"/kandidaten/{world.subject.id}/bewaartermijn",
        f"/plaatsingen/{placement.id}",
        "/kandidaten?specialist=all",
        "/plaatsingen",
        "/navraag",
        "/",
        "/monitoring",
        "/monitoring/kandidaten",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "ZICHTBAAR-" not in response.data.decode(), url
    body = client.get(f"/kandidaten/{world.subject.id}").data.decode()
    assert "Geanonimiseerd" in body
    assert "is geanonimiseerd op" in body
    assert "is geanonimiseerd op" in client.get(f"/kandidaten/{world.subject.id}/bewaartermijn").data.decode()


# The setting -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("5", "Vul een aantal maanden van 6 tot en met 120 in."),
        ("121", "Vul een aantal maanden van 6 tot en met 120 in."),
        ("twee jaar", "Vul een heel getal in, zoals 24."),
        ("", "Vul de bewaartermijn in."),
    ],
)
def test_the_retention_period_is_checked_with_a_dutch_message(world, login_as, typed, message):
    client = login_as(world.a.admin)
    data = {"caseload_norm": "100", "followup_months": "6 12", "plan_review_weeks": "8"}
    response = client.post("/team/instellingen", data={**data, "retention_months": typed})
    assert response.status_code == 200
    assert message in form_errors_in(response.data.decode())
    assert f'value="{typed}"' in response.data.decode()  # nothing typed is lost
    assert (
        db.session.scalar(
            sa.select(TeamSettings).where(TeamSettings.municipality_id == world.a.municipality.id)
        )
        is None
    )


def test_the_admin_sets_the_retention_period_and_it_counts_at_once(world, login_as):
    client = login_as(world.a.admin)
    page = client.get("/team/instellingen").data.decode()
    assert 'value="24"' in page
    data = {
        "caseload_norm": "100",
        "followup_months": "6 12",
        "plan_review_weeks": "8",
        "retention_months": "36",
    }
    assert client.post("/team/instellingen", data=data).status_code == 302
    row = db.session.scalar(
        sa.select(TeamSettings).where(TeamSettings.municipality_id == world.a.municipality.id)
    )
    assert row.retention_months == 36
    found = journey_queries.retention_of(db.session.get(Candidate, world.subject.id))
    assert found.purge_on == date(2029, 9, 1)
    event = db.session.scalar(
        sa.select(AuditEvent)
        .where(AuditEvent.action == "journey.team_settings_saved")
        .order_by(AuditEvent.id.desc())
    )
    assert event.detail["retention_months"] == 36


# Keeping a dossier longer ----------------------------------------------------------------------------------


def test_the_specialist_extends_the_retention_once_with_a_reason(world, login_as, time_machine):
    time_machine.move_to(at_local(date(2028, 8, 10)), tick=False)
    client = login_as(world.a.municipal)
    url = f"/kandidaten/{world.subject.id}/bewaartermijn"
    page = client.get(url).data.decode()
    assert "De bewaartermijn loopt af op 1 september 2028" in page
    refused = client.post(url, data={"reason": "  "})
    assert "Schrijf op waarom het dossier langer bewaard moet blijven." in form_errors_in(
        refused.data.decode()
    )
    response = client.post(url, data={"reason": "Er loopt nog een bezwaar."})
    assert response.status_code == 302
    subject = db.session.get(Candidate, world.subject.id)
    assert subject.retention_extended_until == date(2029, 9, 1)
    assert journey_queries.retention_of(subject).purge_on == date(2029, 9, 1)
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "candidate.retention_extended")
    )
    assert event.detail == {"purge_on": "2028-09-01", "extended_until": "2029-09-01"}
    # The warning is gone, the purge waits, and a second extension is refused.
    assert "Bewaartermijn loopt af" not in _home(login_as, world.a.municipal)
    assert _purge_at(time_machine, at_local(PURGE_A, 3, 0))["candidates_anonymised"] == 1  # Helmond only
    assert db.session.get(Candidate, world.subject.id).anonymised_at is None
    client = login_as(world.a.municipal)  # the session of August ended long ago
    client.get(url)
    again = client.post(url, data={"reason": "Nog een keer."})
    assert again.status_code == 200
    assert "Bewaartermijn verlengen" not in again.data.decode()
    assert db.session.get(Candidate, world.subject.id).retention_extended_until == date(2029, 9, 1)


def test_an_open_dossier_cannot_be_extended(world, login_as):
    client = login_as(world.a.municipal)
    url = f"/kandidaten/{world.other.id}/bewaartermijn"
    assert "nog open" in client.get(url).data.decode()
    response = client.post(url, data={"reason": "Bezwaar"})
    assert response.status_code == 200
    assert db.session.get(Candidate, world.other.id).retention_extended_until is None


@pytest.mark.parametrize("role", ["employer", "jobcoach"])
def test_employers_and_jobcoaches_never_see_the_retention_page(world, login_as, role):
    assert login_as(world.a.user(role)).get(f"/kandidaten/{world.subject.id}/bewaartermijn").status_code in (
        403,
        404,
    )


def test_another_municipalitys_candidate_is_not_found(world, login_as):
    client = login_as(world.b.municipal)
    assert client.get(f"/kandidaten/{world.subject.id}/bewaartermijn").status_code == 404
    assert (
        client.post(f"/kandidaten/{world.subject.id}/bewaartermijn", data={"reason": "x"}).status_code == 404
    )


def test_an_anonymised_profile_cannot_be_filled_in_again(world, time_machine):
    from portal.candidates import services
    from portal.core.errors import DomainError

    _purge_at(time_machine, at_local(PURGE_A, 3, 0))
    subject = db.session.get(Candidate, world.subject.id)
    with pytest.raises(DomainError, match="geanonimiseerd"):
        services.update_candidate(world.a.municipal, subject, {"first_name": "Terug"})
    with pytest.raises(DomainError, match="geanonimiseerd"):
        services.record_consent(
            world.a.municipal,
            subject,
            kind="share_profile",
            employer_id=None,
            method="conversation",
            text_version="2026-1",
            given_on=date(2028, 9, 1),
        )
    assert db.session.get(Candidate, world.subject.id).first_name == "Geanonimiseerd"


def test_a_candidate_another_run_anonymised_is_left_alone(world, time_machine):
    time_machine.move_to(at_local(PURGE_A, 3, 0), tick=False)
    subject = db.session.get(Candidate, world.subject.id)
    assert retention.anonymise(subject, purge_on=PURGE_A)
    assert retention.anonymise(subject, purge_on=PURGE_A) == {}
    events = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.action == "candidate.anonymised", AuditEvent.object_id == world.subject.id
        )
    ).all()
    assert len(events) == 1
