"""A measured fix for the Rasa server's biggest per-turn cost (bench/PROFILE.md).

Rasa 3.6 checks every action-server reply with ``jsonschema.validate(reply, schema)``, and that
call first re-checks the constant schema against the JSON Schema meta-schema: ~15 of ~17 ms per
reply, a third of the server's CPU per turn. Here the validator is built once; replies are
checked against the same schema with the same errors. Tied to the pinned Rasa (3.6.21):
``tests/unit/test_rasa_speedups.py`` notices when Rasa changes the method it replaces.
``RASA_SPEEDUPS=off`` runs stock Rasa (the benchmark's baseline does).
"""

from __future__ import annotations

import os
from typing import Any

PINNED_RASA = "3.6.21"


def enabled() -> bool:
    return os.environ.get("RASA_SPEEDUPS", "on").lower() not in ("off", "0", "false")


def install() -> bool:
    """Replace ``RemoteAction._validate_action_result``; False when off or Rasa differs."""
    if not enabled():
        return False
    import jsonschema
    import rasa
    from rasa.core.actions.action import RemoteAction

    if rasa.__version__ != PINNED_RASA or getattr(RemoteAction, "_validator_cached", False):
        return False
    original = RemoteAction._validate_action_result
    schema = RemoteAction.action_response_format_spec()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)

    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        error = jsonschema.exceptions.best_match(validator.iter_errors(result))
        if error is None:
            return True
        return original(self, result)  # Rasa's own message and exception for a bad reply

    RemoteAction._validate_action_result = _validate_action_result
    RemoteAction._validator_cached = True
    return True
