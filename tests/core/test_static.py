"""Static files: versioned URLs, a year's cache lifetime, gzip for browsers that accept it."""

from __future__ import annotations

import gzip
import logging
import re
from pathlib import Path

from portal import create_app
from portal.core.static import VERSIONED_MAX_AGE, file_version

STATIC = Path(__file__).resolve().parents[2] / "portal" / "static"


def _asset_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_every_page_links_its_assets_with_a_content_hash(app, client):
    html = client.get("/login").text
    urls = _asset_urls(html)
    assert any("utrecht/index.css" in u for u in urls)
    for url in urls:
        path, _, query = url.partition("?")
        filename = path.removeprefix("/static/")
        assert query == f"v={file_version(STATIC, filename)}", url


def test_assets_are_cached_for_a_year_and_sent_compressed(app):
    raw = app.test_client()
    url = next(u for u in _asset_urls(raw.get("/login").text) if "utrecht/index.css" in u)
    plain = raw.get(url)
    body = plain.data
    plain.close()
    assert plain.status_code == 200
    assert plain.headers["Cache-Control"] == f"public, max-age={VERSIONED_MAX_AGE}, immutable"
    assert plain.headers["X-Content-Type-Options"] == "nosniff"
    assert body == (STATIC / "vendor/utrecht/index.css").read_bytes()

    packed = raw.get(url, headers={"Accept-Encoding": "gzip, br"})
    packed_body = packed.data
    packed.close()
    assert packed.headers["Content-Encoding"] == "gzip"
    assert len(packed_body) < len(body) / 5
    assert gzip.decompress(packed_body) == body


def test_pages_themselves_are_never_cached(app, client):
    assert client.get("/login").headers["Cache-Control"] == "no-store"


def test_development_serves_the_files_as_they_are(tmp_path, monkeypatch):
    monkeypatch.setenv("WERKBRUG_INSTANCE_DIR", str(tmp_path))
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))  # the app adds its log handler
    monkeypatch.setattr(root, "level", root.level)
    dev = create_app("development", DATABASE_URL="sqlite://")
    raw = dev.test_client()
    url = next(u for u in _asset_urls(raw.get("/login").text) if "werkbrug.css" in u)
    assert "?v=" in url
    response = raw.get(url, headers={"Accept-Encoding": "gzip"})
    response.get_data()
    response.close()
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert "immutable" not in response.headers.get("Cache-Control", "")


def test_a_changed_file_gets_a_new_version(tmp_path):
    (tmp_path / "a.css").write_text("a{}")
    first = file_version(tmp_path, "a.css", live=True)
    (tmp_path / "a.css").write_text("b{}")
    assert file_version(tmp_path, "a.css", live=True) != first
    assert file_version(tmp_path, "missing.css", live=True) is None
