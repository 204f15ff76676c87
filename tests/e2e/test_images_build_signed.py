"""``rkt image build --sign-key`` makes an ACI that ``rkt fetch`` accepts once the key is trusted (real gpg)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import require_root
from tests.fixtures.images import CACHE_ROOT

pytestmark = pytest.mark.e2e
RKT = str(Path(sys.executable).parent / "rkt")
RECIPE = "name: example.com/signed\nversion: 1.0.0\nexec: [/hello]\nfiles:\n  - {path: /hello, content: hi, mode: 0755}\n"


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=120)


def test_signed_build_is_fetched_after_trust(tmp_path: Path, gnupg_home: Path) -> None:
    require_root()
    home, config, root = gnupg_home, tmp_path / "etc-rkt", tmp_path / "rkt"
    gpg = ["gpg", "--homedir", str(home), "--batch", "--passphrase", ""]
    subprocess.run([*gpg, "--quick-gen-key", "signer@example.com", "ed25519", "sign", "never"], check=True,
                   capture_output=True, timeout=60)
    subprocess.run([*gpg, "--armor", "--output", str(tmp_path / "key.asc"), "--export", "signer@example.com"],
                   check=True, timeout=30)
    (tmp_path / "signed.yaml").write_text(RECIPE)
    built = _run(RKT, "image", "build", str(tmp_path / "signed.yaml"), "-o", str(tmp_path / "out"), "--format", "aci",
                 "--sign-key", "signer@example.com", "--gpg-home", str(home), "--cache-dir", str(CACHE_ROOT))
    assert built.returncode == 0, built.stderr
    aci = tmp_path / "out/signed.aci"
    assert (tmp_path / "out/signed.aci.asc").is_file()
    refused = _run(RKT, f"--dir={root}", f"--local-config={config}", "fetch", str(aci))
    assert refused.returncode == 254 and len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    trusted = _run(RKT, f"--dir={root}", f"--local-config={config}", "trust", "--prefix", "example.com/signed",
                   "--skip-fingerprint-review", str(tmp_path / "key.asc"))
    assert trusted.returncode == 0, trusted.stderr
    fetched = _run(RKT, f"--dir={root}", f"--local-config={config}", "fetch", str(aci))
    assert fetched.returncode == 0, fetched.stderr
    assert fetched.stdout.startswith("sha512-")
