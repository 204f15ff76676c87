"""The image builder: a recipe becomes a root filesystem, then an ACI and/or an OCI image layout.

The tree is assembled from Debian packages (``debian``), then the recipe's applet links, directories,
files, symlinks and account files are laid over it (``rootfs``). Output is reproducible: the same recipe
and the same packages give the same ACI id and the same OCI digests.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from rktnetes.rkt import paths
from rktnetes.rkt.images import aci, debian, errors, layers, oci, recipes, rootfs

ARCH = "amd64"
_GPG_TIMEOUT = 60


@dataclasses.dataclass(frozen=True)
class BuildResult:
    aci: Path | None
    oci_layout: Path | None
    signature: Path | None = None
    image_id: str | None = None
    name: str = ""
    tag: str = "latest"


def aci_manifest(recipe: recipes.Recipe) -> dict[str, Any]:
    """The appc image manifest of a recipe's image."""
    app: dict[str, Any] = {
        "exec": recipe.exec,
        "user": recipe.user,
        "group": recipe.group,
        "workingDirectory": recipe.working_directory,
        "environment": [{"name": k, "value": v} for k, v in recipe.environment().items()],
    }
    if recipe.ports:
        app["ports"] = [rootfs.appc_port(p) for p in recipe.ports]
    labels = {"version": recipe.version, "os": "linux", "arch": ARCH}
    return {
        "acKind": "ImageManifest",
        "acVersion": "0.8.11",
        "name": recipe.name,
        "labels": [{"name": k, "value": v} for k, v in labels.items()],
        "app": app,
    }


def oci_config(recipe: recipes.Recipe) -> dict[str, Any]:
    """The OCI image config of a recipe's image (``rootfs`` is filled in when layers are written)."""
    config: dict[str, Any] = {
        "Entrypoint": recipe.exec,
        "Env": [f"{k}={v}" for k, v in recipe.environment().items()],
        "User": f"{recipe.user}:{recipe.group}",
        "WorkingDir": recipe.working_directory,
        "Labels": {"org.opencontainers.image.version": recipe.version},
    }
    if recipe.ports:
        config["ExposedPorts"] = {f"{p['port']}/{p.get('protocol', 'tcp')}": {} for p in recipe.ports}
    return {"created": "1970-01-01T00:00:00Z", "architecture": ARCH, "os": "linux", "config": config}


def _assemble(recipe: recipes.Recipe, tree: Path, cache_dir: Path) -> None:
    if recipe.packages:
        names = debian.resolve(recipe.packages, exclude=recipe.exclude)
        debian.unpack(debian.download(names, paths.build_debs_dir(cache_dir)), tree)
    rootfs.customise(recipe, tree)


def _write_aci(recipe: recipes.Recipe, tree: Path, out: Path) -> str:
    tmp = out.with_name(out.name + ".tmp")
    with tmp.open("wb") as f:
        image_id = aci.write_aci(aci_manifest(recipe), tree, f)
    tmp.rename(out)
    return image_id


def _write_oci(recipe: recipes.Recipe, tree: Path, layout: Path, work: Path) -> None:
    layer_tar = work / "layer.tar"
    layers.write_tar(tree, layer_tar)
    shutil.rmtree(layout, ignore_errors=True)
    oci.write_image(layout, oci_config(recipe), [layer_tar], "latest")


def sign(path: Path, key: str, gpg_home: Path | None = None) -> Path:
    """A detached armored signature ``path.asc`` made by real gpg with ``key``."""
    asc = path.with_name(path.name + ".asc")
    argv = ["gpg", "--batch", "--yes", "--armor", "--local-user", key, "--output", str(asc), "--detach-sign", str(path)]
    if gpg_home is not None:
        argv[1:1] = ["--homedir", str(gpg_home)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=_GPG_TIMEOUT, check=False)
    if done.returncode != 0:
        raise errors.BuildError(f"gpg could not sign {path.name}: {done.stderr.strip().splitlines()[-1:]}")
    return asc


def _short_name(recipe: recipes.Recipe) -> str:
    return recipe.name.rsplit("/", 1)[-1]


def build(recipe: Path | dict[str, Any], out_dir: Path, *, cache_dir: Path, formats: tuple[str, ...] = ("aci", "oci"),
          sign_key: str | None = None, gpg_home: Path | None = None) -> BuildResult:
    """Build a recipe (a YAML path or a mapping) into ``out_dir``: ``NAME.aci`` and/or ``NAME.oci/``."""
    parsed = recipes.load(recipe) if isinstance(recipe, Path) else recipes.from_dict(recipe)
    out_dir.mkdir(parents=True, exist_ok=True)
    short = _short_name(parsed)
    with tempfile.TemporaryDirectory(prefix=".build-", dir=out_dir) as work:
        tree = Path(work) / "rootfs"
        _assemble(parsed, tree, cache_dir)
        aci_path = out_dir / f"{short}.aci" if "aci" in formats else None
        image_id = _write_aci(parsed, tree, aci_path) if aci_path else None
        layout = out_dir / f"{short}.oci" if "oci" in formats else None
        if layout:
            _write_oci(parsed, tree, layout, Path(work))
    signature = sign(aci_path, sign_key, gpg_home) if aci_path and sign_key else None
    return BuildResult(aci_path, layout, signature, image_id, parsed.name)
