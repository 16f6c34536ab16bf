"""Placement types: admins list and edit them; the rules stay consistent; a new municipality gets defaults."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.requests.models import PlacementType
from tests.conftest import form_errors_in
from tests.factories import make_municipality, make_user
from tests.requests.conftest import (
    ESCAPED_SCRIPT,
    LONG,
    PRIVILEGED,
    RTL_EMOJI,
    SCRIPT,
    SQL,
    audit,
    fresh,
    kind_of,
    row,
    text,
    type_data,
)


def types_of(municipality_id: int) -> list[PlacementType]:
    query = sa.select(PlacementType).where(PlacementType.municipality_id == municipality_id)
    return list(db.session.scalars(query))


def test_admin_sees_the_types_with_their_rules(login_as, seed):
    body = text(login_as(seed.a.admin).get("/beheer/plaatsingsvormen"))
    for name in ("Stage", "Taalstage", "Proefplaatsing", "Werkervaringsplaats"):
        assert name in body
    assert "13 tot 52 weken" in body
    assert f"/beheer/plaatsingsvormen/{kind_of(seed.a).id}" in body
    assert "Standaardvormen toevoegen" not in body


@pytest.mark.parametrize("role", ["employer", "jobcoach", "municipal"])
def test_only_admins_manage_types(login_as, seed, role):
    c = login_as(seed.a.user(role))
    assert c.get("/beheer/plaatsingsvormen").status_code == 403
    assert c.get(f"/beheer/plaatsingsvormen/{kind_of(seed.a).id}").status_code == 403


def test_a_municipality_without_types_gets_a_button_and_get_writes_nothing(login_as):
    municipality = make_municipality()
    admin = make_user("admin", municipality)
    c = login_as(admin)
    body = text(c.get("/beheer/plaatsingsvormen"))
    assert "Standaardvormen toevoegen" in body
    assert types_of(municipality.id) == []
    response = c.post("/beheer/plaatsingsvormen")
    assert response.status_code == 302
    assert {t.code for t in types_of(municipality.id)} == {
        "stage",
        "taalstage",
        "proefplaatsing",
        "werkervaringsplaats",
    }
    assert len(audit("placement_type.created")) == 4
    c.post("/beheer/plaatsingsvormen")
    assert len(types_of(municipality.id)) == 4


def test_admin_edits_a_type(login_as, seed):
    kind = kind_of(seed.a)
    data = type_data(
        kind, description="Nieuwe uitleg.", max_weeks="40", max_hours_per_week="20", is_active=None
    )
    response = login_as(seed.a.admin).post(f"/beheer/plaatsingsvormen/{kind.id}", data)
    assert response.status_code == 302
    kind = fresh(PlacementType, kind.id)
    assert (kind.description, kind.max_weeks, kind.max_hours_per_week, kind.is_active) == (
        "Nieuwe uitleg.",
        40,
        20,
        False,
    )
    event = audit("placement_type.updated")[-1]
    assert event.object_id == kind.id
    assert set(event.detail["fields"]) == {"description", "max_weeks", "max_hours_per_week", "is_active"}


def test_edit_form_is_prefilled(login_as, seed):
    kind = kind_of(seed.a)
    body = login_as(seed.a.admin).get(f"/beheer/plaatsingsvormen/{kind.id}").get_data(as_text=True)
    assert 'value="52"' in body
    assert 'value="13"' in body


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"is_paid": None, "learning_goals_required": None}, "leerdoelen altijd verplicht"),
        ({"min_weeks": "20", "max_weeks": "19"}, "maximale duur moet even lang of langer"),
        ({"min_days_per_week": "4", "max_days_per_week": "3"}, "maximum aantal dagen moet gelijk of hoger"),
        ({"max_days_per_week": "3", "max_hours_per_week": "25"}, "Meer dan 8 uur per dag kan niet"),
        ({"min_weeks": "0"}, "Vul een getal van 1 tot en met 104 in."),
        ({"max_weeks": "105"}, "Vul een getal van 1 tot en met 104 in."),
        ({"max_days_per_week": "6"}, "Vul een getal van 1 tot en met 5 in."),
        ({"max_hours_per_week": "41"}, "Vul een getal van 1 tot en met 40 in."),
        ({"default_dutch_level": "C9"}, "Kies een van de mogelijkheden uit de lijst."),
    ],
)
def test_inconsistent_rules_are_refused(login_as, seed, overrides, field_message):
    kind = kind_of(seed.a)
    before = row(PlacementType, kind.id)
    response = login_as(seed.a.admin).post(
        f"/beheer/plaatsingsvormen/{kind.id}", type_data(kind, **overrides)
    )
    assert response.status_code == 200
    assert any(field_message in message for message in form_errors_in(text(response)))
    assert row(PlacementType, kind.id) == before


def test_a_paid_type_may_go_without_learning_goals(login_as, seed):
    kind = kind_of(seed.a, "proefplaatsing")
    data = type_data(kind, is_paid="y", learning_goals_required=None)
    assert login_as(seed.a.admin).post(f"/beheer/plaatsingsvormen/{kind.id}", data).status_code == 302
    kind = fresh(PlacementType, kind.id)
    assert kind.is_paid
    assert not kind.learning_goals_required


@pytest.mark.parametrize(
    "overrides",
    [
        {"description": LONG},
        {"description": "regel\x00met nul"},
        {"min_weeks": "abc"},
        {"max_weeks": "1e3"},
        {"max_hours_per_week": "9" * 400},
        {"description": ""},
        {"min_weeks": ""},
    ],
)
def test_hostile_type_input_changes_nothing(login_as, seed, overrides):
    kind = kind_of(seed.a)
    before = row(PlacementType, kind.id)
    response = login_as(seed.a.admin).post(
        f"/beheer/plaatsingsvormen/{kind.id}", type_data(kind, **overrides)
    )
    assert response.status_code == 200
    assert form_errors_in(text(response))
    assert row(PlacementType, kind.id) == before


@pytest.mark.parametrize("description", [SCRIPT, RTL_EMOJI, SQL])
def test_text_is_stored_as_typed_and_shown_escaped(login_as, seed, description):
    kind = kind_of(seed.a)
    c = login_as(seed.a.admin)
    assert (
        c.post(f"/beheer/plaatsingsvormen/{kind.id}", type_data(kind, description=description)).status_code
        == 302
    )
    assert fresh(PlacementType, kind.id).description == description
    body = c.get(f"/beheer/plaatsingsvormen/{kind.id}").get_data(as_text=True)
    assert SCRIPT not in body
    if description == SCRIPT:
        assert ESCAPED_SCRIPT in body


def test_privileged_fields_are_ignored(login_as, seed):
    kind = kind_of(seed.a)
    data = type_data(kind, **PRIVILEGED)
    assert login_as(seed.a.admin).post(f"/beheer/plaatsingsvormen/{kind.id}", data).status_code == 302
    kind = fresh(PlacementType, kind.id)
    assert (kind.code, kind.name, kind.municipality_id) == ("taalstage", "Taalstage", seed.a.municipality.id)


def test_another_municipalitys_type_is_404_and_unchanged(login_as, seed):
    kind = kind_of(seed.b)
    before = row(PlacementType, kind.id)
    c = login_as(seed.a.admin)
    assert c.get(f"/beheer/plaatsingsvormen/{kind.id}").status_code == 404
    assert c.post(f"/beheer/plaatsingsvormen/{kind.id}", type_data(kind, max_weeks="20")).status_code == 404
    assert c.get("/beheer/plaatsingsvormen/99999999999999999999999").status_code == 404
    assert row(PlacementType, kind.id) == before
