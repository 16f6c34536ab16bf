"""Read-side of ending a placement: its part of the placement's page, and the decision and uitval pages."""

from __future__ import annotations

from typing import Any

from flask import current_app

from portal.auth.models import User
from portal.candidates.disclosure import label_for
from portal.core.signals import placement_page
from portal.core.time import today_local
from portal.ending import forms, permissions
from portal.ending.services import (
    contract_pending,
    decision_due,
    decision_opens,
    dropout_earliest,
    latest_end,
)
from portal.extensions import db
from portal.placements.models import DECISION_KINDS, Placement
from portal.placements.queries import decision_of_kind, frees_position


def lead() -> int:
    """Working days before the planned end from which the decision is asked (configuration)."""
    return current_app.config["DECISION_LEAD_WORKING_DAYS"]


def preference_form(placement: Placement, user: User, due: bool, form=None) -> forms.PreferenceForm | None:
    """The employer's preference form while the decision is due (or after a post with errors)."""
    if not permissions.may_give_preference(user, placement):
        return None
    if form is not None:
        return form
    if not due:
        return None
    return forms.PreferenceForm(
        formdata=None,
        preference=placement.employer_preference,
        preference_note=placement.employer_preference_note,
    )


@placement_page.connect
def placement_page_part(placement: Placement, *, user: User, bound: dict[str, Any]) -> dict[str, Any]:
    """The end of the placement on its page: the decision when due, the employer's preference, uitval."""
    due = decision_due(placement, today_local(), lead())
    return {
        "decision_due": due,
        "preference_form": preference_form(placement, user, due, bound.get("preference")),
        "may_decide": permissions.may_decide(user, placement),
        "may_dropout": permissions.may_register_dropout(user, placement),
        "preference_choices": forms.PREFERENCE_CHOICES,
    }


def decision_context(placement: Placement, user: User, form, problem: str | None) -> dict[str, Any]:
    """The decision page: the form, why it cannot be used (``problem``) and the dates that bound it."""
    return {
        "placement": placement,
        "label": label_for(user, placement.candidate),
        "form": form,
        "problem": problem,
        "extended": db.session.scalar(decision_of_kind(placement.id, "extend")),
        "latest_end": latest_end(placement),
        "contract_pending": contract_pending(placement),
        "opens": decision_opens(placement, lead()),
        "decision_kinds": DECISION_KINDS,
        "preference_choices": forms.PREFERENCE_CHOICES,
    }


def dropout_context(placement: Placement, user: User, form, problem: str | None) -> dict[str, Any]:
    """The uitval page: the form, why it cannot be used (``problem``) and who will do the intake."""
    return {
        "placement": placement,
        "label": label_for(user, placement.candidate),
        "form": form,
        "problem": problem,
        "earliest": dropout_earliest(placement),
        "frees_position": frees_position(placement),
        "contact": db.session.get(User, placement.contact_id),
    }
