"""The form to resolve an alert: what was done (required)."""

from __future__ import annotations

from wtforms import TextAreaField

from portal.alerts.services import NOTE_MAX, NOTE_NEEDED, NOTE_TOO_LONG
from portal.core.forms import BaseForm, need, no_bsn, plain_text, too_long


class ResolveForm(BaseForm):
    note = TextAreaField(
        "Wat is er gedaan?",
        validators=[need(NOTE_NEEDED), too_long(NOTE_MAX, NOTE_TOO_LONG), plain_text, no_bsn],
    )
