"""axe-core in the browser: no serious or critical accessibility violation on any page of any role.

The lxml crawl in tests/test_accessibility.py checks structure without a browser; this one runs the axe
engine (vendored in tests/e2e/vendor, never served by the portal) on the rendered pages, with the real
CSS, so it also sees contrast, focusable hidden elements and ARIA misuse. Per demo account it follows
every same-site link from the home page breadth-first and scans one page per route shape (ids become
``{id}``, query strings are dropped), at desktop and at phone width.
"""

from __future__ import annotations

import re
from collections import deque
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from selenium.webdriver.common.by import By

from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_journey import login

pytestmark = pytest.mark.e2e

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
ACCOUNTS = (
    None,  # not logged in
    "werkgever@demo.werkbrug.nl",
    "aanmelding@demo.werkbrug.nl",
    "gemeente@demo.werkbrug.nl",
    "jobcoach@demo.werkbrug.nl",
    "beheer@demo.werkbrug.nl",
)
BLOCKING = {"serious", "critical"}
#: Links that are not pages to scan: files, feeds, the health report, downloads.
NOT_PAGES = re.compile(r"^/(static|healthz|agenda/.+\.ics)|\.(csv|xlsx|ics|json|svg|png)$|/export")
#: A role's crawl stops after this many route shapes (a guard against a link explosion).
MAX_SHAPES = 80

RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ["violations"]})
  .then(result => done(result.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))))
  .catch(error => done([{id: "axe-error", impact: "critical", help: String(error), nodes: []}]));
"""


def shape_of(path: str) -> str:
    path = re.sub(r"/\d{4}-\d{2}-\d{2}(?=/|$)", "/{date}", path)
    return re.sub(r"/\d+(?=/|$)", "/{id}", path)


def _same_site_links(driver, base_url: str) -> list[str]:
    hrefs = driver.execute_script("return Array.from(document.querySelectorAll('a[href]'), a => a.href);")
    base = urlsplit(base_url)
    paths = []
    for href in hrefs:
        parts = urlsplit(urljoin(driver.current_url, href))
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or NOT_PAGES.search(parts.path):
            continue
        paths.append(parts.path)
    return paths


def scan(driver) -> list[dict]:
    if driver.execute_script("return document.contentType") != "text/html":
        return []
    driver.execute_script(AXE_SOURCE)
    return [v for v in driver.execute_async_script(RUN_AXE) if v["impact"] in BLOCKING]


def crawl(driver, base_url: str, start: str = "/") -> dict[str, list[dict]]:
    """Route shape -> blocking violations, for every page reachable from ``start`` by links."""
    driver.set_script_timeout(60)
    seen, results = set(), {}
    queue = deque([start])
    while queue and len(results) < MAX_SHAPES:
        path = queue.popleft()
        shape = shape_of(path)
        if shape in seen or path == "/logout":
            continue
        seen.add(shape)
        driver.get(base_url + path)
        results[shape] = scan(driver)
        queue.extend(p for p in _same_site_links(driver, base_url) if shape_of(p) not in seen)
    return results


def _report(failures: dict[str, list[dict]]) -> str:
    lines = []
    for page, violations in failures.items():
        for violation in violations:
            lines.append(f"{page}: [{violation['impact']}] {violation['id']}: {violation['help']}")
            lines.extend(f"    {node}" for node in violation["nodes"])
    return "\n".join(lines)


@pytest.mark.parametrize("account", ACCOUNTS, ids=lambda a: (a or "anoniem").split("@")[0])
def test_axe_finds_no_serious_violation_on_any_page(browser, live_server, account):
    if account:
        login(browser, live_server, account)
    failures = {}
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        browser.set_window_size(*size)
        results = crawl(browser, live_server, "/" if account else "/login")
        assert len(results) > (1 if account else 0), results
        failures.update({f"{label} {page}": found for page, found in results.items() if found})
    assert not failures, "axe found serious or critical violations:\n" + _report(failures)


def test_the_scan_reports_a_real_violation(browser, live_server):
    """The check can fail: an image without a text alternative inside a link is a serious violation."""
    browser.get(f"{live_server}/login")
    browser.execute_script(
        "const a = document.createElement('a'); a.href = '/'; a.id = 'kapot';"
        "const img = document.createElement('img'); img.src = '/static/img/favicon.svg';"
        "a.appendChild(img); document.querySelector('main').appendChild(a);"
    )
    assert browser.find_element(By.ID, "kapot")
    ids = {violation["id"] for violation in scan(browser)}
    assert ids & {"image-alt", "link-name"}, ids
