"""``kubectl attach -i`` and ``-it`` (the real kubectl) to containers the real kubelet started with
``stdin: true`` (and ``tty: true``) as rkt pods: what is piped or typed reaches the container, its stdin
stays open from one session to the next, and a terminal is resized to kubectl's."""

from __future__ import annotations

import json
import select
import subprocess

import pytest

from tests.conftest import stop_process
from tests.fixtures.pods import terminal_session

pytestmark = pytest.mark.e2e


def _pod(kubelet, namespace: str, name: str, script: str, tty: bool = False) -> None:
    container = {"name": "main", "image": kubelet.image(), "command": ["/bin/sh", "-c", script], "stdin": True,
                 "tty": tty}
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": namespace},
           "spec": {"nodeName": kubelet.node, "containers": [container], "restartPolicy": "Never",
                    "terminationGracePeriodSeconds": 2}}
    kubelet.apiserver.kubectl("create", "-f", "-", input=json.dumps(pod))
    kubelet.wait_phase(namespace, name, "Running")


def test_attach_i_types_into_stdin_which_stays_open_between_sessions(kubelet, namespace):
    _pod(kubelet, namespace, "reader", "read a; echo got $a; read b; echo got $b")
    first = subprocess.Popen(["kubectl", "attach", "-i", "-n", namespace, "reader"], env=kubelet.apiserver.env(),
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        first.stdin.write(b"one\n")
        first.stdin.flush()
        ready = select.select([first.stdout], [], [], 60)[0]
        assert ready and first.stdout.readline() == b"got one\n"
    finally:
        stop_process(first, grace=5)
    second = kubelet.apiserver.kubectl("attach", "-i", "-n", namespace, "reader", input="two\n", timeout=60)
    assert second.stdout == "got two\n"
    assert kubelet.wait_phase(namespace, "reader", "Succeeded")


def test_attach_it_is_a_terminal_of_kubectls_size(kubelet, namespace):
    _pod(kubelet, namespace, "shell", "exec /bin/sh", tty=True)
    argv = ["kubectl", "attach", "-it", "-n", namespace, "shell"]
    _, seen = terminal_session(argv, b"tty; stty size; echo sum=$((3+4)); exit 5\r", (31, 101),
                               env=kubelet.apiserver.env(), settle=2)
    text = seen.decode(errors="replace")
    assert "sum=7" in text and "31 101" in text and "/dev/pts/" in text, text
    pod = kubelet.wait_phase(namespace, "shell", "Failed")
    assert pod["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 5


def test_attach_i_from_kubectl_1_27_over_spdy(kubelet, namespace):
    _pod(kubelet, namespace, "reader", "read a; echo got $a")
    done = kubelet.apiserver.kubectl("attach", "-i", "-n", namespace, "reader", input="old\n", timeout=60,
                                     binary="/usr/lib/google-cloud-sdk/bin/kubectl.1.27")
    assert done.stdout == "got old\n"
