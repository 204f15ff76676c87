"""The OCI image config written for an exported image, from its appc manifest (round trip with converting)."""

from __future__ import annotations

from pathlib import Path

from rktnetes.rkt.images import converting, layouts


def test_image_config_round_trips_through_the_appc_manifest(tmp_path: Path) -> None:
    original = {"architecture": "arm64", "os": "linux", "config": {
        "Entrypoint": ["/usr/sbin/nginx", "-e", "stderr"], "Env": ["PATH=/bin", "X=1"], "User": "33:33",
        "WorkingDir": "/srv", "ExposedPorts": {"80/tcp": {}, "53/udp": {}}}}
    doc = converting.appc_manifest("nginx", "1.0", original, tmp_path, {})
    assert [x for x in doc["labels"] if x["name"] == "arch"] == [{"name": "arch", "value": "aarch64"}]
    back = layouts.image_config(doc)
    assert back == original


def test_layout_names_come_from_the_directory(tmp_path: Path) -> None:
    assert layouts._name(tmp_path / "nginx.oci") == "nginx"
    assert layouts._name(tmp_path / "My_Image") == "my-image"
