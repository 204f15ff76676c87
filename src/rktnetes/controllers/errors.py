"""Sentinel errors of the controller manager."""

from __future__ import annotations


class ControllerError(Exception):
    """Base of every controller-manager error; its message is one line for the user."""


class UnknownController(ControllerError):
    """A ``--controllers`` name that no controller answers to."""
