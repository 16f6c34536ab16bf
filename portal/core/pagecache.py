"""Rendered home pages kept per worker for a few minutes, served again while nothing they show changed.

A home page names what waits on its user; rendering it asks a dozen questions of the database. The answer
stays the same until someone writes to that user's municipality (or, for an employer, to its own data):
``portal.core.changes`` leaves a mark on every such commit, from any worker or the scheduler. A cached page
is served again only when

- it was rendered for the same user, in the same browser session (the page carries that session's
  form token) and for the same address, on the same day, less than ``PAGE_CACHE_SECONDS`` ago;
- no newer mark exists in its scopes (read in one statement on every request, so a consent withdrawn or a
  candidate hidden is gone from the very next page);
- and no message waits to be shown once (a flash).

The permission checks of the view run before the cache is asked. A page served again from the cache is not
audited again: the listing event of its rendering (at most ``PAGE_CACHE_SECONDS`` earlier, with the same
candidates) already records that this user saw them. ``PAGE_CACHE_BYTES = 0`` turns the cache off.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from flask import Flask, current_app, g, request, session

from portal.core import changes
from portal.core.time import today_local
from portal.extensions import db

#: Roles whose home page is cached: the admin's shows the scheduler's age in seconds.
CACHED_ROLES = frozenset({"employer", "municipal", "jobcoach"})
_EXTENSION = "werkbrug_pages"
_VERSION = "werkbrug_page_version"


class PageCache:
    """A bounded least-recently-used map of rendered pages, safe for threaded workers."""

    def __init__(self, max_bytes: int, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_bytes = max_bytes
        self.seconds = seconds
        self.clock = clock
        self._pages: OrderedDict[tuple, tuple[tuple, float, str]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple, version: tuple) -> str | None:
        with self._lock:
            entry = self._pages.get(key)
            if entry is None:
                return None
            stored_version, stored_at, html = entry
            if stored_version != version or self.clock() - stored_at > self.seconds:
                self._drop(key)
                return None
            self._pages.move_to_end(key)
            return html

    def put(self, key: tuple, version: tuple, html: str) -> None:
        size = len(html)
        if size > self.max_bytes:
            return
        with self._lock:
            if key in self._pages:
                self._drop(key)
            self._pages[key] = (version, self.clock(), html)
            self._bytes += size
            while self._bytes > self.max_bytes:
                self._drop(next(iter(self._pages)))

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._pages)

    def _drop(self, key: tuple) -> None:
        _version, _at, html = self._pages.pop(key)
        self._bytes -= len(html)


def init_app(app: Flask) -> None:
    app.extensions[_EXTENSION] = PageCache(app.config["PAGE_CACHE_BYTES"], app.config["PAGE_CACHE_SECONDS"])


def pages() -> PageCache:
    return current_app.extensions[_EXTENSION]


def _key(user) -> tuple | None:
    form_token = session.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    if form_token is None:
        return None
    return (user.id, form_token, request.full_path, today_local())


def _version(user) -> tuple:
    if user.role == "employer":
        return changes.latest(db.session, user.employer.municipality_id, user.employer_id)
    return changes.latest(db.session, user.municipality_id)


def _cacheable(user) -> bool:
    if user.role not in CACHED_ROLES:
        return False
    return user.employer is not None if user.role == "employer" else user.municipality_id is not None


def cached_page(user) -> str | None:
    """The page cached for this request, if it is still what a fresh rendering would show; else None.

    Reads the newest marks first (before the caller renders), so a page stored later by ``keep`` is
    never older than the version it is stored under."""
    cache = pages()
    if not cache.max_bytes or not _cacheable(user) or "_flashes" in session:
        return None
    version = _version(user)
    g.setdefault(_VERSION, version)
    key = _key(user)
    return cache.get(key, version) if key is not None else None


def keep(user, html: str) -> None:
    """Store the page just rendered for ``user`` under the version read by ``cached_page``."""
    version = g.get(_VERSION)
    key = _key(user)
    if version is None or key is None or "_flashes" in session:
        return
    pages().put(key, version, html)
