import re
import secrets

import pytest

from config import ConfigError, production_problems
from portal import create_app
from tests.processes import ROOT


def test_testing_config_is_used(app):
    assert app.config["TESTING"] is True
    assert app.config["WTF_CSRF_ENABLED"] is True


def test_create_app_touches_no_database(monkeypatch):
    import sqlalchemy as sa

    def refuse(*args, **kwargs):
        raise AssertionError("create_app connected to the database")

    monkeypatch.setattr(sa.Engine, "connect", refuse)
    create_app("testing")


def test_production_refuses_weak_settings(monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(ConfigError) as excinfo:
        create_app("production", SECRET_KEY="short", DATABASE_URL="sqlite://")
    message = str(excinfo.value)
    assert "SECRET_KEY" in message
    assert "PostgreSQL" in message
    assert "MAIL_SERVER" in message


def good_settings() -> dict:
    return {
        "SECRET_KEY": secrets.token_urlsafe(48),  # generated here: no key in the repository may pass
        "DATABASE_URL": "postgresql+psycopg://app@db/werkbrug",
        "MAIL_SERVER": "smtp.gemeente.example",
        "BASE_URL": "https://werkbrug.gemeente.example",
        "SESSION_COOKIE_SECURE": True,
        "REMEMBER_COOKIE_SECURE": True,
        "WTF_CSRF_ENABLED": True,
        "DEBUG": False,
        "PROXY_FIX_HOPS": 1,
    }


def test_production_accepts_strong_settings(monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    good = good_settings()
    assert production_problems(good) == []
    assert production_problems({**good, "PROXY_FIX_HOPS": 0}) == []  # clients connect directly
    for key, bad in [
        ("DEBUG", True),
        ("SESSION_COOKIE_SECURE", False),
        ("WTF_CSRF_ENABLED", False),
        ("BASE_URL", "http://werkbrug.example"),
        ("PROXY_FIX_HOPS", None),
        ("PROXY_FIX_HOPS", -1),
    ]:
        assert production_problems({**good, key: bad}), key


def test_production_refuses_to_start_without_an_explicit_proxy_fix_hops(monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    settings = {**good_settings(), "PROXY_FIX_HOPS": None}
    with pytest.raises(ConfigError) as excinfo:
        create_app("production", **settings)
    assert "PROXY_FIX_HOPS is not set" in str(excinfo.value)
    app = create_app("production", **{**settings, "PROXY_FIX_HOPS": 1})
    assert type(app.wsgi_app).__name__ == "ProxyFix"
    assert type(create_app("production", **{**settings, "PROXY_FIX_HOPS": 0}).wsgi_app).__name__ != "ProxyFix"


def _secret_problem(secret: str) -> list[str]:
    return [p for p in production_problems({**good_settings(), "SECRET_KEY": secret}) if "SECRET_KEY" in p]


@pytest.mark.parametrize(
    "secret",
    [
        "change-me-to-64-random-characters",  # the .env.example placeholder (33 characters)
        "change-me-to-64-random-characters-" + secrets.token_hex(8),
        "werkbrug-development-only-not-secret",
        "werkbrug-testing-secret-key-0123456789abcdef",
        "EXAMPLE-" + secrets.token_hex(20),
        "ab" * 30,
        "kort",
    ],
)
def test_production_refuses_example_repository_and_weak_secret_keys(secret):
    assert _secret_problem(secret)


#: ``SECRET_KEY = "..."``, ``SECRET_KEY="..."``, ``"SECRET_KEY": "..."`` and ``SECRET_KEY=...`` in env files.
SECRET_IN_SOURCE = re.compile(
    r"""SECRET_KEY["']?\s*[:=]\s*["']([^"'\n]+)["']|^SECRET_KEY=([^\s#]+)""", re.MULTILINE
)
SKIPPED_DIRS = {".git", ".venv", "node_modules", "instance", "__pycache__", "vendor"}


def test_no_secret_key_written_in_the_repository_passes_production():
    found = set()
    for path in ROOT.rglob("*"):
        if path.is_dir() or SKIPPED_DIRS & set(path.relative_to(ROOT).parts):
            continue
        if path.suffix in {".py", ".md", ".txt", ".toml", ".sh", ".example", ".cfg", ".ini", ".yml"} or (
            path.name in {"run", ".env"}
        ):
            found |= {a or b for a, b in SECRET_IN_SOURCE.findall(path.read_text(errors="replace"))}
    assert "change-me-to-64-random-characters" in found  # .env.example
    assert "werkbrug-development-only-not-secret" in found  # config
    assert [secret for secret in sorted(found) if not _secret_problem(secret)] == []


def test_unknown_environment_is_refused():
    with pytest.raises(ConfigError):
        create_app("staging")


def test_property_tests_have_no_per_example_deadline():
    from hypothesis import settings

    assert settings.default.deadline is None


def test_warm_up_compiles_every_template_before_the_first_request(app):
    from portal import warm_up

    compiled = warm_up(app)
    assert compiled > 100
    cached = {key[1] for key in app.jinja_env.cache}  # (loader ref, name)
    assert {"base.html", "main/home_employer.html", "main/home_municipal.html"} <= cached
    assert len(cached) == compiled


def test_gunicorn_warms_each_worker_up_before_it_takes_requests():
    config = (ROOT / "gunicorn.conf.py").read_text()
    namespace: dict = {}
    exec(compile(config, "gunicorn.conf.py", "exec"), namespace)  # noqa: S102 (our own settings file)
    assert callable(namespace["post_worker_init"])
