"""``url_for`` in templates, remembered per process.

A page builds many links, and the same ones on every request (the menu, the style sheets, the rows a user
sees again). Building one through Flask and Werkzeug's URL map takes far longer than looking it up, so
templates get a ``url_for`` that remembers what it built, keyed by everything the URL depends on: the
endpoint, its values (and their types) and the request's script root (plus its blueprint for a relative
endpoint). A call with a special argument (``_external``, ``_anchor``, ``_method``, ``_scheme``) or a value
that is not a plain string, number or None is built as before. The URL map and the static files' versions
do not change while a process runs (the memo is off where they may: development serves edited files as they
are); the memo is bounded and starts over when full.
"""

from __future__ import annotations

from flask import Flask, current_app, has_request_context
from flask.globals import request_ctx

#: Links remembered per process before the memo starts over (a page has at most a few hundred).
MAX_URLS = 8192
PLAIN_TYPES = (str, int, float, type(None))


class UrlMemo:
    def __init__(self, app: Flask, max_size: int = MAX_URLS) -> None:
        self.app = app
        self.max_size = max_size
        self.urls: dict[tuple, str] = {}

    def url_for(self, endpoint: str, /, **values) -> str:
        if not has_request_context():
            return self.app.url_for(endpoint, **values)
        key_values = []
        for name, value in values.items():
            if name[0] == "_" or type(value) not in PLAIN_TYPES:
                return self.app.url_for(endpoint, **values)
            key_values.append((name, type(value), value))
        req = request_ctx.request
        blueprint = req.blueprint if endpoint[0] == "." else None
        key = (endpoint, blueprint, req.script_root, *sorted(key_values, key=lambda item: item[0]))
        url = self.urls.get(key)
        if url is None:
            url = self.app.url_for(endpoint, **values)
            if len(self.urls) >= self.max_size:
                self.urls.clear()
            self.urls[key] = url
        return url


def init_app(app: Flask) -> None:
    """Templates build their links through the memo, except where files may change under a running app."""
    if app.debug or not app.config.get("STATIC_COMPRESSED", True):
        return
    memo = UrlMemo(app)
    app.extensions["werkbrug_urls"] = memo
    app.jinja_env.globals["url_for"] = memo.url_for


def memo_of(app: Flask | None = None) -> UrlMemo | None:
    return (app or current_app).extensions.get("werkbrug_urls")
