"""The two-step login in a real browser, on a phone: an administrator unlinks a specialist's app (a lost
phone), the specialist links a new app after the password (QR code and typed key), keeps the herstelcodes
and logs in with the new app's code.

Screenshots go to pytest's tmp_path only (never into the repository).
"""

from __future__ import annotations

import time

import pytest
from selenium.webdriver.common.by import By

from portal.auth import totp
from tests.e2e.conftest import PHONE
from tests.e2e.test_journey import (
    DEMO_PASSWORD,
    assert_fits,
    assert_tap_targets,
    fill,
    flash_text,
    login,
    logout,
    path_of,
    shot,
    submit,
    the_h1,
)

pytestmark = pytest.mark.e2e

SPECIALIST = "stappen@demo.werkbrug.nl"
SPECIALIST_NAME = "Stijn Stappenplan (demo)"


def _password(browser, base_url: str, email: str) -> None:
    browser.get(f"{base_url}/login")
    fill(browser, "email", email)
    fill(browser, "password", DEMO_PASSWORD)
    submit(browser)


def test_a_specialist_links_a_new_app_after_the_admin_unlinked_the_old_one(browser, live_server, tmp_path):
    browser.set_window_size(*PHONE)
    login(browser, live_server, "beheer@demo.werkbrug.nl")
    browser.get(f"{live_server}/beheer/gebruikers")
    button = browser.find_element(By.CSS_SELECTOR, f"button[aria-label='App loskoppelen: {SPECIALIST_NAME}']")
    submit(browser, button)
    assert "is losgekoppeld" in flash_text(browser)
    logout(browser)

    _password(browser, live_server, SPECIALIST)
    assert path_of(browser) == "/inloggen/app-koppelen"
    assert the_h1(browser) == "App koppelen voor de inlogcode"
    assert browser.find_element(By.CSS_SELECTOR, ".werkbrug-qr svg").is_displayed()
    code_input = browser.find_element(By.ID, "code")
    assert code_input.get_attribute("autocomplete") == "one-time-code"
    assert code_input.get_attribute("inputmode") == "numeric"
    assert_fits(browser)
    assert_tap_targets(browser)
    shot(browser, tmp_path, "mfa-enrol-phone")
    secret = browser.find_element(By.ID, "sleutel").text.replace(" ", "")
    assert len(secret) == 32
    step = int(time.time()) // totp.STEP_SECONDS
    fill(browser, "code", totp.code_for(secret, step))
    submit(browser)
    assert the_h1(browser) == "Uw herstelcodes"
    codes = browser.find_elements(By.CSS_SELECTOR, "#herstelcodes code")
    assert len(codes) == 10
    assert_fits(browser)
    shot(browser, tmp_path, "mfa-recovery-codes-phone")
    browser.find_element(By.PARTIAL_LINK_TEXT, "Ik heb de codes bewaard").click()
    assert path_of(browser) == "/"
    logout(browser)

    _password(browser, live_server, SPECIALIST)
    assert path_of(browser) == "/inloggen/code"
    assert_fits(browser)
    assert_tap_targets(browser)
    shot(browser, tmp_path, "mfa-code-phone")
    fill(browser, "code", totp.code_for(secret, step + 1))  # the enrolment used this step's code
    submit(browser)
    assert path_of(browser) == "/"
    logout(browser)
