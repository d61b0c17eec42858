"""The cached action-reply validator accepts and refuses exactly what Rasa's own does."""

from __future__ import annotations

import inspect

import jsonschema
import pytest

VALID = {"events": [{"event": "slot", "name": "x", "value": 1}],
         "responses": [{"text": "hoi"}]}
INVALID = {"events": [{"name": "no event key"}], "responses": "not a list"}


@pytest.fixture(scope="module")
def rasa_speedups():
    """The patch module; importing ``channels`` installs it into Rasa, so it is imported
    when a test runs, not at collection (Rasa and TensorFlow take seconds to import)."""
    from channels import rasa_speedups

    return rasa_speedups


@pytest.fixture(scope="module")
def remote_action():
    """Rasa's RemoteAction, imported when a test runs: importing Rasa (and TensorFlow) at
    collection would slow every test run down, also those that never get here."""
    from rasa.core.actions.action import RemoteAction

    return RemoteAction


@pytest.fixture()
def fresh_rasa(monkeypatch, remote_action):
    """RemoteAction as if nothing had patched it yet (restored after the test)."""
    RemoteAction = remote_action
    monkeypatch.setattr(RemoteAction, "_validator_cached", False, raising=False)
    monkeypatch.setattr(RemoteAction, "_validate_action_result",
                        RemoteAction._validate_action_result)
    monkeypatch.delenv("RASA_SPEEDUPS", raising=False)
    return RemoteAction


def test_pinned_rasa_still_checks_the_schema_on_every_reply(rasa_speedups, remote_action) -> None:
    """If a Rasa upgrade fixes this upstream, this fails and the patch can go."""
    import rasa

    RemoteAction = remote_action
    assert rasa.__version__ == rasa_speedups.PINNED_RASA
    source = inspect.getsource(inspect.getmodule(RemoteAction))
    assert "validate(result, self.action_response_format_spec())" in source


def test_valid_reply_passes_without_rechecking_the_schema(
        rasa_speedups, fresh_rasa, monkeypatch) -> None:
    RemoteAction = fresh_rasa
    assert rasa_speedups.install()
    schema = RemoteAction.action_response_format_spec()
    validator_class = jsonschema.validators.validator_for(schema)

    def no_schema_check(*_args, **_kwargs):
        raise AssertionError("the schema was checked again")

    monkeypatch.setattr(validator_class, "check_schema", no_schema_check)
    assert RemoteAction("action_x", None)._validate_action_result(VALID) is True


def test_invalid_reply_raises_rasas_own_error(rasa_speedups, fresh_rasa) -> None:
    RemoteAction = fresh_rasa
    assert rasa_speedups.install()
    with pytest.raises(jsonschema.ValidationError) as error:
        RemoteAction("action_x", None)._validate_action_result(INVALID)
    assert "Failed to validate Action server response" in error.value.message


def test_off_switch_leaves_rasa_alone(rasa_speedups, fresh_rasa, monkeypatch) -> None:
    RemoteAction = fresh_rasa
    monkeypatch.setenv("RASA_SPEEDUPS", "off")
    before = RemoteAction._validate_action_result
    assert rasa_speedups.install() is False
    assert RemoteAction._validate_action_result is before
