"""The Agenda page: make, replace and stop the secret feed address; audit without the secret."""

from __future__ import annotations

import base64
import logging
import re
import zlib

import lxml.html
import pytest
import sqlalchemy as sa

from portal.auth.models import User
from portal.calendar import services
from portal.core.models import AuditEvent
from portal.extensions import db
from tests.calendar.conftest import new_feed, sha256
from tests.placements.conftest import text
from tests.test_accessibility import page_problems


def audit(action: str) -> list[AuditEvent]:
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)).all()


@pytest.mark.parametrize("role", ["municipal", "jobcoach"])
def test_the_page_explains_the_feed_and_is_in_the_menu(seed, login_as, role):
    client = login_as(seed.a.user(role))
    response = client.get("/agenda")
    assert response.status_code == 200
    assert page_problems(response.data) == []
    page = text(response)
    assert "U heeft nog geen agenda-adres." in page
    assert "Abonneren vanaf internet" in page
    assert "Agenda toevoegen" in page
    assert "nooit de naam" in page
    assert 'href="/agenda"' in page  # the menu item
    assert "Agenda-abonnement stoppen" not in page


def test_making_an_address_shows_it_once_in_a_labelled_read_only_field(seed, login_as, caplog):
    caplog.set_level(logging.DEBUG)
    user = seed.a.municipal
    client = login_as(user)
    response = client.post("/agenda/nieuw-adres", follow_redirects=True)
    assert response.status_code == 200
    assert page_problems(response.data) == []
    tree = lxml.html.document_fromstring(response.data)
    (field,) = tree.xpath("//input[@id='agenda-adres']")
    assert field.get("readonly") is not None
    assert tree.xpath("string(//label[@for='agenda-adres'])") == "Uw agenda-adres"
    url = field.get("value")
    assert url.startswith("http://localhost/agenda/")
    assert url.endswith(".ics")
    secret = url.removeprefix("http://localhost/agenda/").removesuffix(".ics")
    assert len(secret) >= 43
    assert "werkt niet meer" not in text(response)  # nothing was replaced

    db.session.expire_all()
    stored = db.session.get(User, user.id).calendar_token_hash
    assert stored == sha256(secret)
    assert secret not in stored

    (event,) = audit("calendar.feed_created")
    assert (event.actor_id, event.object_type, event.object_id) == (user.id, "User", user.id)
    assert secret not in str(event.detail)
    assert stored not in str(event.detail)
    assert all(secret not in r.getMessage() and stored not in r.getMessage() for r in caplog.records)

    # The address works, and the page now says there is one; the secret is not shown again.
    assert client.get(f"/agenda/{secret}.ics").status_code == 200
    page = text(client.get("/agenda"))
    assert "U heeft een agenda-adres." in page
    assert secret not in page
    assert all(secret not in r.getMessage() for r in caplog.records)


def test_a_new_address_replaces_the_old_one(seed, login_as):
    client = login_as(seed.a.jobcoach)
    old = new_feed(client)
    response = client.post("/agenda/nieuw-adres", follow_redirects=True)
    assert "uw oude agenda-adres werkt niet meer" in text(response)
    new = new_feed(client)
    assert old != new
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    assert len(audit("calendar.feed_created")) == 1
    assert [e.detail for e in audit("calendar.feed_reset")] == [{"replaced": True}, {"replaced": True}]


def test_stopping_removes_the_address(seed, login_as):
    user = seed.a.municipal
    client = login_as(user)
    path = new_feed(client)
    page = text(client.get("/agenda"))
    assert "Agenda-abonnement stoppen" in page

    response = client.post("/agenda/stoppen", follow_redirects=True)
    assert "Uw agenda-abonnement is gestopt." in text(response)
    assert "U heeft nog geen agenda-adres." in text(response)
    db.session.expire_all()
    assert db.session.get(User, user.id).calendar_token_hash is None
    assert client.get(path).status_code == 404
    (event,) = audit("calendar.feed_stopped")
    assert event.object_id == user.id

    again = client.post("/agenda/stoppen", follow_redirects=True)
    assert "U heeft geen agenda-adres. Er is niets gestopt." in text(again)
    assert len(audit("calendar.feed_stopped")) == 1


def test_without_the_csrf_token_nothing_changes(seed, login_as):
    user = seed.a.municipal
    client = login_as(user)
    assert client.post("/agenda/nieuw-adres", csrf=False).status_code == 400
    path = new_feed(client)
    assert client.post("/agenda/stoppen", csrf=False).status_code == 400
    assert client.get(path).status_code == 200
    assert not audit("calendar.feed_stopped")


def test_a_refresh_of_the_new_address_makes_no_new_secret_and_shows_it_no_more(seed, login_as):
    user = seed.a.municipal
    client = login_as(user)
    path = new_feed(client)
    db.session.expire_all()
    stored = db.session.get(User, user.id).calendar_token_hash

    again = client.get("/agenda/nieuw-adres")  # what a refresh (or the back button) asks for
    assert again.status_code == 302
    assert again.headers["Location"] == "/agenda"
    page = text(client.get("/agenda"))
    assert "U ziet een agenda-adres maar één keer" in page
    assert path.removeprefix("/agenda/").removesuffix(".ics") not in page

    db.session.expire_all()
    assert db.session.get(User, user.id).calendar_token_hash == stored
    assert client.get(path).status_code == 200  # the address pasted into Outlook keeps working
    assert len(audit("calendar.feed_created")) == 1
    assert not audit("calendar.feed_reset")


def _session_data(client, app) -> bytes:
    """The payload of the signed session cookie (readable by anyone who holds the cookie)."""
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    payload = base64.urlsafe_b64decode(cookie.lstrip(".").split(".")[0] + "==")
    return zlib.decompress(payload) if cookie.startswith(".") else payload


def test_the_secret_never_travels_in_the_session_cookie(seed, login_as, app):
    client = login_as(seed.a.jobcoach)
    client.post("/agenda/nieuw-adres")
    carried = _session_data(client, app)
    page = client.get("/agenda/nieuw-adres").get_data(as_text=True)
    secret = re.search(r"/agenda/([A-Za-z0-9_-]{43})\.ics", page).group(1)
    assert b"calendar_new_address" in carried
    assert secret.encode() not in carried
    assert b"calendar_new_address" not in _session_data(client, app)


def test_a_sealed_secret_only_opens_while_it_is_the_current_one():
    key, other_key = b"k" * 32, b"x" * 32
    token = "A" * 43
    sealed = services.seal_token(token, key)
    assert token not in sealed
    assert services.unseal_token(sealed, sha256(token), key) == token
    assert services.unseal_token(sealed, sha256(token), other_key) is None
    assert services.unseal_token(sealed, sha256("B" * 43), key) is None  # replaced since
    assert services.unseal_token(sealed, None, key) is None  # stopped since
    for hostile in ("zz", "00" * 200, None, 42, ""):
        assert services.unseal_token(hostile, sha256(token), key) is None


def test_the_new_address_page_without_a_new_secret_goes_to_the_agenda(seed, login_as):
    response = login_as(seed.a.municipal).get("/agenda/nieuw-adres")
    assert response.status_code == 302
    assert response.headers["Location"] == "/agenda"


@pytest.mark.parametrize("role", ["employer", "admin"])
def test_other_roles_have_no_feed(seed, login_as, role):
    client = login_as(seed.a.user(role))
    for method, url in (
        ("GET", "/agenda"),
        ("POST", "/agenda/nieuw-adres"),
        ("GET", "/agenda/nieuw-adres"),
        ("POST", "/agenda/stoppen"),
    ):
        assert client.open(url, method=method).status_code == 403
    db.session.expire_all()
    assert db.session.get(User, seed.a.user(role).id).calendar_token_hash is None
