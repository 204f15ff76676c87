"""The image builder against the real tools: apt, dpkg-deb, umoci, skopeo, gpg, and the built programs."""

from __future__ import annotations

import hashlib
import json
import subprocess
import tarfile
from pathlib import Path

import pytest

from rktnetes.rkt.images import building, ids, manifest
from tests.conftest import require_root
from tests.fixtures.images import CACHE_ROOT, recipe_path

pytestmark = pytest.mark.integration


def _aci_manifest(path: Path) -> dict:
    with tarfile.open(path) as tar:
        return manifest.parse(tar.extractfile("manifest").read())


def test_acis_are_valid_and_ids_match_their_bytes(built_images) -> None:
    for name, result in built_images.items():
        doc = _aci_manifest(result.aci)
        assert doc["name"] == name and manifest.labels(doc)["arch"] == "amd64"
        with result.aci.open("rb") as f:
            assert ids.from_hexdigest(hashlib.file_digest(f, "sha512").hexdigest()) == result.image_id


def test_nginx_manifest_names_its_port(built_images) -> None:
    app = _aci_manifest(built_images["nginx"].aci)["app"]
    assert app["ports"] == [{"name": "http", "protocol": "tcp", "port": 80}]
    assert app["exec"][0] == "/usr/sbin/nginx"


def test_builds_are_reproducible(tmp_path: Path, built_images) -> None:
    again = building.build(recipe_path("busybox"), tmp_path, cache_dir=CACHE_ROOT)
    assert again.image_id == built_images["busybox"].image_id
    index = json.loads((again.oci_layout / "index.json").read_text())
    first = json.loads((built_images["busybox"].oci_layout / "index.json").read_text())
    assert index["manifests"][0]["digest"] == first["manifests"][0]["digest"]


def test_skopeo_inspects_our_layouts(built_images) -> None:
    out = subprocess.run(["skopeo", "inspect", "--config", f"oci:{built_images['nginx'].oci_layout}:latest"],
                         capture_output=True, text=True, check=True, timeout=60)
    config = json.loads(out.stdout)["config"]
    assert config["ExposedPorts"] == {"80/tcp": {}}
    assert config["Entrypoint"] == ["/usr/sbin/nginx", "-e", "stderr"]


def test_umoci_unpacks_our_layout(tmp_path: Path, built_images) -> None:
    require_root()
    bundle = tmp_path / "bundle"
    subprocess.run(["umoci", "unpack", "--image", f"{built_images['alpine-sh'].oci_layout}:latest", str(bundle)],
                   check=True, capture_output=True, timeout=60)
    assert (bundle / "rootfs/bin/sh").is_symlink()
    assert "user:x:1000:1000:" in (bundle / "rootfs/etc/passwd").read_text()
    out = subprocess.run(["chroot", str(bundle / "rootfs"), "/bin/sh", "-c", "echo $((6*7)); ls /bin | wc -l"],
                         capture_output=True, text=True, check=True, timeout=30)
    lines = out.stdout.split()
    assert lines[0] == "42" and int(lines[1]) > 50


def test_bad_recipe_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(Exception, match="unknown key"):
        building.build({"name": "x", "exec": ["/x"], "pakages": []}, out, cache_dir=tmp_path)
    assert not out.exists()


def test_unknown_package_is_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="no-such-package-rktnetes") as info:
        building.build({"name": "x", "exec": ["/x"], "packages": ["no-such-package-rktnetes"]}, tmp_path / "o",
                       cache_dir=tmp_path)
    assert "\n" not in str(info.value)
    assert not list((tmp_path / "o").glob("*.aci"))


def test_signed_aci_verifies_with_gpgv(tmp_path: Path, gnupg_home: Path) -> None:
    home = gnupg_home
    gpg = ["gpg", "--homedir", str(home), "--batch", "--passphrase", ""]
    subprocess.run([*gpg, "--quick-gen-key", "builder@rktnetes.test", "ed25519", "sign", "never"],
                   check=True, capture_output=True, timeout=60)
    result = building.build({"name": "example.com/tiny", "exec": ["/x"], "files": [{"path": "/x", "content": "hi"}]},
                            tmp_path / "out", cache_dir=tmp_path, formats=("aci",), sign_key="builder@rktnetes.test",
                            gpg_home=home)
    keyring = tmp_path / "key.gpg"
    subprocess.run([*gpg, "--output", str(keyring), "--export", "builder@rktnetes.test"], check=True, timeout=30)
    subprocess.run(["gpgv", "--keyring", str(keyring), str(result.signature), str(result.aci)],
                   check=True, capture_output=True, timeout=30)
    assert result.oci_layout is None and result.signature.read_text().startswith("-----BEGIN PGP SIGNATURE")
