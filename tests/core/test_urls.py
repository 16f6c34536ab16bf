"""Templates' url_for remembers the links it built: the same URLs as Flask's, bounded, off in development."""

from __future__ import annotations

import logging

from flask import url_for

from portal import create_app
from portal.core.urls import UrlMemo, memo_of

CALLS = [
    ("main.home", {}),
    ("auth.account", {}),
    ("static", {"filename": "css/werkbrug.css"}),
    ("static", {"filename": "vendor/utrecht/index.css"}),
    ("placements.detail", {"placement_id": 7}),
    ("placements.detail", {"placement_id": 8}),
    ("placements.log_week", {"placement_id": 7, "week_start": "2026-11-30"}),
    ("auth.login", {"next": "/plaatsingen/7?x=1&y=ä"}),
    ("placements.index", {"page": 2}),
    ("placements.index", {"page": "2"}),
    ("placements.index", {"page": None}),
]


def test_the_memo_builds_the_urls_flask_builds(app):
    memo = UrlMemo(app)
    for script_root in ("", "/werkbrug"):
        with app.test_request_context("/", base_url=f"http://localhost{script_root}"):
            for _ in range(2):  # built, then remembered
                for endpoint, values in CALLS:
                    built = memo.url_for(endpoint, **values)
                    assert built == url_for(endpoint, **values)
                    assert built.startswith(f"{script_root}/")
    assert len(memo.urls) == 2 * len(CALLS)


def test_a_relative_endpoint_is_remembered_per_blueprint(app):
    memo = UrlMemo(app)
    with app.test_request_context("/plaatsingen"):
        assert memo.url_for(".index") == url_for("placements.index")
    with app.test_request_context("/aanvragen"):
        assert memo.url_for(".index") == url_for("requests.index")


def test_special_arguments_and_other_values_are_built_each_time(app):
    memo = UrlMemo(app)
    with app.test_request_context("/"):
        assert memo.url_for("main.home", _external=True) == "http://localhost/"
        assert memo.url_for("main.home", _anchor="inhoud") == "/#inhoud"
        assert memo.url_for("placements.index", page=[1, 2]) == url_for("placements.index", page=[1, 2])
        assert memo.url_for("placements.index", page=True) == url_for("placements.index", page=True)
    assert memo.urls == {}


def test_the_memo_starts_over_when_full(app):
    memo = UrlMemo(app, max_size=3)
    with app.test_request_context("/"):
        for placement_id in range(1, 8):
            assert memo.url_for("placements.detail", placement_id=placement_id) == url_for(
                "placements.detail", placement_id=placement_id
            )
            assert len(memo.urls) <= 3


def test_pages_use_the_memo(app, client):
    memo = memo_of(app)
    assert memo is not None
    memo.urls.clear()
    html = client.get("/login").text
    assert memo.urls
    for url in memo.urls.values():
        assert f'"{url}"' in html or url.split("?")[0] in html


def test_development_builds_every_link_anew(tmp_path, monkeypatch):
    """Edited static files get their new version at once: no memo where files may change."""
    monkeypatch.setenv("WERKBRUG_INSTANCE_DIR", str(tmp_path))
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))
    monkeypatch.setattr(root, "level", root.level)
    dev = create_app("development", DATABASE_URL="sqlite://", STATIC_COMPRESSED=False)
    assert memo_of(dev) is None
    with dev.app_context():
        assert dev.jinja_env.globals["url_for"] == dev.url_for
