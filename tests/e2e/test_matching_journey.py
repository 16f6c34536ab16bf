"""Issue 3's "done when" in a real browser: a taalstage request, ranked candidates, two proposals, a
kennismaking, identity after recorded consent, acceptance and a planned placement.

The employer works on a phone-sized window; the municipal contact on a desktop.
"""

from __future__ import annotations

import itertools
import re
import time
from datetime import date, timedelta

import pytest
from selenium.webdriver.common.by import By

from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_journey import assert_fits, choose, fill, login, logout, path_of, shot, submit, the_h1

pytestmark = pytest.mark.e2e

EMPLOYER = "werkgever@demo.werkbrug.nl"
MUNICIPAL = "gemeente@demo.werkbrug.nl"
#: Every demo candidate is called "... Voorbeeld": the employer must not see it before consent.
DEMO_LAST_NAME = "Voorbeeld"
_unique = itertools.count(int(time.time()) % 100_000)


def set_value(driver, element_id: str, value: str) -> None:
    """Set a date or time input directly (typing into them depends on the browser's locale)."""
    element = driver.find_element(By.ID, element_id)
    driver.execute_script("arguments[0].value = arguments[1];", element, value)


def form_button(driver, action_suffix: str):
    return driver.find_element(By.CSS_SELECTOR, f"main form[action$='{action_suffix}'] button[type=submit]")


def propose_button(driver):
    return driver.find_element(By.XPATH, "//main//button[normalize-space()='Kandidaten voorstellen']")


def click_clear_of_the_bar(driver, selector: str) -> None:
    """Scroll an element to the middle of the screen, clear of the sticky propose bar, and click it."""
    element = driver.find_element(By.CSS_SELECTOR, selector)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    element.click()


def _submit_request(driver, base_url: str, title: str) -> str:
    login(driver, base_url, EMPLOYER)
    driver.get(f"{base_url}/aanvragen/nieuw")
    the_h1(driver)
    taalstage = driver.find_element(By.XPATH, "//label[contains(., 'Taalstage')]")
    driver.find_element(By.ID, taalstage.get_attribute("for")).click()
    choose(driver, "workplace_id")
    fill(driver, "role_title", title)
    fill(driver, "tasks", "Brood inpakken, de winkel aanvullen en klanten groeten.")
    fill(driver, "positions", "1")
    fill(driver, "days_per_week", "2")
    fill(driver, "hours_per_week", "12")
    choose(driver, "dutch_level", "A1")
    set_value(driver, "desired_start", (date.today() + timedelta(days=21)).isoformat())
    fill(driver, "duration_weeks", "26")
    fill(driver, "learning_goals", "Werkinstructies in het Nederlands begrijpen.")
    assert_fits(driver)
    submit(driver, driver.find_element(By.CSS_SELECTOR, "button[name=action][value=submit]"))
    assert re.fullmatch(r"/aanvragen/\d+", path_of(driver)), path_of(driver)
    assert "Ingediend" in driver.page_source
    request_path = path_of(driver)
    logout(driver)
    return request_path


def _propose_two(driver, base_url: str, request_path: str, tmp_path) -> None:
    login(driver, base_url, MUNICIPAL)
    driver.get(f"{base_url}{request_path}")
    submit_link = driver.find_element(By.LINK_TEXT, "Kandidaten zoeken")
    submit_link.click()
    assert path_of(driver) == f"{request_path}/kandidaten"
    shot(driver, tmp_path, "ranked-candidates")
    assert "Nederlands" in driver.page_source  # each criterion explains itself
    boxes = driver.find_elements(By.CSS_SELECTOR, "input[name=candidate_ids]")
    assert len(boxes) >= 2
    for box in boxes[:2]:
        click_clear_of_the_bar(driver, f"label[for='{box.get_attribute('id')}']")
    fill(driver, "note", "Twee gemotiveerde kandidaten die graag Nederlands leren.")
    # The contact asked both candidates: they consent to sharing their profile with this one employer.
    assert "met Bakkerij De Zonnige Korst (demo) te delen" in driver.page_source
    assert not driver.find_element(By.ID, "consent_given").is_selected()  # never ticked beforehand
    click_clear_of_the_bar(driver, "label[for='consent_given']")
    choose(driver, "consent_method", "Mondeling")
    submit(driver, propose_button(driver))
    if driver.find_elements(By.ID, "confirm_warnings"):  # a guardrail asked to confirm
        for box in driver.find_elements(By.CSS_SELECTOR, "input[name=candidate_ids]")[:2]:
            if not box.is_selected():
                click_clear_of_the_bar(driver, f"label[for='{box.get_attribute('id')}']")
        if not driver.find_element(By.ID, "consent_given").is_selected():
            click_clear_of_the_bar(driver, "label[for='consent_given']")
        choose(driver, "consent_method", "Mondeling")
        click_clear_of_the_bar(driver, "label[for='confirm_warnings']")
        submit(driver, propose_button(driver))
    assert path_of(driver) == request_path
    logout(driver)


def _employer_plans_meeting(driver, base_url: str, request_path: str, tmp_path) -> tuple[str, str]:
    login(driver, base_url, EMPLOYER)
    driver.get(f"{base_url}{request_path}")
    links = driver.find_elements(By.CSS_SELECTOR, "main a[href*='/voorstellen/']")
    proposals = sorted({link.get_attribute("href") for link in links})
    assert len(proposals) == 2, proposals
    for href in proposals:
        driver.get(href)
        assert re.search(r"K-\d{4}-\d{4}", driver.page_source)
        assert DEMO_LAST_NAME not in driver.page_source
    driver.get(proposals[0])
    pseudonym = re.search(r"K-\d{4}-\d{4}", driver.page_source).group(0)
    set_value(driver, "meeting_date", (date.today() + timedelta(days=3)).isoformat())
    set_value(driver, "meeting_time", "10:00")
    fill(driver, "meeting_place", "In de bakkerij, achteringang")
    assert_fits(driver)
    shot(driver, tmp_path, "proposal-phone")
    submit(driver, form_button(driver, "/kennismaking"))
    assert "Kennismaking gepland" in driver.page_source
    logout(driver)
    return proposals[0], pseudonym


def _record_identity_consent(driver, base_url: str, pseudonym: str) -> None:
    login(driver, base_url, MUNICIPAL)
    driver.get(f"{base_url}/kandidaten?specialist=alle&q={pseudonym}")
    driver.find_element(By.PARTIAL_LINK_TEXT, pseudonym).click()
    assert re.fullmatch(r"/kandidaten/\d+", path_of(driver))
    choose(driver, "kind", "Naam en telefoonnummer")
    choose(driver, "employer_id", "Bakkerij De Zonnige Korst")
    choose(driver, "method")
    set_value(driver, "given_on", date.today().isoformat())
    submit(driver, form_button(driver, "/toestemming"))
    assert "Bakkerij De Zonnige Korst" in driver.page_source
    # The consent to share the profile, recorded when proposing, is listed for that one employer.
    assert "Profiel zonder naam delen met één werkgever" in driver.page_source
    logout(driver)


def _employer_accepts(driver, base_url: str, proposal_url: str, tmp_path) -> None:
    login(driver, base_url, EMPLOYER)
    driver.get(proposal_url)
    assert DEMO_LAST_NAME in driver.page_source, "identity should show after consent"
    start = date.today() + timedelta(days=21)
    set_value(driver, "start_date", start.isoformat())
    set_value(driver, "end_date", (start + timedelta(weeks=26)).isoformat())
    submit(driver, form_button(driver, "/aannemen"))
    shot(driver, tmp_path, "accepted")
    driver.get(f"{base_url}/plaatsingen")
    the_h1(driver)
    assert "Gepland" in driver.page_source
    assert DEMO_LAST_NAME in driver.page_source


def test_request_to_planned_placement(browser, live_server, tmp_path):
    title = f"Hulp bij het inpakken {next(_unique)}"
    browser.set_window_size(*PHONE)
    request_path = _submit_request(browser, live_server, title)
    browser.set_window_size(*DESKTOP)
    _propose_two(browser, live_server, request_path, tmp_path)
    browser.set_window_size(*PHONE)
    proposal_url, pseudonym = _employer_plans_meeting(browser, live_server, request_path, tmp_path)
    browser.set_window_size(*DESKTOP)
    _record_identity_consent(browser, live_server, pseudonym)
    browser.set_window_size(*PHONE)
    _employer_accepts(browser, live_server, proposal_url, tmp_path)
