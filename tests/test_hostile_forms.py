"""Hostile input on every form of the portal: never a 5xx, never an error logged, never unescaped HTML,
never a privileged column or another tenant's row changed (IO-1, IO-2, IO-3, AZ-5).

Every POST route of the app's url_map has a scenario below: who may use it, a real object of the right
tenant in the right state, the page that shows its form and what a valid submission looks like. The form's
fields are read from that page, as a browser would, so a new field is attacked without changing this
module, and a new POST route without a scenario fails ``test_every_post_route_has_a_scenario``.

Each submission runs in a savepoint that is rolled back afterwards, so every one starts from the same
state. ``HOSTILE_EXAMPLES`` sets the number of random (Hypothesis) submissions per route (default 8);
``HOSTILE_EXAMPLES=150`` sends well over 10,000 submissions in all.
"""

from __future__ import annotations

import io
import logging
import os
import re
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from types import SimpleNamespace
from urllib.parse import urlencode, urlsplit

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from portal.core.security import ROLES
from portal.extensions import db
from portal.models import Base
from tests import factories
from tests.conftest import form_errors_in
from tests.test_access import NOT_SNAPSHOTTED, POLICY, _owned_by, _tenant_b_snapshot, iter_routes

#: Tuesday 10 March 2026, nine in the morning in Amsterdam.
T0 = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
TODAY = date(2026, 3, 10)
#: Answers that hostile input may get: a page (with field errors), a redirect, or a refusal.
ALLOWED_STATUS = {200, 201, 204, 302, 303, 400, 404, 413, 422}
RANDOM_EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "8"))

SCRIPT = '<script>alert("werkbrug-xss")</script>'
IMG = '"><img src=x onerror=alert("werkbrug-xss")>'
HTML_PAYLOADS = (SCRIPT, IMG)
LONG = "x" * 10_000
#: A lone surrogate cannot be UTF-8: a browser (or attacker) sends its CESU-8 bytes, see ``_encode``.
SURROGATE = "a\ud800b"
INVALID_UTF8 = b"\xff\xfe\xc3(\xa0"
MARKER = "GEHACKT-AZ5"
MARKER_DAY = date(2000, 1, 1)


# Reading a form from a page ---------------------------------------------------------------------------------


@dataclass
class Control:
    name: str
    kind: str  # text, textarea, password, hidden, number, date, time, email, tel, url, checkbox, radio, ...
    value: str = ""
    checked: bool = False
    options: list[str] = field(default_factory=list)
    selected: list[str] = field(default_factory=list)
    multiple: bool = False
    id: str = ""
    maxlength: int | None = None


@dataclass
class Form:
    action: str
    enctype: str
    method: str = "POST"
    controls: list[Control] = field(default_factory=list)


class FormParser(HTMLParser):
    """Every <form> on a page with its named controls."""

    def __init__(self, page_path: str):
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Control | None = None
        self._option: tuple[str | None, bool] | None = None  # (value attribute, selected) while open
        self._option_text = ""
        self._textarea: Control | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            action = urlsplit(a.get("action") or self.page_path).path
            method = (a.get("method") or "get").upper()
            self._form = Form(action=action, enctype=a.get("enctype") or "", method=method)
            self.forms.append(self._form)
            return
        if self._form is None or (tag not in ("input", "select", "option", "textarea", "button")):
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind == "text" and a.get("inputmode") == "numeric":
                kind = "number"
            control = Control(name, kind, a.get("value") or "", "checked" in a, id=a.get("id") or "")
            control.maxlength = _maxlength(a)
            self._form.controls.append(control)
        elif tag == "button" and name:
            self._form.controls.append(Control(name, "button", a.get("value") or ""))
        elif tag == "select" and name:
            self._select = Control(name, "select", multiple="multiple" in a, id=a.get("id") or "")
            self._form.controls.append(self._select)
        elif tag == "option" and self._select is not None:
            self._close_option()
            self._option = (a.get("value"), "selected" in a)
            self._option_text = ""
        elif tag == "textarea" and name:
            self._textarea = Control(name, "textarea", id=a.get("id") or "", maxlength=_maxlength(a))
            self._form.controls.append(self._textarea)

    def _close_option(self):
        """An <option> ends: its value (or, without one, its text) becomes one of the select's options."""
        if self._option is None:
            return
        value, selected = self._option
        value = self._option_text.strip() if value is None else value
        self._select.options.append(value)
        if selected:
            self._select.selected.append(value)
        self._option = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data
        elif self._option is not None:
            self._option_text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "option" and self._select is not None:
            self._close_option()
        elif tag == "select":
            self._close_option()
            self._select = None
        elif tag == "textarea":
            if self._textarea is not None and self._textarea.value.startswith("\n"):
                self._textarea.value = self._textarea.value[1:]
            self._textarea = None


def _maxlength(attrs: dict) -> int | None:
    value = attrs.get("maxlength") or ""
    return int(value) if value.isdigit() else None


def find_form(html: str, page_path: str, action: str, method: str = "POST") -> Form | None:
    parser = FormParser(page_path)
    parser.feed(html)
    path = urlsplit(action).path
    return next((form for form in parser.forms if form.action == path and form.method == method), None)


@dataclass
class Field:
    """One named input of a form, with the kind of value it expects."""

    name: str
    kind: str
    options: list[str]
    ids: set[str] = field(default_factory=set)
    maxlength: int | None = None

    def has_error(self, html: str) -> bool:
        """Whether the page shows an error message beside this field."""
        return any(f'id="{one}-fout"' in html for one in self.ids | {self.name})

    @property
    def is_choice(self) -> bool:
        return self.kind in ("select", "radio", "checkbox")

    @property
    def is_id(self) -> bool:
        return self.name.endswith(("_id", "_ids"))


SKIPPED_KINDS = {"submit", "reset", "image", "file"}
#: Rows 2 and further of a repeated group (work experience, agreed actions) work like the first.
REPEATED_ROW = re.compile(r"_[1-9][0-9]*_")
#: A choice with this many options or fewer is a branch of the form (a decision, an outcome, a risk).
BRANCHING_OPTIONS = 6
#: The kind of input a WTForms field type renders (for fields a page does not show).
WTFORMS_KINDS = {
    "DateField": "date",
    "DutchDateField": "date",
    "TimeField": "time",
    "IntegerField": "number",
    "WholeNumberField": "number",
    "SelectField": "select",
    "RadioField": "radio",
    "SelectMultipleField": "checkbox",
    "CheckboxesField": "checkbox",
    "BooleanField": "checkbox",
    "HiddenField": "hidden",
    "PasswordField": "password",
    "TextAreaField": "textarea",
}


def fields_of(form: Form) -> list[Field]:
    fields: dict[str, Field] = {}
    for control in form.controls:
        if control.name == "csrf_token" or control.kind in SKIPPED_KINDS:
            continue
        known = fields.setdefault(
            control.name, Field(control.name, control.kind, [], maxlength=control.maxlength)
        )
        if control.id:
            known.ids.add(
                re.sub(r"-\d+$", "", control.id) if control.kind in ("radio", "checkbox") else control.id
            )
        known.options.extend(
            control.options or ([control.value] if control.kind in ("radio", "checkbox") else [])
        )
    return list(fields.values())


def browser_submission(form: Form) -> list[tuple[str, str]]:
    """What a browser sends for the form as shown (checked boxes, selected options, the first button)."""
    pairs: list[tuple[str, str]] = []
    button_sent = False
    for control in form.controls:
        if control.name == "csrf_token" or control.kind in SKIPPED_KINDS:
            continue
        if control.kind in ("checkbox", "radio"):
            if control.checked:
                pairs.append((control.name, control.value or "on"))
        elif control.kind == "select":
            chosen = control.selected or ([] if control.multiple else control.options[:1])
            pairs.extend((control.name, value) for value in chosen)
        elif control.kind == "button":
            if not button_sent:
                pairs.append((control.name, control.value))
                button_sent = True
        else:
            pairs.append((control.name, control.value))
    return pairs


def with_values(pairs, values: dict) -> list[tuple[str, object]]:
    """``pairs`` with each name in ``values`` replaced (a list: the name repeated; None: left out)."""
    result = [(name, value) for name, value in pairs if name not in values]
    for name, value in values.items():
        if value is None:
            continue
        for one in value if isinstance(value, list) else [value]:
            result.append((name, one))
    return result


def _encode(value) -> bytes:
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8", "surrogatepass")


def encode_body(pairs) -> bytes:
    return urlencode([(_encode(name), _encode(value)) for name, value in pairs]).encode("ascii")


# The scenarios: one per POST route --------------------------------------------------------------------------


@dataclass
class Scenario:
    """How to reach one form route with a valid submission.

    ``role`` is who sends it ("anonymous" for public pages); ``url`` and ``page`` (where the form is
    shown, default the route itself) take the world; ``setup`` puts the world in the state the form
    needs; ``valid`` gives the values a valid submission needs beyond what the page shows; ``expect`` is
    the status of that valid submission.
    """

    role: str
    url: Callable
    page: Callable | None = None
    setup: Callable | None = None
    valid: Callable | dict = field(default_factory=dict)
    expect: int = 302
    #: The form is on the answer to this (harness, world) call instead of on a page to GET.
    shown_by: Callable | None = None
    #: Sent as multipart (a file upload) with this file.
    upload: tuple[str, bytes] | None = None
    #: GET for a search form (the values go in the query string).
    method: str = "POST"


def _on_placement(**kw):
    """A placement of tenant A in onboarding since 23 February, its jobcoach assigned, the end near."""

    def setup(w):
        values = {
            "request": w.a.request,
            "status": "onboarding",
            "start_date": date(2026, 2, 23),
            "planned_end_date": date(2026, 3, 20),
            "actual_start_date": date(2026, 2, 23),
            "days_per_week": 3,
            "jobcoach_id": w.a.jobcoach.id,
        }
        values.update(kw)
        w.placement = factories.make_placement(w.a, **values)

    return setup


def _visit(w):
    _on_placement()(w)
    w.visit = factories.make_visit(w.placement, w.a.jobcoach)


def _task(w):
    _on_placement()(w)
    w.task = factories.make_task(w.placement)


def _consent(w):
    w.consent = factories.make_consent(w.a.candidate, employer=w.a.employer, recorded_by=w.a.municipal)


def _privacy_request(w):
    from portal.privacy.models import PrivacyRequest

    w.privacy_request = PrivacyRequest(
        municipality_id=w.a.municipality.id,
        candidate_id=w.a.candidate.id,
        kind="rectification",
        received_on=TODAY - timedelta(days=3),
        recorded_by_id=w.a.municipal.id,
    )
    db.session.add(w.privacy_request)
    db.session.flush()


def _in_aftercare(w):
    from portal.aftercare.models import CheckIn
    from portal.aftercare.planning import sync_checkins

    w.placement = factories.make_placement(
        w.a,
        request=w.a.request,
        status="nazorg",
        start_date=date(2025, 6, 2),
        planned_end_date=date(2025, 9, 1),
        actual_start_date=date(2025, 6, 2),
        days_per_week=3,
        jobcoach_id=w.a.jobcoach.id,
        contract_type="fixed_term",
        contract_hours=24,
        contract_start_date=date(2025, 9, 1),
    )
    sync_checkins(TODAY)
    w.checkin = db.session.scalar(
        sa.select(CheckIn).where(CheckIn.placement_id == w.placement.id).order_by(CheckIn.number)
    )


def _meeting(w):
    from tests.matching.conftest import shareable

    request = factories.make_request(
        w.a.workplace, created_by=w.a.employer_user, desired_start=date(2026, 4, 1)
    )
    w.proposal = factories.make_proposal(request, shareable(w.a), status="meeting", proposed_by=w.a.municipal)


def _draft_request(w):
    w.draft = factories.make_request(w.a.workplace, status="draft", created_by=w.a.employer_user)


def _invitation(w):
    from portal.core.tokens import new_token
    from portal.employers.models import Invitation

    w.invitation_token, hashed = new_token()
    w.invitation = Invitation(
        employer_id=w.a.employer.id,
        email="nieuwe.collega@test.werkbrug.nl",
        invited_by_id=w.a.employer_user.id,
        token_hash=hashed,
        expires_at=T0 + timedelta(days=7),
    )
    db.session.add(w.invitation)
    db.session.flush()


def _password_token(purpose):
    def setup(w):
        from portal.auth.models import PasswordToken
        from portal.core.tokens import new_token

        w.password_token, hashed = new_token()
        db.session.add(
            PasswordToken(
                user_id=w.a.jobcoach.id,
                purpose=purpose,
                token_hash=hashed,
                expires_at=T0 + timedelta(hours=1),
            )
        )
        db.session.flush()

    return setup


def _followup_link(w):
    """Tenant A's follow-up is due and its question went out: the employer's link works."""
    from portal.core.tokens import new_token
    from portal.journey.models import RetentionFollowUp

    w.followup_token, hashed = new_token()
    followup = db.session.get(RetentionFollowUp, w.a.followup.id)
    followup.due_on = TODAY - timedelta(days=1)
    followup.question_sent_at = T0 - timedelta(days=1)
    followup.token_hash = hashed
    followup.token_expires_at = T0 + timedelta(days=20)
    db.session.flush()


FOLLOWUP_ANSWER = {"still_employed": "ja", "hours_per_week": "24", "contract_extended": "ja"}


def _failed_message(w):
    from tests.admin.conftest import add_message

    w.message = add_message(w.a.municipality.id, 1, status="failed")


def _archived_workplace(w):
    w.workplace = factories.make_workplace(w.a.employer, archived_at=T0 - timedelta(days=1))


def _spare_workplace(w):
    w.workplace = factories.make_workplace(w.a.employer)


def _admin_without_types(w):
    """The form to add the default placement types shows only while a municipality has none."""
    w.login_user = factories.make_user("admin", factories.make_municipality())


def _inactive_user(w):
    w.user = factories.make_user("jobcoach", w.a.municipality, is_active=False)


def _feed(w):
    from portal.auth.models import User
    from portal.calendar.services import make_feed_token

    make_feed_token(db.session.get(User, w.a.municipal.id))


def _unasked(w):
    """A candidate that can be proposed but has not yet consented to sharing with the employer: a valid
    proposal records that consent (the consent fields of the propose form)."""
    w.candidate = factories.make_candidate(w.a.municipality)


def _import_csv() -> bytes:
    from tests.candidates.test_import import HEADER, ROW_1, csv_bytes

    return csv_bytes([HEADER, ROW_1])


def _import_preview(harness, w):
    """The confirm form is on the preview that uploading a file shows."""
    data = {"file": (io.BytesIO(_import_csv()), "kandidaten.csv"), "csrf_token": harness.client.token}
    return harness.client.raw.post("/kandidaten/importeren", data=data)


def _candidate_valid(w):
    from tests.candidates.conftest import candidate_data

    return candidate_data(screened_on="2026-03-09")


def _registration_valid(w):
    from tests.employers.conftest import registration_data

    return registration_data(w.a.municipality)


def _workplace_valid(w):
    from tests.employers.conftest import workplace_data

    return workplace_data()


def _request_valid(w):
    from tests.requests.conftest import request_data

    return request_data(w.a)


def _visit_valid(w):
    from tests.visits.conftest import valid_visit

    return valid_visit()


def _log_valid(w):
    from tests.placements.conftest import valid_log

    return valid_log()


def _checkin_valid(w):
    from tests.aftercare.nazorg import valid_checkin

    return valid_checkin(held_on=TODAY.isoformat())


def _proposed_exit(w):
    from portal.journey.models import Exit

    w.exit = Exit(
        municipality_id=w.a.municipality.id,
        candidate_id=w.a.placement.candidate_id,
        status="proposed",
        exit_on=date(2026, 3, 2),
        kind="work_parttime",
        placement_id=w.a.placement.id,
        employer_id=w.a.placement.employer_id,
        contract_type="fixed_term",
        hours_per_week=24,
    )
    db.session.add(w.exit)
    db.session.flush()


def _exit_page(w):
    return f"/kandidaten/{w.exit.candidate_id}/uitstroom/{w.exit.id}"


def _closed_dossier(w):
    """A candidate of tenant A who left the caseload a year ago: the dossier is closed."""
    w.closed = factories.make_candidate(w.a.municipality, stage="uitstroom", stage_since=date(2025, 3, 2))


def _second_specialist(w):
    from portal.candidates.models import Candidate

    db.session.get(Candidate, w.a.candidate.id).specialist_id = w.a.municipal.id
    db.session.flush()
    w.colleague = factories.make_user("municipal", w.a.municipality)


def _journey(w):
    return f"/kandidaten/{w.a.candidate.id}/traject"


def _password_only(path: str):
    """The form of the login's second step: the password was given, the code not yet (a half session)."""

    def shown_by(harness, w):
        user = getattr(w, "login_user", None) or w.a.jobcoach
        harness.client.post("/login", {"email": user.email, "password": factories.PASSWORD})
        return _keep_new_secret(w, harness.client.get(path))

    return shown_by


def _keep_new_secret(w, response):
    """Remember the secret an app-linking page shows, so the valid submission can give its code."""
    found = re.search(r'id="sleutel">([A-Z2-7 ]+)<', response.get_data(as_text=True))
    w.new_secret = found.group(1).replace(" ", "") if found else ""
    return response


def _without_app(w):
    w.login_user = factories.make_user("jobcoach", w.a.municipality, mfa=False)


def _recovery_codes(w):
    from portal.auth.services import renew_recovery_codes

    w.recovery_code = renew_recovery_codes(w.a.jobcoach)[0]


SCENARIOS: dict[str, Scenario] = {
    # Accounts
    "auth.login": Scenario(
        "anonymous",
        lambda w: "/login",
        valid=lambda w: {"email": w.a.jobcoach.email, "password": factories.PASSWORD},
    ),
    "auth.logout": Scenario("municipal", lambda w: "/logout", page=lambda w: "/"),
    "auth.forgot_password": Scenario(
        "anonymous", lambda w: "/wachtwoord-vergeten", valid=lambda w: {"email": w.a.jobcoach.email}
    ),
    "auth.reset_password": Scenario(
        "anonymous",
        lambda w: f"/wachtwoord-herstellen/{w.password_token}",
        setup=_password_token("reset"),
        valid={
            "password": "een nieuwe zin voor het werk",
            "password_confirm": "een nieuwe zin voor het werk",
        },
    ),
    "auth.setup_account": Scenario(
        "anonymous",
        lambda w: f"/account-activeren/{w.password_token}",
        setup=_password_token("setup"),
        valid={
            "password": "een nieuwe zin voor het werk",
            "password_confirm": "een nieuwe zin voor het werk",
        },
    ),
    "auth.change_password": Scenario(
        "municipal",
        lambda w: "/account/wachtwoord",
        page=lambda w: "/account",
        valid={
            "current_password": factories.PASSWORD,
            "new_password": "een nieuwe zin voor het werk",
            "new_password_confirm": "een nieuwe zin voor het werk",
        },
    ),
    "auth.update_profile": Scenario("municipal", lambda w: "/account/gegevens", page=lambda w: "/account"),
    "auth.mfa_code": Scenario(
        "anonymous",
        lambda w: "/inloggen/code",
        shown_by=_password_only("/inloggen/code"),
        valid=lambda w: {"code": factories.current_code()},
    ),
    "auth.mfa_recovery": Scenario(
        "anonymous",
        lambda w: "/inloggen/herstelcode",
        setup=_recovery_codes,
        shown_by=_password_only("/inloggen/herstelcode"),
        valid=lambda w: {"code": w.recovery_code},
    ),
    "auth.mfa_enrol": Scenario(
        "anonymous",
        lambda w: "/inloggen/app-koppelen",
        setup=_without_app,
        shown_by=_password_only("/inloggen/app-koppelen"),
        valid=lambda w: {"code": factories.current_code(w.new_secret)},
        expect=200,
    ),
    "auth.account_app": Scenario(
        "employer",
        lambda w: "/account/app-koppelen",
        shown_by=lambda harness, w: _keep_new_secret(w, harness.client.get("/account/app-koppelen")),
        valid=lambda w: {"code": factories.current_code(w.new_secret)},
        expect=200,
    ),
    "auth.renew_recovery_codes": Scenario(
        "municipal", lambda w: "/account/herstelcodes", page=lambda w: "/account", expect=200
    ),
    "auth.confirm": Scenario(
        "municipal",
        lambda w: "/bevestigen",
        # The login used the code of this time step: the app's next code is accepted (one step of drift).
        valid=lambda w: {"password": factories.PASSWORD, "code": factories.next_code()},
    ),
    # Employers
    "employers.register": Scenario("anonymous", lambda w: "/registreren", valid=_registration_valid),
    "employers.accept_invitation": Scenario(
        "anonymous",
        lambda w: f"/uitnodiging/{w.invitation_token}",
        setup=_invitation,
        valid={
            "full_name": "Nieuwe Collega",
            "password": "een nieuwe zin voor het werk",
            "password_confirm": "een nieuwe zin voor het werk",
        },
    ),
    "employers.decide": Scenario(
        "municipal",
        lambda w: f"/werkgevers/{w.a.pending_employer.id}/besluit",
        page=lambda w: f"/werkgevers/{w.a.pending_employer.id}",
        valid={"decision": "approve"},
    ),
    "employers.change_contact": Scenario(
        "municipal",
        lambda w: f"/werkgevers/{w.a.employer.id}/contactpersoon",
        page=lambda w: f"/werkgevers/{w.a.employer.id}",
    ),
    "employers.organisation": Scenario("employer", lambda w: "/organisatie"),
    "employers.workplace_new": Scenario("employer", lambda w: "/werkplekken/nieuw", valid=_workplace_valid),
    "employers.workplace_edit": Scenario("employer", lambda w: f"/werkplekken/{w.a.workplace.id}/bewerken"),
    "employers.workplace_archive": Scenario(
        "employer",
        lambda w: f"/werkplekken/{w.workplace.id}/archiveren",
        page=lambda w: "/werkplekken",
        setup=_spare_workplace,
    ),
    "employers.workplace_restore": Scenario(
        "employer",
        lambda w: f"/werkplekken/{w.workplace.id}/terugzetten",
        page=lambda w: "/werkplekken",
        setup=_archived_workplace,
    ),
    "employers.invite": Scenario(
        "employer",
        lambda w: "/collegas/uitnodigen",
        page=lambda w: "/collegas",
        valid={"email": "nieuwe.collega@test.werkbrug.nl"},
    ),
    "employers.revoke_invitation": Scenario(
        "employer",
        lambda w: f"/collegas/uitnodigingen/{w.invitation.id}/intrekken",
        page=lambda w: "/collegas",
        setup=_invitation,
    ),
    # Administration
    "admin.user_new": Scenario(
        "admin",
        lambda w: "/beheer/gebruikers/nieuw",
        valid={"full_name": "Nieuwe Collega", "email": "nieuw@test.werkbrug.nl", "role": "jobcoach"},
    ),
    "admin.user_deactivate": Scenario(
        "admin",
        lambda w: f"/beheer/gebruikers/{w.a.jobcoach.id}/deactiveren",
        page=lambda w: "/beheer/gebruikers",
    ),
    "admin.user_activate": Scenario(
        "admin",
        lambda w: f"/beheer/gebruikers/{w.user.id}/activeren",
        page=lambda w: "/beheer/gebruikers",
        setup=_inactive_user,
    ),
    "admin.user_reset_mfa": Scenario(
        "admin",
        lambda w: f"/beheer/gebruikers/{w.a.jobcoach.id}/inlogcode-resetten",
        page=lambda w: "/beheer/gebruikers?rol=jobcoach",
    ),
    "admin.security": Scenario("admin", lambda w: "/beheer/beveiliging"),
    "admin.outbox_retry": Scenario(
        "admin",
        lambda w: f"/beheer/e-mail/{w.message.id}/opnieuw",
        page=lambda w: "/beheer/e-mail",
        setup=_failed_message,
    ),
    "admin.outbox_retry_all": Scenario(
        "admin", lambda w: "/beheer/e-mail/opnieuw", page=lambda w: "/beheer/e-mail", setup=_failed_message
    ),
    "requests.types": Scenario("admin", lambda w: "/beheer/plaatsingsvormen", setup=_admin_without_types),
    "requests.type_edit": Scenario(
        "admin", lambda w: f"/beheer/plaatsingsvormen/{w.a.request.placement_type_id}"
    ),
    "aftercare.settings": Scenario("admin", lambda w: "/beheer/nazorg"),
    # Candidates
    "candidates.new": Scenario("municipal", lambda w: "/kandidaten/nieuw", valid=_candidate_valid),
    "candidates.edit": Scenario(
        "municipal", lambda w: f"/kandidaten/{w.a.candidate.id}/bewerken", valid={"screened_on": "2026-03-09"}
    ),
    "candidates.consent_new": Scenario(
        "municipal",
        lambda w: f"/kandidaten/{w.a.candidate.id}/toestemming",
        page=lambda w: f"/kandidaten/{w.a.candidate.id}",
        valid={"kind": "receive_data", "source": "coa_tvs", "method": "digital"},
    ),
    "candidates.set_availability": Scenario(
        "municipal",
        lambda w: f"/kandidaten/{w.a.candidate.id}/beschikbaarheid",
        page=lambda w: f"/kandidaten/{w.a.candidate.id}",
    ),
    "candidates.consent_withdraw": Scenario(
        "municipal",
        lambda w: f"/kandidaten/{w.a.candidate.id}/toestemming/{w.consent.id}/intrekken",
        page=lambda w: f"/kandidaten/{w.a.candidate.id}",
        setup=_consent,
    ),
    "candidates.import_upload": Scenario(
        "municipal",
        lambda w: "/kandidaten/importeren",
        expect=200,
        upload=("kandidaten.csv", b"voornaam;achternaam\r\nA;B\r\n"),
    ),
    "candidates.import_confirm": Scenario(
        "municipal", lambda w: "/kandidaten/importeren/bevestigen", shown_by=_import_preview
    ),
    # Requests about personal data
    "privacy.request_new": Scenario(
        "municipal",
        lambda w: f"/kandidaten/{w.a.candidate.id}/verzoeken/nieuw",
        valid={"verzoek-kind": "erasure"},
    ),
    "privacy.request_handled": Scenario(
        "admin",
        lambda w: f"/kandidaten/{w.a.candidate.id}/verzoeken/{w.privacy_request.id}/afgehandeld",
        page=lambda w: f"/kandidaten/{w.a.candidate.id}/inzage",
        setup=_privacy_request,
        valid=lambda w: {f"afhandeling-{w.privacy_request.id}-outcome": "Het adres is verbeterd."},
    ),
    # Requests and matching
    "requests.new": Scenario("employer", lambda w: "/aanvragen/nieuw", valid=_request_valid),
    "requests.edit": Scenario(
        "employer",
        lambda w: f"/aanvragen/{w.draft.id}/bewerken",
        setup=_draft_request,
        valid={"action": "save"},
    ),
    "requests.submit": Scenario(
        "employer",
        lambda w: f"/aanvragen/{w.draft.id}/indienen",
        page=lambda w: f"/aanvragen/{w.draft.id}",
        setup=_draft_request,
    ),
    "requests.take": Scenario(
        "municipal",
        lambda w: f"/aanvragen/{w.a.request.id}/in-behandeling",
        page=lambda w: f"/aanvragen/{w.a.request.id}",
    ),
    "requests.withdraw": Scenario(
        "employer",
        lambda w: f"/aanvragen/{w.a.request.id}/intrekken",
        page=lambda w: f"/aanvragen/{w.a.request.id}",
        valid={"reason": "De functie is vervallen."},
    ),
    "matching.propose": Scenario(
        "municipal",
        lambda w: f"/aanvragen/{w.a.request.id}/voorstellen",
        page=lambda w: f"/aanvragen/{w.a.request.id}/kandidaten",
        setup=_unasked,
        valid=lambda w: {
            "candidate_ids": str(w.candidate.id),
            "confirm_warnings": "y",
            "consent_given": "y",
            "consent_method": "conversation",
        },
    ),
    "matching.invite": Scenario(
        "employer",
        lambda w: f"/voorstellen/{w.proposal.id}/kennismaking",
        page=lambda w: f"/voorstellen/{w.proposal.id}",
        setup=_meeting,
        valid={"meeting_date": "2026-03-20", "meeting_time": "10:00", "meeting_place": "Kantoor"},
    ),
    "matching.decline": Scenario(
        "employer",
        lambda w: f"/voorstellen/{w.proposal.id}/afwijzen",
        page=lambda w: f"/voorstellen/{w.proposal.id}",
        setup=_meeting,
        valid={"reason": "language"},
    ),
    "matching.accept": Scenario(
        "employer",
        lambda w: f"/voorstellen/{w.proposal.id}/aannemen",
        page=lambda w: f"/voorstellen/{w.proposal.id}",
        setup=_meeting,
    ),
    "matching.withdraw": Scenario(
        "municipal",
        lambda w: f"/voorstellen/{w.a.proposal.id}/intrekken",
        page=lambda w: f"/voorstellen/{w.a.proposal.id}",
    ),
    # Placements, visits, tasks
    "placements.start": Scenario(
        "municipal",
        lambda w: f"/plaatsingen/{w.a.placement.id}/starten",
        page=lambda w: f"/plaatsingen/{w.a.placement.id}",
    ),
    "placements.assign_jobcoach": Scenario(
        "municipal",
        lambda w: f"/plaatsingen/{w.placement.id}/jobcoach",
        page=lambda w: f"/plaatsingen/{w.placement.id}",
        setup=_on_placement(jobcoach_id=None),
        valid=lambda w: {"jobcoach_id": str(w.a.jobcoach.id)},
    ),
    "placements.log_week": Scenario(
        "employer",
        lambda w: f"/plaatsingen/{w.placement.id}/week/2026-03-02",
        setup=_on_placement(),
        valid=_log_valid,
    ),
    "ending.decide": Scenario(
        "municipal",
        lambda w: f"/plaatsingen/{w.placement.id}/besluit",
        setup=_on_placement(),
        valid={
            "kind": "contract",
            "contract_type": "fixed_term",
            "contract_hours": "24",
            "contract_start": "2026-03-23",
        },
    ),
    "ending.preference": Scenario(
        "employer",
        lambda w: f"/plaatsingen/{w.placement.id}/voorkeur",
        page=lambda w: f"/plaatsingen/{w.placement.id}",
        setup=_on_placement(),
        valid={"preference": "contract"},
    ),
    "ending.dropout": Scenario(
        "municipal",
        lambda w: f"/plaatsingen/{w.placement.id}/uitval",
        setup=_on_placement(),
        valid={"reason": "health", "text": "De kandidaat is ziek geworden."},
    ),
    "visits.new": Scenario(
        "jobcoach",
        lambda w: f"/plaatsingen/{w.placement.id}/bezoeken/nieuw",
        setup=_on_placement(),
        valid=_visit_valid,
    ),
    "visits.confirm": Scenario(
        "employer",
        lambda w: f"/bezoeken/{w.visit.id}/bevestigen",
        page=lambda w: f"/plaatsingen/{w.placement.id}",
        setup=_visit,
    ),
    "tasks.complete": Scenario(
        "employer",
        lambda w: f"/taken/{w.task.id}/gedaan",
        page=lambda w: "/taken",
        setup=_task,
    ),
    # Aftercare, alerts, calendar
    "aftercare.contract": Scenario(
        "municipal",
        lambda w: f"/plaatsingen/{w.placement.id}/contract",
        page=lambda w: f"/plaatsingen/{w.placement.id}",
        setup=_in_aftercare,
        valid={"contract_hours": "32"},
    ),
    "aftercare.checkin": Scenario(
        "municipal",
        lambda w: f"/plaatsingen/{w.placement.id}/nazorg/{w.checkin.id}",
        setup=_in_aftercare,
        valid=_checkin_valid,
    ),
    "aftercare.outcome": Scenario(
        "municipal",
        lambda w: f"/plaatsingen/{w.placement.id}/nazorg/afronden",
        setup=_in_aftercare,
        valid={"outcome": "employed", "contract_type": "fixed_term", "hours": "24"},
    ),
    "followups.record": Scenario(
        "municipal", lambda w: f"/navraag/{w.a.followup.id}/antwoord", valid=FOLLOWUP_ANSWER
    ),
    "followups.answer": Scenario(
        "anonymous", lambda w: f"/navraag/{w.followup_token}", setup=_followup_link, valid=FOLLOWUP_ANSWER
    ),
    "alerts.acknowledge": Scenario(
        "municipal", lambda w: f"/signalen/{w.a.alert.id}/oppakken", page=lambda w: "/signalen?wie=alle"
    ),
    "alerts.resolve": Scenario(
        "municipal",
        lambda w: f"/signalen/{w.a.alert.id}/afhandelen",
        valid={"note": "Gebeld met de werkgever."},
    ),
    "monitoring.export": Scenario(
        "municipal",
        lambda w: "/monitoring/export",
        page=lambda w: "/monitoring",
        valid={"lijst": "cijfers", "formaat": "csv"},
        expect=200,
    ),
    "calendar.reset": Scenario(
        "municipal", lambda w: "/agenda/nieuw-adres", page=lambda w: "/agenda", expect=303
    ),
    "calendar.stop": Scenario(
        "municipal", lambda w: "/agenda/stoppen", page=lambda w: "/agenda", setup=_feed
    ),
    # The journey, the caseload and the team settings
    "journey.stage_new": Scenario(
        "municipal", lambda w: f"{_journey(w)}/fase", page=_journey, valid={"stage": "klantbeeld"}
    ),
    "journey.screening_new": Scenario(
        "municipal",
        lambda w: f"{_journey(w)}/screening",
        page=_journey,
        valid={"instrument": "noa", "outcome": "Kan met wat hulp aan het werk."},
    ),
    "journey.plan_save": Scenario(
        "municipal",
        lambda w: f"{_journey(w)}/plan",
        page=_journey,
        valid=lambda w: {"agreed_by_id": str(w.a.municipal.id)},
    ),
    "journey.plan_step": Scenario(
        "municipal",
        lambda w: f"{_journey(w)}/plan/stap",
        page=_journey,
        valid={"from_level": "c", "to_level": "b"},
    ),
    "journey.specialist": Scenario(
        "municipal",
        lambda w: f"/kandidaten/{w.a.candidate.id}/specialist",
        page=_journey,
        valid=lambda w: {"specialist_id": str(w.a.municipal.id)},
    ),
    "journey.exit_new": Scenario(
        "municipal",
        lambda w: f"/kandidaten/{w.a.candidate.id}/uitstroom",
        page=_journey,
        valid={"kind": "work_parttime", "employer_name": "Bakkerij De Korenschoof", "hours_per_week": "24"},
    ),
    "journey.exit_confirm": Scenario("municipal", _exit_page, setup=_proposed_exit),
    "journey.exit_dismiss": Scenario(
        "municipal", lambda w: f"{_exit_page(w)}/niet-van-toepassing", page=_exit_page, setup=_proposed_exit
    ),
    "journey.reassign": Scenario(
        "municipal",
        lambda w: "/caseload/overdragen",
        page=lambda w: f"/caseload/overdragen?van={w.a.municipal.id}",
        setup=_second_specialist,
        valid=lambda w: {"to_specialist_id": str(w.colleague.id), "candidate_ids": str(w.a.candidate.id)},
    ),
    "journey.team_settings": Scenario("admin", lambda w: "/team/instellingen"),
    "journey.retention": Scenario(
        "municipal",
        lambda w: f"/kandidaten/{w.closed.id}/bewaartermijn",
        setup=_closed_dossier,
        valid={"reason": "Er loopt nog een bezwaar."},
    ),
}


def post_endpoints(app) -> set[str]:
    return {rule.endpoint for rule, method in iter_routes(app) if method == "POST"}


def test_every_post_route_has_a_scenario(app):
    """A new form route must be added to SCENARIOS, so hostile input reaches it too."""
    assert sorted(post_endpoints(app) - set(SCENARIOS)) == []
    assert sorted(set(SCENARIOS) - post_endpoints(app)) == []


def test_every_scenario_posts_as_a_role_the_route_allows():
    for endpoint, scenario in SCENARIOS.items():
        policy = POLICY[endpoint]
        if policy == ("public",):
            assert scenario.role == "anonymous", endpoint
        elif policy == ("login",):
            assert scenario.role != "anonymous", endpoint
        elif policy == ("pending",):
            assert scenario.role != "anonymous" or scenario.shown_by is not None, endpoint
        else:
            assert scenario.role in policy[1:], endpoint


# Running submissions ----------------------------------------------------------------------------------------


class Harness:
    """One route of one scenario: the world in its state, a browser on the form, and submissions that are
    each rolled back. ``problems`` collects everything that went wrong, with the submission that did it."""

    def __init__(self, app, make_client, caplog, seed, endpoint: str, scenario: Scenario | None = None):
        self.app, self.caplog, self.endpoint = app, caplog, endpoint
        self.scenario = scenario or SCENARIOS[endpoint]
        self.problems: list[str] = []
        self.w = SimpleNamespace(a=seed.a, b=seed.b, seed=seed)
        self.client = make_client()
        self.connection = db.state.connection
        self._route = None
        self._last = None

    # Savepoints: every route starts from the seed, every submission from the route's state.

    def __enter__(self):
        db.session.commit()
        db.session.remove()
        self._route = self.connection.begin_nested()
        if self.scenario.setup:
            self.scenario.setup(self.w)
        db.session.commit()
        role = self.scenario.role
        if role != "anonymous":
            self.client.login(getattr(self.w, "login_user", None) or self.w.a.user(role))
        self.url = self.scenario.url(self.w)
        self.form = self._load_form()
        db.session.commit()
        db.session.remove()
        if self.form is not None:
            self.fields += self._fields_only_the_form_class_has()
        return self

    def __exit__(self, *exc):
        db.session.remove()
        self._route.rollback()

    def _load_form(self) -> Form | None:
        page = self.scenario.page
        if self.scenario.shown_by:
            response, page_path = self.scenario.shown_by(self, self.w), self.url
        else:
            page_path = page(self.w) if page else self.url
            response = self.client.get(page_path)
        html = response.get_data(as_text=True)
        self.cookie = self.client.get_cookie(self.app.config["SESSION_COOKIE_NAME"])
        self.token = self.client.token
        form = find_form(html, urlsplit(page_path).path, self.url, self.scenario.method)
        if form is None:
            self.problems.append(f"{self.endpoint}: no form posting to {self.url} on {page_path}")
            return None
        self.fields = fields_of(form)
        valid = self.scenario.valid(self.w) if callable(self.scenario.valid) else self.scenario.valid
        self.baseline = with_values(browser_submission(form), valid)
        return form

    def _fields_only_the_form_class_has(self) -> list[Field]:
        """Fields of the WTForms form the view reads the post with that the page does not show (now)."""
        from flask_wtf import FlaskForm

        bound: list = []
        original = FlaskForm.__init__

        def spy(form, *args, **kwargs):
            original(form, *args, **kwargs)
            if not args and "formdata" not in kwargs:
                bound.append(form)

        FlaskForm.__init__ = spy
        try:
            self.submit(self.baseline, "valid, to see the form class")
        finally:
            FlaskForm.__init__ = original
        shown = {one.name for one in self.fields} | {"csrf_token"}
        extra = {}
        for form in bound:
            for wtf_field in form:
                name = wtf_field.name  # with the form's prefix, as a browser sends it
                if name not in shown and name not in extra:
                    options = [
                        str(getattr(choice, "value", None) if hasattr(choice, "value") else choice[0])
                        for choice in getattr(wtf_field, "choices", None) or ()
                    ]
                    extra[name] = Field(name, WTFORMS_KINDS.get(wtf_field.type, "text"), options)
        return list(extra.values())

    def value_of(self, name: str):
        return next((value for key, value in self.baseline if key == name), "")

    # One submission.

    def submit(self, pairs, label: str, after: Callable | None = None):
        """Post ``pairs`` (plus the CSRF token); record any problem; undo whatever it changed."""
        if self.form is None:
            return None
        if self.cookie is not None:
            self.client.set_cookie(self.cookie.key, self.cookie.value)
        db.session.remove()  # the session's own savepoint must start inside the submission's
        savepoint = self.connection.begin_nested()
        first_record = len(self.caplog.records)
        where = f"{self.endpoint} [{label}]"
        response = None
        try:
            response = self._last = self._post(pairs)
            self._check(response, pairs, where)
            if after is not None:
                after(where)
        except Exception as exc:  # noqa: BLE001 - every failure is reported with the submission
            self.problems.append(f"{where}:{_exception((type(exc), exc, exc.__traceback__))}")
        finally:
            db.session.remove()
            savepoint.rollback()
        for record in self.caplog.records[first_record:]:
            if record.levelno >= logging.ERROR:
                self.problems.append(
                    f"{where}: logged {record.getMessage()[:100]!r}{_exception(record.exc_info)}"
                )
        return response

    def _post(self, pairs):
        if self.scenario.method == "GET":
            return self.client.raw.get(self.url, query_string=encode_body(pairs).decode("ascii"))
        pairs = [("csrf_token", self.token), *pairs]
        if self.scenario.upload:
            name, content = self.scenario.upload
            data = MultiDict([(k, _encode(v).decode("utf-8", "replace")) for k, v in pairs])
            data.add("file", (io.BytesIO(content), name))
            return self.client.raw.post(self.url, data=data, content_type="multipart/form-data")
        return self.client.raw.post(
            self.url, data=encode_body(pairs), content_type="application/x-www-form-urlencoded"
        )

    def _check(self, response, pairs, where: str):
        if response.status_code not in ALLOWED_STATUS:
            self.problems.append(f"{where}: HTTP {response.status_code}")
        sent = {value for _, value in pairs if isinstance(value, str)}
        payloads = [p for p in HTML_PAYLOADS if any(p in value for value in sent)]
        if not payloads:
            return
        bodies = [response.get_data(as_text=True)]
        if response.status_code in (302, 303) and response.headers["Location"].startswith("/"):
            bodies.append(self.client.raw.get(response.headers["Location"]).get_data(as_text=True))
        for body in bodies:
            for payload in payloads:
                if payload in body:
                    self.problems.append(f"{where}: the HTML payload {payload!r} came back unescaped")

    # What is sent.

    def check_baseline(self) -> None:
        """The valid submission gets through: so every hostile value below reaches the service behind it."""
        if self.form is None:
            return
        response = self.submit(self.baseline, "valid", after=self._no_refusal)
        if response is not None and response.status_code != self.scenario.expect:
            html = response.get_data(as_text=True)
            errors = form_errors_in(html) or re.findall(r"utrecht-alert[^>]*>(.*?)</div", html, re.S)[:3]
            status = response.status_code
            self.problems.append(
                f"{self.endpoint} [valid]: expected {self.scenario.expect}, got {status} {errors}"
            )

    def _no_refusal(self, where: str) -> None:
        """A valid submission that redirects must not be refused with an error message on the next page."""
        location = self._last.headers.get("Location", "") if self._last is not None else ""
        if self._last.status_code == 302 and location.startswith("/"):
            html = self.client.raw.get(location).get_data(as_text=True)
            refusals = re.findall(r"utrecht-alert--error.*?</strong>(.*?)</p>", html, re.S)
            if refusals:
                self.problems.append(f"{where}: refused after the redirect: {refusals}")

    def send_hostile_values(self) -> None:
        """Each shape in every field at once; then again in the fields that took it without a field error
        (the others valid again), until the form lets it through to the service or refuses it there. A
        service refusal is retried one field at a time, and so is a failure (to name the field)."""
        if self.form is None or not self.fields:
            return
        by_name = {one.name: one for one in self.fields}
        for label, make in SHAPES:
            hostile = {one.name: make(one, self.value_of(one.name)) for one in self.fields}
            hostile = {name: value for name, value in hostile.items() if value is not KEEP}
            for _ in range(4):
                before = len(self.problems)
                names = ", ".join(hostile) if len(hostile) < len(self.fields) else "every field"
                response = self.submit(with_values(self.baseline, hostile), f"{label} in {names:.120}")
                failed = len(self.problems) > before
                if not failed and response is not None and response.status_code == 413:
                    self._one_by_one(hostile, label)  # too many values at once: one field at a time
                    break
                if not failed and (response is None or response.status_code != 200):
                    break  # through to the service (or refused before the form, e.g. 404)
                html = "" if failed else response.get_data(as_text=True)
                rejected = {name for name in hostile if by_name[name].has_error(html)}
                if failed or not rejected:
                    self._one_by_one(hostile, label)
                    break
                hostile = {name: value for name, value in hostile.items() if name not in rejected}
                if not hostile:
                    break

    def send_each_option(self) -> None:
        """Every option of every choice (another decision, outcome or risk takes another branch of the
        form and the service), alone and with far dates and extreme numbers in the other fields."""
        if self.form is None:
            return
        dates = [one.name for one in self.fields if one.kind == "date"]
        numbers = [one.name for one in self.fields if one.kind in ("number", "range")]
        extremes = [
            ("", {}),
            (" en jaar 1", dict.fromkeys(dates, "0001-01-01")),
            (" en jaar 9999", dict.fromkeys(dates, "9999-12-31")),
            (" en 2**31", dict.fromkeys(numbers, str(2**31))),
        ]
        for one in self.fields:
            if not one.is_choice or one.is_id or REPEATED_ROW.search(one.name):
                continue
            options = list(dict.fromkeys(one.options))
            for option in options:
                if not option or (option == self.value_of(one.name) and one.kind != "checkbox"):
                    continue
                for label, others in extremes:
                    if label and (not others or len(options) > BRANCHING_OPTIONS):
                        continue
                    values = {**others, one.name: option}
                    self.submit(with_values(self.baseline, values), f"{one.name}={option}{label}")

    def _one_by_one(self, hostile: dict, label: str) -> None:
        if len(hostile) > 1:
            for name, value in hostile.items():
                self.submit(with_values(self.baseline, {name: value}), f"{label} in {name}")

    def send_privileged_fields(self) -> None:
        """AZ-5: extra privileged fields change no column; other tenants' ids in id fields change nothing."""
        if self.form is None:
            return
        names = {one.name for one in self.fields}
        extra = {name: value for name, value in privileged_fields(self.w.b).items() if name not in names}
        before = _tenant_b_snapshot(self.w.seed)
        check = self._changes_nothing(before)
        self.submit(with_values(self.baseline, extra), "privileged fields", after=check)
        for one in self.fields:
            if one.is_id and self.scenario.role != "anonymous":  # a visitor may register anywhere
                for other in foreign_ids(one.name, self.w.b):
                    self.submit(
                        with_values(self.baseline, {one.name: str(other)}), f"{one.name}=tenant B", check
                    )

    def _changes_nothing(self, before):
        def check(where: str) -> None:
            db.session.expire_all()
            if _tenant_b_snapshot(self.w.seed) != before:
                self.problems.append(f"{where}: a row of tenant B changed")
            for link in cross_tenant_links(self.w.seed):
                self.problems.append(f"{where}: {link}")
            for found in marked_columns():
                self.problems.append(f"{where}: {found}")

        return check

    def send_random(self, examples: int) -> None:
        if self.form is None or examples <= 0:
            return

        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(st.data())
        def run(data):
            changes = {}
            for one in self.fields:
                change = data.draw(field_change(one), label=one.name)
                if change is not KEEP:
                    changes[one.name] = change
            self.submit(with_values(self.baseline, changes), f"random {changes!r:.300}")

        run()


def _exception(exc_info) -> str:
    """`` TypeError: ... at portal/x.py:12``: the exception and the last line of our code it passed."""
    if not exc_info or exc_info[1] is None:
        return ""
    kind, exc, tb = exc_info
    frames = traceback.extract_tb(tb)
    origin = next((f for f in reversed(frames) if "/portal/" in f.filename), frames[-1] if frames else None)
    place = f" at {origin.filename.split('/portal/')[-1]}:{origin.lineno}" if origin else ""
    return f" {kind.__name__}: {str(exc)[:160]}{place}"


# Hostile shapes ---------------------------------------------------------------------------------------------


def everywhere(value):
    return lambda one, valid: value


def around_valid(before: str = "", after: str = ""):
    """The valid value with something before or after it: it may pass a format check (a KvK number,
    a web address) and so reach the database."""
    return lambda one, valid: f"{before}{valid}{after}" if isinstance(valid, str) and valid else KEEP


def at_maxlength(front: bool):
    """The valid value padded to the field's maxlength: the most a form lets through, after which any
    normalisation (a scheme added, spaces removed) must still fit the column."""

    def make(one, valid):
        if not one.maxlength or not isinstance(valid, str) or not valid or len(valid) >= one.maxlength:
            return KEEP
        padding = "7" * (one.maxlength - len(valid))
        return padding + valid if front else valid + padding

    return make


def _twice(first, second):
    return lambda one, valid: [valid if first is None else first, valid if second is None else second]


#: (label, value for a field given its valid value): KEEP keeps the valid value, None leaves the field out.
SHAPES = [
    ("10.000 tekens", everywhere(LONG)),
    ("NUL", everywhere("a\x00b")),
    ("losse surrogaat", everywhere(SURROGATE)),
    ("geen UTF-8", everywhere(INVALID_UTF8)),
    ("HTML", everywhere(SCRIPT)),
    ("HTML-attribuut", everywhere(IMG)),
    ("RTL en emoji", everywhere("\u202eكلمة عربية 👷🏽\u200d♀️ Ünïcødé")),
    ("SQL", everywhere("' OR '1'='1' --")),
    ("haken in URL", everywhere("https://[x]")),
    ("haak achter URL", everywhere("www.bedrijf.nl]")),
    ("sjabloon en stuurtekens", everywhere("{{ 7*7 }}%s%n{0}\u2028\ufeff\x1b[31m")),
    ("spaties", everywhere("   ")),
    ("10**30", everywhere(str(10**30))),
    ("-2**63", everywhere(str(-(2**63)))),
    ("-1", everywhere("-1")),
    ("1e309", everywhere("1e309")),
    ("jaar 1", everywhere("0001-01-01")),
    ("jaar 9999", everywhere("9999-12-31")),
    ("30 februari", everywhere("2026-02-30")),
    ("24:00", everywhere("24:00")),
    ("geldig + NUL", around_valid(after="\x00")),
    ("geldig + enter", around_valid(after="\n")),
    ("geldig + surrogaat", around_valid(after="\udc80")),
    ("RTL + geldig", around_valid(before="\u202e")),
    ("maximale lengte, voor", at_maxlength(front=True)),
    ("maximale lengte, achter", at_maxlength(front=False)),
    ("onbekende keuze", everywhere("gehackt")),
    ("twee keer goed", _twice(None, None)),
    ("300 keer goed", lambda one, valid: [valid] * 300 if one.is_choice and valid else KEEP),
    ("goed en onbekend", _twice(None, "gehackt")),
    ("onbekend en goed", _twice("gehackt", None)),
    ("leeg", everywhere("")),
    ("ontbreekt", everywhere(None)),
]


def _ids(other) -> dict[str, int]:
    return {
        "municipality": other.municipality.id,
        "employer": other.employer.id,
        "workplace": other.workplace.id,
        "candidate": other.candidate.id,
        "request": other.request.id,
        "placement_type": other.request.placement_type_id,
        "type": other.request.placement_type_id,
        "contact": other.municipal.id,
        "jobcoach": other.jobcoach.id,
        "user": other.municipal.id,
        "proposal": other.proposal.id,
        "placement": other.placement.id,
    }


def foreign_ids(name: str, other) -> list[int]:
    """Tenant B's ids for an id field: the object it names, or every kind when the name says nothing."""
    ids = _ids(other)
    kind = re.sub(r"_ids?$", "", name)
    return [ids[kind]] if kind in ids else sorted(set(ids.values()))


def privileged_fields(other) -> dict[str, str]:
    """The fields no form may take (AZ-5): ids point at tenant B, other values are markers."""
    ids = _ids(other)
    return {
        "role": "admin",
        "is_admin": "y",
        "municipality_id": str(ids["municipality"]),
        "employer_id": str(ids["employer"]),
        "coach_id": str(ids["jobcoach"]),
        "jobcoach_id": str(ids["jobcoach"]),
        "contact_id": str(ids["contact"]),
        "consent_given": "y",
        "status": MARKER,
        "owner_id": str(ids["user"]),
        "created_by": str(ids["user"]),
        "created_by_id": str(ids["user"]),
        "deleted_at": MARKER_DAY.isoformat(),
        "archived_at": MARKER_DAY.isoformat(),
        "candidate_id": str(ids["candidate"]),
        "placement_id": str(ids["placement"]),
        "request_id": str(ids["request"]),
        "workplace_id": str(ids["workplace"]),
        "id": str(ids["placement"]),
        "pseudonym": MARKER,
        "password_hash": MARKER,
        "login_token": MARKER,
        "token_hash": MARKER,
    }


def cross_tenant_links(seed) -> list[str]:
    """Rows of tenant A that point at a row of tenant B (through any foreign key)."""
    found = []
    a, b = seed.a.municipality.id, seed.b.municipality.id
    for table in Base.metadata.sorted_tables:
        if table.name in NOT_SNAPSHOTTED:
            continue
        for fk in table.foreign_keys:
            parent = fk.column.table
            if parent.name in NOT_SNAPSHOTTED:
                continue
            query = (
                sa.select(sa.func.count())
                .select_from(table)
                .where(_owned_by(table, a), fk.parent.in_(sa.select(fk.column).where(_owned_by(parent, b))))
            )
            if db.session.scalar(query):
                found.append(f"{table.name}.{fk.parent.name} of tenant A points at tenant B")
    return found


def _python_type(kind):
    if isinstance(kind, sa.types.TypeDecorator):
        kind = kind.impl_instance
    if isinstance(kind, sa.JSON):
        return None
    try:
        return kind.python_type
    except NotImplementedError:
        return None


def marked_columns() -> list[str]:
    """Columns that took a privileged marker value (a string or the marker day) from a form."""
    found = []
    for table in Base.metadata.sorted_tables:
        conditions = []
        for column in table.columns:
            python_type = _python_type(column.type)
            if python_type is str:
                conditions.append(column == MARKER)
            elif python_type is datetime:
                day = datetime(MARKER_DAY.year, MARKER_DAY.month, MARKER_DAY.day, tzinfo=UTC)
                conditions.append(column.between(day, day + timedelta(days=1)))
            elif python_type is date:
                conditions.append(column == MARKER_DAY)
        if conditions and db.session.scalar(
            sa.select(sa.func.count()).select_from(table).where(sa.or_(*conditions))
        ):
            found.append(f"{table.name} holds a privileged marker value")
    return found


KEEP = object()
hostile_text = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(categories=["Cs", "Cc", "Cf", "Zl", "Zp", "Co"]), min_size=1, max_size=8),
    st.sampled_from([SCRIPT, IMG, LONG, "https://[x]", "www.bedrijf.nl]", "' OR 1=1 --", "a\x00b"]),
    st.binary(min_size=1, max_size=12),
)
hostile_number = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-3, max_value=120).map(str),
)
hostile_date = st.one_of(
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
    st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)).map(date.isoformat),
    st.from_regex(r"\A-?[0-9]{1,6}-[0-9]{1,3}-[0-9]{1,3}\Z"),
)


def field_change(one: Field):
    """KEEP the valid value, leave the field out (None), or send one or more hostile values."""
    values = [hostile_text, hostile_number]
    if one.kind == "date":
        values.insert(0, hostile_date)
    if one.is_choice and one.options:
        values.insert(0, st.sampled_from(one.options))
    single = st.one_of(*values)
    return st.one_of(
        st.just(KEEP),
        st.just(None),
        single,
        st.lists(single, min_size=2, max_size=3),
    )


# The tests --------------------------------------------------------------------------------------------------

GROUPS = sorted({endpoint.split(".")[0] for endpoint in SCENARIOS})


@pytest.fixture
def frozen_seed(app, time_machine, monkeypatch, _db):
    """The two tenants on Tuesday 10 March 2026. New passwords are hashed cheaply here: thousands of
    submissions choose one, and what is tested is the form, not the hashing."""
    time_machine.move_to(T0, tick=False)
    monkeypatch.setitem(app.config, "ARGON2_TIME_COST", 1)
    monkeypatch.setitem(app.config, "ARGON2_MEMORY_KIB", 1024)
    return factories.two_tenants()


def run_group(group, app, make_client, caplog, seed, steps) -> list[str]:
    problems = []
    for endpoint in sorted(e for e in SCENARIOS if e.split(".")[0] == group):
        with Harness(app, make_client, caplog, seed, endpoint) as harness:
            for step in steps:
                step(harness)
        problems += harness.problems
    return problems


@pytest.mark.parametrize("group", GROUPS)
def test_a_valid_submission_gets_through(app, make_client, caplog, frozen_seed, group):
    """Each scenario's valid submission is accepted: the hostile values below reach the services."""
    problems = run_group(group, app, make_client, caplog, frozen_seed, [Harness.check_baseline])
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("group", GROUPS)
def test_hostile_values_in_every_field_never_break_a_form(app, make_client, caplog, frozen_seed, group):
    steps = [Harness.send_hostile_values, Harness.send_each_option, Harness.send_privileged_fields]
    problems = run_group(group, app, make_client, caplog, frozen_seed, steps)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("group", GROUPS)
def test_random_submissions_never_break_a_form(app, make_client, caplog, frozen_seed, group):
    steps = [lambda harness: harness.send_random(RANDOM_EXAMPLES)]
    problems = run_group(group, app, make_client, caplog, frozen_seed, steps)
    assert not problems, "\n".join(problems)


#: The search and filter forms (GET): who sees them and where.
SEARCH_FORMS = {
    "employers.index": Scenario("municipal", lambda w: "/werkgevers", method="GET", expect=200),
    "candidates.index": Scenario("municipal", lambda w: "/kandidaten", method="GET", expect=200),
    "requests.index": Scenario("municipal", lambda w: "/aanvragen", method="GET", expect=200),
    "admin.users": Scenario("admin", lambda w: "/beheer/gebruikers", method="GET", expect=200),
    "admin.audit": Scenario("admin", lambda w: "/beheer/logboek", method="GET", expect=200),
    "monitoring.index": Scenario("municipal", lambda w: "/monitoring", method="GET", expect=200),
    "monitoring.candidates": Scenario(
        "municipal",
        lambda w: "/monitoring/kandidaten",
        page=lambda w: "/monitoring/kandidaten?fase=aanmelding&basis=caseload&specialist=geen",
        method="GET",
        expect=200,
    ),
    "monitoring.placements": Scenario(
        "admin",
        lambda w: "/monitoring/plaatsingen",
        page=lambda w: "/monitoring/plaatsingen?status=interrupted&reden=language&soort=1",
        method="GET",
        expect=200,
    ),
    "journey.reassign": Scenario("municipal", lambda w: "/caseload/overdragen", method="GET", expect=200),
    "followups.index": Scenario("municipal", lambda w: "/navraag", method="GET", expect=200),
}


def test_every_search_form_is_attacked(app, seed, login_as):
    """A page with a GET form (a search or filter), for any role, must be listed in SEARCH_FORMS."""
    from tests.test_access import build_url

    clients = {role: login_as(seed.a.user(role)) for role in ROLES}
    missing = []
    for rule, method in iter_routes(app):
        policy = POLICY[rule.endpoint]
        if method != "GET" or policy[0] != "roles" or rule.endpoint in SEARCH_FORMS:
            continue
        for role in policy[1:]:
            parser = FormParser(rule.rule)
            parser.feed(clients[role].get(build_url(app, rule, seed.a)).get_data(as_text=True))
            if any(form.method == "GET" for form in parser.forms):
                missing.append((rule.endpoint, role))
    assert missing == []


def test_hostile_values_in_search_forms_never_break_a_page(app, make_client, caplog, frozen_seed):
    problems = []
    for endpoint, scenario in SEARCH_FORMS.items():
        with Harness(app, make_client, caplog, frozen_seed, endpoint, scenario) as harness:
            harness.check_baseline()
            harness.send_hostile_values()
            for label, make in SHAPES:
                value = make(Field("page", "number", []), "2")
                if value is not KEEP:
                    harness.submit(with_values(harness.baseline, {"page": value}), f"page={label}")
        problems += harness.problems
    assert not problems, "\n".join(problems)


def test_the_mass_assignment_checks_notice_a_change(frozen_seed):
    """The AZ-5 checks above are not empty: a marker value or a link to tenant B is found."""
    from portal.employers.models import Employer, Workplace
    from portal.placements.models import Placement

    assert cross_tenant_links(frozen_seed) == []
    assert marked_columns() == []
    db.session.get(Placement, frozen_seed.a.placement.id).jobcoach_id = frozen_seed.b.jobcoach.id
    db.session.get(Employer, frozen_seed.a.employer.id).name = MARKER
    db.session.get(Workplace, frozen_seed.a.workplace.id).archived_at = datetime(2000, 1, 1, 12, tzinfo=UTC)
    db.session.flush()
    assert cross_tenant_links(frozen_seed) == ["placements.jobcoach_id of tenant A points at tenant B"]
    assert marked_columns() == [
        "employers holds a privileged marker value",
        "workplaces holds a privileged marker value",
    ]
