"""AX-2: browser-free accessibility checks on every page the app renders, for every role.

The crawl is generic: it walks ``app.url_map``, fills rule arguments from the ``seed`` fixture (or
from whatever rows exist), and checks each HTML answer with lxml. New routes are covered without
changing this file. Every form with a control on a crawled page is then posted empty (only the
CSRF token): the answer must have an error summary whose links lead to existing controls.

Checks per page: <html lang="nl">, a non-empty <title>, exactly one <h1> and one <main>, a skip link
to #inhoud as the first focusable element (and its target), a label for every control, no duplicate
ids, existing targets for aria-describedby / aria-labelledby and in-page links, names for links and
buttons, alt on images, a caption on tables, and nothing the CSP would block (inline style/script).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest
import sqlalchemy as sa
from flask import render_template

from portal.extensions import db
from portal.models import Base

ROOT = Path(__file__).resolve().parent.parent
ROLES = ("anonymous", "employer", "pending_employer", "jobcoach", "municipal", "admin")
REDIRECTS = {301, 302, 303, 307, 308}
SKIP_STATUSES = REDIRECTS | {403, 404}
SKIP_ENDPOINTS = {"static", "main.healthz"}
NON_TEXT_INPUTS = {"hidden", "submit", "button", "reset", "image"}
FOCUSABLE = (
    "//a[@href] | //button | //select | //textarea | //summary"
    " | //input[not(@type='hidden')] | //*[@tabindex and not(@tabindex='-1')]"
)

#: Forms that must show an error summary when posted empty: role -> paths.
REQUIRED_SUMMARIES = {
    "anonymous": ("/login", "/registreren"),
    "employer": ("/werkplekken/nieuw",),
}

#: Rule argument -> (seed attribute per tenant, model class names to take rows from).
ARGUMENTS = {
    "employer_id": (("employer", "pending_employer"), ("Employer",)),
    "workplace_id": (("workplace",), ("Workplace",)),
    "user_id": (("jobcoach", "employer_user", "municipal"), ("User",)),
    "municipality_id": (("municipality",), ("Municipality",)),
    "invitation_id": ((), ("Invitation",)),
    "message_id": ((), ("OutboxEmail",)),
    "event_id": ((), ("AuditEvent",)),
    "request_id": (("request",), ("PlacementRequest",)),
    "candidate_id": (("candidate",), ()),
    "proposal_id": (("proposal",), ()),
    "placement_id": (("placement",), ()),
    "visit_id": (("visit",), ()),
    "task_id": (("task",), ()),
    "checkin_id": (("checkin",), ()),
    "alert_id": (("alert",), ()),
    "type_id": ((), ("PlacementType",)),
    "exit_id": ((), ("Exit",)),
}
#: Arguments that are not database ids: a value that yields the "link not valid" page.
STRING_ARGUMENTS = {"token": "dit-is-geen-geldige-code", "week_start": "2026-03-09"}


# --------------------------------------------------------------------------------------------------
# The page checks
# --------------------------------------------------------------------------------------------------


def _ids(tree) -> set[str]:
    return {el.get("id") for el in tree.xpath("//*[@id]")}


def _text(el) -> str:
    return " ".join(el.text_content().split())


def _check_document(tree) -> list[str]:
    problems = []
    if tree.xpath("string(/html/@lang)") != "nl":
        problems.append('<html> has no lang="nl"')
    title = " ".join(tree.xpath("string(//head/title)").split())
    if not title or title.startswith(("–", "-")):
        problems.append(f"empty <title>: {title!r}")
    h1s = tree.xpath("//h1")
    if len(h1s) != 1:
        problems.append(f"{len(h1s)} <h1> elements instead of 1")
    elif not _text(h1s[0]):
        problems.append("the <h1> is empty")
    if len(tree.xpath("//main")) != 1:
        problems.append("not exactly one <main>")
    return problems


def _check_skip_link(tree) -> list[str]:
    focusable = tree.xpath(FOCUSABLE)
    if not focusable or focusable[0].tag != "a" or focusable[0].get("href") != "#inhoud":
        return ["the first focusable element is not the skip link to #inhoud"]
    if not tree.xpath("//*[@id='inhoud']"):
        return ["the skip link target #inhoud does not exist"]
    return []


def _has_label(tree, control) -> bool:
    if (control.get("aria-label") or "").strip() or control.get("aria-labelledby"):
        return True
    if control.xpath("ancestor::label"):
        return True
    control_id = control.get("id")
    labels = tree.xpath("//label[@for=$id]", id=control_id) if control_id else []
    return any(_text(label) for label in labels)


def _controls(tree):
    for control in tree.xpath(".//input | .//select | .//textarea"):
        if control.tag == "input" and (control.get("type") or "text").lower() in NON_TEXT_INPUTS:
            continue
        yield control


def _check_controls(tree) -> list[str]:
    problems = []
    for control in _controls(tree):
        if not _has_label(tree, control):
            problems.append(f"control without a label: <{control.tag} name={control.get('name')!r}>")
    ids = [el.get("id") for el in tree.xpath("//*[@id]")]
    problems += [f"duplicate id {i!r}" for i in sorted({i for i in ids if ids.count(i) > 1})]
    return problems


def _check_references(tree) -> list[str]:
    problems = []
    ids = _ids(tree)
    for attr in ("aria-describedby", "aria-labelledby", "aria-controls", "for"):
        for el in tree.xpath(f"//*[@{attr}]"):
            missing = [ref for ref in el.get(attr).split() if ref not in ids]
            problems += [f"{attr} points to missing id {ref!r}" for ref in missing]
    for link in tree.xpath("//a[starts-with(@href, '#')]"):
        target = link.get("href")[1:]
        if target and target not in ids:
            problems.append(f"in-page link to missing id {target!r}")
    for message in tree.xpath("//*[contains(@class, 'utrecht-form-field-error-message')]"):
        ref = message.get("id")
        described = " ".join(tree.xpath("//@aria-describedby")).split()
        if not ref or ref not in described:
            problems.append(f"field error {_text(message)!r} is not linked with aria-describedby")
    return problems


def _check_names(tree) -> list[str]:
    problems = []
    for link in tree.xpath("//a[@href]"):
        if not _text(link) and not link.get("aria-label"):
            problems.append(f"link without text: {link.get('href')!r}")
    for button in tree.xpath("//button"):
        if not _text(button) and not button.get("aria-label"):
            problems.append("button without text")
    for img in tree.xpath("//img[not(@alt)]"):
        problems.append(f"image without alt: {img.get('src')!r}")
    for table in tree.xpath("//table"):
        if not table.xpath("caption") and not table.get("aria-label") and not table.get("aria-labelledby"):
            problems.append("table without <caption>")
        if not table.xpath("ancestor::*[contains(concat(' ', @class, ' '), ' werkbrug-table-wrap ')]"):
            problems.append("table outside a werkbrug-table-wrap (it cannot scroll on a phone)")
    return problems


def _check_csp(tree) -> list[str]:
    problems = []
    if tree.xpath("//*[@style]"):
        problems.append("inline style attribute (blocked by the CSP)")
    if tree.xpath("//style"):
        problems.append("<style> element (blocked by the CSP)")
    if tree.xpath("//script[not(@src)]"):
        problems.append("inline <script> (blocked by the CSP)")
    handlers = {a for el in tree.iter() if isinstance(el.tag, str) for a in el.attrib if a.startswith("on")}
    problems += [f"inline event handler {a!r}" for a in sorted(handlers)]
    return problems


def page_problems(html: str | bytes) -> list[str]:
    """Every structural accessibility problem on one rendered page."""
    tree = lxml.html.document_fromstring(html)
    checks = (_check_document, _check_skip_link, _check_controls, _check_references, _check_names, _check_csp)
    return [problem for check in checks for problem in check(tree)]


def summary_problems(html: str | bytes) -> list[str] | None:
    """Problems with the error summary; None when the page has no error summary."""
    tree = lxml.html.document_fromstring(html)
    summaries = tree.xpath("//*[@id='foutoverzicht']")
    if not summaries:
        return None
    links = summaries[0].xpath(".//a[@href]")
    problems = [] if links else ["error summary without links"]
    controls = {c.get("id") for c in _controls(tree) if c.get("id")}
    for link in links:
        href = link.get("href")
        if not href.startswith("#") or href[1:] not in controls:
            problems.append(f"error summary link {href!r} does not point to a form control")
    return problems


# --------------------------------------------------------------------------------------------------
# The crawl
# --------------------------------------------------------------------------------------------------


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    pages: dict[str, bytes] = field(default_factory=dict)

    def add(self, url: str, found: list[str]) -> None:
        self.problems += [f"{url}: {p}" for p in found]


def _model(name: str):
    for mapper in Base.registry.mappers:
        if mapper.class_.__name__ == name:
            return mapper.class_
    return None


def _values(argument: str, seed) -> list:
    if argument in STRING_ARGUMENTS:
        return [STRING_ARGUMENTS[argument]]
    attrs, models = ARGUMENTS.get(argument, ((), ()))
    values = [getattr(seed.a, a).id for a in attrs]
    for model in filter(None, map(_model, models)):
        values += db.session.scalars(sa.select(model.id).order_by(model.id).limit(2)).all()
    return list(dict.fromkeys(values))[:3]


def get_urls(app, seed) -> list[str]:
    """Concrete URLs for every GET rule whose arguments can be filled in."""
    adapter = app.url_map.bind("localhost")
    urls = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint in SKIP_ENDPOINTS or "GET" not in (rule.methods or ()):
            continue
        names = sorted(rule.arguments - set(rule.defaults or {}))
        choices = [_values(name, seed) for name in names]
        for combination in itertools.product(*choices):
            urls.append(adapter.build(rule.endpoint, dict(zip(names, combination, strict=True))))
    return list(dict.fromkeys(urls))


def _user(seed, role):
    return seed.a.pending_user if role == "pending_employer" else seed.a.user(role)


def _client_for(role, client, seed):
    if role == "jobcoach":
        # The jobcoach's pages of a placement (visit form, uitval) need the placement assigned to them.
        seed.a.placement.jobcoach_id = seed.a.jobcoach.id
        db.session.commit()
    if role != "anonymous":
        client.login(_user(seed, role))
    return client


def _is_html(response) -> bool:
    return response.mimetype == "text/html"


def crawl(app, client, seed) -> Report:
    report = Report()
    for url in get_urls(app, seed):
        response = client.get(url)
        if response.status_code >= 500:
            report.add(url, [f"GET answered {response.status_code}"])
            continue
        if response.status_code in REDIRECTS or not _is_html(response):
            continue
        # 403/404 pages (e.g. "this link is no longer valid") are checked too, but not crawled further.
        report.checked.append(url)
        report.add(url, page_problems(response.data))
        if response.status_code not in SKIP_STATUSES:
            report.pages[url] = response.data
    return report


def _forms_with_controls(url: str, html: bytes):
    """(action URL, method) of every POST form on the page that has a control the user fills in."""
    tree = lxml.html.document_fromstring(html)
    for form in tree.xpath("//form"):
        if (form.get("method") or "get").lower() != "post":
            continue
        if any(True for _ in _controls(form)):
            yield urlsplit(urljoin("http://localhost" + url, form.get("action") or url)).path


def _no_summary(paths) -> str:
    return f"no error summary after an empty POST to {sorted(paths)}"


# --------------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_page_passes_the_structural_checks(app, client, seed, role):
    report = crawl(app, _client_for(role, client, seed), seed)
    assert report.checked, f"no page could be checked for {role}"
    assert not report.problems, "\n".join(report.problems)
    if role == "jobcoach":
        assert any(url.endswith("/bezoeken/nieuw") for url in report.pages), "the visit form was not crawled"


@pytest.mark.parametrize("role", ROLES)
def test_forms_posted_empty_show_a_linked_error_summary(app, client, seed, role):
    client = _client_for(role, client, seed)
    report = crawl(app, client, seed)
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    required = {path for path in REQUIRED_SUMMARIES.get(role, ()) if path in rules}
    actions = dict.fromkeys(a for url, html in report.pages.items() for a in _forms_with_controls(url, html))
    actions.update(dict.fromkeys(sorted(required)))
    with_summary, problems = set(), []
    for action in actions:
        response = client.post(action, {})
        assert response.status_code < 500, f"POST {action} (empty) answered {response.status_code}"
        if response.status_code in SKIP_STATUSES or not _is_html(response):
            continue
        found = summary_problems(response.data)
        if found is not None:
            with_summary.add(action)
            problems += [f"{action} (posted empty): {p}" for p in found + page_problems(response.data)]
    assert not problems, "\n".join(problems)
    assert required <= with_summary, _no_summary(required - with_summary)


def test_error_pages_pass_the_structural_checks(app, client, login_as, seed):
    pages = {
        "404": client.get("/deze-pagina-bestaat-niet"),
        "405": client.get("/logout"),
        "csrf": client.post("/login", {"email": "a@b.nl", "password": "x"}, csrf=False),
        "403": login_as(seed.a.employer_user).get("/werkgevers"),
        "404 logged in": login_as(seed.a.municipal).get("/deze-pagina-bestaat-niet"),
    }
    assert [p.status_code for p in pages.values()] == [404, 405, 400, 403, 404]
    with app.test_request_context("/"):
        pages["500"] = render_template("errors/error.html", code=500, title="Er ging iets mis")
    for name, page in pages.items():
        html = page if isinstance(page, str) else page.data
        assert page_problems(html) == [], name


def test_the_checker_finds_what_it_should():
    bad = b"""<!doctype html><html><head><title></title><style>p{}</style></head><body>
      <a href="/">Home</a><h1>One</h1><h1>Two</h1>
      <form method="post"><input name="naam" id="x"><input id="x" aria-describedby="nergens">
      <select name="s"></select><button></button></form>
      <a href="#weg">Naar</a><img src="a.png"><table><tr><td>1</td></tr></table>
      <p style="color:red" onclick="x()">rood</p><script>alert(1)</script></body></html>"""
    found = "\n".join(page_problems(bad))
    for expected in (
        'lang="nl"',
        "empty <title>",
        "2 <h1>",
        "<main>",
        "skip link",
        "without a label",
        "duplicate id 'x'",
        "missing id 'nergens'",
        "missing id 'weg'",
        "button without text",
        "image without alt",
        "table without",
        "table outside a werkbrug-table-wrap",
        "inline style",
        "<style>",
        "inline <script>",
        "'onclick'",
    ):
        assert expected in found, expected


def test_error_summary_links_must_point_to_controls():
    page = b"""<html lang="nl"><body><div id="foutoverzicht"><a href="#naam">Naam</a><a href="#kwijt">Weg</a>
      </div><label for="naam">Naam</label><input id="naam" name="naam"></body></html>"""
    assert summary_problems(page) == ["error summary link '#kwijt' does not point to a form control"]
    assert summary_problems(b"<html><body><p>Geen fouten</p></body></html>") is None


# --------------------------------------------------------------------------------------------------
# The theme and templates themselves
# --------------------------------------------------------------------------------------------------

TEMPLATES = ROOT / "portal" / "templates"
CSP_BLOCKED = re.compile(r"\sstyle\s*=|<style\b|<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=", re.IGNORECASE)
STATIC = ROOT / "portal" / "static"


def test_templates_contain_nothing_the_csp_blocks():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if CSP_BLOCKED.search(text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_vendored_assets_are_pinned_with_their_licences():
    import json

    package = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    assert package["devDependencies"] == {"@utrecht/component-library-css": "9.0.4", "axe-core": "4.14.1"}
    axe = ROOT / "tests" / "e2e" / "vendor" / "axe-core"
    assert "Mozilla Public License" in (axe / "LICENSE").read_text(encoding="utf-8")
    assert "Version: 4.14.1" in (axe / "README.txt").read_text(encoding="utf-8")
    assert not (STATIC / "vendor" / "axe-core").exists()  # a test tool, never served
    vendor = STATIC / "vendor" / "utrecht"
    assert "EUPL" in (vendor / "LICENSE.md").read_text(encoding="utf-8")
    readme = (vendor / "README.txt").read_text(encoding="utf-8")
    assert "@utrecht/component-library-css" in readme
    assert "Version: 9.0.4" in readme
    assert ".utrecht-button" in (vendor / "index.css").read_text(encoding="utf-8")
    assert not (STATIC / "vendor" / "utrecht" / "design-tokens").exists()


def test_theme_defines_only_tokens_the_components_use():
    used = set(re.findall(r"var\((--utrecht-[a-z0-9-]+)", (STATIC / "vendor/utrecht/index.css").read_text()))
    theme = (STATIC / "css" / "werkbrug.css").read_text(encoding="utf-8")
    used |= set(re.findall(r"var\((--utrecht-[a-z0-9-]+)", theme))
    defined = set(re.findall(r"(--utrecht-[a-z0-9-]+)\s*:", theme))
    assert len(defined) > 300
    assert defined - used == set()


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize(
    ("fore", "back", "minimum"),
    [
        ("ink", "surface", 4.5),
        ("ink", "canvas", 4.5),
        ("ink-muted", "surface", 4.5),
        ("ink-muted", "canvas", 4.5),
        ("link", "surface", 4.5),
        ("link-visited", "surface", 4.5),
        ("primary", "surface", 4.5),
        ("surface", "primary-dark", 4.5),
        ("error", "surface", 4.5),
        ("error", "error-tint", 4.5),
        ("ok", "ok-tint", 4.5),
        ("warning", "warning-tint", 4.5),
        ("ink", "primary-tint", 4.5),
        ("ink", "focus", 4.5),
        ("focus", "primary-dark", 3),
        ("control-border", "surface", 3),
    ],
)
def test_palette_contrast(fore, back, minimum):
    theme = (STATIC / "css" / "werkbrug.css").read_text(encoding="utf-8")
    palette = dict(re.findall(r"--wb-([a-z-]+):\s*(#[0-9a-f]{6})", theme))
    assert _contrast(palette[fore], palette[back]) >= minimum
