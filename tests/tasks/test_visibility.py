"""Who reads a task: staff always, the employer only a task marked visible to the employer.

Every way a task reaches an employer is checked: the task list, the home page, the placement page (its
table and timeline), marking it done, e-mail and the calendar feed (employers have none). The migration
makes existing tasks visible only when the employer carries them out.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from alembic import command

from portal.core.migrate import alembic_config
from portal.core.models import OutboxEmail
from portal.extensions import db, make_engine
from portal.tasks.services import mentions_care
from tests import factories
from tests.tasks.conftest import done_url, text
from tests.visits.conftest import new_url, valid_visit

HIDDEN = "Met de huisarts praten over de rugklachten"
SHOWN = "Samen de werkplek bekijken"


@pytest.fixture
def mixed(seed, coached):
    """An employer action, a staff-only action of the candidate, a jobcoach action shown to the employer
    and (odd, but possible in old data) an employer action marked staff only."""
    visit = factories.make_visit(coached, seed.a.jobcoach, visit_date=date(2026, 3, 9))
    made = {
        "employer": factories.make_task(coached, visit=visit, title="Rooster delen"),
        "hidden": factories.make_task(coached, visit=visit, title=HIDDEN, owner="candidate"),
        "shown": factories.make_task(
            coached, visit=visit, title=SHOWN, owner="jobcoach", visible_to_employer=True
        ),
        "odd": factories.make_task(coached, visit=visit, title="Oude afspraak", visible_to_employer=False),
    }
    db.session.commit()
    return made


def test_the_task_list_and_home_page_show_the_employer_only_its_visible_actions(seed, mixed, login_as):
    client = login_as(seed.a.employer_user)
    for page in (text(client.get("/taken")), text(client.get("/"))):
        assert "Rooster delen" in page
        for secret in (HIDDEN, "huisarts", SHOWN, "Oude afspraak"):  # the list holds the employer's own
            assert secret not in page, secret


def test_the_placement_page_and_timeline_leave_staff_only_actions_out(seed, mixed, coached, login_as):
    page = text(login_as(seed.a.employer_user).get(f"/plaatsingen/{coached.id}"))
    assert "Rooster delen" in page
    assert SHOWN in page
    assert HIDDEN not in page
    assert "Oude afspraak" not in page
    timeline = page[page.index('id="tijdlijn"') :]
    assert f'"{SHOWN}"' in timeline
    assert HIDDEN not in timeline
    staff = text(login_as(seed.a.jobcoach).get(f"/plaatsingen/{coached.id}"))
    assert HIDDEN in staff
    assert "Oude afspraak" in staff


def test_the_employer_cannot_mark_a_task_it_may_not_read_done(seed, mixed, login_as):
    client = login_as(seed.a.employer_user)
    for name in ("hidden", "odd"):
        assert client.post(done_url(mixed[name])).status_code == 404
    db.session.expire_all()
    assert {mixed[name].status for name in ("hidden", "odd")} == {"open"}


def test_no_e_mail_to_an_employer_carries_a_staff_only_action(seed, coached, login_as):
    data = valid_visit(action_0_title=HIDDEN, action_0_owner="candidate", action_0_due="2026-03-20")
    assert login_as(seed.a.jobcoach).post(new_url(coached), data).status_code == 302
    employer_addresses = {seed.a.employer_user.email}
    for message in db.session.scalars(sa.select(OutboxEmail)):
        if message.to_address in employer_addresses:
            assert HIDDEN not in message.body_text
            assert not mentions_care(message.body_text)


def test_employers_have_no_calendar_feed(seed, mixed, login_as):
    client = login_as(seed.a.employer_user)
    assert client.get("/agenda").status_code == 403
    assert client.post("/agenda/nieuw-adres").status_code == 403


def test_the_migration_shows_existing_tasks_to_the_employer_only_when_it_carries_them_out(tmp_path):
    url = f"sqlite:///{tmp_path / 'tasks.sqlite'}"
    cfg = alembic_config(url)
    command.upgrade(cfg, "2ed40952f2d0")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO municipalities (id, name, slug, is_open_for_registration, created_at,"
                    " updated_at) VALUES (1, 'Gemeente', 'gemeente', true, '2026-01-01', '2026-01-01')"
                )
            )
            for n, owner in enumerate(("employer", "candidate", "jobcoach", "municipal"), start=1):
                conn.execute(
                    sa.text(
                        "INSERT INTO tasks (id, municipality_id, kind, title, owner, status, created_at,"
                        " updated_at) VALUES (:id, 1, 'action', 'Afspraak', :owner, 'open', '2026-01-01',"
                        " '2026-01-01')"
                    ),
                    {"id": n, "owner": owner},
                )
        command.upgrade(cfg, "head")
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT owner, visible_to_employer FROM tasks ORDER BY id")).all()
        assert [(owner, bool(visible)) for owner, visible in rows] == [
            ("employer", True),
            ("candidate", False),
            ("jobcoach", False),
            ("municipal", False),
        ]
        command.downgrade(cfg, "2ed40952f2d0")
        with engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("tasks")}
        assert "visible_to_employer" not in columns
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("words", "care"),
    [
        ("Met de huisarts praten", True),
        ("Afspraak bij de GGZ maken", True),
        ("Naar de fysiotherapeut", True),
        ("Hij heeft pijn in zijn rug", True),
        ("Rugklachten bespreken", True),
        ("Ziek gemeld", False),  # an employer may know someone reported sick, not why
        ("Terug bellen over het rooster", False),
        ("Werkkleding regelen", False),
        ("", False),
        (None, False),
    ],
)
def test_care_words_are_recognised_as_whole_words(words, care):
    assert mentions_care(words) is care
