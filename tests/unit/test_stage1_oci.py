"""The OCI config generated for an app: rkt's security defaults, isolators, users, namespaces."""

from __future__ import annotations

from pathlib import Path

import pytest

from rktnetes.rkt.stage1 import oci, seccomp, users
from rktnetes.rkt.stage1.errors import Stage1Error


def app(**isolators):
    return {"name": "web", "readOnlyRootFS": False, "app": {
        "exec": ["/bin/web"], "user": "www", "group": "www", "supplementaryGIDs": [5],
        "environment": [{"name": "PATH", "value": "/bin"}],
        "isolators": [{"name": k, "value": v} for k, v in isolators.items()]}}


@pytest.fixture
def rootfs(tmp_path: Path) -> Path:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "passwd").write_text("root:x:0:0::/root:/bin/sh\nwww:x:33:33::/var/www:/bin/false\n")
    (tmp_path / "etc" / "group").write_text("root:x:0:\nwww:x:33:\n")
    return tmp_path


def config(rootfs, the_app, insecure=()):
    pod = {"insecure": list(insecure), "namespaces": {"net": Path("/p/ns/net"), "ipc": Path("/p/ns/ipc")},
           "cgroup": "/rkt/u/web", "mounts": [], "terminal": False}
    return oci.config(the_app, rootfs, pod)


def test_defaults(rootfs):
    doc = config(rootfs, app())
    proc, linux = doc["process"], doc["linux"]
    assert proc["capabilities"]["bounding"] == oci.DEFAULT_CAPS and len(oci.DEFAULT_CAPS) == 14
    assert proc["user"] == {"uid": 33, "gid": 33, "additionalGids": [5]}
    assert "HOME=/var/www" in proc["env"] and "PATH=/bin" in proc["env"] and "AC_APP_NAME=web" in proc["env"]
    assert "/proc/sysrq-trigger" in linux["readonlyPaths"] and "/proc/kcore" in linux["maskedPaths"]
    assert linux["seccomp"]["defaultAction"] == "SCMP_ACT_ERRNO"
    assert {"type": "network", "path": "/p/ns/net"} in linux["namespaces"]
    assert {"type": "pid"} in linux["namespaces"] and {"type": "mount"} in linux["namespaces"]
    assert linux["cgroupsPath"] == "/rkt/u/web" and not proc["noNewPrivileges"]


def test_insecure_options_lower_each_default(rootfs):
    doc = config(rootfs, app(), insecure=("capabilities", "paths", "seccomp"))
    assert "seccomp" not in doc["linux"] and "maskedPaths" not in doc["linux"]
    assert set(oci.DEFAULT_CAPS) < set(doc["process"]["capabilities"]["bounding"])


def test_isolators(rootfs):
    doc = config(rootfs, app(**{"resource/memory": {"limit": "1048576"}, "resource/cpu": {"limit": "250m"},
                                "os/linux/cpu-shares": 512, "os/linux/oom-score-adj": 100,
                                "os/linux/capabilities-retain-set": {"set": ["CAP_CHOWN"]},
                                "os/linux/no-new-privileges": True}))
    res = doc["linux"]["resources"]
    assert res["memory"] == {"limit": 1048576} and res["cpu"] == {"quota": 25000, "period": 100000, "shares": 512}
    assert doc["process"]["capabilities"]["bounding"] == ["CAP_CHOWN"]
    assert doc["process"]["oomScoreAdj"] == 100 and doc["process"]["noNewPrivileges"]


def test_seccomp_sets():
    assert "read" in seccomp.default_allow() and "kexec_load" not in seccomp.default_allow()
    remove = seccomp.profile({"os/linux/seccomp-remove-set": {"set": ["uname"], "errno": "ENOSYS"}})
    assert remove["defaultAction"] == "SCMP_ACT_ALLOW" and remove["syscalls"][0]["errnoRet"] == 38
    retain = seccomp.profile({"os/linux/seccomp-retain-set": {"set": ["@rkt/default-whitelist", "kexec_load"]}})
    assert "kexec_load" in retain["syscalls"][0]["names"]
    with pytest.raises(Stage1Error):
        seccomp.profile({"os/linux/seccomp-remove-set": {"set": ["uname"], "errno": "EWHAT"}})


def test_host_caps_follow_the_bounding_set():
    assert oci.host_caps("CapBnd:\t0000000000000021\n") == ["CAP_CHOWN", "CAP_KILL"]


def test_users_by_number_and_name(rootfs):
    assert users.uid(rootfs, "www") == 33 and users.uid(rootfs, "1234") == 1234 and users.gid(rootfs, "www") == 33
    with pytest.raises(Stage1Error, match="not found in the image's /etc/passwd"):
        users.uid(rootfs, "nobody")


def test_seccomp_filters_the_native_table_and_a_compat_one_only_for_its_images():
    assert seccomp.architectures("amd64", "x86_64") == [] and seccomp.architectures(None, "x86_64") == []
    assert seccomp.architectures("i386", "x86_64") == ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"]
    assert seccomp.architectures("armv7l", "aarch64") == ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"]
    assert "architectures" not in seccomp.profile({})
    app = {"name": "a", "image": {"labels": [{"name": "os", "value": "linux"}, {"name": "arch", "value": "i386"}]}}
    assert oci.image_arch(app) == "i386" and oci.image_arch({"image": {}}) is None
