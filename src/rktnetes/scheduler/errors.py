"""Sentinel errors of the scheduler."""

from __future__ import annotations


class SchedulerError(Exception):
    """Base of the scheduler's errors."""


class BadQuantity(SchedulerError):
    """A resource quantity that is not a Kubernetes quantity (``100m``, ``1Gi``, ``2``)."""


class FitError(SchedulerError):
    """No node fits the pod; ``message`` is kube-scheduler's ``0/N nodes are available: ...`` line."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
