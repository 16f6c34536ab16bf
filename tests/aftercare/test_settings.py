"""The aftercare settings page (admins): the plan, its length and the thresholds, per municipality."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from portal.aftercare.models import AftercareSettings
from portal.aftercare.settings import (
    check_weeks,
    defaults,
    save_settings,
    settings_by_municipality,
    settings_for,
    weeks_of,
)
from portal.core.errors import DomainError
from portal.extensions import db
from tests.aftercare import nazorg
from tests.aftercare.nazorg import (
    rows_of,
    text,
)
from tests.conftest import form_errors_in
from tests.employers.conftest import LONG, RTL_EMOJI, SCRIPT, SQL, audit

URL = "/beheer/nazorg"

#: Fixtures of tests/aftercare/nazorg.py, used by name.
planned, today = nazorg.planned, nazorg.today


def valid(**changes) -> dict:
    data = {
        "checkin_weeks": "1 2 4 6 8 12 16",
        "aftercare_months": "4",
        "absence_hours_threshold": "8",
        "no_contact_days": "14",
        "checkin_overdue_working_days": "3",
        "end_without_decision_days": "7",
        "ignored_reminders": "2",
        "escalation_working_days": "2",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def row_of(municipality) -> AftercareSettings | None:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(AftercareSettings).where(AftercareSettings.municipality_id == municipality.id)
    )


def test_a_municipality_without_a_row_gets_the_defaults_unsaved(seed):
    settings = settings_for(seed.a.municipality.id)
    assert settings.id is None
    assert settings not in db.session
    assert weeks_of(settings) == (1, 2, 4, 6, 8, 12, 16)
    assert settings.aftercare_months == 4
    assert settings.checkin_overdue_working_days == 3
    assert defaults()["escalation_working_days"] == 2
    both = settings_by_municipality([seed.a.municipality.id, seed.b.municipality.id])
    assert set(both) == {seed.a.municipality.id, seed.b.municipality.id}
    assert all(s.id is None for s in both.values())


def test_the_page_shows_the_defaults_with_explanations(seed, login_as):
    page = text(login_as(seed.a.admin).get(URL))
    assert "Instellingen voor de nazorg" in page
    assert "Uw gemeente gebruikt nu de standaardinstellingen." in page
    assert 'value="1 2 4 6 8 12 16"' in page
    assert "Week 1 is een week na de start van het contract." in page
    assert "Een getal van 0 tot en met 30. De standaard is 3." in page


def test_the_menu_links_admins_to_the_page(seed, login_as):
    assert f'href="{URL}"' in text(login_as(seed.a.admin).get("/"))
    assert f'href="{URL}"' not in text(login_as(seed.a.municipal).get("/"))


def test_saving_stores_normalised_values_audits_and_reflows_the_plan(seed, planned, login_as):
    client = login_as(seed.a.admin)
    response = client.post(URL, valid(checkin_weeks=" 8, 1  3 ", aftercare_months="6", ignored_reminders="4"))
    assert response.status_code == 302
    row = row_of(seed.a.municipality)
    assert (row.checkin_weeks, row.aftercare_months, row.ignored_reminders) == ("1 3 8", 6, 4)
    assert row_of(seed.b.municipality) is None
    event = audit("aftercare.settings_updated")[-1]
    assert event.actor_id == seed.a.admin.id
    assert event.detail["changed"] == ["checkin_weeks", "aftercare_months", "ignored_reminders"]
    assert [r[1:] for r in rows_of(planned)] == [
        (1, date(2026, 5, 26), "planned"),
        (3, date(2026, 6, 8), "planned"),
        (8, date(2026, 7, 13), "planned"),
        (6, date(2026, 6, 29), "cancelled"),
        (8, date(2026, 7, 13), "cancelled"),
        (12, date(2026, 8, 10), "cancelled"),
        (16, date(2026, 9, 7), "cancelled"),
    ]
    page = text(client.get(URL))
    assert "De nazorggesprekken die nog niet zijn gehouden, volgen het nieuwe plan" in page
    assert "2 verschoven, 4 vervallen" in page
    assert 'value="1 3 8"' in page
    assert "standaardinstellingen" not in page


def test_saving_only_a_threshold_leaves_the_checkins_alone(seed, planned, login_as):
    before = rows_of(planned)
    client = login_as(seed.a.admin)
    client.post(URL, valid(no_contact_days="21"))
    assert row_of(seed.a.municipality).no_contact_days == 21
    assert rows_of(planned) == before
    assert "volgen het nieuwe plan" not in text(client.get(URL))


def test_saving_the_same_values_again_changes_and_audits_nothing(seed, login_as):
    client = login_as(seed.a.admin)
    client.post(URL, valid())
    count = len(audit("aftercare.settings_updated"))
    client.post(URL, valid())
    assert len(audit("aftercare.settings_updated")) == count
    assert "Er is niets veranderd" in text(client.get(URL))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("checkin_weeks", "", "Vul ten minste één week in"),
        ("checkin_weeks", "1 2 x", "Gebruik alleen hele getallen"),
        ("checkin_weeks", "1 -2", "Gebruik alleen hele getallen"),
        ("checkin_weeks", "1.5", "Gebruik alleen hele getallen"),
        ("checkin_weeks", "١ ٢", "Gebruik alleen hele getallen"),  # Arabic-Indic digits
        ("checkin_weeks", "0 1", "Kies weken van 1 tot en met 104."),
        ("checkin_weeks", "1 105", "Kies weken van 1 tot en met 104."),
        ("checkin_weeks", "9" * 5000, "Gebruik hoogstens 100 tekens."),
        ("checkin_weeks", "1 99999999999999999999", "Kies weken van 1 tot en met 104."),
        ("checkin_weeks", "1 2 2", "Week 2 staat er meer dan één keer in."),
        ("checkin_weeks", " ".join(str(n) for n in range(1, 17)), "Plan hoogstens 15 nazorggesprekken."),
        (
            "checkin_weeks",
            "1 18",
            "Week 18 valt na het einde van de nazorg (4 maanden). Kies hoogstens week 17",
        ),
        ("checkin_weeks", "1\n2", "Gebruik in dit veld geen enter."),
        ("checkin_weeks", SCRIPT, "Gebruik alleen hele getallen"),
        ("checkin_weeks", SQL, "Gebruik alleen hele getallen"),
        ("aftercare_months", "0", "Vul een getal van 1 tot en met 24 in."),
        ("aftercare_months", "25", "Vul een getal van 1 tot en met 24 in."),
        ("aftercare_months", "vier", "Vul een heel getal in"),
        ("aftercare_months", "", "Vul in hoeveel maanden de nazorg duurt."),
        ("checkin_overdue_working_days", "-1", "Vul een getal van 0 tot en met 30 in."),
        ("absence_hours_threshold", "61", "Vul een getal van 1 tot en met 60 in."),
        ("no_contact_days", LONG, "Vul een heel getal in"),
        ("no_contact_days", "9" * 30, "Dit getal is te groot."),
        ("ignored_reminders", RTL_EMOJI, "Vul een heel getal in"),
        ("escalation_working_days", None, "Vul het aantal werkdagen in."),
    ],
)
def test_invalid_input_gets_a_dutch_message_and_nothing_is_saved(seed, login_as, field, value, message):
    response = login_as(seed.a.admin).post(URL, valid(**{field: value}))
    assert response.status_code == 200
    errors = form_errors_in(text(response))
    assert any(message in error for error in errors), errors
    assert row_of(seed.a.municipality) is None


def test_a_shorter_period_limits_the_weeks(seed, login_as):
    response = login_as(seed.a.admin).post(URL, valid(checkin_weeks="1 2 4", aftercare_months="1"))
    assert "Week 4 valt na het einde van de nazorg (1 maand). Kies hoogstens week 3" in text(response)
    login_as(seed.a.admin).post(URL, valid(checkin_weeks="1 2 3", aftercare_months="1"))
    assert row_of(seed.a.municipality).checkin_weeks == "1 2 3"


def test_typed_values_survive_an_error(seed, login_as):
    page = text(login_as(seed.a.admin).post(URL, valid(checkin_weeks="1 2 200", no_contact_days="30")))
    assert 'value="1 2 200"' in page
    assert 'value="30"' in page


def test_privileged_fields_are_ignored(seed, login_as):
    login_as(seed.a.admin).post(URL, valid(municipality_id=str(seed.b.municipality.id), id="1"))
    assert row_of(seed.a.municipality) is not None
    assert row_of(seed.b.municipality) is None


@pytest.mark.parametrize("role", ["employer", "jobcoach", "municipal"])
def test_only_admins_may_open_the_page(seed, login_as, role):
    client = login_as(seed.a.user(role))
    assert client.get(URL).status_code == 403
    assert client.post(URL, valid()).status_code == 403
    assert row_of(seed.a.municipality) is None


def test_the_service_refuses_what_the_form_would(seed):
    with pytest.raises(DomainError) as error:
        save_settings(seed.a.admin, {**_values(), "aftercare_months": True})
    assert error.value.field == "aftercare_months"
    with pytest.raises(DomainError) as error:
        save_settings(seed.a.admin, {**_values(), "ignored_reminders": 11})
    assert error.value.field == "ignored_reminders"
    assert check_weeks("16,1 ,2", 4) == (1, 2, 16)


def test_two_saves_share_one_row(seed):
    save_settings(seed.a.admin, _values())
    save_settings(seed.a.admin, {**_values(), "checkin_weeks": "2 4"})
    rows = db.session.scalars(
        sa.select(AftercareSettings).where(AftercareSettings.municipality_id == seed.a.municipality.id)
    ).all()
    assert [row.checkin_weeks for row in rows] == ["2 4"]


def _values() -> dict:
    return {
        "checkin_weeks": "1 2 4",
        "aftercare_months": 4,
        "absence_hours_threshold": 8,
        "no_contact_days": 14,
        "checkin_overdue_working_days": 3,
        "end_without_decision_days": 7,
        "ignored_reminders": 2,
        "escalation_working_days": 2,
    }
