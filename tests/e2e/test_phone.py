"""On a phone (390 x 844) every action is on screen: no page scrolls sideways, no button, link or field
sits outside the viewport (also not inside a table that scrolls on its own), the header stays small and
the menu folds behind a button.

Each demo role opens its home page, every page of its menu, and the placements linked from its lists of
signals, tasks and placements (a placement page holds the tables of alerts, visits and agreed actions).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_journey import login, logout, open_menu, path_of, shot

pytestmark = pytest.mark.e2e

ROLES = (
    "werkgever@demo.werkbrug.nl",
    "gemeente@demo.werkbrug.nl",
    "jobcoach@demo.werkbrug.nl",
    "beheer@demo.werkbrug.nl",
)
#: List pages whose first placement link is opened too.
LISTS_WITH_PLACEMENTS = ("/signalen", "/taken", "/plaatsingen", "/")
PLACEMENT_PATH = re.compile(r"^/plaatsingen/\d+$")
#: The header of a phone with the menu folded: logo and button on one row.
MAX_HEADER_HEIGHT = 80

OUT_OF_VIEW = """
const width = window.innerWidth;
const found = [];
for (const el of document.querySelectorAll(
    "a[href], button, input:not([type=hidden]), select, textarea, summary")) {
  const box = el.getBoundingClientRect();
  if (box.width === 0 && box.height === 0) continue;  // not shown (e.g. inside the folded menu)
  if (getComputedStyle(el).visibility === "hidden") continue;
  if (box.left < -1 || box.right > width + 1) {
    const name = (el.innerText || el.value || el.getAttribute("href") || "").trim().slice(0, 40);
    const where = `from ${Math.round(box.left)} to ${Math.round(box.right)}`;
    found.push(`<${el.tagName.toLowerCase()}> "${name}" ${where}`);
  }
}
return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width, outside: found};
"""


def problems_on_screen(driver) -> list[str]:
    """What is out of reach without scrolling sideways on the current page."""
    result = driver.execute_script(OUT_OF_VIEW)
    page, screen = path_of(driver), result["innerWidth"]
    found = [f"{page}: {item} (screen {screen}px)" for item in result["outside"]]
    if result["scrollWidth"] > screen:
        found.append(f"{page}: the page is {result['scrollWidth']}px wide on a {screen}px screen")
    return found


def menu_paths(driver) -> list[str]:
    links = driver.find_elements(By.CSS_SELECTOR, "header nav a")
    return [urlsplit(link.get_attribute("href")).path for link in links]


def first_placement(driver) -> str | None:
    for link in driver.find_elements(By.CSS_SELECTOR, "main a[href*='/plaatsingen/']"):
        path = urlsplit(link.get_attribute("href")).path
        if PLACEMENT_PATH.match(path):
            return path
    return None


@pytest.mark.parametrize("email", ROLES)
def test_every_action_is_on_screen_on_a_phone(browser, live_server, tmp_path, email):
    browser.set_window_size(*PHONE)
    login(browser, live_server, email)
    open_menu(browser)
    pages = ["/", *menu_paths(browser)]
    assert len(pages) > 3, pages
    problems = problems_on_screen(browser)  # the open menu itself fits too
    checked = []
    for path in dict.fromkeys(pages):
        browser.get(live_server + path)
        problems += problems_on_screen(browser)
        checked.append(path)
        if path in LISTS_WITH_PLACEMENTS and (placement := first_placement(browser)) not in (None, *checked):
            browser.get(live_server + placement)
            problems += problems_on_screen(browser)
            checked.append(placement)
            shot(browser, tmp_path, f"placement-{len(checked)}")
        shot(browser, tmp_path, path.strip("/").replace("/", "-") or "home")
    assert not problems, "\n".join(problems)
    if email != "beheer@demo.werkbrug.nl":
        assert any(PLACEMENT_PATH.match(path) for path in checked), checked
    logout(browser)


def test_signals_and_tasks_show_their_buttons_on_a_phone(browser, live_server):
    browser.set_window_size(*PHONE)
    login(browser, live_server, "gemeente@demo.werkbrug.nl")
    for path, words in (("/signalen", ("Oppakken", "Afhandelen")), ("/taken", ("Gedaan", "Te laat"))):
        browser.get(live_server + path)
        main = browser.find_element(By.TAG_NAME, "main")
        for word in words:
            found = main.find_elements(By.XPATH, f".//*[contains(text(), '{word}')]")
            shown = [element for element in found if element.is_displayed()]
            assert shown, f"{word!r} is not shown on {path}"
            box = shown[0].rect
            assert box["x"] >= 0, (path, word, box)
            assert box["x"] + box["width"] <= PHONE[0], (path, word, box)
        # Each card names its columns: the column's header stands before the value.
        labels = browser.execute_script(
            "return Array.from(arguments[0].querySelectorAll('td'))"
            ".map(td => getComputedStyle(td, '::before').content);",
            main.find_element(By.CSS_SELECTOR, "tbody tr"),
        )
        assert any("Plaatsing" in label for label in labels), labels
    logout(browser)


def test_the_menu_folds_behind_a_button_on_a_phone(browser, live_server, tmp_path):
    browser.set_window_size(*PHONE)
    login(browser, live_server, "gemeente@demo.werkbrug.nl")
    header = browser.find_element(By.TAG_NAME, "header")
    button = header.find_element(By.CSS_SELECTOR, ".werkbrug-menu-button")
    menu = browser.find_element(By.ID, "hoofdmenu")
    assert button.is_displayed()
    assert button.text == "Menu"
    assert button.get_attribute("aria-expanded") == "false"
    assert not menu.is_displayed()
    assert header.rect["height"] <= MAX_HEADER_HEIGHT, header.rect
    shot(browser, tmp_path, "menu-folded")

    button.click()
    assert button.get_attribute("aria-expanded") == "true"
    assert menu.is_displayed()
    assert browser.find_element(By.LINK_TEXT, "Signalen").is_displayed()
    assert "Uitloggen" in menu.text
    shot(browser, tmp_path, "menu-open")

    browser.find_element(By.LINK_TEXT, "Signalen").send_keys(Keys.ESCAPE)
    assert button.get_attribute("aria-expanded") == "false"
    assert browser.switch_to.active_element == button
    assert not menu.is_displayed()

    browser.set_window_size(*DESKTOP)
    WebDriverWait(browser, 5).until(lambda d: menu.is_displayed())
    assert not button.is_displayed()
    assert browser.find_element(By.LINK_TEXT, "Signalen").is_displayed()
    logout(browser)
