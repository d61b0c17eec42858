"""Rasa input channels: thin adapters from HTTP (website widget, Telegram) to the assistant.

Rasa imports this package while the server starts, after it configured its logging: the
moment to make sure nothing personal is written to the server's log.
"""

from burnout_assistant.log_privacy import install as _install_log_privacy

_install_log_privacy()
