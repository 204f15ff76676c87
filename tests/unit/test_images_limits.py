"""Decompression bombs: what an ACI or a layer unpacks to is counted as it is read and refused past a budget."""

import gzip
import io
import os
import tarfile

import pytest

from rktnetes.rkt.images import aci, limits, whiteouts
from rktnetes.rkt.images.errors import ImageTooLarge
from tests.fixtures.images_acis import add_zeros, build_aci

MIB = 1 << 20


def test_the_budget_refuses_in_one_line_once_past_its_limit():
    budget = limits.Budget(10 * MIB, "layer 0")
    budget.spend(10 * MIB)
    with pytest.raises(ImageTooLarge) as caught:
        budget.spend(1)
    assert str(caught.value).count("\n") == 0
    assert str(caught.value).startswith("layer 0 unpacks to more than 10 MiB") and "decompression bomb" in str(caught.value)


def test_the_store_budget_is_the_free_space_split_over_the_copies(tmp_path):
    st = os.statvfs(tmp_path)
    free = st.f_bavail * st.f_frsize
    one, two = limits.Budget.for_store(tmp_path), limits.Budget.for_store(tmp_path, copies=2)
    slack = free // 50  # other processes write to this filesystem meanwhile
    assert abs(one.limit - min(free, limits.MAX_UNPACKED_BYTES)) <= slack
    assert abs(two.limit - min(free // 2, limits.MAX_UNPACKED_BYTES)) <= slack


@pytest.mark.parametrize("mode", ["w:gz", "w:bz2", "w:xz"])
def test_an_aci_unpacking_past_its_budget_is_refused(tmp_path, mode):
    bomb = build_aci(tmp_path / "bomb.aci", mode=mode, extra=lambda tar: add_zeros(tar, "rootfs/zeros", 8 * MIB))
    assert bomb.stat().st_size < MIB
    with bomb.open("rb") as src, pytest.raises(ImageTooLarge):
        aci.spool_checked(src, io.BytesIO(), limits.Budget(4 * MIB))
    with bomb.open("rb") as src:
        image_id, doc = aci.spool_checked(src, io.BytesIO(), limits.Budget(16 * MIB))
    assert image_id.startswith("sha512-") and doc["name"] == "example.com/hello"


def test_a_layer_unpacking_past_its_budget_is_refused_and_the_budget_spans_layers(tmp_path):
    layer = tmp_path / "layer.tar.gz"
    with gzip.open(layer, "wb", compresslevel=1) as gz, tarfile.open(fileobj=gz, mode="w|") as tar:
        add_zeros(tar, "zeros", 3 * MIB)
    (tmp_path / "root").mkdir()
    shared = limits.Budget(8 * MIB)
    whiteouts.apply_layer(layer, tmp_path / "root", budget=shared)
    whiteouts.apply_layer(layer, tmp_path / "root", budget=shared)
    with pytest.raises(ImageTooLarge):
        whiteouts.apply_layer(layer, tmp_path / "root", budget=shared)
    with pytest.raises(ImageTooLarge):
        whiteouts.apply_layer(layer, tmp_path / "root", budget=limits.Budget(MIB))
