"""Plain-Python core of the practice's first-contact assistant.

Nothing in this package imports Rasa: the Rasa components, the custom actions and the
channels adapt Rasa to it, so every rule here is tested without a tracker or a model.
"""
