"""Image store: importing an ACI file (``rkt fetch`` cold) beside GNU tar unpacking the same file, and a
cached ``rkt fetch`` beside a bare Python start, alternately, in one run.

The ACI is the nginx image built from ``recipes/nginx.yaml`` (Debian packages, cached under ~/.cache).
Run: ``.venv/bin/python bench/images_store.py [--rounds 5]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from rktnetes.rkt.images import building, fetching  # noqa: E402
from rktnetes.rkt.images.store import ImageStore  # noqa: E402

BIN = Path(sys.executable).parent
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "rktnetes" / "build"


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, timeout=600)
    return time.perf_counter() - start


def cold_round(aci: Path, work: Path) -> tuple[float, float, float]:
    """(rkt fetch CLI, ImageStore.import_aci in this process, tar -xf), each into a fresh place."""
    ours = timed([str(BIN / "rkt"), f"--dir={work / 'rkt'}", "--insecure-options=image", "fetch", str(aci)])
    start = time.perf_counter()
    with ImageStore(work / "lib") as store:
        store.import_aci(aci)
    library = time.perf_counter() - start
    (work / "tar").mkdir()
    theirs = timed(["tar", "-xf", str(aci), "-C", str(work / "tar")])
    return ours, library, theirs


def cached_work(aci: Path, root: Path, rounds: int) -> float:
    """The in-process work of a cached fetch (what the CLI does after Python has started)."""
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        store = ImageStore(root)
        fetching.fetch(store, str(aci), insecure=frozenset({"image"}))
        store.close()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory(prefix="bench-images-") as tmp:
        aci = building.build(Path("recipes/nginx.yaml"), Path(tmp) / "out", cache_dir=CACHE, formats=("aci",)).aci
        assert aci is not None
        cold = []
        for i in range(rounds):
            work = Path(tmp) / f"round-{i}"
            work.mkdir()
            cold.append(cold_round(aci, work))
            shutil.rmtree(work)
        root = Path(tmp) / "cached"
        cold_round(aci, root) if root.mkdir() is None else None
        cli = [timed([str(BIN / "rkt"), f"--dir={root / 'rkt'}", "--insecure-options=image", "fetch", str(aci)])
               for _ in range(rounds * 2)]
        bare = [timed([sys.executable, "-c", "pass"]) for _ in range(rounds * 2)]
        work = cached_work(aci, root / "rkt", rounds * 4)
        report(aci, cold, cli, bare, work)


def report(aci: Path, cold: list[tuple[float, float, float]], cli: list[float], bare: list[float], work: float) -> None:
    ours, library, theirs = (statistics.median(c[i] for c in cold) for i in range(3))
    print(f"nginx ACI {aci.stat().st_size / 2**20:.1f} MiB")
    print(f"cold import  rkt fetch {ours * 1000:7.1f} ms   tar -xf {theirs * 1000:7.1f} ms   ratio {ours / theirs:.2f}x")
    print(f"cold import  import_aci {library * 1000:6.1f} ms   tar -xf {theirs * 1000:7.1f} ms   ratio {library / theirs:.2f}x")
    c, b = statistics.median(cli), statistics.median(bare)
    print(f"cached fetch rkt fetch {c * 1000:7.1f} ms   python -c pass {b * 1000:5.1f} ms   ratio {c / b:.2f}x")
    print(f"cached fetch in-process work {work * 1000:.1f} ms (goal <= 50 ms)")


if __name__ == "__main__":
    main()
