"""Rasa NLU graph components: thin adapters over ``burnout_assistant``."""
