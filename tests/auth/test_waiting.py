"""The waiting page for employers whose organisation is not (or no longer) approved."""

from __future__ import annotations

import pytest

from portal.extensions import db
from tests.factories import make_employer, make_user


def _employer_user(seed, status, reason=None):
    employer = make_employer(seed.a.municipality, status=status, status_reason=reason)
    return make_user("employer", employer=employer)


def test_pending_employer_sees_that_the_municipality_is_checking(login_as, seed):
    html = login_as(seed.a.pending_user).get("/wachten").get_data(as_text=True)
    assert "Wacht op goedkeuring" in html
    assert "bekijkt uw aanmelding" in html


@pytest.mark.parametrize(("status", "words"), [("rejected", "Afgewezen"), ("suspended", "Geschorst")])
def test_rejected_or_suspended_employer_sees_reason_and_contact(login_as, seed, status, words):
    seed.a.municipality.contact_email = "werk@gemeente-a.nl"
    seed.a.municipality.contact_phone = "040 238 00 00"
    db.session.flush()
    user = _employer_user(seed, status, reason="Geen <b>KvK</b>-inschrijving gevonden.")
    html = login_as(user).get("/wachten").get_data(as_text=True)
    assert words in html
    assert "Geen &lt;b&gt;KvK&lt;/b&gt;-inschrijving gevonden." in html
    assert "werk@gemeente-a.nl" in html
    assert "040 238 00 00" in html


@pytest.mark.parametrize("status", ["pending", "rejected", "suspended"])
def test_unapproved_employer_is_sent_from_home_to_waiting(login_as, seed, status):
    response = login_as(_employer_user(seed, status)).get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/wachten"


@pytest.mark.parametrize("role", ["employer", "jobcoach", "municipal", "admin"])
def test_approved_employers_and_staff_go_home(login_as, seed, role):
    response = login_as(seed.a.user(role)).get("/wachten")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_waiting_needs_login(client):
    response = client.get("/wachten")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
