"""Registry credentials from ``auth.d`` (rkt's ``dockerAuth``) against the real registry with htpasswd auth."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from rktnetes.rkt.images import docker, errors
from rktnetes.rkt.images.store import ImageStore
from tests.conftest import require_root
from tests.fixtures.registry import push_layout, run_registry

pytestmark = pytest.mark.integration
INSECURE = frozenset({"image", "http"})


def _htpasswd(path: Path, user: str, password: str) -> Path:
    with warnings.catch_warnings():  # bcrypt through libcrypt, as htpasswd -B writes it (deprecated in 3.11)
        warnings.simplefilter("ignore", DeprecationWarning)
        import crypt as libcrypt

        path.write_text(f"{user}:{libcrypt.crypt(password, libcrypt.mksalt(libcrypt.METHOD_BLOWFISH))}\n")
    return path


def auth_d(config: Path, registry: str, user: str, password: str) -> Path:
    (config / "auth.d").mkdir(parents=True)
    doc = {"rktKind": "dockerAuth", "rktVersion": "v1", "registries": [registry],
           "credentials": {"user": user, "password": password}}
    (config / "auth.d/registry.json").write_text(json.dumps(doc))
    return config


def test_basic_auth_uses_auth_d_credentials(tmp_path: Path, built_images) -> None:
    require_root()
    htpasswd = _htpasswd(tmp_path / "htpasswd", "alice", "s3cret")
    store = ImageStore(tmp_path / "rkt")
    try:
        with run_registry({"auth": {"htpasswd": {"realm": "rktnetes", "path": str(htpasswd)}}}) as addr:
            push_layout(built_images["busybox"].oci_layout, f"{addr}/private/busybox:latest", creds="alice:s3cret")
            ref = f"docker://{addr}/private/busybox"
            with pytest.raises(errors.RegistryError, match="401 Unauthorized: .* asks for basic authentication: add dockerAuth"):
                docker.fetch_docker(store, ref, insecure=INSECURE, local_config=tmp_path / "none")
            wrong = auth_d(tmp_path / "wrong", addr, "alice", "nope")
            with pytest.raises(errors.RegistryError, match="401"):
                docker.fetch_docker(store, ref, insecure=INSECURE, local_config=wrong)
            good = auth_d(tmp_path / "good", addr, "alice", "s3cret")
            info = docker.fetch_docker(store, ref, insecure=INSECURE, local_config=good)
        assert (store.rootfs(info.id) / "bin/busybox").is_file() and len(store.list()) == 1
    finally:
        store.close()
