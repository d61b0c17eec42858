"""Dialogue decisions and the texts that go with them: replies, fallback, the check flow,
the booking and change dialogues. Rasa-free: actions/ only translates trackers to these calls."""
