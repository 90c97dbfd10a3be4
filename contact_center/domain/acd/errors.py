"""Routing errors: plain exceptions; only the web layer maps them to HTTP status codes."""

from __future__ import annotations


class AcdError(Exception):
    """Base of every routing error."""


class ConfigError(AcdError, ValueError):
    """A queue definition that cannot be used; the message names the field."""


class NoSuchQueue(AcdError, KeyError):
    """The queue id is not configured."""


class NoSuchAgent(AcdError, KeyError):
    """The agent id is not known to the router."""


class NoSuchCall(AcdError, KeyError):
    """The call id is not known to the router."""


class DuplicateCall(AcdError):
    """A call with that id is already in the router."""


class InvalidTransition(AcdError):
    """The command is not allowed in the current state of the agent or call."""
