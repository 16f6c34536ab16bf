"""The calendar feed: the page to make, replace or stop one's secret address, and the feed itself."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user

from portal.calendar import feed as calendar_feed
from portal.calendar import queries, services
from portal.core.audit import record_listing
from portal.core.errors import DomainError
from portal.core.forms import EmptyForm
from portal.core.http import cookieless
from portal.core.security import public, roles_required
from portal.core.time import now_utc, today_local
from portal.extensions import db

bp = Blueprint("calendar", __name__)

FEED_ROLES = queries.FEED_ROLES
#: Session key that carries a new secret (sealed) from the POST that made it to the page that shows it.
REVEAL_KEY = "calendar_new_address"
SHOWN_ONCE = (
    "U ziet een agenda-adres maar één keer, direct nadat u het heeft gemaakt. "
    "Bent u het adres kwijt? Maak dan een nieuw adres."
)


def _me():
    """The logged-in User itself (not the proxy), for services and the audit trail."""
    return current_user._get_current_object()


def _feed_url(token: str) -> str:
    return current_app.config["BASE_URL"] + url_for("calendar.feed", token=token)


@bp.get("/agenda")
@roles_required(*FEED_ROLES)
def index():
    return render_template(
        "calendar/index.html",
        has_feed=current_user.calendar_token_hash is not None,
        days_back=calendar_feed.DAYS_BACK,
        days_ahead=calendar_feed.DAYS_AHEAD,
        visit_days=calendar_feed.VISIT_DAYS_BACK,
    )


def _secret_key() -> bytes:
    key = current_app.config["SECRET_KEY"]
    return key.encode("utf-8") if isinstance(key, str) else key


@bp.post("/agenda/nieuw-adres")
@roles_required(*FEED_ROLES)
def reset():
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("calendar.index"))
    user = _me()
    replaced = user.calendar_token_hash is not None
    try:
        token = services.make_feed_token(user)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("calendar.index"))
    db.session.commit()
    # Post/redirect/get: a refresh of the page that shows the address neither posts again (a new secret
    # would silently stop the one just pasted into Outlook) nor shows it a second time.
    session[REVEAL_KEY] = {"sealed": services.seal_token(token, _secret_key()), "replaced": replaced}
    return redirect(url_for("calendar.new_address"), code=303)


@bp.get("/agenda/nieuw-adres")
@roles_required(*FEED_ROLES)
def new_address():
    """The address made just now, shown once; afterwards (a refresh, the back button) the Agenda page."""
    reveal = session.pop(REVEAL_KEY, None)
    reveal = reveal if isinstance(reveal, dict) else {}
    token = services.unseal_token(reveal.get("sealed"), current_user.calendar_token_hash, _secret_key())
    if token is None:
        flash(SHOWN_ONCE, "info")
        return redirect(url_for("calendar.index"))
    return render_template(
        "calendar/new_address.html", feed_url=_feed_url(token), replaced=bool(reveal.get("replaced"))
    )


@bp.post("/agenda/stoppen")
@roles_required(*FEED_ROLES)
def stop():
    if EmptyForm().validate_on_submit():
        try:
            services.stop_feed(_me())
        except DomainError as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            flash("Uw agenda-abonnement is gestopt. Het adres werkt niet meer.", "success")
    return redirect(url_for("calendar.index"))


@bp.get("/agenda/<token>.ics")
@public
@cookieless
def feed(token: str):
    """The user's events as iCalendar; any token that is not a current feed secret gets 404."""
    if not services.looks_like_token(token):
        abort(404)
    user = db.session.scalar(queries.user_by_token_hash(services.token_hash(token)))
    if user is None:
        abort(404)
    events = calendar_feed.events_for(user, today_local())
    response = Response(calendar_feed.render(user, events, now_utc()), mimetype="text/calendar")
    record_listing(user, {event.candidate_id for event in events}, "calendar_feed")
    db.session.commit()
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Disposition"] = 'inline; filename="werkbrug.ics"'
    return response
