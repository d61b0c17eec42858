"""Names shared with domain.yml: slots, responses and the retrieval intent.

One place for the strings that tie the package to Rasa's domain, so a renamed slot is one
edit here and a test (tests/test_names.py) fails when domain.yml and this file disagree.
"""

from __future__ import annotations

FAQ = "faq"  # the retrieval intent; its topics are ``faq/<topic>``

# Responses the dashboard and the safety logic look for in the tracker.
CRISIS_ANSWER = "utter_crisis"  # the helplines at once (certain)
CHECK_IN_RESPONSE = "utter_crisis_check"  # the direct question (unsure)

# -- slots ---------------------------------------------------------------------------------------

# The practice's facts, filled at session start and quoted by the responses.
PRACTICE_NAME = "practice_name"
PRACTICE_PHONE = "practice_phone"
PRACTICE_EMAIL = "practice_email"
PRACTICE_WEBSITE = "practice_website"
PRACTICE_HOURS = "practice_hours"
PRACTICE_WHERE = "practice_where"
PRACTICE_WAITING = "practice_waiting"
PRACTICE_REFERRAL = "practice_referral"
RETENTION_CONVERSATION = "retention_conversation"
RETENTION_LEAD = "retention_lead"

# The symptom check.
CHECK_ANSWER = "check_answer"
CHECK_ANSWERS = "check_answers"
CHECK_STOP_ASKED = "check_stop_asked"
CHECK_BAND = "check_band"
CHECK_NOTED = "check_noted"

# Booking the intro call.
BOOKING_SLOT = "booking_slot"
CONTACT_NAME = "contact_name"
CONTACT_PHONE = "contact_phone"
CONTACT_EMAIL = "contact_email"
BOOKING_CONSENT = "booking_consent"
SHARE_CHECK = "share_check"
BOOKING_CONFIRM = "booking_confirm"
BOOKING_MODE = "booking_mode"
BOOKING_OFFER = "booking_offer"
BOOKING_WISH = "booking_wish"
BOOKING_FIRST_WISH = "booking_first_wish"
BOOKING_STATUS = "booking_status"

# Cancelling or moving a booking (the new time is BOOKING_SLOT).
CHANGE_REFERENCE = "change_reference"
CHANGE_PHONE = "change_phone"
CHANGE_CONFIRM = "change_confirm"
CHANGE_ACTION = "change_action"
CHANGE_BLOCKED = "change_blocked"
CHANGE_STATUS = "change_status"

# Which crisis answer fits, and which reply a message that was not understood gets.
CRISIS_KIND = "crisis_kind"
MISS_REPLY = "miss_reply"

# Form questions answered in free text: whatever is typed fills them (domain.yml excludes only
# crisis), and what fills them was understood (the dashboard's "Niet begrepen" list skips it).
FREE_TEXT_SLOTS = frozenset({CONTACT_NAME, CONTACT_PHONE, CONTACT_EMAIL, BOOKING_SLOT,
                             CHANGE_REFERENCE, CHANGE_PHONE})
