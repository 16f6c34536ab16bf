"""The issue's "done when", in a real browser: every demo account lands on its home page; a new employer
registers on a phone, the municipality approves it, and the employer adds a workplace on a phone.
Plus a keyboard check on the login page (AX-3): skip link first, fields and button in order, focus visible.

Screenshots go to pytest's tmp_path only (never into the repository).
"""

from __future__ import annotations

import base64
import itertools
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.e2e.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.e2e

DEMO_PASSWORD = "werkbrug-demo"  # noqa: S105 - the documented demo password
DEMO_ACCOUNTS = {
    "werkgever@demo.werkbrug.nl": "Werkgever",
    "gemeente@demo.werkbrug.nl": "Contactpersoon gemeente",
    "jobcoach@demo.werkbrug.nl": "Jobcoach",
    "beheer@demo.werkbrug.nl": "Functioneel beheerder",
}
NEW_PASSWORD = "fietsen langs de dommel in de zon"  # noqa: S105
_unique = itertools.count(int(time.time()) % 1_000_000)


# --- helpers ------------------------------------------------------------------------------------------


def shot(driver, directory: Path, name: str) -> Path:
    """A full-page PNG screenshot in ``directory`` (a tmp_path)."""
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
    data = driver.execute_cdp_cmd("Page.captureScreenshot", {"captureBeyondViewport": True, "clip": clip})
    path = directory / f"{name}.png"
    path.write_bytes(base64.b64decode(data["data"]))
    return path


def path_of(driver) -> str:
    return urlsplit(driver.current_url).path


def the_h1(driver) -> str:
    headings = driver.find_elements(By.TAG_NAME, "h1")
    assert len(headings) == 1, f"{path_of(driver)} has {len(headings)} h1 elements"
    assert headings[0].text.strip(), f"{path_of(driver)} has an empty h1"
    return headings[0].text.strip()


def _replaced(element):
    """A wait condition: ``element`` has left the document (the next page has loaded).

    While a navigation is under way chromium can answer "Node with given id does not belong to the
    document" instead of a stale-element error; both mean the old page is gone.
    """

    def check(_driver) -> bool:
        try:
            element.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:
            if "does not belong to the document" in str(error):
                return True
            raise
        return False

    return check


def submit(driver, button=None) -> None:
    """Click the form's submit button and wait for the next page."""
    button = button or driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]")
    page = driver.find_element(By.TAG_NAME, "html")
    button.click()
    WebDriverWait(driver, 15).until(_replaced(page))


def fill(driver, field_id: str, value: str) -> None:
    element = driver.find_element(By.ID, field_id)
    element.clear()
    element.send_keys(value)


def choose(driver, field_id: str, text: str | None = None) -> None:
    """Pick the option with ``text`` in it, or the first option with a value."""
    select = Select(driver.find_element(By.ID, field_id))
    for option in select.options:
        if option.get_attribute("value") and (text is None or text in option.text):
            select.select_by_value(option.get_attribute("value"))
            return
    raise AssertionError(f"no option {text!r} in #{field_id}")


def tick(driver, field_id: str) -> None:
    box = driver.find_element(By.ID, field_id)
    if not box.is_selected():
        driver.find_element(By.CSS_SELECTOR, f"label[for='{field_id}']").click()
    assert box.is_selected()


#: The last time step whose code each account used in this browser session: a code is accepted only once.
_last_step: dict[str, int] = {}


def enter_code(driver, email: str) -> None:
    """Type the code an app with the demo's published secret shows, as a person would.

    A code is accepted once per account: when this account already logged in within the current 30 s,
    the next step's code is used (one step of clock drift is accepted), or the test waits for it.
    """
    from portal.auth import totp
    from portal.demo import DEMO_TOTP_SECRET

    now = int(time.time()) // totp.STEP_SECONDS
    step = max(now, _last_step.get(email, now - 1) + 1)
    if step > now + 1:
        time.sleep((step - 1) * totp.STEP_SECONDS - time.time() + 0.5)
    _last_step[email] = step
    fill(driver, "code", totp.code_for(DEMO_TOTP_SECRET, step))
    submit(driver)


def login(driver, base_url: str, email: str, password: str = DEMO_PASSWORD) -> None:
    driver.get(f"{base_url}/login")
    fill(driver, "email", email)
    fill(driver, "password", password)
    submit(driver)
    assert path_of(driver) != "/login", f"login failed for {email}"
    if path_of(driver) == "/inloggen/code":
        enter_code(driver, email)
        assert path_of(driver) != "/inloggen/code", f"code refused for {email}"


def open_menu(driver) -> None:
    """On a phone the menu (links, name and logout) folds behind the "Menu" button: open it."""
    buttons = driver.find_elements(By.CSS_SELECTOR, "header .werkbrug-menu-button")
    buttons = [button for button in buttons if button.is_displayed()]
    if buttons and buttons[0].get_attribute("aria-expanded") != "true":
        buttons[0].click()
        WebDriverWait(driver, 5).until(lambda d: d.find_element(By.ID, "hoofdmenu").is_displayed())


def logout(driver) -> None:
    open_menu(driver)
    submit(driver, driver.find_element(By.XPATH, "//header//button[normalize-space()='Uitloggen']"))
    assert path_of(driver) == "/login"


def flash_text(driver) -> str:
    return " ".join(e.text for e in driver.find_elements(By.CSS_SELECTOR, ".werkbrug-flashes .utrecht-alert"))


def assert_fits(driver) -> None:
    """Nothing makes the page scroll sideways (tables scroll inside their own wrapper)."""
    overflow = driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth;"
    )
    assert overflow <= 0, f"{path_of(driver)} is {overflow}px wider than the screen"


TAP_TARGETS = (
    "button, .utrecht-button-link, .werkbrug-nav__link, select, textarea,"
    " input:not([type=hidden]):not([type=checkbox]):not([type=radio])"
)


def assert_tap_targets(driver) -> None:
    """Buttons, menu links and form controls are at least 44px high (WCAG 2.5.5 / 2.5.8)."""
    small = driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0]))"
        ".filter(e => e.offsetParent !== null && e.getBoundingClientRect().height < 44)"
        ".map(e => e.outerHTML.slice(0, 80));",
        TAP_TARGETS,
    )
    assert small == [], small


def focus_is_visible(driver, element) -> bool:
    style = driver.execute_script(
        "const s = getComputedStyle(arguments[0]);return [s.outlineStyle, s.outlineWidth, s.boxShadow];",
        element,
    )
    outline_style, outline_width, box_shadow = style
    has_outline = outline_style != "none" and outline_width not in ("0px", "")
    return has_outline or box_shadow != "none"


# --- tests --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("email", sorted(DEMO_ACCOUNTS))
def test_each_demo_account_lands_on_its_home_page(browser, live_server, tmp_path, email):
    browser.set_window_size(*PHONE)
    login(browser, live_server, email)
    assert path_of(browser) == "/"
    assert the_h1(browser)
    open_menu(browser)
    header = browser.find_element(By.TAG_NAME, "header").text
    assert DEMO_ACCOUNTS[email] in header
    assert_fits(browser)
    assert_tap_targets(browser)
    shot(browser, tmp_path, f"home-{email.split('@')[0]}")
    logout(browser)


def test_login_page_works_with_the_keyboard(browser, live_server, tmp_path):
    browser.set_window_size(*PHONE)
    browser.get(f"{live_server}/login")
    shot(browser, tmp_path, "login-phone")
    assert_fits(browser)
    order = []
    for _ in range(25):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        element = browser.switch_to.active_element
        html = element.get_attribute("outerHTML")[:80]
        assert focus_is_visible(browser, element), f"no visible focus on {html}"
        order.append(element.get_attribute("id") or element.get_attribute("href") or element.text)
        if element.get_attribute("type") == "submit":
            break
    assert order[0].endswith("#inhoud"), f"first Tab stop is {order[0]!r}, not the skip link"
    assert order.index("email") < order.index("password") < len(order) - 1, order
    assert browser.switch_to.active_element.text == "Inloggen"


def test_skip_link_moves_focus_to_the_content(browser, live_server):
    browser.get(f"{live_server}/login")
    ActionChains(browser).send_keys(Keys.TAB).perform()
    skip = browser.switch_to.active_element
    assert skip.text == "Naar de inhoud"
    assert skip.is_displayed()
    skip.send_keys(Keys.ENTER)
    assert browser.switch_to.active_element.get_attribute("id") == "inhoud"


def _register(browser, base_url: str, shots: Path) -> tuple[str, str]:
    n = next(_unique)
    name, email = f"Bakkerij De Brug {n}", f"eigenaar{n}@bakkerij-e2e.nl"
    browser.get(f"{base_url}/registreren")
    submit(browser)  # empty: the error summary and field messages appear
    assert browser.find_element(By.ID, "foutoverzicht").is_displayed()
    assert browser.switch_to.active_element.get_attribute("id") == "foutoverzicht"
    shot(browser, shots, "register-errors-phone")
    browser.find_element(By.CSS_SELECTOR, "#foutoverzicht a").click()
    active = browser.switch_to.active_element
    assert active.tag_name in ("input", "select", "textarea"), active.get_attribute("outerHTML")
    if browser.find_elements(By.CSS_SELECTOR, "select#municipality_id"):
        choose(browser, "municipality_id", "Eindhoven")
    values = {
        "name": name,
        "kvk_number": f"{70000000 + n % 10_000_000:08d}",
        "street": "Kerkstraat",
        "house_number": "12",
        "postcode": "5611 AB",
        "city": "Eindhoven",
        "phone": "040 123 45 67",
        "full_name": "Fatima de Boer",
        "email": email,
        "password": NEW_PASSWORD,
        "password_confirm": NEW_PASSWORD,
    }
    for field_id, value in values.items():
        fill(browser, field_id, value)
    choose(browser, "sector")
    choose(browser, "size_class")
    tick(browser, "agree")
    submit(browser)
    assert path_of(browser) == "/registreren/ontvangen", flash_text(browser) or browser.page_source[:2000]
    the_h1(browser)
    return name, email


def _approve(browser, base_url: str, name: str, shots: Path) -> None:
    login(browser, base_url, "gemeente@demo.werkbrug.nl")
    browser.set_window_size(*PHONE)
    browser.get(f"{base_url}/werkgevers")
    assert_fits(browser)  # the table scrolls inside its wrapper, the page does not
    shot(browser, shots, "employers-phone")
    browser.set_window_size(*DESKTOP)
    browser.get(f"{base_url}/werkgevers/aanmeldingen")
    shot(browser, shots, "registrations-desktop")
    browser.find_element(By.LINK_TEXT, name).click()
    WebDriverWait(browser, 15).until(lambda d: d.find_element(By.TAG_NAME, "h1").text == name)
    radio = browser.find_element(By.CSS_SELECTOR, "input[type=radio][name=decision][value=approve]")
    browser.find_element(By.CSS_SELECTOR, f"label[for='{radio.get_attribute('id')}']").click()
    assert radio.is_selected()
    submit(browser, browser.find_element(By.XPATH, "//button[normalize-space()='Besluit opslaan']"))
    assert "Gelukt" in flash_text(browser), flash_text(browser) or browser.page_source[:2000]
    logout(browser)


def _add_workplace(browser, base_url: str, email: str, shots: Path) -> None:
    login(browser, base_url, email, NEW_PASSWORD)
    assert path_of(browser) == "/"
    the_h1(browser)
    assert_fits(browser)
    shot(browser, shots, "employer-home-phone")
    browser.find_element(By.LINK_TEXT, "Werkplek toevoegen").click()
    WebDriverWait(browser, 15).until(lambda d: path_of(d) == "/werkplekken/nieuw")
    fill(browser, "name", "Bakkerij en winkel")
    tick(browser, "same_address")
    fill(browser, "work_description", "Brood en banket maken, de winkel klaarzetten en klanten helpen.")
    fill(browser, "languages", "Nederlands, Engels")
    fill(browser, "capacity", "2")
    fill(browser, "buddy_name", "Ahmed Yilmaz")
    assert_tap_targets(browser)
    shot(browser, shots, "workplace-form-phone")
    submit(browser)
    assert "Bakkerij en winkel" in the_h1(browser) + flash_text(browser), browser.page_source[:2000]
    assert "Gelukt" in flash_text(browser)
    assert_fits(browser)
    shot(browser, shots, "workplace-added-phone")


def test_new_employer_registers_is_approved_and_adds_a_workplace(browser, live_server, tmp_path):
    browser.set_window_size(*PHONE)
    name, email = _register(browser, live_server, tmp_path)
    browser.set_window_size(*DESKTOP)
    _approve(browser, live_server, name, tmp_path)
    browser.set_window_size(*PHONE)
    _add_workplace(browser, live_server, email, tmp_path)
