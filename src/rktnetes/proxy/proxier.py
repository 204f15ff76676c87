"""One sync: the cluster's Service ports in, the proxy's nftables table and conntrack brought in line.

Blocking (it runs ``nft`` and ``conntrack``), so the server calls it in a worker thread; a lock makes the
clean-up on exit wait for a sync still running in its thread (a cancelled await does not stop the thread),
so that sync cannot write the table again after it was deleted. It remembers what the last successful transaction wrote, which the next one starts from; after a failed one it
forgets, so the next sync deletes the table and writes it whole.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rktnetes.proxy import conntrack, errors, nft, tables
from rktnetes.proxy.serviceports import ServicePort
from rktnetes.proxy.servicerules import NodeView, Ruleset

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Config:
    node_name: str
    netns: Path | None = None
    cluster_cidr: str = ""
    nodeport_addresses: tuple[str, ...] = ()


class Proxier:
    def __init__(self, config: Config, apply: Callable[[Path | None, str], None] = nft.apply,
                 flush: Callable[[Path | None, list[list[str]]], None] = conntrack.delete) -> None:
        self.config, self.apply, self.flush = config, apply, flush
        self.node = NodeView(config.node_name, config.cluster_cidr)
        self.previous: Ruleset | None = None
        self.ports: list[ServicePort] = []
        self._lock = threading.Lock()

    def sync(self, ports: list[ServicePort], full: bool = False) -> None:
        """Write the table for ``ports`` in one transaction (what changed, or everything when ``full``), then
        drop the UDP flows it strands."""
        with self._lock:
            self._sync(ports, full)

    def _sync(self, ports: list[ServicePort], full: bool) -> None:
        rules = tables.build(ports, self.node, self.config.nodeport_addresses)
        if not full and rules == self.previous:
            return  # an event that changed nothing the rules depend on (a Service's status, say)
        try:
            self.apply(self.config.netns, tables.transaction(rules, self.previous, full))
        except Exception:  # rejected, or unknown (timed out): the next sync starts over
            self.previous = None
            raise
        self.previous, old, self.ports = rules, self.ports, ports
        try:
            self.flush(self.config.netns, conntrack.stale_filters(old, ports))
        except (errors.ConntrackError, OSError) as exc:
            log.warning("stale UDP flows kept: %s", exc)

    def cleanup(self) -> None:
        """Remove the proxy's table (nothing else)."""
        with self._lock:
            self.apply(self.config.netns, tables.deletion())
            self.previous = None
