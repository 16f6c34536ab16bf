"""Shared fixtures: the app, a rolled-back database per test, CSRF-on clients, login, clock, query counter.

The suite runs on in-memory SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set.
Under CI=true PostgreSQL is required: a missing or unreachable TEST_DATABASE_URL fails the run.
"""

from __future__ import annotations

import os
import re
import smtplib
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask import g, request_started
from flask_wtf.csrf import generate_csrf
from hypothesis import settings

from portal import create_app
from portal.core import pagecache
from portal.extensions import db
from portal.models import Base
from tests import factories

CSRF_HEADER = "X-Test-CSRF-Token"

# Property tests judge results, not speed: a per-example deadline only makes them flaky on a busy machine
# (speed targets live in bench/).
settings.register_profile("werkbrug", deadline=None)
settings.load_profile("werkbrug")


def _test_database_url() -> str:
    return os.environ.get("TEST_DATABASE_URL", "")


def is_postgres() -> bool:
    return _test_database_url().startswith(("postgresql", "postgres:"))


def pytest_sessionstart(session):
    url = _test_database_url()
    if os.environ.get("CI", "").lower() == "true" and not url:
        pytest.exit(
            "CI=true but TEST_DATABASE_URL is not set: the suite must run on PostgreSQL", returncode=3
        )
    if url:
        from tests.pg import ensure_database

        try:
            ensure_database(url)
        except Exception as exc:  # noqa: BLE001 - any failure to reach PostgreSQL ends the run
            pytest.exit(f"PostgreSQL at TEST_DATABASE_URL is unreachable: {exc}", returncode=3)


def pytest_collection_modifyitems(config, items):
    if is_postgres():
        return
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set TEST_DATABASE_URL")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip_pg)


@pytest.fixture(scope="session")
def app():
    app = create_app("testing")

    @app.after_request
    def expose_csrf_token(response):
        # Test-only: hand the client its CSRF token the way Flask-WTF's own tests do.
        response.headers[CSRF_HEADER] = generate_csrf()
        return response

    def fresh_g(sender, **extra):
        # Requests made inside a test reuse the test's app context (Flask only pushes a new one when
        # none is active), and with it ``g``. Empty it per request, as in production: otherwise
        # Flask-Login's cached user and Flask-WTF's cached CSRF token leak from one request (or one
        # client) into the next.
        g._get_current_object().__dict__.clear()

    request_started.connect(fresh_g, app, weak=False)

    with app.app_context():
        Base.metadata.drop_all(db.engine)
        Base.metadata.create_all(db.engine)
    yield app
    with app.app_context():
        db.session.remove()
        if is_postgres():
            Base.metadata.drop_all(db.engine)
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _db(app):
    """Each test runs in a transaction that is rolled back; app code may commit (savepoints)."""
    ctx = app.app_context()
    ctx.push()
    connection = db.engine.connect()
    transaction = connection.begin()
    db.session.remove()
    db.state.connection = connection
    pagecache.pages().clear()  # pages of an earlier test's (rolled back) data
    try:
        yield db.session
    finally:
        db.session.remove()
        db.state.connection = None
        ctx.pop()
        if transaction.is_active:
            transaction.rollback()
        connection.close()


@pytest.fixture(autouse=True)
def _no_outside_smtp(monkeypatch):
    """Tests never reach a real mail server: only the local aiosmtpd fixture is allowed."""
    original = smtplib.SMTP.connect

    def guarded(self, host="localhost", port=0, source_address=None):
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise AssertionError(f"test tried to connect to SMTP host {host!r}")
        return original(self, host, port, source_address)

    monkeypatch.setattr(smtplib.SMTP, "connect", guarded)


class Client:
    """A test client with CSRF protection on, that carries its token like a browser form would."""

    def __init__(self, flask_client):
        self.raw = flask_client
        self.token: str | None = None

    def _remember(self, response):
        token = response.headers.get(CSRF_HEADER)
        if token:
            self.token = token
        return response

    def get(self, url, **kwargs):
        return self._remember(self.raw.get(url, **kwargs))

    def post(self, url, data=None, *, csrf=True, **kwargs):
        data = dict(data or {})
        if csrf and "csrf_token" not in data:
            if self.token is None:
                self.get("/login")
            data["csrf_token"] = self.token
        return self._remember(self.raw.post(url, data=data, **kwargs))

    def open(self, url, method="GET", **kwargs):
        if method == "POST":
            return self.post(url, **kwargs)
        return self._remember(self.raw.open(url, method=method, **kwargs))

    def login(self, user_or_email, password=factories.PASSWORD):
        """Log in with the password and, when asked, the code from the user's app (its stored secret).

        A user who must link an app and has none gets factories.TOTP_SECRET linked here, as if they had
        linked it themselves. The user's last used time step is forgotten first, so several logins within
        one 30-second step (a frozen clock) each get in; replay refusal is tested on its own.
        """
        email = getattr(user_or_email, "email", user_or_email)
        response = self.post("/login", {"email": email, "password": password})
        assert response.status_code == 302, f"login failed for {email}: {response.status_code}"
        if response.headers["Location"] != "/inloggen/code":
            return response
        response = self.get("/inloggen/code")
        if response.status_code == 302 and response.headers["Location"] == "/inloggen/app-koppelen":
            _link_test_app(email)
        secret = _forget_last_step(email)
        response = self.post("/inloggen/code", {"code": factories.current_code(secret)})
        assert response.status_code == 302, f"code step failed for {email}: {response.status_code}"
        return response

    def logout(self):
        return self.post("/logout")

    def get_cookie(self, name):
        return self.raw.get_cookie(name)

    def set_cookie(self, name, value):
        self.raw.set_cookie(name, value)


def _forget_last_step(email: str) -> str:
    """Forget the user's last used time step; returns the secret of their app."""
    from portal.auth.models import User

    db.session.execute(sa.update(User).where(User.email == email.lower()).values(totp_last_step=None))
    return db.session.scalar(sa.select(User.totp_secret).where(User.email == email.lower()))


def _link_test_app(email: str) -> None:
    from portal.auth.models import User
    from portal.core.time import now_utc

    db.session.execute(
        sa.update(User)
        .where(User.email == email.lower())
        .values(totp_secret=factories.TOTP_SECRET, totp_enrolled_at=now_utc(), totp_last_step=None)
    )


@pytest.fixture
def client(app):
    return Client(app.test_client())


@pytest.fixture
def make_client(app):
    """Extra independent clients (another browser)."""
    return lambda: Client(app.test_client())


@pytest.fixture
def login_as(make_client):
    """``login_as(user)`` → a fresh client logged in as ``user``."""

    def _login(user):
        c = make_client()
        c.login(user)
        return c

    return _login


@pytest.fixture
def seed(_db):
    """Two tenants with every role: A (Eindhoven) and B (Helmond)."""
    return factories.two_tenants()


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def no_page_cache(monkeypatch):
    """Every home page is rendered (for tests that bound the statements of a rendering)."""
    monkeypatch.setattr(pagecache.pages(), "max_bytes", 0)


@pytest.fixture
def count_queries():
    """``with count_queries() as counter: ...`` counts SQL statements run inside the block."""

    @contextmanager
    def _count():
        counter = QueryCounter()

        def listener(conn, cursor, statement, parameters, context, executemany):
            if not re.match(r"\s*(SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT)", statement, re.IGNORECASE):
                counter.statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            yield counter
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)

    return _count


def form_errors_in(html: str) -> list[str]:
    """The field error messages on a rendered page."""
    return re.findall(r'class="utrecht-form-field-error-message"[^>]*>.*?</span>(.*?)</p>', html, re.S)


class SmtpSink:
    """An aiosmtpd handler that keeps every accepted message; set ``reject`` to an SMTP reply to refuse."""

    def __init__(self):
        self.messages: list = []
        self.envelopes: list = []
        self.reject: str | None = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.reject:
            return self.reject
        from email import message_from_bytes
        from email.policy import default

        self.envelopes.append(envelope)
        self.messages.append(message_from_bytes(envelope.content, policy=default))
        return "250 Message accepted for delivery"


def free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(app, monkeypatch):
    """A real SMTP server on 127.0.0.1 (aiosmtpd); the app sends to it during the test."""
    from aiosmtpd.controller import Controller

    sink = SmtpSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    try:
        yield sink
    finally:
        controller.stop()
