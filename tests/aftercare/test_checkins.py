"""Recording a check-in, the aftercare part of the placement page, the contract correction and the
overdue check-ins on the municipal home page."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from portal.aftercare import services
from portal.aftercare.models import CheckIn
from portal.aftercare.planning import sync_checkins
from portal.alerts.models import Alert
from portal.core.errors import DomainError
from portal.core.time import now_utc
from portal.extensions import db
from tests import factories
from tests.aftercare import nazorg
from tests.aftercare.nazorg import (
    CONTRACT_START,
    TODAY,
    checkin,
    checkin_url,
    contract_url,
    in_aftercare,
    rows_of,
    text,
    valid_checkin,
)
from tests.conftest import form_errors_in
from tests.employers.conftest import LONG, RTL_EMOJI, SCRIPT, SQL, audit
from tests.test_accessibility import page_problems, summary_problems

#: Fixtures of tests/aftercare/nazorg.py, used by name.
planned, today = nazorg.planned, nazorg.today


def detail(placement) -> str:
    return f"/plaatsingen/{placement.id}"


def fresh(item: CheckIn) -> CheckIn:
    db.session.expire_all()
    return db.session.get(CheckIn, item.id)


# Recording a check-in -------------------------------------------------------------------------------------


def test_the_form_shows_the_checkin_and_passes_the_page_checks(seed, planned, login_as):
    item = checkin(planned, 2)
    response = login_as(seed.a.municipal).get(checkin_url(planned, item))
    page = text(response)
    assert response.status_code == 200
    assert "Nazorggesprek 2 vastleggen" in page
    assert "Gesprek 2 hoort in week 2 na de start van het contract en is gepland op 1 juni 2026." in page
    assert "Dit gesprek is te laat." in page
    assert page_problems(response.data) == []
    empty = login_as(seed.a.municipal).post(checkin_url(planned, item), {"contact_made": ""})
    assert summary_problems(empty.data) == []


def test_recording_a_checkin_marks_it_held_with_the_answers(seed, planned, login_as):
    item = checkin(planned, 2)
    response = login_as(seed.a.municipal).post(checkin_url(planned, item), valid_checkin())
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/plaatsingen/{planned.id}#nazorg")
    item = fresh(item)
    assert (item.status, item.held_on, item.held_by_id, item.held_with) == (
        "held",
        TODAY,
        seed.a.municipal.id,
        "both",
    )
    assert item.contact_made is True
    assert item.risk == "medium"
    assert item.scores == {
        "punctuality": 3,
        "task_progress": 3,
        "dutch_at_work": 2,
        "teamwork": 4,
        "motivation": 4,
    }
    assert item.problems == "Hij vindt de vroege dienst zwaar."
    assert item.agreements == "Werkgever kijkt of late diensten kunnen."
    assert (item.week, item.due_date) == (2, date(2026, 6, 1))  # the plan stays
    event = audit("checkin.held")[-1]
    assert event.detail["placement_id"] == planned.id
    assert event.detail["risk"] == "medium"
    assert "vroege dienst" not in str(event.detail)


def test_an_attempt_without_contact_needs_no_scores(seed, planned, login_as):
    item = checkin(planned, 1)
    data = valid_checkin(contact_made="no", held_with="employer", risk="high", problems="")
    for name in ("punctuality", "task_progress", "dutch_at_work", "teamwork", "motivation"):
        data.pop(name)
    assert login_as(seed.a.municipal).post(checkin_url(planned, item), data).status_code == 302
    item = fresh(item)
    assert item.contact_made is False
    assert item.scores == {}
    assert item.problems is None
    assert item.risk == "high"


def test_scores_typed_with_an_attempt_are_not_stored(seed, planned, login_as):
    item = checkin(planned, 1)
    login_as(seed.a.municipal).post(checkin_url(planned, item), valid_checkin(contact_made="no"))
    assert fresh(item).scores == {}


def test_contact_made_needs_all_five_scores(seed, planned, login_as):
    item = checkin(planned, 1)
    response = login_as(seed.a.municipal).post(
        checkin_url(planned, item), valid_checkin(teamwork=None, motivation=None)
    )
    errors = form_errors_in(text(response))
    assert "Kies hoe het gaat: samenwerken met collega's." in errors
    assert "Kies hoe het gaat: motivatie." in errors
    assert fresh(item).status == "planned"
    assert summary_problems(response.data) == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"held_on": "2026-06-18"}, "De datum van het gesprek kan niet in de toekomst liggen."),
        (
            {"held_on": "2026-05-17"},
            "Het gesprek kan niet voor de start van het contract (18 mei 2026) zijn.",
        ),
        ({"held_on": "17-06-2026"}, "datum"),
        ({"held_on": None}, "Vul de datum van het gesprek in."),
        ({"held_with": "boss"}, "Kies een van de mogelijkheden."),
        ({"held_with": None}, "Kies met wie u het gesprek had."),
        ({"contact_made": "maybe"}, "Kies een van de mogelijkheden."),
        ({"contact_made": None}, "Kies of u iemand heeft gesproken."),
        ({"punctuality": "5"}, "Kies een van de mogelijkheden."),
        ({"punctuality": "drie"}, "Kies een van de mogelijkheden."),
        ({"risk": None}, "Kies het risico."),
        ({"risk": "extreme"}, "Kies een van de mogelijkheden."),
        ({"problems": LONG}, "Gebruik hoogstens 5000 tekens."),
        ({"agreements": "bsn 111222333"}, "Vul hier geen burgerservicenummer in."),
        ({"problems": "tab\x00null"}, "Deze tekst bevat tekens die niet zijn toegestaan."),
    ],
)
def test_invalid_input_gets_a_dutch_message_and_nothing_changes(seed, planned, login_as, changes, message):
    item = checkin(planned, 1)
    response = login_as(seed.a.municipal).post(checkin_url(planned, item), valid_checkin(**changes))
    assert response.status_code == 200
    errors = form_errors_in(text(response))
    assert any(message in error for error in errors), errors
    assert fresh(item).status == "planned"


def test_hostile_text_is_stored_as_text_and_shown_escaped(seed, planned, login_as):
    item = checkin(planned, 1)
    client = login_as(seed.a.municipal)
    client.post(checkin_url(planned, item), valid_checkin(problems=SCRIPT + SQL, agreements=RTL_EMOJI))
    item = fresh(item)
    assert item.problems == SCRIPT + SQL
    assert item.agreements == RTL_EMOJI.strip()
    raw = client.get(detail(planned)).get_data(as_text=True)
    assert SCRIPT not in raw
    assert "&lt;script&gt;" in raw


def test_typed_answers_survive_an_error(seed, planned, login_as):
    page = text(
        login_as(seed.a.municipal).post(
            checkin_url(planned, checkin(planned, 1)), valid_checkin(risk=None, problems="Het rooster knelt.")
        )
    )
    assert "Het rooster knelt." in page
    assert re.search(r'<input checked[^>]*name="held_with"[^>]*value="both"', page)


def test_a_held_checkin_can_be_corrected_in_place(seed, planned, login_as):
    item = checkin(planned, 1)
    client = login_as(seed.a.municipal)
    client.post(checkin_url(planned, item), valid_checkin(held_on="2026-05-27", risk="low"))
    page = text(client.get(checkin_url(planned, item)))
    assert "Nazorggesprek 1 aanpassen" in page
    assert 'value="2026-05-27"' in page
    client.post(checkin_url(planned, item), valid_checkin(held_on="2026-05-28", risk="high"))
    item = fresh(item)
    assert (item.held_on, item.risk, item.status) == (date(2026, 5, 28), "high", "held")
    assert (
        db.session.scalar(sa.select(sa.func.count(CheckIn.id)).where(CheckIn.placement_id == planned.id)) == 7
    )
    event = audit("checkin.corrected")[-1]
    assert event.detail["previous_risk"] == "low"
    assert event.detail["risk"] == "high"


def test_a_held_checkin_never_moves_with_the_plan(seed, planned, login_as, today):
    item = checkin(planned, 1)
    login_as(seed.a.municipal).post(checkin_url(planned, item), valid_checkin(held_on="2026-05-27"))
    planned.contract_start_date = CONTRACT_START - timedelta(weeks=1)
    sync_checkins(today)
    assert rows_of(planned)[0] == (1, 1, date(2026, 5, 26), "held")


def test_a_cancelled_checkin_cannot_be_recorded(seed, planned, login_as):
    item = checkin(planned, 7)
    item.status = "cancelled"
    db.session.commit()
    client = login_as(seed.a.municipal)
    assert services.CANCELLED in text(client.get(checkin_url(planned, item)))
    response = client.post(checkin_url(planned, item), valid_checkin())
    assert response.status_code == 200
    assert services.CANCELLED in text(response)
    assert fresh(item).status == "cancelled"


@pytest.mark.parametrize(
    ("status", "message"), [("onboarding", services.NOT_STARTED), ("closed", services.FINISHED)]
)
def test_placements_not_in_nazorg_are_refused(seed, planned, login_as, status, message):
    item = checkin(planned, 1)
    planned.status = status
    db.session.commit()
    client = login_as(seed.a.municipal)
    assert message in text(client.get(checkin_url(planned, item)))
    client.post(checkin_url(planned, item), valid_checkin())
    assert fresh(item).status == "planned"
    with pytest.raises(DomainError):
        services.record_checkin(seed.a.municipal, planned, item, {})


def test_another_placements_checkin_or_a_bad_id_is_404(seed, planned, login_as, today):
    other = in_aftercare(seed.a)
    sync_checkins(today)
    db.session.commit()
    client = login_as(seed.a.municipal)
    foreign = checkin(other, 1)
    assert client.get(checkin_url(planned, foreign)).status_code == 404
    assert client.post(checkin_url(planned, foreign), valid_checkin()).status_code == 404
    assert client.get(f"/plaatsingen/{planned.id}/nazorg/99999999999").status_code == 404
    assert client.get(f"/plaatsingen/{planned.id}/nazorg/0").status_code == 404
    assert fresh(foreign).status == "planned"


def test_other_tenants_and_other_roles_cannot_record(seed, planned, login_as):
    item = checkin(planned, 1)
    assert login_as(seed.b.municipal).post(checkin_url(planned, item), valid_checkin()).status_code == 404
    for role in ("employer", "jobcoach", "admin"):
        assert (
            login_as(seed.a.user(role)).post(checkin_url(planned, item), valid_checkin()).status_code == 403
        )
    assert fresh(item).status == "planned"
    with pytest.raises(DomainError):
        services.record_checkin(seed.a.jobcoach, planned, item, {})


# The placement page ---------------------------------------------------------------------------------------


def test_staff_see_the_plan_with_late_checkins_in_words(seed, planned, login_as):
    login_as(seed.a.municipal).post(checkin_url(planned, checkin(planned, 2)), valid_checkin(risk="high"))
    for user in (seed.a.municipal, seed.a.jobcoach):
        response = login_as(user).get(detail(planned))
        page = text(response)
        assert "Nazorggesprekken van deze plaatsing" in page
        assert page.count("Te laat") == 2  # check-ins 1 and 3 (2 is held)
        assert "Gesprek 2 op 17 juni 2026" in page
        assert "Hij vindt de vroege dienst zwaar." in page
        assert "nazorggesprek 2 op 17 juni 2026 vastgelegd" in page  # in the timeline
        assert "Risico: hoog." in page
        assert "De nazorg begon op 18 mei 2026 en loopt tot en met 17 september 2026." in page
        assert page_problems(response.data) == []
    municipal = text(login_as(seed.a.municipal).get(detail(planned)))
    assert checkin_url(planned, checkin(planned, 1)) in municipal
    assert "Gesprek aanpassen" in municipal
    assert "Contract aanpassen" in municipal
    jobcoach = text(login_as(seed.a.jobcoach).get(detail(planned)))
    assert "/nazorg/" not in jobcoach
    assert "Contract aanpassen" not in jobcoach


def test_employers_see_only_the_dates_of_planned_checkins(seed, planned, login_as):
    login_as(seed.a.municipal).post(checkin_url(planned, checkin(planned, 2)), valid_checkin(risk="high"))
    response = login_as(seed.a.employer_user).get(detail(planned))
    page = text(response)
    assert "Geplande nazorggesprekken" in page
    assert "15 juni 2026" in page
    assert "7 september 2026" in page
    assert "Gesprek 2" not in page  # held: not shown
    for secret in ("vroege dienst", "Risico", "Te laat", "Gehouden", "/nazorg/", "Contract aanpassen"):
        assert secret not in page, secret
    assert page_problems(response.data) == []


def test_the_page_says_checkins_follow_when_none_are_planned_yet(seed, login_as, today):
    placement = in_aftercare(seed.a)
    db.session.commit()
    page = text(login_as(seed.a.municipal).get(detail(placement)))
    assert "De nazorggesprekken worden zo gepland." in page


def test_placements_before_a_contract_have_no_aftercare_part(seed, login_as):
    assert 'id="nazorg"' not in text(login_as(seed.a.municipal).get(detail(seed.a.placement)))


def test_the_detail_page_runs_a_bounded_number_of_queries(seed, planned, login_as, count_queries, today):
    clients = {
        user.role: login_as(user) for user in (seed.a.municipal, seed.a.jobcoach, seed.a.employer_user)
    }
    services.record_checkin(seed.a.municipal, planned, checkin(planned, 1), _values())
    db.session.commit()
    few = {}
    for role, client in clients.items():
        client.get(detail(planned))
        with count_queries() as counter:
            client.get(detail(planned))
        few[role] = counter.count
    for number in (2, 3):
        services.record_checkin(seed.a.municipal, planned, checkin(planned, number), _values())
    db.session.commit()
    for role, client in clients.items():
        with count_queries() as many:
            assert client.get(detail(planned)).status_code == 200
        assert many.count == few[role], role


def _values(**changes):
    values = {
        "held_on": TODAY,
        "held_with": "employee",
        "contact_made": True,
        "scores": {"punctuality": 4, "task_progress": 4, "dutch_at_work": 3, "teamwork": 3, "motivation": 4},
        "problems": None,
        "agreements": None,
        "risk": "low",
    }
    values.update(changes)
    return values


def test_the_service_checks_values_itself(seed, planned):
    item = checkin(planned, 1)
    for changes, field in (
        ({"held_on": "2026-06-01"}, "held_on"),
        ({"contact_made": "yes"}, "contact_made"),
        ({"scores": {"punctuality": True}}, "punctuality"),
        ({"problems": "x" * 5001}, "problems"),
        ({"risk": None}, "risk"),
    ):
        with pytest.raises(DomainError) as error:
            services.record_checkin(seed.a.municipal, planned, item, _values(**changes))
        assert error.value.field == field
    other = in_aftercare(seed.a)
    with pytest.raises(DomainError):
        services.record_checkin(seed.a.municipal, other, item, _values())


# The contract correction ----------------------------------------------------------------------------------


def contract(**changes) -> dict:
    data = {"contract_type": "permanent", "contract_hours": "32", "contract_start_date": "2026-05-11"}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_correcting_the_start_reflows_the_checkins_at_once(seed, planned, login_as):
    client = login_as(seed.a.municipal)
    client.post(checkin_url(planned, checkin(planned, 1)), valid_checkin(held_on="2026-05-26"))
    response = client.post(contract_url(planned), contract())
    assert response.status_code == 302
    db.session.expire_all()
    assert (planned.contract_type, planned.contract_hours, planned.contract_start_date) == (
        "permanent",
        32,
        date(2026, 5, 11),
    )
    rows = rows_of(planned)
    assert rows[0] == (1, 1, date(2026, 5, 26), "held")
    assert rows[1] == (2, 2, date(2026, 5, 26), "planned")  # 25 May is Tweede Pinksterdag
    assert rows[2] == (3, 4, date(2026, 6, 8), "planned")
    event = audit("placement.contract_corrected")[-1]
    assert event.detail["changed"] == ["contract_type", "contract_hours", "contract_start_date"]
    assert event.detail["after"]["contract_start_date"] == "2026-05-11"
    assert event.detail["checkins_moved"] == 6
    assert "zijn opnieuw gepland" in text(client.get(detail(planned)))


def test_nothing_changed_writes_nothing(seed, planned, login_as):
    client = login_as(seed.a.municipal)
    client.post(
        contract_url(planned),
        contract(contract_type="fixed_term", contract_hours="24", contract_start_date="2026-05-18"),
    )
    assert audit("placement.contract_corrected") == []
    assert services.NOTHING_CHANGED in text(client.get(detail(planned)))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"contract_type": "forever"}, "Kies de soort contract uit de lijst."),
        ({"contract_type": None}, "Kies de soort contract."),
        ({"contract_hours": "41"}, "Vul een getal van 1 tot en met 40 in."),
        ({"contract_hours": "veel"}, "Vul een heel getal in"),
        (
            {"contract_start_date": "2026-02-20"},
            "Het contract kan niet beginnen voor de eerste werkdag (23 februari 2026).",
        ),
        ({"contract_start_date": "2026-08-14"}, "uiterlijk 90 dagen na de geplande einddatum"),
        ({"contract_start_date": "morgen"}, "datum"),
        ({"contract_start_date": None}, "Vul de startdatum van het contract in."),
    ],
)
def test_an_invalid_correction_shows_the_form_with_the_message(seed, planned, login_as, changes, message):
    response = login_as(seed.a.municipal).post(contract_url(planned), contract(**changes))
    assert response.status_code == 200
    page = text(response)
    assert any(message in error for error in form_errors_in(page)), form_errors_in(page)
    assert page_problems(response.data) == []
    assert summary_problems(response.data) == []
    db.session.expire_all()
    assert planned.contract_start_date == CONTRACT_START


def test_the_start_cannot_move_after_a_held_checkin(seed, planned, login_as):
    client = login_as(seed.a.municipal)
    client.post(checkin_url(planned, checkin(planned, 1)), valid_checkin(held_on="2026-05-26"))
    response = client.post(contract_url(planned), contract(contract_start_date="2026-05-27"))
    assert "Er is al een nazorggesprek gehouden op 26 mei 2026." in text(response)


def test_the_contract_cannot_be_corrected_outside_nazorg(seed, planned, login_as):
    planned.status = "closed"
    db.session.commit()
    client = login_as(seed.a.municipal)
    response = client.post(contract_url(planned), contract())
    assert response.status_code == 302
    assert services.FINISHED in text(client.get(detail(planned)))
    db.session.expire_all()
    assert planned.contract_type == "fixed_term"


def test_other_tenants_and_roles_cannot_correct_the_contract(seed, planned, login_as):
    assert login_as(seed.b.municipal).post(contract_url(planned), contract()).status_code == 404
    for role in ("employer", "jobcoach"):
        assert login_as(seed.a.user(role)).post(contract_url(planned), contract()).status_code == 403
    db.session.expire_all()
    assert planned.contract_start_date == CONTRACT_START


# The municipal home page ----------------------------------------------------------------------------------


def alert(placement, severity="normal", status="open", rule="concern"):
    row = Alert(
        municipality_id=placement.municipality_id,
        placement_id=placement.id,
        rule=rule,
        evidence_key=f"test:{severity}:{status}:{rule}",
        severity=severity,
        status=status,
        reason="Test",
        opened_at=now_utc(),
        resolved_at=now_utc() if status == "resolved" else None,
    )
    db.session.add(row)
    db.session.flush()
    return row


def overdue_order(page: str, placements) -> list[int]:
    """The placements in the order their first overdue row appears on the page."""
    positions = {p.id: page.index(checkin_url(p, checkin(p, 1))) for p in placements}
    return sorted(positions, key=positions.get)


def test_the_contact_sees_overdue_checkins_sorted_by_risk(seed, login_as, today):
    calm, worried, alerted, urgent = (in_aftercare(seed.a) for _ in range(4))
    quiet = in_aftercare(seed.a, contract_start_date=CONTRACT_START - timedelta(weeks=3))  # older, no risk
    sync_checkins(today)
    factories.make_visit(worried, seed.a.jobcoach, visit_date=date(2026, 6, 10), risk="high")
    factories.make_visit(calm, seed.a.jobcoach, visit_date=date(2026, 6, 10), risk="high")
    services.record_checkin(
        seed.a.municipal, calm, checkin(calm, 3), _values(held_on=date(2026, 6, 15))
    )  # newer: low
    alert(alerted, "normal")
    alert(urgent, "high", status="acknowledged")
    alert(calm, "high", status="resolved", rule="high_risk")  # resolved alerts do not count
    db.session.commit()
    response = login_as(seed.a.municipal).get("/")
    page = text(response)
    assert "Nazorggesprekken die te laat zijn (15)" in page  # 3 x 4, one held, and 4 of the older one
    assert "Hoog signaal" in page
    assert "Laatste risico: hoog" in page
    assert page_problems(response.data) == []
    # Ten rows at most: urgent (3), alerted (3), worried (3: a high risk at the last visit), then the
    # oldest check-in of the placement whose risk nobody knows yet; calm (low at its last check-in) last.
    assert overdue_order(page, [urgent, alerted, worried, quiet]) == [
        urgent.id,
        alerted.id,
        worried.id,
        quiet.id,
    ]
    assert checkin_url(quiet, checkin(quiet, 2)) not in page
    assert f"/plaatsingen/{calm.id}/nazorg/" not in page
    assert "En nog 5 andere." in page


def test_only_the_contacts_own_open_placements_are_listed(seed, login_as, today):
    mine = in_aftercare(seed.a)
    colleague = factories.make_user("municipal", seed.a.municipality)
    theirs = in_aftercare(seed.a)
    theirs.contact_id = colleague.id
    closed = in_aftercare(seed.a)
    other_tenant = in_aftercare(seed.b)
    sync_checkins(today)
    closed.status = "closed"
    db.session.commit()
    page = text(login_as(seed.a.municipal).get("/"))
    assert "Nazorggesprekken die te laat zijn (3)" in page
    assert checkin_url(mine, checkin(mine, 1)) in page
    for placement in (theirs, closed, other_tenant):
        assert f"/plaatsingen/{placement.id}/nazorg/" not in page
    assert "Nazorggesprekken die te laat zijn (3)" in text(login_as(colleague).get("/"))


def test_no_overdue_checkins_says_so(seed, login_as, today):
    assert "Er zijn geen nazorggesprekken te laat." in text(login_as(seed.a.municipal).get("/"))


def test_the_home_page_runs_a_bounded_number_of_queries(seed, login_as, count_queries, no_page_cache, today):
    in_aftercare(seed.a)
    sync_checkins(today)
    db.session.commit()
    client = login_as(seed.a.municipal)
    client.get("/")
    with count_queries() as few:
        client.get("/")
    for n in range(6):
        placement = in_aftercare(seed.a)
        factories.make_visit(placement, seed.a.jobcoach, visit_date=date(2026, 6, 1), risk="medium")
        alert(placement, "high" if n % 2 else "normal")
    sync_checkins(today)
    db.session.commit()
    with count_queries() as many:
        assert client.get("/").status_code == 200
    assert many.count == few.count
