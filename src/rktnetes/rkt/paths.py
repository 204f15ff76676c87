"""Every on-disk path of the runtime, from one named helper each (after rkt's ``common/common.go``).

Nothing else in ``rktnetes.rkt`` joins paths under the data directory by hand; add a helper here instead.
"""

from __future__ import annotations

from pathlib import Path

DEFAULT_DIR = Path("/var/lib/rkt")
DEFAULT_SYSTEM_CONFIG = Path("/usr/lib/rkt")
DEFAULT_LOCAL_CONFIG = Path("/etc/rkt")
DEFAULT_BUILD_CACHE = Path("/var/cache/rktnetes/build")

POD_STATES = ("embryo", "prepare", "prepared", "run", "exited-garbage", "garbage")


def cas_dir(root: Path) -> Path:
    """The image store: blobs, the SQLite index, rendered trees."""
    return root / "cas"


def pods_dir(root: Path) -> Path:
    return root / "pods"


def pod_state_dir(root: Path, state: str) -> Path:
    """One of the folders a pod moves between by rename(2)."""
    if state not in POD_STATES:
        raise ValueError(f"unknown pod state folder {state!r}")
    return pods_dir(root) / state


def tmp_dir(root: Path) -> Path:
    """Scratch space on the same filesystem as the store, so renames into it are atomic."""
    return root / "tmp"


def trusted_keys_dir(config: Path) -> Path:
    return config / "trustedkeys"


def trusted_root_keys_dir(config: Path) -> Path:
    """Keys trusted for every image name (``rkt trust --root``)."""
    return trusted_keys_dir(config) / "root.d"


def trusted_prefix_keys_dir(config: Path, prefix: str) -> Path:
    """Keys trusted for names under ``prefix``; the prefix (an AC identifier, checked by the caller) nests."""
    return trusted_keys_dir(config) / "prefix.d" / prefix


def net_d_dir(config: Path) -> Path:
    return config / "net.d"


def cas_db_path(root: Path) -> Path:
    """The image store's SQLite index."""
    return cas_dir(root) / "index.db"


def cas_db_lock_path(root: Path) -> Path:
    """Serialises processes creating the index (WAL switch and schema) at the same moment."""
    return cas_dir(root) / "index.db.init-lock"


def cas_blob_path(root: Path, image_id: str) -> Path:
    """The uncompressed ACI tar of an image, named by its ``sha512-<hex>`` id."""
    return cas_dir(root) / "blobs" / image_id


def cas_tree_dir(root: Path, image_id: str) -> Path:
    """The rendered tree of an image (``manifest`` + ``rootfs/``), an overlay lower dir."""
    return cas_dir(root) / "tree" / image_id


def cas_tmp_dir(root: Path) -> Path:
    """Scratch space inside the store: half-written blobs and trees, renamed into place when complete."""
    return cas_dir(root) / "tmp"


def cas_lock_path(root: Path, key: str) -> Path:
    """A lock file serialising concurrent writers of one image (``key`` is an image id or a digest)."""
    return cas_dir(root) / "locks" / key


# Pods: ``pod`` is a pod's folder, ``<root>/pods/<state>/<uuid>``; it moves between state folders by rename(2).


def pod_dir(root: Path, state: str, uuid: str) -> Path:
    return pod_state_dir(root, state) / uuid


def pod_manifest_path(pod: Path) -> Path:
    """The appc PodManifest stage0 wrote."""
    return pod / "pod"


def pod_runtime_path(pod: Path) -> Path:
    """What stage0 hands to stage1 besides the manifest: image trees, networks, hostname, options."""
    return pod / "stage1.json"


def pod_created_path(pod: Path) -> Path:
    return pod / "created"


def pod_started_path(pod: Path) -> Path:
    """Written by the supervisor once every app is started; holds its pid."""
    return pod / "pid"


def pod_exited_path(pod: Path) -> Path:
    """Written by the supervisor when the pod has ended: the pod's exit code."""
    return pod / "exited"


def pod_netns_path(pod: Path) -> Path:
    """Bind mount persisting the pod's network namespace (same for ``ipc``/``uts`` with pod_ns_path)."""
    return pod_ns_path(pod, "net")


def pod_ns_path(pod: Path, kind: str) -> Path:
    return pod / "ns" / kind


def pod_networks_path(pod: Path) -> Path:
    """The pod's CNI networks (netns, configs, results; see networking/netinfo.py), written before and
    after each ADD; read by list/status, and by gc to DEL them."""
    return pod / "networks.json"


def pod_net_gate_path(pod: Path) -> Path:
    """Locked by stage1 while it ADDs the pod's networks; the apps' runc waits on it (stage1/gate.py)."""
    return pod / "net-gate"


def pod_hosts_path(pod: Path) -> Path:
    return pod / "etc" / "hosts"


def pod_cgroup_path(pod: Path) -> Path:
    """The pod's cgroup path (relative to each hierarchy's mount point)."""
    return pod / "cgroup"


def pod_runc_root(pod: Path) -> Path:
    """runc's state folder for the pod's containers (``runc --root``)."""
    return pod / "runc"


def pod_volume_dir(pod: Path, volume: str) -> Path:
    """Backing folder of an ``empty`` volume."""
    return pod / "volumes" / volume


def app_dir(pod: Path, app: str) -> Path:
    """The app's OCI bundle: ``config.json`` and ``rootfs``."""
    return pod / "apps" / app


def app_rootfs_path(pod: Path, app: str) -> Path:
    return app_dir(pod, app) / "rootfs"


def app_upper_dir(pod: Path, app: str) -> Path:
    return app_dir(pod, app) / "upper"


def app_work_dir(pod: Path, app: str) -> Path:
    return app_dir(pod, app) / "work"


def app_config_path(pod: Path, app: str) -> Path:
    return app_dir(pod, app) / "config.json"


def app_exit_path(pod: Path, app: str) -> Path:
    """The app's exit code, written when it ends."""
    return app_dir(pod, app) / "exit"


def app_stdin_path(pod: Path, app: str) -> Path:
    """The FIFO an app started with ``--stdin=stream|tty`` reads as its stdin (``rkt`` attach, the kubelet)."""
    return app_dir(pod, app) / "stdin"


def app_log_path(pod: Path, app: str) -> Path:
    """The app's stdout and stderr, interleaved as written."""
    return app_dir(pod, app) / "log"


def net_ipam_dir(root: Path) -> Path:
    """host-local IPAM leases of every CNI network (one folder per network), kept apart from /var/lib/cni."""
    return root / "networks"


def pod_resolv_path(pod: Path) -> Path:
    return pod / "etc" / "resolv.conf"


PORTMAP_LOCK = Path("/run/lock/rkt-portmap.lock")


def portmap_lock_path() -> Path:
    """Serialises portmap ADD/DEL with removing its shared iptables chains once no pod publishes a port.

    Host-wide (not under a data dir) because the chains are per network namespace, not per rkt dir."""
    return PORTMAP_LOCK


def pod_stage1_log_path(pod: Path) -> Path:
    """stderr of a detached pod's stage1 (its own errors; apps log to app_log_path)."""
    return pod / "stage1.log"


def app_runc_state_path(pod: Path, app: str) -> Path:
    """runc's state of the app's container; it exists once runc has created the container."""
    return pod_runc_root(pod) / app / "state.json"


def config_kind_dir(config: Path, kind: str) -> Path:
    """A configuration folder of one kind (``auth``, ``paths``, ``stage1``) under a config dir: ``<kind>.d``."""
    return config / f"{kind}.d"


def build_debs_dir(cache: Path) -> Path:
    """Debian packages downloaded by the image builder, kept between builds."""
    return cache / "debs"


def pod_net_summary_path(pod: Path) -> Path:
    """The networks a pod joined ([{name, ip}]), kept after teardown so list/status still show them."""
    return pod / "net-summary.json"


def pod_control_path(pod: Path) -> Path:
    """A sandbox's control FIFO: ``rkt app start``/``stop`` write one line each, its supervisor's loop reads."""
    return pod / "control"


def pod_apps_lock_path(pod: Path) -> Path:
    """Serialises ``rkt app add``/``rm`` of one sandbox (its folder's own lock is the supervisor's)."""
    return pod / "apps.lock"


def app_started_path(pod: Path, app: str) -> Path:
    """When a sandbox's app was started (its runc pid and the time), written by the supervisor's loop."""
    return app_dir(pod, app) / "started"


def app_previous_log_path(pod: Path, app: str) -> Path:
    """The log of the app's previous run, kept when it is added again under the same name."""
    return app_dir(pod, app) / "log.previous"


def app_previous_run_path(pod: Path, app: str) -> Path:
    """The app's previous run (exit code, started and finished times), kept by ``rkt app rm`` for its next."""
    return app_dir(pod, app) / "previous.json"
