"""The alerts inbox (/signalen), picking an alert up, resolving it, and alerts on other pages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.core.forms import BSN_MESSAGE
from portal.extensions import db
from tests import factories
from tests.alerts.signals import T0, onboarding
from tests.placements.conftest import text
from tests.test_accessibility import page_problems

URL = "/signalen"
SCRIPT = "<script>alert('x')</script>"


@pytest.fixture
def world(seed, time_machine):
    """Tenant A: two placements of the municipal contact (one with the jobcoach), one of a colleague."""
    time_machine.move_to(T0, tick=False)
    colleague = factories.make_user("municipal", seed.a.municipality)
    mine = onboarding(seed.a)
    unassigned = onboarding(seed.a, jobcoach_id=None)
    theirs = onboarding(seed.a, jobcoach_id=None)
    theirs.contact_id = colleague.id
    alerts = {
        "normal": factories.make_alert(
            mine,
            rule="logs_missing",
            severity="normal",
            reason="Twee weken geen verslag.",
            opened_at=T0 - timedelta(days=1),
        ),
        "high": factories.make_alert(
            mine, rule="concern", reason="Zorgen over op tijd komen.", opened_at=T0 - timedelta(days=3)
        ),
        "unassigned": factories.make_alert(unassigned, rule="high_risk", reason="Hoog risico gezien."),
        "theirs": factories.make_alert(theirs, rule="concern", reason="Zorgen bij een collega."),
        "done": factories.make_alert(
            mine,
            rule="absence_hours",
            severity="normal",
            status="resolved",
            resolved_at=T0,
            resolved_by_id=seed.a.municipal.id,
            reason="Veel uren afwezig.",
            resolution_note="Opgelost met de werkgever.",
        ),
    }
    return {"colleague": colleague, "mine": mine, "unassigned": unassigned, "theirs": theirs, **alerts}


def test_the_contact_sees_their_open_alerts_high_first_with_reason_and_evidence(seed, world, login_as):
    response = login_as(seed.a.municipal).get(URL)
    assert response.status_code == 200
    page = text(response)
    assert page.index("Zorgen over op tijd komen.") < page.index("Twee weken geen verslag.")  # high first
    assert "Hoog risico gezien." in page
    assert "Zorgen bij een collega." not in page  # another contact's placement
    assert "Veel uren afwezig." not in page  # resolved
    mine = world["mine"]
    assert f"{mine.candidate.pseudonym} – {mine.candidate.full_name}" in page
    assert f'href="/plaatsingen/{mine.id}#tijdlijn"' in page
    assert "De werkgever maakt zich zorgen" in page  # the rule label
    assert "Belangrijk" in page


def test_the_contact_can_see_the_whole_municipality_and_other_statuses(seed, world, login_as):
    client = login_as(seed.a.municipal)
    everyone = text(client.get(URL + "?wie=alle"))
    assert "Zorgen bij een collega." in everyone
    assert "Alleen mijn plaatsingen tonen" in everyone
    resolved = text(client.get(URL + "?status=resolved"))
    assert "Veel uren afwezig." in resolved
    assert "Afgehandeld: Opgelost met de werkgever." in resolved
    assert "Zorgen over op tijd komen." not in resolved
    assert "Er zijn geen signalen met de status opgepakt." in text(client.get(URL + "?status=acknowledged"))


def test_a_jobcoach_sees_only_alerts_of_their_placements(seed, world, login_as):
    page = text(login_as(seed.a.jobcoach).get(URL + "?wie=alle"))
    assert "Zorgen over op tijd komen." in page
    assert "Twee weken geen verslag." in page
    assert "Hoog risico gezien." not in page
    assert "Zorgen bij een collega." not in page
    assert "Alle plaatsingen van de gemeente tonen" not in page


@pytest.mark.parametrize("role", ["employer", "admin"])
def test_employers_and_admins_never_see_alerts(seed, world, login_as, role):
    client = login_as(seed.a.user(role))
    assert client.get(URL).status_code == 403
    alert = world["high"]
    assert client.post(f"{URL}/{alert.id}/oppakken").status_code == 403
    assert client.get(f"{URL}/{alert.id}/afhandelen").status_code == 403


def test_employers_see_no_alerts_on_the_placement_page(seed, world, login_as):
    mine = world["mine"]
    staff = text(login_as(seed.a.municipal).get(f"/plaatsingen/{mine.id}"))
    assert "Zorgen over op tijd komen." in staff
    assert "Afgehandeld: Opgelost met de werkgever." in staff
    employer = text(login_as(seed.a.employer_user).get(f"/plaatsingen/{mine.id}"))
    assert "Signalen" not in employer
    assert "Zorgen over op tijd komen." not in employer


@pytest.mark.parametrize("hostile", ["bogus", "", "' OR 1=1 --", SCRIPT, "x" * 10_000, "🙂"])
def test_hostile_filters_fall_back_to_open(seed, world, login_as, hostile):
    response = login_as(seed.a.municipal).get(
        URL, query_string={"status": hostile, "wie": hostile, "page": hostile}
    )
    assert response.status_code == 200
    assert "Zorgen over op tijd komen." in text(response)


def test_acknowledge_from_the_inbox(seed, world, login_as):
    client = login_as(seed.a.jobcoach)
    alert = world["high"]
    response = client.post(f"{URL}/{alert.id}/oppakken", {"next": "/signalen?status=open"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/signalen?status=open"
    db.session.refresh(alert)
    assert (alert.status, alert.acknowledged_by_id) == ("acknowledged", seed.a.jobcoach.id)
    again = client.post(
        f"{URL}/{alert.id}/oppakken", {"next": "https://evil.example/"}, follow_redirects=True
    )
    assert "Dit signaal is al opgepakt." in text(again)
    assert text(client.get(URL + "?status=acknowledged")).count("Zorgen over op tijd komen.") == 1


def test_a_jobcoach_cannot_touch_alerts_of_other_placements(seed, world, login_as):
    client = login_as(seed.a.jobcoach)
    for key in ("unassigned", "theirs"):
        alert = world[key]
        assert client.post(f"{URL}/{alert.id}/oppakken").status_code == 404
        assert client.post(f"{URL}/{alert.id}/afhandelen", {"note": "Klaar."}).status_code == 404
        db.session.refresh(alert)
        assert alert.status == "open"


def test_resolve_with_a_note(seed, world, login_as):
    client = login_as(seed.a.municipal)
    alert = world["high"]
    page = text(client.get(f"{URL}/{alert.id}/afhandelen"))
    assert "Zorgen over op tijd komen." in page
    assert "Wat is er gedaan?" in page
    response = client.post(
        f"{URL}/{alert.id}/afhandelen", {"note": "Gebeld met de werkgever. <b>Afspraak</b> gemaakt."}
    )
    assert response.status_code == 302
    db.session.refresh(alert)
    assert alert.status == "resolved"
    assert alert.resolution_note == "Gebeld met de werkgever. <b>Afspraak</b> gemaakt."
    done = text(client.get(f"{URL}/{alert.id}/afhandelen"))
    assert "Dit signaal is al afgehandeld." in done
    assert "<b>Afspraak</b>" not in client.get(f"{URL}/{alert.id}/afhandelen").get_data(as_text=True)
    client.post(f"{URL}/{alert.id}/afhandelen", {"note": "Nog een keer."})
    db.session.refresh(alert)
    assert alert.resolution_note.startswith("Gebeld")


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("", "Schrijf op wat er met dit signaal is gedaan."),
        ("x" * 10_000, "Gebruik hoogstens 2000 tekens."),
        ("Bel\x00 terug", "Deze tekst bevat tekens die niet zijn toegestaan."),
        ("BSN 111222333 gebeld", BSN_MESSAGE),
    ],
)
def test_a_bad_note_is_refused_and_kept(seed, world, login_as, note, message):
    client = login_as(seed.a.municipal)
    alert = world["high"]
    response = client.post(f"{URL}/{alert.id}/afhandelen", {"note": note})
    assert response.status_code == 200
    page = text(response)
    assert "Controleer het formulier" in page
    assert message in page
    if note and len(note) < 100 and "\x00" not in note:
        assert note in page  # nothing typed is lost
    db.session.refresh(alert)
    assert alert.status == "open"


def test_missing_fields_and_wrong_ids_never_give_a_500(seed, world, login_as):
    client = login_as(seed.a.municipal)
    alert = world["high"]
    assert client.post(f"{URL}/{alert.id}/afhandelen", {}).status_code == 200
    assert client.post(f"{URL}/{alert.id}/afhandelen", {"note": ["a", "b"]}).status_code in (200, 302)
    for bad in ("0", "99999999999999999999", "-1"):
        assert client.get(f"{URL}/{bad}/afhandelen").status_code == 404
    assert client.post(f"{URL}/{seed.b.alert.id}/oppakken").status_code == 404


def test_the_inbox_uses_a_fixed_number_of_queries(seed, world, login_as, count_queries):
    client = login_as(seed.a.municipal)
    client.get(URL)
    with count_queries() as few:
        client.get(URL)
    for _ in range(6):
        extra = onboarding(seed.a)
        factories.make_alert(extra, rule="concern")
        factories.make_alert(extra, rule="logs_missing", severity="normal")
    db.session.commit()
    with count_queries() as many:
        assert text(client.get(URL)).count("Belangrijk") >= 7
    assert many.count == few.count


def test_the_inbox_pages(seed, world, login_as, app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 3)  # 5 open alerts, the seed's included
    client = login_as(seed.a.municipal)
    first = text(client.get(URL + "?wie=alle"))
    assert "Pagina 1 van 2" in first
    assert 'href="/signalen?page=2&amp;status=open&amp;wie=alle"' in client.get(URL + "?wie=alle").get_data(
        as_text=True
    )
    second = text(client.get(URL + "?wie=alle&page=2"))
    assert "Pagina 2 van 2" in second


def test_home_pages_show_open_alerts(seed, world, login_as):
    municipal = text(login_as(seed.a.municipal).get("/"))
    assert "Signalen die nog niemand heeft opgepakt (4)" in municipal  # the seed's alert too
    assert municipal.index("Zorgen over op tijd komen.") < municipal.index("Twee weken geen verslag.")
    assert "Zorgen bij een collega." not in municipal
    coach = text(login_as(seed.a.jobcoach).get("/"))
    assert "Signalen die nog niemand heeft opgepakt (2)" in coach
    assert "Hoog risico gezien." not in coach
    colleague = text(login_as(world["colleague"]).get("/"))
    assert "Zorgen bij een collega." in colleague


def test_the_menu_has_signalen_for_staff(seed, login_as):
    for role in ("municipal", "jobcoach"):
        assert 'href="/signalen"' in login_as(seed.a.user(role)).get("/").get_data(as_text=True)
    for role in ("employer", "admin"):
        assert 'href="/signalen"' not in login_as(seed.a.user(role)).get("/").get_data(as_text=True)


def test_dates_are_shown_in_dutch(seed, world, login_as):
    page = text(login_as(seed.a.municipal).get(URL))
    assert "7 maart 2026" in page  # the high alert, opened three days before Tuesday 10 March
    assert date(2026, 3, 7).isoformat() not in page


def test_alerts_show_on_the_staff_timeline_only(seed, world, login_as):
    mine = world["mine"]
    staff = text(login_as(seed.a.municipal).get(f"/plaatsingen/{mine.id}"))
    timeline = staff[staff.index('id="tijdlijn-titel"') :]
    assert "signaal (belangrijk). Zorgen over op tijd komen. Status: open." in timeline
    assert "signaal. Twee weken geen verslag." in timeline
    assert "signaal van 10 maart 2026 (veel uren afwezig) afgehandeld. Opgelost met de werkgever." in timeline
    employer = text(login_as(seed.a.employer_user).get(f"/plaatsingen/{mine.id}"))
    assert "signaal" not in employer.lower()


def test_the_resolve_page_shows_what_the_employer_wrote(seed, world, login_as):
    from tests.alerts.signals import make_log

    mine = world["mine"]
    log = make_log(
        mine,
        date(2026, 3, 2),
        has_concern=True,
        concern_text="Hij komt vaak te laat en lijkt moe.",
        needs_from_municipality="Graag een gesprek met de jobcoach erbij.",
        hours_absent=6,
        absence_reason="Niet gekomen, niet afgemeld",
        notes={"punctuality": "Twee keer een half uur te laat.", "unknown": "niet tonen"},
    )
    alert = factories.make_alert(
        mine, rule="low_score", evidence_key=f"log:{log.id}", reason="Op tijd komen was slecht."
    )
    db.session.commit()
    response = login_as(seed.a.jobcoach).get(f"{URL}/{alert.id}/afhandelen")
    assert page_problems(response.data) == []
    page = text(response)
    assert "Wat de werkgever schreef" in page
    assert "Weekverslag van de week van 2 maart 2026" in page
    for words in (
        "Hij komt vaak te laat en lijkt moe.",
        "Graag een gesprek met de jobcoach erbij.",
        "Niet gekomen, niet afgemeld",
        "Op tijd komen",
        "Twee keer een half uur te laat.",
    ):
        assert words in page, words
    assert "niet tonen" not in page


def test_the_resolve_page_shows_the_visit_or_check_in_and_never_another_placements_row(seed, world, login_as):
    mine = world["mine"]
    visit = factories.make_visit(mine, seed.a.jobcoach, risk="high", risk_reason="Ruzie met een collega.")
    checkin = factories.make_checkin(mine, status="held", held_on=date(2026, 3, 9), risk="high",
                                     problems="Hij wil stoppen.")  # fmt: skip
    other = factories.make_visit(seed.a.placement, seed.a.jobcoach, risk_reason="Van een andere plaatsing.")
    by_visit = factories.make_alert(mine, rule="high_risk", evidence_key=f"visit:{visit.id}")
    by_checkin = factories.make_alert(mine, rule="low_score", evidence_key=f"checkin:{checkin.id}")
    foreign = factories.make_alert(mine, rule="absence_hours", evidence_key=f"visit:{other.id}")
    weeks = factories.make_alert(mine, rule="checkin_overdue", evidence_key="week:2026-03-02")
    db.session.commit()
    client = login_as(seed.a.municipal)
    page = text(client.get(f"{URL}/{by_visit.id}/afhandelen"))
    assert "Wat de jobcoach schreef" in page
    assert "Ruzie met een collega." in page
    page = text(client.get(f"{URL}/{by_checkin.id}/afhandelen"))
    assert "Nazorggesprek 1 op 9 maart 2026" in page
    assert "Hij wil stoppen." in page
    page = text(client.get(f"{URL}/{foreign.id}/afhandelen"))
    assert "Van een andere plaatsing." not in page
    assert "Wat de jobcoach schreef" not in page
    assert client.get(f"{URL}/{weeks.id}/afhandelen").status_code == 200
