"""busybox wget, the HTTPS client of most small images (its own TLS code: TLS 1.2, no signature_algorithms
extension, no certificate check), completes its handshake with the real API server, as it does with
kube-apiserver: a pod's ``wget https://kubernetes.default`` works. Clients with SHA-2 signatures still get them."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml

pytestmark = pytest.mark.integration


def _server(apiserver) -> str:
    return yaml.safe_load(apiserver.kubeconfig.read_text())["clusters"][0]["cluster"]["server"]


def test_busybox_wget_gets_the_version(apiserver, tmp_path):
    url = _server(apiserver).replace("127.0.0.1", "localhost") + "/version"  # a name: busybox sends SNI then
    # no openssl on PATH, as in a pod: busybox uses its built-in TLS instead of spawning `openssl s_client`
    done = subprocess.run([shutil.which("busybox") or "busybox", "wget", "-q", "-O", "-", url], capture_output=True, text=True, timeout=30,
                          env={"PATH": str(tmp_path)}, check=False)
    assert done.returncode == 0 and '"major":"1"' in done.stdout, done.stderr


def test_modern_clients_still_get_sha2_signatures_and_aead(apiserver):

    host, port = _server(apiserver).removeprefix("https://").rsplit(":", 1)
    done = subprocess.run(["openssl", "s_client", "-connect", f"{host}:{port}", "-tls1_2", "-brief",
                           "-CAfile", str(apiserver.data_dir / "pki" / "ca.crt")], input="", capture_output=True,
                          text=True, timeout=30, check=False)
    assert "Signature type: ECDSA" in done.stderr and "Hash used: SHA256" in done.stderr, done.stderr
    assert "Ciphersuite: ECDHE-ECDSA-AES256-GCM-SHA384" in done.stderr, done.stderr
