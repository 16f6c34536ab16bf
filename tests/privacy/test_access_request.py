"""Access requests (AVG art. 15): everything held about one candidate, nothing about anyone else."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from portal.core import audit
from portal.extensions import db
from portal.models import (
    AuditEvent,
    Base,
    CandidateVersion,
    EndDecision,
    Exit,
    LogReminder,
    OutboxEmail,
    PlacementStatusChange,
    PlanStep,
    RetentionFollowUp,
    Screening,
    StageChange,
    WeeklyLog,
    WeeklyLogVersion,
)
from portal.privacy import queries
from portal.privacy.models import PrivacyRequest
from tests import factories

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
TODAY = date(2026, 3, 10)


def _fill(tenant, tag: str):
    """A candidate with a row in every table about candidates; ``tag`` is in a text column of each."""
    candidate = factories.make_candidate(
        tenant.municipality, first_name=f"{tag}-voornaam", email=f"{tag.lower()}@test.werkbrug.nl"
    )
    factories.make_consent(
        candidate, employer=tenant.employer, recorded_by=tenant.municipal, text_version=f"{tag}"[:20]
    )
    placement = factories.make_placement(tenant, candidate=candidate, end_note=f"{tag}-placement")
    visit = factories.make_visit(placement, tenant.jobcoach, observations=f"{tag}-visit")
    task = factories.make_task(placement, visit=visit, title=f"{tag}-task")
    factories.make_checkin(placement, agreements=f"{tag}-checkin")
    factories.make_alert(placement, reason=f"{tag}-alert")
    log = WeeklyLog(
        placement_id=placement.id,
        week_start=date(2026, 3, 2),
        days_planned=3,
        days_present=3,
        punctuality=3,
        task_progress=3,
        dutch_at_work=3,
        teamwork=3,
        motivation=3,
        concern_text=f"{tag}-weeklog",
        submitted_by_id=tenant.employer_user.id,
    )
    db.session.add(log)
    db.session.flush()
    exit_row = Exit(
        municipality_id=tenant.municipality.id,
        candidate_id=candidate.id,
        exit_on=date(2026, 3, 1),
        kind="work_parttime",
        reason=f"{tag}-exit",
        placement_id=placement.id,
    )
    db.session.add(exit_row)
    db.session.flush()
    rows = [
        CandidateVersion(
            candidate_id=candidate.id, version=2, changed_at=T0, changes={"plan_a": ["", f"{tag}-version"]}
        ),
        WeeklyLogVersion(
            log_id=log.id,
            version=1,
            data={"notes": f"{tag}-logversion"},
            replaced_by_id=tenant.employer_user.id,
        ),
        PlacementStatusChange(placement_id=placement.id, to_status="onboarding", reason=f"{tag}-status"),
        EndDecision(
            placement_id=placement.id,
            kind="stop",
            stop_reason="no_vacancy",
            note=f"{tag}-decision",
            decided_by_id=tenant.municipal.id,
        ),
        StageChange(
            municipality_id=tenant.municipality.id,
            candidate_id=candidate.id,
            stage="klantbeeld",
            entered_on=date(2026, 1, 5),
            note=f"{tag}-stage",
        ),
        Screening(
            municipality_id=tenant.municipality.id,
            candidate_id=candidate.id,
            instrument="noa",
            done_on=date(2026, 1, 6),
            outcome=f"{tag}-screening",
        ),
        PlanStep(
            municipality_id=tenant.municipality.id,
            candidate_id=candidate.id,
            from_level="c",
            to_level="b",
            stepped_on=date(2026, 2, 1),
            note=f"{tag}-planstep",
        ),
        RetentionFollowUp(
            municipality_id=tenant.municipality.id,
            candidate_id=candidate.id,
            exit_id=exit_row.id,
            months=6,
            due_on=date(2026, 9, 1),
            task_id=task.id,
            token_hash=f"{tag}-secret-token-hash"[:64],
            note=f"{tag}-followup",
        ),
        OutboxEmail(
            dedupe_key=f"test:{tag}",
            municipality_id=tenant.municipality.id,
            candidate_id=candidate.id,
            to_address=f"{tag.lower()}-recipient@test.werkbrug.nl",
            subject=f"{tag}-mail",
            body_text=f"Beste {tag}-staff-name, ...",
        ),
        LogReminder(placement_id=placement.id, week_start=date(2026, 3, 2), user_id=tenant.employer_user.id),
        PrivacyRequest(
            municipality_id=tenant.municipality.id,
            candidate_id=candidate.id,
            kind="rectification",
            received_on=date(2026, 3, 2),
            outcome=f"{tag}-request",
            recorded_by_id=tenant.municipal.id,
        ),
    ]
    db.session.add_all(rows)
    db.session.flush()
    return candidate


@pytest.fixture
def world(seed, time_machine):
    time_machine.move_to(T0, tick=False)
    seed.subject = _fill(seed.a, "ZICHTBAAR")
    seed.other = _fill(seed.a, "ANDERE")
    # Someone saw the other candidate alone, and both in one list.
    audit.record_viewed(seed.a.municipal, seed.other, "staff_profile")
    audit.record_listing(seed.a.municipal, [seed.subject.id, seed.other.id], "candidates_list")
    db.session.commit()
    return seed


# Coverage of the schema ----------------------------------------------------------------------------------


def test_every_table_about_a_candidate_has_a_section_or_a_reason():
    """A new table pointing at a candidate (directly or through a placement, ...) must be exported."""
    about_candidates = queries.candidate_tables()
    covered = set(queries.SECTIONS) | set(queries.NOT_EXPORTED)
    assert sorted(about_candidates - covered) == []
    assert sorted(set(queries.SECTIONS) - about_candidates) == []


def test_every_table_with_a_candidate_id_column_is_exported():
    with_column = {table.name for table in Base.metadata.tables.values() if "candidate_id" in table.c}
    assert sorted(with_column - set(queries.SECTIONS)) == []


# The document --------------------------------------------------------------------------------------------


def test_the_export_has_the_candidates_rows_in_every_table(world, login_as):
    client = login_as(world.a.municipal)
    response = client.get(f"/kandidaten/{world.subject.id}/inzage.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    document = json.loads(response.data)
    for table in queries.SECTIONS:
        assert document["sections"][table]["rows"], f"nothing exported from {table}"
    text = response.data.decode()
    for part in (
        "voornaam",
        "placement",
        "visit",
        "task",
        "checkin",
        "alert",
        "weeklog",
        "exit",
        "version",
        "logversion",
        "status",
        "decision",
        "stage",
        "screening",
        "planstep",
        "followup",
        "mail",
        "request",
    ):
        assert f"ZICHTBAAR-{part}" in text, part


def _ids(query) -> set[int]:
    return set(db.session.scalars(query))


def test_pv4_the_export_has_exactly_every_row_about_the_candidate(world, login_as):
    """PV-4: 100% of the candidate's rows in every personal-data table and none of another person's, counted
    independently of the export's own schema walk (by the candidate's, placements', logs' and visits' ids)."""
    placement = _placement_of(world)
    factories.make_visit(placement, world.a.jobcoach, observations="ZICHTBAAR-visit-2")
    factories.make_task(placement, title="ZICHTBAAR-task-2")
    factories.make_checkin(placement, number=2, agreements="ZICHTBAAR-checkin-2")
    factories.make_alert(placement, rule="high_risk", reason="ZICHTBAAR-alert-2")
    db.session.commit()
    tables = Base.metadata.tables
    owners = {"candidate_id": {world.subject.id}}
    owners["placement_id"] = _ids(
        sa.select(tables["placements"].c.id).where(tables["placements"].c.candidate_id == world.subject.id)
    )
    owners["log_id"] = _ids(
        sa.select(tables["weekly_logs"].c.id).where(
            tables["weekly_logs"].c.placement_id.in_(owners["placement_id"])
        )
    )
    owners["visit_id"] = _ids(
        sa.select(tables["visits"].c.id).where(tables["visits"].c.placement_id.in_(owners["placement_id"]))
    )
    expected = {"candidates": {world.subject.id}}
    for name in queries.SECTIONS:
        if name == "candidates":
            continue
        table = tables[name]
        conditions = [table.c[column].in_(ids) for column, ids in owners.items() if column in table.c]
        assert conditions, name
        expected[name] = _ids(sa.select(table.c.id).where(sa.or_(*conditions)))

    document = json.loads(login_as(world.a.municipal).get(f"/kandidaten/{world.subject.id}/inzage.json").data)
    exported = {
        name: {row["id"] for row in section["rows"]} for name, section in document["sections"].items()
    }
    assert exported == expected
    assert len(exported["visits"]) == 2
    assert len(exported["tasks"]) >= 2
    assert len(exported["checkins"]) == 2
    assert len(exported["alerts"]) == 2
    # The consultations: when and why, from the audit trail (the listing in the fixture is the newest).
    assert document["consultations"][-1]["purpose"] == "Lijst met kandidaten"
    assert all(item["occurred_at"] and item["purpose"] for item in document["consultations"])


def test_the_export_holds_nothing_about_other_persons(world, login_as):
    client = login_as(world.a.municipal)
    for url in (f"/kandidaten/{world.subject.id}/inzage", f"/kandidaten/{world.subject.id}/inzage.json"):
        body = client.get(url).data.decode()
        if "<main" in body:  # the page header names the logged-in user: only the document counts
            body = body.split("<main", 1)[1].split("</main>", 1)[0]
        assert "ANDERE" not in body, url
        assert world.other.pseudonym not in body, url
        assert "zichtbaar-recipient" not in body, url  # the mail's recipient
        assert "staff-name" not in body, url  # the mail's body greets a staff member
        assert "secret-token-hash" not in body, url
        for user in (world.a.municipal, world.a.jobcoach, world.a.employer_user, world.a.admin):
            assert user.email not in body, url
            assert user.full_name not in body, url
        # Organisations may be named.
        assert world.a.employer.name in body, url


def test_consultations_give_dates_and_purposes_not_names(world, login_as):
    client = login_as(world.a.municipal)
    client.get(f"/kandidaten/{world.subject.id}")  # the staff profile page
    document = json.loads(client.get(f"/kandidaten/{world.subject.id}/inzage.json").data)
    purposes = [item["purpose"] for item in document["consultations"]]
    assert "Lijst met kandidaten" in purposes
    assert "Profielpagina van de gemeente" in purposes
    assert all(item["occurred_at"] for item in document["consultations"])
    # Only consultations of this candidate: the other candidate's own profile view is not there.
    assert len(document["consultations"]) == 2
    assert {item["role"] for item in document["consultations"]} == {"municipal"}


def test_the_page_is_one_printable_document_with_a_section_per_kind(world, login_as):
    body = login_as(world.a.municipal).get(f"/kandidaten/{world.subject.id}/inzage").data.decode()
    assert body.count("<h1") == 1
    for title in queries.SECTIONS.values():
        assert title in body
    assert "ZICHTBAAR-voornaam" in body
    assert "Wanneer en waarom de gegevens zijn bekeken" in body


@pytest.mark.parametrize("suffix", ["inzage", "inzage.json"])
def test_the_export_writes_an_audit_event(world, login_as, suffix):
    client = login_as(world.a.admin)
    assert client.get(f"/kandidaten/{world.subject.id}/{suffix}").status_code == 200
    event = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.action == audit.CANDIDATE_VIEWED, AuditEvent.object_type == "Candidate")
        .order_by(AuditEvent.id.desc())
    ).first()
    assert event is not None
    assert (event.object_type, event.object_id, event.actor_id) == (
        "Candidate",
        world.subject.id,
        world.a.admin.id,
    )
    assert event.detail == {
        "context": "access_request",
        "format": suffix.split(".")[-1].replace("inzage", "html"),
    }
    # The export is itself a consultation the next export shows.
    document = json.loads(client.get(f"/kandidaten/{world.subject.id}/inzage.json").data)
    assert "Inzageverzoek van de kandidaat (AVG artikel 15)" in [
        c["purpose"] for c in document["consultations"]
    ]


def test_the_export_runs_a_bounded_number_of_queries(world, login_as, count_queries):
    client = login_as(world.a.municipal)
    with count_queries() as one:
        client.get(f"/kandidaten/{world.subject.id}/inzage")
    factories.make_visit(
        db.session.get(type(world.subject), world.subject.id) and _placement_of(world), world.a.jobcoach
    )
    db.session.commit()
    with count_queries() as more:
        client.get(f"/kandidaten/{world.subject.id}/inzage")
    assert more.count == one.count


def _placement_of(world):
    from portal.models import Placement

    return db.session.scalar(sa.select(Placement).where(Placement.candidate_id == world.subject.id))


# Access ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["employer", "jobcoach"])
@pytest.mark.parametrize("suffix", ["inzage", "inzage.json", "verzoeken/nieuw"])
def test_employers_and_jobcoaches_are_refused(world, login_as, role, suffix):
    response = login_as(world.a.user(role)).get(f"/kandidaten/{world.subject.id}/{suffix}")
    assert response.status_code in (403, 404)
    assert b"ZICHTBAAR" not in response.data


@pytest.mark.parametrize("role", ["municipal", "admin"])
@pytest.mark.parametrize("suffix", ["inzage", "inzage.json", "verzoeken/nieuw"])
def test_another_municipalitys_candidate_is_not_found(world, login_as, role, suffix):
    response = login_as(world.b.user(role)).get(f"/kandidaten/{world.subject.id}/{suffix}")
    assert response.status_code == 404
    assert b"ZICHTBAAR" not in response.data
