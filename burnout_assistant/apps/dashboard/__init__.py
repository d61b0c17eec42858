"""The staff dashboard: a small Flask app that staff log in to (see ``app.py``)."""

from burnout_assistant.apps.dashboard.app import create_app

__all__ = ["create_app"]
