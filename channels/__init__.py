"""Rasa input channels: thin adapters from HTTP (website widget, Telegram) to the assistant.

Rasa imports this package while the server starts, after it configured its logging: the
moment to make sure nothing personal is written to the server's log, and to install the
measured speed-up of ``rasa_speedups``.
"""

from burnout_assistant.privacy.log_privacy import install as _install_log_privacy
from channels.rasa_speedups import install as _install_speedups

_install_log_privacy()
_install_speedups()
