"""Which form a "nee" to the direct crisis question returns to."""

from burnout_assistant.dialogue.crisis_dialogue import form_to_resume


def _user(intent: str) -> dict:
    return {"event": "user", "parse_data": {"intent": {"name": intent}}}


def _action(name: str) -> dict:
    return {"event": "action", "name": name}


def _loop(name: str | None) -> dict:
    return {"event": "active_loop", "name": name}


def test_returns_the_form_the_unsure_message_interrupted() -> None:
    events = [_user("book_intro_call"), _action("booking_form"), _loop("booking_form"),
              _user("inform"), _action("booking_form"),
              _user("crisis"), _action("action_deactivate_loop"), _loop(None),
              _action("utter_crisis_check"), _user("deny"), _action("utter_crisis_check_no")]
    assert form_to_resume(events) == "booking_form"


def test_nothing_to_resume_outside_a_form() -> None:
    events = [_user("start_symptom_check"), _loop("symptom_check_form"), _loop(None),
              _action("action_check_result"),
              _user("crisis"), _action("utter_crisis_check"), _user("deny")]
    assert form_to_resume(events) is None


def test_only_the_latest_question_counts() -> None:
    events = [_loop("symptom_check_form"), _user("crisis"), _action("action_deactivate_loop"),
              _loop(None), _action("utter_crisis_check"), _user("deny"),
              _action("action_resume_after_check_in"), _loop(None),
              _user("crisis"), _action("utter_crisis_check"), _user("deny")]
    assert form_to_resume(events) is None


def test_no_question_asked() -> None:
    assert form_to_resume([_user("greet"), _action("utter_greet")]) is None
