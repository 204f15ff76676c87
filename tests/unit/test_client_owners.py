"""Owner references built and read."""

from __future__ import annotations

import pytest

from rktnetes.client import owners

RS = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "web", "uid": "u-rs"}}


def test_owner_reference_and_controller_of() -> None:
    ref = owners.owner_reference(RS)
    assert ref == {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web", "uid": "u-rs", "controller": True,
                   "blockOwnerDeletion": True}
    pod = {"metadata": {"ownerReferences": [owners.owner_reference({**RS, "metadata": {"name": "x", "uid": "u2"}},
                                                                   controller=False), ref]}}
    assert owners.controller_of(pod) == ref
    assert owners.is_controlled_by(pod, RS)
    assert not owners.is_controlled_by(pod, {"metadata": {"uid": "u2"}})
    assert owners.controller_of({"metadata": {}}) is None


def test_an_owner_without_identity_is_refused() -> None:
    with pytest.raises(ValueError, match="metadata.uid"):
        owners.owner_reference({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "web"}})
