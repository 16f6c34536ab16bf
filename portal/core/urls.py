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

from flask import Flask, current_app
from flask.globals import _cv_request

#: Links remembered per process before the memo starts over (a page has at most a few hundred).
MAX_URLS = 8192
PLAIN_TYPES = frozenset((str, int, float, type(None)))


class UrlMemo:
    def __init__(self, app: Flask, max_size: int = MAX_URLS) -> None:
        self.app = app
        self.max_size = max_size
        self.urls: dict[tuple, str] = {}

    def url_for(self, endpoint: str, /, **values) -> str:
        ctx = _cv_request.get(None)
        if ctx is None:
            return self.app.url_for(endpoint, **values)
        req = ctx.request
        key = [endpoint, req.root_path, req.blueprint if endpoint[:1] == "." else None]
        for name in sorted(values) if len(values) > 1 else values:
            value = values[name]
            if name[:1] == "_" or type(value) not in PLAIN_TYPES:
                return self.app.url_for(endpoint, **values)
            key += (name, type(value), value)
        frozen = tuple(key)
        url = self.urls.get(frozen)
        if url is None:
            url = self.app.url_for(endpoint, **values)
            if len(self.urls) >= self.max_size:
                self.urls.clear()
            self.urls[frozen] = url
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
