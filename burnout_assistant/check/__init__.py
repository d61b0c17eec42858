"""The symptom check: the questionnaire model, reading typed answers, scoring and bands."""
