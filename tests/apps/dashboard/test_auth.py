"""Logging in and out, login throttling, and what nobody can reach without logging in."""

from __future__ import annotations

import io
import os
import stat
import sys

import pytest

from burnout_assistant.apps.dashboard.__main__ import main, secret_key
from burnout_assistant.apps.dashboard.auth import dutch_duration
from burnout_assistant.records.leads import LeadStore
from burnout_assistant.records.staff import StaffStore, throttle_delay
from devtools.servers import practice_file
from tests.apps.dashboard.conftest import EMAIL, PASSWORD, csrf_token, login
from tests.apps.dashboard.leads import callback

pytestmark = pytest.mark.timeout(120)


def test_login_opens_the_dashboard_and_logout_closes_it(client) -> None:
    assert client.get("/").headers["Location"].startswith("/login")
    response = login(client)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Aanvragen" in client.get("/").get_data(as_text=True)

    token = csrf_token(client, "/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").headers["Location"].startswith("/login")


def test_login_returns_to_the_page_asked_for_but_never_elsewhere(client, store) -> None:
    lead = callback(store)
    asked = client.get(f"/leads/{lead.id}")
    assert asked.headers["Location"] == f"/login?next=/leads/{lead.id}"
    token = csrf_token(client)
    back = client.post("/login", data={"email": EMAIL, "password": PASSWORD,
                                       "csrf_token": token, "next": f"/leads/{lead.id}"})
    assert back.headers["Location"] == f"/leads/{lead.id}"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        away = client.post("/login", data={"email": EMAIL, "password": PASSWORD,
                                           "csrf_token": csrf_token(client), "next": target})
        assert away.headers["Location"] == "/", target
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})


def test_a_stray_request_keeps_the_open_login_form_valid(client) -> None:
    token = csrf_token(client)
    assert client.get("/favicon.ico").status_code == 302  # browsers ask for it on their own
    response = client.post("/login", data={"email": EMAIL, "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_wrong_password_and_unknown_email_get_the_same_dutch_answer(client) -> None:
    wrong = login(client, password="niet-het-wachtwoord")
    unknown = login(client, email="niemand@praktijk.nl")
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert "Dat e-mailadres of wachtwoord klopt niet." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still not logged in


def test_throttle_delay_grows_and_is_capped() -> None:
    assert [throttle_delay(n) for n in range(7)] == [0, 0, 0, 1, 2, 4, 8]
    assert throttle_delay(50) == 300
    assert [dutch_duration(s) for s in (1, 8, 60, 61, 300)] == [
        "1 seconde", "8 seconden", "1 minuut", "2 minuten", "5 minuten"]


def test_account_is_slowed_down_after_three_failures(app, staff, clock) -> None:
    # Each attempt from its own address: only the per-account delay applies.
    clients = [app.test_client() for _ in range(6)]
    for number, each in enumerate(clients):
        each.environ_base["REMOTE_ADDR"] = f"10.0.0.{number + 1}"
    for each in clients[:3]:
        assert login(each, password="fout-wachtwoord").status_code == 401
    refused = login(clients[3])  # the right password, but too soon
    assert refused.status_code == 401
    assert "Probeer het over 1 seconde opnieuw" in refused.get_data(as_text=True)
    assert staff.get(EMAIL).failed_logins == 3

    clock.advance(1.5)
    assert login(clients[4], password="weer-fout").status_code == 401  # fourth failure: 2 s
    clock.advance(1)
    assert "over 1 seconde opnieuw" in login(clients[5]).get_data(as_text=True)
    clock.advance(1.5)
    assert login(clients[5]).status_code == 302
    assert staff.get(EMAIL).failed_logins == 0


def test_one_address_trying_many_accounts_is_slowed_down(app, staff, clock) -> None:
    guesser = app.test_client()
    guesser.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    for n in range(3):
        assert login(guesser, email=f"gok{n}@praktijk.nl").status_code == 401
    refused = login(guesser)  # a real account with its right password, from that address
    assert "Te veel mislukte pogingen" in refused.get_data(as_text=True)
    assert staff.get(EMAIL).failed_logins == 0  # the account itself was never tried wrong

    colleague = app.test_client()
    colleague.environ_base["REMOTE_ADDR"] = "192.0.2.8"
    assert login(colleague).status_code == 302
    clock.advance(2)
    assert login(guesser).status_code == 302


def test_no_page_is_reachable_without_logging_in(app, client, store) -> None:
    lead = callback(store)
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "auth.login"):
            continue
        url = rule.build({"lead_id": lead.id} if "lead_id" in rule.arguments else {})[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            data = {"csrf_token": csrf_token(client), "status": "gebeld", "note": "x"}
            response = client.open(url, method=method, data=data if method == "POST" else None)
            if rule.endpoint == "auth.logout":  # logging out without a session is harmless
                assert response.headers["Location"] == "/login"
                continue
            assert response.status_code == 302, (method, url)
            assert response.headers["Location"].startswith("/login"), (method, url)
            checked += 1
    assert checked >= 9
    assert store.get(lead.id).status == "nieuw" and store.events(lead.id) == []


def test_a_form_without_csrf_token_is_refused(logged_in, store, client) -> None:
    lead = callback(store)
    refused = logged_in.post(f"/leads/{lead.id}/status", data={"status": "gebeld"})
    assert refused.status_code == 400
    assert "Verzoek niet geaccepteerd" in refused.get_data(as_text=True)
    assert store.get(lead.id).status == "nieuw"
    wrong = logged_in.post(f"/leads/{lead.id}/notitie",
                           data={"note": "x", "csrf_token": "verzonnen"})
    assert wrong.status_code == 400 and store.events(lead.id) == []
    assert logged_in.post(f"/leads/{lead.id}/wissen").status_code == 400
    assert store.get(lead.id) is not None
    anonymous = client.application.test_client()
    assert anonymous.post("/login", data={"email": EMAIL, "password": PASSWORD}).status_code == 400


def test_pages_carry_security_headers_and_are_not_cached(logged_in, store) -> None:
    lead = callback(store)
    for path in ("/", f"/leads/{lead.id}", "/inzichten", "/leads.csv", "/login"):
        response = logged_in.get(path)
        assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "no-store", path
    css = logged_in.get("/static/dashboard.css")
    assert css.status_code == 200 and "no-store" not in css.headers.get("Cache-Control", "")


def test_unknown_lead_is_a_dutch_404(logged_in) -> None:
    response = logged_in.get("/leads/999999")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "Niet gevonden" in body and "Traceback" not in body


def test_a_removed_account_is_logged_out(logged_in, store) -> None:
    from burnout_assistant.records.schema import StaffUser

    with store.transaction() as session:
        session.query(StaffUser).delete()
    assert logged_in.get("/").headers["Location"].startswith("/login")


def test_an_outdated_hash_is_upgraded_at_login(store) -> None:
    from argon2 import PasswordHasher

    from burnout_assistant.records.schema import StaffUser

    staff = StaffStore(store)
    staff.create_user("oud@praktijk.nl", PASSWORD)
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with store.transaction() as session:
        session.query(StaffUser).filter_by(email="oud@praktijk.nl").update({"password_hash": weak})
    assert staff.login("oud@praktijk.nl", PASSWORD).user is not None
    assert staff.get("oud@praktijk.nl").password_hash != weak
    assert staff.login("oud@praktijk.nl", PASSWORD).user is not None


# -- command line ---------------------------------------------------------------------------


@pytest.fixture
def leads_url_in_settings(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'leads.db'}"
    monkeypatch.setenv("PRACTICE_SETTINGS", str(practice_file(tmp_path, leads__database_url=url)))
    monkeypatch.delenv("LEADS_DATABASE_URL", raising=False)
    return url


def test_create_user_on_the_command_line(leads_url_in_settings, monkeypatch, capsys) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["create-user", "Bram@Praktijk.nl", "--name", "Bram", "--password-stdin"]) == 0
    store = LeadStore(leads_url_in_settings)
    user = StaffStore(store).login("bram@praktijk.nl", PASSWORD).user
    assert user is not None and user.name == "Bram"
    assert PASSWORD not in user.password_hash and user.password_hash.startswith("$argon2id$")

    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["create-user", "bram@praktijk.nl", "--password-stdin"]) == 1
    monkeypatch.setattr(sys, "stdin", io.StringIO("kort\n"))
    assert main(["create-user", "kees@praktijk.nl", "--password-stdin"]) == 2
    assert "minstens" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", io.StringIO("een-nieuw-wachtwoord\n"))
    assert main(["set-password", "bram@praktijk.nl", "--password-stdin"]) == 0
    assert StaffStore(store).login("bram@praktijk.nl", "een-nieuw-wachtwoord").user is not None
    store.dispose()


def test_secret_key_is_made_once_and_private(settings, tmp_path, monkeypatch) -> None:
    monkeypatch.delenv(settings.dashboard.secret_key_env, raising=False)
    path = tmp_path / "run" / "dashboard_secret"
    first = secret_key(settings, path)
    assert len(first) >= 32 and secret_key(settings, path) == first
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    monkeypatch.setenv(settings.dashboard.secret_key_env, "k" * 40)
    assert secret_key(settings, path) == "k" * 40
