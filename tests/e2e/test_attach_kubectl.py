"""``kubectl attach -i`` and ``-it`` (the real kubectl) to containers the real kubelet started with
``stdin: true`` (and ``tty: true``) as rkt pods: what is piped or typed reaches the container, its stdin
stays open from one session to the next, and a terminal is resized to kubectl's."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import struct
import subprocess
import termios
import time

import pytest

from tests.conftest import stop_process

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
    master, slave = pty.openpty()
    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", 31, 101, 0, 0))
    argv = ["kubectl", "attach", "-it", "-n", namespace, "shell"]
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=kubelet.apiserver.env(),
                            start_new_session=True)
    os.close(slave)
    seen = b""
    try:
        time.sleep(2)  # kubectl puts its terminal in raw mode first
        os.write(master, b"tty; stty size; echo sum=$((3+4)); exit 5\r")
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            if select.select([master], [], [], 0.5)[0]:
                try:
                    seen += os.read(master, 4096)
                except OSError:
                    break
        text = seen.decode(errors="replace")
        assert "sum=7" in text and "31 101" in text and "/dev/pts/" in text, text
    finally:
        stop_process(proc, grace=5)
        os.close(master)
    pod = kubelet.wait_phase(namespace, "shell", "Failed")
    assert pod["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 5


def test_attach_i_from_kubectl_1_27_over_spdy(kubelet, namespace):
    _pod(kubelet, namespace, "reader", "read a; echo got $a")
    done = kubelet.apiserver.kubectl("attach", "-i", "-n", namespace, "reader", input="old\n", timeout=60,
                                     binary="/usr/lib/google-cloud-sdk/bin/kubectl.1.27")
    assert done.stdout == "got old\n"
