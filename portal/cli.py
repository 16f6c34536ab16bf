"""Command-line interface: flask seed-demo | scheduler | run-job | create-admin | export-monitoring |
verify-audit | totp | db.

``portal.scheduler`` is imported inside the commands only, so the web app never loads it.
"""

from __future__ import annotations

import json
import sys

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from portal.core.errors import DomainError
from portal.extensions import db


def init_app(app: Flask) -> None:
    from portal.core.migrate import db_cli

    app.cli.add_command(db_cli)
    for command in (
        scheduler_command,
        run_job_command,
        seed_demo_command,
        create_admin_command,
        export_monitoring_command,
        verify_audit_command,
        totp_command,
    ):
        app.cli.add_command(command)


@click.command("scheduler")
@click.option(
    "--wait",
    is_flag=True,
    help="When another scheduler holds the lock, stand by and take over when it is free (a hot standby).",
)
@with_appcontext
def scheduler_command(wait: bool) -> None:
    """Run the one scheduler process.

    Exit status 0 after SIGTERM/SIGINT, 1 when another scheduler holds the lock (without --wait), 3 when
    it lost its lock while running (restart it: it then waits its turn or takes over).
    """
    from portal import scheduler

    try:
        scheduler.run_scheduler(current_app._get_current_object(), wait=wait)
    except scheduler.SchedulerAlreadyRunning:
        click.echo(
            "Another scheduler holds the lock; this one exits. Use --wait to stand by instead.", err=True
        )
        sys.exit(scheduler.EXIT_LOCK_HELD)
    except scheduler.SchedulerLostLock:
        click.echo(
            "The scheduler lost its single-scheduler lock (database connection or lock file gone) and "
            f"stopped with exit status {scheduler.EXIT_LOCK_LOST}. Start it again: it takes over or waits.",
            err=True,
        )
        sys.exit(scheduler.EXIT_LOCK_LOST)


@click.command("run-job")
@click.argument("job_id")
@with_appcontext
def run_job_command(job_id: str) -> None:
    """Run one scheduler job once and print a one-line JSON summary."""
    from portal import scheduler

    try:
        scheduler.get_job(job_id)
    except scheduler.UnknownJob:
        raise click.UsageError(
            f"Unknown job {job_id!r}. Valid job ids: {', '.join(scheduler.job_ids())}"
        ) from None
    try:
        summary = scheduler.run_job(current_app._get_current_object(), job_id)
    except Exception as exc:  # reported as JSON; the traceback is in the log
        from portal.core.outbox import short_error

        click.echo(json.dumps({"job": job_id, "ok": False, "error": short_error(exc)}))
        sys.exit(1)
    click.echo(json.dumps({"job": job_id, "ok": True, **summary}, default=str))


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Create the demo municipalities, employers and accounts (idempotent; never in production)."""
    if not current_app.config.get("DEMO_DATA_ALLOWED"):
        click.echo("Demo data is not allowed in this configuration (production). Nothing changed.", err=True)
        sys.exit(1)
    from portal.demo import DEMO_PASSWORD, seed_demo

    created = seed_demo()
    db.session.commit()
    click.echo("Demo data ready. Created: " + ", ".join(f"{n} {kind}" for kind, n in created.items()))
    from portal.demo import DEMO_TOTP_SECRET

    click.echo(
        f"Demo accounts (password {DEMO_PASSWORD!r}, app secret {DEMO_TOTP_SECRET}; `flask totp EMAIL`):"
    )
    for email in _demo_emails():
        click.echo(f"  {email}")


def _demo_emails() -> list[str]:
    from portal.demo import DEMO_ACCOUNTS

    return [account["email"] for account in DEMO_ACCOUNTS]


@click.command("create-admin")
@click.option("--municipality", "municipality_name", required=True, help="Name; created when missing.")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin (scripted installs).")
@with_appcontext
def create_admin_command(municipality_name: str, email: str, full_name: str, password_stdin: bool) -> None:
    """Create a functional administrator; they get an e-mail to choose a password (or --password-stdin)."""
    from portal.admin import services
    from portal.auth.passwords import hash_password, password_problem

    email = _valid_email(email)
    for value, option in ((full_name, "--name"), (municipality_name, "--municipality")):
        if not value.strip() or len(value.strip()) > 120:
            raise click.BadParameter("must be 1 to 120 characters", param_hint=option)
    password_hash = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        problem = password_problem(password, email=email)
        if problem:
            raise click.ClickException(f"Password refused: {problem}")
        password_hash = hash_password(password)
    municipality, created = services.get_or_create_municipality(None, municipality_name)
    try:
        user = services.create_staff_user(
            None,
            municipality_id=municipality.id,
            full_name=full_name.strip(),
            email=email,
            role="admin",
            password_hash=password_hash,
        )
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(f"{error.message} ({email})") from None
    db.session.commit()
    verb = "Created" if created else "Using"
    click.echo(f"{verb} municipality {municipality.name!r} (id {municipality.id}).")
    how = "password set" if password_hash else "account-setup e-mail queued"
    click.echo(f"Created admin user id {user.id} for {email}; {how}.")


def _valid_email(raw: str) -> str:
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise click.BadParameter(f"not a valid e-mail address: {exc}", param_hint="--email") from None


@click.command("export-monitoring")
@click.option("--municipality", "municipality_name", required=True, help="The municipality's name.")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), required=True)
@click.option("--out", "out_path", type=click.Path(dir_okay=False, writable=True), required=True)
@click.option(
    "--list",
    "kind",
    type=click.Choice(["kandidaten", "plaatsingen", "cijfers"]),
    default="kandidaten",
    show_default=True,
    help="The monitoring list (one row per candidate), the placements, or the dashboard's figures.",
)
@click.option(
    "--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="Registered from (default: 12 months)."
)
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Registered up to and including.")
@click.option(
    "--without-names", is_flag=True, help="Pseudonyms instead of names, no contact data, no free text."
)
@with_appcontext
def export_monitoring_command(municipality_name, fmt, out_path, kind, start, end, without_names) -> None:
    """Write the monitoring export of one municipality to a file (an audit event records it)."""
    import sqlalchemy as sa

    from portal.core.errors import DomainError
    from portal.core.models import Municipality
    from portal.core.time import today_local
    from portal.monitoring import services
    from portal.monitoring.figures import Period, default_period

    municipality = db.session.scalar(sa.select(Municipality).where(Municipality.name == municipality_name))
    if municipality is None:
        raise click.BadParameter(f"no municipality named {municipality_name!r}", param_hint="--municipality")
    default_start, default_end = default_period(today_local())
    period = Period(start.date() if start else default_start, end.date() if end else default_end)
    if period.end < period.start:
        raise click.BadParameter("must be on or after --from", param_hint="--to")
    with open(out_path, "wb") as out:
        try:
            rows = services.export(
                None, municipality.id, kind, fmt, period, without_names=without_names, out=out, via="cli"
            )
        except DomainError as error:
            db.session.rollback()
            raise click.ClickException(error.message) from None
    db.session.commit()
    names = "without names" if without_names else "with names"
    click.echo(f"Wrote {rows} rows ({kind}, {fmt}, {names}) for {municipality.name} to {out_path}.")


@click.command("verify-audit")
@click.option("--batch", default=5000, show_default=True, help="Rows read per query.")
@with_appcontext
def verify_audit_command(batch: int) -> None:
    """Walk the audit trail's hash chain in id order.

    Exit status 0 and "intact, N rows" when every link holds; 1 and the first broken link otherwise.
    Note the printed head hash somewhere else: removing the newest rows can only be seen against it.
    """
    from portal.core import audit_chain

    connection = db.session.connection()
    count, broken = audit_chain.verify(connection, batch=max(1, batch))
    head = audit_chain.chain_tail(connection)
    db.session.rollback()
    if broken is not None:
        click.echo(f"broken at row {broken.row_id}: {broken.problem} (checked {count} rows)", err=True)
        sys.exit(1)
    suffix = f"; newest row {head[0]}, hash {head[1]}" if head else ""
    click.echo(f"intact, {count} rows{suffix}")


@click.command("totp")
@click.argument("email")
@with_appcontext
def totp_command(email: str) -> None:
    """Print the current login code of a demo account (where demo data is allowed; the demo's secret only)."""
    from portal.auth import queries, totp
    from portal.auth.services import normalise_email
    from portal.core.time import now_utc
    from portal.demo import DEMO_TOTP_SECRET

    if not current_app.config.get("DEMO_DATA_ALLOWED"):
        click.echo("Codes are only printed where demo data is allowed (not in production).", err=True)
        sys.exit(1)
    user = db.session.scalar(queries.user_by_email(normalise_email(email)))
    if user is None or not user.has_mfa or user.totp_secret != DEMO_TOTP_SECRET:
        click.echo("Only demo accounts that use the demo's app secret have a printable code.", err=True)
        sys.exit(1)
    click.echo(totp.code_for(DEMO_TOTP_SECRET, totp.step_at(now_utc())))
