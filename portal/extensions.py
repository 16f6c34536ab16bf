"""Extensions, created unbound; the app factory calls init_app on each."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, current_app
from flask_login import LoginManager
from flask_wtf import CSRFProtect
from sqlalchemy.orm import Session, scoped_session, sessionmaker


class AppSession(Session):
    """A session bound to the current app's engine (or, in tests, to the app's test connection)."""

    def get_bind(self, mapper=None, **kwargs):
        state = current_app.extensions["werkbrug_db"]
        return state.connection if state.connection is not None else state.engine


class DatabaseState:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        #: Tests bind every session to one connection whose transaction they roll back.
        self.connection: sa.Connection | None = None


class Database:
    """One engine per app and a scoped session removed at the end of every app context.

    Services only flush; the caller (a view, a job, a CLI command) commits once.
    """

    def __init__(self) -> None:
        self.session = scoped_session(
            sessionmaker(class_=AppSession, expire_on_commit=False, join_transaction_mode="create_savepoint")
        )

    def init_app(self, app: Flask) -> None:
        from portal.core import changes

        changes.listen(AppSession)
        engine = make_engine(
            app.config["DATABASE_URL"],
            echo=app.config.get("DATABASE_ECHO", False),
            pool_recycle=app.config.get("DATABASE_POOL_RECYCLE", 1800),
        )
        app.extensions["werkbrug_db"] = DatabaseState(engine)

        @app.teardown_appcontext
        def remove_session(exc: BaseException | None) -> None:
            self.session.remove()

    @property
    def state(self) -> DatabaseState:
        return current_app.extensions["werkbrug_db"]

    @property
    def engine(self) -> sa.Engine:
        """The current app's engine."""
        return self.state.engine


def make_engine(url: str, echo: bool = False, pool_recycle: int = 1800) -> sa.Engine:
    """Create an engine; SQLite gets foreign keys on and real transactions (savepoints work).

    PostgreSQL connections are not pinged on every checkout (a round trip per request): they are replaced
    after ``pool_recycle`` seconds, and a connection found dead invalidates the whole pool, so after a
    database restart one request fails and the next ones get fresh connections.
    """
    if url.startswith("sqlite"):
        in_memory = url in ("sqlite://", "sqlite:///:memory:")
        kwargs = {"connect_args": {"check_same_thread": False}}
        if in_memory:
            kwargs["poolclass"] = sa.pool.StaticPool
        engine = sa.create_engine(url, echo=echo, **kwargs)
        _configure_sqlite(engine, shared_file=not in_memory)
        return engine
    return sa.create_engine(url, echo=echo, pool_recycle=pool_recycle)


def _configure_sqlite(engine: sa.Engine, *, shared_file: bool) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN itself.
    # A file shared by the web and scheduler processes takes the write lock at BEGIN (IMMEDIATE):
    # a deferred transaction that reads first cannot wait for the lock later ("database is locked").
    begin = "BEGIN IMMEDIATE" if shared_file else "BEGIN"

    @sa.event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        if shared_file:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def on_begin(conn):
        conn.exec_driver_sql(begin)


db = Database()
login_manager = LoginManager()
csrf = CSRFProtect()
