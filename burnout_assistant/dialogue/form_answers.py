"""When a typed reply inside a form is an answer, and when it is a command that leaves the form.

While the booking asks "Hoe mag de therapeut je noemen?", "Daan Stoppels" is a name, even
when the intent classifier hears `stop` in it, and "Tom Test" does not start the symptom
check. So inside a form the classifier alone never decides: a reply leaves a free-text
question only when its intent is one that leaves AND the words say so ("ik wil stoppen",
"doe de test", "verwijder mijn gegevens"). A crisis always leaves; that is decided by the
slot mappings in domain.yml before any of this runs.
"""

from __future__ import annotations

import re

# Intent -> the words that make it a clear command rather than a name, number or code.
_COMMANDS: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern, re.IGNORECASE)
    for name, pattern in {
        "stop": r"^\s*(?:nee,? )?(?:stop|stoppen|ophouden|laat maar|annuleer|annuleren|"
                r"cancel|afbreken|quit)\b|\b(?:wil|wil ik|kan ik|mag ik|we) (?:\w+ )?"
                r"(?:stoppen|ophouden|afbreken)\b|\blaat (?:maar|het) (?:zitten|maar)\b|"
                r"\btoch (?:maar )?niet\b|\bhoeft niet meer\b|\bgeen zin meer\b",
        "start_symptom_check": r"\b(?:doe|doen|start|starten|begin|beginnen|maak|maken|"
                               r"invullen)\b.*\b(?:check|test|vragenlijst|zelftest)\b|"
                               r"\b(?:check|test|vragenlijst|zelftest)\b.*\b(?:doen|starten|"
                               r"invullen|maken)\b",
        "request_human": r"\b(?:mens|medewerker|echt persoon|echte persoon|iemand spreken|"
                          r"therapeut spreken|human|real person|someone)\b",
        "bot_challenge": r"\b(?:ben|bent|is dit|are you|is this)\b.*\b(?:bot|robot|computer|"
                         r"mens|echt|human)\b",
        "delete_data": r"\b(?:verwijder\w*|wis|wissen|delete|erase|remove)\b",
        "cancel_appointment": r"\b(?:annuleer\w*|afzeggen|zeg\w* af|cancel\w*)\b",
        "reschedule_appointment": r"\b(?:verzet\w*|verplaats\w*|ander moment|reschedule)\b",
    }.items()
}
LEAVING_INTENTS = frozenset(_COMMANDS)


def leaves_form(text: str, intent: str | None) -> bool:
    """True when a reply to a free-text form question is a clear command, not an answer."""
    pattern = _COMMANDS.get(intent or "")
    return bool(pattern and pattern.search(text or ""))


def is_question_aside(text: str, accepted: bool) -> bool:
    """A faq-classified reply is answered in place only when it is not a usable answer, or
    asks something: "Annelies de Rust" is a name, not a question about rest."""
    return "?" in (text or "") or not accepted
