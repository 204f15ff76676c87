"""Signature verification and signed ACI fetch over HTTP, side by side with the plain tools.

verify: ``Keystore.verify`` (keyring assembled from the trust store + gpgv) vs a bare ``gpgv`` on a ready
keyring. fetch: ``fetch_appc`` of a signed ACI URL into a fresh store (download, signature, verify, import,
render) vs ``curl`` ACI + signature, ``gpgv``, ``tar -xzf``. Medians of alternating runs; ratio = ours/peer.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fixtures.appc_discovery import make_aci  # noqa: E402
from tests.fixtures.gpg import make_key  # noqa: E402

from rktnetes.rkt.images import appc_fetching, trust  # noqa: E402
from rktnetes.rkt.images.store import ImageStore  # noqa: E402

RUNS = 7
NAME = "example.com/bench"


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def compare(label: str, ours, peer) -> None:
    a, b = [], []
    for _ in range(RUNS):
        a.append(timed(ours))
        b.append(timed(peer))
    mine, theirs = statistics.median(a), statistics.median(b)
    print(f"{label:34s} ours {mine * 1000:8.1f} ms   peer {theirs * 1000:8.1f} ms   ratio {mine / theirs:5.2f}")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def serve(folder: Path) -> tuple[ThreadingHTTPServer, str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(folder)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-trust-"))
    key = make_key(Path(tempfile.mkdtemp(prefix="bench-gpg-")), "Bench Signer")
    try:
        keystore = trust.Keystore(work / "etc", work / "usr")
        keystore.add(key.armored, NAME, root=False)
        keyring = work / "peer.gpg"
        keyring.write_bytes(subprocess.run(["gpg", "--dearmor"], input=key.armored, capture_output=True,
                                           check=True).stdout)
        for mib in (1, 32):
            image = work / "www" / f"app-{mib}.aci"
            image.parent.mkdir(exist_ok=True)
            image.write_bytes(make_aci(NAME, payload=os.urandom(mib << 20)))
            asc = key.sign(image)
            gpgv = ["gpgv", "--homedir", str(work), "--keyring", str(keyring), str(asc), str(image)]
            compare(f"verify {mib} MiB ACI", partial(keystore.verify, image, asc, NAME),
                    partial(subprocess.run, gpgv, capture_output=True, check=True))
        httpd, base = serve(work / "www")
        url = f"{base}/app-32.aci"
        compare("fetch 32 MiB signed ACI over HTTP", partial(ours_fetch, work, url, keystore),
                partial(peer_fetch, work, url, keyring))
        httpd.shutdown()
    finally:
        subprocess.run(["gpgconf", "--homedir", str(key.home), "--kill", "gpg-agent"], capture_output=True)
        shutil.rmtree(key.home, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)


def ours_fetch(work: Path, url: str, keystore: trust.Keystore) -> None:
    root = work / "rkt"
    shutil.rmtree(root, ignore_errors=True)
    store = ImageStore(root)
    try:
        appc_fetching.fetch_appc(store, url, insecure=frozenset({"http"}), local_config=keystore.local_config,
                                 system_config=keystore.system_config)
    finally:
        store.close()


def peer_fetch(work: Path, url: str, keyring: Path) -> None:
    out = work / "peer"
    shutil.rmtree(out, ignore_errors=True)
    (out / "tree").mkdir(parents=True)
    subprocess.run(["curl", "-sf", "-o", str(out / "a.aci"), url, "-o", str(out / "a.aci.asc"), url + ".asc"],
                   check=True)
    subprocess.run(["gpgv", "--homedir", str(work), "--keyring", str(keyring), str(out / "a.aci.asc"),
                    str(out / "a.aci")], capture_output=True, check=True)
    subprocess.run(["tar", "-xzf", str(out / "a.aci"), "-C", str(out / "tree")], check=True)


if __name__ == "__main__":
    main()
