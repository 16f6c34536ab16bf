"""Loading what an administrator may manage: only objects of their own municipality (others answer 404)."""

from __future__ import annotations

from flask import abort

from portal.admin import queries
from portal.auth.models import User
from portal.core.db import valid_id
from portal.core.models import OutboxEmail
from portal.extensions import db


def get_user_or_404(actor: User, user_id: int) -> User:
    """A user of the actor's municipality, or 404."""
    if not valid_id(user_id):
        abort(404)
    user = db.session.scalar(queries.users_of(actor.municipality_id).where(User.id == user_id))
    if user is None:
        abort(404)
    return user


def get_message_or_404(actor: User, message_id: int) -> OutboxEmail:
    """An outbox e-mail of the actor's municipality, or 404."""
    if not valid_id(message_id):
        abort(404)
    query = queries.messages_of(actor.municipality_id).where(OutboxEmail.id == message_id)
    message = db.session.scalar(query)
    if message is None:
        abort(404)
    return message
