"""Issue 5's "done when" in a real browser: after seed-demo, gemeente@demo.werkbrug.nl sees open alerts
with their reasons and overdue check-ins on the home page, acknowledges and resolves one alert, and records
an overdue check-in.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from selenium.webdriver.common.by import By

from portal.core.filters import format_date
from tests.e2e.conftest import DESKTOP
from tests.e2e.test_journey import assert_fits, fill, flash_text, login, logout, path_of, shot, submit
from tests.e2e.test_matching_journey import set_value
from tests.e2e.test_onboarding_journey import pick

pytestmark = pytest.mark.e2e

MUNICIPAL = "gemeente@demo.werkbrug.nl"


def section(driver, title_id: str):
    return driver.find_element(By.CSS_SELECTOR, f"section[aria-labelledby='{title_id}']")


def _home_shows_alerts_and_overdue_checkins(driver, shots) -> str:
    """The home page lists open alerts with reasons and overdue check-ins; returns one overdue link."""
    alerts = section(driver, "signalen-titel")
    items = alerts.find_elements(By.CSS_SELECTOR, "li")
    assert len(items) >= 3, alerts.text
    assert all(": " in item.text for item in items), alerts.text  # "<rule> bij <candidate>: <reason>"
    overdue = section(driver, "nazorg-te-laat-titel")
    links = overdue.find_elements(By.PARTIAL_LINK_TEXT, "Gesprek vastleggen")
    assert links, overdue.text
    assert "Te laat" in overdue.text
    shot(driver, shots, "1-overzicht-gemeente")
    return links[0].get_attribute("href")


def _acknowledge_and_resolve_one(driver, base_url: str, shots) -> None:
    driver.get(f"{base_url}/signalen")
    row = driver.find_element(By.CSS_SELECTOR, "main tbody tr")
    rule = row.find_element(By.TAG_NAME, "strong").text
    submit(driver, row.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
    assert "opgepakt" in flash_text(driver).lower(), flash_text(driver)
    driver.get(f"{base_url}/signalen?status=acknowledged")
    row = driver.find_element(By.XPATH, f"//main//tbody/tr[.//strong[normalize-space()='{rule}']]")
    assert "Opgepakt" in row.text
    row.find_element(By.PARTIAL_LINK_TEXT, "Afhandelen").click()
    assert re.fullmatch(r"/signalen/\d+/afhandelen", path_of(driver)), path_of(driver)
    fill(
        driver, "note", "Gebeld met de werkgever: we plannen volgende week een gesprek met de jobcoach erbij."
    )
    submit(driver)
    assert "afgehandeld" in flash_text(driver).lower(), flash_text(driver)
    driver.get(f"{base_url}/signalen?status=resolved")
    assert "Gebeld met de werkgever" in driver.find_element(By.TAG_NAME, "main").text
    shot(driver, shots, "2-signaal-afgehandeld")


def _record_the_overdue_checkin(driver, checkin_url: str, shots) -> None:
    driver.get(checkin_url)
    match = re.fullmatch(r"(/plaatsingen/\d+)/nazorg/\d+", path_of(driver))
    assert match, path_of(driver)
    set_value(driver, "held_on", date.today().isoformat())
    pick(driver, "held_with", "both")
    pick(driver, "contact_made", "yes")
    for aspect, score in (
        ("punctuality", 3),
        ("task_progress", 3),
        ("dutch_at_work", 2),
        ("teamwork", 3),
        ("motivation", 4),
    ):
        pick(driver, aspect, str(score))
    fill(driver, "problems", "Het rooster wisselt vaak; dat maakt het lastig met de taalles.")
    fill(driver, "agreements", "Werkgever maakt het rooster twee weken vooruit.")
    pick(driver, "risk", "medium")
    assert_fits(driver)
    shot(driver, shots, "3-nazorggesprek")
    submit(driver)
    assert path_of(driver) == match.group(1), flash_text(driver)
    held = section(driver, "nazorg-titel").find_elements(By.CSS_SELECTOR, "h3")
    assert any(h.text.endswith(f"op {format_date(date.today())}") for h in held), [h.text for h in held]


def test_alerts_and_a_checkin_after_seed_demo(browser, live_server, tmp_path):
    browser.set_window_size(*DESKTOP)
    login(browser, live_server, MUNICIPAL)
    checkin_url = _home_shows_alerts_and_overdue_checkins(browser, tmp_path)
    _acknowledge_and_resolve_one(browser, live_server, tmp_path)
    _record_the_overdue_checkin(browser, checkin_url, tmp_path)
    logout(browser)
