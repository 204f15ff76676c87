"""A pod's networks as stage1 handles them: the plan stage0 wrote, the ADDs (made while runc creates the
apps, which wait at the network gate), their summary for list/status, and the /etc files naming them."""

from __future__ import annotations

import json
from pathlib import Path

from rktnetes.rkt import paths
from rktnetes.rkt.pods import state


class PodNetworks:
    def __init__(self, pod: Path, uuid: str, root: Path, runtime: dict[str, object]) -> None:
        self.pod, self.uuid, self.root, self.hostname = pod, uuid, root, str(runtime["hostname"])
        self.plan, self.infos = None, []
        if runtime.get("netplan"):
            from rktnetes.rkt.networking import podnet

            self.plan = podnet.PodNetPlan.from_json(str(runtime["netplan"]))

    def host(self) -> bool:
        """--net=host: the apps stay in the host's network namespace."""
        return self.plan is not None and self.plan.mode == "host"

    def gated(self) -> bool:
        """True when there are CNI networks to ADD (not --net=none or host): the apps wait at the gate."""
        return self.plan is not None and self.plan.mode not in ("none", "host")

    def up(self, netns: Path) -> None:
        """ADD the pod's CNI networks and publish their summary."""
        from rktnetes.rkt.networking import podnet

        # lo is already up: namespaces.create did it in-process (one plugin exec less per pod)
        self.infos = podnet.up(self.pod, self.uuid, str(netns), self.plan, self.root, loopback=False)
        summary = [{"name": i.name, "ip": i.ip} for i in self.infos]
        state.publish(paths.pod_net_summary_path(self.pod), json.dumps(summary))

    def etc_files(self, lower: str) -> dict[str, str | None]:
        """/etc/hosts and /etc/resolv.conf for an app whose image tree is ``lower`` (none without a plan)."""
        if self.plan is None:
            return {}
        from rktnetes.rkt.networking import podnet

        image_hosts = Path(lower, "etc", "hosts")
        image_text = image_hosts.read_text() if image_hosts.is_file() else None
        return podnet.etc_files(self.plan, self.infos, self.hostname, image_text)
