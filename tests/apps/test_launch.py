"""The start scripts' Python helpers: shared `rasa run` options and the endpoints file."""

from __future__ import annotations

from pathlib import Path

import pytest

from burnout_assistant.apps.launch import ROOT, endpoints_with_action_port, main
from burnout_assistant.config_files import load_yaml


def test_endpoints_follow_the_action_port_and_keep_the_rest(tmp_path: Path) -> None:
    out = tmp_path / "run" / "endpoints.yml"
    assert main(["endpoints", "--action-port", "6123", "--out", str(out)]) == 0
    written = load_yaml(out.read_text())
    original = load_yaml((ROOT / "endpoints.yml").read_text())
    assert written["action_endpoint"]["url"] == "http://127.0.0.1:6123/webhook"
    assert written["tracker_store"] == original["tracker_store"]
    assert endpoints_with_action_port(ROOT / "endpoints.yml", 5055) == original


@pytest.mark.parametrize("token", ["t0ken", "-Xq3_k9", "--help"])
def test_rasa_args_carry_the_token_and_the_demo_site(
        token: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    """Rasa's own parser reads the token back, also one that begins with "-" (one in 32 of
    secrets.token_urlsafe's: that server used to exit with "expected one argument")."""
    from rasa.__main__ import create_argument_parser

    monkeypatch.setenv("RASA_AUTH_TOKEN", token)
    assert main(["rasa-args", "--site-port", "8123"]) == 0
    args = capsys.readouterr().out.splitlines()
    parsed = create_argument_parser().parse_args(["run", *args])
    assert parsed.auth_token == token
    assert "http://127.0.0.1:8123" in parsed.cors and "http://localhost:8123" in parsed.cors


def test_rasa_args_refuse_without_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RASA_AUTH_TOKEN", raising=False)
    assert main(["rasa-args"]) == 2


def test_installation_secret_is_made_once_and_owner_only(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "run" / "rasa_auth_token"
    assert main(["secret", str(path)]) == 0
    first = capsys.readouterr().out.strip()
    assert len(first) >= 40 and path.stat().st_mode & 0o777 == 0o600
    assert main(["secret", str(path)]) == 0
    assert capsys.readouterr().out.strip() == first  # the same secret on every start
