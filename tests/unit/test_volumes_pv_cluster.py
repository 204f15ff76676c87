"""The local cluster's part in persistent volumes: the controller manager provisions into the profile, and the
``standard`` StorageClass is minikube's default class; the controller-manager command takes the flag."""

from __future__ import annotations

import argparse

from rktnetes.api import defaulting
from rktnetes.apiserver import persistentvolumeadmission
from rktnetes.cluster import clusterapi, components, layout
from rktnetes.cluster.commands import controller_manager
from rktnetes.cluster.spec import ClusterSpec
from rktnetes.controllers import manager, provisioning


def test_the_controller_manager_provisions_into_the_profile(tmp_path) -> None:
    argv = components.control_plane(ClusterSpec(profile="p"), tmp_path)[1].argv
    assert f"--hostpath-provisioner-dir={layout.hostpath_provisioner_dir(tmp_path)}" in argv
    parser = argparse.ArgumentParser()
    controller_manager.register(parser.add_subparsers())
    args = parser.parse_args(argv[argv.index("controller-manager"):])
    assert args.hostpath_provisioner_dir == tmp_path / "hostpath-provisioner"


def test_standard_is_the_default_hostpath_class() -> None:
    sc = clusterapi.storage_class()
    assert sc["metadata"]["name"] == "standard" and sc["provisioner"] == provisioning.HOSTPATH
    assert sc["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] == "true"
    assert sc["reclaimPolicy"] == "Delete" and sc["volumeBindingMode"] == "Immediate"


def test_the_volume_controllers_are_known_by_kube_controller_managers_names() -> None:
    assert {"persistentvolume-binder", "pvc-protection", "pv-protection"} <= set(manager.registry())
    assert "persistentvolume-binder" not in manager.select(["*", "-persistentvolume-binder"])


def test_the_newest_default_class_is_the_default() -> None:
    def sc(name: str, created: str, default: bool = True) -> dict:
        notes = {persistentvolumeadmission.DEFAULT_CLASS: "true"} if default else {}
        return {"metadata": {"name": name, "creationTimestamp": created, "annotations": notes}}
    classes = [sc("old", "2026-01-01T00:00:00Z"), sc("new", "2026-02-01T00:00:00Z"),
               sc("newest", "2026-03-01T00:00:00Z", default=False)]
    assert persistentvolumeadmission.default_class(classes) == "new"
    assert persistentvolumeadmission.default_class(classes[2:]) is None


def test_a_storage_class_defaults_to_delete_and_immediate() -> None:
    sc = {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "x"}, "provisioner": "p"}
    defaulting.apply_defaults(sc)
    assert sc["reclaimPolicy"] == "Delete" and sc["volumeBindingMode"] == "Immediate"
