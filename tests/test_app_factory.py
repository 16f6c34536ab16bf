import pytest

from config import ConfigError, production_problems
from portal import create_app


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


def test_production_accepts_strong_settings(monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    good = {
        "SECRET_KEY": "x" * 16 + "a-long-random-value-0123456789",
        "DATABASE_URL": "postgresql+psycopg://app@db/werkbrug",
        "MAIL_SERVER": "smtp.gemeente.example",
        "BASE_URL": "https://werkbrug.gemeente.example",
        "SESSION_COOKIE_SECURE": True,
        "REMEMBER_COOKIE_SECURE": True,
        "WTF_CSRF_ENABLED": True,
        "DEBUG": False,
    }
    assert production_problems(good) == []
    for key, bad in [
        ("DEBUG", True),
        ("SESSION_COOKIE_SECURE", False),
        ("WTF_CSRF_ENABLED", False),
        ("BASE_URL", "http://werkbrug.example"),
    ]:
        assert production_problems({**good, key: bad}), key


def test_unknown_environment_is_refused():
    with pytest.raises(ConfigError):
        create_app("staging")


def test_property_tests_have_no_per_example_deadline():
    from hypothesis import settings

    assert settings.default.deadline is None
