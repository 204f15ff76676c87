"""The OCI runtime config (``config.json``) runc runs one app from: rkt's security defaults plus isolators.

Each app gets its own mount and pid namespaces and joins the pod's net, ipc and uts namespaces; it runs
with exactly rkt's 14 default capabilities, the default seccomp allow-list and masked or read-only /proc
and /sys paths, each lowered only by ``--insecure-options`` or the app's isolators.
"""

from __future__ import annotations

import json
from pathlib import Path

from rktnetes.rkt.stage1 import seccomp, users

DEFAULT_CAPS = [
    "CAP_AUDIT_WRITE", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_KILL", "CAP_MKNOD",
    "CAP_NET_RAW", "CAP_NET_BIND_SERVICE", "CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETFCAP",
    "CAP_SYS_CHROOT",
]
# every capability, in kernel bit order (CAP_CHOWN is bit 0)
ALL_CAPS = [
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
    "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
]
MASKED = ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
          "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware"]
READ_ONLY = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
CFS_PERIOD = 100_000
OCI_NS = {"net": "network", "ipc": "ipc", "uts": "uts"}


def _isolators(app: dict[str, object]) -> dict[str, object]:
    return {i["name"]: i.get("value") for i in app["app"].get("isolators", [])}


def image_arch(app: dict[str, object]) -> str | None:
    """The ``arch`` label of the app's image, as the pod manifest records it."""
    return next((lb["value"] for lb in app.get("image", {}).get("labels", []) if lb["name"] == "arch"), None)


def host_caps(status: str | None = None) -> list[str]:
    """Every capability in this process's bounding set: all an app can be given."""
    text = Path("/proc/self/status").read_text() if status is None else status
    mask = int(next(line.split()[1] for line in text.splitlines() if line.startswith("CapBnd:")), 16)
    return [cap for bit, cap in enumerate(ALL_CAPS) if mask >> bit & 1]


def capabilities(isolators: dict[str, object], insecure: set[str]) -> list[str]:
    if "os/linux/capabilities-retain-set" in isolators:
        return list(isolators["os/linux/capabilities-retain-set"]["set"])
    caps = host_caps() if "capabilities" in insecure else DEFAULT_CAPS
    removed = set(isolators.get("os/linux/capabilities-remove-set", {}).get("set", []))
    return [c for c in caps if c not in removed]


def environment(app: dict[str, object], home: str) -> list[str]:
    env = {"PATH": DEFAULT_PATH, "HOME": home, "AC_APP_NAME": app["name"]}
    env.update({e["name"]: e["value"] for e in app["app"].get("environment", [])})
    return [f"{k}={v}" for k, v in env.items()]


def process(app: dict[str, object], rootfs: Path, insecure: set[str], terminal: bool) -> dict[str, object]:
    spec, isolators = app["app"], _isolators(app)
    uid, gid = users.uid(rootfs, spec["user"]), users.gid(rootfs, spec["group"])
    caps = capabilities(isolators, insecure)
    proc: dict[str, object] = {
        "terminal": terminal,
        "user": {"uid": uid, "gid": gid, "additionalGids": spec.get("supplementaryGIDs", [])},
        "args": spec["exec"],
        "env": environment(app, users.home(rootfs, uid)),
        "cwd": spec.get("workingDirectory") or "/",
        "capabilities": {k: caps for k in ("bounding", "effective", "permitted")},
        "noNewPrivileges": bool(isolators.get("os/linux/no-new-privileges")),
    }
    if "os/linux/oom-score-adj" in isolators:
        proc["oomScoreAdj"] = int(isolators["os/linux/oom-score-adj"])
    return proc


def resources(isolators: dict[str, object]) -> dict[str, object]:
    res: dict[str, object] = {"devices": [{"allow": False, "access": "rwm"}]}
    if "resource/memory" in isolators:
        res["memory"] = {"limit": int(isolators["resource/memory"]["limit"])}
    cpu: dict[str, object] = {}
    if "resource/cpu" in isolators:
        millis = int(str(isolators["resource/cpu"]["limit"]).rstrip("m"))
        cpu.update(quota=millis * CFS_PERIOD // 1000, period=CFS_PERIOD)
    if "os/linux/cpu-shares" in isolators:
        cpu["shares"] = int(isolators["os/linux/cpu-shares"])
    if cpu:
        res["cpu"] = cpu
    return res


def base_mounts() -> list[dict[str, object]]:
    def m(dest: str, kind: str, options: list[str]) -> dict[str, object]:
        return {"destination": dest, "type": kind, "source": kind, "options": options}

    return [
        m("/proc", "proc", ["nosuid", "noexec", "nodev"]),
        m("/dev", "tmpfs", ["nosuid", "strictatime", "mode=755", "size=65536k"]),
        m("/dev/pts", "devpts", ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]),
        m("/dev/shm", "tmpfs", ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]),
        m("/dev/mqueue", "mqueue", ["nosuid", "noexec", "nodev"]),
        m("/sys", "sysfs", ["nosuid", "noexec", "nodev", "ro"]),
        m("/sys/fs/cgroup", "cgroup", ["nosuid", "noexec", "nodev", "relatime", "ro"]),
    ]


def bind(source: Path, dest: str, read_only: bool) -> dict[str, object]:
    options = ["rbind", "rprivate"] + (["ro"] if read_only else [])
    return {"destination": dest, "type": "bind", "source": str(source), "options": options}


def config(app: dict[str, object], rootfs: Path, pod: dict[str, object]) -> dict[str, object]:
    """The whole config.json; ``pod`` holds ns paths, cgroup, extra mounts, insecure set, terminal and
    any OCI hooks (the network gate's)."""
    insecure, isolators = set(pod["insecure"]), _isolators(app)
    linux: dict[str, object] = {
        "namespaces": [{"type": "pid"}, {"type": "mount"}]
        + [{"type": OCI_NS[kind], "path": str(path)} for kind, path in pod["namespaces"].items()],
        "cgroupsPath": pod["cgroup"],
        "resources": resources(isolators),
    }
    if "paths" not in insecure:
        linux.update(maskedPaths=MASKED, readonlyPaths=READ_ONLY)
    if "seccomp" not in insecure:
        linux["seccomp"] = seccomp.profile(isolators, image_arch(app))
    doc = {
        "ociVersion": "1.0.2",
        "process": process(app, rootfs, insecure, pod["terminal"]),
        "root": {"path": "rootfs", "readonly": bool(app.get("readOnlyRootFS"))},
        "mounts": base_mounts() + pod["mounts"],
        "linux": linux,
    }
    return {**doc, "hooks": pod["hooks"]} if pod.get("hooks") else doc


def write(path: Path, doc: dict[str, object]) -> None:
    path.write_text(json.dumps(doc))
