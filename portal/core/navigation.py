"""Per-role navigation and template helpers for forms."""

from __future__ import annotations

from flask import Flask, current_app
from flask_login import current_user

#: Menu per role: (endpoint, Dutch label). Only endpoints the role may open.
NAVIGATION = {
    "employer": (
        ("main.home", "Overzicht"),
        ("requests.index", "Aanvragen"),
        ("placements.index", "Plaatsingen"),
        ("tasks.index", "Taken"),
        ("employers.workplaces", "Werkplekken"),
        ("employers.colleagues", "Collega's"),
        ("employers.organisation", "Mijn organisatie"),
        ("auth.account", "Mijn account"),
    ),
    "municipal": (
        ("main.home", "Overzicht"),
        ("requests.index", "Aanvragen"),
        ("candidates.index", "Kandidaten"),
        ("journey.caseload", "Caseload"),
        ("placements.index", "Plaatsingen"),
        ("tasks.index", "Taken"),
        ("alerts.index", "Signalen"),
        ("followups.index", "Navraag"),
        ("employers.registrations", "Aanmeldingen"),
        ("employers.index", "Werkgevers"),
        ("calendar.index", "Agenda"),
        ("monitoring.index", "Cijfers"),
        ("auth.account", "Mijn account"),
    ),
    "jobcoach": (
        ("main.home", "Overzicht"),
        ("placements.index", "Plaatsingen"),
        ("tasks.index", "Taken"),
        ("alerts.index", "Signalen"),
        ("calendar.index", "Agenda"),
        ("auth.account", "Mijn account"),
    ),
    "admin": (
        ("main.home", "Overzicht"),
        ("employers.index", "Werkgevers"),
        ("admin.users", "Gebruikers"),
        ("requests.types", "Plaatsingsvormen"),
        ("aftercare.settings", "Nazorg"),
        ("journey.caseload", "Caseload"),
        ("journey.team_settings", "Team"),
        ("admin.security", "Beveiliging"),
        ("admin.outbox", "E-mail"),
        ("admin.audit", "Logboek"),
        ("monitoring.index", "Cijfers"),
        ("auth.account", "Mijn account"),
    ),
}


def nav_items() -> tuple[tuple[str, str], ...]:
    if not current_user.is_authenticated:
        return ()
    if current_user.role == "employer" and not current_user.employer_is_approved:
        return ()
    # Only endpoints this app serves (a menu entry never breaks a page).
    return tuple(
        item for item in NAVIGATION.get(current_user.role, ()) if item[0] in current_app.view_functions
    )


def form_errors(form) -> list[tuple[str, str, str]]:
    """(field id, label, first message) for every field with an error, in form order."""
    found = []
    for field in form:
        if field.errors and field.type not in ("CSRFTokenField", "HiddenField"):
            found.append((field.id, field.label.text, field.errors[0]))
    return found


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(nav_items=nav_items, form_errors=form_errors)
