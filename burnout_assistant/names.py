"""Names shared with domain.yml: slots, responses and the retrieval intent.

One place for the strings that tie the package to Rasa's domain, so a renamed slot is one
edit here and a test (tests/test_names.py) fails when domain.yml and this file disagree.
"""

from __future__ import annotations

FAQ = "faq"  # the retrieval intent; its topics are ``faq/<topic>``

# Responses the dashboard and the safety logic look for in the tracker.
CRISIS_ANSWER = "utter_crisis"  # the helplines at once (certain)
CHECK_IN_RESPONSE = "utter_crisis_check"  # the direct question (unsure)

# Form questions answered in free text: whatever is typed fills them (domain.yml excludes only
# crisis), and what fills them was understood (the dashboard's "Niet begrepen" list skips it).
FREE_TEXT_SLOTS = frozenset({"contact_name", "contact_phone", "contact_email", "booking_slot",
                             "change_reference", "change_phone"})
