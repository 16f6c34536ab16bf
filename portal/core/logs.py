"""Log lines: one format per process (text for people, JSON lines for a collector), a request id in every
line written while a request runs, and one access line per request.

The access line names the route's rule (``/navraag/<token>``), never the path as typed, so secrets and
search words in URLs stay out of the log; no line carries personal data.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar

import sqlalchemy as sa
from flask import Flask, Response, g, has_request_context, request

#: The current request's id ("-" outside a request), read by RequestIdFilter.
request_id: ContextVar[str] = ContextVar("werkbrug_request_id", default="-")

#: A caller's X-Request-ID is kept when it looks like an id (a proxy's or load balancer's), else replaced.
REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
HEADER = "X-Request-ID"

access_logger = logging.getLogger("portal.access")

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"
#: Attributes every LogRecord has; anything else on a record came from ``extra=`` and goes into the JSON.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "request_id"}


class RequestIdFilter(logging.Filter):
    """Puts the current request id on every record (handlers' filter, so third-party lines get it too)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id, extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id.get()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def formatter(kind: str) -> logging.Formatter:
    return JsonFormatter() if kind == "json" else logging.Formatter(TEXT_FORMAT)


def configure(kind: str, level: int = logging.INFO) -> None:
    """Set up the root logger once per process (the app factory, the scheduler and CLI commands)."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, "_werkbrug", False)), None)
    if handler is None:
        handler = logging.StreamHandler()
        handler._werkbrug = True
        handler.addFilter(RequestIdFilter())
        root.addHandler(handler)
    handler.setFormatter(formatter(kind))
    root.setLevel(level)
    # Alembic announces every plugin it loads, and APScheduler every run of every job, at INFO: noise.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


#: Response headers of ``TIMING_HEADERS`` (benchmarks only): the server time and the SQL statement count.
TIMING_HEADER = "Server-Timing"
QUERY_COUNT_HEADER = "X-Query-Count"


def _count_statement(conn, cursor, statement, parameters, context, executemany) -> None:
    if has_request_context() and "query_count" in g:
        g.query_count += 1


def init_app(app: Flask) -> None:
    """Give every request an id (echoed in the X-Request-ID response header) and write its access line.

    With ``TIMING_HEADERS`` on (a benchmark setting, off by default) every response also says how long the
    app took (``Server-Timing: app;dur=12.3``) and how many SQL statements it ran (``X-Query-Count``), and
    the access line carries the count as ``queries``.
    """
    timing = app.config.get("TIMING_HEADERS", False)
    if timing:
        sa.event.listen(app.extensions["werkbrug_db"].engine, "before_cursor_execute", _count_statement)

    @app.before_request
    def start_request() -> None:
        given = request.headers.get(HEADER, "")
        g.request_id = given if REQUEST_ID_RE.match(given) else uuid.uuid4().hex
        g.request_token = request_id.set(g.request_id)
        g.request_started = time.perf_counter()
        if timing:
            g.query_count = 0

    @app.after_request
    def access_line(response: Response) -> Response:
        rid = g.get("request_id")
        if rid is None:
            return response
        response.headers[HEADER] = rid
        rule = request.url_rule.rule if request.url_rule else "(no route)"
        duration_ms = round((time.perf_counter() - g.request_started) * 1000, 1)
        extra = {
            "method": request.method,
            "route": rule,
            "status": response.status_code,
            "duration_ms": duration_ms,
        }
        if timing:
            extra["queries"] = g.query_count
            response.headers[TIMING_HEADER] = f"app;dur={duration_ms}"
            response.headers[QUERY_COUNT_HEADER] = str(g.query_count)
        access_logger.info(
            "%s %s %s %.1f ms", request.method, rule, response.status_code, duration_ms, extra=extra
        )
        return response

    @app.teardown_request
    def end_request(exc: BaseException | None) -> None:
        token = g.pop("request_token", None)
        if token is not None:
            request_id.reset(token)
