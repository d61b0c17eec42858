"""Logging in and out of the dashboard, and the guard that keeps every other page behind it.

Every request except the login page and the stylesheet needs a logged-in staff member: the
guard runs before each request (``require_login``), so a page added later cannot be left open
by forgetting a decorator. Failed logins are slowed down per account (stored, ``staff.py``)
and per client address (here, in memory): after three failures each attempt waits 1, 2, 4 …
seconds, at most five minutes, and the message says how long.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta
from threading import Lock

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response

from burnout_assistant.bounded import LruDict
from burnout_assistant.records.staff import normalise_email, throttle_delay

log = logging.getLogger(__name__)

bp = Blueprint("auth", __name__)

OPEN_ENDPOINTS = frozenset({"auth.login", "static"})
WRONG = "Dat e-mailadres of wachtwoord klopt niet."
WAIT = "Te veel mislukte pogingen. Probeer het over {wait} opnieuw."


class FailureThrottle:
    """Consecutive failed logins per key (a client address), in memory and bounded.

    The dashboard runs as one process, so memory is the whole picture; a restart forgets
    the addresses, while the per-account count in the database stays.
    """

    def __init__(self, max_keys: int = 10_000) -> None:
        self._failures: LruDict[str, tuple[int, datetime]] = LruDict(max_keys)
        self._lock = Lock()

    def retry_after(self, key: str, now: datetime) -> int:
        """Seconds this key must still wait; 0 when it may try."""
        with self._lock:
            failures, last = self._failures.peek(key) or (0, now)  # asking is no failure
        until = last + timedelta(seconds=throttle_delay(failures))
        return max(0, math.ceil((until - now).total_seconds()))

    def failed(self, key: str, now: datetime) -> None:
        with self._lock:
            failures, _ = self._failures.get(key, (0, now))
            self._failures[key] = (failures + 1, now)  # the least recent address may go

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


def require_login() -> Response | None:
    """Runs before every request: no session, no page (except login and static files)."""
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    email = session.get("staff")
    user = current_app.extensions["dashboard"].staff.get(email) if email else None
    if user is None:  # never logged in, expired, or the account was removed
        # Only the login goes: clearing all would drop the CSRF token of a login form that
        # is open in the same browser (the browser's own favicon request lands here too).
        session.pop("staff", None)
        return redirect(url_for("auth.login", next=_local_path(request.full_path) or None))
    g.staff = user
    return None


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str:
    dashboard = current_app.extensions["dashboard"]
    target = _local_path(request.values.get("next", ""))
    if request.method == "GET":
        if session.get("staff") and dashboard.staff.get(session["staff"]):
            return redirect(target or url_for("leads.index"))
        return render_template("login.html", next=target, email="")

    email = normalise_email(request.form.get("email", ""))[:254]
    password = request.form.get("password", "")[:1024]
    now = dashboard.now()
    client = f"ip:{request.remote_addr or '?'}"
    wait = dashboard.throttle.retry_after(client, now)
    if not wait:
        result = dashboard.staff.login(email, password, now)
        if result.user is not None:
            dashboard.throttle.succeeded(client)
            session.clear()  # a fresh session: nothing from before the login carries over
            session.permanent = True
            session["staff"] = result.user.email
            log.info("staff login")
            return redirect(target or url_for("leads.index"))
        wait = result.retry_after
        if not wait:
            dashboard.throttle.failed(client, now)
    message = WAIT.format(wait=dutch_duration(wait)) if wait else WRONG
    log.info("staff login refused")
    return render_template("login.html", next=target, email=email, error=message), 401


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    session.clear()
    flash("Je bent uitgelogd.")
    return redirect(url_for("auth.login"))


def dutch_duration(seconds: int) -> str:
    """``1 seconde``, ``8 seconden``, ``2 minuten``."""
    if seconds < 60:
        return f"{seconds} seconde" if seconds == 1 else f"{seconds} seconden"
    minutes = math.ceil(seconds / 60)
    return "1 minuut" if minutes == 1 else f"{minutes} minuten"


def _local_path(target: str) -> str:
    """Only a path on this site may follow the login: never another host (open redirect)."""
    target = (target or "").strip()
    if target.endswith("?"):
        target = target[:-1]
    if not target.startswith("/") or target.startswith(("//", "/\\")) or "\\" in target:
        return ""
    if target.startswith(("/login", "/logout", "/static")):
        return ""
    return target
