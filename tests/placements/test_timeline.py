"""The placement timeline: newest first by when things happened, one date-time format, no repetition."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import lxml.html
import pytest

from portal.core.filters import iso_datetime
from portal.extensions import db
from portal.placements.models import PlacementStatusChange
from tests import factories
from tests.alerts.signals import make_log
from tests.placements.conftest import LAST_WEEK, THIS_WEEK, log_url, valid_log

#: Every entry starts with its moment, e.g. "10 maart 2026 om 10:00".
MOMENT = re.compile(r"^\d{1,2} [a-z]+ \d{4} om \d{2}:\d{2}: ")


def entries(client, placement) -> list[str]:
    """The timeline's entries, top to bottom, as text."""
    tree = lxml.html.document_fromstring(client.get(f"/plaatsingen/{placement.id}").data)
    (section,) = tree.xpath("//section[@id='tijdlijn']")
    return [" ".join(li.text_content().split()) for li in section.xpath(".//ol/li")]


def moments(client, placement) -> list[str]:
    tree = lxml.html.document_fromstring(client.get(f"/plaatsingen/{placement.id}").data)
    return tree.xpath("//section[@id='tijdlijn']//ol/li/p[1]/strong/time/@datetime")


def at(day: int, hour: int, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour - 1, 0, tzinfo=UTC)  # hour in Amsterdam (CET)


@pytest.fixture
def history(seed, started):
    """The placement was planned on 10 February and started on 23 February; a visit on Monday 9 March."""
    db.session.add_all(
        [
            PlacementStatusChange(
                placement_id=started.id, to_status="planned", changed_at=at(10, 11, month=2)
            ),
            PlacementStatusChange(
                placement_id=started.id,
                from_status="planned",
                to_status="onboarding",
                changed_at=at(23, 9, month=2),
                changed_by_id=seed.a.municipal.id,
            ),
        ]
    )
    visit = factories.make_visit(started, seed.a.jobcoach, visit_date=date(2026, 3, 9))
    visit.created_at = visit.updated_at = at(9, 15)
    db.session.commit()
    return started


def test_what_the_employer_just_wrote_comes_first_whatever_its_week(seed, history, login_as, time_machine):
    time_machine.move_to(at(10, 11), tick=False)
    employer = login_as(seed.a.employer_user)
    assert employer.post(log_url(history, LAST_WEEK), valid_log()).status_code == 302
    shown = entries(login_as(seed.a.municipal), history)
    assert shown[0].startswith("10 maart 2026 om 11:00: weekverslag week van 2 maart 2026 ingevuld")
    assert shown[1].startswith("9 maart 2026 om 15:00: werkplekbezoek op 9 maart 2026 vastgelegd")
    assert "status van gepland naar inwerken" in shown[2]
    assert "plaatsing gepland" in shown[3]
    # An older week edited later moves up again; this week's log written before it stays below.
    time_machine.move_to(at(11, 9), tick=False)
    employer = login_as(seed.a.employer_user)
    assert employer.post(log_url(history, THIS_WEEK), valid_log()).status_code == 302
    time_machine.move_to(at(16, 9), tick=False)
    employer = login_as(seed.a.employer_user)
    assert employer.post(log_url(history, LAST_WEEK), valid_log(motivation="3")).status_code == 302
    shown = entries(login_as(seed.a.municipal), history)
    assert shown[0].startswith(
        "16 maart 2026 om 09:00: weekverslag week van 2 maart 2026 aangepast (versie 2)"
    )
    assert shown[1].startswith("11 maart 2026 om 09:00: weekverslag week van 9 maart 2026 ingevuld")


def test_every_entry_has_the_same_date_time_format(seed, history, login_as, time_machine):
    factories.make_task(history, title="Rooster delen", status="done", done_at=at(10, 8))
    factories.make_alert(history, rule="concern", opened_at=at(6, 12))
    placement_checkin = factories.make_checkin(history, status="held", held_on=date(2026, 3, 5), risk="low")
    placement_checkin.contact_made = True
    db.session.add(
        extension_decision(history, seed.a.municipal, at(5, 16)),
    )
    make_log(history, date(2026, 2, 23))
    db.session.commit()
    for user in (seed.a.municipal, seed.a.employer_user):
        client = login_as(user)
        shown = entries(client, history)
        assert len(shown) >= 5
        for entry in shown:
            assert MOMENT.match(entry), entry
        stamps = moments(client, history)
        assert len(stamps) == len(shown)
        assert stamps == sorted(stamps, reverse=True)


def extension_decision(placement, user, moment):
    from portal.placements.models import EndDecision

    return EndDecision(
        placement_id=placement.id,
        kind="extend",
        previous_end_date=date(2026, 6, 1),
        new_end_date=date(2026, 7, 1),
        decided_by_id=user.id,
        decided_at=moment,
    )


def test_an_alert_says_its_sentence_once_and_its_closing_is_its_own_entry(seed, history, login_as):
    factories.make_alert(
        history,
        rule="concern",
        reason="De werkgever maakt zich zorgen in het weekverslag van de week van 2 maart.",
        opened_at=at(6, 12),
        status="resolved",
        resolved_at=at(9, 16),
        resolution_note="De plaatsing is uitgevallen.",
    )
    shown = entries(login_as(seed.a.municipal), history)
    opened = next(e for e in shown if e.startswith("6 maart 2026 om 12:00"))
    assert opened.count("maakt zich zorgen") == 1
    assert opened == (
        "6 maart 2026 om 12:00: signaal (belangrijk). De werkgever maakt zich zorgen in het weekverslag"
        " van de week van 2 maart."
    )
    closed = shown[0]
    assert closed == (
        "9 maart 2026 om 16:00: signaal van 6 maart 2026 (de werkgever maakt zich zorgen) vanzelf gesloten."
        " De plaatsing is uitgevallen."
    )


def test_a_task_shows_when_it_was_agreed_and_when_it_lapsed(seed, history, login_as):
    task = factories.make_task(
        history,
        title="Rooster delen",
        status="cancelled",
        cancelled_reason="De plaatsing is gestopt",
        cancelled_at=at(10, 9),
    )
    task.created_at = at(2, 10)
    hidden = factories.make_task(history, title="Bellen met de kandidaat", owner="jobcoach")
    hidden.created_at = at(3, 10)
    db.session.commit()
    staff = entries(login_as(seed.a.municipal), history)
    assert (
        staff[0] == '10 maart 2026 om 09:00: afspraak "Rooster delen" is vervallen. De plaatsing is gestopt.'
    )
    assert '2 maart 2026 om 10:00: afspraak "Rooster delen" voor werkgever, uiterlijk' in " | ".join(staff)
    assert any(
        "Bellen met de kandidaat" in e and "Alleen de jobcoach en de gemeente lezen dit." in e for e in staff
    )
    employer = entries(login_as(seed.a.employer_user), history)
    assert employer[0] == '10 maart 2026 om 09:00: afspraak "Rooster delen" is vervallen.'
    assert not any("Bellen met de kandidaat" in e for e in employer)


def test_the_iso_filter_gives_amsterdam_time_with_its_offset():
    assert iso_datetime(datetime(2026, 3, 10, 9, 0, tzinfo=UTC)) == "2026-03-10T10:00+01:00"
    assert iso_datetime(datetime(2026, 7, 1, 9, 0, tzinfo=UTC)) == "2026-07-01T11:00+02:00"
    assert iso_datetime(None) == ""
