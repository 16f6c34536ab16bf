"""Statements built once per worker and run with a request's values as bind parameters.

Building a large SELECT (its correlated subqueries, joined loads and ordering) and computing its cache key
costs SQLAlchemy about as much time as PostgreSQL needs to answer it. A page that runs twenty of them on
every view, like the municipal home page, therefore builds each once per shape (a role, a limit) and runs
that same statement object with the request's values: SQLAlchemy then finds its compiled form by the key it
memoised on the object, and PostgreSQL by its prepared statement.

A query builder that reads a user's ``id``, ``municipality_id``, ``employer_id`` and ``role`` is given a
``BoundUser`` instead: the ids become bind parameters, filled in by ``values(user)`` when the statement
runs. Other varying values (a day) are bind parameters too, named by the caller. Only builders that build
a statement, and query nothing while building it, can be prebuilt.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

import sqlalchemy as sa

T = TypeVar("T", bound=Callable[..., Any])


class BoundUser:
    """Stands in for a user of ``role`` while a statement is built: its ids are bind parameters (its
    ``employer_id`` None for a shape of users without an employer, as builders test for that)."""

    __slots__ = ("role", "employer_id")

    id = sa.bindparam("user_id", type_=sa.Integer)
    municipality_id = sa.bindparam("municipality_id", type_=sa.Integer)

    def __init__(self, role: str, *, has_employer: bool = True) -> None:
        self.role = role
        self.employer_id = sa.bindparam("employer_id", type_=sa.Integer) if has_employer else None


def shape(user) -> tuple[str, bool]:
    """What a statement built with ``BoundUser(*shape(user))`` depends on: role, and having an employer."""
    return user.role, user.employer_id is not None


def day(name: str) -> sa.BindParameter:
    """A date bind parameter called ``name``."""
    return sa.bindparam(name, type_=sa.Date)


def values(user, **more: Any) -> dict[str, Any]:
    """The parameters of a statement built with ``BoundUser``: the user's ids, and ``more``."""
    return {
        "user_id": user.id,
        "municipality_id": user.municipality_id,
        "employer_id": user.employer_id,
        **more,
    }


def prebuilt(build: T) -> T:
    """Build the statement once per worker for each combination of ``build``'s arguments (the shape: a
    role, a limit; never a request's values, which are bind parameters)."""
    return cache(build)  # type: ignore[return-value]
