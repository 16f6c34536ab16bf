"""Command-line interface: flask seed-demo | scheduler | run-job | create-admin | db."""

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.core.migrate import db_cli

    app.cli.add_command(db_cli)
