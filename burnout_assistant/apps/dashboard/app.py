"""The staff dashboard as a Flask app: leads, what each person asked and answered, insights.

Flask because it is synchronous and small and its Werkzeug, Jinja2 and click are the versions
Rasa already has; it runs in its own process under waitress (``__main__.py``). Pages are
rendered on the server in Dutch with autoescaping, so a visitor's message can never become
markup; there is no JavaScript at all. Every form carries a CSRF token, every page except
the login needs a session, and every response says not to cache it or frame it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from burnout_assistant.apps.dashboard import auth, insights, presenting, views
from burnout_assistant.booking.calendar import PracticeCalendar
from burnout_assistant.check.questionnaire import Questionnaire, current_questionnaire
from burnout_assistant.records.conversations import ConversationStore
from burnout_assistant.records.database import LeadsUnavailable, utc_now
from burnout_assistant.records.leads import LeadStore
from burnout_assistant.records.staff import StaffStore
from burnout_assistant.settings import Settings

log = logging.getLogger(__name__)

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}
ERROR_TEXTS = {
    400: ("Verzoek niet geaccepteerd", "Het formulier was verlopen of onvolledig. "
          "Ga terug, laad de pagina opnieuw en probeer het nog eens."),
    403: ("Geen toegang", "Je hebt geen toegang tot deze pagina."),
    404: ("Niet gevonden", "Deze pagina of deze aanvraag bestaat niet (meer). Misschien is "
          "hij gewist."),
    405: ("Niet toegestaan", "Deze actie kan zo niet worden uitgevoerd."),
    413: ("Te groot", "Wat je verstuurde is te groot."),
    503: ("Tijdelijk niet beschikbaar", "De database is nu niet bereikbaar. Probeer het over "
          "een paar minuten opnieuw."),
    500: ("Er ging iets mis", "Er ging iets mis bij het tonen van deze pagina. Probeer het "
          "opnieuw; blijft het misgaan, meld het dan."),
}


@dataclass
class Dashboard:
    """What the views need, kept on the app (``app.extensions["dashboard"]``)."""

    settings: Settings
    store: LeadStore
    staff: StaffStore
    conversations: ConversationStore | None  # None when the tracker store is not SQL
    calendar: PracticeCalendar
    questionnaire: Questionnaire
    now: Callable[[], datetime] = utc_now
    throttle: auth.FailureThrottle = field(default_factory=auth.FailureThrottle)


def create_app(
    settings: Settings,
    store: LeadStore,
    conversations: ConversationStore | None,
    secret_key: str,
    *,
    calendar: PracticeCalendar | None = None,
    questionnaire: Questionnaire | None = None,
    secure_cookies: bool = False,
    now: Callable[[], datetime] = utc_now,
) -> Flask:
    """The dashboard app; ``store`` must be migrated, ``secret_key`` long and random."""
    if len(secret_key or "") < 32:
        raise ValueError("the dashboard secret key must be at least 32 characters")
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret_key,
        DEBUG=False,
        PROPAGATE_EXCEPTIONS=False,
        SESSION_COOKIE_NAME="praktijk_dashboard",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure_cookies,
        # Signed into the cookie and renewed with each request: idle staff are logged out.
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.dashboard.session_hours),
        SESSION_REFRESH_EACH_REQUEST=True,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session, not one hour
        MAX_CONTENT_LENGTH=64 * 1024,
    )
    app.jinja_env.autoescape = True
    CSRFProtect(app)
    app.extensions["dashboard"] = Dashboard(
        settings=settings,
        store=store,
        staff=StaffStore(store),
        conversations=conversations,
        calendar=calendar or PracticeCalendar.from_settings(settings),
        questionnaire=questionnaire or current_questionnaire(),
        now=now,
    )
    presenting.register(app, settings)
    app.before_request(auth.require_login)
    app.register_blueprint(auth.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(insights.bp)
    app.after_request(_headers)
    _error_pages(app)
    return app


def _headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.endpoint != "static":  # every page may show personal data
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    return response


def _error_pages(app: Flask) -> None:
    def page(status: int) -> tuple[str, int]:
        title, text = ERROR_TEXTS.get(status, ERROR_TEXTS[500])
        return render_template("error.html", title=title, text=text, status=status), status

    @app.errorhandler(CSRFError)
    def _csrf(_error: CSRFError) -> tuple[str, int]:
        log.info("form refused: missing or invalid CSRF token")
        return page(400)

    @app.errorhandler(LeadsUnavailable)
    def _database(_error: LeadsUnavailable) -> tuple[str, int]:
        return page(503)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> HTTPException | tuple[str, int]:
        if error.code is not None and error.code < 400:
            return error  # routing redirects (a missing trailing slash) are no errors
        return page(error.code or 500)

    @app.errorhandler(Exception)
    def _crash(error: Exception) -> tuple[str, int]:
        # The type only: a message or traceback may hold personal data.
        log.error("dashboard error: %s", type(error).__name__)
        return page(500)
