"""Pod GC on the real API server: a pod bound to a node that is deleted does not stay Terminating for ever."""

from __future__ import annotations

import asyncio
import json
import uuid

from rktnetes.client import rest, sharing
from rktnetes.controllers import podgc
from tests.integration.test_controllers_replicaset import until


async def test_a_vanished_nodes_pods_are_removed(apiserver, namespace) -> None:
    node = f"n-{uuid.uuid4().hex[:8]}"
    apiserver.kubectl("create", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "Node",
                                                             "metadata": {"name": node}}))
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "bound"},
           "spec": {"nodeName": node, "containers": [{"name": "c", "image": "busybox"}]}}
    apiserver.kubectl("create", "-n", namespace, "-f", "-", input=json.dumps(pod))
    apiserver.kubectl("delete", "pod", "bound", "-n", namespace, "--wait=false")
    apiserver.kubectl("delete", "node", node)
    assert apiserver.kubectl("get", "pod", "bound", "-n", namespace).returncode == 0
    async with rest.Client.from_kubeconfig(apiserver.kubeconfig) as client:
        factory = sharing.InformerFactory(client)
        controller = podgc.PodGCController(client, factory, period=0.2, quarantine=0.5)
        factory.start()
        task = asyncio.create_task(controller.run(1))
        try:
            await until(lambda: apiserver.kubectl("get", "pod", "bound", "-n", namespace, check=False).returncode)
        finally:
            controller.shutdown()
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await factory.stop()
