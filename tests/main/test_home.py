"""Each role's home page shows what needs that role's attention."""

from __future__ import annotations

from portal.core.models import OutboxEmail, SchedulerHeartbeat
from portal.core.time import now_utc
from portal.extensions import db
from tests.factories import make_employer, make_workplace


def test_anonymous_visitors_go_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_employer_home_shows_fixed_contact_and_workplaces(seed, login_as):
    seed.a.municipal.phone = "040 111 22 33"
    make_workplace(seed.a.employer, name="Magazijn Noord")
    db.session.commit()
    body = login_as(seed.a.employer_user).get("/").get_data(as_text=True)
    assert "Uw vaste contactpersoon bij de gemeente" in body
    assert seed.a.municipal.full_name in body
    assert seed.a.municipal.email in body
    assert "040 111 22 33" in body
    assert "Magazijn Noord" in body
    assert seed.b.workplace.name not in body


def test_pending_employer_is_sent_to_the_waiting_page(seed, login_as):
    response = login_as(seed.a.pending_user).get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/wachten")


def test_municipal_home_lists_pending_registrations_of_its_own_municipality(seed, login_as):
    other = make_employer(seed.b.municipality, status="pending", name="Helmondse Aanmelding B.V.")
    db.session.commit()
    body = login_as(seed.a.municipal).get("/").get_data(as_text=True)
    assert seed.a.pending_employer.name in body
    assert other.name not in body
    assert "Nieuwe aanmeldingen van werkgevers (1)" in body


def test_municipal_home_runs_a_bounded_number_of_queries(seed, login_as, count_queries, no_page_cache):
    client = login_as(seed.a.municipal)
    client.get("/")
    with count_queries() as few:
        client.get("/")
    for _ in range(15):
        make_employer(seed.a.municipality, status="pending")
    db.session.commit()
    with count_queries() as many:
        client.get("/")
    assert many.count == few.count


def test_admin_home_warns_about_a_silent_scheduler_failed_jobs_and_failed_mail(seed, login_as):
    db.session.add(
        OutboxEmail(
            dedupe_key="t:1",
            municipality_id=seed.a.municipality.id,
            to_address="x@y.nl",
            subject="s",
            body_text="b",
            status="failed",
        )
    )
    db.session.add(
        SchedulerHeartbeat(
            job_id="core.send_outbox",
            last_ok=False,
            last_error="SMTPError: refused",
            last_finished_at=now_utc(),
        )
    )
    db.session.commit()
    body = login_as(seed.a.admin).get("/").get_data(as_text=True)
    assert "de planner (scheduler) heeft nog nooit gedraaid" in body
    assert "1 e-mail kon niet worden verstuurd" in body
    assert "core.send_outbox" in body
    assert "SMTPError: refused" in body


def test_admin_home_is_calm_when_all_is_well(seed, login_as):
    db.session.add(SchedulerHeartbeat(job_id="core.heartbeat", last_ok=True, last_finished_at=now_utc()))
    db.session.commit()
    body = login_as(seed.a.admin).get("/").get_data(as_text=True)
    assert "De planner (scheduler) werkt." in body
    assert "Let op" not in body


def test_jobcoach_home_says_plainly_there_is_nothing_yet(seed, login_as):
    body = login_as(seed.a.jobcoach).get("/").get_data(as_text=True)
    assert "nog geen plaatsingen" in body
