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


def in_ids(column, ids) -> sa.ColumnElement[bool]:
    """``column IN ids`` for a long list of integer ids: on PostgreSQL ``column = ANY(:ids)`` with one array
    parameter (one short statement, cheap to build and to parse for any number of ids), else ``IN``."""
    ids = [int(i) for i in ids]
    if db.session.get_bind().dialect.name == "postgresql":
        return column == sa.any_(sa.bindparam(None, ids, type_=postgresql.ARRAY(sa.Integer)))
    return column.in_(ids)


#: SQLSTATE of a unique violation (PostgreSQL).
UNIQUE_VIOLATION = "23505"


def is_unique_violation(error: sa.exc.IntegrityError, table: str, column: str) -> bool:
    """Whether ``error`` broke the unique constraint on ``table.column`` (not a CHECK, NOT NULL or other).

    PostgreSQL names the constraint (ours follow the naming convention ``uq_<table>_<column>``); SQLite
    names the column in its message.
    """
    original = error.orig
    diagnostics = getattr(original, "diag", None)
    if diagnostics is not None:
        return (
            getattr(original, "sqlstate", None) == UNIQUE_VIOLATION
            and diagnostics.constraint_name == f"uq_{table}_{column}"
        )
    return str(original) == f"UNIQUE constraint failed: {table}.{column}"
