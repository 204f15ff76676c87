"""Sentinel errors of pods and their lifecycle; each is one line for the user (exit 254)."""

from rktnetes.rkt.errors import RktError, UsageError


class PodError(RktError):
    """Anything wrong with a pod."""


class NoSuchPod(PodError):
    def __init__(self, uuid: str) -> None:
        super().__init__(f'no matches found for "{uuid}"')


class AmbiguousPod(PodError):
    def __init__(self, uuid: str) -> None:
        super().__init__(f'ambiguous uuid, multiple matches found for "{uuid}"')


class EmptyUUID(UsageError):
    def __init__(self) -> None:
        super().__init__("UUID cannot be empty")


class NoApps(UsageError):
    def __init__(self) -> None:
        super().__init__("pod must contain at least one application")


class Unprivileged(PodError):
    def __init__(self) -> None:
        super().__init__("cannot run as unprivileged user")


class ManifestConflict(UsageError):
    def __init__(self) -> None:
        super().__init__("conflicting flags set with --pod-manifest")


class IllegalTransition(PodError):
    """A state change the lifecycle does not allow (e.g. running a pod that is not prepared)."""


class PodLocked(PodError):
    """Another process holds the pod's lock (it is running, or being prepared or deleted)."""


class BadAppFlag(UsageError):
    """An app flag (``--mount``, ``--memory``, ``--user`` …) that cannot be parsed."""
