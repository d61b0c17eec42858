"""Rasa SDK actions: each class only translates between a tracker and ``burnout_assistant``."""
