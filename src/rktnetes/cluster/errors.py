"""Sentinel errors of the local cluster (``rktnetes start/stop/delete/status/service``).

All derive from ``cli.ClusterError``: the CLI prints their message as one line and exits 1.
"""

from __future__ import annotations

from rktnetes.cluster.cli import ClusterError


class BadSpec(ClusterError):
    """A flag of ``rktnetes start`` is out of range or malformed."""


class NoProfile(ClusterError):
    """The profile has never been started (no state directory)."""


class NotRunning(ClusterError):
    """The command needs a running cluster."""


class StartFailed(ClusterError):
    """A component or node did not come up in time; the message says which and where its log is."""


class NetworkSetupFailed(ClusterError):
    """An ``ip``/``nft`` command setting up or tearing down the node network failed."""


class NoService(ClusterError):
    """``rktnetes service NAME``: no such Service, or it has no NodePort."""


class Busy(ClusterError):
    """Another start, stop or delete holds the profile's lock."""
