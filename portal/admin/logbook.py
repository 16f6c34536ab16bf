"""The audit log in plain Dutch: what each action code means, how actions are grouped for the filter,
what each kind of object is called, and where the administrator can open it.

Every action code that ``portal.core.audit.record`` is called with needs a line in ``ACTIONS``
(tests/admin/test_logbook.py finds them in the code); an unknown code is shown as it is.
"""

from __future__ import annotations

from wtforms.fields.choices import SelectChoice

#: Action code → what happened, in plain Dutch (B1).
ACTIONS = {
    # Logging in and accounts
    "auth.login": "Ingelogd",
    "auth.login_failed": "Inloggen mislukt",
    "auth.logout": "Uitgelogd",
    "auth.password_changed": "Wachtwoord gewijzigd",
    "auth.password_change_failed": "Wachtwoord wijzigen mislukt",
    "auth.reset_requested": "Nieuw wachtwoord aangevraagd",
    "auth.password_reset": "Nieuw wachtwoord gekozen met de link uit de e-mail",
    "auth.setup_sent": "E-mail gestuurd om het account in te stellen",
    "auth.account_setup_completed": "Account ingesteld: eerste wachtwoord gekozen",
    "auth.profile_updated": "Eigen gegevens gewijzigd",
    "auth.mfa_passed": "Inlogcode gegeven",
    "auth.mfa_failed": "Inlogcode verkeerd of al gebruikt",
    "auth.mfa_enrolled": "App voor de inlogcode gekoppeld",
    "auth.mfa_reset": "App voor de inlogcode losgekoppeld door de beheerder",
    "auth.recovery_codes_renewed": "Nieuwe herstelcodes gemaakt",
    "auth.confirmed": "Wachtwoord en inlogcode opnieuw gegeven",
    "auth.confirm_failed": "Opnieuw bevestigen mislukt: verkeerd wachtwoord",
    "user.created": "Account gemaakt",
    "user.deactivated": "Account gedeactiveerd",
    "user.activated": "Account weer actief gemaakt",
    "calendar.feed_created": "Agenda-adres gemaakt",
    "calendar.feed_reset": "Nieuw agenda-adres gemaakt; het oude werkt niet meer",
    "calendar.feed_stopped": "Agenda-abonnement gestopt",
    # Employers and workplaces
    "employer.registered": "Werkgever aangemeld",
    "employer.approved": "Werkgever goedgekeurd",
    "employer.rejected": "Aanmelding van werkgever afgewezen",
    "employer.suspended": "Werkgever geschorst",
    "employer.reinstated": "Werkgever weer toegelaten",
    "employer.updated": "Gegevens van werkgever gewijzigd",
    "employer.contact_changed": "Vaste contactpersoon van werkgever gewijzigd",
    "employer.invitation_sent": "Collega van werkgever uitgenodigd",
    "employer.invitation_revoked": "Uitnodiging van collega ingetrokken",
    "employer.invitation_accepted": "Collega heeft de uitnodiging gebruikt",
    "workplace.created": "Werkplek toegevoegd",
    "workplace.updated": "Werkplek gewijzigd",
    "workplace.archived": "Werkplek gearchiveerd",
    "workplace.restored": "Werkplek teruggezet",
    # Candidates and consent
    "candidate.created": "Kandidaat toegevoegd",
    "candidate.imported": "Kandidaat ingelezen uit een bestand",
    "candidate.journey_imported": "Traject van kandidaat ingelezen uit een bestand",
    "candidate.updated": "Profiel van kandidaat gewijzigd",
    "candidate.viewed": "Gegevens van kandidaat bekeken",
    "candidate.anonymised": "Kandidaat geanonimiseerd na de bewaartermijn",
    "candidate.retention_extended": "Bewaartermijn van het dossier verlengd",
    "candidates.listed": "Lijst met kandidaten bekeken",
    "consent.recorded": "Toestemming van kandidaat vastgelegd",
    "consent.withdrawn": "Toestemming van kandidaat ingetrokken",
    "privacy_request.recorded": "Verzoek over persoonsgegevens vastgelegd",
    "privacy_request.handled": "Verzoek over persoonsgegevens afgehandeld",
    # Requests and proposals
    "placement_type.created": "Plaatsingsvorm toegevoegd",
    "placement_type.updated": "Plaatsingsvorm gewijzigd",
    "request.created": "Aanvraag gemaakt (concept)",
    "request.updated": "Aanvraag gewijzigd",
    "request.submitted": "Aanvraag ingediend",
    "request.taken": "Aanvraag in behandeling genomen",
    "request.proposed": "Kandidaten voorgesteld voor de aanvraag",
    "request.position_filled": "Een plek van de aanvraag is vervuld",
    "request.filled": "Aanvraag vervuld",
    "request.reopened": "Aanvraag weer open na uitval",
    "request.withdrawn": "Aanvraag ingetrokken",
    "request.expired": "Aanvraag verlopen",
    "proposal.created": "Kandidaat voorgesteld aan werkgever",
    "proposal.meeting_planned": "Kennismaking gepland",
    "proposal.meeting_changed": "Kennismaking gewijzigd",
    "proposal.declined": "Kandidaat afgewezen door werkgever",
    "proposal.accepted": "Kandidaat aangenomen door werkgever",
    "proposal.withdrawn": "Voorstel ingetrokken",
    # Placements
    "placement.created": "Plaatsing gemaakt",
    "placement.status_changed": "Status van plaatsing gewijzigd",
    "placement.jobcoach_assigned": "Jobcoach aan plaatsing gekoppeld",
    "placement.preference_recorded": "Werkgever gaf voorkeur voor het einde door",
    "placement.decision_recorded": "Besluit over het einde van de plaatsing vastgelegd",
    "placement.dropout_registered": "Uitval vastgelegd",
    "placement.contract_corrected": "Gegevens van het contract verbeterd",
    "placement.outcome_recorded": "Afloop van de nazorg vastgelegd",
    "weekly_log.created": "Weekverslag ingevuld",
    "weekly_log.updated": "Weekverslag aangepast",
    "visit.recorded": "Werkplekbezoek vastgelegd",
    "visit.confirmed": "Werkgever bevestigde het werkplekbezoek",
    "task.created": "Taak gemaakt",
    "task.done": "Taak gedaan",
    "task.cancelled": "Taak vervallen",
    # Aftercare and signals
    "checkin.held": "Nazorggesprek vastgelegd",
    "checkin.corrected": "Nazorggesprek verbeterd",
    "alert.opened": "Signaal geopend",
    "alert.acknowledged": "Signaal opgepakt",
    "alert.resolved": "Signaal afgehandeld",
    "alert.escalated": "Signaal doorgestuurd naar beheer",
    "alert.closed": "Signaal vanzelf gesloten",
    "aftercare.settings_updated": "Instellingen voor nazorg en signalen gewijzigd",
    # The journey and the caseload
    "journey.stage_recorded": "Fase in het traject vastgelegd",
    "journey.screening_recorded": "Screening vastgelegd",
    "journey.plan_agreed": "Afspraak over het ABC-plan vastgelegd",
    "journey.plan_stepped_up": "Stap omhoog in het ABC-plan vastgelegd",
    "journey.exit_recorded": "Uitstroom vastgelegd",
    "journey.exit_proposed": "Uitstroom voorgesteld na een contract",
    "journey.exit_confirmed": "Uitstroom bevestigd",
    "journey.exit_dismissed": "Voorstel voor uitstroom afgewezen",
    "journey.followups_planned": "Navraag na uitstroom gepland",
    "journey.specialist_assigned": "Specialist van een kandidaat gewijzigd",
    "journey.caseload_reassigned": "Kandidaten overgedragen aan een andere specialist",
    "journey.team_settings_saved": "Teaminstellingen gewijzigd",
    # Administration
    "municipality.created": "Gemeente toegevoegd",
    "municipality.security_changed": "Regels voor inloggen van werkgevers gewijzigd",
    "followup.started": "Navraag na uitstroom gestart",
    "followup.answered": "Navraag na uitstroom beantwoord",
    "outbox.retried": "Mislukte e-mail opnieuw klaargezet",
    "outbox.retried_all": "Alle mislukte e-mails opnieuw klaargezet",
    "outbox.cancelled": "E-mail niet verstuurd: toestemming ingetrokken",
    "demo.seeded": "Demogegevens geladen",
    # Figures and exports
    "monitoring.exported": "Cijfers of monitoringlijst gedownload",
}

#: Filter groups: code → (label, action code prefixes).
GROUPS = {
    "accounts": ("Inloggen en accounts", ("auth.", "user.", "calendar.")),
    "werkgevers": ("Werkgevers en werkplekken", ("employer.", "workplace.")),
    "kandidaten": (
        "Kandidaten en toestemming",
        ("candidate.", "candidates.", "consent.", "privacy_request."),
    ),
    "aanvragen": ("Aanvragen en voorstellen", ("placement_type.", "request.", "proposal.")),
    "plaatsingen": ("Plaatsingen", ("placement.", "weekly_log.", "visit.", "task.")),
    "nazorg": ("Nazorg en signalen", ("checkin.", "alert.", "aftercare.", "followup.")),
    "traject": ("Traject en caseload", ("journey.",)),
    "beheer": ("Beheer", ("municipality.", "outbox.", "demo.")),
    "cijfers": ("Cijfers en downloads", ("monitoring.",)),
}

#: Object type (model class name) → what it is called.
OBJECTS = {
    "User": "Account",
    "RecoveryCode": "Herstelcode",
    "Municipality": "Gemeente",
    "Employer": "Werkgever",
    "Workplace": "Werkplek",
    "Invitation": "Uitnodiging",
    "Candidate": "Kandidaat",
    "Consent": "Toestemming",
    "PlacementType": "Plaatsingsvorm",
    "PlacementRequest": "Aanvraag",
    "Proposal": "Voorstel",
    "Placement": "Plaatsing",
    "WeeklyLog": "Weekverslag",
    "Visit": "Werkplekbezoek",
    "Task": "Taak",
    "CheckIn": "Nazorggesprek",
    "Alert": "Signaal",
    "AftercareSettings": "Nazorginstellingen",
    "OutboxEmail": "E-mail",
    "StageChange": "Fase in het traject",
    "Screening": "Screening",
    "PlanStep": "Stap in het ABC-plan",
    "Exit": "Uitstroom",
    "RetentionFollowUp": "Navraag na uitstroom",
    "TeamSettings": "Teaminstellingen",
    "PrivacyRequest": "Verzoek over persoonsgegevens",
}

#: Object type → (endpoint, its id argument): pages an administrator may open.
LINKS = {
    "Employer": ("employers.detail", "employer_id"),
    "Workplace": ("employers.workplace_detail", "workplace_id"),
    "PlacementRequest": ("requests.detail", "request_id"),
    "PlacementType": ("requests.type_edit", "type_id"),
}


def describe(action: str) -> str:
    """What an action code means; an unknown code as it is."""
    return ACTIONS.get(action, action)


def object_noun(object_type: str | None) -> str:
    return OBJECTS.get(object_type or "", object_type or "")


def kind_choices() -> list[SelectChoice]:
    """Choices of the "Soort" filter: "Alles", then per group "Alles over ..." and each of its actions."""
    choices = [SelectChoice("", "Alles")]
    for key, (label, prefixes) in GROUPS.items():
        choices.append(SelectChoice(key, f"Alles over {label.lower()}", optgroup=label))
        actions = sorted(
            ((code, text) for code, text in ACTIONS.items() if code.startswith(prefixes)), key=lambda a: a[1]
        )
        choices += [SelectChoice(code, text, optgroup=label) for code, text in actions]
    return choices


def kind_filter(kind: str) -> tuple[str, ...] | str | None:
    """The prefixes of a group, or one action code, for a value of the "Soort" filter."""
    if kind in GROUPS:
        return GROUPS[kind][1]
    if kind in ACTIONS:
        return kind
    return None


def kind_label(kind: str) -> str:
    return GROUPS[kind][0] if kind in GROUPS else describe(kind)
