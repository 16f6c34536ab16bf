"""The placement types every municipality starts with (admins can change them afterwards).

Figures follow the field reports: a proefplaatsing lasts at most 3 months; a taalstage 3 to 12 months at
2 to 3 days a week beside the language course; a stage about 3 months. All four are unpaid with the
benefit kept, so learning goals are always required.
"""

from __future__ import annotations

import sqlalchemy as sa

from portal.extensions import db
from portal.requests.models import PlacementType

DEFAULT_TYPES = (
    {
        "code": "stage",
        "name": "Stage",
        "description": (
            "Een stage van ongeveer drie maanden, gericht op een baan. De kandidaat leert het werk "
            "en houdt een uitkering. U maakt samen leerdoelen."
        ),
        "min_weeks": 4,
        "max_weeks": 26,
        "min_days_per_week": 2,
        "max_days_per_week": 5,
        "max_hours_per_week": 32,
        "is_paid": False,
        "keeps_benefit": True,
        "learning_goals_required": True,
        "default_dutch_level": "A2",
    },
    {
        "code": "taalstage",
        "name": "Taalstage",
        "description": (
            "De kandidaat leert Nederlands op de werkvloer, 2 of 3 dagen per week naast de taalles. "
            "Duur: 3 tot 12 maanden. Leren gaat voor productie."
        ),
        "min_weeks": 13,
        "max_weeks": 52,
        "min_days_per_week": 2,
        "max_days_per_week": 3,
        "max_hours_per_week": 24,
        "is_paid": False,
        "keeps_benefit": True,
        "learning_goals_required": True,
        "default_dutch_level": "A1",
    },
    {
        "code": "proefplaatsing",
        "name": "Proefplaatsing",
        "description": (
            "Een proefperiode van hoogstens 3 maanden met behoud van uitkering. Gaat het goed, "
            "dan volgt een contract."
        ),
        "min_weeks": 1,
        "max_weeks": 13,
        "min_days_per_week": 1,
        "max_days_per_week": 5,
        "max_hours_per_week": 40,
        "is_paid": False,
        "keeps_benefit": True,
        "learning_goals_required": True,
        "default_dutch_level": "A2",
    },
    {
        "code": "werkervaringsplaats",
        "name": "Werkervaringsplaats",
        "description": (
            "De kandidaat doet werkervaring op in uw bedrijf, met behoud van uitkering. U tekent "
            "een afspraak met de gemeente."
        ),
        "min_weeks": 8,
        "max_weeks": 52,
        "min_days_per_week": 2,
        "max_days_per_week": 4,
        "max_hours_per_week": 32,
        "is_paid": False,
        "keeps_benefit": True,
        "learning_goals_required": True,
        "default_dutch_level": "A1",
    },
)


def ensure_default_types(municipality_id: int) -> list[PlacementType]:
    """Add the default types a municipality does not have yet (by code); returns the ones added."""
    existing = set(
        db.session.scalars(
            sa.select(PlacementType.code).where(PlacementType.municipality_id == municipality_id)
        )
    )
    added = [
        PlacementType(municipality_id=municipality_id, **values)
        for values in DEFAULT_TYPES
        if values["code"] not in existing
    ]
    db.session.add_all(added)
    db.session.flush()
    return added
