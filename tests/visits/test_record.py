"""The jobcoach records a workplace visit with agreed actions: rows, audit, every message, access."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from portal.core.errors import DomainError
from portal.core.forms import BSN_MESSAGE
from portal.core.models import AuditEvent
from portal.extensions import db
from portal.tasks.models import Task
from portal.visits.models import Visit
from tests import factories
from tests.conftest import form_errors_in
from tests.employers.conftest import LONG, RTL_EMOJI, SCRIPT, SQL
from tests.test_accessibility import page_problems, summary_problems
from tests.visits.conftest import TODAY, new_url, text, valid_visit

DUE = "2026-03-20"


def visits_of(placement) -> list[Visit]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Visit).where(Visit.placement_id == placement.id)))


def tasks_of(placement) -> list[Task]:
    return list(
        db.session.scalars(sa.select(Task).where(Task.placement_id == placement.id).order_by(Task.id))
    )


def audits(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def test_the_form_is_one_phone_friendly_page_with_today_filled_in(seed, coached, login_as):
    response = login_as(seed.a.jobcoach).get(new_url(coached))
    assert response.status_code == 200
    assert page_problems(response.data) == []
    page = text(response)
    assert f'value="{TODAY}"' in page
    for words in (
        "Op de werkplek",
        "Telefonisch",
        "Videogesprek",
        "Ja, ik heb iemand gesproken",
        "Nee, alleen geprobeerd",
        "Werkbegeleider",
        "Laag",
        "Middel",
        "Hoog",
        "Afspraak 3: wie doet het?",
    ):
        assert words in page, words
    assert "Afspraak 4" not in page
    assert "<table" not in page


def test_jobcoach_records_a_visit_with_actions(seed, coached, login_as):
    client = login_as(seed.a.jobcoach)
    data = valid_visit(
        visit_date="2026-03-09",
        mode="phone",
        spoken_with=["supervisor", "candidate"],
        risk="medium",
        risk_reason="Kandidaat is vaak moe.",
        action_0_title="Werkrooster delen met de kandidaat",
        action_0_owner="employer",
        action_0_due="2026-03-13",
        action_2_title="Gesprek over de reistijd",
        action_2_owner="jobcoach",
        action_2_due="2026-03-09",
        # Fields the form does not have are ignored.
        jobcoach_id=str(seed.b.jobcoach.id),
        placement_id="999",
        confirmed_at="2026-03-10",
    )
    response = client.post(new_url(coached), data)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/plaatsingen/{coached.id}"
    [visit] = visits_of(coached)
    assert (visit.visit_date, visit.duration_minutes, visit.mode) == (date(2026, 3, 9), 45, "phone")
    assert visit.spoken_with == "candidate supervisor"
    assert visit.contact_made is True
    assert visit.observations == "Werkt zelfstandig aan de inpaktafel."
    assert (visit.risk, visit.risk_reason) == ("medium", "Kandidaat is vaak moe.")
    assert visit.jobcoach_id == seed.a.jobcoach.id
    assert visit.confirmed_at is None
    first, second = tasks_of(coached)
    assert (first.title, first.owner, first.due_date) == (
        "Werkrooster delen met de kandidaat",
        "employer",
        date(2026, 3, 13),
    )
    assert (second.title, second.owner, second.due_date) == (
        "Gesprek over de reistijd",
        "jobcoach",
        date(2026, 3, 9),
    )
    for task in (first, second):
        assert (task.status, task.kind, task.visit_id) == ("open", "action", visit.id)
        assert task.created_by_id == seed.a.jobcoach.id
        assert task.municipality_id == seed.a.municipality.id
    [event] = audits("visit.recorded")
    assert event.object_id == visit.id
    assert event.municipality_id == seed.a.municipality.id
    assert event.detail == {
        "placement_id": coached.id,
        "mode": "phone",
        "contact_made": True,
        "risk": "medium",
        "actions": 2,
    }
    assert [event.detail["visible_to_employer"] for event in audits("task.created")] == [True, False]
    assert "Het bezoek is vastgelegd." in text(client.get(response.headers["Location"]))


def test_the_form_says_per_action_who_reads_it(seed, coached, login_as):
    page = text(login_as(seed.a.jobcoach).get(new_url(coached)))
    for i in range(1, 4):
        assert f"Afspraak {i}: zichtbaar voor de werkgever" in page
    boxes = re.findall(r'<input[^>]*name="action_\d_employer"[^>]*>', page)
    assert len(boxes) == 3
    assert all('type="checkbox"' in box and "checked" not in box for box in boxes)  # staff only by default
    assert "Altijd de jobcoach en de gemeente." in page
    assert "Schrijf nooit iets over gezondheid of zorg in een afspraak die de werkgever leest." in page


def test_an_action_is_staff_only_unless_the_employer_does_it_or_it_is_marked(seed, coached, login_as):
    data = valid_visit(
        action_0_title="Rooster delen",
        action_0_owner="employer",
        action_0_due=DUE,
        action_1_title="Met de huisarts praten over de rugklachten",
        action_1_owner="candidate",
        action_1_due=DUE,
        action_2_title="Samen de werkplek bekijken",
        action_2_owner="jobcoach",
        action_2_due=DUE,
        action_2_employer="y",
    )
    assert login_as(seed.a.jobcoach).post(new_url(coached), data).status_code == 302
    assert [(t.title, t.visible_to_employer) for t in tasks_of(coached)] == [
        ("Rooster delen", True),
        ("Met de huisarts praten over de rugklachten", False),
        ("Samen de werkplek bekijken", True),
    ]
    employer = text(login_as(seed.a.employer_user).get(f"/plaatsingen/{coached.id}"))
    assert "Rooster delen" in employer
    assert "Samen de werkplek bekijken" in employer
    assert "huisarts" not in employer
    staff = text(login_as(seed.a.municipal).get(f"/plaatsingen/{coached.id}"))
    assert "Met de huisarts praten over de rugklachten" in staff
    assert staff.count("Ook de werkgever") == 2
    assert staff.count("Alleen jobcoach en gemeente") == 1


def test_a_ticked_box_on_an_empty_row_is_no_action(seed, coached, login_as):
    data = valid_visit(action_1_employer="y")
    assert login_as(seed.a.jobcoach).post(new_url(coached), data).status_code == 302
    assert tasks_of(coached) == []


def test_only_attempted_contact_keeps_nobody_as_spoken_to(seed, coached, login_as):
    data = valid_visit(contact_made="no", mode="phone", duration_minutes="5", observations="")
    assert login_as(seed.a.jobcoach).post(new_url(coached), data).status_code == 302
    [visit] = visits_of(coached)
    assert (visit.contact_made, visit.spoken_with, visit.observations) == (False, "", None)
    assert tasks_of(coached) == []


def test_a_visit_up_to_sixty_days_before_a_planned_start(seed, frozen, login_as):
    placement = factories.make_placement(seed.a, start_date=date(2026, 4, 1), jobcoach_id=seed.a.jobcoach.id)
    db.session.commit()
    client = login_as(seed.a.jobcoach)
    too_early = client.post(new_url(placement), valid_visit(visit_date="2026-01-30"))
    assert "Kies een datum vanaf 31 januari 2026" in " ".join(form_errors_in(text(too_early)))
    assert client.post(new_url(placement), valid_visit(visit_date="2026-01-31")).status_code == 302
    assert [v.visit_date for v in visits_of(placement)] == [date(2026, 1, 31)]


MESSAGES = [
    ({"visit_date": "2026-03-11"}, "De datum van het bezoek mag niet in de toekomst liggen."),
    ({"visit_date": "2025-12-24"}, "Kies een datum vanaf 25 december 2025"),
    ({"visit_date": "31-02-2026"}, "Vul een datum in, zoals 2026-03-10."),
    ({"visit_date": ""}, "Vul de datum van het bezoek in."),
    ({"duration_minutes": ""}, "Vul in hoeveel minuten het bezoek duurde."),
    ({"duration_minutes": "0"}, "Vul een getal van 1 tot en met 480 in."),
    ({"duration_minutes": "481"}, "Vul een getal van 1 tot en met 480 in."),
    ({"duration_minutes": "1.5"}, "Vul een heel getal in"),
    ({"duration_minutes": "9" * 400}, "Dit getal is te groot."),
    ({"mode": None}, "Kies hoe het bezoek ging."),
    ({"mode": "teleport"}, "Kies een van de mogelijkheden uit de lijst."),
    ({"contact_made": None}, "Kies of u iemand heeft gesproken."),
    ({"contact_made": "maybe"}, "Kies een van de mogelijkheden uit de lijst."),
    ({"spoken_with": None}, "Kies met wie u heeft gesproken."),
    ({"spoken_with": ["candidate", "ceo"]}, "Kies een van de mogelijkheden"),
    ({"risk": None}, "Kies het risico."),
    ({"risk": "extreme"}, "Kies een van de mogelijkheden uit de lijst."),
    ({"risk": "high"}, "Schrijf op waarom het risico middel of hoog is."),
    ({"risk": "medium", "risk_reason": "   "}, "Schrijf op waarom het risico middel of hoog is."),
    ({"risk": "high", "risk_reason": "x" * 2001}, "Gebruik hoogstens 2000 tekens."),
    ({"observations": "x" * 5001}, "Gebruik hoogstens 5000 tekens."),
    ({"observations": "BSN 111222333"}, BSN_MESSAGE),
    ({"observations": "nul\x00byte"}, "Deze tekst bevat tekens die niet zijn toegestaan."),
    ({"action_0_title": "Rooster delen"}, "Kies wie deze afspraak uitvoert."),
    (
        {"action_0_title": "Rooster delen", "action_0_owner": "employer"},
        "Vul in wanneer deze afspraak klaar moet zijn.",
    ),
    ({"action_1_owner": "employer", "action_1_due": DUE}, "Vul in wat er is afgesproken."),
    (
        {"action_0_title": "A", "action_0_owner": "boss", "action_0_due": DUE},
        "Kies een van de mogelijkheden uit de lijst.",
    ),
    ({"action_0_title": "A", "action_0_owner": "employer", "action_0_due": "morgen"}, "Vul een datum in"),
    (
        {
            "visit_date": "2026-03-05",
            "action_0_title": "A",
            "action_0_owner": "employer",
            "action_0_due": "2026-03-04",
        },
        "De afspraak kan niet klaar zijn voor de datum van het bezoek.",
    ),
    (
        {
            "visit_date": "2026-03-05",
            "action_0_title": "A",
            "action_0_owner": "employer",
            "action_0_due": "2027-03-06",
        },
        "Kies een datum binnen een jaar na het bezoek.",
    ),
    (
        {"action_2_title": "Twee\nregels", "action_2_owner": "employer", "action_2_due": DUE},
        "Gebruik in dit veld geen enter.",
    ),
    (
        {"action_0_title": "x" * 301, "action_0_owner": "employer", "action_0_due": DUE},
        "Gebruik hoogstens 300 tekens.",
    ),
    (
        {"action_0_title": "Bellen met de huisarts", "action_0_owner": "employer", "action_0_due": DUE},
        "de tekst lijkt over gezondheid of zorg te gaan",
    ),
    (
        {
            "action_1_title": "Praten over de rugklachten",
            "action_1_owner": "candidate",
            "action_1_due": DUE,
            "action_1_employer": "y",
        },
        "Dat mag de werkgever niet lezen.",
    ),
]


@pytest.mark.parametrize(("changes", "message"), MESSAGES)
def test_every_mistake_gets_a_dutch_message_and_nothing_is_saved(seed, coached, login_as, changes, message):
    data = valid_visit(**{"observations": "Mijn aantekening blijft staan.", **changes})
    response = login_as(seed.a.jobcoach).post(new_url(coached), data)
    assert response.status_code == 200
    page = text(response)
    errors = form_errors_in(page)
    assert any(message in error for error in errors), errors
    assert summary_problems(response.data) == []
    assert page_problems(response.data) == []
    assert visits_of(coached) == []
    assert tasks_of(coached) == []
    if "observations" not in changes:
        assert "Mijn aantekening blijft staan." in page  # nothing typed is lost


def test_the_last_allowed_due_date_is_a_year_after_the_visit(seed, coached, login_as):
    data = valid_visit(action_0_title="Evaluatie", action_0_owner="municipal", action_0_due="2027-03-10")
    assert login_as(seed.a.jobcoach).post(new_url(coached), data).status_code == 302
    [task] = tasks_of(coached)
    assert task.due_date == date(2027, 3, 10)


def test_an_empty_post_shows_a_linked_error_summary(seed, coached, login_as):
    response = login_as(seed.a.jobcoach).post(new_url(coached), {})
    assert response.status_code == 200
    assert summary_problems(response.data) == []
    assert page_problems(response.data) == []
    assert visits_of(coached) == []


@pytest.mark.parametrize("value", [LONG, SCRIPT, RTL_EMOJI, SQL, "١٢٣", "-1", "1e3", "0x10"])
def test_hostile_input_in_every_field_never_breaks_the_page(seed, coached, login_as, value):
    fields = (
        "visit_date",
        "duration_minutes",
        "mode",
        "contact_made",
        "spoken_with",
        "observations",
        "risk",
        "risk_reason",
        "action_0_title",
        "action_0_owner",
        "action_0_due",
    )
    client = login_as(seed.a.jobcoach)
    for name in fields:
        response = client.post(new_url(coached), valid_visit(**{name: value}))
        assert response.status_code in (200, 302), name
        assert SCRIPT not in response.get_data(as_text=True), name
    response = client.post(new_url(coached), {name: [value, value] for name in fields})
    assert response.status_code == 200


def test_html_and_unicode_are_stored_as_typed_and_shown_escaped(seed, coached, login_as):
    client = login_as(seed.a.jobcoach)
    data = valid_visit(
        observations=f"{SCRIPT} {RTL_EMOJI}",
        action_0_title=SCRIPT,
        action_0_owner="employer",
        action_0_due=DUE,
    )
    assert client.post(new_url(coached), data).status_code == 302
    [visit] = visits_of(coached)
    assert visit.observations == f"{SCRIPT} {RTL_EMOJI}"
    html = client.get(f"/plaatsingen/{coached.id}").get_data(as_text=True)
    assert SCRIPT not in html
    assert "&lt;script&gt;" in html
    assert SCRIPT not in client.get("/taken").get_data(as_text=True)


def test_a_jobcoach_not_assigned_to_the_placement_gets_404(seed, coached, login_as):
    other = factories.make_user("jobcoach", seed.a.municipality)
    db.session.commit()
    client = login_as(other)
    assert client.get(new_url(coached)).status_code == 404
    assert client.post(new_url(coached), valid_visit()).status_code == 404
    assert login_as(seed.a.jobcoach).get(new_url(seed.a.placement)).status_code == 404  # not assigned either
    assert visits_of(coached) == []


def test_other_tenants_jobcoach_gets_404(seed, coached, login_as):
    seed.b.placement.jobcoach_id = seed.b.jobcoach.id
    db.session.commit()
    client = login_as(seed.b.jobcoach)
    assert client.get(new_url(coached)).status_code == 404
    assert client.post(new_url(coached), valid_visit()).status_code == 404
    mine = login_as(seed.a.jobcoach)
    assert mine.post(new_url(seed.b.placement), valid_visit()).status_code == 404
    assert visits_of(coached) == []
    assert len(visits_of(seed.b.placement)) == 1  # only the seed's visit


@pytest.mark.parametrize("role", ["employer", "municipal", "admin"])
def test_only_jobcoaches_use_the_visit_form(seed, coached, login_as, role):
    client = login_as(seed.a.user(role))
    assert client.get(new_url(coached)).status_code == 403
    assert client.post(new_url(coached), valid_visit()).status_code == 403
    assert visits_of(coached) == []


@pytest.mark.parametrize("status", ["closed", "interrupted"])
def test_no_visit_on_an_ended_placement(seed, coached, login_as, status):
    coached.status = status
    db.session.commit()
    client = login_as(seed.a.jobcoach)
    page = text(client.get(new_url(coached)))
    assert "U kunt geen bezoek meer vastleggen." in page
    assert '<form method="post" novalidate' not in page
    response = client.post(new_url(coached), valid_visit())
    assert response.status_code == 200
    assert visits_of(coached) == []


@pytest.mark.parametrize("status", ["planned", "onboarding", "nazorg"])
def test_visits_while_the_placement_runs(seed, coached, login_as, status):
    coached.status = status
    db.session.commit()
    assert login_as(seed.a.jobcoach).post(new_url(coached), valid_visit()).status_code == 302
    assert len(visits_of(coached)) == 1


def test_the_service_refuses_what_the_form_would_not_send(seed, coached):
    from portal.visits.services import record_visit

    values = {
        "visit_date": date(2026, 3, 10),
        "duration_minutes": 30,
        "mode": "on_site",
        "spoken_with": ["candidate"],
        "contact_made": True,
        "risk": "low",
    }
    action = {"title": "A", "owner": "employer", "due_date": date(2026, 3, 12)}
    bad = [
        ({"visit_date": date(2026, 3, 11)}, [], "visit_date"),
        ({"duration_minutes": 481}, [], "duration_minutes"),
        ({"mode": "fax"}, [], "mode"),
        ({"spoken_with": []}, [], "spoken_with"),
        ({"risk": "high"}, [], "risk_reason"),
        ({}, [action] * 4, None),
        ({}, [{**action, "owner": None}], None),
        ({}, [{**action, "title": "Naar de fysiotherapeut"}], None),
        ({}, [{**action, "title": "Naar de GGZ", "owner": "candidate", "visible_to_employer": True}], None),
    ]
    for changes, actions, field in bad:
        with pytest.raises(DomainError) as refused:
            record_visit(seed.a.jobcoach, coached, {**values, **changes}, actions)
        assert refused.value.field == field
    with pytest.raises(DomainError):
        record_visit(seed.a.municipal, coached, values, [])
    assert visits_of(coached) == []
