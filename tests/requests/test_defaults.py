"""Default placement types: every municipality starts with the four types, with the field's rules."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.requests.defaults import ensure_default_types
from portal.requests.models import PlacementType
from tests.factories import make_matching, make_municipality


def _types(municipality_id: int) -> dict[str, PlacementType]:
    query = sa.select(PlacementType).where(PlacementType.municipality_id == municipality_id)
    rows = db.session.scalars(query)
    return {row.code: row for row in rows}


def test_defaults_are_added_once_per_municipality():
    a, b = make_municipality(), make_municipality()
    assert len(ensure_default_types(a.id)) == 4
    assert ensure_default_types(a.id) == []
    assert len(ensure_default_types(b.id)) == 4
    assert set(_types(a.id)) == {"stage", "taalstage", "proefplaatsing", "werkervaringsplaats"}


def test_default_rules_follow_the_field_reports():
    municipality = make_municipality()
    ensure_default_types(municipality.id)
    types = _types(municipality.id)
    assert types["proefplaatsing"].max_weeks == 13
    assert (types["taalstage"].min_weeks, types["taalstage"].max_weeks) == (13, 52)
    assert (types["taalstage"].min_days_per_week, types["taalstage"].max_days_per_week) == (2, 3)
    assert all(t.learning_goals_required for t in types.values() if not t.is_paid)


def test_an_unpaid_type_without_learning_goals_is_refused_by_the_database():
    municipality = make_municipality()
    ensure_default_types(municipality.id)
    stage = _types(municipality.id)["stage"]
    stage.learning_goals_required = False
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.flush()


def test_matching_factory_builds_a_consistent_chain(seed):
    matching = make_matching(seed.a)
    assert matching.proposal.request_id == matching.request.id
    assert matching.request.municipality_id == matching.candidate.municipality_id == seed.a.municipality.id
