"""The employer's weekly progress log: which weeks, one per week, versions, concern e-mail, hostile input."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from portal.core.models import AuditEvent, OutboxEmail
from portal.extensions import db
from portal.placements.models import WeeklyLog, WeeklyLogVersion
from tests import factories
from tests.conftest import form_errors_in
from tests.employers.conftest import LONG, RTL_EMOJI, SCRIPT, SQL
from tests.matching.conftest import make_site
from tests.placements.conftest import FIRST_WEEK, LAST_WEEK, THIS_WEEK, log_url, text, valid_log


def is_checked(page: str, name: str, value: str) -> bool:
    """Whether the radio button ``name`` = ``value`` is checked on the page."""
    pattern = rf'<input checked[^>]*name="{name}"[^>]*value="{value}"'
    return re.search(pattern, page) is not None


def logs_of(placement) -> list[WeeklyLog]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(WeeklyLog).where(WeeklyLog.placement_id == placement.id)))


def versions_of(log) -> list[WeeklyLogVersion]:
    return list(db.session.scalars(sa.select(WeeklyLogVersion).where(WeeklyLogVersion.log_id == log.id)))


def concern_mails() -> list[OutboxEmail]:
    return list(
        db.session.scalars(sa.select(OutboxEmail).where(OutboxEmail.dedupe_key.like("placements/concern/%")))
    )


def test_the_form_shows_planned_days_scale_words_and_language_goals(seed, started, login_as):
    page = text(login_as(seed.a.employer_user).get(log_url(started, THIS_WEEK)))
    assert "Weekverslag week van 9 maart 2026" in page
    assert is_checked(page, "days_present", "3")
    assert 'id="days_present-3"' in page
    assert 'id="days_present-4"' not in page
    for word in ("Slecht", "Matig", "Goed", "Heel goed", "Ik maak me zorgen", "Taaldoelen deze week"):
        assert word in page, word
    assert seed.a.request.learning_goals in page


def test_employer_writes_this_weeks_log(seed, started, login_as):
    data = valid_log(
        days_present="2",
        hours_absent="4",
        absence_reason="Tandarts",
        punctuality_note="Altijd op tijd",
        language_goals_met="Instructies begrepen",
        needs_from_municipality="Een gesprek met de jobcoach",
        status="closed",
        placement_id="999",
        version="9",
        submitted_by_id="1",
    )
    response = login_as(seed.a.employer_user).post(log_url(started, THIS_WEEK), data)
    assert response.status_code == 302
    [log] = logs_of(started)
    assert (log.week_start, log.days_planned, log.days_present, log.hours_absent) == (THIS_WEEK, 3, 2, 4)
    assert (log.punctuality, log.task_progress, log.dutch_at_work, log.teamwork, log.motivation) == (
        4,
        3,
        2,
        3,
        4,
    )
    assert log.notes == {"punctuality": "Altijd op tijd"}
    assert log.language_goals_met == "Instructies begrepen"
    assert log.absence_reason == "Tandarts"
    assert log.version == 1
    assert log.submitted_by_id == seed.a.employer_user.id
    assert started.status == "onboarding"
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "weekly_log.created")).one()
    assert event.detail == {
        "placement_id": started.id,
        "week_start": "2026-03-09",
        "version": 1,
        "concern": False,
    }
    assert concern_mails() == []


def test_the_timeline_and_score_table_show_the_log(seed, started, login_as):
    client = login_as(seed.a.employer_user)
    client.post(log_url(started, LAST_WEEK), valid_log(has_concern="y", concern_text="Vaak moe"))
    client.post(log_url(started, THIS_WEEK), valid_log())
    page = text(login_as(seed.a.municipal).get(f"/plaatsingen/{started.id}"))
    assert page.index("weekverslag week van 9 maart 2026") < page.index("weekverslag week van 2 maart 2026")
    assert "De werkgever maakt zich zorgen" in page
    assert "Vaak moe" in page
    assert "Geen zorgen gemeld" in page
    assert "Scores uit de weekverslagen" in page
    assert "2 (matig)" in page
    assert "4 (heel goed)" in page


@pytest.mark.parametrize(
    ("week", "message"),
    [
        (date(2026, 3, 16), "nog niet begonnen"),
        (date(2027, 1, 4), "nog niet begonnen"),
        (date(2026, 2, 16), "voor de start"),
    ],
)
def test_no_log_for_a_future_week_or_a_week_before_the_start(seed, started, login_as, week, message):
    client = login_as(seed.a.employer_user)
    assert message in text(client.get(log_url(started, week)))
    response = client.post(log_url(started, week), valid_log())
    assert response.status_code == 200
    assert message in text(response)
    assert logs_of(started) == []


@pytest.mark.parametrize("status", ["planned", "nazorg", "closed", "interrupted"])
def test_no_log_unless_onboarding(seed, frozen, login_as, status):
    placement = factories.make_placement(
        seed.a, request=seed.a.request, status=status, start_date=FIRST_WEEK, actual_start_date=FIRST_WEEK
    )
    db.session.commit()
    response = login_as(seed.a.employer_user).post(log_url(placement, THIS_WEEK), valid_log())
    assert "als de plaatsing is gestart en nog loopt" in text(response)
    assert logs_of(placement) == []


@pytest.mark.parametrize(
    "week", ["2026-03-10", "2026-3-9", "20260309", "abc", "2026-02-30", "9" * 40, "2026-W11"]
)
def test_a_malformed_or_non_monday_week_is_404(seed, started, login_as, week):
    client = login_as(seed.a.employer_user)
    assert client.get(f"/plaatsingen/{started.id}/week/{week}").status_code == 404
    assert client.post(f"/plaatsingen/{started.id}/week/{week}", valid_log()).status_code == 404
    assert logs_of(started) == []


def test_a_second_post_in_the_week_edits_the_same_log_without_a_version(seed, started, login_as):
    client = login_as(seed.a.employer_user)
    client.post(log_url(started, THIS_WEEK), valid_log())
    page = text(client.get(log_url(started, THIS_WEEK)))
    assert "U heeft dit weekverslag al ingevuld" in page
    assert is_checked(page, "dutch_at_work", "2")
    client.post(log_url(started, THIS_WEEK), valid_log(dutch_at_work="3"))
    [log] = logs_of(started)
    assert log.dutch_at_work == 3
    assert log.version == 1
    assert versions_of(log) == []


def test_a_late_edit_keeps_the_earlier_version(seed, started, login_as, frozen):
    client = login_as(seed.a.employer_user)
    client.post(log_url(started, LAST_WEEK), valid_log(needs_from_municipality="Niets"))
    client.post(log_url(started, LAST_WEEK), valid_log(motivation="1", needs_from_municipality=""))
    [log] = logs_of(started)
    assert (log.motivation, log.version, log.needs_from_municipality) == (1, 2, None)
    [earlier] = versions_of(log)
    assert earlier.version == 1
    assert earlier.data["motivation"] == 4
    assert earlier.data["needs_from_municipality"] == "Niets"
    assert earlier.replaced_by_id == seed.a.employer_user.id
    assert "versie 2" in text(client.get(f"/plaatsingen/{started.id}"))


def test_a_concern_needs_words_and_mails_the_municipal_contact_once_per_version(seed, started, login_as):
    client = login_as(seed.a.employer_user)
    response = client.post(log_url(started, THIS_WEEK), valid_log(has_concern="y"))
    assert "Schrijf kort op waarover u zich zorgen maakt." in form_errors_in(text(response))
    assert logs_of(started) == []
    client.post(log_url(started, THIS_WEEK), valid_log(has_concern="y", concern_text="Komt vaak te laat"))
    client.post(log_url(started, THIS_WEEK), valid_log(has_concern="y", concern_text="Nog steeds"))
    [mail] = concern_mails()
    assert mail.to_address == seed.a.municipal.email
    assert started.candidate.pseudonym in mail.subject
    assert f"/plaatsingen/{started.id}" in mail.body_text
    assert "Komt vaak te laat" not in mail.body_text
    client.post(log_url(started, LAST_WEEK), valid_log())
    client.post(log_url(started, LAST_WEEK), valid_log(has_concern="y", concern_text="Toch zorgen"))
    assert len(concern_mails()) == 2


def test_only_the_placements_employer_may_log(seed, started, login_as):
    other = make_site(seed.a)
    assert login_as(other.user).get(log_url(started, THIS_WEEK)).status_code == 404
    assert login_as(other.user).post(log_url(started, THIS_WEEK), valid_log()).status_code == 404
    for user in (seed.a.municipal, seed.a.jobcoach, seed.a.admin):
        assert login_as(user).post(log_url(started, THIS_WEEK), valid_log()).status_code == 403
    assert login_as(seed.b.employer_user).get(log_url(started, THIS_WEEK)).status_code == 404
    assert logs_of(started) == []


def test_no_language_goals_outside_a_taalstage(seed, frozen, login_as):
    request = factories.make_request(seed.a.workplace, code="proefplaatsing", created_by=seed.a.employer_user)
    placement = factories.make_placement(
        seed.a, request=request, status="onboarding", start_date=FIRST_WEEK, actual_start_date=FIRST_WEEK
    )
    db.session.commit()
    client = login_as(seed.a.employer_user)
    assert "Taaldoelen deze week" not in text(client.get(log_url(placement, THIS_WEEK)))
    client.post(log_url(placement, THIS_WEEK), valid_log(days_present="2", language_goals_met="Sneaky"))
    [log] = logs_of(placement)
    assert log.language_goals_met is None


@pytest.mark.parametrize(
    ("changes", "field_message"),
    [
        ({"days_present": "4"}, "Kies een van de mogelijkheden."),
        ({"days_present": "-1"}, "Kies een van de mogelijkheden."),
        ({"days_present": "drie"}, "Kies een van de mogelijkheden."),
        ({"days_present": None}, "Kies het aantal dagen"),
        ({"hours_absent": "veel"}, "Vul een heel getal in"),
        ({"hours_absent": "61"}, "Vul een getal van 0 tot en met 60 in."),
        ({"hours_absent": "-3"}, "Vul een getal van 0 tot en met 60 in."),
        ({"hours_absent": "9" * 400}, "te groot"),
        ({"hours_absent": "2"}, "Vul de reden van de afwezigheid in."),
        ({"punctuality": "5"}, "Kies een van de mogelijkheden."),
        ({"punctuality": "0"}, "Kies een van de mogelijkheden."),
        ({"motivation": SQL}, "Kies een van de mogelijkheden."),
        ({"teamwork": None}, "Kies hoe het ging: samenwerken"),
        ({"punctuality_note": LONG}, "Gebruik hoogstens 300 tekens."),
        ({"punctuality_note": "regel\neen"}, "Gebruik in dit veld geen enter."),
        ({"absence_reason": LONG, "hours_absent": "1"}, "Gebruik hoogstens 200 tekens."),
        ({"concern_text": LONG, "has_concern": "y"}, "Gebruik hoogstens 2000 tekens."),
        ({"needs_from_municipality": LONG}, "Gebruik hoogstens 2000 tekens."),
        ({"needs_from_municipality": "nul\x00byte"}, "niet zijn toegestaan"),
        ({"needs_from_municipality": "BSN 111222333"}, "burgerservicenummer"),
        ({"language_goals_met": LONG}, "Gebruik hoogstens 2000 tekens."),
    ],
)
def test_hostile_input_is_refused_beside_the_field(seed, started, login_as, changes, field_message):
    response = login_as(seed.a.employer_user).post(log_url(started, THIS_WEEK), valid_log(**changes))
    assert response.status_code == 200
    errors = form_errors_in(text(response))
    assert any(field_message in error for error in errors), errors
    assert logs_of(started) == []


def test_hostile_text_is_kept_and_shown_escaped(seed, started, login_as):
    client = login_as(seed.a.employer_user)
    data = valid_log(
        needs_from_municipality=SCRIPT, punctuality_note=RTL_EMOJI, absence_reason=SQL, hours_absent="1"
    )
    response = client.post(log_url(started, THIS_WEEK), {**data, "punctuality_note": RTL_EMOJI})
    assert response.status_code == 302
    [log] = logs_of(started)
    assert log.needs_from_municipality == SCRIPT
    assert log.notes["punctuality"] == RTL_EMOJI.strip()
    raw = login_as(seed.a.municipal).get(f"/plaatsingen/{started.id}").get_data(as_text=True)
    assert "<script>alert" not in raw
    assert "&lt;script&gt;" in raw


def test_duplicated_fields_use_the_first_value_and_an_invalid_form_keeps_what_was_typed(
    seed, started, app, login_as
):
    client = login_as(seed.a.employer_user)
    data = valid_log(needs_from_municipality="Mijn eigen tekst", hours_absent="5")
    response = client.post(log_url(started, THIS_WEEK), data)
    page = text(response)
    assert "Mijn eigen tekst" in page
    assert is_checked(page, "punctuality", "4")
    assert logs_of(started) == []
    raw = client.raw.post(
        log_url(started, THIS_WEEK),
        data=MultiDict([*valid_log().items(), ("days_present", "1"), ("csrf_token", client.token)]),
    )
    assert raw.status_code == 302
    [log] = logs_of(started)
    assert log.days_present == 3
