"""Configuration classes, read from the environment.

``WERKBRUG_ENV`` picks the class: ``development`` (default), ``testing`` or ``production``.
Production refuses to start on missing or weak settings (see ``ProductionConfig.validate``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("WERKBRUG_INSTANCE_DIR", ROOT / "instance"))

#: Development-only secret. Production refuses it.
DEV_SECRET_KEY = "werkbrug-development-only-not-secret"  # noqa: S105


class ConfigError(RuntimeError):
    """Raised when the configuration is unsafe or incomplete."""


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "ja"}


def env_int(name: str, default: int | None) -> int | None:
    """The whole number in environment variable ``name``; ``default`` when it is unset or empty."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {value!r}") from exc


def default_sqlite_url() -> str:
    return f"sqlite:///{INSTANCE_DIR / 'werkbrug.sqlite'}"


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs given in the common short forms."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class BaseConfig:
    ENV_NAME = "base"
    DEBUG = False
    TESTING = False

    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    DATABASE_URL = normalise_database_url(os.environ.get("DATABASE_URL", "") or default_sqlite_url())
    #: Echo SQL statements to the log (development aid only).
    DATABASE_ECHO = env_bool("DATABASE_ECHO")

    # Sessions: signed cookie that carries a rotatable per-user token (see auth.models.User.get_id).
    SESSION_COOKIE_NAME = "werkbrug_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
    #: Idle timeout: the session cookie's signature expires after this much inactivity.
    PERMANENT_SESSION_LIFETIME = timedelta(minutes=env_int("SESSION_IDLE_MINUTES", 30))
    SESSION_REFRESH_EACH_REQUEST = True
    #: Absolute timeout: re-authenticate after this long, however active.
    SESSION_ABSOLUTE_HOURS = env_int("SESSION_ABSOLUTE_HOURS", 12)
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = 8 * 3600

    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 512 * 1024
    MAX_FORM_PARTS = 200

    #: Number of trusted reverse proxies in front of the app (for the client IP in rate limits). None when
    #: not set: development and tests then trust no proxy, production refuses to start (0 must be chosen).
    PROXY_FIX_HOPS = env_int("PROXY_FIX_HOPS", None)

    # Mail: the outbox job sends through SMTP when MAIL_SERVER is set, otherwise writes to the log.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = env_int("MAIL_PORT", 25)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = env_bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = env_bool("MAIL_USE_SSL", False)
    MAIL_TIMEOUT = env_int("MAIL_TIMEOUT", 20)
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Werkbrug <noreply@werkbrug.example>")
    #: Days the outbox keeps retrying a message after temporary trouble (server down, 4xx) before it shows as
    #: failed to admins; a permanent refusal (5xx for this message) fails at once.
    MAIL_RETRY_DAYS = env_int("MAIL_RETRY_DAYS", 4)
    #: Days the outbox keeps a sent message before a job deletes it; failed messages stay until handled.
    OUTBOX_KEEP_DAYS = env_int("OUTBOX_KEEP_DAYS", 90)

    #: Bytes of rendered home pages each worker keeps (portal/core/pagecache.py); 0 turns the cache off.
    PAGE_CACHE_BYTES = env_int("PAGE_CACHE_BYTES", 32 * 1024 * 1024)
    #: Seconds a cached home page may be served again while nothing it shows changed.
    PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 300)

    #: Absolute base URL used in e-mailed links (for example https://werkbrug.gemeente.nl).
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")

    # Accounts.
    PASSWORD_MIN_LENGTH = 12
    PASSWORD_RESET_HOURS = env_int("PASSWORD_RESET_HOURS", 1)
    ACCOUNT_SETUP_DAYS = env_int("ACCOUNT_SETUP_DAYS", 7)
    INVITATION_DAYS = env_int("INVITATION_DAYS", 7)
    #: Days an employer's link to answer a retention follow-up (navraag) keeps working.
    FOLLOWUP_ANSWER_DAYS = env_int("FOLLOWUP_ANSWER_DAYS", 21)
    #: Failed logins per account / per client IP within LOGIN_WINDOW_MINUTES before login is refused.
    LOGIN_MAX_FAILURES_ACCOUNT = env_int("LOGIN_MAX_FAILURES_ACCOUNT", 5)
    LOGIN_MAX_FAILURES_IP = env_int("LOGIN_MAX_FAILURES_IP", 200)
    LOGIN_WINDOW_MINUTES = env_int("LOGIN_WINDOW_MINUTES", 15)
    #: Wrong codes (app or herstelcode) per account within LOGIN_WINDOW_MINUTES before codes are refused.
    MFA_MAX_FAILURES = env_int("MFA_MAX_FAILURES", 5)
    #: Minutes after the password was given in which the code must follow (else log in again).
    MFA_PENDING_MINUTES = env_int("MFA_PENDING_MINUTES", 10)
    #: Minutes a login counts as fresh: changing the password or app and downloads of personal data ask
    #: for the password and code again after this.
    FRESH_LOGIN_MINUTES = env_int("FRESH_LOGIN_MINUTES", 15)
    # argon2id parameters (OWASP minimum: m=19 MiB, t=2, p=1).
    ARGON2_TIME_COST = env_int("ARGON2_TIME_COST", 2)
    ARGON2_MEMORY_KIB = env_int("ARGON2_MEMORY_KIB", 19456)
    ARGON2_PARALLELISM = env_int("ARGON2_PARALLELISM", 1)

    # Scheduler.
    SCHEDULER_LOCK_FILE = str(INSTANCE_DIR / "scheduler.lock")
    #: Job ids (comma separated) the scheduler must not run, e.g. to move one to another host.
    SCHEDULER_DISABLED_JOBS = [
        j.strip() for j in os.environ.get("SCHEDULER_DISABLED_JOBS", "").split(",") if j.strip()
    ]
    #: A heartbeat older than this shows as a warning to admins and in /healthz.
    SCHEDULER_STALE_MINUTES = env_int("SCHEDULER_STALE_MINUTES", 10)
    #: Seconds between two checks that the scheduler still holds its lock (a standby tries as often).
    SCHEDULER_LOCK_CHECK_SECONDS = env_int("SCHEDULER_LOCK_CHECK_SECONDS", 30)

    #: Days after a request's desired start before an unfilled request without open proposals expires.
    REQUEST_EXPIRE_DAYS = env_int("REQUEST_EXPIRE_DAYS", 30)
    #: Placements the aftercare reconcile plans check-ins for and evaluates per transaction (bounds memory
    #: and lock time: about a second per chunk at national scale).
    RECONCILE_CHUNK = env_int("RECONCILE_CHUNK", 2000)
    #: Working days before a placement's planned end from which the end-of-placement decision is asked.
    DECISION_LEAD_WORKING_DAYS = env_int("DECISION_LEAD_WORKING_DAYS", 10)

    #: Static files: a compressed copy with a year's cache lifetime (off in development, so edits show).
    STATIC_COMPRESSED = env_bool("STATIC_COMPRESSED", True)
    #: Log lines: "text" for people, "json" (one object per line) for a log collector.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    #: Seconds after which a pooled database connection is replaced (instead of a ping on every checkout).
    DATABASE_POOL_RECYCLE = env_int("DATABASE_POOL_RECYCLE", 1800)

    #: Benchmarks only: Server-Timing and X-Query-Count headers on every response (bench/run.py).
    TIMING_HEADERS = env_bool("TIMING_HEADERS", False)

    PAGE_SIZE = 25
    #: Allow `flask seed-demo` (never in production).
    DEMO_DATA_ALLOWED = True

    @staticmethod
    def validate(config: Mapping) -> None:
        """Hook for configurations that refuse unsafe settings (called with the final app.config)."""


class DevelopmentConfig(BaseConfig):
    ENV_NAME = "development"
    STATIC_COMPRESSED = env_bool("STATIC_COMPRESSED", False)
    SECRET_KEY = os.environ.get("SECRET_KEY") or DEV_SECRET_KEY


class TestingConfig(BaseConfig):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "werkbrug-testing-secret-key-0123456789abcdef"  # noqa: S105
    DATABASE_URL = normalise_database_url(os.environ.get("TEST_DATABASE_URL", "") or "sqlite://")
    MAIL_SERVER = ""
    BASE_URL = "http://localhost"
    SCHEDULER_LOCK_FILE = ""


class ProductionConfig(BaseConfig):
    ENV_NAME = "production"
    SESSION_COOKIE_NAME = "__Host-werkbrug"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_NAME = "__Host-werkbrug-remember"
    REMEMBER_COOKIE_SECURE = True
    DEMO_DATA_ALLOWED = False
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")

    @staticmethod
    def validate(config: Mapping) -> None:
        problems = production_problems(config)
        if problems:
            raise ConfigError("Unsafe production configuration:\n- " + "\n- ".join(problems))


#: Keys written anywhere in this repository (development, tests, the .env.example placeholder) and common
#: defaults: every copy of the code knows them, so production refuses them (tests/test_app_factory.py
#: checks that no key literally in the repository passes).
KNOWN_WEAK_SECRETS = {
    DEV_SECRET_KEY,
    TestingConfig.SECRET_KEY,
    "change-me-to-64-random-characters",
    "change-me",
    "changeme",
    "secret",
    "dev",
    "development",
}
#: Parts of a key that show it was copied from an example rather than generated.
PLACEHOLDER_MARKS = (
    "change-me",
    "changeme",
    "change_me",
    "replace-me",
    "example",
    "placeholder",
    "not-secret",
)
#: A generated key of 32 characters or more has far more different characters than this.
SECRET_MIN_DISTINCT_CHARACTERS = 10


def production_problems(cfg: Mapping) -> list[str]:
    """Every reason this configuration is unsafe to run in production (empty when fine)."""
    problems = []
    secret = cfg.get("SECRET_KEY") or ""
    if not secret:
        problems.append("SECRET_KEY is not set")
    elif weak_secret(secret):
        problems.append(
            "SECRET_KEY is a known or example key, or shorter than 32 characters; generate one with "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    if cfg.get("DEBUG") or env_bool("FLASK_DEBUG"):
        problems.append("debug mode is on")
    if not cfg.get("SESSION_COOKIE_SECURE") or not cfg.get("REMEMBER_COOKIE_SECURE"):
        problems.append("session cookies must be Secure (HTTPS only)")
    if not str(cfg.get("DATABASE_URL", "")).startswith("postgresql"):
        problems.append("DATABASE_URL must point at PostgreSQL")
    if not cfg.get("MAIL_SERVER"):
        problems.append("MAIL_SERVER is not set (e-mail would only go to the log)")
    if not str(cfg.get("BASE_URL", "")).startswith("https://"):
        problems.append("BASE_URL must start with https://")
    if not cfg.get("WTF_CSRF_ENABLED"):
        problems.append("CSRF protection is off")
    hops = cfg.get("PROXY_FIX_HOPS")
    if hops is None or hops < 0:
        problems.append(
            "PROXY_FIX_HOPS is not set: give the number of reverse proxies in front of the app (1 behind "
            "one TLS proxy; 0 only when clients connect directly), or all logins seem to come from the proxy"
        )
    return problems


def weak_secret(secret: str) -> bool:
    """A key every copy of the code knows, copied from an example, too short or too uniform."""
    lowered = secret.lower()
    return (
        secret in KNOWN_WEAK_SECRETS
        or len(secret) < 32
        or any(mark in lowered for mark in PLACEHOLDER_MARKS)
        or len(set(secret)) < SECRET_MIN_DISTINCT_CHARACTERS
    )


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def get_config(name: str | None = None) -> type[BaseConfig]:
    name = (name or os.environ.get("WERKBRUG_ENV") or "development").strip().lower()
    try:
        return CONFIGS[name]
    except KeyError as exc:
        raise ConfigError(f"WERKBRUG_ENV must be one of {sorted(CONFIGS)}, got {name!r}") from exc
