"""Sentinel errors of stage1 (one line each for the user; exit 254)."""

from rktnetes.rkt.errors import RktError


class Stage1Error(RktError):
    """The pod cannot be started or torn down."""


class RuncError(Stage1Error):
    """runc refused a command; the message carries its stderr's last line."""
