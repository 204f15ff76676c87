"""The kubelet's sentinel errors: each carries a one-line message meant for a person (pod events, the CLI)."""

from __future__ import annotations


class KubeletError(Exception):
    """Any failure of the kubelet that it reports rather than crashes on."""

    event = "Failed"  # the reason of the Warning event the kubelet writes about it


class BadPod(KubeletError):
    """The pod asks for something the kubelet cannot give it (an unknown volume kind, a relative command)."""

    reason = "CreateContainerConfigError"


class RuntimeFailure(KubeletError):
    """``rkt`` refused or failed a command; the message is rkt's own last line."""

    reason = "CreateContainerError"


class ImagePullFailure(RuntimeFailure):
    """The image could not be fetched (or may not be, under imagePullPolicy Never)."""

    reason = "ErrImagePull"


class ImageNeverPull(ImagePullFailure):
    """The image is not in the store and imagePullPolicy Never forbids fetching it."""

    reason = "ErrImageNeverPull"


class ImagePullBackOff(ImagePullFailure):
    """An earlier pull of the image failed and its back-off has not passed yet; ``wait``: seconds left."""

    reason = "ImagePullBackOff"

    def __init__(self, message: str, wait: float) -> None:
        super().__init__(message)
        self.wait = wait


class VolumeNotReady(KubeletError):
    """A volume cannot be mounted yet (a claim not bound): the pod stays ContainerCreating and is tried again."""

    reason = "ContainerCreating"
    event = "FailedMount"
