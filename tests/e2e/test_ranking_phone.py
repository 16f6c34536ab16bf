"""The ranking page on a phone (390 x 844): compact rows, no sideways scrolling, the reasons folded open
on demand and the "Kandidaten voorstellen" button in view at the bottom while the list scrolls."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from tests.e2e.conftest import PHONE
from tests.e2e.test_journey import assert_fits, assert_tap_targets, login, logout, path_of, shot
from tests.e2e.test_matching_journey import MUNICIPAL, click_clear_of_the_bar, propose_button

pytestmark = pytest.mark.e2e

#: A submitted demo taalstage request with many candidates that can be proposed.
DEMO_REQUEST = "Hulp in de bakkerij"


def _open_ranking(driver, base_url: str) -> None:
    driver.get(f"{base_url}/aanvragen")
    driver.find_element(By.PARTIAL_LINK_TEXT, DEMO_REQUEST).click()
    driver.find_element(By.LINK_TEXT, "Kandidaten zoeken").click()
    assert path_of(driver).endswith("/kandidaten"), path_of(driver)


def _bar_is_at_the_bottom(driver) -> bool:
    top, bottom, height = driver.execute_script(
        "const r = arguments[0].getBoundingClientRect(); return [r.top, r.bottom, window.innerHeight];",
        propose_button(driver),
    )
    return top >= 0 and height - 100 <= bottom <= height


def test_ranking_on_a_phone(browser, live_server, tmp_path):
    browser.set_window_size(*PHONE)
    login(browser, live_server, MUNICIPAL)
    _open_ranking(browser, live_server)
    rows = browser.find_elements(By.CSS_SELECTOR, "li.werkbrug-match")
    assert 2 <= len(rows) <= 25
    assert_fits(browser)
    assert_tap_targets(browser)
    shot(browser, tmp_path, "ranking-phone")

    # Halfway down the list the propose button is still in view, at the bottom of the screen.
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", rows[len(rows) // 2])
    assert _bar_is_at_the_bottom(browser)

    # The reasons are folded; one tap opens them and the page still fits the screen.
    details = rows[0].find_element(By.TAG_NAME, "details")
    assert details.get_attribute("open") is None
    assert not rows[0].find_element(By.CSS_SELECTOR, "li.werkbrug-criterion").is_displayed()
    click_clear_of_the_bar(browser, "li.werkbrug-match summary")
    assert details.get_attribute("open") is not None
    assert rows[0].find_element(By.CSS_SELECTOR, "li.werkbrug-criterion").is_displayed()
    assert_fits(browser)
    shot(browser, tmp_path, "ranking-phone-reasons")

    # A row is chosen by tapping its name; every score is shown once per row.
    box = rows[0].find_element(By.CSS_SELECTOR, "input[name=candidate_ids]")
    click_clear_of_the_bar(browser, f"label[for='{box.get_attribute('id')}']")
    assert box.is_selected()
    for row in rows:
        score = row.find_element(By.CSS_SELECTOR, ".werkbrug-match__score").text
        assert row.text.count(score) == 1
    logout(browser)
