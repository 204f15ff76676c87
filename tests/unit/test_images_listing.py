"""``rkt image list`` formatting: sizes, ages, columns, --full, JSON."""

from __future__ import annotations

import json
import time

import pytest

from rktnetes.rkt.images import listing
from rktnetes.rkt.images.errors import ImageError
from rktnetes.rkt.images.index import ImageInfo

NOW = time.time()
IMAGES = [
    ImageInfo("sha512-" + "a" * 64, "example.com/a", {"version": "1"}, NOW - 7200, NOW - 30, 3 * 2**20, "o", "aci"),
    ImageInfo("sha512-" + "b" * 64, "example.com/a", {"version": "2"}, NOW - 60, NOW - 1, 512, "o", "oci"),
]


@pytest.mark.parametrize(("size", "text"), [(0, "0B"), (512, "512B"), (1536, "1.5KiB"), (3 * 2**20, "3MiB"),
                                            (5 * 2**40, "5TiB")])
def test_human_size(size: int, text: str) -> None:
    assert listing.human_size(size) == text


@pytest.mark.parametrize(("age", "text"), [(0, "just now"), (1, "1 second ago"), (125, "2 minutes ago"),
                                           (7200, "2 hours ago"), (3 * 86400, "3 days ago")])
def test_human_age(age: int, text: str) -> None:
    assert listing.human_age(NOW - age, NOW) == text


def test_table_columns_and_latest() -> None:
    out = listing.table(IMAGES, ("id", "name", "size", "latest"), full=False, legend=True).splitlines()
    assert out[0].split() == ["ID", "NAME", "SIZE", "LATEST"]
    assert out[1].split() == ["sha512-" + "a" * 32, "example.com/a:1", "3MiB", "false"]
    assert out[2].split() == ["sha512-" + "b" * 32, "example.com/a:2", "512B", "true"]
    full = listing.table(IMAGES, ("id", "size", "importtime"), full=True, legend=False).splitlines()
    assert full[0].split()[:2] == ["sha512-" + "a" * 64, str(3 * 2**20)] and full[0].endswith("Z")
    assert listing.table([], listing.DEFAULT_FIELDS, full=False, legend=False) == ""


def test_json_and_field_errors() -> None:
    docs = json.loads(listing.as_json(IMAGES, pretty=False))
    assert [d["version"] for d in docs] == ["1", "2"] and docs[1]["format"] == "oci"
    assert listing.parse_fields(None) == listing.DEFAULT_FIELDS
    assert listing.parse_fields("ID, Name") == ("id", "name")
    with pytest.raises(ImageError, match="unknown field"):
        listing.parse_fields("id,colour")
    assert [i.id for i in listing.sorted_images(IMAGES, "size", "asc")] == [IMAGES[1].id, IMAGES[0].id]
