"""gunicorn settings for Werkbrug: `WERKBRUG_ENV=production gunicorn app:app` reads this file.

Every value can be changed through the environment named beside it. The application writes its own
access line per request (with the request id; see portal/core/logs.py), so gunicorn's access log is off,
and gunicorn's own lines use the application's log format.
"""

import multiprocessing
import os

bind = os.environ.get("WERKBRUG_BIND", "127.0.0.1:8000")
#: Two per core plus one, at most 8 unless WEB_CONCURRENCY says otherwise.
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8)))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
#: A request that takes longer than this is a bug or an overloaded database: the worker is restarted.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 5
#: Restart a worker now and then so that slow leaks cannot grow; the jitter spreads the restarts. Not too
#: often: a new worker costs about 2.5 s of CPU (importing and compiling the templates) and starts with an
#: empty page cache, so at a few hundred requests a second every 2,000 requests would cost a fifth of the CPU.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 20000))
max_requests_jitter = max_requests // 10
#: Each worker opens its own database pool after the fork.
preload_app = False

accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
_format = os.environ.get("LOG_FORMAT", "json" if os.environ.get("WERKBRUG_ENV") == "production" else "text")
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "app": (
            {"()": "portal.core.logs.JsonFormatter"}
            if _format == "json"
            else {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
        )
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "app", "stream": "ext://sys.stderr"},
        "error_console": {"class": "logging.StreamHandler", "formatter": "app", "stream": "ext://sys.stderr"},
    },
    "root": {"level": "INFO", "handlers": ["console"]},
    "loggers": {
        "gunicorn.error": {"handlers": ["error_console"], "level": loglevel.upper(), "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}


def post_worker_init(worker):
    """Compile the templates before the worker takes its first request (else the first visitor of each page
    after every worker restart waits for the compiler), then freeze what the worker keeps."""
    import gc

    from portal import warm_up

    app = worker.wsgi
    if hasattr(app, "jinja_env"):  # the Flask application (not some other WSGI callable)
        worker.log.info("compiled %d templates", warm_up(app))
    # What the worker holds from now on (code, templates, settings) lives as long as the worker: keep it out
    # of the collector's full passes, which otherwise pause a request now and then for tens of ms.
    gc.freeze()
    worker.log.info("froze %d objects out of full collections", gc.get_freeze_count())
