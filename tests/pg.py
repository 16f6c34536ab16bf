"""PostgreSQL helpers for the test suite."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from config import normalise_database_url


def ensure_database(url: str) -> None:
    """Create the database named in ``url`` if it does not exist yet (connects to 'postgres')."""
    target = make_url(normalise_database_url(url))
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}
            )
            if not exists:
                conn.exec_driver_sql(f'CREATE DATABASE "{target.database}"')
    finally:
        admin.dispose()


def scratch_name(url: str, suffix: str) -> str:
    """A scratch database name derived from the test database's own name.

    Two test runs on one server (each with its own TEST_DATABASE_URL) then never share a scratch database.
    """
    return f"{make_url(normalise_database_url(url)).database}_{suffix}"[:63]


def recreate_database(url: str, suffix: str) -> str:
    """Drop and create the scratch database ``<test database>_<suffix>`` next to ``url``; return its URL."""
    target = make_url(normalise_database_url(url))
    name = scratch_name(url, suffix)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        admin.dispose()
    return target.set(database=name).render_as_string(hide_password=False)
