"""The Werkbrug application factory: registrations only, no queries, threads or network."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import get_config


def create_app(config_name: str | None = None, **overrides: Any) -> Flask:
    app = Flask(__name__, instance_relative_config=False)
    config_class = get_config(config_name)
    app.config.from_object(config_class)
    app.config.update(overrides)
    config_class.validate(app.config)

    configure_logging(app)
    init_extensions(app)
    register_blueprints(app)

    from portal.core import errors, filters, http, logs, navigation, pagecache, security, static, urls

    logs.init_app(app)
    static.init_app(app)
    urls.init_app(app)
    errors.init_app(app)
    filters.init_app(app)
    navigation.init_app(app)
    http.init_app(app)
    pagecache.init_app(app)
    security.enforce_declarations(app)

    from portal import journey

    journey.init_app(app)

    from portal import cli

    cli.init_app(app)

    # Outermost: the client's address and scheme as the trusted proxies saw them.
    if app.config["PROXY_FIX_HOPS"]:
        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    return app


def init_extensions(app: Flask) -> None:
    from portal.auth.loader import init_login
    from portal.extensions import csrf, db

    db.init_app(app)
    csrf.init_app(app)
    init_login(app)


def register_blueprints(app: Flask) -> None:
    from portal.admin.views import bp as admin_bp
    from portal.aftercare.views import bp as aftercare_bp
    from portal.alerts.views import bp as alerts_bp
    from portal.auth.views import bp as auth_bp
    from portal.calendar.views import bp as calendar_bp
    from portal.candidates.views import bp as candidates_bp
    from portal.employers.views import bp as employers_bp
    from portal.ending.views import bp as ending_bp
    from portal.followups.views import bp as followups_bp
    from portal.journey.views import bp as journey_bp
    from portal.main.views import bp as main_bp
    from portal.matching.views import bp as matching_bp
    from portal.monitoring.views import bp as monitoring_bp
    from portal.placements.views import bp as placements_bp
    from portal.privacy.views import bp as privacy_bp
    from portal.requests.views import bp as requests_bp
    from portal.tasks.views import bp as tasks_bp
    from portal.visits.views import bp as visits_bp

    for blueprint in (
        main_bp,
        auth_bp,
        employers_bp,
        requests_bp,
        candidates_bp,
        matching_bp,
        placements_bp,
        ending_bp,
        visits_bp,
        tasks_bp,
        aftercare_bp,
        alerts_bp,
        calendar_bp,
        monitoring_bp,
        journey_bp,
        followups_bp,
        admin_bp,
        privacy_bp,
    ):
        app.register_blueprint(blueprint)


def configure_logging(app: Flask) -> None:
    if app.testing:
        return
    from portal.core import logs

    logs.configure(app.config["LOG_FORMAT"])


def warm_up(app: Flask) -> int:
    """Compile every template now, so a new web worker's first requests are as quick as its later ones
    (gunicorn calls this in each worker before it takes requests; see gunicorn.conf.py). Returns how many."""
    names = app.jinja_env.list_templates()
    for name in names:
        app.jinja_env.get_template(name)
    return len(names)
