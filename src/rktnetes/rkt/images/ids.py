"""Image ids: ``sha512-<hex>`` of the uncompressed ACI tar (appc's rule), and how they print and parse."""

from __future__ import annotations

import re

from rktnetes.rkt.images import errors

PREFIX = "sha512-"
SHORT_HEX = 32
FULL_HEX = 64
MIN_PREFIX_HEX = 2
_ID_RE = re.compile(r"^sha512-[0-9a-f]{1,128}$")
_KEY_RE = re.compile(r"^sha512-[0-9a-f]{64}$")


def from_hexdigest(hexdigest: str) -> str:
    """The store key of a sha512 digest: the first 64 hex digits, as rkt keyed its store."""
    return PREFIX + hexdigest[:FULL_HEX]


def display(image_id: str, *, full: bool = False) -> str:
    """``sha512-`` + 32 hex digits, or 64 with ``full``."""
    return image_id[: len(PREFIX) + (FULL_HEX if full else SHORT_HEX)]


def looks_like_id(ref: str) -> bool:
    return ref.startswith(PREFIX)


def check_prefix(ref: str) -> str:
    """Validate an id prefix given by a user; returns it lower-cased, truncated to the store key length."""
    ref = ref.lower()
    if not _ID_RE.match(ref):
        raise errors.ImageNotFound(f"invalid image ID {ref!r}")
    if len(ref) - len(PREFIX) < MIN_PREFIX_HEX:
        raise errors.ImageIDTooShort(f"image ID too short: {ref!r}")
    return ref[: len(PREFIX) + FULL_HEX]


def check_key(image_id: str) -> str:
    """Refuse anything but a full store key (``sha512-`` + 64 hex): it names files in the store."""
    if not _KEY_RE.match(image_id):
        raise errors.ImageError(f"invalid image ID {image_id!r} (want sha512- and 64 hex digits)")
    return image_id
