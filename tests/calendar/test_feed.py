"""The feed (/agenda/<secret>.ics): content per role, dates, no names, tenants, hostile secrets, queries."""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar

from portal.auth.models import User
from portal.calendar import services
from portal.ending.services import decision_opens
from portal.extensions import db
from tests import factories
from tests.calendar.conftest import (
    EMAIL,
    FIRST,
    LAST,
    PHONE,
    all_text,
    events,
    make_checkin,
    new_feed,
    parse,
    sha256,
)
from tests.test_http import assert_security_headers


def test_the_feed_is_valid_icalendar_with_the_right_headers(world, login_as, client):
    path = new_feed(login_as(world.seed.a.municipal))
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers.getlist("Set-Cookie") == []
    assert_security_headers(response)
    assert b"DTSTART;VALUE=DATE:" in response.data
    assert b"DTSTART:" not in response.data  # every start is a date, never a time
    calendar = Calendar.from_ical(response.data)
    assert str(calendar["X-WR-CALNAME"]) == f"Werkbrug – {world.seed.a.municipal.full_name}"
    assert str(calendar["VERSION"]) == "2.0"
    for event in calendar.walk("VEVENT"):
        assert "DTSTAMP" in event
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert type(start) is date
        assert end == start + timedelta(days=1)


def test_a_logged_in_browser_gets_no_cookie_either(world, login_as):
    client = login_as(world.seed.a.municipal)
    path = new_feed(client)
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers.getlist("Set-Cookie") == []
    assert client.get(path[:-5] + "x.ics").headers.getlist("Set-Cookie") == []  # nor the 404


def test_the_contacts_feed(world, login_as, client):
    a = world.seed.a
    found = events(parse(client.get(new_feed(login_as(a.municipal)))))
    c, t, onboarding = world.checkins, world.tasks, world.onboarding
    opens = decision_opens(onboarding, 10)
    assert set(found) == {
        f"checkin-{c['late'].id}@werkbrug",
        f"checkin-{c['next'].id}@werkbrug",
        f"checkin-{c['last_in'].id}@werkbrug",
        f"besluit-{onboarding.id}@werkbrug",
        f"einde-{onboarding.id}@werkbrug",
        f"taak-{t['intake'].id}@werkbrug",
    }
    employer = a.employer.name
    late = found[f"checkin-{c['late'].id}@werkbrug"]
    assert late["day"] == date(2026, 3, 5)
    assert late["summary"] == f"Nazorggesprek 3 (te laat) – K-2026-0042 ({employer})"
    assert late["url"] == f"http://localhost/plaatsingen/{world.nazorg.id}"
    assert f"http://localhost/plaatsingen/{world.nazorg.id}" in late["description"]
    assert late["location"] == f"{a.workplace.name}, {a.workplace.city}"
    upcoming = found[f"checkin-{c['next'].id}@werkbrug"]
    assert (upcoming["day"], upcoming["summary"]) == (
        date(2026, 3, 17),
        f"Nazorggesprek 4 – K-2026-0042 ({employer})",
    )
    assert found[f"checkin-{c['last_in'].id}@werkbrug"]["day"] == date(2026, 7, 8)
    end = found[f"einde-{onboarding.id}@werkbrug"]
    assert end["day"] == date(2026, 3, 31)
    assert end["summary"].startswith(f"Einddatum plaatsing – {onboarding.candidate.pseudonym} ")
    window = found[f"besluit-{onboarding.id}@werkbrug"]
    assert window["day"] == opens == date(2026, 3, 17)
    assert "31 maart 2026" in window["description"]
    task = found[f"taak-{t['intake'].id}@werkbrug"]
    assert task["day"] == date(2026, 3, 12)
    assert task["summary"] == f"Taak: intakegesprek na uitval – K-2026-0042 ({employer})"


def test_the_jobcoachs_feed(world, login_as, client):
    a = world.seed.a
    found = events(parse(client.get(new_feed(login_as(a.jobcoach)))))
    onboarding = world.onboarding
    assert set(found) == {
        f"besluit-{onboarding.id}@werkbrug",
        f"einde-{onboarding.id}@werkbrug",
        f"taak-{world.tasks['jobcoach'].id}@werkbrug",
        f"bezoek-{world.visits['recent'].id}@werkbrug",
        f"bezoek-{world.visits['edge'].id}@werkbrug",
        f"bezoek-{a.visit.id}@werkbrug",  # the seed's visit, a week ago
    }
    visit = found[f"bezoek-{world.visits['recent'].id}@werkbrug"]
    assert visit["day"] == date(2026, 3, 4)
    assert visit["summary"] == f"Werkplekbezoek – K-2026-0042 ({a.employer.name})"
    assert found[f"bezoek-{world.visits['edge'].id}@werkbrug"]["day"] == date(2026, 2, 8)
    task = found[f"taak-{world.tasks['jobcoach'].id}@werkbrug"]
    assert (task["day"], task["summary"]) == (
        date(2026, 3, 20),
        f"Taak: afspraak – {onboarding.candidate.pseudonym} ({a.employer.name})",
    )


@pytest.mark.parametrize("role", ["municipal", "jobcoach"])
def test_no_name_phone_email_or_free_text_of_the_candidate(world, login_as, client, role):
    response = client.get(new_feed(login_as(world.seed.a.user(role))))
    calendar = parse(response)
    body = response.get_data(as_text=True)
    content = all_text(calendar)
    assert "K-2026-0042" in content
    for secret in (FIRST, LAST, PHONE, EMAIL, "Oudenbroek", "Zs"):
        assert secret not in content
        assert secret not in body
    # Task titles (free text) stay in the portal: this one names the candidate.
    assert "rooster" not in content
    assert "Langs bij" not in content
    assert "Gaat goed." not in content  # a visit's observations


def test_another_tenants_feed_shows_nothing_of_tenant_a(world, login_as, client):
    b = world.seed.b
    placement = factories.make_placement(
        b,
        status="onboarding",
        start_date=date(2026, 1, 5),
        planned_end_date=date(2026, 3, 31),
        actual_start_date=date(2026, 1, 5),
        jobcoach_id=b.jobcoach.id,
    )
    make_checkin(
        factories.make_placement(b, status="nazorg", start_date=date(2026, 1, 5)), 1, date(2026, 3, 16)
    )
    db.session.commit()
    for role in ("municipal", "jobcoach"):
        response = client.get(new_feed(login_as(b.user(role))))
        found = events(parse(response))
        assert f"einde-{placement.id}@werkbrug" in found
        body = response.get_data(as_text=True)
        assert "K-2026-0042" not in body
        assert world.seed.a.employer.name not in body
        assert all(f"-{world.onboarding.id}@" not in uid for uid in found)


def test_a_user_of_tenant_a_with_a_foreign_placement_id_sees_nothing_of_it(world, login_as, client):
    """Rows of tenant B that point at tenant A's users by mistake still never reach A's feed."""
    b = world.seed.b
    foreign = factories.make_placement(
        b, status="nazorg", start_date=date(2026, 1, 5), planned_end_date=date(2026, 3, 2)
    )
    foreign.contact_id = world.seed.a.municipal.id
    foreign.jobcoach_id = world.seed.a.jobcoach.id
    checkin = make_checkin(foreign, 1, date(2026, 3, 12))
    db.session.commit()
    for role in ("municipal", "jobcoach"):
        found = events(parse(client.get(new_feed(login_as(world.seed.a.user(role))))))
        assert f"checkin-{checkin.id}@werkbrug" not in found
        assert all(f"/plaatsingen/{foreign.id}" != e["url"] for e in found.values())


def test_dates_follow_the_dutch_calendar_day(world, login_as, client, time_machine):
    """Late on 10 March in UTC is already 11 March in Amsterdam: the feed's "today" is the Dutch day."""
    path = new_feed(login_as(world.seed.a.municipal))
    late = world.checkins["late"]
    time_machine.move_to(datetime(2026, 3, 10, 23, 30, tzinfo=UTC), tick=False)
    found = events(parse(client.get(path)))
    # 11 March - 7 days = 4 March: the check-in of 5 March is still in, the one of 2 March is not.
    assert found[f"checkin-{late.id}@werkbrug"]["day"] == date(2026, 3, 5)
    assert f"checkin-{world.checkins['too_old'].id}@werkbrug" not in found
    time_machine.move_to(datetime(2026, 3, 12, 23, 30, tzinfo=UTC), tick=False)  # 13 March in Amsterdam
    assert f"checkin-{late.id}@werkbrug" not in events(parse(client.get(path)))


@pytest.fixture
def server_timezone():
    """Run part of a test as if the server's clock were set to another zone."""
    before = os.environ.get("TZ")

    def use(zone: str) -> None:
        os.environ["TZ"] = zone
        time.tzset()

    yield use
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


def test_the_feed_is_the_same_in_every_server_time_zone(world, login_as, client, server_timezone):
    path = new_feed(login_as(world.seed.a.municipal))

    def without_stamp(body: bytes) -> list[bytes]:
        return [line for line in body.splitlines() if not line.startswith(b"DTSTAMP")]

    bodies = []
    for zone in ("UTC", "America/Los_Angeles", "Pacific/Kiritimati"):
        server_timezone(zone)
        bodies.append(without_stamp(client.get(path).data))
    assert bodies[0] == bodies[1] == bodies[2]
    assert any(line.startswith(b"DTSTART;VALUE=DATE:20260305") for line in bodies[0])


def test_uids_are_stable_between_fetches(world, login_as, client, time_machine):
    path = new_feed(login_as(world.seed.a.municipal))
    first = events(parse(client.get(path)))
    time_machine.move_to(datetime(2026, 3, 10, 14, 0, tzinfo=UTC), tick=False)
    assert events(parse(client.get(path))).keys() == first.keys()


def _hostile_paths(secret: str) -> list[str]:
    return [
        "/agenda/" + "a" * 10_000 + ".ics",
        "/agenda/" + "é" * 43 + ".ics",
        "/agenda/%F0%9F%93%85" * 3 + ".ics",
        "/agenda/../agenda/x.ics",
        "/agenda/..%2F..%2Fetc%2Fpasswd.ics",
        "/agenda/%00" + secret + ".ics",
        "/agenda/" + secret + "%00.ics",
        "/agenda/" + secret + ".ics.ics",
        "/agenda/" + secret.upper() + ".ics",
        "/agenda/" + secret[:-1] + ".ics",
        "/agenda/" + secret + "a.ics",
        "/agenda/.ics",
        "/agenda/%20.ics",
        "/agenda/' OR '1'='1.ics",
        "/agenda/" + sha256(secret) + ".ics",  # the stored hash is no key
        "/agenda/" + "A" * 43 + ".ics",
        "/agenda/" + secret,
    ]


def test_hostile_and_wrong_secrets_get_404(world, login_as, client):
    path = new_feed(login_as(world.seed.a.municipal))
    secret = path.removeprefix("/agenda/").removesuffix(".ics")
    for hostile in _hostile_paths(secret):
        response = client.get(hostile)
        assert response.status_code == 404, hostile
        assert b"BEGIN:VCALENDAR" not in response.data
    assert client.get(path).status_code == 200


def test_an_inactive_user_or_another_role_gets_404(world, login_as, client):
    user = world.seed.a.municipal
    path = new_feed(login_as(user))
    db.session.get(User, user.id).is_active = False
    db.session.commit()
    assert client.get(path).status_code == 404

    # An employer can never make a feed; a hash planted on one still opens nothing.
    employer = world.seed.a.employer_user
    employer.calendar_token_hash = services.token_hash("E" * 43)
    db.session.commit()
    assert client.get("/agenda/" + "E" * 43 + ".ics").status_code == 404


def test_the_number_of_queries_does_not_grow_with_the_events(world, login_as, client, count_queries):
    a = world.seed.a
    municipal_path = new_feed(login_as(a.municipal))
    jobcoach_path = new_feed(login_as(a.jobcoach))

    def measure(path):
        with count_queries() as counter:
            assert client.get(path).status_code == 200
        return counter.count

    before = (measure(municipal_path), measure(jobcoach_path))
    for n in range(12):
        placement = factories.make_placement(
            a, status="nazorg", start_date=date(2026, 1, 5), jobcoach_id=a.jobcoach.id
        )
        make_checkin(placement, 1, date(2026, 3, 11) + timedelta(days=n))
        factories.make_task(
            placement, owner="municipal", assignee_id=a.municipal.id, due_date=date(2026, 3, 20)
        )
        factories.make_task(placement, owner="jobcoach", due_date=date(2026, 3, 20))
        factories.make_visit(placement, a.jobcoach, visit_date=date(2026, 3, 2))
        ending = factories.make_placement(
            a,
            status="onboarding",
            start_date=date(2026, 1, 5),
            planned_end_date=date(2026, 4, 1) + timedelta(days=n),
            jobcoach_id=a.jobcoach.id,
        )
        assert ending
    db.session.commit()
    after = (measure(municipal_path), measure(jobcoach_path))
    assert after == before
    # Four reads at most (five for a contact: the retention follow-ups too), and the one audit event
    # naming the candidates the feed shows, with the read of the audit chain's head.
    assert before[0] <= 7
    assert before[1] <= 6
    assert len(events(parse(client.get(municipal_path)))) > 40
