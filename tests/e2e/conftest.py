"""Browser fixtures: a live Werkbrug server with demo data, and Debian's chromium via chromedriver.

The browser tests are skipped when /usr/bin/chromium or /usr/bin/chromedriver is missing, except under
CI=true: there a missing browser fails the run. Selenium never downloads anything: the driver path is
passed explicitly and SE_OFFLINE=true keeps selenium-manager offline.
"""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
PHONE = (390, 844)
DESKTOP = (1280, 900)
CHROME_ARGUMENTS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--lang=nl-NL",
    "--hide-scrollbars",  # overlay scrollbars, as on a phone: no layout shift when one appears
)


@pytest.fixture(scope="session")
def browser_paths():
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    if missing:
        message = f"browser tests need {', '.join(missing)} (apt-get install chromium chromium-driver)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM, CHROMEDRIVER


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _seeded_app(database: Path, base_url: str):
    from portal import create_app
    from portal.demo import seed_demo
    from portal.extensions import db
    from portal.models import Base

    app = create_app("testing", DATABASE_URL=f"sqlite:///{database}", BASE_URL=base_url)
    with app.app_context():
        Base.metadata.create_all(db.engine)
        seed_demo()
        db.session.commit()
        db.session.remove()
    return app


@pytest.fixture(scope="session")
def live_server(browser_paths, tmp_path_factory):
    """Base URL of a Werkbrug server on 127.0.0.1 with a fresh SQLite file full of demo data."""
    from werkzeug.serving import make_server

    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    app = _seeded_app(tmp_path_factory.mktemp("e2e-db") / "werkbrug.sqlite", base_url)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="werkbrug-e2e-server", daemon=True)
    thread.start()
    yield base_url
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        from portal.extensions import db

        db.engine.dispose()


@pytest.fixture
def browser(browser_paths, tmp_path_factory, monkeypatch):
    """A fresh headless chromium (own profile directory) per test."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    monkeypatch.setenv("SE_OFFLINE", "true")
    chromium, chromedriver = browser_paths
    options = webdriver.ChromeOptions()
    options.binary_location = str(chromium)
    for argument in CHROME_ARGUMENTS:
        options.add_argument(argument)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.add_argument(f"--window-size={DESKTOP[0]},{DESKTOP[1]}")
    driver = webdriver.Chrome(service=Service(executable_path=str(chromedriver)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
