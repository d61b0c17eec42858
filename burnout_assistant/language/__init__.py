"""Dutch language handling: crisis rules and classifier, message kinds, time wishes, contact
details, Dutch dates.

No dialogue decisions and no stores: text in, facts out."""
