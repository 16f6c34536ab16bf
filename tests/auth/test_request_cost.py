"""What every logged-in request pays: one statement loads the user (an employer's organisation with it),
whatever the page."""

from __future__ import annotations

import re

import pytest

from portal.extensions import db
from tests import factories

USERS = re.compile(r"^\s*SELECT users\.id\b.*\bFROM users\b", re.IGNORECASE | re.DOTALL)


@pytest.mark.parametrize("role", ["employer", "municipal", "jobcoach", "admin"])
def test_one_statement_loads_the_user_of_a_request(login_as, count_queries, role):
    user = factories.make_user(role=role, mfa=True)
    client = login_as(user)
    db.session.expunge_all()  # as in production: each request starts with an empty session
    with count_queries() as counter:
        response = client.get("/account")
    assert response.status_code == 200
    loads = [s for s in counter.statements if USERS.match(s)]
    assert len(loads) == 1
    if role == "employer":
        assert "employers" in loads[0]
    # The page itself: the user (with the municipality) and the count of unused herstelcodes.
    assert counter.count <= 2


def test_an_employer_waiting_for_approval_is_sent_to_the_waiting_page_without_more_queries(
    login_as, count_queries
):
    employer = factories.make_employer(status="pending")
    user = factories.make_user(role="employer", employer=employer, mfa=True)
    client = login_as(user)
    db.session.expunge_all()
    with count_queries() as counter:
        response = client.get("/aanvragen")
    assert response.status_code == 302
    assert response.headers["Location"] == "/wachten"
    assert counter.count == 1


def test_an_employer_without_an_app_costs_one_statement_too(login_as, count_queries):
    """Whether the login needs a code asks the municipality: it comes with the user, not per request."""
    user = factories.make_user(role="employer", mfa=False)
    client = login_as(user)
    db.session.expunge_all()
    with count_queries() as counter:
        response = client.get("/aanvragen")
    assert response.status_code == 200
    assert sum(1 for s in counter.statements if USERS.match(s)) == 1
    assert not any(s.lstrip().startswith("SELECT municipalities") for s in counter.statements)
