"""SQL that differs between the two databases the portal runs on (SQLite and PostgreSQL)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from portal.extensions import db

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def conflict_insert(table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT on ``table`` (a model or Table) that supports ``on_conflict_do_nothing/update``.

    Idempotent sweeps and concurrent processes use it so that a row another run inserted first is
    skipped instead of failing the transaction.
    """
    dialect = db.session.get_bind().dialect.name
    if dialect not in _INSERTS:  # pragma: no cover - the portal runs on SQLite and PostgreSQL only
        raise RuntimeError(f"no conflict-safe INSERT for the {dialect} dialect")
    return _INSERTS[dialect](table if isinstance(table, sa.Table) else table.__table__)
