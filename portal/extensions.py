"""Extensions, created unbound; the app factory calls init_app on each."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from flask_login import LoginManager
from flask_wtf import CSRFProtect
from sqlalchemy.orm import scoped_session, sessionmaker


class Database:
    """One engine per app and a scoped session removed at the end of every app context.

    Services only flush; the caller (a view, a job, a CLI command) commits once.
    """

    def __init__(self) -> None:
        self.engine: sa.Engine | None = None
        self.session = scoped_session(sessionmaker(expire_on_commit=False))

    def init_app(self, app: Flask) -> None:
        self.engine = make_engine(app.config["DATABASE_URL"], echo=app.config.get("DATABASE_ECHO", False))
        self.session.remove()
        self.session.configure(bind=self.engine)
        app.extensions["werkbrug_db"] = self

        @app.teardown_appcontext
        def remove_session(exc: BaseException | None) -> None:
            self.session.remove()


def make_engine(url: str, echo: bool = False) -> sa.Engine:
    """Create an engine; SQLite gets foreign keys on and real transactions (savepoints work)."""
    if url.startswith("sqlite"):
        kwargs = {"connect_args": {"check_same_thread": False}}
        if url in ("sqlite://", "sqlite:///:memory:"):
            kwargs["poolclass"] = sa.pool.StaticPool
        engine = sa.create_engine(url, echo=echo, **kwargs)
        _configure_sqlite(engine)
        return engine
    return sa.create_engine(url, echo=echo, pool_pre_ping=True)


def _configure_sqlite(engine: sa.Engine) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN itself.
    @sa.event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def on_begin(conn):
        conn.exec_driver_sql("BEGIN")


db = Database()
login_manager = LoginManager()
csrf = CSRFProtect()
