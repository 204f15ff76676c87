"""Sentinel errors of the image subsystem; each carries one line meant for the user."""

from rktnetes.rkt.errors import RktError


class ImageError(RktError):
    """An image is malformed, hostile or cannot be stored."""


class ManifestError(ImageError):
    """An appc image manifest breaks the spec."""


class UnsafeArchiveError(ImageError):
    """A tar member would land outside the rootfs or is not allowed (device node, escaping link)."""


class ImageNotFound(ImageError):
    """No image in the store matches a reference."""


class MissingDependency(ImageNotFound):
    """An image depends on one the store lacks; ``dependency`` is the manifest's dependency entry."""

    def __init__(self, message: str, dependency: dict) -> None:
        super().__init__(message)
        self.dependency = dependency


class AmbiguousImageID(ImageError):
    """An id prefix matches more than one image."""


class ImageIDTooShort(ImageError):
    """An id prefix is too short to be a useful key."""


class SignatureError(ImageError):
    """An image's signature is missing, unknown or bad."""


class FetchError(ImageError):
    """An image could not be fetched from where it was asked for."""


class BuildError(ImageError):
    """An image recipe is invalid or its build failed (package resolution, download, signing)."""


class RegistryError(FetchError):
    """A docker registry refused a request or sent something that does not verify."""


class ImageTooLarge(ImageError):
    """An image (or one of its layers) unpacks to more than the store can take: a decompression bomb."""
