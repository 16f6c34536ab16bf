"""The command line: run-job, seed-demo and create-admin (the scheduler process is in test_scheduler.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from portal import create_app
from portal.auth import totp
from portal.auth.models import User
from portal.auth.passwords import verify_password
from portal.core.models import AuditEvent, Municipality, OutboxEmail, SchedulerHeartbeat
from portal.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_SECRET
from portal.employers.models import Employer, Workplace
from portal.extensions import db
from tests import factories

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DEMO_MODELS = (Municipality, User, Employer, Workplace)


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args, **kwargs: runner.invoke(args=list(args), **kwargs)


def count_rows() -> dict[str, int]:
    return {m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in DEMO_MODELS}


# run-job -----------------------------------------------------------------------------------------------


def test_run_job_prints_exactly_one_json_line(cli, time_machine):
    time_machine.move_to(T0, tick=False)
    result = cli("run-job", "core.heartbeat")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0]) == {"job": "core.heartbeat", "ok": True, "beat_at": T0.isoformat()}
    row = db.session.get(SchedulerHeartbeat, "core.heartbeat", populate_existing=True)
    assert row.last_finished_at == T0


def test_run_job_send_outbox_prints_counts(cli):
    db.session.add(
        OutboxEmail(dedupe_key="cli:1", to_address="a@test.werkbrug.nl", subject="S", body_text="B")
    )
    db.session.flush()
    result = cli("run-job", "core.send_outbox")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "job": "core.send_outbox",
        "ok": True,
        "sent": 1,
        "retry": 0,
        "failed": 0,
    }


def test_run_job_unknown_id_exits_2_and_lists_the_valid_ids(cli):
    result = cli("run-job", "core.bestaat-niet")
    assert result.exit_code == 2
    assert "core.send_outbox" in result.output
    assert "core.heartbeat" in result.output
    assert db.session.get(SchedulerHeartbeat, "core.bestaat-niet") is None


def test_run_job_failure_prints_json_with_ok_false_and_exits_1(cli, monkeypatch):
    from portal import scheduler

    monkeypatch.setattr(
        scheduler,
        "JOBS",
        [
            *scheduler.JOBS,
            {"id": "test.boom", "func": "tests.test_scheduler:boom", "trigger": "interval", "seconds": 60},
        ],
    )
    result = cli("run-job", "test.boom")
    assert result.exit_code == 1
    payload = json.loads(result.stdout.strip().splitlines()[-1])
    assert payload["job"] == "test.boom"
    assert payload["ok"] is False
    assert payload["error"].startswith("RuntimeError")
    assert "example.org" not in payload["error"]


# seed-demo ---------------------------------------------------------------------------------------------


def test_seed_demo_is_idempotent_and_the_demo_accounts_log_in(cli, make_client):
    before = count_rows()
    first = cli("seed-demo")
    assert first.exit_code == 0, first.output
    after_first = count_rows()
    assert after_first["Municipality"] - before["Municipality"] == 2
    assert after_first["Employer"] - before["Employer"] >= 9
    assert after_first["User"] - before["User"] == len(DEMO_ACCOUNTS)
    second = cli("seed-demo")
    assert second.exit_code == 0, second.output
    assert count_rows() == after_first
    assert "0 municipalities, 0 users, 0 employers, 0 workplaces" in second.output
    for account in DEMO_ACCOUNTS:
        client = make_client()
        client.login(account["email"], DEMO_PASSWORD)


def test_demo_accounts_log_in_with_the_code_that_flask_totp_prints(cli, client, time_machine):
    """The demo keeps working with the code step: every demo account uses the published demo secret, and
    `flask totp EMAIL` prints the code an app with that secret shows now."""
    time_machine.move_to(T0, tick=False)
    assert cli("seed-demo").exit_code == 0
    users = db.session.scalars(sa.select(User).where(User.email.like("%@demo.werkbrug.nl"))).all()
    assert {(u.totp_secret, u.has_mfa) for u in users} == {(DEMO_TOTP_SECRET, True)}
    result = cli("totp", "Gemeente@demo.werkbrug.nl")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == totp.code_for(DEMO_TOTP_SECRET, totp.step_at(T0))
    client.post("/login", {"email": "gemeente@demo.werkbrug.nl", "password": DEMO_PASSWORD})
    response = client.post("/inloggen/code", {"code": result.output.strip()})
    assert response.headers["Location"] == "/"


def test_flask_totp_refuses_accounts_without_the_demo_secret(cli, seed):
    for email in (seed.a.municipal.email, seed.a.employer_user.email, "niemand@demo.werkbrug.nl"):
        result = cli("totp", email)
        assert result.exit_code == 1
        assert "demo" in result.output
        assert not any(line.strip().isdigit() for line in result.output.splitlines())


def test_flask_totp_refuses_where_demo_data_is_not_allowed(app):
    production_like = create_app("testing", DEMO_DATA_ALLOWED=False)
    with production_like.app_context():
        result = production_like.test_cli_runner().invoke(args=["totp", "gemeente@demo.werkbrug.nl"])
    assert result.exit_code == 1
    assert "not in production" in result.output


def test_demo_data_is_plausible_and_obviously_fictional(cli):
    assert cli("seed-demo").exit_code == 0
    eindhoven = db.session.scalar(sa.select(Municipality).where(Municipality.slug == "eindhoven"))
    employers = db.session.scalars(sa.select(Employer).where(Employer.municipality_id == eindhoven.id)).all()
    approved = [e for e in employers if e.status == "approved"]
    assert len(approved) >= 6
    assert {e.status for e in employers} == {"approved", "pending", "rejected"}
    assert len({e.sector for e in approved}) >= 5
    contact = db.session.scalar(sa.select(User).where(User.email == "gemeente@demo.werkbrug.nl"))
    assert all(e.contact_id == contact.id for e in employers)
    for employer in approved:
        assert "demo" in employer.name.lower()
        places = db.session.scalars(sa.select(Workplace).where(Workplace.employer_id == employer.id)).all()
        assert 1 <= len(places) <= 3
        assert all(p.buddy_name.endswith("(demo)") and p.capacity >= 1 for p in places)
    assert any("VCA" in (p.safety_requirements or "") for p in db.session.scalars(sa.select(Workplace)))
    users = db.session.scalars(sa.select(User).where(User.email.like("%@demo.werkbrug.nl"))).all()
    assert all("(demo)" in u.full_name for u in users)
    bakery_user = next(u for u in users if u.email == "werkgever@demo.werkbrug.nl")
    assert bakery_user.employer.name == "Bakkerij De Zonnige Korst (demo)"
    helmond_user = next(u for u in users if u.email == "werkgever.helmond@demo.werkbrug.nl")
    assert helmond_user.municipality.slug == "helmond"
    assert helmond_user.employer.status == "approved"
    pending_user = next(u for u in users if u.email == "aanmelding@demo.werkbrug.nl")
    assert pending_user.employer.status == "pending"
    admin = next(u for u in users if u.email == "beheer@demo.werkbrug.nl")
    assert (admin.role, admin.municipality_id) == ("admin", eindhoven.id)


def test_seed_demo_refuses_under_production_like_config(app):
    production_like = create_app("testing", DEMO_DATA_ALLOWED=False)
    before = count_rows()
    with production_like.app_context():
        result = production_like.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 1
    assert "not allowed" in result.output
    with app.app_context():
        assert count_rows() == before


# create-admin -------------------------------------------------------------------------------------------


def test_create_admin_creates_municipality_user_and_queues_setup_mail(cli):
    result = cli(
        "create-admin",
        "--municipality",
        "Gemeente Nieuwstad",
        "--email",
        "Beheer@Nieuwstad.Example",
        "--name",
        "Nora Nieuw",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "beheer@nieuwstad.example"))
    assert (user.role, user.full_name, user.password_hash) == ("admin", "Nora Nieuw", None)
    assert user.is_active is True
    assert user.municipality.name == "Gemeente Nieuwstad"
    assert user.municipality.slug == "gemeente-nieuwstad"
    from portal.requests.models import PlacementType

    codes = db.session.scalars(
        sa.select(PlacementType.code).where(PlacementType.municipality_id == user.municipality_id)
    ).all()
    assert sorted(codes) == ["proefplaatsing", "stage", "taalstage", "werkervaringsplaats"]
    mail = db.session.scalar(sa.select(OutboxEmail).where(OutboxEmail.to_address == user.email))
    assert mail is not None
    assert mail.municipality_id == user.municipality_id
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.object_id == user.id)).all()
    assert "user.created" in actions
    again = cli(
        "create-admin",
        "--municipality",
        "gemeente nieuwstad",
        "--email",
        "beheer@nieuwstad.example",
        "--name",
        "Nora Nieuw",
    )
    assert again.exit_code == 1
    assert "al een gebruiker" in again.output
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Municipality)
            .where(Municipality.slug.like("gemeente-nieuwstad%"))
        )
        == 1
    )


def test_create_admin_uses_an_existing_municipality_and_password_from_stdin(cli):
    municipality = factories.make_municipality("Bestaanddorp")
    password = "een lange zin als wachtwoord"
    result = cli(
        "create-admin",
        "--municipality",
        "Bestaanddorp",
        "--email",
        "admin@bestaand.example",
        "--name",
        "Ad Min",
        "--password-stdin",
        input=password + "\n",
    )
    assert result.exit_code == 0, result.output
    assert password not in result.output
    user = db.session.scalar(sa.select(User).where(User.email == "admin@bestaand.example"))
    assert user.municipality_id == municipality.id
    assert verify_password(user.password_hash, password)
    assert db.session.scalar(sa.select(OutboxEmail).where(OutboxEmail.to_address == user.email)) is None


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--email", "geen-adres", "--name", "X"], None, "not a valid e-mail address"),
        (["--email", "ok@example.org", "--name", "x" * 121], None, "1 to 120 characters"),
        (["--email", "ok@example.org", "--name", "   "], None, "1 to 120 characters"),
        (["--email", "ok@example.org", "--name", "X", "--password-stdin"], "kort\n", "Password refused"),
    ],
)
def test_create_admin_refuses_bad_input_and_changes_nothing(cli, args, stdin, message):
    before = count_rows()
    result = cli("create-admin", "--municipality", "Weigerdorp", *args, input=stdin)
    assert result.exit_code in (1, 2)
    assert message in result.output
    assert count_rows() == before


def test_seed_demo_fills_matching_with_varied_candidates_requests_and_proposals(cli):
    import sqlalchemy as sa

    from portal.candidates.models import Candidate
    from portal.extensions import db
    from portal.placements.models import Placement
    from portal.requests.models import PlacementRequest, PlacementType, Proposal

    assert cli("seed-demo").exit_code == 0
    candidates = db.session.scalars(sa.select(Candidate)).all()
    assert len(candidates) >= 25
    assert len({c.dutch_level for c in candidates}) >= 4
    assert any(c.care_first for c in candidates)
    types = {t.code for t in db.session.scalars(sa.select(PlacementType))}
    assert types == {"stage", "taalstage", "proefplaatsing", "werkervaringsplaats"}
    request_types = db.session.scalars(
        sa.select(PlacementType.code).join(
            PlacementRequest, PlacementRequest.placement_type_id == PlacementType.id
        )
    ).all()
    assert set(request_types) == types
    assert {p.status for p in db.session.scalars(sa.select(Proposal))} == {
        "proposed",
        "meeting",
        "accepted",
        "declined",
        "withdrawn",
    }
    planned = sa.select(sa.func.count()).select_from(Placement).where(Placement.status == "planned")
    assert db.session.scalar(planned) == 1
    second = cli("seed-demo")
    assert second.exit_code == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Candidate)) == len(candidates)
