"""``rkt app``: a sandbox keeps its IP while one app is added, started, stopped, removed and added again;
``rkt stop`` ends it and ``gc`` leaves nothing (mounts, cgroups, netns, runc state)."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from tests.fixtures.pods import RKT, Rkt, leftovers

pytestmark = pytest.mark.e2e
SHOW_IP = "trap 'exit 7' TERM; ip -4 -o addr show eth0 | awk '{print $4}' | cut -d/ -f1; echo up; sleep 60 & wait"


class HostRkt(Rkt):
    """The real ``rkt`` run in the test host's network namespace: the sandbox's CNI ADDs (NAT, portmap) land
    there, never in the machine's own namespace."""

    def __init__(self, host, root: Path) -> None:
        super().__init__(root)
        self.host = host

    def __call__(self, *args: str, timeout: float = 60, check: bool = False, **kwargs):
        done = self.host.run([RKT, "--dir", str(self.root), *args], timeout=timeout)
        if check and done.returncode != 0:
            raise AssertionError(f"rkt {' '.join(args)} exited {done.returncode}: {done.stderr}")
        return done


@pytest.fixture
def hostrkt(testhost, pods_dir):
    runner = HostRkt(testhost, pods_dir)
    before = testhost.snapshot()
    yield runner
    uuids = [p["uuid"] for p in runner.pods()]
    runner.cleanup()
    assert leftovers(pods_dir, uuids) == [] and testhost.snapshot() == before


def _add(rkt, uuid: str, name: str, script: str, *flags: str) -> None:
    rkt("app", "add", uuid, "busybox", f"--app={name}", *flags, "--exec", "/bin/sh", "--", "-c", script, "---",
        check=True)


def _wait_log(rkt, uuid: str, name: str, text: str) -> str:
    deadline = time.monotonic() + 30
    out = ""
    while text not in out and time.monotonic() < deadline:
        out = rkt("logs", uuid, f"--app={name}").stdout
        time.sleep(0.05)
    return out


def _app(rkt, uuid: str, name: str) -> dict:
    return json.loads(rkt("app", "status", uuid, f"--app={name}", "--format=json", check=True).stdout)


def test_sandbox_app_lifecycle_keeps_the_pod_ip(hostrkt):
    rkt = hostrkt
    uuid = rkt("app", "sandbox", "--net=default", check=True).stdout.strip()
    status = rkt.status(uuid)
    assert status["state"] == "running" and "default:ip4=172.16.28." in status["networks"]
    pod_ip = status["networks"].split("ip4=")[1]
    _add(rkt, uuid, "web", SHOW_IP)
    assert _app(rkt, uuid, "web")["state"] == "created"
    rkt("app", "start", uuid, "--app=web", check=True)
    assert _wait_log(rkt, uuid, "web", "up").splitlines()[0] == pod_ip
    running = _app(rkt, uuid, "web")
    assert running["state"] == "running" and running["pid"] and running["started_at"]
    assert rkt("app", "rm", uuid, "--app=web").returncode == 254  # running: stop it first
    rkt("app", "stop", uuid, "--app=web", check=True)
    stopped = _app(rkt, uuid, "web")
    assert stopped["state"] == "exited" and stopped["exit_code"] == 7 and stopped["finished_at"]
    rkt("app", "rm", uuid, "--app=web", check=True)
    assert "up" in rkt("logs", uuid, "--app=web").stdout  # the log stays until the pod goes
    assert rkt("app", "list", uuid, "--no-legend", check=True).stdout.strip() == ""
    _add(rkt, uuid, "web", "echo second; " + SHOW_IP)
    readded = _app(rkt, uuid, "web")
    assert readded["state"] == "created" and readded["exit_code"] is None
    assert (readded["last_exit_code"], readded["last_started_at"]) == (7, running["started_at"])
    rkt("app", "start", uuid, "--app=web", check=True)
    out = _wait_log(rkt, uuid, "web", "up")
    assert out.splitlines()[:2] == ["second", pod_ip]  # the current run only, same IP
    assert rkt.status(uuid)["state"] == "running"
    assert rkt("stop", uuid, check=True).stdout.strip() == uuid
    assert rkt.status(uuid)["state"] == "exited"
    assert _app(rkt, uuid, "web")["exit_code"] == 7  # still readable, until gc
    assert rkt("app", "start", uuid, "--app=web").returncode == 254  # but nothing starts in it
    rkt("gc", "--grace-period=0s", check=True)
    assert uuid not in rkt.uuids() and leftovers(rkt.root, [uuid]) == []
    assert _processes_naming(uuid) == [] and _leases_of(rkt, uuid) == []


def test_an_app_that_ends_leaves_the_sandbox_running(rkt):
    uuid = rkt("app", "sandbox", "--net=none", check=True).stdout.strip()
    _add(rkt, uuid, "init", "echo hello; exit 3", "--annotation=rktnetes.io/restart-count=2")
    entry = json.loads(rkt("cat-manifest", uuid, check=True).stdout)["apps"][0]
    assert {"name": "rktnetes.io/restart-count", "value": "2"} in entry["annotations"]
    assert rkt("app", "add", uuid, "busybox", "--app=bad", "--annotation=novalue").returncode == 254
    _add(rkt, uuid, "main", "sleep 60")
    rkt("app", "start", uuid, "--app=init", check=True)
    deadline = time.monotonic() + 30
    while _app(rkt, uuid, "init")["state"] != "exited" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _app(rkt, uuid, "init")["exit_code"] == 3 and rkt.status(uuid)["state"] == "running"
    rkt("app", "start", uuid, "--app=main", check=True)
    listing = rkt("app", "list", uuid, "--no-legend", check=True).stdout.splitlines()
    assert [line.split("\t")[:2] for line in listing] == [["init", "exited"], ["main", "running"]]
    assert rkt("enter", "--app=main", uuid, "/bin/echo", "inside").stdout.strip() == "inside"
    rkt("app", "stop", uuid, "--app=main", "--force", check=True)
    assert _app(rkt, uuid, "main")["exit_code"] == 137
    rkt("stop", uuid, check=True)


def test_bad_input_is_one_line_and_writes_nothing(rkt):
    uuid = rkt("app", "sandbox", "--net=none", check=True).stdout.strip()
    manifest = rkt("cat-manifest", uuid, check=True).stdout
    cases = {("busybox",): "--app=NAME", ("no-such-image", "--app=x"): "no-such-image",
             ("busybox", "--app=BAD NAME"): "invalid app name", ("busybox", "--app=x", "--memory=lots"): "lots",
             ("busybox", "--app=x", "--mount=volume=nope,target=/x"): "nope"}
    for args, words in cases.items():
        done = rkt("app", "add", "--pull-policy=never", uuid, *args)
        assert done.returncode == 254 and len(done.stderr.strip().splitlines()) == 1, (args, done.stderr)
        assert words in done.stderr, (args, done.stderr)
    assert rkt("cat-manifest", uuid, check=True).stdout == manifest
    apps = rkt.root / "pods" / "run" / uuid / "apps"
    assert not apps.exists() or os.listdir(apps) == []
    _add(rkt, uuid, "x", "true")
    assert rkt("app", "add", uuid, "busybox", "--app=x").returncode == 254  # the name is taken
    assert rkt("app", "start", uuid, "--app=nope").returncode == 254
    done = rkt("app", "add", "no-such-pod", "busybox", "--app=y")
    assert done.returncode == 254 and "no matches found" in done.stderr
    pod = rkt.detach("busybox", "--exec", "/bin/sleep", "--", "60", "---")
    assert "not a sandbox" in rkt("app", "add", pod, "busybox", "--app=z").stderr
    rkt("stop", "--force", pod, uuid, check=True)


def test_gc_cleans_a_sandbox_killed_minus_nine(hostrkt):
    rkt = hostrkt
    uuid = rkt("app", "sandbox", "--net=default", check=True).stdout.strip()
    _add(rkt, uuid, "web", "sleep 60", "--memory=32Mi")
    rkt("app", "start", uuid, "--app=web", check=True)
    os.kill(int(rkt.status(uuid)["pid"]), signal.SIGKILL)
    deadline = time.monotonic() + 30
    while rkt.status(uuid)["state"] == "running" and time.monotonic() < deadline:
        time.sleep(0.05)
    rkt("gc", "--grace-period=0s", check=True)
    assert uuid not in rkt.uuids() and leftovers(rkt.root, [uuid]) == []
    assert _processes_naming(uuid) == [] and _leases_of(rkt, uuid) == []


def test_a_sandbox_port_reaches_the_app_listening_on_it(hostrkt, testhost):
    rkt = hostrkt
    bad = rkt("app", "sandbox", "--net=default", "--port=http:80:8090")
    assert bad.returncode == 254 and "NAME:tcp|udp:PODPORT" in bad.stderr and len(bad.stderr.splitlines()) == 1
    uuid = rkt("app", "sandbox", "--net=default", "--port=http:tcp:80:8090", check=True).stdout.strip()
    _add(rkt, uuid, "web", "mkdir -p /www && echo served > /www/index.html && exec httpd -f -p 80 -h /www")
    rkt("app", "start", uuid, "--app=web", check=True)
    out = ""
    for _ in range(100):
        done = testhost.run(["curl", "-sS", "-m", "2", "http://127.0.0.1:8090/"], timeout=10)
        if (out := done.stdout) == "served\n":
            break
        time.sleep(0.1)
    assert out == "served\n"
    rkt("stop", "--force", uuid, check=True)
    rkt("gc", "--grace-period=0s", check=True)


def test_apps_of_a_sandbox_share_its_volumes(rkt):
    uuid = rkt("app", "sandbox", "--net=none", "--volume=data,kind=empty", check=True).stdout.strip()
    _add(rkt, uuid, "writer", "echo shared > /data/note", "--mount=volume=data,target=/data")
    rkt("app", "start", uuid, "--app=writer", check=True)
    deadline = time.monotonic() + 30
    while _app(rkt, uuid, "writer")["state"] != "exited" and time.monotonic() < deadline:
        time.sleep(0.05)
    _add(rkt, uuid, "reader", "cat /data/note", "--mount=volume=data,target=/data")
    rkt("app", "start", uuid, "--app=reader", check=True)
    assert _wait_log(rkt, uuid, "reader", "shared").strip() == "shared"
    rkt("stop", uuid, check=True)


def _processes_naming(uuid: str) -> list[str]:
    """Command lines of live processes that name the pod (its runc, its supervisor)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            line = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if uuid in line and "pytest" not in line:
            found.append(line)
    return found


def _leases_of(rkt, uuid: str) -> list[str]:
    """host-local IPAM leases still held by the pod (each lease file names its container)."""
    leases = rkt.root / "networks"
    return [str(p) for p in leases.rglob("*") if p.is_file() and uuid in p.read_text(errors="replace")]
