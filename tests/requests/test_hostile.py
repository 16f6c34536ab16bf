"""Hostile input on the request and withdraw forms: never a 500, a Dutch message by the field, no change."""

from __future__ import annotations

import pytest

from portal.requests.models import PlacementRequest
from tests.conftest import form_errors_in
from tests.factories import make_request, make_workplace
from tests.requests.conftest import (
    ESCAPED_SCRIPT,
    LONG,
    PRIVILEGED,
    RTL_EMOJI,
    SCRIPT,
    SQL,
    T0,
    fresh,
    newest_request,
    request_data,
    requests_of,
    row,
    text,
)

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"role_title": LONG}, "role_title"),
        ({"tasks": LONG}, "tasks"),
        ({"learning_goals": LONG}, "learning_goals"),
        ({"certificates": LONG}, "certificates"),
        ({"supervisor_name": LONG}, "supervisor_name"),
        ({"dutch_level_tasks": LONG}, "dutch_level_tasks"),
        ({"role_title": "regel\neen\nander"}, "role_title"),
        ({"tasks": "nul\x00teken"}, "tasks"),
        ({"positions": "abc"}, "positions"),
        ({"positions": "0"}, "positions"),
        ({"positions": "21"}, "positions"),
        ({"positions": "9" * 500}, "positions"),
        ({"hours_per_week": "1.5"}, "hours_per_week"),
        ({"days_per_week": "-2"}, "days_per_week"),
        ({"duration_weeks": "1e9"}, "duration_weeks"),
        ({"desired_start": "morgen"}, "desired_start"),
        ({"desired_start": "2026-02-30"}, "desired_start"),
        ({"desired_start": "99999-01-01"}, "desired_start"),
        ({"dutch_level": "C1"}, "dutch_level"),
        ({"dutch_level": SQL}, "dutch_level"),
        ({"work_days": ["za"]}, "work_days"),
        ({"work_days": ["ma", SQL]}, "work_days"),
        ({"placement_type_id": "abc"}, "placement_type_id"),
        ({"placement_type_id": "99999999999999999999999"}, "placement_type_id"),
        ({"workplace_id": "abc"}, "workplace_id"),
        ({"workplace_id": "-1"}, "workplace_id"),
        ({"role_title": None}, "role_title"),
        ({"tasks": None}, "tasks"),
        ({"placement_type_id": None}, "placement_type_id"),
        ({"desired_start": None}, "desired_start"),
        ({"positions": None}, "positions"),
    ],
)
def test_bad_request_input_is_refused_with_a_message(login_as, seed, overrides, field):
    response = login_as(seed.a.employer_user).post("/aanvragen/nieuw", request_data(seed.a, **overrides))
    assert response.status_code == 200
    body = text(response)
    assert f'id="{field}-fout"' in body or f'id="{field}-0-fout"' in body, form_errors_in(body)
    assert form_errors_in(body)
    assert requests_of(seed.a.employer) == [seed.a.request]


def test_another_tenants_type_and_workplace_are_refused(login_as, seed):
    c = login_as(seed.a.employer_user)
    foreign_type = request_data(seed.a, placement_type_id=str(seed.b.request.placement_type_id))
    foreign_workplace = request_data(seed.a, workplace_id=str(seed.b.workplace.id))
    neighbour_workplace = request_data(seed.a, workplace_id=str(make_workplace().id))
    archived = make_workplace(seed.a.employer, archived_at=T0)
    archived_workplace = request_data(seed.a, workplace_id=str(archived.id))
    for data in (foreign_type, foreign_workplace, neighbour_workplace, archived_workplace):
        response = c.post("/aanvragen/nieuw", data)
        assert response.status_code == 200
        assert "Kies een" in " ".join(form_errors_in(text(response)))
    assert requests_of(seed.a.employer) == [seed.a.request]


@pytest.mark.parametrize("value", [SCRIPT, RTL_EMOJI, SQL])
def test_text_is_stored_as_typed_and_shown_escaped(login_as, seed, value):
    c = login_as(seed.a.employer_user)
    data = request_data(seed.a, role_title=value[:120], tasks=value, learning_goals=value, action="draft")
    assert c.post("/aanvragen/nieuw", data).status_code == 302
    created = newest_request(seed.a.employer)
    assert created.tasks == value
    for url in (f"/aanvragen/{created.id}", "/aanvragen", f"/aanvragen/{created.id}/bewerken"):
        body = c.get(url).get_data(as_text=True)
        assert SCRIPT not in body
        if value == SCRIPT:
            assert ESCAPED_SCRIPT in body


def test_privileged_fields_are_ignored(login_as, seed):
    data = request_data(seed.a, action="draft", **PRIVILEGED)
    assert login_as(seed.a.employer_user).post("/aanvragen/nieuw", data).status_code == 302
    created = newest_request(seed.a.employer)
    assert (created.status, created.employer_id, created.municipality_id, created.created_by_id) == (
        "draft",
        seed.a.employer.id,
        seed.a.municipality.id,
        seed.a.employer_user.id,
    )
    assert created.submitted_at is None
    assert created.withdrawn_reason is None


def test_duplicated_fields_take_the_first_value(login_as, seed):
    c = login_as(seed.a.employer_user)
    data = request_data(seed.a, action="draft")
    pairs = [(k, v) for k, v in data.items() if k != "work_days"] + [("positions", "30"), ("work_days", "ma")]
    from werkzeug.datastructures import MultiDict

    response = c.post("/aanvragen/nieuw", MultiDict(pairs))
    assert response.status_code == 302
    assert newest_request(seed.a.employer).positions == 2


def test_hostile_edit_of_a_draft_changes_nothing(login_as, seed):
    draft = make_request(seed.a.workplace, status="draft", created_by=seed.a.employer_user)
    before = row(PlacementRequest, draft.id)
    c = login_as(seed.a.employer_user)
    for overrides in ({"tasks": LONG}, {"duration_weeks": "abc"}, {"workplace_id": str(seed.b.workplace.id)}):
        response = c.post(f"/aanvragen/{draft.id}/bewerken", request_data(seed.a, **overrides))
        assert response.status_code == 200
        assert form_errors_in(text(response))
    assert row(PlacementRequest, draft.id) == before


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        (LONG, "Gebruik hoogstens 2000 tekens."),
        ("nul\x00teken", "Deze tekst bevat tekens die niet zijn toegestaan."),
        (None, "Vul de reden in waarom u de aanvraag intrekt."),
    ],
)
def test_hostile_withdraw_reason(login_as, seed, reason, message):
    req = seed.a.request
    before = row(PlacementRequest, req.id)
    data = {"reason": reason} if reason is not None else {}
    response = login_as(seed.a.employer_user).post(
        f"/aanvragen/{req.id}/intrekken", {**data, "status": "filled"}
    )
    assert response.status_code == 200
    assert message in form_errors_in(text(response))
    assert row(PlacementRequest, req.id) == before


def test_withdraw_reason_with_script_is_escaped(login_as, seed):
    c = login_as(seed.a.employer_user)
    c.post(f"/aanvragen/{seed.a.request.id}/intrekken", {"reason": SCRIPT, "status": "filled"})
    assert fresh(PlacementRequest, seed.a.request.id).status == "withdrawn"
    body = c.get(f"/aanvragen/{seed.a.request.id}").get_data(as_text=True)
    assert SCRIPT not in body
    assert ESCAPED_SCRIPT in body


def test_posts_without_csrf_change_nothing(client, seed):
    client.login(seed.a.employer_user)
    before = row(PlacementRequest, seed.a.request.id)
    response = client.post(f"/aanvragen/{seed.a.request.id}/intrekken", {"reason": "x"}, csrf=False)
    assert response.status_code in (400, 403)
    response = client.post("/aanvragen/nieuw", request_data(seed.a), csrf=False)
    assert response.status_code in (400, 403)
    assert row(PlacementRequest, seed.a.request.id) == before
    assert requests_of(seed.a.employer) == [seed.a.request]
