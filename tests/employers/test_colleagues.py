"""Colleagues: invitations by e-mail with a hashed single-use token, accepting, expiry and revoking."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from portal.auth.models import User
from portal.auth.passwords import verify_password
from portal.core.tokens import hash_token
from portal.employers.models import Invitation
from portal.extensions import db
from tests.conftest import form_errors_in
from tests.employers.conftest import NEW_PASSWORD, T0, audit, emails, fresh, path_in, text, user_by_email
from tests.factories import make_user

COLLEAGUE = "collega@testbedrijf.nl"


def invite(client, email=COLLEAGUE):
    return client.post("/collegas/uitnodigen", {"email": email})


def invitation_link(email=COLLEAGUE) -> str:
    mail = emails("employers/invitation", to=email)[-1]
    return path_in(mail, "/uitnodiging/")


def accept_data(**overrides) -> dict:
    data = {
        "full_name": "Karim Collega",
        "phone": "",
        "password": NEW_PASSWORD,
        "password_confirm": NEW_PASSWORD,
    }
    data.update(overrides)
    return data


def test_colleagues_page_lists_colleagues_and_open_invitations(login_as, seed):
    other = make_user("employer", employer=seed.a.employer, full_name="Anna Collega")
    make_user("employer", employer=seed.b.employer, full_name="Bert van B")
    c = login_as(seed.a.employer_user)
    invite(c)
    body = text(c.get("/collegas"))
    assert other.full_name in body
    assert other.email in body
    assert "Bert van B" not in body
    assert COLLEAGUE in body
    assert "Intrekken" in body


def test_invite_stores_only_a_hash_and_mails_the_link(login_as, seed, frozen, app):
    c = login_as(seed.a.employer_user)
    response = invite(c, email="  Collega@TestBedrijf.NL ")
    assert response.status_code == 302
    assert response.headers["Location"] == "/collegas"
    invitation = db.session.scalar(sa.select(Invitation))
    assert invitation.email == COLLEAGUE
    assert invitation.employer_id == seed.a.employer.id
    assert invitation.invited_by_id == seed.a.employer_user.id
    assert invitation.expires_at == T0 + timedelta(days=app.config["INVITATION_DAYS"])
    link = invitation_link()
    token = link.rsplit("/", 1)[1]
    assert invitation.token_hash == hash_token(token)
    assert token not in invitation.token_hash
    mail = emails("employers/invitation")[-1]
    assert mail.subject == "U bent uitgenodigd voor Werkbrug"
    assert seed.a.employer.name in mail.body_text
    event = audit("employer.invitation_sent")[-1]
    assert "@" not in str(event.detail)
    assert token not in str(event.detail)


def test_accept_invitation_creates_the_account(login_as, client, seed):
    invite(login_as(seed.a.employer_user))
    link = invitation_link()
    page = client.get(link)
    assert page.status_code == 200
    assert seed.a.employer.name in text(page)
    response = client.post(
        link,
        accept_data(
            phone="06 12345678", email="ander@adres.nl", role="admin", employer_id=str(seed.b.employer.id)
        ),
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    user = user_by_email(COLLEAGUE)
    assert user.role == "employer"
    assert user.employer_id == seed.a.employer.id
    assert user.municipality_id == seed.a.municipality.id
    assert user.full_name == "Karim Collega"
    assert user.phone == "06 12345678"
    assert verify_password(user.password_hash, NEW_PASSWORD)
    assert user_by_email("ander@adres.nl") is None
    assert fresh(Invitation, db.session.scalar(sa.select(Invitation.id))).accepted_at is not None
    assert audit("employer.invitation_accepted")[-1].actor_id == user.id
    assert "Uw account is klaar." in text(client.get("/login"))
    client.login(COLLEAGUE, NEW_PASSWORD)
    assert client.get("/werkplekken").status_code == 200


def test_invitation_link_works_once(login_as, client, make_client, seed):
    invite(login_as(seed.a.employer_user))
    link = invitation_link()
    assert client.post(link, accept_data()).status_code == 302
    again = make_client()
    for response in (again.get(link), again.post(link, accept_data(full_name="Tweede Keer"))):
        assert response.status_code == 404
        assert "Deze uitnodiging werkt niet (meer)" in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.email == COLLEAGUE)) == 1


def test_expired_invitation_is_refused(login_as, client, seed, frozen, app):
    invite(login_as(seed.a.employer_user))
    link = invitation_link()
    frozen.move_to(T0 + timedelta(days=app.config["INVITATION_DAYS"]) - timedelta(minutes=1), tick=False)
    assert client.get(link).status_code == 200
    frozen.move_to(T0 + timedelta(days=app.config["INVITATION_DAYS"]), tick=False)
    response = client.post(link, accept_data())
    assert response.status_code == 404
    assert "verlopen" in text(response)
    assert user_by_email(COLLEAGUE) is None


def test_expired_invitation_is_not_listed_and_can_be_sent_again(login_as, seed, frozen, app):
    c = login_as(seed.a.employer_user)
    invite(c)
    frozen.move_to(T0 + timedelta(days=app.config["INVITATION_DAYS"], hours=1), tick=False)
    c = login_as(seed.a.employer_user)
    assert COLLEAGUE not in text(c.get("/collegas"))
    assert invite(c).status_code == 302
    assert len(emails("employers/invitation")) == 2


def test_revoked_invitation_is_refused(login_as, client, seed):
    c = login_as(seed.a.employer_user)
    invite(c)
    link = invitation_link()
    invitation = db.session.scalar(sa.select(Invitation))
    response = c.post(f"/collegas/uitnodigingen/{invitation.id}/intrekken")
    assert response.status_code == 302
    assert fresh(Invitation, invitation.id).revoked_at is not None
    assert "ingetrokken" in text(c.get("/collegas"))
    assert client.get(link).status_code == 404
    assert client.post(link, accept_data()).status_code == 404
    assert user_by_email(COLLEAGUE) is None
    # Revoking twice is refused with a message, not an error.
    c.post(f"/collegas/uitnodigingen/{invitation.id}/intrekken")
    assert "al gebruikt of ingetrokken" in text(c.get("/collegas"))


def test_address_with_an_account_is_refused(login_as, seed):
    c = login_as(seed.a.employer_user)
    for email in (seed.b.jobcoach.email, seed.a.employer_user.email.upper()):
        response = invite(c, email)
        assert response.status_code == 200
        assert (
            "Dit e-mailadres heeft al een account in Werkbrug. Uitnodigen is niet nodig."
            in form_errors_in(text(response))
        )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0
    assert emails("employers/invitation") == []


def test_address_with_an_open_invitation_is_refused(login_as, seed):
    c = login_as(seed.a.employer_user)
    invite(c)
    response = invite(c, COLLEAGUE.upper())
    assert response.status_code == 200
    assert "Er staat al een uitnodiging open voor dit e-mailadres." in form_errors_in(text(response))
    assert len(emails("employers/invitation")) == 1


def test_invalid_email_is_refused(login_as, seed):
    c = login_as(seed.a.employer_user)
    for bad in ("", "geen-adres", "a@b", "x" * 10_000 + "@voorbeeld.nl", "<script>@x.nl"):
        response = invite(c, bad)
        assert response.status_code == 200, bad
        assert form_errors_in(text(response)), bad
    assert emails("employers/invitation") == []


def test_accept_form_errors(login_as, client, seed):
    invite(login_as(seed.a.employer_user))
    link = invitation_link()
    response = client.post(
        link, accept_data(full_name="", password="kort", password_confirm="anders", phone="telefoon")
    )
    errors = form_errors_in(text(response))
    assert response.status_code == 200
    assert "Vul uw naam in." in errors
    assert any(e.startswith("Kies een wachtwoord van minstens") for e in errors)
    assert "De twee wachtwoorden zijn niet hetzelfde." in errors
    assert any(e.startswith("Vul een telefoonnummer in") for e in errors)
    pw = "collega" + "x" * 10
    errors = form_errors_in(text(client.post(link, accept_data(password=pw, password_confirm=pw))))
    assert "Uw wachtwoord mag niet met uw e-mailnaam beginnen." in errors
    assert user_by_email(COLLEAGUE) is None


def test_accept_when_the_address_got_an_account_meanwhile(login_as, client, seed):
    invite(login_as(seed.a.employer_user))
    link = invitation_link()
    make_user("jobcoach", seed.a.municipality, email=COLLEAGUE)
    response = client.post(link, accept_data())
    assert response.status_code == 200
    assert "Er is al een account met dit e-mailadres" in text(response)
    assert db.session.scalar(sa.select(Invitation.accepted_at)) is None


def test_unknown_or_hostile_tokens_answer_404(client, seed):
    for token in ("x", "no-such-token", "a" * 5000, "%00", "..%2F..%2Fetc", "'; DROP TABLE invitations; --"):
        response = client.get(f"/uitnodiging/{token}")
        assert response.status_code == 404, token
        if "%2F" not in token:  # a slash makes it another (unknown) path: the general 404 page
            assert "Deze uitnodiging werkt niet (meer)" in text(response)


def test_pending_employer_cannot_invite(login_as, seed):
    c = login_as(seed.a.pending_user)
    response = invite(c)
    assert response.status_code == 302
    assert response.headers["Location"] == "/wachten"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0
