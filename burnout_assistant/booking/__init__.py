"""The booking domain: which slots are offered, the CalDAV calendar, booking exactly once,
cancel and reschedule, mails to staff and visitors."""
