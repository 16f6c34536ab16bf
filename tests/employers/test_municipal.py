"""The municipal side: pending registrations, the detail page, decisions and the fixed contact."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.employers.models import Employer
from portal.extensions import db
from tests.conftest import form_errors_in
from tests.employers.conftest import T0, audit, emails, fresh, row, text
from tests.factories import make_employer, make_user, make_workplace

REASON = "Uw organisatie staat niet ingeschreven in onze gemeente."


def decide(client, employer, **data):
    return client.post(f"/werkgevers/{employer.id}/besluit", data)


# Registrations list -----------------------------------------------------------------------------------------


def test_registrations_lists_own_pending_employers_oldest_first_with_waiting_days(login_as, seed, frozen):
    old = make_employer(
        seed.a.municipality, status="pending", name="Oud Bedrijf", created_at=T0 - timedelta(days=9)
    )
    make_employer(seed.b.municipality, status="pending", name="Ander Bedrijf B")
    seed.a.pending_employer.created_at = T0 - timedelta(hours=2)
    db.session.flush()
    response = login_as(seed.a.municipal).get("/werkgevers/aanmeldingen")
    body = text(response)
    assert response.status_code == 200
    assert body.index("Oud Bedrijf") < body.index(seed.a.pending_employer.name)
    assert "9 dagen" in body
    assert "minder dan een dag" in body
    assert "Ander Bedrijf B" not in body
    assert seed.a.employer.name not in body  # approved ones are not waiting
    assert f"/werkgevers/{old.id}" in body


def test_registrations_are_paginated(login_as, seed, app):
    for n in range(app.config["PAGE_SIZE"] + 3):
        make_employer(seed.a.municipality, status="pending", name=f"Wachtend {n:03d}")
    c = login_as(seed.a.municipal)
    first = text(c.get("/werkgevers/aanmeldingen"))
    second = text(c.get("/werkgevers/aanmeldingen?page=2"))
    assert "Pagina 1 van 2" in first
    assert "Pagina 2 van 2" in second
    assert 'href="/werkgevers/aanmeldingen?page=2"' in c.get("/werkgevers/aanmeldingen").get_data(
        as_text=True
    )
    assert first.count("/werkgevers/") > second.count("/werkgevers/")


# Detail -----------------------------------------------------------------------------------------------------


def test_detail_shows_organisation_users_workplaces_and_status(login_as, seed):
    employer = seed.a.employer
    make_workplace(employer, name="Oud Magazijn", archived_at=T0)
    inactive = make_user("employer", employer=employer, is_active=False, full_name="Ina Inactief")
    employer.status_reason = "Alles in orde."
    db.session.flush()
    response = login_as(seed.a.municipal).get(f"/werkgevers/{employer.id}")
    body = text(response)
    assert response.status_code == 200
    assert employer.name in body
    assert employer.kvk_number in body
    assert employer.sector_label in body
    assert "Goedgekeurd" in body
    assert "Alles in orde." in body
    assert seed.a.employer_user.email in body
    assert inactive.full_name in body
    assert "Nee" in body  # inactive user, in words
    assert seed.a.workplace.name in body
    assert "Oud Magazijn" in body
    assert "Gearchiveerd" in body
    assert "In gebruik" in body
    assert seed.a.municipal.full_name in body  # the fixed contact
    # Approved: the form offers suspending only.
    assert 'value="suspend"' in body
    assert 'value="approve"' not in body
    assert 'value="reject"' not in body


def test_detail_of_pending_employer_offers_approve_and_reject(login_as, seed):
    body = text(login_as(seed.a.admin).get(f"/werkgevers/{seed.a.pending_employer.id}"))
    assert 'value="approve"' in body
    assert 'value="reject"' in body
    assert 'value="suspend"' not in body
    assert "Vaste contactpersoon" in body


# Decisions --------------------------------------------------------------------------------------------------


def test_approve_sets_status_contact_and_mails_every_active_user(login_as, seed, frozen):
    employer = seed.a.pending_employer
    colleague = make_user("employer", employer=employer)
    inactive = make_user("employer", employer=employer, is_active=False)
    other_contact = make_user("municipal", seed.a.municipality, phone="06 11112222")
    response = decide(
        login_as(seed.a.municipal), employer, decision="approve", contact_id=str(other_contact.id)
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/werkgevers/{employer.id}"
    employer = fresh(Employer, employer.id)
    assert employer.status == "approved"
    assert employer.contact_id == other_contact.id
    assert employer.status_changed_at == T0
    assert employer.status_changed_by_id == seed.a.municipal.id
    assert employer.status_reason is None
    mails = emails("employers/approved")
    assert sorted(m.to_address for m in mails) == sorted([seed.a.pending_user.email, colleague.email])
    assert inactive.email not in [m.to_address for m in mails]
    assert mails[0].subject == "Uw organisatie is goedgekeurd in Werkbrug"
    assert other_contact.full_name in mails[0].body_text
    event = audit("employer.approved")[-1]
    assert event.object_id == employer.id
    assert event.detail == {"from_status": "pending", "to_status": "approved"}


def test_approve_defaults_the_contact_to_the_acting_user(login_as, seed):
    employer = seed.a.pending_employer
    employer.contact_id = None
    db.session.flush()
    c = login_as(seed.a.municipal)
    body = c.get(f"/werkgevers/{employer.id}").get_data(as_text=True)
    assert (
        f'<option selected value="{seed.a.municipal.id}">' in body
        or f'value="{seed.a.municipal.id}" selected' in body
    )
    assert decide(c, employer, decision="approve", contact_id=str(seed.a.municipal.id)).status_code == 302
    assert fresh(Employer, employer.id).contact_id == seed.a.municipal.id


def test_approve_refuses_a_contact_of_another_municipality_or_role(login_as, seed):
    employer = seed.a.pending_employer
    c = login_as(seed.a.municipal)
    for contact in (seed.b.municipal, seed.a.jobcoach, seed.a.employer_user):
        before = row(Employer, employer.id)
        response = decide(c, employer, decision="approve", contact_id=str(contact.id))
        assert response.status_code == 200
        assert "Kies een contactpersoon uit de lijst." in form_errors_in(text(response))
        assert row(Employer, employer.id) == before
    assert emails("employers/approved") == []


def test_reject_needs_a_reason_and_mails_it(login_as, seed):
    employer = seed.a.pending_employer
    c = login_as(seed.a.municipal)
    response = decide(c, employer, decision="reject", reason="   ")
    assert response.status_code == 200
    assert "Vul de reden in. De werkgever krijgt deze reden te zien." in form_errors_in(text(response))
    assert fresh(Employer, employer.id).status == "pending"

    response = decide(c, employer, decision="reject", reason=REASON)
    assert response.status_code == 302
    employer = fresh(Employer, employer.id)
    assert employer.status == "rejected"
    assert employer.status_reason == REASON
    mails = emails("employers/rejected")
    assert [m.to_address for m in mails] == [seed.a.pending_user.email]
    assert REASON in mails[0].body_text
    assert mails[0].subject == "Uw aanmelding bij Werkbrug is afgewezen"
    assert audit("employer.rejected")[-1].detail == {"from_status": "pending", "to_status": "rejected"}
    assert REASON not in str(audit("employer.rejected")[-1].detail)


def test_rejected_employer_sees_the_reason_on_the_waiting_page(login_as, seed):
    decide(login_as(seed.a.municipal), seed.a.pending_employer, decision="reject", reason=REASON)
    body = text(login_as(seed.a.pending_user).get("/wachten"))
    assert REASON in body


def test_suspend_and_reinstate(login_as, seed):
    employer = seed.a.employer
    c = login_as(seed.a.municipal)
    response = decide(c, employer, decision="suspend", reason="Klachten over de begeleiding.")
    assert response.status_code == 302
    assert fresh(Employer, employer.id).status == "suspended"
    suspended = emails("employers/suspended")
    assert [m.to_address for m in suspended] == [seed.a.employer_user.email]
    assert "Klachten over de begeleiding." in suspended[0].body_text
    # The suspended employer is sent to the waiting page.
    employer_client = login_as(seed.a.employer_user)
    assert employer_client.get("/werkplekken").headers["Location"] == "/wachten"

    assert decide(c, employer, decision="reinstate").status_code == 302
    employer = fresh(Employer, employer.id)
    assert employer.status == "approved"
    assert employer.contact_id == seed.a.municipal.id
    assert len(emails("employers/approved")) == 1
    assert employer_client.get("/werkplekken").status_code == 200


def test_rejected_employer_can_be_approved_after_re_evaluation(login_as, seed):
    employer = seed.a.pending_employer
    c = login_as(seed.a.municipal)
    decide(c, employer, decision="reject", reason=REASON)
    response = decide(c, employer, decision="approve", contact_id=str(seed.a.municipal.id))
    assert response.status_code == 302
    assert fresh(Employer, employer.id).status == "approved"
    assert fresh(Employer, employer.id).status_reason is None


def test_a_second_approval_after_suspension_mails_again(login_as, seed):
    employer = seed.a.employer
    c = login_as(seed.a.municipal)
    decide(c, employer, decision="suspend", reason="Even pauze.")
    decide(c, employer, decision="reinstate")
    decide(c, employer, decision="suspend", reason="Weer pauze.")
    decide(c, employer, decision="reinstate")
    assert len(emails("employers/approved")) == 2
    assert len(emails("employers/suspended")) == 2


@pytest.mark.parametrize(
    ("status", "decision"),
    [
        ("pending", "suspend"),
        ("pending", "reinstate"),
        ("approved", "approve"),
        ("approved", "reject"),
        ("approved", "reinstate"),
        ("rejected", "reject"),
        ("rejected", "suspend"),
        ("rejected", "reinstate"),
        ("suspended", "suspend"),
        ("suspended", "reject"),
    ],
)
def test_invalid_transitions_are_refused_and_change_nothing(login_as, seed, status, decision):
    employer = make_employer(seed.a.municipality, status=status, contact_id=seed.a.municipal.id)
    make_user("employer", employer=employer)
    before = row(Employer, employer.id)
    response = decide(
        login_as(seed.a.municipal),
        employer,
        decision=decision,
        reason="Een reden.",
        contact_id=str(seed.a.municipal.id),
    )
    assert response.status_code == 200
    errors = form_errors_in(text(response))
    assert any(e.startswith("Dit besluit kan niet") for e in errors)
    assert row(Employer, employer.id) == before
    assert emails() == []


@pytest.mark.parametrize("decision", ["", "delete", "APPROVE", "approve'; --", "x" * 10_000])
def test_unknown_decision_is_refused(login_as, seed, decision):
    before = row(Employer, seed.a.pending_employer.id)
    response = decide(
        login_as(seed.a.municipal),
        seed.a.pending_employer,
        decision=decision,
        contact_id=str(seed.a.municipal.id),
    )
    assert response.status_code == 200
    assert form_errors_in(text(response))
    assert row(Employer, seed.a.pending_employer.id) == before


def test_reason_longer_than_1000_characters_is_refused(login_as, seed):
    response = decide(
        login_as(seed.a.municipal), seed.a.pending_employer, decision="reject", reason="x" * 1001
    )
    assert "Gebruik hoogstens 1000 tekens." in form_errors_in(text(response))
    assert fresh(Employer, seed.a.pending_employer.id).status == "pending"


def test_change_contact(login_as, seed):
    employer = seed.a.employer
    other = make_user("municipal", seed.a.municipality)
    c = login_as(seed.a.admin)
    response = c.post(f"/werkgevers/{employer.id}/contactpersoon", {"contact_id": str(other.id)})
    assert response.status_code == 302
    assert fresh(Employer, employer.id).contact_id == other.id
    assert audit("employer.contact_changed")[-1].detail == {"contact_id": other.id}

    for bad in (str(seed.b.municipal.id), str(seed.a.admin.id), "abc", "", "99999999999999999999999"):
        response = c.post(f"/werkgevers/{employer.id}/contactpersoon", {"contact_id": bad})
        assert response.status_code == 200, bad
        assert form_errors_in(text(response)), bad
        assert fresh(Employer, employer.id).contact_id == other.id


def test_inactive_municipal_user_cannot_become_contact(login_as, seed):
    inactive = make_user("municipal", seed.a.municipality, is_active=False)
    response = login_as(seed.a.municipal).post(
        f"/werkgevers/{seed.a.employer.id}/contactpersoon", {"contact_id": str(inactive.id)}
    )
    assert response.status_code == 200
    assert fresh(Employer, seed.a.employer.id).contact_id == seed.a.municipal.id


def test_reason_is_escaped_on_the_detail_page(login_as, seed):
    c = login_as(seed.a.municipal)
    decide(c, seed.a.pending_employer, decision="reject", reason="<script>alert(1)</script>")
    body = c.get(f"/werkgevers/{seed.a.pending_employer.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


@pytest.mark.parametrize("role", ["employer", "jobcoach"])
def test_other_roles_cannot_use_the_municipal_pages(login_as, seed, role):
    c = login_as(seed.a.user(role))
    employer = seed.a.pending_employer
    for url in ("/werkgevers", "/werkgevers/aanmeldingen", f"/werkgevers/{employer.id}"):
        assert c.get(url).status_code == 403, url
    assert decide(c, employer, decision="approve", contact_id=str(seed.a.municipal.id)).status_code == 403
    assert fresh(Employer, employer.id).status == "pending"
