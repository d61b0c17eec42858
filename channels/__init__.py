"""Rasa input channels: thin adapters from HTTP (website widget, Telegram) to the assistant."""
