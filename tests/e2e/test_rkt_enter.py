"""``rkt enter``: a command inside a running app sees the app's environment, hostname and filesystem."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_enter_sees_the_apps_env_and_namespaces(rkt):
    uuid = rkt.detach("--set-env=GREETING=hello", "busybox", "--environment=APP_ONLY=yes",
                      "--exec", "/bin/sh", "--", "-c", "echo marker > /tmp/m; sleep 60", "---")
    done = rkt("enter", uuid, "/bin/sh", "-c", "echo $GREETING $APP_ONLY $(hostname) $(cat /tmp/m)")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["hello", "yes", f"rkt-{uuid}", "marker"]
    assert rkt("enter", uuid, "/bin/sh", "-c", "exit 5").returncode == 5


def test_enter_needs_app_in_a_multi_app_pod(rkt):
    uuid = rkt("run", "--detach", "--net=none", "busybox", "--name=a", "--exec", "/bin/sleep", "--", "60", "---",
               "busybox", "--name=b", "--exec", "/bin/sleep", "--", "60", "---", check=True).stdout.strip()
    done = rkt("enter", uuid, "/bin/true")
    assert done.returncode == 254 and "--app" in done.stderr
    assert rkt("enter", "--app=b", uuid, "/bin/true").returncode == 0


def test_enter_errors(rkt):
    done = rkt("enter", "00000000-dead")
    assert done.returncode == 254 and 'no matches found for "00000000-dead"' in done.stderr
    uuid = rkt("prepare", "--net=none", "busybox", check=True).stdout.strip()
    assert "is not running" in rkt("enter", uuid, "/bin/true").stderr
