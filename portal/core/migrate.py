"""Alembic, driven from the app's configuration.

`flask --app app db upgrade|downgrade|current|revision|check`
"""

from __future__ import annotations

from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import current_app
from flask.cli import AppGroup

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent.parent / "migrations"


def alembic_config(database_url: str | None = None, connection=None) -> Config:
    """An Alembic Config for our migrations folder and the given (or the app's) database."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option(
        "file_template",
        "%%(year)d%%(month).2d%%(day).2d_%%(hour).2d%%(minute).2d_%%(rev)s_%%(slug)s",
    )
    url = database_url or current_app.config["DATABASE_URL"]
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def ensure_sqlite_directory(url: str) -> None:
    """Create the folder of a file-based SQLite database (the embedded default lives in instance/)."""
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


db_cli = AppGroup("db", help="Database migrations (Alembic).")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Upgrade the database to REVISION (default: head)."""
    ensure_sqlite_directory(current_app.config["DATABASE_URL"])
    command.upgrade(alembic_config(), revision)


@db_cli.command("downgrade")
@click.argument("revision")
def downgrade(revision: str) -> None:
    """Downgrade the database to REVISION (e.g. -1 or base)."""
    command.downgrade(alembic_config(), revision)


@db_cli.command("current")
def current() -> None:
    """Show the database's current revision."""
    command.current(alembic_config(), verbose=True)


@db_cli.command("revision")
@click.option("-m", "--message", required=True, help="What the revision does.")
@click.option("--autogenerate/--empty", default=True)
def revision(message: str, autogenerate: bool) -> None:
    """Create a new revision; always read and fix what autogenerate wrote."""
    command.revision(alembic_config(), message=message, autogenerate=autogenerate)


@db_cli.command("check")
def check() -> None:
    """Fail when the models and the migrations disagree."""
    command.check(alembic_config())
