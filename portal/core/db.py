"""Declarative base, naming convention and the column types every domain shares."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from portal.core.time import as_utc, now_utc

#: The largest primary key. Every id column is INTEGER (``sa.Integer`` in the models and migrations):
#: signed 32-bit on PostgreSQL, so no row has a larger id. A larger id in a URL or a form names nothing,
#: and binding it would make PostgreSQL refuse the query, so callers check ``valid_id`` first. This is
#: the one place that says so; import ``MAX_ID`` and ``valid_id`` from here.
MAX_ID = 2**31 - 1


def valid_id(value: object) -> bool:
    """Whether ``value`` can be the primary key of a row: a whole number from 1 to ``MAX_ID`` (not a bool).

    Loaders answer 404 for anything else before they query, so no id reaches the database that it would
    refuse to bind.
    """
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


#: Predictable constraint names, so Alembic can find and drop them (also in SQLite batch mode).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(sa.types.TypeDecorator):
    """A timezone-aware UTC datetime on every backend (SQLite stores it naive)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use portal.core.time.now_utc()")
        value = as_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        return None if value is None else as_utc(value)


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc, onupdate=now_utc)


def str_enum_check(column: str, values, *, nullable: bool = False) -> sa.CheckConstraint:
    """A named CHECK constraint that keeps a string column within a fixed set of codes (or NULL)."""
    quoted = ", ".join(f"'{v}'" for v in values)
    condition = f"{column} IN ({quoted})"
    if nullable:
        condition = f"{column} IS NULL OR {condition}"
    return sa.CheckConstraint(condition, name=f"{column}_valid")


def delete_in_batches(session, model, where: sa.ColumnElement[bool], *, batch: int, max_batches: int) -> int:
    """Delete the rows of ``model`` that match ``where``, lowest id first, ``batch`` per statement with a
    commit each (short locks; a run stops after ``max_batches``, the next goes on). Returns how many."""
    deleted = 0
    for _ in range(max_batches):
        ids = session.scalars(sa.select(model.id).where(where).order_by(model.id).limit(batch)).all()
        if not ids:
            break
        session.execute(
            sa.delete(model).where(model.id.in_(ids)), execution_options={"synchronize_session": False}
        )
        session.commit()
        deleted += len(ids)
    return deleted
