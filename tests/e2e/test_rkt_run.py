"""``rkt run`` end to end: real runc, overlayfs and cgroups, on the images from the image recipes."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.fixtures import pods
from tests.fixtures.pods import RKT

pytestmark = pytest.mark.e2e
NONE = "--net=none"


def sh(rkt, script: str, *flags: str, image: str = "busybox", pod_flags: tuple[str, ...] = ()):
    return rkt("run", NONE, *pod_flags, image, *flags, "--exec", "/bin/sh", "--", "-c", script, "---")


@pytest.mark.parametrize("code", [0, 1, 2])
def test_the_pod_exits_with_the_apps_code(rkt, code):
    done = sh(rkt, f"echo out; echo err >&2; exit {code}")
    assert done.returncode == code, done.stderr
    assert done.stdout == "out\n" and "err\n" in done.stderr
    uuid = rkt.uuids()[-1]
    assert rkt.status(uuid)["app-busybox"] == str(code)


def test_multi_app_pod_records_every_exit_code(rkt):
    done = rkt("run", NONE, "--uuid-file-save=/dev/stdout",
               "busybox", "--name=one", "--exec", "/bin/sh", "--", "-c", "exit 0", "---",
               "alpine-sh", "--name=two", "--exec", "/bin/sh", "--", "-c", "exit 3", "---")
    assert done.returncode == 3, done.stderr
    status = rkt.status(done.stdout.strip()[:36])
    assert status["app-one"] == "0" and status["app-two"] == "3" and status["state"] == "exited"


def test_environment_precedence(rkt):
    env = {**os.environ, "FROM_HOST": "host", "BOTH": "host"}
    done = rkt("run", NONE, "--inherit-env", "--set-env=BOTH=set", "--set-env=ONLY_SET=set",
               "busybox", "--environment=ONLY_APP=app", "--environment=BOTH=app", "--environment=PATH=/bin",
               "--exec", "/bin/sh", "--", "-c", "echo $FROM_HOST $BOTH $ONLY_SET $ONLY_APP", "---", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["host", "set", "set", "app"]


def test_default_hostname_and_hosts_file(rkt):
    done = sh(rkt, "hostname; cat /etc/hosts", pod_flags=("--uuid-file-save=/dev/stderr", "--hosts-entry=10.1.2.3=db"))
    assert done.returncode == 0, done.stderr
    uuid = done.stderr.strip()[:36]
    lines = done.stdout.splitlines()
    assert lines[0] == f"rkt-{uuid}"
    assert any("localhost" in line and line.startswith("127.0.0.1") for line in lines)
    assert any(line.split()[:2] == ["10.1.2.3", "db"] for line in lines)


def test_hostname_flag(rkt):
    assert sh(rkt, "hostname", pod_flags=("--hostname=web-1",)).stdout == "web-1\n"


@pytest.mark.parametrize("user,group,expect", [("1000", "1000", "1000 1000"), ("user", "user", "1000 1000"),
                                               ("nobody", "nogroup", "65534 65534")])
def test_user_and_group_by_number_and_name(rkt, user, group, expect):
    done = sh(rkt, "echo $(id -u) $(id -g)", f"--user={user}", f"--group={group}", image="alpine-sh")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == expect


def test_unknown_user_is_an_error(rkt):
    done = sh(rkt, "true", "--user=nosuchuser", image="alpine-sh")
    assert done.returncode != 0 and "nosuchuser" in done.stderr


def test_capability_bounding_set_is_exactly_rkts_14(rkt):
    done = sh(rkt, "grep CapBnd /proc/self/status")
    # AUDIT_WRITE CHOWN DAC_OVERRIDE FSETID FOWNER KILL MKNOD NET_RAW NET_BIND_SERVICE SETUID SETGID SETPCAP
    # SETFCAP SYS_CHROOT
    bits = [29, 0, 1, 4, 3, 5, 27, 13, 10, 7, 6, 8, 31, 18]
    assert int(done.stdout.split()[1], 16) == sum(1 << b for b in bits)


def test_caps_retain_and_remove(rkt):
    retained = sh(rkt, "grep CapBnd /proc/self/status", "--caps-retain=CAP_CHOWN,CAP_KILL")
    assert int(retained.stdout.split()[1], 16) == (1 << 0) | (1 << 5)
    removed = sh(rkt, "grep CapBnd /proc/self/status", "--caps-remove=CAP_NET_RAW")
    assert not int(removed.stdout.split()[1], 16) & (1 << 13)


def test_insecure_capabilities_gives_every_capability(rkt):
    done = rkt("--insecure-options=capabilities", "run", NONE, "busybox", "--exec", "/bin/sh", "--", "-c",
               "grep CapBnd /proc/self/status", "---")
    assert int(done.stdout.split()[1], 16) & (1 << 21)  # CAP_SYS_ADMIN


@pytest.mark.parametrize("path", ["/proc/sysrq-trigger", "/proc/sys/kernel/domainname"])
def test_proc_paths_are_read_only(rkt, path):
    if not Path(path).exists():
        pytest.skip(f"this kernel has no {path}")
    done = sh(rkt, f"echo x > {path}")
    assert done.returncode != 0
    assert "Read-only file system" in done.stderr


def test_masked_paths_read_empty(rkt):
    assert sh(rkt, "cat /proc/kcore | wc -c").stdout.strip() == "0"


def test_seccomp_default_denies_and_retain_set(rkt):
    assert sh(rkt, "unshare -n true").returncode != 0  # unshare(2) is not on the allow-list
    done = sh(rkt, "echo hi", "--seccomp=mode=remove,errno=ENOSYS,uname")
    assert done.returncode == 0 and done.stdout == "hi\n"
    assert sh(rkt, "uname").stdout == "Linux\n"
    assert sh(rkt, "uname", "--seccomp=mode=remove,errno=ENOSYS,uname").stdout.strip() == ""  # uname(2) fails


def test_memory_limit_is_in_the_pods_cgroup(rkt):
    uuid = rkt.detach("busybox", "--memory=42Mi", "--exec", "/bin/sleep", "--", "60", "---")
    done = rkt("enter", uuid, "/bin/cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes")
    assert done.stdout.strip() == str(42 * 1024 * 1024), done.stderr
    matches = [p for p in Path("/sys/fs/cgroup/memory").glob(f"**/rkt/{uuid}/busybox/memory.limit_in_bytes")]
    assert matches and matches[0].read_text().strip() == str(42 * 1024 * 1024)


def test_volumes_read_only_refuses_writes_host_keeps_them(rkt, tmp_path):
    ro, rw = tmp_path / "ro", tmp_path / "rw"
    ro.mkdir()
    rw.mkdir()
    done = rkt("run", NONE, f"--volume=ro,kind=host,source={ro},readOnly=true", f"--volume=rw,kind=host,source={rw}",
               "--volume=scratch,kind=empty", "busybox",
               "--mount=volume=ro,target=/ro", "--mount=volume=rw,target=/rw", "--mount=volume=scratch,target=/s",
               "--exec", "/bin/sh", "--", "-c", "echo x > /s/f && echo kept > /rw/f && echo no > /ro/f", "---")
    assert done.returncode != 0 and "Read-only file system" in done.stderr
    assert (rw / "f").read_text() == "kept\n"
    assert list(ro.iterdir()) == []


def test_readonly_rootfs(rkt):
    done = sh(rkt, "touch /x", "--readonly-rootfs")
    assert done.returncode != 0 and "Read-only file system" in done.stderr


def test_no_overlay_copies_the_image(rkt):
    done = sh(rkt, "echo changed > /etc/motd && cat /etc/motd", pod_flags=("--no-overlay",))
    assert done.returncode == 0 and done.stdout == "changed\n", done.stderr


def test_working_dir_and_args(rkt):
    done = rkt("run", NONE, "busybox", "--working-dir=/tmp", "--exec", "/bin/pwd")
    assert done.stdout == "/tmp\n", done.stderr


def test_interactive_drives_a_shell_through_a_pty(rkt):
    code, seen = pods.interactive([RKT, "--dir", str(rkt.root), "run", NONE, "--interactive", "busybox", "--exec",
                                   "/bin/sh"], b"tty; echo answer-$((6*7)); exit 3\n", until=b"answer-42")
    assert code == 3 and b"answer-42" in seen and b"/dev/pts/" in seen, seen


def test_stage1_fly_sees_the_hosts_pid_namespace(rkt, tmp_path):
    done = rkt("run", "--stage1-name=fly", "busybox", "--exec", "/bin/sh", "--", "-c",
               "ls /proc | grep -c '^[0-9]'; echo $$; ls /tmp | wc -l; hostname", "---")
    assert done.returncode == 0, done.stderr
    count, pid, tmp_files, hostname = done.stdout.split()
    assert int(count) > 10 and int(pid) > 1  # host pids, not a fresh namespace
    assert tmp_files == "0" and hostname == os.uname().nodename


def test_stage1_fly_exit_code_and_volume(rkt, tmp_path):
    done = rkt("run", "--stage1-name=fly", f"--volume=h,kind=host,source={tmp_path}", "busybox",
               "--mount=volume=h,target=/h", "--exec", "/bin/sh", "--", "-c", "echo fly > /h/f; exit 6", "---")
    assert done.returncode == 6, done.stderr
    assert (tmp_path / "f").read_text() == "fly\n"


def test_cpu_oom_nnp_and_supplementary_gids(rkt):
    uuid = rkt.detach("--no-new-privileges", "busybox", "--cpu=500m", "--cpu-shares=256", "--oom-score-adj=300",
                      "--supplementary-gids=5,7", "--exec", "/bin/sleep", "--", "60", "---")
    cat = rkt("enter", uuid, "/bin/sh", "-c", "cat /proc/self/oom_score_adj; grep -E 'NoNewPrivs|Groups' /proc/self/status")
    lines = cat.stdout.split("\n")
    assert lines[0] == "300", cat.stderr
    assert "NoNewPrivs:\t1" in cat.stdout and lines[1].split()[1:] == ["5", "7"]
    cpu = next(Path("/sys/fs/cgroup/cpu").glob(f"**/rkt/{uuid}/busybox"))
    assert (cpu / "cpu.cfs_quota_us").read_text().strip() == "50000"
    assert (cpu / "cpu.shares").read_text().strip() == "256"


def test_set_env_file(rkt, tmp_path):
    envfile = tmp_path / "env"
    envfile.write_text("# comment\nFROM_FILE=yes\nOVERRIDDEN=file\n")
    done = sh(rkt, "echo $FROM_FILE $OVERRIDDEN", pod_flags=(f"--set-env-file={envfile}", "--set-env=OVERRIDDEN=flag"))
    assert done.stdout.split() == ["yes", "flag"], done.stderr


def test_stage1_fly_detached_and_stopped(rkt):
    uuid = rkt("run", "--detach", "--stage1-name=fly", "busybox", "--exec", "/bin/sh", "--", "-c",
               'trap "exit 4" TERM; sleep 60 & wait', "---", check=True).stdout.strip()
    status = rkt.status(uuid)
    assert status["state"] == "running"
    assert Path(f"/proc/{status['pid']}/root").resolve() != Path("/")  # the app, chrooted
    entered = rkt("enter", uuid, "/bin/sh", "-c", f"echo $PATH; test -d /proc/{status['pid']} && echo host-pids")
    assert entered.stdout.split() == ["/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "host-pids"]
    assert rkt("stop", uuid).returncode == 0
    assert rkt.status(uuid)["app-busybox"] == "4"


def test_pods_started_in_parallel(rkt):
    procs = [subprocess.Popen([RKT, "--dir", str(rkt.root), "run", NONE, "busybox", "--memory=16Mi", "--exec",
                               "/bin/sh", "--", "-c", f"echo pod-{i}; exit {i}", "---"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(4)]
    results = [(p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    assert [(code, out) for code, out, _ in results] == [(i, f"pod-{i}\n") for i in range(4)], results
