"""Issue 4's "done when" in a real browser: the employer fills in this week's log on a phone, the
jobcoach records a visit with an action, and the municipal contact sees both on the placement's timeline
and records a contract decision that moves the placement to nazorg.

It works on the demo bakery placement whose log for this week is still missing (portal/demo/onboarding.py).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from selenium.webdriver.common.by import By

from portal.core.filters import format_date
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_journey import assert_fits, choose, fill, flash_text, login, logout, path_of, shot, submit
from tests.e2e.test_matching_journey import set_value

pytestmark = pytest.mark.e2e

EMPLOYER = "werkgever@demo.werkbrug.nl"
JOBCOACH = "jobcoach@demo.werkbrug.nl"
MUNICIPAL = "gemeente@demo.werkbrug.nl"
ACTION = "Werkrooster voor december samen doornemen"


def pick(driver, name: str, value: str) -> None:
    """Click the label of the radio button or checkbox ``name`` = ``value``."""
    control = driver.find_element(By.CSS_SELECTOR, f"main input[name='{name}'][value='{value}']")
    driver.find_element(By.CSS_SELECTOR, f"label[for='{control.get_attribute('id')}']").click()
    assert control.is_selected(), f"{name}={value} is not selected"


def timeline(driver) -> str:
    return driver.find_element(By.CSS_SELECTOR, "section[aria-labelledby='tijdlijn-titel']").text


def _log_this_week_on_a_phone(driver, base_url: str, shots) -> str:
    """The employer opens this week's missing log from the home page and sends it; returns its placement."""
    driver.set_window_size(*PHONE)
    login(driver, base_url, EMPLOYER)
    link = driver.find_element(
        By.XPATH, "//section[@aria-labelledby='weekverslagen-titel']//a[contains(@href, '/week/')]"
    )
    link.click()
    match = re.fullmatch(r"(/plaatsingen/\d+)/week/(\d{4}-\d{2}-\d{2})", path_of(driver))
    assert match, path_of(driver)
    placement_path, week = match.groups()
    assert date.fromisoformat(week) == date.today() - timedelta(days=date.today().weekday())
    assert_fits(driver)
    pick(
        driver,
        "days_present",
        driver.find_elements(By.CSS_SELECTOR, "input[name='days_present']")[-1].get_attribute("value"),
    )
    fill(driver, "hours_absent", "0")
    for aspect, score in (
        ("punctuality", 4),
        ("task_progress", 3),
        ("dutch_at_work", 2),
        ("teamwork", 3),
        ("motivation", 4),
    ):
        pick(driver, aspect, str(score))
    fill(driver, "dutch_at_work_note", "Vraagt nu zelf wat een woord betekent.")
    shot(driver, shots, "1-weekverslag-telefoon")
    submit(driver)
    assert path_of(driver) == placement_path
    assert "Het weekverslag is opgeslagen" in flash_text(driver)
    assert_fits(driver)
    logout(driver)
    return placement_path


def _record_a_visit_with_an_action(driver, base_url: str, placement_path: str, shots) -> None:
    driver.set_window_size(*PHONE)
    login(driver, base_url, JOBCOACH)
    driver.get(f"{base_url}{placement_path}")
    driver.find_element(By.LINK_TEXT, "Bezoek vastleggen").click()
    assert path_of(driver) == f"{placement_path}/bezoeken/nieuw"
    assert_fits(driver)
    set_value(driver, "visit_date", date.today().isoformat())
    fill(driver, "duration_minutes", "45")
    pick(driver, "mode", "on_site")
    pick(driver, "contact_made", "yes")
    pick(driver, "spoken_with", "candidate")
    pick(driver, "spoken_with", "supervisor")
    fill(driver, "observations", "Werkt zelfstandig aan de deeglijn. Begeleider is tevreden.")
    pick(driver, "risk", "low")
    fill(driver, "action_0_title", ACTION)
    choose(driver, "action_0_owner", "Werkgever")
    set_value(driver, "action_0_due", (date.today() + timedelta(days=7)).isoformat())
    shot(driver, shots, "2-bezoek-telefoon")
    submit(driver)
    assert path_of(driver) == placement_path, flash_text(driver)
    assert ACTION in driver.page_source
    logout(driver)


def _decide_on_a_contract(driver, base_url: str, placement_path: str, shots) -> None:
    driver.set_window_size(*DESKTOP)
    monday = date.today() - timedelta(days=date.today().weekday())
    login(driver, base_url, MUNICIPAL)
    driver.get(f"{base_url}{placement_path}")
    events = timeline(driver)
    assert f"weekverslag week van {format_date(monday)}" in events, events
    assert "bezoek" in events.lower(), events
    assert ACTION in events, events
    shot(driver, shots, "3-tijdlijn-gemeente")
    driver.find_element(By.LINK_TEXT, "Besluit vastleggen").click()
    assert path_of(driver) == f"{placement_path}/besluit"
    pick(driver, "kind", "contract")
    choose(driver, "contract_type", "Tijdelijk contract")
    fill(driver, "contract_hours", "24")
    starts = date.today() + timedelta(days=14)
    set_value(driver, "contract_start", starts.isoformat())
    submit(driver, driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    assert path_of(driver) == placement_path, flash_text(driver)
    # The contract starts later: onboarding goes on until then, the nazorg begins with the contract.
    status = driver.find_element(By.CSS_SELECTOR, "main .utrecht-badge-status").text
    assert status == "Inwerken"
    assert f"De nazorg begint op {format_date(starts)}" in driver.find_element(By.ID, "nazorg").text
    assert "besluit contract" in timeline(driver)
    shot(driver, shots, "4-nazorg")
    logout(driver)


def test_log_visit_and_contract_decision(browser, live_server, tmp_path):
    placement_path = _log_this_week_on_a_phone(browser, live_server, tmp_path)
    _record_a_visit_with_an_action(browser, live_server, placement_path, tmp_path)
    _decide_on_a_contract(browser, live_server, placement_path, tmp_path)
